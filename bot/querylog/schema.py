"""The query log's SQLite schema: connection settings, forward migrations (user_version)."""

from __future__ import annotations

import contextlib
import os
import textwrap
from pathlib import Path

import aiosqlite

from bot.querylog.counts import COUNTS_MIGRATION

# Each entry upgrades the schema by one version; the database's PRAGMA user_version counts how
# many have run. Never edit a released entry: append a new one (old files are upgraded at start).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: one row per question answered
    (
        """
        CREATE TABLE queries (
            id INTEGER PRIMARY KEY,
            query_id TEXT NOT NULL UNIQUE,
            timestamp TEXT NOT NULL,
            channel TEXT NOT NULL,
            chat_type TEXT,
            user_key TEXT,
            query TEXT NOT NULL,
            normalized_query TEXT NOT NULL,
            answered INTEGER NOT NULL CHECK (answered IN (0, 1)),
            result_count INTEGER NOT NULL,
            top_doc_id TEXT,
            top_paragraph INTEGER,
            top_score REAL,
            latency_ms REAL NOT NULL,
            corpus_fingerprint TEXT,
            engine TEXT
        )
        """,
        "CREATE INDEX queries_timestamp ON queries (timestamp)",
    ),
    # 2: 👍/👎 ratings, one per user and question (a later click replaces the earlier one)
    (
        """
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            query_id TEXT NOT NULL REFERENCES queries (query_id),
            rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
            user_key TEXT,
            timestamp TEXT NOT NULL,
            UNIQUE (query_id, user_key)
        )
        """,
        "CREATE INDEX feedback_timestamp ON feedback (timestamp)",
    ),
    # 3: documents admins added from Telegram or removed (who as a user key, never an id)
    (
        """
        CREATE TABLE uploads (
            id INTEGER PRIMARY KEY,
            timestamp TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('add', 'remove')),
            user_key TEXT,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            title TEXT NOT NULL,
            stored_as TEXT NOT NULL,
            passages INTEGER NOT NULL
        )
        """,
        "CREATE INDEX uploads_timestamp ON uploads (timestamp)",
    ),
    # 4: the counts and indexes the review reads instead of every question
    COUNTS_MIGRATION,
)
SCHEMA_VERSION = len(MIGRATIONS)
COUNTS_SCHEMA = 1 + MIGRATIONS.index(COUNTS_MIGRATION)  # the version that added the counts

QUERY_COLUMNS = (
    "query_id",
    "timestamp",
    "channel",
    "chat_type",
    "user_key",
    "query",
    "normalized_query",
    "answered",
    "result_count",
    "top_doc_id",
    "top_paragraph",
    "top_score",
    "latency_ms",
    "corpus_fingerprint",
    "engine",
)
FEEDBACK_COLUMNS = ("query_id", "rating", "user_key", "timestamp")
UPLOAD_COLUMNS = (
    "timestamp", "action", "user_key", "sha256", "size", "title", "stored_as", "passages"
)  # fmt: skip

INSERT_QUERY = (
    f"INSERT OR IGNORE INTO queries ({', '.join(QUERY_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in QUERY_COLUMNS)})"
)
INSERT_UPLOAD = (
    f"INSERT INTO uploads ({', '.join(UPLOAD_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in UPLOAD_COLUMNS)})"
)
UPSERT_FEEDBACK = (
    f"INSERT INTO feedback ({', '.join(FEEDBACK_COLUMNS)}) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (query_id, user_key) DO UPDATE "
    "SET rating = excluded.rating, timestamp = excluded.timestamp"
)


WAL_SIZE_LIMIT = 64 * 1024 * 1024


class SchemaError(Exception):
    """The database was written by a newer marjaa (or is not a query log)."""


async def connect(path: Path, busy_timeout_ms: int = 5000) -> aiosqlite.Connection:
    """Open (creating folder and file) and upgrade the log; WAL so readers never block writes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        # questions are personal data: the log (and its -wal/-shm, which SQLite creates with
        # the same mode) is readable by its owner only
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    # timeout = SQLite's busy timeout; isolation_level None: transactions are explicit (BEGIN)
    db = await aiosqlite.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None)
    try:
        if not await schema_version(db):
            # a new file: pruning can then give freed pages back a few at a time
            # (PRAGMA incremental_vacuum) instead of a VACUUM that locks the whole log
            await db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        await db.execute("PRAGMA journal_mode = WAL")
        # the write-ahead log a big prune leaves behind is cut back after its checkpoint
        await db.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        # NORMAL is durable across application crashes in WAL mode and avoids an fsync per commit
        await db.execute("PRAGMA synchronous = NORMAL")
        await migrate(db)
    except BaseException:
        await db.close()
        raise
    return db


async def schema_version(db: aiosqlite.Connection) -> int:
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(db: aiosqlite.Connection, target: int = SCHEMA_VERSION) -> int:
    """Run the missing migrations up to ``target``, each in its own transaction."""
    version = await schema_version(db)
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"the query log has schema version {version}, newer than this marjaa "
            f"knows ({SCHEMA_VERSION}); upgrade marjaa"
        )
    while version < target:
        await db.execute("BEGIN IMMEDIATE")
        try:
            # re-read inside the write lock: another process may have migrated meanwhile
            version = await schema_version(db)
            if version < target:
                for statement in MIGRATIONS[version]:
                    # dedented: the sqlite3 shell's .schema shows the text as stored
                    await db.execute(textwrap.dedent(statement).strip())
                version += 1
                await db.execute(f"PRAGMA user_version = {version}")
            await db.commit()
        except BaseException:
            await db.rollback()
            raise
    return version
