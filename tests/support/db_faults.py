"""Questions asked of the real bot while its query-log database fails, then works again.

Used by test_telegram_faults.py, in the test process or (for a file-size limit, which would
hit every file the process writes) in a child: ``python bot_db_faults.py CORPUS DB``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.events import QueryRecord
from retrieval import Retriever
from tests.support.harness import (
    CAFE_QUESTION,
    CARAVAN_QUESTION,
    SPICE_QUESTION,
    button_data,
    query_id_of,
    start_bot,
    stop_bot,
)
from tests.support.querylog import rows, set_read_only, wait_until
from tools.fake_bot_api import FakeBotApi
from tools.querylog_helpers import quick_log

QUESTIONS = [CAFE_QUESTION, CARAVAN_QUESTION, SPICE_QUESTION]
QUERY_LOG_FILES = ("", "-wal", "-shm")


@dataclass(frozen=True)
class DbFault:
    """How to break the database (a context manager: repaired on exit) and what to expect."""

    inject: Callable[[Path], AbstractContextManager]
    before_start: bool = False  # broken before the bot opens the log (else after a first write)
    fails: bool = True  # the writer sees failures (else it repairs the damage by itself)
    keeps_earlier: bool = True  # the entry written before the fault is still there after


@dataclass(frozen=True)
class Outcome:
    answers: int  # replies with passages
    questions: int
    failing: str | None  # what the writer said while broken
    pending: int  # entries waiting while broken
    expected_ids: list[str]  # query ids of the answers the log must hold
    logged_ids: list[str]  # query ids in the log afterwards, in order
    feedback_ids: list[str]  # query ids of the logged ratings
    rated_id: str
    flushed: bool
    kept_aside: int  # damaged files moved aside (queries.sqlite3.corrupt-<time>)


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    set_read_only(path, True)
    try:
        yield
    finally:
        set_read_only(path, False)


@contextlib.contextmanager
def deleted_folder(path: Path) -> Iterator[None]:
    shutil.rmtree(path.parent)
    yield


@contextlib.contextmanager
def replaced_by_garbage(path: Path) -> Iterator[None]:
    """The log and its write-ahead log become garbage (with the -wal kept, SQLite would read
    the pages it holds over the garbage, and the log would just go on)."""
    garbage = path.with_name("garbage")
    garbage.write_bytes(b"\0not a database" * 500)
    for suffix in QUERY_LOG_FILES[1:]:
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    os.replace(garbage, path)
    yield


@contextlib.contextmanager
def file_size_limit(path: Path) -> Iterator[None]:
    """No byte may be written past the end of the smallest log file (as on a full disk)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
    sizes = [path.with_name(path.name + s).stat().st_size for s in QUERY_LOG_FILES[:2]]
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (min(sizes), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


@contextlib.contextmanager
def full_file_system(path: Path) -> Iterator[None]:
    """The log's folder is a tiny tmpfs (see ``tiny_file_system``): fill it up."""
    filler = path.with_name("filler")
    with open(filler, "wb", buffering=0) as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 4096)
    try:
        yield
    finally:
        filler.unlink()


@contextlib.contextmanager
def tiny_file_system(folder: Path, size: str = "512k") -> Iterator[bool]:
    """Mount a tmpfs of ``size`` on ``folder``; yields False where mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        yield False
        return
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


async def questions_through_a_fault(retriever: Retriever, db: Path, fault: DbFault) -> Outcome:
    """Ask while the database is broken, rate an answer, repair it; what reached the log."""
    api = FakeBotApi()
    await api.start()
    sink = quick_log(db)
    broken = contextlib.ExitStack()
    earlier: list[str] = []
    if fault.before_start:
        with quick_log(db) as first:  # the log as the bot left it yesterday
            first.log_query(_earlier_record(retriever))
        earlier.append(EARLIER_ID)
        broken.enter_context(fault.inject(db))
    bot = await start_bot(api, retriever, sink=sink, db=db)
    try:
        with broken:
            if not fault.before_start:
                earlier.append(query_id_of(await bot.ask(SPICE_QUESTION)))
                sink.flush(5)
                broken.enter_context(fault.inject(db))
            replies = [await bot.ask(question) for question in QUESTIONS]
            rated = replies[0]
            api.press(rated, button_data(rated, "👍"))
            await api.wait_for("answerCallbackQuery", 1)
            await bot.settled()  # the rating is handed to the log as its update finishes
            if fault.fails:
                await asyncio.to_thread(wait_until, lambda: sink.status.failing is not None)
            failing, pending = sink.status.failing, sink.status.pending
        flushed = await asyncio.to_thread(sink.flush, 5)
    finally:
        await stop_bot(bot)
        await api.stop()
    expected = [query_id_of(reply) for reply in replies]
    logged = [row["query_id"] for row in rows(db)]
    return Outcome(
        answers=sum("📖" in reply.params["_result"]["text"] for reply in replies),
        questions=len(QUESTIONS),
        failing=failing,
        pending=pending,
        expected_ids=(earlier if fault.keeps_earlier else []) + expected,
        logged_ids=logged,
        feedback_ids=[row["query_id"] for row in rows(db, "feedback")],
        rated_id=expected[0],
        flushed=flushed,
        kept_aside=len(list(db.parent.glob(f"{db.name}.corrupt-*[0-9Z]"))),
    )


EARLIER_ID = "0000000000ea"


def _earlier_record(retriever: Retriever) -> QueryRecord:
    answer = retriever.search(SPICE_QUESTION)
    return QueryRecord(EARLIER_ID, "telegram", "private", 1, answer, 1.0)


if __name__ == "__main__":
    corpus, target = Path(sys.argv[1]), Path(sys.argv[2])
    outcome = asyncio.run(
        questions_through_a_fault(Retriever.from_path(corpus), target, DbFault(file_size_limit))
    )
    print(json.dumps(asdict(outcome)))
