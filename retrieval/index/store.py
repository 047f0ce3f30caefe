"""Saved indexes under DATA_DIR/index/: keyed by a fingerprint of the corpus files and of the
analysis settings, checked against a manifest (written last) before they are trusted,
rebuilt when stale or damaged, and put in place atomically. A build works in a temporary
folder whose lock its process holds while it lives: the folder of a build that was killed is
recognised by its free lock, and removed by the next run."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.config import RetrievalConfig
from retrieval.corpus import Corpus, Skipped, Warn, corpus_files, sidecar_path
from retrieval.engines import ENGINE_CLASSES
from retrieval.engines.native import NativeEngine
from retrieval.errors import CorpusError
from retrieval.index.build import Built, Progress, build_index
from retrieval.index.merge import merge_tail, tail_to_merge
from retrieval.index.records import open_documents, open_passages
from retrieval.index.segments import DF, SEGMENT, open_segments, segment_entry
from retrieval.index.update import CannotUpdate, can_stay_native, link_files, update_segments
from retrieval.search import Retriever
from retrieval.text.normalize import NORMALIZATION_VERSION

FORMAT = 5  # bump when the files of a saved index change shape (5: bit-packed postings)
MANIFEST = "manifest.json"
VERIFIED = "verified.json"  # which files have had their checksums read (_check_files)
INDEX_DIR = "index"
# Libraries whose updates may change stems (analysis), file layout (engines) or the text
# read from documents (readers).
LIBRARIES = (
    "PyStemmer",
    "nltk",
    "pyarabic",
    "rank-bm25",
    "trafilatura",
    "pdfminer.six",
    "python-docx",
    "markdown-it-py",
    "python-bidi",
)
MANIFEST_WARNINGS = 50  # corpus warnings kept in the manifest (the count is kept too)
BUILDING = ".building-"  # prefix of a build's temporary folder (and, with LOCK, of its lock)
LOCK = ".lock"
# A temporary folder without a lock this old is a crashed build (of a marjaa from before the
# locks); the replaced index being deleted (.trash-) too: nothing can still be moving it.
STALE_TEMPORARY_SECONDS = 3600
CHUNK = 1 << 23


class IndexDamaged(Exception):
    """A saved index is incomplete or does not match its manifest."""


@dataclass(frozen=True)
class IndexLocation:
    """Where the saved index of one corpus, with one configuration, lives."""

    slot: Path  # one per corpus: its indexes (one per configuration used), temporary builds
    folder: Path  # slot/<fingerprint>
    fingerprint: str
    corpus_state: str  # hash of the corpus files' state, shared by the slot's fresh indexes
    settings: str = ""  # hash of the settings alone: indexes an update may start from
    # [label, size, mtime] of every corpus file and sidecar: what an update compares
    files: tuple[tuple[str, int, int], ...] = ()


def settings_fingerprint(config: RetrievalConfig) -> str:
    """Everything besides the corpus that decides what the saved index holds."""
    versions = ",".join(f"{name}={_version(name)}" for name in LIBRARIES)
    settings = f"{config.fingerprint()};norm={NORMALIZATION_VERSION};format={FORMAT}"
    return f"{settings};{versions}"


@cache  # metadata lookups scan the installed packages
def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def corpus_state(root: Path, files: list[Path]) -> list[list[Any]]:
    """Path, size and modification time of every corpus file and metadata sidecar."""
    base = root if root.is_dir() else root.parent
    state = []
    for path in files:
        for part in (path, sidecar_path(path)):
            if part is path or part.is_file():
                info = part.stat()
                state.append([part.relative_to(base).as_posix(), info.st_size, info.st_mtime_ns])
    return state


def _corpus_root_and_state(corpus: Path) -> tuple[Path, str, list[list[Any]]]:
    if not corpus.expanduser().exists():
        raise CorpusError(f"corpus not found: {corpus}")  # as the user wrote it
    root = corpus.expanduser().resolve()
    found = corpus_files(root)
    # what is left unread counts too: `marjaa sources` reports it from the manifest
    unread = [[s.path, s.reason] for s in found.skipped] + found.unreadable
    files = corpus_state(root, found.files)
    state = [str(root), files, unread]
    return root, _hash(json.dumps(state, ensure_ascii=False)), files


def corpus_fingerprint(corpus: Path) -> str:
    """Which corpus, as its files are now: a short hash of their paths, sizes and modification
    times (metadata sidecars included), as saved indexes record it. CorpusError if gone."""
    return _corpus_root_and_state(corpus)[1][:16]


def locate(corpus: Path, data_dir: Path, config: RetrievalConfig) -> IndexLocation:
    """The saved index for ``corpus`` as it is now (raises CorpusError when it is missing)."""
    root, state, files = _corpus_root_and_state(corpus)
    settings = settings_fingerprint(config)
    fingerprint = _hash(f"{state};{settings}")[:16]
    name = re.sub(r"[^\w.-]+", "_", root.name)[:40] or "corpus"
    slot = data_dir.expanduser() / INDEX_DIR / f"{name}-{_hash(str(root))[:8]}"
    listed = tuple((label, size, mtime) for label, size, mtime in files)
    return IndexLocation(
        slot, slot / fingerprint, fingerprint, state[:16], _hash(settings)[:16], listed
    )


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def checksum(path: Path) -> int:
    value = 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            value = zlib.crc32(chunk, value)
    return value


def file_entries(folder: Path, paths: list[Path]) -> dict[str, list[int]]:
    """Path within ``folder`` -> [size, CRC-32] of each file: a file cut short, garbled or
    missing is never used."""
    return {p.relative_to(folder).as_posix(): [p.stat().st_size, checksum(p)] for p in paths}


def corpus_manifest(
    location: IndexLocation, corpus: Path, built: Built, seconds: float
) -> dict[str, Any]:
    """What the manifest says of the corpus an index was built from."""
    return {
        "format": FORMAT,
        "fingerprint": location.fingerprint,
        "corpus_state": location.corpus_state,
        "settings": location.settings,
        # every corpus file's state: what an update compares the corpus with
        "state": [list(entry) for entry in location.files],
        "corpus": str(corpus),
        # resolved: `marjaa index --list` tells which corpus it is from any folder
        "corpus_root": str(corpus.expanduser().resolve()),
        "engine": built.engine.name,
        "documents": built.documents,
        "passages": built.passages,
        "warning_count": len(built.warnings),
        "warnings": built.warnings[:MANIFEST_WARNINGS],
        "corpus_files": [str(p) for p in built.corpus_files],
        # what `marjaa sources` reports as left unread (every one, not just the warnings')
        "skipped": [[item.path, item.reason] for item in built.skipped],
        "unreadable": built.unreadable,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(seconds, 2),
    }


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest, and VERIFIED for every file it lists.

    Every file's checksum in a manifest being written was just read from the file itself,
    by this process: file_entries for the files it wrote, _check_files for the files it
    linked from the index it started from. So the first open after a build does not read
    them all again (1.5 GB at a million passages). No fsync: after a power cut a file whose
    data was lost comes back shorter (ext4 writes a file's data before its new size) and its
    size tells; a process killed at any point loses nothing already written."""
    _write_verified(folder, _identities(folder, manifest))
    # Written last: a folder without a complete manifest is an unfinished build.
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")


