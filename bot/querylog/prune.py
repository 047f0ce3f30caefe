"""Deleting old questions in short transactions, so the bot's writes never wait long for it.

SQLite lets one writer in at a time: a single DELETE of a year of questions held the log for
seconds (and VACUUM for longer), and the bot's writer timed out behind it. Here each batch is
its own transaction, sized to take about ``BATCH_SECONDS``, followed by a pause as long, in
which a waiting writer gets in; after each, the batch's pages are copied from the write-ahead
log into the file. An interrupted prune leaves a consistent log: run it again to finish.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiosqlite

BATCH_SECONDS = 0.05  # how long one batch should hold the write lock
# The gap after each one, for the bot's writes: a writer waiting less than 128 ms retries at
# most 25 ms apart, so one of its tries falls in the gap.
PAUSE_SECONDS = 0.03
# Pages kept in memory while pruning: the random indexes' pages are read again and again.
CACHE_KIB = 64 * 1024
FIRST_BATCH = 500  # rows; then sized from the time batches take
BATCH_ROWS = (50, 20_000)
VACUUM_PAGES = (16, 1024)  # pages given back per step by an incremental vacuum


@dataclass(frozen=True)
class Prunable:
    """What a prune would delete: questions older than the cutoff, and ratings of them or
    themselves older."""

    questions: int
    ratings: int


@dataclass(frozen=True)
class Pruned:
    questions: int
    ratings: int
    transactions: int
    longest_transaction: float  # seconds one held the write lock: the longest others waited
    freed_bytes: int  # given back to the file system (incremental vacuum)
    free_bytes: int  # still free inside the file, reused by new questions


async def _scalar(db: aiosqlite.Connection, sql: str, params: tuple = ()) -> int:
    async with db.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


async def prunable(db: aiosqlite.Connection, cutoff: str) -> Prunable:
    """What ``prune(db, cutoff)`` would delete now (``cutoff``: a stored timestamp)."""
    questions = await _scalar(db, "SELECT COUNT(*) FROM queries WHERE timestamp < ?", (cutoff,))
    # each rating looks its question up (a probe per rating) rather than the old questions
    # being gathered first: there are far fewer ratings than questions
    ratings = await _scalar(
        db,
        "SELECT COUNT(*) FROM feedback WHERE timestamp < ? OR EXISTS (SELECT 1 FROM queries "
        "WHERE queries.query_id = feedback.query_id AND queries.timestamp < ?)",
        (cutoff, cutoff),
    )
    return Prunable(questions, ratings)


class _Batches:
    """Runs statements in short write transactions with pauses between them."""

    def __init__(self, db: aiosqlite.Connection, pause: float) -> None:
        self.db, self.pause = db, pause
        self.size = FIRST_BATCH
        self.transactions = 0
        self.longest = 0.0

    async def run(self, statements: list[tuple[str, tuple]]) -> list[int]:
        """One transaction: the statements' row counts."""
        if self.transactions:
            await asyncio.sleep(self.pause)
        await self.db.execute("BEGIN IMMEDIATE")
        started = time.perf_counter()  # from here on the lock is ours: others wait
        try:
            counts = []
            for sql, params in statements:
                cursor = await self.db.execute(sql, params)
                counts.append(cursor.rowcount)
                await cursor.close()
            await self.db.commit()
        except BaseException:
            await self.db.rollback()
            raise
        elapsed = time.perf_counter() - started
        self.transactions += 1
        self.longest = max(self.longest, elapsed)
        # aim the next batch at BATCH_SECONDS (at most doubling: a quick batch may be luck)
        scale = min(BATCH_SECONDS / max(elapsed, 1e-4), 2.0)
        self.size = int(min(max(self.size * scale, BATCH_ROWS[0]), BATCH_ROWS[1]))
        # copy the batch's pages into the file now, without waiting for anyone: otherwise the
        # bot's next commit finds a long write-ahead log and copies it itself (seconds)
        await self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return counts


async def prune(
    db: aiosqlite.Connection,
    cutoff: str,
    *,
    pause: float = PAUSE_SECONDS,
    progress: Callable[[int, int], None] | None = None,
) -> Pruned:
    """Delete the questions older than ``cutoff`` with their ratings, and older ratings, in
    batches; then give the freed space back if the file allows it (auto_vacuum incremental).

    ``progress(questions, ratings)`` is called after each batch with the totals so far.
    """
    await db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    batches = _Batches(db, pause)
    questions = ratings = 0
    oldest = (
        "SELECT {column} FROM queries INDEXED BY queries_timestamp WHERE timestamp < ? "
        "ORDER BY timestamp, id LIMIT ?"
    )
    while True:
        # the same oldest questions twice in one transaction: their ratings, then them
        size = batches.size
        rated, asked = await batches.run(
            [
                (
                    f"DELETE FROM feedback WHERE query_id IN ({oldest.format(column='query_id')})",
                    (cutoff, size),
                ),
                (f"DELETE FROM queries WHERE id IN ({oldest.format(column='id')})", (cutoff, size)),
            ]
        )
        questions, ratings = questions + asked, ratings + rated
        if progress:
            progress(questions, ratings)
        if asked < size:
            break
    while True:  # ratings older than the cutoff whose question is newer or gone
        size = batches.size
        (rated,) = await batches.run(
            [
                (
                    "DELETE FROM feedback WHERE id IN (SELECT id FROM feedback "
                    "INDEXED BY feedback_timestamp WHERE timestamp < ? "
                    "ORDER BY timestamp, id LIMIT ?)",
                    (cutoff, size),
                )
            ]
        )
        ratings += rated
        if progress and rated:
            progress(questions, ratings)
        if rated < size:
            break
    freed = await _give_back(db, batches)
    page = await _scalar(db, "PRAGMA page_size")
    return Pruned(
        questions,
        ratings,
        batches.transactions,
        batches.longest,
        freed * page,
        await _scalar(db, "PRAGMA freelist_count") * page,
    )


async def _give_back(db: aiosqlite.Connection, batches: _Batches) -> int:
    """Free pages back to the file system, a few per transaction (auto_vacuum = incremental:
    logs created by this marjaa; older ones keep them for new questions, see ``vacuum``)."""
    if await _scalar(db, "PRAGMA auto_vacuum") != 2:
        return 0
    freed, pages = 0, VACUUM_PAGES[0]
    while (free := await _scalar(db, "PRAGMA freelist_count")) > 0:
        await asyncio.sleep(batches.pause)
        step = min(pages, free)
        started = time.perf_counter()
        # a script, stepped to its end: execute() would step once, which frees one page
        await db.executescript(f"PRAGMA incremental_vacuum({step})")
        elapsed = time.perf_counter() - started
        batches.transactions += 1
        batches.longest = max(batches.longest, elapsed)
        freed += step
        await db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        scale = min(BATCH_SECONDS / max(elapsed, 1e-4), 2.0)
        pages = int(min(max(pages * scale, VACUUM_PAGES[0]), VACUUM_PAGES[1]))
    return freed


async def vacuum(db: aiosqlite.Connection) -> None:
    """Rewrite the whole file (its free pages go back to the file system), switching an older
    log to incremental auto_vacuum so later prunes give space back themselves. Locks the log
    for its whole duration: the bot's entries wait in its queue meanwhile."""
    await db.execute("PRAGMA auto_vacuum = INCREMENTAL")
    await db.execute("VACUUM")
    await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
