"""Recent answers kept in memory so «المزيد» and 👍/👎 buttons can refer to them by query id."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field

from retrieval import Answer

# Callback data (at most 64 bytes for Telegram): "m:<query id>:<page>" or "r:<query id>:<±1>".
_CALLBACK = re.compile(r"(?P<kind>[mr]):(?P<query_id>[0-9a-f]{12}):(?P<value>[0-9]|[+-]1)")
# What routes a pressed button to its handler (CallbackQueryHandler's pattern); anything
# else is data this bot did not make.
MORE_PATTERN = re.compile(r"m:[0-9a-f]{12}:[0-9]")
RATING_PATTERN = re.compile(r"r:[0-9a-f]{12}:[+-]1")


@dataclass(frozen=True)
class MoreRequest:
    query_id: str
    page: int


@dataclass(frozen=True)
class Rating:
    query_id: str
    rating: int  # +1 or -1


def more_data(query_id: str, page: int) -> str:
    return f"m:{query_id}:{page}"


def rating_data(query_id: str, rating: int) -> str:
    return f"r:{query_id}:{rating:+d}"


def parse_callback(data: str | None) -> MoreRequest | Rating | None:
    """The button pressed, or None when the data is not one this bot makes (forged, foreign)."""
    if not data or len(data) > 64:
        return None
    match = _CALLBACK.fullmatch(data)
    if not match:
        return None
    kind, value = match["kind"], match["value"]
    if kind == "m" and value.isdigit():
        return MoreRequest(match["query_id"], int(value))
    if kind == "r" and value in ("+1", "-1"):
        return Rating(match["query_id"], int(value))
    return None


@dataclass
class RecentAnswer:
    """An answer whose buttons may still be pressed."""

    answer: Answer
    chat_id: int | None
    latency_ms: float
    pages_sent: set[int] = field(default_factory=lambda: {0})
    ratings: dict[int, int] = field(default_factory=dict)  # user id -> last rating given


class RecentAnswers:
    """A bounded LRU of answers by query id; older answers' buttons become stale."""

    def __init__(self, max_answers: int = 2000) -> None:
        self.max_answers = max_answers
        self._answers: OrderedDict[str, RecentAnswer] = OrderedDict()

    def add(self, query_id: str, entry: RecentAnswer) -> None:
        self._answers[query_id] = entry
        self._answers.move_to_end(query_id)
        while len(self._answers) > self.max_answers:
            self._answers.popitem(last=False)

    def get(self, query_id: str) -> RecentAnswer | None:
        entry = self._answers.get(query_id)
        if entry is not None:
            self._answers.move_to_end(query_id)
        return entry

    def __len__(self) -> int:
        return len(self._answers)
