"""The native engine: term frequencies in posting blocks, BM25 computed as a question is
answered (by the compiled core, retrieval/native/score.c, or numpy where it cannot be built).

Weights are not stored: they depend on statistics of the whole index (how many passages hold
a term, the average length), which change when documents are added or removed. Storing the
frequencies instead lets an index grow by segments (retrieval/index/update.py) and give the
scores of a full rebuild, as Lucene does. A block holds the postings of consecutive passages,
term-major and bit-packed (retrieval/engines/blocks.py). A build writes a block each time
enough postings have waited in memory.
"""

from __future__ import annotations

import ctypes
import json
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.config import BM25Config
from retrieval.engines.base import top_k
from retrieval.engines.blocks import GROUP, GROUP_DTYPE, Block, make_block
from retrieval.engines.postings import Batch
from retrieval.native import library

VARIANTS = {"okapi": 0, "bm25l": 1, "bm25plus": 2}
DELTA = {"bm25l": 0.5, "bm25plus": 1.0}  # rank-bm25's defaults
LENGTHS = "lengths.npy"  # a segment's passage lengths
TERMS = "terms.json"  # the terms a segment added to the index's vocabulary


def idf(variant: str, df: np.ndarray, passages: int) -> np.ndarray:
    """The idf of each term (float64), as the rank-bm25 engine computes it."""
    n = float(passages)
    df = df.astype(np.float64)
    if variant == "okapi":
        return np.log1p((n - df + 0.5) / (df + 0.5))  # Lucene's: base.lucene_idf
    if variant == "bm25l":
        return np.log(n + 1) - np.log(df + 0.5)
    with np.errstate(divide="ignore"):  # terms absent from the corpus: never scored
        return np.log((n + 1) / df)


class _Buffers(threading.local):
    """Per thread (the bot answers in several): the scores of one block's passages."""

    acc: np.ndarray | None = None


