"""The index swapped under load: reply latency and the bot's memory while `marjaa index`
builds a new index beside the running bot and the bot swaps to it.

Three processes, as in production: the fake Bot API (tools/fake_bot_api.py, standing in for
Telegram), the real `marjaa bot` over a synthetic corpus (100k passages by default, from
data/bench/ as bench/scale.py makes it) with python-telegram-bot's send pacing switched off,
and this driver, which offers questions at a steady rate (each from a new user, so the
per-user limit stays out of the way), adds a small document to the corpus a few times, runs
`marjaa index` at low priority (as MARJAA_AUTO_INDEX would) and lets the bot's corpus watch
find the new index and swap. A question's latency runs from the moment it is offered to the
moment its reply reaches the fake server. The bot's resident memory is sampled every 20 ms.

Run: .venv/bin/python bench/reload_bench.py [--passages 100000] [--rate 20] [--swaps 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from bot_load import TOKEN, FakeTelegram, percentile, run_bot  # noqa: E402
from scale import corpus_for, machine  # noqa: E402

QUESTIONS = [
    "أين عقد حوار المنامة؟",
    "متى وصل بلينكن إلى القاهرة؟",
    "من رعى مؤتمر وارسو؟",
    "كم عدد الأسرى الذين أطلق سراحهم في الهدنة؟",
]
FIRST_USER = 7_000_000_000
RELOADED = re.compile(r"index reloaded \((.*?)\): .* in ([\d.]+) s")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    """The bot's resident memory every 20 ms: (monotonic time, kB)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples, self.running = pid, [], True

    def run(self) -> None:
        while self.running:
            try:
                self.samples.append((time.monotonic(), rss_kb(self.pid)))
            except OSError:
                return
            time.sleep(0.02)

    def between(self, start: float, end: float) -> list[int]:
        return [kb for at, kb in self.samples if start <= at <= end]


