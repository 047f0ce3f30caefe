"""Corpus files -> raw documents: one reader per format, chosen by the file's extension and
checked against its content (a PDF named .txt is read as a PDF, and said so)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from retrieval.corpus.readers import docx, html, jsonl, markdown, pdf, squad, text
from retrieval.corpus.readers.base import PAGE_BREAK, RawDocument, Reader, Warn
from retrieval.corpus.readers.text import META_SUFFIX, sidecar_path
from retrieval.corpus.walk import Skipped, Walk, summary, walk
from retrieval.errors import CorpusError

# A new format is a module with SUFFIXES, FORMAT and read(), listed here.
FORMATS: tuple[ModuleType, ...] = (text, markdown, jsonl, squad, html, pdf, docx)
READERS: dict[str, Reader] = {
    suffix: module.read for module in FORMATS for suffix in module.SUFFIXES
}
CORPUS_SUFFIXES = tuple(READERS)
SNIFF_BYTES = 4096

__all__ = [
    "CORPUS_SUFFIXES",
    "META_SUFFIX",
    "PAGE_BREAK",
    "CorpusFiles",
    "RawDocument",
    "Skipped",
    "Warn",
    "corpus_files",
    "read_corpus",
    "read_file",
    "sidecar_path",
    "summary",
]


def sniff(head: bytes) -> ModuleType | None:
    """The format a file's first bytes show, when they show one (PDF, zip = .docx, HTML)."""
    if pdf.MAGIC in head[:1024]:
        return pdf
    if head.startswith(docx.MAGIC):
        return docx
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<!-- saved from url")):
        return html
    return None


def _reader_for(path: Path, label: str, warn: Warn) -> Reader | None:
    """The reader of ``path``'s extension, unless its content says another format; None
    (with a warning) when a file is plainly not what its extension claims."""
    named = next((m for m in FORMATS if path.suffix.lower() in m.SUFFIXES), text)
    try:
        with path.open("rb") as file:
            head = file.read(SNIFF_BYTES)
    except OSError:
        return named.read  # the reader says why it cannot read the file
    found = sniff(head)
    if found is docx and not docx.is_word(path):
        if named is not docx:
            warn(f"{label}: skipped, a zip archive, not {path.suffix or 'text'}")
            return None
        found = None
    if found is named:
        return named.read
    if found is None:
        if named is pdf and head.strip():
            warn(f"{label}: skipped, named {path.suffix} but its content is not a PDF")
            return None
        return named.read  # the .docx reader says what a non-zip file is
    if found is html and named is markdown:
        return named.read  # Markdown may start with HTML
    warn(f"{label}: its content is {found.FORMAT.upper()}, not {path.suffix or 'text'}; read so")
    return found.read


def read_file(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    """Yield the raw documents of one corpus file; problems go to ``warn``."""
    reader = _reader_for(path, label, warn)
    return reader(path, doc_id, label, warn) if reader else iter(())


@dataclass(frozen=True)
class CorpusFiles:
    """What a corpus path holds: the files to read and what is left unread, and why."""

    root: Path
    files: list[Path]
    skipped: list[Skipped]
    unreadable: list[str]

    @property
    def base(self) -> Path:
        """What file labels are relative to: the folder, or a single file's folder."""
        return self.root if self.root.is_dir() else self.root.parent


def corpus_files(path: Path) -> CorpusFiles:
    """The corpus files under ``path`` (or ``path`` itself), in a stable order, with the files
    and folders left out."""
    if not path.exists():
        raise CorpusError(f"corpus not found: {path}")
    if not path.is_dir():
        return CorpusFiles(path, [path], [], [])
    found: Walk = walk(path, CORPUS_SUFFIXES, META_SUFFIX)
    return CorpusFiles(path, found.files, found.skipped, found.unreadable)


def _doc_id(path: Path, root: Path, taken: set[str]) -> str:
    doc_id = path.stem
    if doc_id in taken:  # same file name in two folders: use the relative path instead
        doc_id = path.relative_to(root).with_suffix("").as_posix().replace("/", "-")
    taken.add(doc_id)
    return doc_id


def read_corpus(
    path: str | Path,
    warn: Warn,
    on_file: Callable[[Path], None] | None = None,
    only: set[Path] | None = None,
) -> tuple[CorpusFiles, Iterator[RawDocument]]:
    """The corpus's files (what is left out is summarised through ``warn`` now), and its raw
    documents read lazily, file after file (``on_file`` is told when each has been read);
    ``only`` these files when given (document ids stay those of the whole corpus)."""
    found = corpus_files(Path(path).expanduser())
    for line in summary(found.skipped, found.unreadable):
        warn(line)
    taken: set[str] = set()

    def raw_documents() -> Iterator[RawDocument]:
        for file in found.files:
            label = file.relative_to(found.base).as_posix()
            doc_id = _doc_id(file, found.base, taken)
            if only is not None and file not in only:
                continue
            yield from read_file(file, doc_id, label, warn)
            if on_file:
                on_file(file)

    return found, raw_documents()
