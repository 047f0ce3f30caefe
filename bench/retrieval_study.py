"""The retrieval study of docs/retrieval.md: every variant measured out-of-fold, by k-fold
cross-validation over the paragraphs of a SQuAD-format file.

    python bench/retrieval_study.py ../shared/eval/arcd-train.json [--seeds seeds/]
        [--folds 5] [--only GROUP ...] [--jobs 2]

The corpus is always the file's paragraphs, all of them. The questions are split into
``--folds`` folds by their paragraph (all questions about one paragraph fall in one fold).
For each fold, a variant's settings are chosen on the other folds' questions, then that
fold's questions are scored with them; the table reports those held-out scores over all
folds, so a setting fitted to some questions is never judged on them.

Each variant is a grid of ranking settings (most have one point) and a grid of abstention
thresholds. Ranking settings are chosen by MRR@10; then the abstention thresholds that answer
the most answerable questions while leaving at least NO_ANSWER_FLOOR of the same questions
asked of ``--seeds`` (a corpus that cannot answer them) unanswered. Prints one Markdown row per
variant; needs the `study` extra for the tashaphyne stemmer (make study).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import retrieval.text.normalize as normalize_module  # a study of internals: its table
from retrieval import (
    AbstentionConfig,
    AnalyzerConfig,
    Answer,
    BM25Config,
    Corpus,
    Evidence,
    Question,
    RetrievalConfig,
    Retriever,
    ScoringConfig,
    is_answered,
    load_corpus,
    load_questions,
    normalize,
    outcomes,
)

DEPTH = 10  # ranks looked at: MRR@10

# Today's product configuration (its ranking; its abstention is re-chosen like any row's).
CHOSEN = RetrievalConfig()
# The configuration of docs/retrieval.md before issue 14 (Snowball stem field, one bag of
# terms, no typo guesses, no proximity).
BEFORE = RetrievalConfig(
    analyzer=AnalyzerConfig(stemmer="snowball+isri"),
    bm25=BM25Config(k1=1.5, b=0.75),
    scoring=ScoringConfig(proximity=0.0),
    typos="off",
)
BASELINE = RetrievalConfig(
    analyzer=AnalyzerConfig(
        stemmer="snowball", exact_field=False, title_weight=0, query_stop_words=False
    ),
    bm25=BM25Config(k1=1.5, b=0.75),
    scoring=ScoringConfig(proximity=0.0),
    typos="off",
)


def analyzer(base: RetrievalConfig = CHOSEN, **changes) -> RetrievalConfig:
    return dataclasses.replace(base, analyzer=dataclasses.replace(base.analyzer, **changes))


def bm25(base: RetrievalConfig = CHOSEN, **changes) -> RetrievalConfig:
    return dataclasses.replace(base, bm25=dataclasses.replace(base.bm25, **changes))


def scoring(base: RetrievalConfig = CHOSEN, **changes) -> RetrievalConfig:
    return dataclasses.replace(base, scoring=dataclasses.replace(base.scoring, **changes))


def grid(make: Callable[..., RetrievalConfig], **axes: Sequence) -> list[RetrievalConfig]:
    """One configuration per combination of the axes' values."""
    names = list(axes)
    return [
        make(**dict(zip(names, values, strict=True)))
        for values in itertools.product(*axes.values())
    ]


def abstention_grid(**axes: Sequence) -> list[AbstentionConfig]:
    base = AbstentionConfig()
    names = list(axes)
    return [
        dataclasses.replace(base, **dict(zip(names, values, strict=True)))
        for values in itertools.product(*axes.values())
    ]


# The thresholds every row re-chooses (so that rows compare at their own best abstention).
THRESHOLDS = abstention_grid(
    min_coverage=(0.18, 0.2, 0.22, 0.24, 0.26, 0.28, 0.3, 0.32, 0.35),
    max_unknown=(0.5, 0.55, 0.6, 0.65, 0.7, 0.75),
)


