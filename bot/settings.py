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

# Where a setting's value came from (`marjaa config`).
ENVIRONMENT, DOTENV, DEFAULT = "environment", ".env", "default"


@dataclass(frozen=True)
class Variable:
    """A setting as people set it: the environment variable (or .env line) and the Settings
    field it fills."""

    name: str
    field: str
    secret: bool = False  # never printed or logged


# Every setting, in the order `marjaa config` lists them. A new setting is added here (and to
# Settings, load_settings and .env.example).
VARIABLES = (
    Variable("MARJAA_CORPUS", "corpus"),
    Variable("MARJAA_DATA_DIR", "data_dir"),
    Variable("MARJAA_ENGINE", "engine"),
    Variable("MARJAA_DB", "db"),
    Variable("MARJAA_LOG_USER_IDS", "log_user_ids"),
    Variable("MARJAA_LOG_SALT", "log_salt", secret=True),
    Variable("TELEGRAM_BOT_TOKEN", "telegram_bot_token", secret=True),
    Variable("TELEGRAM_API_BASE_URL", "telegram_api_base_url"),
    Variable("TELEGRAM_WEBHOOK_SECRET", "telegram_webhook_secret", secret=True),
    Variable("ADMIN_USER_IDS", "admin_user_ids"),
    Variable("ALLOWED_CHAT_IDS", "allowed_chat_ids"),
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
    engine: str = "auto"  # BM25 engine: rank-bm25, bm25s, or auto (by corpus size)

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
    if engine not in ENGINES:
        raise ConfigError(f"MARJAA_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
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


def id_set(name: str, value: str) -> frozenset[int]:
    """Telegram ids separated by commas or spaces (chat ids of groups are negative)."""
    ids = set()
    for part in value.replace(",", " ").split():
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(f"{name}: {part!r} is not a Telegram id (a whole number)") from None
    return frozenset(ids)
