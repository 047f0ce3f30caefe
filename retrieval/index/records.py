"""Passages and documents on disk: one JSON line each plus an offsets array, read lazily
(a record at a time, with pread), so opening a saved index of a million passages reads none
of them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Generic, TypeVar, overload

import numpy as np
import orjson

from retrieval.corpus import Document, Passage, make_passage

Record = TypeVar("Record")

PASSAGES = "passages.jsonl"
DOCUMENTS = "documents.jsonl"


def offsets_path(path: Path) -> Path:
    return path.with_name(path.name + ".offsets.npy")


class RecordWriter:
    """Appends JSON lines and remembers where each starts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] = path.open("wb", buffering=1 << 20)
        self._offsets = [0]

    def add(self, row: list[Any]) -> None:
        self.add_line(orjson.dumps(row) + b"\n")

    def add_line(self, line: bytes) -> None:
        """A row already in JSON, its line end included."""
        self._file.write(line)
        self._offsets.append(self._offsets[-1] + len(line))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def close(self) -> list[Path]:
        """Finish the file and its offsets; return both."""
        self._file.close()
        np.save(offsets_path(self.path), np.array(self._offsets, dtype=np.int64))
        return [self.path, offsets_path(self.path)]


class LazySequence(Sequence[Record], Generic[Record]):
    """A read-only sequence whose items are made on access by ``_item``."""

    def _item(self, index: int) -> Record:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...
    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("index out of range")
        return self._item(index)

    def __iter__(self) -> Iterator[Record]:
        return map(self._item, range(len(self)))


class Records(LazySequence[Record]):
    """Records decoded one by one from a JSON lines file.

    Each is read with its own pread, not through a memory mapping: a question reads a few
    records scattered over a file of hundreds of MB, and a mapping would make every one of
    them fault in the pages around it (64 kB) and keep them in the process's memory. The
    file stays open (a replaced index keeps reading the files it opened)."""

    def __init__(self, path: Path, decode: Callable[[list[Any]], Record]) -> None:
        self._offsets = np.asarray(np.load(offsets_path(path), mmap_mode="r"))
        self._decode = decode
        self._file = path.open("rb", buffering=0)
        size = os.fstat(self._file.fileno()).st_size
        if int(self._offsets[-1]) != size:
            self._file.close()
            raise ValueError(f"{path.name}: offsets do not match the file")

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def row(self, index: int) -> list[Any]:
        """The stored JSON row, undecoded."""
        start, end = int(self._offsets[index]), int(self._offsets[index + 1])
        line = os.pread(self._file.fileno(), end - start, start)
        if len(line) != end - start:
            raise ValueError(f"{Path(self._file.name).name}: shorter than its offsets")
        return orjson.loads(line)

    def _item(self, index: int) -> Record:
        return self._decode(self.row(index))


def document_row(document: Document, titled: bool) -> list[Any]:
    d = document
    return [d.doc_id, d.title, d.source, d.passage_count, d.url, d.date, titled, d.format, d.pages]


def _document(row: list[Any]) -> Document:
    return Document(*row[:6], format=row[7], pages=row[8])


def passage_row(
    document_index: int, paragraph: int, heading: str | None, text: str, page: int | None
) -> list[Any]:
    """What a passage adds to its document (the rest of its citation is the document's)."""
    return [document_index, paragraph, heading, text, page]


def passage_tail(heading: str | None, text: str, page: int | None) -> bytes:
    """The end of a passage's line, what its document and number do not decide: the line is
    passage_line(document_index, paragraph, tail), the bytes of passage_row's JSON."""
    return orjson.dumps([heading, text, page])[1:] + b"\n"


def passage_line(document_index: int, paragraph: int, tail: bytes) -> bytes:
    return b"[%d,%d,%b" % (document_index, paragraph, tail)


def tail_text(tail: bytes) -> str:
    """The passage text of a tail."""
    return orjson.loads(b"[" + tail)[1]


def open_documents(folder: Path) -> Records[Document]:
    return Records(folder / DOCUMENTS, _document)


def open_passages(folder: Path, documents: Records[Document]) -> Records[Passage]:
    def decode(row: list[Any]) -> Passage:
        document_index, paragraph, heading, text, page = row
        document_fields = documents.row(document_index)
        document, titled = _document(document_fields), document_fields[6]
        return make_passage(document, titled, paragraph, heading, text, page)

    return Records(folder / PASSAGES, decode)
