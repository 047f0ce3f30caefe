"""Reviewing a big query log: summary, /stats, report, export and prune on 1,000,000 questions.

Run: .venv/bin/python bench/querylog_review_bench.py [--rows N] [--ratings M]

The log is generated once (tools/synthetic_querylog.py: a year of realistic traffic, 100k
ratings) and kept under data/bench/; each run works on a copy. Commands run as the operator
runs them (the real `marjaa` process: wall time includes starting Python, and CPU time is the
process's and its workers'); /stats is timed in process, as the bot's handler runs it. Prune
runs while a writer logs a question every 10 ms the way the bot's writer does (BEGIN IMMEDIATE,
INSERT, COMMIT, SQLite's 5 s busy timeout): its longest wait is the longest a bot's write
waited for the prune. This machine is shared: compare wall times with the CPU times and the
load average printed with them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bot.querylog.review import Period, read_summary  # noqa: E402
from bot.querylog.schema import COUNTS_SCHEMA, migrate  # noqa: E402
from bot.querylog.stats import stats_text  # noqa: E402
from tools.querylog_helpers import PacedWriter  # noqa: E402
from tools.synthetic_querylog import build  # noqa: E402

WORK = ROOT / "data" / "bench"
MARJAA = [str(Path(sys.executable).parent / "marjaa")]
LOG_VERSION = 4  # bump when tools/synthetic_querylog.py changes what it writes


def source_log(rows: int, ratings: int) -> Path:
    path = WORK / f"querylog-{rows}-{ratings}-v{LOG_VERSION}.sqlite3"
    if not path.is_file():
        WORK.mkdir(parents=True, exist_ok=True)
        print(f"generating a log of {rows:,} questions...", file=sys.stderr, flush=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        build(partial, rows, ratings, upgraded=True)
        partial.rename(path)
        print(f"  {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return path


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def copy_of(source: Path, name: str) -> Path:
    target = WORK / name
    remove(target)
    shutil.copyfile(source, target)
    return target


def older_copy(source: Path, name: str) -> Path:
    """The same questions and ratings in a log of the schema before the counts and indexes)."""
    target = WORK / name
    remove(target)

    async def schema_2() -> None:
        import aiosqlite

        async with aiosqlite.connect(target, isolation_level=None) as db:
            await migrate(db, target=COUNTS_SCHEMA - 1)

    target.touch(mode=0o600)
    asyncio.run(schema_2())
    with closing(sqlite3.connect(target, isolation_level=None)) as db:
        db.execute("ATTACH ? AS source", (str(source),))
        db.execute("BEGIN")
        db.execute("INSERT INTO queries SELECT * FROM source.queries")
        db.execute("INSERT INTO feedback SELECT * FROM source.feedback")
        db.execute("COMMIT")
    return target


def timed(*args: str) -> tuple[float, float]:
    """Wall and CPU seconds of one `marjaa` command (CPU: it and its worker processes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([*MARJAA, *args], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def best(runs: int, *args: str) -> tuple[float, float]:
    return min(timed(*args) for _ in range(runs))


def stats_seconds(path: Path, period: Period) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    text = stats_text(asyncio.run(read_summary(path, period)), html=True)
    assert text
    return time.perf_counter() - started, time.process_time() - cpu


def prune_under_writes(path: Path, *flags: str) -> dict:
    writer = PacedWriter(path)
    writer.start()
    time.sleep(0.5)  # the writer's own pace first
    started = time.perf_counter()
    done = subprocess.run(
        [*MARJAA, "logs", "prune", "--db", str(path), *flags],
        check=True,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    time.sleep(0.3)
    writer.stop.set()
    writer.join()
    waits, locks = writer.waits, sorted(writer.lock_waits)
    return {
        "seconds": elapsed,
        "writes": len(waits),
        "failures": len(writer.failures),
        "max_wait": waits[-1],
        "p99_wait": waits[int(0.99 * (len(waits) - 1))],
        "max_lock": locks[-1],
        "p99_lock": locks[int(0.99 * (len(locks) - 1))],
        "said": done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "",
    }


def show(label: str, seconds: tuple[float, float], extra: str = "") -> None:
    wall, cpu = seconds
    print(
        f"  {label:34} {wall:6.2f} s  (CPU {cpu:5.2f} s){'  ' + extra if extra else ''}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ratings", type=int, default=100_000)
    args = parser.parse_args()
    source = source_log(args.rows, args.ratings)
    print(
        f"Query log: {args.rows:,} questions, {args.ratings:,} ratings over a year "
        f"({source.stat().st_size / 1e6:.0f} MB); {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.2f}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    older = older_copy(source, "querylog-older.sqlite3")
    print(f"  (a copy in schema {COUNTS_SCHEMA - 1}: {older.stat().st_size / 1e6:.0f} MB)")
    show(
        f"first open of it (upgrade to {COUNTS_SCHEMA})",
        timed("logs", "summary", "--db", str(older)),
    )
    remove(older)
    path = copy_of(source, "querylog-review.sqlite3")
    db = ["--db", str(path)]
    show("logs summary", best(3, "logs", "summary", *db))
    show("logs summary --json", best(3, "logs", "summary", "--json", *db))
    for age in ("7d", "90d", "300d"):
        show(f"logs summary --since {age}", best(3, "logs", "summary", *db, "--since", age))
    week = Period(since=datetime.now(UTC) - timedelta(days=7))
    show("/stats (in process)", min(stats_seconds(path, Period()) for _ in range(3)))
    show("/stats 7d (in process)", min(stats_seconds(path, week) for _ in range(3)))
    report = WORK / "report.html"
    show("logs report", best(2, "logs", "report", *db, "--out", str(report)))
    report.unlink()
    for fmt in ("csv", "jsonl"):
        out = WORK / f"export.{fmt}"
        wall, cpu = timed("logs", "export", *db, "--format", fmt, "--out", str(out))
        rate = (
            f"{args.rows / wall:,.0f} rows/s ({args.rows / cpu:,.0f} per CPU second), "
            f"{out.stat().st_size / 1e6:.0f} MB"
        )
        show(f"logs export --format {fmt}", (wall, cpu), rate)
        out.unlink()
    show(
        "logs prune --dry-run 90d", timed("logs", "prune", *db, "--older-than", "90d", "--dry-run")
    )
    pruned = prune_under_writes(path, "--older-than", "90d", "--yes")
    print(
        f"  {'logs prune --older-than 90d':34} {pruned['seconds']:6.2f} s  a writer meanwhile: "
        f"{pruned['writes']} writes, {pruned['failures']} gave up; the longest waited "
        f"{pruned['max_lock'] * 1000:.0f} ms for the lock (p99 {pruned['p99_lock'] * 1000:.0f} "
        f"ms) and took {pruned['max_wait'] * 1000:.0f} ms in all (p99 "
        f"{pruned['p99_wait'] * 1000:.0f} ms)"
    )
    print(f"    {pruned['said']}")
    remove(path)


if __name__ == "__main__":
    main()
