"""Periods of the query log: as people write them (a date, an ISO time, an age such as 7d), as
SQL conditions, and split into whole UTC days and partial ends for the daily counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.querylog.writer import iso_utc


class PeriodError(ValueError):
    """A date, time or age that cannot be read; the message says what was expected."""


AGE = re.compile(r"^(\d+)\s*([hdw])$")
AGE_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
WHEN_HELP = "YYYY-MM-DD, an ISO 8601 time (UTC unless it says), or an age such as 7d, 12h, 2w"


def parse_age(text: str) -> timedelta:
    """``90d``, ``12h``, ``2w`` -> a duration."""
    match = AGE.match(text.strip().lower())
    if not match:
        raise PeriodError(f"not an age such as 90d, 12h or 2w: {text!r}")
    try:
        return timedelta(**{AGE_UNITS[match.group(2)]: int(match.group(1))})
    except OverflowError:
        raise PeriodError(f"too long an age: {text!r}") from None


def parse_when(text: str, end_of_day: bool = False) -> datetime:
    """A date, an ISO time or an age (that long ago). With ``end_of_day``, a date means its end."""
    text = text.strip()
    if AGE.match(text.lower()):
        try:
            return datetime.now(UTC) - parse_age(text)
        except OverflowError:  # before the year 1
            raise PeriodError(f"too long an age: {text!r}") from None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end_of_day else start
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"not a date or time ({WHEN_HELP}): {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
