"""How much the query log costs a front end: time per log_query call, and writer throughput.

Run: .venv/bin/python bench/querylog_bench.py [N]   (N questions, default 20000)
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from bot.events import QueryRecord
from bot.querylog import QueryLog, UserKeys
from retrieval import Retriever

ROOT = Path(__file__).resolve().parent.parent


def records(count: int) -> list[QueryRecord]:
    retriever = Retriever.from_path(ROOT / "seeds")
    answers = [retriever.search(q) for q in ("أين عقد حوار المنامة؟", "ما هو الطقس على المريخ؟")]
    return [
        QueryRecord(f"q{i}", "telegram", "private", i, answers[i % 2], 12.0) for i in range(count)
    ]


def run(count: int, locked: bool) -> None:
    batch = records(count)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "queries.sqlite3"
        with QueryLog(path, UserKeys(b"bench"), max_pending=count + 1) as log:
            log.log_query(batch[0])
            log.flush()
        blocker = sqlite3.connect(path, isolation_level=None)
        with closing(blocker):
            if locked:
                blocker.execute("BEGIN EXCLUSIVE")
            log = QueryLog(
                path, UserKeys(b"bench"), max_pending=count + 1, report=lambda m: None
            ).start()
            started = time.perf_counter()
            for record in batch[1:]:
                log.log_query(record)
            handed = time.perf_counter() - started
            if locked:
                time.sleep(0.2)
                blocker.execute("ROLLBACK")
            log.flush()
            written = time.perf_counter() - started
            log.close()
        calls = count - 1
        state = "locked database" if locked else "working database"
        print(
            f"{state:17}  {calls} log_query calls: {handed / calls * 1e6:5.1f} µs each; "
            f"all written after {written:.2f} s ({calls / written:,.0f}/s, "
            f"{log.status.commits} commits)"
        )


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    run(n, locked=False)
    run(n, locked=True)
