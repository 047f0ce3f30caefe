"""The `marjaa` command: the parser and the dispatch to one module per command; every error
a user can fix is printed here, as one line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from bot.cli import ask, bot, config, console, index, logs, sources
from bot.cli import eval as eval_command
from bot.errors import UserError
from bot.settings import ConfigError, load_settings
from retrieval import InputError

# Each module registers its command (add_parser) and runs it (run); listed as --help shows them.
COMMANDS = {
    "console": console,
    "ask": ask,
    "sources": sources,
    "eval": eval_command,
    "logs": logs,
    "config": config,
    "bot": bot,
    "index": index,
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="marjaa",
        description="مرجع — answer Arabic questions from a corpus of documents, with citations.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for module in COMMANDS.values():
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        return COMMANDS[args.command].run(args, settings)
    except (UserError, ConfigError, InputError) as exc:
        # a corpus or question file that cannot be used, a bad setting, a problem to fix
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
