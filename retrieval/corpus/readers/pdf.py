"""PDF (.pdf): the text of each page in reading order, from the glyphs pdfminer.six reports and
where they are drawn; repeated page headers and footers dropped. Why not a library's own text
order: docs/formats.md (Arabic comes out reversed, or with its numbers and ligatures moved)."""

from __future__ import annotations

import itertools
import logging
import re
import statistics
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bidi import get_display

from retrieval.corpus.furniture import page_furniture
from retrieval.corpus.readers.base import (
    METADATA_MAX_CHARS,
    PAGE_BREAK,
    RawDocument,
    Warn,
    title_pieces,
)
from retrieval.text.arabic import SENTENCE_BREAK

if TYPE_CHECKING:  # pdfminer itself is imported when a PDF is read: every command starts faster
    from pdfminer.layout import LTPage
    from pdfminer.pdfdocument import PDFDocument

SUFFIXES = (".pdf",)
FORMAT = "pdf"
MAGIC = b"%PDF-"

# Geometry, as fractions of the font size. A gap between two glyphs wider than this is a
# space (pdfminer's boxes are the glyphs' advance widths, so letters of a word touch).
SPACE_GAP = 0.15
# Glyphs whose vertical centres are this close belong to one line.
SAME_LINE = 0.4
# A gap between lines this much wider than the page's usual one starts a paragraph; so does a
# font this much bigger or smaller than the line before (a heading).
PARAGRAPH_GAP = 1.3
SIZE_CHANGE = 1.15
# A line ending a sentence and this much shorter than the page's longest ends its paragraph.
SHORT_LINE = 0.85

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
# Presentation forms (Latin and Arabic ligatures, Arabic contextual shapes): some producers
# (Chromium) map glyphs to them rather than to letters; NFKC gives the letters back.
_PRESENTATION = re.compile(r"[\uFB00-\uFDFF\uFE70-\uFEFF]+")
# A harakah the reordering left at the start of the next word ("فريقا ًمن")
_MARK_AFTER_SPACE = re.compile(r"(\S) +([\u064B-\u0652]+)(?=\S)")
_MIRRORED = str.maketrans("()[]{}«»", ")(][}{»«")
_FIRST_BRACKET = re.compile(r"[()\[\]{}«»]")

# pdfminer logs a warning for every oddity of a file (a missing CropBox, a font without
# widths); what matters is reported by this reader itself.
logging.getLogger("pdfminer").addHandler(logging.NullHandler())
logging.getLogger("pdfminer").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Glyph:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    size: float

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def mark(self) -> bool:
        """A combining mark (a harakah): it sits on a letter rather than beside it."""
        return all(unicodedata.category(c) == "Mn" for c in self.text)


@dataclass(frozen=True)
class Line:
    text: str
    middle: float
    size: float
    width: float


def glyphs(page: LTPage) -> list[Glyph]:
    """Every visible glyph of a page, wherever pdfminer nested it (figures, forms)."""
    from pdfminer.layout import LTChar

    found: list[Glyph] = []
    stack: list = [page]
    while stack:
        item = stack.pop()
        if isinstance(item, LTChar):
            text = item.get_text()
            if text.strip():
                found.append(Glyph(text, item.x0, item.x1, item.y0, item.y1, item.size or 1.0))
        elif hasattr(item, "__iter__"):
            stack.extend(item)
    return found


def _rows(found: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped into lines, top to bottom; marks join the line they sit on."""
    rows: list[tuple[float, list[Glyph]]] = []
    for glyph in sorted((g for g in found if not g.mark), key=lambda g: -g.middle):
        for middle, row in rows[-3:]:
            if abs(middle - glyph.middle) < SAME_LINE * glyph.size:
                row.append(glyph)
                break
        else:
            rows.append((glyph.middle, [glyph]))
    for mark in (g for g in found if g.mark):
        if rows:
            min(rows, key=lambda r: abs(r[0] - mark.middle))[1].append(mark)
    return [row for _, row in rows]


def logical(visual: str, rtl: bool) -> str:
    """A line drawn left to right, in reading order: presentation forms unfolded, and for a
    right-to-left line the Unicode bidi algorithm's reordering (python-bidi)."""
    text = _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), visual)
    if not rtl or not _ARABIC.search(text):
        return " ".join(text.split())
    text = get_display(text, base_dir="R")
    text = _MARK_AFTER_SPACE.sub(r"\1\2 ", text)
    # Producers that map a mirrored bracket glyph to its logical character (Chromium) have
    # it mirrored once more by the reordering: a line whose first bracket closes is swapped.
    first = _FIRST_BRACKET.search(text)
    if first and first.group() in ")]}»":
        text = text.translate(_MIRRORED)
    return " ".join(text.split())


