"""rank-bm25 and native rank alike: same top passages, same abstention, sentences, highlights."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from retrieval import (
    BM25Config,
    RetrievalConfig,
    Retriever,
    ScoringConfig,
    evaluate,
    load_corpus,
    load_questions,
)
from retrieval.engines import AUTO_NATIVE_FROM, resolve_engine
from retrieval.evaluate import load_jsonl_questions
from tests.support.paths import DIALECT_QUESTIONS, SEED_QUESTIONS


def answer_view(answer):
    """Everything an answer shows except the scores' last digits."""
    return (
        answer.answered,
        round(answer.coverage, 9),
        [(r.passage.id, r.answer_sentence, r.highlights) for r in answer.results],
    )


@pytest.fixture(scope="module")
def seed_corpus(seeds_dir):
    return load_corpus(seeds_dir)


@pytest.mark.parametrize("variant", ["okapi", "bm25l", "bm25plus"])
def test_engines_answer_seed_questions_alike(seed_corpus, variant):
    bm25 = BM25Config(variant=variant)
    reference = Retriever(seed_corpus, RetrievalConfig(bm25=bm25, engine="rank-bm25"))
    fast = Retriever(seed_corpus, RetrievalConfig(bm25=bm25, engine="native"))
    assert (reference.engine.name, fast.engine.name) == ("rank-bm25", "native")
    questions = load_jsonl_questions(SEED_QUESTIONS)
    assert len(questions) >= 15
    for question in questions:
        slow_answer = reference.search(question.question, k=5)
        fast_answer = fast.search(question.question, k=5)
        assert answer_view(fast_answer) == answer_view(slow_answer), question.question
        for slow, quick in zip(slow_answer.results, fast_answer.results, strict=True):
            assert quick.score == pytest.approx(slow.score, rel=1e-4)


# Each way of combining the engines' term weights (scoring.py), far from the defaults.
SCORINGS = {
    "chosen": ScoringConfig(),
    "plain BM25": ScoringConfig(coordination=0.0, proximity=0.0),
    "best field only": ScoringConfig(spread=0.0),
    "field weights": ScoringConfig(field_weights=(1.0, 0.25, 2.0)),
    "coordination": ScoringConfig(coordination=1.0),
    "proximity": ScoringConfig(proximity=0.5, proximity_depth=10),
    "guesses at full weight": ScoringConfig(guess_weight=1.0),
}


@pytest.mark.parametrize("scoring", SCORINGS.values(), ids=SCORINGS.keys())
def test_engines_rank_alike_however_term_weights_are_combined(seed_corpus, scoring):
    config = RetrievalConfig(scoring=scoring)
    reference = Retriever(seed_corpus, dataclasses.replace(config, engine="rank-bm25"))
    fast = Retriever(seed_corpus, dataclasses.replace(config, engine="native"))
    questions = load_jsonl_questions(SEED_QUESTIONS) + load_jsonl_questions(DIALECT_QUESTIONS)
    for question in questions:
        slow_answer = reference.search(question.question, k=5)
        fast_answer = fast.search(question.question, k=5)
        assert answer_view(fast_answer) == answer_view(slow_answer), question.question
        assert fast_answer.suggestions == slow_answer.suggestions


def test_engines_give_the_same_term_weights(seed_corpus):
    reference = Retriever(seed_corpus, RetrievalConfig(engine="rank-bm25")).engine
    fast = Retriever(seed_corpus, RetrievalConfig(engine="native")).engine
    terms = ["حوار", "=المنامه", "1~نظم", "absent-term", "قطر"]
    having = {i for t in terms for i in np.flatnonzero(fast.scores([t]))[:2].tolist()}
    # in no particular order, as candidates come, with passages that have none of the terms
    passages = np.array([*sorted(having, reverse=True), 1, len(seed_corpus.passages) - 1])
    slow = reference.term_scores(terms, passages)
    quick = fast.term_scores(terms, passages)
    assert slow.shape == quick.shape == (len(terms), len(passages))
    assert (slow > 0).sum() >= 6 and not slow[3].any()
    np.testing.assert_allclose(quick, slow, rtol=1e-5)
    # where a passage has a term, its weight is what scores() adds for it
    for row, term in enumerate(terms):
        np.testing.assert_allclose(quick[row], fast.scores([term])[passages], rtol=1e-5)


def test_engines_agree_on_arcd_hit_at_1(arcd_train):
    questions = load_questions(arcd_train)
    corpus = load_corpus(arcd_train, warn=lambda message: None)
    hits = {}
    for engine in ("rank-bm25", "native"):
        retriever = Retriever(corpus, RetrievalConfig(engine=engine))
        # only rank 1 matters here: ask for one result (the sentence work of ten is slow)
        report = evaluate(retriever, questions, search=lambda q, _k, r=retriever: r.search(q, 1))
        hits[engine] = report.hit_at_1
    assert hits["rank-bm25"] >= 0.75  # the quality this must not lower (docs/retrieval.md)
    assert abs(hits["native"] - hits["rank-bm25"]) <= 0.01


def test_auto_engine_switches_to_native_for_large_corpora():
    assert resolve_engine("auto", AUTO_NATIVE_FROM - 1) == "rank-bm25"
    assert resolve_engine("auto", AUTO_NATIVE_FROM) == "native"
    assert resolve_engine("rank-bm25", 10**6) == "rank-bm25"
    with pytest.raises(ValueError, match="unknown engine"):
        resolve_engine("lucene", 10)
