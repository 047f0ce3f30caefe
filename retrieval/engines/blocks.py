"""Posting blocks: the postings of consecutive passages, term-major, bit-packed.

For each term (by id), a block holds the passages that contain it, in ascending order and
numbered within the block, and its frequency in each. They are cut into groups of GROUP
postings, each packed at its own bit widths: the gaps between passages, then the frequencies
minus one (no bits at all when every frequency is 1, as for most terms). This is the layout of
Lucene's and tantivy's postings; here it takes about a byte a posting where the plain arrays
took three, and the blocks are what a serving process maps into memory. A group's last
passage lets a reader skip it (``term_scores`` looks up a few passages). The exact format is
in retrieval/native/blocks.h; the compiled core packs and reads it, and the numpy code of
this module does the same where the core cannot be built (tests compare the two).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.engines.postings import Batch
from retrieval.native import library

# A block holds at most BLOCK_PASSAGES passages, so a passage's number within it fits 16 bits;
# a frequency is capped at TF_MAX (a passage of at most 1,500 characters cannot hold a word
# 255 times unless it is nothing else).
BLOCK_PASSAGES = 1 << 16
TF_MAX = np.iinfo(np.uint8).max
GROUP = 128  # postings a group (blocks.h)
PADDING = 8  # bytes after a block's data
GROUP_DTYPE = np.dtype(
    [("last", "<u2"), ("doc_bits", "u1"), ("tf_bits", "u1"), ("offset", "<u4")]
)  # blocks.h's Group


def first_groups(indptr: np.ndarray) -> np.ndarray:
    """Where each term's groups start, given where its postings do (terms + 1 of them)."""
    out = np.zeros(len(indptr), dtype=np.int64)
    np.cumsum(-(-np.diff(indptr) // GROUP), out=out[1:])
    return out


@dataclass(frozen=True)
class Block:
    """Postings of ``size`` consecutive passages from passage ``base`` of the index."""

    heads: np.ndarray  # int64 (terms + 1, 2): each term's first posting and first group
    groups: np.ndarray  # GROUP_DTYPE
    data: np.ndarray  # uint8: the packed bits, then PADDING bytes
    base: int
    size: int

    FILES = ("heads", "groups", "data")

    @property
    def terms(self) -> int:
        """Terms the block knows (those of the vocabulary when it was written)."""
        return len(self.heads) - 1

    def range(self, term: int) -> tuple[int, int]:
        """Where the term's postings start and end (numbered within the block)."""
        if term >= self.terms:
            return 0, 0
        return int(self.heads[term, 0]), int(self.heads[term + 1, 0])

    def counts(self) -> np.ndarray:
        """In how many of the block's passages each term occurs."""
        return np.diff(self.heads[:, 0])

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        """The passages (within the block, int64) holding the term, and its frequencies."""
        start, end = self.range(term)
        if end <= start:
            return np.zeros(0, np.int64), np.zeros(0, np.uint8)
        first = int(self.heads[term, 1])
        groups = self.groups[first : first - (-(end - start) // GROUP)]
        docs, tf = _unpack_groups(groups, end - start, self.data, self.size)
        return docs.astype(np.int64), tf

    def unpack(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every posting: (indptr, docs uint16, tf uint8), term-major (a merge reads these)."""
        indptr = np.ascontiguousarray(self.heads[:, 0])
        total = int(indptr[-1])
        docs, tf = np.empty(total, np.uint16), np.empty(total, np.uint8)
        lib = library()
        if lib is not None:
            starts = np.ascontiguousarray(self.heads[:, 1])
            groups = np.ascontiguousarray(self.groups)
            data = np.ascontiguousarray(self.data)
            failed = lib.marjaa_unpack_block(
                indptr.ctypes.data,
                starts.ctypes.data,
                self.terms,
                groups.ctypes.data,
                len(groups),
                data.ctypes.data,
                len(data),
                self.size,
                docs.ctypes.data,
                tf.ctypes.data,
            )
            if failed:
                raise ValueError(f"damaged postings (term {failed - 1})")
            return indptr, docs, tf
        for term in range(self.terms):
            start, end = self.range(term)
            if end > start:
                docs[start:end], tf[start:end] = self.postings(term)
        return indptr, docs, tf

    def save(self, stem: Path) -> list[Path]:
        paths = []
        for name in self.FILES:
            path = stem.with_name(f"{stem.name}.{name}.npy")
            np.save(path, getattr(self, name))
            paths.append(path)
        return paths

    @classmethod
    def load(cls, stem: Path, base: int, size: int) -> Block:
        arrays = [np.load(stem.with_name(f"{stem.name}.{n}.npy"), mmap_mode="r") for n in cls.FILES]
        heads, groups, data = arrays
        shapes = heads.dtype == np.int64 and heads.ndim == 2 and heads.shape[1] == 2
        if not shapes or groups.dtype != GROUP_DTYPE or data.dtype != np.uint8:
            raise ValueError(f"{stem.name}: postings of the wrong shape")
        if int(heads[-1, 1]) != len(groups) or len(data) < PADDING:
            raise ValueError(f"{stem.name}: offsets do not match the postings")
        # plain arrays over the mapping: a memmap's indexing costs more than the lookup
        return cls(np.asarray(heads), np.asarray(groups), np.asarray(data), base, size)

    @classmethod
    def pack(cls, indptr: np.ndarray, docs: np.ndarray, tf: np.ndarray, base: int, size: int):
        """From term-major postings: ``indptr`` (terms + 1), passages within the block
        (uint16, ascending within a term) and frequencies (uint8, at least 1)."""
        assert size <= BLOCK_PASSAGES, "a block's passages fit 16 bits"
        indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        starts = first_groups(indptr)
        heads = np.stack([indptr, starts], axis=1)
        groups = np.zeros(int(starts[-1]), dtype=GROUP_DTYPE)
        lib = library()
        if lib is None:
            data = _pack_groups(indptr, starts, docs, tf, groups)
            return cls(heads, groups, data, base, size)
        docs = np.ascontiguousarray(docs, dtype=np.uint16)
        tf = np.ascontiguousarray(tf, dtype=np.uint8)
        data = np.zeros(3 * len(docs) + len(groups) + PADDING, dtype=np.uint8)
        used = lib.marjaa_pack_block(
            indptr.ctypes.data,
            starts.ctypes.data,
            len(indptr) - 1,
            docs.ctypes.data,
            tf.ctypes.data,
            groups.ctypes.data,
            data.ctypes.data,
            len(data),
        )
        assert used >= 0, "postings ascend within a term, with frequencies of at least 1"
        return cls(heads, groups, data[:used].copy(), base, size)


def make_block(batches: Sequence[Batch], terms: int, base: int) -> Block:
    """A block from counted batches of consecutive passages (``terms``: the vocabulary's size).

    Counting sort into term-major order: a counted batch is grouped by term with its passages
    in order, and batches come in passage order, so each posting's place is its term's next
    free slot; no sort over all postings."""
    df = np.zeros(terms, dtype=np.int64)
    for batch in batches:
        df += np.bincount(batch.ids, minlength=terms)[:terms]
    indptr = np.zeros(terms + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    docs = np.empty(indptr[-1], dtype=np.uint16)
    tf = np.empty(indptr[-1], dtype=np.uint8)
    heads = indptr[:-1].copy()
    first = 0
    assert sum(b.size for b in batches) <= BLOCK_PASSAGES, "a block's passages fit 16 bits"
    for batch in batches:
        ids, passages, counts_tf = batch.ids, batch.passages, batch.tf
        assert passages is not None and counts_tf is not None, "counted batches only"
        starts = np.flatnonzero(np.diff(ids, prepend=-1))
        counts = np.diff(np.append(starts, len(ids)))
        group = ids[starts]
        position = np.repeat(heads[group] - starts, counts) + np.arange(len(ids))
        docs[position] = passages + first
        tf[position] = np.minimum(counts_tf, TF_MAX)
        heads[group] += counts
        first += batch.size
    return Block.pack(indptr, docs, tf, base, first)


# -- the numpy code (where the compiled core cannot be built) --------------------------------


def _bits(data: np.ndarray, position: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """The values of ``widths`` bits (at most 16) at bit ``position`` of ``data``."""
    byte = position >> 3
    word = np.zeros(len(position), dtype=np.int64)
    for k in range(3):  # 16 bits from any bit of a byte lie within three bytes
        word |= data[byte + k].astype(np.int64) << (8 * k)
    return (word >> (position & 7)) & ((np.int64(1) << widths) - 1)


def _unpack_groups(groups: np.ndarray, count: int, data: np.ndarray, size: int):
    """One term's ``count`` postings from its groups."""
    n = np.full(len(groups), GROUP, dtype=np.int64)
    n[-1] = count - GROUP * (len(groups) - 1)
    doc_bits = groups["doc_bits"].astype(np.int64)
    tf_bits = groups["tf_bits"].astype(np.int64)
    nbytes = (n * (doc_bits + tf_bits) + 7) // 8
    offset = groups["offset"].astype(np.int64)
    bad = (doc_bits > 16) | (tf_bits > 8) | (n <= 0) | (offset + nbytes + PADDING > len(data))
    if bad.any():
        raise ValueError("damaged postings")
    group = np.repeat(np.arange(len(groups)), n)
    within = np.arange(count) - np.repeat(np.cumsum(n) - n, n)
    start = offset[group] * 8
    data = np.asarray(data)
    gaps = _bits(data, start + within * doc_bits[group], doc_bits[group])
    docs = np.cumsum(gaps + 1) - 1
    tf_at = start + n[group] * doc_bits[group] + within * tf_bits[group]
    extra = _bits(data, tf_at, tf_bits[group])
    if len(docs) and (docs[-1] >= size or (docs[np.cumsum(n) - 1] != groups["last"]).any()):
        raise ValueError("damaged postings")
    return docs.astype(np.uint16), (extra + 1).astype(np.uint8)


def _pack_groups(indptr, starts, docs, tf, groups) -> np.ndarray:
    """The numpy twin of pack.c's marjaa_pack_block: fills ``groups``, returns the data."""
    docs = np.asarray(docs, dtype=np.int64)
    tf = np.asarray(tf, dtype=np.int64)
    counts = np.diff(indptr)
    term = np.repeat(np.arange(len(counts)), counts)
    within_term = np.arange(len(docs)) - indptr[term]
    group = starts[term] + within_term // GROUP
    first = within_term == 0
    gaps = docs - np.where(first, -1, np.roll(docs, 1)) - 1
    if (gaps < 0).any() or (tf < 1).any():
        raise AssertionError("postings ascend within a term, with frequencies of at least 1")
    extra = tf - 1
    n = np.bincount(group, minlength=len(groups)).astype(np.int64)
    group_starts = np.cumsum(n) - n
    doc_bits = np.zeros(len(groups), np.int64)
    tf_bits = np.zeros(len(groups), np.int64)
    if len(docs):
        doc_bits = _width(np.maximum.reduceat(gaps, group_starts))
        tf_bits = _width(np.maximum.reduceat(extra, group_starts))
    nbytes = (n * (doc_bits + tf_bits) + 7) // 8
    offset = np.cumsum(nbytes) - nbytes
    groups["last"] = docs[group_starts + n - 1] if len(docs) else 0
    groups["doc_bits"], groups["tf_bits"], groups["offset"] = doc_bits, tf_bits, offset
    within = np.arange(len(docs)) - group_starts[group]
    at_doc = offset[group] * 8 + within * doc_bits[group]
    at_tf = offset[group] * 8 + n[group] * doc_bits[group] + within * tf_bits[group]
    total = int(nbytes.sum()) + PADDING
    out = np.zeros(total, dtype=np.float64)
    for values, at in ((gaps, at_doc), (extra, at_tf)):
        shifted = values << (at & 7)  # the bits of values never overlap: sums are ors
        for k in range(3):
            out += np.bincount((at >> 3) + k, weights=(shifted >> (8 * k)) & 0xFF, minlength=total)
    return out.astype(np.uint8)


def _width(values: np.ndarray) -> np.ndarray:
    """How many bits each (non-negative) value needs."""
    return np.frexp(values.astype(np.float64))[1].astype(np.int64)
