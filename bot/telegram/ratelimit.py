"""Per-user limit on questions: a few per window, one notice beyond it, then silence."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # first refused question of a burst: tell the user once
    SILENT = "silent"  # refused again: say nothing, so a flood gets no echo


class UserRateLimiter:
    """Sliding window of ``limit`` questions per ``window`` seconds for each user.

    Incoming questions are the bot's own concern (python-telegram-bot's rate limiter only
    paces what the bot sends), hence this small class. Users are kept in an LRU of at most
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
        self._recent: OrderedDict[int, deque[float]] = OrderedDict()
        self._notified: set[int] = set()

    def check(self, user_id: int) -> Verdict:
        """Count one question of ``user_id`` (when allowed) and say what to do with it."""
        now = self._clock()
        times = self._recent.pop(user_id, None) or deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        self._recent[user_id] = times
        if len(self._recent) > self.max_users:
            evicted, _ = self._recent.popitem(last=False)
            self._notified.discard(evicted)
        if len(times) < self.limit:
            times.append(now)
            self._notified.discard(user_id)
            return Verdict.ALLOW
        if user_id in self._notified:
            return Verdict.SILENT
        self._notified.add(user_id)
        return Verdict.NOTIFY
