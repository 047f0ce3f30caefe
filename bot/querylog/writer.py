"""The query log's writer: an EventSink whose background thread batches records into SQLite.

Front ends only append to a bounded in-memory queue (never blocks, never raises). One thread,
with its own asyncio loop and one aiosqlite connection, writes what is queued in batches, one
transaction each, and removes entries from the queue only once their transaction committed:
nothing is lost while the database is unusable, and nothing is written twice. The same object
serves sync front ends (``with QueryLog(...)``) and asyncio ones (``async with``, ``aclose``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.events import FeedbackRecord, QueryRecord, UploadRecord
from bot.querylog.privacy import UserKeys
from bot.querylog.schema import INSERT_QUERY, INSERT_UPLOAD, UPSERT_FEEDBACK, connect
from bot.safe_text import bounded, printable

logger = logging.getLogger("marjaa.querylog")

# A database that keeps failing and recovering (say, a disk on the edge of full) is reported
# at most once in this many seconds; the shutdown message still counts every loss.
REPORT_INTERVAL = 300.0

# The question (and its normalized form) is stored up to this many characters: Telegram allows
# 4096, stdin lines have no limit, and no real question is this long; the rest is cut ("…").
MAX_QUERY_CHARS = 1000

# Damage SQLite cannot work around: the file is moved aside and a new log started.
_CORRUPTION_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def iso_utc(moment: datetime) -> str:
    """``2026-11-23T16:34:41.123Z``: one fixed format, so text order is time order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # records carry UTC; a naive time is taken as UTC
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class _Entry:
    statement: str  # INSERT_QUERY, UPSERT_FEEDBACK or INSERT_UPLOAD
    row: tuple


@dataclass(frozen=True)
class LogStatus:
    """What the writer has done so far (for tests, shutdown messages and health checks)."""

    written: int  # entries committed
    pending: int  # entries waiting in the queue
    dropped: int  # entries refused because the queue was full
    rejected: int  # records that could not be turned into rows (a front-end bug)
    commits: int  # transactions committed (batches)
    failing: str | None  # why the database is unusable right now; None when it works


