"""`marjaa ask`: one answer, or one per line of stdin; as text or as the JSON contract."""

from __future__ import annotations

import argparse
import json
import sys

from bot.answering import search_and_log
from bot.cli.index import open_index
from bot.cli.options import add_corpus_options, add_no_log, add_top_k
from bot.cli.output import stderr_warner, stdout_console
from bot.console.json_contract import answer_to_dict
from bot.console.render import render_answer
from bot.querylog import open_query_log
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register `marjaa ask`."""
    ask = commands.add_parser("ask", help="answer one question (or one per stdin line)")
    ask.add_argument("question", nargs="?", help="the question; omitted: read lines from stdin")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per question)")
    add_top_k(ask, 3)
    add_corpus_options(ask)
    add_no_log(ask)


def run(args: argparse.Namespace, settings: Settings) -> int:
    retriever = open_index(args.corpus or settings.corpus, settings, args.engine)
    questions = [args.question] if args.question is not None else sys.stdin
    console = stdout_console()
    with open_query_log(settings, retriever, not args.no_log, stderr_warner()) as sink:
        for line in questions:
            question = line.rstrip("\n")
            if args.question is None and not question.strip():
                continue
            _, answer = search_and_log(retriever, question, sink, "cli", k=args.top_k)
            if args.json:
                print(json.dumps(answer_to_dict(answer), ensure_ascii=False), flush=True)
            else:
                console.print(render_answer(answer))
    return 0
