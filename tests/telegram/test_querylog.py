"""The bot and the real query log: questions and ratings in SQLite, /stats for admins only."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from bot import messages
from bot.bidi import FSI, PDI
from bot.querylog import UserKeys
from retrieval import Retriever
from tests.support.harness import (
    CAFE_QUESTION,
    SPICE_QUESTION,
    UNANSWERABLE,
    USER,
    button_data,
    query_id_of,
    shown,
    start_bot,
    stop_bot,
    write_corpus,
)
from tests.support.querylog import rows, wait_until
from tools.fake_bot_api import BOT_USERNAME
from tools.querylog_helpers import TEST_SALT, locked, quick_log

GROUP = -1009876
ADMIN = 5550001
# A user id that cannot turn up in the file by chance: searched for in its bytes.
RARE_USER = 918273645


@pytest.fixture(scope="module")
def retriever(tmp_path_factory) -> Retriever:
    return Retriever.from_path(write_corpus(tmp_path_factory.mktemp("corpus")))


@pytest.fixture
def db(tmp_path):
    return tmp_path / "log" / "queries.sqlite3"


@pytest.fixture
async def logged_bot(api, retriever, db):
    """The bot writing to a real query log at ``db`` (started and flushed by its lifecycle)."""
    running = await start_bot(api, retriever, sink=quick_log(db), db=db, admin_user_ids={ADMIN})
    yield running
    await stop_bot(running)


def file_bytes(path) -> bytes:
    """The log as stored on disk: the database and its write-ahead log."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_questions_from_every_kind_of_chat_are_logged_with_hashed_users(logged_bot, db):
    bot = logged_bot
    private = await bot.ask(SPICE_QUESTION, user_id=RARE_USER)
    group = await bot.ask(f"/ask {CAFE_QUESTION}", user_id=RARE_USER, chat_id=GROUP,
                          chat_type="supergroup")  # fmt: skip
    unanswered = await bot.ask(UNANSWERABLE, user_id=RARE_USER)
    inline_id = bot.api.inline(SPICE_QUESTION, user_id=RARE_USER)
    (inline,) = await bot.api.wait_for("answerInlineQuery", 1, inline_query_id=inline_id)
    bot.api.choose_inline(inline.params["results"][0]["id"], SPICE_QUESTION, user_id=RARE_USER)
    await bot.flush()
    await stop_bot(bot)  # post_shutdown flushes the log

    logged = rows(db)
    assert [(r["channel"], r["chat_type"], r["query"], r["answered"]) for r in logged] == [
        ("telegram", "private", SPICE_QUESTION, 1),
        ("telegram", "supergroup", CAFE_QUESTION, 1),
        ("telegram", "private", UNANSWERABLE, 0),
        ("telegram", "inline", SPICE_QUESTION, 1),
    ]
    assert logged[0]["query_id"] == query_id_of(private)
    assert logged[1]["query_id"] == query_id_of(group)
    assert "reply_markup" not in unanswered.params
    assert logged[3]["query_id"] == inline.params["results"][0]["id"].split(":")[0]
    key = UserKeys(TEST_SALT).key(RARE_USER)
    assert {r["user_key"] for r in logged} == {key} and key != str(RARE_USER)
    assert logged[0]["result_count"] == 3 and logged[0]["latency_ms"] > 0
    assert str(RARE_USER).encode() not in file_bytes(db)


async def test_ratings_are_logged_with_the_question_they_rate(logged_bot, db):
    bot = logged_bot
    first = await bot.ask(SPICE_QUESTION)
    second = await bot.ask(CAFE_QUESTION)
    for call, label in [(first, "👍"), (second, "👍"), (second, "👎")]:
        callback_id = bot.api.press(call, button_data(call, label))
        await bot.api.wait_for("answerCallbackQuery", 1, callback_query_id=callback_id)
    bot.api.press(first, button_data(first, "👍"), user_id=2002)  # someone else agrees
    await bot.flush()
    await stop_bot(bot)
    with closing(sqlite3.connect(db)) as conn:
        joined = conn.execute(
            "SELECT q.query, f.rating, f.user_key FROM feedback f "
            "JOIN queries q USING (query_id) ORDER BY f.id"
        ).fetchall()
    keys = UserKeys(TEST_SALT)
    assert joined == [
        (SPICE_QUESTION, 1, keys.key(USER)),
        (CAFE_QUESTION, -1, keys.key(USER)),  # the changed rating replaced the first one
        (SPICE_QUESTION, 1, keys.key(2002)),
    ]


