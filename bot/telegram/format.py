"""Answer -> Telegram HTML: every corpus and user string escaped, never over Telegram's limit."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from bot.bidi import isolate, isolate_runs
from bot.messages import (
    COMMANDS,
    DID_YOU_MEAN,
    EMPTY_QUESTION,
    MORE_HEADER,
    NO_ANSWER,
    PAGE,
    PARAGRAPH,
    RATE_LIMITED,
    REPHRASE_TIP,
    WEAK_LABEL,
    WEAK_RESULTS_HEADER,
)
from bot.safe_text import printable
from retrieval import ELLIPSIS, Answer, Document, Passage, Result, shorten, shorten_start

MAX_MESSAGE = 4096  # Telegram's limit on a message's text after entity parsing
PAGE_SIZE = 3  # passages per message; «المزيد» shows the next page
PASSAGE_CHARS = 600  # a longer passage is shortened around its best sentence
MIN_PASSAGE_CHARS = 120  # below this, shortening further would leave nothing to read
SOURCES_PER_PAGE = 30
ECHO_CHARS = 40  # a user's word quoted back in a reply (a bad /source number, a command)
INLINE_QUESTION_CHARS = 300  # the question repeated above a passage sent in inline mode


# Tags, entities and text runs of an HTML message, in order.
_TOKEN = re.compile(r"<[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z-]+)")


def escape(text: str) -> str:
    """``text`` safe inside Telegram HTML, in text and in attribute values."""
    return html.escape(text, quote=True)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def visible_len(message: str) -> int:
    """Length of an HTML message once Telegram has parsed its tags and entities."""
    total = 0
    for token in _TOKEN.findall(message):
        if token.startswith("<") and len(token) > 1:
            continue
        total += 1 if token.startswith("&") and len(token) > 1 else utf16_len(token)
    return total


def _cut_units(text: str, limit: int) -> str:
    """The longest prefix of ``text`` within ``limit`` UTF-16 units (whole code points only)."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def clip(text: str, limit: int) -> str:
    """``text`` (spaces collapsed) cut at a word boundary to ``limit`` units, with an ellipsis."""
    return shorten(text, limit, utf16_len)


def clip_start(text: str, limit: int) -> str:
    """The end of ``text`` within ``limit`` units, cut at a word boundary, ellipsis first."""
    return shorten_start(text, limit, utf16_len)


