"""Running one of the support modules in a child process (for faults that would hit the
test process itself), and reading the JSON object it prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.support.paths import ROOT


def run_module(module: str, *args: str, timeout: float = 60) -> dict[str, Any]:
    """``python -m module args...`` from the project root; its stdout as JSON."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
