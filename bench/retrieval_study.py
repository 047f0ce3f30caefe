"""The retrieval study of docs/retrieval.md: every variant measured on a SQuAD-format file.

    python bench/retrieval_study.py ../shared/eval/arcd-train.json [--seeds seeds/]

Prints one Markdown table row per variant (hit@1, hit@3, hit@5, MRR@10, answer recall@3,
share answered on its own corpus), then the abstention measurement of the chosen
configuration. Needs the `study` extra for the tashaphyne stemmer (make study).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import retrieval.text.normalize as normalize_module  # a study of internals: its table
from retrieval import (
    AnalyzerConfig,
    Report,
    RetrievalConfig,
    Retriever,
    evaluate,
    load_corpus,
    load_questions,
)

CHOSEN = RetrievalConfig()
BASELINE = RetrievalConfig(
    analyzer=AnalyzerConfig(
        stemmer="snowball", exact_field=False, title_weight=0, query_stop_words=False
    )
)


def analyzer(**changes) -> RetrievalConfig:
    return dataclasses.replace(CHOSEN, analyzer=dataclasses.replace(CHOSEN.analyzer, **changes))


def bm25(**changes) -> RetrievalConfig:
    return dataclasses.replace(CHOSEN, bm25=dataclasses.replace(CHOSEN.bm25, **changes))


# (group, label, config, normalization table options)
VARIANTS: list[tuple[str, str, RetrievalConfig, dict]] = [
    ("baseline", "Snowball only, no stop words, no title (issue baseline)", BASELINE, {}),
    ("chosen", "**chosen**: Snowball + ISRI root field + exact field + title ×1", CHOSEN, {}),
    ("normalization", "ة kept apart from ه", CHOSEN, {"teh_marbuta": False}),
    ("normalization", "ى kept apart from ي", CHOSEN, {"alef_maksura": False}),
    ("normalization", "ؤ ئ kept (hamza seats not folded)", CHOSEN, {"hamza_seats": False}),
    ("stop words", "no query stop words", analyzer(query_stop_words=False), {}),
    ("stemmer", "no stemmer (exact + title only)", analyzer(stemmer="none"), {}),
    ("stemmer", "Snowball alone", analyzer(stemmer="snowball"), {}),
    ("stemmer", "Light10 alone", analyzer(stemmer="light"), {}),
    ("stemmer", "tashaphyne light stem alone", analyzer(stemmer="tashaphyne"), {}),
    ("stemmer", "ISRI root alone", analyzer(stemmer="isri"), {}),
    ("stemmer", "Light10 + ISRI root field", analyzer(stemmer="light+isri"), {}),
    (
        "stemmer",
        "Snowball + tashaphyne root field",
        analyzer(stemmer="snowball+tashaphyne-root"),
        {},
    ),
    ("fields", "without the exact field", analyzer(exact_field=False), {}),
    ("fields", "without the title", analyzer(title_weight=0), {}),
    ("fields", "title ×2", analyzer(title_weight=2), {}),
    ("n-grams", "+ character 4-grams", analyzer(char_ngrams=4), {}),
    ("n-grams", "character 3-grams instead of stems", analyzer(stemmer="none", char_ngrams=3), {}),
    ("BM25", "BM25L (rank-bm25)", bm25(variant="bm25l"), {}),
    ("BM25", "BM25+ (rank-bm25)", bm25(variant="bm25plus"), {}),
    ("BM25", "k1 = 1.2", bm25(k1=1.2), {}),
    ("BM25", "k1 = 2.0", bm25(k1=2.0), {}),
    ("BM25", "b = 0.5", bm25(b=0.5), {}),
    ("BM25", "b = 0.9", bm25(b=0.9), {}),
]


@contextlib.contextmanager
def normalization(options: dict) -> Iterator[None]:
    """Swap the normalization table for one variant (study only: the product has one)."""
    saved = normalize_module.TABLE
    normalize_module.TABLE = normalize_module.build_table(**options)
    try:
        yield
    finally:
        normalize_module.TABLE = saved


def row(group: str, label: str, report: Report) -> str:
    answered = 1 - report.no_answer_on_answerable
    return (
        f"| {group} | {label} | {report.hit_at_1:.3f} | {report.hit_at_3:.3f} | "
        f"{report.hit_at_5:.3f} | {report.mrr_at_10:.3f} | {report.answer_recall_at_3:.3f} | "
        f"{answered:.3f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad", type=Path)
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    args = parser.parse_args()
    questions = load_questions(args.squad)
    corpus = load_corpus(args.squad)
    print(f"{len(questions)} questions, {len(corpus.passages)} passages\n")
    print("| group | variant | hit@1 | hit@3 | hit@5 | MRR@10 | answer recall@3 | answered |")
    print("|---|---|---|---|---|---|---|---|")
    for group, label, config, table in VARIANTS:
        with normalization(table):
            report = evaluate(Retriever(load_corpus(args.squad), config), questions)
        print(row(group, label, report), flush=True)

    seeds_report = evaluate(Retriever.from_path(args.seeds, CHOSEN), questions)
    print(
        f"\nChosen configuration, the same questions asked of {args.seeds}: "
        f"'no answer' on {seeds_report.no_answer_on_unanswerable:.3f}"
    )


if __name__ == "__main__":
    main()
