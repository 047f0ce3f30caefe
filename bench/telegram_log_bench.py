"""What the query log costs the Telegram bot: reply times with no log, a working log, a locked one.

The real bot (python-telegram-bot, httpx) answers questions pushed by the fake Bot API of the
tests; a question's time runs from the moment the update is offered to the moment the answer
reaches the fake server (Telegram's own latency is not in it). The bot's pacing of what it
sends (AIORateLimiter: 30 requests a second overall, which "typing…" plus the answer reach at
15 questions a second) is switched off here, or it would be all this measures.

Run: .venv/bin/python bench/telegram_log_bench.py [N]   (N questions per mode, default 200)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.events import NullSink  # noqa: E402
from retrieval import Retriever  # noqa: E402
from tools.bot_harness import start_bot, stop_bot, without_send_pacing  # noqa: E402
from tools.fake_bot_api import FakeBotApi  # noqa: E402
from tools.querylog_helpers import locked, quick_log  # noqa: E402

QUESTIONS = ["أين عقد حوار المنامة؟", "ما هو الطقس على سطح المريخ؟", "متى تأسست قطر للطاقة؟"]


async def run(mode: str, count: int, retriever: Retriever) -> None:
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        path = Path(folder) / "queries.sqlite3"
        sink = NullSink() if mode == "no log" else quick_log(path, retry_seconds=5.0)
        if mode == "locked log":
            with quick_log(path):  # create the file, then hold its write lock
                pass
            stack.enter_context(locked(path))
        api = FakeBotApi()
        await api.start()
        bot = await start_bot(api, retriever, sink=sink)
        try:
            times = []
            for n in range(count):
                user = 100_000 + n  # one question each: the rate limit stays out of the way
                started = time.perf_counter()
                api.send_text(QUESTIONS[n % len(QUESTIONS)], user_id=user)
                await api.wait_for("sendMessage", 1, ok=True, chat_id=user)
                times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            burst = range(200_000, 200_000 + count)
            for user in burst:
                api.send_text(QUESTIONS[user % len(QUESTIONS)], user_id=user)
            for user in burst:
                await api.wait_for("sendMessage", 1, ok=True, chat_id=user, timeout=60)
            burst_s = time.perf_counter() - started
            waiting = getattr(sink, "status", None)
        finally:
            stack.close()  # release the lock: the shutdown flush can write
            await stop_bot(bot)
            await api.stop()
    p95 = statistics.quantiles(times, n=20)[-1]
    pending = f"; {waiting.pending} entries were waiting" if mode == "locked log" else ""
    print(
        f"{mode:<11} one at a time: median {statistics.median(times):5.1f} ms, p95 {p95:5.1f} ms"
        f" | {count} at once: all answered in {burst_s:4.2f} s{pending}"
    )


async def main(count: int) -> None:
    without_send_pacing()
    retriever = Retriever.from_path(ROOT / "seeds")
    for mode in ("no log", "query log", "locked log"):
        await run(mode, count, retriever)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
