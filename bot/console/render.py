"""Answer -> terminal output (Rich renderables). Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bot.bidi import isolate, isolate_runs, shifted
from bot.messages import (
    CONSOLE_OPENED,
    DID_YOU_MEAN,
    EMPTY_QUESTION,
    MORE_HEADER,
    NO_ANSWER,
    PAGE,
    PARAGRAPH,
    PASSAGES_LABEL,
    REPHRASE_TIP,
    RESULT_LABEL,
    SOURCE_LABEL,
    SOURCES_TITLE,
    TITLE_LABEL,
    WEAK_LABEL,
    WEAK_RESULTS_HEADER,
)
from bot.safe_text import printable
from retrieval import Answer, Corpus, Document, Passage, Result, skipped_summary


def citation(passage: Passage) -> str:
    """title · page N · paragraph N · source (and the link when the document has one), each
    left-to-right run isolated so that the line reads right in a right-to-left terminal."""
    parts = [isolate_runs(passage.title)]
    if passage.page is not None:
        parts.append(f"{PAGE} {passage.page}")
    parts += [f"{PARAGRAPH} {passage.paragraph}", isolate(passage.source)]
    if passage.url:
        parts.append(isolate(passage.url))
    return " · ".join(parts)


def highlighted_passage(result: Result) -> Text:
    """The passage with its best sentence emphasised and matched words highlighted (its
    left-to-right runs isolated)."""
    original = result.passage.text
    shown, moved = shifted(original)
    text = Text(shown)
    start = original.find(result.answer_sentence)
    if start >= 0 and result.answer_sentence:
        text.stylize("bold", moved(start), moved(start + len(result.answer_sentence)))
    for a, b in result.highlights:
        text.stylize("bold yellow", moved(a), moved(b))
    return text


def render_result(result: Result, weak: bool = False) -> RenderableType:
    """Rank (and the passage's heading), the passage, then its citation; a weak result (or
    every result, ``weak``) is said to be weak and dimmed."""
    weak = weak or result.weak
    lines: list[RenderableType] = []
    if weak:
        lines.append(Text(f"({WEAK_LABEL})", style="dim italic"))
    body = Text()
    body.append(f"{result.rank}. ", style="bold cyan")
    if result.passage.heading:
        body.append(f"{isolate_runs(result.passage.heading)}\n", style="bold underline")
    body.append_text(highlighted_passage(result))
    if weak:
        body.stylize("dim")
    lines += [body, Text("— " + citation(result.passage), style="green"), Text("")]
    return Group(*lines)


def did_you_mean(answer: Answer) -> str | None:
    """ "Did you mean" with the question as the sources would spell it, or None."""
    question = answer.suggested_question()
    if question is None:
        return None
    return DID_YOU_MEAN.format(question=isolate(printable(" ".join(question.split()))))


def render_answer(answer: Answer) -> RenderableType:
    """The console view of an answer."""
    if not answer.words and not answer.results:
        return Text(EMPTY_QUESTION, style="yellow")
    if not answer.answered:
        parts: list[RenderableType] = [
            Text(NO_ANSWER, style="bold red"),
            Text(REPHRASE_TIP, style="yellow"),
        ]
        if suggestion := did_you_mean(answer):
            parts.append(Text(suggestion, style="bold cyan"))
        parts.append(Text(""))
        parts += [render_result(r, weak=True) for r in answer.results[:1]]
        return Group(*parts)
    return Group(*(render_result(r) for r in answer.results))


def render_more(results: Sequence[Result], answered: bool = True) -> RenderableType:
    """The next page of an answer (/more), numbered on from the first; without an answer, the
    next closest passages, each marked weak (as «المزيد» shows them on Telegram)."""
    header = MORE_HEADER if answered else WEAK_RESULTS_HEADER
    return Group(
        Text(header, style="bold"), *(render_result(r, weak=not answered) for r in results)
    )


def render_opened(result: Result, passages: Sequence[Passage]) -> RenderableType:
    """/open: the result's passage in full between its neighbours, under its document's
    citation. The neighbours are dimmed; the passage keeps its highlights. Left-to-right runs
    are isolated, as in every citation."""
    passage = result.passage
    document = [isolate(passage.source), *(isolate(x) for x in (passage.url, passage.date) if x)]
    title = isolate_runs(passage.title)
    lines: list[RenderableType] = [
        Text(f"{CONSOLE_OPENED} — {result.rank}. {title}", style="bold"),
        Text("— " + " · ".join(document), style="green"),
        Text(""),
    ]
    if result.weak:
        lines.insert(1, Text(f"({WEAK_LABEL})", style="dim italic"))
    for nearby in passages:
        focused = nearby.id == passage.id
        where = f"{PAGE} {nearby.page} · " if nearby.page is not None else ""
        label = Text(
            f"{where}{PARAGRAPH} {nearby.paragraph}", style="bold cyan" if focused else "cyan"
        )
        if focused:  # said in words too: a pipe or a screen reader has no colours
            label.append(f" ({RESULT_LABEL} {result.rank})", style="bold cyan")
        if nearby.heading:
            heading = isolate_runs(nearby.heading)
            label.append(f" — {heading}", style="bold underline" if focused else "")
        if focused:
            body = highlighted_passage(result)
        else:
            body = Text(isolate_runs(nearby.text), style="dim")
        lines += [label, body, Text("")]
    return Group(*lines)


def render_sources(documents: Sequence[Document]) -> RenderableType:
    table = Table(title=SOURCES_TITLE, show_lines=False)
    table.add_column("#", justify="right", style="cyan")
    table.add_column(TITLE_LABEL)
    table.add_column(SOURCE_LABEL, style="green")
    table.add_column(PASSAGES_LABEL, justify="right")
    for number, doc in enumerate(documents, start=1):
        source = isolate(doc.url or doc.source)
        table.add_row(str(number), isolate_runs(doc.title), source, str(doc.passage_count))
    return table


def render_listing(corpus: Corpus) -> RenderableType:
    """`marjaa sources` and the console's /sources: the documents, then the summary of the
    files and folders left unread."""
    skipped = [
        Text(line, style="yellow") for line in skipped_summary(corpus.skipped, corpus.unreadable)
    ]
    return Group(render_sources(corpus.documents), *skipped)
