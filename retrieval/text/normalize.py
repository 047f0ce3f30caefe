"""Arabic normalization and tokenization: one table-driven function for queries and passages."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain

import pyarabic.araby as araby

# Every mapping comes from pyarabic's character constants, compiled once into a str.translate
# table: one C-level pass per text instead of a chain of replaces.
_DELETE = (
    set(araby.TASHKEEL)
    | {araby.TATWEEL, araby.MINI_ALEF, araby.HAMZA_ABOVE, araby.HAMZA_BELOW, araby.MADDA_ABOVE}
    | {chr(c) for c in range(0x0610, 0x061B)}  # Quranic honorifics and small marks
    | {chr(c) for c in range(0x06D6, 0x06EE)}  # Quranic annotation marks
    # zero-width and bidirectional controls: invisible, and they split or hide words
    | set("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad")
    | {chr(c) for c in range(0x202A, 0x202F)}
    | {chr(c) for c in range(0x2066, 0x206A)}
)
_ALEFS = {
    araby.ALEF_HAMZA_ABOVE: araby.ALEF,
    araby.ALEF_HAMZA_BELOW: araby.ALEF,
    araby.ALEF_MADDA: araby.ALEF,
    araby.ALEF_WASLA: araby.ALEF,
}
_PERSIAN = {
    "\u06cc": araby.YEH,  # Persian yeh
    "\u06a9": "\u0643",  # keheh -> kaf
    "\u06c1": araby.HEH,  # heh goal
    "\u06d5": araby.HEH,  # ae
}
_DIGITS = {east: str(i) for i, east in enumerate(araby.NUMBERS_EAST)}
_DIGITS |= {chr(0x06F0 + i): str(i) for i in range(10)}  # Persian digits


def build_table(
    alef_maksura: bool = True, teh_marbuta: bool = True, hamza_seats: bool = True
) -> dict[int, str | None]:
    """The translate table. The options exist for the retrieval study (docs/retrieval.md);
    the product uses the defaults everywhere."""
    mapping: dict[str, str | None] = {ch: None for ch in _DELETE}
    mapping |= _ALEFS | _PERSIAN | _DIGITS
    if alef_maksura:
        mapping[araby.ALEF_MAKSURA] = araby.YEH
    if teh_marbuta:
        mapping[araby.TEH_MARBUTA] = araby.HEH
    if hamza_seats:  # hamza on waw / yeh: spelled with and without it
        mapping[araby.WAW_HAMZA] = araby.WAW
        mapping[araby.YEH_HAMZA] = araby.YEH
    return str.maketrans(mapping)


TABLE = build_table()
# Part of every saved index's fingerprint: bump it when normalization, tokenization,
# segmentation or stemming change the passages or terms a corpus gives, so that saved
# indexes are rebuilt instead of answering with terms the new code never produces.
NORMALIZATION_VERSION = 1

# A token is a run of letters or digits (Unicode-aware, underscore excluded). Every other
# character, Arabic punctuation (، ؛ ؟ « ») included, separates tokens.
TOKEN_RE = re.compile(r"[^\W_]+")
# Arabic presentation forms (ligatures, isolated/final glyphs pasted from PDFs) need NFKC.
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
# Thousands separators inside numbers ("3,000", "٣٬٠٠٠") join the digits.
_THOUSANDS = re.compile(r"(?<=\d)[,\u066c](?=\d{3}\b)")


def fold(text: str) -> str:
    """Return ``text`` with letter variants unified, marks removed and Latin lowercased.

    Character positions are not preserved (diacritics disappear); use :func:`tokens` or
    :func:`normalize` for matching.
    """
    if _PRESENTATION.search(text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(TABLE).lower()


# Tokens of each whitespace-separated written word, cached: a corpus repeats the same words
# (Zipf), so most words cost one dict lookup instead of a translate and two regex passes.
# Splitting at whitespace first changes nothing: whitespace is never part of a token, and
# folding, the thousands rule and the token pattern never look across it.
_WORDS: dict[str, list[str]] = {}
WORD_CACHE_SIZE = 1 << 20  # entries; cleared when full so a long-running bot stays bounded


def written_words(text: str) -> list[str]:
    """``text`` split at whitespace, after the one change that may move word boundaries."""
    if _PRESENTATION.search(text):  # NFKC may join or split words: do it on the whole text
        text = unicodedata.normalize("NFKC", text)
    return text.split()


def word_tokens(word: str) -> list[str]:
    """The normalized tokens of one written word (uncached; see :func:`tokens`)."""
    return TOKEN_RE.findall(_THOUSANDS.sub("", fold(word)))


def _cached_word_tokens(word: str) -> list[str]:
    if len(_WORDS) >= WORD_CACHE_SIZE:
        _WORDS.clear()
    found = _WORDS[word] = word_tokens(word)
    return found


def written_word_tokens(word: str) -> list[str]:
    """``tokens(word)`` for text without whitespace (one written word), from the cache when
    the word was seen before: highlighting looks up every word of every shown passage."""
    found = _WORDS.get(word)
    return tokens(word) if found is None else found


def tokens(text: str) -> list[str]:
    """Split ``text`` into normalized tokens (no stemming, no stop-word removal)."""
    words = written_words(text)
    found = list(map(_WORDS.get, words))
    if None in found:
        found = [_WORDS.get(w) or _cached_word_tokens(w) for w in words]
    return list(chain.from_iterable(found))


# Indexing asks for a passage's tokens three times (furniture check, duplicate check,
# analysis) a few thousand passages apart: remember the latest ones.
@lru_cache(maxsize=4096)
def recent_tokens(text: str) -> tuple[str, ...]:
    """``tokens(text)``, remembered for the texts seen most recently."""
    return tuple(tokens(text))


def normalize(text: str) -> str:
    """The normalized form of ``text``: its tokens joined by single spaces (idempotent)."""
    return " ".join(recent_tokens(text))


def normalize_words(words: Iterable[str]) -> frozenset[str]:
    """The normalized forms of a word or phrase list (stop words, furniture lines)."""
    return frozenset(w for w in map(normalize, words) if w)
