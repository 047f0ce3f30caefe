"""The retriever: question -> Answer (ranked passages, best sentences, highlights, answered?)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from retrieval.analysis import EXACT, Analyzer
from retrieval.config import RetrievalConfig
from retrieval.corpus import Corpus, Passage, Warn
from retrieval.engines import Engine, lucene_idf, top_k
from retrieval.index.build import build_index, index_passages
from retrieval.query import QueryPlan, plan_query
from retrieval.text.normalize import normalize, tokens
from retrieval.text.sentences import Span, best_sentence_and_highlights
from retrieval.text.spellings import Spellings

# How many extra candidates to fetch so that dropping repeated passages still leaves k.
EXTRA_CANDIDATES = 5


@dataclass(frozen=True)
class Result:
    rank: int
    passage: Passage
    score: float
    answer_sentence: str
    highlights: tuple[Span, ...]
    # Shown only as "the closest there is": the answer is not answered, or this passage
    # covers less of the question than an answer must (every front end marks it weak)
    weak: bool = False
    # where the passage is in Retriever.passages (its neighbours are beside it); None for a
    # result made outside a search
    position: int | None = None


@dataclass(frozen=True)
class Answer:
    query: str
    normalized_query: str
    answered: bool
    results: tuple[Result, ...]
    words: tuple[str, ...] = ()  # the question's informative words (normalized)
    coverage: float = 0.0  # weighted share of ``words`` found in the best passage


class Retriever:
    """BM25 over normalized passages, with the citation of every passage."""

    def __init__(
        self, corpus: Corpus, config: RetrievalConfig | None = None, engine: Engine | None = None
    ) -> None:
        """Answer from ``corpus`` with ``engine`` when it was built over its passages with
        ``config`` (a saved index); without one, index the passages first."""
        self.corpus = corpus
        self.config = config or RetrievalConfig()
        self.analyzer = Analyzer(self.config.analyzer)
        self.engine = engine or index_passages(corpus.passages, self.config)
        self.spellings = Spellings(self._known_words())

    @classmethod
    def from_path(
        cls, path: str | Path, config: RetrievalConfig | None = None, warn: Warn | None = None
    ) -> Retriever:
        """Index the corpus at ``path`` in memory, for this process only (open_retriever
        saves the index and reuses it)."""
        config = config or RetrievalConfig()
        built = build_index(path, config, warn)
        assert built.corpus is not None and built.engine is not None
        return cls(built.corpus, config, built.engine)

    @property
    def passages(self) -> Sequence[Passage]:
        return self.corpus.passages

    def context(self, result: Result, around: int = 1) -> list[Passage]:
        """The result's passage with up to ``around`` passages of its document on each side,
        in the document's order (a document's passages are consecutive in the corpus)."""
        if result.position is None:
            return [result.passage]
        passages = self.corpus.passages
        first = max(result.position - around, 0)
        last = min(result.position + around, len(passages) - 1)
        nearby = (passages[position] for position in range(first, last + 1))
        return [passage for passage in nearby if passage.doc_id == result.passage.doc_id]

    def _known_words(self) -> Iterable[str]:
        """Corpus words, for matching differently transliterated names."""
        if self.config.analyzer.exact_field:  # the exact field's terms are the words
            return (t[1:] for t in self.engine.vocabulary if t.startswith(EXACT))
        return (w for p in self.corpus.passages for w in p.tokens)

    def idf(self, term: str) -> float:
        """Inverse document frequency (always positive; highest for unseen terms)."""
        return lucene_idf(self.engine.size, self.engine.document_frequency(term))

    def plan(self, question: str) -> QueryPlan:
        return plan_query(
            question, self.analyzer, self.engine.document_frequency, self.idf, self.spellings
        )

    def coverage(self, plan: QueryPlan, passage: Passage) -> float:
        """How much of the question the passage (with its heading and title) contains."""
        words = passage.tokens
        if self.config.analyzer.title_weight and passage.titled:
            words += tokens(passage.title)
        return plan.coverage(words)

    def search(self, question: str, k: int = 3) -> Answer:
        """The k best passages for ``question``; ``answered`` is False when they don't fit."""
        plan = self.plan(question)
        normalized = normalize(question)
        if not plan.words:
            return Answer(question, normalized, False, ())
        hits = top_k(self.engine.scores(plan.terms), k + EXTRA_CANDIDATES)
        match = plan.match
        results: list[Result] = []
        kept_texts: list[str] = []
        for index, score in hits:
            passage = self.corpus.passages[index]
            key = normalize(passage.text)
            if any(key in other for other in kept_texts):
                continue  # the same words are already shown in a better-ranked passage
            kept_texts.append(key)
            sentence, highlights = best_sentence_and_highlights(passage.text, match, plan.weights)
            results.append(
                Result(
                    rank=len(results) + 1,
                    passage=passage,
                    score=round(score, 4),
                    answer_sentence=sentence,
                    highlights=tuple(highlights),
                    position=int(index),
                )
            )
            if len(results) == k:
                break
        coverages = [self.coverage(plan, result.passage) for result in results]
        coverage = coverages[0] if results else 0.0
        answered = (
            bool(results)
            and coverage >= self.config.min_coverage
            and plan.unknown_share < self.config.max_unknown
        )
        results = [
            replace(result, weak=not answered or covered < self.config.min_coverage)
            for result, covered in zip(results, coverages, strict=True)
        ]
        return Answer(question, normalized, answered, tuple(results), plan.words, coverage)
