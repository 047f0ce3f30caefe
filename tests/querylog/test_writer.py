"""The background writer: everything logged once, batched, flushed at shutdown, never raising."""

from __future__ import annotations

import asyncio
import threading

from bot.events import FeedbackRecord, QueryRecord
from tests.support.querylog import ANSWERED, UNANSWERED, rating, record, rows
from tools.querylog_helpers import locked, quick_log


def test_hundreds_of_concurrent_questions_from_threads_and_tasks_are_logged_once(tmp_path):
    path = tmp_path / "q.sqlite3"
    templates = [record(ANSWERED), record(UNANSWERED)]
    sent: list[str] = []
    sent_lock = threading.Lock()

    def question(i: int) -> QueryRecord:
        base = templates[i % 2]
        made = QueryRecord(f"q{i:04d}", "telegram", "group", i, base.answer, float(i))
        with sent_lock:
            sent.append(made.query_id)
        return made

    log = quick_log(path).start()

    def thread_worker(start: int) -> None:
        for i in range(start, start + 50):
            log.log_query(question(i))

    async def task_worker(i: int) -> None:
        await asyncio.sleep(0)
        log.log_query(question(i))

    async def tasks() -> None:
        await asyncio.gather(*(task_worker(i) for i in range(400, 600)))

    threads = [threading.Thread(target=thread_worker, args=(n * 50,)) for n in range(8)]
    for thread in threads:
        thread.start()
    asyncio.run(tasks())
    for thread in threads:
        thread.join()
    log.close()

    stored = [row["query_id"] for row in rows(path)]
    assert len(sent) == 600
    assert sorted(stored) == sorted(sent)  # every question, none twice
    assert log.status.written == 600 and log.status.pending == 0


def test_queued_entries_are_committed_in_batches(tmp_path):
    path = tmp_path / "q.sqlite3"
    log = quick_log(path, batch_size=100)
    for _ in range(250):
        log.log_query(record())  # queued before the writer runs: it finds them all at once
    log.start().close()
    assert len(rows(path)) == 250
    assert log.status.commits == 3


def test_close_flushes_what_is_queued(tmp_path):
    path = tmp_path / "q.sqlite3"
    log = quick_log(path).start()
    for _ in range(30):
        log.log_query(record())
    log.close()
    assert len(rows(path)) == 30


def test_log_calls_never_raise_and_count_malformed_records(tmp_path):
    path = tmp_path / "q.sqlite3"
    reports: list[str] = []
    with quick_log(path, reports) as log:
        log.log_query(None)  # type: ignore[arg-type]
        log.log_feedback(FeedbackRecord("abc", 1, rating=5))  # not 👍/👎
        log.log_query(record())
    assert log.status.rejected == 2
    assert len(rows(path)) == 1
    assert sum("malformed" in r for r in reports) == 2  # once when it happens, once at close


def test_a_second_rating_by_the_same_user_replaces_the_first(tmp_path):
    path = tmp_path / "q.sqlite3"
    question = record()
    with quick_log(path) as log:
        log.log_query(question)
        log.log_feedback(rating(question, 1, user_id=7))
        log.log_feedback(rating(question, -1, user_id=7))
        log.log_feedback(rating(question, 1, user_id=8))
    stored = [(r["query_id"], r["rating"]) for r in rows(path, "feedback")]
    assert sorted(stored) == [(question.query_id, -1), (question.query_id, 1)]


def test_asyncio_program_uses_async_with_and_aclose(tmp_path):
    path = tmp_path / "q.sqlite3"

    async def bot_like() -> int:
        async with quick_log(path) as log:
            for _ in range(5):
                log.log_query(record())
                await asyncio.sleep(0)
        second = quick_log(path).start()
        second.log_query(record())
        await second.aclose()
        return second.status.written

    assert asyncio.run(bot_like()) == 1
    assert len(rows(path)) == 6


def test_full_queue_drops_the_newest_entries_and_says_so_once(tmp_path):
    path = tmp_path / "q.sqlite3"
    with quick_log(path) as log:  # create the file
        pass
    reports: list[str] = []
    with locked(path):
        log = quick_log(path, reports, max_pending=10).start()
        for _ in range(25):
            log.log_query(record())
        assert log.status.pending == 10 and log.status.dropped == 15
        assert not log.flush(0.3)
    assert log.flush(5)
    log.close()
    assert len(rows(path)) == 10
    assert sum("queue is full" in r for r in reports) == 1
    assert "15 dropped" in reports[-1]
