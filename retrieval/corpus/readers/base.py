"""What every reader shares: the raw document it yields, the warn callback, reading and
decoding files, metadata fields."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from retrieval.corpus.readers.encoding import decode, has_bom
from retrieval.text.arabic import shorten

Warn = Callable[[str], None]

# A title, url or date longer than this in a file's metadata is not one (a title is cut to it,
# a url or date is ignored): no metadata field makes a citation unbounded.
METADATA_MAX_CHARS = 300
PAGE_BREAK = "\f"  # between the pages of a paged document's text (as pdftotext writes them)


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
    format: str = "txt"  # what `marjaa sources --json` shows: txt, md, html, pdf, docx, …
    # Paged documents (PDF): ``text`` holds the pages separated by PAGE_BREAK, and every
    # passage is cited with the page it starts on
    pages: int | None = None


class Reader(Protocol):
    """Yields the raw documents of one file; problems go to ``warn``, never raised."""

    def __call__(
        self, path: Path, doc_id: str, label: str, warn: Warn
    ) -> Iterator[RawDocument]: ...


def read_bytes(path: Path, label: str, warn: Warn) -> bytes | None:
    """The file's bytes, or None (with a warning) when it cannot be read or is empty."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        warn(f"{label}: cannot read ({exc.strerror or exc})")
        return None
    if not data.strip():
        warn(f"{label}: skipped, empty file")
        return None
    return data


def decode_text(data: bytes, label: str, warn: Warn) -> str | None:
    """Bytes of a text file as text (docs/formats.md: the encodings), or None with a warning;
    the encoding assumed for a file that is not Unicode is named in a warning."""
    if b"\x00" in data[:8192] and not has_bom(data):
        warn(f"{label}: skipped, looks like a binary file")
        return None
    try:
        decoded = decode(data)
    except UnicodeDecodeError as exc:
        name = exc.encoding.upper()
        warn(f"{label}: skipped, it starts with a {name} byte-order mark but is not {name}")
        return None
    if decoded.legacy:
        warn(f"{label}: not UTF-8, read as {decoded.name}")
    text = decoded.text
    if not text.strip():
        warn(f"{label}: skipped, empty file")
        return None
    return text


def read_text(path: Path, label: str, warn: Warn) -> str | None:
    """The file's text, or None (with a warning) when it cannot be used as text."""
    data = read_bytes(path, label, warn)
    return None if data is None else decode_text(data, label, warn)


def meta_field(meta: Mapping[str, Any], key: str, label: str, warn: Warn) -> str | None:
    """The metadata value ``key`` when it is a usable string; anything else (a number, a list,
    an object) is ignored with a warning, never turned into text."""
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        warn(f"{label}: '{key}' ignored, expected a string, not {json_type(value)}")
        return None
    value = " ".join(value.split())
    if len(value) > METADATA_MAX_CHARS:
        if key != "title":
            warn(f"{label}: '{key}' ignored, longer than {METADATA_MAX_CHARS} characters")
            return None
        value = shorten(value, METADATA_MAX_CHARS)
    return value or None


# " | ", " - ", " – ", " :: " between a headline and a site's name in a page's or PDF's title
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—:»«]{1,2})\s+")


def title_pieces(title: str) -> list[str]:
    """The parts of a title around its separators, longest first ("headline | site")."""
    pieces = [" ".join(piece.split()) for piece in _TITLE_SEPARATORS.split(title)]
    return sorted((piece for piece in pieces if piece), key=len, reverse=True)


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type, as people writing JSON know them."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    names = {str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def why(exc: Exception) -> str:
    """A JSON or decoding error in a few words."""
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    return str(exc)


def with_meta(
    doc_id: str, source: str, text: str, meta: Mapping[str, Any], warn: Warn, format: str
) -> RawDocument:
    """A free-text document with the optional title, url and date of ``meta``."""
    return RawDocument(
        doc_id=doc_id,
        source=source,
        text=text,
        title=meta_field(meta, "title", source, warn),
        url=meta_field(meta, "url", source, warn),
        date=meta_field(meta, "date", source, warn),
        format=format,
    )