def excerpt(text: str, sentence: str, limit: int) -> tuple[str, str, str]:
    """(before, sentence, after): the passage around its best sentence, within ``limit`` units.

    The best sentence is kept whole when it fits; the context after it gets twice the room
    of the context before it, because an answer usually reads on from its sentence.
    """
    start = text.find(sentence) if sentence else -1
    if start < 0:
        return "", "", clip(text, limit)
    before, after = text[:start], text[start + len(sentence) :]
    if utf16_len(text) <= limit:
        return before, sentence, after
    sentence = clip(sentence, max(limit - 4, 1))  # leaves room for "… " on either side
    room = limit - utf16_len(sentence)
    before_room = min(utf16_len(before), room // 3)
    after_room = room - before_room
    if utf16_len(after) < after_room:
        before_room += after_room - utf16_len(after)
        after_room = utf16_len(after)
    return _context(before, before_room, True), sentence, _context(after, after_room, False)


def _context(text: str, room: int, before: bool) -> str:
    """The text on one side of the best sentence within ``room``; just "…" if no room."""
    if utf16_len(text) <= room or not text.strip():
        return text
    if room < 12:  # too little for a word or two: only say that something was cut
        return f"{ELLIPSIS} " if before else f" {ELLIPSIS}"
    # The space at the join keeps the sentence from running into its neighbours.
    return clip_start(text, room - 1) + " " if before else " " + clip(text, room - 1)


def link(url: str | None, label: str) -> str:
    """``label`` as a link to ``url`` when it is a web address; escaped either way, its
    left-to-right runs isolated."""
    shown = escape(isolate_runs(label))
    if url and url.lower().startswith(("https://", "http://")):
        return f'<a href="{escape(url)}">{shown}</a>'
    return shown


def text_html(text: str) -> str:
    """Corpus text escaped for Telegram HTML, its left-to-right runs isolated (FSI … PDI:
    Telegram HTML has no <bdi>)."""
    return escape(isolate_runs(text))


def echo(text: str, limit: int = ECHO_CHARS) -> str:
    """A piece of the user's message to quote back: printable, short (escape it after)."""
    return clip(printable(text), limit)


def citation_html(passage: Passage) -> str:
    """title (linked when the document has a url) · صفحة N (a PDF) · الفقرة N · source, the
    source (a file name) kept whole and in order inside right-to-left text."""
    parts = [link(passage.url, passage.title)]
    if passage.page is not None:
        parts.append(escape(f"{PAGE} {passage.page}"))
    parts += [escape(f"{PARAGRAPH} {passage.paragraph}"), escape(isolate(passage.source))]
    return "📖 " + " · ".join(parts)


def _isolated_excerpt(text: str, sentence: str, limit: int) -> tuple[str, str, str]:
    """``excerpt`` with its left-to-right runs isolated, still within ``limit`` units (the
    isolates take two units a run)."""
    budget = limit
    while True:
        before, middle, after = (isolate_runs(p) for p in excerpt(text, sentence, budget))
        over = utf16_len(before) + utf16_len(middle) + utf16_len(after) - limit
        if over <= 0 or budget <= MIN_PASSAGE_CHARS:
            return before, middle, after
        budget = max(MIN_PASSAGE_CHARS, budget - over)


def result_html(
    result: Result, limit: int = PASSAGE_CHARS, number: bool = True, weak: bool = False
) -> str:
    """One passage: its best sentence in bold inside the (shortened) text, then its citation;
    a weak one (or each one, ``weak``) says so first."""
    before, sentence, after = _isolated_excerpt(result.passage.text, result.answer_sentence, limit)
    bold = f"<b>{escape(sentence)}</b>" if sentence else ""
    body = escape(before) + bold + escape(after)
    prefix = f"<b>{result.rank}.</b> " if number else ""
    label = f"<i>({escape(WEAK_LABEL)})</i>\n" if weak or result.weak else ""
    return f"{label}{prefix}{body}\n<i>{citation_html(result.passage)}</i>"


def results_message(results: Sequence[Result], header: str = "", weak: bool = False) -> str:
    """Up to a page of passages in one message of at most ``MAX_MESSAGE`` characters
    (``weak``: every one is marked weak)."""
    limit = PASSAGE_CHARS
    while True:
        blocks = [result_html(r, limit, weak=weak) for r in results]
        message = "\n\n".join(([header] if header else []) + blocks)
        # Escaping and citations add length that plain-text budgets cannot foresee: shrink
        # the passages until the whole message fits.
        if visible_len(message) <= MAX_MESSAGE or limit <= MIN_PASSAGE_CHARS:
            return truncate_html(message, MAX_MESSAGE)
        limit = max(MIN_PASSAGE_CHARS, limit * 4 // 5)


def answer_message(answer: Answer, page: int = 0) -> str:
    """The reply to a question: a page of passages, or why there is none. Without an answer
    page 0 says so plainly and «المزيد» shows the closest passages, each marked weak."""
    if not answer.words and not answer.results:
        return escape(EMPTY_QUESTION)
    if not answer.answered:
        if page == 0:
            return no_answer_message(answer)
        shown = answer.results[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return results_message(shown, f"<b>{escape(WEAK_RESULTS_HEADER)}</b>", weak=True)
    shown = answer.results[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    header = f"<b>{MORE_HEADER}</b>" if page else ""
    return results_message(shown, header)


def no_answer_message(answer: Answer | None = None) -> str:
    """Why there is no answer, and what the sources would call a word they do not know."""
    message = f"<b>{escape(NO_ANSWER)}</b>\n{escape(REPHRASE_TIP)}"
    question = answer.suggested_question() if answer else None
    if question:
        shown = isolate(echo(" ".join(question.split())))
        message += "\n\n" + escape(DID_YOU_MEAN.format(question=shown))
    return message


def page_count(answer: Answer) -> int:
    """How many pages the reply has: its pages of passages; without an answer, the no-answer
    message and the pages of the closest passages (marked weak)."""
    pages = -(-len(answer.results) // PAGE_SIZE)
    return pages if answer.answered else (1 + pages if pages else 0)


def inline_question(question: str) -> str:
    """The question as shown above the passages of inline mode."""
    return f"❓ {escape(echo(question, INLINE_QUESTION_CHARS))}\n\n"


def inline_message(asked: str, result: Result) -> str:
    """What choosing an inline article sends: the question, one passage and its citation."""
    return truncate_html(asked + result_html(result, number=False), MAX_MESSAGE)


def help_message(username: str, documents: Sequence[Document], passages: int) -> str:
    """/start and /help: what the bot does, how to ask, which sources, the commands."""
    bot = escape(f"@{username}") if username else ""
    titles = "، ".join(text_html(clip(d.title, 60)) for d in documents[:5])
    more = " وغيرها" if len(documents) > 5 else ""
    lines = [
        "<b>مرجع</b> يجيب عن أسئلتك بالعربية من مصادره، ويذكر مصدر كل إجابة"
        f" (الوثائق: {len(documents)}، الفقرات: {passages}).",
        "",
        "<b>كيف تسأل؟</b>",
        "اكتب سؤالك في رسالة، مثل: أين عقد حوار المنامة؟",
        "أرسل لك أفضل الفقرات المطابقة، والجملة الأقرب إلى الإجابة بخط عريض، ومصدر كل فقرة."
        " اضغط «المزيد» لنتائج أخرى، و👍 أو 👎 لتقييم الإجابة.",
    ]
    if bot:
        lines += [
            f"في المجموعات: اكتب /ask ثم سؤالك، أو اذكرني ({bot}) في رسالتك، أو ردّ على إحدى رسائلي.",  # noqa: E501
            f"في أي محادثة: اكتب {bot} ثم سؤالك، واختر فقرة لإرسالها مع مصدرها.",
        ]
    lines += ["", f"<b>المصادر:</b> {titles}{more}.", "", "<b>الأوامر</b>"]
    lines += [f"/{name} — {escape(description)}" for name, description in COMMANDS]
    return truncate_html("\n".join(lines), MAX_MESSAGE)


def sources_pages(documents: Sequence[Document]) -> int:
    return max(1, -(-len(documents) // SOURCES_PER_PAGE))


def sources_message(documents: Sequence[Document], page: int = 1) -> str:
    """One page of the numbered list of documents (numbers are those /source takes)."""
    pages = sources_pages(documents)
    first = (page - 1) * SOURCES_PER_PAGE
    lines = [f"<b>المصادر ({len(documents)})</b>"]
    for number, doc in enumerate(documents[first : first + SOURCES_PER_PAGE], start=first + 1):
        lines.append(
            f"{number}. {link(doc.url, clip(doc.title, 100))} — الفقرات: {doc.passage_count}"
        )
    if pages > 1:
        lines.append(f"\nالصفحة {page} من {pages}؛ اكتب /sources {min(page + 1, pages)} للتالية.")
    lines.append("اكتب /source رقم لتفاصيل أي مصدر.")
    return truncate_html("\n".join(lines), MAX_MESSAGE)


def source_message(doc: Document, number: int) -> str:
    """/source N: title, source, passage count, date and link."""
    lines = [
        f"<b>{number}. {text_html(doc.title)}</b>",
        f"المصدر: {escape(isolate(doc.source))}",
        f"عدد الفقرات: {doc.passage_count}",
    ]
    if doc.date:
        lines.append(f"التاريخ: {escape(doc.date)}")
    if doc.url:
        lines.append(f"الرابط: {link(doc.url, isolate(doc.url))}")
    return truncate_html("\n".join(lines), MAX_MESSAGE)


def rate_limited_message(count: int, seconds: int) -> str:
    return escape(RATE_LIMITED.format(count=count, seconds=seconds))


def truncate_html(message: str, limit: int) -> str:
    """``message`` cut to ``limit`` visible units, never inside a tag, an entity or a
    surrogate pair, with the tags still open at the cut closed again."""
    if visible_len(message) <= limit:
        return message
    budget = limit - 1  # room for the ellipsis
    out: list[str] = []
    open_tags: list[str] = []
    for token in _TOKEN.findall(message):
        if token.startswith("<") and len(token) > 1:
            name_match = _TAG_NAME.match(token)
            name = name_match.group(1).lower() if name_match else ""
            if token.startswith("</"):
                if open_tags and open_tags[-1] == name:
                    open_tags.pop()
            elif not token.endswith("/>"):
                open_tags.append(name)
            out.append(token)
            continue
        size = 1 if token.startswith("&") and len(token) > 1 else utf16_len(token)
        if size <= budget:
            out.append(token)
            budget -= size
            continue
        if not token.startswith("&"):
            out.append(_cut_units(token, budget))
        break
    # An opening tag with nothing after it would leave an empty entity: drop it.
    while out and out[-1].startswith("<") and not out[-1].startswith("</") and open_tags:
        out.pop()
        open_tags.pop()
    out.append(ELLIPSIS)
    out.extend(f"</{name}>" for name in reversed(open_tags))
    return "".join(out)
