"""Command-line options shared by several `marjaa` commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from retrieval import ENGINES


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
        help="BM25 engine (default: MARJAA_ENGINE, else auto: native for 500 passages or more)",
    )


def add_no_log(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-log", action="store_true", help="do not write to the query log")


MAX_TOP_K = 50


def top_k(value: str) -> int:
    """--top-k: a whole number from 1 to MAX_TOP_K."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= number <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_TOP_K}")
    return number


def add_top_k(
    parser: argparse.ArgumentParser, default: int, help: str = "results per question", metavar="N"
) -> None:
    parser.add_argument("--top-k", type=top_k, default=default, metavar=metavar, help=help)
