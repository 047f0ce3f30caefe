"""Command-line options shared by several `marjaa` commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from retrieval.index import ENGINES


def add_corpus_options(parser: argparse.ArgumentParser) -> None:
    """--corpus and --engine: which saved index a command opens."""
    parser.add_argument(
        "--corpus",
        type=Path,
        metavar="PATH",
        help="folder or file of documents (default: MARJAA_CORPUS, else seeds/)",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        help="BM25 engine (default: MARJAA_ENGINE, else auto: bm25s for large corpora)",
    )


def add_no_log(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-log", action="store_true", help="do not write to the query log")
