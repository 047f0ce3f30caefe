"""What several handlers do alike: hand a record to the query log, decide on a user's rate."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.events import FeedbackRecord, QueryRecord
from bot.telegram.context import BotContext
from bot.telegram.ratelimit import UserRateLimiter, Verdict

log = logging.getLogger("bot.telegram")

CHANNEL = "telegram"


def hand_to_log(hand: Callable[[Any], None], record: QueryRecord | FeedbackRecord) -> None:
    """Give a record to the log; a failing log must never cost the user a reply."""
    try:
        hand(record)
    except Exception:
        log.exception("the query log refused a record")


def admitted(context: BotContext, limiter: UserRateLimiter, user_id: int | None) -> Verdict:
    """What ``limiter`` says of one more request from ``user_id`` (admins are never limited)."""
    if user_id is None or user_id in context.settings.admin_user_ids:
        return Verdict.ALLOW
    return limiter.check(user_id)
