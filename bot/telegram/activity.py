"""What the bot is doing, in its own log: one line per update it answered (kind, chat type,
latency, whether a question was answered and with how many passages, the hashed user key),
never a raw id and never the question's text unless MARJAA_LOG_QUESTIONS=1."""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass, field

from telegram import Update
from telegram.constants import MessageEntityType

from bot.querylog import QueryLog, UserKeys
from bot.querylog.privacy import load_salt
from bot.safe_text import bounded, printable
from bot.settings import Settings
from bot.telegram.context import BotContext
from bot.telegram.handlers.shared import CHANNEL
from retrieval import Answer

log = logging.getLogger("marjaa.activity")

QUESTION_CHARS = 300  # a logged question (MARJAA_LOG_QUESTIONS=1) is cut to this length
STARTED_GROUP = -3  # before the gates (rate limit, allow-list): the latency counts it all
LOGGED_GROUP = 1  # after the handlers: the line is written once the reply was sent


@dataclass
class UpdateNote:
    """What one update's handling found out, for its log line (kept on its context)."""

    started: float
    answered: bool | None = None  # a question: whether the corpus answered it
    results: int | None = None
    question: str | None = None


@dataclass
class Activity:
    """The bot's activity log: how user keys are made, and the totals of the stop line."""

    keys: UserKeys
    log_questions: bool = False
    started: float = field(default_factory=time.monotonic)
    updates: int = 0
    questions: int = 0
    answered: int = 0

    @classmethod
    def for_bot(cls, settings: Settings, sink: object) -> Activity:
        """The query log's keys when it hashes (the same key in both logs); else hashed with
        the query log's salt (raw ids stored by choice never reach this log), or a salt of
        this run when nothing is logged."""
        if isinstance(sink, QueryLog):
            keys = sink.user_keys
            if not keys.hashed:
                keys = UserKeys(load_salt(settings.data_dir, settings.log_salt))
        else:
            keys = UserKeys(secrets.token_hex(32).encode())
        return cls(keys, settings.log_questions)

    def summary(self) -> str:
        minutes = (time.monotonic() - self.started) / 60
        return (
            f"{self.updates} updates answered in {minutes:.1f} min "
            f"({self.questions} questions, {self.answered} answered from the corpus)"
        )


def note_answer(context: BotContext, answer: Answer, shown: int) -> None:
    """Called by the question handlers: the answer, for this update's log line."""
    note = context.note
    if note is not None:
        note.answered, note.results = answer.answered, shown
        note.question = answer.query


async def update_started(update: Update, context: BotContext) -> None:
    context.note = UpdateNote(time.perf_counter())


def _kind(update: Update, note: UpdateNote) -> str | None:
    """What the update was; None for what the bot let pass without a word (group chatter,
    an inline result being chosen)."""
    if update.callback_query:
        return "button"
    if update.inline_query:
        return "inline"
    message = update.effective_message
    if message is None or update.chosen_inline_result:
        return None
    command = next(
        (e for e in message.entities if e.type == MessageEntityType.BOT_COMMAND and e.offset == 0),
        None,
    )
    if command is not None and message.text:
        name = message.text[1 : command.length].split("@", 1)[0]
        return f"/{bounded(printable(name), 32)}"
    if message.document:
        return "document"
    if message.text is None:
        return "attachment"
    if note.answered is None and message.chat.type != "private":
        return None  # group chatter not addressed to the bot
    return "question"


async def update_done(update: Update, context: BotContext) -> None:
    """The line of one update, once its handler has finished (group LOGGED_GROUP)."""
    note = context.note
    activity = context.bot_data.activity
    if note is None or activity is None:
        return
    kind = _kind(update, note)
    if kind is None:
        return
    chat = update.effective_chat
    user = update.effective_user
    fields: dict[str, object] = {
        "event": "update",
        "channel": CHANNEL,
        "chat_type": chat.type if chat else ("inline" if update.inline_query else None),
        "kind": kind,
        "latency_ms": round((time.perf_counter() - note.started) * 1000, 1),
        "answered": note.answered,
        "results": note.results,
        "user": activity.keys.key(user.id) if user else None,
    }
    if activity.log_questions and note.question is not None:
        fields["question"] = bounded(printable(note.question), QUESTION_CHARS)
    activity.updates += 1
    if note.answered is not None:
        activity.questions += 1
        activity.answered += int(note.answered)
    log.info(line(fields), extra={"fields": fields})


def line(fields: dict[str, object]) -> str:
    """The text form: ``update private question 41.2 ms answered=yes results=3 user=…``."""
    answered = {True: "yes", False: "no", None: "-"}[fields["answered"]]  # type: ignore[index]
    results = "-" if fields["results"] is None else fields["results"]
    text = (
        f"update {fields['channel']} {fields['chat_type'] or '-'} {fields['kind']} "
        f"{fields['latency_ms']} ms answered={answered} results={results} "
        f"user={fields['user'] or '-'}"
    )
    if "question" in fields:
        text += f" question={json.dumps(fields['question'], ensure_ascii=False)}"
    return text
