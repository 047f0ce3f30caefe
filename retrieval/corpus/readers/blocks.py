"""Structured documents (web pages, Word, Markdown) -> the plain text segmentation reads:
"# " headings, paragraphs between blank lines, "- " list items, table rows as "a | b"."""

from __future__ import annotations

MAX_HEADING_LEVEL = 6


class Blocks:
    """The blocks of one document in reading order, written out as segmentation text."""

    def __init__(self) -> None:
        self._blocks: list[list[str]] = []
        self._kind = ""  # the kind of the last block: lists and tables gather lines

    def _add(self, kind: str, line: str) -> None:
        line = " ".join(line.split())
        if not line:
            return
        if kind in ("item", "row") and self._kind == kind:
            self._blocks[-1].append(line)
        else:
            self._blocks.append([line])
        self._kind = kind

    def heading(self, text: str, level: int = 1) -> None:
        self._add("heading", "#" * min(max(level, 1), MAX_HEADING_LEVEL) + " " + text)

    def paragraph(self, text: str) -> None:
        """A paragraph; its line breaks are kept as lines of one block."""
        lines = [" ".join(line.split()) for line in text.splitlines()]
        lines = [line for line in lines if line]
        if lines:
            self._blocks.append(lines)
            self._kind = "paragraph"

    def item(self, text: str) -> None:
        self._add("item", "- " + " ".join(text.split()) if text.strip() else "")

    def row(self, cells: list[str]) -> None:
        """A table row; repeated neighbours (a merged cell reported once per column) once."""
        kept: list[str] = []
        for cell in (" ".join(c.split()) for c in cells):
            if cell and (not kept or kept[-1] != cell):
                kept.append(cell.replace("|", "/"))
        if kept:
            self._add("row", " | ".join(kept))

    def end_table(self) -> None:
        """The next row starts another table (lists next to each other read as one list)."""
        self._kind = ""

    def text(self) -> str:
        return "\n\n".join("\n".join(block) for block in self._blocks)
