"""Corpus files -> documents -> cleaned, de-duplicated passages with their citations:
readers/ (one per format), segment, furniture, and assemble (where a Passage is made)."""

from __future__ import annotations

from retrieval.corpus.assemble import Corpus, Document, Passage, make_passage
from retrieval.corpus.readers import (
    META_SUFFIX,
    RawDocument,
    Warn,
    corpus_files,
    read_corpus,
    sidecar_path,
)

__all__ = [
    "META_SUFFIX",
    "Corpus",
    "Document",
    "Passage",
    "RawDocument",
    "Warn",
    "corpus_files",
    "make_passage",
    "read_corpus",
    "sidecar_path",
]
