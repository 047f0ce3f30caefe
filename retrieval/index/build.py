"""The one index build. Corpus files are read here, segmented and analysed (in worker
processes for large corpora), assembled in corpus order (de-duplication), and their
documents, passages and postings written to a folder as they come (a saved index: the
corpus never sits in memory) or kept in memory (an index for this process only)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from retrieval.analysis import Analyzer
from retrieval.config import AnalyzerConfig, RetrievalConfig
from retrieval.corpus.assemble import (
    Assembler,
    Corpus,
    CorpusDocument,
    Document,
    Passage,
    PreparedDocument,
    collecting,
    no_passages,
    prepare_document,
)
from retrieval.corpus.readers import RawDocument, Skipped, Warn, read_corpus
from retrieval.engines import Batch, Engine, Vocabulary
from retrieval.index.encode import (
    PassageText,
    TermEncoder,
    WorkerBatch,
    WorkerTerms,
    encode_in_worker,
    passage_text,
    start_worker,
)
from retrieval.index.postings import Postings
from retrieval.index.records import (
    DOCUMENTS,
    PASSAGES,
    RecordWriter,
    document_row,
    passage_line,
    passage_row,
    passage_tail,
    tail_text,
)
from retrieval.index.segments import KEYS, Changes
from retrieval.index.workers import available_cores, ordered_map
from retrieval.text.normalize import recent_tokens

# Below this much corpus text, starting worker processes (about a second) costs more than
# they save.
PARALLEL_MIN_BYTES = 16_000_000
BATCH_CHARACTERS = 1_000_000  # document text per batch handed to a worker

Item = TypeVar("Item")

# stage, done, total (None: unknown)
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Built:
    engine: Engine | None  # None when only the corpus was asked for
    documents: int
    passages: int
    warnings: list[str]
    corpus_files: list[Path]
    files: list[Path]  # what was written into the folder (nothing in memory)
    corpus: Corpus | None = None  # built in memory: its documents and passages
    skipped: list[Skipped] = field(default_factory=list)  # corpus files left unread, and why
    unreadable: list[str] = field(default_factory=list)  # corpus folders that could not be listed
    # corpus file label -> [first document, end, first passage, end] (what an update removes)
    sources: dict[str, list[int]] = field(default_factory=dict)
    # an update (retrieval/index/update.py): which corpus files it took in or removed
    changes: Changes | None = None


def _section_texts(prepared: list[PreparedDocument]) -> list[PassageText]:
    return [(s.text, s.heading, doc.ranked_title) for doc in prepared for s in doc.sections]


@dataclass(frozen=True)
class ShippedDocument:
    """A prepared document as a worker sends it back for writing to disk: its sections as
    the ends of their passage lines (records.passage_tail), not objects to unpickle and
    serialize again."""

    raw: RawDocument
    headline: str | None
    keys: list[bytes]
    tails: list[bytes]

    @staticmethod
    def of(doc: PreparedDocument) -> ShippedDocument:
        tails = [passage_tail(s.heading, s.text, s.page) for s in doc.sections]
        return ShippedDocument(doc.raw, doc.headline, doc.keys, tails)

    def section_text(self, index: int) -> str:
        return tail_text(self.tails[index])


Prepared = PreparedDocument | ShippedDocument


def prepare_in_worker(
    job: tuple[list[RawDocument], bool | None, bool],
) -> tuple[list[Prepared], WorkerBatch | None]:
    """Segment documents and analyse all their sections (in a worker process); ``counted``
    None: segment only; ``ship``: documents as ShippedDocument (for an index on disk)."""
    raws, counted, ship = job
    if counted is None:
        prepared = [prepare_document(raw) for raw in raws]
        batch = None
    else:
        prepared = [prepare_document(raw, []) for raw in raws]
        batch, keys = encode_in_worker(_section_texts(prepared), counted)
        _fill_keys(prepared, keys)
    return ([ShippedDocument.of(doc) for doc in prepared] if ship else prepared), batch


def _fill_keys(prepared: list[PreparedDocument], keys: list[bytes]) -> None:
    """Give documents prepared without keys those of their sections (in order)."""
    first = 0
    for doc in prepared:
        doc.keys.extend(keys[first : first + len(doc.sections)])
        first += len(doc.sections)


def _chunks(items: Iterable[Item], size: Callable[[Item], int]) -> Iterator[list[Item]]:
    """Consecutive items in lists of about BATCH_CHARACTERS of text each (``size``)."""
    chunk: list[Item] = []
    total = 0
    for item in items:
        chunk.append(item)
        total += size(item)
        if total >= BATCH_CHARACTERS:
            yield chunk
            chunk, total = [], 0
    if chunk:
        yield chunk


def _raw_size(raw: RawDocument) -> int:
    return len(raw.text or "") + sum(map(len, raw.contexts))


def _prepared(
    raws: Iterable[RawDocument],
    config: AnalyzerConfig,
    vocabulary: Vocabulary | None,
    workers: int,
    counted: Callable[[], bool],
    ship: bool = False,
) -> Iterator[tuple[list[Prepared], Batch | None]]:
    """Prepared documents with the term ids of all their sections (none without a
    ``vocabulary``), batch after batch, counted when ``counted()`` says so as the batch is
    handed out; ``ship``: from workers as ShippedDocument (records written to disk)."""
    if workers < 2:
        encoder = (
            TermEncoder(Analyzer(config), vocabulary, tokenize=recent_tokens)
            if vocabulary is not None
            else None
        )
        for batch in _chunks(raws, _raw_size):
            if encoder is None:
                yield [prepare_document(raw) for raw in batch], None
                continue
            prepared = [prepare_document(raw, []) for raw in batch]
            terms, keys = encoder.encode(_section_texts(prepared), counted())
            _fill_keys(prepared, keys)
            yield prepared, terms
        return
    jobs = (
        (batch, counted() if vocabulary is not None else None, ship)
        for batch in _chunks(raws, _raw_size)
    )
    translate = WorkerTerms(vocabulary).translate if vocabulary is not None else None
    for prepared, batch in ordered_map(
        prepare_in_worker, jobs, workers, start_worker, (config, True)
    ):
        yield prepared, translate(batch) if translate and batch else None


class _InMemory:
    """Documents and passages kept as lists."""

    def __init__(self) -> None:
        self.documents: list[Document] = []
        self.passages: list[Passage] = []

    def add(self, item: CorpusDocument) -> None:
        self.documents.append(item.document)
        self.passages.extend(item.passages())

    def close(self) -> list[Path]:
        return []


class _OnDisk:
    """Documents and passages written as records (index/records.py) as they come."""

    def __init__(self, folder: Path) -> None:
        self._documents = RecordWriter(folder / DOCUMENTS)
        self._passages = RecordWriter(folder / PASSAGES)
        self.documents, self.passages = self._documents, self._passages  # counted by len()

    def add(self, item: CorpusDocument) -> None:
        self._documents.add(document_row(item.document, item.titled))
        document_index = len(self._documents) - 1
        doc = item.prepared
        if isinstance(doc, ShippedDocument):
            for number, index in enumerate(item.kept, start=1):
                self._passages.add_line(passage_line(document_index, number, doc.tails[index]))
            return
        for number, section in item.sections():
            self._passages.add(
                passage_row(document_index, number, section.heading, section.text, section.page)
            )

    def close(self) -> list[Path]:
        return self._documents.close() + self._passages.close()


def build_index(
    corpus: str | Path,
    config: RetrievalConfig,
    warn: Warn | None = None,
    *,
    folder: Path | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    with_engine: bool = True,
    only: set[Path] | None = None,
    vocabulary: Vocabulary | None = None,
    seen: Callable[[bytes], bool] | None = None,
) -> Built:
    """Read, analyse and index the corpus at ``corpus``: into ``folder`` (a saved index's
    files, the engine's included) or, without one, in memory. ``with_engine=False`` stops
    after the passages (a corpus listing, no analysis). Warnings go to ``warn`` (stderr
    when None) and are kept in Built. An update (retrieval/index/update.py) reads ``only``
    some of the corpus files, into a ``vocabulary`` that already holds the index's terms,
    leaving out passages that ``seen`` says the index already has.

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

    found, raws = read_corpus(corpus, collect, on_file=file_done, only=only)
    root, files = found.root, found.files
    if only is not None:
        files = [f for f in files if f in only]
    if workers is None:
        big = sum(f.stat().st_size for f in files) >= PARALLEL_MIN_BYTES
        workers = available_cores() if big else 1
    if with_engine and vocabulary is None:
        vocabulary = Vocabulary()
    if not with_engine:
        vocabulary = None
    postings = Postings(config.engine, folder, vocabulary) if vocabulary is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    records = _OnDisk(folder) if folder is not None else _InMemory()
    assembler = Assembler(collect, seen)
    sources: dict[str, list[int]] = {}
    keys: list[bytes] = []
    counted = (lambda: postings.counted) if postings else (lambda: False)
    ship = folder is not None
    for prepared, batch in _prepared(raws, config.analyzer, vocabulary, workers, counted, ship):
        keep = np.zeros(sum(len(doc.keys) for doc in prepared), dtype=bool)
        first = 0
        for doc in prepared:
            item = assembler.add(doc)
            if item:
                keep[[first + i for i in item.kept]] = True
                start = [len(records.documents), len(records.passages)]
                records.add(item)
                end = [len(records.documents), len(records.passages)]
                # a file's documents come one after another
                span = sources.setdefault(item.document.source, [start[0], 0, start[1], 0])
                span[1], span[3] = end
                keys += [doc.keys[i][:8] for i in item.kept]
            first += len(doc.keys)
        if postings is not None and batch is not None:
            postings.add(batch.select(keep))
        if progress:
            progress("passages", len(records.passages), None)
    written = records.close()
    documents, passages = len(records.documents), len(records.passages)
    if not passages:
        raise no_passages(root, files, len(found.skipped))
    engine = None
    if postings is not None:
        if progress:
            progress("index", 0, None)
        engine = postings.build(config.bm25)
    if folder is not None and engine is not None:
        if progress:
            progress("save", 0, None)
        written += engine.save(folder)
        np.save(folder / KEYS, np.frombuffer(b"".join(keys), dtype="<u8"))
        written.append(folder / KEYS)
    in_memory = (
        Corpus(
            root,
            records.documents,
            records.passages,
            warnings,
            files,
            found.skipped,
            found.unreadable,
        )
        if isinstance(records, _InMemory)
        else None
    )
    return Built(
        engine,
        documents,
        passages,
        warnings,
        files,
        written,
        in_memory,
        found.skipped,
        found.unreadable,
        sources,
    )


def index_passages(passages: Sequence[Passage], config: RetrievalConfig) -> Engine:
    """The engine over passages already assembled (a corpus in memory): the build's own
    analysis and postings, in this process, batch after batch of the same size."""
    vocabulary = Vocabulary()
    postings = Postings(config.engine, None, vocabulary)
    encoder = TermEncoder(Analyzer(config.analyzer), vocabulary)
    for chunk in _chunks(passages, lambda passage: len(passage.text)):
        postings.add(encoder.batch(list(map(passage_text, chunk)), postings.counted))
    return postings.build(config.bm25)


def load_corpus(path: str | Path, warn: Warn | None = None) -> Corpus:
    """The documents and passages of every corpus file under ``path`` (nothing indexed).

    Raises CorpusError when the path is missing or nothing usable is found; problems with
    single files or lines are reported through ``warn`` (stderr by default) and skipped.
    """
    built = build_index(path, RetrievalConfig(), warn, with_engine=False)
    assert built.corpus is not None
    return built.corpus
