"""Guesses for question words the corpus does not know: dialect letter swaps, one edit away
(rapidfuzz), and words glued to each other or to a number.

Only asked about words that neither the corpus nor the known spellings of spellings.py
cover, so the common case (every word known) costs nothing. Guessed words are searched with
a lower weight than the words the question really wrote (scoring.py), and the best guess is
what a "did you mean" suggestion offers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import combinations, product

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from retrieval.text.arabic import is_arabic

# Letters that spoken Arabic pronounces alike and people then write alike: Egyptian and
# Levantine ز/س/ت/د for the interdentals ذ/ث, and the emphatics written plain. Each key is
# what a question may write, mapped to what MSA would write.
DIALECT_SWAPS: dict[str, str] = {
    "ز": "ذظ",  # زهب → ذهب, زهر → ظهر
    "د": "ذض",  # دهب → ذهب
    "س": "ثص",  # سورة → ثورة, سندوق → صندوق
    "ت": "ثط",  # كتير → كثير, تلاتة → ثلاثة
    "ض": "ظ",  # الضهر → الظهر
    "ظ": "ضز",
    "ك": "ق",  # Gulf and some Levantine speech
    # and the other way round, the emphatic or interdental written for the plain letter
    "ص": "س",  # الصرطان → السرطان
    "ط": "ت",
    "ذ": "زد",
    "ث": "ست",
}
# ة spelled as it sounds before a noun (قمت الناتو for قمة الناتو), folded ة being ه
FINAL_SWAPS: dict[str, str] = {"ت": "ه"}
MAX_SWAPS = 2  # letters swapped at once (تلاته → ثلاثه needs two)
MAX_SWAP_FORMS = 64  # bound on the forms tried for a word with many swappable letters
MIN_SWAP_LENGTH = 3
MIN_GUESS_LENGTH = 4  # one edit away from a 3-letter word is a different word, not a typo
MAX_GUESSES = 3
MIN_PART = 3  # each side of a split glued word ("عبدالناصر" → عبد + الناصر): "ان"+"عقد" is انعقد
_DIGIT_RUNS = re.compile(r"\d+|\D+")


def _head(word: str) -> str:
    """The first two letters, after the article when the word has one and is long enough."""
    return word[2:4] if word.startswith("ال") and len(word) >= 6 else word[:2]


class Typos:
    """The corpus words, for guessing what an unknown question word meant.

    ``frequency`` gives a corpus word's document frequency: among equally close guesses the
    more frequent word is the likelier meaning, and a word seen once may itself be a typo.
    """

    def __init__(
        self,
        words: Iterable[str],
        frequency: Callable[[str], int],
        is_word: Callable[[str], bool] | None = None,
    ) -> None:
        """``is_word``: whether a word is a real word (lexicon.py); real words get no guesses."""
        self.words = {w for w in words if is_arabic(w)}
        self._frequency = frequency
        self._is_word = is_word
        # words by (length, first letters) and (length, last letters), built on the first
        # guess (most questions never need one)
        self._buckets: dict[tuple[int, str, str], list[str]] | None = None

    def _index(self) -> dict[tuple[int, str, str], list[str]]:
        if self._buckets is None:
            groups: dict[tuple[int, str, str], list[str]] = defaultdict(list)
            for word in self.words:
                if len(word) >= MIN_GUESS_LENGTH - 1:
                    groups[(len(word), "head", _head(word))].append(word)
                    groups[(len(word), "tail", word[-2:])].append(word)
            self._buckets = dict(groups)
        return self._buckets

    def split(self, word: str) -> list[str]:
        """``word`` as two corpus words written without the space between them, or letters
        glued to a number ("عام1990" → عام 1990); [] when it is no such thing."""
        if not word:
            return []
        runs = _DIGIT_RUNS.findall(word)
        if len(runs) > 1:
            return runs
        if not is_arabic(word):
            return []
        best: tuple[int, list[str]] | None = None
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            left, right = word[:cut], word[cut:]
            if left in self.words and right in self.words:
                rarer = min(self._frequency(left), self._frequency(right))
                if best is None or rarer > best[0]:
                    best = (rarer, [left, right])
        return best[1] if best else []

    def _swapped(self, word: str) -> list[str]:
        """Corpus words that are ``word`` with up to MAX_SWAPS dialect letters swapped."""
        found: list[str] = []
        final = FINAL_SWAPS.get(word[-1])
        if final and (ending := word[:-1] + final) in self.words:
            found.append(ending)
        places = [i for i, letter in enumerate(word) if letter in DIALECT_SWAPS]
        tried = 0
        for count in range(1, min(MAX_SWAPS, len(places)) + 1):
            for chosen in combinations(places, count):
                for letters in product(*(DIALECT_SWAPS[word[i]] for i in chosen)):
                    tried += 1
                    if tried > MAX_SWAP_FORMS:
                        return found
                    form = list(word)
                    for i, letter in zip(chosen, letters, strict=True):
                        form[i] = letter
                    candidate = "".join(form)
                    if candidate in self.words and candidate not in found:
                        found.append(candidate)
        return found

    def _one_edit(self, word: str) -> list[str]:
        """Corpus words one edit away (a letter missing, added, replaced or two swapped)."""
        # One edit leaves a word of 4 letters or more its first two letters or its last two
        # (after the article, which most words share): only words that share them with
        # ``word`` are compared, a few hundred of a vocabulary's hundreds of thousands.
        buckets = self._index()
        choices = list(
            dict.fromkeys(
                w
                for n in (len(word) - 1, len(word), len(word) + 1)
                for key in ((n, "head", _head(word)), (n, "tail", word[-2:]))
                for w in buckets.get(key, ())
            )
        )
        if not choices:
            return []
        distances = process.cdist(
            [word], choices, scorer=OSA.distance, score_cutoff=1, dtype=np.int8, workers=1
        )[0]
        return [choices[i] for i in np.flatnonzero(distances <= 1)]

    def guesses(self, word: str) -> list[str]:
        """Corpus words that ``word`` (unknown to the corpus) most likely meant, best first:
        dialect swaps, then (for words that are no word at all) one edit away; more frequent
        first within each."""
        if len(word) < MIN_SWAP_LENGTH or not is_arabic(word) or word in self.words:
            return []
        frequency = self._frequency
        swapped = sorted(self._swapped(word), key=lambda w: -frequency(w))
        # one edit away from a real word is mostly another real word: a word the corpus
        # lacks is unknown, not misspelt (dialect spellings like تلاته are on the list too,
        # and their swaps are specific enough to try)
        if len(word) < MIN_GUESS_LENGTH or (self._is_word is not None and self._is_word(word)):
            return swapped[:MAX_GUESSES]
        edited = [w for w in self._one_edit(word) if w not in swapped]
        edited.sort(key=lambda w: (-frequency(w), w))
        return (swapped + edited)[:MAX_GUESSES]
