"""Run a function over batches in worker processes: results in order, few batches in flight,
and no worker outliving the process that started it."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

IN_FLIGHT_PER_WORKER = 2  # enough to keep workers busy; bounds memory for huge corpora
PARENT_CHECK_SECONDS = 0.5  # how often a worker checks that the process it works for lives


def available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _exit_with(parent: int) -> None:
    """Runs in a worker: end it once ``parent`` is gone (its parent id changes when it dies).

    A killed `marjaa index` (kill -9, out of memory) cannot shut its pool down, and the
    workers would wait for batches for ever, each holding its memory."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _start_worker(
    parent: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]
) -> None:
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def ordered_map(
    function: Callable[[Item], Result],
    batches: Iterable[Item],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[Result]:
    """``function`` over ``batches`` in ``workers`` processes, yielded in input order.

    The caller's loop keeps running (reading the next batches) while workers compute.
    """
    # spawn, not fork: the caller may run threads (a progress bar) that fork would copy
    # in the middle of their work
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        workers, context, initializer=_start_worker, initargs=(os.getpid(), initializer, initargs)
    )
    pending: deque[Future[Result]] = deque()
    try:
        for batch in batches:
            pending.append(pool.submit(function, batch))
            while pending and (len(pending) > IN_FLIGHT_PER_WORKER * workers or pending[0].done()):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
