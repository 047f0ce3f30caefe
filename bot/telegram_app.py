"""The Telegram bot: python-telegram-bot Application, its handlers and its lifecycle."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import re
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatType, MessageEntityType, ParseMode
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import telegram_format as fmt
from bot.cli_logs import parse_when
from bot.config import Settings
from bot.corpus_watch import CorpusWatch
from bot.events import EventSink, FeedbackRecord, NullSink, QueryRecord, new_query_id
from bot.querylog import QueryLog
from bot.querylog.review import Period, read_summary
from bot.querylog.stats import stats_text
from bot.ratelimit import UserRateLimiter, Verdict
from bot.recent_answers import (
    MoreRequest,
    Rating,
    RecentAnswer,
    RecentAnswers,
    more_data,
    parse_callback,
    rating_data,
)
from bot.telegram_request import SafeRetryRequest, outcome_unknown
from retrieval.search import Answer, Retriever

log = logging.getLogger(__name__)

CHANNEL = "telegram"
TYPING_AFTER = 0.3  # seconds: "typing…" only for an answer not ready by then
MAX_PAGES = 3  # «المزيد» can show up to this many pages of PAGE_SIZE passages
QUESTIONS_PER_WINDOW = 5
WINDOW_SECONDS = 10
INLINE_QUERIES_PER_WINDOW = 30  # inline queries arrive as the user types
INLINE_CACHE_SECONDS = 60
READ_TIMEOUT = 5.0  # seconds to wait for Telegram's answer to a request (python-telegram-bot's)
# The updates the handlers below use; anything else is not even fetched.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query",
                   "chosen_inline_result"]  # fmt: skip

MORE_BUTTON = "المزيد"
THANKS = "شكراً، سُجّل تقييمك."
RATING_CHANGED = "شكراً، عُدّل تقييمك."
ALREADY_RATED = "سُجّل تقييمك من قبل."
ALREADY_SHOWN = "عُرضت هذه النتائج من قبل."
STALE_BUTTON = "انتهت صلاحية هذا الزر؛ أرسل سؤالك من جديد."
INVALID_BUTTON = "هذا الزر غير صالح."
UNKNOWN_COMMAND = "أمر غير معروف: {command} — اكتب /help لرؤية الأوامر."
STATS_COMMAND = ("stats", "إحصاءات سجل الأسئلة (للمشرفين)")
STATS_USAGE = "اكتب /stats للسجل كله، أو /stats 7d لآخر سبعة أيام، أو /stats 2026-11-01 منذ تاريخ."
STATS_UNAVAILABLE = "تعذّرت قراءة سجل الأسئلة الآن؛ التفاصيل في سجل البوت."

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_INLINE_RESULT_ID = re.compile(r"([0-9a-f]{12}):(\d{1,2})")

# bot_data keys
RETRIEVER = "retriever"
SINK = "sink"
SETTINGS = "settings"
RECENT = "recent_answers"
INLINE_RECENT = "recent_inline_answers"
LIMITER = "question_limiter"
INLINE_LIMITER = "inline_limiter"
WATCH = "corpus_watch"


def build_application(
    settings: Settings,
    retriever: Retriever,
    sink: EventSink | None = None,
    limiter: UserRateLimiter | None = None,
    watch: CorpusWatch | None = None,
) -> Application:
    """The bot, ready to run: shared resources in bot_data, every handler registered."""
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        # Sends again only what cannot have reached Telegram (see bot/telegram_request.py).
        .request(SafeRetryRequest(connection_pool_size=256, read_timeout=READ_TIMEOUT))
        # Paces what the bot sends and waits out Telegram's 429 RetryAfter, then retries.
        .rate_limiter(AIORateLimiter(max_retries=3))
        # Questions are answered side by side: one slow search must not hold up the others.
        .concurrent_updates(16)
        # Every message the bot writes is Telegram HTML (all corpus and user text escaped),
        # without link previews (citations are links)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.update(
        {
            RETRIEVER: retriever,
            SINK: sink or NullSink(),
            SETTINGS: settings,
            RECENT: RecentAnswers(),
            INLINE_RECENT: RecentAnswers(),
            LIMITER: limiter or UserRateLimiter(QUESTIONS_PER_WINDOW, WINDOW_SECONDS),
            INLINE_LIMITER: UserRateLimiter(INLINE_QUERIES_PER_WINDOW, WINDOW_SECONDS),
            WATCH: watch,
        }
    )
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    private_chat = filters.ChatType.PRIVATE
    text = filters.TEXT & ~filters.COMMAND
    admins = filters.User(user_id=application.bot_data[SETTINGS].admin_user_ids)
    application.add_handler(TypeHandler(Update, allow_list), group=-1)
    application.add_handler(CommandHandler(["start", "help"], help_command))
    # Anyone else's /stats falls through to unknown_command: the bot does not admit it exists.
    application.add_handler(CommandHandler("stats", stats_command, private_chat & admins))
    application.add_handler(CommandHandler("ask", ask_command))
    application.add_handler(CommandHandler("sources", sources_command))
    application.add_handler(CommandHandler("source", source_command))
    application.add_handler(MessageHandler(private_chat & text, private_question))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & text, group_message))
    application.add_handler(MessageHandler(private_chat & filters.COMMAND, unknown_command))
    application.add_handler(
        MessageHandler(private_chat & filters.UpdateType.MESSAGE & filters.ATTACHMENT, not_text)
    )
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_handler(ChosenInlineResultHandler(chosen_inline_result))
    application.add_error_handler(on_error)


async def _post_init(application: Application) -> None:
    """Start the query log, register the command menus; the bot still serves if Telegram
    refuses a menu."""
    sink = application.bot_data[SINK]
    if isinstance(sink, QueryLog):
        sink.start()
    if application.bot_data[WATCH]:
        application.bot_data[WATCH].start()
    commands = [BotCommand(name, description) for name, description in fmt.COMMANDS]
    try:
        await application.bot.set_my_commands(commands)
    except TelegramError as exc:
        log.warning("could not register the command menu: %s", exc)
    # /stats appears in the menu of the admins' private chats only.
    settings: Settings = application.bot_data[SETTINGS]
    for admin in sorted(settings.admin_user_ids):
        try:
            await application.bot.set_my_commands(
                [*commands, BotCommand(*STATS_COMMAND)], scope=BotCommandScopeChat(admin)
            )
        except TelegramError as exc:  # e.g. the admin never opened a chat with the bot
            log.warning("could not register the admin menu of user %s: %s", admin, exc)
    retriever: Retriever = application.bot_data[RETRIEVER]
    log.info(
        "bot @%s ready: %d documents, %d passages",
        application.bot.username,
        len(retriever.corpus.documents),
        len(retriever.passages),
    )


async def _post_shutdown(application: Application) -> None:
    """Flush the query log, once the replies in flight are finished."""
    if application.bot_data[WATCH]:
        await application.bot_data[WATCH].stop()
    sink = application.bot_data[SINK]
    if isinstance(sink, QueryLog):
        await sink.aclose()


def hand_to_log(hand: Callable[[Any], None], record: QueryRecord | FeedbackRecord) -> None:
    """Give a record to the log; a failing log must never cost the user a reply."""
    try:
        hand(record)
    except Exception:
        log.exception("the query log refused a record")


# --- gatekeeping ------------------------------------------------------------------------


async def allow_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop updates from chats outside ALLOWED_CHAT_IDS (admins always pass)."""
    settings: Settings = context.bot_data[SETTINGS]
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
            await update.callback_query.answer(fmt.NOT_ALLOWED)
        elif update.inline_query:
            await update.inline_query.answer([], cache_time=0)
        elif update.message and chat is not None and chat.type == ChatType.PRIVATE:
            await update.message.reply_text(fmt.escape(fmt.NOT_ALLOWED))
    raise ApplicationHandlerStop