@dataclass(frozen=True)
class Variant:
    group: str
    label: str
    configs: list[RetrievalConfig]
    thresholds: list[AbstentionConfig] = field(default_factory=lambda: THRESHOLDS)
    table: dict = field(default_factory=dict)  # normalization table options (study only)


def _variants() -> list[Variant]:
    consistent = analyzer(BEFORE, stemmer="clitic-light+isri")
    typos = dataclasses.replace(consistent, typos="non-words")
    lucene = bm25(typos, k1=1.2)
    return [
        Variant(
            "baseline", "Snowball only, no stop words, no title (issue 3 baseline)", [BASELINE]
        ),
        Variant("before", "before issue 14: Snowball + ISRI root + exact field, one bag", [BEFORE]),
        # stems: the stem field's stemmer (the ISRI root field and the exact field kept)
        Variant("stems", "clitic-light stem field (consistent)", [consistent]),
        Variant("stems", "Light10 stem field", [analyzer(BEFORE, stemmer="light+isri")]),
        Variant(
            "stems",
            "clitic-light + Snowball + ISRI (three stem fields)",
            [analyzer(BEFORE, stemmer="clitic-light+snowball+isri")],
        ),
        Variant(
            "stems",
            "clitic-light alone (no root field)",
            [analyzer(BEFORE, stemmer="clitic-light")],
        ),
        # typo guesses, on the consistent stems
        Variant(
            "typos",
            "+ guesses for every unknown word (weight 0.5)",
            [dataclasses.replace(consistent, typos="all")],
        ),
        Variant("typos", "+ guesses for non-words only (weight 0.5)", [typos]),
        Variant(
            "typos",
            "+ guesses for non-words, weight chosen; a guessed word's unknown share chosen",
            [scoring(typos, guess_weight=w) for w in (0.25, 0.5, 0.75, 1.0)],
            thresholds=with_axes(THRESHOLDS, guess_unknown=(0.0, 0.5, 1.0)),
        ),
        # BM25 parameters, on the consistent stems with typo guesses
        Variant("BM25", "k1 chosen (1.2, 1.5, 2.0)", [bm25(typos, k1=k) for k in (1.2, 1.5, 2.0)]),
        Variant("BM25", "k1 = 1.2 (Lucene's default)", [lucene]),
        Variant(
            "BM25",
            "k1 = 1.2, b chosen (0.5, 0.6, 0.75, 0.9)",
            [bm25(lucene, b=b) for b in (0.5, 0.6, 0.75, 0.9)],
        ),
        # field counting, on k1 = 1.2
        Variant("fields", "title ×2", [analyzer(lucene, title_weight=2)]),
        Variant(
            "fields", "a word counts as its best field (spread 0)", [scoring(lucene, spread=0.0)]
        ),
        Variant(
            "fields",
            "spread chosen (0, 0.25, 0.5, 0.75, 1)",
            [scoring(lucene, spread=x) for x in (0.0, 0.25, 0.5, 0.75, 1.0)],
        ),
        Variant(
            "fields",
            "field weights chosen (stem 1; root, exact 0.5 or 1)",
            [scoring(lucene, field_weights=(1.0, r, e)) for r in (0.5, 1.0) for e in (0.5, 1.0)],
        ),
        Variant(
            "fields",
            "coordination chosen (0, 0.25, 0.5, 1)",
            [scoring(lucene, coordination=c) for c in (0.0, 0.25, 0.5, 1.0)],
        ),
        # proximity, on k1 = 1.2
        Variant(
            "proximity",
            "ordered pairs in the top 5, weight chosen (0, 0.05, 0.1, 0.2)",
            [scoring(lucene, proximity=x) for x in (0.0, 0.05, 0.1, 0.2)],
        ),
        Variant(
            "proximity",
            "ordered pairs in the top 10, weight and window chosen",
            [
                scoring(lucene, proximity=x, proximity_window=w, proximity_depth=10)
                for x in (0.05, 0.1, 0.2)
                for w in (3, 4, 6)
            ],
        ),
        # abstention rules, on the chosen ranking
        Variant(
            "abstention",
            "coverage needed shrinks for long questions (from 4-6 words, power 0.5 or 1)",
            [CHOSEN],
            thresholds=with_axes(THRESHOLDS, long_from=(4, 5, 6), long_power=(0.5, 1.0)),
        ),
        Variant(
            "abstention",
            "one rule: coverage minus a share of the unknown share (penalty chosen)",
            [CHOSEN],
            thresholds=with_axes(THRESHOLDS, unknown_penalty=(0.0, 0.2, 0.4)),
        ),
        Variant(
            "abstention",
            "coverage needed relieved for a clear winner (top ≥ 1.5× or 2× the 5th)",
            [CHOSEN],
            thresholds=with_axes(
                THRESHOLDS, margin_ratio=(1.5, 2.0), margin_relief=(0.75, 0.85, 1.0)
            ),
        ),
        # everything chosen together
        Variant(
            "chosen",
            "**chosen**: the product's settings, its grids re-chosen per fold",
            CHOSEN_GRID,
            thresholds=CHOSEN_THRESHOLDS,
        ),
        # normalization, re-measured on the chosen settings
        Variant("normalization", "ة kept apart from ه", [CHOSEN], table={"teh_marbuta": False}),
        Variant("normalization", "ى kept apart from ي", [CHOSEN], table={"alef_maksura": False}),
    ]


