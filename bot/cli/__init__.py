"""The `marjaa` command line: main (parser, dispatch), one module per command."""

from bot.cli.main import main

__all__ = ["main"]
