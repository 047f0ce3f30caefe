"""The Telegram bot under load: 500 questions from 100 users, through the fake Bot API.

Three processes, as in production: the fake Bot API server of the tests
(tools/fake_bot_api.py, standing in for Telegram), the real bot (`marjaa bot` on the seeds
corpus: python-telegram-bot, real handlers, real httpx, long polling), and this driver, which
pushes updates to the fake server and reads back what the bot sent. A question's latency
runs from the moment its update is offered to the bot (queued at the fake server) to the
moment its reply reaches the fake server; Telegram's own network time is not in it.

The deliberate limits are kept out of the way, as the issue asks: python-telegram-bot's
AIORateLimiter pacing (30 sends a second overall, Telegram's limit) is switched off in the bot
process, and each of the 100 users asks 5 questions, within the per-user limit of 5 per 10 s.
Two runs: all 500 questions offered at once (a burst: latency is mostly waiting in line), and
the same 500 offered at a steady rate (what each user waits when the bot is busy but keeps up).

Run: .venv/bin/python bench/bot_load.py [--rate 40]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAH-bench-token-0123456789abcdef"
USERS = 100
PER_USER = 5
FIRST_USER = 10_000
QUESTIONS = [
    "أين عقد حوار المنامة؟",
    "متى صنف بايدن قطر حليفا رئيسيا من خارج الناتو؟",
    "كم عدد الأسرى الذين أطلق سراحهم في الهدنة؟",
    "من رعى مؤتمر وارسو؟",
    "ما هي عاصمة اليابان؟",
    "وين رح تنعقد قمة الناتو الجاية؟",
    "متى وصل بلينكن إلى القاهرة؟",
]


def run_bot(corpus: Path = ROOT / "seeds") -> None:
    """The bot process: `marjaa bot` with python-telegram-bot's send pacing switched off."""
    from bot.cli import main
    from tools.bot_harness import without_send_pacing

    without_send_pacing()
    sys.exit(main(["bot", "--corpus", str(corpus), "--no-log"]))


class FakeTelegram:
    """The fake Bot API server in its own process, driven over HTTP."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tools" / "fake_bot_api.py"), "--port", str(self.port)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                self.calls()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def push(self, updates: list[dict]) -> None:
        request = urllib.request.Request(
            f"{self.url}/_fake/updates",
            data=json.dumps(updates, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=30).read()

    def calls(self) -> list[dict]:
        with urllib.request.urlopen(f"{self.url}/_fake/calls", timeout=30) as response:
            return json.load(response)

    def replies(self, users: range) -> list[dict]:
        return [
            c
            for c in self.calls()
            if c["method"] == "sendMessage" and c["params"].get("chat_id") in users
        ]

    def wait_replies(self, users: range, count: int, timeout: float = 300) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(found := self.replies(users)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} replies")
            time.sleep(0.05)
        return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def measure(api: FakeTelegram, users: range, rate: float | None) -> dict:
    """Offer PER_USER questions for each user (all at once, or ``rate`` a second)."""
    offered: dict[int, list[float]] = {}
    order = [(users[n % USERS], n) for n in range(USERS * PER_USER)]
    question = {"text": "", "user_id": 0}
    started = time.monotonic()
    if rate is None:
        batch = [{**question, "text": QUESTIONS[n % 7], "user_id": u} for u, n in order]
        for user, _ in order:
            offered.setdefault(user, []).append(started)
        api.push(batch)
    else:
        for index, (user, n) in enumerate(order):
            time.sleep(max(0.0, started + index / rate - time.monotonic()))
            offered.setdefault(user, []).append(time.monotonic())
            api.push([{"text": QUESTIONS[n % 7], "user_id": user}])
    replies = api.wait_replies(users, len(order))
    elapsed = max(c["at"] for c in replies) - started
    time.sleep(1.0)  # a reply sent twice would arrive now
    replies = api.replies(users)
    # Private replies are not threaded: a user's replies are paired with that user's
    # questions in time order (each user's questions are 100 places apart, so order holds).
    by_chat: dict[int, list[float]] = {}
    for call in replies:
        by_chat.setdefault(call["params"]["chat_id"], []).append(call["at"])
    latencies = [
        (answered - asked) * 1000
        for chat, asked_times in offered.items()
        for asked, answered in zip(asked_times, sorted(by_chat.get(chat, [])), strict=False)
    ]
    counts = Counter(len(by_chat.get(chat, [])) for chat in offered)
    return {
        "questions": len(order),
        "replies": len(replies),
        "exactly_one_each": counts == Counter({PER_USER: USERS}),
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
        "max": max(latencies),
        "seconds": elapsed,
    }


def show(label: str, result: dict) -> None:
    print(
        f"{label:<24} {result['questions']} questions, {result['replies']} replies, "
        f"exactly one each: {'yes' if result['exactly_one_each'] else 'NO'} | latency "
        f"p50 {result['p50']:6.1f} ms, p95 {result['p95']:6.1f} ms, max {result['max']:6.1f} ms"
        f" | {result['seconds']:.2f} s ({result['questions'] / result['seconds']:.0f}/s)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=40.0, help="steady run: questions/s")
    parser.add_argument("--run-bot", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_bot:
        run_bot()
        return
    api = FakeTelegram()
    data = tempfile.mkdtemp(prefix="marjaa-bench-")
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"{api.url}/bot",
        "MARJAA_DATA_DIR": data,
        "PYTHONPATH": str(ROOT),
    }
    bot = subprocess.Popen(
        [sys.executable, __file__, "--run-bot"], env=env, stderr=subprocess.DEVNULL
    )
    try:
        warm_up = range(1, 2)
        api.push([{"text": "أين عقد حوار المنامة؟", "user_id": 1}])
        api.wait_replies(warm_up, 1, timeout=60)
        first = FIRST_USER
        show("500 at once (burst)", measure(api, range(first, first + USERS), None))
        time.sleep(11)  # the per-user window passes before the same users ask again
        second = first + USERS
        label = f"500 at {args.rate:.0f}/s (steady)"
        show(label, measure(api, range(second, second + USERS), args.rate))
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(30)
        api.stop()


if __name__ == "__main__":
    main()
