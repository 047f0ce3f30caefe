"""The console's /more and /open, through the real `marjaa console` process over a pipe."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot import messages
from bot.answering import PAGES
from bot.bidi import FSI, PDI
from tests.support.command import run
from tests.support.paths import SEEDS

QUESTION = "أين عقد حوار المنامة؟"
UNANSWERED = "ما هي عاصمة اليابان؟"


def console(*lines: str, log: bool = False) -> str:
    done = run(
        "console",
        "--corpus",
        str(SEEDS),
        *([] if log else ["--no-log"]),
        stdin="".join(f"{line}\n" for line in lines),
        env={"COLUMNS": "4000"},  # one line per passage: the texts can be found whole
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    # Latin runs (file names) are bidi-isolated; the texts are compared without the isolates
    assert f"{FSI}000_9851199e9df58dca.txt{PDI}" in done.stdout
    return done.stdout.replace(FSI, "").replace(PDI, "")


@pytest.fixture(scope="module")
def pages(seeds_retriever):
    """What Telegram shows for the question: every page searched at once, three a page."""
    answer = seeds_retriever.search(QUESTION, k=3 * PAGES)
    assert len(answer.results) == 3 * PAGES
    return [answer.results[n : n + 3] for n in range(0, 3 * PAGES, 3)]


def part(out: str, after: str, before: str | None = None) -> str:
    start = out.index(after) + len(after)
    return out[start : out.index(before, start) if before else None]


def test_more_pages_through_the_answer_like_the_telegram_button(pages):
    out = console(QUESTION, "/more", "/more", "/more")
    first = part(out, f"؟ {QUESTION}", "› /more")
    second, third = part(out, "› /more", "› /more").strip(), out.split("› /more")[2]
    last = out.split("› /more")[3]
    for shown, results in ((first, pages[0]), (second, pages[1]), (third, pages[2])):
        for result in results:
            assert f"{result.rank}. {result.passage.text}" in shown  # the same passages
        others = {r.passage.text for page in pages if page is not results for r in page}
        assert not any(text in shown for text in others - {r.passage.text for r in results})
    assert second.startswith(messages.MORE_HEADER) and messages.MORE_HEADER not in first
    assert messages.CONSOLE_NO_MORE in last and "1." not in last


def test_open_shows_the_whole_passage_between_its_neighbours(seeds_retriever, pages):
    result = pages[1][0]  # on the second page: /open reaches what /more showed
    out = console(QUESTION, f"/open {result.rank}", "/more", f"/open {result.rank}")
    refused, opened = part(out, f"› /open {result.rank}", "› /more"), out.split("› /open")[2]
    assert messages.CONSOLE_NO_RESULT.format(value=result.rank, count=3) in refused
    nearby = seeds_retriever.context(result)
    assert len(nearby) >= 2 and result.passage in nearby
    for passage in nearby:
        assert f"{messages.PARAGRAPH} {passage.paragraph}" in opened
        assert passage.text in opened  # whole, never shortened
    focused = f"{messages.PARAGRAPH} {result.passage.paragraph} ({messages.RESULT_LABEL} "
    assert focused + f"{result.rank})" in opened
    assert result.passage.title in opened and result.passage.source in opened
    positions = [opened.index(p.text) for p in nearby]
    assert positions == sorted(positions)  # in the document's order
    paragraphs = [p.paragraph for p in nearby]
    assert paragraphs == list(range(paragraphs[0], paragraphs[0] + len(nearby)))


def test_open_and_more_explain_what_they_need():
    out = console("/more", "/open 1", UNANSWERED, "/open", "/open x", "/open 2")
    assert out.count(messages.CONSOLE_NO_QUESTION) == 2  # nothing asked yet
    assert out.count(messages.CONSOLE_OPEN_USAGE) == 2
    # an unanswered question shows its closest passage; /open reaches only what was shown
    assert messages.CONSOLE_NO_RESULT.format(value=2, count=1) in out


def test_without_an_answer_more_shows_the_closest_passages_marked_weak(seeds_retriever):
    answer = seeds_retriever.search(UNANSWERED, k=3 * PAGES)
    assert not answer.answered and len(answer.results) > 4
    out = console(UNANSWERED, "/more", "/open 2", *["/more"] * PAGES)
    first, more = part(out, f"؟ {UNANSWERED}", "› /more"), part(out, "› /more", "› /open 2")
    assert messages.NO_ANSWER in first and f"1. {answer.results[0].passage.text}" in first
    assert more.strip().startswith(messages.WEAK_RESULTS_HEADER)
    for result in answer.results[1:4]:  # as «المزيد» shows them: the next closest, weak
        assert f"{result.rank}. {result.passage.text}" in more
    assert more.count(messages.WEAK_LABEL) == 3
    opened = part(out, "› /open 2", "› /more")
    assert answer.results[1].passage.text in opened and messages.WEAK_LABEL in opened
    assert messages.CONSOLE_NO_MORE in out.split("› /more")[-1]  # the pages run out


def test_the_log_records_the_first_page_as_shown(tmp_path):
    console(QUESTION, "/more", log=True)
    with closing(sqlite3.connect(Path(os.environ["MARJAA_DATA_DIR"]) / "queries.sqlite3")) as db:
        rows = db.execute("SELECT query, channel, result_count FROM queries").fetchall()
    assert rows == [(QUESTION, "console", 3)]  # one question, the three passages first shown
