"""The interactive console: ask questions over a corpus from a terminal (or a pipe)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from rich.console import Console, RenderableType
from rich.text import Text

from bot import messages
from bot.answering import PAGES, first_page, search_and_log
from bot.console.render import render_answer, render_listing, render_more, render_opened
from bot.console.session import LastAnswer
from bot.events import EventSink, NullSink
from retrieval import Retriever

QUIT = {"/quit", "/exit", "/q"}
ECHOED = {"/more", "/open"}
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
        passages = retriever.corpus.passage_count
        welcome = messages.CONSOLE_WELCOME.format(documents=docs, passages=passages)
        console.print(Text(welcome, style="bold"))
    last: LastAnswer | None = None
    try:
        for line in _lines(stdin, interactive):
            if not line:
                continue
            command, _, argument = line.partition(" ")
            if line in QUIT:
                break
            if not interactive and command in ECHOED:  # a pipe's output says what it answers
                console.print(Text(f"› {line}", style="bold magenta"))
            if line == "/help":
                console.print(messages.CONSOLE_HELP)
            elif line == "/sources":
                console.print(render_listing(retriever.corpus))
            elif line == "/more":
                console.print(_more(last))
            elif command == "/open":
                console.print(_open(retriever, last, argument.strip()))
            elif line.startswith("/") and not argument:
                unknown = messages.CONSOLE_UNKNOWN_COMMAND.format(command=line)
                console.print(Text(unknown, style="yellow"))
            else:
                # every page at once, as «المزيد» has them; the log records the first
                _, answer = search_and_log(retriever, line, sink, "console", k=top_k, pages=PAGES)
                last = LastAnswer(answer, top_k)
                if not interactive:
                    console.print(Text(f"؟ {line}", style="bold magenta"))
                console.print(render_answer(first_page(answer, top_k)))
    finally:
        save_history()
    if interactive:
        console.print(messages.CONSOLE_GOODBYE)
    return 0


def _note(text: str) -> Text:
    return Text(text, style="yellow")


def _more(last: LastAnswer | None) -> RenderableType:
    """/more: the next page of the last answer, like «المزيد»."""
    if last is None:
        return _note(messages.CONSOLE_NO_QUESTION)
    page = last.next_page()
    if not page:
        return _note(messages.CONSOLE_NO_MORE)
    return render_more(page, last.answer.answered)


def _open(retriever: Retriever, last: LastAnswer | None, argument: str) -> RenderableType:
    """/open N: shown result N in full, with its neighbours and its document's citation."""
    if last is None:
        return _note(messages.CONSOLE_NO_QUESTION)
    if not last.shown:
        return _note(messages.CONSOLE_NOTHING_TO_OPEN)
    if not argument.isdecimal():
        return _note(messages.CONSOLE_OPEN_USAGE)
    result = last.numbered(int(argument))
    if result is None:
        count = len(last.shown)
        return _note(messages.CONSOLE_NO_RESULT.format(value=argument, count=count))
    return render_opened(result, retriever.context(result))
