"""symspellpy against rapidfuzz for one-edit typo guesses (docs/retrieval.md, "Typos").

    python bench/typo_libraries.py ../shared/eval/arcd-train.json [--big 300000]

Vocabularies: the corpus's Arabic words, and a large one (real words with clitics and
suffixes added, the size of a big news archive's). Typos: 500 corpus words of 4 letters or
more with one random edit (a letter dropped, added, replaced, or two swapped). For each
library: the time to prepare the vocabulary, its memory, the time per lookup, and how often
the meant word is among the guesses. Needs symspellpy (pip install symspellpy), which the
product does not use.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from retrieval import is_arabic, load_corpus

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
PREFIXES = ["", "و", "ال", "وال", "بال", "ل", "ب", "ف"]
SUFFIXES = ["", "ه", "ها", "ات", "ون", "ين", "هم", "ي", "يه"]


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word))
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + rng.choice(LETTERS) + word[i:]
    if kind == 2:
        return word[:i] + rng.choice(LETTERS) + word[i + 1 :]
    if i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word + rng.choice(LETTERS)


def rapidfuzz_run(vocabulary: list[str], tests: list[tuple[str, str]]) -> dict:
    started = time.perf_counter()
    by_length: dict[int, list[str]] = defaultdict(list)
    for word in vocabulary:
        by_length[len(word)].append(word)
    prepared = time.perf_counter() - started
    found = 0
    started = time.perf_counter()
    for written, meant in tests:
        n = len(written)
        choices = [w for m in (n - 1, n, n + 1) for w in by_length.get(m, ())]
        distances = process.cdist([written], choices, scorer=OSA.distance, score_cutoff=1)[0]
        found += meant in {choices[i] for i in np.flatnonzero(distances <= 1)}
    lookup = (time.perf_counter() - started) / len(tests)
    return {"prepare_s": prepared, "memory_mb": 0.0, "lookup_ms": lookup * 1000, "found": found}


def marjaa_run(vocabulary: list[str], tests: list[tuple[str, str]]) -> dict:
    """retrieval/text/typos.py's one-edit lookup: rapidfuzz over the words that share the
    first or last two letters (no word list filter: every test word is a non-word here)."""
    from retrieval.text.typos import Typos

    started = time.perf_counter()
    typos = Typos(vocabulary, lambda word: 1)
    typos._index()
    prepared = time.perf_counter() - started
    found = 0
    started = time.perf_counter()
    for written, meant in tests:
        found += meant in typos._one_edit(written)
    lookup = (time.perf_counter() - started) / len(tests)
    return {"prepare_s": prepared, "memory_mb": 0.0, "lookup_ms": lookup * 1000, "found": found}


def symspell_run(vocabulary: list[str], tests: list[tuple[str, str]]) -> dict:
    from symspellpy import SymSpell, Verbosity

    tracemalloc.start()
    started = time.perf_counter()
    speller = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)
    for word in vocabulary:
        speller.create_dictionary_entry(word, 1)
    prepared = time.perf_counter() - started
    memory = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    found = 0
    started = time.perf_counter()
    for written, meant in tests:
        guesses = speller.lookup(written, Verbosity.ALL, max_edit_distance=1)
        found += meant in {g.term for g in guesses}
    lookup = (time.perf_counter() - started) / len(tests)
    return {"prepare_s": prepared, "memory_mb": memory, "lookup_ms": lookup * 1000, "found": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--big", type=int, default=300_000)
    args = parser.parse_args()
    rng = random.Random(0)
    counts: Counter[str] = Counter()
    for passage in load_corpus(args.corpus, warn=lambda message: None).passages:
        counts.update(t for t in passage.tokens if is_arabic(t))
    words = sorted(counts)
    big = set(words)
    while len(big) < args.big:
        big.add(rng.choice(PREFIXES) + rng.choice(words) + rng.choice(SUFFIXES))
    sample = [w for w in rng.sample(words, min(3000, len(words))) if len(w) >= 4][:500]
    print("| vocabulary | library | prepare s | memory MB | per lookup ms | meant word found |")
    print("|---|---|---|---|---|---|")
    for name, vocabulary in ((f"corpus ({len(words):,})", words), (f"{args.big:,}", sorted(big))):
        known = set(vocabulary)
        tests = [(t, w) for w in sample if (t := typo(w, rng)) not in known]
        runs = (
            ("rapidfuzz, words of nearby length", rapidfuzz_run),
            ("rapidfuzz, same first or last two letters (marjaa)", marjaa_run),
            ("symspellpy", symspell_run),
        )
        for library, run in runs:
            r = run(vocabulary, tests)
            memory = f"{r['memory_mb']:.0f}" if r["memory_mb"] else "(lists only)"
            print(
                f"| {name} | {library} | {r['prepare_s']:.2f} | {memory} | "
                f"{r['lookup_ms']:.2f} | {r['found'] / len(tests):.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
