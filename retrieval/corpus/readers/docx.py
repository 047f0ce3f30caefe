"""Word (.docx, python-docx): paragraphs in order, headings as headings, tables row by row,
the title and date of the document's properties. Page headers and footers are not read."""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.corpus.readers.base import METADATA_MAX_CHARS, RawDocument, Warn
from retrieval.corpus.readers.blocks import Blocks

if TYPE_CHECKING:  # python-docx itself is imported when a .docx is read
    from docx.document import Document as WordDocument
    from docx.text.paragraph import Paragraph

SUFFIXES = (".docx",)
FORMAT = "docx"
MAGIC = b"PK\x03\x04"  # a zip archive, as every Office Open XML file is
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the container of the old binary .doc
# The unpacked XML of a document's parts above this is a zip bomb, not a document
MAX_UNPACKED_BYTES = 200_000_000
CONVERT_HINT = "convert it to .docx with LibreOffice: libreoffice --headless --convert-to docx FILE"


def is_word(path: Path) -> bool:
    """Whether the zip archive ``path`` holds a Word document's main part."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _heading_level(paragraph: Paragraph) -> int:
    """1-9 for the Title and Heading N styles (in any language the style's id is English),
    0 for body text."""
    style = paragraph.style
    name = (getattr(style, "style_id", None) or getattr(style, "name", None) or "").lower()
    name = name.replace(" ", "")
    if name == "title":
        return 1
    if name.startswith("heading") and name[7:].isdigit():
        return int(name[7:])
    return 0


def _date(value: datetime.datetime | None) -> str | None:
    return value.date().isoformat() if isinstance(value, datetime.datetime) else None


def _body(document: WordDocument) -> tuple[str, str | None]:
    """The document's text as blocks, and the text of its first Title-styled paragraph."""
    from docx.table import Table

    blocks = Blocks()
    title_style: str | None = None
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                blocks.row([cell.text for cell in row.cells])
            blocks.end_table()
            continue
        text = item.text
        level = _heading_level(item)
        if level:
            if title_style is None and (item.style.name or "").lower() == "title":
                title_style = " ".join(text.split())
            blocks.heading(text, level)
        elif (item.style.name or "").lower().startswith("list"):
            blocks.item(text)
        else:
            blocks.paragraph(text)
    return blocks.text(), title_style


def read(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    try:
        with path.open("rb") as file:
            head = file.read(8)
    except OSError as exc:
        warn(f"{label}: cannot read ({exc.strerror or exc})")
        return
    if head.startswith(OLE_MAGIC):
        warn(f"{label}: skipped, an old Word .doc file in a .docx name; {CONVERT_HINT}")
        return
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            warn(f"{label}: skipped, it unpacks to more than {MAX_UNPACKED_BYTES // 10**6} MB")
            return
        import docx

        document = docx.Document(str(path))
        text, title_style = _body(document)
        properties = document.core_properties
        title = " ".join((properties.title or "").split()) or title_style
        date = _date(properties.created)
    except OSError as exc:
        warn(f"{label}: cannot read ({exc.strerror or exc})")
        return
    except Exception as exc:
        warn(f"{label}: skipped, not a readable Word .docx file ({type(exc).__name__})")
        return
    if not text.strip():
        warn(f"{label}: skipped, the document has no text")
        return
    yield RawDocument(
        doc_id=doc_id,
        source=label,
        text=text,
        title=title[:METADATA_MAX_CHARS] if title else None,
        date=date,
        format=FORMAT,
    )
