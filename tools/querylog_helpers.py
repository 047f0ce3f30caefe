"""Query logs for tests and benchmarks: one that retries at once, and a database held locked."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from bot.querylog import QueryLog, UserKeys

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
