"""Answer a question and hand it to the query log, as the console and `marjaa ask` do."""

from __future__ import annotations

import dataclasses
import time

from bot.events import EventSink, QueryRecord, new_query_id
from retrieval import Answer, Retriever

# «المزيد» on Telegram and /more in the console page through at most this many pages.
PAGES = 3


def first_page(answer: Answer, size: int) -> Answer:
    """The answer as its first page shows it (what the query log records as shown)."""
    return dataclasses.replace(answer, results=answer.results[:size])


def search_and_log(
    retriever: Retriever,
    question: str,
    sink: EventSink,
    channel: str,
    *,
    k: int = 3,
    pages: int = 1,
) -> tuple[QueryRecord, Answer]:
    """Search ``pages`` pages of ``k`` results, time the search alone, log the first page.

    Returns the logged record (its answer is the first page) and the whole answer.
    """
    started = time.perf_counter()
    answer = retriever.search(question, k=k * pages)
    latency_ms = (time.perf_counter() - started) * 1000
    # no chat type or user in a terminal: the Telegram bot builds its records itself
    shown = first_page(answer, k)
    record = QueryRecord(new_query_id(), channel, None, None, shown, latency_ms)
    sink.log_query(record)
    return record, answer
