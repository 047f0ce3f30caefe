"""The Telegram bot: the python-telegram-bot Application, its handler table and lifecycle."""

from __future__ import annotations

import logging
from pathlib import Path

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import messages
from bot.events import EventSink, NullSink
from bot.querylog import QueryLog
from bot.settings import Settings
from bot.telegram import activity
from bot.telegram.context import CONTEXT_TYPES, BotApplication
from bot.telegram.corpus_watch import CorpusWatch
from bot.telegram.handlers.admin import reload_command
from bot.telegram.handlers.buttons import invalid_button, more_button, rating_button
from bot.telegram.handlers.commands import (
    help_command,
    not_text,
    source_command,
    sources_command,
    stats_command,
    unknown_command,
)
from bot.telegram.handlers.errors import on_error
from bot.telegram.handlers.gate import allow_list, rate_limit
from bot.telegram.handlers.inline import chosen_inline_result, inline_query
from bot.telegram.handlers.questions import ask_command, group_message, private_question
from bot.telegram.handlers.uploads import (
    REMOVE_PATTERN,
    documents_command,
    remove_button,
    remove_command,
    upload_document,
)
from bot.telegram.intake import DeliverySink, InboxBot, InboxProcessor, InboxQueue, Intake
from bot.telegram.ratelimit import UserRateLimiter
from bot.telegram.recent_answers import MORE_PATTERN, RATING_PATTERN
from bot.telegram.reload import IndexKeeper
from bot.telegram.request import SafeRetryRequest
from retrieval import Retriever

log = logging.getLogger("bot.telegram")

READ_TIMEOUT = 5.0  # seconds to wait for Telegram's answer to a request (python-telegram-bot's)
# The updates the handlers below use; anything else is not even fetched.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query",
                   "chosen_inline_result"]  # fmt: skip
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
CONCURRENT_UPDATES = 16


def send_pacing() -> AIORateLimiter:
    """python-telegram-bot's limiter of what the bot sends: Telegram's 30 a second overall,
    one every 1/30 s rather than bursts of 30 (aiolimiter's bucket at its default). Paced,
    at most about one reply is ever between Telegram accepting it and its done mark in the
    inbox, the window in which a crash duplicates a reply (docs/telegram.md, "Delivery");
    in bursts, up to 16 were. It also waits out a 429's retry_after and tries again."""
    return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 30, max_retries=3)


def build_application(
    settings: Settings,
    retriever: Retriever,
    inbox: Path,
    sink: EventSink | None = None,
    limiter: UserRateLimiter | None = None,
    watch: CorpusWatch | None = None,
    keeper: IndexKeeper | None = None,
) -> BotApplication:
    """The bot, ready to run: shared resources in its typed bot_data, every handler added.

    ``inbox``: the folder of the files every update is recorded in before Telegram is told
    it arrived (bot/telegram/intake.py), the data folder in `marjaa bot`."""
    log_sink = sink if sink is not None else NullSink()
    intake = Intake(inbox, log_sink)
    bot = InboxBot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.file_base_url,  # where getFile's files are downloaded
        # Sends again only what cannot have reached Telegram (see bot/telegram/request.py).
        request=SafeRetryRequest(connection_pool_size=256, read_timeout=READ_TIMEOUT),
        # Two connections for getUpdates, not the builder's one: at shutdown the Updater
        # confirms the last batch while the cancelled long poll may still hold a connection,
        # and with one it failed ("pool timeout"), so those updates came again at the restart.
        get_updates_request=HTTPXRequest(connection_pool_size=2),
        rate_limiter=send_pacing(),
        # Every message the bot writes is Telegram HTML (all corpus and user text escaped),
        # without link previews (citations are links)
        defaults=Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW),
        intake=intake,
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(CONTEXT_TYPES)
        # Records each update the webhook server receives before it answers 200.
        .update_queue(InboxQueue(intake))
        # Questions are answered side by side (one slow search must not hold up the others),
        # and each update is marked done when its handlers have returned.
        .concurrent_updates(InboxProcessor(intake, CONCURRENT_UPDATES))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    shared = application.bot_data
    shared.retriever, shared.settings, shared.watch = retriever, settings, watch
    shared.intake = intake
    # handlers log through the intake: a record waits for its update to be done
    shared.sink = DeliverySink(log_sink)
    if limiter is not None:
        shared.limiter = limiter
    # without a keeper of its own (tests): one for the corpus the retriever was opened from
    shared.keeper = keeper or IndexKeeper(
        retriever.corpus.root, settings.data_dir, settings.retrieval_config()
    )
    shared.keeper.shared = shared
    shared.activity = activity.Activity.for_bot(settings, log_sink)
    add_handlers(application)
    return application


