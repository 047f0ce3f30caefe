"""The summary of a query log, computed from its counts and indexes rather than every question.

What each figure means is the plain SQL over the ``queries`` table (docs/querylog.md; the tests
compare the two on generated logs); how it is computed here is what keeps it fast at a million
questions:

- totals, channels, days and the latency histogram: the daily counts (kept by triggers, one row
  per day, channel and latency bucket) for the period's whole days, and the questions
  themselves for the partial days at its ends (see ``Period.days``);
- the latency percentiles: the histogram says which bucket holds the wanted rank; the latency
  index is walked inside that bucket only;
- distinct users: the user index, not the table;
- the top questions: candidates in decreasing order of their all-time count (an upper bound of
  their count in any period), counted in the period through the question index, until no
  candidate left can reach the last place. Short periods are counted directly.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import aiosqlite

from bot.querylog.counts import LATENCY_BOUNDS, bucket_sql
from bot.querylog.periods import Period, all_of, text_range

# A period with at most this many questions has its top questions counted directly (the
# timestamp index, then grouping): quicker than walking candidates when few rows are involved.
DIRECT_ROWS = 50_000
# Candidates counted per round, as multiples of the places to fill: the first round settles
# the whole log and long periods, short ones take more; beyond the last, counting directly.
CANDIDATE_ROUNDS = (2, 8, 32, 128)


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


@dataclass(frozen=True)
class _Group:
    """A normalized question's figures in the period (before its wording is looked up)."""

    normalized: str
    count: int
    answered: int
    latest: str


async def summarize(db: aiosqlite.Connection, period: Period, top: int = 10) -> Summary:
    """The summary of the questions in ``period``: ``top`` questions in each list."""
    await db.execute("BEGIN")  # one snapshot for every figure, whatever the bot writes meanwhile
    try:
        return await _summarize(db, period, top)
    finally:
        await db.execute("COMMIT")


async def _summarize(db: aiosqlite.Connection, period: Period, top: int) -> Summary:
    counts = await _counts(db, period)
    total = sum(n for *_, n, _ in counts)
    answered = sum(a for *_, a in counts)
    channels: dict[str, list[int]] = {}
    days: dict[str, list[int]] = {}
    buckets = [0] * (len(LATENCY_BOUNDS) + 1)
    for day, channel, bucket, questions, yes in counts:
        for table, key in ((channels, channel), (days, day)):
            figures = table.setdefault(key, [0, 0])
            figures[0] += questions
            figures[1] += yes
        buckets[bucket] += questions
    where, params = period.where()
    first, last = await _one(
        db,
        f"SELECT (SELECT MIN(timestamp) FROM queries WHERE {all_of(where)}), "
        f"(SELECT MAX(timestamp) FROM queries WHERE {all_of(where)})",
        params * 2,
    )
    up, down = await _ratings(db, period)
    return Summary(
        **period.bounds(),
        first=first,
        last=last,
        total=total,
        answered=answered,
        users=await _users(db, period),
        by_channel=tuple(
            ChannelCount(channel, n, a)
            for channel, (n, a) in sorted(channels.items(), key=lambda c: (-c[1][0], c[0]))
        ),
        by_day=tuple(DayCount(day, n, a) for day, (n, a) in sorted(days.items())),
        latency_p50=await _percentile(db, period, buckets, 0.50),
        latency_p95=await _percentile(db, period, buckets, 0.95),
        latency_histogram=_histogram(buckets) if total else (),
        top_queries=await _top(db, period, [], top, total, "questions"),
        top_unanswered=await _top(
            db, period, ["answered = 0"], top, total - answered, "unanswered"
        ),
        feedback_up=up,
        feedback_down=down,
    )


async def _one(db: aiosqlite.Connection, sql: str, params: list | tuple = ()) -> tuple:
    async with db.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return tuple(row) if row is not None else ()


