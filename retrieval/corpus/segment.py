"""Split a document's text into passages under their headings, and find its headline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.corpus.furniture import is_crumb, is_furniture, is_site_name
from retrieval.corpus.readers.base import PAGE_BREAK
from retrieval.text.arabic import SENTENCE_SPLIT
from retrieval.text.normalize import normalize, tokens

HEADING_MAX_WORDS = 16
HEADING_MAX_CHARS = 150
TABLE_ROW_MAX_WORDS = 8
WRAPPED_LINE_MIN_CHARS = 30
WRAPPED_MIN_FILL = 0.6
WRAP_MAX_CHARS = 120
# Long paragraphs are cut at sentence ends into pieces of about this size, so that one
# passage stays readable in a chat message and BM25 length normalisation stays meaningful;
# a sentence longer than the maximum is cut at word boundaries, a word longer than it (no
# space at all) wherever the maximum falls. No passage is ever longer than PASSAGE_MAX_CHARS.
PASSAGE_MAX_CHARS = 1500
PASSAGE_TARGET_CHARS = 900
TITLE_MAX_CHARS = 90
# The headline must come among the first few units of a page (after furniture).
TITLE_SEARCH_UNITS = 3

_BULLET = re.compile(r"^\s*(?:[-*•·▪◦●○■–—]|\d{1,3}[.)]|[٠-٩]{1,3}[.)])\s+")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_TERMINAL = ".!?؟:؛;…,،"
_CLOSERS = "\"'”’»)]}›"


@dataclass(frozen=True)
class Section:
    """A passage's text (as written), the heading it sits under, and for a paged document
    the page it starts on."""

    heading: str | None
    text: str
    page: int | None = None


@dataclass(frozen=True)
class Segmented:
    headline: str | None
    sections: list[Section]


@dataclass
class _Unit:
    kind: str  # "heading" | "passage" | "list"
    text: str
    marked: bool = False  # a Markdown heading ("# ..."): never a navigation crumb
    page: int | None = None


def arabic_chars(text: str) -> int:
    """How many characters of ``text`` are in the Arabic block (U+0600-U+06FF)."""
    # In UTF-8 exactly these characters start with a byte 0xD8-0xDB: four C-level counts
    # instead of a Python loop over every character.
    data = text.encode("utf-8", "surrogatepass")
    return sum(data.count(lead) for lead in (b"\xd8", b"\xd9", b"\xda", b"\xdb"))


def strip_bullet(line: str) -> str:
    return _BULLET.sub("", line, count=1).strip()


def ends_sentence(line: str) -> bool:
    stripped = line.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def is_headline_like(line: str) -> bool:
    """A short line with no closing punctuation: a headline or section heading."""
    text = strip_bullet(line)
    if not text or len(text) > HEADING_MAX_CHARS or ends_sentence(text):
        return False
    words = len(text.split())
    return 0 < words <= HEADING_MAX_WORDS and bool(tokens(text))


def _is_table_row(line: str) -> bool:
    return "|" in line or "\t" in line


def _is_wrapped(lines: list[str]) -> bool:
    """One paragraph hard-wrapped at a fixed width: lines of similar length, no sentence
    end before the last line (a heading over a paragraph is much shorter than the wrap)."""
    longest = max(map(len, lines))
    shortest_kept = max(WRAPPED_LINE_MIN_CHARS, WRAPPED_MIN_FILL * longest)
    return longest <= WRAP_MAX_CHARS and all(
        len(line) >= shortest_kept and not ends_sentence(line) for line in lines[:-1]
    )


def _block_units(lines: list[str]) -> list[_Unit]:
    """Turn one block (lines between blank lines) into units."""
    if len(lines) > 1 and all(_is_table_row(line) for line in lines):
        rows = [line for line in lines if not _MD_TABLE_RULE.match(line)]
        return [_Unit("passage", "\n".join(rows))]
    plain = not any(_BULLET.match(line) or _MD_HEADING.match(line) for line in lines)
    if len(lines) > 1 and plain:
        if all(
            len(line.split()) <= TABLE_ROW_MAX_WORDS and not ends_sentence(line) for line in lines
        ):
            return [_Unit("passage", "\n".join(lines))]  # a table written with spaces
        if _is_wrapped(lines):
            return [_Unit("passage", " ".join(lines))]
    units: list[_Unit] = []
    for line in lines:
        if _MD_HEADING.match(line):
            text = _MD_HEADING.sub("", line).strip()
            # a "heading" longer than any heading is a paragraph marked by mistake
            kind = "heading" if len(text) <= HEADING_MAX_CHARS else "passage"
            units.append(_Unit(kind, text, marked=True))
        elif _BULLET.match(line):
            if units and units[-1].kind == "list":
                units[-1].text += "\n" + line
            else:
                units.append(_Unit("list", line))
        elif is_headline_like(line):
            units.append(_Unit("heading", line))
        else:
            units.append(_Unit("passage", line))
    return units


def _units(text: str, paged: bool) -> list[_Unit]:
    arabic: list[bool] = []  # whether the document is Arabic, counted once a line asks

    def site_name(line: str) -> bool:
        if not is_site_name(line, True):
            return False
        if not arabic:
            arabic.append(arabic_chars(text) * 3 > len(text))
        return arabic[0]

    units: list[_Unit] = []
    pages = text.split(PAGE_BREAK) if paged else [text]
    for number, page in enumerate(pages, start=1):
        block: list[str] = []
        first = len(units)
        for raw in [*page.splitlines(), ""]:
            line = raw.strip()
            if line and not is_furniture(line) and not site_name(line):
                block.append(line)
            elif not line and block:
                units.extend(_block_units(block))
                block = []
        if paged:
            for unit in units[first:]:
                unit.page = number
    return _attach_lists(units)


def _attach_lists(units: list[_Unit]) -> list[_Unit]:
    """A list joins the passage that introduces it; a lone bullet is an ordinary line."""
    out: list[_Unit] = []
    for unit in units:
        if unit.kind != "list":
            out.append(unit)
        elif out and out[-1].kind == "passage" and out[-1].text.rstrip().endswith((":", "：")):
            out[-1].text += "\n" + unit.text
        elif "\n" not in unit.text:
            bare = strip_bullet(unit.text)
            kind = "heading" if is_headline_like(bare) else "passage"
            out.append(_Unit(kind, bare, page=unit.page))
        else:
            out.append(_Unit("passage", unit.text, page=unit.page))
    return out


def _take_headline(units: list[_Unit]) -> str | None:
    """Remove the page's crumbs and headline from the top of ``units``; return the headline."""
    for i, unit in enumerate(units[:TITLE_SEARCH_UNITS]):
        if unit.kind == "passage":
            return None
        crumb = not unit.marked and is_crumb(unit.text) and _later_heading(units, i)
        if unit.kind == "heading" and not crumb:
            del units[: i + 1]
            return unit.text
    return None


