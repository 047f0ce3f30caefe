"""Every retrieval setting in one place, and the fingerprint that ties a saved index to them."""

from __future__ import annotations

from dataclasses import dataclass, field

# The engine names a user may choose ("auto" picks one by corpus size; retrieval/engines).
ENGINES = ("auto", "rank-bm25", "bm25s")
BM25_VARIANTS = ("okapi", "bm25l", "bm25plus")


@dataclass(frozen=True)
class AnalyzerConfig:
    """How text becomes index terms. Part of the index fingerprint: change it, rebuild."""

    stemmer: str = "snowball+isri"
    exact_field: bool = True  # also index the unstemmed form, so exact matches rank higher
    heading_weight: int = 1  # heading terms are counted this many times with their passage
    title_weight: int = 1  # document title terms added to each passage this many times
    query_stop_words: bool = True
    char_ngrams: int = 0  # > 0: also index character n-grams of each token (study only)

    def fingerprint(self) -> str:
        return (
            f"stem={self.stemmer};exact={int(self.exact_field)};h={self.heading_weight};"
            f"t={self.title_weight};stop={int(self.query_stop_words)};ng={self.char_ngrams}"
        )


@dataclass(frozen=True)
class BM25Config:
    variant: str = "okapi"  # one of BM25_VARIANTS
    k1: float = 1.5
    b: float = 0.75

    def fingerprint(self) -> str:
        return f"{self.variant};k1={self.k1};b={self.b}"


@dataclass(frozen=True)
class RetrievalConfig:
    analyzer: AnalyzerConfig = field(default_factory=AnalyzerConfig)
    bm25: BM25Config = field(default_factory=BM25Config)
    engine: str = "auto"  # one of ENGINES
    # Abstention (docs/retrieval.md): no answer when the words the corpus has never seen
    # make up this share of the question or more...
    max_unknown: float = 0.65
    # ...or when the best passage covers less than this share of the question's informative
    # words, each weighted by its rarity in the corpus.
    min_coverage: float = 0.26

    def fingerprint(self) -> str:
        return f"{self.analyzer.fingerprint()};{self.bm25.fingerprint()};engine={self.engine}"
