"""The gate every update passes first: chats outside ALLOWED_CHAT_IDS are turned away."""

from __future__ import annotations

from contextlib import suppress

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import messages
from bot.telegram import format as fmt
from bot.telegram.context import BotContext


async def allow_list(update: Update, context: BotContext) -> None:
    """Stop updates from chats outside ALLOWED_CHAT_IDS (admins always pass)."""
    settings = context.settings
    if not settings.allowed_chat_ids:
        return
    user, chat = update.effective_user, update.effective_chat
    if user is not None and user.id in settings.admin_user_ids:
        return
    # Inline queries have no chat: the user's own id (their private chat) must be listed.
    where = chat.id if chat is not None else (user.id if user is not None else None)
    if where in settings.allowed_chat_ids:
        return
    with suppress(TelegramError):
        if update.callback_query:
            await update.callback_query.answer(messages.NOT_ALLOWED)
        elif update.inline_query:
            await update.inline_query.answer([], cache_time=0)
        elif update.message and chat is not None and chat.type == ChatType.PRIVATE:
            await update.message.reply_text(fmt.escape(messages.NOT_ALLOWED))
    raise ApplicationHandlerStop
