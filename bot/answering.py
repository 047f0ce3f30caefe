"""Answer a question and hand it to the query log, as the console and `marjaa ask` do."""

from __future__ import annotations

import time

from bot.events import EventSink, QueryRecord, new_query_id
from retrieval import Retriever


def search_and_log(
    retriever: Retriever,
    question: str,
    sink: EventSink,
    channel: str,
    *,
    k: int = 3,
) -> QueryRecord:
    """Search, time the search alone, log it; the record holds the answer and its query_id."""
    started = time.perf_counter()
    answer = retriever.search(question, k=k)
    latency_ms = (time.perf_counter() - started) * 1000
    # no chat type or user in a terminal: the Telegram bot builds its records itself
    record = QueryRecord(new_query_id(), channel, None, None, answer, latency_ms)
    sink.log_query(record)
    return record
