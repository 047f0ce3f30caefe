"""`marjaa eval` on question files of every wrong shape: one line saying which file and what is
wrong, exit status 1, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.command import run
from tests.support.paths import SEEDS


def squad(paragraph: object) -> dict:
    return {"data": [{"title": "t", "paragraphs": [paragraph]}]}


GOOD_QA = {"question": "سؤال؟", "answers": [{"text": "جواب"}]}
SQUAD_FILES = {
    "not_json": "{not json",
    "a_list": [],
    "data_not_a_list": {"data": 5},
    "article_not_an_object": {"data": [1]},
    "paragraphs_not_a_list": {"data": [{"paragraphs": "نص"}]},
    "paragraph_not_an_object": squad("نص"),
    "context_a_number": squad({"context": 5, "qas": [GOOD_QA]}),
    "qas_an_object": squad({"context": "فقرة", "qas": {"q": 1}}),
    "qa_a_string": squad({"context": "فقرة", "qas": ["سؤال"]}),
    "question_a_number": squad({"context": "فقرة", "qas": [{"question": 7}]}),
    "question_an_object": squad({"context": "فقرة", "qas": [{"question": {"x": 1}}]}),
    "answers_a_string": squad({"context": "فقرة", "qas": [{"question": "س", "answers": "ج"}]}),
    "answer_not_an_object": squad({"context": "فقرة", "qas": [{"question": "س", "answers": [3]}]}),
    "answer_text_a_list": squad(
        {"context": "فقرة", "qas": [{"question": "س", "answers": [{"text": ["ج"]}]}]}
    ),
}
JSONL_FILES = {
    "bad_line": '{"question": "سؤال"}\nnot json\n',
    "question_a_number": '{"question": 3}\n',
    "expected_numbers": '{"question": "س", "expected": [1, 2]}\n',
    "expected_a_string": '{"question": "س", "expected": "ج"}\n',
    "record_a_list": '["س"]\n',
}


def check_one_line_error(capsys, path: Path) -> str:
    assert main(["eval", str(path), "--corpus", str(SEEDS)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("marjaa: error: "), err
    assert str(path) in err
    return err


@pytest.mark.parametrize("name", SQUAD_FILES)
def test_malformed_squad_question_file(tmp_path: Path, capsys, name: str) -> None:
    content = SQUAD_FILES[name]
    path = tmp_path / f"{name}.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    err = check_one_line_error(capsys, path)
    if name != "not_json":
        assert "should be" in err  # it says which element, and what it should be


@pytest.mark.parametrize("name", JSONL_FILES)
def test_malformed_jsonl_question_file(tmp_path: Path, capsys, name: str) -> None:
    path = tmp_path / f"{name}.jsonl"
    path.write_text(JSONL_FILES[name], encoding="utf-8")
    check_one_line_error(capsys, path)


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02\xff\xfe", "سؤال".encode("utf-16"), b""],
    ids=["binary", "utf-16", "empty"],
)
def test_binary_or_empty_question_file(tmp_path: Path, capsys, content: bytes) -> None:
    path = tmp_path / "questions.json"
    path.write_bytes(content)
    check_one_line_error(capsys, path)


def test_a_folder_as_question_file(tmp_path: Path, capsys) -> None:
    check_one_line_error(capsys, tmp_path)


def test_the_real_process_never_shows_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(SQUAD_FILES["question_an_object"]), encoding="utf-8")
    done = run("eval", str(path))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "data[0].paragraphs[0].qas[0].question should be a string, not an object" in done.stderr
