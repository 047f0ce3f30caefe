"""Load a corpus: files -> documents -> cleaned, de-duplicated passages with citations."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from retrieval.normalize import normalize, tokens
from retrieval.readers import CorpusError, RawDocument, Warn, corpus_files, read_file
from retrieval.segment import SENTENCE_END, TITLE_MAX_CHARS, Section, segment


@dataclass(frozen=True, slots=True)
class Passage:
    """One retrievable unit of text, with everything needed to cite it."""

    id: str
    doc_id: str
    title: str
    source: str
    paragraph: int  # 1-based, as a reader counts the kept passages of the document
    heading: str | None
    text: str  # original text, for display
    url: str | None = None
    date: str | None = None
    # False when the title is only the document's first sentence (no headline or metadata):
    # then it says nothing the passages don't, and ranking ignores it
    titled: bool = True

    @property
    def tokens(self) -> list[str]:
        """Normalized tokens of the heading and text (the index adds its own analysis)."""
        return tokens(f"{self.heading}\n{self.text}" if self.heading else self.text)


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    title: str
    source: str
    passage_count: int
    url: str | None = None
    date: str | None = None


@dataclass
class Corpus:
    root: Path
    # lists when loaded from files; read lazily from disk when opened from a saved index
    documents: Sequence[Document] = field(default_factory=list)
    passages: Sequence[Passage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def shorten(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ،,.:؛;-–") + "…"


def fallback_title(first_text: str) -> str:
    """A document without a headline is titled by its first sentence, shortened."""
    first_sentence = SENTENCE_END.split(first_text.strip(), maxsplit=1)[0]
    return shorten(first_sentence)


def _sections(raw: RawDocument) -> tuple[str | None, list[Section]]:
    if raw.contexts:
        return None, [Section(None, context.strip()) for context in raw.contexts]
    segmented = segment(raw.text or "")
    return segmented.headline, segmented.sections


def _doc_id(path: Path, root: Path, taken: set[str]) -> str:
    doc_id = path.stem
    if doc_id in taken:  # same file name in two folders: use the relative path instead
        doc_id = path.relative_to(root).with_suffix("").as_posix().replace("/", "-")
    taken.add(doc_id)
    return doc_id


@dataclass(frozen=True)
class PreparedDocument:
    """A raw document split into sections, with what de-duplication compares."""

    raw: RawDocument  # without its text, which ``sections`` now holds
    headline: str | None
    sections: list[Section]
    keys: list[bytes]  # digest of each section's normalized text; b"" when it has no words

    @property
    def ranked_title(self) -> str:
        """The title ranking adds to each passage ("" when there is no real title)."""
        return self.raw.title or self.headline or ""


def _digest(text: str) -> bytes:
    # 16 bytes instead of the normalized text keep de-duplication small for big corpora
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def prepare_document(raw: RawDocument) -> PreparedDocument:
    """Segment one document (the costly part of loading; documents are independent)."""
    headline, sections = _sections(raw)
    keys = [_digest(key) if (key := normalize(section.text)) else b"" for section in sections]
    return PreparedDocument(replace(raw, text=None, contexts=()), headline, sections, keys)


@dataclass(frozen=True)
class CorpusDocument:
    """A document as it enters the corpus: which of its sections were kept, and how."""

    document: Document
    prepared: PreparedDocument
    kept: list[int]  # the sections that became its passages, in order
    titled: bool

    def sections(self) -> Iterator[tuple[int, Section]]:
        """(paragraph number, section) of each passage."""
        for number, index in enumerate(self.kept, start=1):
            yield number, self.prepared.sections[index]

    def passages(self) -> list[Passage]:
        doc = self.document
        return [
            Passage(
                id=f"{doc.doc_id}#{number}",
                doc_id=doc.doc_id,
                title=doc.title,
                source=doc.source,
                paragraph=number,
                heading=section.heading,
                text=section.text,
                url=doc.url,
                date=doc.date,
                titled=self.titled,
            )
            for number, section in self.sections()
        ]


class Assembler:
    """Takes prepared documents in corpus order and keeps the passages not seen earlier
    in the corpus."""

    def __init__(self, warn: Warn) -> None:
        self._warn = warn
        self._seen: set[bytes] = set()

    def add(self, doc: PreparedDocument) -> CorpusDocument | None:
        raw = doc.raw
        kept: list[int] = []
        for index, key in enumerate(doc.keys):
            if key and key not in self._seen:
                self._seen.add(key)
                kept.append(index)
        if not kept:
            if doc.sections:
                self._warn(f"{raw.source}: every passage repeats an earlier document, skipped")
            else:
                self._warn(f"{raw.source}: no usable text, skipped")
            return None
        title = raw.title or doc.headline
        titled = title is not None
        title = title or fallback_title(doc.sections[kept[0]].text)
        document = Document(raw.doc_id, title, raw.source, len(kept), url=raw.url, date=raw.date)
        return CorpusDocument(document, doc, kept, titled)


def build_corpus(root: Path, raw_documents: Iterable[RawDocument], warn: Warn) -> Corpus:
    """Turn raw documents into passages, dropping passages seen earlier in the corpus."""
    documents: list[Document] = []
    passages: list[Passage] = []
    assembler = Assembler(warn)
    for raw in raw_documents:
        item = assembler.add(prepare_document(raw))
        if item:
            documents.append(item.document)
            passages.extend(item.passages())
    return Corpus(root, documents, passages)


def _stderr_warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def read_corpus(
    path: str | Path, warn: Warn, on_file: Callable[[Path], None] | None = None
) -> tuple[Path, list[Path], Iterator[RawDocument]]:
    """The corpus root, its files, and its raw documents read lazily, file after file
    (``on_file`` is told when each file has been read)."""
    root = Path(path).expanduser()
    files = corpus_files(root)
    base = root if root.is_dir() else root.parent
    taken: set[str] = set()

    def raw_documents() -> Iterator[RawDocument]:
        for file in files:
            label = file.relative_to(base).as_posix()
            yield from read_file(file, _doc_id(file, base, taken), label, warn)
            if on_file:
                on_file(file)

    return root, files, raw_documents()


def no_passages(root: Path, files: list[Path]) -> CorpusError:
    found = f"{len(files)} file(s)" if files else "no .txt, .md, .jsonl or .json files"
    return CorpusError(f"no usable passages in {root} ({found})")


def collecting(warn: Warn | None, warnings: list[str]) -> Warn:
    """A warn callback that also keeps the messages (stderr when ``warn`` is None)."""

    def collect(message: str) -> None:
        warnings.append(message)
        (warn or _stderr_warn)(message)

    return collect


def load_corpus(path: str | Path, warn: Warn | None = None) -> Corpus:
    """Load every corpus file under ``path``.

    Raises CorpusError when the path is missing or nothing usable is found; problems with
    single files or lines are reported through ``warn`` (stderr by default) and skipped.
    """
    warnings: list[str] = []
    collect = collecting(warn, warnings)
    root, files, raw_documents = read_corpus(path, collect)
    corpus = build_corpus(root, raw_documents, collect)
    corpus.warnings = warnings
    corpus.files = files
    if not corpus.passages:
        raise no_passages(root, files)
    return corpus
