"""How a question's terms rank the passages (docs/retrieval.md, "Scoring").

Three stages, each on fewer passages:
1. BM25 of all the question's terms over the whole index (one engine call);
2. the best ``depth`` candidates re-scored word by word from each term's BM25 weight there:
   a word's fields (stem, root, exact form) weighted and saturated so that one word is not
   counted three times, guessed spellings weighted down, and the score scaled by the share
   of the question's words the passage contains (coordination);
3. the first few re-ranked by how close together the question's words stand in them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from retrieval.config import ScoringConfig
from retrieval.engines import Engine
from retrieval.query import ROOT_CREDIT, QueryPlan


@dataclass(frozen=True)
class Ranking:
    hits: list[tuple[int, float]]  # (passage index, score), best first
    coverage: dict[int, float]  # passage index -> weighted share of the question it has


def _field_weight(config: ScoringConfig, field: int) -> float:
    weights = config.field_weights
    return weights[field] if field < len(weights) else 1.0


def rescore(
    plan: QueryPlan, weights: np.ndarray, rows: dict[str, int], config: ScoringConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and coverage of candidate passages from ``weights`` (the BM25 weight of each
    term, row ``rows[term]``, in each candidate)."""
    candidates = weights.shape[1]
    total = np.zeros(candidates)
    covered = np.zeros(candidates)
    stemmed = len(plan.fields)  # fields that count for coverage: stem, then roots
    for word, group in zip(plan.words, plan.groups, strict=True):
        per_field: dict[int, np.ndarray] = {}
        credit = np.zeros(candidates)
        for term in group:
            found = weights[rows[term.text]]
            if term.field < stemmed:
                value = term.factor * (1.0 if term.field == 0 else ROOT_CREDIT)
                credit = np.maximum(credit, value * (found > 0))
            weight = term.factor * _field_weight(config, term.field)
            if weight:
                per_field[term.field] = per_field.get(term.field, 0.0) + weight * found
        covered += plan.weights[word] * credit
        if per_field:
            stacked = np.vstack(list(per_field.values()))
            best = stacked.max(axis=0)
            total += best + config.spread * (stacked.sum(axis=0) - best)
    weight_sum = sum(plan.weights.values())
    coverage = covered / weight_sum if weight_sum else covered
    if config.coordination:
        total = total * coverage**config.coordination
    return total, coverage


def rank(
    engine: Engine,
    plan: QueryPlan,
    config: ScoringConfig,
    k: int,
    tokens_of: Callable[[int], Sequence[str]],
) -> Ranking:
    """The k best passages for ``plan``; ``tokens_of`` gives a passage's normalized tokens
    (for proximity)."""
    first = engine.top(plan.terms, max(k, config.depth))
    if not first:
        return Ranking([], {})
    candidates = np.array([index for index, _ in first], dtype=np.int64)
    terms = list(dict.fromkeys(t.text for group in plan.groups for t in group))
    rows = {term: row for row, term in enumerate(terms)}
    scores, coverage = rescore(plan, engine.term_scores(terms, candidates), rows, config)
    order = np.argsort(-scores, kind="stable")  # ties keep the stage-1 order
    hits = [(int(candidates[i]), float(scores[i])) for i in order if scores[i] > 0]
    if config.proximity and len(plan.words) > 1 and hits:
        bonus = config.proximity * hits[0][1]
        near = [
            (index, score + bonus * pair_share(tokens_of(index), plan, config.proximity_window))
            for index, score in hits[: config.proximity_depth]
        ]
        near.sort(key=lambda hit: -hit[1])  # stable
        hits[: config.proximity_depth] = near
    covered = {int(candidates[i]): float(coverage[i]) for i in range(len(candidates))}
    return Ranking(hits[:k], covered)


def pair_share(tokens: Sequence[str], plan: QueryPlan, size: int) -> float:
    """Weighted share of the question's neighbouring word pairs (in question order) that
    ``tokens`` have within ``size`` tokens of each other, in the same order."""
    words, weights = plan.words, plan.weights
    pairs = list(pairwise(words))
    total = sum(weights[a] + weights[b] for a, b in pairs)
    if not total:
        return 0.0
    before: dict[str, list[str]] = {}
    for a, b in pairs:
        before.setdefault(b, []).append(a)
    last: dict[str, int] = {}  # question word -> its latest position in the tokens
    found: set[tuple[str, str]] = set()
    match = plan.match
    for position, token in enumerate(tokens):
        word = match(token)
        if word is None:
            continue
        for a in before.get(word, ()):
            seen = last.get(a)
            if seen is not None and position - seen < size:
                found.add((a, word))
        last[word] = position
    return sum(weights[a] + weights[b] for a, b in found) / total
