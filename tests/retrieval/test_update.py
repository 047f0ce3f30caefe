"""Incremental updates of a saved native index: added, changed and removed corpus files give
the answers of a full rebuild (same passages, same scores), merges keep them, and a run
killed in the middle of an update leaves the previous index whole."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from retrieval import RetrievalConfig, Retriever, load_corpus, locate, open_retriever
from retrieval.index import merge
from retrieval.index.store import MANIFEST, _check_files, optimize_index
from tests.support.paths import ROOT

CONFIG = RetrievalConfig(engine="native")
QUESTIONS = [
    json.loads(line)["question"]
    for line in (ROOT / "tests" / "data" / "seed_questions.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]


def answers(retriever: Retriever) -> list:
    """Everything a user sees of each answer that ranking decides."""
    found = []
    for question in QUESTIONS:
        answer = retriever.search(question, k=5)
        found.append(
            (answer.answered, [(r.passage.id, r.passage.text, r.score) for r in answer.results])
        )
    return found


def rebuilt(corpus: Path) -> Retriever:
    return Retriever(load_corpus(corpus, warn=lambda message: None), CONFIG)


def manifest_of(corpus: Path, data: Path) -> dict:
    location = locate(corpus, data, CONFIG)
    return json.loads((location.folder / MANIFEST).read_text("utf-8"))


@pytest.fixture
def corpus(tmp_path, seeds_dir):
    folder = tmp_path / "corpus"
    shutil.copytree(seeds_dir, folder)
    return folder


def opened(corpus: Path, data: Path) -> Retriever:
    return open_retriever(corpus, data, CONFIG, warn=lambda message: None)


def test_added_changed_and_removed_files_answer_as_a_full_rebuild(corpus, tmp_path):
    data = tmp_path / "data"
    opened(corpus, data)
    files = sorted(corpus.glob("*.txt"))
    held = tmp_path / "held.txt"
    shutil.move(files[1], held)  # removed
    retriever = opened(corpus, data)
    assert manifest_of(corpus, data)["updated"] == {"added": 0, "changed": 0, "removed": 1}
    assert answers(retriever) == answers(rebuilt(corpus))
    assert retriever.corpus.passage_count == rebuilt(corpus).corpus.passage_count
    assert [d.doc_id for d in retriever.corpus.documents] == [
        d.doc_id for d in rebuilt(corpus).corpus.documents
    ]
    shutil.move(held, corpus / "zz-back.txt")  # added (after every other file)
    text = files[3].read_text("utf-8")  # changed: a paragraph replaced
    paragraphs = text.split("\n\n")
    paragraphs[-1] = "عقدت قمة الرياض للمياه في فبراير وناقشت ندرة المياه في الخليج."
    files[3].write_text("\n\n".join(paragraphs), "utf-8")
    retriever = opened(corpus, data)
    manifest = manifest_of(corpus, data)
    assert manifest["updated"] == {"added": 1, "changed": 1, "removed": 0}
    assert len(manifest["segments"]) == 2
    full = rebuilt(corpus)
    assert answers(retriever) == answers(full)
    assert retriever.corpus.passage_count == full.corpus.passage_count
    hits = retriever.search("متى عقدت قمة الرياض للمياه؟", k=1).results
    assert hits and "قمة الرياض للمياه" in hits[0].passage.text


def test_an_update_writes_only_the_new_segment_and_links_the_rest(corpus, tmp_path):
    data = tmp_path / "data"
    opened(corpus, data)
    before = locate(corpus, data, CONFIG).folder
    first = before / "seg-0000" / "passages.jsonl"
    inode = first.stat().st_ino
    (corpus / "new.txt").write_text(
        "اجتمع وزراء الزراعة العرب في تونس لبحث الأمن الغذائي.", "utf-8"
    )
    opened(corpus, data)
    after = locate(corpus, data, CONFIG).folder
    assert after != before and not before.exists()  # the previous index is gone
    assert (after / "seg-0000" / "passages.jsonl").stat().st_ino == inode  # not rewritten
    assert (after / "seg-0001" / "passages.jsonl").is_file()


def test_a_passage_already_in_the_index_is_not_added_twice(corpus, tmp_path):
    data = tmp_path / "data"
    opened(corpus, data)
    source = sorted(corpus.glob("*.txt"))[0].read_text("utf-8").split("\n\n")
    copy = source[-1] + "\n\n" + "فقرة جديدة عن مؤتمر المناخ في شرم الشيخ وأهدافه."
    (corpus / "zz-copy.txt").write_text(copy, "utf-8")
    retriever = opened(corpus, data)
    full = rebuilt(corpus)
    assert retriever.corpus.passage_count == full.corpus.passage_count
    assert answers(retriever) == answers(full)


def test_many_updates_are_merged_and_optimize_leaves_one_segment(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(merge, "MAX_SEGMENTS", 3)
    data = tmp_path / "data"
    opened(corpus, data)
    for number in range(5):
        text = f"خبر رقم {number}: وصل وفد من الجامعة العربية إلى مدينة رقم {number} للتفاوض."
        (corpus / f"news-{number}.txt").write_text(text, "utf-8")
        if number == 2:
            sorted(corpus.glob("0*.txt"))[0].unlink()  # and a removal among them
        retriever = opened(corpus, data)
        assert len(manifest_of(corpus, data)["segments"]) <= 3
        assert answers(retriever) == answers(rebuilt(corpus))
    location = locate(corpus, data, CONFIG)
    assert optimize_index(location, lambda message: None) is not None
    manifest = manifest_of(corpus, data)
    assert len(manifest["segments"]) == 1 and manifest["segments"][0]["removed"] == 0
    retriever = opened(corpus, data)
    assert len(retriever.passages) == retriever.corpus.passage_count  # nothing removed left
    assert answers(retriever) == answers(rebuilt(corpus))


def test_the_numpy_scoring_gives_the_compiled_core_scores(corpus, tmp_path):
    retriever = opened(corpus, tmp_path / "data")
    engine = retriever.engine
    assert engine._lib is not None, "the compiled core should build here (gcc)"
    plans = [retriever.plan(q).terms for q in QUESTIONS]
    compiled = [engine.top(terms, 10) for terms in plans]
    candidates = [np.array([i for i, _ in found][::-1], dtype=np.int64) for found in compiled]
    weights = [engine.term_scores(t, c) for t, c in zip(plans, candidates, strict=True)]
    engine._lib = None
    with_numpy = [engine.top(terms, 10) for terms in plans]
    for a, b in zip(compiled, with_numpy, strict=True):
        assert [i for i, _ in a] == [i for i, _ in b]
        assert np.allclose([s for _, s in a], [s for _, s in b])
    for terms, found, expected in zip(plans, candidates, weights, strict=True):
        assert np.allclose(engine.term_scores(terms, found), expected)
    assert any(w.any() for w in weights)


def test_two_threads_find_the_best_k_of_one(corpus, tmp_path, monkeypatch):
    """Blocks split between two threads (a question with many postings) give exactly the
    best k one thread gives: forced here with small blocks and no minimum."""
    from retrieval.engines import blocks
    from retrieval.index import postings

    for module in (blocks, postings):
        monkeypatch.setattr(module, "BLOCK_PASSAGES", 5)
    engine = opened(corpus, tmp_path / "data").engine
    retriever = opened(corpus, tmp_path / "data")
    plans = [retriever.plan(q).terms for q in QUESTIONS]
    one = [engine.top(terms, k) for terms in plans for k in (1, 3, 30)]
    engine.two_threads_from = 0
    two = [engine.top(terms, k) for terms in plans for k in (1, 3, 30)]
    assert one == two
    assert len(engine.blocks) > 2 and any(len(found) == 30 for found in two)


def _update_process(corpus: Path, data: Path) -> subprocess.Popen:
    env = {**os.environ, "MARJAA_DATA_DIR": str(data), "MARJAA_ENGINE": "native"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "index", "--corpus", str(corpus)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_kill_during_an_update_leaves_the_previous_index_whole(corpus, tmp_path):
    data = tmp_path / "data"
    opened(corpus, data)
    base = locate(corpus, data, CONFIG).folder
    base_manifest = json.loads((base / MANIFEST).read_text("utf-8"))
    words = " ".join(p.read_text("utf-8") for p in sorted(corpus.glob("*.txt"))).split()
    with (corpus / "zz-big.jsonl").open("w", encoding="utf-8") as out:
        for number in range(6000):  # a few seconds of updating
            text = " ".join(words[(number * 31 + k) % len(words)] for k in range(60))
            out.write(json.dumps({"title": f"تقرير {number}", "text": f"{text} {number}"}) + "\n")
    rng = random.Random(7)
    slot = base.parent
    interrupted = 0
    finished = False
    for _ in range(3):
        process = _update_process(corpus, data)
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if any(p.name.startswith(".building-") for p in slot.iterdir()):
                break  # the update has started writing
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.6))
        if process.poll() is not None:
            finished = True
            break  # it finished first: nothing to interrupt
        process.send_signal(signal.SIGKILL)
        process.wait()
        interrupted += 1
        _check_files(base, base_manifest, verify=True)  # every file of it, as it was
        assert (base / MANIFEST).is_file()
    assert interrupted, "the update ended before any kill"
    done = _update_process(corpus, data)
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    assert "updated" in out or finished
    assert not [p for p in slot.iterdir() if p.name.startswith(".")]  # nothing left behind
    assert answers(opened(corpus, data)) == answers(rebuilt(corpus))


def test_small_blocks_split_and_merge_to_the_same_answers(corpus, tmp_path, monkeypatch):
    """Blocks hold at most BLOCK_PASSAGES passages (their numbers fit 16 bits): with 7, the
    seeds' 54 passages make 8 blocks at build, and merges regroup them within the limit."""
    expected = answers(rebuilt(corpus))
    from retrieval.engines import blocks
    from retrieval.index import postings

    for module in (blocks, postings, merge):
        monkeypatch.setattr(module, "BLOCK_PASSAGES", 7)
    data = tmp_path / "data"
    retriever = opened(corpus, data)
    assert len(retriever.engine.blocks) == 8
    assert all(block.size <= 7 for block in retriever.engine.blocks)
    assert answers(retriever) == expected
    sorted(corpus.glob("0*.txt"))[1].unlink()
    retriever = opened(corpus, data)
    assert answers(retriever) == answers(rebuilt(corpus))
    optimize_index(locate(corpus, data, CONFIG), lambda message: None)
    retriever = opened(corpus, data)
    assert all(block.size <= 7 for block in retriever.engine.blocks)
    assert answers(retriever) == answers(rebuilt(corpus))
