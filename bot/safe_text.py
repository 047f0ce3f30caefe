"""Untrusted text made safe to store or show again: no control characters, no lone surrogates."""

from __future__ import annotations

import re

from retrieval import ELLIPSIS

REPLACEMENT = "\ufffd"
# C0 controls but tab and newline (a carriage return or an escape sequence could rewrite a
# terminal that lists the log), DEL and C1 controls; and lone surrogates, which UTF-8 cannot
# encode: one of them in a row would make every later write to SQLite fail.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with each control character and lone surrogate replaced by U+FFFD."""
    return _UNSAFE.sub(REPLACEMENT, text)


def bounded(text: str, limit: int) -> str:
    """At most ``limit`` characters (code points, so no pair is split); a cut text ends in "…"."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS
