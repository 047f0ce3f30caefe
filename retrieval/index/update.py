"""Updating a saved index in place of rebuilding it: the documents of added and changed
corpus files go into a new segment, those of removed and changed files are marked removed,
and the live document frequencies are corrected, so answers are those of a full rebuild
(docs/performance.md, "Incremental updates").

The update works in a new folder holding hard links to the previous index's files plus the
files it writes (never changing a file once written), and is put in place like a build: a
crash leaves the previous index whole, and the next run removes what the crash left.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.analysis import Analyzer
from retrieval.config import RetrievalConfig
from retrieval.corpus import Warn, corpus_files, sidecar_path
from retrieval.engines import AUTO_NATIVE_FROM, Vocabulary
from retrieval.engines.native import TERMS, NativeEngine
from retrieval.errors import CorpusError
from retrieval.index.build import Built, Progress, build_index
from retrieval.index.encode import TermEncoder, passage_text
from retrieval.index.records import open_documents, open_passages
from retrieval.index.segments import (
    DEAD,
    DEAD_DOCUMENTS,
    DF,
    KEYS,
    SEGMENT,
    Changes,
    segment_entry,
)

# An update that would remove more than this share of the live passages rebuilds instead:
# a full build is then about as quick, and leaves no removed passages behind.
MAX_REMOVED_SHARE = 0.5


class CannotUpdate(Exception):
    """This index cannot be updated to the corpus as it is now (a full build is needed)."""


def file_states(entries: list[list[Any]]) -> dict[str, tuple[Any, ...]]:
    """Corpus file label -> its [size, mtime] and its sidecar's (from corpus_state's flat
    entries, where a file's sidecar follows it)."""
    by_label = {label: (size, mtime) for label, size, mtime in entries}
    sidecars = {sidecar_path(Path(label)).as_posix(): label for label in by_label}
    states: dict[str, tuple[Any, ...]] = {}
    for label, state in by_label.items():
        owner = sidecars.get(label)
        if owner is not None and owner != label and owner in by_label:
            continue  # a sidecar: counted with its file
        side = sidecar_path(Path(label)).as_posix()
        states[label] = (state, by_label.get(side) if side != label else None)
    return states


def changes(before: list[list[Any]], now: list[list[Any]]) -> Changes:
    old, new = file_states(before), file_states(now)
    return Changes(
        added=[label for label in new if label not in old],
        changed=[label for label in new if label in old and new[label] != old[label]],
        removed=[label for label in old if label not in new],
    )


def link_files(base: Path, target: Path, names: list[str]) -> None:
    for name in names:
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(base / name, path)
        except OSError:  # a file system without hard links
            shutil.copy2(base / name, path)


