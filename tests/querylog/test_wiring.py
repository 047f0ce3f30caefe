"""Front ends and the log: console and `marjaa ask` log their questions, eval never does."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from bot.cli import main
from bot.settings import ConfigError, load_settings
from tests.support.paths import ROOT, SEEDS
from tests.support.querylog import ANSWERED, UNANSWERED, rows


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh data folder, and no .env of the developer's in the way."""
    monkeypatch.chdir(tmp_path)
    for name in ("MARJAA_DB", "MARJAA_LOG_SALT", "MARJAA_LOG_USER_IDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MARJAA_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_ask_logs_each_question_with_channel_cli(data_dir, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{ANSWERED}\n\n{UNANSWERED}\n"))
    assert main(["ask", "--json", "--corpus", str(SEEDS)]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    logged = rows(data_dir / "queries.sqlite3")
    assert [r["query"] for r in logged] == [ANSWERED, UNANSWERED]
    assert {r["channel"] for r in logged} == {"cli"}
    assert [bool(r["answered"]) for r in logged] == [p["answered"] for p in printed]
    assert logged[0]["top_doc_id"] == printed[0]["results"][0]["doc_id"]
    assert all(r["latency_ms"] > 0 for r in logged)
    assert logged[0]["engine"] == "rank-bm25" and len(logged[0]["corpus_fingerprint"]) == 16
    assert logged[0]["user_key"] is None and logged[0]["chat_type"] is None


def test_ask_no_log_writes_nothing(data_dir, capsys):
    assert main(["ask", ANSWERED, "--no-log", "--corpus", str(SEEDS)]) == 0
    assert "حوار المنامة" in capsys.readouterr().out
    assert not (data_dir / "queries.sqlite3").exists()


def test_marjaa_db_setting_chooses_the_file(data_dir, tmp_path, monkeypatch, capsys):
    chosen = tmp_path / "elsewhere" / "log.sqlite3"
    monkeypatch.setenv("MARJAA_DB", str(chosen))
    assert main(["ask", ANSWERED, "--corpus", str(SEEDS)]) == 0
    assert len(rows(chosen)) == 1
    assert not (data_dir / "queries.sqlite3").exists()


def test_console_logs_with_channel_console(data_dir):
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--corpus", str(SEEDS)],
        input=f"{ANSWERED}\n/help\n{UNANSWERED}\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert "حوار المنامة" in done.stdout
    logged = rows(data_dir / "queries.sqlite3")
    assert [(r["channel"], r["query"]) for r in logged] == [
        ("console", ANSWERED),
        ("console", UNANSWERED),
    ]


def test_eval_never_logs(data_dir, tmp_path, capsys):
    questions = tmp_path / "questions.jsonl"
    line = {"question": ANSWERED, "expected": ["حوار المنامة"]}
    questions.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["eval", str(questions), "--corpus", str(SEEDS), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["questions"] == 1
    assert not (data_dir / "queries.sqlite3").exists()


def test_unknown_user_id_mode_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="MARJAA_LOG_USER_IDS"):
        load_settings(env_file=tmp_path / "none", environ={"MARJAA_LOG_USER_IDS": "plain"})
