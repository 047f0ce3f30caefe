"""A question's plan: its informative words, their weights, index terms, and word matching."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from retrieval.analysis import Analyzer
from retrieval.text.spellings import Spellings

# A question word found in a passage only through its root (another form of the word,
# e.g. قاد for قائد) counts this much towards coverage; through its stem it counts fully.
ROOT_CREDIT = 0.25
# A word the corpus has never seen (in any spelling we know) weighs this much more than the
# rarest known word: in a small corpus idf barely separates "rare" from "absent", yet an
# absent name or topic is the clearest sign that the corpus cannot answer.
UNKNOWN_FACTOR = 1.5


@dataclass(frozen=True)
class QueryPlan:
    words: tuple[str, ...]  # informative words of the question, normalized, in order
    terms: list[str]  # index terms to score with
    weights: dict[str, float]  # word -> weight (rarer in the corpus: heavier)
    # per stemmed field (stem first, then root): field key -> question word it stands for
    fields: tuple[dict[str, str], ...]
    keys: Callable[[str], list[str]]
    stem: Callable[[str], str]  # keys(word)[0] alone: matching needs no other field
    unknown: frozenset[str] = frozenset()  # words the corpus knows in no spelling

    @property
    def unknown_share(self) -> float:
        """Weighted share of the question that the corpus has never seen."""
        total = sum(self.weights.values())
        return sum(self.weights[w] for w in self.unknown) / total if total else 0.0

    def match(self, word: str) -> str | None:
        """The question word that a normalized passage word matches by stem, if any."""
        return self.fields[0].get(self.stem(word))

    def coverage(self, passage_words: Iterable[str]) -> float:
        """Weighted share of the question's words that the passage words contain."""
        total = sum(self.weights.values())
        if not total:
            return 0.0
        credit: dict[str, float] = {}
        for word in set(passage_words):
            for index, key in enumerate(self.keys(word)):
                found = self.fields[index].get(key)
                if found:
                    value = 1.0 if index == 0 else ROOT_CREDIT
                    credit[found] = max(credit.get(found, 0.0), value)
        return sum(self.weights[w] * c for w, c in credit.items()) / total


def plan_query(
    question: str,
    analyzer: Analyzer,
    df: Callable[[str], int],
    idf: Callable[[str], float],
    spellings: Spellings,
) -> QueryPlan:
    """Informative words of ``question`` with their index terms and weights.

    A word the corpus has never seen is also searched as the spellings the corpus knows
    (MSA for dialect, without clitics, other vowels), and weighs as its best-known form.
    """
    words = tuple(dict.fromkeys(analyzer.content_words(question)))
    extra: list[str] = []
    fields: tuple[dict[str, str], ...] = ()
    weights: dict[str, float] = {}
    unknown: set[str] = set()
    for word in words:
        forms = [word]
        if not df(analyzer.stem(word)):
            forms += spellings.of(word)
            extra += analyzer.terms(forms[1:])
        # known in some form: another spelling, or at least its root occurs in the corpus
        known = len(forms) > 1 or any(df(key) for key in analyzer.keys(word))
        for form in forms:
            keys = analyzer.keys(form)
            fields = fields or tuple({} for _ in keys)
            for index, key in enumerate(keys):
                fields[index].setdefault(key, word)
        weight = min(idf(analyzer.stem(form)) for form in forms)
        weights[word] = weight if known else weight * UNKNOWN_FACTOR
        if not known:
            unknown.add(word)
    terms = list(dict.fromkeys(analyzer.terms(list(words)) + extra))
    return QueryPlan(
        words, terms, weights, fields or ({},), analyzer.keys, analyzer.stem, frozenset(unknown)
    )
