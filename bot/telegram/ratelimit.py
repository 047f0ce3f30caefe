"""Per-user limit on everything a user sends: a budget per window, one notice beyond it, then
silence."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # first refused update of a burst: tell the user once
    SILENT = "silent"  # refused again: say nothing, so a flood gets no echo


class UserRateLimiter:
    """Sliding window of ``limit`` units per ``window`` seconds for each user.

    A message (question, command, photo…) costs 1 unit; cheaper kinds cost a fraction (the
    bot's gate decides: a button press, an inline query, which comes as the user types).
    Incoming updates are the bot's own concern (python-telegram-bot's rate limiter only paces
    what the bot sends), hence this small class. Users are kept in an LRU of at most
    ``max_users`` so a flood of distinct ids cannot grow memory without bound.
    """

    def __init__(
        self,
        limit: int = 5,
        window: float = 10.0,
        max_users: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_users = max_users
        self._clock = clock
        self._recent: OrderedDict[int, deque[tuple[float, float]]] = OrderedDict()
        self._notified: set[int] = set()

    def check(self, user_id: int, cost: float = 1.0) -> Verdict:
        """Count one update of ``user_id`` costing ``cost`` units (when allowed) and say what
        to do with it."""
        now = self._clock()
        spent = self._recent.pop(user_id, None) or deque()
        while spent and now - spent[0][0] >= self.window:
            spent.popleft()
        self._recent[user_id] = spent
        if len(self._recent) > self.max_users:
            evicted, _ = self._recent.popitem(last=False)
            self._notified.discard(evicted)
        # a small tolerance: six inline queries at 1/6 must fit where one message does
        if sum(c for _, c in spent) + cost <= self.limit + 1e-9:
            spent.append((now, cost))
            self._notified.discard(user_id)
            return Verdict.ALLOW
        if user_id in self._notified:
            return Verdict.SILENT
        self._notified.add(user_id)
        return Verdict.NOTIFY
