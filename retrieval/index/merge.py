"""Merging segments of a saved native index into one: the live documents and passages
rewritten, posting blocks filtered of removed passages and renumbered, nothing analysed
again. Updates merge the segments they added once there are too many of them, and
`marjaa index --optimize` merges everything (docs/performance.md, "Incremental updates").

A merge works inside an update's or optimization's temporary folder (retrieval/index/
store.py), whose files are hard links of the index being replaced: the merged segments'
links are removed there, the index in use keeps its files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.engines.blocks import BLOCK_PASSAGES, Block
from retrieval.engines.native import LENGTHS, TERMS
from retrieval.index.postings import BLOCK, BLOCK_POSTINGS
from retrieval.index.records import DOCUMENTS, PASSAGES, RecordWriter, open_documents, open_passages
from retrieval.index.segments import KEYS, SEGMENT, segment_entry

# An update leaves at most this many segments: past it, every segment but the first (the
# full build's, usually by far the largest) becomes one.
MAX_SEGMENTS = 8


def tail_to_merge(segments: list[dict[str, Any]]) -> int | None:
    """Where the segments to merge after an update start (None: leave them)."""
    if len(segments) <= MAX_SEGMENTS:
        return None
    later = sum(entry["passages"] for entry in segments[1:])
    return 0 if later >= segments[0]["passages"] else 1


def _masks(folder: Path, entry: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    if entry["dead"]:
        return np.load(folder / entry["dead"]), np.load(folder / entry["dead_documents"])
    return np.zeros(entry["passages"], bool), np.zeros(entry["documents"], bool)


def merge_tail(
    folder: Path, segments: list[dict[str, Any]], start: int, terms: int
) -> tuple[list[dict[str, Any]], list[Path], list[str]]:
    """Merge ``segments[start:]`` (their folders in ``folder``) into one new segment;
    ``terms``: the size of the index's vocabulary. Returns the new list of segments, the new
    segment's files, and the paths (within ``folder``) of the files that are gone."""
    merging = segments[start:]
    number = max(int(e["name"].split("-")[1]) for e in segments) + 1
    target = folder / SEGMENT.format(number)
    target.mkdir()
    document_rows = RecordWriter(target / DOCUMENTS)
    passage_rows = RecordWriter(target / PASSAGES)
    sources: dict[str, list[int]] = {}
    lengths, keys, new_terms = [], [], []
    pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    pending_postings = 0
    blocks: list[list[int]] = []
    files: list[Path] = []
    group_first: int | None = None
    group_end = 0

    def flush() -> None:
        nonlocal pending, pending_postings, group_first
        if not pending or group_first is None:
            return
        term = np.concatenate([p[0] for p in pending])
        docs = np.concatenate([p[1] for p in pending])
        tf = np.concatenate([p[2] for p in pending])
        order = np.argsort(term, kind="stable")  # passages stay ascending within a term
        indptr = np.zeros(terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(term, minlength=terms), out=indptr[1:])
        block = Block.pack(
            indptr,
            (docs[order] - group_first).astype(np.uint16),
            tf[order],
            group_first,
            group_end - group_first,
        )
        files.extend(block.save(target / BLOCK.format(len(blocks))))
        blocks.append([group_first, group_end - group_first])
        pending, pending_postings, group_first = [], 0, None

    first_passage = 0  # in the merged segment
    for entry in merging:
        where = folder / entry["name"]
        dead, dead_documents = _masks(folder, entry)
        documents = open_documents(where)
        passages = open_passages(where, documents)
        document_number = np.full(len(documents), -1, dtype=np.int64)
        live_docs = np.flatnonzero(~dead_documents)
        document_number[live_docs] = np.arange(len(live_docs)) + len(document_rows)
        for index in live_docs:
            document_rows.add(documents.row(int(index)))
        passage_number = np.full(len(passages), -1, dtype=np.int64)
        live = np.flatnonzero(~dead)
        passage_number[live] = np.arange(len(live)) + first_passage
        for index in live:
            row = passages.row(int(index))
            row[0] = int(document_number[row[0]])
            passage_rows.add(row)
        for label, (d0, d1, p0, p1) in entry["sources"].items():
            if d1 > d0 and not dead_documents[d0]:
                sources[label] = [int(document_number[d0]), int(document_number[d1 - 1]) + 1]
                sources[label] += [int(passage_number[p0]), int(passage_number[p1 - 1]) + 1]
        lengths.append(np.load(where / LENGTHS)[~dead])
        keys.append(np.load(where / KEYS)[~dead])
        new_terms += json.loads((where / TERMS).read_text("utf-8"))
        for index, (base, size) in enumerate(entry["blocks"]):
            block = Block.load(where / BLOCK.format(index), base, size)
            numbers = passage_number[base : base + size]
            alive = numbers[numbers >= 0]
            if not len(alive):
                continue
            indptr, block_docs, block_tf = block.unpack()
            term = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
            renumbered = numbers[block_docs]
            kept = renumbered >= 0
            if group_first is not None and int(alive[-1]) + 1 - group_first > BLOCK_PASSAGES:
                flush()  # a block's passages fit two bytes
            if group_first is None:
                group_first = int(alive[0])
            group_end = int(alive[-1]) + 1
            pending.append((term[kept], renumbered[kept], block_tf[kept]))
            pending_postings += int(kept.sum())
            if pending_postings >= BLOCK_POSTINGS:
                flush()
        first_passage += len(live)
    flush()
    files += document_rows.close() + passage_rows.close()
    np.save(target / LENGTHS, np.concatenate(lengths))
    np.save(target / KEYS, np.concatenate(keys))
    (target / TERMS).write_text(json.dumps(new_terms, ensure_ascii=False), encoding="utf-8")
    files += [target / LENGTHS, target / KEYS, target / TERMS]
    gone = []
    for entry in merging:
        where = folder / entry["name"]
        gone += [p.relative_to(folder).as_posix() for p in where.rglob("*") if p.is_file()]
        shutil.rmtree(where)
    merged = segment_entry(target.name, len(document_rows), first_passage, blocks, sources)
    return [*segments[:start], merged], files, gone
