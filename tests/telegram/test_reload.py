"""The index swapped while the bot answers: the real `marjaa bot` process under a stream of
questions while `marjaa index` saves new indexes and SIGHUP is sent; /reload for admins only;
questions in flight finishing on the old index; the automatic rebuild; a failed reload."""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import signal
import statistics
import sys
import time
import weakref
from contextlib import suppress
from pathlib import Path

import pytest

from bot import messages
from bot.telegram.corpus_watch import CorpusWatch
from bot.telegram.reload import IndexKeeper
from retrieval import RetrievalConfig, corpus_fingerprint, open_retriever
from tests.support.harness import TOKEN, shown, start_bot, stop_bot, write_corpus
from tests.support.paths import ROOT
from tests.telegram.test_cli import bot_env

ADMIN = 5550001
LIBRARY_DOC = (
    "# مكتبة الإسكندرية الجديدة\n\n"
    "افتتحت مكتبة الإسكندرية الجديدة عام 2002 على شاطئ البحر المتوسط، "
    "ويتسع مبناها المستدير لملايين الكتب وقاعات القراءة الواسعة.\n"
)
LIBRARY_QUESTION = "متى افتتحت مكتبة الإسكندرية الجديدة؟"
LIGHTHOUSE_DOC = (
    "# منارة الإسكندرية\n\n"
    "منارة الإسكندرية القديمة من عجائب الدنيا السبع، بناها البطالمة على جزيرة فاروس "
    "وكان ضوؤها يرشد السفن في البحر ليلاً.\n"
)
LIGHTHOUSE_QUESTION = "أين بنيت منارة الإسكندرية القديمة؟"
RATE = 12.0  # questions a second, each from a new user (no rate limit in the way)
FIRST_USER = 6_120_000_000  # ten digits, as real Telegram ids: never found by chance
ACTIVITY = re.compile(
    r"INFO marjaa\.activity: update telegram private question [\d.]+ ms "
    r"answered=(yes|no) results=\d user=[0-9a-f]{16}$"
)


