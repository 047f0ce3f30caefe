"""`marjaa logs`: summary, list, export, report and prune over a log with known contents."""

from __future__ import annotations

import asyncio
import csv
import json
import math
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from bot.bidi import FSI, PDI
from bot.cli import main
from bot.querylog.review import LogReader, Period, read_summary
from bot.querylog.stats import stats_text
from tests.support.querylog import ANSWERED, UNANSWERED, rating, record, rows
from tools.querylog_helpers import quick_log

TRICKY = 'قال "نعم", ثم <b>سأل</b> & مضى؟'  # quotes, comma, markup: CSV and HTML must cope


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def logged(tmp_path):
    """A log of 8 questions over 4 days (none on the 3rd) and 3 ratings; returns path, records."""
    records = [
        record(ANSWERED, user_id=1, latency_ms=10, timestamp=at(1, 8)),
        record(ANSWERED, user_id=2, latency_ms=20, timestamp=at(1, 9)),
        record(ANSWERED, user_id=3, latency_ms=30, timestamp=at(1, 10)),
        record(UNANSWERED, user_id=1, latency_ms=40, timestamp=at(2)),
        record(
            UNANSWERED,
            channel="console",
            user_id=None,
            chat_type=None,
            latency_ms=50,
            timestamp=at(2, 13),
        ),
        record(
            ANSWERED,
            channel="cli",
            user_id=None,
            chat_type=None,
            latency_ms=60,
            timestamp=at(2, 14),
        ),
        record(TRICKY, user_id=2, latency_ms=700, timestamp=at(4)),
        record(UNANSWERED, user_id=4, latency_ms=3000, timestamp=at(4, 18)),
    ]
    path = tmp_path / "q.sqlite3"
    with quick_log(path) as log:
        for question in records:
            log.log_query(question)
        log.log_feedback(rating(records[0], 1, user_id=1))
        log.log_feedback(rating(records[1], 1, user_id=2))
        log.log_feedback(rating(records[3], -1, user_id=1))
    return path, records


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_summary_json_has_the_figures_of_the_log(logged, capsys):
    path, records = logged
    status, out, _ = run(capsys, "logs", "summary", "--json", "--db", str(path))
    assert status == 0
    summary = json.loads(out)
    answered = sum(r.answer.answered for r in records)
    assert answered not in (0, len(records))  # the fixture has both kinds
    assert summary["total"] == len(records)
    assert summary["answered"] == answered
    assert summary["unanswered"] == len(records) - answered
    assert summary["by_channel"] == {
        channel: {
            "total": sum(r.channel == channel for r in records),
            "answered": sum(r.channel == channel and r.answer.answered for r in records),
        }
        for channel in ("telegram", "console", "cli")
    }
    latencies = [r.latency_ms for r in records]
    assert summary["latency_ms"]["p50"] == nearest_rank(latencies, 0.5)
    assert summary["latency_ms"]["p95"] == nearest_rank(latencies, 0.95)
    assert sum(b["count"] for b in summary["latency_ms"]["histogram"]) == len(records)
    assert [d["day"] for d in summary["by_day"]] == ["2026-03-01", "2026-03-02", "2026-03-04"]
    assert [d["total"] for d in summary["by_day"]] == [3, 3, 2]
    top = summary["top_queries"][0]
    assert (top["query"], top["count"]) == (ANSWERED, 4)
    unanswered_texts = {q["query"] for q in summary["top_unanswered"]}
    assert unanswered_texts == {r.answer.query for r in records if not r.answer.answered}
    assert summary["top_unanswered"][0] == {"query": UNANSWERED, "count": 3, "answered": 0}
    assert summary["feedback"] == {"up": 2, "down": 1}
    assert summary["users"] == 4


def test_summary_since_and_until_take_dates_times_and_ages(logged, capsys):
    path, _ = logged
    _, out, _ = run(capsys, "logs", "summary", "--json", "--db", str(path), "--since", "2026-03-02")
    assert json.loads(out)["total"] == 5
    _, out, _ = run(capsys, "logs", "summary", "--json", "--db", str(path), "--until", "2026-03-01")
    assert json.loads(out)["total"] == 3  # a date as --until means up to its end
    _, out, _ = run(capsys, "logs", "summary", "--json", "--db", str(path), "--since", "2d")
    assert json.loads(out)["total"] == 0  # the fixture is older than two days


