"""Load a corpus: files -> documents -> cleaned, de-duplicated passages with citations."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
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
    documents: list[Document] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
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


def build_corpus(root: Path, raw_documents: Iterable[RawDocument], warn: Warn) -> Corpus:
    """Turn raw documents into passages, dropping passages seen earlier in the corpus."""
    corpus = Corpus(root=root)
    seen: set[str] = set()
    for raw in raw_documents:
        headline, sections = _sections(raw)
        kept: list[Section] = []
        for section in sections:
            key = normalize(section.text)
            if key and key not in seen:
                seen.add(key)
                kept.append(section)
        if not kept:
            if sections:
                warn(f"{raw.source}: every passage repeats an earlier document, skipped")
            else:
                warn(f"{raw.source}: no usable text, skipped")
            continue
        title = raw.title or headline
        titled = title is not None
        title = title or fallback_title(kept[0].text)
        for number, section in enumerate(kept, start=1):
            corpus.passages.append(
                Passage(
                    id=f"{raw.doc_id}#{number}",
                    doc_id=raw.doc_id,
                    title=title,
                    source=raw.source,
                    paragraph=number,
                    heading=section.heading,
                    text=section.text,
                    url=raw.url,
                    date=raw.date,
                    titled=titled,
                )
            )
        corpus.documents.append(
            Document(raw.doc_id, title, raw.source, len(kept), url=raw.url, date=raw.date)
        )
    return corpus


def _stderr_warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def load_corpus(path: str | Path, warn: Warn | None = None) -> Corpus:
    """Load every corpus file under ``path``.

    Raises CorpusError when the path is missing or nothing usable is found; problems with
    single files or lines are reported through ``warn`` (stderr by default) and skipped.
    """
    root = Path(path).expanduser()
    warnings: list[str] = []

    def collect(message: str) -> None:
        warnings.append(message)
        (warn or _stderr_warn)(message)

    files = corpus_files(root)
    base = root if root.is_dir() else root.parent
    taken: set[str] = set()

    def raw_documents() -> Iterable[RawDocument]:
        for file in files:
            label = file.relative_to(base).as_posix()
            yield from read_file(file, _doc_id(file, base, taken), label, collect)

    corpus = build_corpus(root, raw_documents(), collect)
    corpus.warnings = warnings
    corpus.files = files
    if not corpus.passages:
        found = f"{len(files)} file(s)" if files else "no .txt, .md, .jsonl or .json files"
        raise CorpusError(f"no usable passages in {root} ({found})")
    return corpus
