"""Secrets stay secret: not in --help, printed settings, log lines or tracebacks; .env ignored.

(A whole `marjaa bot` run, its output and its query log searched for the token:
test_telegram_cli.py::test_full_run_logs_hashed_questions_and_leaves_the_token_nowhere.)
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SECRET_SETTINGS, Settings
from bot.telegram.process_log import NetworkErrorsInOneLine, RedactingFormatter
from tests.support.paths import ROOT

TOKEN = "123456789:AAH-secret-TOKEN-value_0123456789"
WEBHOOK_SECRET = "hook-SECRET-0123456789"
SALT = "pepper-SECRET-0123456789"
SECRETS = {
    "TELEGRAM_BOT_TOKEN": TOKEN,
    "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "MARJAA_LOG_SALT": SALT,
}


def marjaa(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), **SECRETS},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def assert_no_secret(text: str) -> None:
    for secret in SECRETS.values():
        # nor a recognisable piece of one (the part after the bot id, the last characters)
        for piece in (secret, secret.split(":")[-1], secret[-6:]):
            assert piece not in text


@pytest.mark.parametrize("args", [["--help"], ["bot", "--help"], ["logs", "--help"], ["config"]])
def test_help_and_printed_settings_never_show_a_secret(tmp_path, args):
    output = marjaa(*args, cwd=tmp_path)
    assert_no_secret(output)
    if args == ["config"]:
        masked = [line for line in output.splitlines() if "(set, hidden)" in line]
        assert len(masked) == len(SECRET_SETTINGS) == len(SECRETS)


def test_secrets_are_masked_even_when_settings_are_printed_by_accident():
    settings = Settings(telegram_bot_token=TOKEN, telegram_webhook_secret=WEBHOOK_SECRET,
                        log_salt=SALT)  # fmt: skip
    assert_no_secret(repr(settings) + str(settings) + str(settings.masked()))


def test_log_lines_and_tracebacks_are_redacted():
    formatter = RedactingFormatter([TOKEN, WEBHOOK_SECRET], "%(levelname)s %(message)s")
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "secret %s in %s", (WEBHOOK_SECRET, TOKEN),
            sys.exc_info(),
        )  # fmt: skip
    text = formatter.format(record)
    assert "RuntimeError" in text and "Traceback" in text and "[secret]" in text
    assert TOKEN not in text and WEBHOOK_SECRET not in text


def test_network_errors_logged_with_a_traceback_become_one_redacted_line():
    from telegram.error import TimedOut

    handler_filter = NetworkErrorsInOneLine()
    formatter = RedactingFormatter([TOKEN], "%(levelname)s %(message)s")
    try:
        raise TimedOut(f"timed out calling /bot{TOKEN}/getUpdates")
    except TimedOut:
        record = logging.LogRecord(
            "telegram.ext.Updater", logging.ERROR, __file__, 1, "Error while calling %s",
            ("`get_updates`",), sys.exc_info(),
        )  # fmt: skip
    assert handler_filter.filter(record)
    text = formatter.format(record)
    assert "Traceback" not in text and "\n" not in text
    assert text.startswith(
        "ERROR Error while calling `get_updates` (timed out calling /bot[secret]"
    )
    # any other error keeps its traceback
    try:
        raise KeyError("boom")
    except KeyError:
        other = logging.LogRecord("x", logging.ERROR, __file__, 1, "m", (), sys.exc_info())
    handler_filter.filter(other)
    assert "Traceback" in formatter.format(other)


def test_env_file_is_ignored_by_git_and_the_example_holds_no_value():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    values = dict(re.findall(r"^([A-Z_]+)=(.*)$", example, flags=re.MULTILINE))
    for name in SECRETS:
        assert values[name] == "", f"{name} has a value in .env.example"
    # every setting marjaa reads is listed (and so documented) in the example
    read = set(re.findall(r'get\("([A-Z_]+)"', (ROOT / "bot" / "settings.py").read_text()))
    assert read and read <= set(values)


def test_env_file_is_not_tracked():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "check-ignore", "-q", ".env"], cwd=ROOT, capture_output=True, timeout=30
    )
    assert done.returncode == 0  # git would ignore a .env in the clone
    tracked = subprocess.run(["git", "ls-files", ".env"], cwd=ROOT, capture_output=True,
                             text=True, timeout=30)  # fmt: skip
    assert tracked.stdout == ""
