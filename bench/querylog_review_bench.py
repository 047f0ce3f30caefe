"""Reviewing a big query log: summary, /stats, report, export and prune on 1,000,000 questions.

Run: .venv/bin/python bench/querylog_review_bench.py [--rows N] [--ratings M]

The log is generated once (tools/synthetic_querylog.py: a year of realistic traffic) and kept
under data/bench/; each run works on a copy. Commands run as the operator runs them (the real
`marjaa` process; wall time includes starting Python); /stats is timed in process, as the bot's
handler runs it. Prune runs while a writer logs a question every 10 ms the way the bot's writer
does (BEGIN IMMEDIATE, INSERT, COMMIT, SQLite's 5 s busy timeout): its longest wait is the
longest a bot's write waited for the prune.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bot.querylog.review import Period, read_summary  # noqa: E402
from bot.querylog.stats import stats_text  # noqa: E402
from tools.synthetic_querylog import build  # noqa: E402

WORK = ROOT / "data" / "bench"
MARJAA = [str(Path(sys.executable).parent / "marjaa")]
LOG_VERSION = 1  # bump when tools/synthetic_querylog.py changes what it writes


def source_log(rows: int, ratings: int) -> Path:
    path = WORK / f"querylog-{rows}-{ratings}-v{LOG_VERSION}.sqlite3"
    if not path.is_file():
        WORK.mkdir(parents=True, exist_ok=True)
        print(f"generating a log of {rows:,} questions...", file=sys.stderr, flush=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        build(partial, rows, ratings)
        partial.rename(path)
        print(f"  {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return path


def copy_of(source: Path, name: str) -> Path:
    target = WORK / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([*MARJAA, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def stats_seconds(path: Path, period: Period) -> float:
    started = time.perf_counter()
    text = stats_text(asyncio.run(read_summary(path, period)), html=True)
    assert text
    return time.perf_counter() - started


class Writer(threading.Thread):
    """Logs one question every ``interval`` s like the bot's writer; records each wait."""

    def __init__(self, path: Path, interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.path, self.interval = path, interval
        self.waits: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        with closing(db):
            n = 0
            while not self.stop.is_set():
                n += 1
                started = time.perf_counter()
                db.execute("BEGIN IMMEDIATE")
                db.execute(
                    "INSERT INTO queries (query_id, timestamp, channel, query, normalized_query,"
                    " answered, result_count, latency_ms) VALUES (?, ?, 'telegram', 'سؤال',"
                    " 'سوال', 1, 3, 12.0)",
                    (f"bench-{n}", datetime.now(UTC).isoformat(timespec="milliseconds")[:23] + "Z"),
                )
                db.execute("COMMIT")
                self.waits.append(time.perf_counter() - started)
                time.sleep(self.interval)


def prune_under_writes(path: Path, age: str) -> dict:
    writer = Writer(path)
    writer.start()
    time.sleep(0.5)  # the writer's own pace first
    started = time.perf_counter()
    done = subprocess.run(
        [*MARJAA, "logs", "prune", "--db", str(path), "--older-than", age, *prune_flags()],
        check=True,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    time.sleep(0.3)
    writer.stop.set()
    writer.join()
    waits = sorted(writer.waits)
    return {
        "seconds": elapsed,
        "writes": len(waits),
        "max_wait": waits[-1],
        "p99_wait": waits[int(0.99 * (len(waits) - 1))],
        "said": done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "",
    }


def prune_flags() -> list[str]:
    shown = subprocess.run(
        [*MARJAA, "logs", "prune", "--help"], capture_output=True, text=True, check=True
    ).stdout
    return ["--yes"] if "--yes" in shown else []


def show(label: str, seconds: float, extra: str = "") -> None:
    print(f"  {label:36} {seconds:6.2f} s{'  ' + extra if extra else ''}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ratings", type=int, default=100_000)
    args = parser.parse_args()
    source = source_log(args.rows, args.ratings)
    print(
        f"Query log: {args.rows:,} questions, {args.ratings:,} ratings over a year "
        f"({source.stat().st_size / 1e6:.0f} MB); load average {os.getloadavg()[0]:.2f}"
    )
    path = copy_of(source, "querylog-review.sqlite3")
    db = ["--db", str(path)]
    # the first command on an older file upgrades it (new indexes and aggregates)
    show("first open (upgrades an older log)", timed("logs", "summary", *db))
    show("logs summary", min(timed("logs", "summary", *db) for _ in range(3)))
    for age in ("7d", "300d"):
        seconds = min(timed("logs", "summary", *db, "--since", age) for _ in range(3))
        show(f"logs summary --since {age}", seconds)
    week = Period(since=datetime.now(UTC) - timedelta(days=7))
    show("/stats (in process)", min(stats_seconds(path, Period()) for _ in range(3)))
    show("/stats 7d (in process)", min(stats_seconds(path, week) for _ in range(3)))
    report = WORK / "report.html"
    show("logs report", min(timed("logs", "report", *db, "--out", str(report)) for _ in range(2)))
    for fmt in ("csv", "jsonl"):
        out = WORK / f"export.{fmt}"
        seconds = timed("logs", "export", *db, "--format", fmt, "--out", str(out))
        rate = f"({args.rows / seconds:,.0f} rows/s, {out.stat().st_size / 1e6:.0f} MB)"
        show(f"logs export --format {fmt}", seconds, rate)
        out.unlink()
    pruned = prune_under_writes(path, "90d")
    show(
        "logs prune --older-than 90d",
        pruned["seconds"],
        f"(a writer meanwhile: {pruned['writes']} writes, longest wait "
        f"{pruned['max_wait'] * 1000:.0f} ms, p99 {pruned['p99_wait'] * 1000:.0f} ms)",
    )
    print(f"    {pruned['said']}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
