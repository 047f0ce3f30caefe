"""Left-to-right runs kept whole inside right-to-left lines: FSI … PDI (Unicode bidi isolates)
around file names, links, Latin words and numbers, in text; <bdi> in HTML.

Without them an Arabic line reorders the pieces of "003_d8ebd055fb7f323d.txt" or "12/1/26"
(the digits and the letters become separate runs around the "_" or "/"). Inside an isolate a
run keeps its own order and takes no part in the direction of the line around it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

FSI = "\u2068"  # first strong isolate: the run's direction comes from its first letter
PDI = "\u2069"  # pop directional isolate

# A left-to-right run: from a Latin letter or digit to the last one before Arabic text or the
# end, across punctuation inside it ("003_x.txt", "12/1/26", "https://a.b/c?d=1") and across
# the spaces between such words ("3D scanning", "Reuters exclusive"). Leading and trailing
# punctuation stay outside, so that brackets and commas follow the Arabic line around them.
# Only runs with a Latin letter are isolated: numbers alone ("2023", "1.2", "12/1/26") are
# laid out right by the bidi algorithm itself.
_LTR_CHAR = r"[A-Za-z0-9\u00C0-\u024F]"
_LTR_WORD = rf"{_LTR_CHAR}(?:[^\s\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]*{_LTR_CHAR})?"
_LTR_RUN = re.compile(rf"{_LTR_WORD}(?:[ \t]+{_LTR_WORD})*")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_RTL = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")


def has_rtl(text: str) -> bool:
    return bool(_RTL.search(text))


def ltr_spans(text: str) -> list[tuple[int, int]]:
    """Where the left-to-right runs of ``text`` are (none when the text has no Arabic: a
    Latin line needs no isolating)."""
    if not has_rtl(text):
        return []
    return [m.span() for m in _LTR_RUN.finditer(text) if _LATIN_LETTER.search(m.group())]


def isolate_runs(text: str) -> str:
    """``text`` with each left-to-right run inside FSI … PDI."""
    return _wrap(text, lambda run: f"{FSI}{run}{PDI}")


def isolate(value: str) -> str:
    """A whole value (a file name, a link) as one isolate: shown whole and in its own order."""
    return f"{FSI}{value}{PDI}" if value else value


def bdi_runs(text: str) -> str:
    """``text`` escaped for HTML, each left-to-right run inside <bdi>."""
    out: list[str] = []
    last = 0
    for start, end in ltr_spans(text):
        out.append(html.escape(text[last:start]))
        out.append(f"<bdi>{html.escape(text[start:end])}</bdi>")
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def _wrap(text: str, wrap: Callable[[str], str]) -> str:
    out: list[str] = []
    last = 0
    for start, end in ltr_spans(text):
        out.append(text[last:start])
        out.append(wrap(text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)


def shifted(text: str) -> tuple[str, Callable[[int], int]]:
    """``isolate_runs(text)``, and where an offset into ``text`` moves to in it (for styles
    set by offset, such as highlighted words)."""
    spans = ltr_spans(text)
    starts = [start for start, _ in spans]
    ends = [end for _, end in spans]

    def moved(offset: int) -> int:
        # each isolate before the offset adds two characters; one inside it adds one (FSI)
        added = 0
        for start, end in zip(starts, ends, strict=True):
            if offset >= end:
                added += 2
            elif offset > start:
                added += 1
        return offset + added

    return isolate_runs(text), moved