def lines(found: list[Glyph]) -> list[Line]:
    """A page's glyphs as its lines of text, top to bottom, in reading order."""
    out = []
    for row in _rows(found):
        row.sort(key=lambda g: (g.x0 + g.x1) / 2)
        arabic = sum(bool(_ARABIC.match(g.text)) for g in row)
        rtl = arabic > 0 and arabic >= sum(bool(_LATIN.match(g.text)) for g in row)
        parts: list[str] = []
        previous: Glyph | None = None
        for glyph in row:
            if glyph.mark:
                parts.append(glyph.text)
                continue
            if previous and glyph.x0 - previous.x1 > SPACE_GAP * max(glyph.size, previous.size):
                parts.append(" ")
            # A ligature glyph (lam-alef) carries its letters in reading order inside a line
            # drawn left to right: reversed here, they come out right after the reordering.
            parts.append(glyph.text[::-1] if rtl and len(glyph.text) > 1 else glyph.text)
            previous = glyph
        text = logical("".join(parts), rtl)
        if text:
            sizes = [g.size for g in row if not g.mark] or [1.0]
            width = max(g.x1 for g in row) - min(g.x0 for g in row)
            out.append(Line(text, row[0].middle, statistics.median(sizes), width))
    return out


def _ends_sentence(text: str) -> bool:
    return bool(SENTENCE_BREAK.search(text[-3:] + " "))


def paragraphs(page_lines: Sequence[Line]) -> str:
    """A page's lines joined into paragraphs (blank lines between them): a wider gap, a
    change of font size, or a short line ending a sentence ends a paragraph."""
    if not page_lines:
        return ""
    # gaps in font sizes, so that a heading's own line spacing is not a paragraph break
    gaps = [(a.middle - b.middle) / max(a.size, b.size) for a, b in itertools.pairwise(page_lines)]
    usual = statistics.median(gaps) if gaps else 0.0
    longest = max(line.width for line in page_lines)
    out: list[list[str]] = [[page_lines[0].text]]
    for previous, line, gap in zip(page_lines, page_lines[1:], gaps, strict=False):
        resized = max(line.size, previous.size) > SIZE_CHANGE * min(line.size, previous.size)
        short_end = previous.width < SHORT_LINE * longest and _ends_sentence(previous.text)
        if gap > PARAGRAPH_GAP * usual or resized or short_end or gap <= 0:
            out.append([line.text])
        else:
            out[-1].append(line.text)
    return "\n\n".join(" ".join(paragraph) for paragraph in out)


def headline(title: str | None, first_page: str) -> str | None:
    """The part of the document's title that is a paragraph of its first page (a browser's
    print titles the PDF "headline - site name"), else the whole title."""
    if not title:
        return None
    shown = {" ".join(p.split()) for p in first_page.split("\n\n")}
    for piece in title_pieces(title):
        if piece in shown:
            return piece
    return title


def _title(document: PDFDocument, label: str) -> str | None:
    """The document's own title (Info /Title), unless it is empty or a producer's default."""
    from pdfminer.utils import decode_text

    for info in document.info:
        value = info.get("Title")
        if isinstance(value, bytes):
            value = decode_text(value)
        if not isinstance(value, str):
            continue
        title = " ".join(value.replace("\x00", "").split())
        name = Path(label).name
        junk = not title or title.lower() in ("untitled", name.lower(), Path(name).stem.lower())
        if not junk and not title.startswith("Microsoft Word - "):
            return title[:METADATA_MAX_CHARS]
    return None


def _page_numbers(pages: list[int]) -> str:
    shown = ", ".join(map(str, pages[:10]))
    return shown + (f" and {len(pages) - 10} more" if len(pages) > 10 else "")


def read(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    try:
        with path.open("rb") as file:
            document = PDFDocument(PDFParser(file))
            title = _title(document, label)
            manager = PDFResourceManager(caching=True)
            device = PDFPageAggregator(manager, laparams=None)
            interpreter = PDFPageInterpreter(manager, device)
            page_lines: list[list[Line]] = []
            for page in PDFPage.create_pages(document):
                interpreter.process_page(page)
                page_lines.append(lines(glyphs(device.get_result())))
    except OSError as exc:
        warn(f"{label}: cannot read ({exc.strerror or exc})")
        return
    except PDFPasswordIncorrect:
        warn(f"{label}: skipped, the PDF is password-protected")
        return
    except Exception as exc:
        warn(f"{label}: skipped, cannot read it as a PDF ({type(exc).__name__})")
        return
    if not any(page_lines):
        warn(f"{label}: skipped, no text layer (a scanned image?); OCR it first, e.g. ocrmypdf")
        return
    empty = [number for number, found in enumerate(page_lines, start=1) if not found]
    if empty:
        warn(f"{label}: page(s) {_page_numbers(empty)} have no text layer (scanned?), not read")
    drop = page_furniture([[line.text for line in found] for found in page_lines])
    texts = [
        paragraphs([line for i, line in enumerate(found) if i not in dropped])
        for found, dropped in zip(page_lines, drop, strict=True)
    ]
    yield RawDocument(
        doc_id=doc_id,
        source=label,
        text=PAGE_BREAK.join(texts),
        title=headline(title, texts[0]),
        format=FORMAT,
        pages=len(texts),
    )