def _admitted(context: ContextTypes.DEFAULT_TYPE, key: str, user_id: int | None) -> Verdict:
    settings: Settings = context.bot_data[SETTINGS]
    if user_id is None or user_id in settings.admin_user_ids:
        return Verdict.ALLOW
    limiter: UserRateLimiter = context.bot_data[key]
    return limiter.check(user_id)


# --- questions --------------------------------------------------------------------------


async def search(context: ContextTypes.DEFAULT_TYPE, question: str, k: int) -> tuple[Answer, float]:
    """Search in a worker thread, so the event loop keeps serving other chats meanwhile.

    Returns the answer and the search's time in ms: the bot's own part, as the console and
    `marjaa ask` log it (Telegram's requests, "typing…" included, are not ours to tune)."""
    retriever: Retriever = context.bot_data[RETRIEVER]
    started = time.perf_counter()
    answer = await asyncio.to_thread(retriever.search, question, k)
    return answer, (time.perf_counter() - started) * 1000


async def search_showing_typing(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, question: str, k: int
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


def rating_buttons(query_id: str) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton("👍", callback_data=rating_data(query_id, +1)),
        InlineKeyboardButton("👎", callback_data=rating_data(query_id, -1)),
    ]


def answer_keyboard(query_id: str, answer: Answer, page: int) -> InlineKeyboardMarkup | None:
    """«المزيد» while more pages remain, and 👍/👎 for any answer with passages."""
    if not answer.answered:
        return None
    rows = [rating_buttons(query_id)]
    if page + 1 < fmt.page_count(answer):
        more = InlineKeyboardButton(MORE_BUTTON, callback_data=more_data(query_id, page + 1))
        rows.insert(0, [more])
    return InlineKeyboardMarkup(rows)


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str, quote: bool
) -> None:
    """Search, reply with the first page of passages and buttons, hand the question to the log."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    user_id = user.id if user else None
    verdict = _admitted(context, LIMITER, user_id)
    if verdict is not Verdict.ALLOW:
        if verdict is Verdict.NOTIFY:
            limiter: UserRateLimiter = context.bot_data[LIMITER]
            notice = fmt.rate_limited_message(limiter.limit, int(limiter.window))
            await message.reply_text(notice, do_quote=quote)
        return
    k = fmt.PAGE_SIZE * MAX_PAGES
    answer, latency_ms = await search_showing_typing(context, chat.id, question, k)
    query_id = new_query_id()
    if answer.answered:
        recent: RecentAnswers = context.bot_data[RECENT]
        recent.add(query_id, RecentAnswer(answer, chat.id, latency_ms))
    if answer.words:  # a message with no word to search for (emoji, symbols) is no question
        shown = dataclasses.replace(answer, results=answer.results[: fmt.PAGE_SIZE])
        sink: EventSink = context.bot_data[SINK]
        record = QueryRecord(query_id, CHANNEL, chat.type, user_id, shown, latency_ms)
        hand_to_log(sink.log_query, record)
    await send_page(message, query_id, answer, 0, quote)


async def send_page(
    message: Message, query_id: str, answer: Answer, page: int, quote: bool
) -> None:
    """One page of passages, with «المزيد» (while pages remain) and 👍/👎."""
    await message.reply_text(
        fmt.answer_message(answer, page),
        reply_markup=answer_keyboard(query_id, answer, page),
        do_quote=quote,
    )


async def private_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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


async def group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Group chatter is ignored unless it mentions the bot or replies to it."""
    message = update.effective_message
    if message is None:
        return
    question = addressed_question(message, context.bot.id, context.bot.username)
    if question is not None:
        await answer_question(update, context, question, quote=True)


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask question — or /ask in reply to a message whose text is the question."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    parts = message.text.split(maxsplit=1)
    question = parts[1] if len(parts) > 1 else ""
    if not question.strip() and message.reply_to_message and message.reply_to_message.text:
        question = message.reply_to_message.text
    if not question.strip():
        await message.reply_text(fmt.escape(fmt.ASK_USAGE))
        return
    private = update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE
    await answer_question(update, context, question, quote=not private)


