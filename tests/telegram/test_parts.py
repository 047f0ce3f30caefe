"""The bot's small parts: per-user rate limit, callback data, recent answers, settings."""

from __future__ import annotations

import pytest

from bot.settings import ConfigError, Settings, load_settings
from bot.telegram.ratelimit import UserRateLimiter, Verdict
from bot.telegram.recent_answers import (
    MoreRequest,
    Rating,
    RecentAnswer,
    RecentAnswers,
    more_data,
    parse_callback,
    rating_data,
)
from retrieval import Answer

TOKEN = "123456789:AAH-secret-token-value"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_allows_a_few_then_notifies_once_then_stays_silent():
    clock = Clock()
    limiter = UserRateLimiter(limit=3, window=10, clock=clock)
    verdicts = [limiter.check(1) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.NOTIFY] + [Verdict.SILENT] * 2
    assert limiter.check(2) is Verdict.ALLOW  # others are not affected
    clock.now = 10.0
    assert limiter.check(1) is Verdict.ALLOW
    limiter.check(1), limiter.check(1)
    assert limiter.check(1) is Verdict.NOTIFY  # a new burst gets its own notice


def test_rate_limit_window_slides():
    clock = Clock()
    limiter = UserRateLimiter(limit=2, window=10, clock=clock)
    limiter.check(1)
    clock.now = 6
    limiter.check(1)
    clock.now = 9
    assert limiter.check(1) is Verdict.NOTIFY
    clock.now = 10.5  # the first question left the window, the second has not
    assert limiter.check(1) is Verdict.ALLOW
    assert limiter.check(1) is Verdict.NOTIFY


def test_one_budget_for_every_kind_of_update():
    """Six inline queries cost what one message does, two button presses too."""
    limiter = UserRateLimiter(limit=2, window=10, clock=Clock())
    assert [limiter.check(1, 1 / 6) for _ in range(6)] == [Verdict.ALLOW] * 6
    assert [limiter.check(1, 0.5) for _ in range(2)] == [Verdict.ALLOW] * 2
    assert limiter.check(1, 1 / 6) is Verdict.NOTIFY  # the budget of 2 is spent
    assert limiter.check(1) is Verdict.SILENT  # whatever the kind, until the window clears


def test_rate_limit_memory_is_bounded():
    limiter = UserRateLimiter(limit=1, window=10, max_users=100, clock=Clock())
    for user in range(1000):
        limiter.check(user)
    assert len(limiter._recent) == 100


def test_callback_data_round_trips_and_fits_telegram():
    query_id = "0123456789ab"
    assert parse_callback(more_data(query_id, 2)) == MoreRequest(query_id, 2)
    assert parse_callback(rating_data(query_id, 1)) == Rating(query_id, 1)
    assert parse_callback(rating_data(query_id, -1)) == Rating(query_id, -1)
    assert len(more_data(query_id, 9).encode()) <= 64


@pytest.mark.parametrize(
    "data",
    [None, "", "m", "m:0123456789ab", "m:0123456789AB:1", "m:0123456789ab:-1",
     "r:0123456789ab:0", "r:0123456789ab:1", "x:0123456789ab:1", "m:0123456789ab:1 ",
     "r:0123456789ab:+1" + "a" * 60, "m:../../etc:1", "m:0123456789ab:٣"],
)  # fmt: skip
def test_forged_callback_data_is_refused(data):
    assert parse_callback(data) is None


def test_recent_answers_forget_the_oldest_first():
    recent = RecentAnswers(max_answers=2)
    entry = RecentAnswer(Answer("q", "q", True, ()), 1, 1.0)
    recent.add("a" * 12, entry)
    recent.add("b" * 12, entry)
    assert recent.get("a" * 12) is entry  # used: now the newest
    recent.add("c" * 12, entry)
    assert recent.get("b" * 12) is None and recent.get("a" * 12) is entry
    assert len(recent) == 2


def test_telegram_settings_are_read_and_the_token_never_shown(tmp_path):
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
        "ADMIN_USER_IDS": "12, 34",
        "ALLOWED_CHAT_IDS": "-1001234 56",
    }
    settings = load_settings(tmp_path / "absent.env", env)
    assert settings.telegram_bot_token == TOKEN
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.admin_user_ids == {12, 34}
    assert settings.allowed_chat_ids == {-1001234, 56}
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.masked())
    assert settings.masked()["telegram_bot_token"] == "(set, hidden)"


def test_telegram_settings_defaults(tmp_path):
    settings = load_settings(tmp_path / "absent.env", {})
    assert settings.telegram_bot_token == ""
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.allowed_chat_ids == frozenset() == Settings().admin_user_ids


def test_token_from_dotenv_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\n", encoding="utf-8")
    assert load_settings(env_file, {}).telegram_bot_token == TOKEN


@pytest.mark.parametrize("value", ["12,abc", "@someone", "1.5"])
def test_bad_ids_are_a_config_error_naming_the_setting(tmp_path, value):
    with pytest.raises(ConfigError, match="ALLOWED_CHAT_IDS"):
        load_settings(tmp_path / "absent.env", {"ALLOWED_CHAT_IDS": value})


def test_living_corpus_settings_and_their_defaults(tmp_path):
    defaults = load_settings(tmp_path / "absent.env", {})
    assert defaults.file_base_url == "https://api.telegram.org/file/bot"  # Telegram's layout
    assert (defaults.upload_max_mb, defaults.auto_index) == (10.0, False)
    assert (defaults.log_format, defaults.log_questions) == ("text", False)
    local = load_settings(
        tmp_path / "absent.env",
        {"TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot", "MARJAA_UPLOAD_MAX_MB": "2.5",
         "MARJAA_AUTO_INDEX": "yes", "MARJAA_LOG_FORMAT": "JSON", "MARJAA_LOG_QUESTIONS": "1"},
    )  # fmt: skip
    assert local.file_base_url == "http://127.0.0.1:8081/file/bot"  # a local Bot API server's
    assert (local.upload_max_mb, local.auto_index) == (2.5, True)
    assert (local.log_format, local.log_questions) == ("json", True)
    other = {
        "TELEGRAM_API_BASE_URL": "http://x/{token}/",
        "TELEGRAM_API_BASE_FILE_URL": "http://f/",
    }
    assert load_settings(tmp_path / "absent.env", other).file_base_url == "http://f/"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("MARJAA_UPLOAD_MAX_MB", "21", "at most 20"),
        ("MARJAA_UPLOAD_MAX_MB", "0", "above 0"),
        ("MARJAA_UPLOAD_MAX_MB", "ten", "'ten'"),
        ("MARJAA_AUTO_INDEX", "maybe", "1 or 0"),
        ("MARJAA_LOG_FORMAT", "xml", "text, json"),
    ],
)
def test_bad_living_corpus_settings_are_one_line_naming_the_setting(tmp_path, name, value, says):
    with pytest.raises(ConfigError, match=name) as raised:
        load_settings(tmp_path / "absent.env", {name: value})
    assert says in str(raised.value)
