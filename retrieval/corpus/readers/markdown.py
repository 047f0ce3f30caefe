"""Markdown (.md, .markdown): the text without its markup — emphasis, links and code keep
their words, headings stay headings, list items and table rows stay lines; images, raw HTML
and rules are dropped. Parsed with markdown-it-py (CommonMark and tables)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from retrieval.corpus.readers.base import RawDocument, Warn, read_text, with_meta
from retrieval.corpus.readers.blocks import Blocks
from retrieval.corpus.readers.text import sidecar

SUFFIXES = (".md", ".markdown")
FORMAT = "md"

_PARSER = MarkdownIt("commonmark").enable("table")


def _inline(token: Token) -> str:
    """The words of an inline token: text, code and link text; no images, no raw HTML."""
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "".join(parts)


def markdown_text(source: str) -> str:
    """``source`` without its Markdown markup, as segmentation reads text."""
    blocks = Blocks()
    tokens: Sequence[Token] = _PARSER.parse(source)
    lists = 0  # depth of list nesting: a paragraph inside an item is the item
    row: list[str] | None = None
    heading = 0
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            heading = int(token.tag[1:])
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif kind == "table_close":
            blocks.end_table()
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            blocks.row(row)
            row = None
        elif kind == "inline":
            text = _inline(token)
            if row is not None:
                row.append(text)
            elif heading:
                blocks.heading(text, heading)
                heading = 0
            elif lists:
                blocks.item(text)
            else:
                blocks.paragraph(text)
        elif kind in ("fence", "code_block"):
            blocks.paragraph(token.content)
    return blocks.text()


def read(path: Path, doc_id: str, label: str, warn: Warn) -> Iterator[RawDocument]:
    text = read_text(path, label, warn)
    if text is not None:
        meta = sidecar(path, label, warn)
        yield with_meta(doc_id, label, markdown_text(text), meta, warn, FORMAT)
