"""Settings: read once from the environment and an optional .env file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from dotenv import dotenv_values

from retrieval.index import ENGINES

# Settings whose values must never be printed or logged.
SECRET_SETTINGS: frozenset[str] = frozenset()


class ConfigError(Exception):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    corpus: Path = Path("seeds")
    data_dir: Path = Path("data")
    engine: str = "auto"

    def masked(self) -> dict[str, str]:
        """Every setting as text, secrets masked: safe to print or log."""
        return {
            f.name: mask(str(getattr(self, f.name)))
            if f.name in SECRET_SETTINGS
            else str(getattr(self, f.name))
            for f in fields(self)
        }


def mask(secret: str) -> str:
    if not secret:
        return "(not set)"
    return "****" + secret[-4:] if len(secret) > 12 else "****"


def load_settings(
    env_file: str | Path = ".env", environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from ``environ`` (default: the process environment) over the .env file."""
    values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    values.update(os.environ if environ is None else environ)

    def get(name: str, default: str = "") -> str:
        return values.get(name, default).strip() or default

    engine = get("MARJAA_ENGINE", "auto")
    if engine not in ENGINES:
        raise ConfigError(f"MARJAA_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
    return Settings(
        corpus=Path(get("MARJAA_CORPUS", "seeds")),
        data_dir=Path(get("MARJAA_DATA_DIR", "data")),
        engine=engine,
    )
