"""`marjaa config`: each setting under its environment name, its value in effect (secrets
hidden) and where the value came from (the environment, .env, a default)."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from rich.table import Table
from rich.text import Text

from bot.cli.output import stdout_console
from bot.querylog.privacy import SALT_FILE
from bot.settings import DEFAULT, HIDDEN, VARIABLES, Settings, Variable, mask, read_variables

ENV_FILE = Path(".env")  # what load_settings reads: in the folder marjaa runs in


@dataclass(frozen=True)
class Shown:
    name: str
    value: str
    source: str


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register `marjaa config`."""
    config = commands.add_parser(
        "config", help="show the settings in effect, where each comes from (secrets hidden)"
    )
    config.add_argument("--json", action="store_true", help="print a JSON list instead")


def shown_settings(settings: Settings, env_file: Path = ENV_FILE) -> list[Shown]:
    sources = {name: source for name, (_, source) in read_variables(env_file).items()}
    return [_shown(v, settings, sources[v.name]) for v in VARIABLES]


def _shown(variable: Variable, settings: Settings, source: str) -> Shown:
    value = getattr(settings, variable.effective or variable.field)
    if variable.field == "log_salt":
        return _salt(variable, settings, source)
    if variable.secret:
        return Shown(variable.name, mask(value), source)
    if isinstance(value, frozenset):  # Telegram ids
        text = ", ".join(str(i) for i in sorted(value)) or "(none)"
    elif isinstance(value, bool):
        text = "on" if value else "off"
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    return Shown(variable.name, text, source)


def _salt(variable: Variable, settings: Settings, source: str) -> Shown:
    """The salt in effect: the setting, else the file marjaa generated (as the log uses it)."""
    if source != DEFAULT:
        return Shown(variable.name, mask(settings.log_salt), source)
    if settings.log_user_ids == "raw":
        return Shown(variable.name, "(not used: MARJAA_LOG_USER_IDS is raw)", DEFAULT)
    kept = settings.data_dir / SALT_FILE
    if kept.is_file():
        return Shown(variable.name, HIDDEN, str(kept))
    return Shown(variable.name, f"(not set: generated into {kept} on first use)", DEFAULT)


def run(args: argparse.Namespace, settings: Settings) -> int:
    shown = shown_settings(settings)
    if args.json:
        print(json.dumps([s.__dict__ for s in shown], ensure_ascii=False, indent=2))
        return 0
    table = Table(title=f"settings (the environment, then {ENV_FILE}, then defaults)")
    table.add_column("setting", style="cyan", no_wrap=True)
    # the value keeps its line as long as the terminal allows; a long source folds first
    table.add_column("value", overflow="fold", min_width=28)
    table.add_column("from", overflow="fold")
    for row in shown:
        table.add_row(row.name, Text(row.value), row.source)
    stdout_console().print(table)
    return 0
