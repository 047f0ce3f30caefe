"""Answer -> Telegram HTML: escaping, bold best sentence, citations, shortening, the 4096 limit."""

from __future__ import annotations

import pytest

from bot import messages
from bot.bidi import FSI, PDI
from bot.messages import EMPTY_QUESTION, NO_ANSWER, REPHRASE_TIP, WEAK_LABEL, WEAK_RESULTS_HEADER
from bot.telegram import format as fmt
from retrieval import Answer, Document, Passage, Result
from tools.fake_bot_api import ApiError, parse_html


def passage(text: str, title: str = "عنوان", url: str | None = None, paragraph: int = 1):
    return Passage(
        id=f"d#{paragraph}",
        doc_id="d",
        title=title,
        source="docs/a&b.txt",
        paragraph=paragraph,
        heading=None,
        text=text,
        url=url,
    )


def result(text: str, sentence: str, rank: int = 1, **options) -> Result:
    return Result(rank, passage(text, **options), 1.0, sentence, ())


def answer(*results: Result, answered: bool = True) -> Answer:
    return Answer("سؤال", "سوال", answered, results, ("سوال",), 1.0)


def visible(message: str) -> str:
    """What Telegram shows; raises if Telegram would refuse the HTML."""
    return parse_html(message)


def test_corpus_markup_is_escaped_and_best_sentence_is_bold():
    text = 'قبل <b>الجملة</b>. الزعفران & "الهيل" هنا. بعد.'
    best = 'الزعفران & "الهيل" هنا.'
    message = fmt.answer_message(answer(result(text, best, title="<عنوان> & 'x'")))
    assert "<b>الزعفران &amp; &quot;الهيل&quot; هنا.</b>" in message
    assert f"&lt;{FSI}b{PDI}&gt;الجملة&lt;/{FSI}b{PDI}&gt;" in message  # isolated, escaped
    shown = visible(message)
    assert text in shown.replace(FSI, "").replace(PDI, "")
    assert f"<عنوان> & '{FSI}x{PDI}'" in shown  # Latin inside Arabic is isolated


def test_citation_links_the_title_to_a_web_url_only():
    linked = fmt.citation_html(passage("نص", url='https://e.org/?a=1&b="2"', paragraph=7))
    assert linked.startswith('📖 <a href="https://e.org/?a=1&amp;b=&quot;2&quot;">عنوان</a>')
    assert "الفقرة 7" in linked and "docs/a&amp;b.txt" in linked
    unsafe = fmt.citation_html(passage("نص", url="javascript:alert(1)"))
    assert "<a" not in unsafe and "javascript" not in unsafe


def test_long_passage_is_cut_around_the_best_sentence_at_word_boundaries():
    words = [f"كلمة{n}" for n in range(400)]
    best = "هذه هي الجملة التي تجيب عن السؤال."
    text = " ".join(words[:200]) + " " + best + " " + " ".join(words[200:])
    before, sentence, after = fmt.excerpt(text, best, 300)
    assert sentence == best
    assert before.startswith("…") and after.endswith("…")
    assert fmt.utf16_len(before + sentence + after) <= 300
    # Whole words only: every word shown is one of the passage's words.
    shown_words = (before + " " + after).replace("…", " ").split()
    assert set(shown_words) <= set(words)


def test_best_sentence_longer_than_the_room_is_itself_shortened():
    best = " ".join(["جملة"] * 300)
    before, sentence, after = fmt.excerpt("بداية. " + best, best, 200)
    assert sentence.endswith("…") and fmt.utf16_len(before + sentence + after) <= 200


def test_sentence_missing_from_the_text_still_shows_the_passage():
    assert fmt.excerpt("نص الفقرة", "جملة أخرى", 100) == ("", "", "نص الفقرة")


def test_three_huge_passages_full_of_markup_fit_one_message():
    text = " ".join(["<&>\"'"] * 3000)  # escapes to five times its length
    results = [result(text, text[:50], rank=n) for n in (1, 2, 3)]
    message = fmt.answer_message(answer(*results))
    shown = visible(message)
    assert fmt.utf16_len(shown) <= fmt.MAX_MESSAGE
    assert shown.count("📖") == 3


def test_emoji_count_double_towards_the_limit():
    text = "😀 " * 5000
    message = fmt.answer_message(answer(result(text, text[:20])))
    assert fmt.utf16_len(visible(message)) <= fmt.MAX_MESSAGE
    message.encode("utf-8")  # no half of a surrogate pair anywhere


TRICKY = (
    "<b>عريض &amp; <i>مائل 😀🌿 &quot;نص&quot;</i></b> عادي &lt;x&gt; "
    '<a href="https://e.org/?a=1&amp;b=2">رابط 👍</a> النهاية'
)


@pytest.mark.parametrize("limit", range(0, fmt.visible_len(TRICKY) + 2))
def test_truncation_never_cuts_a_tag_an_entity_or_a_surrogate_pair(limit):
    cut = fmt.truncate_html(TRICKY, limit)
    shown = visible(cut)  # tags balanced, entities whole
    assert fmt.utf16_len(shown) <= max(limit, 1)
    cut.encode("utf-8")
    if limit >= fmt.visible_len(TRICKY):
        assert cut == TRICKY
    else:
        assert shown.endswith(fmt.ELLIPSIS)