class BotProcess:
    """`marjaa bot` as a subprocess, its stderr read as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    async def wait_line(self, pattern: str, count: int = 1, timeout: float = 60) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in self.lines if re.search(pattern, line)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline or self.process.returncode is not None:
                tail = "\n".join(self.lines[-20:])
                raise AssertionError(f"no line {pattern!r} x{count} within {timeout}s:\n{tail}")
            await asyncio.sleep(0.05)

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(self.process.wait(), 30)
        await self._reader
        return status


async def marjaa_index(corpus: Path, data: Path) -> None:
    done = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "index", "--corpus", str(corpus),
        cwd=ROOT, env=bot_env(MARJAA_DATA_DIR=str(data), PYTHONPATH=str(ROOT)),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(done.communicate(), 120)
    assert done.returncode == 0, err.decode()
    assert b"indexed" in out


class Stream:
    """Questions at RATE a second, each from a new user, until stopped."""

    def __init__(self, api) -> None:
        self.api = api
        self.question = LIBRARY_QUESTION
        self.asked: list[tuple[int, float, str]] = []  # user, when, question
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        started = time.monotonic()
        while True:
            user = FIRST_USER + len(self.asked)
            self.asked.append((user, time.monotonic(), self.question))
            self.api.send_text(self.question, user_id=user)
            await asyncio.sleep(max(0.0, started + len(self.asked) / RATE - time.monotonic()))

    async def stop(self) -> None:
        self._task.cancel()
        with suppress(asyncio.CancelledError):
            await self._task


async def test_index_swapped_under_load_by_sighup_and_by_marjaa_index(tmp_path, api):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_corpus(corpus)
    data = tmp_path / "data"
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url,
        MARJAA_DATA_DIR=str(data), ADMIN_USER_IDS=str(ADMIN), PYTHONPATH=str(ROOT),
    )  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "bot", "--corpus", str(corpus), "--no-log",
        cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    bot = BotProcess(process)
    stream: Stream | None = None
    try:
        await bot.wait_line("ready: 12 documents")
        await api.wait_for("getUpdates", 1, timeout=30)
        stream = Stream(api)
        await asyncio.sleep(1.5)
        # 1: a document added; SIGHUP at once (the bot builds in the background) while
        # `marjaa index` builds the same index beside it
        (corpus / "library.md").write_text(LIBRARY_DOC, encoding="utf-8")
        swap_started = [time.monotonic()]
        process.send_signal(signal.SIGHUP)
        await marjaa_index(corpus, data)
        await bot.wait_line(r"index reloaded \(.*\): 13 documents")
        swap_ended = [time.monotonic()]
        await asyncio.sleep(1.5)
        # 2: another document; only `marjaa index`: the corpus watch sees the new index
        stream.question = LIGHTHOUSE_QUESTION
        await asyncio.sleep(1.0)
        (corpus / "lighthouse.md").write_text(LIGHTHOUSE_DOC, encoding="utf-8")
        swap_started.append(time.monotonic())
        await marjaa_index(corpus, data)
        (line,) = await bot.wait_line(r"index reloaded \(.*\): 14 documents")
        assert "(a newer saved index)" in line
        swap_ended.append(time.monotonic())
        await asyncio.sleep(1.5)
        await stream.stop()
        # nothing new: SIGHUP says so in one line
        process.send_signal(signal.SIGHUP)
        await bot.wait_line(r"index reload \(SIGHUP\): already answering from the newest")
        users = {user for user, _, _ in stream.asked}
        replies = await api.wait_for("sendMessage", len(users), ok=True, timeout=60)
        await asyncio.sleep(1.0)  # a reply sent twice would arrive now
    finally:
        if stream is not None:
            await stream.stop()
        api.end_long_polls()
        status = await bot.stop()
    assert status == 0, "\n".join(bot.lines[-20:])

    replies = [c for c in api.called("sendMessage", ok=True) if c.params["chat_id"] in users]
    by_user: dict[int, list] = {}
    for reply in replies:
        by_user.setdefault(reply.params["chat_id"], []).append(reply)
    assert sorted(by_user) == sorted(users)  # every question answered
    assert {len(r) for r in by_user.values()} == {1}  # exactly once
    assert not [r for r in replies if shown(r) == messages.ERROR]

    # answers switch to the new corpus: none before the document, all once it is indexed
    def answered(user: int, question: str) -> bool:
        text = shown(by_user[user][0])
        return ("عام 2002" if question == LIBRARY_QUESTION else "جزيرة فاروس") in text

    for phase, question in enumerate((LIBRARY_QUESTION, LIGHTHOUSE_QUESTION)):
        asked = [(u, at) for u, at, q in stream.asked if q == question]
        before = [u for u, at in asked if at < swap_started[phase]]
        after = [u for u, at in asked if at > swap_ended[phase]]
        assert before and after, (phase, len(before), len(after))
        assert not any(answered(u, question) for u in before)
        assert all(answered(u, question) for u in after)

    latencies = {
        user: (by_user[user][0].at - at) * 1000 for user, at, _ in stream.asked
    }  # fmt: skip
    swapping = [
        ms for (user, at, _) in stream.asked for ms in [latencies[user]]
        if any(s <= at <= e for s, e in zip(swap_started, swap_ended, strict=True))
    ]  # fmt: skip
    steady = [ms for user, ms in latencies.items() if ms not in swapping]
    p95 = lambda values: statistics.quantiles(values, n=20)[-1]  # noqa: E731
    print(
        f"\nreload under load: {len(users)} questions at {RATE:g}/s; p95 {p95(steady):.0f} ms "
        f"steady, {p95(swapping):.0f} ms during swaps ({len(swapping)} questions)"
    )
    assert max(latencies.values()) < 15_000  # an order of magnitude off would show

    output = "\n".join(bot.lines)
    assert "Traceback" not in output and " ERROR " not in output, output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    activity = [line for line in bot.lines if "marjaa.activity" in line]
    assert len(activity) == len(users)
    assert all(ACTIVITY.search(line) for line in activity), activity[:3]
    assert not any(str(user) in output for user in users)  # hashed keys only
    assert LIBRARY_QUESTION not in output and LIGHTHOUSE_QUESTION not in output
    assert re.search(r"bot stopped: \d+ updates answered", output)


# --- the same parts in this process -----------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_corpus(corpus)
    return corpus


async def start_kept(api, folder, data, **settings):
    """The bot with a keeper over ``folder`` (as `marjaa bot` makes it)."""
    config = RetrievalConfig()
    keeper = IndexKeeper(folder, data, config)
    retriever = keeper.open_first()
    return await start_bot(
        api, retriever, keeper=keeper, data_dir=data, admin_user_ids=frozenset({ADMIN}),
        **settings,
    )  # fmt: skip


async def test_reload_command_is_for_admins_and_says_what_it_did(api, folder, tmp_path):
    bot = await start_kept(api, folder, tmp_path / "data")
    try:
        refused = shown(await bot.ask("/reload", user_id=4321))
        assert refused == messages.UNKNOWN_COMMAND.format(command="/reload")
        passages = len(bot.app.bot_data.retriever.passages)
        status = await bot.ask("/reload", user_id=ADMIN)
        assert status.params["text"] == messages.RELOADING  # then edited:
        (done,) = await api.wait_for("editMessageText", 1, ok=True, timeout=30)
        assert shown(done) == messages.RELOAD_UNCHANGED.format(documents=12, passages=passages)
        (folder / "library.md").write_text(LIBRARY_DOC, encoding="utf-8")
        await bot.ask("/reload", user_id=ADMIN)
        done = (await api.wait_for("editMessageText", 2, ok=True, timeout=60))[-1]
        assert shown(done) == messages.RELOADED.format(documents=13, passages=passages + 1)
        assert "عام 2002" in shown(await bot.ask(LIBRARY_QUESTION))
        # a corpus that cannot be used: said, and the bot answers from the index it had
        for path in folder.iterdir():
            path.unlink()
        await bot.ask("/reload", user_id=ADMIN)
        done = (await api.wait_for("editMessageText", 3, ok=True, timeout=60))[-1]
        assert shown(done).startswith(messages.RELOAD_FAILED.split(":")[0])
        assert "عام 2002" in shown(await bot.ask(LIBRARY_QUESTION, user_id=4322))
    finally:
        await stop_bot(bot)


async def test_a_question_in_flight_finishes_on_the_index_it_started_with(api, folder, tmp_path):
    bot = await start_kept(api, folder, tmp_path / "data")
    old = bot.app.bot_data.retriever
    started = asyncio.Event()
    loop = asyncio.get_running_loop()

    class Slow:
        """The old index, taking its time over one search."""

        corpus, passages, engine = old.corpus, old.passages, old.engine

        def search(self, question: str, k: int = 3):
            loop.call_soon_threadsafe(started.set)
            time.sleep(1.0)
            return old.search(question, k)

    try:
        bot.app.bot_data.retriever = Slow()
        bot.app.bot_data.keeper.location = None  # the slow stand-in is no saved index
        api.send_text(LIBRARY_QUESTION)
        await started.wait()
        (folder / "library.md").write_text(LIBRARY_DOC, encoding="utf-8")
        done = await bot.app.bot_data.keeper.refresh("test", build=True)
        assert done.outcome == "reloaded" and done.documents == 13
        (in_flight,) = await api.wait_for("sendMessage", 1, ok=True, timeout=30)
        assert "عام 2002" not in shown(in_flight)  # answered by the index it began on
        assert "عام 2002" in shown(await bot.ask(LIBRARY_QUESTION, user_id=4323))
    finally:
        await stop_bot(bot)


async def test_auto_index_rebuilds_a_changed_corpus_and_swaps(api, folder, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="marjaa.reload")
    data = tmp_path / "data"
    config = RetrievalConfig()
    keeper = IndexKeeper(folder, data, config)
    retriever = keeper.open_first()
    watch = CorpusWatch(
        str(folder), lambda: corpus_fingerprint(folder), interval=0.2,
        baseline=lambda: keeper.corpus_state, saved=keeper.saved_marker,
        on_change=lambda why: keeper.refresh(why, build=True, asked=False), rebuilds=True,
    )  # fmt: skip
    bot = await start_bot(api, retriever, keeper=keeper, watch=watch, data_dir=data)
    try:
        (folder / "library.md").write_text(LIBRARY_DOC, encoding="utf-8")
        for _ in range(600):
            if len(bot.app.bot_data.retriever.corpus.documents) == 13:
                break
            await asyncio.sleep(0.1)
        assert "عام 2002" in shown(await bot.ask(LIBRARY_QUESTION))
        reloads = [r.getMessage() for r in caplog.records if "index reloaded" in r.getMessage()]
        assert len(reloads) == 1 and "the corpus changed" in reloads[0]
        assert "built in the background" in reloads[0]
    finally:
        await stop_bot(bot)
    # the index it built is the saved one: `marjaa index` has nothing left to do
    assert open_retriever(folder, data, config).corpus.documents[-1].title.startswith("مكتبة")


async def test_the_old_index_is_let_go_once_swapped(api, folder, tmp_path):
    """Two indexes are open only while a swap is under way: nothing keeps the old one."""
    bot = await start_kept(api, folder, tmp_path / "data")
    try:
        await bot.ask(LIBRARY_QUESTION)  # an answer kept for its buttons, a search done
        old = weakref.ref(bot.app.bot_data.retriever)
        (folder / "library.md").write_text(LIBRARY_DOC, encoding="utf-8")
        done = await bot.app.bot_data.keeper.refresh("test", build=True)
        assert done.outcome == "reloaded"
        gc.collect()
        assert old() is None
        assert "عام 2002" in shown(await bot.ask(LIBRARY_QUESTION, user_id=4324))
    finally:
        await stop_bot(bot)
