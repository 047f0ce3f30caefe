"""`logs prune` and `logs export` on a generated log, as an operator runs them: dry runs, the
confirmation in a terminal, pruning while a writer logs, exports in blocks and into a closed
pipe."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.querylog import export as exporting
from bot.querylog import prune as pruning
from bot.querylog.periods import Period
from bot.querylog.review import LogReader
from bot.querylog.writer import iso_utc
from tests.support.command import run
from tests.support.paths import ROOT
from tests.support.querylog_reference import reference_summary
from tools.querylog_helpers import PacedWriter
from tools.synthetic_querylog import build

ROWS, RATINGS, DAYS = 4000, 600, 40


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """40 days of questions up to today (so that ages such as 20d cut it in two)."""
    path = tmp_path_factory.mktemp("maintenance") / "source.sqlite3"
    build(path, rows=ROWS, ratings=RATINGS, days=DAYS, seed=3)
    with closing(sqlite3.connect(path)) as db:
        # questions sharing one time, across the export's block boundaries
        stamp = db.execute("SELECT timestamp FROM queries ORDER BY id LIMIT 1 OFFSET 1500")
        (moment,) = stamp.fetchone()
        db.executemany(
            "INSERT INTO queries (query_id, timestamp, channel, query, normalized_query, answered,"
            " result_count, latency_ms) VALUES (?, ?, 'cli', 'سؤال, \"مقتبس\"', 'سوال', 0, 0, 1.5)",
            [(f"same{n}", moment) for n in range(60)],
        )
        db.commit()
    return path


@pytest.fixture
def log(source, tmp_path) -> Path:
    """A copy of the generated log to change."""
    path = tmp_path / "queries.sqlite3"
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(path)) as copy:
        original.backup(copy)
    return path


def count(path: Path, sql: str, params: tuple = ()) -> int:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql, params).fetchone()[0]


def old(path: Path, days: int) -> tuple[int, int]:
    """Questions older than ``days`` days, and the ratings prune deletes with them."""
    cutoff = iso_utc(datetime.now(UTC) - timedelta(days=days))
    questions = count(path, "SELECT COUNT(*) FROM queries WHERE timestamp < ?", (cutoff,))
    ratings = count(
        path,
        "SELECT COUNT(*) FROM feedback WHERE timestamp < ? OR query_id IN "
        "(SELECT query_id FROM queries WHERE timestamp < ?)",
        (cutoff, cutoff),
    )
    return questions, ratings


def test_dry_run_deletes_nothing_and_cron_needs_no_answer(log):
    questions, ratings = old(log, 20)
    assert 0 < questions < ROWS and ratings > 0
    prune = ("logs", "prune", "--db", str(log), "--older-than", "20d")
    dry = run(*prune, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would delete {questions} questions and {ratings} ratings" in dry.stdout
    assert old(log, 20) == (questions, ratings)
    # no terminal (cron, a script): nobody to ask
    done = run(*prune, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and "[y/N]" not in done.stdout
    assert f"deleted {questions} questions and {ratings} ratings" in done.stdout
    assert old(log, 20) == (0, 0)


def in_terminal(*args: str, answer: str) -> subprocess.CompletedProcess:
    """The command with a terminal as its input (a pseudo-terminal), answering ``answer``."""
    leader, follower = os.openpty()
    try:
        os.write(leader, answer.encode())
        return run(*args, stdin=follower)
    finally:
        os.close(leader)
        os.close(follower)


def test_prune_asks_in_a_terminal_and_yes_skips_the_question(log):
    questions, ratings = old(log, 20)
    prune = ("logs", "prune", "--db", str(log), "--older-than", "20d")
    declined = in_terminal(*prune, answer="n\n")
    assert declined.returncode == 1
    assert f"Delete {questions} questions and {ratings} ratings" in declined.stdout
    assert "[y/N]" in declined.stdout and "nothing deleted" in declined.stdout
    assert old(log, 20) == (questions, ratings)

    accepted = in_terminal(*prune, answer="y\n")
    assert accepted.returncode == 0, accepted.stderr
    assert f"deleted {questions} questions and {ratings} ratings" in accepted.stdout
    assert old(log, 20) == (0, 0)

    questions, ratings = old(log, 10)
    assert questions
    forced = in_terminal(
        "logs", "prune", "--db", str(log), "--older-than", "10d", "--yes", answer=""
    )
    assert forced.returncode == 0 and "[y/N]" not in forced.stdout
    assert old(log, 10) == (0, 0)


def test_prune_in_short_batches_lets_a_writer_in_and_keeps_the_counts_right(log, monkeypatch):
    # small batches, so this small log takes many transactions, as a big one does
    monkeypatch.setattr(pruning, "FIRST_BATCH", 40)
    monkeypatch.setattr(pruning, "BATCH_ROWS", (40, 40))
    questions, ratings = old(log, 20)
    cutoff = iso_utc(datetime.now(UTC) - timedelta(days=20))
    writer = PacedWriter(log, interval=0.005)
    writer.start()

    async def prune_and_compare():
        async with LogReader.open(log) as reader:
            started = time.perf_counter()
            done = await pruning.prune(reader.db, cutoff, pause=0.01)
            ended = time.perf_counter()
            writer.stop.set()
            await asyncio.to_thread(writer.join)
            summaries = [
                (await reader.summary(p, 5), await reference_summary(reader.db, p, 5))
                for p in (Period(), Period(since=datetime.now(UTC) - timedelta(days=15)))
            ]
        return done, started, ended, summaries

    done, started, ended, summaries = asyncio.run(prune_and_compare())
    assert (done.questions, done.ratings) == (questions, ratings)
    assert done.transactions >= questions // 40
    assert not writer.failures
    during = [took for when, took in writer.writes if started <= when <= ended]
    assert len(during) >= 10  # the writer went on writing while pruning went on
    assert writer.waits[-1] < 1.0  # generous: batches take milliseconds
    assert old(log, 20) == (0, 0)
    for quick, plain in summaries:
        assert quick == plain  # the counts kept by triggers followed every batch


def test_vacuum_gives_an_old_logs_space_back_and_later_prunes_do_it_alone(log):
    with closing(sqlite3.connect(log, isolation_level=None)) as db:
        db.execute("PRAGMA auto_vacuum = NONE")
        db.execute("VACUUM")  # as logs made before marjaa set incremental auto_vacuum are
    size = log.stat().st_size
    kept = run("logs", "prune", "--db", str(log), "--older-than", "30d", "--yes")
    assert kept.returncode == 0, kept.stderr
    assert "free space that new questions reuse (--vacuum gives it back" in kept.stdout
    assert log.stat().st_size >= size
    shrunk = run("logs", "prune", "--db", str(log), "--older-than", "30d", "--vacuum")
    assert shrunk.returncode == 0, shrunk.stderr
    assert log.stat().st_size < size * 0.9
    assert count(log, "PRAGMA auto_vacuum") == 2  # incremental from now on
    size = log.stat().st_size
    again = run("logs", "prune", "--db", str(log), "--older-than", "10d", "--yes")
    assert again.returncode == 0, again.stderr
    assert log.stat().st_size < size * 0.9


def plain_export(path: Path, table: str, fmt: str, since: str | None = None) -> bytes:
    """What the export must write: every column, oldest first, by the csv and json modules."""
    with closing(sqlite3.connect(path)) as db:
        where = "WHERE timestamp >= ?" if since else ""
        cursor = db.execute(
            f"SELECT * FROM {table} {where} ORDER BY timestamp, id", (since,) if since else ()
        )
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    if fmt == "jsonl":
        return b"".join(
            json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False).encode() + b"\n"
            for row in rows
        )
    out = io.StringIO()
    csv.writer(out).writerows([names, *rows])
    return out.getvalue().encode()


@pytest.mark.parametrize("workers", [False, True], ids=["in-process", "worker-processes"])
def test_export_writes_every_row_once_in_order(source, tmp_path, monkeypatch, capsys, workers):
    # small blocks: the boundaries fall inside the run of questions sharing one time too
    monkeypatch.setattr(exporting, "BLOCK_ROWS", 450)
    if workers:
        monkeypatch.setattr(exporting, "PARALLEL_ROWS", 0)
    since = (datetime.now(UTC) - timedelta(days=25)).date().isoformat()
    for table, fmt, period in (
        ("queries", "csv", ()),
        ("queries", "jsonl", ("--since", since)),
        ("feedback", "csv", ("--since", since)),
    ):
        out = tmp_path / f"{table}.{fmt}"
        status = main(
            [
                "logs",
                "export",
                "--db",
                str(source),
                "--table",
                table,
                "--format",
                fmt,
                "--out",
                str(out),
                *period,
            ]
        )
        assert status == 0
        written = out.read_bytes()
        expected = plain_export(source, table, fmt, f"{since}T00:00:00.000Z" if period else None)
        if fmt == "jsonl":  # the same objects, however compactly written
            assert [json.loads(x) for x in written.splitlines()] == [
                json.loads(x) for x in expected.splitlines()
            ]
        else:
            assert written == expected
        assert (out.stat().st_mode & 0o777) == 0o600  # questions are personal data


PATCHED = (
    "import sys; import bot.querylog.export as e; e.PARALLEL_ROWS = 0; e.BLOCK_ROWS = 300; "
    "from bot.cli import main; sys.exit(main())"
)


def test_export_into_a_pipe_closed_early_exits_quietly(source):
    """`marjaa logs export | head -1`, many times at once, both ways of formatting."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    export = ["logs", "export", "--db", str(source)]
    commands = [[sys.executable, "-m", "bot.cli", *export]] * 4
    commands += [[sys.executable, "-c", PATCHED, *export, "--format", "jsonl"]] * 2
    running = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for c in commands
    ]
    for process in running:
        first = process.stdout.readline()
        process.stdout.close()  # what head does after its line
        assert first
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0
        assert errors == b""  # no traceback, no "Exception ignored"


