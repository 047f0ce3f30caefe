"""Corpus files -> raw documents: one reader per format, chosen by the file's extension."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from retrieval.corpus.readers import jsonl, squad, text
from retrieval.corpus.readers.base import RawDocument, Reader, Warn
from retrieval.corpus.readers.text import META_SUFFIX, sidecar_path
from retrieval.errors import CorpusError

# extension -> reader; a new format is a module with SUFFIXES and read(), listed here
READERS: dict[str, Reader] = {
    suffix: module.read for module in (text, jsonl, squad) for suffix in module.SUFFIXES
}
CORPUS_SUFFIXES = tuple(READERS)

__all__ = [
    "CORPUS_SUFFIXES",
    "META_SUFFIX",
    "RawDocument",
    "Warn",
    "corpus_files",
    "read_corpus",
    "read_file",
    "sidecar_path",
]


def corpus_files(path: Path) -> list[Path]:
    """The corpus files under ``path`` (or ``path`` itself), in a stable order."""
    if not path.exists():
        raise CorpusError(f"corpus not found: {path}")
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in CORPUS_SUFFIXES
        and not p.name.endswith(META_SUFFIX)
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )


def read_file(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    """Yield the raw documents of one corpus file; problems go to ``warn``."""
    reader = READERS.get(path.suffix.lower(), text.read)  # a single file given by name
    return reader(path, doc_id, label, warn)


def _doc_id(path: Path, root: Path, taken: set[str]) -> str:
    doc_id = path.stem
    if doc_id in taken:  # same file name in two folders: use the relative path instead
        doc_id = path.relative_to(root).with_suffix("").as_posix().replace("/", "-")
    taken.add(doc_id)
    return doc_id


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
