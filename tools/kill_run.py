"""The kill test: the real `marjaa bot` against the fake Bot API, a burst of questions from
many users, kill -9 at random moments, restart; then count what was lost, what was answered
twice, and compare the query log with what was sent. tests/telegram/test_delivery.py runs it
in `make test`, bench/delivery_kill.py over many seeds for the figures in docs/telegram.md."""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bot.telegram.inbox import DONE_FILE, INBOX_FILE
from tools.bot_process import BotProcess, bot_env, free_port
from tools.fake_bot_api import FakeBotApi

FIRST_USER = 50_000
PACE = 30.0  # replies a second: Telegram's limit, which the bot keeps to
HOOK = "https://bot.example.org/telegram/hook"


@dataclass(frozen=True)
class KillFigures:
    """What one run did to its questions (one question per user, so replies count exactly)."""

    mode: str
    seed: int
    questions: int
    kills: int
    lost: int  # users who never got a reply
    duplicated: int  # replies beyond the first
    logged_unsent: int  # users with a query-log row but no reply
    sent_unlogged: int  # users with a reply but no query-log row
    logged_twice: int  # query-log rows beyond the first
    integrity: tuple[str, ...]  # PRAGMA integrity_check of the query log and the inbox files
    exit_status: int  # of the last run, stopped by SIGTERM
    seconds: float
    kill_moments: tuple[str, ...]
    output: str  # everything the bot printed, over all its runs

    def line(self) -> str:
        return (
            f"{self.mode} seed {self.seed}: {self.questions} questions, {self.kills} kills: "
            f"lost {self.lost}, duplicated {self.duplicated}; log: {self.logged_unsent} "
            f"unsent, {self.sent_unlogged} missing, {self.logged_twice} twice; "
            f"integrity {'/'.join(self.integrity)}; {self.seconds:.1f} s"
        )


def replies(api: FakeBotApi) -> Counter:
    """Replies accepted by (fake) Telegram, per chat."""
    return Counter(c.params["chat_id"] for c in api.called("sendMessage", ok=True))


async def _until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def _integrity(path: Path) -> str:
    if not path.exists():
        return "missing"
    with closing(sqlite3.connect(path)) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


async def kill_run(
    api: FakeBotApi,
    corpus: Path,
    folder: Path,
    texts: list[str],
    mode: str = "polling",
    seed: int = 1,
    questions: int = 60,
    kills: int = 2,
    token: str = "123456789:AAH-kill-test-token-NEVER-LOGGED",
) -> KillFigures:
    """Ask ``questions`` (``texts`` in turn, one per user) at once, kill the bot ``kills``
    times at moments drawn from ``seed``, restarting it each time; stop it with SIGTERM once
    every user has a reply (or a minute went by); count."""
    rng = random.Random(seed)
    data = folder / "data"
    env = bot_env(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=api.base_url,
        MARJAA_DATA_DIR=str(data),
        MARJAA_LOG_USER_IDS="raw",  # so that log rows can be matched to users
    )
    args: list[str] = []
    ready = "getUpdates"
    if mode == "webhook":
        port = free_port()
        api.webhook_target = f"http://127.0.0.1:{port}"
        args, ready = ["--webhook-url", HOOK, "--port", str(port)], "setWebhook"
    bot = BotProcess(corpus, env, *args)
    users = list(range(FIRST_USER, FIRST_USER + questions))
    started = time.monotonic()
    moments: list[str] = []

    async def start() -> None:
        before = len(api.called(ready))
        await bot.start()
        up = await _until(lambda: len(api.called(ready)) > before or bot.exited, 60)
        if not up or bot.exited:
            raise AssertionError(f"marjaa bot did not start:\n{bot.text}")

    try:
        await start()
        for n, user in enumerate(users):
            api.send_text(texts[n % len(texts)], user_id=user)
        for k in range(kills):
            # a moment drawn over what is left of the burst at Telegram's pace, so that kills
            # fall wherever the bot happens to be: replaying, fetching, searching, sending
            answered = replies(api)
            left = sum(1 for u in users if not answered[u])
            delay = rng.uniform(0.05, max(0.1, left / PACE / (kills - k)))
            await asyncio.sleep(delay)
            moments.append(f"{delay:.2f} s after start, {sum(replies(api).values())} replies")
            await bot.kill()
            await start()
        await _until(lambda: set(users) <= set(replies(api)), 60)
        await asyncio.sleep(0.5)  # a reply sent twice would arrive by now
        api.end_long_polls()
        status = await bot.stop(signal.SIGTERM)
    finally:
        await bot.close()
    sent = replies(api)
    with closing(sqlite3.connect(data / "queries.sqlite3")) as db:
        rows = Counter(int(key) for (key,) in db.execute("SELECT user_key FROM queries"))
    return KillFigures(
        mode=mode,
        seed=seed,
        questions=questions,
        kills=kills,
        lost=sum(1 for u in users if not sent[u]),
        duplicated=sum(sent[u] - 1 for u in users if sent[u] > 1),
        logged_unsent=sum(1 for u in users if rows[u] and not sent[u]),
        sent_unlogged=sum(1 for u in users if sent[u] and not rows[u]),
        logged_twice=sum(rows[u] - 1 for u in users if rows[u] > 1),
        integrity=tuple(
            _integrity(data / name) for name in ("queries.sqlite3", INBOX_FILE, DONE_FILE)
        ),
        exit_status=status,
        seconds=time.monotonic() - started,
        kill_moments=tuple(moments),
        output=bot.text,
    )
