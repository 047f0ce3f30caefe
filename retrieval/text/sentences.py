"""Sentences and word spans of original (un-normalized) text: best sentence and highlights."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

from retrieval.text.arabic import SENTENCE_BREAK
from retrieval.text.normalize import tokens, written_word_tokens

# A word as written: letters and digits with any diacritics, tatweel or joiners inside it,
# so that a span covers the whole word the reader sees.
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d"
_WORD = re.compile(rf"[^\W_](?:[^\W_]|[{_MARKS}])*")

Span = tuple[int, int]


def sentence_spans(text: str) -> list[Span]:
    """Character spans of the sentences of ``text``, whitespace trimmed, in order."""
    spans: list[Span] = []
    start = 0
    for match in SENTENCE_BREAK.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b and tokens(text[a:b]):
            trimmed.append((a, b))
    return trimmed


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def word_spans(text: str) -> Iterator[tuple[int, int, list[str]]]:
    """Each written word's span with its normalized tokens."""
    for match in _WORD.finditer(text):
        words = written_word_tokens(match.group())  # a match never holds whitespace
        if words:
            yield match.start(), match.end(), words


def written_form(text: str, word: str) -> str | None:
    """The first written word of ``text`` (diacritics and all) whose tokens include the
    normalized ``word``; None when there is none."""
    for a, b, words in word_spans(text):
        if word in words:
            return text[a:b]
    return None


def best_sentence_and_highlights(
    text: str, match: Callable[[str], str | None], weights: Mapping[str, float]
) -> tuple[str, list[Span]]:
    """The best sentence and the spans of the matched words, from one pass over the words.

    The best sentence is the one whose distinct matched query terms weigh most (the earliest
    on a tie); ``match`` maps a normalized word to the query term it matches (or None).
    """
    matched: list[tuple[int, int, set[str]]] = []
    for a, b, words in word_spans(text):
        terms = {term for term in map(match, words) if term}
        if terms:
            matched.append((a, b, terms))
    best, best_score = "", -1.0
    i = 0
    for a, b in sentence_spans(text):
        found: set[str] = set()
        # words never cross a sentence break (breaks are punctuation or line ends)
        while i < len(matched) and matched[i][0] < b:
            if matched[i][0] >= a:
                found |= matched[i][2]
            i += 1
        score = sum(weights.get(term, 0.0) for term in found)
        if score > best_score:
            best, best_score = text[a:b], score
    return best or text.strip(), [(a, b) for a, b, _ in matched]


def best_sentence(
    text: str, match: Callable[[str], str | None], weights: Mapping[str, float]
) -> str:
    """The sentence whose distinct matched query terms weigh most (the earliest on a tie)."""
    return best_sentence_and_highlights(text, match, weights)[0]
