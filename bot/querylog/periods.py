"""Time windows over the query log, and how one splits into whole UTC days and partial ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.querylog.writer import iso_utc

# A [low, high) range of stored timestamps (text); None is open.
TextRange = tuple[str | None, str | None]


def all_of(clauses: list[str]) -> str:
    """A WHERE condition requiring every clause (true when there is none)."""
    return " AND ".join(clauses) or "1"


def text_range(column: str, low: object, high: object) -> tuple[list[str], list]:
    """WHERE clauses and parameters for ``low <= column < high`` (None: no such end)."""
    clauses: list[str] = []
    params: list = []
    if low is not None:
        clauses.append(f"{column} >= ?")
        params.append(low)
    if high is not None:
        clauses.append(f"{column} < ?")
        params.append(high)
    return clauses, params


@dataclass(frozen=True)
class DaySplit:
    """A period as whole days, read from the daily counts, and the rest, read from the questions.

    The whole days are the stored days ``first_day <= day < end_day`` (None: open); ``edges`` are
    the timestamp ranges before and after them. Timestamps compare as text, and a row's day is
    its timestamp's first ten characters, so the two parts hold exactly the rows the period's
    ``since <= timestamp < until`` selects, however a timestamp was written.
    """

    whole_days: TextRange | None  # None: the period has no whole day
    edges: tuple[TextRange, ...]


@dataclass(frozen=True)
class Period:
    """A time window; ``None`` ends are open. ``until`` is exclusive."""

    since: datetime | None = None
    until: datetime | None = None

    @property
    def low(self) -> str | None:
        return iso_utc(self.since) if self.since else None

    @property
    def high(self) -> str | None:
        return iso_utc(self.until) if self.until else None

    @property
    def bounded(self) -> bool:
        return self.since is not None or self.until is not None

    def bounds(self) -> dict[str, str | None]:
        """``since``/``until`` as stored timestamps (for a Summary)."""
        return {"since": self.low, "until": self.high}

    def where(self, column: str = "timestamp") -> tuple[list[str], list[str]]:
        return text_range(column, self.low, self.high)

    def days(self) -> DaySplit:
        low, high = self.low, self.high
        # whole days start after the day of ``since`` (its day's rows before it are outside),
        # and end at the day of ``until`` (from its midnight on, rows are read one by one)
        first = _next_day(low[:10]) if low is not None else None
        end = high[:10] if high is not None else None
        if low is not None and (first is None or (end is not None and first >= end)):
            return DaySplit(None, ((low, high),))
        edges = []
        if low is not None:
            edges.append((low, first))
        if end is not None:
            edges.append((end, high))
        return DaySplit((first, end), tuple(edges))


def _next_day(day: str) -> str | None:
    try:
        return (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    except (ValueError, OverflowError):
        return None  # 9999-12-31: no whole day can follow
