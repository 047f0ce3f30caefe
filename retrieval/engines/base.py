"""What every BM25 engine offers the retriever (the Engine protocol), and the maths they share."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from retrieval.config import BM25Config
from retrieval.engines.postings import Batch, Vocabulary


class Engine(Protocol):
    """What the retriever needs from a BM25 implementation."""

    name: str
    # whether the engine is built from counted batches (each term once per passage) rather
    # than raw ones (every passage's terms in order)
    counted: bool
    size: int  # passage positions (removed passages of an updated index included)
    live: int  # passages not removed: what idf counts
    vocabulary: Mapping[str, int]  # every index term -> its id

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for the query terms (0 where nothing matches)."""
        ...

    def top(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The k best (passage, score) pairs of ``scores``, best first, positive scores
        only; ties keep corpus order (what answering asks for)."""
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


class EngineClass(Protocol):
    """An engine's class: builds one from batches, or loads a saved one."""

    name: str
    counted: bool

    def build(
        self, batches: Sequence[Batch], vocabulary: Vocabulary, config: BM25Config
    ) -> Engine: ...

    def load(self, folder: Path, config: BM25Config) -> Engine: ...


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
