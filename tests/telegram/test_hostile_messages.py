"""The catalogue of hostile input: what the real bot answers, and what its query log keeps.

Each row is sent to the real Application (fake Bot API, real query log in SQLite). For every
row: the reply is the one in the table; Telegram (the fake server) accepted everything the
bot sent; no handler failed; the log holds exactly the stored text given (printable, at most
MAX_QUERY_CHARS) or nothing; and the bot goes on answering others.

Elsewhere: chats outside ALLOWED_CHAT_IDS and a flood from one user while another is served
(test_telegram_bot.py: test_allow_list_…, test_flood_…), the same input as properties of the
formatting (test_telegram_properties.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio

from bot import messages
from bot.messages import EMPTY_QUESTION, NO_ANSWER, REPHRASE_TIP
from bot.querylog.writer import MAX_QUERY_CHARS
from bot.telegram import format as fmt
from bot.telegram.recent_answers import more_data, rating_data
from retrieval import Retriever
from tests.support.harness import (
    CAFE_QUESTION,
    SPICE_QUESTION,
    USER,
    query_id_of,
    start_bot,
    stop_bot,
    write_corpus,
)
from tests.support.querylog import rows
from tools.fake_bot_api import Call, FakeBotApi
from tools.querylog_helpers import quick_log

ANSWER = "<a reply with passages>"
NO_REPLY = "<no reply at all>"
NOT_FOUND = f"{NO_ANSWER}\n{REPHRASE_TIP}"
DOCUMENTS = 12  # in bot_harness.CORPUS
OTHER_USER = 2002
R = "\ufffd"  # what the log keeps of a control character or a lone surrogate


def unknown(command: str) -> str:
    return messages.UNKNOWN_COMMAND.format(command=command)


def no_source(value: str) -> str:
    return messages.NO_SOURCE.format(value=value, count=DOCUMENTS)


FLAMES = "🔥" * 500

# message sent in a private chat -> (expected reply, question text the log keeps or None)
MESSAGES: dict[str, tuple[str, str, str | None]] = {
    "empty text": ("", NO_REPLY, None),
    "whitespace only": ("  \n\t  \n", EMPTY_QUESTION, None),
    "zero-width characters only": ("\u200b\u200c\u200d\ufeff", EMPTY_QUESTION, None),
    "right-to-left mark only": ("\u200f", EMPTY_QUESTION, None),
    "punctuation only": ("؟؟!!…", EMPTY_QUESTION, None),
    "emoji only": ("😀🙂👍", EMPTY_QUESTION, None),
    "emoji flood (4096 UTF-16 units)": ("😀" * 2048, EMPTY_QUESTION, None),
    "question in an emoji flood": (
        f"{FLAMES}{SPICE_QUESTION}{FLAMES}",
        ANSWER,
        (f"{FLAMES}{SPICE_QUESTION}{FLAMES}")[: MAX_QUERY_CHARS - 1] + "…",
    ),
    "right-to-left override around a question": (
        f"\u202e{SPICE_QUESTION}\u202c", ANSWER, f"\u202e{SPICE_QUESTION}\u202c"
    ),
    "zero-width characters inside words": (
        "ما سر نكهة الزع\u200bفران\u200c في القهوة؟",
        ANSWER,
        "ما سر نكهة الزع\u200bفران\u200c في القهوة؟",
    ),
    "4096 times one letter": ("ا" * 4096, NOT_FOUND, "ا" * (MAX_QUERY_CHARS - 1) + "…"),
    "4000-character question": (
        (SPICE_QUESTION + " ") * 130,
        ANSWER,
        ((SPICE_QUESTION + " ") * 130)[: MAX_QUERY_CHARS - 1] + "…",
    ),
    "null and control characters in a question": (
        "\x00ما سر\x07 نكهة الزعفران؟\x1b[2J\r\x7f\x85",
        ANSWER,
        f"{R}ما سر{R} نكهة الزعفران؟{R}[2J{R}{R}{R}",
    ),
    "control characters only": ("\x00\x01\x02\x03", EMPTY_QUESTION, None),
    "terminal escape sequence": ("\x1b[31m\x1b[2J", NOT_FOUND, f"{R}[31m{R}[2J"),
    "lone surrogate in a question": (
        "\ud800 ما سر نكهة الزعفران؟", ANSWER, f"{R} ما سر نكهة الزعفران؟"
    ),
    "SQL statement": ("'; DROP TABLE queries; --", NOT_FOUND, "'; DROP TABLE queries; --"),
    "SQL in a question": (
        f"{SPICE_QUESTION}' OR '1'='1", ANSWER, f"{SPICE_QUESTION}' OR '1'='1"
    ),
    "HTML tags in a question": (
        "<b>الزعفران</b> & <i>القهوة</i>?", ANSWER, "<b>الزعفران</b> & <i>القهوة</i>?"
    ),
    "HTML script and link injection": (
        '</b><script>alert(1)</script><a href="javascript:x">الزعفران والقهوة</a>',
        NOT_FOUND,
        '</b><script>alert(1)</script><a href="javascript:x">الزعفران والقهوة</a>',
    ),
    "Markdown injection": (
        "*الزعفران* _القهوة_ [انقر](https://evil.example) `code`",
        NOT_FOUND,
        "*الزعفران* _القهوة_ [انقر](https://evil.example) `code`",
    ),
    "characters outside the BMP in a question": (
        "ما سر نكهة 𝕏 الزعفران؟ 𠀀", ANSWER, "ما سر نكهة 𝕏 الزعفران؟ 𠀀"
    ),
    "characters outside the BMP only": ("𝐀𝐁𝐂 𞸀𞸁 𠀀", NOT_FOUND, "𝐀𝐁𝐂 𞸀𞸁 𠀀"),
    # commands
    "unknown command": ("/DROP_TABLE_queries", unknown("/DROP_TABLE_queries"), None),
    "/stats from someone who is not an admin": ("/stats", unknown("/stats"), None),
    "command meant for another bot": ("/start@other_bot", unknown("/start@other_bot"), None),
    "very long unknown command": ("/" + "x" * 300, unknown("/" + "x" * 38 + "…"), None),
    "/source with a huge number": (
        "/source 99999999999999999999999999", no_source("99999999999999999999999999"), None
    ),
    "/source with 4090 digits": ("/source " + "9" * 4088, no_source("9" * 39 + "…"), None),
    "/source 0": ("/source 0", no_source("0"), None),
    "/source with a negative number": ("/source -1", no_source("-1"), None),
    "/source with a negative Arabic-Indic number": ("/source -٣", no_source("-3"), None),
    "/source beyond the last document": ("/source 13", no_source("13"), None),
    "/source with words": ("/source abc", no_source("abc"), None),
    "/source with a decimal": ("/source 1.5", no_source("1.5"), None),
    "/source with hexadecimal": ("/source 0x10", no_source("0x10"), None),
    "/source with markup": ("/source <b>x</b>", no_source("<b>x</b>"), None),
    "/source with a control character": ("/source \x00", no_source(R), None),
    "/sources with a negative page": (
        "/sources -1", messages.NO_SOURCES_PAGE.format(value="-1", count=1), None
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def retriever(tmp_path_factory) -> Retriever:
    return Retriever.from_path(write_corpus(tmp_path_factory.mktemp("corpus")))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def one_bot(retriever, tmp_path_factory):
    """One bot for the whole message catalogue, as in life: it takes them all, one after the
    other (each from its own user, so that the rate limit stays out of the way)."""
    api = FakeBotApi()
    await api.start()
    log = quick_log(tmp_path_factory.mktemp("log") / "q.sqlite3")
    running = await start_bot(api, retriever, sink=log, admin_user_ids={OTHER_USER})
    yield running
    await stop_bot(running)
    await api.stop()


def refused_calls(calls: list[Call]) -> list[str]:
    """What Telegram (the fake server) refused: bad HTML, too long, bad buttons..."""
    return [f"{c.method}: {c.params['_error']}" for c in calls if "_error" in c.params]


async def still_serving(bot) -> None:
    reply = await bot.ask(CAFE_QUESTION, user_id=OTHER_USER)
    assert "📖" in reply.params["_result"]["text"]


def logged_questions(bot, user: int) -> list[dict]:
    assert bot.sink.flush(5)
    return [r for r in rows(bot.sink.path) if r["user_key"] == bot.sink.user_keys.key(user)]


SENDERS = {name: 10_000 + number for number, name in enumerate(MESSAGES)}


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(
    ("name", "message", "reply", "stored"),
    [(name, *row) for name, row in MESSAGES.items()],
    ids=MESSAGES.keys(),
)
async def test_hostile_message(one_bot, caplog, name, message, reply, stored):
    bot, user = one_bot, SENDERS[name]
    first_call = len(bot.api.calls)
    bot.api.send_text(message, user_id=user)
    if reply == NO_REPLY:
        await bot.flush()
        assert bot.api.called("sendMessage", chat_id=user) == []
    else:
        (sent,) = await bot.api.wait_for("sendMessage", 1, ok=True, chat_id=user)
        shown = sent.params["_result"]["text"]  # as Telegram shows it: its HTML parsed
        if reply == ANSWER:
            assert "📖" in shown and fmt.utf16_len(shown) <= fmt.MAX_MESSAGE
        else:
            assert shown == reply
    await still_serving(bot)
    assert refused_calls(bot.api.calls[first_call:]) == []
    assert "error while handling an update" not in caplog.text
    logged = logged_questions(bot, user)
    if stored is None:
        assert logged == []
    else:
        (row,) = logged
        assert row["query"] == stored
        assert len(row["normalized_query"]) <= MAX_QUERY_CHARS


# --- buttons ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Press:
    """A callback query: its data from the answer to a first question, and what else it has."""

    data: Callable[[str], str | None]  # query id of the answer -> callback data
    ack: str  # the text of answerCallbackQuery
    message: bool = True  # False: no message (as for a message sent inline, or forged)
    user: int = USER
    ratings: int = 0  # ratings the log then holds
    settings: dict[str, Any] = field(default_factory=dict)


PRESSES: dict[str, Press] = {
    "forged data": Press(lambda q: "m:not-hex-at-all:1", messages.INVALID_BUTTON),
    "forged rating value": Press(lambda q: f"r:{q}:+5", messages.INVALID_BUTTON),
    "forged page number": Press(lambda q: f"m:{q}:99", messages.INVALID_BUTTON),
    "SQL as data": Press(lambda q: "r:'; DROP TABLE feedback;--", messages.INVALID_BUTTON),
    "oversized data (300 bytes)": Press(lambda q: "x" * 300, messages.INVALID_BUTTON),
    "empty data": Press(lambda q: "", messages.INVALID_BUTTON),
    "no data (a game button)": Press(lambda q: None, messages.INVALID_BUTTON),
    "stale rating (unknown answer)": Press(
        lambda q: rating_data("0123456789ab", 1), messages.STALE_BUTTON
    ),
    "stale «المزيد»": Press(lambda q: more_data("0123456789ab", 1), messages.STALE_BUTTON),
    "page beyond the last": Press(lambda q: more_data(q, 5), messages.ALREADY_SHOWN),
    "rating without a message": Press(
        lambda q: rating_data(q, 1), messages.THANKS, message=False, ratings=1
    ),
    "«المزيد» without a message": Press(
        lambda q: more_data(q, 1), messages.STALE_BUTTON, message=False
    ),
    # (in an allowed chat anyone may press: the list is of chats)
    "without a message, from a user outside ALLOWED_CHAT_IDS": Press(
        lambda q: rating_data(q, 1),
        messages.NOT_ALLOWED,
        message=False,
        user=OTHER_USER + 1,
        settings={"allowed_chat_ids": frozenset({USER, OTHER_USER})},
    ),
}  # fmt: skip


def push_press(api: FakeBotApi, answer: Call, press: Press, query_id: str) -> str:
    callback: dict[str, Any] = {
        "id": "cb-hostile-1",
        "from": api.user(press.user),
        "chat_instance": "42",
    }
    data = press.data(query_id)
    if data is not None:
        callback["data"] = data
    else:
        callback["game_short_name"] = "game"
    if press.message:
        callback["message"] = answer.params["_result"]
    else:
        callback["inline_message_id"] = "AAAAAgAAAAEAAAAA"
    api.push(callback_query=callback)
    return callback["id"]


@pytest.mark.parametrize("press", PRESSES.values(), ids=PRESSES.keys())
async def test_hostile_button(api, retriever, tmp_path, caplog, press):
    sink = quick_log(tmp_path / "q.sqlite3")
    bot = await start_bot(api, retriever, sink=sink, **press.settings)
    try:
        answer = await bot.ask(CAFE_QUESTION)
        callback_id = push_press(api, answer, press, query_id_of(answer))
        (ack,) = await api.wait_for("answerCallbackQuery", 1, callback_query_id=callback_id)
        assert ack.params.get("text") == press.ack
        await bot.flush()
        assert len(api.called("sendMessage", chat_id=USER)) == 1  # nothing more was sent
        await still_serving(bot)
    finally:
        await stop_bot(bot)
    assert refused_calls(api.calls) == []
    assert "error while handling an update" not in caplog.text
    assert len(rows(sink.path, "feedback")) == press.ratings


# --- other updates ------------------------------------------------------------------------


@pytest.mark.asyncio(loop_scope="module")
async def test_group_message_with_entities_pointing_outside_the_text_is_ignored(one_bot):
    """Forged entities (offsets past the end) on a group message: ignored like chatter."""
    bot = one_bot
    entities = [
        {"type": "mention", "offset": 500, "length": 20},
        {"type": "text_mention", "offset": -3, "length": 9000, "user": bot.api.user(99)},
    ]
    bot.api.send_text("مرحبا", chat_id=-100555, chat_type="supergroup", entities=entities)
    bot.api.push(message=bot.api.message(chat_id=-100555, chat_type="supergroup",
                                         new_chat_members=[bot.api.user(5)]))  # fmt: skip
    await bot.flush()
    assert bot.api.called("sendMessage", chat_id=-100555) == []
    await still_serving(bot)
