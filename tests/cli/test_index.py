"""`marjaa index` and --engine: exit codes, one-line errors, the saved index other commands use."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from bot.cli import main
from tests.support.paths import ROOT


@pytest.fixture
def env(tmp_path, seeds_dir, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir, corpus)
    monkeypatch.setenv("MARJAA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MARJAA_CORPUS", str(corpus))
    monkeypatch.delenv("MARJAA_ENGINE", raising=False)
    return tmp_path


def test_index_builds_then_reports_up_to_date(env, capsys):
    assert main(["index"]) == 0
    out = capsys.readouterr().out
    assert "indexed 54 passages of 5 documents (5 files) with rank-bm25" in out
    assert main(["index", "--engine", "native"]) == 0
    assert "with native" in capsys.readouterr().out
    assert main(["index"]) == 0
    assert capsys.readouterr().out.startswith("up to date: 54 passages, engine rank-bm25")
    assert main(["index", "--rebuild"]) == 0
    assert "indexed 54 passages" in capsys.readouterr().out


def test_ask_uses_the_engine_asked_for(env, capsys):
    assert main(["ask", "أين عقد حوار المنامة؟", "--json", "--engine", "native"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["answered"] and "حوار المنامة" in answer["results"][0]["text"]
    assert main(["index", "--engine", "native"]) == 0  # ask saved it
    assert capsys.readouterr().out.startswith("up to date")


@pytest.mark.parametrize(
    ("argv", "variables", "status", "message"),
    [
        (["index", "--corpus", "/no/such/corpus"], {}, 1, "corpus not found: /no/such/corpus"),
        (["index", "--engine", "lucene"], {}, 2, "invalid choice: 'lucene'"),
        (["index"], {"MARJAA_ENGINE": "fast"}, 1, "MARJAA_ENGINE must be one of"),
        (["index"], {"MARJAA_DATA_DIR": "{blocker}"}, 1, "cannot write the index under"),
        (["index", "--corpus", "{empty}"], {}, 1, "no usable passages in"),
    ],
)
def test_index_errors_are_one_line(env, capsys, monkeypatch, argv, variables, status, message):
    (env / "blocker").write_text("a file where the data folder should be")
    (env / "empty").mkdir()
    places = {"blocker": env / "blocker", "empty": env / "empty"}
    for name, value in variables.items():
        monkeypatch.setenv(name, value.format(**places))
    argv = [a.format(**places) for a in argv]
    if status == 2:
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
    else:
        assert main(argv) == status
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_index_command_in_a_real_process(env):
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "index", "--engine", "native"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "with native" in done.stdout and str(env / "data" / "index") in done.stdout
