"""Normalization: one table-driven function for questions and passages."""

from __future__ import annotations

import pytest

from retrieval.text.normalize import normalize, tokens

CASES = [
    # diacritics (tashkeel, shadda, sukun, superscript alef) disappear
    ("diacritics", "أَيْنَ عُقِدَ حِوَارُ المَنَامَةِ؟", "اين عقد حوار المنامه"),
    ("shadda and tanween", "مُحَمَّدٌ", "محمد"),
    ("superscript alef", "هٰذا", "هذا"),
    ("tatweel", "الـــعـــربـــيـــة", "العربيه"),
    # every alef form becomes a bare alef
    ("alef forms", "أحمد إبراهيم آمال ٱلله", "احمد ابراهيم امال الله"),
    # ى/ي and ة/ه are spelled either way
    ("alef maksura", "مستشفى على", "مستشفي علي"),
    ("teh marbuta", "مدرسة المدرسه", "مدرسه المدرسه"),
    # hamza on waw / yeh is often written without it
    ("hamza seats", "مؤتمر رئيس", "موتمر رييس"),
    # Arabic-Indic and Persian digits become ASCII; thousands separators join
    ("arabic-indic digits", "عام ٢٠١٩", "عام 2019"),
    ("persian digits", "۱۴۰۲", "1402"),
    ("thousands separator", "حوالي 3,000 يهودي", "حوالي 3000 يهودي"),
    # Arabic punctuation separates tokens
    ("arabic punctuation", "قطر،مصر؛الأردن؟«غزة»", "قطر مصر الاردن غزه"),
    ("typographic quotes", "“السعي المراوغ”", "السعي المراوغ"),
    # Latin words and numbers are kept, lowercased
    ("mixed latin", "موقع Axios و MNNA عام 2022", "موقع axios و mnna عام 2022"),
    ("invisible characters", "بلي\u200cنكن \u200fقطر\ufeff", "بلينكن قطر"),
    ("presentation forms", "ﻻ ﺍﻟﻌﺮﺑﻴﺔ", "لا العربيه"),
    ("persian letters", "کتاب ی", "كتاب ي"),
    ("only punctuation", "؟!،.", ""),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_normalize(name: str, text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize("text", [c[1] for c in CASES])
def test_normalize_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


def test_question_and_passage_meet_in_the_same_form() -> None:
    question = "متى صُنّفت قطر حليفاً رئيسياً؟"
    passage = "صنفت قطر كحليف رئيسي"
    assert {"صنفت", "قطر"} <= set(tokens(question)) & set(tokens(passage))


def test_tokens_of_text_without_words_is_empty() -> None:
    assert tokens("  \n\t 😀 ✅ ") == []
