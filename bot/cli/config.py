"""`marjaa config`: the settings in effect, secrets masked."""

from __future__ import annotations

import argparse

from rich.table import Table

from bot.cli.output import stdout_console
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register `marjaa config`."""
    commands.add_parser("config", help="show the settings in effect (secrets masked)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    table = Table(title="settings (environment, then .env, then defaults)")
    table.add_column("setting", style="cyan")
    table.add_column("value")
    for name, value in settings.masked().items():
        table.add_row(name, value)
    stdout_console().print(table)
    return 0
