"""Helpers for the query-log tests: real answers from the seeds, records, rows as stored."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from bot.events import FeedbackRecord, QueryRecord, new_query_id
from retrieval import Answer, Retriever
from tests.support.paths import SEEDS

ANSWERED = "أين عقد حوار المنامة؟"
UNANSWERED = "ما هو الطقس على سطح المريخ؟"


@cache
def _seeds() -> Retriever:
    return Retriever.from_path(SEEDS)


@cache
def answer(question: str) -> Answer:
    """A real answer from the bundled seeds (each question searched once: tests stay fast)."""
    return _seeds().search(question)


def record(
    question: str = ANSWERED,
    *,
    channel: str = "telegram",
    user_id: int | None = 424242,
    latency_ms: float = 12.5,
    timestamp: datetime | None = None,
    chat_type: str | None = "private",
) -> QueryRecord:
    extra = {"timestamp": timestamp} if timestamp else {}
    return QueryRecord(
        new_query_id(), channel, chat_type, user_id, answer(question), latency_ms, **extra
    )


def rating(query: QueryRecord, value: int = 1, user_id: int | None = 424242) -> FeedbackRecord:
    return FeedbackRecord(query.query_id, user_id, value)


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def rows(path: Path, table: str = "queries") -> list[dict]:
    """The table's rows, read with the plain sqlite3 module (as the shell would)."""
    with closing(sqlite3.connect(path)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(f"SELECT * FROM {table} ORDER BY id")]


def set_read_only(path: Path, read_only: bool) -> None:
    """chmod for ordinary users; root writes such files anyway, so it gets the immutable flag."""
    if os.geteuid() != 0:
        path.chmod(0o444 if read_only else 0o644)
        return
    done = subprocess.run(["chattr", "+i" if read_only else "-i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"running as root and chattr is unavailable: {done.stderr.decode().strip()}")
