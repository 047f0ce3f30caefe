"""What every module agrees on about written text: which words are Arabic, where a sentence
ends, and how a text is shortened for display."""

from __future__ import annotations

import re
from collections.abc import Callable

ELLIPSIS = "…"

# Sentences end at . ! ? ؟ … (then any closing quotes or brackets) before a space or the end
# of the text, and at line breaks. A dot inside a token ("3.5", "U.S") ends nothing.
_SENTENCE_MARKS = ".!?؟…"
_SENTENCE_CLOSERS = "\"'”’»)\\]"
# The same rule in its two uses: splitting text into sentences (the space after the end is
# consumed) and finding each sentence's end (the span keeps its punctuation).
SENTENCE_SPLIT = re.compile(rf"(?<=[{_SENTENCE_MARKS}])[{_SENTENCE_CLOSERS}]*\s+|\n+")
SENTENCE_BREAK = re.compile(rf"[{_SENTENCE_MARKS}]+[{_SENTENCE_CLOSERS}]*(?=\s|$)|\n")

# Punctuation that would dangle at the cut of a shortened text.
_CUT_PUNCTUATION = " ،,.:؛;-–"
_SPACES = re.compile(r"\s+")


def is_arabic(word: str) -> bool:
    """Whether a (normalized) word starts with an Arabic letter (hamza to yeh)."""
    return bool(word) and "\u0621" <= word[0] <= "\u064a"


def _prefix_within(text: str, limit: int, width: Callable[[str], int]) -> str:
    """The longest prefix of ``text`` whose width is at most ``limit`` (whole characters)."""
    if width is len:
        return text[: max(limit, 0)]
    used = 0
    for index, char in enumerate(text):
        used += width(char)
        if used > limit:
            return text[:index]
    return text


def shorten(text: str, limit: int, width: Callable[[str], int] = len) -> str:
    """``text`` with its spaces collapsed, cut at a word boundary to at most ``limit`` (as
    ``width`` measures: characters, or Telegram's UTF-16 units), ending in an ellipsis."""
    text = _SPACES.sub(" ", text).strip()
    if width(text) <= limit:
        return text
    cut = _prefix_within(text, limit - width(ELLIPSIS), width)
    if " " in cut[len(cut) // 2 :]:  # a word boundary not too far back
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(_CUT_PUNCTUATION) + ELLIPSIS


def shorten_start(text: str, limit: int, width: Callable[[str], int] = len) -> str:
    """The end of ``text`` within ``limit``, cut at a word boundary, the ellipsis first."""
    text = _SPACES.sub(" ", text).strip()
    if width(text) <= limit:
        return text
    cut = _prefix_within(text[::-1], limit - width(ELLIPSIS), width)[::-1]
    if " " in cut[: len(cut) // 2]:
        cut = cut[cut.index(" ") + 1 :]
    return ELLIPSIS + cut.lstrip(_CUT_PUNCTUATION)
