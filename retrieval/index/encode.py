"""Passages -> term ids, fast: each written word analysed once, new words stemmed in batches;
in worker processes, each worker's own term ids translated into the build's vocabulary."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from retrieval.analysis import Analyzer
from retrieval.config import AnalyzerConfig
from retrieval.corpus import Passage
from retrieval.engines.postings import Batch, Vocabulary, make_batch
from retrieval.text.normalize import recent_tokens, written_word_tokens, written_words

# A passage as the index sees it: text, heading, and the title ("" when ranking ignores it).
PassageText = tuple[str, str | None, str]

WORD_CACHE_SIZE = 1 << 19  # tokens (and titles) remembered per encoder; cleared when full


def passage_text(passage: Passage) -> PassageText:
    return passage.text, passage.heading, passage.title if passage.titled else ""


@dataclass(frozen=True)
class WorkerBatch:
    """A batch in a worker's own term ids, with the terms that worker met since its last
    batch (so that each term crosses the pipe once per worker)."""

    worker: int  # process id
    new_terms: list[str]
    batch: Batch


class WorkerTerms:
    """Translates the batches of worker processes into one vocabulary's ids."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._remaps: dict[int, np.ndarray] = {}  # worker -> its term ids in the vocabulary

    def translate(self, batch: WorkerBatch) -> Batch:
        """A worker's batch in the vocabulary's ids (the worker's new terms are added)."""
        remap = self._remaps.get(batch.worker, np.zeros(0, dtype=np.int32))
        if batch.new_terms:
            added = np.array([self.vocabulary.add(t) for t in batch.new_terms], dtype=np.int32)
            remap = self._remaps[batch.worker] = np.concatenate([remap, added])
        b = batch.batch
        return Batch(remap[b.ids], b.lengths, b.passages, b.tf)


class Growing:
    """Rows that only grow, with a numpy copy updated by converting only the new rows."""

    def __init__(self, width: int) -> None:
        self.items: list[tuple[int, ...]] = []
        self._array = np.zeros((0, width), dtype=np.int64)

    def array(self) -> np.ndarray:
        if len(self._array) < len(self.items):
            new = np.array(self.items[len(self._array) :], dtype=np.int64)
            self._array = np.concatenate([self._array, new.reshape(-1, self._array.shape[1])])
        return self._array


class TermEncoder:
    """Turns passages into term ids.

    Python only looks up each word of a passage in a dict; numpy then turns tokens into
    one term per field and orders them. Each distinct word and token is analysed once, new
    tokens in batches. Words are the written (whitespace-separated) words of the text, or,
    with ``tokenize`` (normalize.recent_tokens where indexing has just tokenized the
    passages to check them for furniture and repeats), its tokens.
    """

    def __init__(
        self,
        analyzer: Analyzer,
        vocabulary: Vocabulary | None = None,
        tokenize: Callable[[str], Sequence[str]] | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary()
        self._tokenize = tokenize
        self._fields = len(analyzer.fields([]))
        config = analyzer.config
        self._heading_weight, self._title_weight = config.heading_weight, config.title_weight
        self._forget()

    def _forget(self) -> None:
        """Empty the caches (they are rebuilt as words come; the vocabulary stays)."""
        self._token_ids: dict[str, int] = {}  # normalized token -> token id
        self._token_terms = Growing(self._fields)  # token id -> term id of each field
        self._words: dict[str, tuple[int, ...]] = {}  # written word -> its token ids
        self._parts: dict[str, list[int]] = {}  # headings and titles (repeated) -> token ids

    def _learn(self, tokens: Iterable[str]) -> None:
        fresh = [t for t in dict.fromkeys(tokens) if t not in self._token_ids]
        self.analyzer.learn(fresh)
        add = self.vocabulary.add
        for token in fresh:
            self._token_ids[token] = len(self._token_terms.items)
            fields = self.analyzer.fields([token])
            self._token_terms.items.append(tuple(add(field[0]) for field in fields))

    def _tokens(self, text: str) -> list[int]:
        """The token ids of ``text``."""
        if self._tokenize is not None:
            tokens = self._tokenize(text)
            found = list(map(self._token_ids.get, tokens))
            if None in found:
                self._learn(tokens)
                found = list(map(self._token_ids.__getitem__, tokens))
            return found
        words = written_words(text)
        known = list(map(self._words.get, words))
        if None in known:
            new = {w: written_word_tokens(w) for w in words if w not in self._words}
            self._learn(t for tokens in new.values() for t in tokens)
            for word, tokens in new.items():
                self._words[word] = tuple(map(self._token_ids.__getitem__, tokens))
            known = list(map(self._words.__getitem__, words))
        return list(chain.from_iterable(known))

    def _part(self, text: str, times: int) -> list[int]:
        found = self._parts.get(text)
        if found is None:
            found = self._parts[text] = self._tokens(text) * times
        return found

    def batch(self, passages: list[PassageText], counted: bool = False) -> Batch:
        """The passages' term ids (in Analyzer.passage_terms order) against the vocabulary."""
        if self.analyzer.config.char_ngrams:  # a study setting: n-grams vary per word
            return self._slow_batch(passages, counted)
        if max(len(self._token_ids), len(self._words), len(self._parts)) >= WORD_CACHE_SIZE:
            self._forget()
        found: list[int] = []  # token ids of all passages
        ends = []
        for text, heading, title in passages:
            found += self._tokens(text)
            if heading and self._heading_weight:
                found += self._part(heading, self._heading_weight)
            if title and self._title_weight:
                found += self._part(title, self._title_weight)
            ends.append(len(found))
        tokens = np.array(found, dtype=np.int64)
        # each field's terms of a passage after one another, as Analyzer.terms orders them
        passage_end = np.array(ends, dtype=np.int64)
        per_passage = np.diff(passage_end, prepend=0)
        passage = np.repeat(np.arange(len(ends)), per_passage)
        passage_start = (passage_end - per_passage)[passage]
        within = np.arange(len(tokens)) - passage_start
        table = self._token_terms.array()
        ids = np.empty(len(tokens) * self._fields, dtype=np.int32)
        for f in range(self._fields):
            ids[self._fields * passage_start + f * per_passage[passage] + within] = table[tokens, f]
        lengths = (per_passage * self._fields).astype(np.int32)
        return make_batch(ids, lengths, counted)

    def _slow_batch(self, passages: list[PassageText], counted: bool) -> Batch:
        encoded = [
            list(map(self.vocabulary.add, self.analyzer.passage_terms(*p))) for p in passages
        ]
        lengths = np.array([len(ids) for ids in encoded], dtype=np.int32)
        ids = np.array([i for e in encoded for i in e], dtype=np.int32)
        return make_batch(ids, lengths, counted)


_worker: TermEncoder | None = None
_worker_terms_sent = 0


def start_worker(config: AnalyzerConfig, recent: bool = False) -> None:
    """Worker process initializer: one encoder, whose caches serve all its batches
    (``recent``: the worker tokenizes passages just before it encodes them)."""
    global _worker
    _worker = TermEncoder(Analyzer(config), tokenize=recent_tokens if recent else None)


def encode_in_worker(passages: list[PassageText], counted: bool) -> WorkerBatch:
    """Encode in a worker process; the caller translates with WorkerTerms.translate."""
    global _worker_terms_sent
    assert _worker is not None, "start_worker was not called in this process"
    batch = _worker.batch(passages, counted)
    terms = _worker.vocabulary.terms
    new_terms, _worker_terms_sent = terms[_worker_terms_sent:], len(terms)
    return WorkerBatch(os.getpid(), new_terms, batch)
