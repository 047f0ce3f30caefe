"""Inline mode: @bot question in any chat, and the logging of the article chosen."""

from __future__ import annotations

import re

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update

from bot import messages
from bot.events import QueryRecord, new_query_id
from bot.telegram import format as fmt
from bot.telegram.activity import note_answer
from bot.telegram.context import BotContext
from bot.telegram.handlers.commands import help_text
from bot.telegram.handlers.questions import search
from bot.telegram.handlers.shared import CHANNEL, hand_to_log
from bot.telegram.recent_answers import RecentAnswer

INLINE_CACHE_SECONDS = 60
_INLINE_RESULT_ID = re.compile(r"([0-9a-f]{12}):(\d{1,2})")


def _article(result_id: str, title: str, description: str, text: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=result_id,
        title=fmt.clip(title, 64),
        description=fmt.clip(description, 120),
        input_message_content=InputTextMessageContent(text),  # HTML, no preview: Defaults
    )


async def inline_query(update: Update, context: BotContext) -> None:
    """@bot question: one article per passage, each sending the passage with its citation."""
    query = update.inline_query
    if query is None:
        return
    question = query.query.strip()
    if not question:
        help_article = _article(
            "help", messages.INLINE_HELP_TITLE, messages.INLINE_HELP_DESCRIPTION, help_text(context)
        )
        await query.answer([help_article], cache_time=INLINE_CACHE_SECONDS)
        return
    answer, latency_ms = await search(context, question, fmt.PAGE_SIZE)
    note_answer(context, answer, len(answer.results) if answer.answered else 0)
    query_id = new_query_id()
    asked = fmt.inline_question(question)
    if answer.answered:
        articles = [
            _article(
                f"{query_id}:{result.rank}",
                result.passage.title,
                result.answer_sentence or result.passage.text,
                fmt.inline_message(asked, result),
            )
            for result in answer.results
        ]
        # Kept so the chosen article can be logged as the question (see chosen_inline_result).
        context.bot_data.inline_recent.add(query_id, RecentAnswer(answer, None, latency_ms))
    else:
        text = fmt.answer_message(answer)
        title = messages.INLINE_NO_ANSWER_TITLE if answer.words else messages.INLINE_HELP_TITLE
        articles = [_article("none", title, messages.REPHRASE_TIP, asked + text)]
    # personal: each article's id carries this query's id, which its choice is logged under
    await query.answer(articles, cache_time=INLINE_CACHE_SECONDS, is_personal=True)


async def chosen_inline_result(update: Update, context: BotContext) -> None:
    """An inline article was sent: that question is logged (partial queries typed are not)."""
    chosen = update.chosen_inline_result
    match = _INLINE_RESULT_ID.fullmatch(chosen.result_id) if chosen else None
    if chosen is None or match is None:
        return
    entry = context.bot_data.inline_recent.get(match[1])
    if entry is None:
        return
    # inline searches ask for one page only: the answer is what was shown
    record = QueryRecord(
        match[1], CHANNEL, "inline", chosen.from_user.id, entry.answer, entry.latency_ms
    )
    hand_to_log(context.sink.log_query, record)
