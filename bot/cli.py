"""The `marjaa` command: parse arguments and dispatch to console, ask, sources, eval, index."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.table import Table

from bot import index_command
from bot.answering import search_and_log
from bot.cli_bot import add_bot_parser, cmd_bot
from bot.cli_logs import add_logs_parser, cmd_logs
from bot.config import ConfigError, Settings, load_settings
from bot.console import run_console
from bot.errors import UserError
from bot.formatting import answer_to_dict, render_answer, render_sources
from bot.options import add_corpus_options, add_no_log
from bot.querylog import open_query_log
from retrieval.evaluate import Report, evaluate, is_squad, load_questions
from retrieval.readers import CorpusError
from retrieval.search import Retriever

MAX_TOP_K = 50


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _top_k(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= number <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_TOP_K}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="marjaa",
        description="مرجع — answer Arabic questions from a corpus of documents, with citations.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    console = commands.add_parser("console", help="ask questions interactively in the terminal")
    add_corpus_options(console)
    console.add_argument(
        "--top-k", type=_top_k, default=3, metavar="N", help="results per question"
    )
    add_no_log(console)

    ask = commands.add_parser("ask", help="answer one question (or one per stdin line)")
    ask.add_argument("question", nargs="?", help="the question; omitted: read lines from stdin")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per question)")
    ask.add_argument("--top-k", type=_top_k, default=3, metavar="N", help="results per question")
    add_corpus_options(ask)
    add_no_log(ask)

    sources = commands.add_parser("sources", help="list the documents of the corpus")
    add_corpus_options(sources)

    ev = commands.add_parser("eval", help="measure retrieval quality on a question file")
    ev.add_argument("file", type=Path, help="SQuAD .json, or .jsonl of {question, expected}")
    add_corpus_options(ev)
    ev.add_argument("--top-k", type=_top_k, default=10, metavar="K", help="ranks to look at")
    ev.add_argument("--json", action="store_true", help="print the report as one JSON object")
    ev.add_argument("--failures", action="store_true", help="list the questions missed at rank 1")

    add_logs_parser(commands)
    commands.add_parser("config", help="show the settings in effect (secrets masked)")
    add_bot_parser(commands)
    index_command.add_parser(commands)
    return parser


def _open_retriever(path: Path, settings: Settings, args: argparse.Namespace) -> Retriever:
    return index_command.open_index(path, settings, args.engine)


def _stdout_console() -> Console:
    return Console(highlight=False)


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    retriever = _open_retriever(args.corpus or settings.corpus, settings, args)
    history = settings.data_dir / "console_history"
    with open_query_log(
        settings, retriever, not args.no_log, index_command.stderr_warner()
    ) as sink:
        return run_console(
            retriever, _stdout_console(), top_k=args.top_k, history=history, sink=sink
        )


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    retriever = _open_retriever(args.corpus or settings.corpus, settings, args)
    questions = [args.question] if args.question is not None else sys.stdin
    console = _stdout_console()
    with open_query_log(
        settings, retriever, not args.no_log, index_command.stderr_warner()
    ) as sink:
        for line in questions:
            question = line.rstrip("\n")
            if args.question is None and not question.strip():
                continue
            answer = search_and_log(retriever, question, sink, "cli", k=args.top_k).answer
            if args.json:
                print(json.dumps(answer_to_dict(answer), ensure_ascii=False), flush=True)
            else:
                console.print(render_answer(answer))
    return 0


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    retriever = _open_retriever(args.corpus or settings.corpus, settings, args)
    _stdout_console().print(render_sources(retriever.corpus.documents))
    return 0


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


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if not args.file.is_file():
        raise UserError(f"question file not found: {args.file}")
    try:
        questions = load_questions(args.file)
    except CorpusError as exc:
        raise UserError(str(exc)) from None
    corpus = args.corpus or (args.file if is_squad(args.file) else settings.corpus)
    report = evaluate(_open_retriever(corpus, settings, args), questions, top_k=args.top_k)
    if args.json:
        print(json.dumps(report.to_dict(with_failures=args.failures), ensure_ascii=False))
    else:
        _print_report(report, _stdout_console(), args.failures)
    return 0


def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    table = Table(title="settings (environment, then .env, then defaults)")
    table.add_column("setting", style="cyan")
    table.add_column("value")
    for name, value in settings.masked().items():
        table.add_row(name, value)
    _stdout_console().print(table)
    return 0


COMMANDS = {
    "console": cmd_console,
    "ask": cmd_ask,
    "sources": cmd_sources,
    "eval": cmd_eval,
    "config": cmd_config,
    "logs": cmd_logs,
    "bot": cmd_bot,
    "index": index_command.cmd_index,
}


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        return COMMANDS[args.command](args, settings)
    except (UserError, ConfigError) as exc:
        print(f"marjaa: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader of our output left (`marjaa logs export | head`): not an error. What is
        # still buffered goes nowhere, so that Python's final flush cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
