"""Build time and peak memory of the whole process tree (the build and its workers) for a
saved index of a synthetic corpus (bench/scale.py's), for docs/performance.md, "Build speed
(issue 15)". Usage: python bench/build_speed.py 100000 [1000000 ...] [--workers N]

The build runs in a child process; its resident memory and its workers' are sampled from
/proc every 50 ms and summed, so that the peak is the tree's, not one process's."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import scale  # noqa: E402
import versus  # noqa: E402

SAMPLE_SECONDS = 0.05


def tree_rss_kb(pid: int) -> int:
    """Resident kB of ``pid`` and its descendants (bench/versus.py measures the same way)."""
    return versus.tree_rss(pid) // 1024


def child(size: int, workers: int | None) -> None:
    import shutil

    from retrieval import RetrievalConfig, locate, save_index

    corpus, data = scale.corpus_for(size), scale.WORK / "data-buildspeed"
    config = RetrievalConfig()
    location = locate(corpus, data, config)
    shutil.rmtree(location.slot, ignore_errors=True)
    started = time.perf_counter()
    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int | None) -> None:
        stages.setdefault(f"{stage}_at_s", round(time.perf_counter() - started, 2))

    built = save_index(
        location, corpus, config, warn=lambda message: None, progress=progress, workers=workers
    )
    seconds = time.perf_counter() - started
    # when each stage began: "index" is the engine's build from the postings, "save" its files
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers_used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {
        "parent_cpu_s": round(own.ru_utime + own.ru_stime, 1),
        "workers_cpu_s": round(workers_used.ru_utime + workers_used.ru_stime, 1),
    }
    print(json.dumps({"passages": built.passages, "build_s": round(seconds, 2)} | stages | cpu))


def measure(size: int, workers: int | None) -> dict:
    scale.corpus_for(size)
    command = [sys.executable, __file__, "--child", str(size)]
    if workers is not None:
        command += ["--workers", str(workers)]
    load = os.getloadavg()[0]
    reference = scale.reference_loop_ms()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    samples = []  # (seconds since start, tree RSS in kB)
    while process.poll() is None:
        samples.append((time.perf_counter() - started, tree_rss_kb(process.pid)))
        time.sleep(SAMPLE_SECONDS)
    peak = max(rss for _, rss in samples)
    out = process.stdout.read() if process.stdout else ""
    if process.returncode:
        raise SystemExit(f"build failed ({process.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    # the pipeline's own peak: before the engine is built from the postings
    engine_at = result.get("index_at_s", float("inf"))
    result["pipeline_peak_mb"] = round(max(r for t, r in samples if t < engine_at) / 1024)
    result |= {
        "peak_tree_rss_mb": round(peak / 1024),
        "reference_loop_ms": reference,
        "load_1min": round(load, 2),
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.sizes[0], args.workers)
        return
    for size in args.sizes:
        print(json.dumps({"size": size} | measure(size, args.workers)), flush=True)


if __name__ == "__main__":
    main()
