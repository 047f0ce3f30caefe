"""Run by test_querylog_faults.py in a child process, whose file-size limit it lowers.

``filesize PATH``: writes hit RLIMIT_FSIZE (they fail as on a full disk), then the limit is
lifted. Prints one JSON object with what was observed.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
from pathlib import Path

from tests.support.querylog import record, rows, wait_until
from tools.querylog_helpers import quick_log


def filesize(path: Path) -> dict:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
    reports: list[str] = []
    log = quick_log(path, reports).start()
    log.log_query(record())
    log.flush(5)
    # no byte may be written past the end of the smaller of the log's files: neither the next
    # commit (appended to the write-ahead log) nor a checkpoint (into the database) fits
    sizes = [path.stat().st_size, path.with_name(path.name + "-wal").stat().st_size]
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (min(sizes), hard))
    for _ in range(40):
        log.log_query(record())
    failed = wait_until(lambda: log.status.failing is not None)
    failing, pending = log.status.failing, log.status.pending
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space again
    flushed = log.flush(5)
    log.close()
    return {
        "failed": failed,
        "failing": failing,
        "pending": pending,
        "flushed": flushed,
        "rows": len(rows(path)),
        "reports": reports,
    }


if __name__ == "__main__":
    scenario, target = sys.argv[1], Path(sys.argv[2])
    os.chdir(target.parent)
    print(json.dumps({"filesize": filesize}[scenario](target)))
