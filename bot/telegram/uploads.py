"""Documents admins add from Telegram, on disk: the corpus's uploads/ folder, files under
generated names (never a name a user gave), written whole or not at all."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from retrieval import Document, readable_suffixes

UPLOADS = "uploads"  # the folder inside the corpus
MEGABYTE = 1024 * 1024  # Telegram's "20 MB" for bots is 20 MiB
# <UTC time>-<first 12 hex digits of the SHA-256>.<a readers' registry extension>
_STORED = re.compile(r"(\d{8}-\d{6})-([0-9a-f]{12})(\.[a-z0-9]+)")
_INCOMING = ".incoming-"  # hidden: the corpus walker skips it until it is complete


def file_suffix(file_name: str | None) -> str:
    """The extension of a name as sent (lower case; "" when it has none)."""
    return PurePath(file_name or "").suffix.lower()


def accepted(suffix: str) -> bool:
    """Whether a reader is registered for ``suffix`` (decided by the registry as it is)."""
    return suffix in readable_suffixes()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Stored:
    """One uploaded file in the folder."""

    path: Path
    label: str  # its name as the corpus cites it ("uploads/<name>")
    digest: str  # the first 12 hex digits of its SHA-256
    uploaded: str  # UTC, "2026-12-01 21:59"
    size: int

    def documents(self, documents: Sequence[Document]) -> list[Document]:
        """This file's documents in the index (a .jsonl holds several: "<label>:<line>")."""
        line = self.label + ":"
        return [d for d in documents if d.source == self.label or d.source.startswith(line)]


class UploadFolder:
    """The uploads/ folder of a corpus folder (a corpus that is one file has none)."""

    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus.expanduser()
        self.folder = self.corpus / UPLOADS
        self.lock = asyncio.Lock()  # checking for a twin and keeping a file: one at a time

    @property
    def available(self) -> bool:
        return self.corpus.is_dir()

    def incoming(self, suffix: str) -> Path:
        """A new hidden file name in the folder for a download in progress."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"{_INCOMING}{secrets.token_hex(8)}{suffix}"

    def keep(self, incoming: Path, digest: str, suffix: str) -> Stored:
        """Give a complete download its generated name (one rename: never seen half-written)."""
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        target = self.folder / f"{stamp}-{digest[:12]}{suffix}"
        os.replace(incoming, target)
        return self._stored(target)

    def _stored(self, path: Path) -> Stored:
        match = _STORED.fullmatch(path.name)
        assert match is not None
        day, clock = match[1].split("-")
        uploaded = f"{day[:4]}-{day[4:6]}-{day[6:]} {clock[:2]}:{clock[2:4]}"
        label = path.relative_to(self.corpus).as_posix()
        return Stored(path, label, match[2], uploaded, path.stat().st_size)

    def stored(self) -> list[Stored]:
        """The uploaded files, oldest first (their names start with the time)."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.iterdir()):
            if _STORED.fullmatch(path.name) and path.is_file():
                try:
                    found.append(self._stored(path))
                except OSError:  # removed meanwhile
                    continue
        return found

    def find(self, digest: str) -> Stored | None:
        return next((s for s in self.stored() if s.digest == digest[:12]), None)

    def clear_incoming(self) -> None:
        """Downloads a crash left behind."""
        if self.folder.is_dir():
            for path in self.folder.glob(f"{_INCOMING}*"):
                path.unlink(missing_ok=True)