def _identities(folder: Path, manifest: dict[str, Any]) -> dict[str, list[int]]:
    """What VERIFIED records of each file the manifest lists."""
    return {
        name: _identity((folder / name).stat(), crc)
        for name, (_size, crc) in manifest["files"].items()
    }


def _identity(info: os.stat_result, crc: int) -> list[int]:
    """A checked file as VERIFIED records it: size, time, inode and the CRC-32 it matched."""
    return [info.st_size, info.st_mtime_ns, info.st_ino, crc]


def _write_verified(folder: Path, checked: dict[str, list[int]]) -> None:
    with contextlib.suppress(OSError):  # read-only: checked again next time
        temporary = folder / f".{VERIFIED}.{os.getpid()}"
        temporary.write_text(json.dumps(checked), "utf-8")
        os.replace(temporary, folder / VERIFIED)


def first_segment(folder: Path, built: Built) -> dict[str, Any]:
    """The manifest's segments, df and files of a full build (in ``folder``/seg-0000)."""
    files = list(built.files)
    layout: dict[str, Any] = {"segments": None, "generation": 0, "df": None}
    if isinstance(built.engine, NativeEngine):
        blocks = [[b.base, b.size] for b in built.engine.blocks]
        entry = segment_entry(
            SEGMENT.format(0), built.documents, built.passages, blocks, built.sources
        )
        np.save(folder / DF.format(0), built.engine.df)
        files.append(folder / DF.format(0))
        layout = {"segments": [entry], "generation": 0, "df": DF.format(0)}
    return {**layout, "files": file_entries(folder, files)}


