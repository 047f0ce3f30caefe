"""The retriever: question -> Answer (ranked passages, best sentences, highlights, answered?)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.abstention import AbstentionConfig, Evidence, is_answered
from retrieval.analysis import EXACT, Analyzer, AnalyzerConfig
from retrieval.bm25s_engine import BM25SEngine
from retrieval.corpus import Corpus, Passage, load_corpus
from retrieval.encode import Vocabulary, encode_passages, passage_text
from retrieval.index import BM25Config, Engine, RankBM25Engine, lucene_idf, resolve_engine, top_k
from retrieval.normalize import normalize, recent_tokens, tokens
from retrieval.query import QueryPlan, plan_query
from retrieval.readers import Warn
from retrieval.scoring import ScoringConfig, rank
from retrieval.sentences import Span, best_sentence_and_highlights, written_form
from retrieval.typos import Typos
from retrieval.variants import Variants

# How many extra candidates to fetch so that dropping repeated passages still leaves k.
EXTRA_CANDIDATES = 5


@dataclass(frozen=True)
class RetrievalConfig:
    analyzer: AnalyzerConfig = field(default_factory=AnalyzerConfig)
    bm25: BM25Config = field(default_factory=BM25Config)
    engine: str = "auto"  # "rank-bm25", "bm25s", or "auto": by corpus size
    abstention: AbstentionConfig = field(default_factory=AbstentionConfig)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    typos: bool = True  # guess what unknown question words meant (typos.py)

    def fingerprint(self) -> str:
        return f"{self.analyzer.fingerprint()};{self.bm25.fingerprint()};engine={self.engine}"


@dataclass(frozen=True)
class Result:
    rank: int
    passage: Passage
    score: float
    answer_sentence: str
    highlights: tuple[Span, ...]


@dataclass(frozen=True)
class Answer:
    query: str
    normalized_query: str
    answered: bool
    results: tuple[Result, ...]
    words: tuple[str, ...] = ()  # the question's informative words (normalized)
    coverage: float = 0.0  # weighted share of ``words`` found in the best passage
    unknown_share: float = 0.0  # weighted share of ``words`` the corpus knows in no spelling
    # "did you mean": (question word as written, the corpus word it may have meant, as a
    # passage writes it), for the words the corpus does not know
    suggestions: tuple[tuple[str, str], ...] = ()


ENGINE_CLASSES: dict[str, type[RankBM25Engine] | type[BM25SEngine]] = {
    "rank-bm25": RankBM25Engine,
    "bm25s": BM25SEngine,
}


def build_engine(passages: Sequence[Passage], config: RetrievalConfig) -> Engine:
    """Analyse ``passages`` and build the configured engine over them."""
    name = resolve_engine(config.engine, len(passages))
    vocabulary = Vocabulary()
    texts = map(passage_text, passages)
    batches = encode_passages(texts, config.analyzer, vocabulary, counted=name == "bm25s")
    return ENGINE_CLASSES[name].build(list(batches), vocabulary, config.bm25)


class Retriever:
    """BM25 over normalized passages, with the citation of every passage."""

    def __init__(
        self, corpus: Corpus, config: RetrievalConfig | None = None, engine: Engine | None = None
    ) -> None:
        """Index ``corpus``, or use ``engine`` when it was built over it (a saved index)."""
        self.corpus = corpus
        self.config = config or RetrievalConfig()
        self.analyzer = Analyzer(self.config.analyzer)
        self.engine = engine or build_engine(corpus.passages, self.config)
        known = list(self._known_words())
        self.variants = Variants(known)
        self.typos = Typos(known, self._word_frequency) if self.config.typos else None

    @classmethod
    def from_path(
        cls, path: str | Path, config: RetrievalConfig | None = None, warn: Warn | None = None
    ) -> Retriever:
        return cls(load_corpus(path, warn), config)

    @property
    def passages(self) -> Sequence[Passage]:
        return self.corpus.passages

    def _known_words(self) -> Iterable[str]:
        """Corpus words, for matching differently transliterated names."""
        if self.config.analyzer.exact_field:  # the exact field's terms are the words
            return (t[1:] for t in self.engine.vocabulary if t.startswith(EXACT))
        return (w for p in self.corpus.passages for w in p.tokens)

    def _word_frequency(self, word: str) -> int:
        if self.config.analyzer.exact_field:
            return self.engine.document_frequency(EXACT + word)
        return self.engine.document_frequency(self.analyzer.stem(word))

    def idf(self, term: str) -> float:
        """Inverse document frequency (always positive; highest for unseen terms)."""
        return lucene_idf(self.engine.size, self.engine.document_frequency(term))

    def plan(self, question: str) -> QueryPlan:
        return plan_query(
            question,
            self.analyzer,
            self.engine.document_frequency,
            self.idf,
            self.variants,
            self.typos,
            self.config.scoring.guess_weight,
        )

    def _text_tokens(self, index: int) -> Sequence[str]:
        # the same cached tokenization that de-duplicating results asks for next
        return recent_tokens(self.corpus.passages[index].text)

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
        ranking = rank(
            self.engine, plan, self.config.scoring, k + EXTRA_CANDIDATES, self._text_tokens
        )
        hits = ranking.hits
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
                )
            )
            if len(results) == k:
                break
        coverage = ranking.coverage[hits[0][0]] if results else 0.0
        evidence = Evidence(
            len(plan.words), coverage, plan.unknown_share, tuple(r.score for r in results)
        )
        answered = is_answered(evidence, self.config.abstention)
        suggestions = () if answered else self.suggestions(question, plan)
        return Answer(
            question,
            normalized,
            answered,
            tuple(results),
            plan.words,
            coverage,
            plan.unknown_share,
            suggestions,
        )

    def suggestions(self, question: str, plan: QueryPlan) -> tuple[tuple[str, str], ...]:
        """For each guessed word: the question's word as written and the corpus word as a
        passage writes it (the display never shows normalized text)."""
        found = []
        for word, guess in plan.guesses.items():
            written = written_form(question, word)
            shown = self._written_in_corpus(guess)
            if written and shown:
                found.append((written, shown))
        return tuple(found)

    def _written_in_corpus(self, word: str) -> str | None:
        """How a passage that contains the normalized ``word`` writes it."""
        term = EXACT + word if self.config.analyzer.exact_field else self.analyzer.stem(word)
        hits = top_k(self.engine.scores([term]), 1)
        if not hits:
            return None
        return written_form(self.corpus.passages[hits[0][0]].text, word)
