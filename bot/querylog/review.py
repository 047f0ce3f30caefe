"""Reading the query log back: summary figures, filtered questions, export rows, pruning."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import aiosqlite

from bot.querylog.periods import Period, all_of
from bot.querylog.schema import connect
from bot.querylog.summary import (
    ChannelCount,
    DayCount,
    LatencyBucket,
    QuestionCount,
    Summary,
    summarize,
)
from bot.querylog.writer import iso_utc

__all__ = [
    "TABLES",
    "ChannelCount",
    "DayCount",
    "LatencyBucket",
    "LogReader",
    "NoLogError",
    "Period",
    "QuestionCount",
    "Summary",
    "read_summary",
]

TABLES = ("queries", "feedback")


class NoLogError(Exception):
    """There is no query log file at the path (nothing logged yet, or a wrong path)."""


class LogReader:
    """Named read (and prune) operations over an open query log."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        self.db.row_factory = aiosqlite.Row

    @classmethod
    @asynccontextmanager
    async def open(cls, path: str | Path) -> AsyncIterator[LogReader]:
        """The log at ``path`` (upgraded to the current schema); NoLogError if absent."""
        path = Path(path)
        if not path.is_file():
            raise NoLogError(f"no query log at {path} (nothing logged yet, or set MARJAA_DB)")
        db = await connect(path)
        try:
            yield cls(db)
        finally:
            await db.close()

    async def _one(self, sql: str, params: list | tuple = ()) -> aiosqlite.Row | None:
        async with self.db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _all(self, sql: str, params: list | tuple = ()) -> list[aiosqlite.Row]:
        async with self.db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def summary(self, period: Period | None = None, top: int = 10) -> Summary:
        return await summarize(self.db, period or Period(), top)

    async def questions(
        self,
        period: Period | None = None,
        *,
        unanswered: bool = False,
        channel: str | None = None,
        limit: int = 50,
    ) -> list[dict]:
        """Logged questions, newest first."""
        period = period or Period()
        clauses, params = period.where()
        if unanswered:
            clauses.append("answered = 0")
        if channel:
            clauses.append("channel = ?")
            params.append(channel)
        where = all_of(clauses)
        rows = await self._all(
            f"SELECT * FROM queries WHERE {where} ORDER BY timestamp DESC, id DESC LIMIT ?",
            [*params, limit],
        )
        return [dict(row) for row in rows]

    async def columns(self, table: str) -> list[str]:
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}")
        return [row["name"] for row in await self._all(f"PRAGMA table_info({table})")]

    async def rows(self, table: str, period: Period | None = None) -> AsyncIterator[dict]:
        """Every stored field of every row of ``table`` in the period, oldest first."""
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}")
        period = period or Period()
        clauses, params = period.where()
        where = all_of(clauses)
        async with self.db.execute(
            f"SELECT * FROM {table} WHERE {where} ORDER BY timestamp, id", params
        ) as cursor:
            async for row in cursor:
                yield dict(row)

    async def prune(self, before: datetime) -> tuple[int, int]:
        """Delete questions older than ``before`` (and their ratings), then VACUUM."""
        cutoff = iso_utc(before)
        await self.db.execute("BEGIN IMMEDIATE")
        try:
            ratings = await self.db.execute(
                "DELETE FROM feedback WHERE timestamp < ? OR query_id IN "
                "(SELECT query_id FROM queries WHERE timestamp < ?)",
                (cutoff, cutoff),
            )
            questions = await self.db.execute("DELETE FROM queries WHERE timestamp < ?", (cutoff,))
            await self.db.commit()
        except BaseException:
            await self.db.rollback()
            raise
        # give the freed pages back to the file system (WAL: then empty the write-ahead log)
        await self.db.execute("VACUUM")
        await self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return questions.rowcount, ratings.rowcount


async def read_summary(path: str | Path, period: Period | None = None, top: int = 5) -> Summary:
    """The summary of the log at ``path``; an empty one when nothing was logged yet."""
    period = period or Period()
    try:
        async with LogReader.open(path) as reader:
            return await reader.summary(period, top)
    except NoLogError:
        return Summary(**period.bounds())