def with_axes(base: list[AbstentionConfig], **axes: Sequence) -> list[AbstentionConfig]:
    """Each of ``base`` combined with every combination of the axes' values."""
    names = list(axes)
    return [
        dataclasses.replace(a, **dict(zip(names, values, strict=True)))
        for a in base
        for values in itertools.product(*axes.values())
    ]


CHOSEN_THRESHOLDS = with_axes(
    THRESHOLDS, guess_unknown=(0.0, 0.5, 1.0), unknown_penalty=(0.0, 0.2, 0.4)
)
# the product's ranking settings that were tuned, each with its alternative
CHOSEN_GRID = [
    bm25(scoring(CHOSEN, coordination=c, proximity=x), b=b)
    for b in (0.5, 0.75)
    for c in (0.0, 0.25)
    for x in (0.0, 0.1)
]


@contextlib.contextmanager
def normalization(options: dict) -> Iterator[None]:
    """Swap the normalization table for one variant (study only: the product has one)."""
    saved = normalize_module.TABLE
    normalize_module.TABLE = normalize_module.build_table(**options)
    normalize_module._WORDS.clear()
    normalize_module.recent_tokens.cache_clear()
    try:
        yield
    finally:
        normalize_module.TABLE = saved
        normalize_module._WORDS.clear()
        normalize_module.recent_tokens.cache_clear()


@dataclass(frozen=True)
class Asked:
    """One question's result under one ranking configuration."""

    rank: int | None
    recall: bool | None
    arcd: Evidence  # asked of its own corpus
    seeds: Evidence  # asked of the seeds


def evidence(answer: Answer) -> Evidence:
    return Evidence(
        len(answer.words),
        answer.coverage,
        answer.unknown_share,
        tuple(r.score for r in answer.results),
        answer.guessed_share,
    )


_BUILT: dict[tuple[int, str], Retriever] = {}


def retriever(corpus: Corpus, config: RetrievalConfig) -> Retriever:
    """A retriever, reusing the index of an earlier one with the same index settings."""
    key = (id(corpus), config.fingerprint())
    built = _BUILT.get(key)
    if built is None:
        built = _BUILT[key] = Retriever(corpus, config)
    return Retriever(corpus, config, engine=built.engine)


