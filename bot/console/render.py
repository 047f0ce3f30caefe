"""Answer -> terminal output (Rich renderables). Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bot.messages import (
    CONSOLE_OPENED,
    EMPTY_QUESTION,
    MORE_HEADER,
    NO_ANSWER,
    PARAGRAPH,
    PASSAGES_LABEL,
    REPHRASE_TIP,
    RESULT_LABEL,
    SOURCE_LABEL,
    SOURCES_TITLE,
    TITLE_LABEL,
    WEAK_LABEL,
)
from retrieval import Answer, Document, Passage, Result


def citation(passage: Passage) -> str:
    """title · paragraph N · source (and the link when the document has one)."""
    parts = [passage.title, f"{PARAGRAPH} {passage.paragraph}", passage.source]
    if passage.url:
        parts.append(passage.url)
    return " · ".join(parts)


def highlighted_passage(result: Result) -> Text:
    """The passage with its best sentence emphasised and matched words highlighted."""
    text = Text(result.passage.text)
    start = result.passage.text.find(result.answer_sentence)
    if start >= 0 and result.answer_sentence:
        text.stylize("bold", start, start + len(result.answer_sentence))
    for a, b in result.highlights:
        text.stylize("bold yellow", a, b)
    return text


def render_result(result: Result, weak: bool = False) -> RenderableType:
    """Rank (and the passage's heading), the passage, then its citation."""
    lines: list[RenderableType] = []
    if weak:
        lines.append(Text(f"({WEAK_LABEL})", style="dim italic"))
    body = Text()
    body.append(f"{result.rank}. ", style="bold cyan")
    if result.passage.heading:
        body.append(f"{result.passage.heading}\n", style="bold underline")
    body.append_text(highlighted_passage(result))
    if weak:
        body.stylize("dim")
    lines += [body, Text("— " + citation(result.passage), style="green"), Text("")]
    return Group(*lines)


def render_answer(answer: Answer) -> RenderableType:
    """The console view of an answer."""
    if not answer.words and not answer.results:
        return Text(EMPTY_QUESTION, style="yellow")
    if not answer.answered:
        parts: list[RenderableType] = [
            Text(NO_ANSWER, style="bold red"),
            Text(REPHRASE_TIP, style="yellow"),
            Text(""),
        ]
        parts += [render_result(r, weak=True) for r in answer.results[:1]]
        return Group(*parts)
    return Group(*(render_result(r) for r in answer.results))


def render_more(results: Sequence[Result]) -> RenderableType:
    """The next page of an answer (/more), numbered on from the first."""
    return Group(Text(MORE_HEADER, style="bold"), *(render_result(r) for r in results))


def render_opened(result: Result, passages: Sequence[Passage]) -> RenderableType:
    """/open: the result's passage in full between its neighbours, under its document's
    citation. The neighbours are dimmed; the passage keeps its highlights."""
    passage = result.passage
    document = [passage.source, *(x for x in (passage.url, passage.date) if x)]
    lines: list[RenderableType] = [
        Text(f"{CONSOLE_OPENED} — {result.rank}. {passage.title}", style="bold"),
        Text("— " + " · ".join(document), style="green"),
        Text(""),
    ]
    for nearby in passages:
        focused = nearby.id == passage.id
        label = Text(f"{PARAGRAPH} {nearby.paragraph}", style="bold cyan" if focused else "cyan")
        if focused:  # said in words too: a pipe or a screen reader has no colours
            label.append(f" ({RESULT_LABEL} {result.rank})", style="bold cyan")
        if nearby.heading:
            label.append(f" — {nearby.heading}", style="bold underline" if focused else "")
        body = highlighted_passage(result) if focused else Text(nearby.text, style="dim")
        lines += [label, body, Text("")]
    return Group(*lines)


def render_sources(documents: Sequence[Document]) -> RenderableType:
    table = Table(title=SOURCES_TITLE, show_lines=False)
    table.add_column("#", justify="right", style="cyan")
    table.add_column(TITLE_LABEL)
    table.add_column(SOURCE_LABEL, style="green")
    table.add_column(PASSAGES_LABEL, justify="right")
    for number, doc in enumerate(documents, start=1):
        table.add_row(str(number), doc.title, doc.url or doc.source, str(doc.passage_count))
    return table
