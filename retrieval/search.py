"""The retriever: question -> Answer (ranked passages, best sentences, highlights, answered?)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from retrieval.abstention import Evidence, is_answered
from retrieval.analysis import EXACT, Analyzer
from retrieval.config import TYPO_MODES, RetrievalConfig
from retrieval.corpus import Corpus, Passage, Warn
from retrieval.engines import Engine, lucene_idf
from retrieval.index.build import build_index, index_passages
from retrieval.query import QueryPlan, plan_query
from retrieval.scoring import rank
from retrieval.text.lexicon import is_word
from retrieval.text.normalize import normalize, recent_tokens
from retrieval.text.sentences import Span, best_sentence_and_highlights, written_form
from retrieval.text.spellings import Spellings
from retrieval.text.typos import Typos

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
    unknown_share: float = 0.0  # weighted share of ``words`` the corpus knows in no spelling
    guessed_share: float = 0.0  # weighted share known only through a guessed spelling
    # "did you mean": (question word as written, the corpus word it may have meant, as a
    # passage writes it) for question words the corpus does not know; only when unanswered
    suggestions: tuple[tuple[str, str], ...] = ()

    def suggested_question(self) -> str | None:
        """The question with each suggested word in place of the one written ("did you
        mean"), or None when there is no suggestion."""
        if not self.suggestions:
            return None
        text = self.query
        for written, shown in self.suggestions:
            text = text.replace(written, shown, 1)
        return text


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
        known = list(self._known_words())
        self.spellings = Spellings(known)
        self.typos = self._typos(known)

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

    def _typos(self, known: list[str]) -> Typos | None:
        mode = self.config.typos
        if mode not in TYPO_MODES:
            raise ValueError(f"unknown typos setting {mode!r}; choose from {TYPO_MODES}")
        if mode == "off":
            return None
        return Typos(known, self._word_frequency, is_word if mode == "non-words" else None)

    def _word_frequency(self, word: str) -> int:
        """In how many passages the normalized ``word`` occurs (by stem without exact field)."""
        if self.config.analyzer.exact_field:
            return self.engine.document_frequency(EXACT + word)
        return self.engine.document_frequency(self.analyzer.stem(word))

    def idf(self, term: str) -> float:
        """Inverse document frequency (always positive; highest for unseen terms)."""
        return lucene_idf(self.engine.live, self.engine.document_frequency(term))

    def plan(self, question: str) -> QueryPlan:
        return plan_query(
            question,
            self.analyzer,
            self.engine.document_frequency,
            self.idf,
            self.spellings,
            self.typos,
            self.config.scoring.guess_weight,
        )

    def _text_tokens(self, index: int) -> Sequence[str]:
        # the cached tokenization that de-duplicating the results asks for next
        return recent_tokens(self.corpus.passages[index].text)

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
        kept: list[int] = []  # passage index of each result
        kept_texts: list[str] = []
        for index, score in hits:
            passage = self.corpus.passages[index]
            key = normalize(passage.text)
            if any(key in other for other in kept_texts):
                continue  # the same words are already shown in a better-ranked passage
            kept_texts.append(key)
            kept.append(index)
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
        # what the index holds of the best passage: its text, heading and ranked title
        coverage = ranking.coverage[hits[0][0]] if results else 0.0
        evidence = Evidence(
            len(plan.words),
            coverage,
            plan.unknown_share,
            tuple(r.score for r in results),
            plan.guessed_share,
        )
        answered = is_answered(evidence, self.config.abstention)
        results = [
            replace(
                result,
                weak=not answered
                or not is_answered(
                    replace(evidence, coverage=ranking.coverage[index]), self.config.abstention
                ),
            )
            for result, index in zip(results, kept, strict=True)
        ]
        return Answer(
            question,
            normalized,
            answered,
            tuple(results),
            plan.words,
            coverage,
            plan.unknown_share,
            plan.guessed_share,
            () if answered else self.suggestions(question, plan),
        )

    def suggestions(self, question: str, plan: QueryPlan) -> tuple[tuple[str, str], ...]:
        """For each guessed word: the question's word as written and the corpus word as a
        passage writes it (what is shown is never normalized text)."""
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
        hits = self.engine.top([term], 1)
        if not hits:
            return None
        return written_form(self.corpus.passages[hits[0][0]].text, word)
