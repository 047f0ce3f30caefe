"""The Telegram inbox: every update on disk before Telegram is told it arrived.

Two SQLite files in the data folder, both in WAL mode, each with a single writer:

- ``telegram-inbox.sqlite3``, table ``updates``: what Telegram delivered. A writer thread
  commits it with ``synchronous=FULL`` (on disk before Telegram is told, so even a power cut
  loses nothing); what callers submit meanwhile shares one transaction (group commit).
- ``telegram-done.sqlite3``, tables ``done`` and ``outbox``: the updates whose handlers have
  finished (their reply accepted by Telegram) and the query-log records they produced. These
  are committed on the event loop, right where the handlers finished, without an fsync.

Why two files: the time from Telegram accepting a reply to the done mark is the one window in
which a crash turns into a duplicate reply, so the mark must never wait behind the other
file's fsync (which takes up to a second on a busy disk) nor behind a hand-over to a thread
(which waits for the interpreter lock, milliseconds under load). A killed process keeps every
commit; a power cut can lose the last done marks, which costs duplicates, never a loss.

An update is pending while it is in ``updates`` and not in ``done``. Its payload (names,
texts) is cleared once it is done; both rows are kept ``KEEP_DONE`` so that a late re-delivery
is still recognised, then pruned.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

INBOX_FILE = "telegram-inbox.sqlite3"
DONE_FILE = "telegram-done.sqlite3"
KEEP_DONE = timedelta(hours=48)  # Telegram keeps an undelivered update for 24 hours
MAX_ATTEMPTS = 3  # an update started this many times without finishing is given up
BUSY_PAUSES = (0.005, 0.02, 0.1, 0.5, 1.0)  # seconds, when someone else locks the done file

UPDATES_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS updates (
        update_id INTEGER PRIMARY KEY,
        received TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        abandoned INTEGER NOT NULL DEFAULT 0
    )
    """,
    # the rows whose payload is still kept: pending, or done and not yet cleared
    "CREATE INDEX IF NOT EXISTS updates_kept ON updates (update_id) WHERE payload NOTNULL",
)
DONE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS done (update_id INTEGER PRIMARY KEY, at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS done_at ON done (at)",
    """
    CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY,
        update_id INTEGER NOT NULL,
        record TEXT NOT NULL
    )
    """,
)

Row = tuple[int, str, dict[str, Any]]  # update_id, kind, the update as JSON
Operation = Callable[[sqlite3.Connection], Any]


@dataclass(frozen=True)
class Pending:
    """An update an earlier run recorded and did not finish."""

    update_id: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class Leftovers:
    """What earlier runs left: updates to handle again, updates given up, log records that
    may not have reached the query log."""

    pending: list[Pending]
    abandoned: list[int]
    records: list[dict[str, Any]]


@dataclass
class _Job:
    operation: Operation
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop
    transaction: bool