# --- buttons ----------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«المزيد» and 👍/👎; data this bot did not make, or forgot, gets a polite answer."""
    callback = update.callback_query
    if callback is None:
        return
    pressed = parse_callback(callback.data)
    if pressed is None:
        await callback.answer(INVALID_BUTTON)
        return
    recent: RecentAnswers = context.bot_data[RECENT]
    entry = recent.get(pressed.query_id)
    if entry is None:
        await callback.answer(STALE_BUTTON)
        return
    if isinstance(pressed, Rating):
        await callback.answer(rate(callback.from_user.id, pressed, entry, context.bot_data[SINK]))
    elif isinstance(pressed, MoreRequest):
        await show_more(update, context, pressed, entry)


def rate(user_id: int, pressed: Rating, entry: RecentAnswer, sink: EventSink) -> str:
    """Hand a new or changed rating to the log (the same one twice is logged once); the reply."""
    previous = entry.ratings.get(user_id)
    if previous == pressed.rating:
        return ALREADY_RATED
    entry.ratings[user_id] = pressed.rating
    hand_to_log(sink.log_feedback, FeedbackRecord(pressed.query_id, user_id, pressed.rating))
    return THANKS if previous is None else RATING_CHANGED


async def show_more(
    update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: MoreRequest, entry: RecentAnswer
) -> None:
    """The next page as a reply to the answer (which keeps its passages and loses «المزيد»)."""
    callback = update.callback_query
    assert callback is not None
    answer = entry.answer
    shown = callback.message
    if not isinstance(shown, Message):
        # No message to reply to (Telegram left it out, or it is too old to be given): the
        # button is as good as stale, and the page stays available.
        await callback.answer(STALE_BUTTON)
        return
    if pressed.page in entry.pages_sent or pressed.page >= fmt.page_count(answer):
        await callback.answer(ALREADY_SHOWN)
        return
    entry.pages_sent.add(pressed.page)  # before any await: a double tap must not send twice
    await callback.answer()
    with suppress(TelegramError):  # the old buttons are cosmetic; the new page matters
        await shown.edit_reply_markup(InlineKeyboardMarkup([rating_buttons(pressed.query_id)]))
    await send_page(shown, pressed.query_id, answer, pressed.page, quote=True)


