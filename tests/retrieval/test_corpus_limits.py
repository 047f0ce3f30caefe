"""Corpora that try to break loading: huge lines, deep and looping folders, folders that
cannot be opened, bad lines in JSON lines, metadata that is not text."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from retrieval import load_corpus
from retrieval.corpus.segment import PASSAGE_MAX_CHARS
from retrieval.corpus.walk import walk

WORDS = "وقال المتحدث باسم الوزارة إن المشروع سيستمر حتى نهاية العام المقبل".split()


def collect(path: Path):
    warnings: list[str] = []
    return load_corpus(path, warn=warnings.append), warnings


def test_text_without_sentence_ends_never_makes_a_passage_longer_than_the_maximum(
    tmp_path: Path,
) -> None:
    # ~1.9 MB on one line; the numbers keep the pieces different (repeats would be dropped)
    line = " ".join(
        f"{WORDS[i % len(WORDS)]} {i}" if i % 7 == 0 else WORDS[i % len(WORDS)]
        for i in range(300_000)
    )
    (tmp_path / "one_line.txt").write_text(line, encoding="utf-8")
    word = "".join(f"ب{n}" for n in range(20_000))  # ~110 kB without a space
    (tmp_path / "one_word.txt").write_text(word, encoding="utf-8")
    heading = " ".join(reversed(line[:50_000].split()))
    (tmp_path / "heading.md").write_text(f"# {heading}\n\nنص.", encoding="utf-8")
    started = time.perf_counter()
    corpus, _ = collect(tmp_path)
    assert time.perf_counter() - started < 60  # linear, not one 1.6 MB passage (was minutes)
    assert max(len(p.text) for p in corpus.passages) <= PASSAGE_MAX_CHARS
    assert all(p.heading is None or len(p.heading) <= PASSAGE_MAX_CHARS for p in corpus.passages)
    one_line = [p.text for p in corpus.passages if p.source == "one_line.txt"]
    assert " ".join(one_line) == line  # cut at spaces only: nothing lost, no word split
    one_word = [p.text for p in corpus.passages if p.source == "one_word.txt"]
    assert "".join(one_word) == word


def test_a_folder_nested_a_thousand_deep_loads(tmp_path: Path) -> None:
    deep = tmp_path
    for _ in range(1_000):  # one level at a time: pathlib's mkdir(parents=True) recurses
        deep = deep / "d"
        deep.mkdir()
    (deep / "bottom.txt").write_text("وصلنا إلى آخر مجلد في الشجرة العميقة.", encoding="utf-8")
    limit = sys.getrecursionlimit()
    try:
        corpus, _ = collect(tmp_path)
    finally:  # bottom up, one level at a time: shutil.rmtree (pytest's cleanup) recurses too
        (deep / "bottom.txt").unlink()
        while deep != tmp_path:
            deep.rmdir()
            deep = deep.parent
    assert [d.source for d in corpus.documents] == ["d/" * 1_000 + "bottom.txt"]
    assert sys.getrecursionlimit() == limit


def test_symbolic_link_loops_are_walked_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "doc.txt").write_text("وثيقة واحدة في مجلد واحد.", encoding="utf-8")
    (tmp_path / "a" / "back").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "loop").symlink_to(tmp_path / "loop")  # a link to itself: not a file
    corpus, warnings = collect(tmp_path)
    assert [d.source for d in corpus.documents] == ["a/doc.txt"]
    assert any("loop" in w and "not a regular file" in w for w in warnings)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a folder whatever its mode is")
def test_a_folder_that_cannot_be_opened_is_named(tmp_path: Path) -> None:
    (tmp_path / "open.txt").write_text("نص يمكن قراءته من المجلد المفتوح.", encoding="utf-8")
    closed = tmp_path / "closed"
    closed.mkdir()
    (closed / "secret.txt").write_text("نص لا يقرأ.", encoding="utf-8")
    closed.chmod(0)
    try:
        corpus, warnings = collect(tmp_path)
    finally:
        closed.chmod(0o755)
    assert [d.source for d in corpus.documents] == ["open.txt"]
    assert "cannot open 1 folder, not read: closed/ (Permission denied)" in warnings


def test_walk_names_a_folder_whose_listing_fails(tmp_path: Path, monkeypatch) -> None:
    """The same as above for any user, root included: listing the folder is made to fail
    (the error a permission gives), since root can open every folder."""
    (tmp_path / "open").mkdir()
    (tmp_path / "closed").mkdir()
    real = os.scandir

    def scandir(path):
        if Path(path).name == "closed":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = walk(tmp_path, (".txt",), ".meta.json")
    assert found.unreadable == ["closed/ (Permission denied)"]


def test_one_bad_line_of_a_big_jsonl_costs_that_line_only(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": f"الخبر رقم {n} عن {WORDS[n % len(WORDS)]}."}, ensure_ascii=False)
        for n in range(20_000)
    ]
    data = [line.encode("utf-8") for line in lines]
    data[12_344] = data[12_344].replace("الخبر".encode(), b"\xff\xfe", 1)  # line 12,345
    data[99] = b'{"text": "unterminated'  # line 100
    (tmp_path / "news.jsonl").write_bytes(b"\n".join(data))
    corpus, warnings = collect(tmp_path)
    assert len(corpus.documents) == 19_998
    assert "news.jsonl:12345: skipped line, not UTF-8 (bad byte at column 11)" in warnings
    assert any(w.startswith("news.jsonl:100: skipped line, invalid JSON") for w in warnings)


def test_metadata_that_is_not_text_is_ignored_with_a_warning(tmp_path: Path) -> None:
    records = [
        {"text": "نص الخبر الأول عن الأمطار.", "title": {"x": 1}, "url": 5},
        {"text": "نص الخبر الثاني عن الحصاد.", "title": ["قائمة"], "date": 2024},
        {"text": "نص الخبر الثالث عن السفر.", "title": "عنوان صحيح", "date": None},
    ]
    (tmp_path / "news.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8"
    )
    (tmp_path / "article.txt").write_text("خبر في ملف نصي له بيانات.", encoding="utf-8")
    (tmp_path / "article.meta.json").write_text(json.dumps({"title": 3.5, "date": [1]}))
    squad = {"data": [{"title": {"a": 1}, "paragraphs": [{"context": "فقرة من مقال."}]}]}
    (tmp_path / "squad.json").write_text(json.dumps(squad, ensure_ascii=False), "utf-8")
    corpus, warnings = collect(tmp_path)
    titles = {d.source: d.title for d in corpus.documents}
    assert "{" not in "".join(titles.values()) and "[" not in "".join(titles.values())
    assert titles["news.jsonl:3"] == "عنوان صحيح"
    assert all(d.url is None for d in corpus.documents)
    assert "news.jsonl:1: 'title' ignored, expected a string, not an object" in warnings
    assert "news.jsonl:1: 'url' ignored, expected a string, not a number" in warnings
    assert "news.jsonl:2: 'title' ignored, expected a string, not a list" in warnings
    assert "article.txt: 'date' ignored, expected a string, not a list" in warnings
    assert "squad.json: article 1: 'title' ignored, expected a string, not an object" in warnings
