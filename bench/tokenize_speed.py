"""Tokenization throughput: passages per second turned into index term ids (normalize,
tokenize, Snowball stem, ISRI root, exact form), on one core and on all of them.

    .venv/bin/python bench/tokenize_speed.py [PASSAGES]

Uses the synthetic corpus of bench/scale.py (made if missing). One-core figures are CPU
seconds of this process, so other work on the machine disturbs them less than wall time.
A benchmark of internals: it drives retrieval.index.encode and its workers directly.
"""

from __future__ import annotations

import gc
import sys
import time
from functools import partial
from itertools import islice

from scale import corpus_for, reference_loop_ms

from retrieval import AnalyzerConfig, load_corpus
from retrieval.analysis import Analyzer
from retrieval.engines import Vocabulary
from retrieval.index.encode import (
    TermEncoder,
    WorkerTerms,
    encode_in_worker,
    passage_text,
    start_worker,
)
from retrieval.index.workers import available_cores, ordered_map

BATCH_SIZE = 4000  # passages per batch


def one_core(texts: list, passes: int = 2) -> list[float]:
    """Passages per CPU second, pass after pass (the first one fills the word caches)."""
    encoder = TermEncoder(Analyzer())
    rates = []
    for _ in range(passes):
        started = time.process_time()
        for start in range(0, len(texts), BATCH_SIZE):
            encoder.batch(texts[start : start + BATCH_SIZE])
        rates.append(len(texts) / (time.process_time() - started))
    return rates


def all_cores(texts: list) -> tuple[float, float]:
    """Passages per wall-clock second with one worker process per core: overall (starting
    the workers included), and once the first batch is back (workers warmed up)."""
    started = time.perf_counter()
    first_back = 0.0
    count = after_first = 0
    chunks = (texts[start : start + BATCH_SIZE] for start in range(0, len(texts), BATCH_SIZE))
    encode = partial(encode_in_worker, counted=False)
    translate = WorkerTerms(Vocabulary()).translate
    workers = available_cores()
    for batch in map(
        translate, ordered_map(encode, chunks, workers, start_worker, (AnalyzerConfig(),))
    ):
        if not first_back:
            first_back = time.perf_counter()
        else:
            after_first += batch.size
        count += batch.size
    done = time.perf_counter()
    return count / (done - started), after_first / (done - first_back)


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    corpus = load_corpus(corpus_for(100_000 if size > 10_000 else 10_000), warn=lambda m: None)
    texts = [passage_text(p) for p in islice(corpus.passages, size)]
    del corpus
    # the benchmark holds all passages in memory, which indexing never does: keep the
    # garbage collector from walking them over and over during the timings
    gc.collect()
    gc.freeze()
    words = sum(len(t[0].split()) for t in texts) / len(texts)
    print(f"{len(texts):,} passages, {words:.0f} words each on average (title words besides)")
    print(f"reference loop: {reference_loop_ms()} ms (see bench/scale.py)")
    cold, warm = one_core(texts)
    print(f"one core, first pass (caches filling): {cold:,.0f} passages/s")
    print(f"one core, second pass (caches warm):   {warm:,.0f} passages/s")
    overall, warm = all_cores(texts)
    cores = available_cores()
    print(f"{cores} worker processes, overall (wall clock): {overall:,.0f} passages/s")
    print(f"{cores} worker processes, once warmed up:      {warm:,.0f} passages/s")


if __name__ == "__main__":
    main()
