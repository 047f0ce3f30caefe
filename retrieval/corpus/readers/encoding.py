"""Bytes -> text for plain-text files: a BOM, UTF-8, or the legacy Arabic code page that reads
as Arabic (measured against charset-normalizer and chardet in docs/formats.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# What a person recognises, for the warning that names the assumed encoding.
NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "cp1256": "Windows-1256",
    "iso8859_6": "ISO-8859-6",
}
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
LEGACY = ("cp1256", "iso8859_6")
# A Latin letter glued to an Arabic letter: the mark of the wrong code page (ISO-8859-6
# Arabic read as Windows-1256 gives its French letters à â ç è é ê ë î ï ô ù û ü; Latin text
# read as ISO-8859-6 gives Arabic letters inside Latin words)
_LATIN_IN_ARABIC = re.compile(
    r"[\u0621-\u064A][A-Za-z\u00C0-\u00FF]|[A-Za-z\u00C0-\u00FF][\u0621-\u064A]"
)
# The article «ال» starting a word: a wrong code page turns its lam into another letter
_ARTICLE = re.compile(r"(?<![\u0621-\u064A])\u0627\u0644")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # a Python codec name

    @property
    def legacy(self) -> bool:
        """Not Unicode: the reader had to guess, and says which encoding it assumed."""
        return self.encoding in LEGACY

    @property
    def name(self) -> str:
        return NAMES.get(self.encoding, self.encoding)


def has_bom(data: bytes) -> bool:
    return any(data.startswith(bom) for bom, _ in _BOMS)


def decode(data: bytes) -> Decoded:
    """``data`` as text: a BOM decides (UTF-8, UTF-16), then strict UTF-8, then whichever of
    Windows-1256 and ISO-8859-6 reads as Arabic. Never fails: Windows-1256 maps every byte.
    A BOM-marked file with bytes its encoding cannot decode raises UnicodeDecodeError."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(codec), codec)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    candidates = []
    for codec in LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:  # ISO-8859-6 leaves 45 byte values undefined
            continue
        arabic = sum(text.count(chr(code)) for code in range(0x0621, 0x064B))
        score = (len(_LATIN_IN_ARABIC.findall(text)), -len(_ARTICLE.findall(text)), -arabic)
        candidates.append((score, codec, text))
    _, codec, text = min(candidates)
    return Decoded(text, codec)
