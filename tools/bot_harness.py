"""The real bot Application polling the fake Bot API, in this process: what the end-to-end
tests and the bot benchmarks start, and helpers to read what the bot sent."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
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
# flush() asks from a new user each time, so that its /help never meets the rate limit
_FLUSH_USERS = itertools.count(FLUSH_USER)


def without_send_pacing() -> None:
    """Switch off python-telegram-bot's pacing of what the bot sends (Telegram's 30 a second),
    for benchmarks measuring the bot itself; 429s are still waited out."""
    from telegram.ext import AIORateLimiter

    from bot.telegram import app

    def unpaced() -> AIORateLimiter:
        return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)

    app.send_pacing = unpaced  # type: ignore[assignment]


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
    inbox: Path  # the folder of the bot's inbox files
    own_inbox: bool = True  # a temporary folder of its own, removed when it stops

    async def ask(self, text: str, **options: Any) -> Call:
        """Send ``text``; return the bot's next message to that chat (as delivered) once the
        bot is done with the question (what it logs is then in the sink)."""
        chat_id = options.get("chat_id", options.get("user_id", USER))
        before = len(self.api.called("sendMessage", ok=True, chat_id=chat_id))
        update = self.api.push(message=self.api.message(text, **options))
        replies = await self.api.wait_for("sendMessage", before + 1, ok=True, chat_id=chat_id)
        await self.finished(update["update_id"])
        return replies[-1]

    async def flush(self) -> None:
        """Return once every update pushed so far has been handled.

        Updates are fetched in order: once a later /help is answered, every earlier update
        was taken in, and ``settled`` waits for the ones still being handled.
        """
        await self.ask("/help", user_id=next(_FLUSH_USERS))
        await self.settled()

    async def finished(self, *update_ids: int, timeout: float = 10.0) -> None:
        """Wait until the bot has finished these updates: their handlers have returned and
        what they logged was handed to the sink."""
        intake = self.app.bot_data.intake
        await self._until(lambda: set(update_ids) <= set(intake.finished), timeout)

    async def settled(self, timeout: float = 10.0) -> None:
        """Wait until every update the bot has taken in is finished."""
        app = self.app

        def idle() -> bool:
            return app.update_queue.empty() and not app.update_processor.current_concurrent_updates

        # twice, a moment apart: an update just taken from the queue is not counted yet
        for _ in range(2):
            await self._until(idle, timeout)
            await asyncio.sleep(0.02)

    @staticmethod
    async def _until(condition: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not finish its updates within {timeout} s")
            await asyncio.sleep(0.01)


async def start_bot(
    api: FakeBotApi,
    retriever: Retriever,
    limiter: UserRateLimiter | None = None,
    sink: EventSink | None = None,
    watch: CorpusWatch | None = None,
    keeper: IndexKeeper | None = None,
    inbox: Path | None = None,
    **settings: Any,
) -> RunningBot:
    """Build the Application as `marjaa bot` does and start polling the fake server.

    ``sink``: where questions go (default: a RecordingSink); a QueryLog is started and
    flushed by the Application's own post_init and post_shutdown, as in `marjaa bot`.
    """
    config = Settings(telegram_bot_token=TOKEN, telegram_api_base_url=api.base_url, **settings)
    sink = sink if sink is not None else RecordingSink()
    # the folder of its inbox files: a temporary one (removed by stop_bot) unless given
    own = inbox is None
    inbox = inbox or Path(tempfile.mkdtemp(prefix="marjaa-inbox-"))
    app = build_application(
        config, retriever, inbox, sink, limiter=limiter, watch=watch, keeper=keeper
    )
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
    return RunningBot(api, app, sink, inbox, own)


async def stop_bot(bot: RunningBot) -> None:
    bot.api.end_long_polls()
    if bot.app.updater.running:
        await bot.app.updater.stop()
    if bot.app.running:
        await bot.app.stop()
    await bot.app.shutdown()
    await bot.app.post_shutdown(bot.app)
    if bot.own_inbox:
        shutil.rmtree(bot.inbox, ignore_errors=True)
