"""`marjaa index` killed with -9 in the middle of a parallel build: its worker processes do
not outlive it, and the next run removes what it left, saying so."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from retrieval import remove_interrupted_builds
from retrieval.index.build import PARALLEL_MIN_BYTES
from tests.support.paths import ROOT, SEEDS


def big_corpus(folder: Path) -> Path:
    """Enough text for a build in worker processes (PARALLEL_MIN_BYTES): the seeds' words."""
    words = " ".join(p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))).split()
    path = folder / "big.jsonl"
    with path.open("w", encoding="utf-8") as out:
        size = number = 0
        while size < PARALLEL_MIN_BYTES * 3:  # a build that lasts beyond the kill
            text = " ".join(words[(number * 37 + k) % len(words)] for k in range(120))
            line = json.dumps({"title": f"وثيقة {number}", "text": f"{text} رقم {number}."})
            out.write(line + "\n")
            size += len(line.encode()) + 1
            number += 1
    return path


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (its workers, the resource tracker)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left to collect


def index(corpus: Path, data: Path) -> subprocess.Popen:
    env = {**os.environ, "MARJAA_DATA_DIR": str(data)}
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "index", "--corpus", str(corpus)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_killed_build_leaves_no_process_and_the_next_run_cleans_up(tmp_path):
    big, data = big_corpus(tmp_path), tmp_path / "data"
    said = []
    for _ in range(2):  # killed twice: what it leaves must not pile up
        build = index(big, data)
        deadline = time.monotonic() + 60
        # in the middle of the build: its two workers (and the resource tracker) started
        while len(workers := children(build.pid)) < 3:
            assert build.poll() is None and time.monotonic() < deadline, build.communicate()
            time.sleep(0.05)
        time.sleep(0.2)
        assert build.poll() is None, "the build ended before the kill: make the corpus bigger"
        build.kill()
        try:  # workers still running would hold its output open
            said.append(build.communicate(timeout=10)[1])
        except subprocess.TimeoutExpired:
            for pid in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)  # ours: started by this test
            raise AssertionError("worker processes outlived marjaa index") from None
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if alive(pid)], "workers outlived marjaa index"
    # the second run removed what the first left, and said so; its own folder is left
    assert "removed an interrupted index build" in said[1]
    assert len(list(data.glob("index/*/.building-*[!k]"))) == 1
    # and the run after that removes the second one (in this process: the same call)
    told: list[str] = []
    assert remove_interrupted_builds(data / "index", told.append) == 1
    assert told and "killed run" in told[0]
    assert list(data.glob("index/*/.*")) == []  # nothing of the killed builds is left


def test_a_running_build_is_left_alone(tmp_path):
    slot = tmp_path / "index" / "corpus-1"
    (slot / ".building-live").mkdir(parents=True)
    (slot / ".building-dead").mkdir()
    (slot / ".building-dead" / "postings").write_bytes(b"x" * 1000)
    (slot / ".building-dead.lock").touch()
    with (slot / ".building-live.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as the build in progress holds it
        said: list[str] = []
        assert remove_interrupted_builds(tmp_path / "index", said.append) == 1
    assert sorted(p.name for p in slot.iterdir()) == [".building-live", ".building-live.lock"]
    assert said == ["removed an interrupted index build (0.0 MB) that a killed run left behind"]
