"""BM25 engines behind one small interface: build from term lists, score, report term counts."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import rank_bm25

VARIANTS = ("okapi", "bm25l", "bm25plus")


@dataclass(frozen=True)
class BM25Config:
    variant: str = "okapi"
    k1: float = 1.5
    b: float = 0.75

    def fingerprint(self) -> str:
        return f"{self.variant};k1={self.k1};b={self.b}"


class Engine(Protocol):
    """What the retriever needs from a BM25 implementation."""

    name: str
    size: int

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for the query terms (0 where nothing matches)."""
        ...

    def document_frequency(self, term: str) -> int:
        """In how many passages ``term`` occurs."""
        ...


def lucene_idf(n: int, df: int) -> float:
    """log(1 + (N - df + 0.5) / (df + 0.5)): positive for every df, highest when df is 0."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (index, score) pairs with a positive score; ties keep corpus order."""
    positive = np.flatnonzero(scores > 0)
    if positive.size > k:
        # keep only scores >= the k-th best (O(n)), so ties at the cut all stay candidates
        values = scores[positive]
        kth = np.partition(values, positive.size - k)[positive.size - k]
        positive = positive[values >= kth]
    order = positive[np.argsort(-scores[positive], kind="stable")][:k]
    return [(int(i), float(scores[i])) for i in order]


class RankBM25Engine:
    """rank-bm25: pure Python scoring, fine for small and medium corpora."""

    name = "rank-bm25"

    def __init__(self, passages_terms: Sequence[list[str]], config: BM25Config) -> None:
        cls = {
            "okapi": rank_bm25.BM25Okapi,
            "bm25l": rank_bm25.BM25L,
            "bm25plus": rank_bm25.BM25Plus,
        }[config.variant]
        self.size = len(passages_terms)
        self._bm25 = cls(passages_terms, k1=config.k1, b=config.b)
        self._df = Counter(term for freqs in self._bm25.doc_freqs for term in freqs)
        if config.variant == "okapi":
            # rank-bm25's Okapi idf is zero or negative for terms in half the passages or
            # more, so a corpus of one or two files answers nothing; Lucene's idf is always
            # positive and otherwise orders terms the same way (and bm25s uses it too)
            self._bm25.idf = {t: lucene_idf(self.size, df) for t, df in self._df.items()}

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        known = [t for t in terms if t in self._df]
        if not known:
            return np.zeros(self.size)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float64)

    def document_frequency(self, term: str) -> int:
        return self._df.get(term, 0)