def ask_all(
    config: RetrievalConfig, questions: list[Question], arcd: Corpus, seeds: Corpus
) -> list[Asked]:
    own = list(outcomes(retriever(arcd, config), questions, DEPTH))
    # the abstention rule looks at the first 5 results at most
    other = [evidence(retriever(seeds, config).search(q.question, 5)) for q in questions]
    return [
        Asked(o.rank, o.recall_hit, evidence(o.answer), e) for o, e in zip(own, other, strict=True)
    ]


def folds_of(questions: list[Question], k: int) -> list[int]:
    """Each question's fold: its paragraph's, paragraphs dealt out in a fixed pseudo-random
    order (a hash of their text, so the split does not depend on file order)."""
    paragraphs = sorted(
        {normalize(q.gold_context or q.question) for q in questions},
        key=lambda p: hashlib.blake2b(p.encode(), digest_size=8).digest(),
    )
    fold = {p: i % k for i, p in enumerate(paragraphs)}
    return [fold[normalize(q.gold_context or q.question)] for q in questions]


def mrr(results: list[Asked], idx: Sequence[int]) -> float:
    return sum(1 / results[i].rank for i in idx if results[i].rank) / max(len(idx), 1)


# The product's floor for out-of-corpus questions left unanswered is 0.90; thresholds are
# chosen to keep it with a margin on the training folds.
NO_ANSWER_FLOOR = 0.91


def abstention_objective(
    results: list[Asked], a: AbstentionConfig, idx: Sequence[int]
) -> tuple[bool, float]:
    """(keeps the floor, share answered): the most answering thresholds that keep "no
    answer" on the seeds at NO_ANSWER_FLOOR; when none does, the ones closest to it."""
    n = max(len(idx), 1)
    answered = sum(is_answered(results[i].arcd, a) for i in idx) / n
    left = sum(not is_answered(results[i].seeds, a) for i in idx) / n
    return (left >= NO_ANSWER_FLOOR, answered if left >= NO_ANSWER_FLOOR else left)


@dataclass
class Row:
    hit1: float
    hit3: float
    hit5: float
    mrr: float
    recall3: float
    answered: float
    no_answer: float
    chosen: str
    full_hit1: float
    full_mrr: float
    full_answered: float
    full_no_answer: float


def varying(items: Sequence) -> list[tuple[str, ...]]:
    """Paths of the dataclass fields whose values differ between ``items``."""
    paths = []
    for f in dataclasses.fields(items[0]):
        values = [getattr(item, f.name) for item in items]
        if dataclasses.is_dataclass(values[0]):
            paths += [(f.name, *rest) for rest in varying(values)]
        elif any(v != values[0] for v in values):
            paths.append((f.name,))
    return paths


def value_at(item, path: tuple[str, ...]):
    for name in path:
        item = getattr(item, name)
    return item


def describe(variant: Variant, config: RetrievalConfig, a: AbstentionConfig) -> str:
    """The chosen values of what the variant's grids vary."""
    parts = [f"{p[-1]}={value_at(config, p)}" for p in varying(variant.configs)]
    parts += [f"{p[-1]}={value_at(a, p)}" for p in varying(variant.thresholds)]
    return ", ".join(parts)


