"""Each document format, read from files its real producer made (tests/data/formats, made by
tools/make_test_documents.py): the article's text and nothing else, its title, date, link and
pages, and a clear word about every file that cannot be read."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from retrieval import Corpus, Document, Passage, load_corpus
from tools import sample_articles as articles
from tools.make_test_documents import MARKDOWN, SITES
from tools.sample_articles import Article

FORMATS = Path(__file__).resolve().parents[1] / "data" / "formats"
PRESENTATION_FORMS = re.compile(r"[\uFB50-\uFDFF\uFE70-\uFEFF]")


def load(*names: str, tmp_path: Path) -> tuple[Corpus, list[str]]:
    """A corpus of copies of the named samples, and its warnings."""
    for name in names:
        shutil.copy(FORMATS / name, tmp_path / name)
    warnings: list[str] = []
    return load_corpus(tmp_path, warn=warnings.append), warnings


def document(corpus: Corpus, source: str) -> tuple[Document, list[Passage]]:
    [doc] = [d for d in corpus.documents if d.source == source]
    return doc, [p for p in corpus.passages if p.source == source]


def shown(passages: list[Passage]) -> str:
    """Everything a reader of the passages sees: headings and texts."""
    return "\n".join(f"{p.heading or ''}\n{p.text}" for p in passages)


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_whole_article(article: Article, passages: list[Passage]) -> None:
    """Every paragraph of the article is in the passages, word for word and in order (table
    rows as "a | b" lines)."""
    text = flat(shown(passages))
    for paragraph in article.paragraphs:
        for line in paragraph.split("\n"):
            assert flat(line) in text, line


@pytest.mark.parametrize(
    ("site", "article"),
    list(zip(SITES, articles.HTML_ARTICLES, strict=True)),
    ids=[a.key for a in articles.HTML_ARTICLES],
)
def test_saved_web_page_gives_the_article_its_headline_date_and_link(
    tmp_path: Path, site, article: Article
) -> None:
    name = f"{article.key}.html"
    corpus, _ = load(name, tmp_path=tmp_path)
    doc, passages = document(corpus, name)
    assert doc.format == "html"
    assert doc.title == article.title  # no site name before or after it
    assert doc.url == article.url
    assert doc.date == article.date[:10]
    assert all(p.url == article.url for p in passages)  # the link every citation shows
    assert_whole_article(article, passages)
    # nothing of the page around the article: menus, share buttons, other stories'
    # headlines, comments, cookie banner, newsletter, footer, script strings
    boilerplate = site.render(site, article, random.Random(len(article.key))).boilerplate
    texts = shown(passages)
    lines = {flat(line) for line in texts.splitlines()}
    for item in boilerplate:
        if len(item.split()) >= 3:
            assert flat(item) not in flat(texts), item
        else:
            assert flat(item) not in lines, item


def test_pdf_exported_by_libreoffice_cites_pages_and_drops_its_header_and_footer(
    tmp_path: Path,
) -> None:
    corpus, _ = load("noor_report.pdf", tmp_path=tmp_path)
    doc, passages = document(corpus, "noor_report.pdf")
    assert (doc.format, doc.pages, doc.title) == ("pdf", 5, articles.NOOR.title)
    assert_whole_article(articles.NOOR, passages)
    text = shown(passages)
    assert "الوكالة المغربية للطاقة المستدامة" not in text  # the header of every page
    assert not re.search(r"صفحة\s*\d", text)  # the "صفحة N" footer
    assert not PRESENTATION_FORMS.search(text)
    # LibreOffice's lam-alef ligatures come out in reading order (not "اإلنتاج", "خالل")
    assert "الإنتاج" in text and "خلال" in text and "اإل" not in text
    by_fact = {p.page for p in passages if "1920 غيغاواط ساعة" in p.text}
    assert by_fact == {3}
    assert [p.page for p in passages] == sorted(p.page for p in passages)
    assert {p.heading for p in passages if p.page == 4} == {"المياه والبيئة"}


def test_pdf_printed_by_chromium_reads_in_order_without_the_browser_header(
    tmp_path: Path,
) -> None:
    corpus, _ = load("alexandria_print.pdf", tmp_path=tmp_path)
    doc, passages = document(corpus, "alexandria_print.pdf")
    assert doc.title == articles.ALEXANDRIA.title  # not "… - أخبار النيل" (the print title)
    assert doc.pages == 2
    assert_whole_article(articles.ALEXANDRIA, passages)
    text = shown(passages)
    assert "file://" not in text and "1/2" not in text  # Chromium's footer
    assert not PRESENTATION_FORMS.search(text)
    last = articles.ALEXANDRIA.paragraphs[-1]
    assert {p.page for p in passages if flat(last) in flat(p.text)} == {2}


def test_one_page_print_loses_the_browser_header_and_keeps_brackets_right(
    tmp_path: Path,
) -> None:
    """On a single page nothing repeats: the address and the date-time stamp Chromium prints
    are known for what they are. Chromium maps a mirrored bracket glyph to its logical
    character; the brackets still come out as written."""
    corpus, _ = load("tunis_rail_print.pdf", tmp_path=tmp_path)
    doc, passages = document(corpus, "tunis_rail_print.pdf")
    assert (doc.title, doc.pages) == (articles.TUNIS_RAIL.title, 1)
    assert [p.text for p in passages] == list(articles.TUNIS_RAIL.paragraphs)
    assert "(EIB)" in shown(passages) and "(AFD)" in shown(passages)


def test_scanned_pdf_is_named_with_what_to_do(tmp_path: Path) -> None:
    shutil.copy(FORMATS / "henna_scan.pdf", tmp_path)
    shutil.copy(FORMATS / "henna_utf16.txt", tmp_path)
    corpus, warnings = load(tmp_path=tmp_path)
    [warning] = [w for w in warnings if "henna_scan.pdf" in w]
    assert "no text layer" in warning and "OCR" in warning
    assert [d.source for d in corpus.documents] == ["henna_utf16.txt"]


@pytest.mark.parametrize(
    ("name", "article"),
    [("olives.docx", articles.OLIVES), ("mocha.docx", articles.MOCHA)],
    ids=["python-docx", "libreoffice"],
)
def test_word_document_headings_tables_and_properties(
    tmp_path: Path, name: str, article: Article
) -> None:
    corpus, warnings = load(name, tmp_path=tmp_path)
    doc, passages = document(corpus, name)
    assert (doc.format, doc.title, doc.date) == ("docx", article.title, article.date[:10])
    assert_whole_article(article, passages)
    headings = {p.heading for p in passages}
    assert {heading for heading, _ in article.headings} <= headings
    [table] = [p for p in passages if " | " in p.text]
    assert table.text.splitlines() == article.paragraphs[2].splitlines()  # row by row
    assert not warnings


@pytest.mark.parametrize(
    ("name", "article", "said"),
    [
        ("kuwait_rain_cp1256.txt", articles.KUWAIT_RAIN, "read as Windows-1256"),
        ("lake_nasser_iso8859_6.txt", articles.LAKE_NASSER, "read as ISO-8859-6"),
        ("henna_utf16.txt", articles.HENNA, None),
        ("book_fair_bom.txt", articles.BOOK_FAIR, None),
    ],
)
def test_text_in_the_encodings_of_older_archives(
    tmp_path: Path, name: str, article: Article, said: str | None
) -> None:
    corpus, warnings = load(name, tmp_path=tmp_path)
    doc, passages = document(corpus, name)
    assert doc.title == article.title
    assert [p.text for p in passages] == list(article.paragraphs)
    assert warnings == ([f"{name}: not UTF-8, {said}"] if said else [])


def test_markdown_markup_is_gone_and_its_words_stay(tmp_path: Path) -> None:
    corpus, _ = load("red_weevil.md", tmp_path=tmp_path)
    doc, passages = document(corpus, "red_weevil.md")
    assert (doc.format, doc.title) == ("md", articles.RED_WEEVIL.title)
    text = shown(passages)
    for markup in ("**", "*", "](", "![", "`", "> ", "#", "---"):
        assert markup not in text, markup
    assert "دليل وزارة الزراعة" in text  # a link keeps its text
    assert "دليل المكافحة المتكاملة" in text  # so does inline code
    [symptoms] = [p for p in passages if p.heading == "الأعراض"]
    assert symptoms.text.startswith("أعراض الإصابة التي يجب الانتباه إليها:\n- ثقوب")
    assert "ملاحظة: عند اكتشاف نخلة مصابة" in text
    assert MARKDOWN.count("**") == 6  # the sample does have emphasis to remove


def test_every_unread_file_is_named_once_in_a_summary(tmp_path: Path) -> None:
    names = ["aqaba_slides.pptx", "dates_sales.xlsx", "mocha.odt", "mocha.doc", "aqaba.html"]
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README").write_text("no extension")
    corpus, warnings = load(*names, tmp_path=tmp_path)
    assert warnings == [
        "skipped 3 files: 1 (no extension), 1 .pptx, 1 .xlsx — unsupported: "
        "aqaba_slides.pptx, dates_sales.xlsx, notes/README",
        "skipped 2 files: 1 .doc, 1 .odt — unsupported, convert to .docx with LibreOffice "
        "(libreoffice --headless --convert-to docx): mocha.doc, mocha.odt",
    ]
    assert [(s.path, s.reason) for s in corpus.skipped][:2] == [
        ("aqaba_slides.pptx", "unsupported"),
        ("dates_sales.xlsx", "unsupported"),
    ]
    assert [d.source for d in corpus.documents] == ["aqaba.html"]


def test_content_decides_when_the_extension_lies(tmp_path: Path) -> None:
    shutil.copy(FORMATS / "noor_report.pdf", tmp_path / "report.txt")
    shutil.copy(FORMATS / "mocha.doc", tmp_path / "old.docx")
    (tmp_path / "fake.pdf").write_text("نص عادي وليس ملف PDF.", encoding="utf-8")
    shutil.copy(FORMATS / "aqaba.html", tmp_path / "saved.txt")
    corpus, warnings = load(tmp_path=tmp_path)
    assert "report.txt: its content is PDF, not .txt; read so" in warnings
    assert "saved.txt: its content is HTML, not .txt; read so" in warnings
    assert any(w.startswith("old.docx: skipped, an old Word .doc") for w in warnings)
    assert "fake.pdf: skipped, named .pdf but its content is not a PDF" in warnings
    formats = {d.source: d.format for d in corpus.documents}
    assert formats == {"report.txt": "pdf", "saved.txt": "html"}
    report = next(d for d in corpus.documents if d.source == "report.txt")
    assert report.pages == 5


def test_single_files_of_each_format_as_the_corpus(tmp_path: Path) -> None:
    for name, title in [
        ("aqaba.html", articles.AQABA.title),
        ("noor_report.pdf", articles.NOOR.title),
        ("olives.docx", articles.OLIVES.title),
    ]:
        corpus = load_corpus(FORMATS / name, warn=lambda message: None)
        assert [d.title for d in corpus.documents] == [title]


def test_htm_and_markdown_extensions_are_read(tmp_path: Path) -> None:
    shutil.copy(FORMATS / "kubaniya.html", tmp_path / "kubaniya.HTM")
    shutil.copy(FORMATS / "red_weevil.md", tmp_path / "weevil.markdown")
    corpus, warnings = load(tmp_path=tmp_path)
    assert {d.source: d.format for d in corpus.documents} == {
        "kubaniya.HTM": "html",
        "weevil.markdown": "md",
    }
    assert warnings == []


def test_damaged_pdf_and_word_files_are_named_and_the_rest_loads(tmp_path: Path) -> None:
    pdf = (FORMATS / "noor_report.pdf").read_bytes()
    (tmp_path / "cut.pdf").write_bytes(pdf[: len(pdf) // 3])  # a download that stopped
    (tmp_path / "garbled.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    word = (FORMATS / "olives.docx").read_bytes()
    (tmp_path / "cut.docx").write_bytes(word[: len(word) // 2])
    shutil.copy(FORMATS / "dates_sales.xlsx", tmp_path / "sheet.docx")  # a zip, not Word
    shutil.copy(FORMATS / "aqaba.html", tmp_path / "fine.html")
    corpus, warnings = load(tmp_path=tmp_path)
    assert [d.source for d in corpus.documents] == ["fine.html"]
    named = {w.split(":")[0] for w in warnings}
    assert {"cut.pdf", "garbled.pdf", "cut.docx", "sheet.docx"} <= named
    assert all("\n" not in w for w in warnings)
