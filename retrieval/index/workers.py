"""Run a function over batches in worker processes: results in order, few batches in flight."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

IN_FLIGHT_PER_WORKER = 2  # enough to keep workers busy; bounds memory for huge corpora


def available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


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
    pool = ProcessPoolExecutor(workers, context, initializer=initializer, initargs=initargs)
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
