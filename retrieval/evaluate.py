"""Retrieval quality over question files: hit@k, MRR@10, answer recall, abstention, speed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from retrieval.corpus import Passage
from retrieval.corpus.readers.base import json_type
from retrieval.errors import QuestionFileError
from retrieval.search import Answer, Retriever
from retrieval.text.normalize import normalize

MRR_DEPTH = 10


@dataclass(frozen=True)
class Question:
    question: str
    # A passage answers when its normalized text contains one of these (normalized);
    # None: the corpus cannot answer the question.
    expected: tuple[str, ...] | None
    gold_context: str | None = None  # SQuAD: the paragraph the question was written on
    answers: tuple[str, ...] = ()  # SQuAD: the gold answer strings


@dataclass
class Miss:
    question: str
    gold_rank: int | None  # None: not in the top MRR_DEPTH
    top: str  # the passage ranked first
    answered: bool


@dataclass
class Report:
    questions: int = 0
    answerable: int = 0
    unanswerable: int = 0
    hit_at_1: float = 0.0
    hit_at_3: float = 0.0
    hit_at_5: float = 0.0
    mrr_at_10: float = 0.0
    answer_recall_at_3: float | None = None
    no_answer_on_answerable: float = 0.0
    no_answer_on_unanswerable: float | None = None
    questions_per_second: float = 0.0
    failures: list[Miss] = field(default_factory=list)

    def to_dict(self, with_failures: bool = False) -> dict:
        data = asdict(self)
        if not with_failures:
            data.pop("failures")
        return data


def _expect(value: object, kind: type, where: str, path: Path) -> Any:
    """``value`` when it is of ``kind``; else the one-line error naming where it is."""
    if not isinstance(value, kind) or isinstance(value, bool):
        wanted = {str: "a string", list: "a list", dict: "an object"}[kind]
        raise QuestionFileError(f"{path}: {where} should be {wanted}, not {json_type(value)}")
    return value


def _read_json_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except IsADirectoryError as exc:
        raise QuestionFileError(f"{path}: is a folder, not a question file") from exc
    except OSError as exc:
        raise QuestionFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise QuestionFileError(f"{path}: not UTF-8 (bad byte at offset {exc.start})") from exc


def load_squad_questions(path: Path) -> list[Question]:
    """Questions of a SQuAD-format file, each tied to its own paragraph; QuestionFileError
    (one line, naming the first bad element) for anything else."""
    try:
        data = json.loads(_read_json_text(path))
    except json.JSONDecodeError as exc:
        raise QuestionFileError(
            f"{path}: not JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from exc
    data = _expect(data, dict, "the file", path)
    articles = _expect(data.get("data"), list, "'data'", path)
    questions = []
    for a, article in enumerate(articles):
        where = f"data[{a}]"
        article = _expect(article, dict, where, path)
        for p, paragraph in enumerate(
            _expect(article.get("paragraphs", []), list, f"{where}.paragraphs", path)
        ):
            at = f"{where}.paragraphs[{p}]"
            paragraph = _expect(paragraph, dict, at, path)
            context = _expect(paragraph.get("context", ""), str, f"{at}.context", path).strip()
            for q, qa in enumerate(_expect(paragraph.get("qas", []), list, f"{at}.qas", path)):
                qa = _expect(qa, dict, f"{at}.qas[{q}]", path)
                question = qa.get("question") or ""
                text = _expect(question, str, f"{at}.qas[{q}].question", path).strip()
                answers = []
                for n, answer in enumerate(
                    _expect(qa.get("answers", []), list, f"{at}.qas[{q}].answers", path)
                ):
                    answer = _expect(answer, dict, f"{at}.qas[{q}].answers[{n}]", path)
                    value = answer.get("text") or ""
                    answers.append(_expect(value, str, f"{at}.qas[{q}].answers[{n}].text", path))
                if text and context:
                    questions.append(Question(text, None, context, tuple(a for a in answers if a)))
    return questions


def load_jsonl_questions(path: Path) -> list[Question]:
    questions = []
    lines = _read_json_text(path).splitlines()
    shape = '{"question": str, "expected": [str] | null}'
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(
                f"{path}:{number}: not JSON (column {exc.colno}); expected {shape}"
            ) from exc
        text = record.get("question") if isinstance(record, dict) else None
        expected = record.get("expected") if isinstance(record, dict) else None
        valid = isinstance(text, str) and (
            expected is None
            or (isinstance(expected, list) and all(isinstance(e, str) for e in expected))
        )
        if not valid:
            raise QuestionFileError(f"{path}:{number}: expected {shape}")
        questions.append(Question(text, None if expected is None else tuple(expected)))
    return questions


def is_squad(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def load_questions(path: Path) -> list[Question]:
    return load_squad_questions(path) if is_squad(path) else load_jsonl_questions(path)


class _CorpusTexts:
    """Is a gold paragraph in the corpus? The normalized passages are read only when a
    SQuAD question first asks, and each distinct paragraph is looked for once."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._passages = passages
        self._texts: set[str] | None = None
        self._found: dict[str, bool] = {}

    def __contains__(self, gold: str) -> bool:
        if gold not in self._found:
            if self._texts is None:
                self._texts = {normalize(p.text) for p in self._passages}
            texts = self._texts
            self._found[gold] = gold in texts or any(gold in text for text in texts)
        return self._found[gold]


