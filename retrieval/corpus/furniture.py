"""Page furniture: crumbs, comment widgets, promos and site names copied with articles."""

from __future__ import annotations

import re

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
    normalize(p) for p in ["جميع الحقوق محفوظة", "حقوق النشر", "اشترك في النشرة", "Copyright"]
)
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
    sections = sum(map(_SECTION_FORMS.__contains__, words))
    return sections >= 4 and sections * 2 >= len(words)


def is_site_name(line: str, arabic_document: bool) -> bool:
    """A bare Latin word alone on a line of an Arabic page, e.g. "Qsarpress"."""
    return arabic_document and bool(_LATIN_SITE_NAME.match(line.strip()))


def is_crumb(line: str) -> bool:
    return len(tokens(line)) <= CRUMB_MAX_WORDS
