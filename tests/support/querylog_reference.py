"""The query-log summary the plain way: every figure one SQL query over the whole tables.

This is how marjaa computed the summary before the counts and indexes of migration 4, made
deterministic where the old queries left ties to SQLite (the latest wording of a question: the
newest row, then the highest id; equal counts and times: the normalized text in order). The
tests hold ``bot.querylog.summary`` to return exactly this.
"""

from __future__ import annotations

import math

import aiosqlite

from bot.querylog.counts import LATENCY_BOUNDS
from bot.querylog.periods import Period, all_of
from bot.querylog.summary import ChannelCount, DayCount, LatencyBucket, QuestionCount, Summary


async def _one(db: aiosqlite.Connection, sql: str, params: list) -> tuple:
    async with db.execute(sql, params) as cursor:
        return tuple(await cursor.fetchone())


async def _all(db: aiosqlite.Connection, sql: str, params: list) -> list[tuple]:
    async with db.execute(sql, params) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def reference_summary(db: aiosqlite.Connection, period: Period, top: int = 10) -> Summary:
    clauses, params = period.where()
    where = all_of(clauses)
    total, answered, users, first, last = await _one(
        db,
        "SELECT COUNT(*), COALESCE(SUM(answered), 0), COUNT(DISTINCT user_key), "
        f"MIN(timestamp), MAX(timestamp) FROM queries NOT INDEXED WHERE {where}",
        params,
    )
    channels = await _all(
        db,
        "SELECT channel, COUNT(*) AS total, SUM(answered) FROM queries NOT INDEXED "
        f"WHERE {where} GROUP BY channel ORDER BY total DESC, channel",
        params,
    )
    days = await _all(
        db,
        "SELECT substr(timestamp, 1, 10) AS day, COUNT(*), SUM(answered) FROM queries "
        f"NOT INDEXED WHERE {where} GROUP BY day ORDER BY day",
        params,
    )
    rating_clauses, _ = period.where("COALESCE(queries.timestamp, feedback.timestamp)")
    up, down = await _one(
        db,
        "SELECT COALESCE(SUM(rating = 1), 0), COALESCE(SUM(rating = -1), 0) "
        "FROM feedback LEFT JOIN queries USING (query_id) "
        f"WHERE {all_of(rating_clauses)}",
        params,
    )
    return Summary(
        **period.bounds(),
        first=first,
        last=last,
        total=total,
        answered=answered,
        users=users,
        by_channel=tuple(ChannelCount(*row) for row in channels),
        by_day=tuple(DayCount(*row) for row in days),
        latency_p50=await _percentile(db, 0.50, where, params, total),
        latency_p95=await _percentile(db, 0.95, where, params, total),
        latency_histogram=await _histogram(db, where, params),
        top_queries=await _top(db, where, params, top),
        top_unanswered=await _top(db, f"{where} AND answered = 0", params, top),
        feedback_up=up,
        feedback_down=down,
    )


async def _percentile(
    db: aiosqlite.Connection, share: float, where: str, params: list, total: int
) -> float | None:
    if not total:
        return None
    offset = max(math.ceil(share * total) - 1, 0)
    (value,) = await _one(
        db,
        f"SELECT latency_ms FROM queries NOT INDEXED WHERE {where} "
        "ORDER BY latency_ms LIMIT 1 OFFSET ?",
        [*params, offset],
    )
    return value


async def _histogram(db: aiosqlite.Connection, where: str, params: list) -> tuple:
    bounds = (0, *LATENCY_BOUNDS)
    cases = " ".join(f"WHEN latency_ms < {high} THEN {i}" for i, high in enumerate(bounds[1:]))
    rows = await _all(
        db,
        f"SELECT CASE {cases} ELSE {len(LATENCY_BOUNDS)} END AS bucket, COUNT(*) "
        f"FROM queries NOT INDEXED WHERE {where} GROUP BY bucket",
        params,
    )
    counts = dict(rows)
    if not counts:
        return ()
    highs = (*LATENCY_BOUNDS, None)
    return tuple(LatencyBucket(bounds[i], highs[i], counts.get(i, 0)) for i in range(len(highs)))


async def _top(db: aiosqlite.Connection, where: str, params: list, top: int) -> tuple:
    rows = await _all(
        db,
        "SELECT normalized_query, COUNT(*) AS count, SUM(answered), MAX(timestamp) AS latest "
        f"FROM queries NOT INDEXED WHERE {where} GROUP BY normalized_query "
        "ORDER BY count DESC, latest DESC, normalized_query LIMIT ?",
        [*params, top],
    )
    # each question's latest wording: its newest row, the highest id among equally new ones
    wordings = dict(
        await _all(
            db,
            "SELECT normalized_query, query FROM (SELECT normalized_query, query, ROW_NUMBER() "
            "OVER (PARTITION BY normalized_query ORDER BY timestamp DESC, id DESC) AS newest "
            f"FROM queries NOT INDEXED WHERE {where}) WHERE newest = 1",
            params,
        )
    )
    return tuple(QuestionCount(wordings[n], count, answered) for n, count, answered, _ in rows)
