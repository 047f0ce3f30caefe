"""`logs backup`: a consistent, compact copy of the query log, taken while the bot writes to it.

Copying the file with cp while the bot writes can catch it between two writes, and misses what
is still in the write-ahead log. SQLite's VACUUM INTO reads the log in one read transaction (a
snapshot: the bot's writes go on meanwhile, in WAL mode nothing waits for a reader) and writes
a new file without the free pages; the copy is checked before it is reported.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import aiosqlite


class BackupError(Exception):
    """The copy could not be made or is not sound; the message says why."""


@dataclass(frozen=True)
class Backup:
    path: Path
    questions: int
    ratings: int
    size: int


async def backup(db: aiosqlite.Connection, target: Path) -> Backup:
    """Write a copy of the open log ``db`` to ``target``, a file that must not exist yet."""
    try:
        # private like the log (questions are personal data); VACUUM INTO fills an empty file
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupError(f"{target} exists already; choose a new name") from None
    except OSError as exc:
        raise BackupError(f"cannot create {target}: {exc.strerror or exc}") from None
    try:
        await db.execute("VACUUM INTO ?", (str(target),))
        with closing(sqlite3.connect(target)) as copy:
            (check,) = copy.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise BackupError(f"the copy in {target} is damaged: {check}")
            questions = copy.execute("SELECT COUNT(*) FROM queries").fetchone()[0]
            ratings = copy.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
    except BaseException:
        with contextlib.suppress(OSError):
            target.unlink()  # never leave a half-written copy that looks like a backup
        raise
    return Backup(target, questions, ratings, target.stat().st_size)
