"""The gates every update passes first (handler groups before the others): one rate limit
per user for everything they send, then the allow-list."""

from __future__ import annotations

from contextlib import suppress

from telegram import InlineQueryResultsButton, Message, Update
from telegram.constants import ChatType, MessageEntityType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import messages
from bot.telegram import format as fmt
from bot.telegram.context import BotContext
from bot.telegram.handlers.questions import addressed_question
from bot.telegram.ratelimit import Verdict

# What an update costs of the user's budget (context.QUESTIONS_PER_WINDOW units a window):
# a message of any kind (question, command, photo, edit) one unit; a button press half (an
# answer's 👍 and «المزيد» come with it); an inline query a sixth (one comes per keystroke).
MESSAGE_COST = 1.0
BUTTON_COST = 0.5
INLINE_COST = 1 / 6


def cost(update: Update, context: BotContext) -> float | None:
    """What ``update`` costs, or None if it does not count: group chatter not meant for the
    bot (it gets no reply, so a talkative member must never see a notice), and the choice of
    an inline article (Telegram reports a choice made; nothing is sent back)."""
    if update.callback_query is not None:
        return BUTTON_COST
    if update.inline_query is not None:
        return INLINE_COST
    message = update.message or update.edited_message
    if message is None or message.chat is None:
        return None
    if message.chat.type == ChatType.PRIVATE or _meant_for_bot(message, context):
        return MESSAGE_COST
    return None


def _meant_for_bot(message: Message, context: BotContext) -> bool:
    """A group message the bot acts on: a command for it, a mention of it, a reply to it."""
    commands = message.parse_entities([MessageEntityType.BOT_COMMAND])
    for entity, text in commands.items():
        if entity.offset == 0:
            _, _, addressee = text.partition("@")
            return not addressee or addressee.lower() == (context.bot.username or "").lower()
    return addressed_question(message, context.bot.id, context.bot.username) is not None


async def rate_limit(update: Update, context: BotContext) -> None:
    """Beyond a user's budget: one short notice, then silence until the window clears (the
    update goes no further). Admins are never limited."""
    user = update.effective_user
    price = cost(update, context)
    if user is None or price is None or user.id in context.settings.admin_user_ids:
        return
    limiter = context.bot_data.limiter
    verdict = limiter.check(user.id, price)
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.NOTIFY:
        with suppress(TelegramError):
            await _notify(update, limiter.limit, int(limiter.window))
    raise ApplicationHandlerStop


async def _notify(update: Update, limit: int, seconds: int) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(messages.RATE_LIMITED_SHORT)
    elif update.inline_query is not None:
        # inline mode has no chat to write in: a button above the (empty) results says it
        slow_down = InlineQueryResultsButton(messages.RATE_LIMITED_SHORT, start_parameter="help")
        await update.inline_query.answer([], cache_time=0, button=slow_down)
    elif update.effective_message is not None:
        chat = update.effective_chat
        private = chat is not None and chat.type == ChatType.PRIVATE
        await update.effective_message.reply_text(
            fmt.rate_limited_message(limit, seconds),
            do_quote=not private or update.edited_message is not None,
        )


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
        elif update.effective_message and chat is not None and chat.type == ChatType.PRIVATE:
            # a new message or an edited one: the same refusal
            await update.effective_message.reply_text(fmt.escape(messages.NOT_ALLOWED))
    raise ApplicationHandlerStop