def _now(shift: timedelta = timedelta()) -> str:
    moment = datetime.now(UTC) - shift
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _connect(path: Path, schema: tuple[str, ...], *pragmas: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        # raw updates carry names and texts: readable by the owner only (SQLite gives the
        # -wal and -shm files the same mode)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        # secure_delete: a cleared payload or a deleted record is overwritten, not left behind
        for pragma in ("journal_mode = WAL", "secure_delete = ON", *pragmas):
            db.execute(f"PRAGMA {pragma}")
        for statement in schema:
            db.execute(statement)
    except BaseException:
        db.close()
        raise
    return db


def _transaction(db: sqlite3.Connection, operation: Operation, begin: str = "IMMEDIATE") -> Any:
    db.execute(f"BEGIN {begin}")
    try:
        result = operation(db)
        db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise
    return result


class Inbox:
    """The two files of one bot: ``await open()``, record, finish, ``await close()``."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / INBOX_FILE
        self.done_path = folder / DONE_FILE
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._records: list[tuple[list[tuple], asyncio.Future, asyncio.AbstractEventLoop]] = []
        self._jobs: list[_Job] = []
        self._closing = False
        self._thread: threading.Thread | None = None
        self._updates: sqlite3.Connection | None = None  # the writer thread's
        self._done: sqlite3.Connection | None = None  # the event loop's

    # --- lifecycle -----------------------------------------------------------------------

    async def open(self) -> None:
        """Open (creating them) and start the writer thread; raises what SQLite raises."""
        # no checkpoint on the event loop (a checkpoint syncs): maintain() runs them
        self._done = _connect(
            self.done_path, DONE_SCHEMA, "synchronous = NORMAL", "busy_timeout = 0",
            "wal_autocheckpoint = 0",
        )  # fmt: skip
        try:
            self._updates = await asyncio.to_thread(
                _connect, self.path, UPDATES_SCHEMA, "synchronous = FULL", "busy_timeout = 5000"
            )
            # the writer thread reads the done marks too: what is known, what is pending
            self._updates.execute("ATTACH DATABASE ? AS marks", (str(self.done_path),))
        except BaseException:
            await self.close()
            raise
        self._thread = threading.Thread(target=self._run, name="marjaa-inbox", daemon=True)
        self._thread.start()

    async def close(self) -> None:
        """Write what was submitted, then close both files."""
        if self._thread is not None:
            with self._lock:
                self._closing = True
                self._wake.notify()
            await asyncio.to_thread(self._thread.join)
            self._thread = None
        for db in (self._updates, self._done):
            if db is not None:
                db.close()
        self._updates = self._done = None

    # --- intake: the writer thread ---------------------------------------------------------

    async def record(self, rows: Iterable[Row]) -> set[int]:
        """Record updates, synced to disk; returns the ids not recorded (or done) before."""
        encoded = [(u, kind, json.dumps(p, ensure_ascii=False)) for u, kind, p in rows]
        if not encoded:
            return set()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            self._check_open()
            self._records.append((encoded, future, loop))
            self._wake.notify()
        return await future

    async def _in_thread(self, operation: Operation, transaction: bool = True) -> Any:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            self._check_open()
            self._jobs.append(_Job(operation, future, loop, transaction))
            self._wake.notify()
        return await future

    def _check_open(self) -> None:
        if self._thread is None or self._closing:
            raise RuntimeError("the inbox is closed")

    def _run(self) -> None:
        while True:
            with self._lock:
                while not (self._records or self._jobs or self._closing):
                    self._wake.wait()
                records, self._records = self._records, []
                jobs, self._jobs = self._jobs, []
            if not (records or jobs):
                return  # closing, and nothing left
            if records:
                batches = [batch for batch, _, _ in records]
                futures = [(future, loop) for _, future, loop in records]
                _settle(futures, lambda b=batches: self._write(lambda db: _insert(db, b)))
            for job in jobs:
                _settle([(job.future, job.loop)], lambda j=job: [self._job(j)])

    def _job(self, job: _Job) -> Any:
        return self._write(job.operation) if job.transaction else job.operation(self._db)

    @property
    def _db(self) -> sqlite3.Connection:
        assert self._updates is not None
        return self._updates

    def _write(self, operation: Operation) -> Any:
        # DEFERRED, not IMMEDIATE: IMMEDIATE would take the write lock of the attached done
        # file too, and hold it through this file's fsync. Only this thread writes
        # ``updates``, so the step from reading to writing is never refused.
        return _transaction(self._db, operation, begin="DEFERRED")

    # --- done marks: on the event loop ---------------------------------------------------------

    async def finish(self, update_id: int, records: list[dict[str, Any]]) -> None:
        """Mark the update done, with the query-log records it produced (kept in outbox)."""
        encoded = [json.dumps(r, ensure_ascii=False) for r in records]
        now = _now()

        def mark(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO done (update_id, at) VALUES (?, ?)", (update_id, now)
            )
            db.executemany(
                "INSERT INTO outbox (update_id, record) VALUES (?, ?)",
                [(update_id, record) for record in encoded],
            )

        await self._on_loop(mark)

    async def _on_loop(self, operation: Operation) -> Any:
        """A short transaction on the done file, here on the event loop; tried again a few
        times (without blocking the loop) while someone else holds its lock, a sqlite3
        shell say: the bot is its only writer."""
        assert self._done is not None
        for pause in (*BUSY_PAUSES, None):
            try:
                return _transaction(self._done, operation)
            except sqlite3.OperationalError as exc:
                busy = exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
                if not busy or pause is None:
                    raise
            await asyncio.sleep(pause)
        raise AssertionError("not reached")

    # --- start and maintenance -------------------------------------------------------------

    async def leftovers(self) -> Leftovers:
        """What earlier runs left, each pending update's attempt counted: an update started
        MAX_ATTEMPTS times without finishing (it crashes the bot) is given up instead."""
        pending, abandoned = await self._in_thread(_start_again)
        records = await self._on_loop(
            lambda db: [
                json.loads(r) for (r,) in db.execute("SELECT record FROM outbox ORDER BY id")
            ]
        )
        return Leftovers(pending, abandoned, records)

    async def last_record_id(self) -> int:
        """The outbox id of the last log record kept."""
        return await self._on_loop(
            lambda db: db.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0]
        )

    async def forget_records(self, through: int) -> None:
        """The query log has written every record up to outbox id ``through``."""
        await self._on_loop(lambda db: db.execute("DELETE FROM outbox WHERE id <= ?", (through,)))

    async def clear_payloads(self) -> None:
        """Clear what done updates held (texts, ids): only pending updates keep theirs."""
        await self._in_thread(_clear_payloads)

    async def maintain(self, keep: timedelta = KEEP_DONE, truncate: bool = False) -> int:
        """Clear the payloads of done updates, delete what is older than ``keep``, checkpoint
        both files (``truncate``: and empty their WAL files, at the end of a run); returns how
        many updates were pruned."""
        cutoff = _now(keep)
        await self.clear_payloads()
        # updates first: a done mark must outlive its update, or the update would look pending
        pruned = await self._in_thread(lambda db: _prune(db, cutoff))
        await self._on_loop(lambda db: db.execute("DELETE FROM done WHERE at < ?", (cutoff,)))
        # in the thread, as a checkpoint syncs; PASSIVE never waits for writers nor blocks them
        mode = "TRUNCATE" if truncate else "PASSIVE"
        await self._in_thread(lambda db: _checkpoint(db, mode), transaction=False)
        return pruned


def _insert(db: sqlite3.Connection, batches: list[list[tuple]]) -> list[set[int]]:
    """Insert each batch's new rows; the set of new ids of each batch."""
    received = _now()
    ids = [row[0] for batch in batches for row in batch]
    known: set[int] = set()
    for start in range(0, len(ids), 400):  # within SQLite's limit of bound parameters
        chunk = ids[start : start + 400]
        marks = ",".join("?" * len(chunk))
        for table in ("main.updates", "marks.done"):
            query = f"SELECT update_id FROM {table} WHERE update_id IN ({marks})"
            known.update(row[0] for row in db.execute(query, chunk))
    results, rows = [], []
    for batch in batches:
        fresh = {row[0] for row in batch} - known
        known |= fresh
        rows += [(u, received, kind, payload) for u, kind, payload in batch if u in fresh]
        results.append(fresh)
    db.executemany(
        "INSERT INTO main.updates (update_id, received, kind, payload) VALUES (?, ?, ?, ?)", rows
    )
    return results


def _start_again(db: sqlite3.Connection) -> tuple[list[Pending], list[int]]:
    rows = db.execute(
        "SELECT update_id, payload, attempts FROM main.updates "
        "WHERE NOT abandoned AND update_id NOT IN (SELECT update_id FROM marks.done) "
        "ORDER BY update_id"
    ).fetchall()
    pending = [Pending(u, json.loads(p)) for u, p, tries in rows if tries < MAX_ATTEMPTS and p]
    abandoned = [u for u, p, tries in rows if tries >= MAX_ATTEMPTS or not p]
    db.executemany(
        "UPDATE main.updates SET attempts = attempts + 1 WHERE update_id = ?",
        [(p.update_id,) for p in pending],
    )
    db.executemany(
        "UPDATE main.updates SET abandoned = 1, payload = NULL WHERE update_id = ?",
        [(u,) for u in abandoned],
    )
    return pending, abandoned


_DONE_IDS = "SELECT update_id FROM marks.done"


def _clear_payloads(db: sqlite3.Connection) -> None:
    db.execute(
        "UPDATE main.updates SET payload = NULL "
        f"WHERE payload NOTNULL AND update_id IN ({_DONE_IDS})"
    )


def _prune(db: sqlite3.Connection, cutoff: str) -> int:
    deleted = db.execute(
        "DELETE FROM main.updates "
        f"WHERE received < ? AND (abandoned OR update_id IN ({_DONE_IDS}))",
        (cutoff,),
    )
    return deleted.rowcount


def _checkpoint(db: sqlite3.Connection, mode: str) -> None:
    for schema in ("main", "marks"):
        db.execute(f"PRAGMA {schema}.wal_checkpoint({mode})")


def _settle(
    futures: list[tuple[asyncio.Future, asyncio.AbstractEventLoop]], run: Callable[[], list[Any]]
) -> None:
    """Run in the writer thread; hand each waiting caller its result (or the error)."""
    try:
        results = run()
    except Exception as exc:
        for future, loop in futures:
            loop.call_soon_threadsafe(_resolve, future, None, exc)
        return
    for (future, loop), result in zip(futures, results, strict=True):
        loop.call_soon_threadsafe(_resolve, future, result, None)


def _resolve(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.done():
        return  # the caller gave up waiting (cancelled)
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
