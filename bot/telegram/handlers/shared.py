"""What several handlers do alike: hand a record to the query log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.events import FeedbackRecord, QueryRecord

log = logging.getLogger("bot.telegram")

CHANNEL = "telegram"


def hand_to_log(hand: Callable[[Any], None], record: QueryRecord | FeedbackRecord) -> None:
    """Give a record to the log; a failing log must never cost the user a reply."""
    try:
        hand(record)
    except Exception:
        log.exception("the query log refused a record")
