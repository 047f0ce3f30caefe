"""The compiled core: the C files of this folder built with the system's C compiler into one
library, loaded with ctypes (no build step beyond `python -m retrieval.native`, which the
Makefile runs at install; otherwise the first use builds it).

The library is named by a hash of its sources and the compiler flags, so an edited source is
never served by an old build. Where nothing can be compiled, ``library()`` returns None and
callers use their numpy code (slower, same results).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLAGS = ("-O3", "-shared", "-fPIC", "-std=c99", "-pthread", "-Wall", "-Werror")


def sources() -> list[Path]:
    return sorted(HERE.glob("*.c"))


def version() -> str:
    """A hash of the sources and flags: part of a saved index's settings fingerprint."""
    digest = hashlib.sha256(" ".join(FLAGS).encode())
    for path in [*sources(), *sorted(HERE.glob("*.h"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _places() -> list[Path]:
    """Where the library may be kept: beside the sources, else a per-user cache."""
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return [HERE, cache_home / "marjaa" / "native"]


def _name() -> str:
    return f"_core-{version()}.so"


def build(quiet: bool = False) -> Path:
    """Compile the library unless it is built already; return its path.

    Raises OSError (no compiler, nowhere to write) or subprocess.CalledProcessError."""
    for place in _places():
        if (place / _name()).is_file():
            return place / _name()
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        raise OSError("no C compiler (cc or gcc) found")
    last: OSError | None = None
    for place in _places():
        try:
            place.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(suffix=".so", dir=place)
            os.close(descriptor)
        except OSError as exc:
            last = exc
            continue
        try:
            command = [compiler, *FLAGS, "-o", temporary, *map(str, sources()), "-lm"]
            subprocess.run(command, check=True, capture_output=quiet)
            os.replace(temporary, place / _name())  # atomic: concurrent builds agree
            for old in place.glob("_core-*.so"):
                if old.name != _name():
                    old.unlink(missing_ok=True)
            return place / _name()
        finally:
            Path(temporary).unlink(missing_ok=True)
    raise last or OSError("nowhere to write the compiled core")


@cache
def library() -> ctypes.CDLL | None:
    """The loaded library, built first if needed; None when it cannot be built."""
    if os.environ.get("MARJAA_NATIVE") == "0":  # the numpy code, for comparison and tests
        return None
    try:
        lib = ctypes.CDLL(str(build(quiet=True)))
        _declare(lib)
    except (OSError, subprocess.CalledProcessError, AttributeError):
        return None  # no compiler, or a library without a function this code calls
    return lib


def _declare(lib: ctypes.CDLL) -> None:
    """The signatures of the functions Python calls (AttributeError if one is missing)."""
    pointer, i64, f64 = ctypes.c_void_p, ctypes.c_int64, ctypes.c_double
    lib.marjaa_top_blocks.restype = i64
    lib.marjaa_top_blocks.argtypes = [pointer, i64, pointer, pointer, i64, ctypes.c_int]
    lib.marjaa_top_blocks.argtypes += [f64, f64, i64, pointer, pointer, pointer]
    lib.marjaa_top_blocks_2.restype = i64
    lib.marjaa_top_blocks_2.argtypes = [pointer, i64, pointer, pointer, i64, ctypes.c_int]
    lib.marjaa_top_blocks_2.argtypes += [f64, f64, i64, pointer, i64, pointer, pointer, i64]
    lib.marjaa_term_weights.restype = None
    lib.marjaa_term_weights.argtypes = [pointer, i64, pointer, pointer, i64, pointer]
    lib.marjaa_term_weights.argtypes += [ctypes.c_int, f64, f64, pointer]
    # pack.c: posting blocks packed and unpacked (retrieval/engines/blocks.py)
    lib.marjaa_pack_block.restype = i64
    lib.marjaa_pack_block.argtypes = [pointer, pointer, i64, pointer, pointer, pointer, pointer]
    lib.marjaa_pack_block.argtypes += [i64]
    lib.marjaa_unpack_block.restype = i64
    lib.marjaa_unpack_block.argtypes = [pointer, pointer, i64, pointer, i64, pointer, i64, i64]
    lib.marjaa_unpack_block.argtypes += [pointer, pointer]
    # analysis.c: written words -> token ids (retrieval/index/scan.py)
    lib.wt_new.restype = pointer
    lib.wt_free.argtypes = [pointer]
    lib.wt_clear.argtypes = [pointer]
    lib.wt_words.argtypes = [pointer]
    lib.wt_words.restype = i64
    lib.wt_split.argtypes = [pointer, ctypes.c_char_p, pointer, pointer, i64, pointer, i64]
    lib.wt_split.argtypes += [pointer, pointer, pointer, pointer]
    lib.wt_split.restype = i64
    lib.wt_define.argtypes = [pointer, i64, i64, pointer, pointer]
    lib.wt_hashes.argtypes = [pointer, i64, i64, pointer]
    lib.wt_key.argtypes = [pointer, pointer, i64, pointer]
    lib.wt_expand.argtypes = [pointer, pointer, pointer, i64, pointer, i64, pointer, pointer]
    lib.wt_expand.restype = i64


def main() -> int:
    try:
        path = build()
    except (OSError, subprocess.CalledProcessError) as exc:
        print(
            f"warning: the compiled core could not be built ({exc}); numpy is used", file=sys.stderr
        )
        return 0
    print(f"compiled core: {path}")
    return 0
