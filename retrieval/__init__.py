"""Arabic passage retrieval: pure and synchronous. Documents in, Answer out.

This is the whole public surface: everything else in retrieval/ is an implementation detail
(docs/architecture.md says which module does what).
"""

from __future__ import annotations

from retrieval.abstention import Evidence, is_answered
from retrieval.config import (
    ENGINES,
    AbstentionConfig,
    AnalyzerConfig,
    BM25Config,
    RetrievalConfig,
    ScoringConfig,
)
from retrieval.corpus import Corpus, Document, Passage, Skipped, Warn, readable_suffixes
from retrieval.corpus.walk import summary as skipped_summary
from retrieval.errors import CorpusError, InputError, QuestionFileError
from retrieval.evaluate import (
    Outcome,
    Question,
    Report,
    evaluate,
    is_squad,
    load_questions,
    outcomes,
    summarize,
)
from retrieval.index.build import Progress, load_corpus
from retrieval.index.saved import (
    IndexLease,
    SavedIndex,
    lease_index,
    prune_indexes,
    saved_indexes,
)
from retrieval.index.store import (
    IndexDamaged,
    IndexLocation,
    corpus_fingerprint,
    load_saved,
    locate,
    open_retriever,
    optimize_index,
    read_manifest,
    remove_interrupted_builds,
    save_index,
)
from retrieval.search import Answer, Result, Retriever
from retrieval.text.arabic import ELLIPSIS, SENTENCE_SPLIT, is_arabic, shorten, shorten_start
from retrieval.text.normalize import normalize, tokens
from retrieval.text.sentences import Span

__all__ = [
    "ELLIPSIS",
    "ENGINES",
    "SENTENCE_SPLIT",
    "AbstentionConfig",
    "AnalyzerConfig",
    "Answer",
    "BM25Config",
    "Corpus",
    "CorpusError",
    "Document",
    "Evidence",
    "IndexDamaged",
    "IndexLease",
    "IndexLocation",
    "InputError",
    "Outcome",
    "Passage",
    "Progress",
    "Question",
    "QuestionFileError",
    "Report",
    "Result",
    "RetrievalConfig",
    "Retriever",
    "SavedIndex",
    "ScoringConfig",
    "Skipped",
    "Span",
    "Warn",
    "corpus_fingerprint",
    "evaluate",
    "is_answered",
    "is_arabic",
    "is_squad",
    "lease_index",
    "load_corpus",
    "load_questions",
    "load_saved",
    "locate",
    "normalize",
    "open_retriever",
    "optimize_index",
    "outcomes",
    "prune_indexes",
    "read_manifest",
    "readable_suffixes",
    "remove_interrupted_builds",
    "save_index",
    "saved_indexes",
    "shorten",
    "shorten_start",
    "skipped_summary",
    "summarize",
    "tokens",
]
