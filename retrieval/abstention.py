"""Whether the best passages answer the question at all: the evidence a search gathers and
the rule that decides (docs/retrieval.md, "Abstention")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AbstentionConfig:
    # No answer when the words the corpus has never seen make up this share of the
    # question or more...
    max_unknown: float = 0.65
    # ...or when the best passage covers less than this share of the question's informative
    # words, each weighted by its rarity in the corpus.
    min_coverage: float = 0.26
    # Long questions (translated, wordy) carry words a passage need not repeat: from this
    # many informative words on, the coverage needed shrinks as (long_from / words) ** long_power
    long_from: int = 1000
    long_power: float = 0.5
    # A clear winner: when the best passage scores this many times the k-th, the coverage
    # needed is multiplied by margin_relief (1: margins play no part)
    margin_ratio: float = 2.0
    margin_rank: int = 5
    margin_relief: float = 1.0


@dataclass(frozen=True)
class Evidence:
    """What a search found, as far as answering or not is concerned."""

    words: int  # informative words of the question
    coverage: float  # weighted share of them in the best passage
    unknown_share: float  # weighted share the corpus knows in no spelling
    scores: tuple[float, ...]  # of the results, best first


def needed_coverage(evidence: Evidence, config: AbstentionConfig) -> float:
    """The coverage that the best passage must reach for this question."""
    needed = config.min_coverage
    if evidence.words > config.long_from:
        needed *= (config.long_from / evidence.words) ** config.long_power
    scores = evidence.scores
    rank = config.margin_rank
    if len(scores) < rank or scores[rank - 1] * config.margin_ratio <= scores[0]:
        needed *= config.margin_relief  # fewer than k results is a margin too
    return needed


def is_answered(evidence: Evidence, config: AbstentionConfig) -> bool:
    return (
        bool(evidence.scores)
        and evidence.unknown_share < config.max_unknown
        and evidence.coverage >= needed_coverage(evidence, config)
    )
