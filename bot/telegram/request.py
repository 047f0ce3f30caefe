"""Requests to the Bot API: retried only when Telegram cannot have received them.

The policy (docs/telegram.md, "When Telegram fails"):

- 429 Too Many Requests: Telegram did not execute the request; python-telegram-bot's
  AIORateLimiter waits ``retry_after`` and sends it again (see telegram_app.py).
- The connection could not be made (refused, connect timeout, no free connection in the pool):
  nothing left the bot, so the request is sent again here, a few times, after a short pause.
- Telegram answered with an error (5xx, 4xx): it says the request failed; not retried.
- The request was sent but no answer came back (connection reset, read or write timeout):
  Telegram may have executed it. A message is never sent twice for one question, so this is
  not retried, and the error handler does not apologise either (see ``outcome_unknown``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

# httpx failures that happen before any byte of the request reaches the server.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
RETRY_PAUSES = (0.25, 1.0)  # seconds before each new attempt of a request that was not sent


def not_sent(error: BaseException) -> bool:
    """Whether the failed request never reached Telegram (so sending it again is safe)."""
    return isinstance(error, NetworkError) and isinstance(error.__cause__, NOT_SENT)


def outcome_unknown(error: BaseException) -> bool:
    """Whether Telegram may have executed the failed request: it was sent, no answer came."""
    cause = error.__cause__
    return (
        isinstance(error, NetworkError)
        and isinstance(cause, httpx.TransportError)
        and not isinstance(cause, NOT_SENT)
    )


class SafeRetryRequest(HTTPXRequest):
    """python-telegram-bot's httpx request, sending again what provably was not sent."""

    def __init__(self, retry_pauses: tuple[float, ...] = RETRY_PAUSES, **options: Any) -> None:
        super().__init__(**options)  # HTTPXRequest's timeouts, pool size...
        self.retry_pauses = retry_pauses

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        for pause in self.retry_pauses:
            try:
                return await super().do_request(*args, **kwargs)
            except NetworkError as exc:
                if not not_sent(exc):
                    raise
            await asyncio.sleep(pause)
        return await super().do_request(*args, **kwargs)
