"""The real bot Application polling the fake Bot API, in this process: what the end-to-end
tests and the bot benchmarks start, and helpers to read what the bot sent."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from bot.events import EventSink, FeedbackRecord, QueryRecord, UploadRecord
from bot.settings import Settings
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.corpus_watch import CorpusWatch
from bot.telegram.ratelimit import UserRateLimiter
from bot.telegram.reload import IndexKeeper
from retrieval import Retriever
from tools.fake_bot_api import Call, FakeBotApi

os.environ.setdefault("PTB_TIMEDELTA", "1")  # as `marjaa bot` does (see bot/telegram/run.py)

TOKEN = "123456789:AAH-test-token-NEVER-IN-LOGS_0123456"
USER = 1001
FLUSH_USER = 4242


def buttons(call: Call) -> list[list[tuple[str, str]]]:
    """The inline keyboard of a message the bot sent: (label, callback data) by row."""
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    rows = markup["inline_keyboard"]
    return [[(b["text"], b.get("callback_data", "")) for b in row] for row in rows]


def button_data(call: Call, label: str) -> str:
    return next(data for row in buttons(call) for text, data in row if text == label)


def query_id_of(call: Call) -> str:
    """The query id an answer's buttons carry ("r:<query id>:+1"): the one the log keeps."""
    return button_data(call, "👍").split(":")[1]


def shown(call: Call) -> str:
    """The text the user sees (the fake server parsed the HTML as Telegram does)."""
    return call.params["_result"]["text"]


@dataclass
class RecordingSink:
    """An EventSink that keeps what it is handed."""

    queries: list[QueryRecord] = field(default_factory=list)
    feedback: list[FeedbackRecord] = field(default_factory=list)
    uploads: list[UploadRecord] = field(default_factory=list)

    def log_query(self, record: QueryRecord) -> None:
        self.queries.append(record)

    def log_feedback(self, record: FeedbackRecord) -> None:
        self.feedback.append(record)

    def log_upload(self, record: UploadRecord) -> None:
        self.uploads.append(record)


@dataclass
class RunningBot:
    api: FakeBotApi
    app: Any
    sink: Any  # a RecordingSink unless the test gave another (a QueryLog)

    async def ask(self, text: str, **options: Any) -> Call:
        """Send ``text`` and return the bot's next message to that chat (as delivered)."""
        chat_id = options.get("chat_id", options.get("user_id", USER))
        before = len(self.api.called("sendMessage", ok=True, chat_id=chat_id))
        self.api.send_text(text, **options)
        replies = await self.api.wait_for("sendMessage", before + 1, ok=True, chat_id=chat_id)
        return replies[-1]

    async def flush(self) -> None:
        """Return once every update pushed so far has been handled.

        Updates are dispatched in order, and a handler that ignores its update finishes
        without awaiting anything; so once the reply to a later /help arrives, every earlier
        update was handled (or is still sending, which the caller's wait would show).
        """
        await self.ask("/help", user_id=FLUSH_USER)


async def start_bot(
    api: FakeBotApi,
    retriever: Retriever,
    limiter: UserRateLimiter | None = None,
    sink: EventSink | None = None,
    watch: CorpusWatch | None = None,
    keeper: IndexKeeper | None = None,
    **settings: Any,
) -> RunningBot:
    """Build the Application as `marjaa bot` does and start polling the fake server.

    ``sink``: where questions go (default: a RecordingSink); a QueryLog is started and
    flushed by the Application's own post_init and post_shutdown, as in `marjaa bot`.
    """
    config = Settings(telegram_bot_token=TOKEN, telegram_api_base_url=api.base_url, **settings)
    sink = sink if sink is not None else RecordingSink()
    app = build_application(config, retriever, sink, limiter=limiter, watch=watch, keeper=keeper)
    await app.initialize()
    await app.post_init(app)
    await app.updater.start_polling(
        poll_interval=0,
        timeout=1,
        allowed_updates=ALLOWED_UPDATES,
        # as run_polling does: errors fetching updates go to the bot's error handler
        error_callback=lambda exc: app.create_task(app.process_error(error=exc, update=None)),
    )
    await app.start()
    return RunningBot(api, app, sink)


async def stop_bot(bot: RunningBot) -> None:
    bot.api.end_long_polls()
    if bot.app.updater.running:
        await bot.app.updater.stop()
    if bot.app.running:
        await bot.app.stop()
    await bot.app.shutdown()
    await bot.app.post_shutdown(bot.app)
