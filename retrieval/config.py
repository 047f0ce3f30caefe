"""Every retrieval setting in one place, and the fingerprint that ties a saved index to them."""

from __future__ import annotations

from dataclasses import dataclass, field

# The engine names a user may choose ("auto" picks one by corpus size; retrieval/engines).
ENGINES = ("auto", "rank-bm25", "native")
BM25_VARIANTS = ("okapi", "bm25l", "bm25plus")
TYPO_MODES = ("non-words", "all", "off")


@dataclass(frozen=True)
class AnalyzerConfig:
    """How text becomes index terms. Part of the index fingerprint: change it, rebuild."""

    stemmer: str = "clitic-light+isri"
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
    k1: float = 1.2
    b: float = 0.5

    def fingerprint(self) -> str:
        return f"{self.variant};k1={self.k1};b={self.b}"


@dataclass(frozen=True)
class ScoringConfig:
    """How BM25 weights become a ranking (scoring.py). Query-time: no new index needed."""

    # weight of each field's BM25 score, in Analyzer.fields order (stem, root, exact, ...);
    # fields beyond the tuple weigh 1
    field_weights: tuple[float, ...] = (1.0, 1.0, 1.0)
    # how a word's fields add up: 1 sums them (one bag of terms, plain BM25); 0 counts only
    # its best field, so a word found by stem, root and exact form is not counted three
    # times; in between, the other fields add this share of their score
    spread: float = 1.0
    guess_weight: float = 0.5  # a guessed spelling (typo correction) against a written word
    # score x coverage ** coordination: a passage with more of the question's words is
    # preferred to one that repeats fewer of them (0: plain BM25)
    coordination: float = 0.25
    # the first proximity_depth candidates gain the best score times this, times the share
    # of the question's neighbouring word pairs they have close together (0: none)
    proximity: float = 0.0
    proximity_window: int = 4  # tokens: "close together"
    proximity_depth: int = 5
    depth: int = 30  # candidates of the first stage re-scored word by word


@dataclass(frozen=True)
class AbstentionConfig:
    """When the best passages do not answer (abstention.py). Query-time too."""

    # No answer when the words the corpus has never seen make up this share of the
    # question or more...
    max_unknown: float = 0.65
    # ...or when the best passage covers less than this share of the question's informative
    # words, each weighted by its rarity in the corpus (chosen by cross-validation).
    min_coverage: float = 0.24
    # a word known only through a guessed spelling counts this much as unknown (0..1)
    guess_unknown: float = 0.5
    # the coverage compared with min_coverage is lowered by this times the unknown share:
    # one rule on both signals instead of two separate cut-offs
    unknown_penalty: float = 0.2
    # Long questions (translated, wordy) carry words a passage need not repeat: from this
    # many informative words on, the coverage needed shrinks as (long_from / words) ** long_power
    long_from: int = 1000
    long_power: float = 0.5
    # A clear winner: when the best passage scores at least margin_ratio times the one at
    # margin_rank, the coverage needed is multiplied by margin_relief (1: no effect)
    margin_ratio: float = 2.0
    margin_rank: int = 5
    margin_relief: float = 1.0


@dataclass(frozen=True)
class RetrievalConfig:
    analyzer: AnalyzerConfig = field(default_factory=AnalyzerConfig)
    bm25: BM25Config = field(default_factory=BM25Config)
    engine: str = "auto"  # one of ENGINES
    abstention: AbstentionConfig = field(default_factory=AbstentionConfig)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    # guess what unknown question words meant (text/typos.py): "non-words" only for words
    # that are no Arabic word at all (text/lexicon.py), "all" for every unknown word, "off"
    typos: str = "non-words"

    def fingerprint(self) -> str:
        return f"{self.analyzer.fingerprint()};{self.bm25.fingerprint()};engine={self.engine}"
