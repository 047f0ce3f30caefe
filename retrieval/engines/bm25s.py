"""The bm25s engine: BM25 weights precomputed into a sparse term x passage matrix, built here
with numpy, then scored, saved and memory-mapped by bm25s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from retrieval.config import BM25Config
from retrieval.engines.postings import Batch, Vocabulary

# Why not bm25s's own BM25.index(): it walks every passage in Python (10-22 s for 100,000
# passages on the benchmark machine). The weights below are the formulas of the rank-bm25
# engine (engines/rank_bm25.py: rank-bm25's, with Lucene's idf for Okapi), vectorized, so
# both engines give the same scores (up to float32 rounding).
DELTA = {"bm25l": 0.5, "bm25plus": 1.0}  # rank-bm25's defaults
# bm25s only uses the method name to know whether a non-occurrence array goes with the
# matrix (BM25+ adds idf x delta to every passage for each query term).
BM25S_METHOD = {"okapi": "atire", "bm25l": "atire", "bm25plus": "bm25+"}
FILES = ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy")
FILES += ("vocab.index.json", "params.index.json")
NONOCCURRENCE_FILE = "nonoccurrence_array.index.npy"


def idf(variant: str, df: np.ndarray, passages: int) -> np.ndarray:
    """The idf of each term (float64), as the rank-bm25 engine computes it."""
    n = float(passages)
    if variant == "okapi":
        return np.log1p((n - df + 0.5) / (df + 0.5))  # Lucene's: base.lucene_idf
    if variant == "bm25l":
        return np.log(n + 1) - np.log(df + 0.5)
    with np.errstate(divide="ignore"):  # terms absent from the corpus get inf; never scored
        return np.log((n + 1) / df)


def weights(
    config: BM25Config, idf: np.ndarray, tf: np.ndarray, length: np.ndarray, average: float
) -> np.ndarray:
    """BM25 weight of a term in a passage, without the part that absent terms also get."""
    k1, b = config.k1, config.b
    norm = 1 - b + b * length / average
    tf = tf.astype(np.float64)
    if config.variant == "bm25l":  # as rank_bm25.BM25L, which scales by tf
        ctd = tf / norm
        delta = DELTA["bm25l"]
        return idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)
    return idf * tf * (k1 + 1) / (tf + k1 * norm)  # Okapi, and BM25+ minus its delta


@dataclass(frozen=True)
class Statistics:
    """What BM25 needs to know of the whole corpus before it weighs any posting."""

    df: np.ndarray  # in how many passages each term occurs
    lengths: np.ndarray  # how many terms each passage has

    @classmethod
    def of(cls, batches: Sequence[Batch], terms: int) -> Statistics:
        df = np.zeros(terms, dtype=np.int64)
        for batch in batches:
            df += np.bincount(batch.counted().ids, minlength=terms)
        lengths = [batch.lengths for batch in batches]
        return cls(df, np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int32))


class BM25SEngine:
    """Sparse-matrix BM25 (bm25s): a question costs the postings of its terms, not a pass
    over every passage in Python."""

    name = "bm25s"
    counted = True  # the matrix is filled from counted batches

    def __init__(self, bm25: bm25s.BM25) -> None:
        self._bm25 = bm25
        self.vocabulary: dict[str, int] = bm25.vocab_dict
        self.size = int(bm25.scores["num_docs"])
        self._indptr = np.asarray(bm25.scores["indptr"])  # no memmap subclass per lookup

    @classmethod
    def build(
        cls,
        batches: Sequence[Batch],
        vocabulary: Vocabulary,
        config: BM25Config,
        statistics: Statistics | None = None,
    ) -> BM25SEngine:
        """From batches in passage order, read one at a time (a sequence that loads each
        from disk keeps memory to the matrix itself); ``statistics`` when already known."""
        terms = len(vocabulary)
        statistics = statistics or Statistics.of(batches, terms)
        df, lengths = statistics.df, statistics.lengths
        passages = len(lengths)
        average = float(lengths.sum()) / passages if passages else 1.0
        term_idf = idf(config.variant, df, passages)
        indptr = np.zeros(terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        data = np.empty(indptr[-1], dtype=np.float32)
        indices = np.empty(indptr[-1], dtype=np.int32)
        # Counting sort into the term-major (CSC) matrix: a counted batch is grouped by term
        # with its passages in order, and batches come in passage order, so each posting's
        # place is its term's next free slot; no sort over all postings, no second copy.
        heads = indptr[:-1].copy()
        first = 0
        for batch in batches:
            counted = batch.counted()
            assert counted.passages is not None and counted.tf is not None
            ids = counted.ids
            passage = counted.passages + first
            first += batch.size
            weight = weights(config, term_idf[ids], counted.tf, lengths[passage], average)
            starts = np.flatnonzero(np.diff(ids, prepend=-1))
            counts = np.diff(np.append(starts, len(ids)))
            group = ids[starts]
            position = np.repeat(heads[group] - starts, counts) + np.arange(len(ids))
            data[position] = weight
            indices[position] = passage
            heads[group] += counts
        bm25 = bm25s.BM25(
            k1=config.k1,
            b=config.b,
            delta=DELTA.get(config.variant, 0.5),
            method=BM25S_METHOD[config.variant],
            backend="numpy",
        )
        # what bm25s.BM25.index() would have set, from the matrix built above
        bm25.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": passages}
        # terms only seen in dropped duplicate passages are not part of the index
        bm25.vocab_dict = {t: i for i, t in enumerate(vocabulary.terms) if df[i]}
        bm25.unique_token_ids_set = set(bm25.vocab_dict.values())
        bm25.nonoccurrence_array = (
            (term_idf * DELTA["bm25plus"]).astype(np.float32)
            if config.variant == "bm25plus"
            else None
        )
        return cls(bm25)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        ids = [self.vocabulary[t] for t in terms if t in self.vocabulary]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return self._bm25.get_scores_from_ids(ids)

    def document_frequency(self, term: str) -> int:
        found = self.vocabulary.get(term)
        return 0 if found is None else int(self._indptr[found + 1] - self._indptr[found])

    def term_scores(self, terms: Sequence[str], passages: np.ndarray) -> np.ndarray:
        """Looked up in each term's column of the matrix, whose passages are in order (the
        build fills each column passage after passage)."""
        out = np.zeros((len(terms), len(passages)))
        data, indices = self._bm25.scores["data"], self._bm25.scores["indices"]
        for row, term in enumerate(terms):
            found = self.vocabulary.get(term)
            if found is None:
                continue
            start, end = int(self._indptr[found]), int(self._indptr[found + 1])
            column = np.asarray(indices[start:end])
            at = np.minimum(np.searchsorted(column, passages), len(column) - 1)
            has = column[at] == passages
            out[row, has] = np.asarray(data[start:end])[at[has]]
        return out

    def save(self, folder: Path) -> list[Path]:
        self._bm25.save(folder, show_progress=False)
        names = FILES + (
            (NONOCCURRENCE_FILE,) if self._bm25.nonoccurrence_array is not None else ()
        )
        return [folder / name for name in names]

    @classmethod
    def load(cls, folder: Path, config: BM25Config) -> BM25SEngine:
        """Memory-mapped: the matrix is read from disk as questions touch it."""
        return cls(bm25s.BM25.load(folder, mmap=True, show_progress=False))
