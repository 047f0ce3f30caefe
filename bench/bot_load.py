"""The Telegram bot under load: 500 questions from 100 users, through the fake Bot API.

The real bot (python-telegram-bot Application, real handlers, real httpx) polls the fake
Bot API server of the tests on 127.0.0.1 and answers from the seeds corpus. A question's
latency runs from the moment its update is offered to the bot (queued at the fake server)
to the moment its reply reaches the fake server; Telegram's own network time is not in it.
The deliberate limits are kept out of the way, as the issue asks: python-telegram-bot's
AIORateLimiter pacing (30 sends a second overall) is switched off, and each user sends 5
questions, within the per-user limit of 5 per 10 seconds.

Two runs: all 500 questions arriving at once (a burst: latency is mostly queueing), and the
same 500 arriving at a steady rate (what one user waits when the bot is busy).

Run: .venv/bin/python bench/bot_load.py [--rate 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bot_harness import start_bot, stop_bot  # noqa: E402
from fake_bot_api import FakeBotApi  # noqa: E402
from telegram.ext import AIORateLimiter  # noqa: E402

from bot import telegram_app  # noqa: E402
from bot.events import NullSink  # noqa: E402
from bot.ratelimit import UserRateLimiter  # noqa: E402
from retrieval.search import Retriever  # noqa: E402

USERS = 100
PER_USER = 5
QUESTIONS = [
    "أين عقد حوار المنامة؟",
    "متى صنف بايدن قطر حليفا رئيسيا من خارج الناتو؟",
    "كم عدد الأسرى الذين أطلق سراحهم في الهدنة؟",
    "من رعى مؤتمر وارسو؟",
    "ما هي عاصمة اليابان؟",
    "وين رح تنعقد قمة الناتو الجاية؟",
    "متى وصل بلينكن إلى القاهرة؟",
]


def unpaced(max_retries: int) -> AIORateLimiter:
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


async def run(retriever: Retriever, rate: float | None) -> dict:
    """Send USERS × PER_USER questions (all at once, or ``rate`` a second)."""
    api = FakeBotApi()
    await api.start()
    bot = await start_bot(api, retriever, limiter=UserRateLimiter(limit=PER_USER), sink=NullSink())
    try:
        await bot.ask("/help", user_id=1)  # warm up: first poll, first reply
        offered: dict[int, list[float]] = {}
        order = [(n % USERS, n) for n in range(USERS * PER_USER)]
        started = time.monotonic()
        for index, (user, n) in enumerate(order):
            if rate:
                await asyncio.sleep(max(0.0, started + index / rate - time.monotonic()))
            api.send_text(QUESTIONS[n % len(QUESTIONS)], user_id=10_000 + user)
            offered.setdefault(10_000 + user, []).append(time.monotonic())
        total = USERS * PER_USER
        await api.wait_for("sendMessage", total + 1, ok=True, timeout=300)
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.5)  # anything sent twice would arrive now
        replies = [
            c for c in api.called("sendMessage", ok=True) if c.params.get("chat_id", 0) >= 10_000
        ]
    finally:
        await stop_bot(bot)
        await api.stop()
    # Private replies are not threaded: a user's replies are paired with that user's questions
    # in time order (each user's questions are 100 positions apart, so order is kept).
    by_chat: dict[int, list[float]] = {}
    for call in replies:
        by_chat.setdefault(call.params["chat_id"], []).append(call.at)
    latencies = [
        (answered - asked) * 1000
        for chat, asked_times in offered.items()
        for asked, answered in zip(asked_times, sorted(by_chat.get(chat, [])), strict=False)
    ]
    counts = Counter(len(by_chat.get(chat, [])) for chat in offered)
    return {
        "questions": total,
        "replies": len(replies),
        "exactly_one_each": counts == Counter({PER_USER: USERS}),
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
        "max": max(latencies),
        "seconds": elapsed,
    }


def show(label: str, result: dict) -> None:
    print(
        f"{label:<28} {result['questions']} questions, {result['replies']} replies, "
        f"exactly one each: {'yes' if result['exactly_one_each'] else 'NO'} | "
        f"latency p50 {result['p50']:7.1f} ms, p95 {result['p95']:7.1f} ms, "
        f"max {result['max']:7.1f} ms | all answered in {result['seconds']:.2f} s "
        f"({result['questions'] / result['seconds']:.0f} questions/s)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="steady run: questions/s")
    args = parser.parse_args()
    telegram_app.AIORateLimiter = unpaced  # type: ignore[assignment,misc]
    retriever = Retriever.from_path(ROOT / "seeds")
    show("500 at once (burst)", await run(retriever, None))
    show(f"500 at {args.rate:.0f}/s (steady)", await run(retriever, args.rate))


if __name__ == "__main__":
    asyncio.run(main())