class QueryLog:
    """Logs questions and ratings to SQLite without ever slowing or breaking answering."""

    def __init__(
        self,
        path: str | Path,
        user_keys: UserKeys,
        *,
        corpus_fingerprint: str = "",
        engine: str = "",
        report: Callable[[str], None] | None = None,
        max_pending: int = 10_000,
        batch_size: int = 500,
        retry_seconds: float = 5.0,
        busy_timeout_ms: int = 5000,
    ) -> None:
        self.path = Path(path)
        self.user_keys = user_keys
        self.corpus_fingerprint = corpus_fingerprint
        self.engine = engine
        self.max_pending = max_pending
        self.batch_size = batch_size
        self.retry_seconds = retry_seconds
        self.busy_timeout_ms = busy_timeout_ms
        self._report_to = report or logger.warning
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._pending: deque[_Entry] = deque()
        self._written = self._dropped = self._rejected = self._commits = 0
        self._failing: str | None = None
        self._reported_drops = self._reported_rejects = False
        self._drops_known = 0  # drops already told in a "writing again" message
        self._last_failure_report: float | None = None
        self._failure_told = False  # whether the current failure was reported
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._file_id: tuple[int, int] | None = None

    # --- the EventSink side: called by front ends, from any thread -----------------------

    def log_query(self, record: QueryRecord) -> None:
        """Queue the question for writing; returns at once and never raises."""
        self._take(INSERT_QUERY, self._query_row, record)

    def log_feedback(self, record: FeedbackRecord) -> None:
        """Queue the rating for writing; returns at once and never raises."""
        self._take(UPSERT_FEEDBACK, self._feedback_row, record)

    def log_upload(self, record: UploadRecord) -> None:
        """Queue a document added or removed for writing; returns at once and never raises."""
        self._take(INSERT_UPLOAD, self._upload_row, record)

    def _take(self, statement: str, row_of: Callable[[Any], tuple], record: object) -> None:
        try:
            entry = _Entry(statement, _storable(row_of(record)))
        except Exception:  # a malformed record is counted, never raised into the front end
            self._reject()
            return
        self._enqueue(entry)

    def _query_row(self, record: QueryRecord) -> tuple:
        answer = record.answer
        top = answer.results[0] if answer.results else None
        return (
            str(record.query_id),
            iso_utc(record.timestamp),
            str(record.channel),
            None if record.chat_type is None else str(record.chat_type),
            self.user_keys.key(record.user_id),
            bounded(str(answer.query), MAX_QUERY_CHARS),
            bounded(str(answer.normalized_query), MAX_QUERY_CHARS),
            int(bool(answer.answered)),
            len(answer.results),
            top.passage.doc_id if top else None,
            top.passage.paragraph if top else None,
            float(top.score) if top else None,
            round(float(record.latency_ms), 3),
            self.corpus_fingerprint or None,
            self.engine or None,
        )

    def _feedback_row(self, record: FeedbackRecord) -> tuple:
        rating = int(record.rating)
        if rating not in (-1, 1):
            raise ValueError(f"rating must be 1 or -1, not {record.rating!r}")
        return (
            str(record.query_id),
            rating,
            self.user_keys.key(record.user_id),
            iso_utc(record.timestamp),
        )

    def _upload_row(self, record: UploadRecord) -> tuple:
        if record.action not in ("add", "remove"):
            raise ValueError(f"action must be add or remove, not {record.action!r}")
        return (
            iso_utc(record.timestamp),
            record.action,
            self.user_keys.key(record.user_id),
            str(record.sha256),
            int(record.size),
            bounded(str(record.title), MAX_QUERY_CHARS),
            str(record.stored_as),
            int(record.passages),
        )

    def _enqueue(self, entry: _Entry) -> None:
        with self._lock:
            if self._stopping and not (self._thread and self._thread.is_alive()):
                self._dropped += 1  # logged after close(): nobody is left to write it
            elif len(self._pending) >= self.max_pending:
                self._dropped += 1  # keep what waits (older questions), refuse the newest
            else:
                self._pending.append(entry)
        self._notify()

    def _reject(self) -> None:
        with self._lock:
            self._rejected += 1
        self._notify()

    def _notify(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: the writer stopped
                loop.call_soon_threadsafe(wake.set)

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> QueryLog:
        """Start the writer thread (opens or creates the database and runs migrations)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=asyncio.run,
                    args=(self._run(),),
                    name="marjaa-querylog",
                    daemon=True,  # a stuck disk must never keep the program from exiting
                )
                self._thread.start()
        return self

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued is written; False if that did not happen in time."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._pending, timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued (one last attempt if the database is failing), then stop."""
        if self._thread is None and self._pending:
            self.start()
        self._stopping = True
        self._notify()
        if self._thread is not None:
            self._thread.join(timeout)

    async def aclose(self, timeout: float = 10.0) -> None:
        """``close`` for asyncio programs: waits in a worker thread, not on the event loop."""
        await asyncio.to_thread(self.close, timeout)

    def __enter__(self) -> QueryLog:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> QueryLog:
        return self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def status(self) -> LogStatus:
        with self._lock:
            return LogStatus(
                written=self._written,
                pending=len(self._pending),
                dropped=self._dropped,
                rejected=self._rejected,
                commits=self._commits,
                failing=self._failing,
            )

    # --- the writer thread -----------------------------------------------------------------

    async def _run(self) -> None:
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        db: aiosqlite.Connection | None = None
        opened_once = quarantined = False
        try:
            while True:
                self._wake.clear()
                self._report_losses()
                with self._lock:
                    batch = list(itertools.islice(self._pending, self.batch_size))
                if not batch and opened_once:
                    if self._stopping:
                        break
                    await self._wake.wait()
                    continue
                opened_once = True  # the first round opens the database even with nothing queued
                try:
                    db = await self._ensure_open(db)
                    if batch:
                        await _write(db, batch)
                except Exception as exc:
                    db = await _close_quietly(db)
                    # a fresh file at once; but a new file found damaged too is a disk problem:
                    # then wait and retry like any other failure, rather than spin
                    fresh = not quarantined and self._quarantine_if_corrupt(exc)
                    quarantined = fresh
                    if fresh:
                        continue
                    self._failed(exc)
                    if self._stopping:
                        break
                    await self._pause(self.retry_seconds)
                    continue
                quarantined = False
                self._succeeded(len(batch))
        finally:
            await _close_quietly(db)
            self._report_end()

    async def _pause(self, seconds: float) -> None:
        """Sleep before retrying, but not past a request to stop."""
        deadline = asyncio.get_running_loop().time() + seconds
        while not self._stopping:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                # new entries also wake us: go back to sleep unless it is time (or stopping)
                await asyncio.wait_for(self._wake.wait(), remaining)

    async def _ensure_open(self, db: aiosqlite.Connection | None) -> aiosqlite.Connection:
        if db is not None and _file_id(self.path) != self._file_id:
            # the file (or its folder) was deleted or replaced: an open connection would go on
            # writing to the unlinked file, and every entry would be lost
            self._report(f"query log: {self.path} was removed or replaced; opening it again")
            db = await _close_quietly(db)
        if db is None:
            db = await connect(self.path, self.busy_timeout_ms)
            self._file_id = _file_id(self.path)
        return db

    def _quarantine_if_corrupt(self, exc: Exception) -> bool:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if not isinstance(exc, sqlite3.DatabaseError) or code not in _CORRUPTION_CODES:
            return False
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            for suffix in ("-wal", "-shm", ""):  # the main file last: it decides success
                damaged = self.path.with_name(self.path.name + suffix)
                if damaged.exists():
                    damaged.rename(kept.with_name(kept.name + suffix))
        except OSError:
            return False
        self._report(
            f"query log: {self.path} is damaged ({exc}); kept it as {kept} and started a new log"
        )
        return True

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            first = self._failing is None
            self._failing = _describe(exc)
            waiting = len(self._pending)
        if not first:
            return  # the same failure goes on: said once already
        now = time.monotonic()
        last = self._last_failure_report
        self._failure_told = last is None or now - last >= REPORT_INTERVAL
        if self._failure_told:
            self._last_failure_report = now
            self._report(
                f"query log: cannot write to {self.path} ({self._failing}); answering "
                f"continues, {waiting} entries wait and will be written when it works again "
                f"(retrying every {self.retry_seconds:g} s)"
            )

    def _succeeded(self, count: int) -> None:
        with self._lock:
            was_failing = self._failing is not None
            waiting = len(self._pending)
            for _ in range(count):
                self._pending.popleft()
            self._written += count
            self._commits += 1 if count else 0
            self._failing = None
            self._changed.notify_all()
        if not was_failing:
            return
        with self._lock:
            self._reported_drops = False  # a later episode of drops gets its own message
            self._drops_known = self._dropped
        if self._failure_told:
            self._report(
                f"query log: writing to {self.path} again; {waiting} waiting entries written"
                + self._losses()
            )

    def _report_losses(self) -> None:
        with self._lock:
            drops = self._dropped > self._drops_known and not self._reported_drops
            rejects = self._rejected and not self._reported_rejects
            self._reported_drops |= bool(drops)
            self._reported_rejects |= bool(rejects)
        if drops:
            self._report(
                f"query log: the queue is full ({self.max_pending} entries waiting); "
                "new entries are dropped until the database works again"
            )
        if rejects:
            self._report("query log: ignored a malformed record (a front-end bug)")

    def _losses(self) -> str:
        parts = []
        if self._dropped:
            parts.append(f"{self._dropped} dropped so far because the queue was full")
        if self._rejected:
            parts.append(f"{self._rejected} malformed records ignored")
        return f" ({'; '.join(parts)})" if parts else ""

    def _report_end(self) -> None:
        with self._lock:
            lost = len(self._pending)
            reason = self._failing
        if lost:
            self._report(
                f"query log: {lost} entries could not be written to {self.path} ({reason})"
                + self._losses()
            )
        elif self._dropped or self._rejected:
            self._report(f"query log: closed{self._losses()}")

    def _report(self, message: str) -> None:
        try:
            self._report_to(message)
        except Exception:
            logger.exception("query log: the report callback failed")


def _storable(row: tuple) -> tuple:
    """Every text of the row printable: a lone surrogate cannot be encoded for SQLite (the batch,
    and every later one, would fail), and control characters would reach terminals listing it."""
    return tuple(printable(value) if isinstance(value, str) else value for value in row)


async def _write(db: aiosqlite.Connection, batch: list[_Entry]) -> None:
    """One transaction for the whole batch: all of it is written, or none."""
    await db.execute("BEGIN IMMEDIATE")
    try:
        # questions before ratings; executemany keeps the order of ratings (the last one wins)
        for statement in (INSERT_QUERY, UPSERT_FEEDBACK, INSERT_UPLOAD):
            rows = [entry.row for entry in batch if entry.statement == statement]
            if rows:
                await db.executemany(statement, rows)
        await db.commit()
    except BaseException:
        with contextlib.suppress(Exception):
            await db.rollback()
        raise


async def _close_quietly(db: aiosqlite.Connection | None) -> None:
    if db is not None:
        with contextlib.suppress(Exception):
            await db.close()


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _describe(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc) or type(exc).__name__
