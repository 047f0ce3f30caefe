"""Retrieval quality pinned with a safe margin on the development set (docs/retrieval.md).

Measured (marjaa eval): hit@1 0.76, hit@3 0.96, MRR@10 0.86; 98% answered on its own
corpus; 91% "no answer" when the same questions are asked of the seeds.
"""

from __future__ import annotations

import pytest

from retrieval import Retriever, evaluate, load_corpus, load_questions


@pytest.fixture(scope="module")
def arcd(arcd_train):
    return load_questions(arcd_train), Retriever(load_corpus(arcd_train))


def test_arcd_train_ranking_quality(arcd) -> None:
    questions, retriever = arcd
    report = evaluate(retriever, questions)
    assert report.answerable == 693
    assert report.hit_at_1 >= 0.74
    assert report.hit_at_3 >= 0.94
    assert report.mrr_at_10 >= 0.84
    assert report.answer_recall_at_3 >= 0.94
    assert report.no_answer_on_answerable <= 0.035


def test_arcd_questions_asked_of_the_news_seeds_mostly_get_no_answer(arcd, seeds_retriever):
    questions, _ = arcd
    report = evaluate(seeds_retriever, questions)
    assert report.unanswerable == len(questions)
    assert report.no_answer_on_unanswerable >= 0.88