async def _all(db: aiosqlite.Connection, sql: str, params: list | tuple = ()) -> list[tuple]:
    async with db.execute(sql, params) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def _counts(db: aiosqlite.Connection, period: Period) -> list[tuple]:
    """(day, channel, latency bucket, questions, answered) of the period, whole days summed
    from the daily counts, partial days counted from the questions."""
    split = period.days()
    parts, params = [], []
    if split.whole_days is not None:
        clauses, values = text_range("day", *split.whole_days)
        parts.append(
            "SELECT day, channel, latency_bucket, questions, answered FROM daily_counts "
            f"WHERE {all_of(clauses)}"
        )
        params += values
    for low, high in split.edges:
        clauses, values = text_range("timestamp", low, high)
        parts.append(
            f"SELECT substr(timestamp, 1, 10) AS day, channel, "
            f"{bucket_sql('latency_ms')} AS latency_bucket, 1 AS questions, answered "
            f"FROM queries WHERE {all_of(clauses)}"
        )
        params += values
    return await _all(
        db,
        "SELECT day, channel, latency_bucket, SUM(questions), SUM(answered) "
        f"FROM ({' UNION ALL '.join(parts)}) GROUP BY 1, 2, 3",
        params,
    )


def _histogram(buckets: list[int]) -> tuple[LatencyBucket, ...]:
    lows, highs = (0, *LATENCY_BOUNDS), (*LATENCY_BOUNDS, None)
    return tuple(LatencyBucket(lows[i], highs[i], count) for i, count in enumerate(buckets))


async def _percentile(
    db: aiosqlite.Connection, period: Period, buckets: list[int], share: float
) -> float | None:
    """Nearest-rank percentile: the smallest latency with ``share`` of questions at or below."""
    total = sum(buckets)
    if not total:
        return None
    rank = max(math.ceil(share * total) - 1, 0)  # 0-based position in latency order
    bucket, below = 0, 0
    while below + buckets[bucket] <= rank:
        below += buckets[bucket]
        bucket += 1
    lows, highs = (None, *LATENCY_BOUNDS), (*LATENCY_BOUNDS, None)
    clauses, params = text_range("latency_ms", lows[bucket], highs[bucket])
    where, values = period.where()
    row = await _one(
        db,
        "SELECT latency_ms FROM queries INDEXED BY queries_latency "
        f"WHERE {all_of([*clauses, *where])} ORDER BY latency_ms LIMIT 1 OFFSET ?",
        [*params, *values, rank - below],
    )
    return row[0] if row else None


async def _users(db: aiosqlite.Connection, period: Period) -> int:
    where, params = period.where()
    (users,) = await _one(
        db,
        "SELECT COUNT(DISTINCT user_key) FROM queries INDEXED BY queries_user "
        f"WHERE {all_of(['user_key IS NOT NULL', *where])}",
        params,
    )
    return users


async def _ratings(db: aiosqlite.Connection, period: Period) -> tuple[int, int]:
    """👍 and 👎 counted by the time of the question they rate (by their own time when the
    question is no longer in the log): whole days from the daily ratings, the ends from the
    ratings of the questions asked then and the ratings without a question given then."""
    split = period.days()
    parts, params = [], []
    if split.whole_days is not None:
        clauses, values = text_range("day", *split.whole_days)
        parts.append(f"SELECT up, down FROM daily_ratings WHERE {all_of(clauses)}")
        params += values
    for low, high in split.edges:
        asked, values = text_range("queries.timestamp", low, high)
        given, more = text_range("feedback.timestamp", low, high)
        parts.append(
            "SELECT rating = 1 AS up, rating = -1 AS down FROM queries "
            "INDEXED BY queries_timestamp "
            f"JOIN feedback USING (query_id) WHERE {all_of(asked)}"
        )
        parts.append(
            "SELECT rating = 1, rating = -1 FROM feedback INDEXED BY feedback_timestamp "
            f"WHERE {all_of(given)} AND NOT EXISTS "
            "(SELECT 1 FROM queries WHERE queries.query_id = feedback.query_id)"
        )
        params += values + more
    return await _one(
        db,
        f"SELECT COALESCE(SUM(up), 0), COALESCE(SUM(down), 0) FROM ({' UNION ALL '.join(parts)})",
        params,
    )


