"""The error handler: log what failed (one line for Telegram's own failures), tell the user."""

from __future__ import annotations

import logging
from contextlib import suppress

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError

from bot import messages
from bot.telegram import format as fmt
from bot.telegram.context import BotContext
from bot.telegram.request import outcome_unknown

log = logging.getLogger("bot.telegram")


async def on_error(update: object, context: BotContext) -> None:
    """Log the error (the log formatter keeps the token out) and tell the user, if any."""
    error = context.error
    if isinstance(error, NetworkError | RetryAfter):
        # Telegram unreachable or failing (5xx, timeouts, 429 beyond the retries):
        # python-telegram-bot retries polling by itself, and a traceback of its internals
        # would only be noise.
        if update is not None and outcome_unknown(error):
            # Sent, but no answer came back: Telegram may have carried it out. Neither sending
            # it again nor apologising could be taken back: one reply per question at most.
            log.warning("Telegram request failed once sent (it may have arrived): %s", error)
            return
        log.warning("Telegram request failed: %s", error)
    else:
        log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    with suppress(TelegramError):
        if update.callback_query:
            await update.callback_query.answer(messages.ERROR)
        elif update.effective_message and update.effective_chat:
            await update.effective_message.reply_text(fmt.escape(messages.ERROR))
