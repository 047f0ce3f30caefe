"""Property-based tests of the Telegram messages: any passages, any question, any summary.

Every message must be HTML Telegram accepts (only its tags, balanced, every other "<", ">" and
"&" escaped), at most 4096 characters as Telegram counts them (UTF-16 units, after parsing),
and valid UTF-8 (no half of a surrogate pair). Validity is checked by the fake Bot API's
parser, the same that refuses bad messages in the end-to-end tests.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot import messages
from bot.bidi import FSI, PDI
from bot.querylog.review import ChannelCount, QuestionCount, Summary
from bot.querylog.stats import stats_text
from bot.telegram import format as fmt
from retrieval import Answer, Document, Passage, Result
from tools.fake_bot_api import ApiError, parse_html

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that break naive HTML: markup, entities (escaped or not), quotes, emoji (2 UTF-16
# units), direction marks, newlines, Arabic.
PIECES = ["<", ">", "&", "&amp;", "&lt;", "<b>", "</i>", '"', "'", "😀", "🌿", "\u200f",
          "\u202e", "\n", " ", "الزعفران", "حوار المنامة", "<a href='x'>", "…"]  # fmt: skip
# Corpus text is decoded from files, so it has no lone surrogates; the user's text may.
CORPUS_CHARS = st.characters(exclude_categories=("Cs",))
CORPUS_TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(CORPUS_CHARS, max_size=30)),
                       max_size=60).map("".join)  # fmt: skip
LONG_TEXT = st.one_of(CORPUS_TEXT, CORPUS_TEXT.map(lambda t: t * 80))  # up to thousands
USER_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=300), CORPUS_TEXT, LONG_TEXT
)
SHORT_TEXT = st.text(CORPUS_CHARS, min_size=1, max_size=100)
URLS = st.one_of(
    st.none(),
    st.sampled_from(["https://e.org/?a=1&b=<2>", 'http://e.org/"x"', "javascript:alert(1)"]),
    st.text(max_size=40).map(lambda t: "https://" + t),
)
_TAGS = re.compile(r"<[^<>]*>")


def telegram_shows(message: str) -> str:
    """The text Telegram shows for ``message``; fails the test where Telegram would refuse it."""
    try:
        shown = parse_html(message)
    except ApiError as exc:
        raise AssertionError(f"Telegram would refuse it: {exc.description}\n{message!r}") from None
    bare = _TAGS.sub("", message)
    assert "<" not in bare and ">" not in bare, "a bracket outside a tag"
    message.encode("utf-8")  # strict: a lone surrogate (half a pair) raises
    assert fmt.utf16_len(shown) <= fmt.MAX_MESSAGE
    assert fmt.visible_len(message) == fmt.utf16_len(shown)  # the bot counts as Telegram does
    return shown


@st.composite
def results(draw, count: int) -> tuple[Result, ...]:
    found = []
    for rank in range(1, count + 1):
        text = draw(LONG_TEXT.filter(str.strip))
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        sentence = draw(st.one_of(st.just(text[start:end]), CORPUS_TEXT, st.just("")))
        passage = Passage(
            id=f"d{rank}#1",
            doc_id=f"d{rank}",
            title=draw(SHORT_TEXT),
            source=draw(SHORT_TEXT),
            paragraph=draw(st.integers(1, 10**6)),
            heading=None,
            text=text,
            url=draw(URLS),
        )
        found.append(Result(rank, passage, 1.0, sentence, ()))
    return tuple(found)


@st.composite
def answers(draw) -> Answer:
    found = draw(st.integers(0, 9).flatmap(results))
    words = draw(st.lists(st.text(min_size=1, max_size=10), max_size=3))
    answered = draw(st.booleans()) and bool(found)
    return Answer(draw(USER_TEXT), "", answered, found, tuple(words), 0.5)


@SETTINGS
@given(answers())
def test_any_answer_is_valid_telegram_html_within_the_limit(answer: Answer):
    for page in range(max(fmt.page_count(answer), 1)):
        shown = telegram_shows(fmt.answer_message(answer, page))
        if answer.answered:
            # no message is long enough to be cut (titles and sources here are short): every
            # passage's title and source arrive whole, as text (with only bidi isolates added)
            plain = shown.replace(FSI, "").replace(PDI, "")
            for result in answer.results[page * fmt.PAGE_SIZE : (page + 1) * fmt.PAGE_SIZE]:
                assert result.passage.title in plain and result.passage.source in plain


@SETTINGS
@given(USER_TEXT, results(1))
def test_inline_article_for_any_question_is_valid(question: str, found: tuple[Result, ...]):
    shown = telegram_shows(fmt.inline_message(fmt.inline_question(question), found[0]))
    assert found[0].passage.title in shown.replace(FSI, "").replace(PDI, "")


@SETTINGS
@given(USER_TEXT)
def test_any_user_word_quoted_back_is_valid_and_printable(word: str):
    shown = telegram_shows(fmt.escape(messages.NO_SOURCE.format(value=fmt.echo(word), count=3)))
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", shown)


@st.composite
def html_messages(draw) -> str:
    """Valid Telegram HTML: escaped text runs inside nested allowed tags."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 12))):
        text = fmt.escape(draw(USER_TEXT.map(lambda t: t.encode("utf-16", "surrogatepass")
                                             .decode("utf-16", "replace"))))  # fmt: skip
        tag = draw(st.sampled_from(["", "b", "i", "code", "a"]))
        if not tag:
            parts.append(text)
        elif tag == "a":
            parts.append(f'<a href="https://e.org/{fmt.escape(text[:10])}">{text}</a>')
        else:
            inner = draw(st.sampled_from(["", "u", "s"]))
            body = f"<{inner}>{text}</{inner}>" if inner else text
            parts.append(f"<{tag}>{body}</{tag}>")
    return "".join(parts)


