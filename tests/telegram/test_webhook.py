"""Webhook mode as an attacker and an operator meet it: the real `marjaa bot` behind its
(fake) reverse proxy, Telegram's deliveries, forged posts."""

from __future__ import annotations

import asyncio
import signal
import socket

import pytest

from bot.telegram.run import SECRET_TOKEN
from tests.support.harness import SPICE_QUESTION, TOKEN, shown, write_corpus
from tools.bot_process import (
    BotProcess,
    assert_clean,
    bot_env,
    finish,
    free_port,
    post_update,
    start,
)

HOOK = "https://bot.example.org/telegram/hook"  # Telegram posts here; the proxy forwards
ADMIN = 5550001
CONFIGURED_SECRET = "webhook-SECRET_never_logged"


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path)


async def test_without_a_secret_each_start_gets_a_random_one_and_forged_posts_get_403(corpus, api):
    port = free_port()
    api.webhook_target = f"http://127.0.0.1:{port}"  # the reverse proxy in front of the bot
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        ADMIN_USER_IDS=str(ADMIN),
        ALLOWED_CHAT_IDS="-100123",
    )
    local = f"http://127.0.0.1:{port}/telegram/hook"
    bot = BotProcess(corpus, env, "--webhook-url", HOOK, "--port", str(port))
    try:
        await bot.start()
        (registered,) = await api.wait_for("setWebhook", 1, timeout=30)
        secret = registered.params["secret_token"]
        assert SECRET_TOKEN.fullmatch(secret) and len(secret) >= 32
        # a forged update: an admin's /stats, from a chat outside the allow-list
        forged = {"update_id": 900, "message": api.message("/stats", user_id=ADMIN)}
        assert await post_update(local, forged, None) == 403
        assert await post_update(local, forged, "a-guess") == 403
        assert await post_update(local, forged, secret[:-1]) == 403
        # what Telegram delivers, with the secret it was given, is answered
        api.send_text(SPICE_QUESTION, user_id=ADMIN)
        (reply,) = await api.wait_for("sendMessage", 1, ok=True, chat_id=ADMIN, timeout=15)
        assert "📖" in shown(reply)
        await asyncio.sleep(0.5)
        assert len(api.called("sendMessage")) == 1  # nothing for the forged /stats
        assert await bot.stop(signal.SIGTERM) == 0
        assert "using a new random secret" in bot.text
        assert f"listening on {local} for {HOOK}" in bot.text
        assert_clean(bot.text, TOKEN, secret)
        # the next start: another secret
        await bot.start()
        second = (await api.wait_for("setWebhook", 2, timeout=30))[-1].params["secret_token"]
        assert second != secret and len(second) >= 32
        assert await bot.stop(signal.SIGINT) == 0
    finally:
        await bot.close()
    assert not api.called("getUpdates")


async def test_a_configured_secret_is_the_one_telegram_gets(corpus, api):
    port = free_port()
    api.webhook_target = f"http://127.0.0.1:{port}"
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_WEBHOOK_SECRET=CONFIGURED_SECRET,
    )
    bot = BotProcess(corpus, env, "--webhook-url", HOOK, "--port", str(port))
    try:
        await bot.start()
        (registered,) = await api.wait_for("setWebhook", 1, timeout=30)
        assert registered.params["url"] == HOOK
        assert registered.params["secret_token"] == CONFIGURED_SECRET
        update = {"update_id": 5, "message": api.message(SPICE_QUESTION)}
        local = f"http://127.0.0.1:{port}/telegram/hook"
        assert await post_update(local, update, "guess") == 403
        assert await post_update(local, update, CONFIGURED_SECRET) == 200
        (reply,) = await api.wait_for("sendMessage", 1, ok=True, timeout=15)
        assert "📖" in shown(reply)
        assert await bot.stop(signal.SIGINT) == 0
    finally:
        await bot.close()
    assert "random secret" not in bot.text
    assert_clean(bot.text, TOKEN, CONFIGURED_SECRET)


async def test_the_listen_address_taken_is_one_line_and_exit_1(corpus, api):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url)
        status, output = await finish(
            await start(corpus, env, "--webhook-url", HOOK, "--port", str(port))
        )
    assert status == 1, output
    assert f"marjaa: error: cannot listen on 127.0.0.1:{port}" in output
    assert "Traceback" not in output
