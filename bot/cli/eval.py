"""`marjaa eval`: retrieval quality on a question file (hit@k, MRR, abstention, speed)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.cli.index import open_index
from bot.cli.options import add_corpus_options, add_top_k
from bot.cli.output import stdout_console
from bot.errors import UserError
from bot.settings import Settings
from retrieval import Report, evaluate, is_squad, load_questions


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register `marjaa eval`."""
    ev = commands.add_parser("eval", help="measure retrieval quality on a question file")
    ev.add_argument("file", type=Path, help="SQuAD .json, or .jsonl of {question, expected}")
    add_corpus_options(ev)
    add_top_k(ev, 10, "ranks to look at", "K")
    ev.add_argument("--json", action="store_true", help="print the report as one JSON object")
    ev.add_argument("--failures", action="store_true", help="list the questions missed at rank 1")


def _print_report(report: Report, console: Console, failures: bool) -> None:
    table = Table(title=f"{report.questions} questions", show_header=False)
    for key, value in report.to_dict().items():
        if value is not None:
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            table.add_row(key.replace("_", " "), shown)
    console.print(table)
    if failures:
        for miss in report.failures:
            rank = miss.gold_rank if miss.gold_rank else "-"
            console.print(f"rank {rank:>2}  top {miss.top}  {miss.question}")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if not args.file.is_file():
        raise UserError(f"question file not found: {args.file}")
    questions = load_questions(args.file)
    corpus = args.corpus or (args.file if is_squad(args.file) else settings.corpus)
    report = evaluate(open_index(corpus, settings, args.engine), questions, top_k=args.top_k)
    if args.json:
        print(json.dumps(report.to_dict(with_failures=args.failures), ensure_ascii=False))
    else:
        _print_report(report, stdout_console(), args.failures)
    return 0
