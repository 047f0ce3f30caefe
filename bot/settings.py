"""Settings: read once from the environment and an optional .env file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from dotenv import dotenv_values

from retrieval import ENGINES, RetrievalConfig

# How the query log stores user ids: a salted hash (default) or, by explicit choice, as is.
USER_ID_MODES = ("hashed", "raw")

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_LIMIT_MB = 20  # the largest file a bot may download with getFile
LOG_FORMATS = ("text", "json")  # of the bot process's own log (stderr)
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

# Where a setting's value came from (`marjaa config`).
ENVIRONMENT, DOTENV, DEFAULT = "environment", ".env", "default"


@dataclass(frozen=True)
class Variable:
    """A setting as people set it: the environment variable (or .env line) and the Settings
    field it fills."""

    name: str
    field: str
    secret: bool = False  # never printed or logged
    # the Settings attribute holding the value in effect, when the field may stay empty and
    # something is derived from it
    effective: str = ""


# Every setting, in the order `marjaa config` lists them. A new setting is added here (and to
# Settings, load_settings and .env.example; tests check all four agree).
VARIABLES = (
    Variable("MARJAA_CORPUS", "corpus"),
    Variable("MARJAA_DATA_DIR", "data_dir"),
    Variable("MARJAA_ENGINE", "engine"),
    Variable("MARJAA_AUTO_INDEX", "auto_index"),
    Variable("MARJAA_DB", "db"),
    Variable("MARJAA_LOG_USER_IDS", "log_user_ids"),
    Variable("MARJAA_LOG_SALT", "log_salt", secret=True),
    Variable("MARJAA_LOG_FORMAT", "log_format"),
    Variable("MARJAA_LOG_QUESTIONS", "log_questions"),
    Variable("TELEGRAM_BOT_TOKEN", "telegram_bot_token", secret=True),
    Variable("TELEGRAM_API_BASE_URL", "telegram_api_base_url"),
    Variable("TELEGRAM_API_BASE_FILE_URL", "telegram_api_base_file_url", effective="file_base_url"),
    Variable("TELEGRAM_WEBHOOK_SECRET", "telegram_webhook_secret", secret=True),
    Variable("ADMIN_USER_IDS", "admin_user_ids"),
    Variable("ALLOWED_CHAT_IDS", "allowed_chat_ids"),
    Variable("MARJAA_UPLOAD_MAX_MB", "upload_max_mb"),
)

# Settings whose values must never be printed or logged.
SECRET_SETTINGS: frozenset[str] = frozenset(v.field for v in VARIABLES if v.secret)


class ConfigError(Exception):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    corpus: Path = Path("seeds")
    data_dir: Path = Path("data")
    db: Path = Path("data/queries.sqlite3")  # the query log
    log_salt: str = field(default="", repr=False)  # secret: salts the hashed user keys
    log_user_ids: str = "hashed"  # "hashed" (default) or "raw"
    # repr=False: a settings object printed or logged by accident still hides the secrets
    telegram_bot_token: str = field(default="", repr=False)
    # python-telegram-bot's base_url: the token is appended (or replaces "{token}")
    telegram_api_base_url: str = TELEGRAM_API_BASE_URL
    telegram_webhook_secret: str = field(default="", repr=False)
    admin_user_ids: frozenset[int] = frozenset()
    allowed_chat_ids: frozenset[int] = frozenset()  # empty: every chat may use the bot
    engine: str = "auto"  # BM25 engine: rank-bm25, native, or auto (by corpus size)
    # where the bot downloads files from (python-telegram-bot's base_file_url); "" means
    # telegram_api_base_url with its trailing /bot made /file/bot (Telegram's own layout)
    telegram_api_base_file_url: str = ""
    upload_max_mb: float = 10.0  # largest document an admin may add from Telegram
    auto_index: bool = False  # the bot rebuilds its index itself when the corpus changes
    log_format: str = "text"  # the bot's own log: "text" or "json" (one object a line)
    log_questions: bool = False  # the bot's own log shows question texts (never by default)

    @property
    def file_base_url(self) -> str:
        """python-telegram-bot's base_file_url: set, or derived from the API's address."""
        if self.telegram_api_base_file_url:
            return self.telegram_api_base_file_url
        base = self.telegram_api_base_url
        return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base

    def retrieval_config(self, engine: str | None = None) -> RetrievalConfig:
        """The retrieval settings of every command (``engine``: a command-line override)."""
        return RetrievalConfig(engine=engine or self.engine)

    def masked(self) -> dict[str, str]:
        """Every setting as text, secrets masked: safe to print or log."""
        return {
            f.name: mask(str(getattr(self, f.name)))
            if f.name in SECRET_SETTINGS
            else str(getattr(self, f.name))
            for f in fields(self)
        }


HIDDEN = "(set, hidden)"


def mask(secret: str) -> str:
    """Whether a secret is set, revealing none of its characters."""
    return HIDDEN if secret else "(not set)"


def load_settings(
    env_file: str | Path = ".env", environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from ``environ`` (default: the process environment) over the .env file."""
    values = {name: text for name, (text, _) in read_variables(env_file, environ).items()}

    def get(name: str, default: str = "") -> str:
        return values.get(name) or default

    data_dir = Path(get("MARJAA_DATA_DIR", "data"))
    log_user_ids = get("MARJAA_LOG_USER_IDS", "hashed").lower()
    if log_user_ids not in USER_ID_MODES:
        raise ConfigError(
            f"MARJAA_LOG_USER_IDS must be one of {', '.join(USER_ID_MODES)}, not {log_user_ids!r}"
        )
    engine = get("MARJAA_ENGINE", "auto")
    # the sparse-matrix engine of before 2026-12 became the native engine (same rankings)
    engine = "native" if engine == "bm25s" else engine
    if engine not in ENGINES:
        raise ConfigError(f"MARJAA_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
    log_format = get("MARJAA_LOG_FORMAT", "text").lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(
            f"MARJAA_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}"
        )
    return Settings(
        corpus=Path(get("MARJAA_CORPUS", "seeds")),
        data_dir=data_dir,
        db=Path(get("MARJAA_DB", str(data_dir / "queries.sqlite3"))),
        log_salt=get("MARJAA_LOG_SALT"),
        log_user_ids=log_user_ids,
        telegram_bot_token=get("TELEGRAM_BOT_TOKEN"),
        telegram_api_base_url=get("TELEGRAM_API_BASE_URL", TELEGRAM_API_BASE_URL),
        telegram_webhook_secret=get("TELEGRAM_WEBHOOK_SECRET"),
        admin_user_ids=id_set("ADMIN_USER_IDS", get("ADMIN_USER_IDS")),
        allowed_chat_ids=id_set("ALLOWED_CHAT_IDS", get("ALLOWED_CHAT_IDS")),
        engine=engine,
        telegram_api_base_file_url=get("TELEGRAM_API_BASE_FILE_URL"),
        upload_max_mb=megabytes("MARJAA_UPLOAD_MAX_MB", get("MARJAA_UPLOAD_MAX_MB", "10")),
        auto_index=flag("MARJAA_AUTO_INDEX", get("MARJAA_AUTO_INDEX")),
        log_format=log_format,
        log_questions=flag("MARJAA_LOG_QUESTIONS", get("MARJAA_LOG_QUESTIONS")),
    )


def read_variables(
    env_file: str | Path = ".env", environ: Mapping[str, str] | None = None
) -> dict[str, tuple[str, str]]:
    """Each setting's text and where it came from: the environment wins over the .env file; an
    empty value is no value (the default applies)."""
    dotenv = dotenv_values(env_file)
    environ = os.environ if environ is None else environ
    found = {}
    for variable in VARIABLES:
        for source, values in ((ENVIRONMENT, environ), (DOTENV, dotenv)):
            text = (values.get(variable.name) or "").strip()
            if text:
                found[variable.name] = (text, source)
                break
        else:
            found[variable.name] = ("", DEFAULT)
    return found


def flag(name: str, value: str) -> bool:
    """1/true/yes/on or 0/false/no/off (empty: off)."""
    if value.lower() in _TRUE:
        return True
    if not value or value.lower() in _FALSE:
        return False
    raise ConfigError(f"{name} must be 1 or 0 (on or off), not {value!r}")


def megabytes(name: str, value: str) -> float:
    """A size in MB, above 0 and at most Telegram's limit for bots."""
    try:
        size = float(value)
    except ValueError:
        size = -1.0
    if not 0 < size <= TELEGRAM_FILE_LIMIT_MB:
        raise ConfigError(
            f"{name} must be a number of MB above 0 and at most {TELEGRAM_FILE_LIMIT_MB} "
            f"(Telegram's limit for bots), not {value!r}"
        )
    return size


def id_set(name: str, value: str) -> frozenset[int]:
    """Telegram ids separated by commas or spaces (chat ids of groups are negative)."""
    ids = set()
    for part in value.replace(",", " ").split():
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(f"{name}: {part!r} is not a Telegram id (a whole number)") from None
    return frozenset(ids)
