"""The compiled word scanner (index/scan.py) gives exactly the tokens of normalize.tokens and
de-duplication keys of the same equality as assemble.section_key."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from retrieval.analysis import Analyzer
from retrieval.corpus.assemble import section_key
from retrieval.index import scan
from retrieval.index.encode import TermEncoder
from retrieval.text.normalize import tokens

from .test_encode import TRICKY

pytestmark = pytest.mark.skipif(not scan.available(), reason="no compiled core (gcc)")

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
TEXTS = [
    *TRICKY,
    "كلمة" + "كلمة".join(SPACES) + "نهاية",  # every separator str.split() knows
    "لا\u200bفاصل\u2060هنا \u180e\u200b",  # invisible, but not whitespace
    "نص \ud800 ببدل مفرد",  # a lone surrogate (surrogatepass)
    "ﻻ شيء",  # presentation forms: left to Python
    "\ufeffبداية ملف",
    "والمدرسةُ المدرسة. والمدرسة",
    "a" * 3000,
]


def _encoder() -> TermEncoder:
    return TermEncoder(Analyzer())


def test_scanned_tokens_are_the_tokens_of_each_text():
    encoder = _encoder()
    for _ in range(2):  # new words, then the same words from the table
        scanned = encoder._scanner.scan(TEXTS)
        names = {i: t for t, i in encoder._token_ids.items()}
        ends = np.cumsum(scanned.counts)
        for i, (text, end) in enumerate(zip(TEXTS, ends, strict=True)):
            if i in scanned.python:
                assert any("\ufb50" <= c <= "\ufdff" or "\ufe70" <= c <= "\ufeff" for c in text)
                continue
            start = end - scanned.counts[i]
            assert [names[t] for t in scanned.tokens[start:end]] == tokens(text), text


def test_presentation_forms_are_left_to_python():
    scanned = _encoder()._scanner.scan(["ﻻ شيء", "لا شيء", "\ufeffبداية"])
    assert scanned.python == [0, 2]


def test_keys_compare_as_normalized_texts_do():
    texts = [
        "المدرسةُ الكبيرة",
        "المدرسة الكبيرة",
        "المدرسة  الكبيرة!",
        "الكبيرة المدرسة",
        "المدرسة الكبيرة جدا",
        "المدرسةالكبيرة",
        "ﻻ شيء",
        "لا شيء",
        "،؟",
        "",
    ]
    batch, keys = _encoder().encode([(t, None, "") for t in texts])
    assert len(keys) == len(texts) and batch.size == len(texts)
    for a, key_a in zip(texts, keys, strict=True):
        assert (key_a == b"") == (section_key(a) == b"")
        for b, key_b in zip(texts, keys, strict=True):
            assert (key_a == key_b) == (section_key(a) == section_key(b)), (a, b)


def test_scanner_and_python_paths_give_the_same_terms():
    passages = [(t, "عنوان فرعي", "عنوان") for t in TEXTS]
    native, plain = _encoder(), TermEncoder(Analyzer(), native=False)
    for _ in range(2):
        a, _ = native.encode(passages)
        b, _ = plain.encode(passages)
        assert list(a.lengths) == list(b.lengths)
        terms_a = [native.vocabulary.terms[i] for i in a.ids]
        terms_b = [plain.vocabulary.terms[i] for i in b.ids]
        assert terms_a == terms_b
