"""`make bench`: build, load and query synthetic corpora of 10k, 100k and 1M passages with
both engines, and print the figures docs/performance.md reports.

Each build and each load-and-query runs in a fresh process, so load times are cold-start
times and peak RSS is that step's own. Corpora are made once (real ARCD and seed sentences
recombined, see synthetic.py) and kept under data/bench/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from synthetic import real_questions, real_sentences, write_corpus  # noqa: E402

from retrieval import (  # noqa: E402
    RetrievalConfig,
    locate,
    open_retriever,
    save_index,
)
from retrieval.engines import top_k  # noqa: E402

ARCD = ROOT.parent / "shared" / "eval" / "arcd-train.json"
WORK = ROOT / "data" / "bench"
CORPUS_VERSION = 1  # bump when synthetic.py changes what it writes
SIZES = (10_000, 100_000, 1_000_000)
# rank-bm25 scores every passage in Python: sample its questions on large corpora, and
# skip 1M passages (a dict per passage: tens of GB and many minutes to build).
RANK_BM25_QUESTIONS = {10_000: 693, 100_000: 60}
RANK_BM25_MAX = 100_000
WARM_UP = 5


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(own, 1), round(children, 1)


def corpus_for(size: int) -> Path:
    folder = WORK / f"corpus-{size}"
    marker = folder / ".complete"
    if marker.is_file() and marker.read_text() == str(CORPUS_VERSION):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    print(f"writing a synthetic corpus of {size:,} passages...", file=sys.stderr, flush=True)
    write_corpus(folder, size, real_sentences(ARCD, ROOT / "seeds"))
    marker.write_text(str(CORPUS_VERSION))
    return folder


def child_build(size: int, engine: str) -> dict:
    corpus, data = corpus_for(size), WORK / f"data-{engine}"
    config = RetrievalConfig(engine=engine)
    location = locate(corpus, data, config)
    shutil.rmtree(location.slot, ignore_errors=True)
    started = time.perf_counter()
    built = save_index(location, corpus, config, warn=lambda message: None)
    seconds = time.perf_counter() - started
    files = [p for p in location.folder.iterdir() if p.is_file()]
    own, workers = peak_rss_mb()
    return {
        "passages": built.passages,
        "build_s": round(seconds, 2),
        "disk_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
        "build_rss_mb": own,
        "worker_rss_mb": workers,
        "terms": len(built.engine.vocabulary),
    }


def child_query(size: int, engine: str, questions: int) -> dict:
    corpus, data = corpus_for(size), WORK / f"data-{engine}"
    config = RetrievalConfig(engine=engine)
    asked = real_questions(ARCD)
    random.Random(1).shuffle(asked)
    asked = asked[:questions]
    started = time.perf_counter()
    retriever = open_retriever(corpus, data, config, warn=lambda m: print(m, file=sys.stderr))
    loaded = time.perf_counter()
    retriever.search(asked[0], k=3)
    first = time.perf_counter()
    for question in asked[1 : 1 + WARM_UP]:
        retriever.search(question, k=3)
    search, scoring = [], []
    for question in asked:
        t0 = time.perf_counter()
        retriever.search(question, k=3)
        t1 = time.perf_counter()
        terms = retriever.plan(question).terms
        t2 = time.perf_counter()
        top_k(retriever.engine.scores(terms), 8)
        t3 = time.perf_counter()
        search.append((t1 - t0) * 1000)
        scoring.append((t3 - t2) * 1000)
    own, _ = peak_rss_mb()
    p50, p95, p99 = (round(float(v), 2) for v in np.percentile(search, [50, 95, 99]))
    return {
        "engine": retriever.engine.name,
        "load_s": round(loaded - started, 3),
        "first_answer_s": round(first - loaded, 3),
        "questions": len(asked),
        "search_p50_ms": p50,
        "search_p95_ms": p95,
        "search_p99_ms": p99,
        "scoring_p50_ms": round(float(np.percentile(scoring, 50)), 2),
        "query_rss_mb": own,
    }


def cold_ask(size: int, engine: str) -> float:
    """A whole `marjaa ask` process (interpreter, imports, load, answer) on the saved index."""
    env = dict(os.environ, MARJAA_DATA_DIR=str(WORK / f"data-{engine}"))
    question = "متى تأسست جامعة الدول العربية؟"
    command = [sys.executable, "-m", "bot.cli", "ask", question, "--json", "--engine", engine]
    command += ["--corpus", str(corpus_for(size))]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return round(time.perf_counter() - started, 2)


def run_child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"bench step {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def crossover() -> list[dict]:
    """Per-question latency of both engines on small corpora: where auto should switch."""
    from retrieval import Retriever, load_corpus

    corpus = load_corpus(corpus_for(SIZES[0]), warn=lambda message: None)
    asked = real_questions(ARCD)[:100]
    Retriever(type(corpus)(corpus.root, corpus.documents, corpus.passages[:50]))  # warm up
    rows = []
    for size in (50, 100, 250, 500, 1000, 2000, 4000):
        row: dict = {"passages": size}
        part = type(corpus)(corpus.root, corpus.documents, corpus.passages[:size])
        for engine in ("rank-bm25", "native"):
            started = time.perf_counter()
            retriever = Retriever(part, RetrievalConfig(engine=engine))
            row[f"{engine} build ms"] = round((time.perf_counter() - started) * 1000)
            times = []
            for question in asked:
                t0 = time.perf_counter()
                retriever.search(question, k=3)
                times.append((time.perf_counter() - t0) * 1000)
            row[f"{engine} p50 ms"] = round(float(np.percentile(times, 50)), 2)
        rows.append(row)
    return rows


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory = 0
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} GiB RAM, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, load average at start {load}, "
        f"reference loop {reference_loop_ms()} ms"
    )


def reference_loop_ms() -> float:
    """A fixed pure-Python workload (split and look up the words of Arabic text), timed:
    this shared virtual machine runs it up to twice as slowly at busy times, so compare
    figures from different runs through it."""
    text = sorted((ROOT / "seeds").glob("*.txt"))[0].read_text("utf-8")
    words = {w: len(w) for w in text.split()}
    started = time.process_time()
    for _ in range(300):
        for word in text.split():
            words.get(word)
    return round((time.process_time() - started) * 1000, 1)


def table(rows: list[dict]) -> str:
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(row.get(k, "")) for k in keys) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--questions", type=int, default=693, help="bm25s questions per size")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, size, engine, *rest = args.child
        result = (
            child_build(int(size), engine)
            if step == "build"
            else child_query(int(size), engine, int(rest[0]))
        )
        print(json.dumps(result))
        return
    if not ARCD.is_file():
        raise SystemExit(f"the benchmark needs {ARCD} (../shared beside the clone)")
    print(f"Machine: {machine()}\n")
    rows = []
    for size in map(int, args.sizes.split(",")):
        engines = ["native"] + (["rank-bm25"] if size <= RANK_BM25_MAX else [])
        corpus_for(size)  # made here, so that its memory is no step's peak
        results = {}
        for engine in engines:
            print(f"{size:,} passages, {engine}...", file=sys.stderr, flush=True)
            questions = args.questions if engine == "native" else RANK_BM25_QUESTIONS[size]
            built = run_child("build", str(size), engine)
            queried = run_child("query", str(size), engine, str(questions))
            results[engine] = {**built, **queried, "cold ask s": cold_ask(size, engine)}
        for engine, result in results.items():
            reference = results.get("rank-bm25")
            speedup = "-"
            if engine == "native" and reference:
                search = reference["search_p50_ms"] / result["search_p50_ms"]
                scoring = reference["scoring_p50_ms"] / result["scoring_p50_ms"]
                speedup = f"{search:.0f}x ({scoring:.0f}x scoring)"
            rows.append({"size": f"{size:,}", **result, "speed-up vs rank-bm25": speedup})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(table(rows))
    print("\nWhere auto switches (in-memory, 100 questions):\n")
    print(table(crossover()))


if __name__ == "__main__":
    main()
