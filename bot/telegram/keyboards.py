"""The buttons under an answer: «المزيد» while pages remain, and 👍/👎."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import messages
from bot.telegram import format as fmt
from bot.telegram.recent_answers import more_data, rating_data
from retrieval import Answer


def rating_buttons(query_id: str) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton("👍", callback_data=rating_data(query_id, +1)),
        InlineKeyboardButton("👎", callback_data=rating_data(query_id, -1)),
    ]


def answer_keyboard(query_id: str, answer: Answer, page: int) -> InlineKeyboardMarkup | None:
    """«المزيد» while more pages remain (without an answer: the closest passages, marked
    weak), and 👍/👎 for an answer."""
    rows = [rating_buttons(query_id)] if answer.answered else []
    if page + 1 < fmt.page_count(answer):
        data = more_data(query_id, page + 1)
        rows.insert(0, [InlineKeyboardButton(messages.MORE_BUTTON, callback_data=data)])
    return InlineKeyboardMarkup(rows) if rows else None
