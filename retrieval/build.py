"""Build an index from corpus files into a folder: documents are read here, segmented and
analysed in worker processes for large corpora, then assembled in corpus order
(de-duplication) and written out as they come, so the corpus never sits in memory."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.analysis import Analyzer, AnalyzerConfig
from retrieval.bm25s_engine import BM25SEngine, Statistics
from retrieval.corpus import (
    Assembler,
    PreparedDocument,
    collecting,
    no_passages,
    prepare_document,
    read_corpus,
)
from retrieval.encode import (
    Batch,
    PassageText,
    TermEncoder,
    Vocabulary,
    WorkerBatch,
    encode_in_worker,
    start_worker,
)
from retrieval.index import BM25Config, Engine, RankBM25Engine, resolve_engine
from retrieval.normalize import recent_tokens
from retrieval.readers import RawDocument, Warn
from retrieval.records import (
    DOCUMENTS,
    PASSAGES,
    LazySequence,
    RecordWriter,
    document_row,
    passage_row,
)
from retrieval.search import RetrievalConfig
from retrieval.workers import available_cores, ordered_map

# Below this much corpus text, starting worker processes (about a second) costs more than
# they save.
PARALLEL_MIN_BYTES = 16_000_000
BATCH_CHARACTERS = 1_000_000  # document text per batch handed to a worker

# stage, done, total (None: unknown)
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Built:
    engine: Engine
    documents: int
    passages: int
    warnings: list[str]
    corpus_files: list[Path]
    files: list[Path]  # what was written into the folder


def _section_texts(prepared: list[PreparedDocument]) -> list[PassageText]:
    return [(s.text, s.heading, doc.ranked_title) for doc in prepared for s in doc.sections]


def prepare_in_worker(
    job: tuple[list[RawDocument], bool],
) -> tuple[list[PreparedDocument], WorkerBatch]:
    """Segment documents and analyse all their sections (in a worker process)."""
    raws, counted = job
    prepared = [prepare_document(raw) for raw in raws]
    return prepared, encode_in_worker(_section_texts(prepared), counted)


def _batches(raws: Iterable[RawDocument]) -> Iterator[list[RawDocument]]:
    batch: list[RawDocument] = []
    size = 0
    for raw in raws:
        batch.append(raw)
        size += len(raw.text or "") + sum(map(len, raw.contexts))
        if size >= BATCH_CHARACTERS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _prepared(
    raws: Iterable[RawDocument],
    config: AnalyzerConfig,
    vocabulary: Vocabulary,
    workers: int,
    counted: Callable[[], bool],
) -> Iterator[tuple[list[PreparedDocument], Batch]]:
    """Prepared documents with the term ids of all their sections, batch after batch
    (counted when ``counted()`` says so as the batch is handed out)."""
    if workers < 2:
        encoder = TermEncoder(Analyzer(config), vocabulary, tokenize=recent_tokens)
        for batch in _batches(raws):
            prepared = [prepare_document(raw) for raw in batch]
            yield prepared, encoder.batch(_section_texts(prepared), counted())
        return
    jobs = ((batch, counted()) for batch in _batches(raws))
    for prepared, batch in ordered_map(
        prepare_in_worker, jobs, workers, start_worker, (config, True)
    ):
        yield prepared, vocabulary.translate(batch)


class Postings:
    """Term-id batches waiting for the engine: in analysis order while rank-bm25 may be the
    engine; counted (what bm25s needs) once it will be bm25s, and then kept on disk, so
    that building a million passages holds only the matrix in memory."""

    def __init__(self, engine: str, folder: Path, vocabulary: Vocabulary) -> None:
        self._engine = engine
        self._folder = folder
        self._vocabulary = vocabulary
        self._raw: list[Batch] = []
        self._files: list[Path] = []
        self._df = np.zeros(0, dtype=np.int64)
        self._lengths: list[np.ndarray] = []
        self.passages = 0
        self.counted = self.engine() == "bm25s"  # whether batches are counted from now on

    def engine(self) -> str:
        """The engine for the passages so far ("auto" can only move on to bm25s)."""
        return resolve_engine(self._engine, self.passages)

    def add(self, batch: Batch) -> None:
        self.passages += batch.size
        if not self.counted and self.engine() == "bm25s":
            self.counted = True
            for raw in self._raw:
                self._spill(raw.counted())
            self._raw = []
        if self.counted:
            self._spill(batch.counted())
        else:
            self._raw.append(batch)

    def _spill(self, batch: Batch) -> None:
        # counted as they pass, so that indexing reads the spilled batches only once
        counts = np.bincount(batch.ids, minlength=len(self._vocabulary))
        self._df = np.concatenate([self._df, np.zeros(len(counts) - len(self._df), np.int64)])
        self._df += counts
        self._lengths.append(batch.lengths)
        self._folder.mkdir(exist_ok=True)
        path = self._folder / f"{len(self._files):06d}.npy"
        with path.open("wb") as file:
            for array in (batch.ids, batch.lengths, batch.passages, batch.tf):
                np.save(file, array)
        self._files.append(path)

    def build(self, config: BM25Config) -> Engine:
        """The engine over every batch added."""
        if not self.counted:
            return RankBM25Engine.build(self._raw, self._vocabulary, config)
        statistics = Statistics(self._df, np.concatenate(self._lengths))
        batches = _Spilled(self._files)
        return BM25SEngine.build(batches, self._vocabulary, config, statistics)

    def remove(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)


class _Spilled(LazySequence[Batch]):
    """Counted batches read back from disk one at a time."""

    def __init__(self, files: list[Path]) -> None:
        self._files = files

    def __len__(self) -> int:
        return len(self._files)

    def _item(self, index: int) -> Batch:
        with self._files[index].open("rb") as file:
            ids, lengths, passages, tf = (np.load(file) for _ in range(4))
        return Batch(ids, lengths, passages, tf)


def build_index(
    corpus: str | Path,
    folder: Path,
    config: RetrievalConfig,
    warn: Warn,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Built:
    """Read, analyse and index the corpus at ``corpus``; write everything into ``folder``.

    Raises CorpusError when the corpus is missing or has no usable passage.
    """
    warnings: list[str] = []
    collect = collecting(warn, warnings)

    read_files = 0

    def file_done(_: Path) -> None:
        nonlocal read_files
        read_files += 1
        if progress:
            progress("read", read_files, len(files))

    root, files, raws = read_corpus(corpus, collect, on_file=file_done)
    if workers is None:
        big = sum(f.stat().st_size for f in files) >= PARALLEL_MIN_BYTES
        workers = available_cores() if big else 1
    vocabulary = Vocabulary()
    postings = Postings(config.engine, folder / "postings", vocabulary)
    documents = RecordWriter(folder / DOCUMENTS)
    passages = RecordWriter(folder / PASSAGES)
    assembler = Assembler(collect)
    batches = _prepared(raws, config.analyzer, vocabulary, workers, lambda: postings.counted)
    for prepared, batch in batches:
        keep = np.zeros(batch.size, dtype=bool)
        first = 0
        for doc in prepared:
            item = assembler.add(doc)
            if item:
                keep[[first + i for i in item.kept]] = True
                documents.add(document_row(item.document, item.titled))
                for number, section in item.sections():
                    passages.add(
                        passage_row(len(documents) - 1, number, section.heading, section.text)
                    )
            first += len(doc.sections)
        postings.add(batch.select(keep))
        if progress:
            progress("passages", len(passages), None)
    written = documents.close() + passages.close()
    if not len(passages):
        raise no_passages(root, files)
    if progress:
        progress("index", 0, None)
    engine = postings.build(config.bm25)
    postings.remove()
    if progress:
        progress("save", 0, None)
    written += engine.save(folder)
    return Built(engine, len(documents), len(passages), warnings, files, written)
