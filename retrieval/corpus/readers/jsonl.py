"""JSON lines (.jsonl): one document a line, {"text": ..., "title", "url", "date"}."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from retrieval.corpus.readers.base import RawDocument, Warn, read_text, why, with_meta

SUFFIXES = (".jsonl",)


def read(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    text = read_text(path, label, warn)
    if text is None:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            warn(f"{label}:{number}: skipped line, {why(exc)}")
            continue
        body = record.get("text") if isinstance(record, dict) else None
        if not isinstance(body, str) or not body.strip():
            warn(f"{label}:{number}: skipped line, needs a non-empty string field 'text'")
            continue
        yield with_meta(f"{doc_id}-{number}", f"{label}:{number}", body, record)
