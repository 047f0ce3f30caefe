"""Plain text (.txt): one document a file, with an optional NAME.meta.json beside it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from retrieval.corpus.readers.base import RawDocument, Warn, read_text, why, with_meta

SUFFIXES = (".txt",)
FORMAT = "txt"
META_SUFFIX = ".meta.json"


def sidecar_path(path: Path) -> Path:
    """Where the metadata of the text file ``path`` lives."""
    return path.with_name(path.stem + META_SUFFIX)


def sidecar(path: Path, label: str, warn: Warn) -> dict[str, Any]:
    """The metadata beside ``path`` ({} when there is none or it cannot be used)."""
    meta_path = sidecar_path(path)
    if not meta_path.exists():
        return {}
    meta_label = str(Path(label).with_name(meta_path.name))
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        warn(f"{meta_label}: sidecar ignored, {why(exc)}")
        return {}
    if not isinstance(meta, dict):
        warn(f"{meta_label}: sidecar ignored, expected a JSON object")
        return {}
    return meta


def read(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    text = read_text(path, label, warn)
    if text is not None:
        yield with_meta(doc_id, label, text, sidecar(path, label, warn), warn, FORMAT)