class NativeEngine:
    """BM25 over posting blocks, with statistics of the live passages only."""

    name = "native"
    counted = True  # built from counted batches
    # A question with this many postings is scored on two threads (starting one costs about
    # 20 us: below, one thread is quicker).
    two_threads_from = 100_000

    def __init__(
        self,
        terms: Sequence[str],
        blocks: list[Block],
        lengths: np.ndarray,
        config: BM25Config,
        df: np.ndarray | None = None,
        dead: np.ndarray | None = None,
        first_term: int = 0,
        block_files: Sequence[Path] = (),
    ) -> None:
        """``df``: in how many live passages each term occurs (counted from the blocks when
        None); ``dead``: True for each removed passage (None: none is). A segment being
        written: ``first_term``, the first term it adds to the index's vocabulary, and
        ``block_files``, its blocks already on disk."""
        self.terms = terms
        self.first_term = first_term
        self.block_files = list(block_files)
        self.blocks = blocks
        self.lengths = lengths
        self.dead = dead if dead is not None and dead.any() else None
        self._config = config
        self.total = len(lengths)  # passages, removed ones included (their numbers stay)
        self.df = df if df is not None else self._count_df(len(terms))
        live = self.total - (int(self.dead.sum()) if self.dead is not None else 0)
        self.size = self.total  # passage numbers run to here (Engine protocol)
        self.live = live
        alive = lengths if self.dead is None else lengths[~self.dead]
        average = float(alive.sum()) / live if live else 1.0
        b = config.b
        self._norm = (1 - b + b * lengths.astype(np.float64) / average).astype(np.float32)
        self._idf = idf(config.variant, self.df, live)
        self.vocabulary = {t: i for i, t in enumerate(terms) if i < len(self.df) and self.df[i]}
        self._buffers = _Buffers()
        self._block_table = _block_table(blocks)
        self._largest_block = max((block.size for block in blocks), default=0)
        self._lib = library()

    def _count_df(self, terms: int) -> np.ndarray:
        df = np.zeros(terms, dtype=np.int64)
        for block in self.blocks:
            counts = block.counts()
            df[: len(counts)] += counts
        if self.dead is not None:  # only blocks built in this process: small
            for block in self.blocks:
                dead = self.dead[block.base : block.base + block.size]
                if dead.any():
                    indptr, docs, _ = block.unpack()
                    term = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
                    df -= np.bincount(term[dead[docs]], minlength=terms)
        return df

    @classmethod
    def build(cls, batches: Sequence[Batch], vocabulary, config: BM25Config) -> NativeEngine:
        """From counted batches in passage order, in one block (an index in memory)."""
        block = make_block(batches, len(vocabulary), 0)
        lengths = [b.lengths for b in batches]
        lengths = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int32)
        return cls(vocabulary.terms, [block], lengths, config)

    # -- answering --------------------------------------------------------------------

    def _ids(self, terms: Sequence[str]) -> list[int]:
        return [self.vocabulary[t] for t in terms if t in self.vocabulary]

    def document_frequency(self, term: str) -> int:
        found = self.vocabulary.get(term)
        return 0 if found is None else int(self.df[found])

    def top(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The k best (passage, score) pairs with a positive score; ties keep corpus order."""
        ids = self._ids(terms)
        if not ids or k <= 0:
            return []
        if self._lib is None:
            return top_k(self.scores(terms), k)
        ranges, _, _ = self._ranges(ids)
        buffers = self._buffers
        room = self._largest_block
        if buffers.acc is None or len(buffers.acc) < 2 * room:
            buffers.acc = np.zeros(2 * room, dtype=np.float64)  # one block's for each thread
        out_ids = np.empty(2 * k, dtype=np.int64)
        out_scores = np.empty(2 * k, dtype=np.float64)
        variant = self._config.variant
        # both cores: the blocks are split between two threads when there is enough to do
        found = self._lib.marjaa_top_blocks_2(
            ranges.ctypes.data,
            len(ranges),
            self._norm.ctypes.data,
            self.dead.ctypes.data if self.dead is not None else None,
            self.total,
            VARIANTS[variant],
            self._config.k1,
            DELTA.get(variant, 0.5),
            k,
            buffers.acc.ctypes.data,
            room,
            out_ids.ctypes.data,
            out_scores.ctypes.data,
            self.two_threads_from,
        )
        assert found >= 0, "blocks lie within the index"
        return [(int(out_ids[i]), float(out_scores[i])) for i in range(found)]

    def _ranges(self, ids: list[int]) -> tuple[np.ndarray, int, np.ndarray]:
        """One range per (block, term) holding postings, how many postings they hold, and
        the term (index in ``ids``) of each range. Looked up block by block, all the terms
        at once."""
        terms = np.asarray(ids, dtype=np.int64)
        # each block's heads of the terms and of the terms after them, in one lookup (a term
        # the block does not know, added to the vocabulary since, is its last row twice)
        both = np.concatenate([terms, terms + 1])
        heads = np.zeros((len(self.blocks), 2 * len(terms), 2), np.int64)
        for row, block in enumerate(self.blocks):
            heads[row] = block.heads[np.minimum(both, block.terms)]
        starts, ends = heads[:, : len(terms), 0], heads[:, len(terms) :, 0]
        groups, group_ends = heads[:, : len(terms), 1], heads[:, len(terms) :, 1]
        counts = ends - starts
        # a range whose groups do not match its postings, or lie beyond the block's, is
        # damaged: never read (the compiled core trusts the groups it is given)
        table = self._block_table
        whole = (group_ends - groups == -(-counts // GROUP)) & (
            group_ends <= table["groups"][:, None]
        )
        counts[~whole | (groups < 0)] = 0
        # block after block: a question's additions stay within one block's passages at a
        # time (their scores and norms in the cache), and each passage still gets its terms'
        # weights in question order, so the sums are those of any other order by block
        block_row, term_row = np.nonzero(counts > 0)
        found = np.zeros(len(term_row), dtype=_RANGE)
        first = groups[block_row, term_row].astype(np.uintp)
        of_block = table[block_row]
        found["groups"] = of_block["groups_at"] + first * np.uintp(GROUP_DTYPE.itemsize)
        found["data"] = of_block["data_at"]
        found["count"] = counts[block_row, term_row]
        found["base"] = of_block["base"]
        found["size"] = of_block["size"]
        found["idf"] = self._idf[terms][term_row]
        found["data_len"] = of_block["data_len"]
        return found, int(found["count"].sum()), term_row

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 of every passage (numpy; ``top`` is what answering uses)."""
        out = np.zeros(self.total, dtype=np.float64)
        for term in self._ids(terms):
            for block in self.blocks:
                docs, tf = block.postings(term)
                if len(docs):
                    passages = docs + block.base
                    np.add.at(out, passages, self._weights(term, tf, passages))
        if self.dead is not None:
            out[self.dead] = 0.0
        return out

    def _weights(self, term: int, tf: np.ndarray, passages: np.ndarray) -> np.ndarray:
        config = self._config
        k1, norm, tf = config.k1, self._norm[passages].astype(np.float64), tf.astype(np.float64)
        weight = float(self._idf[term])
        if config.variant == "bm25l":
            ctd = tf / norm
            delta = DELTA["bm25l"]
            return weight * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)
        return weight * tf * (k1 + 1) / (tf + k1 * norm)

    def term_scores(self, terms: Sequence[str], passages: np.ndarray) -> np.ndarray:
        """Looked up by (galloping) binary search in each term's postings of each block."""
        out = np.zeros((len(terms), len(passages)))
        passages = np.asarray(passages, dtype=np.int64)
        if self._lib is not None and len(passages):
            return self._term_scores_native(terms, passages, out)
        for row, term in enumerate(terms):
            found = self.vocabulary.get(term)
            if found is None:
                continue
            for block in self.blocks:
                inside = (passages >= block.base) & (passages < block.base + block.size)
                if not inside.any():
                    continue
                docs, tf = block.postings(found)
                if not len(docs):
                    continue
                local = passages[inside] - block.base
                at = np.minimum(np.searchsorted(docs, local), len(docs) - 1)
                has = docs[at] == local
                where = np.flatnonzero(inside)[has]
                tf = tf[at[has]]
                out[row, where] = self._weights(found, tf, passages[where])
        if self.dead is not None:
            out[:, self.dead[passages]] = 0.0
        return out

    def _term_scores_native(
        self, terms: Sequence[str], passages: np.ndarray, out: np.ndarray
    ) -> np.ndarray:
        order = np.argsort(passages, kind="stable")
        candidates = np.ascontiguousarray(passages[order])
        found = [(row, self.vocabulary[t]) for row, t in enumerate(terms) if t in self.vocabulary]
        if not found:
            return out
        ranges, _, term_row = self._ranges([term for _, term in found])
        rows = np.array([row for row, _ in found], dtype=np.int64)[term_row]
        sorted_out = np.zeros_like(out)
        variant = self._config.variant
        self._lib.marjaa_term_weights(
            ranges.ctypes.data,
            len(ranges),
            rows.ctypes.data,
            candidates.ctypes.data,
            len(candidates),
            self._norm.ctypes.data,
            VARIANTS[variant],
            self._config.k1,
            DELTA.get(variant, 0.5),
            sorted_out.ctypes.data,
        )
        out[:, order] = sorted_out
        if self.dead is not None:
            out[:, self.dead[passages]] = 0.0
        return out

    # -- files ---------------------------------------------------------------------------

    def save(self, folder: Path) -> list[Path]:
        """The segment's files besides its blocks (written as they filled): passage lengths
        and the terms it added. Returns all of them."""
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / LENGTHS, self.lengths)
        terms = list(self.terms[self.first_term :])
        (folder / TERMS).write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
        return [*self.block_files, folder / LENGTHS, folder / TERMS]

    @classmethod
    def load(cls, folder: Path, config: BM25Config) -> NativeEngine:
        """A saved index of one segment (retrieval/index/segments.py opens any)."""
        from retrieval.index.segments import open_engine

        return open_engine(folder, config)


def _block_table(blocks: Sequence[Block]) -> np.ndarray:
    """What a question's ranges need of each block: where its arrays lie, and their sizes."""
    table = np.zeros(len(blocks), dtype=_BLOCK)
    for row, block in enumerate(blocks):
        table[row] = (
            block.groups.ctypes.data,
            block.data.ctypes.data,
            len(block.groups),
            len(block.data),
            block.base,
            block.size,
        )
    return table


_BLOCK = np.dtype(
    [
        ("groups_at", np.uintp),
        ("data_at", np.uintp),
        ("groups", np.int64),
        ("data_len", np.int64),
        ("base", np.int64),
        ("size", np.int64),
    ]
)
_RANGE = np.dtype(  # score.c's Range
    [
        ("groups", np.uintp),
        ("data", np.uintp),
        ("count", np.int64),
        ("base", np.int64),
        ("size", np.int64),
        ("idf", np.float64),
        ("data_len", np.int64),
    ]
)
assert _RANGE.itemsize == 56 and ctypes.sizeof(ctypes.c_void_p) == 8
