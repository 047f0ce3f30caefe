"""Retrieval quality pinned with a margin on the development set and our own questions
(docs/retrieval.md).

Measured (marjaa eval, full train): hit@1 0.789, hit@3 0.971, MRR@10 0.877, answer recall@3
0.974; 98.4% answered on its own corpus; 91.3% "no answer" when the same questions are asked
of the seeds. Out-of-fold (make study): 0.786 / 0.971 / 0.876, 98.0% answered, 91.3% "no
answer". The 20 dialect and typo questions: hit@1 0.90, hit@3 0.95, 90% answered.
"""

from __future__ import annotations

import pytest

from retrieval import Retriever, evaluate, load_corpus, load_questions
from tests.support.paths import DIALECT_QUESTIONS


@pytest.fixture(scope="module")
def arcd(arcd_train):
    return load_questions(arcd_train), Retriever(load_corpus(arcd_train))


def test_arcd_train_ranking_quality(arcd) -> None:
    questions, retriever = arcd
    report = evaluate(retriever, questions)
    assert report.answerable == 693
    assert report.hit_at_1 >= 0.775
    assert report.hit_at_3 >= 0.96
    assert report.mrr_at_10 >= 0.86
    assert report.answer_recall_at_3 >= 0.96
    assert report.no_answer_on_answerable <= 0.025


def test_arcd_questions_asked_of_the_news_seeds_mostly_get_no_answer(arcd, seeds_retriever):
    questions, _ = arcd
    report = evaluate(seeds_retriever, questions)
    assert report.unanswerable == len(questions)
    assert report.no_answer_on_unanswerable >= 0.895


def test_dialect_and_typo_questions_over_the_seeds(seeds_retriever) -> None:
    """Reported apart from the seed questions: written in Egyptian, Levantine, Gulf and
    Maghrebi Arabic, with missing, swapped and glued letters, ز for ذ, ت for ة."""
    report = evaluate(seeds_retriever, load_questions(DIALECT_QUESTIONS))
    assert report.answerable == 20
    assert report.hit_at_1 >= 0.8
    assert report.hit_at_3 >= 0.9
    assert report.no_answer_on_answerable <= 0.15
