"""Which Arabic words are words at all: the Arabic word list that pyspellchecker ships
(about 144,000 words seen at least 51 times in film subtitles, MSA and dialect), folded as
marjaa normalizes. Typo guesses are made only for question words that are not on it: a real
word the corpus happens not to contain (الجديد, اليابان) is unknown, not misspelt, and one
edit away from it is usually another real word (العديد)."""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib import resources

from retrieval.text.normalize import fold

RESOURCE = ("spellchecker", "resources/ar.json.gz")


@cache
def arabic_words() -> frozenset[str]:
    """The folded word list, read on first use (about 0.2 s) and kept for the process."""
    package, name = RESOURCE
    raw = resources.files(package).joinpath(name).read_bytes()
    words = json.loads(gzip.decompress(raw))
    # one translate over all words instead of one call per word
    return frozenset(fold("\n".join(words)).split("\n"))


def is_word(word: str) -> bool:
    """Whether the normalized ``word`` is a known Arabic word."""
    return word in arabic_words()
