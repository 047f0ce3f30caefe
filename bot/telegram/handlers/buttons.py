"""The buttons under an answer: «المزيد» (the next page) and 👍/👎 (a rating)."""

from __future__ import annotations

from contextlib import suppress

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot import messages
from bot.events import EventSink, FeedbackRecord
from bot.telegram import format as fmt
from bot.telegram.context import BotContext
from bot.telegram.handlers.questions import send_page
from bot.telegram.handlers.shared import hand_to_log
from bot.telegram.keyboards import rating_buttons
from bot.telegram.recent_answers import MoreRequest, Rating, RecentAnswer, parse_callback


async def _pressed(update: Update, context: BotContext) -> tuple[object, RecentAnswer] | None:
    """The button pressed and the answer it belongs to; None (answered) when it is forgotten."""
    callback = update.callback_query
    assert callback is not None  # the handler is a CallbackQueryHandler
    pressed = parse_callback(callback.data)
    if pressed is None:
        await callback.answer(messages.INVALID_BUTTON)
        return None
    entry = context.bot_data.recent.get(pressed.query_id)
    if entry is None:
        await callback.answer(messages.STALE_BUTTON)
        return None
    return pressed, entry


async def rating_button(update: Update, context: BotContext) -> None:
    """👍/👎: the rating goes to the log (again only when changed)."""
    found = await _pressed(update, context)
    if found is None:
        return
    pressed, entry = found
    assert isinstance(pressed, Rating) and update.callback_query is not None
    callback = update.callback_query
    await callback.answer(rate(callback.from_user.id, pressed, entry, context.sink))


async def more_button(update: Update, context: BotContext) -> None:
    """«المزيد»: the next page of the answer."""
    found = await _pressed(update, context)
    if found is None:
        return
    pressed, entry = found
    assert isinstance(pressed, MoreRequest)
    await show_more(update, pressed, entry)


async def invalid_button(update: Update, context: BotContext) -> None:
    """Data this bot did not make (forged, or another bot's): a polite answer."""
    if update.callback_query is not None:
        await update.callback_query.answer(messages.INVALID_BUTTON)


def rate(user_id: int, pressed: Rating, entry: RecentAnswer, sink: EventSink) -> str:
    """Hand a new or changed rating to the log (the same one twice is logged once); the reply."""
    previous = entry.ratings.get(user_id)
    if previous == pressed.rating:
        return messages.ALREADY_RATED
    entry.ratings[user_id] = pressed.rating
    hand_to_log(sink.log_feedback, FeedbackRecord(pressed.query_id, user_id, pressed.rating))
    return messages.THANKS if previous is None else messages.RATING_CHANGED


async def show_more(update: Update, pressed: MoreRequest, entry: RecentAnswer) -> None:
    """The next page as a reply to the answer (which keeps its passages and loses «المزيد»)."""
    callback = update.callback_query
    assert callback is not None
    answer = entry.answer
    shown = callback.message
    if not isinstance(shown, Message):
        # No message to reply to (Telegram left it out, or it is too old to be given): the
        # button is as good as stale, and the page stays available.
        await callback.answer(messages.STALE_BUTTON)
        return
    if pressed.page in entry.pages_sent or pressed.page >= fmt.page_count(answer):
        await callback.answer(messages.ALREADY_SHOWN)
        return
    entry.pages_sent.add(pressed.page)  # before any await: a double tap must not send twice
    await callback.answer()
    with suppress(TelegramError):  # the old buttons are cosmetic; the new page matters
        ratings = [rating_buttons(pressed.query_id)] if answer.answered else None
        await shown.edit_reply_markup(InlineKeyboardMarkup(ratings) if ratings else None)
    await send_page(shown, pressed.query_id, answer, pressed.page, quote=True)
