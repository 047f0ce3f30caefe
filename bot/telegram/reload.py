"""The bot's index kept fresh while it answers: a newer saved index is opened off the event
loop and swapped in with one assignment (BotData.retriever); questions in flight finish on
the index they started with. Builds run in a background process at low priority, one at a
time. Asked for by the corpus watch, SIGHUP and an admin's /reload; one log line each."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.querylog import QueryLog
from bot.telegram.background import run_in_background
from bot.telegram.uploads import UploadFolder
from retrieval import (
    CorpusError,
    IndexDamaged,
    IndexLease,
    IndexLocation,
    RetrievalConfig,
    Retriever,
    Warn,
    lease_index,
    load_saved,
    locate,
    open_retriever,
)

if TYPE_CHECKING:
    from bot.telegram.context import BotData

log = logging.getLogger("marjaa.reload")

RELOADED = "reloaded"
UNCHANGED = "unchanged"  # already answering from the newest index
NOT_INDEXED = "not indexed"  # the corpus changed and nobody built its index yet
FAILED = "failed"
BUILD_ATTEMPTS = 3  # a corpus changing during each build is given up on after this many


@dataclass(frozen=True)
class Reload:
    """What one reload did, for the log line and an admin's reply."""

    outcome: str  # RELOADED, UNCHANGED, NOT_INDEXED or FAILED
    documents: int = 0
    passages: int = 0
    seconds: float = 0.0
    detail: str = ""  # why it failed, or what was built


