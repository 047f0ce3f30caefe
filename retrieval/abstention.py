"""Whether the best passages answer the question at all: the evidence a search gathers and
the rule that decides (docs/retrieval.md, "Abstention")."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.config import AbstentionConfig


@dataclass(frozen=True)
class Evidence:
    """What a search found, as far as answering or not is concerned."""

    words: int  # informative words of the question
    coverage: float  # weighted share of them in the best passage
    unknown_share: float  # weighted share the corpus knows in no spelling
    scores: tuple[float, ...]  # of the results, best first
    guessed_share: float = 0.0  # weighted share known only through a guessed spelling


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
    unknown = evidence.unknown_share + config.guess_unknown * evidence.guessed_share
    return (
        bool(evidence.scores)
        and unknown < config.max_unknown
        and evidence.coverage - config.unknown_penalty * unknown
        >= needed_coverage(evidence, config)
    )
