"""Property-based tests: normalization, corpus loading and output never break on any input."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from bot.console.json_contract import answer_to_dict
from bot.console.render import render_answer
from retrieval import CorpusError, load_corpus
from retrieval.text.normalize import TABLE, normalize, tokens

# Every code point, lone surrogates and control characters included.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=300)
LETTERS = list("ابتثجحخدذرزسشصضطظعغفقكلمنهويىةأإآؤئءـًٌٍَُِّْٰ٠١٢٣٤٥٦٧٨٩،؛؟«» .\n")
PIECES = ["MNNA", "2019", "\u200c", "\u200f", "😀", "3,000"]
ARABICISH = st.lists(st.sampled_from(LETTERS + PIECES), max_size=120).map("".join)
TOKEN = re.compile(r"[^\W_]+")
FOLDED_AWAY = {chr(code) for code in TABLE}


@given(st.one_of(ANY_TEXT, ARABICISH))
def test_normalize_never_raises_and_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.one_of(ANY_TEXT, ARABICISH))
def test_normalized_output_is_only_tokens_of_the_token_alphabet(text: str) -> None:
    out = normalize(text)
    for token in out.split(" ") if out else []:
        assert TOKEN.fullmatch(token), token
        assert not FOLDED_AWAY & set(token)  # no diacritic, variant letter or invisible left
        assert token == token.lower()
    assert tokens(text) == (out.split(" ") if out else [])


def test_normalize_handles_huge_input() -> None:
    text = ("حوار المنامة، ٢٠١٩ MNNA " * 50_000) + "\ud800" + "\x00" * 1000
    assert normalize(text).split()[:3] == ["حوار", "المنامه", "2019"]


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ARABICISH,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["text", "title", "url", "data", "context", "paragraphs"]) | ARABICISH,
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


def _load(tmp_path: Path, name: str, content: bytes) -> tuple[list[str], object]:
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    (folder / name).write_bytes(content)
    warnings: list[str] = []
    try:
        corpus = load_corpus(folder, warn=warnings.append)
    except CorpusError as exc:
        return warnings, exc
    return warnings, corpus


NAMES = ["a.txt", "b.md", "c.jsonl", "d.json", "e.html", "f.pdf", "g.docx"]
# what the readers of PDF, Word and HTML look for first, so that random bytes go deep
MAGIC = st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04", b"<!DOCTYPE html><html><p>"])


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(NAMES), MAGIC)
def test_random_bytes_as_corpus_files_never_crash(
    tmp_path: Path, content: bytes, name: str, magic: bytes
):
    content = magic + content
    warnings, outcome = _load(tmp_path, name, content)
    for message in warnings:
        assert message.startswith(name)  # each warning names the file
        assert "\n" not in message
    if isinstance(outcome, CorpusError):
        assert "no usable passages" in str(outcome)


@SETTINGS
@given(st.lists(JSON_VALUES, min_size=1, max_size=4), st.sampled_from(["c.jsonl", "d.json"]))
def test_random_json_as_corpus_files_never_crash(tmp_path: Path, values: list, name: str):
    if name.endswith(".jsonl"):
        content = "\n".join(json.dumps(v, ensure_ascii=False) for v in values)
    else:
        content = json.dumps(values[0], ensure_ascii=False)
    warnings, _ = _load(tmp_path, name, content.encode("utf-8"))
    assert all(message.startswith(name) for message in warnings)


@pytest.fixture(scope="module")
def retriever(seeds_retriever):
    return seeds_retriever


@settings(max_examples=60, deadline=None)
@given(st.one_of(ANY_TEXT, ARABICISH, st.sampled_from(["أين عقد حوار المنامة؟", "قطر", "MNNA"])))
def test_any_question_gives_valid_json_and_console_output(seeds_retriever, question: str):
    answer = seeds_retriever.search(question)
    data = answer_to_dict(answer)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["answered"] is answer.answered
    for result in data["results"]:
        assert result["answer_sentence"] in result["text"]
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(render_answer(answer))
    assert console.file.getvalue().strip()
