"""`marjaa console`: the interactive console (bot/console/repl.py) over the saved index."""

from __future__ import annotations

import argparse

from bot.cli.index import open_index
from bot.cli.options import add_corpus_options, add_no_log, add_top_k
from bot.cli.output import stderr_warner, stdout_console
from bot.console.repl import run_console
from bot.querylog import open_query_log
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register `marjaa console`."""
    console = commands.add_parser("console", help="ask questions interactively in the terminal")
    add_corpus_options(console)
    add_top_k(console, 3)
    add_no_log(console)


def run(args: argparse.Namespace, settings: Settings) -> int:
    retriever = open_index(args.corpus or settings.corpus, settings, args.engine)
    history = settings.data_dir / "console_history"
    with open_query_log(settings, retriever, not args.no_log, stderr_warner()) as sink:
        return run_console(
            retriever, stdout_console(), top_k=args.top_k, history=history, sink=sink
        )