def read_manifest(location: IndexLocation, verify: bool = True) -> dict[str, Any]:
    """The manifest of the saved index, after checking every file it lists (``verify``)."""
    folder = location.folder
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("fingerprint") != location.fingerprint:
            raise IndexDamaged("its manifest belongs to another index")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise IndexDamaged(f"unreadable manifest ({exc.__class__.__name__})") from exc
    _check_files(folder, manifest, verify)
    return manifest


def _check_files(folder: Path, manifest: dict[str, Any], verify: bool) -> None:
    """Raise IndexDamaged unless every file the manifest lists is there, of its size and (if
    ``verify``) its checksum.

    Checksums are read once per file: VERIFIED records each checked file's size, time and
    inode, and a file that still has all three is not read again (at a million passages
    reading 2 GB would cost more than opening the index). A file written, cut or replaced
    since changes them and is checked again."""
    try:
        seen = _verified(folder) if verify else {}
        checked: dict[str, list[int]] = {}
        for name, (size, crc) in manifest["files"].items():
            path = folder / name
            if not path.is_file():
                raise IndexDamaged(f"{name} is missing")
            info = path.stat()
            if info.st_size != size:
                raise IndexDamaged(f"{name} has the wrong size")
            identity = _identity(info, crc)
            if verify and seen.get(name) != identity and checksum(path) != crc:
                raise IndexDamaged(f"{name} does not match its checksum")
            checked[name] = identity
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise IndexDamaged(f"unreadable manifest ({exc.__class__.__name__})") from exc
    if verify and checked != seen:
        _write_verified(folder, checked)


