"""The fast summary returns exactly what the plain queries return, on a generated log.

The log is the benchmark's (tools/synthetic_querylog.py) at a small scale: a realistic mix of
repeated and one-off questions, channels, users and ratings. Every figure of the summary is
compared with the plain SQL (tests/support/querylog_reference.py) over periods that start and end at
midnight, inside a day, across many days, before and after the log, and again after the log
was changed by hand the way the sqlite3 shell could (updates, deletes, ratings without their
question), so the counts kept by triggers are checked too.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.querylog import summary as fast
from bot.querylog.periods import Period
from bot.querylog.review import LogReader
from tests.support.querylog_reference import reference_summary
from tools.synthetic_querylog import build

END = datetime(2026, 6, 1, tzinfo=UTC)


def generate(folder: Path, upgraded: bool = False) -> Path:
    path = folder / "queries.sqlite3"
    build(path, rows=6000, ratings=800, days=40, end=END, seed=5, upgraded=upgraded)
    return path


@pytest.fixture(scope="module", params=["counted-row-by-row", "upgraded-from-schema-3"])
def generated(tmp_path_factory, request) -> Path:
    """The log as the bot writes it (triggers keep the counts), and as an older log is
    upgraded (the migration counts what is there)."""
    return generate(tmp_path_factory.mktemp("fast"), request.param == "upgraded-from-schema-3")


def periods(seed: int = 1) -> list[Period]:
    rng = random.Random(seed)
    start = END - timedelta(days=40)

    def moment() -> datetime:
        return start + timedelta(seconds=rng.randrange(-2 * 86400, 42 * 86400))

    midnight = start + timedelta(days=10)
    chosen = [
        Period(),
        Period(since=midnight),
        Period(until=midnight),
        Period(since=midnight, until=midnight + timedelta(days=7)),  # whole days only
        Period(since=midnight + timedelta(hours=5), until=midnight + timedelta(hours=9)),
        Period(since=midnight + timedelta(hours=5), until=midnight + timedelta(days=1, hours=2)),
        Period(since=midnight + timedelta(days=3), until=midnight),  # ends before it starts
        Period(since=END + timedelta(days=5)),  # after the log
        Period(until=start - timedelta(days=5)),  # before it
        Period(since=datetime(9999, 12, 31, 12, tzinfo=UTC)),
    ]
    for _ in range(8):
        a, b = sorted((moment(), moment()))
        chosen.append(Period(since=a, until=b))
        chosen.append(Period(since=a) if rng.random() < 0.5 else Period(until=b))
    return chosen


async def compare(path: Path, monkeypatch, tops: tuple[int, ...] = (10, 1, 3)) -> int:
    """Compare every period's summaries; the number of periods that held questions.

    The top questions of each period are found both ways the fast summary knows: counted
    directly (what a small log or a short period gets) and through the candidates (what a
    big log gets).
    """
    checked = 0
    ways = (fast.DIRECT_ROWS, 0)
    async with LogReader.open(path) as reader:
        for number, period in enumerate(periods()):
            top = tops[number % len(tops)]
            plain = await reference_summary(reader.db, period, top)
            for direct_rows in ways:
                monkeypatch.setattr(fast, "DIRECT_ROWS", direct_rows)
                assert await reader.summary(period, top) == plain, (period, direct_rows)
            checked += plain.total > 0
    return checked


def test_fast_summary_equals_the_plain_queries(generated, monkeypatch):
    settled: list[bool] = []
    candidates = fast._top_by_candidates

    async def recorded(*args):
        found = await candidates(*args)
        settled.append(found is not None)
        return found

    monkeypatch.setattr(fast, "_top_by_candidates", recorded)
    assert asyncio.run(compare(generated, monkeypatch)) >= 14  # most periods hold questions
    # the candidates settled some lists alone, and handed others over to direct counting
    assert any(settled) and not all(settled)


def test_counts_follow_every_change_to_the_tables(tmp_path, monkeypatch):
    path = generate(tmp_path)
    rng = random.Random(7)
    with closing(sqlite3.connect(path)) as db, db:  # one transaction for all the changes
        ids = [row[0] for row in db.execute("SELECT id FROM queries")]
        rated = [row[0] for row in db.execute("SELECT DISTINCT query_id FROM feedback")]
        for query_id in rng.sample(rated, 300):  # ratings given days after the question
            db.execute(
                "UPDATE feedback SET timestamp = strftime('%Y-%m-%dT%H:%M:%fZ', timestamp, ?) "
                "WHERE query_id = ?",
                (f"{rng.randint(1, 4)} days", query_id),
            )
        for row_id in rng.sample(ids, 1500):
            db.execute("DELETE FROM queries WHERE id = ?", (row_id,))  # orphans some ratings
        survivors = [row[0] for row in db.execute("SELECT id FROM queries")]
        for row_id in rng.sample(survivors, 200):
            db.execute(
                "UPDATE queries SET channel = ?, answered = 1 - answered, latency_ms = ?, "
                "timestamp = strftime('%Y-%m-%dT%H:%M:%fZ', timestamp, ?) WHERE id = ?",
                (
                    rng.choice(["console", "cli", "telegram"]),
                    rng.uniform(0, 4000),
                    f"{rng.randint(-3, 3)} days",
                    row_id,
                ),
            )
        for row_id in rng.sample(survivors, 50):
            db.execute(
                "UPDATE queries SET normalized_query = 'سؤال معدل', query = 'سؤال مُعدَّل' "
                "WHERE id = ?",
                (row_id,),
            )
        for query_id in rng.sample(rated, 100):
            db.execute("UPDATE feedback SET rating = -rating WHERE query_id = ?", (query_id,))
        for query_id in rng.sample(rated, 50):
            db.execute("DELETE FROM feedback WHERE query_id = ?", (query_id,))
        # a rating given before its question is logged, then the question
        db.execute(
            "INSERT INTO feedback (query_id, rating, user_key, timestamp) "
            "VALUES ('late-question', 1, 'u1', '2026-05-20T10:00:00.000Z')"
        )
        db.execute(
            "INSERT INTO queries (query_id, timestamp, channel, query, normalized_query, "
            "answered, result_count, latency_ms) VALUES ('late-question', "
            "'2026-05-02T10:00:00.000Z', 'cli', 'سؤال', 'سوال', 1, 1, 5.0)"
        )
        # a question whose id changes: its ratings follow it out
        db.execute("UPDATE queries SET query_id = 'renamed' WHERE query_id = ?", (rated[-1],))
    assert asyncio.run(compare(path, monkeypatch)) >= 14
