"""Query logs for tests and benchmarks: one that retries at once, a database held locked, and
a writer logging at the bot's pace."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.querylog import QueryLog, UserKeys
from bot.querylog.writer import iso_utc

TEST_SALT = b"test-salt"


def quick_log(path: Path, reports: list[str] | None = None, **options) -> QueryLog:
    """A log that retries at once and waits little on locks: fault tests stay fast."""
    options.setdefault("retry_seconds", 0.05)
    options.setdefault("busy_timeout_ms", 20)
    return QueryLog(
        path,
        UserKeys(TEST_SALT),
        corpus_fingerprint="test-corpus",
        engine="rank-bm25",
        report=reports.append if reports is not None else None,
        **options,
    )


@contextmanager
def locked(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holds the write lock of the log for the block."""
    with closing(sqlite3.connect(path, isolation_level=None)) as blocker:
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            yield blocker
        finally:
            blocker.execute("ROLLBACK")


class PacedWriter(threading.Thread):
    """Logs a question every ``interval`` seconds the way the bot's writer does (BEGIN
    IMMEDIATE, INSERT, COMMIT, SQLite's 5 s busy timeout), timing each write: how long a bot's
    write waits while something else (a prune, a backup) works on the log."""

    def __init__(self, path: Path, interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.path, self.interval = path, interval
        self.writes: list[tuple[float, float]] = []  # (when it started, how long it took)
        # of which waiting for the write lock (the rest is writing: the disk's part)
        self.lock_waits: list[float] = []
        self.failures: list[str] = []  # writes that gave up (the busy timeout ran out)
        self.stop = threading.Event()

    def run(self) -> None:
        with closing(sqlite3.connect(self.path, timeout=5, isolation_level=None)) as db:
            n = 0
            while not self.stop.is_set():
                n += 1
                started = time.perf_counter()
                try:
                    db.execute("BEGIN IMMEDIATE")
                    self.lock_waits.append(time.perf_counter() - started)
                    db.execute(
                        "INSERT INTO queries (query_id, timestamp, channel, query, "
                        "normalized_query, answered, result_count, latency_ms) "
                        "VALUES (?, ?, 'telegram', 'سؤال', 'سوال', 1, 3, 12.0)",
                        (f"paced-{os.getpid()}-{n}", iso_utc(datetime.now(UTC))),
                    )
                    db.execute("COMMIT")
                except sqlite3.OperationalError as exc:
                    self.failures.append(str(exc))
                self.writes.append((started, time.perf_counter() - started))
                time.sleep(self.interval)

    @property
    def waits(self) -> list[float]:
        return sorted(took for _, took in self.writes)