async def _top(
    db: aiosqlite.Connection,
    period: Period,
    only: list[str],
    top: int,
    rows: int,
    bound: str,
) -> tuple[QuestionCount, ...]:
    """The ``top`` most asked questions of the period (among its ``rows`` questions matching
    ``only``): by count, then the latest asked, then the normalized text; each in its latest
    wording."""
    if not rows:
        return ()
    where, params = period.where()
    where += only
    groups = None
    if rows > DIRECT_ROWS:
        groups = await _top_by_candidates(db, period, where, params, top, bound)
    if groups is None:
        # a bounded period is read through the timestamp index; the whole log is grouped
        # through the question index (no sorting)
        index = "queries_timestamp" if period.bounded else "queries_normalized"
        groups = await _top_directly(db, where, params, top, index)
    found = []
    for group in groups:
        (wording,) = await _one(
            db,
            "SELECT query FROM queries INDEXED BY queries_normalized "
            f"WHERE {all_of(['normalized_query = ?', 'timestamp = ?', *where])} "
            "ORDER BY id DESC LIMIT 1",
            [group.normalized, group.latest, *params],
        )
        found.append(QuestionCount(wording, group.count, group.answered))
    return tuple(found)


def _ranked(groups: list[_Group]) -> list[_Group]:
    ordered = sorted(groups, key=lambda g: g.normalized)
    ordered.sort(key=lambda g: (g.count, g.latest), reverse=True)  # stable: text breaks ties
    return ordered


async def _top_directly(
    db: aiosqlite.Connection, where: list[str], params: list, top: int, index: str
) -> list[_Group]:
    rows = await _all(
        db,
        "SELECT normalized_query, COUNT(*) AS count, SUM(answered), MAX(timestamp) AS latest "
        f"FROM queries INDEXED BY {index} WHERE {all_of(where)} "
        "GROUP BY normalized_query ORDER BY count DESC, latest DESC, normalized_query LIMIT ?",
        [*params, top],
    )
    return [_Group(*row) for row in rows]


async def _top_by_candidates(
    db: aiosqlite.Connection,
    period: Period,
    where: list[str],
    params: list,
    top: int,
    bound: str,
) -> list[_Group] | None:
    """The top groups, or None when the candidates cannot settle it (then count directly).

    ``bound`` is the question_counts column that bounds a question's count in any period
    (``questions``, or ``unanswered`` for the unanswered list); only questions with a bound
    above 1 are indexed. Over the whole log the bound is the count itself.
    """
    found: list[_Group] = []
    offset = 0
    # over the whole log a candidate's figures are its counts, and its latest time one seek
    answered = "questions - unanswered" if bound == "questions" else "0"
    latest = (
        "NULL"
        if period.bounded
        else "(SELECT MAX(timestamp) FROM queries INDEXED BY queries_normalized "
        f"WHERE {all_of(['normalized_query = c.normalized_query', *where])})"
    )
    for size in (multiple * top for multiple in CANDIDATE_ROUNDS):
        candidates = await _all(
            db,
            f"SELECT normalized_query, {bound}, {answered}, {latest} FROM question_counts AS c "
            f"INDEXED BY question_counts_{bound} WHERE {bound} > 1 "
            # the whole order is fixed (the index holds the text after the count), so rounds
            # neither skip nor repeat a candidate
            f"ORDER BY {bound} DESC, normalized_query DESC LIMIT ? OFFSET ?",
            [size, offset],
        )
        offset += len(candidates)
        if candidates and not period.bounded:
            found = _ranked([*found, *(_Group(*row) for row in candidates)])[:top]
        elif candidates:
            marks = ", ".join("?" for _ in candidates)
            rows = await _all(
                db,
                "SELECT normalized_query, COUNT(*), SUM(answered), MAX(timestamp) "
                "FROM queries INDEXED BY queries_normalized "
                f"WHERE {all_of([f'normalized_query IN ({marks})', *where])} "
                "GROUP BY normalized_query",
                [*(c[0] for c in candidates), *params],
            )
            found = _ranked([*found, *(_Group(*row) for row in rows)])[:top]
        # every question not counted yet has at most this count in the period
        ceiling = candidates[-1][1] if len(candidates) == size else 1
        if len(found) == top and found[-1].count > ceiling:
            return found
        if len(candidates) < size:  # the rest are asked once at most: they may still count
            return None
    return None
