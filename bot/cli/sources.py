"""`marjaa sources`: the documents of the corpus, and what it holds but does not read."""

from __future__ import annotations

import argparse
import json

from bot.cli.index import open_index
from bot.cli.options import add_corpus_options
from bot.cli.output import stdout_console
from bot.console.render import render_listing
from bot.settings import Settings
from retrieval import Corpus, skipped_summary


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register `marjaa sources`."""
    sources = commands.add_parser("sources", help="list the documents of the corpus")
    add_corpus_options(sources)
    sources.add_argument(
        "--json", action="store_true", help="print the documents and skipped files as JSON"
    )


def sources_to_dict(corpus: Corpus) -> dict:
    """The `marjaa sources --json` contract (fields may be added, never removed)."""
    return {
        "corpus": str(corpus.root),
        "documents": [
            {
                "number": number,
                "id": doc.doc_id,
                "title": doc.title,
                "source": doc.source,
                "format": doc.format,
                "url": doc.url,
                "date": doc.date,
                "passages": doc.passage_count,
                "pages": doc.pages,
            }
            for number, doc in enumerate(corpus.documents, start=1)
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in corpus.skipped],
        "unreadable_folders": corpus.unreadable,
        "summary": skipped_summary(corpus.skipped, corpus.unreadable),
    }


def run(args: argparse.Namespace, settings: Settings) -> int:
    corpus = open_index(args.corpus or settings.corpus, settings, args.engine).corpus
    if args.json:
        print(json.dumps(sources_to_dict(corpus), ensure_ascii=False, indent=1))
        return 0
    stdout_console().print(render_listing(corpus))
    return 0
