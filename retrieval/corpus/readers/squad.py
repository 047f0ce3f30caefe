"""SQuAD-format .json: an article is a document, each paragraph's context one passage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from retrieval.corpus.readers.base import RawDocument, Warn, meta_field, read_text, why

SUFFIXES = (".json",)
FORMAT = "squad"


def read(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    text = read_text(path, label, warn)
    if text is None:
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        warn(f"{label}: skipped, {why(exc)}")
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
                title=meta_field(article, "title", f"{label}: article {number}", warn),
                url=meta_field(article, "url", f"{label}: article {number}", warn),
                format=FORMAT,
            )