def test_backup_while_a_writer_logs_is_a_sound_private_copy(log, tmp_path):
    writer = PacedWriter(log, interval=0.005)
    writer.start()
    try:
        copy = tmp_path / "backup.sqlite3"
        done = run("logs", "backup", "--db", str(log), str(copy))
    finally:
        writer.stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    assert not writer.failures
    assert count(copy, "PRAGMA integrity_check") == "ok"
    assert (copy.stat().st_mode & 0o777) == 0o600
    copied = count(copy, "SELECT COUNT(*) FROM queries")
    assert ROWS + 60 <= copied <= count(log, "SELECT COUNT(*) FROM queries")
    assert f"{copied} questions and {RATINGS} ratings" in done.stdout

    async def summaries():  # the copy's counts match its rows: one snapshot of both
        async with LogReader.open(copy) as reader:
            return await reader.summary(Period(), 5), await reference_summary(
                reader.db, Period(), 5
            )

    quick, plain = asyncio.run(summaries())
    assert quick == plain
    again = run("logs", "backup", "--db", str(log), str(copy))
    assert again.returncode == 1
    assert again.stderr == f"marjaa: error: {copy} exists already; choose a new name\n"
    missing = run("logs", "backup", "--db", str(log), str(tmp_path / "no" / "such" / "b.db"))
    assert missing.returncode == 1 and missing.stderr.startswith("marjaa: error: cannot create")
