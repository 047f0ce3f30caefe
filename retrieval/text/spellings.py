"""Other spellings of a query word that the corpus knows: MSA for dialect, without clitics,
or with other vowels.

Used only for question words the corpus has never seen, so that "الجاية" finds "المقبلة",
"لاوروبا" finds "اوروبا" and a name transliterated differently ("بلانكن"/"بلينكن",
"نتانياهو"/"نتنياهو") still matches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from retrieval.text.arabic import is_arabic
from retrieval.text.dialect import SYNONYMS

# Proclitics, longest first: conjunction (و ف), preposition (ب ل ك) and the article.
PROCLITICS = tuple("وبال وال فال بال كال ولل لل ال وب ول و ف ب ل ك".split())
MIN_REST = 3  # what remains after removing a clitic must still look like a word
# Long vowels, hamza seats and the glides are what transliterations disagree on most.
_VOWELS = str.maketrans("", "", "اويءى")
MIN_SKELETON = 4  # shorter skeletons collide with ordinary words
MAX_VARIANTS = 3


def skeleton(word: str) -> str:
    return word.translate(_VOWELS)


def bare(word: str) -> str:
    """``word`` without its longest proclitic (و ف، ب ل ك، ال), if enough remains."""
    for clitic in PROCLITICS:
        if word.startswith(clitic) and len(word) - len(clitic) >= MIN_REST:
            return word[len(clitic) :]
    return word


class Spellings:
    """The corpus words, indexed for finding other spellings of unknown words."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = {w for w in words if is_arabic(w)}
        groups: dict[str, list[str]] = defaultdict(list)
        for word in self.words:
            key = skeleton(word)
            if len(key) >= MIN_SKELETON:
                groups[key].append(word)
        self._skeletons = {key: sorted(ws) for key, ws in groups.items()}

    def _with_other_clitics(self, word: str) -> list[str]:
        """Corpus words that are ``word`` with other clitics: والبخور ↔ بالبخور ↔ البخور ↔ بخور.

        Looked up per unknown word (a handful of set lookups) rather than indexed at start-up,
        where it would cost a pass over the whole vocabulary."""
        rest = bare(word)
        candidates = {clitic + rest for clitic in ("", *PROCLITICS)}
        return sorted(w for w in candidates if w in self.words and bare(w) == rest)

    def of(self, word: str) -> list[str]:
        """Known spellings of ``word`` (never ``word`` itself), best first."""
        if not word or not is_arabic(word) or word in self.words:
            return []
        found = [w for w in SYNONYMS.get(word, []) if w in self.words]
        found += [w for w in self._with_other_clitics(word) if w not in found]
        found += [w for w in self._skeletons.get(skeleton(word), []) if w not in found]
        return [w for w in found if w != word][:MAX_VARIANTS]
