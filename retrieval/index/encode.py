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
from retrieval.corpus.assemble import section_key
from retrieval.engines.postings import Batch, Vocabulary, make_batch
from retrieval.index import scan
from retrieval.text.normalize import recent_tokens, word_tokens, written_word_tokens, written_words

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


def _positions(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """starts[i], starts[i] + 1, ... (counts[i] of them), for every i, one after another."""
    total = int(counts.sum())
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + np.arange(total) - offsets


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
        native: bool = True,
    ) -> None:
        self.analyzer = analyzer
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary()
        self._tokenize = tokenize
        self._fields = len(analyzer.fields([]))
        config = analyzer.config
        self._heading_weight, self._title_weight = config.heading_weight, config.title_weight
        # the texts' written words looked up in C (scan.py) when the compiled core is there
        self._scanner = (
            scan.WordScanner(self._define_words) if native and scan.available() else None
        )
        self._forget()

    def _forget(self) -> None:
        """Empty the caches (they are rebuilt as words come; the vocabulary stays)."""
        self._token_ids: dict[str, int] = {}  # normalized token -> token id
        self._token_terms = Growing(self._fields)  # token id -> term id of each field
        self._words: dict[str, tuple[int, ...]] = {}  # written word -> its token ids
        self._parts: dict[str, list[int]] = {}  # headings and titles (repeated) -> token ids
        if self._scanner is not None:
            self._scanner.clear()

    def _learn(self, tokens: Iterable[str]) -> None:
        fresh = [t for t in dict.fromkeys(tokens) if t not in self._token_ids]
        self.analyzer.learn(fresh)
        add = self.vocabulary.add
        first = len(self._token_terms.items)
        for token in fresh:
            self._token_ids[token] = len(self._token_terms.items)
            fields = self.analyzer.fields([token])
            self._token_terms.items.append(tuple(add(field[0]) for field in fields))
        if self._scanner is not None:
            self._scanner.add_hashes(first, fresh)

    def _define_words(self, words: list[str]) -> list[list[int]]:
        """The token ids of new written words (for the scanner)."""
        tokens = [word_tokens(word) for word in words]
        self._learn(t for found in tokens for t in found)
        ids = self._token_ids
        return [[ids[t] for t in found] for found in tokens]

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
        return self.encode(passages, counted)[0]

    def _cached(self) -> int:
        scanned = len(self._scanner) if self._scanner is not None else 0
        return max(len(self._token_ids), len(self._words), len(self._parts), scanned)

    def _extras(self, heading: str | None, title: str) -> list[int]:
        """The heading's and title's token ids a passage adds (repeated by their weights)."""
        extra: list[int] = []
        if heading and self._heading_weight:
            extra = self._part(heading, self._heading_weight)
        if title and self._title_weight:
            extra = extra + self._part(title, self._title_weight)
        return extra

    def _python_tokens(self, passages: list[PassageText]) -> tuple[np.ndarray, np.ndarray]:
        found: list[int] = []  # token ids of all passages
        ends = []
        for text, heading, title in passages:
            found += self._tokens(text)
            found += self._extras(heading, title)
            ends.append(len(found))
        return np.array(found, dtype=np.int64), np.array(ends, dtype=np.int64)

    def _scanned_tokens(
        self, passages: list[PassageText]
    ) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
        """Token ids and passage ends as _python_tokens gives them, the texts' words looked
        up in C, with each text's de-duplication key."""
        assert self._scanner is not None
        texts = [p[0] for p in passages]
        scanned = self._scanner.scan(texts)
        text_tokens, text_counts, keys = scanned.tokens, scanned.counts, scanned.keys
        if scanned.python:  # texts with presentation forms: tokenized in Python
            pieces = np.split(text_tokens, np.cumsum(text_counts)[:-1])
            for i in scanned.python:
                ids = self._tokens(texts[i])
                pieces[i] = np.array(ids, dtype=np.int32)
                keys[i] = self._scanner.key(ids)
            text_counts = np.fromiter(map(len, pieces), np.int64, len(pieces))
            text_tokens = np.concatenate(pieces) if pieces else text_tokens
        extras = [self._extras(heading, title) for _, heading, title in passages]
        extra_counts = np.fromiter(map(len, extras), np.int64, len(extras))
        per_passage = text_counts + extra_counts
        ends = np.cumsum(per_passage)
        starts = ends - per_passage
        tokens = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
        tokens[_positions(starts, text_counts)] = text_tokens
        flat = np.fromiter(chain.from_iterable(extras), np.int64, int(extra_counts.sum()))
        tokens[_positions(starts + text_counts, extra_counts)] = flat
        return tokens, ends, keys

    def encode(
        self, passages: list[PassageText], counted: bool = False
    ) -> tuple[Batch, list[bytes]]:
        """The passages' term ids (in Analyzer.passage_terms order) against the vocabulary,
        and the de-duplication key of each one's text (assemble.section_key's equality)."""
        if self.analyzer.config.char_ngrams:  # a study setting: n-grams vary per word
            return self._slow_batch(passages, counted), [section_key(p[0]) for p in passages]
        if self._cached() >= WORD_CACHE_SIZE:
            self._forget()
        if self._scanner is not None and passages:
            tokens, passage_end, keys = self._scanned_tokens(passages)
        else:
            tokens, passage_end = self._python_tokens(passages)
            keys = [section_key(p[0]) for p in passages]
        # each field's terms of a passage after one another, as Analyzer.terms orders them
        per_passage = np.diff(passage_end, prepend=0)
        passage = np.repeat(np.arange(len(passage_end)), per_passage)
        passage_start = (passage_end - per_passage)[passage]
        within = np.arange(len(tokens)) - passage_start
        table = self._token_terms.array()
        ids = np.empty(len(tokens) * self._fields, dtype=np.int32)
        for f in range(self._fields):
            ids[self._fields * passage_start + f * per_passage[passage] + within] = table[tokens, f]
        lengths = (per_passage * self._fields).astype(np.int32)
        return make_batch(ids, lengths, counted), keys

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


def encode_in_worker(passages: list[PassageText], counted: bool) -> tuple[WorkerBatch, list[bytes]]:
    """Encode in a worker process, with the texts' keys; the caller translates the batch
    with WorkerTerms.translate."""
    global _worker_terms_sent
    assert _worker is not None, "start_worker was not called in this process"
    batch, keys = _worker.encode(passages, counted)
    terms = _worker.vocabulary.terms
    new_terms, _worker_terms_sent = terms[_worker_terms_sent:], len(terms)
    return WorkerBatch(os.getpid(), new_terms, batch), keys
