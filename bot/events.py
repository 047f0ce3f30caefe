"""What happened, for the query log: a question answered, a rating given, a document added
or removed by an admin.

Front ends (console, `marjaa ask`, Telegram) build these records and hand them to an
``EventSink``; the query log implements the sink. Handing over never blocks or fails.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from retrieval import Answer


def new_query_id() -> str:
    """A short random id for one question; feedback buttons refer to it."""
    return secrets.token_hex(6)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class QueryRecord:
    """One question and the answer it got."""

    query_id: str
    channel: str  # "telegram", "console" or "cli"
    chat_type: str | None  # Telegram: "private", "group", "supergroup", "inline"; else None
    user_id: int | None  # raw id as received; the log decides how to store it
    answer: Answer
    latency_ms: float
    timestamp: datetime = field(default_factory=utc_now)


@dataclass(frozen=True)
class FeedbackRecord:
    """A 👍 (+1) or 👎 (-1) on the answer to an earlier question."""

    query_id: str
    user_id: int | None
    rating: int
    timestamp: datetime = field(default_factory=utc_now)


@dataclass(frozen=True)
class UploadRecord:
    """An admin added a document to the corpus from Telegram, or removed one."""

    action: str  # "add" or "remove"
    user_id: int | None  # raw id as received; the log stores it as it stores askers
    sha256: str  # of the file's bytes
    size: int  # bytes
    title: str
    stored_as: str  # the generated name under uploads/
    passages: int  # the document's passages: as read (an addition), as indexed (a removal)
    timestamp: datetime = field(default_factory=utc_now)


class EventSink(Protocol):
    def log_query(self, record: QueryRecord) -> None:
        """Take the record for writing; must return at once and never raise."""
        ...

    def log_feedback(self, record: FeedbackRecord) -> None:
        """Take the rating for writing; must return at once and never raise."""
        ...

    def log_upload(self, record: UploadRecord) -> None:
        """Take the upload or removal for writing; must return at once and never raise."""
        ...


class NullSink:
    """Logs nothing (``--no-log``, ``marjaa eval``, tests)."""

    def log_query(self, record: QueryRecord) -> None:
        pass

    def log_feedback(self, record: FeedbackRecord) -> None:
        pass

    def log_upload(self, record: UploadRecord) -> None:
        pass
