"""The interactive console: ask questions over a corpus from a terminal (or a pipe)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.text import Text

from bot import messages
from bot.answering import search_and_log
from bot.console.render import render_answer, render_sources
from bot.events import EventSink, NullSink
from retrieval import Retriever

QUIT = {"/quit", "/exit", "/q"}
HISTORY_LENGTH = 1000


def _enable_history(path: Path) -> Callable[[], None]:
    """Readline history kept across sessions; returns a function that saves it."""
    try:
        import readline
    except ImportError:  # readline is missing on some platforms: no history then
        return lambda: None
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    readline.set_history_length(HISTORY_LENGTH)

    def save() -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)
        except OSError:
            pass  # history is a convenience: never fail the session over it

    return save


def _lines(stdin: TextIO, interactive: bool):
    """Questions typed at the prompt, or read line by line from a pipe."""
    while True:
        try:
            line = input(messages.CONSOLE_PROMPT) if interactive else stdin.readline()
        except (EOFError, KeyboardInterrupt):
            return
        if not interactive and not line:
            return
        yield line.strip()


def run_console(
    retriever: Retriever,
    console: Console,
    stdin: TextIO = sys.stdin,
    top_k: int = 3,
    history: Path | None = None,
    sink: EventSink | None = None,
) -> int:
    """Answer questions until /quit, Ctrl-D, Ctrl-C or the end of piped input."""
    sink = sink or NullSink()
    interactive = stdin.isatty()
    save_history = _enable_history(history) if interactive and history else (lambda: None)
    if interactive:
        docs = len(retriever.corpus.documents)
        passages = len(retriever.passages)
        welcome = messages.CONSOLE_WELCOME.format(documents=docs, passages=passages)
        console.print(Text(welcome, style="bold"))
    try:
        for line in _lines(stdin, interactive):
            if not line:
                continue
            if line in QUIT:
                break
            if line == "/help":
                console.print(messages.CONSOLE_HELP)
            elif line == "/sources":
                console.print(render_sources(retriever.corpus.documents))
            elif line.startswith("/") and " " not in line:
                unknown = messages.CONSOLE_UNKNOWN_COMMAND.format(command=line)
                console.print(Text(unknown, style="yellow"))
            else:
                record = search_and_log(retriever, line, sink, "console", k=top_k)
                if not interactive:
                    console.print(Text(f"؟ {line}", style="bold magenta"))
                console.print(render_answer(record.answer))
    finally:
        save_history()
    if interactive:
        console.print(messages.CONSOLE_GOODBYE)
    return 0
