"""`marjaa sources`: the documents of the corpus."""

from __future__ import annotations

import argparse

from bot.cli.index import open_index
from bot.cli.options import add_corpus_options
from bot.cli.output import stdout_console
from bot.console.render import render_sources
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register `marjaa sources`."""
    sources = commands.add_parser("sources", help="list the documents of the corpus")
    add_corpus_options(sources)


def run(args: argparse.Namespace, settings: Settings) -> int:
    retriever = open_index(args.corpus or settings.corpus, settings, args.engine)
    stdout_console().print(render_sources(retriever.corpus.documents))
    return 0
