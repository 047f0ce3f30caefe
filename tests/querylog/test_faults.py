"""Fault injection: whatever happens to the database, answering goes on and entries wait."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

from rich.console import Console

from bot.console.repl import run_console
from tests.support.child import run_module
from tests.support.querylog import ANSWERED, UNANSWERED, record, rows, set_read_only, wait_until
from tools.querylog_helpers import locked, quick_log

NOBODY = 65534


def created(path: Path) -> Path:
    with quick_log(path) as log:
        log.log_query(record())
    return path


def test_locked_database_keeps_entries_waiting_and_reports_once(tmp_path):
    path = created(tmp_path / "q.sqlite3")
    reports: list[str] = []
    with locked(path):
        log = quick_log(path, reports).start()
        for _ in range(20):
            log.log_query(record())
        assert not log.flush(0.2)  # several retries happen meanwhile
        assert log.status.failing == "database is locked"
        assert log.status.pending == 20
    assert log.flush(5)
    log.close()
    assert len(rows(path)) == 21
    failures = [r for r in reports if "cannot write" in r]
    assert len(failures) == 1 and "database is locked" in failures[0]
    assert "entries wait" in failures[0]
    assert "20 waiting entries written" in reports[-1]


def test_console_keeps_answering_while_the_log_is_locked(tmp_path, seeds_retriever):
    path = created(tmp_path / "q.sqlite3")
    reports: list[str] = []
    out = io.StringIO()
    with locked(path):
        log = quick_log(path, reports).start()
        run_console(
            seeds_retriever,
            Console(file=out, width=100),
            stdin=io.StringIO(f"{ANSWERED}\n{UNANSWERED}\n"),
            sink=log,
        )
        assert "حوار المنامة" in out.getvalue()  # the answer was printed
        assert wait_until(lambda: log.status.failing is not None)
        assert log.status.pending == 2
    log.close()
    assert [r["channel"] for r in rows(path)] == ["telegram", "console", "console"]
    assert len([r for r in reports if "cannot write" in r]) == 1


def test_deleted_folder_is_created_again_and_later_entries_written(tmp_path):
    folder = tmp_path / "data"
    path = folder / "q.sqlite3"
    reports: list[str] = []
    log = quick_log(path, reports).start()
    log.log_query(record())
    assert log.flush(5)
    shutil.rmtree(folder)
    for _ in range(3):
        log.log_query(record())
    assert log.flush(5)
    log.close()
    assert len(rows(path)) == 3  # the first entry went with the deleted folder
    assert any("removed or replaced" in r for r in reports)


def test_corrupt_file_is_kept_aside_and_a_new_log_started(tmp_path):
    path = tmp_path / "q.sqlite3"
    garbage = b"this is not a database at all " * 200
    path.write_bytes(garbage)
    reports: list[str] = []
    with quick_log(path, reports) as log:
        for _ in range(3):
            log.log_query(record())
    assert len(rows(path)) == 3
    (kept,) = tmp_path.glob("q.sqlite3.corrupt-*")
    assert kept.read_bytes() == garbage
    assert len(reports) == 1 and "damaged" in reports[0]


def test_file_replaced_by_garbage_while_running_is_detected(tmp_path):
    path = created(tmp_path / "q.sqlite3")
    log = quick_log(path).start()
    log.log_query(record())
    assert log.flush(5)
    replacement = tmp_path / "garbage"
    replacement.write_bytes(b"\0garbage" * 1000)
    os.replace(replacement, path)
    log.log_query(record())
    assert log.flush(5)
    log.close()
    assert len(rows(path)) == 1
    assert len(list(tmp_path.glob("q.sqlite3.corrupt-*"))) == 1


def test_shutdown_while_failing_reports_the_entries_it_could_not_write(tmp_path):
    path = created(tmp_path / "q.sqlite3")
    reports: list[str] = []
    with locked(path):
        log = quick_log(path, reports).start()
        for _ in range(4):
            log.log_query(record())
        log.close(timeout=5)
    assert "4 entries could not be written" in reports[-1]
    assert len(rows(path)) == 1


def run_child(scenario: str, folder: Path) -> dict:
    return run_module("tests.support.querylog_child", scenario, str(folder / "q.sqlite3"))


def test_read_only_file_keeps_entries_until_it_is_writable_again(tmp_path):
    path = created(tmp_path / "q.sqlite3")
    reports: list[str] = []
    set_read_only(path, True)
    try:
        log = quick_log(path, reports).start()
        for _ in range(5):
            log.log_query(record())
        assert wait_until(lambda: log.status.failing is not None)
        assert "readonly" in log.status.failing
        assert log.status.pending == 5
    finally:
        set_read_only(path, False)
    assert log.flush(5)
    log.close()
    assert len(rows(path)) == 6
    assert len([r for r in reports if "cannot write" in r]) == 1


def test_full_disk_keeps_entries_until_there_is_room_again(tmp_path):
    seen = run_child("filesize", tmp_path)
    assert seen["failed"], seen
    assert seen["pending"] == 40
    assert seen["flushed"] and seen["rows"] == 41
    assert len([r for r in seen["reports"] if "cannot write" in r]) == 1


def test_a_database_failing_again_and_again_is_reported_once(tmp_path):
    path = created(tmp_path / "q.sqlite3")
    reports: list[str] = []
    log = quick_log(path, reports).start()
    for _ in range(3):
        with locked(path):
            log.log_query(record())
            assert wait_until(lambda: log.status.failing is not None)
        assert log.flush(5)
    log.close()
    assert len(rows(path)) == 4
    assert len([r for r in reports if "cannot write" in r]) == 1
    assert len([r for r in reports if " again; " in r]) == 1
