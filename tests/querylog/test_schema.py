"""The query log's schema: created on first use, versioned, upgraded from older files."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing

import aiosqlite

from bot.querylog.schema import FEEDBACK_COLUMNS, QUERY_COLUMNS, SCHEMA_VERSION, migrate
from tests.support.querylog import UNANSWERED, rating, record, rows
from tools.querylog_helpers import quick_log


def pragma(path, name):
    with closing(sqlite3.connect(path)) as db:
        return db.execute(f"PRAGMA {name}").fetchone()[0]


def test_first_use_creates_folder_file_tables_in_wal_mode(tmp_path):
    path = tmp_path / "new" / "folder" / "queries.sqlite3"
    with quick_log(path) as log:
        log.log_query(record())
    assert path.is_file()
    assert pragma(path, "user_version") == SCHEMA_VERSION
    assert pragma(path, "journal_mode") == "wal"
    with closing(sqlite3.connect(path)) as db:
        tables = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        query_columns = [row[1] for row in db.execute("PRAGMA table_info(queries)")]
        feedback_columns = [row[1] for row in db.execute("PRAGMA table_info(feedback)")]
    assert {"queries", "feedback"} <= tables
    assert query_columns == ["id", *QUERY_COLUMNS]
    assert feedback_columns == ["id", *FEEDBACK_COLUMNS]
    assert (path.stat().st_mode & 0o777) == 0o600  # questions are personal data


def test_row_holds_every_field_of_the_question_as_plain_values(tmp_path):
    path = tmp_path / "q.sqlite3"
    question = record(channel="telegram", chat_type="group", latency_ms=7.25)
    with quick_log(path) as log:
        log.log_query(question)
    (row,) = rows(path)
    top = question.answer.results[0]
    assert row["query_id"] == question.query_id
    assert (
        row["timestamp"].endswith("Z")
        and row["timestamp"][:10] == question.timestamp.date().isoformat()
    )
    assert (row["channel"], row["chat_type"]) == ("telegram", "group")
    assert row["query"] == question.answer.query  # the original text, not normalized
    assert row["normalized_query"] == question.answer.normalized_query
    assert row["answered"] == 1 and row["result_count"] == len(question.answer.results)
    assert (row["top_doc_id"], row["top_paragraph"]) == (top.passage.doc_id, top.passage.paragraph)
    assert row["top_score"] == top.score
    assert row["latency_ms"] == 7.25
    assert (row["corpus_fingerprint"], row["engine"]) == ("test-corpus", "rank-bm25")


def test_unanswered_question_without_results_stores_nulls(tmp_path):
    path = tmp_path / "q.sqlite3"
    question = record("؟؟؟")  # no words at all: no results
    with quick_log(path) as log:
        log.log_query(question)
    (row,) = rows(path)
    assert row["answered"] == 0 and row["result_count"] == 0
    assert row["top_doc_id"] is None and row["top_score"] is None


def test_migration_from_version_1_keeps_rows_and_adds_feedback(tmp_path):
    path = tmp_path / "old.sqlite3"

    async def make_version_1():
        async with aiosqlite.connect(path, isolation_level=None) as db:
            await migrate(db, target=1)

    asyncio.run(make_version_1())
    with closing(sqlite3.connect(path)) as db:
        db.execute(
            "INSERT INTO queries (query_id, timestamp, channel, query, normalized_query, "
            "answered, result_count, latency_ms) VALUES "
            "('old1', '2025-01-01T00:00:00.000Z', 'cli', 'سؤال قديم', 'سوال قديم', 0, 0, 3.0)"
        )
        db.commit()
    assert pragma(path, "user_version") == 1

    question = record(UNANSWERED)
    with quick_log(path) as log:
        log.log_query(question)
        log.log_feedback(rating(question, -1))
    assert pragma(path, "user_version") == SCHEMA_VERSION
    assert [r["query_id"] for r in rows(path)] == ["old1", question.query_id]
    assert [(r["query_id"], r["rating"]) for r in rows(path, "feedback")] == [
        (question.query_id, -1)
    ]


def test_database_from_a_newer_marjaa_is_left_alone(tmp_path):
    path = tmp_path / "future.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    reports: list[str] = []
    log = quick_log(path, reports).start()
    log.log_query(record())
    assert not log.flush(0.3)
    log.close(timeout=2)
    assert pragma(path, "user_version") == SCHEMA_VERSION + 1
    assert any("newer than this marjaa" in r for r in reports)
