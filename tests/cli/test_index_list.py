"""`marjaa index --list` and `--prune`: every saved index judged against its corpus as it is
now; stale and damaged ones removed, never the current one, another engine's, or one in use."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from bot.cli import main
from retrieval import RetrievalConfig, lease_index, locate, open_retriever, saved_indexes
from retrieval.index.saved import STALE_TEMPORARY_SECONDS


@pytest.fixture
def corpora(tmp_path, seeds_dir, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("MARJAA_DATA_DIR", str(data))
    monkeypatch.delenv("MARJAA_ENGINE", raising=False)
    folders = []
    for name in ("kept", "changed", "gone"):
        folder = tmp_path / name
        shutil.copytree(seeds_dir, folder)
        open_retriever(folder, data)
        folders.append(folder)
    open_retriever(folders[0], data, RetrievalConfig(engine="native"))
    return data, folders


def statuses(data):
    found = saved_indexes(data)
    return sorted((s.folder.parent.name.split("-")[0], s.status, s.in_use) for s in found)


def test_list_then_prune_removes_only_what_is_stale_or_damaged(corpora, capsys):
    data, (kept, changed, gone) = corpora
    (changed / "extra.txt").write_text("فقرة جديدة عن الزراعة في الواحات.", encoding="utf-8")
    shutil.rmtree(gone)
    slot = locate(kept, data, RetrievalConfig()).slot
    (slot / "0123456789abcdef").mkdir()  # a folder without a manifest
    crashed = slot / ".building-old"
    crashed.mkdir()
    os.utime(crashed, (time.time() - STALE_TEMPORARY_SECONDS - 60,) * 2)
    (slot / ".building-now").mkdir()  # a build running right now

    assert main(["index", "--list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["status", "size", "built", "at", "passages", "engine", "corpus"]
    assert sum(line.startswith("current ") for line in lines) == 1
    assert sum(line.startswith("other settings ") for line in lines) == 1
    assert sum(line.startswith("stale ") for line in lines) == 2
    assert sum(line.startswith("damaged ") for line in lines) == 1
    assert sum(line.startswith("unfinished ") for line in lines) == 2
    assert f"54  rank-bm25  {kept}" in out and f"{gone}" in out
    assert lines[-1].startswith("7 saved indexes,") and "would remove 4" in lines[-1]

    assert main(["index", "--prune"]) == 0
    out = capsys.readouterr().out
    assert out.count("removed stale ") == 2 and out.count("removed damaged ") == 1
    assert out.count("removed unfinished ") == 1 and "pruned 4 saved indexes" in out
    assert (slot / ".building-now").exists() and not crashed.exists()
    assert statuses(data) == [
        ("kept", "current", False), ("kept", "other settings", False),
        ("kept", "unfinished", False),
    ]  # fmt: skip
    assert not [p for p in (data / "index").iterdir() if p.name.startswith("gone-")]
    # the current index still opens as it was
    assert len(open_retriever(kept, data).passages) == 54
    assert main(["index", "--prune"]) == 0
    assert "pruned 0 saved indexes, 0.0 MB freed" in capsys.readouterr().out


def test_an_index_in_use_is_never_pruned_even_when_stale(corpora, capsys):
    data, (_, changed, _) = corpora
    location = locate(changed, data, RetrievalConfig())
    lease = lease_index(location.folder)  # as a running bot holds the index it answers from
    assert lease is not None
    (changed / "extra.txt").write_text("فقرة جديدة عن الزراعة في الواحات.", encoding="utf-8")
    try:
        assert main(["index", "--list"]) == 0
        assert "stale, in use" in capsys.readouterr().out
        assert main(["index", "--prune"]) == 0
        assert "pruned 0 saved indexes" in capsys.readouterr().out
        assert location.folder.is_dir()
    finally:
        lease.release()
    assert main(["index", "--prune"]) == 0
    assert "pruned 1 saved index," in capsys.readouterr().out
    assert not location.folder.exists()


def test_an_older_manifest_without_the_corpus_root(corpora, monkeypatch, capsys):
    data, (kept, _, _) = corpora
    manifest = locate(kept, data, RetrievalConfig()).folder / "manifest.json"
    entry = json.loads(manifest.read_text("utf-8"))
    del entry["corpus_root"]
    entry["corpus"] = kept.name  # relative, as `marjaa index --corpus kept` wrote it
    manifest.write_text(json.dumps(entry), "utf-8")
    monkeypatch.chdir(kept.parent)
    assert ("kept", "current", False) in statuses(data)
    monkeypatch.chdir(data)  # from elsewhere the path means nothing: kept, never pruned
    assert ("kept", "unknown corpus", False) in statuses(data)
    assert main(["index", "--prune"]) == 0
    assert manifest.exists()


def test_no_saved_index_yet(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MARJAA_DATA_DIR", str(tmp_path / "nothing"))
    assert main(["index", "--list"]) == 0
    assert capsys.readouterr().out.startswith("no saved index under ")
    with pytest.raises(SystemExit) as exited:  # one of --list, --prune, --rebuild at a time
        main(["index", "--list", "--prune"])
    assert exited.value.code == 2
