"""Term ids of passages, what every engine is built from: the vocabulary and batches of
postings, raw (each passage's terms in order) or counted (each term once with its frequency)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Batch:
    """Term ids of consecutive passages, in one of two forms.

    Raw: ``ids`` holds each passage's terms in Analyzer.passage_terms order, passage after
    passage (``lengths`` of them each). Counted: each (term, passage) pair once, grouped by
    term, with the passage (its number within the batch) and the term's frequency there:
    the order a term x passage matrix (CSC) is filled in.
    """

    ids: np.ndarray  # int32 term ids of a Vocabulary
    lengths: np.ndarray  # int32, one per passage: its number of terms (BM25 length)
    passages: np.ndarray | None = None  # counted: int32, the passage of each id
    tf: np.ndarray | None = None  # counted: the frequency of each id (uint16 when it fits)

    @property
    def size(self) -> int:
        return len(self.lengths)

    def select(self, keep: np.ndarray) -> Batch:
        """Only the passages where ``keep`` (a boolean per passage) is true."""
        if keep.all():
            return self
        if self.passages is None or self.tf is None:
            rows = np.repeat(keep, self.lengths)
            return Batch(self.ids[rows], self.lengths[keep])
        rows = keep[self.passages]
        renumber = (np.cumsum(keep) - 1).astype(np.int32)
        passages = renumber[self.passages[rows]]
        return Batch(self.ids[rows], self.lengths[keep], passages, self.tf[rows])

    def counted(self) -> Batch:
        if self.passages is not None:
            return self
        return count_terms(self.ids, self.lengths)


class Vocabulary:
    """Every term of a corpus with its id, in order of first appearance."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self.terms: list[str] = list(terms)
        self.ids: dict[str, int] = {t: i for i, t in enumerate(self.terms)}

    def __len__(self) -> int:
        return len(self.terms)

    def add(self, term: str) -> int:
        """The id of ``term``, added when new."""
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return found


def make_batch(ids: np.ndarray, lengths: np.ndarray, counted: bool) -> Batch:
    """A raw batch from each passage's term ids in order, or its counted form."""
    return count_terms(ids, lengths) if counted else Batch(ids, lengths)


def count_terms(ids: np.ndarray, lengths: np.ndarray) -> Batch:
    """The counted form: each (term, passage) pair once with its frequency, grouped by term."""
    width = max(len(lengths), 1)
    passage = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    keys, tf = np.unique(ids.astype(np.int64) * width + passage, return_counts=True)
    # two bytes a posting instead of eight: a million passages' postings wait for indexing
    small = tf.size == 0 or tf.max() <= np.iinfo(np.uint16).max
    tf = tf.astype(np.uint16 if small else np.int32)
    passages = (keys % width).astype(np.int32)
    return Batch((keys // width).astype(np.int32), lengths, passages, tf)
