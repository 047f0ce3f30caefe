"""JSON lines (.jsonl): one document a line, {"text": ..., "title", "url", "date"}. A bad line
(not UTF-8, not JSON, no text) is skipped and named by its number; the rest of the file loads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from retrieval.corpus.readers.base import RawDocument, Warn, read_bytes, with_meta

SUFFIXES = (".jsonl",)
FORMAT = "jsonl"


def read(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    data = read_bytes(path, label, warn)
    if data is None:
        return
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # bytes are split first and each line decoded alone, so one bad byte costs one line
    for number, raw_line in enumerate(data.splitlines(), start=1):
        if not raw_line.strip():
            continue
        where = f"{label}:{number}"
        try:
            line = raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            warn(f"{where}: skipped line, not UTF-8 (bad byte at column {exc.start + 1})")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            warn(f"{where}: skipped line, invalid JSON at column {exc.colno}")
            continue
        body = record.get("text") if isinstance(record, dict) else None
        if not isinstance(body, str) or not body.strip():
            warn(f"{where}: skipped line, needs a non-empty string field 'text'")
            continue
        yield with_meta(f"{doc_id}-{number}", where, body, record, warn, FORMAT)