class IndexKeeper:
    """Owns which saved index the bot answers from (its lease, its location) and replaces it."""

    def __init__(self, corpus: Path, data_dir: Path, config: RetrievalConfig) -> None:
        self.corpus = corpus
        self.data_dir = data_dir
        self.config = config
        self.uploads = UploadFolder(corpus)  # documents admins add; indexed through here
        self.shared: BotData | None = None  # set by build_application
        self.location: IndexLocation | None = None  # of the index in use; None: in memory
        self.reloads = 0
        self._lease: IndexLease | None = None
        self._lock = asyncio.Lock()
        # Indexes are opened on this one thread, never on asyncio's pool: glibc gives each
        # thread its own malloc arena, and an index opened on a new thread each time left
        # its freed memory behind in that thread's arena (measured: 100k passages, ten
        # swaps, 97 -> 191 MB resident; on one thread it stays at 125 MB).
        self._opener = ThreadPoolExecutor(max_workers=1, thread_name_prefix="marjaa-index")
        self._tasks: set[asyncio.Task] = set()

    # --- the first index, before the bot runs --------------------------------------------

    def open_first(self, warn: Warn | None = None) -> Retriever:
        """The saved index (built first when missing, as every command does), held in use."""
        location = locate(self.corpus, self.data_dir, self.config)  # before: never newer
        retriever = open_retriever(self.corpus, self.data_dir, self.config, warn)
        self._hold(location)
        return retriever

    def _hold(self, location: IndexLocation | None) -> None:
        lease = lease_index(location.folder) if location is not None else None
        if self._lease is not None:
            self._lease.release()
        self._lease = lease
        self.location = location if lease is not None else None

    @property
    def corpus_state(self) -> str | None:
        """The corpus state the index in use was built from (the corpus watch's baseline)."""
        return self.location.corpus_state if self.location is not None else None

    def saved_marker(self) -> int | None:
        """Changes whenever a build adds or removes an index of this corpus (one stat of the
        folder its saved indexes live in; None for an index kept in memory)."""
        if self.location is None:
            return None
        try:
            return self.location.slot.stat().st_mtime_ns
        except OSError:
            return None

    # --- reloading -----------------------------------------------------------------------

    async def refresh(self, reason: str, build: bool = True, asked: bool = True) -> Reload:
        """Answer from the index of the corpus as it is now: open the saved one when it is
        newer than the one in use, building it first (``build``) when there is none.
        One at a time; the others wait, then usually find nothing left to do. ``asked``:
        someone asked (SIGHUP, /reload), so even finding nothing to do is logged."""
        async with self._lock:
            started = time.perf_counter()
            try:
                done = await self._refresh(build)
            except Exception as exc:  # a reload must never take the bot down
                log.exception("index reload (%s) failed", reason)
                return Reload(FAILED, detail=str(exc))
            done = Reload(
                done.outcome, done.documents, done.passages, time.perf_counter() - started,
                done.detail,
            )  # fmt: skip
            if asked or done.outcome != UNCHANGED:
                self._log(reason, done)
            return done

    async def _refresh(self, build: bool) -> Reload:
        built = ""
        loop = asyncio.get_running_loop()
        for _ in range(BUILD_ATTEMPTS):
            try:
                location = await loop.run_in_executor(
                    self._opener, locate, self.corpus, self.data_dir, self.config
                )
            except CorpusError as exc:
                return Reload(FAILED, detail=str(exc))
            if self.location is not None and location.folder == self.location.folder:
                return self._unchanged(built)
            try:
                retriever = await loop.run_in_executor(
                    self._opener, load_saved, location, self.config
                )
            except IndexDamaged as exc:
                if not build:
                    return Reload(NOT_INDEXED, detail=str(exc))
                ok, said = await self._run_build()
                if not ok:
                    return Reload(FAILED, detail=said)
                built = said
                continue
            self._swap(retriever, location)
            documents, passages = len(retriever.corpus.documents), retriever.corpus.passage_count
            return Reload(RELOADED, documents, passages, detail=built)
        return Reload(FAILED, detail="the corpus kept changing while it was being indexed")

    def _unchanged(self, built: str) -> Reload:
        retriever = self.shared.retriever if self.shared else None
        documents = len(retriever.corpus.documents) if retriever else 0
        passages = retriever.corpus.passage_count if retriever else 0
        return Reload(UNCHANGED, documents, passages, detail=built)

    def _swap(self, retriever: Retriever, location: IndexLocation) -> None:
        """One assignment: a handler that already took the old retriever finishes with it."""
        assert self.shared is not None, "build_application sets the keeper's bot data"
        self.shared.retriever = retriever
        sink = self.shared.sink
        if isinstance(sink, QueryLog):  # new rows say which index answered them
            sink.corpus_fingerprint = location.corpus_state
            sink.engine = retriever.engine.name
        self._hold(location)
        if self.shared.watch is not None:
            self.shared.watch.rebase()
        self.reloads += 1

    def _log(self, reason: str, done: Reload) -> None:
        took = f"{done.seconds:.2f} s"
        built = f"; {done.detail}" if done.detail and done.outcome != FAILED else ""
        if done.outcome == RELOADED:
            log.info(
                "index reloaded (%s): %d documents, %d passages, in %s%s",
                reason, done.documents, done.passages, took, built,
            )  # fmt: skip
        elif done.outcome == UNCHANGED:
            log.info(
                "index reload (%s): already answering from the newest index "
                "(%d documents, %d passages)%s",
                reason, done.documents, done.passages, built,
            )  # fmt: skip
        elif done.outcome == FAILED:
            log.warning(
                "index reload (%s) failed: %s; still answering from the index it had",
                reason, done.detail,
            )  # fmt: skip
        # NOT_INDEXED: the corpus watch has said so already (once per state)

    # --- the background build ------------------------------------------------------------

    async def _run_build(self) -> tuple[bool, str]:
        """`marjaa index` in a low-priority process; (success, what it did or its error)."""
        started = time.perf_counter()
        args = ["index", "--corpus", str(self.corpus), "--engine", self.config.engine]
        done = await run_in_background(*args, data_dir=self.data_dir)
        if done.status != 0:
            return False, f"the background build failed: {done.last_error}"
        return True, f"built in the background in {time.perf_counter() - started:.1f} s"

    # --- asked for without waiting: SIGHUP, the corpus watch ------------------------------

    def request(
        self,
        reason: str,
        build: bool = True,
        then: Callable[[Reload], Awaitable[object]] | None = None,
    ) -> asyncio.Task:
        """Start a refresh and return at once; ``then`` is given its result (a reply).

        The task is the keeper's, not python-telegram-bot's: stopping the bot does not wait
        for a build of minutes, it cancels it (the build process is killed)."""

        async def refresh_then() -> None:
            done = await self.refresh(reason, build)
            if then is not None:
                try:
                    await then(done)
                except Exception:
                    log.exception("after the index reload (%s)", reason)

        task = asyncio.get_running_loop().create_task(refresh_then())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @staticmethod
    def hold_sighup() -> None:
        """Until the event loop handles it, SIGHUP is ignored: its default would end the bot
        (a `systemctl reload` while the first index is still being built, say)."""
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    def install_sighup(self, loop: asyncio.AbstractEventLoop) -> None:
        """SIGHUP (systemd's `systemctl reload`) reloads the index, building it if needed."""
        loop.add_signal_handler(signal.SIGHUP, self.request, "SIGHUP")

    async def close(self) -> None:
        """Stop a reload in progress: a build is killed (the next one cleans its folder)."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._opener.shutdown(wait=False, cancel_futures=True)
        if self._lease is not None:
            self._lease.release()
            self._lease = None