def cross_validate(variant: Variant, grids: list[list[Asked]], folds: list[int], k: int) -> Row:
    n = len(folds)
    everyone = range(n)
    held: list[tuple[int, int, AbstentionConfig]] = []  # (question, config index, thresholds)
    picks = []
    for fold in range(k):
        train = [i for i in everyone if folds[i] != fold]
        best = max(range(len(grids)), key=lambda c: (mrr(grids[c], train), -c))
        thresholds = max(
            variant.thresholds, key=lambda a: abstention_objective(grids[best], a, train)
        )
        picks.append(describe(variant, variant.configs[best], thresholds))
        held += [(i, best, thresholds) for i in everyone if folds[i] == fold]

    def share(test: Callable[[int, int, AbstentionConfig], bool]) -> float:
        return sum(test(i, c, a) for i, c, a in held) / n

    def rank(i: int, c: int) -> int | None:
        return grids[c][i].rank

    recall_known = [i for i in everyone if grids[0][i].recall is not None]
    full = max(range(len(grids)), key=lambda c: (mrr(grids[c], everyone), -c))
    full_a = max(variant.thresholds, key=lambda a: abstention_objective(grids[full], a, everyone))
    distinct = sorted(set(picks), key=picks.index)
    chosen = "; ".join(f"{p} (×{picks.count(p)})" if len(distinct) > 1 else p for p in distinct)
    if len(variant.configs) > 1 or len(variant.thresholds) > 1:
        chosen += f"; on all folds: {describe(variant, variant.configs[full], full_a)}"
    return Row(
        hit1=share(lambda i, c, a: rank(i, c) == 1),
        hit3=share(lambda i, c, a: (rank(i, c) or 99) <= 3),
        hit5=share(lambda i, c, a: (rank(i, c) or 99) <= 5),
        mrr=sum(1 / rank(i, c) for i, c, _ in held if rank(i, c)) / n,
        recall3=sum(bool(grids[c][i].recall) for i, c, _ in held if i in set(recall_known))
        / max(len(recall_known), 1),
        answered=share(lambda i, c, a: is_answered(grids[c][i].arcd, a)),
        no_answer=share(lambda i, c, a: not is_answered(grids[c][i].seeds, a)),
        chosen=chosen,
        full_hit1=sum(grids[full][i].rank == 1 for i in everyone) / n,
        full_mrr=mrr(grids[full], everyone),
        full_answered=sum(is_answered(grids[full][i].arcd, full_a) for i in everyone) / n,
        full_no_answer=sum(not is_answered(grids[full][i].seeds, full_a) for i in everyone) / n,
    )


def run_variant(args: tuple[Variant, Path, Path]) -> list[list[Asked]]:
    variant, squad, seeds_path = args
    with normalization(variant.table):
        questions = load_questions(squad)
        arcd = load_corpus(squad, warn=lambda message: None)
        seeds = load_corpus(seeds_path, warn=lambda message: None)
        return [ask_all(config, questions, arcd, seeds) for config in variant.configs]


HEADER = (
    "| group | variant | hit@1 | hit@3 | hit@5 | MRR@10 | answer recall@3 | answered "
    "| no answer (seeds) | full-train hit@1 / MRR / answered / no answer | chosen per fold |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def format_row(variant: Variant, row: Row) -> str:
    return (
        f"| {variant.group} | {variant.label} | {row.hit1:.3f} | {row.hit3:.3f} | "
        f"{row.hit5:.3f} | {row.mrr:.3f} | {row.recall3:.3f} | {row.answered:.3f} | "
        f"{row.no_answer:.3f} | {row.full_hit1:.3f} / {row.full_mrr:.3f} / "
        f"{row.full_answered:.3f} / {row.full_no_answer:.3f} | {row.chosen} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad", type=Path)
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="groups or labels (substrings) to run")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    variants = _variants()
    if args.only:
        variants = [v for v in variants if any(o in v.group or o in v.label for o in args.only)]
    questions = load_questions(args.squad)
    folds = folds_of(questions, args.folds)
    print(
        f"{len(questions)} questions over {len(set(folds))} folds of paragraphs; "
        f"out-of-fold figures, then the full-train figures of the setting chosen on all.\n"
    )
    print(HEADER, flush=True)
    jobs = [(v, args.squad, args.seeds) for v in variants]
    with ProcessPoolExecutor(args.jobs) as pool:
        for variant, grids in zip(variants, pool.map(run_variant, jobs), strict=True):
            print(
                format_row(variant, cross_validate(variant, grids, folds, args.folds)), flush=True
            )


if __name__ == "__main__":
    main()
