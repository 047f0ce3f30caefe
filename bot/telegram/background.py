"""The bot's work that must not share its process: `python -m bot.telegram.background index
--corpus C [--engine E]` (`marjaa index`) and `... inspect FILE` (what a document sent by an
admin holds, as JSON), both at low priority; an inspection also within a memory limit, so a
hostile or broken file can only take this process down, never the bot."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

NICENESS = 10  # below the bot's own threads: answering keeps the CPU while this runs
INSPECT_MEMORY = 2 << 30  # bytes of address space an inspection may use


@dataclass(frozen=True)
class Finished:
    """How a background process ended: exit status (None: killed at its time limit)."""

    status: int | None
    out: str
    err: str

    @property
    def last_error(self) -> str:
        lines = self.err.strip().splitlines()
        return lines[-1] if lines else f"exit status {self.status}"


async def run_in_background(*args: str, data_dir: Path, timeout: float | None = None) -> Finished:
    """Run this module with ``args`` in a child process and wait for it, off the event loop.

    Cancelled (the bot stopping) or over ``timeout``, the child is killed."""
    package_root = str(Path(__file__).resolve().parents[2])  # where `bot` is importable
    path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.telegram.background", *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "MARJAA_DATA_DIR": str(data_dir), "PYTHONPATH": path},
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except (asyncio.CancelledError, TimeoutError) as exc:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        if isinstance(exc, asyncio.CancelledError):
            raise
        return Finished(None, "", f"stopped after {timeout:g} s")
    return Finished(process.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


def inspect(path: str) -> dict:
    """The documents of one file (title, passages) and the readers' warnings."""
    from retrieval import CorpusError, load_corpus

    warnings: list[str] = []
    try:
        corpus = load_corpus(path, warnings.append)
    except CorpusError as exc:
        return {"documents": [], "warnings": warnings, "error": str(exc)}
    counts: dict[str, int] = {}
    for passage in corpus.passages:
        counts[passage.doc_id] = counts.get(passage.doc_id, 0) + 1
    documents = [{"title": d.title, "passages": counts.get(d.doc_id, 0)} for d in corpus.documents]
    return {"documents": documents, "warnings": warnings, "error": None}


def main(argv: list[str]) -> int:
    os.nice(NICENESS)
    if argv[:1] == ["inspect"] and len(argv) == 2:
        resource.setrlimit(resource.RLIMIT_AS, (INSPECT_MEMORY, INSPECT_MEMORY))
        print(json.dumps(inspect(argv[1]), ensure_ascii=False))
        return 0
    if argv[:1] == ["index"]:
        from bot.cli import main as marjaa

        return marjaa(argv)
    print("usage: python -m bot.telegram.background index|inspect ...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
