"""Term-id batches on their way into the engine: kept raw while the engine may be rank-bm25
(built from each passage's terms in order), counted once it will be the native engine, and
then turned into posting blocks as they come, each written to the index folder once enough
postings have waited (so a million passages never sit in memory at once)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from retrieval.config import BM25Config
from retrieval.engines import Batch, Engine, Vocabulary, engine_class
from retrieval.engines.blocks import BLOCK_PASSAGES, Block, make_block
from retrieval.engines.native import NativeEngine
from retrieval.engines.rank_bm25 import RankBM25Engine

# Postings waiting in memory before they become a block (at most BLOCK_PASSAGES passages):
# about 10 bytes each while waiting, about 1 in the block. Fewer blocks answer a little faster.
BLOCK_POSTINGS = 16_000_000
BLOCK = "block-{:03d}"


class Postings:
    """Batches in, an engine out. ``folder``: where a saved index's blocks go (None: memory).
    ``vocabulary`` may already hold terms (an update adds a segment to an index): the
    segment's own terms are those added from here on."""

    def __init__(self, engine: str, folder: Path | None, vocabulary: Vocabulary) -> None:
        self._engine = engine
        self._folder = folder
        self._vocabulary = vocabulary
        self._first_term = len(vocabulary)
        self._raw: list[Batch] = []
        self._pending: list[Batch] = []
        self._pending_postings = 0
        self._pending_passages = 0
        self._blocks: list[Block] = []  # in memory (no folder)
        self._stems: list[tuple[Path, int, int]] = []  # on disk: stem, base, size
        self._lengths: list[np.ndarray] = []
        self._flushed = 0  # passages already in blocks
        self.passages = 0
        self.files: list[Path] = []
        self.counted = self._will_be_counted()  # whether batches are counted from now on

    def _will_be_counted(self) -> bool:
        # "auto" can only move on to the engine built from counted batches
        return engine_class(self._engine, self.passages).counted

    def add(self, batch: Batch) -> None:
        self.passages += batch.size
        if not self.counted and self._will_be_counted():
            self.counted = True
            for raw in self._raw:
                self._keep(raw.counted())
            self._raw = []
        if self.counted:
            self._keep(batch.counted())
        else:
            self._raw.append(batch)

    def _keep(self, batch: Batch) -> None:
        room = BLOCK_PASSAGES - self._pending_passages
        if batch.size > room:  # a block's passages fit two bytes: the rest starts the next
            keep = np.arange(batch.size) < room
            self._keep(batch.select(keep))
            self._flush()
            self._keep(batch.select(~keep))
            return
        self._pending.append(batch)
        self._lengths.append(batch.lengths)
        self._pending_postings += len(batch.ids)
        self._pending_passages += batch.size
        if self._pending_postings >= BLOCK_POSTINGS or self._pending_passages == BLOCK_PASSAGES:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        block = make_block(self._pending, len(self._vocabulary), self._flushed)
        self._pending, self._pending_postings, self._pending_passages = [], 0, 0
        self._flushed += block.size
        if self._folder is None:
            self._blocks.append(block)
            return
        self._folder.mkdir(parents=True, exist_ok=True)
        stem = self._folder / BLOCK.format(len(self._stems))
        self.files += block.save(stem)
        self._stems.append((stem, block.base, block.size))

    def build(self, config: BM25Config) -> Engine:
        """The engine over every batch added (for a folder: its files written there, listed
        in ``files``)."""
        if not self.counted:
            return RankBM25Engine.build(self._raw, self._vocabulary, config)
        self._flush()
        blocks = self._blocks + [Block.load(stem, base, size) for stem, base, size in self._stems]
        lengths = np.concatenate(self._lengths) if self._lengths else np.zeros(0, np.int32)
        return NativeEngine(
            self._vocabulary.terms,
            blocks,
            lengths,
            config,
            first_term=self._first_term,
            block_files=self.files,
        )

    def remove(self) -> None:
        """Nothing to clean up: blocks are the saved index's own files."""
