"""`marjaa bot` as a user runs it: a subprocess talking HTTP to the fake Bot API."""

from __future__ import annotations

import signal
import socket

import pytest

from bot.messages import ERROR
from tests.support.harness import CAFE_QUESTION, SPICE_QUESTION, TOKEN, button_data, write_corpus
from tests.support.querylog import rows
from tools.bot_process import assert_clean, bot_env, finish, running, start, stop

OTHER_TOKEN = "987654321:AAF-some-other-token-ALSO-SECRET_99"


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path)


async def test_missing_token_is_one_line_and_exit_2(corpus):
    status, output = await finish(await start(corpus, bot_env()))
    assert status == 2
    assert output.strip().splitlines() == [output.strip()]
    assert "TELEGRAM_BOT_TOKEN" in output and "@BotFather" in output


async def test_token_telegram_rejects_is_one_line_and_exit_1(corpus, api):
    env = bot_env(TELEGRAM_BOT_TOKEN=OTHER_TOKEN, TELEGRAM_API_BASE_URL=api.base_url)
    status, output = await finish(await start(corpus, env))
    assert status == 1, output
    assert "marjaa: error: Telegram rejected TELEGRAM_BOT_TOKEN" in output
    assert [c.method for c in api.calls] == ["getMe"]
    assert_clean(output, OTHER_TOKEN)


async def test_unreachable_telegram_is_one_line_and_exit_1(corpus):
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot")
    status, output = await finish(await start(corpus, env))
    assert status == 1, output
    assert f"marjaa: error: cannot reach Telegram at http://127.0.0.1:{port}/bot" in output
    assert_clean(output, TOKEN)


async def test_bad_id_list_is_one_line_and_exit_1(corpus, api):
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, ADMIN_USER_IDS="12, @sara")
    status, output = await finish(await start(corpus, env))
    assert status == 1
    assert "ADMIN_USER_IDS" in output and "'@sara'" in output
    assert_clean(output, TOKEN)


async def test_polling_run_answers_stops_on_sigterm_and_never_logs_the_token(corpus, api):
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url)
    async with running(corpus, env) as process:
        await api.wait_for("getUpdates", 1, timeout=30)
        assert api.called("deleteWebhook") and api.called("setMyCommands")
        api.fail("sendMessage", 500)  # a failure is logged, not fatal
        api.send_text(SPICE_QUESTION)
        (apology,) = await api.wait_for("sendMessage", 1, ok=True, timeout=15)
        assert apology.params["_result"]["text"] == ERROR
        api.send_text(SPICE_QUESTION)
        answer = (await api.wait_for("sendMessage", 2, ok=True, timeout=15))[-1]
        assert "📖" in answer.params["_result"]["text"]
        api.slow("sendMessage", 1.0)
        api.send_text(SPICE_QUESTION)
        in_flight = (await api.wait_for("sendMessage", 4, timeout=15))[-1]
        assert "_result" not in in_flight.params
        api.end_long_polls()
        status, output = await stop(process, signal.SIGTERM)  # while the reply is in flight
    assert "📖" in in_flight.params["_result"]["text"]  # it was finished before exiting
    assert status == 0, output
    assert "ready: 12 documents" in output
    assert "Telegram request failed: Internal Server Error" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "getUpdates" not in output  # httpx's request lines (which carry the token) are off


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--webhook-url", "not a url"], "not a web address"),
        (["--webhook-url", "http://bot.example.org/hook"], "https:// addresses only"),
        (["--webhook-url", "https://x.org/h", "--port", "99999"], "not a port number"),
        (["--webhook-url", "https://x.org/h", "--secret-token", "has space"], "1-256 characters"),
    ],
)
async def test_bad_webhook_options_are_one_line_and_exit_2(corpus, args, message):
    status, output = await finish(await start(corpus, bot_env(TELEGRAM_BOT_TOKEN=TOKEN), *args))
    assert status == 2
    assert message in output and len(output.strip().splitlines()) <= 2


async def test_full_run_logs_hashed_questions_and_leaves_the_token_nowhere(tmp_path, api):
    """`marjaa bot` with the token in .env: questions, a rating, /stats, failures; then the
    query log, its salt and everything printed are searched for the token and the user id."""
    corpus = write_corpus(tmp_path)
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_API_BASE_URL={api.base_url}\n", encoding="utf-8"
    )
    data = tmp_path / "data"
    user, admin = 918273645, 5550001
    env = bot_env(MARJAA_DATA_DIR=str(data), ADMIN_USER_IDS=str(admin))
    async with running(corpus, env) as process:
        await api.wait_for("getUpdates", 1, timeout=30)
        answer = await ask(api, SPICE_QUESTION, user)
        api.press(answer, button_data(answer, "👍"), user_id=user)
        await api.wait_for("answerCallbackQuery", 1, timeout=15)
        api.fail("sendMessage", 500)  # logged as a warning, then the apology
        await ask(api, f"/ask {SPICE_QUESTION}", user, chat_id=-100777, chat_type="group")
        api.reset("sendMessage")  # sent, no answer: logged, not retried
        api.send_text(CAFE_QUESTION, user_id=user)
        await api.wait_for("sendMessage", 4, timeout=15)
        stats = await ask(api, "/stats", admin)
        api.end_long_polls()
        status, output = await stop(process, signal.SIGTERM)
    assert status == 0, output
    assert "📊" in stats.params["_result"]["text"]
    assert_clean(output, TOKEN)
    assert "Telegram request failed" in output and "may have arrived" in output
    logged = rows(data / "queries.sqlite3")
    # the log holds what was sent: the answer Telegram refused (the user got the apology) and
    # the one whose fate is unknown (the connection broke) are not in it
    assert [(r["channel"], r["chat_type"]) for r in logged] == [("telegram", "private")]
    assert len(rows(data / "queries.sqlite3", "feedback")) == 1
    assert {len(r["user_key"]) for r in logged} == {16}
    # the log, the inbox (their -wal files), the salt
    kept = b"".join(p.read_bytes() for p in data.iterdir() if p.is_file())
    assert TOKEN.encode() not in kept and TOKEN.split(":")[1].encode() not in kept
    assert str(user).encode() not in kept and str(admin).encode() not in kept
    assert "سارة".encode() not in kept  # the user's first name is never stored


async def ask(api, text: str, user: int, **options):
    """Send ``text`` from ``user`` and return the bot's next reply in that chat."""
    chat_id = options.get("chat_id", user)
    before = len(api.called("sendMessage", ok=True, chat_id=chat_id))
    api.send_text(text, user_id=user, **options)
    return (await api.wait_for("sendMessage", before + 1, ok=True, chat_id=chat_id, timeout=15))[-1]
