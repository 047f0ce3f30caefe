"""A saved native index as segments: the first from the full build, one more per update
(retrieval/index/update.py). Each segment is a folder holding its documents, passages and
posting blocks; the manifest lists them with what was removed from each since (dead
passages and documents, by generation) and names the file of live document frequencies.

    manifest.json           written last (retrieval/index/store.py)
    df-<generation>.npy     in how many live passages each term occurs
    seg-0000/               documents.jsonl, passages.jsonl (+ offsets), block-000.*.npy,
                            lengths.npy, terms.json, keys.npy,
                            dead-<generation>.npy, dead-documents-<generation>.npy

Files are never changed once written: an update writes new ones under new names, so that
the previous index (whose files it hard-links) stays whole until the new one is in place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from retrieval.config import BM25Config
from retrieval.corpus import Document, Passage
from retrieval.engines.native import LENGTHS, TERMS, Block, NativeEngine
from retrieval.index.records import LazySequence, open_documents, open_passages

Item = TypeVar("Item")

SEGMENT = "seg-{:04d}"
DF = "df-{}.npy"
DEAD = "dead-{}.npy"
DEAD_DOCUMENTS = "dead-documents-{}.npy"
KEYS = "keys.npy"  # 8 bytes of each passage's de-duplication digest


@dataclass(frozen=True)
class Changes:
    """Corpus files (labels) since the index was built."""

    added: list[str]
    changed: list[str]
    removed: list[str]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


class Chain(LazySequence[Item]):
    """Sequences one after another, as one."""

    def __init__(self, parts: Sequence[Sequence[Item]]) -> None:
        self._parts = list(parts)
        self._ends = np.cumsum([len(p) for p in self._parts], dtype=np.int64)

    def __len__(self) -> int:
        return int(self._ends[-1]) if len(self._ends) else 0

    def _item(self, index: int) -> Item:
        part = int(np.searchsorted(self._ends, index, side="right"))
        start = int(self._ends[part - 1]) if part else 0
        return self._parts[part][index - start]


class Picked(LazySequence[Item]):
    """The items of ``base`` at ``positions`` (the live documents of a chain)."""

    def __init__(self, base: Sequence[Item], positions: np.ndarray) -> None:
        self._base, self._positions = base, positions

    def __len__(self) -> int:
        return len(self._positions)

    def _item(self, index: int) -> Item:
        return self._base[int(self._positions[index])]


def segment_entry(
    name: str, documents: int, passages: int, blocks: list[list[int]], sources: dict[str, list[int]]
) -> dict[str, Any]:
    """How the manifest describes a segment (``sources``: corpus file label -> [first document,
    end, first passage, end] within the segment)."""
    return {
        "name": name,
        "documents": documents,
        "passages": passages,
        "blocks": blocks,
        "sources": sources,
        "dead": None,
        "dead_documents": None,
        "removed": 0,
    }


def open_segments(
    folder: Path, manifest: dict[str, Any], config: BM25Config
) -> tuple[Sequence[Document], Sequence[Passage], NativeEngine]:
    """The documents (live ones), passages (every position, removed ones included: the
    engine never returns those) and engine of a saved native index."""
    documents: list[Sequence[Document]] = []
    passages: list[Sequence[Passage]] = []
    blocks: list[Block] = []
    lengths: list[np.ndarray] = []
    terms: list[str] = []
    dead: list[np.ndarray] = []
    live_documents: list[np.ndarray] = []
    base = first_document = 0
    for entry in manifest["segments"]:
        where = folder / entry["name"]
        docs = open_documents(where)
        rows = open_passages(where, docs)
        if len(docs) != entry["documents"] or len(rows) != entry["passages"]:
            raise ValueError(f"{entry['name']}: counts disagree with the manifest")
        documents.append(docs)
        passages.append(rows)
        for index, (start, size) in enumerate(entry["blocks"]):
            blocks.append(Block.load(where / f"block-{index:03d}", base + start, size))
        length = np.load(where / LENGTHS)
        if len(length) != len(rows):
            raise ValueError(f"{entry['name']}: passage lengths disagree")
        lengths.append(length)
        terms += json.loads((where / TERMS).read_text("utf-8"))
        gone = np.zeros(len(rows), dtype=bool)
        gone_docs = np.zeros(len(docs), dtype=bool)
        if entry["dead"]:
            gone = np.load(folder / entry["dead"])
            gone_docs = np.load(folder / entry["dead_documents"])
            if len(gone) != len(rows) or len(gone_docs) != len(docs):
                raise ValueError(f"{entry['name']}: removals of the wrong size")
        dead.append(gone)
        live_documents.append(np.flatnonzero(~gone_docs) + first_document)
        base += len(rows)
        first_document += len(docs)
    df = np.load(folder / manifest["df"])
    if len(df) != len(terms):
        raise ValueError("document frequencies disagree with the vocabulary")
    all_dead = np.concatenate(dead) if dead else np.zeros(0, dtype=bool)
    engine = NativeEngine(terms, blocks, np.concatenate(lengths), config, df, all_dead)
    chained_documents: Sequence[Document] = Chain(documents)
    alive = np.concatenate(live_documents) if live_documents else np.zeros(0, np.int64)
    if len(alive) != len(chained_documents):
        chained_documents = Picked(chained_documents, alive)
    return chained_documents, Chain(passages), engine


def open_engine(folder: Path, config: BM25Config) -> NativeEngine:
    """The engine of the saved index in ``folder`` (its manifest says how it is made)."""
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    return open_segments(folder, manifest, config)[2]
