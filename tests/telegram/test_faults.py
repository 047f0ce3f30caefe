"""Faults under the bot: Bot API resets and timeouts, and a failing query log database.

Each question must get at most one reply, and exactly one whenever Telegram's answers say
what happened (docs/telegram.md, "When Telegram fails"); the log loses and doubles nothing.
(429 with retry_after, and a slow Telegram that answers within the timeout while other chats
are served: test_telegram_bot.py.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from telegram.error import NetworkError

from bot import messages
from bot.telegram import app as app_module
from bot.telegram.handlers import questions as questions_module
from bot.telegram.request import SafeRetryRequest, not_sent, outcome_unknown
from retrieval import Retriever
from tests.support.child import run_module
from tests.support.db_faults import (
    DbFault,
    Outcome,
    deleted_folder,
    file_size_limit,
    full_file_system,
    questions_through_a_fault,
    read_only,
    replaced_by_garbage,
    tiny_file_system,
)
from tests.support.harness import (
    CAFE_QUESTION,
    SPICE_QUESTION,
    TOKEN,
    USER,
    start_bot,
    stop_bot,
    write_corpus,
)
from tools.fake_bot_api import FakeBotApi
from tools.querylog_helpers import locked


@pytest.fixture(scope="module")
def retriever(tmp_path_factory) -> Retriever:
    return Retriever.from_path(write_corpus(tmp_path_factory.mktemp("corpus")))


def delivered(api: FakeBotApi, chat_id: int) -> list[str]:
    """The texts of the messages Telegram carried out for the chat (whatever the bot heard)."""
    calls = api.called("sendMessage", ok=True, chat_id=chat_id)
    return [c.params["_result"]["text"] for c in calls]


async def settled(api: FakeBotApi, seconds: float = 5.0) -> None:
    """Wait until the fake server finished every request (a slow one outlives its timeout)."""
    for _ in range(int(seconds / 0.02)):
        if all({"_result", "_error", "_reset"} & set(c.params) for c in api.calls
               if c.method != "getUpdates"):  # fmt: skip
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the fake server is still answering")


# --- Bot API faults -----------------------------------------------------------------------


@dataclass(frozen=True)
class ApiFault:
    inject: Callable[[FakeBotApi], None]
    attempts: int  # sendMessage calls the question causes
    replies: list[str]  # what the user then has: "answer" or the apology
    log: str = ""  # a line the bot's log must show


API_FAULTS = {
    # Sent, executed, answer lost: the user has the answer; sending it again would double it.
    "reset after Telegram sent the answer": ApiFault(
        lambda api: api.reset("sendMessage", processed=True), 1, ["answer"], "may have arrived"
    ),
    # Sent, not executed, no answer: the bot cannot tell this from the case above, so it does
    # the same (nothing more): the user gets no reply and can ask again.
    "reset before Telegram sent the answer": ApiFault(
        lambda api: api.reset("sendMessage"), 1, [], "may have arrived"
    ),
    # No answer within the read timeout (0.8 s here), but Telegram sends it later.
    "answer slower than the read timeout": ApiFault(
        lambda api: api.slow("sendMessage", 1.6), 1, ["answer"], "may have arrived"
    ),
    # "typing…" is a courtesy: its failure costs nothing.
    "reset of typing…": ApiFault(lambda api: api.reset("sendChatAction"), 1, ["answer"]),
    # The update is fetched again with the same offset: handled once.
    "reset of getUpdates after it handed out the question": ApiFault(
        lambda api: api.reset("getUpdates", processed=True), 1, ["answer"]
    ),
    "Telegram fails the answer (500), then the apology goes through": ApiFault(
        lambda api: api.fail("sendMessage", 500), 2, [messages.ERROR], "Internal Server Error"
    ),
}


@pytest.mark.parametrize("case", API_FAULTS.values(), ids=API_FAULTS.keys())
async def test_bot_api_fault_gives_at_most_one_reply_and_the_bot_recovers(
    api, retriever, monkeypatch, caplog, case
):
    monkeypatch.setattr(app_module, "READ_TIMEOUT", 0.8)
    monkeypatch.setattr(questions_module, "TYPING_AFTER", 0.0)  # every question sends "typing…"
    bot = await start_bot(api, retriever)
    try:
        await api.wait_for("getUpdates", 1)
        case.inject(api)
        api.send_text(SPICE_QUESTION)
        await api.wait_for("sendMessage", case.attempts, chat_id=USER)
        # the next question, from the same user, is answered normally
        after = await bot.ask(CAFE_QUESTION, user_id=2002)
        await bot.flush()
        await settled(api)
    finally:
        await stop_bot(bot)
    assert len(api.called("sendMessage", chat_id=USER)) == case.attempts
    replies = ["answer" if "📖" in text else text for text in delivered(api, USER)]
    assert replies == case.replies
    assert "📖" in after.params["_result"]["text"]
    assert case.log in caplog.text
    assert "Traceback" not in caplog.text


async def test_a_request_that_never_reached_telegram_is_sent_again():
    """Connection refused: nothing was sent, so sending again is safe (SafeRetryRequest)."""
    api = FakeBotApi()
    await api.start()  # to learn a free port...
    port = api.port
    await api.stop()  # ...that nobody listens on now
    request = SafeRetryRequest(retry_pauses=(0.3, 0.3))
    await request.initialize()
    url = f"http://127.0.0.1:{port}/bot123:abc/getMe"
    try:
        attempt = asyncio.create_task(request.post(url))
        await asyncio.sleep(0.15)  # the first attempt has been refused
        revived = FakeBotApi()
        await revived.start(port=port)
        try:
            assert (await attempt)["username"] == revived.bot_user["username"]
        finally:
            await revived.stop()
    finally:
        await request.shutdown()
    assert [c.method for c in revived.calls] == ["getMe"]


async def test_a_reset_request_is_not_sent_again(api):
    """Sent, then the connection broke: Telegram may have done it; its outcome is unknown."""
    request = SafeRetryRequest(retry_pauses=(0.1, 0.1))
    await request.initialize()
    api.reset("getMe")
    try:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"{api.base_url}{TOKEN}/getMe")
    finally:
        await request.shutdown()
    assert outcome_unknown(raised.value) and not not_sent(raised.value)
    assert len(api.called("getMe")) == 1


# --- query log database faults ------------------------------------------------------------

DB_FAULTS = {
    "locked by another program": DbFault(locked),
    "read-only file": DbFault(read_only, before_start=True),
    # the writer notices, creates folder and file again: only the first entry is lost with them
    "folder deleted": DbFault(deleted_folder, fails=False, keeps_earlier=False),
    # kept aside as queries.sqlite3.corrupt-<time>, a new log is started
    "damaged file at start": DbFault(
        replaced_by_garbage, before_start=True, fails=False, keeps_earlier=False
    ),
    "log replaced by garbage while running": DbFault(
        replaced_by_garbage, fails=False, keeps_earlier=False
    ),
}


def assert_nothing_lost_or_doubled(outcome: Outcome, fault: DbFault) -> None:
    assert outcome.answers == outcome.questions  # answering went on
    if fault.fails:
        assert outcome.failing is not None
        assert outcome.pending == outcome.questions + 1  # the questions and the rating wait
    assert outcome.flushed
    assert outcome.logged_ids == outcome.expected_ids, outcome  # each once, in order
    assert outcome.feedback_ids == [outcome.rated_id]
    assert outcome.kept_aside == (fault.inject is replaced_by_garbage)


@pytest.mark.parametrize("fault", DB_FAULTS.values(), ids=DB_FAULTS.keys())
async def test_database_fault_answers_go_on_and_entries_are_written_once(
    retriever, tmp_path, fault
):
    outcome = await questions_through_a_fault(retriever, tmp_path / "log" / "q.sqlite3", fault)
    assert_nothing_lost_or_doubled(outcome, fault)


async def test_full_file_system_answers_go_on_and_entries_are_written_once(retriever, tmp_path):
    folder = tmp_path / "log"
    with tiny_file_system(folder) as mounted:
        if not mounted:
            pytest.skip("a tiny tmpfs needs root and mount (the file-size-limit test stands in)")
        fault = DbFault(full_file_system)
        outcome = await questions_through_a_fault(retriever, folder / "q.sqlite3", fault)
    assert "full" in outcome.failing
    assert_nothing_lost_or_doubled(outcome, fault)


def test_file_size_limit_answers_go_on_and_entries_are_written_once(tmp_path):
    """RLIMIT_FSIZE makes writes fail as on a full disk; in a child, whose every file it hits."""
    corpus = write_corpus(tmp_path)
    found = run_module("tests.support.db_faults", str(corpus), str(tmp_path / "q.sqlite3"))
    outcome = Outcome(**found)
    assert_nothing_lost_or_doubled(outcome, DbFault(file_size_limit))
