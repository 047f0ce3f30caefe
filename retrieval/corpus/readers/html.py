"""Saved web pages (.html, .htm, .xhtml): the article's text, headline, date and link, without
menus, scripts, footers, cookie banners or "related articles" (trafilatura; the settings and
why are in docs/formats.md)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from retrieval.corpus.readers.base import (
    METADATA_MAX_CHARS,
    RawDocument,
    Warn,
    read_bytes,
    title_pieces,
)
from retrieval.corpus.readers.blocks import Blocks

SUFFIXES = (".html", ".htm", ".xhtml")
FORMAT = "html"
# trafilatura's own limit on a page; a bigger "page" is a data dump, not an article
MAX_BYTES = 20_000_000

# Layout tables (cells holding paragraphs, headings, divs or other tables) are page structure,
# not data: read as plain blocks, they no longer bring the menu and footer rows with them.
_LAYOUT_TABLES = etree.XPath(
    "//table[.//td//p or .//td//div or .//td//h1 or .//td//h2 or .//td//h3 or .//td//table]"
)
_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")
_FIRST_H1 = etree.XPath("(//h1)[1]")

# trafilatura, htmldate and courlan log their doubts about each page; marjaa reports what
# matters itself (no text found), so their records never reach a terminal by default.
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def clean_title(title: str | None, h1: str, site: str | None) -> str | None:
    """The headline: the page's h1 when the title contains it, else the title without the
    site's name ("headline | site", "site - headline")."""
    title = " ".join((title or "").split())
    if h1 and (h1 in title or not title):
        return h1
    if site:
        pieces = [piece for piece in title_pieces(title) if piece != " ".join(site.split())]
        if pieces:
            title = pieces[0]
    return title or None


def _body_text(body: etree._Element) -> str:
    """trafilatura's XML body (head, p, list/item, table/row/cell, quote, code) as text."""
    blocks = Blocks()
    for element in body:
        tag = element.tag
        if tag == "head":
            level = (element.get("rend") or "h2").lstrip("h")
            blocks.heading(_text(element), int(level) if level.isdigit() else 2)
        elif tag == "list":
            for item in element.iter("item"):
                blocks.item(_text(item))
        elif tag == "table":
            for row in element.iter("row"):
                blocks.row([_text(cell) for cell in row.iter("cell")])
            blocks.end_table()
        elif tag in ("p", "quote", "code", "lb"):
            blocks.paragraph("".join(element.itertext()))
        elif tag not in ("graphic", "ref"):
            blocks.paragraph(_text(element))
    return blocks.text()


def _url(url: str | None) -> str | None:
    if url and url.lower().startswith(("https://", "http://")) and len(url) <= METADATA_MAX_CHARS:
        return url
    return None


def read(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    # imported when a page is read: trafilatura and its date and URL helpers take a few
    # tenths of a second to import, which every other command would pay
    import trafilatura
    from trafilatura.utils import load_html

    data = read_bytes(path, label, warn)
    if data is None:
        return
    if len(data) > MAX_BYTES:
        warn(f"{label}: skipped, larger than {MAX_BYTES // 1_000_000} MB for a web page")
        return
    tree = load_html(data)  # decoded as the page declares (or as charset detection finds)
    if tree is None:
        warn(f"{label}: skipped, cannot parse it as HTML")
        return
    h1 = _text(_FIRST_H1(tree)[0]) if _FIRST_H1(tree) else ""
    for table in _LAYOUT_TABLES(tree):
        for element in table.iter(*_TABLE_PARTS):
            element.tag = "div"
    page = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # no date guessed from the text of the page (a copyright line "© 2003 - 2023" gave
        # 2003-01-01): a page without date metadata has no date
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = _body_text(page.body) if page is not None and page.body is not None else ""
    if not text.strip():
        warn(f"{label}: skipped, no article text found in the page")
        return
    assert page is not None
    title = clean_title(page.title, h1, page.sitename)
    yield RawDocument(
        doc_id=doc_id,
        source=label,
        text=text,
        title=title[:METADATA_MAX_CHARS] if title else None,
        url=_url(page.url),
        date=page.date,
        format=FORMAT,
    )