class Lines(threading.Thread):
    """The bot's stderr, each line with the moment it arrived."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream, self.lines = stream, []

    def run(self) -> None:
        for raw in self.stream:
            self.lines.append((time.monotonic(), raw.decode(errors="replace").rstrip()))

    def wait(self, pattern: re.Pattern, count: int, timeout: float = 600) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [(at, m) for at, line in self.lines if (m := pattern.search(line))]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise TimeoutError(f"no {pattern.pattern!r} x{count}")


class Load(threading.Thread):
    """Questions at ``rate`` a second, each from a new user."""

    def __init__(self, api: FakeTelegram, rate: float) -> None:
        super().__init__(daemon=True)
        self.api, self.rate, self.asked, self.running = api, rate, [], True

    def run(self) -> None:
        started = time.monotonic()
        while self.running:
            user = FIRST_USER + len(self.asked)
            self.asked.append((user, time.monotonic()))
            self.api.push([{"text": QUESTIONS[len(self.asked) % 4], "user_id": user}])
            time.sleep(max(0.0, started + len(self.asked) / self.rate - time.monotonic()))


def old_mappings(pid: int) -> int:
    """Mappings of index files that were removed since: an old index still held."""
    maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return sum("/index/" in line and line.endswith("(deleted)") for line in maps)


def marjaa_index(corpus: Path, env: dict) -> float:
    started = time.monotonic()
    subprocess.run(
        ["nice", "-n", "10", sys.executable, "-m", "bot.cli", "index", "--corpus", str(corpus)],
        env=env, check=True, capture_output=True, timeout=3600,
    )  # fmt: skip
    return time.monotonic() - started


def summary(label: str, values: list[float]) -> str:
    if len(values) < 2:
        return f"{label:<34} {len(values):>5} questions"
    return (
        f"{label:<34} {len(values):>5} questions | p50 {statistics.median(values):7.1f} ms, "
        f"p95 {percentile(values, 95):7.1f} ms, max {max(values):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=20.0, help="questions a second")
    parser.add_argument("--swaps", type=int, default=3)
    parser.add_argument("--run-bot", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_bot:
        run_bot(Path(os.environ["MARJAA_CORPUS"]))
        return
    print(machine(), flush=True)
    source = corpus_for(args.passages)
    work = Path(tempfile.mkdtemp(prefix="marjaa-reload-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for part in sorted(source.glob("*.jsonl")):
        os.link(part, corpus / part.name)  # the bench's corpus, shared, never written
    env = {**os.environ, "MARJAA_DATA_DIR": str(work / "data"), "PYTHONPATH": str(ROOT),
           "MARJAA_CORPUS": str(corpus)}  # fmt: skip
    print(f"{args.passages:,} passages: first build {marjaa_index(corpus, env):.1f} s", flush=True)
    api = FakeTelegram()
    bot_env = {**env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": f"{api.url}/bot"}
    bot = subprocess.Popen(
        [sys.executable, __file__, "--run-bot"], env=bot_env, stderr=subprocess.PIPE
    )
    lines = Lines(bot.stderr)
    lines.start()
    sampler = Sampler(bot.pid)
    sampler.start()
    load = Load(api, args.rate)
    builds: list[tuple[float, float]] = []
    swaps: list[tuple[float, float]] = []
    held: list[int] = []  # after each swap: mappings of removed index files still open
    try:
        lines.wait(re.compile("ready:"), 1, timeout=600)
        api.push([{"text": QUESTIONS[0], "user_id": 1}])
        api.wait_replies(range(1, 2), 1, timeout=120)
        load.start()
        time.sleep(15)
        for n in range(args.swaps):
            (corpus / f"added-{n}.txt").write_text(
                f"# خبر جديد رقم {n}\n\nافتتح اليوم معرض الكتاب رقم {n} في مدينة الرياض.\n",
                encoding="utf-8",
            )
            started = time.monotonic()
            seconds = marjaa_index(corpus, env)
            builds.append((started, started + seconds))
            arrived, match = lines.wait(RELOADED, n + 1)[-1]
            swaps.append((arrived - float(match[2]), arrived))
            time.sleep(12)
            held.append(old_mappings(bot.pid))
        load.running = False
        load.join()
        replies = api.wait_replies(range(FIRST_USER, FIRST_USER + len(load.asked)), len(load.asked))
    finally:
        load.running = False
        bot.send_signal(signal.SIGTERM)
        bot.wait(60)
        sampler.running = False
        api.stop()
        shutil.rmtree(work, ignore_errors=True)  # its indexes: gigabytes at 1M passages
    answered_at = {c["params"]["chat_id"]: c["at"] for c in replies}
    counts = {c["params"]["chat_id"] for c in replies}
    once = len(replies) == len(load.asked) == len(counts)
    latency = {user: (answered_at[user] - at) * 1000 for user, at in load.asked}

    def within(windows: list[tuple[float, float]], before: float = 0, after: float = 0):
        return [
            latency[user] for user, at in load.asked
            if any(s - before <= at <= e + after for s, e in windows)
        ]  # fmt: skip

    # Beside each swap, so that the shared machine's slow and fast minutes hit both alike:
    # the 8 s before its build started and the 8 s from 1 s after it ended.
    nearby = [(b - 8, b) for b, _ in builds] + [(e + 1, e + 9) for _, e in swaps]
    print(
        f"{len(load.asked)} questions at {args.rate:g}/s, every one answered exactly once: "
        f"{'yes' if once else 'NO'}"
    )
    print(summary("beside each swap (no build)", within(nearby)))
    print(summary("during `marjaa index` (nice 10)", within(builds)))
    print(summary("during a swap (+0.5 s after)", within(swaps, 0.1, 0.5)))
    for n, (swap, before, after) in enumerate(zip(swaps, builds, swaps, strict=True)):
        print(
            f"  swap {n + 1}: "
            + summary("", within([swap], 0.1, 0.5)).strip()
            + " | beside it: "
            + summary(
                "", within([(before[0] - 8, before[0]), (after[1] + 1, after[1] + 9)])
            ).strip()
        )
    for n, ((start, end), (bstart, bend)) in enumerate(zip(swaps, builds, strict=True)):
        before = sampler.between(start - 2, start) or [0]
        during = sampler.between(start, end + 2) or [0]
        after = sampler.between(end + 6, end + 10) or [0]
        print(
            f"swap {n + 1}: build {bend - bstart:.1f} s, open+swap {end - start:.2f} s; "
            f"bot RSS {statistics.median(before) / 1024:.0f} MB before, peak "
            f"{max(during) / 1024:.0f} MB during, {statistics.median(after) / 1024:.0f} MB after"
        )
    print(f"mappings of removed (old) index files still open 12 s after each swap: {held}")
    print(json.dumps({"reload_lines": [line for _, line in lines.lines if "index reload" in line]},
                     ensure_ascii=False, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
