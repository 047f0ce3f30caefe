"""BM25 engines behind one small interface: build from term ids, score, count, save, load."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import rank_bm25

from retrieval.encode import Batch, Vocabulary

VARIANTS = ("okapi", "bm25l", "bm25plus")
ENGINES = ("auto", "rank-bm25", "bm25s")
# "auto" keeps rank-bm25 (float64, the reference) below this many passages and uses bm25s
# from here on, where it answers twice as fast and more (docs/performance.md, "Choosing the
# engine"); below, both answer in about 2 ms.
AUTO_BM25S_FROM = 500


@dataclass(frozen=True)
class BM25Config:
    variant: str = "okapi"
    k1: float = 1.2
    b: float = 0.75

    def fingerprint(self) -> str:
        return f"{self.variant};k1={self.k1};b={self.b}"


class Engine(Protocol):
    """What the retriever needs from a BM25 implementation."""

    name: str
    size: int
    vocabulary: Mapping[str, int]  # every index term -> its id

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for the query terms (0 where nothing matches)."""
        ...

    def document_frequency(self, term: str) -> int:
        """In how many passages ``term`` occurs."""
        ...

    def term_scores(self, terms: Sequence[str], passages: np.ndarray) -> np.ndarray:
        """Each term's BM25 weight in each of ``passages`` (float64, terms x passages): what
        ``scores`` adds for the term where the passage contains it, 0 where it does not.
        (BM25+ also gives every passage idf x delta for each query term; that constant is
        left out, so a positive weight always means the passage has the term.)"""
        ...

    def save(self, folder: Path) -> list[Path]:
        """Write the engine's files into ``folder``; return them."""
        ...


def resolve_engine(name: str, passages: int) -> str:
    """The engine to build for ``passages`` passages ("auto" decides by size)."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    if name == "auto":
        return "bm25s" if passages >= AUTO_BM25S_FROM else "rank-bm25"
    return name


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


TERMS_FILE = "terms.json"


def save_terms(folder: Path, terms: Sequence[str]) -> Path:
    path = folder / TERMS_FILE
    path.write_text(json.dumps(list(terms), ensure_ascii=False), encoding="utf-8")
    return path


def load_terms(folder: Path) -> list[str]:
    return json.loads((folder / TERMS_FILE).read_text(encoding="utf-8"))


class RankBM25Engine:
    """rank-bm25: pure Python scoring, fine for small and medium corpora."""

    name = "rank-bm25"
    IDS_FILE = "rank_bm25.ids.npy"
    LENGTHS_FILE = "rank_bm25.lengths.npy"

    def __init__(
        self, ids: np.ndarray, lengths: np.ndarray, terms: list[str], config: BM25Config
    ) -> None:
        """``ids``: every passage's term ids in analysis order, ``lengths`` of them each."""
        cls = {
            "okapi": rank_bm25.BM25Okapi,
            "bm25l": rank_bm25.BM25L,
            "bm25plus": rank_bm25.BM25Plus,
        }[config.variant]
        self.size = len(lengths)
        self._variant = config.variant
        self._ids, self._lengths, self._terms = ids, lengths, terms  # kept compact, to save
        flat, ends = ids.tolist(), np.cumsum(lengths).tolist()
        documents = [flat[a:b] for a, b in zip([0, *ends], ends, strict=False)]
        # term ids in place of the terms: the same counts in the same order, so the same scores
        self._bm25 = cls(documents, k1=config.k1, b=config.b)
        df = Counter(term for freqs in self._bm25.doc_freqs for term in freqs)
        if config.variant == "okapi":
            # rank-bm25's Okapi idf is zero or negative for terms in half the passages or
            # more, so a corpus of one or two files answers nothing; Lucene's idf is always
            # positive and otherwise orders terms the same way
            self._bm25.idf = {i: lucene_idf(self.size, d) for i, d in df.items()}
        self.vocabulary = {terms[i]: i for i in df}
        self._df = [df.get(i, 0) for i in range(len(terms))]

    @classmethod
    def build(
        cls, batches: Sequence[Batch], vocabulary: Vocabulary, config: BM25Config
    ) -> RankBM25Engine:
        """From raw batches (each passage's term ids in analysis order)."""
        ids = np.concatenate([b.ids for b in batches]) if batches else np.zeros(0, np.int32)
        lengths = np.concatenate([b.lengths for b in batches]) if batches else np.zeros(0, np.int32)
        return cls(ids, lengths, vocabulary.terms, config)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        known = [self.vocabulary[t] for t in terms if t in self.vocabulary]
        if not known:
            return np.zeros(self.size)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float64)

    def document_frequency(self, term: str) -> int:
        found = self.vocabulary.get(term)
        return 0 if found is None else self._df[found]

    def term_scores(self, terms: Sequence[str], passages: np.ndarray) -> np.ndarray:
        out = np.zeros((len(terms), len(passages)))
        docs = [self._bm25.doc_freqs[i] for i in passages.tolist()]
        ids = passages.tolist()
        for row, term in enumerate(terms):
            found = self.vocabulary.get(term)
            if found is None:
                continue
            has = np.array([found in doc for doc in docs], dtype=bool)
            if has.any():
                weights = np.asarray(self._bm25.get_batch_scores([found], ids))
                if self._variant == "bm25plus":  # the share every passage gets
                    weights = weights - self._bm25.idf[found] * self._bm25.delta
                out[row] = np.where(has, weights, 0.0)
        return out

    def save(self, folder: Path) -> list[Path]:
        np.save(folder / self.IDS_FILE, self._ids)
        np.save(folder / self.LENGTHS_FILE, self._lengths)
        return [folder / self.IDS_FILE, folder / self.LENGTHS_FILE, save_terms(folder, self._terms)]

    @classmethod
    def load(cls, folder: Path, config: BM25Config) -> RankBM25Engine:
        ids, lengths = np.load(folder / cls.IDS_FILE), np.load(folder / cls.LENGTHS_FILE)
        return cls(ids, lengths, load_terms(folder), config)
