"""Building the query log for a front end: settings, user keys, corpus fingerprint, engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bot.events import EventSink, NullSink
from bot.querylog.privacy import user_keys
from bot.querylog.writer import QueryLog
from bot.settings import Settings
from retrieval import Retriever, corpus_fingerprint


def query_log_for(
    settings: Settings,
    retriever: Retriever,
    report: Callable[[str], None] | None = None,
) -> QueryLog:
    """The query log configured from settings, not started yet (``start()`` or ``with``)."""
    keys = user_keys(settings.log_user_ids, settings.data_dir, settings.log_salt, warn=report)
    return QueryLog(
        settings.db,
        keys,
        corpus_fingerprint=corpus_fingerprint(retriever.corpus.root),
        engine=retriever.engine.name,
        report=report,
    )


@contextmanager
def open_query_log(
    settings: Settings,
    retriever: Retriever,
    enabled: bool = True,
    report: Callable[[str], None] | None = None,
) -> Iterator[EventSink]:
    """A running query log for the block (flushed at its end), or a NullSink if disabled."""
    if not enabled:
        yield NullSink()
        return
    with query_log_for(settings, retriever, report) as log:
        yield log
