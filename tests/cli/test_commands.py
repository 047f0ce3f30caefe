"""The `marjaa` command: JSON contract, console over a pipe, sources, eval, bad input."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.command import run
from tests.support.paths import ROOT, SEED_QUESTIONS, SEEDS

RESULT_FIELDS = {
    "rank": int,
    "doc_id": str,
    "title": str,
    "source": str,
    "paragraph": int,
    "text": str,
    "score": float,
    "answer_sentence": str,
    "highlights": list,
}


def check_contract(answer: dict, query: str) -> None:
    assert set(answer) >= {"query", "answered", "results"}
    assert answer["query"] == query
    assert isinstance(answer["answered"], bool)
    for rank, result in enumerate(answer["results"], start=1):
        assert result["rank"] == rank
        for field, kind in RESULT_FIELDS.items():
            assert isinstance(result[field], kind), field
        assert result["heading"] is None or isinstance(result["heading"], str)
        text = result["text"]
        assert result["answer_sentence"] in text
        for start, end in result["highlights"]:
            assert 0 <= start < end <= len(text)


def test_ask_json_single_question(capsys) -> None:
    question = "أين عقد حوار المنامة؟"
    assert main(["ask", question, "--json", "--corpus", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    answer = json.loads(out)
    check_contract(answer, question)
    assert answer["answered"] is True
    top = answer["results"][0]
    assert "حوار المنامة" in top["text"]
    assert top["title"] == "تعثر مؤتمر أمن الشرق الأوسط في البحرين بسبب الحرب بين إسرائيل وحماس"
    assert top["source"] == "000_9851199e9df58dca.txt"


def test_ask_json_returns_original_not_normalized_text(capsys) -> None:
    main(["ask", "عقدت نسخة العام الماضي من القمة في فيلنيوس", "--json", "--corpus", str(SEEDS)])
    top = json.loads(capsys.readouterr().out)["results"][0]
    assert "عُقدت" in top["text"]  # the damma of the source is kept
    assert "“" in top["text"] or "،" in top["text"]


def test_ask_json_reads_one_question_per_stdin_line() -> None:
    questions = ["أين عقد حوار المنامة؟", "ما هي عاصمة اليابان؟", "", "شو يعني MNNA"]
    done = run("ask", "--json", "--top-k", "2", "--corpus", "seeds", stdin="\n".join(questions))
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["query"] for a in answers] == [q for q in questions if q]
    for answer, question in zip(answers, [q for q in questions if q], strict=True):
        check_contract(answer, question)
        assert len(answer["results"]) <= 2
    assert [a["answered"] for a in answers] == [True, False, True]


def test_ask_without_json_prints_passage_and_citation(capsys) -> None:
    assert main(["ask", "منذ متى تستضيف قطر المكتب السياسي لحماس؟", "--corpus", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert "2012" in out
    assert "الفقرة" in out and "001_163d662abddf5416.txt" in out


def test_console_answers_piped_questions_and_exits_at_end_of_input() -> None:
    stdin = "أين عقد حوار المنامة؟\n/sources\n/help\n\nما هي عاصمة اليابان؟\nما هو مناخ الكاهرة؟\n"
    done = run("console", "--corpus", "seeds", stdin=stdin)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "حوار المنامة" in out
    assert "تعثر مؤتمر أمن الشرق الأوسط" in out  # the citation's title
    assert "000_9851199e9df58dca.txt" in out
    assert "المصادر" in out and "الفقرات" in out  # /sources table
    assert "/quit" in out  # /help
    assert "لا توجد إجابة" in out  # Japan's capital is not in the news corpus
    # a misspelt word the news know: the question as they would spell it
    assert "هل تقصد: «\u2068ما هو مناخ القاهرة؟\u2069»؟" in out
    assert out.count("هل تقصد") == 1  # not for Japan: no word of the news is close
    assert "Traceback" not in done.stderr


def test_console_quit_command_stops_reading() -> None:
    done = run("console", "--corpus", "seeds", stdin="/quit\nأين عقد حوار المنامة؟\n")
    assert done.returncode == 0
    assert "حوار المنامة" not in done.stdout


def test_sources_lists_documents_with_passage_counts(capsys) -> None:
    assert main(["sources", "--corpus", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert "مباحثات سرية" in out and "004_472c74c3ee9cd5b0.txt" in out


def test_corpus_from_environment_setting(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("مدينة البتراء الأثرية في الأردن.", encoding="utf-8")
    done = run(
        "ask",
        "أين تقع البتراء؟",
        "--json",
        cwd=tmp_path,
        env={"MARJAA_CORPUS": str(tmp_path), "MARJAA_DATA_DIR": str(tmp_path / "data")},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["source"] == "doc.txt"


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "سؤال", "--top-k", "zero"],
        ["ask", "سؤال", "--top-k", "0"],
        ["console", "--bogus"],
        ["nonsense"],
        [],
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str]) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "error" in done.stderr


@pytest.mark.parametrize("command", ["console", "ask", "sources"])
def test_missing_corpus_exits_1_with_one_line(command: str) -> None:
    done = run(command, "--corpus", "no/such/folder", stdin="")
    assert done.returncode == 1
    assert done.stderr.strip() == "marjaa: error: corpus not found: no/such/folder"


def test_corpus_with_bad_files_warns_and_still_answers(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("افتتح المتحف الوطني في الدوحة.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00broken")
    done = run("ask", "أين افتتح المتحف الوطني؟", "--json", "--corpus", str(tmp_path))
    assert done.returncode == 0
    assert "bad.txt" in done.stderr and "Traceback" not in done.stderr
    assert json.loads(done.stdout)["answered"] is True


def test_unusable_corpus_exits_1(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    done = run("sources", "--corpus", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith("marjaa: error: no usable passages")


@pytest.mark.parametrize("command", [[], ["console"], ["ask"], ["sources"], ["eval"]])
def test_help_everywhere(command: list[str]) -> None:
    done = run(*command, "--help")
    assert done.returncode == 0
    assert "usage: marjaa" in done.stdout


def test_eval_jsonl_reports_hits_and_abstention(capsys) -> None:
    assert main(["eval", str(SEED_QUESTIONS), "--corpus", str(SEEDS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["answerable"] == 25 and report["unanswerable"] == 6
    assert report["hit_at_3"] >= 0.9
    assert report["no_answer_on_unanswerable"] >= 0.8
    assert 0 <= report["no_answer_on_answerable"] <= 0.1


def test_eval_squad_file_uses_its_own_paragraphs(tmp_path: Path, capsys) -> None:
    squad = {
        "data": [
            {
                "title": "النيل",
                "paragraphs": [
                    {
                        "context": "نهر النيل أطول أنهار العالم ويمر بمصر والسودان.",
                        "qas": [{"question": "ما أطول نهر؟", "answers": [{"text": "نهر النيل"}]}],
                    },
                    {
                        "context": "تقع مدينة أسوان في جنوب مصر على ضفاف النهر.",
                        "qas": [{"question": "أين تقع أسوان؟", "answers": [{"text": "جنوب مصر"}]}],
                    },
                ],
            }
        ]
    }
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(squad, ensure_ascii=False), encoding="utf-8")
    assert main(["eval", str(path), "--json", "--failures"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["questions"] == 2 and report["answerable"] == 2
    assert report["hit_at_1"] == 1.0 and report["answer_recall_at_3"] == 1.0
    assert report["failures"] == []


def test_eval_of_missing_or_malformed_file_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "سؤال"}\nnot json\n', encoding="utf-8")
    for path in (bad, tmp_path / "missing.jsonl"):
        done = run("eval", str(path), "--corpus", "seeds")
        assert done.returncode == 1
        assert done.stderr.count("\n") == 1


def config(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run("config", *args, cwd=cwd, env={"COLUMNS": "300", **env})


def test_config_shows_settings_with_secrets_hidden(tmp_path: Path) -> None:
    salt = "pepper-0123456789-Zq7x"
    done = config(tmp_path, {"MARJAA_LOG_SALT": salt})
    assert done.returncode == 0, done.stderr
    assert "MARJAA_LOG_SALT" in done.stdout and "(set, hidden)" in done.stdout
    assert salt not in done.stdout and salt[-4:] not in done.stdout


def test_config_names_each_setting_its_value_and_where_it_came_from(tmp_path: Path) -> None:
    token = "123456:AAE-config-test-TOKEN"
    (tmp_path / ".env").write_text(
        f"MARJAA_CORPUS=/srv/archive\nADMIN_USER_IDS=1001, 42\nMARJAA_ENGINE=native\n"
        f"TELEGRAM_BOT_TOKEN={token}\nMARJAA_DB=\n",
        encoding="utf-8",
    )
    data = tmp_path / "state"
    data.mkdir()
    (data / "querylog.salt").write_text("generated-salt-0123456789\n")
    env = {"MARJAA_ENGINE": "rank-bm25", "MARJAA_DATA_DIR": str(data)}  # wins over .env
    done = config(tmp_path, env, "--json")
    assert done.returncode == 0, done.stderr
    shown = {row["name"]: (row["value"], row["source"]) for row in json.loads(done.stdout)}
    assert shown["MARJAA_CORPUS"] == ("/srv/archive", ".env")
    assert shown["MARJAA_ENGINE"] == ("rank-bm25", "environment")
    assert shown["MARJAA_DATA_DIR"] == (str(data), "environment")
    # empty in .env: the default, in the data folder
    assert shown["MARJAA_DB"] == (str(data / "queries.sqlite3"), "default")
    assert shown["ADMIN_USER_IDS"] == ("42, 1001", ".env")
    assert shown["ALLOWED_CHAT_IDS"] == ("(none)", "default")
    assert shown["TELEGRAM_BOT_TOKEN"] == ("(set, hidden)", ".env")
    assert shown["TELEGRAM_WEBHOOK_SECRET"] == ("(not set)", "default")
    # the salt the log uses: the file marjaa generated, hidden like any secret
    assert shown["MARJAA_LOG_SALT"] == ("(set, hidden)", str(data / "querylog.salt"))

    table = config(tmp_path, env).stdout
    for name, (value, source) in shown.items():
        assert name in table and value in table and source in table
    for internal in ("data_dir", "log_salt", "frozenset", "telegram_bot_token", "corpus "):
        assert internal not in table
    assert token not in table + done.stdout and "generated-salt" not in table + done.stdout

    (data / "querylog.salt").unlink()
    salt = json.loads(config(tmp_path, env, "--json").stdout)
    assert [
        next(r["value"][:24] for r in salt if r["name"] == "MARJAA_LOG_SALT"),
        next(r["source"] for r in salt if r["name"] == "MARJAA_LOG_SALT"),
    ] == ["(not set: generated into", "default"]
    raw = config(tmp_path, {**env, "MARJAA_LOG_USER_IDS": "raw"}, "--json")
    assert "(not used" in raw.stdout


def test_every_setting_has_an_environment_name_for_config() -> None:
    from dataclasses import fields

    from bot.settings import VARIABLES, Settings

    assert {v.field for v in VARIABLES} == {f.name for f in fields(Settings)}
    names = {v.name for v in VARIABLES}
    assert len(names) == len(VARIABLES)
    # what load_settings reads, and what .env.example documents, are the same names
    read = set(re.findall(r'get\("([A-Z_]+)"', (ROOT / "bot" / "settings.py").read_text()))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert read == names <= set(re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE))
