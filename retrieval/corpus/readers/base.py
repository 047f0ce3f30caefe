"""What every reader shares: the raw document it yields, the warn callback, decoding."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

Warn = Callable[[str], None]


@dataclass(frozen=True)
class RawDocument:
    """A document as read from disk, before splitting into passages."""

    doc_id: str
    source: str
    text: str | None = None  # free text, to be segmented
    contexts: tuple[str, ...] = ()  # pre-split passages (SQuAD contexts), never re-split
    title: str | None = None
    url: str | None = None
    date: str | None = None


class Reader(Protocol):
    """Yields the raw documents of one file; problems go to ``warn``, never raised."""

    def __call__(
        self, path: Path, doc_id: str, label: str, warn: Warn
    ) -> Iterator[RawDocument]: ...


def read_text(path: Path, label: str, warn: Warn) -> str | None:
    """The file's text, or None (with a warning) when it cannot be used as text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        warn(f"{label}: cannot read ({exc.strerror or exc})")
        return None
    if b"\x00" in data[:8192]:
        warn(f"{label}: skipped, looks like a binary file")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        warn(f"{label}: skipped, not UTF-8 (bad byte at offset {exc.start})")
        return None
    if not text.strip():
        warn(f"{label}: skipped, empty file")
        return None
    return text


def meta_field(meta: dict, key: str) -> str | None:
    value = meta.get(key)
    return str(value).strip() or None if value is not None else None


def why(exc: Exception) -> str:
    """A JSON or decoding error in a few words."""
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    return str(exc)


def with_meta(doc_id: str, source: str, text: str, meta: dict) -> RawDocument:
    """A free-text document with the optional title, url and date of ``meta``."""
    return RawDocument(
        doc_id=doc_id,
        source=source,
        text=text,
        title=meta_field(meta, "title"),
        url=meta_field(meta, "url"),
        date=meta_field(meta, "date"),
    )
