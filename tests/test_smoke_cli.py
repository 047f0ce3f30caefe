"""The `marjaa` command end to end in a subprocess (what a user runs)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, SEEDS


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_ask_json_answers_manama_question_with_its_citation():
    done = run("ask", "أين عقد حوار المنامة؟", "--json", "--no-log", "--corpus", str(SEEDS))
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["answered"] is True
    top = answer["results"][0]
    assert "حوار المنامة" in top["text"]
    assert top["title"] == "تعثر مؤتمر أمن الشرق الأوسط في البحرين بسبب الحرب بين إسرائيل وحماس"
