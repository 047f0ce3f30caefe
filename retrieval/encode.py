"""Passages -> term ids, fast: each written word analysed once, new words stemmed in batches,
and worker processes for large corpora."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice

import numpy as np

from retrieval.analysis import Analyzer, AnalyzerConfig
from retrieval.corpus import Passage
from retrieval.normalize import word_tokens, written_words

# A passage as the index sees it: text, heading, and the title ("" when ranking ignores it).
PassageText = tuple[str, str | None, str]

BATCH_SIZE = 4000  # passages per batch handed to a worker
# Below this many passages worker start-up (about half a second) costs more than it saves.
PARALLEL_MIN_PASSAGES = 30_000
WORD_CACHE_SIZE = 1 << 19  # written words remembered per encoder; cleared when full


def passage_text(passage: Passage) -> PassageText:
    return passage.text, passage.heading, passage.title if passage.titled else ""


@dataclass(frozen=True)
class Batch:
    """Term ids of consecutive passages.

    Raw: ``ids`` holds each passage's terms in Analyzer.passage_terms order. Counted: each
    passage's distinct terms (sorted) with their frequency in ``tf``. ``entries`` tells how
    many ids belong to each passage, ``lengths`` how many terms it has (its BM25 length).
    """

    terms: list[str]  # id -> term of the ids below (a batch's own vocabulary from a worker)
    ids: np.ndarray  # int32
    entries: np.ndarray  # int32, one per passage
    lengths: np.ndarray  # int32, one per passage
    tf: np.ndarray | None = None  # int32, one per id when counted

    @property
    def size(self) -> int:
        return len(self.lengths)


class Vocabulary:
    """Every term of a corpus with its id, in order of first appearance."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self.terms: list[str] = list(terms)
        self.ids: dict[str, int] = {t: i for i, t in enumerate(self.terms)}

    def __len__(self) -> int:
        return len(self.terms)

    def add(self, term: str) -> int:
        """The id of ``term``, added when new."""
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return found

    def merge(self, batch: Batch) -> Batch:
        """``batch`` with its ids translated to this vocabulary (new terms are added)."""
        remap = np.fromiter(map(self.add, batch.terms), dtype=np.int32, count=len(batch.terms))
        return Batch(self.terms, remap[batch.ids], batch.entries, batch.lengths, batch.tf)


class TermEncoder:
    """Turns passages into term ids.

    Python only looks up each written (whitespace-separated) word of a passage in a dict;
    numpy then expands words into their normalized tokens and tokens into one term per
    field. Each distinct written word and token is analysed once, new ones in batches.
    """

    def __init__(self, analyzer: Analyzer, vocabulary: Vocabulary | None = None) -> None:
        if analyzer.config.char_ngrams:
            raise ValueError("n-gram fields vary in length per word: use Analyzer.passage_terms")
        self.analyzer = analyzer
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary()
        self._fields = len(analyzer.fields([]))
        config = analyzer.config
        self._heading_weight, self._title_weight = config.heading_weight, config.title_weight
        self._forget()

    def _forget(self) -> None:
        """Empty the caches (they are rebuilt as words come; the vocabulary stays)."""
        self._word_ids: dict[str, int] = {}  # written word -> word id
        self._word_starts = [0]  # word id -> where its tokens start in _word_tokens
        self._word_tokens: list[int] = []  # token ids, word after word
        self._token_ids: dict[str, int] = {}  # normalized token -> token id
        self._token_terms: list[tuple[int, ...]] = []  # token id -> term id of each field
        self._parts: dict[str, list[int]] = {}  # headings and titles (repeated) -> word ids

    def _learn(self, words: list[str]) -> None:
        new = [w for w in dict.fromkeys(words) if w not in self._word_ids]
        new_tokens = [word_tokens(w) for w in new]
        fresh = [t for t in dict.fromkeys(t for ts in new_tokens for t in ts)]
        fresh = [t for t in fresh if t not in self._token_ids]
        self.analyzer.learn(fresh)
        add = self.vocabulary.add
        for token in fresh:
            self._token_ids[token] = len(self._token_terms)
            fields = self.analyzer.fields([token])
            self._token_terms.append(tuple(add(field[0]) for field in fields))
        for word, found in zip(new, new_tokens, strict=True):
            self._word_ids[word] = len(self._word_starts) - 1
            self._word_tokens += map(self._token_ids.__getitem__, found)
            self._word_starts.append(len(self._word_tokens))

    def _words(self, text: str) -> list[int]:
        words = written_words(text)
        found = list(map(self._word_ids.get, words))
        if None in found:
            self._learn(words)
            found = list(map(self._word_ids.__getitem__, words))
        return found

    def _part(self, text: str, times: int) -> list[int]:
        found = self._parts.get(text)
        if found is None:
            found = self._parts[text] = self._words(text) * times
        return found

    def batch(self, passages: list[PassageText], counted: bool = False) -> Batch:
        """The passages' term ids (in Analyzer.passage_terms order) against the vocabulary."""
        if len(self._word_ids) >= WORD_CACHE_SIZE:
            self._forget()
        words: list[int] = []  # written word ids of all passages
        ends = []
        for text, heading, title in passages:
            words += self._words(text)
            if heading and self._heading_weight:
                words += self._part(heading, self._heading_weight)
            if title and self._title_weight:
                words += self._part(title, self._title_weight)
            ends.append(len(words))
        word_ids = np.array(words, dtype=np.int64)
        starts = np.array(self._word_starts, dtype=np.int64)
        # tokens of every word occurrence, in order
        counts = starts[word_ids + 1] - starts[word_ids]
        first = np.repeat(starts[word_ids] - (np.cumsum(counts) - counts), counts)
        tokens = np.array(self._word_tokens, dtype=np.int64)[first + np.arange(counts.sum())]
        # tokens per passage, then each field's terms of a passage after one another
        cumulative = np.concatenate(([0], np.cumsum(counts)))
        passage_end = cumulative[np.array(ends, dtype=np.int64)]
        per_passage = np.diff(passage_end, prepend=0)
        passage = np.repeat(np.arange(len(ends)), per_passage)
        passage_start = (passage_end - per_passage)[passage]
        within = np.arange(len(tokens)) - passage_start
        table = np.array(self._token_terms, dtype=np.int32).reshape(-1, self._fields)
        ids = np.empty(len(tokens) * self._fields, dtype=np.int32)
        for f in range(self._fields):
            ids[self._fields * passage_start + f * per_passage[passage] + within] = table[tokens, f]
        lengths = (per_passage * self._fields).astype(np.int32)
        if not counted:
            return Batch(self.vocabulary.terms, ids, lengths, lengths)
        return count_terms(self.vocabulary.terms, ids, lengths)


