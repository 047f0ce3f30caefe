"""Sentence splitting and word spans of original text."""

from __future__ import annotations

import pytest

from retrieval.text.sentences import best_sentence, best_sentence_and_highlights, sentences


def highlights(text: str, words: set[str]) -> list[tuple[int, int]]:
    return best_sentence_and_highlights(text, lambda w: w if w in words else None, {})[1]


SPLITS = [
    ("وصل الوزير. ثم غادر! هل عاد؟ نعم", ["وصل الوزير.", "ثم غادر!", "هل عاد؟", "نعم"]),
    ("سطر أول\nسطر ثان", ["سطر أول", "سطر ثان"]),
    ("قال: “انتهى الأمر.” ثم سكت.", ["قال: “انتهى الأمر.”", "ثم سكت."]),
    ("بلغت النسبة 3.5 بالمئة. وارتفعت.", ["بلغت النسبة 3.5 بالمئة.", "وارتفعت."]),
    ("جملة بلا نهاية", ["جملة بلا نهاية"]),
    ("...", []),
    ("What? Yes. لا!", ["What?", "Yes.", "لا!"]),
]


@pytest.mark.parametrize(("text", "expected"), SPLITS)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_spans_cover_whole_written_words_with_their_diacritics() -> None:
    text = "عُقِدَ الاجتماعُ في المَنامةِ، ثم انتهى."
    spans = highlights(text, {"عقد", "المنامه"})
    assert [text[a:b] for a, b in spans] == ["عُقِدَ", "المَنامةِ"]


def test_spans_match_letter_variants_and_tatweel() -> None:
    text = "إسرائيـــل وأمريكا"
    spans = highlights(text, {"اسراييل"})
    assert [text[a:b] for a, b in spans] == ["إسرائيـــل"]


def test_best_sentence_prefers_the_rarest_matches_and_the_first_on_ties() -> None:
    text = "الحرب في غزة مستمرة. وصل الوزير إلى القاهرة للحديث عن الحرب. الحرب صعبة."
    weights = {"الوزير": 3.0, "القاهره": 3.0, "الحرب": 0.5}
    match = {"الوزير": "الوزير", "القاهره": "القاهره", "الحرب": "الحرب"}.get
    assert best_sentence(text, match, weights) == "وصل الوزير إلى القاهرة للحديث عن الحرب."
    assert best_sentence("أ. ب.", lambda w: None, {}) == "أ."
