"""The bot's own log, as an operator reads it: one line per update answered, start, stop and
reload lines, text or JSON; hashed user keys, never a raw id, a question or a secret."""

from __future__ import annotations

import json
import logging
import signal
import sys

from bot.telegram.process_log import JsonFormatter
from tests.support.harness import (
    SPICE_QUESTION,
    TOKEN,
    UNANSWERABLE,
    button_data,
    write_corpus,
)
from tests.support.querylog import rows
from tests.telegram.test_cli import ask, assert_clean, bot_env, finish, running

ADMIN, USER = 5550001, 918273645
SECRET = "webhook-SECRET_never_logged"


async def run_session(api, tmp_path, **settings: str) -> str:
    """`marjaa bot` answering a question, an unanswerable one, /help, a 👍, an inline query
    and a photo; its stderr once stopped."""
    corpus = write_corpus(tmp_path)
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url,
        MARJAA_DATA_DIR=str(tmp_path / "data"), ADMIN_USER_IDS=str(ADMIN), **settings,
    )  # fmt: skip
    async with running(corpus, env) as process:
        await api.wait_for("getUpdates", 1, timeout=30)
        answer = await ask(api, SPICE_QUESTION, USER)
        await ask(api, UNANSWERABLE, USER)
        await ask(api, "/help", USER)
        api.press(answer, button_data(answer, "👍"), user_id=USER)
        await api.wait_for("answerCallbackQuery", 1, timeout=15)
        api.inline(SPICE_QUESTION, user_id=USER)
        await api.wait_for("answerInlineQuery", 1, timeout=15)
        photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 9, "height": 9}]
        api.push(message=api.message(photo=photo, user_id=USER))
        await api.wait_for("sendMessage", 4, ok=True, chat_id=USER, timeout=15)
        api.end_long_polls()
        process.send_signal(signal.SIGTERM)
        status, output = await finish(process)
    assert status == 0, output
    return output


async def test_json_lines_one_per_update_with_hashed_keys_only(api, tmp_path):
    output = await run_session(api, tmp_path, MARJAA_LOG_FORMAT="json")
    entries = [json.loads(line) for line in output.splitlines()]  # every line is JSON
    # python-telegram-bot may log a getUpdates that found its one connection busy while the
    # fake server answers polls at once at shutdown; anything of marjaa's is at most a warning
    ours = [e for e in entries if not e["logger"].startswith("telegram.")]
    assert {e["level"] for e in ours} <= {"INFO", "WARNING"}, ours
    assert not [e for e in entries if "traceback" in e]
    assert all(e["time"].endswith("Z") for e in entries)
    updates = [e for e in entries if e.get("event") == "update"]
    assert [(e["kind"], e["chat_type"], e["answered"], e["results"]) for e in updates] == [
        ("question", "private", True, 3),
        ("question", "private", False, 0),
        ("/help", "private", None, None),
        ("button", "private", None, None),
        ("inline", "inline", True, 3),
        ("attachment", "private", None, None),
    ]  # fmt: skip
    assert all(isinstance(e["latency_ms"], float) and e["latency_ms"] > 0 for e in updates)
    # the key is the query log's: a line and a row of the same person can be matched
    logged = rows(tmp_path / "data" / "queries.sqlite3")
    assert {e["user"] for e in updates} == {r["user_key"] for r in logged}
    assert len(updates[0]["user"]) == 16
    assert any(e["message"].startswith("bot @marjaa_test_bot ready") for e in entries)
    assert entries[-1]["message"].startswith("bot stopped: 6 updates answered")
    assert str(USER) not in output and str(ADMIN) not in output
    assert SPICE_QUESTION not in output and UNANSWERABLE not in output
    assert_clean(output, TOKEN)


async def test_text_lines_show_questions_only_when_asked_to(api, tmp_path):
    output = await run_session(api, tmp_path, MARJAA_LOG_QUESTIONS="1")
    lines = [line for line in output.splitlines() if "marjaa.activity" in line]
    assert len(lines) == 6
    assert (
        lines[0].split(" INFO marjaa.activity: ")[1].startswith("update telegram private question ")
    )
    assert f'question="{SPICE_QUESTION}"' in lines[0]
    assert " answered=yes results=3 user=" in lines[0]
    assert " answered=no results=0 " in lines[1]
    assert str(USER) not in output
    assert_clean(output, TOKEN)


def test_json_formatter_masks_secrets_in_messages_fields_and_tracebacks():
    formatter = JsonFormatter([TOKEN, SECRET])
    try:
        raise RuntimeError(f"failed calling /bot{TOKEN}/getMe with {SECRET}")
    except RuntimeError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "url %s", (f"/bot{TOKEN}/x",), sys.exc_info()
        )
    record.fields = {"note": SECRET}
    text = formatter.format(record)
    entry = json.loads(text)
    assert entry["message"] == "url /bot[secret]/x" and entry["note"] == "[secret]"
    assert "RuntimeError" in entry["traceback"] and "\n" not in text
    assert TOKEN not in text and SECRET not in text
