"""The saved indexes under DATA_DIR/index/ as a whole: which are current, stale or unfinished,
which a running process answers from (a shared lock on the manifest), and pruning the rest."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from retrieval.config import RetrievalConfig
from retrieval.errors import CorpusError
from retrieval.index.store import (
    INDEX_DIR,
    LOCK,
    MANIFEST,
    STALE_TEMPORARY_SECONDS,
    build_running,
    locate,
)

# What a saved index is to the corpus it was built from, as the corpus is now.
CURRENT = "current"  # what marjaa opens for that corpus with these settings
OTHER_SETTINGS = "other settings"  # the corpus as it is, another engine or analysis: kept
STALE = "stale"  # the corpus changed or is gone
DAMAGED = "damaged"  # no readable manifest: never opened, rebuilt over
UNFINISHED = "unfinished"  # a temporary folder of a build (running, or crashed)
UNKNOWN = "unknown corpus"  # an older manifest whose corpus path cannot be told: kept
PRUNABLE = frozenset({STALE, DAMAGED})


@dataclass(frozen=True)
class SavedIndex:
    """One folder under DATA_DIR/index/<slot>/ and what it is."""

    folder: Path
    corpus: str  # the corpus root it was built from ("?" when unknown)
    size: int  # bytes on disk
    built_at: str | None
    passages: int | None
    engine: str | None
    status: str  # CURRENT, OTHER_SETTINGS, STALE, DAMAGED or UNFINISHED
    in_use: bool  # a running process (`marjaa bot`) answers from it
    age_seconds: float = 0.0  # since the folder was last changed

    @property
    def prunable(self) -> bool:
        """Stale, damaged, or a build that crashed long ago; never one in use."""
        if self.in_use:
            return False
        if self.status == UNFINISHED:  # in use: its build runs (it holds the folder's lock)
            locked = self.folder.with_name(self.folder.name + LOCK).exists()
            return locked or self.age_seconds > STALE_TEMPORARY_SECONDS
        return self.status in PRUNABLE


class IndexLease:
    """A shared lock on a saved index, held while a process answers from it.

    ``--prune`` and the listing see it (an exclusive lock cannot be had); builds ignore it,
    as removing the files of an index in use is safe on POSIX (open files and mappings live
    on), and a new build must never wait for a running bot."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._file: IO[bytes] | None = (folder / MANIFEST).open("rb")
        fcntl.flock(self._file.fileno(), fcntl.LOCK_SH)

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file drops its lock
            self._file = None


def lease_index(folder: Path) -> IndexLease | None:
    """Hold ``folder`` as in use; None when it has no manifest (an index kept in memory)."""
    try:
        return IndexLease(folder)
    except OSError:
        return None


def in_use(folder: Path) -> bool:
    """Whether some process holds a lease on the index in ``folder``."""
    try:
        with (folder / MANIFEST).open("rb") as file:
            try:
                fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(file.fileno(), fcntl.LOCK_UN)
    except OSError:
        return False
    return False


def _size(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file():
                total += path.stat().st_size
    return total


def _root_of(slot: Path, manifest: dict) -> Path | None:
    """The corpus root an index was built from; checked against the slot's name, which
    carries a hash of it (older manifests keep only the path as the user wrote it)."""
    for recorded in (manifest.get("corpus_root"), manifest.get("corpus")):
        if not isinstance(recorded, str) or not recorded:
            continue
        root = Path(recorded).expanduser().resolve()
        named = hashlib.sha256(str(root).encode("utf-8", "surrogatepass")).hexdigest()[:8]
        if slot.name.endswith(f"-{named}"):
            return root
    return None


def _status(slot: Path, folder: Path, manifest: dict, config: RetrievalConfig) -> tuple[str, str]:
    root = _root_of(slot, manifest)
    if root is None:
        return "?", UNKNOWN
    try:
        now = locate(root, slot.parent.parent, config)
    except (CorpusError, OSError):
        return str(root), STALE  # the corpus is gone (or unreadable)
    if manifest.get("corpus_state") != now.corpus_state:
        return str(root), STALE
    return str(root), CURRENT if now.folder == folder else OTHER_SETTINGS


def describe(slot: Path, folder: Path, config: RetrievalConfig) -> SavedIndex:
    """What one folder of a slot is."""
    age = max(0.0, time.time() - folder.stat().st_mtime)
    size = _size(folder)
    if folder.name.startswith("."):
        running = build_running(folder)
        return SavedIndex(folder, "?", size, None, None, None, UNFINISHED, running, age)
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except (OSError, ValueError):
        return SavedIndex(folder, "?", size, None, None, None, DAMAGED, in_use(folder), age)
    corpus, status = _status(slot, folder, manifest, config)
    passages = manifest.get("passages")
    return SavedIndex(
        folder,
        corpus,
        size,
        str(manifest.get("built_at") or "") or None,
        passages if isinstance(passages, int) else None,
        str(manifest.get("engine") or "") or None,
        status,
        in_use(folder),
        age,
    )


def saved_indexes(data_dir: str | Path, config: RetrievalConfig | None = None) -> list[SavedIndex]:
    """Every folder under DATA_DIR/index/, slot by slot, judged against ``config``."""
    config = config or RetrievalConfig()
    top = Path(data_dir).expanduser() / INDEX_DIR
    if not top.is_dir():
        return []
    found = []
    for slot in sorted(p for p in top.iterdir() if p.is_dir()):
        for folder in sorted(p for p in slot.iterdir() if p.is_dir()):
            with contextlib.suppress(OSError):  # removed meanwhile (a build finishing)
                found.append(describe(slot, folder, config))
    return found


def prune_indexes(
    data_dir: str | Path, config: RetrievalConfig | None = None, dry_run: bool = False
) -> list[SavedIndex]:
    """Remove the prunable saved indexes (and slots left empty); returns those removed."""
    removed = [saved for saved in saved_indexes(data_dir, config) if saved.prunable]
    if dry_run:
        return removed
    for saved in removed:
        shutil.rmtree(saved.folder, ignore_errors=True)
        saved.folder.with_name(saved.folder.name + LOCK).unlink(missing_ok=True)
    for saved in removed:
        with contextlib.suppress(OSError):
            saved.folder.parent.rmdir()  # only when empty
    return removed
