"""Reading the query log back: summary figures, filtered questions, export rows, pruning."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.querylog.export import TABLES
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


async def read_summary(path: str | Path, period: Period | None = None, top: int = 5) -> Summary:
    """The summary of the log at ``path``; an empty one when nothing was logged yet."""
    period = period or Period()
    try:
        async with LogReader.open(path) as reader:
            return await reader.summary(period, top)
    except NoLogError:
        return Summary(**period.bounds())
