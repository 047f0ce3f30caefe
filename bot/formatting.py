"""Answer -> JSON and terminal output. Pure functions, no I/O."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from retrieval.corpus import Document, Passage
from retrieval.search import Answer, Result

NO_ANSWER = "لا توجد إجابة عن هذا السؤال في المصادر المتاحة."
REPHRASE_TIP = "جرّب إعادة صياغة السؤال بكلمات أخرى، أو اسأل عن اسم أو حدث بعينه."
WEAK_LABEL = "نتيجة ضعيفة، قد لا تجيب عن سؤالك"
EMPTY_QUESTION = "اكتب سؤالاً بكلمات عربية أو لاتينية، مثل: أين عقد حوار المنامة؟"
PARAGRAPH = "الفقرة"
SOURCE_LABEL = "المصدر"


def result_to_dict(result: Result) -> dict:
    passage = result.passage
    return {
        "rank": result.rank,
        "doc_id": passage.doc_id,
        "title": passage.title,
        "source": passage.source,
        "paragraph": passage.paragraph,
        "heading": passage.heading,
        "text": passage.text,
        "score": result.score,
        "answer_sentence": result.answer_sentence,
        "highlights": [list(span) for span in result.highlights],
        "url": passage.url,
    }


def answer_to_dict(answer: Answer) -> dict:
    """The ``marjaa ask --json`` contract (fields may be added, never removed)."""
    return {
        "query": answer.query,
        "answered": answer.answered,
        "results": [result_to_dict(r) for r in answer.results],
    }


def citation(passage: Passage) -> str:
    """title · paragraph N · source (and the link when the document has one)."""
    parts = [passage.title, f"{PARAGRAPH} {passage.paragraph}", passage.source]
    if passage.url:
        parts.append(passage.url)
    return " · ".join(parts)


def passage_text(result: Result) -> Text:
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
    body.append_text(passage_text(result))
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


def render_sources(documents: list[Document]) -> RenderableType:
    table = Table(title="المصادر", show_lines=False)
    table.add_column("#", justify="right", style="cyan")
    table.add_column("العنوان")
    table.add_column(SOURCE_LABEL, style="green")
    table.add_column("الفقرات", justify="right")
    for number, doc in enumerate(documents, start=1):
        table.add_row(str(number), doc.title, doc.url or doc.source, str(doc.passage_count))
    return table
