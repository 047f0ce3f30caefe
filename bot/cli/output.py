"""Where commands print: answers on stdout, warnings on stderr (Rich consoles)."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.markup import escape


def stdout_console() -> Console:
    return Console(highlight=False)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def warner(console: Console) -> Callable[[str], None]:
    """A warn callback printing "warning: ..." on ``console``, one line (the terminal wraps
    it, not Rich: a log or a pipe gets it whole)."""
    return lambda message: console.print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)


def stderr_warner() -> Callable[[str], None]:
    """A warn callback printing "warning: ..." on stderr."""
    return warner(stderr_console())
