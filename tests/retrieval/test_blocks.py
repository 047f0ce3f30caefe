"""Bit-packed posting blocks (retrieval/engines/blocks.py): the compiled core and numpy pack
the same bytes, unpacking gives back every posting, and damage is refused, not read."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.engines import blocks
from retrieval.engines.blocks import GROUP, Block
from retrieval.native import library


def random_postings(seed: int, terms: int = 60, size: int = 5000):
    """Term-major postings with every kind of term: absent, rare, in every passage (gaps of
    0 bits), spread widely (gaps of up to 16 bits), frequencies of 1 only or up to 255."""
    rng = np.random.default_rng(seed)
    indptr, docs, tf = [0], [], []
    for term in range(terms):
        kind = term % 6
        if kind == 0:
            chosen = np.zeros(0, np.int64)
        elif kind == 1:
            chosen = np.arange(size)  # every passage
        elif kind == 2:
            chosen = np.array([0, size - 1])  # one gap of nearly the whole block
        else:
            count = int(rng.integers(1, 3 * GROUP + 7))
            chosen = np.sort(rng.choice(size, size=min(count, size), replace=False))
        docs.append(chosen)
        frequency = np.ones(len(chosen), np.int64)
        if kind in (3, 4):
            frequency = rng.integers(1, 256 if kind == 4 else 4, size=len(chosen))
        tf.append(frequency)
        indptr.append(indptr[-1] + len(chosen))
    return (
        np.array(indptr, np.int64),
        np.concatenate(docs).astype(np.uint16),
        np.concatenate(tf).astype(np.uint8),
    )


@pytest.fixture
def numpy_only(monkeypatch):
    monkeypatch.setattr(blocks, "library", lambda: None)


def compiled_available():
    if library() is None:
        pytest.skip("no compiled core here")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compiled_and_numpy_pack_the_same_bytes(seed, monkeypatch):
    compiled_available()
    indptr, docs, tf = random_postings(seed)
    compiled = Block.pack(indptr, docs, tf, 0, 5000)
    monkeypatch.setattr(blocks, "library", lambda: None)
    with_numpy = Block.pack(indptr, docs, tf, 0, 5000)
    assert np.array_equal(compiled.heads, with_numpy.heads)
    assert compiled.groups.tobytes() == with_numpy.groups.tobytes()
    assert compiled.data.tobytes() == with_numpy.data.tobytes()
    widths = set(compiled.groups["doc_bits"]) | set(compiled.groups["tf_bits"])
    assert {0, 8, 13}.issubset(widths)  # the kinds of terms above: 0, 8 and 13 bits appear


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
def test_every_posting_comes_back(engine, monkeypatch, tmp_path):
    if engine == "compiled":
        compiled_available()
    else:
        monkeypatch.setattr(blocks, "library", lambda: None)
    indptr, docs, tf = random_postings(4)
    Block.pack(indptr, docs, tf, 100, 5000).save(tmp_path / "b")
    block = Block.load(tmp_path / "b", 100, 5000)  # as a saved index reads it: mapped
    got_indptr, got_docs, got_tf = block.unpack()
    assert np.array_equal(got_indptr, indptr)
    assert np.array_equal(got_docs, docs) and np.array_equal(got_tf, tf)
    for term in range(len(indptr) - 1):
        term_docs, term_tf = block.postings(term)
        assert np.array_equal(term_docs, docs[indptr[term] : indptr[term + 1]])
        assert np.array_equal(term_tf, tf[indptr[term] : indptr[term + 1]])


def test_about_a_byte_a_posting_where_three_were():
    """Common words (small gaps, frequency 1) pack into a few bits; the seed block above,
    with its rare and very frequent terms mixed, into well under the three bytes of plain
    arrays (uint16 passage + uint8 frequency)."""
    indptr, docs, tf = random_postings(5)
    block = Block.pack(indptr, docs, tf, 0, 5000)
    packed = block.data.nbytes + block.groups.nbytes
    assert packed < 1.5 * len(docs)
    passages = np.arange(5000, dtype=np.uint16)
    every = Block.pack(np.array([0, 5000]), passages, np.ones(5000, np.uint8), 0, 5000)
    assert every.data.nbytes <= 8 + 8  # gaps of 0 bits, frequencies of 0 bits: only padding


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
@pytest.mark.parametrize("field", ["doc_bits", "offset", "last"])
def test_damaged_groups_are_refused(engine, field, monkeypatch):
    if engine == "compiled":
        compiled_available()
    else:
        monkeypatch.setattr(blocks, "library", lambda: None)
    indptr, docs, tf = random_postings(6)
    block = Block.pack(indptr, docs, tf, 0, 5000)
    groups = block.groups.copy()
    value = {"doc_bits": 17, "offset": len(block.data), "last": 1}[field]
    groups[field][len(groups) // 2] = value
    damaged = Block(block.heads, groups, block.data, 0, 5000)
    with pytest.raises(ValueError, match="damaged"):
        damaged.unpack()
