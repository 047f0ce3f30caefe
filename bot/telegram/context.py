"""What the handlers share, typed: a context whose properties replace bot_data's string keys
(python-telegram-bot's ContextTypes, as in its contexttypesbot example)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.events import EventSink, NullSink
from bot.settings import Settings
from bot.telegram.corpus_watch import CorpusWatch
from bot.telegram.intake import DeliverySink, Intake
from bot.telegram.ratelimit import UserRateLimiter
from bot.telegram.recent_answers import RecentAnswers
from retrieval import Retriever

if TYPE_CHECKING:
    from bot.telegram.activity import Activity, UpdateNote
    from bot.telegram.reload import IndexKeeper

# Each user's budget: this many messages per window (handlers/gate.py prices the other kinds:
# twice as many button presses, six times as many inline queries).
QUESTIONS_PER_WINDOW = 5
WINDOW_SECONDS = 10


@dataclass
class BotData:
    """The resources of one running bot, set once by build_application."""

    retriever: Retriever | None = None
    settings: Settings = field(default_factory=Settings)
    sink: EventSink = field(default_factory=NullSink)
    # answers whose «المزيد» and 👍/👎 buttons may still be pressed
    recent: RecentAnswers = field(default_factory=RecentAnswers)
    # a store of their own: inline queries come as the user types and must not push the
    # chat answers (whose buttons need them) out of ``recent``
    inline_recent: RecentAnswers = field(default_factory=RecentAnswers)
    limiter: UserRateLimiter = field(
        default_factory=lambda: UserRateLimiter(QUESTIONS_PER_WINDOW, WINDOW_SECONDS)
    )
    watch: CorpusWatch | None = None
    keeper: IndexKeeper | None = None  # swaps ``retriever`` for a newer index (reload.py)
    activity: Activity | None = None  # the activity lines of the bot's own log
    intake: Intake | None = None  # the inbox every update goes through (bot/telegram/intake.py)

    @property
    def log(self) -> EventSink:
        """The query log (or whatever sink was given) behind the handlers' sink."""
        return self.sink.sink if isinstance(self.sink, DeliverySink) else self.sink


class BotContext(CallbackContext[ExtBot, dict, dict, BotData]):
    """The context every handler gets: ``context.retriever`` instead of bot_data["..."]."""

    # one context serves every handler group of an update: its activity line's notes
    note: UpdateNote | None = None

    @property
    def retriever(self) -> Retriever:
        retriever = self.bot_data.retriever
        assert retriever is not None, "build_application sets the retriever"
        return retriever

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def sink(self) -> EventSink:
        return self.bot_data.sink

    @property
    def keeper(self) -> IndexKeeper:
        keeper = self.bot_data.keeper
        assert keeper is not None, "build_application sets the index keeper"
        return keeper


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)
BotApplication = Application[ExtBot, BotContext, dict, dict, BotData, object]
