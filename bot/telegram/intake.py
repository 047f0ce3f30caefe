"""Durable intake: the inbox (bot/telegram/inbox.py) wired into python-telegram-bot through
its own extension points, so that no update Telegram delivered is lost to a crash.

- polling: ``InboxBot.get_updates`` records each batch before returning it; the Updater
  confirms a batch (the offset of its next getUpdates) only after that;
- webhook: the webhook server awaits ``InboxQueue.put`` before it answers 200, and ``put``
  records the update first;
- both: ``put`` drops an update Telegram delivers again (already in the inbox);
- ``InboxProcessor`` marks an update done once python-telegram-bot has run its handlers (its
  reply accepted by Telegram), with the query-log records the handlers produced; only then are
  those records handed to the query log, so it holds no answer that was never sent;
- ``Intake.start`` (post_init, before any new update is fetched) queues what an earlier run
  left pending, in order, and hands the query log the records it may have missed.
docs/telegram.md, "Delivery", gives the guarantee and the one window that can duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor, ExtBot

from bot.events import EventSink, FeedbackRecord, QueryRecord, UploadRecord
from bot.querylog import QueryLog
from bot.telegram.handlers.shared import hand_to_log
from bot.telegram.inbox import MAX_ATTEMPTS, Inbox, Row
from retrieval import Answer, Passage, Result

log = logging.getLogger("marjaa.inbox")

# seconds between clean-ups of what done updates leave: their payloads, the log records the
# query log has written
TIDY_EVERY = 5.0
MAINTAIN_EVERY = 600.0  # seconds between prunings and checkpoints of the inbox files
UPDATE_KINDS = ("message", "edited_message", "callback_query", "inline_query",
                "chosen_inline_result")  # fmt: skip

LogRecord = QueryRecord | FeedbackRecord | UploadRecord
# each kind of record by its name, which is also its EventSink method's: log_<name>
RECORD_KINDS: dict[str, type] = {
    "query": QueryRecord,
    "feedback": FeedbackRecord,
    "upload": UploadRecord,
}


def kind_of(record: LogRecord) -> str:
    return next(name for name, kind in RECORD_KINDS.items() if isinstance(record, kind))


@dataclass
class Delivery:
    """The update a task is handling, and the log records its handlers produced."""

    update_id: int
    records: list[LogRecord] = field(default_factory=list)


# Set by InboxProcessor for the task that handles one update (python-telegram-bot runs every
# handler of an update in that task), read by DeliverySink.
CURRENT: ContextVar[Delivery | None] = ContextVar("marjaa_delivery", default=None)


def update_row(update: Update) -> Row:
    """The update as the inbox keeps it: without names (no handler reads them)."""
    kind = next((k for k in UPDATE_KINDS if getattr(update, k) is not None), "other")
    return update.update_id, kind, _without_names(update.to_dict())


NAMES = ("first_name", "last_name", "username", "title")


def _without_names(value: Any) -> Any:
    if isinstance(value, dict):
        # first_name is required of a User, and title of a group: kept, empty
        return {
            k: "" if k in NAMES else _without_names(v)
            for k, v in value.items()
            if k not in NAMES[1:3]
        }
    if isinstance(value, list):
        return [_without_names(v) for v in value]
    return value


# --- log records kept in the outbox, as JSON -------------------------------------------------


def record_to_json(record: LogRecord) -> dict[str, Any]:
    data = asdict(record)
    data["timestamp"] = record.timestamp.isoformat()
    data["type"] = kind_of(record)
    return data


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value


def record_from_json(data: dict[str, Any]) -> LogRecord:
    fields = {**data, "timestamp": datetime.fromisoformat(data["timestamp"])}
    kind = fields.pop("type")
    if kind != "query":  # flat records
        return RECORD_KINDS[kind](**fields)
    # JSON has lists where the frozen dataclasses hold tuples (results, words, spans…)
    answer = {name: _tuples(value) for name, value in fields["answer"].items()}
    answer["results"] = tuple(
        Result(**{**result, "passage": Passage(**result["passage"])})
        for result in answer["results"]
    )
    fields["answer"] = Answer(**answer)
    return QueryRecord(**fields)


# --- what python-telegram-bot is given -------------------------------------------------------


class InboxBot(ExtBot):
    """The bot; its getUpdates records each batch before python-telegram-bot sees it."""

    def __init__(self, *args: Any, intake: Intake, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._intake = intake

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates = await super().get_updates(*args, **kwargs)
        await self._intake.polled(updates)
        return updates


class InboxQueue(asyncio.Queue):
    """Application.update_queue: records what the webhook server gives it (before the server
    answers 200) and lets through only updates not seen before."""

    def __init__(self, intake: Intake) -> None:
        super().__init__()
        self._intake = intake

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and not await self._intake.admit(item):
            return
        await super().put(item)

    def put_again(self, update: Update) -> None:
        """Queue an update an earlier run recorded (it is in the inbox already)."""
        super().put_nowait(update)


class InboxProcessor(BaseUpdateProcessor):
    """Handles up to ``max_concurrent_updates`` at once, as python-telegram-bot's own
    processor does, and marks each update done once its handlers have returned."""

    def __init__(self, intake: Intake, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._intake = intake

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            await coroutine
            return
        delivery = Delivery(update.update_id)
        token = CURRENT.set(delivery)
        try:
            await coroutine
        finally:
            CURRENT.reset(token)
        # Not reached when the bot is stopped in the middle (cancelled): then it stays
        # pending, and is handled at the next start.
        await self._intake.finish(delivery)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class DeliverySink:
    """The sink the handlers log to: while an update is handled, its records wait on it (they
    are written with its done mark, then handed on); outside an update, straight to ``sink``."""

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink

    def log_query(self, record: QueryRecord) -> None:
        self._take(record)

    def log_feedback(self, record: FeedbackRecord) -> None:
        self._take(record)

    def log_upload(self, record: UploadRecord) -> None:
        self._take(record)

    def _take(self, record: LogRecord) -> None:
        delivery = CURRENT.get()
        if delivery is not None:
            delivery.records.append(record)
        else:
            hand(self.sink, record)


def hand(sink: EventSink, record: LogRecord) -> None:
    """Give a record to the log (a failing log must never cost the user a reply)."""
    hand_to_log(getattr(sink, f"log_{kind_of(record)}"), record)


# --- the inbox of one running bot ------------------------------------------------------------


class Intake:
    """Recording, admitting, finishing and replaying updates through the inbox.

    If the inbox cannot be written (disk full, read-only folder), updates are still answered,
    from memory: one warning says so, and a crash meanwhile loses the updates in flight, as it
    would without an inbox. Answering never waits for a broken disk.
    """

    def __init__(self, folder: Path, sink: EventSink) -> None:
        self.inbox = Inbox(folder)
        self.sink = sink
        self._polled: dict[int, bool] = {}  # update id -> new, for the batch being queued
        self._open = False
        self._failing = False
        self._finishing = 0  # finish() calls whose records are not handed to the log yet
        # the last updates finished, done mark or not (for health checks and tests)
        self.finished: deque[int] = deque(maxlen=10_000)
        self._tasks: list[asyncio.Task] = []

    @property
    def keeps_records(self) -> bool:
        """Whether records go through the outbox: only for a query log (a file that may miss
        what a crash cut off); a sink that keeps nothing needs no outbox."""
        return isinstance(self.sink, QueryLog)

    async def start(self, queue: InboxQueue, bot: ExtBot) -> None:
        """Open the inbox, queue what earlier runs left pending (first, in update order), give
        the query log again the records it may have missed."""
        try:
            await self.inbox.open()
        except Exception as exc:
            self._fail(exc)
            return
        self._open = True
        try:
            await self.inbox.maintain()
            leftovers = await self.inbox.leftovers()
        except Exception as exc:  # the files open but failing: answer what comes, from memory
            self._fail(exc)
            return
        for update_id in leftovers.abandoned:
            log.warning(
                "inbox: update %d was started %d times and never finished; given up",
                update_id,
                MAX_ATTEMPTS,
            )
        for pending in leftovers.pending:
            queue.put_again(Update.de_json(pending.payload, bot))
        for data in leftovers.records:
            hand(self.sink, record_from_json(data))
        if leftovers.pending or leftovers.records:
            log.info(
                "inbox: %d updates left unanswered by the last run are handled first; %d query "
                "log entries handed to the log again",
                len(leftovers.pending),
                len(leftovers.records),
            )
        self._tasks = [
            asyncio.create_task(self._every(TIDY_EVERY, self._tidy)),
            asyncio.create_task(self._every(MAINTAIN_EVERY, self.inbox.maintain)),
        ]

    async def polled(self, updates: tuple[Update, ...]) -> None:
        """A batch from getUpdates: recorded before python-telegram-bot confirms it."""
        new = await self._record([update_row(u) for u in updates])
        for update in updates:
            self._polled[update.update_id] = update.update_id in new

    async def admit(self, update: Update) -> bool:
        """Whether to handle ``update``: new in its polled batch, or recorded now (webhook)."""
        new = self._polled.pop(update.update_id, None)
        if new is None:
            new = update.update_id in await self._record([update_row(update)])
        return new

    async def _record(self, rows: list[Row]) -> set[int]:
        if self._open:
            try:
                new = await self.inbox.record(rows)
            except Exception as exc:
                self._fail(exc)
            else:
                self._recovered()
                return new
        return {row[0] for row in rows}  # answered from memory rather than not at all

    async def finish(self, delivery: Delivery) -> None:
        """The update's handlers have returned: done, then its records to the log."""
        self._finishing += 1
        try:
            if self._open:
                records = [record_to_json(r) for r in delivery.records if self.keeps_records]
                try:
                    await self.inbox.finish(delivery.update_id, records)
                except Exception as exc:
                    self._fail(exc)
                else:
                    self._recovered()
            for record in delivery.records:
                hand(self.sink, record)
        finally:
            self._finishing -= 1
            self.finished.append(delivery.update_id)

    async def _tidy(self) -> None:
        await self._forget_written()
        await self.inbox.clear_payloads()

    async def _forget_written(self) -> None:
        """Drop the outbox records the query log has written.

        In this order: every record up to ``through`` was committed, then handed to the log
        (no finish() is between the two), then written (nothing waits in the log's queue,
        which is first in, first out)."""
        if not self.keeps_records:
            return
        through = await self.inbox.last_record_id()
        status = self.sink.status  # type: ignore[attr-defined]
        if not self._finishing and status.pending == 0 and status.failing is None:
            await self.inbox.forget_records(through)

    async def _every(self, seconds: float, action: Any) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await action()
            except Exception as exc:
                self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        if not self._failing:
            self._failing = True
            log.warning(
                "inbox: cannot write to %s (%s); updates are answered without being recorded "
                "until it works again (a crash meanwhile loses those in flight)",
                self.inbox.path.parent,
                exc,
            )

    def _recovered(self) -> None:
        if self._failing:
            self._failing = False
            log.info("inbox: writing to %s again", self.inbox.path.parent)

    async def close(self) -> None:
        """After the query log was flushed: forget what it wrote, close the files."""
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._open:
            with contextlib.suppress(Exception):
                await self._forget_written()
                # nothing of the updates answered stays on disk, not even in the WAL files
                await self.inbox.maintain(truncate=True)
            await self.inbox.close()
            self._open = False
