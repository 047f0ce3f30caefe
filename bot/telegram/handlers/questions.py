"""Questions: private messages, group messages addressed to the bot, /ask."""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress

from telegram import Message, Update
from telegram.constants import ChatAction, ChatType, MessageEntityType
from telegram.error import TelegramError

from bot import messages
from bot.answering import PAGES, first_page
from bot.events import QueryRecord, new_query_id
from bot.telegram import format as fmt
from bot.telegram.activity import note_answer
from bot.telegram.context import BotContext
from bot.telegram.handlers.shared import CHANNEL, hand_to_log
from bot.telegram.keyboards import answer_keyboard
from bot.telegram.recent_answers import RecentAnswer
from retrieval import Answer

TYPING_AFTER = 0.3  # seconds: "typing…" only for an answer not ready by then


async def search(context: BotContext, question: str, k: int) -> tuple[Answer, float]:
    """Search in a worker thread, so the event loop keeps serving other chats meanwhile.

    Returns the answer and the search's time in ms: the bot's own part, as the console and
    `marjaa ask` log it (Telegram's requests, "typing…" included, are not ours to tune)."""
    started = time.perf_counter()
    answer = await asyncio.to_thread(context.retriever.search, question, k)
    return answer, (time.perf_counter() - started) * 1000


async def search_showing_typing(
    context: BotContext, chat_id: int, question: str, k: int
) -> tuple[Answer, float]:
    """Search; show "typing…" only when the answer is not ready within TYPING_AFTER.

    The Bot API advises the chat action only for replies that take noticeable time, and each
    one is a request counted against Telegram's 30 a second: on every question it would
    halve how many questions the bot can answer.
    """
    searching = asyncio.ensure_future(search(context, question, k))
    try:
        return await asyncio.wait_for(asyncio.shield(searching), TYPING_AFTER)
    except TimeoutError:
        with suppress(TelegramError):  # "typing…" is a courtesy: never lose the answer over it
            await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
        return await searching


async def answer_question(update: Update, context: BotContext, question: str, quote: bool) -> None:
    """Search, reply with the first page of passages and buttons, hand the question to the log
    (the gate has counted it against the user's rate limit)."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    user_id = user.id if user else None
    k = fmt.PAGE_SIZE * PAGES  # «المزيد» shows the next pages
    answer, latency_ms = await search_showing_typing(context, chat.id, question, k)
    note_answer(context, answer, min(len(answer.results), fmt.PAGE_SIZE))
    query_id = new_query_id()
    if answer.answered or fmt.page_count(answer) > 1:  # its 👍/👎 or «المزيد» may be pressed
        context.bot_data.recent.add(query_id, RecentAnswer(answer, chat.id, latency_ms))
    await send_page(message, query_id, answer, 0, quote)
    # Logged once Telegram accepted the reply: the log holds no answer that was never sent.
    if answer.words:  # a message with no word to search for (emoji, symbols) is no question
        shown = first_page(answer, fmt.PAGE_SIZE)
        record = QueryRecord(query_id, CHANNEL, chat.type, user_id, shown, latency_ms)
        hand_to_log(context.sink.log_query, record)


async def send_page(
    message: Message, query_id: str, answer: Answer, page: int, quote: bool
) -> None:
    """One page of passages, with «المزيد» (while pages remain) and 👍/👎."""
    await message.reply_text(
        fmt.answer_message(answer, page),
        reply_markup=answer_keyboard(query_id, answer, page),
        do_quote=quote,
    )


async def private_question(update: Update, context: BotContext) -> None:
    """Any text in a private chat is a question (an edited one is answered again)."""
    message = update.effective_message
    if message and message.text is not None:
        edited = update.edited_message is not None
        await answer_question(update, context, message.text, quote=edited)


def addressed_question(message: Message, bot_id: int, username: str | None) -> str | None:
    """The question in a group message meant for the bot (a mention of it or a reply to it)."""
    text = message.text or ""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text
    mention = f"@{username}".lower() if username else None
    for entity, value in message.parse_entities(
        [MessageEntityType.MENTION, MessageEntityType.TEXT_MENTION]
    ).items():
        is_bot = (
            entity.user is not None and entity.user.id == bot_id
            if entity.type == MessageEntityType.TEXT_MENTION
            else value.lower() == mention
        )
        if is_bot:
            return text.replace(value, " ", 1)
    return None


async def group_message(update: Update, context: BotContext) -> None:
    """Group chatter is ignored unless it mentions the bot or replies to it."""
    message = update.effective_message
    if message is None:
        return
    question = addressed_question(message, context.bot.id, context.bot.username)
    if question is not None:
        await answer_question(update, context, question, quote=True)


async def ask_command(update: Update, context: BotContext) -> None:
    """/ask question — or /ask in reply to a message whose text is the question."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    parts = message.text.split(maxsplit=1)
    question = parts[1] if len(parts) > 1 else ""
    if not question.strip() and message.reply_to_message and message.reply_to_message.text:
        question = message.reply_to_message.text
    if not question.strip():
        await message.reply_text(fmt.escape(messages.ASK_USAGE))
        return
    private = update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE
    await answer_question(update, context, question, quote=not private)