def _later_heading(units: list[_Unit], i: int) -> bool:
    return any(u.kind == "heading" for u in units[i + 1 : TITLE_SEARCH_UNITS + 1])


def _cut_words(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at spaces (mid-word only where
    a word is longer than ``limit``). One pass over the text, whatever its size."""
    pieces: list[str] = []
    start, end = 0, len(text)
    while start < end:
        while start < end and text[start].isspace():
            start += 1
        if end - start <= limit:
            pieces.append(text[start:end].rstrip())
            break
        cut = text.rfind(" ", start, start + limit + 1)
        if cut <= start:
            cut = start + limit
        pieces.append(text[start:cut].rstrip())
        start = cut
    return [piece for piece in pieces if piece]


def split_long(text: str) -> list[str]:
    """Cut a long paragraph at sentence ends into pieces of about PASSAGE_TARGET_CHARS, and any
    piece still longer than PASSAGE_MAX_CHARS at word boundaries."""
    if len(text) <= PASSAGE_MAX_CHARS:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    start = 0
    for match in SENTENCE_SPLIT.finditer(text):
        sentence = text[start : match.end()]
        start = match.end()
        if current and size + len(sentence) > PASSAGE_TARGET_CHARS:
            pieces.append("".join(current).strip())
            current, size = [], 0
        current.append(sentence)
        size += len(sentence)
    current.append(text[start:])
    pieces.append("".join(current).strip())
    bounded: list[str] = []
    for piece in pieces:
        if len(piece) > PASSAGE_MAX_CHARS:
            bounded.extend(_cut_words(piece, PASSAGE_TARGET_CHARS))
        elif piece:
            bounded.append(piece)
    return bounded


def segment(text: str, paged: bool = False) -> Segmented:
    """Split a document into sections, dropping furniture and taking the headline out;
    ``paged``: ``text`` is pages separated by PAGE_BREAK, and each section knows its page."""
    units = _units(text, paged)
    headline = _take_headline(units)
    seen_headline = normalize(headline) if headline else None
    sections: list[Section] = []
    heading: str | None = None
    pending: str | None = None  # a heading not yet followed by a passage
    pending_page: int | None = None
    for unit in units:
        if unit.kind == "heading":
            if seen_headline and normalize(unit.text) == seen_headline:
                continue  # the headline repeated (e.g. a crumb and the title)
            if pending is not None:
                sections.append(Section(None, pending, pending_page))  # nothing under it
            heading = pending = unit.text
            pending_page = unit.page
            continue
        pending = None
        sections.extend(Section(heading, piece, unit.page) for piece in split_long(unit.text))
    if pending is not None:
        sections.append(Section(None, pending, pending_page))
    return Segmented(headline, sections)
