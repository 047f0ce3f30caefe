"""Written words -> token ids and de-duplication keys, a batch of texts at a time, through the
compiled core (retrieval/native/analysis.c): each distinct written word is analysed once in
Python (normalize.word_tokens, the one definition of a token); every occurrence after that is
a lookup in C. Texts with Arabic presentation forms (NFKC may re-split them) are left to the
caller (``Scanned.python``)."""

from __future__ import annotations

import ctypes
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.native import library as _load_library

library = _load_library()

KEY_BYTES = 16

_P = ctypes.c_void_p


def available() -> bool:
    return library is not None


def _pointer(array: np.ndarray) -> int:
    return array.ctypes.data


def token_hashes(tokens: Sequence[str]) -> np.ndarray:
    """Two 64-bit halves of each token's 16-byte BLAKE2 digest: what keys are made of."""
    digests = b"".join(
        hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=KEY_BYTES).digest()
        for t in tokens
    )
    return np.frombuffer(digests, dtype=np.uint64).copy()


@dataclass
class Scanned:
    tokens: np.ndarray  # int32 token ids of every text, one after another
    counts: np.ndarray  # int64, tokens of each text (0 for the texts in ``python``)
    keys: list[bytes]  # each text's key (b"" without tokens)
    python: list[int]  # texts the caller tokenizes itself (presentation forms)


class WordScanner:
    """The words met so far and their token ids, in C. ``define`` gives the token ids of new
    written words (and has given every new token's hash to ``add_hashes``)."""

    def __init__(self, define: Callable[[list[str]], list[list[int]]]) -> None:
        assert library is not None
        self._handle = ctypes.c_void_p(library.wt_new())
        if not self._handle:
            raise MemoryError("cannot start the word scanner")
        self._define = define

    def __del__(self) -> None:
        if library is not None and getattr(self, "_handle", None):
            library.wt_free(self._handle)
            self._handle = None

    def __len__(self) -> int:
        return int(library.wt_words(self._handle))

    def clear(self) -> None:
        library.wt_clear(self._handle)

    def add_hashes(self, first: int, tokens: Sequence[str]) -> None:
        """The hashes of token ids ``first``... (``tokens``, in id order)."""
        if tokens:
            pairs = token_hashes(tokens)
            library.wt_hashes(self._handle, first, len(tokens), _pointer(pairs))

    def key(self, token_ids: Sequence[int]) -> bytes:
        if not token_ids:
            return b""
        ids = np.asarray(token_ids, dtype=np.int32)
        out = np.zeros(2, dtype=np.uint64)
        library.wt_key(self._handle, _pointer(ids), len(ids), _pointer(out))
        return out.tobytes()

    def scan(self, texts: Sequence[str]) -> Scanned:
        encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
        n = len(encoded)
        ends = np.cumsum(np.fromiter(map(len, encoded), np.int64, n))
        starts = ends - np.fromiter(map(len, encoded), np.int64, n)
        buffer = b"".join(encoded)
        cap = len(buffer) // 2 + n + 1  # words: at most one every two bytes of each text
        occurrences = np.empty(cap, dtype=np.int32)
        counts = np.empty(n, dtype=np.int32)
        flags = np.empty(n, dtype=np.uint8)
        new_offsets = np.empty(cap, dtype=np.int64)
        new_lengths = np.empty(cap, dtype=np.int32)
        first = len(self)
        used = library.wt_split(
            self._handle,
            buffer,
            _pointer(starts),
            _pointer(ends),
            n,
            _pointer(occurrences),
            cap,
            _pointer(counts),
            _pointer(flags),
            _pointer(new_offsets),
            _pointer(new_lengths),
        )
        if used < 0:
            raise MemoryError("the word scanner ran out of memory")
        fresh = len(self) - first
        if fresh:
            words = [
                buffer[o : o + w].decode("utf-8", "surrogatepass")
                for o, w in zip(
                    new_offsets[:fresh].tolist(), new_lengths[:fresh].tolist(), strict=True
                )
            ]
            tokens = self._define(words)
            token_counts = np.fromiter(map(len, tokens), np.int32, fresh)
            flat = np.fromiter((t for ts in tokens for t in ts), np.int32, int(token_counts.sum()))
            library.wt_define(self._handle, first, fresh, _pointer(token_counts), _pointer(flat))
        out = np.empty(len(buffer) + 1, dtype=np.int32)  # a token takes a byte at least
        token_counts = np.empty(n, dtype=np.int32)
        keys = np.empty(2 * n, dtype=np.uint64)
        total = library.wt_expand(
            self._handle,
            _pointer(occurrences),
            _pointer(counts),
            n,
            _pointer(out),
            len(out),
            _pointer(token_counts),
            _pointer(keys),
        )
        if total < 0:
            raise RuntimeError(f"the word scanner failed ({total})")
        blob = keys.tobytes()
        key_list = [
            blob[KEY_BYTES * i : KEY_BYTES * (i + 1)] if c else b""
            for i, c in enumerate(token_counts.tolist())
        ]
        python = np.flatnonzero(flags).tolist()
        return Scanned(out[:total], token_counts.astype(np.int64), key_list, python)
