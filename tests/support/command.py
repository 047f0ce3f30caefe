"""The `marjaa` command run as a user runs it: a separate process with a small environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.paths import ROOT


def run(
    *args: str,
    stdin: str | int | None = None,
    cwd: Path = ROOT,
    prefix: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess:
    """`marjaa ARGS` (``prefix`` before the interpreter, e.g. a privilege wrapper); its data
    folder is the test's (set by the autouse conftest fixture) unless ``env`` says another.
    ``stdin``: the input text, or a file descriptor to read (a terminal, subprocess.DEVNULL)."""
    given = {"stdin": stdin} if isinstance(stdin, int) else {"input": stdin}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "bot.cli", *args],
        **given,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "MARJAA_DATA_DIR": os.environ["MARJAA_DATA_DIR"],
            **(env or {}),
        },
    )