def test_bad_arguments_and_missing_log_are_one_line_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["logs", "summary", "--since", "last week"])
    assert exited.value.code == 2
    assert "not a date or time" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["logs", "prune", "--older-than", "90"])
    assert exited.value.code == 2
    assert "not an age such as 90d" in capsys.readouterr().err
    status, _, err = run(capsys, "logs", "summary", "--db", str(tmp_path / "none.sqlite3"))
    assert status == 1
    assert err.startswith("marjaa: error: no query log at") and err.count("\n") == 1


def test_summary_text_shows_tables_with_arabic(logged, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    path, _ = logged
    status, out, _ = run(capsys, "logs", "summary", "--db", str(path))
    assert status == 0
    assert "top unanswered questions" in out and UNANSWERED in out
    assert "الطرفية" in out  # the console channel's Arabic name


def test_list_filters_unanswered_and_channel(logged, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    path, _ = logged
    _, out, _ = run(capsys, "logs", "list", "--db", str(path), "--unanswered")
    assert out.count(UNANSWERED) == 3 and ANSWERED not in out
    _, out, _ = run(capsys, "logs", "list", "--db", str(path), "--channel", "cli")
    assert out.count(ANSWERED) == 1 and UNANSWERED not in out
    _, out, _ = run(capsys, "logs", "list", "--db", str(path), "--limit", "1")
    assert UNANSWERED in out and "2026-03-04 18:00:00" in out  # newest first


def test_export_csv_with_bom_round_trips_every_field(logged, tmp_path, capsys):
    path, _ = logged
    out = tmp_path / "export.csv"
    status, _, _ = run(capsys, "logs", "export", "--db", str(path), "--out", str(out), "--bom")
    assert status == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.DictReader(handle))
    stored = rows(path)
    assert list(exported[0]) == list(stored[0])  # every column, in order
    as_text = [{k: "" if v is None else str(v) for k, v in row.items()} for row in stored]
    assert exported == as_text
    assert any(row["query"] == TRICKY for row in exported)


def test_export_jsonl_to_stdout_round_trips_both_tables(logged, capsys):
    path, _ = logged
    for table in ("queries", "feedback"):
        status, out, _ = run(
            capsys, "logs", "export", "--db", str(path), "--format", "jsonl", "--table", table
        )
        assert status == 0
        assert [json.loads(line) for line in out.splitlines()] == rows(path, table)


class Figures(HTMLParser):
    """What a reader of the report sees: figures, chart bars, text, and anything external."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.days: list[dict[str, str]] = []
        self.latency: list[int] = []
        self.tags: set[str] = set()
        self.urls: list[str] = []
        self.root: dict[str, str] = {}
        self.text: list[str] = []
        self._figure: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        if tag == "html":
            self.root = attributes
        for name in ("src", "href"):
            if name in attributes:
                self.urls.append(attributes[name])
        if "data-figure" in attributes:
            self._figure = attributes["data-figure"]
        if tag == "g" and attributes.get("class") == "day":
            self.days.append(attributes)
        if tag == "g" and attributes.get("class") == "latency":
            self.latency.append(int(attributes["data-count"]))

    def handle_data(self, data):
        self.text.append(data)
        if self._figure:
            self.figures[self._figure] = data.strip()
            self._figure = None


def test_report_is_one_self_contained_page_with_the_figures(logged, tmp_path, capsys):
    path, records = logged
    page = tmp_path / "report.html"
    status, out, _ = run(capsys, "logs", "report", "--db", str(path), "--out", str(page))
    assert status == 0 and str(page) in out
    html = page.read_text(encoding="utf-8")
    seen = Figures()
    seen.feed(html)
    answered = sum(r.answer.answered for r in records)
    assert seen.figures["total"] == str(len(records))
    assert seen.figures["answered"] == str(answered)
    assert seen.figures["unanswered"] == str(len(records) - answered)
    assert seen.figures["answered_rate"] == f"{round(100 * answered / len(records))}٪"
    assert seen.figures["feedback_up"] == "2" and seen.figures["feedback_down"] == "1"
    # questions per day: every day from the first to the last, the empty one included
    assert [d["data-day"] for d in seen.days] == [f"2026-03-0{n}" for n in (1, 2, 3, 4)]
    assert [int(d["data-total"]) for d in seen.days] == [3, 3, 0, 2]
    assert sum(seen.latency) == len(records)
    text = "".join(seen.text)
    assert ANSWERED in text and UNANSWERED in text and TRICKY in text  # escaped, shown as is
    assert "<b>سأل</b>" not in html
    # self-contained: no scripts, no stylesheets or images to fetch, nothing on the network
    assert not {"script", "link", "img", "iframe"} & seen.tags
    assert seen.urls == [] and "http" not in html and "@import" not in html
    assert seen.root == {"lang": "ar", "dir": "rtl"}


def test_report_isolates_latin_runs_in_arabic_questions(tmp_path, capsys):
    question = "ماذا يقول الملف 003_d8ebd055fb7f323d.txt عن COP28؟"
    path = tmp_path / "q.sqlite3"
    with quick_log(path) as log:
        log.log_query(record(question, timestamp=at(1)))
    page = tmp_path / "report.html"
    run(capsys, "logs", "report", "--db", str(path), "--out", str(page))
    html = page.read_text(encoding="utf-8")
    assert "<bdi>003_d8ebd055fb7f323d.txt</bdi>" in html and "<bdi>COP28</bdi>" in html
    # the latency axis: "<10" laid out left to right (else its "<" shows mirrored, as ">")
    assert 'direction="ltr">&lt;10</text>' in html


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (apt install)")
def test_report_renders_in_headless_chromium(logged, tmp_path, capsys):
    path, records = logged
    page = tmp_path / "report.html"
    run(capsys, "logs", "report", "--db", str(path), "--out", str(page))
    done = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = Figures()
    seen.feed(done.stdout)  # the page as the browser built it
    assert seen.figures["total"] == str(len(records))
    assert len(seen.days) == 4


def test_prune_deletes_old_questions_and_their_ratings(tmp_path, capsys):
    path = tmp_path / "q.sqlite3"
    now = datetime.now(UTC)
    old = record(timestamp=now - timedelta(days=120))
    recent = record(timestamp=now - timedelta(days=10))
    with quick_log(path) as log:
        for question in (old, recent):
            log.log_query(question)
        log.log_feedback(rating(old))
        log.log_feedback(rating(recent))
        for _ in range(200):
            log.log_query(record(timestamp=now - timedelta(days=100)))
    size_before = path.stat().st_size
    status, out, _ = run(capsys, "logs", "prune", "--db", str(path), "--older-than", "90d")
    assert status == 0
    assert "deleted 201 questions and 1 ratings" in out
    assert [r["query_id"] for r in rows(path)] == [recent.query_id]
    assert [r["query_id"] for r in rows(path, "feedback")] == [recent.query_id]
    assert path.stat().st_size < size_before  # VACUUM gave the space back


def test_stats_text_is_short_arabic_and_escapes_for_telegram(logged):
    path, records = logged
    summary = asyncio.run(read_summary(path, Period(since=at(1, 0), until=at(5, 0))))
    plain = stats_text(summary)
    html = stats_text(summary, html=True)
    answered = sum(r.answer.answered for r in records)
    assert f"الأسئلة: {len(records)}" in plain
    assert f"أُجيب عن {answered}" in plain
    assert "من 2026-03-01 حتى 2026-03-05" in plain
    assert "أكثر الأسئلة بلا إجابة:" in plain and f"1. {UNANSWERED} (3)" in plain
    assert "👍 2 · 👎 1" in plain
    assert TRICKY in plain  # plain text: as asked
    # Telegram: escaped, and the Latin "b" isolated inside the Arabic line
    assert f"&lt;{FSI}b{PDI}&gt;سأل&lt;/{FSI}b{PDI}&gt; &amp; مضى" in html
    assert "<b>سأل</b>" not in html
    assert html.startswith("<b>📊") and len(html) < 4096  # one Telegram message


def test_stats_text_for_an_empty_or_missing_log(tmp_path):
    summary = asyncio.run(read_summary(tmp_path / "missing.sqlite3"))
    assert summary.total == 0
    assert "لا توجد أسئلة مسجلة" in stats_text(summary, html=True)


def test_reader_questions_are_newest_first(logged):
    path, records = logged

    async def newest() -> list[str]:
        async with LogReader.open(path) as reader:
            return [row["query_id"] for row in await reader.questions(limit=3)]

    assert asyncio.run(newest()) == [r.query_id for r in records[::-1][:3]]