# --- commands ---------------------------------------------------------------------------


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start and /help: what the bot does, how to ask, its sources and commands."""
    message = update.effective_message
    if message is None:
        return
    retriever: Retriever = context.bot_data[RETRIEVER]
    text = fmt.help_message(
        context.bot.username or "", retriever.corpus.documents, len(retriever.passages)
    )
    await message.reply_text(text)


def _number(context: ContextTypes.DEFAULT_TYPE) -> int | str | None:
    """The command's first argument as a number (Arabic-Indic digits too), else as given."""
    if not context.args:
        return None
    try:
        return int(context.args[0])  # int() reads any Unicode decimal digits: "٣" is 3
    except ValueError:
        return context.args[0]


async def sources_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources [page]: the numbered list of documents."""
    message = update.effective_message
    if message is None:
        return
    documents = context.bot_data[RETRIEVER].corpus.documents
    pages = fmt.sources_pages(documents)
    page = _number(context) or 1
    if not isinstance(page, int) or not 1 <= page <= pages:
        text = fmt.escape(fmt.NO_SOURCES_PAGE.format(value=fmt.echo(str(page)), count=pages))
    else:
        text = fmt.sources_message(documents, page)
    await message.reply_text(text)


async def source_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/source N: one document's title, source, passage count and link."""
    message = update.effective_message
    if message is None:
        return
    documents = context.bot_data[RETRIEVER].corpus.documents
    number = _number(context)
    if number is None:
        text = fmt.escape(fmt.SOURCE_USAGE)
    elif not isinstance(number, int) or not 1 <= number <= len(documents):
        text = fmt.escape(fmt.NO_SOURCE.format(value=fmt.echo(str(number)), count=len(documents)))
    else:
        text = fmt.source_message(documents[number - 1], number)
    await message.reply_text(text)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command this bot does not have, in a private chat."""
    message = update.effective_message
    if message is None or not message.text:
        return
    text = fmt.escape(UNKNOWN_COMMAND.format(command=fmt.echo(message.text.split(maxsplit=1)[0])))
    await message.reply_text(text)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo, sticker, voice note, file or location: only text questions are understood."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(fmt.escape(fmt.NOT_TEXT))


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [since] (admins, in a private chat): the query-log summary."""
    message = update.effective_message
    if message is None:
        return
    period = Period()
    if context.args:
        try:
            period = Period(since=parse_when(context.args[0]))
        except (argparse.ArgumentTypeError, ValueError, OverflowError):
            await message.reply_text(fmt.escape(STATS_USAGE))
            return
    settings: Settings = context.bot_data[SETTINGS]
    try:
        summary = await read_summary(settings.db, period)
    except Exception:  # a damaged or unreadable file: say so, keep the details for the log
        log.warning("/stats: cannot read the query log %s", settings.db, exc_info=True)
        await message.reply_text(fmt.escape(STATS_UNAVAILABLE))
        return
    text = fmt.truncate_html(stats_text(summary, html=True), fmt.MAX_MESSAGE)
    await message.reply_text(text)


