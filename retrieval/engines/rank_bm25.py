"""The rank-bm25 engine: the pure-Python reference, fine for small and medium corpora."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import rank_bm25

from retrieval.config import BM25Config
from retrieval.engines.base import load_terms, lucene_idf, save_terms, top_k
from retrieval.engines.postings import Batch, Vocabulary


class RankBM25Engine:
    """rank-bm25: pure Python scoring, fine for small and medium corpora."""

    name = "rank-bm25"
    counted = False  # rank-bm25 counts each passage's terms itself
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
        self.size = self.live = len(lengths)
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

    def top(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        return top_k(self.scores(terms), k)

    def document_frequency(self, term: str) -> int:
        found = self.vocabulary.get(term)
        return 0 if found is None else self._df[found]

    def term_scores(self, terms: Sequence[str], passages: np.ndarray) -> np.ndarray:
        out = np.zeros((len(terms), len(passages)))
        ids = passages.tolist()
        docs = [self._bm25.doc_freqs[i] for i in ids]
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
