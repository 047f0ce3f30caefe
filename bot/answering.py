"""Answer a question and hand it to the query log: the path every front end takes."""

from __future__ import annotations

import time

from bot.events import EventSink, QueryRecord, new_query_id
from retrieval.search import Retriever


def search_and_log(
    retriever: Retriever,
    question: str,
    sink: EventSink,
    channel: str,
    *,
    k: int = 3,
    chat_type: str | None = None,
    user_id: int | None = None,
) -> QueryRecord:
    """Search, time the search alone, log it; the record holds the answer and its query_id."""
    started = time.perf_counter()
    answer = retriever.search(question, k=k)
    latency_ms = (time.perf_counter() - started) * 1000
    record = QueryRecord(new_query_id(), channel, chat_type, user_id, answer, latency_ms)
    sink.log_query(record)
    return record