@SETTINGS
@given(html_messages(), st.integers(0, 5000))
def test_truncation_keeps_any_valid_message_valid(message: str, limit: int):
    assume(fmt.visible_len(message) <= 20_000)
    cut = fmt.truncate_html(message, limit)
    shown = parse_html(cut)
    cut.encode("utf-8")
    whole = parse_html(message)
    assert fmt.utf16_len(shown) <= max(limit, 1)
    if fmt.visible_len(message) <= limit:
        assert cut == message
    else:
        assert shown.endswith(fmt.ELLIPSIS)
        assert whole.startswith(shown[: -len(fmt.ELLIPSIS)])  # a prefix: nothing reordered


@st.composite
def documents(draw) -> list[Document]:
    count = draw(st.integers(1, 35))  # two pages of /sources
    return [
        Document(f"d{n}", draw(LONG_TEXT.filter(str.strip)), draw(SHORT_TEXT),
                 draw(st.integers(1, 10**5)), draw(URLS), draw(st.none() | SHORT_TEXT))
        for n in range(count)
    ]  # fmt: skip


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.text(max_size=40))
def test_help_and_source_listings_are_valid_for_any_documents(docs: list[Document], name: str):
    telegram_shows(fmt.help_message(name, docs, 10))
    pages = -(-len(docs) // fmt.SOURCES_PER_PAGE)
    for page in range(1, pages + 1):
        telegram_shows(fmt.sources_message(docs, page))
    telegram_shows(fmt.source_message(docs[-1], len(docs)))


# read back from SQLite: valid UTF-8 (the log stores no lone surrogate)
QUESTION_COUNTS = st.lists(
    st.builds(QuestionCount, CORPUS_TEXT | LONG_TEXT, st.integers(1, 10**6), st.integers(0, 9)),
    max_size=10,
)


@SETTINGS
@given(
    st.integers(0, 10**9),
    QUESTION_COUNTS,
    QUESTION_COUNTS,
    st.lists(st.builds(ChannelCount, SHORT_TEXT, st.integers(0, 10**6), st.integers(0, 10**6)),
             max_size=4),
)  # fmt: skip
def test_stats_message_is_valid_for_any_logged_questions(total, top, unanswered, channels):
    summary = Summary(
        total=total,
        answered=total // 2,
        users=total // 3,
        by_channel=tuple(channels),
        latency_p50=1.5,
        latency_p95=250.0,
        top_queries=tuple(top),
        top_unanswered=tuple(unanswered),
    )
    telegram_shows(stats_text(summary, html=True))
