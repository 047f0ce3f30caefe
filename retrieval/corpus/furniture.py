"""Page furniture: crumbs, comment widgets, promos and site names copied with articles;
the headers and footers repeated on the pages of a PDF."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from retrieval.text.normalize import normalize, normalize_words, tokens

# Whole lines (after normalization, bullets and punctuation ignored) that are never content.
FURNITURE_LINES = normalize_words(
    [
        "الرئيسية",
        "الصفحة الرئيسية",
        "Home",
        "تعليقات القراء",
        "التعليقات",
        "لا يوجد تعليقات",
        "لا توجد تعليقات",
        "أضف تعليق",
        "أضف تعليقك",
        "اترك تعليقا",
        "شارك",
        "شارك المقال",
        "شارك هذا المقال",
        "مشاركة",
        "طباعة",
        "تابعونا",
        "اقرأ أيضا",
        "اقرأ أيضاً",
        "اقرأ المزيد",
        "المزيد",
        "أخبار ذات صلة",
        "مواضيع ذات صلة",
        "مقالات ذات صلة",
        "لماذا كتبنا هذا؟",
        "قصة مركزة",
        "إعلان",
        "جميع الحقوق محفوظة",
        "Share",
        "Comments",
        "Read more",
    ]
)
# Line prefixes of boilerplate that varies in its tail (dates, site names).
FURNITURE_PREFIXES = tuple(
    normalize(p)
    for p in [
        "جميع الحقوق محفوظة",
        "حقوق النشر",
        "اشترك في النشرة",
        "Copyright",
        # an inline promo of another story inside an article: "اقرأ أيضاً: <headline>"
        "اقرأ أيضا",
    ]
)
# A dateline or byline with the date: "<site> - الرياض - نشر في: 22 أغسطس 2023"
_DATELINE = re.compile(r"(?:^|\s)(?:نشر في|نشر بتاريخ|تاريخ النشر|اخر تحديث)(?:\s|$)")
DATELINE_MAX_WORDS = 12
# Section names of news sites: a line made mostly of them is a navigation menu or tagline.
SECTION_WORDS = normalize_words(
    [
        "السياسة",
        "الأعمال",
        "الاقتصاد",
        "التكنولوجيا",
        "الحياة",
        "الرأي",
        "الرياضة",
        "الثقافة",
        "الفن",
        "الفنون",
        "الصحة",
        "العلوم",
        "المنوعات",
        "الأخبار",
        "التعليم",
        "السفر",
        "المجتمع",
        "العالم",
        "المال",
        "فيديو",
        "صور",
    ]
)
# ... also with the conjunction و in front
_SECTION_FORMS = SECTION_WORDS | {"و" + word for word in SECTION_WORDS}
_LATIN_SITE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9.\-]*$")
# No furniture line (crumbs, widgets, copyright, a menu of sections) is longer than this.
FURNITURE_MAX_CHARS = 200
# Lines at the top of a page this short, before the headline, are crumbs or the site's name.
CRUMB_MAX_WORDS = 3


def is_furniture(line: str) -> bool:
    """True when a whole line is page furniture rather than document content."""
    if len(line) > FURNITURE_MAX_CHARS:
        return False  # furniture is short: a paragraph is not normalized just to check
    norm = normalize(line)
    if not norm:
        return True  # punctuation or symbols only
    if norm in FURNITURE_LINES or norm.startswith(FURNITURE_PREFIXES):
        return True
    words = norm.split()
    if len(words) <= DATELINE_MAX_WORDS and _DATELINE.search(norm):
        return True
    sections = sum(map(_SECTION_FORMS.__contains__, words))
    return sections >= 4 and sections * 2 >= len(words)


def is_site_name(line: str, arabic_document: bool) -> bool:
    """A bare Latin word alone on a line of an Arabic page, e.g. "Qsarpress"."""
    return arabic_document and bool(_LATIN_SITE_NAME.match(line.strip()))


def is_crumb(line: str) -> bool:
    return len(tokens(line)) <= CRUMB_MAX_WORDS


# Headers and footers of paged documents. A line among the first or last few of a page is a
# header or footer when, its digits aside, it comes back on at least half of the pages (and
# on two at least); a bare page number ("3", "- 3 -", "صفحة 3 من 5", "3/5") and what a
# browser prints there (the page's address, a date and time) always are.
PAGE_EDGE_LINES = 3
REPEATED_SHARE = 0.5
_DIGITS = re.compile(r"[0-9\u0660-\u0669\u06F0-\u06F9]+")
_PAGE_NUMBER = re.compile(
    r"^[\W_]*(?:(?:صفحه|الصفحه|page|p)\s*)?#(?:\s*(?:/|من|of)\s*#)?[\W_]*$", re.IGNORECASE
)


# What a browser prints at the edges of every page, even a single one: the address of the
# page (with "1/2") and a date and time stamp before or after the title.
_PRINTED_ADDRESS = re.compile(r"^\s*(?:file|https?)://\S+(?:\s+\d+\s*/\s*\d+)?\s*$")
_PRINT_STAMP = re.compile(
    r"\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}|\d{1,2}:\d{2}\s*,\s*\d{1,2}/\d{1,2}/\d{2,4}"
)


def _printed_edge(line: str) -> bool:
    return len(line) <= FURNITURE_MAX_CHARS and bool(
        _PRINTED_ADDRESS.match(line) or _PRINT_STAMP.search(line)
    )


def _page_line_key(line: str) -> str:
    return _DIGITS.sub("#", normalize(line) or line.strip())


def page_furniture(pages: Sequence[Sequence[str]]) -> list[set[int]]:
    """For each page (its lines, top to bottom), the indexes of its header and footer lines."""
    edges = [
        {i for i in range(len(lines)) if i < PAGE_EDGE_LINES or i >= len(lines) - PAGE_EDGE_LINES}
        for lines in pages
    ]
    counts: Counter[str] = Counter()
    for lines, edge in zip(pages, edges, strict=True):
        counts.update({_page_line_key(lines[i]) for i in edge})
    needed = max(2, REPEATED_SHARE * len(pages))
    repeated = {key for key, count in counts.items() if count >= needed}
    drop = []
    for lines, edge in zip(pages, edges, strict=True):
        keys = {i: _page_line_key(lines[i]) for i in edge}
        drop.append(
            {
                i
                for i, key in keys.items()
                if key in repeated or _PAGE_NUMBER.match(key) or _printed_edge(lines[i])
            }
        )
    return drop