def _verified(folder: Path) -> dict[str, Any]:
    try:
        found = json.loads((folder / VERIFIED).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def load_saved(location: IndexLocation, config: RetrievalConfig, verify: bool = True) -> Retriever:
    """Open a saved index (checked first); raises IndexDamaged when it cannot be trusted.

    ``verify=False`` skips the checksums (sizes are still checked): only for an index this
    process has just written, whose checksums were computed from the files themselves."""
    manifest = read_manifest(location, verify)
    folder = location.folder
    try:
        if manifest["segments"]:
            documents, passages, engine = open_segments(folder, manifest, config.bm25)
        else:  # rank-bm25: one segment
            segment = folder / SEGMENT.format(0)
            documents = open_documents(segment)
            passages = open_passages(segment, documents)
            engine = ENGINE_CLASSES[manifest["engine"]].load(segment, config.bm25)
        removed = len(passages) - manifest["passages"]
        if engine.size != len(passages) or removed < 0:
            raise ValueError("passage counts disagree")
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise IndexDamaged(f"cannot be read ({exc})") from exc
    files = [Path(p) for p in manifest["corpus_files"]]
    skipped = [Skipped(path, reason) for path, reason in manifest["skipped"]]
    corpus = Corpus(
        Path(manifest["corpus"]),
        documents,
        passages,
        manifest["warnings"],
        files,
        skipped,
        manifest["unreadable"],
        removed,
    )
    return Retriever(corpus, config, engine)


def save_index(
    location: IndexLocation,
    corpus: Path,
    config: RetrievalConfig,
    warn: Warn,
    progress: Progress | None = None,
    workers: int | None = None,
    rebuild: bool = False,
) -> Built:
    """Build the index in a temporary folder beside its place, then move it there; or,
    unless ``rebuild``, update the corpus's previous index when there is one to start from
    (retrieval/index/update.py)."""
    location.slot.mkdir(parents=True, exist_ok=True)
    remove_interrupted_builds(location.slot.parent, warn)
    if not rebuild:
        updated = _update(location, corpus, config, warn, progress)
        if updated is not None:
            return updated
    with _build_folder(location.slot) as temporary:
        started = time.perf_counter()
        built = build_index(
            corpus,
            config,
            warn,
            folder=temporary / SEGMENT.format(0),
            progress=progress,
            workers=workers,
        )
        manifest = corpus_manifest(location, corpus, built, time.perf_counter() - started)
        write_manifest(temporary, {**manifest, **first_segment(temporary, built)})
        _install(temporary, location.folder)
    _remove_stale(location)
    return built


def _update_base(location: IndexLocation) -> tuple[Path, dict[str, Any]] | None:
    """The newest sound index of this corpus with these settings that an update can start
    from (one of segments, from before the corpus changed)."""
    candidates = []
    for folder in location.slot.iterdir() if location.slot.is_dir() else ():
        if folder == location.folder or folder.name.startswith("."):
            continue
        try:
            manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if (
            isinstance(manifest, dict)
            and manifest.get("format") == FORMAT
            and manifest.get("settings") == location.settings
            and manifest.get("segments")
        ):
            candidates.append((str(manifest.get("built_at")), folder, manifest))
    for _, folder, manifest in sorted(candidates, key=lambda c: c[0], reverse=True):
        try:
            _check_files(folder, manifest, verify=True)
        except IndexDamaged:
            continue
        return folder, manifest
    return None


def _update(
    location: IndexLocation,
    corpus: Path,
    config: RetrievalConfig,
    warn: Warn,
    progress: Progress | None,
) -> Built | None:
    """The index updated from a previous one (None: a full build is needed)."""
    found = _update_base(location)
    if found is None:
        return None
    base, manifest = found
    started = time.perf_counter()
    try:
        with _build_folder(location.slot) as temporary:
            now = [list(entry) for entry in location.files]
            layout, files, built, changes = update_segments(
                base, manifest, temporary, corpus, config, now, warn, progress
            )
            if not can_stay_native(config, layout["passages"]):
                return None
            start = tail_to_merge(layout["segments"])
            if start is not None:
                files = _merge(temporary, layout, files, start)
            listing = corpus_files(corpus.expanduser().resolve())
            gone = changes.removed + changes.changed
            warnings = [w for w in manifest["warnings"] if not w.startswith(tuple(gone))]
            warnings += built.warnings if built is not None else []
            written = {
                **manifest,
                "fingerprint": location.fingerprint,
                "corpus_state": location.corpus_state,
                "state": now,
                "corpus": str(corpus),
                "corpus_files": [str(p) for p in listing.files],
                "skipped": [[item.path, item.reason] for item in listing.skipped],
                "unreadable": listing.unreadable,
                "warning_count": len(warnings),
                "warnings": warnings[:MANIFEST_WARNINGS],
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "updated_seconds": round(time.perf_counter() - started, 2),
                "updated": {
                    "added": len(changes.added),
                    "changed": len(changes.changed),
                    "removed": len(changes.removed),
                },
                **layout,
                "files": files,
            }
            write_manifest(temporary, written)
            _install(temporary, location.folder)
    except CannotUpdate as exc:
        warn(f"rebuilding the index instead of updating it: {exc}")
        return None
    _remove_stale(location)
    return Built(
        None,
        layout["documents"],
        layout["passages"],
        warnings,
        listing.files,
        [location.folder / name for name in files],
        skipped=[Skipped(path, reason) for path, reason in written["skipped"]],
        unreadable=listing.unreadable,
        changes=changes,
    )


def _merge(
    temporary: Path, layout: dict[str, Any], files: dict[str, list[int]], start: int
) -> dict[str, list[int]]:
    """Merge ``layout``'s segments from ``start`` on (in ``temporary``); return the files."""
    terms = len(np.load(temporary / layout["df"], mmap_mode="r"))
    layout["segments"], written, gone = merge_tail(temporary, layout["segments"], start, terms)
    kept = {name: entry for name, entry in files.items() if name not in set(gone)}
    return {**kept, **file_entries(temporary, written)}


def optimize_index(location: IndexLocation, warn: Warn) -> tuple[int, int] | None:
    """Merge the saved index's segments into one, dropping removed passages for good.
    Returns the segments before and after (None: there is no saved native index)."""
    remove_interrupted_builds(location.slot.parent, warn)
    try:
        manifest = read_manifest(location)
    except IndexDamaged:
        return None
    if not manifest.get("segments"):
        return None
    before = len(manifest["segments"])
    removed = any(entry["removed"] for entry in manifest["segments"])
    if before == 1 and not removed:
        return before, before
    with _build_folder(location.slot) as temporary:
        link_files(location.folder, temporary, list(manifest["files"]))
        layout = dict(manifest)
        files = _merge(temporary, layout, dict(manifest["files"]), 0)
        write_manifest(temporary, {**layout, "files": files})
        _install(temporary, location.folder)
    return before, 1


@contextlib.contextmanager
def _build_folder(slot: Path) -> Iterator[Path]:
    """A new temporary folder, locked for as long as this process builds in it.

    The lock file comes first and is locked before the folder exists, so that a folder
    without a held lock is never a build in progress. The kernel releases the lock when the
    process ends, however it ends (kill -9 included): a free lock means a dead build."""
    while True:
        descriptor, name = tempfile.mkstemp(prefix=BUILDING, suffix=LOCK, dir=slot)
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock = Path(name)
        with contextlib.suppress(FileNotFoundError):
            if os.stat(lock).st_ino == os.fstat(descriptor).st_ino:
                break
        # another run's clean-up found it before it was locked, and removed it: again
        os.close(descriptor)
    folder = lock.with_name(lock.name.removesuffix(LOCK))
    try:
        folder.mkdir()
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # gone already once installed
        lock.unlink(missing_ok=True)
        os.close(descriptor)


def remove_interrupted_builds(index_root: Path, warn: Warn | None = None) -> int:
    """Remove what killed builds left under ``index_root`` (DATA_DIR/index), for every
    corpus; say so in one line. Returns how many were removed."""
    removed, size = 0, 0
    for lock in sorted(index_root.glob(f"*/{BUILDING}*{LOCK}")):
        folder = lock.with_name(lock.name.removesuffix(LOCK))
        if _alive(lock):
            continue
        size += _size(folder)
        shutil.rmtree(folder, ignore_errors=True)
        lock.unlink(missing_ok=True)
        removed += 1
    now = time.time()
    for path in index_root.glob("*/.*"):
        if path.name.endswith(LOCK) or path.with_name(path.name + LOCK).exists():
            continue  # a build's lock, or a folder whose lock decides (above)
        try:
            if now - path.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                size += _size(path)
                shutil.rmtree(path, ignore_errors=True)
                removed += path.name.startswith(BUILDING)
        except OSError:
            pass
    if removed and warn is not None:
        builds = "an interrupted index build" if removed == 1 else f"{removed} interrupted builds"
        warn(f"removed {builds} ({size / 1e6:,.1f} MB) that a killed run left behind")
    return removed


def build_running(folder: Path) -> bool:
    """Whether ``folder`` (a build's temporary folder) belongs to a build still running."""
    return _alive(folder.with_name(folder.name + LOCK))


def _alive(lock: Path) -> bool:
    """Whether a process still holds the lock (its build is running)."""
    try:
        descriptor = os.open(lock, os.O_RDONLY)
    except OSError:
        return False  # removed meanwhile: the build just ended
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)  # releases the lock if we took it
    return False


