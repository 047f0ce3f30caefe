"""Corpus files -> documents -> cleaned, de-duplicated passages with their citations."""

from __future__ import annotations

from retrieval.corpus.assemble import (
    Assembler,
    Corpus,
    CorpusDocument,
    Document,
    Passage,
    PreparedDocument,
    collecting,
    make_passage,
    no_passages,
    prepare_document,
)
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
    "Assembler",
    "Corpus",
    "CorpusDocument",
    "Document",
    "Passage",
    "PreparedDocument",
    "RawDocument",
    "Warn",
    "collecting",
    "corpus_files",
    "make_passage",
    "no_passages",
    "prepare_document",
    "read_corpus",
    "sidecar_path",
]
