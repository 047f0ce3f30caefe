"""The compiled core: every *.c file of this folder compiled with gcc into one shared
library, loaded with ctypes. `make install` builds it; otherwise the first import does (into
this folder, or a temporary one when this folder is read-only). ``library`` is None when it
cannot be built (no gcc): callers then take their pure Python paths, which give the same
results."""

from __future__ import annotations

import contextlib
import ctypes
import os
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAME = "_marjaa_native.so"
FLAGS = ["-O2", "-shared", "-fPIC", "-std=c99"]


def sources() -> list[Path]:
    return sorted(HERE.glob("*.c"))


def _fresh(path: Path) -> bool:
    try:
        built = path.stat().st_mtime
    except OSError:
        return False
    return all(source.stat().st_mtime <= built for source in sources())


def build(target: Path) -> Path:
    """Compile the sources into ``target`` (atomically: concurrent builds do not clash)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=".building-", suffix=".so", dir=target.parent)
    os.close(descriptor)
    try:
        command = ["gcc", *FLAGS, "-o", name, *map(str, sources())]
        subprocess.run(command, check=True, capture_output=True)
        os.replace(name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
    return target


def _load() -> ctypes.CDLL | None:
    if os.environ.get("MARJAA_NO_NATIVE"):
        return None
    candidates = [HERE / NAME, Path(tempfile.gettempdir()) / f"marjaa-native-{os.getuid()}" / NAME]
    for path in candidates:
        if not _fresh(path):
            try:
                build(path)
            except (OSError, subprocess.CalledProcessError):
                continue
        try:
            return ctypes.CDLL(str(path))
        except OSError:
            continue
    return None


library = _load()
