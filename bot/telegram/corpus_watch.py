"""Notice, while the bot runs, that its corpus no longer matches the index it answers from."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from retrieval import CorpusError

log = logging.getLogger(__name__)
CHECK_EVERY = 60.0  # seconds: stat-ing every corpus file costs little, but not nothing


class CorpusWatch:
    """Checks the corpus every ``interval`` seconds; says so once when it changes.

    The bot keeps the index it has (a changed or missing file never stops it answering);
    the warning tells the operator to rebuild with `marjaa index` and restart the bot.
    """

    def __init__(
        self, corpus: str, fingerprint: Callable[[], str], interval: float = CHECK_EVERY
    ) -> None:
        self.corpus = corpus
        self._fingerprint = fingerprint
        self.interval = interval
        self._baseline = fingerprint()
        self._reported: str | None = None  # the state last reported (None: matches)
        self._task: asyncio.Task | None = None

    def check(self) -> str | None:
        """The corpus's state if it differs from the index ("changed", "gone"), else None;
        a new state is logged once."""
        try:
            state = None if self._fingerprint() == self._baseline else "changed"
        except CorpusError:
            state = "gone"
        except OSError as exc:
            state = f"unreadable ({exc.strerror or exc})"
        if state != self._reported:
            if state is None:
                log.info("corpus %s matches the index again", self.corpus)
            else:
                log.warning(
                    "corpus %s is %s since the bot started: still answering from the index "
                    "it had; run `marjaa index` and restart the bot to use the corpus as it is",
                    self.corpus,
                    state,
                )
            self._reported = state
        return state

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await asyncio.to_thread(self.check)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
