"""A corpus folder -> its files to read, and what it cannot use: files in formats marjaa does
not read, folders it cannot open. An explicit stack, not recursion: any depth works, and a
symbolic link back to a folder already seen is not followed again."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Formats people keep next to their documents that marjaa does not read, with what to do.
CONVERT_TO_DOCX = (
    "unsupported, convert to .docx with LibreOffice (libreoffice --headless --convert-to docx)"
)
HINTS = {".odt": CONVERT_TO_DOCX, ".doc": CONVERT_TO_DOCX, ".rtf": CONVERT_TO_DOCX}
UNSUPPORTED = "unsupported"
NAMES_SHOWN = 10  # file names listed in a summary line; the rest are counted


@dataclass(frozen=True)
class Skipped:
    """A file the walk found and will not read, and why (the summary groups them)."""

    path: str  # relative to the corpus folder, as warnings name files
    reason: str


@dataclass
class Walk:
    files: list[Path] = field(default_factory=list)  # to read, sorted
    skipped: list[Skipped] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # folders that could not be listed


def _hidden(name: str) -> bool:
    return name.startswith(".")


def walk(root: Path, suffixes: Iterable[str], ignored_suffix: str) -> Walk:
    """The files under ``root`` whose extension is in ``suffixes`` (case ignored), the other
    files (but names ending in ``ignored_suffix``, which readers use beside their files) and
    the folders that could not be listed. Hidden files and folders are left out."""
    wanted = {s.lower() for s in suffixes}
    found = Walk()
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = folder.stat()
            if (info.st_dev, info.st_ino) in seen:
                continue  # a link back to a folder already walked (a loop, or a second way in)
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError as exc:
            found.unreadable.append(f"{_label(folder, root)}/ ({exc.strerror or exc})")
            continue
        for entry in listed:
            if _hidden(entry.name):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()  # follows a link to see what it points at
                is_file = not is_dir and entry.is_file()
            except OSError:
                is_dir = is_file = False
            if is_dir:
                stack.append(path)
            elif not is_file:
                found.skipped.append(Skipped(_label(path, root), "not a regular file"))
            elif path.suffix.lower() in wanted:
                found.files.append(path)
            elif not entry.name.endswith(ignored_suffix):
                reason = HINTS.get(path.suffix.lower(), UNSUPPORTED)
                found.skipped.append(Skipped(_label(path, root), reason))
    found.files.sort()
    found.skipped.sort(key=lambda s: s.path)
    found.unreadable.sort()
    return found


def _label(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path != root else root.name or str(root)


def _extension(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return suffix or "(no extension)"


def _most_first(count: tuple[str, int]) -> tuple[int, str]:
    return -count[1], count[0]


def _names(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:NAMES_SHOWN])
    rest = len(paths) - NAMES_SHOWN
    return shown + (f" and {rest} more" if rest > 0 else "")


def summary(skipped: Sequence[Skipped], unreadable: Sequence[str]) -> list[str]:
    """One line per reason, every file named once: "skipped 3 files: 2 .pptx, 1 .xlsx —
    unsupported: a.pptx, b.pptx, c.xlsx"; then one line for the folders not listed."""
    lines = []
    by_reason: dict[str, list[str]] = {}
    for item in skipped:
        by_reason.setdefault(item.reason, []).append(item.path)
    for reason, paths in by_reason.items():
        counts = Counter(map(_extension, paths))
        kinds = ", ".join(f"{n} {ext}" for ext, n in sorted(counts.items(), key=_most_first))
        files = "file" if len(paths) == 1 else "files"
        lines.append(f"skipped {len(paths)} {files}: {kinds} — {reason}: {_names(paths)}")
    if unreadable:
        folders = "folder" if len(unreadable) == 1 else "folders"
        lines.append(f"cannot open {len(unreadable)} {folders}, not read: {_names(unreadable)}")
    return lines