def update_segments(
    base: Path,
    manifest: dict[str, Any],
    temporary: Path,
    corpus: Path,
    config: RetrievalConfig,
    now: list[list[Any]],
    warn: Warn,
    progress: Progress | None = None,
) -> tuple[dict[str, Any], dict[str, list[int]], Built | None, Changes]:
    """Write into ``temporary`` the index ``base`` (its ``manifest``) updated to the corpus
    as it is ``now``; return the new manifest's layout (segments, df, counts), its files,
    the new segment's build (None when nothing was added) and the changes.

    Raises CannotUpdate when a full build is the right thing to do."""
    found = changes(manifest["state"], now)
    root = corpus.expanduser().resolve()
    base_dir = root if root.is_dir() else root.parent
    segments = [dict(entry) for entry in manifest["segments"]]
    generation = manifest["generation"] + 1
    link_files(base, temporary, list(manifest["files"]))
    files: dict[str, list[int]] = dict(manifest["files"])
    vocabulary_terms: list[str] = []
    for entry in segments:
        vocabulary_terms += json.loads((base / entry["name"] / TERMS).read_text("utf-8"))
    df = np.load(base / manifest["df"]).astype(np.int64)
    analyzer = Analyzer(config.analyzer)
    vocabulary = Vocabulary(vocabulary_terms)
    encoder = TermEncoder(analyzer, vocabulary)
    gone = set(found.removed) | set(found.changed)
    live_passages, live_documents = manifest["passages"], manifest["documents"]
    removed_passages = 0
    dead_masks: dict[str, np.ndarray] = {}
    for entry in segments:
        where = base / entry["name"]
        spans = [entry["sources"][label] for label in gone if label in entry["sources"]]
        if not spans:
            continue
        dead = np.load(base / entry["dead"]) if entry["dead"] else None
        dead_docs = np.load(base / entry["dead_documents"]) if entry["dead"] else None
        if dead is None:
            dead = np.zeros(entry["passages"], dtype=bool)
            dead_docs = np.zeros(entry["documents"], dtype=bool)
        documents = open_documents(where)
        passages = open_passages(where, documents)
        for first_doc, end_doc, first, end in spans:
            fresh = np.flatnonzero(~dead[first:end]) + first
            if not len(fresh):
                continue  # removed by an earlier update (the file came back since)
            texts = [passage_text(passages[int(i)]) for i in fresh]
            counted = encoder.batch(texts, counted=True)
            if len(vocabulary) != len(df):
                raise CannotUpdate("removed passages analyse differently than when indexed")
            df -= np.bincount(counted.ids, minlength=len(df))
            dead[fresh] = True
            newly_dead_docs = ~dead_docs[first_doc:end_doc]
            dead_docs[first_doc:end_doc] = True
            removed_passages += len(fresh)
            live_passages -= len(fresh)
            live_documents -= int(newly_dead_docs.sum())
        if (df < 0).any():
            raise CannotUpdate("document frequencies would turn negative")
        for key, array, name in (
            ("dead", dead, DEAD),
            ("dead_documents", dead_docs, DEAD_DOCUMENTS),
        ):
            if entry[key]:
                files.pop(entry[key], None)
                (temporary / entry[key]).unlink(missing_ok=True)
            entry[key] = f"{entry['name']}/{name.format(generation)}"
            np.save(temporary / entry[key], array)
        entry["removed"] = int(dead.sum())
        dead_masks[entry["name"]] = dead
    if removed_passages > MAX_REMOVED_SHARE * manifest["passages"]:
        raise CannotUpdate("most of the index would be removed")
    new_files: list[Path] = []
    built = None
    adding = [label for label in found.added + found.changed]
    if adding:
        only = {base_dir / label for label in adding}
        keys = _live_keys(base, segments, dead_masks)
        folder = temporary / SEGMENT.format(_next_number(segments))
        try:
            built = build_index(
                corpus,
                dataclasses.replace(config, engine=NativeEngine.name),
                warn,
                folder=folder,
                progress=progress,
                workers=1,
                only=only,
                vocabulary=vocabulary,
                seen=_seen_in(keys),
            )
        except CorpusError:
            shutil.rmtree(folder, ignore_errors=True)  # nothing usable added (repeats, empty)
        if built is not None:
            assert isinstance(built.engine, NativeEngine)
            grown = np.zeros(len(vocabulary), dtype=np.int64)
            grown[: len(df)] = df
            df = grown + built.engine.df
            blocks = [[b.base, b.size] for b in built.engine.blocks]
            segments.append(
                segment_entry(folder.name, built.documents, built.passages, blocks, built.sources)
            )
            new_files += built.files
            live_passages += built.passages
            live_documents += built.documents
    if manifest["df"]:
        files.pop(manifest["df"], None)
        (temporary / manifest["df"]).unlink(missing_ok=True)
    np.save(temporary / DF.format(generation), df)
    new_files.append(temporary / DF.format(generation))
    new_files += [temporary / e[k] for e in segments for k in ("dead", "dead_documents") if e[k]]
    layout = {
        "segments": segments,
        "generation": generation,
        "df": DF.format(generation),
        "passages": live_passages,
        "documents": live_documents,
    }
    if not live_passages:
        raise CannotUpdate("no passage would be left")
    return layout, {**files, **_entries(temporary, new_files, files)}, built, found


def _entries(folder: Path, paths: list[Path], known: dict[str, list[int]]) -> dict[str, list[int]]:
    from retrieval.index.store import file_entries

    fresh = [p for p in dict.fromkeys(paths) if p.relative_to(folder).as_posix() not in known]
    return file_entries(folder, fresh)


def _next_number(segments: list[dict[str, Any]]) -> int:
    return max(int(e["name"].split("-")[1]) for e in segments) + 1


def _live_keys(
    base: Path, segments: list[dict[str, Any]], dead: dict[str, np.ndarray]
) -> np.ndarray:
    """The de-duplication keys of every live passage, sorted."""
    parts = []
    for entry in segments:
        keys = np.load(base / entry["name"] / KEYS)
        mask = dead.get(entry["name"])
        if mask is None and entry["dead"]:
            mask = np.load(base / entry["dead"])
        parts.append(keys if mask is None else keys[~mask])
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype="<u8")


def _seen_in(keys: np.ndarray) -> Callable[[bytes], bool]:
    def seen(digest: bytes) -> bool:
        key = np.frombuffer(digest[:8], dtype="<u8")[0]
        at = int(np.searchsorted(keys, key))
        return at < len(keys) and keys[at] == key

    return seen


def can_stay_native(config: RetrievalConfig, passages: int) -> bool:
    """Whether the engine chosen for the corpus is still the native one (``auto`` moves a
    corpus that shrank below AUTO_NATIVE_FROM back to rank-bm25: a full build does that)."""
    return config.engine == NativeEngine.name or (
        config.engine == "auto" and passages >= AUTO_NATIVE_FROM
    )


def corpus_listing(corpus: Path) -> list[Path]:
    return corpus_files(corpus.expanduser().resolve()).files


def elapsed(started: float) -> float:
    return time.perf_counter() - started
