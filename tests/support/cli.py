"""The `marjaa` command as a user runs it: a child process with a bare environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.paths import ROOT


def marjaa(
    *args: str,
    input: str | None = None,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    **options: Any,
) -> subprocess.CompletedProcess:
    """``python -m bot.cli args...``; ``input`` is its input text, its data folder the test's
    (set by the autouse conftest fixture); ``env`` adds to the environment, ``options`` go to
    subprocess.run (a terminal as stdin, say)."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "MARJAA_DATA_DIR": os.environ["MARJAA_DATA_DIR"],
            **(env or {}),
        },
        **options,
    )
