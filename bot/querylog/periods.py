"""Periods of the query log as people write them: a date, an ISO time, or an age (7d, 12h)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta


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
