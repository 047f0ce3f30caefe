"""Typo guesses for question words the corpus does not know: what is guessed, what is not,
how much a guess weighs, and the "did you mean" it leads to."""

from __future__ import annotations

import pytest

from retrieval import RetrievalConfig, Retriever, ScoringConfig, load_corpus, normalize
from retrieval.text.lexicon import is_word  # internals: the pieces one by one
from retrieval.text.typos import Typos

WORDS = ["الاسكندريه", "ذكر", "ثلاثه", "قمه", "وارسو", "عبد", "الناصر", "عام", "الذهب", "العاصمه"]
FREQUENCY = dict.fromkeys(WORDS, 3) | {"الذهب": 9}


@pytest.fixture(scope="module")
def typos() -> Typos:
    return Typos([normalize(w) for w in WORDS], lambda w: FREQUENCY.get(w, 0), is_word)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("الاسكنريه", "الاسكندريه"),  # a letter missing
        ("الاسكندرريه", "الاسكندريه"),  # one too many
        ("وراسو", "وارسو"),  # two letters swapped
        ("زكر", "ذكر"),  # Egyptian ز for ذ
        ("تلاته", "ثلاثه"),  # Levantine ت for ث, twice
        ("قمت", "قمه"),  # ة written as it sounds before a noun
        ("الزهب", "الذهب"),
    ],
)
def test_guess_is_the_corpus_word_meant(typos, written, meant):
    assert typos.guesses(normalize(written))[0] == normalize(meant)


@pytest.mark.parametrize(
    ("written", "parts"),
    [("عبدالناصر", ["عبد", "الناصر"]), ("عام1990", ["عام", "1990"]), ("mp3", ["mp", "3"])],
)
def test_glued_words_and_digit_runs_are_split(typos, written, parts):
    assert typos.split(normalize(written)) == parts


def test_no_split_into_fragments_and_no_guess_for_known_or_real_words(typos):
    assert typos.split("انعقد") == []  # ان + عقد would need a two-letter part
    assert typos.guesses("الذهب") == []  # the corpus has it
    assert is_word("الجديد") and typos.guesses("الجديد") == []  # a word, just not here
    assert is_word("العاصفه") and typos.guesses("العاصفه") == []  # not العاصمه: a word too
    assert typos.guesses("العاصمع") == ["العاصمه"]  # no word: one edit is a typo
    assert typos.guesses("عبس") == []  # too short for one edit to mean anything


@pytest.fixture(scope="module")
def seeds(seeds_dir):
    return load_corpus(seeds_dir)


def test_a_guessed_word_weighs_less_than_a_written_one(seeds):
    retriever = Retriever(seeds)
    plan = retriever.plan("متى وصل بلينكن الى الكاهرة؟")
    assert plan.guesses == {"الكاهره": "القاهره"} and plan.guessed == {"الكاهره"}
    factors = {t.text: t.factor for group in plan.groups for t in group}
    assert factors["=القاهره"] == RetrievalConfig().scoring.guess_weight < 1
    assert factors["=بلينكن"] == 1.0
    correct = retriever.search("متى وصل بلينكن الى القاهرة؟").results[0]
    typed = retriever.search("متى وصل بلينكن الى الكاهرة؟").results[0]
    assert typed.passage.id == correct.passage.id
    assert typed.score < correct.score
    # a guess at full weight scores like the right spelling
    full = Retriever(seeds, RetrievalConfig(scoring=ScoringConfig(guess_weight=1.0)))
    assert full.search("متى وصل بلينكن الى الكاهرة؟").results[0].score == pytest.approx(
        correct.score
    )


def test_did_you_mean_only_when_unanswered_and_in_the_corpus_spelling(seeds):
    retriever = Retriever(seeds)
    lost = retriever.search("ما هو مناخ الكاهرة؟")  # the news say nothing of the climate
    assert not lost.answered
    assert lost.suggestions == (("الكاهرة", "القاهرة"),)
    assert lost.suggested_question() == "ما هو مناخ القاهرة؟"
    # answered thanks to the guess: nothing to suggest
    assert retriever.search("ما هي الكاهرة؟").answered
    assert retriever.search("ما هي الكاهرة؟").suggestions == ()
    assert retriever.search("متى وصل بلينكن الى الكاهرة؟").suggestions == ()
    assert retriever.search("ما هي عاصمة اليابان؟").suggestions == ()  # nothing close


def test_guesses_can_be_turned_off(seeds):
    retriever = Retriever(seeds, RetrievalConfig(typos="off"))
    assert retriever.plan("ما هو مناخ الكاهرة؟").guesses == {}
    with pytest.raises(ValueError, match="unknown typos setting"):
        Retriever(seeds, RetrievalConfig(typos="maybe"))