def _relevance(question: Question, corpus: _CorpusTexts) -> Callable[[Passage], bool] | None:
    """How to recognise a right passage; None when the corpus cannot answer the question."""
    if question.gold_context is not None:
        gold = normalize(question.gold_context)
        if gold not in corpus:
            return None  # asked against another corpus: its paragraph is not there
        # a passage that contains the whole gold paragraph counts: results drop a passage
        # contained in a better-ranked one, and corpora repeat paragraphs inside longer ones
        return lambda p: gold in normalize(p.text)
    if question.expected is None:
        return None
    wanted = [normalize(e) for e in question.expected if normalize(e)]
    return lambda p: any(w in normalize(p.text) for w in wanted)


@dataclass(frozen=True)
class Outcome:
    """One question asked: where its passage ranked and whether it was answered."""

    question: Question
    answer: Answer
    answerable: bool
    rank: int | None  # of the first right passage, None when not in the results
    recall_hit: bool | None  # a gold answer string in the top 3 (None: no gold answers)


def outcomes(
    retriever: Retriever,
    questions: Iterable[Question],
    top_k: int = MRR_DEPTH,
    search: Callable[[str, int], Answer] | None = None,
) -> Iterator[Outcome]:
    """Ask every question and judge its answer against the expected passages."""
    search = search or retriever.search
    corpus = _CorpusTexts(retriever.passages)
    for question in questions:
        answer = search(question.question, max(top_k, MRR_DEPTH))
        relevant = _relevance(question, corpus)
        if relevant is None:
            yield Outcome(question, answer, False, None, None)
            continue
        ranks = [r.rank for r in answer.results if relevant(r.passage)]
        recall = None
        if question.answers:
            top3 = [normalize(r.passage.text) for r in answer.results[:3]]
            golds = [normalize(a) for a in question.answers]
            recall = any(g and g in text for g in golds for text in top3)
        yield Outcome(question, answer, True, ranks[0] if ranks else None, recall)


def summarize(judged: Iterable[Outcome], seconds: float = 0.0) -> Report:
    """The figures of a set of outcomes."""
    report = Report()
    hits = {1: 0, 3: 0, 5: 0}
    rr_sum = 0.0
    recall_hits = recall_total = 0
    abstained_answerable = abstained_unanswerable = 0
    for outcome in judged:
        report.questions += 1
        answer = outcome.answer
        if not outcome.answerable:
            report.unanswerable += 1
            abstained_unanswerable += not answer.answered
            continue
        report.answerable += 1
        abstained_answerable += not answer.answered
        rank = outcome.rank
        for k in hits:
            hits[k] += rank is not None and rank <= k
        rr_sum += 1 / rank if rank else 0.0
        if outcome.recall_hit is not None:
            recall_total += 1
            recall_hits += outcome.recall_hit
        if rank != 1:
            top = answer.results[0].passage.id if answer.results else "-"
            report.failures.append(Miss(outcome.question.question, rank, top, answer.answered))
    n = report.answerable or 1
    report.hit_at_1, report.hit_at_3, report.hit_at_5 = (hits[k] / n for k in (1, 3, 5))
    report.mrr_at_10 = rr_sum / n
    report.answer_recall_at_3 = recall_hits / recall_total if recall_total else None
    report.no_answer_on_answerable = abstained_answerable / n
    if report.unanswerable:
        report.no_answer_on_unanswerable = abstained_unanswerable / report.unanswerable
    report.questions_per_second = report.questions / seconds if seconds else 0.0
    for key in ("hit_at_1", "hit_at_3", "hit_at_5", "mrr_at_10", "no_answer_on_answerable"):
        setattr(report, key, round(getattr(report, key), 4))
    for key in ("answer_recall_at_3", "no_answer_on_unanswerable"):
        value = getattr(report, key)
        setattr(report, key, None if value is None else round(value, 4))
    report.questions_per_second = round(report.questions_per_second, 1)
    return report


def evaluate(
    retriever: Retriever,
    questions: Iterable[Question],
    top_k: int = MRR_DEPTH,
    search: Callable[[str, int], Answer] | None = None,
) -> Report:
    """Ask every question and score the ranking against the expected passages."""
    started = time.perf_counter()
    judged = list(outcomes(retriever, questions, top_k, search))
    return summarize(judged, time.perf_counter() - started)
