"""Reading the query log back: summary figures, filtered questions, export rows, pruning."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import aiosqlite

from bot.querylog.schema import connect
from bot.querylog.writer import iso_utc

TABLES = ("queries", "feedback")
# Upper bounds (ms) of the latency histogram's buckets; the last bucket is open-ended.
LATENCY_BOUNDS = (10, 25, 50, 100, 250, 500, 1000, 2500)


class NoLogError(Exception):
    """There is no query log file at the path (nothing logged yet, or a wrong path)."""


def all_of(clauses: list[str]) -> str:
    """A WHERE condition requiring every clause (true when there is none)."""
    return " AND ".join(clauses) or "1"


@dataclass(frozen=True)
class Period:
    """A time window; ``None`` ends are open. ``until`` is exclusive."""

    since: datetime | None = None
    until: datetime | None = None

    def bounds(self) -> dict[str, str | None]:
        """``since``/``until`` as stored timestamps (for a Summary)."""
        return {
            "since": iso_utc(self.since) if self.since else None,
            "until": iso_utc(self.until) if self.until else None,
        }

    def where(self, column: str = "timestamp") -> tuple[list[str], list[str]]:
        clauses, params = [], []
        if self.since is not None:
            clauses.append(f"{column} >= ?")
            params.append(iso_utc(self.since))
        if self.until is not None:
            clauses.append(f"{column} < ?")
            params.append(iso_utc(self.until))
        return clauses, params


@dataclass(frozen=True)
class QuestionCount:
    """A question asked ``count`` times (grouped by its normalized form), in its latest wording."""

    query: str
    count: int
    answered: int


@dataclass(frozen=True)
class DayCount:
    day: str  # YYYY-MM-DD, UTC
    total: int
    answered: int


@dataclass(frozen=True)
class ChannelCount:
    channel: str
    total: int
    answered: int


@dataclass(frozen=True)
class LatencyBucket:
    low_ms: float
    high_ms: float | None  # None: no upper bound
    count: int


@dataclass(frozen=True)
class Summary:
    """The figures of ``marjaa logs summary``, the HTML report and Telegram's /stats."""

    since: str | None = None
    until: str | None = None
    first: str | None = None  # timestamp of the earliest question in the period
    last: str | None = None
    total: int = 0
    answered: int = 0
    users: int = 0  # distinct user keys (Telegram); console and CLI questions have none
    by_channel: tuple[ChannelCount, ...] = ()
    by_day: tuple[DayCount, ...] = ()
    latency_p50: float | None = None
    latency_p95: float | None = None
    latency_histogram: tuple[LatencyBucket, ...] = ()
    top_queries: tuple[QuestionCount, ...] = ()
    top_unanswered: tuple[QuestionCount, ...] = ()
    feedback_up: int = 0
    feedback_down: int = 0

    @property
    def unanswered(self) -> int:
        return self.total - self.answered

    @property
    def answered_rate(self) -> float | None:
        return self.answered / self.total if self.total else None

    def to_dict(self) -> dict:
        """The ``logs summary --json`` object."""
        return {
            "since": self.since,
            "until": self.until,
            "first": self.first,
            "last": self.last,
            "total": self.total,
            "answered": self.answered,
            "unanswered": self.unanswered,
            "answered_rate": None if self.answered_rate is None else round(self.answered_rate, 4),
            "users": self.users,
            "by_channel": {
                c.channel: {"total": c.total, "answered": c.answered} for c in self.by_channel
            },
            "by_day": [asdict(day) for day in self.by_day],
            "latency_ms": {
                "p50": self.latency_p50,
                "p95": self.latency_p95,
                "histogram": [asdict(bucket) for bucket in self.latency_histogram],
            },
            "top_queries": [asdict(q) for q in self.top_queries],
            "top_unanswered": [asdict(q) for q in self.top_unanswered],
            "feedback": {"up": self.feedback_up, "down": self.feedback_down},
        }


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
        period = period or Period()
        clauses, params = period.where()
        where = all_of(clauses)
        totals = await self._one(
            f"SELECT COUNT(*) AS total, COALESCE(SUM(answered), 0) AS answered, "
            f"COUNT(DISTINCT user_key) AS users, MIN(timestamp) AS first, "
            f"MAX(timestamp) AS last FROM queries WHERE {where}",
            params,
        )
        channels = await self._all(
            f"SELECT channel, COUNT(*) AS total, SUM(answered) AS answered FROM queries "
            f"WHERE {where} GROUP BY channel ORDER BY total DESC, channel",
            params,
        )
        days = await self._all(
            f"SELECT substr(timestamp, 1, 10) AS day, COUNT(*) AS total, "
            f"SUM(answered) AS answered FROM queries WHERE {where} GROUP BY day ORDER BY day",
            params,
        )
        # ratings count with the question they rate (its time decides the period); a rating
        # whose question is missing from the log counts by its own time
        rating_clauses, _ = period.where("COALESCE(queries.timestamp, feedback.timestamp)")
        ratings = await self._one(
            "SELECT COALESCE(SUM(rating = 1), 0) AS up, COALESCE(SUM(rating = -1), 0) AS down "
            "FROM feedback LEFT JOIN queries USING (query_id) "
            f"WHERE {all_of(rating_clauses)}",
            params,
        )
        return Summary(
            **period.bounds(),
            first=totals["first"],
            last=totals["last"],
            total=totals["total"],
            answered=totals["answered"],
            users=totals["users"],
            by_channel=tuple(ChannelCount(**dict(row)) for row in channels),
            by_day=tuple(DayCount(**dict(row)) for row in days),
            latency_p50=await self._percentile(0.50, where, params, totals["total"]),
            latency_p95=await self._percentile(0.95, where, params, totals["total"]),
            latency_histogram=await self._latency_histogram(where, params),
            top_queries=await self._top_questions(where, params, top),
            top_unanswered=await self._top_questions(f"{where} AND answered = 0", params, top),
            feedback_up=ratings["up"],
            feedback_down=ratings["down"],
        )

    async def _percentile(self, share: float, where: str, params: list, total: int) -> float | None:
        """Nearest-rank percentile: the smallest latency with ``share`` of questions at or below."""
        if not total:
            return None
        offset = max(math.ceil(share * total) - 1, 0)
        row = await self._one(
            f"SELECT latency_ms FROM queries WHERE {where} ORDER BY latency_ms LIMIT 1 OFFSET ?",
            [*params, offset],
        )
        return row["latency_ms"] if row else None

    async def _latency_histogram(self, where: str, params: list) -> tuple[LatencyBucket, ...]:
        bounds = (0, *LATENCY_BOUNDS)
        cases = " ".join(f"WHEN latency_ms < {high} THEN {i}" for i, high in enumerate(bounds[1:]))
        rows = await self._all(
            f"SELECT CASE {cases} ELSE {len(LATENCY_BOUNDS)} END AS bucket, COUNT(*) AS n "
            f"FROM queries WHERE {where} GROUP BY bucket",
            params,
        )
        counts = {row["bucket"]: row["n"] for row in rows}
        if not counts:
            return ()
        highs = (*LATENCY_BOUNDS, None)
        return tuple(
            LatencyBucket(bounds[i], highs[i], counts.get(i, 0)) for i in range(len(highs))
        )

    async def _top_questions(self, where: str, params: list, top: int) -> tuple[QuestionCount, ...]:
        # SQLite fills the bare column `query` from the row holding MAX(timestamp): the latest
        # wording of each question is shown (the original text, never the normalized one)
        rows = await self._all(
            f"SELECT query, COUNT(*) AS count, SUM(answered) AS answered, "
            f"MAX(timestamp) AS latest FROM queries WHERE {where} "
            "GROUP BY normalized_query ORDER BY count DESC, latest DESC LIMIT ?",
            [*params, top],
        )
        return tuple(QuestionCount(row["query"], row["count"], row["answered"]) for row in rows)

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
