"""Raw documents -> passages: segmented, de-duplicated across the corpus, titled and cited.
The one place a Passage is made."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from retrieval.corpus.readers import RawDocument, Skipped, Warn
from retrieval.corpus.segment import TITLE_MAX_CHARS, Section, segment
from retrieval.errors import CorpusError
from retrieval.text.arabic import SENTENCE_SPLIT, shorten
from retrieval.text.normalize import normalize, tokens


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
    page: int | None = None  # a paged document's page (1-based) the passage starts on

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
    format: str = "txt"  # the reader that read it: txt, md, html, pdf, docx, jsonl, squad
    pages: int | None = None  # a paged document's page count (PDF)


def make_passage(
    document: Document,
    titled: bool,
    paragraph: int,
    heading: str | None,
    text: str,
    page: int | None = None,
) -> Passage:
    """The one place a Passage is made: its text, cited by its document."""
    return Passage(
        id=f"{document.doc_id}#{paragraph}",
        doc_id=document.doc_id,
        title=document.title,
        source=document.source,
        paragraph=paragraph,
        heading=heading,
        text=text,
        url=document.url,
        date=document.date,
        titled=titled,
        page=page,
    )


@dataclass
class Corpus:
    root: Path
    # lists when loaded from files; read lazily from disk when opened from a saved index
    documents: Sequence[Document] = field(default_factory=list)
    passages: Sequence[Passage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # files found and not read, and why
    unreadable: list[str] = field(default_factory=list)  # folders that could not be listed
    # passages removed from a saved index since it was built: their positions stay in
    # ``passages`` (the index never returns them) until its segments are merged
    removed: int = 0

    @property
    def passage_count(self) -> int:
        """How many passages the corpus has (removed ones not counted)."""
        return len(self.passages) - self.removed


def fallback_title(first_text: str) -> str:
    """A document without a headline is titled by its first sentence, shortened."""
    first_sentence = SENTENCE_SPLIT.split(first_text.strip(), maxsplit=1)[0]
    return shorten(first_sentence, TITLE_MAX_CHARS)


def _sections(raw: RawDocument) -> tuple[str | None, list[Section]]:
    if raw.contexts:
        return None, [Section(None, context.strip()) for context in raw.contexts]
    segmented = segment(raw.text or "", paged=raw.pages is not None)
    return segmented.headline, segmented.sections


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

    def section_text(self, index: int) -> str:
        return self.sections[index].text


class Prepared(Protocol):
    """What assembly reads of a prepared document (PreparedDocument, or the compact form
    in which index builds send it between processes)."""

    raw: RawDocument
    headline: str | None
    keys: list[bytes]  # one per section

    def section_text(self, index: int) -> str: ...


def _digest(text: str) -> bytes:
    # 16 bytes instead of the normalized text keep de-duplication small for big corpora
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def section_key(text: str) -> bytes:
    """What de-duplication compares of a section: the digest of its normalized text (b""
    when it has no words). Index builds compare keys of the same equality from the scanner
    (index/scan.py): two texts share a key exactly when their tokens are the same."""
    return _digest(key) if (key := normalize(text)) else b""


def prepare_document(raw: RawDocument, keys: list[bytes] | None = None) -> PreparedDocument:
    """Segment one document (the costly part of loading; documents are independent).
    ``keys``: an empty list that the caller fills with the sections' keys (computed with
    their analysis) instead of section_key here."""
    headline, sections = _sections(raw)
    if keys is None:
        keys = [section_key(section.text) for section in sections]
    return PreparedDocument(replace(raw, text=None, contexts=()), headline, sections, keys)


@dataclass(frozen=True)
class CorpusDocument:
    """A document as it enters the corpus: which of its sections were kept, and how."""

    document: Document
    prepared: Prepared  # a PreparedDocument for sections() and passages()
    kept: list[int]  # the sections that became its passages, in order
    titled: bool

    def sections(self) -> Iterator[tuple[int, Section]]:
        """(paragraph number, section) of each passage."""
        assert isinstance(self.prepared, PreparedDocument)
        for number, index in enumerate(self.kept, start=1):
            yield number, self.prepared.sections[index]

    def passages(self) -> list[Passage]:
        return [
            make_passage(
                self.document, self.titled, number, section.heading, section.text, section.page
            )
            for number, section in self.sections()
        ]


class Assembler:
    """Takes prepared documents in corpus order and keeps the passages not seen earlier
    in the corpus."""

    def __init__(self, warn: Warn, seen: Callable[[bytes], bool] | None = None) -> None:
        """``seen``: whether a passage (by its digest) is in the corpus already (an index
        being updated)."""
        self._warn = warn
        self._seen: set[bytes] = set()
        self._before = seen or (lambda key: False)

    def add(self, doc: Prepared) -> CorpusDocument | None:
        raw = doc.raw
        kept: list[int] = []
        for index, key in enumerate(doc.keys):
            if key and key not in self._seen and not self._before(key):
                self._seen.add(key)
                kept.append(index)
        if not kept:
            if doc.keys:
                self._warn(f"{raw.source}: every passage repeats an earlier document, skipped")
            else:
                self._warn(f"{raw.source}: no usable text, skipped")
            return None
        title = raw.title or doc.headline
        titled = title is not None
        title = title or fallback_title(doc.section_text(kept[0]))
        document = Document(
            raw.doc_id,
            title,
            raw.source,
            len(kept),
            url=raw.url,
            date=raw.date,
            format=raw.format,
            pages=raw.pages,
        )
        return CorpusDocument(document, doc, kept, titled)


def _stderr_warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def no_passages(root: Path, files: list[Path], skipped: int = 0) -> CorpusError:
    if files:
        found = f"{len(files)} file(s)"
    else:
        found = "no file in a format it reads: .txt, .md, .html, .pdf, .docx, .jsonl, .json"
    if skipped:
        found += f"; {skipped} other file(s) skipped"
    return CorpusError(f"no usable passages in {root} ({found})")


def collecting(warn: Warn | None, warnings: list[str]) -> Warn:
    """A warn callback that also keeps the messages (stderr when ``warn`` is None)."""

    def collect(message: str) -> None:
        warnings.append(message)
        (warn or _stderr_warn)(message)

    return collect