def _size(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            total += path.stat().st_size if path.is_file() else 0
    return total


def _remove_stale(location: IndexLocation) -> None:
    """Indexes of the corpus as it was before (those of other settings stay, for switching)."""
    for other in location.slot.iterdir():
        if other == location.folder or other.name.startswith("."):
            continue
        try:
            state = json.loads((other / MANIFEST).read_text("utf-8")).get("corpus_state")
        except (OSError, ValueError):
            state = None
        if state != location.corpus_state:
            shutil.rmtree(other, ignore_errors=True)


def _install(temporary: Path, folder: Path) -> None:
    """Rename ``temporary`` to ``folder`` (atomic), replacing a damaged one."""
    try:
        os.rename(temporary, folder)
        return
    except OSError:
        pass  # ``folder`` exists: damaged, or another process has just built it
    trash = Path(tempfile.mkdtemp(prefix=".trash-", dir=folder.parent))
    with contextlib.suppress(FileNotFoundError):  # another process already moved it
        os.rename(folder, trash / folder.name)
    os.rename(temporary, folder)
    # a process may still read the old files: on POSIX they live on until it closes them
    shutil.rmtree(trash, ignore_errors=True)


def open_retriever(
    corpus: str | Path,
    data_dir: str | Path,
    config: RetrievalConfig | None = None,
    warn: Warn | None = None,
    progress: Progress | None = None,
) -> Retriever:
    """A retriever over ``corpus`` from its saved index under ``data_dir``, built and saved
    first when the corpus or the settings changed or the saved one is damaged.

    Raises CorpusError for a missing or unusable corpus. When nothing can be written under
    ``data_dir`` the index is built in memory (with a warning).
    """
    config = config or RetrievalConfig()
    say = warn or (lambda message: None)
    location = locate(Path(corpus), Path(data_dir), config)
    remove_interrupted_builds(location.slot.parent, say)
    if location.folder.exists():
        try:
            return load_saved(location, config)
        except IndexDamaged as exc:
            say(f"the saved index in {location.folder} is damaged: {exc}; rebuilding it")
    try:
        save_index(location, Path(corpus), config, say, progress)
    except OSError as exc:
        say(f"cannot save the index under {data_dir} ({exc.strerror or exc}); indexing in memory")
        return Retriever.from_path(corpus, config, say)
    return load_saved(location, config, verify=False)
