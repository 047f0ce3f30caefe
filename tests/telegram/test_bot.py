"""The Telegram bot end to end: the real Application and httpx against the fake Bot API."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot import messages
from bot.bidi import FSI, PDI
from bot.messages import NO_ANSWER, REPHRASE_TIP
from bot.telegram import format as fmt
from bot.telegram.ratelimit import UserRateLimiter
from retrieval import Retriever
from tests.support.harness import (
    CAFE_QUESTION,
    CARAVAN_QUESTION,
    FLUSH_USER,
    SPICE_QUESTION,
    TOKEN,
    UNANSWERABLE,
    USER,
    button_data,
    buttons,
    shown,
    start_bot,
    stop_bot,
    write_corpus,
)
from tools.fake_bot_api import BOT_ID, BOT_USERNAME, parse_html, utf16_len

GROUP = -1001234567


@pytest.fixture(scope="module")
def retriever(tmp_path_factory) -> Retriever:
    return Retriever.from_path(write_corpus(tmp_path_factory.mktemp("corpus")))


@pytest.fixture
async def bot(api, retriever):
    running = await start_bot(api, retriever)
    yield running
    await stop_bot(running)


# --- questions in a private chat ------------------------------------------------------


async def test_question_gets_one_html_reply_with_cited_escaped_passages(bot):
    reply = await bot.ask(SPICE_QUESTION)
    text = reply.params["text"]
    assert reply.params["parse_mode"] == "HTML"
    assert len(bot.api.called("sendMessage", chat_id=USER)) == 1
    # The corpus' markup characters arrive as text, never as markup.
    assert "&lt;الزعفران&gt; &amp; &quot;الهيل&quot;" in text
    # (the Latin "b" inside Arabic text is isolated: FSI b PDI)
    assert "&lt;b&gt;غير&lt;/b&gt;" in text.replace(FSI, "").replace(PDI, "")
    assert 'وصفة <الزعفران> & "الهيل"' in shown(reply)
    # Best sentence in bold, the citation with the document's link and paragraph number.
    assert "<b>وهذا سر النكهة 🌿 الأصيلة في الضيافة.</b>" in text
    assert '<a href="https://example.org/spice?a=1&amp;b=&lt;2&gt;">' in text
    assert "الفقرة 1" in shown(reply)
    assert shown(reply).count("📖") == fmt.PAGE_SIZE
    assert utf16_len(shown(reply)) <= fmt.MAX_MESSAGE
    labels = [text for row in buttons(reply) for text, _ in row]
    assert labels == ["المزيد", "👍", "👎"]


async def test_a_quick_answer_comes_without_typing(bot):
    await bot.ask(SPICE_QUESTION)
    assert not bot.api.called("sendChatAction", chat_id=USER)


async def test_every_question_is_handed_to_the_sink(bot):
    await bot.ask(SPICE_QUESTION)
    await bot.ask(UNANSWERABLE)
    answered, unanswered = bot.sink.queries
    assert answered.channel == "telegram" and answered.chat_type == "private"
    assert answered.user_id == USER and answered.latency_ms > 0
    assert answered.answer.query == SPICE_QUESTION and answered.answer.answered
    assert len(answered.answer.results) == fmt.PAGE_SIZE  # what the user was shown
    assert unanswered.answer.answered is False
    assert answered.query_id != unanswered.query_id


async def test_question_the_sources_cannot_answer_gets_the_no_answer_message(bot):
    reply = await bot.ask(UNANSWERABLE)
    assert NO_ANSWER in shown(reply) and REPHRASE_TIP in shown(reply)
    assert "📖" not in shown(reply)
    assert "reply_markup" not in reply.params


async def test_a_misspelt_word_the_sources_know_gets_did_you_mean(bot):
    reply = await bot.ask("ما قصة الزعفرام؟")
    assert NO_ANSWER in shown(reply) and "📖" not in shown(reply)
    suggestion = messages.DID_YOU_MEAN.format(question="\u2068ما قصة الزعفران؟\u2069")
    assert shown(reply).endswith(suggestion)
    unanswerable = await bot.ask(UNANSWERABLE)
    assert "هل تقصد" not in shown(unanswerable)


async def test_without_an_answer_more_shows_the_closest_passages_marked_weak(bot):
    """The same as the console and `ask`: the no-answer message first and plainly, then,
    on «المزيد», the closest passages, each said to be weak."""
    first = await bot.ask("هل تطير الإبل فوق القهوة؟")  # its words are there, no answer is
    assert shown(first).startswith(NO_ANSWER) and "📖" not in shown(first)
    assert [t for row in buttons(first) for t, _ in row] == ["المزيد"]  # nothing to rate
    bot.api.press(first, button_data(first, "المزيد"))
    closest = (await bot.api.wait_for("sendMessage", 2, chat_id=USER))[-1]
    text = shown(closest)
    assert text.startswith(messages.WEAK_RESULTS_HEADER)
    assert text.count(messages.WEAK_LABEL) == text.count("📖") == fmt.PAGE_SIZE
    edited = await bot.api.wait_for("editMessageReplyMarkup", 1)
    assert "reply_markup" not in edited[0].params or not buttons(edited[0])


async def test_long_passage_is_shortened_around_its_best_sentence(bot):
    reply = await bot.ask(CARAVAN_QUESTION)
    first = shown(reply).split("\n📖")[0]
    assert "وفي منتصف الطريق كانت القوافل تتوقف عند بئر الياقوت لتسقي الإبل." in first
    assert first.startswith("1. …") and first.endswith("…")  # cut before and after
    assert utf16_len(first) <= len("1. ") + fmt.PASSAGE_CHARS


async def test_edited_question_is_answered_again_as_a_reply_to_it(bot):
    message = bot.api.send_text(UNANSWERABLE)
    await bot.api.wait_for("sendMessage", 1)
    bot.api.edit_text(message, SPICE_QUESTION)
    second = (await bot.api.wait_for("sendMessage", 2))[-1]
    await bot.settled()
    assert "📖" in shown(second)
    assert second.params["reply_parameters"]["message_id"] == message["message_id"]
    assert [q.answer.query for q in bot.sink.queries] == [UNANSWERABLE, SPICE_QUESTION]


# --- /start, /help, /sources, /source -------------------------------------------------


async def test_start_and_help_explain_the_bot_and_commands_are_registered(bot):
    registered = bot.api.called("setMyCommands")[0].params["commands"]
    assert [c["command"] for c in registered] == ["ask", "sources", "source", "help"]
    for command in ("/start", "/help"):
        text = shown(await bot.ask(command))
        assert "كيف تسأل" in text and f"@{BOT_USERNAME}" in text
        assert all(f"/{name}" in text for name, _ in messages.COMMANDS)
        assert 'وصفة <الزعفران> & "الهيل"' in text  # the sources it knows, escaped


async def test_sources_lists_documents_and_source_shows_one(bot, retriever):
    listing = shown(await bot.ask("/sources"))
    assert f"المصادر ({len(retriever.corpus.documents)})" in listing
    assert "3. طريق القوافل" in listing
    detail = await bot.ask("/source 1")
    assert 'وصفة <الزعفران> & "الهيل"' in shown(detail)
    assert "https://example.org/spice?a=1&b=<2>" in shown(detail)
    assert "عدد الفقرات: 2" in shown(detail)
    assert "طريق القوافل" in shown(await bot.ask("/source ٣"))  # Arabic-Indic digits


@pytest.mark.parametrize("argument", ["2", "x"])
async def test_sources_page_that_does_not_exist_is_explained(bot, argument):
    reply = await bot.ask(f"/sources {argument}")
    assert shown(reply) == messages.NO_SOURCES_PAGE.format(value=argument, count=1)


async def test_source_without_a_number_explains_usage(bot):
    assert shown(await bot.ask("/source")) == messages.SOURCE_USAGE


# --- buttons --------------------------------------------------------------------------


async def test_more_sends_the_next_passages_as_a_reply_and_drops_its_button(bot):
    first = await bot.ask(CAFE_QUESTION)
    callback_id = bot.api.press(first, button_data(first, "المزيد"))
    second = (await bot.api.wait_for("sendMessage", 2, chat_id=USER))[-1]
    assert bot.api.called("answerCallbackQuery", callback_query_id=callback_id)
    assert messages.MORE_HEADER in shown(second) and "4." in shown(second)
    assert second.params["reply_parameters"]["message_id"] == first.params["_result"]["message_id"]
    edited = await bot.api.wait_for("editMessageReplyMarkup", 1)
    assert [t for row in buttons(edited[0]) for t, _ in row] == ["👍", "👎"]
    # The third page, then nothing more to show.
    bot.api.press(second, button_data(second, "المزيد"))
    third = (await bot.api.wait_for("sendMessage", 3, chat_id=USER))[-1]
    assert "7." in shown(third)
    assert [t for row in buttons(third) for t, _ in row] == ["👍", "👎"]
    edited = await bot.api.wait_for("editMessageReplyMarkup", 2)
    assert edited[1].params["message_id"] == second.params["_result"]["message_id"]
    assert [t for row in buttons(edited[1]) for t, _ in row] == ["👍", "👎"]


async def test_more_pressed_twice_sends_the_page_once(bot):
    first = await bot.ask(CAFE_QUESTION)
    data = button_data(first, "المزيد")
    bot.api.press(first, data)
    again = bot.api.press(first, data)
    await bot.api.wait_for("answerCallbackQuery", 1, callback_query_id=again)
    await bot.flush()
    assert len(bot.api.called("sendMessage", chat_id=USER)) == 2
    texts = [c.params.get("text") for c in bot.api.called("answerCallbackQuery")]
    assert messages.ALREADY_SHOWN in texts


async def test_rating_is_acknowledged_and_handed_to_the_sink_once(bot):
    reply = await bot.ask(SPICE_QUESTION)
    query_id = bot.sink.queries[0].query_id
    for label, expected in [("👍", messages.THANKS), ("👍", messages.ALREADY_RATED),
                            ("👎", messages.RATING_CHANGED)]:  # fmt: skip
        callback_id = bot.api.press(reply, button_data(reply, label))
        answered = await bot.api.wait_for("answerCallbackQuery", 1, callback_query_id=callback_id)
        assert answered[0].params["text"] == expected
    await bot.settled()
    assert [(f.query_id, f.user_id, f.rating) for f in bot.sink.feedback] == [
        (query_id, USER, 1),
        (query_id, USER, -1),
    ]


async def test_buttons_of_a_forgotten_answer_are_stale(bot):
    reply = await bot.ask(SPICE_QUESTION)
    recent = bot.app.bot_data.recent
    recent.max_answers = 1
    await bot.ask(CAFE_QUESTION)  # pushes the first answer out of the bounded memory
    callback_id = bot.api.press(reply, button_data(reply, "👍"))
    answered = await bot.api.wait_for("answerCallbackQuery", 1, callback_query_id=callback_id)
    assert answered[0].params["text"] == messages.STALE_BUTTON


# --- groups ---------------------------------------------------------------------------


def in_group(**options):
    return {"chat_id": GROUP, "chat_type": "supergroup", **options}


async def test_group_chatter_gets_no_reply(bot):
    bot.api.send_text(SPICE_QUESTION, **in_group())
    bot.api.send_text("صباح الخير يا جماعة", **in_group())
    bot.api.send_text(f"/ask@other_bot {SPICE_QUESTION}", **in_group())
    photo = [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]
    bot.api.push(message=bot.api.message(photo=photo, **in_group()))
    await bot.flush()
    assert bot.api.called("sendMessage", chat_id=GROUP) == []
    assert bot.sink.queries == []


@pytest.mark.parametrize(
    "text",
    [f"/ask {SPICE_QUESTION}", f"/ask@{BOT_USERNAME} {SPICE_QUESTION}",
     f"@{BOT_USERNAME} {SPICE_QUESTION}", f"{SPICE_QUESTION} @{BOT_USERNAME.upper()}"],
    ids=["ask", "ask-at-bot", "mention-first", "mention-last"],
)  # fmt: skip
async def test_group_question_addressed_to_the_bot_is_answered_as_a_reply(bot, text):
    reply = await bot.ask(text, **in_group())
    assert "📖" in shown(reply)
    assert reply.params["reply_parameters"]["message_id"] > 0
    assert bot.sink.queries[0].chat_type == "supergroup"
    asked = bot.sink.queries[0].answer.query
    assert SPICE_QUESTION in asked and "/ask" not in asked and "@" not in asked


async def test_group_reply_to_the_bot_is_a_question(bot):
    answer = await bot.ask(f"/ask {UNANSWERABLE}", **in_group())
    reply = await bot.ask(SPICE_QUESTION, reply_to=answer.params["_result"], **in_group())
    assert "📖" in shown(reply)


async def test_group_text_mention_of_the_bot_is_a_question(bot):
    bot_user = {"id": BOT_ID, "is_bot": True, "first_name": "مرجع"}
    mention = {"type": "text_mention", "offset": 0, "length": 4, "user": bot_user}
    reply = await bot.ask(f"مرجع {SPICE_QUESTION}", entities=[mention], **in_group())
    assert "📖" in shown(reply)


async def test_ask_in_reply_to_a_message_asks_that_message(bot):
    question = bot.api.message(SPICE_QUESTION, user_id=2002, chat_id=GROUP, chat_type="supergroup")
    reply = await bot.ask("/ask", reply_to=question, **in_group())
    assert "📖" in shown(reply)
    assert bot.sink.queries[0].answer.query == SPICE_QUESTION


async def test_bare_ask_explains_usage(bot):
    assert shown(await bot.ask("/ask", **in_group())) == messages.ASK_USAGE


# --- inline mode ----------------------------------------------------------------------


async def test_inline_query_gets_one_cited_article_per_passage(bot):
    query_id = bot.api.inline(SPICE_QUESTION)
    call = (await bot.api.wait_for("answerInlineQuery", 1, inline_query_id=query_id))[0]
    results = call.params["results"]
    assert len(results) == fmt.PAGE_SIZE
    assert all(r["type"] == "article" for r in results)
    first = results[0]["input_message_content"]
    assert first["parse_mode"] == "HTML"
    text = parse_html(first["message_text"])
    assert SPICE_QUESTION in text and "📖" in text and "الفقرة" in text
    assert results[0]["title"] == 'وصفة <الزعفران> & "الهيل"'  # plain text field, not HTML
    assert bot.sink.queries == []  # logged when a result is chosen, not while typing
    bot.api.choose_inline(results[0]["id"], SPICE_QUESTION)
    await bot.flush()
    (record,) = bot.sink.queries
    assert record.chat_type == "inline" and record.answer.query == SPICE_QUESTION


async def test_empty_inline_query_gets_the_help_article(bot):
    query_id = bot.api.inline("")
    call = (await bot.api.wait_for("answerInlineQuery", 1, inline_query_id=query_id))[0]
    (article,) = call.params["results"]
    assert article["title"] == messages.INLINE_HELP_TITLE
    assert "كيف تسأل" in parse_html(article["input_message_content"]["message_text"])


async def test_unanswerable_inline_query_says_so(bot):
    query_id = bot.api.inline(UNANSWERABLE)
    call = (await bot.api.wait_for("answerInlineQuery", 1, inline_query_id=query_id))[0]
    (article,) = call.params["results"]
    assert article["title"] == messages.INLINE_NO_ANSWER_TITLE


# --- what is not a question -----------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        {"photo": [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]},
        {"sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1,
                     "height": 1, "is_animated": False, "is_video": False}},
        {"voice": {"file_id": "v", "file_unique_id": "u", "duration": 2}},
        {"document": {"file_id": "d", "file_unique_id": "u", "file_name": "a.pdf"}},
        {"location": {"latitude": 26.2, "longitude": 50.6}},
    ],
    ids=["photo", "sticker", "voice", "document", "location"],
)  # fmt: skip
async def test_non_text_message_gets_the_text_only_note(bot, content):
    bot.api.push(message=bot.api.message(**content))
    reply = (await bot.api.wait_for("sendMessage", 1, chat_id=USER))[0]
    assert shown(reply) == messages.NOT_TEXT


# --- limits and failures --------------------------------------------------------------


async def test_flood_gets_one_notice_then_silence(api, retriever):
    bot = await start_bot(api, retriever, limiter=UserRateLimiter(limit=3, window=60))
    try:
        for _ in range(3):
            assert "📖" in shown(await bot.ask(SPICE_QUESTION))
        notice = await bot.ask(SPICE_QUESTION)
        assert "تمهّل" in shown(notice)
        for _ in range(3):
            bot.api.send_text(SPICE_QUESTION)
        await bot.flush()
        assert len(api.called("sendMessage", chat_id=USER)) == 4
        assert len(bot.sink.queries) == 3
        assert "📖" in shown(await bot.ask(SPICE_QUESTION, user_id=2002))  # others still served
    finally:
        await stop_bot(bot)


async def test_admins_are_not_rate_limited(api, retriever):
    limiter = UserRateLimiter(limit=1, window=60)
    bot = await start_bot(api, retriever, limiter=limiter, admin_user_ids=frozenset({USER}))
    try:
        for _ in range(3):
            assert "📖" in shown(await bot.ask(SPICE_QUESTION))
    finally:
        await stop_bot(bot)


async def test_telegram_429_is_waited_out_and_the_answer_still_sent(bot):
    bot.api.fail("sendMessage", 429, retry_after=1)
    reply = await bot.ask(SPICE_QUESTION)
    attempts = bot.api.called("sendMessage", chat_id=USER)
    assert len(attempts) == 2 and "_error" in attempts[0].params
    assert "📖" in shown(reply)
    assert attempts[1].at - attempts[0].at >= 1.0


async def test_server_error_is_logged_and_the_bot_keeps_serving(bot, caplog):
    bot.api.fail("sendMessage", 500)
    bot.api.send_text(SPICE_QUESTION)
    await bot.api.wait_for("sendMessage", 2, chat_id=USER)  # the failed answer, the apology
    assert "Telegram request failed: Internal Server Error" in caplog.text
    assert "📖" in shown(await bot.ask(CAFE_QUESTION))
    assert TOKEN not in caplog.text


async def test_failing_search_is_apologised_for_and_logged(bot, monkeypatch, caplog):
    def broken(question, k=3):
        raise RuntimeError("index is corrupt")

    monkeypatch.setattr(bot.app.bot_data.retriever, "search", broken)
    reply = await bot.ask(SPICE_QUESTION)
    assert shown(reply) == messages.ERROR
    assert "error while handling an update" in caplog.text
    assert "RuntimeError: index is corrupt" in caplog.text  # with its traceback: a bug


async def test_slow_answer_from_telegram_does_not_stop_other_chats(bot):
    bot.api.slow("sendMessage", 2.0)
    bot.api.send_text(SPICE_QUESTION)  # its answer hangs in the fake server
    (hanging,) = await bot.api.wait_for("sendMessage", 1, chat_id=USER)
    reply = await bot.ask(CAFE_QUESTION, user_id=2002)
    assert "📖" in shown(reply)
    assert "_result" not in hanging.params  # still hanging while the other chat was served
    for _ in range(500):  # then the slow answer arrives too
        if "_result" in hanging.params:
            break
        await asyncio.sleep(0.01)
    assert "📖" in shown(hanging)


class GatedRetriever:
    """The real retriever, except that one question waits until the test releases it."""

    def __init__(self, retriever: Retriever, slow_question: str) -> None:
        self._retriever = retriever
        self._slow = slow_question
        self.release = threading.Event()

    def __getattr__(self, name):
        return getattr(self._retriever, name)

    def search(self, question: str, k: int = 3):
        if question == self._slow:
            assert self.release.wait(timeout=10), "never released"
        return self._retriever.search(question, k)


async def test_typing_is_shown_while_a_slow_search_runs(api, retriever):
    gated = GatedRetriever(retriever, CARAVAN_QUESTION)
    bot = await start_bot(api, gated)
    try:
        api.send_text(CARAVAN_QUESTION, user_id=USER)
        [typing] = await api.wait_for("sendChatAction", 1, chat_id=USER, action="typing")
        assert not api.called("sendMessage", chat_id=USER)  # typing while the search runs
        gated.release.set()
        [reply] = await api.wait_for("sendMessage", 1, chat_id=USER)
        assert typing.at <= reply.at and "بئر الياقوت" in shown(reply)
    finally:
        gated.release.set()
        await stop_bot(bot)


async def test_slow_search_does_not_stall_other_questions(api, retriever):
    gated = GatedRetriever(retriever, CARAVAN_QUESTION)
    bot = await start_bot(api, gated)
    try:
        api.send_text(CARAVAN_QUESTION)  # its search blocks in a worker thread
        other = await bot.ask(SPICE_QUESTION, user_id=2002)
        assert "📖" in shown(other)
        assert api.called("sendMessage", chat_id=USER) == []
        gated.release.set()
        slow = (await api.wait_for("sendMessage", 1, chat_id=USER))[0]
        assert "بئر الياقوت" in shown(slow)
    finally:
        gated.release.set()
        await stop_bot(bot)


# --- who may use the bot --------------------------------------------------------------


async def test_allow_list_turns_away_other_chats_but_not_admins(api, retriever):
    bot = await start_bot(
        api,
        retriever,
        allowed_chat_ids=frozenset({GROUP, FLUSH_USER}),
        admin_user_ids=frozenset({7}),
    )
    try:
        assert shown(await bot.ask(SPICE_QUESTION)) == messages.NOT_ALLOWED
        assert "📖" in shown(await bot.ask(f"/ask {SPICE_QUESTION}", **in_group()))
        assert "📖" in shown(await bot.ask(SPICE_QUESTION, user_id=7))
        bot.api.send_text(f"/ask {SPICE_QUESTION}", chat_id=-42, chat_type="group")
        query_id = bot.api.inline(SPICE_QUESTION)
        call = (await api.wait_for("answerInlineQuery", 1, inline_query_id=query_id))[0]
        assert call.params["results"] == []
        await bot.flush()
        assert api.called("sendMessage", chat_id=-42) == []
        assert [q.user_id for q in bot.sink.queries] == [USER, 7]
    finally:
        await stop_bot(bot)


async def test_an_edited_message_outside_the_allow_list_gets_the_refusal(api, retriever):
    bot = await start_bot(api, retriever, allowed_chat_ids=frozenset({GROUP}))
    try:
        api.edit_text(api.message(SPICE_QUESTION), CAFE_QUESTION)
        (reply,) = await api.wait_for("sendMessage", 1, ok=True, chat_id=USER)
        assert shown(reply) == messages.NOT_ALLOWED
    finally:
        await stop_bot(bot)


async def test_the_bot_answers_when_its_inbox_cannot_be_written(api, retriever, tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    bot = await start_bot(api, retriever, inbox=blocker)
    try:
        assert "📖" in shown(await bot.ask(SPICE_QUESTION))  # answered from memory
        assert "📖" in shown(await bot.ask(CAFE_QUESTION))
    finally:
        await stop_bot(bot)
    assert caplog.text.count("inbox: cannot write to") == 1  # said once, not per update


async def test_concurrent_questions_from_many_users_are_all_answered(bot):
    users = range(3000, 3010)
    for user in users:
        bot.api.send_text(SPICE_QUESTION, user_id=user)
    for user in users:
        await bot.api.wait_for("sendMessage", 1, chat_id=user)
    await bot.settled()  # the last answers' records are handed on as their updates finish
    assert len(bot.sink.queries) == len(users)
