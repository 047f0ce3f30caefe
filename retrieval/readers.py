"""Read corpus files (.txt/.md, .jsonl, SQuAD .json) into raw documents, warning on bad input."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = (".txt", ".md")
CORPUS_SUFFIXES = (*TEXT_SUFFIXES, ".jsonl", ".json")
META_SUFFIX = ".meta.json"

Warn = Callable[[str], None]


class CorpusError(Exception):
    """The corpus cannot be used at all (missing path, nothing usable)."""


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


def corpus_files(path: Path) -> list[Path]:
    """The corpus files under ``path`` (or ``path`` itself), in a stable order."""
    if not path.exists():
        raise CorpusError(f"corpus not found: {path}")
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in CORPUS_SUFFIXES
        and not p.name.endswith(META_SUFFIX)
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )


def _read_text(path: Path, label: str, warn: Warn) -> str | None:
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


def _meta_field(meta: dict, key: str) -> str | None:
    value = meta.get(key)
    return str(value).strip() or None if value is not None else None


def _sidecar(path: Path, label: str, warn: Warn) -> dict:
    meta_path = path.with_name(path.stem + META_SUFFIX)
    if not meta_path.exists():
        return {}
    meta_label = str(Path(label).with_name(meta_path.name))
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        warn(f"{meta_label}: sidecar ignored, {_why(exc)}")
        return {}
    if not isinstance(meta, dict):
        warn(f"{meta_label}: sidecar ignored, expected a JSON object")
        return {}
    return meta


def _why(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    return str(exc)


def _with_meta(doc_id: str, source: str, text: str, meta: dict) -> RawDocument:
    """A free-text document with the optional title, url and date of ``meta``."""
    return RawDocument(
        doc_id=doc_id,
        source=source,
        text=text,
        title=_meta_field(meta, "title"),
        url=_meta_field(meta, "url"),
        date=_meta_field(meta, "date"),
    )


def _read_plain(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    text = _read_text(path, label, warn)
    if text is not None:
        yield _with_meta(doc_id, label, text, _sidecar(path, label, warn))


def _read_jsonl(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    text = _read_text(path, label, warn)
    if text is None:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            warn(f"{label}:{number}: skipped line, {_why(exc)}")
            continue
        body = record.get("text") if isinstance(record, dict) else None
        if not isinstance(body, str) or not body.strip():
            warn(f"{label}:{number}: skipped line, needs a non-empty string field 'text'")
            continue
        yield _with_meta(f"{doc_id}-{number}", f"{label}:{number}", body, record)


def _read_squad(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    text = _read_text(path, label, warn)
    if text is None:
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        warn(f"{label}: skipped, {_why(exc)}")
        return
    articles = data.get("data") if isinstance(data, dict) else None
    if not isinstance(articles, list):
        warn(f"{label}: skipped, not SQuAD format (expected an object with a 'data' list)")
        return
    for number, article in enumerate(articles, start=1):
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        if not isinstance(paragraphs, list):
            warn(f"{label}: article {number} skipped, it has no 'paragraphs' list")
            continue
        contexts = tuple(
            p["context"]
            for p in paragraphs
            if isinstance(p, dict) and isinstance(p.get("context"), str) and p["context"].strip()
        )
        if len(contexts) < len(paragraphs):
            warn(f"{label}: article {number}: {len(paragraphs) - len(contexts)} bad paragraphs")
        if contexts:
            yield RawDocument(
                doc_id=f"{doc_id}-{number}",
                source=label,
                contexts=contexts,
                title=_meta_field(article, "title"),
                url=_meta_field(article, "url"),
            )


def read_file(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    """Yield the raw documents of one corpus file; problems go to ``warn``."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _read_jsonl(path, doc_id, label, warn)
    if suffix == ".json":
        return _read_squad(path, doc_id, label, warn)
    return _read_plain(path, doc_id, label, warn)
