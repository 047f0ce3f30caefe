"""Floods of every kind of update from one user, through the real `marjaa bot`: the flooder
gets one notice, then silence, and another user's reply time stays near its baseline."""

from __future__ import annotations

import asyncio
import signal
import statistics
import time

import pytest

from bot import messages
from tests.support.harness import SPICE_QUESTION, TOKEN, button_data, shown, write_corpus
from tools.bot_process import BotProcess, bot_env
from tools.fake_bot_api import FakeBotApi

FLOOD = 300  # updates a flood sends at once
OTHER = 2_000_001  # the user who just asks, before and during each flood
PHOTO = [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]
# How far above its baseline the other user's reply may be, in seconds: generous (the machine
# is shared), yet an order of magnitude below what a flood cost before (32 s for 1,000 /help).
MARGIN = 3.0


async def reply_time(api: FakeBotApi, user: int) -> float:
    """Seconds from a question offered to its reply accepted by (fake) Telegram."""
    before = len(api.called("sendMessage", ok=True, chat_id=user))
    asked = time.monotonic()
    api.send_text(SPICE_QUESTION, user_id=user)
    replies = await api.wait_for("sendMessage", before + 1, ok=True, chat_id=user, timeout=60)
    return replies[-1].at - asked


async def flood(api: FakeBotApi, kind: str, user: int) -> None:
    """``FLOOD`` updates of ``kind`` from ``user``, all at once."""
    if kind == "button":  # one answer to press on, then its 👍 again and again
        api.send_text(SPICE_QUESTION, user_id=user)
        (answer,) = await api.wait_for("sendMessage", 1, ok=True, chat_id=user, timeout=30)
        for _ in range(FLOOD):
            api.press(answer, button_data(answer, "👍"), user_id=user)
        return
    if kind == "edit":
        message = api.message(SPICE_QUESTION, user_id=user)
        for n in range(FLOOD):
            api.edit_text(message, f"{SPICE_QUESTION} {n}")
        return
    for _ in range(FLOOD):
        if kind == "question":
            api.send_text(SPICE_QUESTION, user_id=user)
        elif kind == "command":
            api.send_text("/sources", user_id=user)
        elif kind == "photo":
            api.push(message=api.message(photo=PHOTO, user_id=user))
        elif kind == "inline":
            api.inline(SPICE_QUESTION, user_id=user)


def notices(api: FakeBotApi, kind: str, user: int) -> tuple[int, int]:
    """(replies the flooder got, how many of them were the rate-limit notice)."""
    if kind == "button":
        answers = [
            c for c in api.called("answerCallbackQuery", ok=True) if c.params.get("text")
        ]  # every press of this test is the flooder's
        said = [c.params["text"] for c in answers]
        return len(said), said.count(messages.RATE_LIMITED_SHORT)
    if kind == "inline":
        answers = api.called("answerInlineQuery", ok=True)
        limited = [c for c in answers if (c.params.get("button") or {}).get("text")]
        return len(answers), len(limited)
    sent = api.called("sendMessage", ok=True, chat_id=user)
    return len(sent), sum("تمهّل" in shown(c) for c in sent)


@pytest.fixture
async def running_bot(api, tmp_path):
    corpus = write_corpus(tmp_path)
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        MARJAA_DATA_DIR=str(tmp_path / "data"),
    )
    bot = BotProcess(corpus, env)
    await bot.start()
    await api.wait_for("getUpdates", 1, timeout=60)
    yield bot
    api.end_long_polls()
    try:
        assert await bot.stop(signal.SIGTERM) == 0
    finally:
        await bot.close()
    assert "Traceback" not in bot.text


KINDS = ["question", "command", "photo", "edit", "button", "inline"]


async def test_a_flood_of_any_kind_gets_one_notice_and_does_not_starve_others(api, running_bot):
    # each measurement by a user of its own: the others' questions must not meet the limit
    baseline = statistics.median([await reply_time(api, OTHER + n) for n in range(3)])
    figures = []
    for number, kind in enumerate(KINDS):
        flooder = 3_000_000 + number
        api.calls.clear()
        await flood(api, kind, flooder)
        during = await reply_time(api, OTHER + 10 + number)  # asked right behind the flood
        # the rest of the flood: taken in (confirmed to Telegram), then handled
        while api.waiting:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        got, limited = notices(api, kind, flooder)
        figures.append(f"{kind} {got} replies, other user {during * 1000:.0f} ms")
        assert limited == 1, (kind, got, limited)
        # the budget (5 messages, 10 presses or 30 inline queries a window), then the notice
        assert got <= {"button": 10, "inline": 30}.get(kind, 5) + 1, (kind, got)
        assert during <= baseline + MARGIN, (kind, during, baseline)
    print(f"{FLOOD} updates a flood; other user's baseline {baseline * 1000:.0f} ms;", *figures)