def add_handlers(application: BotApplication) -> None:
    """The handler table: which update goes where, in order."""
    private_chat = filters.ChatType.PRIVATE
    text = filters.TEXT & ~filters.COMMAND
    admins = filters.User(user_id=application.bot_data.settings.admin_user_ids)
    application.add_handler(TypeHandler(Update, activity.update_started), activity.STARTED_GROUP)
    # gates: each the only handler of its group, so that both see every update
    application.add_handler(TypeHandler(Update, rate_limit), group=-2)
    application.add_handler(TypeHandler(Update, allow_list), group=-1)
    application.add_handler(CommandHandler(["start", "help"], help_command))
    # Anyone else's /stats (/reload, /documents, /remove) falls through to unknown_command:
    # the bot does not admit they exist.
    application.add_handler(CommandHandler("stats", stats_command, private_chat & admins))
    application.add_handler(CommandHandler("reload", reload_command, private_chat & admins))
    application.add_handler(CommandHandler("documents", documents_command, private_chat & admins))
    application.add_handler(CommandHandler("remove", remove_command, private_chat & admins))
    application.add_handler(CommandHandler("ask", ask_command))
    application.add_handler(CommandHandler("sources", sources_command))
    application.add_handler(CommandHandler("source", source_command))
    application.add_handler(MessageHandler(private_chat & text, private_question))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & text, group_message))
    application.add_handler(MessageHandler(private_chat & filters.COMMAND, unknown_command))
    # An admin's file is a document for the corpus; anyone else's, "text questions only"
    # (and nothing of theirs is downloaded).
    application.add_handler(
        MessageHandler(
            private_chat & admins & filters.UpdateType.MESSAGE & filters.Document.ALL,
            upload_document,
        )
    )
    application.add_handler(
        MessageHandler(private_chat & filters.UpdateType.MESSAGE & filters.ATTACHMENT, not_text)
    )
    application.add_handler(CallbackQueryHandler(more_button, pattern=MORE_PATTERN))
    application.add_handler(CallbackQueryHandler(rating_button, pattern=RATING_PATTERN))
    application.add_handler(CallbackQueryHandler(remove_button, pattern=REMOVE_PATTERN))
    application.add_handler(CallbackQueryHandler(invalid_button))
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_handler(ChosenInlineResultHandler(chosen_inline_result))
    application.add_handler(TypeHandler(Update, activity.update_done), activity.LOGGED_GROUP)
    application.add_error_handler(on_error)


async def _post_init(application: BotApplication) -> None:
    """Start the query log, register the command menus; the bot still serves if Telegram
    refuses a menu."""
    shared = application.bot_data
    if isinstance(shared.log, QueryLog):
        shared.log.start()
    if shared.intake is not None:
        # before any update is fetched: what the last run left is handled first
        await shared.intake.start(application.update_queue, application.bot)
    if shared.watch:
        shared.watch.start()
    commands = [BotCommand(name, description) for name, description in messages.COMMANDS]
    try:
        await application.bot.set_my_commands(commands)
    except TelegramError as exc:
        log.warning("could not register the command menu: %s", exc)
    # /stats, /reload, /documents and /remove appear in the admins' private chats only.
    admin_commands = [*commands, *(BotCommand(*c) for c in messages.ADMIN_COMMANDS)]
    for admin in sorted(shared.settings.admin_user_ids):
        try:
            await application.bot.set_my_commands(admin_commands, scope=BotCommandScopeChat(admin))
        except TelegramError as exc:  # e.g. the admin never opened a chat with the bot
            log.warning("could not register the admin menu of user %s: %s", admin, exc)
    retriever = shared.retriever
    assert retriever is not None
    log.info(
        "bot @%s ready: %d documents, %d passages",
        application.bot.username,
        len(retriever.corpus.documents),
        retriever.corpus.passage_count,
    )


async def _post_shutdown(application: BotApplication) -> None:
    """Flush the query log, once the replies in flight are finished; close the inbox."""
    shared = application.bot_data
    if shared.watch:
        await shared.watch.stop()
    if shared.keeper:
        await shared.keeper.close()
    if isinstance(shared.log, QueryLog):
        await shared.log.aclose()
    if shared.intake is not None:
        await shared.intake.close()
    if shared.activity:
        log.info("bot stopped: %s", shared.activity.summary())
