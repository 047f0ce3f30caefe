"""Never lose a question: the real `marjaa bot` killed with -9 in the middle of a burst and
started again (tools/kill_run.py), by long polling and behind a webhook; and the inbox's own
rules, in this process."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from bot.events import FeedbackRecord, QueryRecord, UploadRecord
from bot.telegram.inbox import DONE_FILE, INBOX_FILE, MAX_ATTEMPTS, Inbox
from bot.telegram.intake import record_from_json, record_to_json
from tests.support.harness import (
    CAFE_QUESTION,
    CARAVAN_QUESTION,
    SPICE_QUESTION,
    TOKEN,
    UNANSWERABLE,
    write_corpus,
)
from tools.kill_run import kill_run

QUESTIONS = [SPICE_QUESTION, CAFE_QUESTION, CARAVAN_QUESTION, UNANSWERABLE]


@pytest.mark.parametrize(
    ("mode", "seed"), [("polling", 1), ("polling", 2), ("webhook", 3), ("webhook", 4)]
)
async def test_kill_9_mid_burst_loses_nothing(api, tmp_path, mode, seed):
    figures = await kill_run(
        api, write_corpus(tmp_path), tmp_path, QUESTIONS, mode, seed, token=TOKEN
    )
    print(figures.line(), figures.kill_moments)  # the figures, with -s
    assert figures.lost == 0, figures.line()
    # the one window: Telegram accepted a reply and the bot died before its done mark
    assert figures.duplicated <= figures.kills, figures.line()
    # the query log holds what was sent: one row for each question answered, no other
    assert (figures.logged_unsent, figures.sent_unlogged, figures.logged_twice) == (0, 0, 0)
    assert figures.integrity == ("ok", "ok", "ok")
    assert figures.exit_status == 0
    assert "Traceback" not in figures.output and TOKEN.split(":")[1] not in figures.output


# --- the inbox's rules, without a bot ---------------------------------------------------


def row(update_id: int, text: str = "سؤال") -> tuple[int, str, dict]:
    payload = {"update_id": update_id, "message": {"message_id": update_id, "text": text}}
    return update_id, "message", payload


async def pending_after_restart(folder, answer: tuple[int, ...] = ()) -> list[int]:
    inbox = Inbox(folder)
    await inbox.open()
    pending = [p.update_id for p in (await inbox.leftovers()).pending]
    for update_id in answer:
        await inbox.finish(update_id, [])
    await inbox.close()
    return pending


async def test_pending_updates_come_back_in_order_and_a_poison_one_is_given_up(tmp_path):
    inbox = Inbox(tmp_path)
    await inbox.open()
    assert await inbox.record([row(3), row(1), row(2)]) == {1, 2, 3}
    assert await inbox.record([row(2), row(4)]) == {4}  # 2 again: Telegram delivering again
    await inbox.finish(2, [])
    await inbox.close()
    # the next start: what is pending, in order; 3 and 4 are answered, 1 crashes the bot
    assert await pending_after_restart(tmp_path, answer=(3, 4)) == [1, 3, 4]
    for _ in range(MAX_ATTEMPTS - 1):  # and again, each time it is tried
        assert await pending_after_restart(tmp_path) == [1]
    inbox = Inbox(tmp_path)
    await inbox.open()
    leftovers = await inbox.leftovers()
    assert (leftovers.pending, leftovers.abandoned) == ([], [1])
    assert await inbox.record([row(1), row(3)]) == set()  # still known: not handled again
    await inbox.close()


async def test_done_updates_keep_no_text_and_old_rows_are_pruned(tmp_path):
    inbox = Inbox(tmp_path)
    await inbox.open()
    await inbox.record([row(1, "سر الزعفران"), row(2, "سؤال معلق")])
    await inbox.finish(1, [{"type": "feedback"}])
    await inbox.maintain(truncate=True)
    kept = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert "سر الزعفران".encode() not in kept  # answered: its text is gone, WAL included
    assert "سؤال معلق".encode() in kept  # pending: kept until it is answered
    with closing(sqlite3.connect(tmp_path / DONE_FILE)) as db:  # two days later
        old = (datetime.now(UTC) - timedelta(hours=49)).isoformat().replace("+00:00", "Z")
        db.execute("UPDATE done SET at = ?", (old,))
        db.commit()
    with closing(sqlite3.connect(tmp_path / INBOX_FILE)) as db:
        db.execute("UPDATE updates SET received = ?", (old,))
        db.commit()
    assert await inbox.maintain() == 1  # the answered one; the pending one stays
    leftovers = await inbox.leftovers()
    assert [p.update_id for p in leftovers.pending] == [2]
    assert [json.dumps(r) for r in leftovers.records] == ['{"type": "feedback"}']
    await inbox.close()


def test_log_records_survive_the_outbox_unchanged(seeds_retriever):
    answer = seeds_retriever.search("أين عقد حوار المنامة؟")
    records = [
        QueryRecord("0123456789ab", "telegram", "private", 42, answer, 12.5),
        FeedbackRecord("0123456789ab", 42, -1),
        UploadRecord("add", 7, "f" * 64, 1234, "عنوان", "upload-1.txt", 3),
    ]
    again = [record_from_json(json.loads(json.dumps(record_to_json(r)))) for r in records]
    assert again == records
