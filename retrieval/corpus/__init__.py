"""Corpus files -> documents -> cleaned, de-duplicated passages with their citations:
readers/ (one per format), segment, furniture, and assemble (where a Passage is made)."""

from __future__ import annotations

from retrieval.corpus.assemble import Corpus, Document, Passage, make_passage
from retrieval.corpus.readers import (
    META_SUFFIX,
    READERS,
    CorpusFiles,
    RawDocument,
    Skipped,
    Warn,
    corpus_files,
    read_corpus,
    sidecar_path,
)

__all__ = [
    "META_SUFFIX",
    "Corpus",
    "CorpusFiles",
    "Document",
    "Passage",
    "RawDocument",
    "Skipped",
    "Warn",
    "corpus_files",
    "make_passage",
    "read_corpus",
    "readable_suffixes",
    "sidecar_path",
]


def readable_suffixes() -> tuple[str, ...]:
    """The file extensions a reader is registered for (".txt", ...), as the registry is now."""
    return tuple(sorted(READERS))