def count_terms(terms: list[str], ids: np.ndarray, lengths: np.ndarray) -> Batch:
    """Each passage's distinct term ids (sorted) with their frequencies."""
    passage = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    keys, tf = np.unique(passage * len(terms) + ids, return_counts=True)
    entries = np.bincount(keys // len(terms), minlength=len(lengths)).astype(np.int32)
    return Batch(terms, (keys % len(terms)).astype(np.int32), entries, lengths, tf.astype(np.int32))


_worker: TermEncoder | None = None


def _start_worker(config: AnalyzerConfig) -> None:
    global _worker
    _worker = TermEncoder(Analyzer(config))


def _encode_in_worker(passages: list[PassageText], counted: bool) -> Batch:
    """A batch with its own small vocabulary, so only the terms it uses cross the pipe."""
    assert _worker is not None
    batch = _worker.batch(passages, counted=False)
    used, local = np.unique(batch.ids, return_inverse=True)
    terms = [_worker.vocabulary.terms[i] for i in used.tolist()]
    if counted:
        return count_terms(terms, local.astype(np.int32), batch.lengths)
    return Batch(terms, local.astype(np.int32), batch.entries, batch.lengths)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def encode_passages(
    passages: Iterable[PassageText],
    config: AnalyzerConfig,
    vocabulary: Vocabulary,
    counted: bool = False,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Batch]:
    """Term ids of ``passages`` against ``vocabulary`` (which grows), batch after batch, in
    order. The first PARALLEL_MIN_PASSAGES are encoded here; the rest, when there are more,
    by ``workers`` processes (default: one per core) while the caller reads the next ones."""
    workers = default_workers() if workers is None else workers
    encoder = TermEncoder(Analyzer(config), vocabulary)
    source = iter(passages)
    done = 0
    while done < PARALLEL_MIN_PASSAGES or workers < 2:
        chunk = list(islice(source, BATCH_SIZE))
        if not chunk:
            return
        yield encoder.batch(chunk, counted)
        done += len(chunk)
        if progress:
            progress(len(chunk))
    # spawn, not fork: the caller may run threads (a progress bar) that fork would copy mid-work
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, context, initializer=_start_worker, initargs=(config,)
    ) as pool:
        pending: deque[Future[Batch]] = deque()
        while chunk := list(islice(source, BATCH_SIZE)):
            pending.append(pool.submit(_encode_in_worker, chunk, counted))
            while len(pending) > 2 * workers or (pending and pending[0].done()):
                batch = pending.popleft().result()
                yield vocabulary.merge(batch)
                if progress:
                    progress(batch.size)
        while pending:
            batch = pending.popleft().result()
            yield vocabulary.merge(batch)
            if progress:
                progress(batch.size)
