"""Notice, while the bot runs, that its corpus no longer matches the index it answers from,
or that `marjaa index` has saved a newer one: say so once, and tell the index keeper."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from retrieval import CorpusError

log = logging.getLogger(__name__)
CHECK_EVERY = 60.0  # seconds: stat-ing every corpus file costs little, but not nothing
SAVED_EVERY = 2.0  # seconds: whether a build saved an index is one stat of its folder


class CorpusWatch:
    """Checks the corpus every ``interval`` seconds, and every ``saved_interval`` whether a
    build changed the folder the corpus's saved indexes live in (``saved``: its mtime).

    A changed corpus is logged once per state; ``on_change`` (the index keeper's refresh) is
    called once for each new state of the corpus and for each newer saved index. The bot
    keeps answering from the index it has until the keeper swaps in a new one: a changed or
    missing file never stops it.
    """

    def __init__(
        self,
        corpus: str,
        fingerprint: Callable[[], str],
        interval: float = CHECK_EVERY,
        *,
        baseline: Callable[[], str | None] | None = None,
        saved: Callable[[], object] | None = None,
        on_change: Callable[[str], Awaitable[object]] | None = None,
        saved_interval: float = SAVED_EVERY,
        rebuilds: bool = False,
    ) -> None:
        self.corpus = corpus
        self._fingerprint = fingerprint
        self.interval = interval
        self.saved_interval = saved_interval
        # the corpus state of the index in use: the keeper's, or the state at start
        fixed = fingerprint() if baseline is None else None
        self._baseline: Callable[[], str | None] = baseline or (lambda: fixed)
        self._saved = saved
        self._on_change = on_change
        self.rebuilds = rebuilds  # MARJAA_AUTO_INDEX: the keeper builds a changed corpus
        self._reported: str | None = None  # the state last reported (None: matches)
        self._acted: str | None = None  # the corpus fingerprint on_change was last told of
        self._task: asyncio.Task | None = None

    def _state(self) -> tuple[str | None, str | None]:
        try:
            current = self._fingerprint()
        except CorpusError:
            return "gone", None
        except OSError as exc:
            return f"unreadable ({exc.strerror or exc})", None
        return (None if current == self._baseline() else "changed"), current

    def check(self) -> str | None:
        """The corpus's state if it differs from the index ("changed", "gone"), else None;
        a new state is logged once."""
        return self._check()[0]

    def _check(self) -> tuple[str | None, str | None]:
        state, current = self._state()
        if state != self._reported:
            if state is None:
                log.info("corpus %s matches the index again", self.corpus)
            elif state == "changed" and self.rebuilds:
                log.info("corpus %s changed: rebuilding its index in the background", self.corpus)
            else:
                log.warning(
                    "corpus %s is %s since its index was built: still answering from that "
                    "index; run `marjaa index` and the bot swaps to the new one by itself "
                    "(or send it SIGHUP, or /reload as an admin)",
                    self.corpus,
                    state,
                )
            self._reported = state
        return state, current

    def rebase(self) -> None:
        """The keeper swapped in an index of the corpus as it is: nothing left to report."""
        self._reported = None

    async def _run(self) -> None:
        marker = self._saved() if self._saved else None
        next_check = time.monotonic() + self.interval
        while True:
            await asyncio.sleep(min(self.interval, self.saved_interval))
            if self._saved is not None:
                now_marker = await asyncio.to_thread(self._saved)
                if now_marker != marker:
                    marker = now_marker
                    await self._tell("a newer saved index")
            if time.monotonic() < next_check:
                continue
            next_check = time.monotonic() + self.interval
            state, current = await asyncio.to_thread(self._check)
            if state == "changed" and current != self._acted:
                self._acted = current
                await self._tell("the corpus changed")

    async def _tell(self, reason: str) -> None:
        if self._on_change is None:
            return
        try:
            await self._on_change(reason)
        except Exception:  # the watch must outlive any one failed reload
            log.exception("corpus watch: reloading the index failed")

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