# --- inline mode ------------------------------------------------------------------------


def _article(result_id: str, title: str, description: str, text: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=result_id,
        title=fmt.clip(title, 64),
        description=fmt.clip(description, 120),
        input_message_content=InputTextMessageContent(text),  # HTML, no preview: Defaults
    )


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot question: one article per passage, each sending the passage with its citation."""
    query = update.inline_query
    if query is None:
        return
    question = query.query.strip()
    retriever: Retriever = context.bot_data[RETRIEVER]
    if not question:
        text = fmt.help_message(
            context.bot.username or "", retriever.corpus.documents, len(retriever.passages)
        )
        help_article = _article("help", fmt.INLINE_HELP_TITLE, fmt.INLINE_HELP_DESCRIPTION, text)
        await query.answer([help_article], cache_time=INLINE_CACHE_SECONDS)
        return
    if _admitted(context, INLINE_LIMITER, query.from_user.id) is not Verdict.ALLOW:
        await query.answer([], cache_time=0)
        return
    answer, latency_ms = await search(context, question, fmt.PAGE_SIZE)
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
        # A store of their own: inline queries come as the user types and must not push the
        # chat answers (whose buttons need them) out of RECENT.
        context.bot_data[INLINE_RECENT].add(query_id, RecentAnswer(answer, None, latency_ms))
    else:
        text = fmt.answer_message(answer)
        title = fmt.INLINE_NO_ANSWER_TITLE if answer.words else fmt.INLINE_HELP_TITLE
        articles = [_article("none", title, fmt.REPHRASE_TIP, asked + text)]
    # personal: each article's id carries this query's id, which its choice is logged under
    await query.answer(articles, cache_time=INLINE_CACHE_SECONDS, is_personal=True)


async def chosen_inline_result(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline article was sent: that question is logged (partial queries typed are not)."""
    chosen = update.chosen_inline_result
    match = _INLINE_RESULT_ID.fullmatch(chosen.result_id) if chosen else None
    if chosen is None or match is None:
        return
    entry = context.bot_data[INLINE_RECENT].get(match[1])
    if entry is None:
        return
    # inline searches ask for one page only: the answer is what was shown
    record = QueryRecord(
        match[1], CHANNEL, "inline", chosen.from_user.id, entry.answer, entry.latency_ms
    )
    hand_to_log(context.bot_data[SINK].log_query, record)


# --- errors -----------------------------------------------------------------------------


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
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
            await update.callback_query.answer(fmt.ERROR)
        elif update.effective_message and update.effective_chat:
            await update.effective_message.reply_text(fmt.escape(fmt.ERROR))