async def test_entries_still_waiting_at_shutdown_are_written(api, retriever, db):
    with quick_log(db):  # create the file, so that it can be locked
        pass
    # the writer would retry only after a minute: only the shutdown flush can write them
    sink = quick_log(db, retry_seconds=60)
    bot = await start_bot(api, retriever, sink=sink, db=db)
    try:
        with locked(db):
            await bot.ask(SPICE_QUESTION)
            await bot.ask(UNANSWERABLE)
            assert wait_until(lambda: sink.status.failing is not None)
            assert sink.status.pending == 2
    finally:
        await stop_bot(bot)
    assert [r["query"] for r in rows(db)] == [SPICE_QUESTION, UNANSWERABLE]
    assert sink.status.pending == 0


class BrokenSink:
    """A log that breaks its promise never to raise."""

    def log_query(self, record) -> None:
        raise RuntimeError("disk on fire")

    def log_feedback(self, record) -> None:
        raise RuntimeError("disk on fire")


async def test_a_log_that_raises_never_costs_a_reply(api, retriever, caplog):
    bot = await start_bot(api, retriever, sink=BrokenSink())
    try:
        reply = await bot.ask(SPICE_QUESTION)
        assert "📖" in shown(reply)
        callback_id = bot.api.press(reply, button_data(reply, "👍"))
        (ack,) = await bot.api.wait_for("answerCallbackQuery", 1, callback_query_id=callback_id)
        assert ack.params["text"] == messages.THANKS
    finally:
        await stop_bot(bot)
    assert caplog.text.count("the query log refused a record") == 2


# --- /stats -------------------------------------------------------------------------------


async def test_stats_shows_an_admin_the_summary(logged_bot):
    bot = logged_bot
    await bot.ask(SPICE_QUESTION)
    await bot.ask("<b>ما</b> & عاصمة <i>اليابان</i>؟")  # stays text in the summary's HTML
    bot.sink.flush(5)
    reply = await bot.ask("/stats", user_id=ADMIN)
    text = shown(reply)  # the fake server parsed its HTML as Telegram does
    assert reply.params["parse_mode"] == "HTML"
    assert "📊 إحصاءات سجل الأسئلة" in text and "الفترة: كل السجل" in text
    assert "الأسئلة: 2 — أُجيب عن 1 (50٪)" in text
    # as text, not markup (its Latin letters isolated inside the Arabic line)
    assert "<b>ما</b> & عاصمة <i>اليابان</i>؟" in text.replace(FSI, "").replace(PDI, "")
    recent = shown(await bot.ask("/stats 7d", user_id=ADMIN))
    assert "منذ " in recent and "الأسئلة: 2" in recent
    usage = shown(await bot.ask("/stats 99999999999d", user_id=ADMIN))
    assert usage == messages.STATS_USAGE


async def test_stats_is_an_unknown_command_to_everyone_else(logged_bot):
    bot = logged_bot
    await bot.ask(SPICE_QUESTION)
    unknown = messages.UNKNOWN_COMMAND.format(command="/stats")
    assert shown(await bot.ask("/stats")) == unknown
    assert shown(await bot.ask(f"/stats@{BOT_USERNAME} 7d")) == unknown.replace(
        "/stats", f"/stats@{BOT_USERNAME}"
    )
    # In a group, even an admin's /stats is ignored like any unknown command: the figures
    # are not for every member to read.
    for user in (USER, ADMIN):
        bot.api.send_text("/stats", user_id=user, chat_id=GROUP, chat_type="group")
    await bot.flush()
    assert bot.api.called("sendMessage", chat_id=GROUP) == []


async def test_admin_commands_are_in_the_menu_of_admins_only(logged_bot):
    default, admin = logged_bot.api.called("setMyCommands")
    assert "scope" not in default.params
    admin_only = {"stats", "reload", "documents", "remove"}
    assert not admin_only & {c["command"] for c in default.params["commands"]}
    assert admin.params["scope"] == {"type": "chat", "chat_id": ADMIN}
    assert [c["command"] for c in admin.params["commands"]][-4:] == [
        "stats", "reload", "documents", "remove"
    ]  # fmt: skip


async def test_stats_with_no_log_yet_or_a_damaged_one(api, retriever, db):
    bot = await start_bot(api, retriever, db=db, admin_user_ids={ADMIN})
    try:
        empty = shown(await bot.ask("/stats", user_id=ADMIN))
        assert "لا توجد أسئلة مسجلة" in empty
        db.parent.mkdir(parents=True)
        db.write_bytes(b"not a database " * 100)
        assert shown(await bot.ask("/stats", user_id=ADMIN)) == messages.STATS_UNAVAILABLE
        assert "📖" in shown(await bot.ask(SPICE_QUESTION))
    finally:
        await stop_bot(bot)