def test_fake_server_rejects_what_telegram_rejects():
    for broken in ("<b>x", "a < b", "x & y", "<script>x</script>", "<b><i>x</b></i>"):
        with pytest.raises(ApiError):
            parse_html(broken)


def test_clip_counts_utf16_and_keeps_whole_words():
    assert fmt.clip("واحد اثنان ثلاثة", 100) == "واحد اثنان ثلاثة"
    assert fmt.clip("واحد اثنان ثلاثة", 12) == "واحد اثنان…"
    assert fmt.utf16_len(fmt.clip("😀" * 10, 5)) <= 5


def test_unanswered_and_empty_questions():
    unanswered = fmt.answer_message(answer(result("نص", "نص"), answered=False))
    assert visible(unanswered) == f"{NO_ANSWER}\n{REPHRASE_TIP}"
    empty = fmt.answer_message(Answer("😀", "", False, ()))
    assert visible(empty) == EMPTY_QUESTION


def test_pages_of_results():
    results = [result(f"نص {n}", f"نص {n}", rank=n) for n in range(1, 8)]
    full = answer(*results)
    assert fmt.page_count(full) == 3
    second = visible(fmt.answer_message(full, page=1))
    assert second.startswith(messages.MORE_HEADER) and "4. " in second and "7. " not in second
    assert WEAK_LABEL not in second
    # without an answer: the no-answer message, then «المزيد» pages of the closest passages,
    # every one marked weak
    unanswered = answer(*results, answered=False)
    assert fmt.page_count(unanswered) == 4
    assert fmt.page_count(answer(answered=False)) == 0
    closest = visible(fmt.answer_message(unanswered, page=1))
    assert closest.startswith(WEAK_RESULTS_HEADER) and "1. " in closest and "4. " not in closest
    assert closest.count(WEAK_LABEL) == 3


def test_sources_list_is_paged_and_fits_the_limit():
    documents = [
        Document(f"d{n}", f"عنوان طويل جداً <{n}> " * 20, f"s{n}", n, url=f"https://e.org/{n}")
        for n in range(1, 101)
    ]
    first = fmt.sources_message(documents, 1)
    assert fmt.utf16_len(visible(first)) <= fmt.MAX_MESSAGE
    assert "1. " in visible(first) and "/sources 2" in visible(first)
    last = visible(fmt.sources_message(documents, 4))
    assert "100. " in last and "الصفحة 4 من 4" in last


def test_source_detail_has_title_source_count_date_and_link():
    doc = Document("d", "تقرير <سنوي>", "reports/2023.txt", 12, "https://e.org/r", "2023-05-01")
    shown = visible(fmt.source_message(doc, 3))
    assert shown.splitlines() == [
        "3. تقرير <سنوي>",
        f"المصدر: {FSI}reports/2023.txt{PDI}",
        "عدد الفقرات: 12",
        "التاريخ: 2023-05-01",
        f"الرابط: {FSI}https://e.org/r{PDI}",
    ]


def test_help_names_the_commands_and_the_bot():
    documents = [Document("d", "وثيقة & أخرى", "s", 3)]
    shown = visible(fmt.help_message("marjaa_bot", documents, 3))
    assert "@marjaa_bot" in shown and "وثيقة & أخرى" in shown
    for name, description in messages.COMMANDS:
        assert f"/{name} — {description}" in shown


def test_citation_reads_whole_and_in_order_in_a_right_to_left_bubble():
    """The Unicode bidi algorithm (python-bidi) lays out the line as Telegram does for an
    Arabic message: the file name and the link stay whole and in order."""
    from bidi import get_display

    title = "تعثر مؤتمر أمن الشرق الأوسط في البحرين"
    cited = Passage("d#1", "d", title, "003_d8ebd055fb7f323d.txt", 1, None, "نص.", page=3)
    line = visible(fmt.citation_html(cited))
    laid_out = get_display(line)
    assert "003_d8ebd055fb7f323d.txt" in laid_out and "صفحة 3" in line
    # the same line without the isolates comes out scrambled (the bug this prevents)
    bare = line.replace(FSI, "").replace(PDI, "")
    assert "003_d8ebd055fb7f323d.txt" not in get_display(bare)
    linked = visible(
        fmt.source_message(Document("d", title, "a/b_1.txt", 2, "https://e.org/x_1"), 1)
    )
    assert "https://e.org/x_1" in get_display(linked) and "a/b_1.txt" in get_display(linked)


def test_passage_keeps_latin_runs_whole_within_its_budget():
    from bidi import get_display

    text = (
        "استخدم الفريق المسح ثلاثي الأبعاد (3D scanning) وفق المعيار ISO_19650-2 في الموقع. " * 30
    )
    message = visible(fmt.result_html(result(text, "", rank=1), limit=300))
    body = message.split("\n📖")[0]
    assert fmt.utf16_len(body) <= len("1. ") + 300
    assert "ISO_19650-2" in get_display(body.splitlines()[0])
