"""Stems that agree with themselves: every form of a word in the table reaches one stem, and
the share of a corpus's (form, plainer form) pairs that do is measured and pinned."""

from __future__ import annotations

import pytest

from retrieval import load_corpus, normalize
from retrieval.analysis import clitic_pairs, make_stemmer, stem_consistency  # internals

# Each row: forms of one word as questions and passages write them (ة or ه, with the
# article, و/ف, a preposition). The consistent stem gives all of them the same stem.
FAMILIES = [
    ("مدرسة", "المدرسة مدرسه المدرسه للمدرسة بالمدرسة والمدرسة فالمدرسة كالمدرسة وبالمدرسة"),
    ("شمال", "الشمال والشمال فالشمال بالشمال للشمال"),
    ("فرنسية", "الفرنسية فرنسيه بالفرنسية بالفرنسيه والفرنسية"),
    ("وزير", "الوزير والوزير للوزير بالوزير"),
    ("ولاية", "الولاية ولايه والولاية بالولاية للولاية"),
    ("كتاب", "الكتاب والكتاب بالكتاب للكتاب كتابه كتابها"),
    ("مصري", "المصري والمصري مصرية المصرية المصريون"),
    ("عاصمة", "العاصمة عاصمه والعاصمة بالعاصمة للعاصمة"),
    ("مستشفى", "المستشفى مستشفي والمستشفى بالمستشفى"),
]
# Short words, numbers and Latin words keep their form: stripping them only makes collisions.
KEPT = ["وقت", "وصل", "2019", "mnna", "قطر"]


@pytest.fixture(scope="module")
def consistent():
    return make_stemmer("clitic-light")


@pytest.mark.parametrize(("word", "forms"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_every_form_of_a_word_reaches_its_stem(consistent, word, forms):
    stem = consistent(normalize(word))
    assert len(stem) >= 2
    assert {f: consistent(normalize(f)) for f in forms.split()} == dict.fromkeys(
        forms.split(), stem
    )


@pytest.mark.parametrize("word", KEPT)
def test_short_words_numbers_and_latin_keep_their_form(consistent, word):
    assert consistent(word) == word


def test_different_words_keep_different_stems(consistent):
    words = [w for w, _ in FAMILIES]
    assert len({consistent(normalize(w)) for w in words}) == len(words)


def _vocabulary(path):
    corpus = load_corpus(path, warn=lambda message: None)
    return {token for passage in corpus.passages for token in passage.tokens}


def test_stem_consistency_on_the_seeds(seeds_dir):
    """Measured on the bundled news: the consistent stem joins nearly every (form, plainer
    form) pair, where Snowball's parts most definite words in ة and every و/ف + ال form."""
    pairs = clitic_pairs(_vocabulary(seeds_dir))
    every = [pair for found in pairs.values() for pair in found]
    assert len(every) >= 100
    assert stem_consistency(make_stemmer("clitic-light"), every) >= 0.97
    assert stem_consistency(make_stemmer("snowball"), every) <= 0.7
    assert stem_consistency(make_stemmer("snowball"), pairs["وال"]) == 0.0


def test_stem_consistency_on_arcd(arcd_train):
    pairs = clitic_pairs(_vocabulary(arcd_train))
    every = [pair for found in pairs.values() for pair in found]
    definite_in_teh = [(a, b) for a, b in pairs["ال"] if b.endswith("ه")]
    assert len(every) >= 1000
    assert len(definite_in_teh) >= 100
    consistent, snowball = make_stemmer("clitic-light"), make_stemmer("snowball")
    assert stem_consistency(consistent, every) >= 0.97
    assert stem_consistency(consistent, definite_in_teh) >= 0.97
    assert stem_consistency(snowball, every) <= 0.6
    assert stem_consistency(snowball, definite_in_teh) <= 0.2


def test_isri_through_re_gives_nltks_roots(seeds_dir) -> None:
    """The ISRI stemmer with its patterns through re (retrieval/analysis.py) gives the roots
    of nltk's own, guarded one, for every word of the seeds."""
    from nltk.stem.isri import ISRIStemmer

    from retrieval.analysis import _isri
    from retrieval.text.normalize import tokens

    words = sorted({t for path in seeds_dir.glob("*.txt") for t in tokens(path.read_text())})
    assert len(words) > 500
    fast, guarded = _isri(), ISRIStemmer().stem
    assert [fast(w) for w in words] == [guarded(w) for w in words]
