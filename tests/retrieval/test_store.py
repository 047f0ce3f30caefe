"""The saved index: reloads to the same answers, rebuilds when the corpus, the settings or
its own files change, and is never trusted when damaged."""

from __future__ import annotations

import json
import shutil

import pytest

from bot.console.json_contract import answer_to_dict
from retrieval import (
    BM25Config,
    RetrievalConfig,
    Retriever,
    engines,
    load_corpus,
    locate,
    open_retriever,
)
from retrieval.evaluate import load_jsonl_questions
from retrieval.index import build, store
from tests.support.paths import SEED_QUESTIONS

QUESTIONS = [q.question for q in load_jsonl_questions(SEED_QUESTIONS)]


@pytest.fixture
def corpus(tmp_path, seeds_dir):
    folder = tmp_path / "corpus"
    shutil.copytree(seeds_dir, folder)
    return folder


class Opener:
    """open_retriever on one data folder, counting builds and collecting warnings."""

    def __init__(self, data, monkeypatch):
        self.data = data
        self.warnings: list[str] = []
        self.builds = 0
        real = build.build_index

        def counting(*args, **kwargs):
            self.builds += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(store, "build_index", counting)

    def __call__(self, corpus, config=None):
        return open_retriever(corpus, self.data, config, warn=self.warnings.append)


@pytest.fixture
def opener(tmp_path, monkeypatch):
    return Opener(tmp_path / "data", monkeypatch)


def answers(retriever):
    return [answer_to_dict(retriever.search(q, k=5)) for q in QUESTIONS]


@pytest.mark.parametrize("engine", ["rank-bm25", "native"])
def test_saved_index_reloads_to_the_same_answers(corpus, opener, engine):
    config = RetrievalConfig(engine=engine)
    expected = answers(Retriever(load_corpus(corpus), config))
    first = opener(corpus, config)
    second = opener(corpus, config)
    assert opener.builds == 1
    assert answers(first) == expected
    assert answers(second) == expected
    assert second.engine.name == engine
    assert len(second.corpus.documents) == 5
    assert [p.id for p in second.passages] == [p.id for p in load_corpus(corpus).passages]


def test_changed_corpus_file_rebuilds(corpus, opener):
    opener(corpus)
    (corpus / "new.txt").write_text("عقدت قمة الزيتون الفضية في مدينة نابلس العام الماضي.")
    answer = opener(corpus).search("أين عقدت قمة الزيتون الفضية؟")
    assert opener.builds == 2
    assert answer.answered and answer.results[0].passage.doc_id == "new"
    # an edit that keeps the size still changes the modification time
    path = corpus / "new.txt"
    path.write_text(path.read_text().replace("نابلس", "جنين"))
    assert (
        opener(corpus)
        .search("قمة الزيتون الفضية")
        .results[0]
        .passage.text.endswith("جنين العام الماضي.")
    )
    assert opener.builds == 3
    assert len(list(locate(corpus, opener.data, RetrievalConfig()).slot.iterdir())) == 1


def test_changed_settings_rebuild(corpus, opener):
    opener(corpus)
    opener(corpus, RetrievalConfig(bm25=BM25Config(k1=2.0)))
    opener(corpus, RetrievalConfig(engine="native"))
    assert opener.builds == 3
    opener(corpus)  # each configuration keeps its index while the corpus is unchanged
    assert opener.builds == 3


def _damage_truncate(folder):
    path = folder / "seg-0000" / "passages.jsonl"
    path.write_bytes(path.read_bytes()[:-100])


def _damage_garble(folder):
    path = folder / "seg-0000" / "block-000.data.npy"
    data = bytearray(path.read_bytes())
    data[-8:] = b"\xff" * 8  # same size: only the checksum can tell
    path.write_bytes(bytes(data))


def _damage_manifest(folder):
    (folder / "manifest.json").unlink()  # as when a build stopped before its last write


def _damage_listed_file(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / next(iter(manifest["files"]))).unlink()


@pytest.mark.parametrize(
    "damage", [_damage_truncate, _damage_garble, _damage_manifest, _damage_listed_file]
)
def test_damaged_index_is_detected_and_rebuilt(corpus, opener, damage):
    config = RetrievalConfig(engine="native")
    expected = answers(opener(corpus, config))
    damage(locate(corpus, opener.data, config).folder)
    rebuilt = opener(corpus, config)
    assert opener.builds == 2
    assert any("damaged" in w for w in opener.warnings)
    assert answers(rebuilt) == expected
    store.read_manifest(locate(corpus, opener.data, config))  # whole again


def test_checksums_read_when_written_not_at_the_first_open(corpus, opener, monkeypatch):
    config = RetrievalConfig(engine="native")
    opener(corpus, config)
    folder = locate(corpus, opener.data, config).folder
    read = []
    real = store.checksum
    monkeypatch.setattr(store, "checksum", lambda path: read.append(path) or real(path))
    opener(corpus, config)
    assert read == []  # the build read them back as it wrote them
    _damage_garble(folder)  # a file rewritten since is read again, and found damaged
    opener(corpus, config)
    assert opener.builds == 2
    assert read[0].name == "block-000.data.npy"  # the first read: then the rebuild's
    assert any("damaged" in w for w in opener.warnings)


def test_unfinished_build_leaves_no_index(corpus, opener, monkeypatch):
    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "write_manifest", crash)
    with pytest.raises(KeyboardInterrupt):
        opener(corpus)
    location = locate(corpus, opener.data, RetrievalConfig())
    assert not location.folder.exists()
    assert list(location.slot.iterdir()) == []  # the temporary folder went too


def test_unwritable_data_dir_falls_back_to_memory(corpus, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    warnings: list[str] = []
    retriever = open_retriever(corpus, blocker, warn=warnings.append)
    assert retriever.search("أين عقد حوار المنامة؟").answered
    assert any("cannot save the index" in w for w in warnings)


def test_large_corpus_build_in_worker_processes_matches(corpus, opener, tmp_path, monkeypatch):
    """The parallel build path (used for big corpora) gives the same index."""
    config = RetrievalConfig(engine="native")
    expected = answers(opener(corpus, config))
    monkeypatch.setattr(build, "BATCH_CHARACTERS", 5000)  # several batches per worker
    location = locate(corpus, tmp_path / "parallel", config)
    built = store.save_index(location, corpus, config, warn=lambda m: None, workers=2)
    assert built.passages == 54
    assert answers(store.load_saved(location, config)) == expected


def test_auto_switches_to_native_in_the_middle_of_a_build(corpus, opener, monkeypatch):
    """Batches kept for rank-bm25 are counted for native once the corpus proves large."""
    expected = answers(Retriever(load_corpus(corpus), RetrievalConfig(engine="native")))
    monkeypatch.setattr(engines, "AUTO_NATIVE_FROM", 20)
    monkeypatch.setattr(build, "BATCH_CHARACTERS", 3000)
    retriever = opener(corpus)
    assert retriever.engine.name == "native"
    assert answers(retriever) == expected
