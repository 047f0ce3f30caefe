"""A question's plan: its informative words, their weights, index terms, and word matching."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from retrieval.analysis import Analyzer
from retrieval.text.spellings import Spellings
from retrieval.text.typos import Typos

# A question word found in a passage only through its root (another form of the word,
# e.g. قاد for قائد) counts this much towards coverage; through its stem it counts fully.
ROOT_CREDIT = 0.25
# A word the corpus has never seen (in any spelling we know) weighs this much more than the
# rarest known word: in a small corpus idf barely separates "rare" from "absent", yet an
# absent name or topic is the clearest sign that the corpus cannot answer.
UNKNOWN_FACTOR = 1.5


@dataclass(frozen=True)
class Term:
    """One index term a question word is searched with."""

    text: str
    field: int  # its place in Analyzer.fields: 0 the stem, then other stems, then exact
    factor: float = 1.0  # below 1 for a guessed spelling (a typo's likely correction)


@dataclass(frozen=True)
class QueryPlan:
    words: tuple[str, ...]  # informative words of the question, normalized, in order
    terms: list[str]  # every index term to score with, once
    weights: dict[str, float]  # word -> weight (rarer in the corpus: heavier)
    # per stemmed field (stem first, then root): field key -> (question word it stands for,
    # how much finding it counts: 1, or less for a guessed spelling)
    fields: tuple[dict[str, tuple[str, float]], ...]
    keys: Callable[[str], list[str]]
    stem: Callable[[str], str]  # keys(word)[0] alone: matching needs no other field
    unknown: frozenset[str] = frozenset()  # words the corpus knows in no spelling
    # each word's terms, for scoring that combines a word's fields (scoring.py)
    groups: tuple[tuple[Term, ...], ...] = ()
    # word the corpus knows in no spelling -> the corpus word a guess says it meant (a typo
    # corrected, "did you mean")
    guesses: dict[str, str] = field(default_factory=dict)
    guessed: frozenset[str] = frozenset()  # words only a guess knows (not in ``unknown``)

    def share(self, words: Iterable[str]) -> float:
        """Weighted share of the question that ``words`` make up."""
        total = sum(self.weights.values())
        return sum(self.weights[w] for w in words) / total if total else 0.0

    @property
    def unknown_share(self) -> float:
        """Weighted share of the question that the corpus has never seen."""
        return self.share(self.unknown)

    @property
    def guessed_share(self) -> float:
        """Weighted share of the question known only through guessed spellings."""
        return self.share(self.guessed)

    def match(self, word: str) -> str | None:
        """The question word that a normalized passage word matches by stem, if any."""
        found = self.fields[0].get(self.stem(word))
        return found[0] if found else None


def _split_glued(words: Iterable[str], known: Callable[[str], bool], typos: Typos | None):
    """The words, each unknown one written glued to another word or a number split in two."""
    out: list[str] = []
    for word in words:
        parts = typos.split(word) if typos is not None and not known(word) else []
        out += parts or [word]
    return tuple(dict.fromkeys(out))


def plan_query(
    question: str,
    analyzer: Analyzer,
    df: Callable[[str], int],
    idf: Callable[[str], float],
    spellings: Spellings,
    typos: Typos | None = None,
    guess_weight: float = 0.5,
) -> QueryPlan:
    """Informative words of ``question`` with their index terms and weights.

    A word the corpus has never seen is also searched as the spellings the corpus knows
    (MSA for dialect, without clitics, other vowels), and weighs as its best-known form.
    When there is none, ``typos`` guesses: the word split where two words were glued, or
    corpus words a dialect letter or one edit away, searched at ``guess_weight``.
    """

    def known(word: str) -> bool:
        return bool(df(analyzer.stem(word)))

    words = _split_glued(dict.fromkeys(analyzer.content_words(question)), known, typos)
    fields: tuple[dict[str, tuple[str, float]], ...] = ()
    weights: dict[str, float] = {}
    unknown: set[str] = set()
    groups: list[tuple[Term, ...]] = []
    guesses: dict[str, str] = {}
    guessed: set[str] = set()
    for word in words:
        forms = [(word, 1.0)]
        guessed_forms: list[str] = []
        if not known(word):
            other = spellings.of(word)
            forms += [(w, 1.0) for w in other]
            if not other and typos is not None:
                guessed_forms = typos.guesses(word)
                forms += [(w, guess_weight) for w in guessed_forms]
        # known in some form: another spelling, or at least its root occurs in the corpus
        is_known = len(forms) > len(guessed_forms) + 1 or any(
            df(key) for key in analyzer.keys(word)
        )
        if guessed_forms and not is_known:
            guesses[word] = guessed_forms[0]
        terms: dict[str, Term] = {}
        for form, factor in forms:
            keys = analyzer.keys(form)
            fields = fields or tuple({} for _ in keys)
            for index, key in enumerate(keys):
                fields[index].setdefault(key, (word, factor))
            for index, field_terms in enumerate(analyzer.fields([form])):
                for text in field_terms:
                    if text not in terms:
                        terms[text] = Term(text, index, factor)
        groups.append(tuple(terms.values()))
        weight = min(idf(analyzer.stem(form)) for form, _ in forms)
        if is_known:
            weights[word] = weight
        elif guessed_forms:  # only a guess knows it: weighed as the guess
            weights[word] = weight
            guessed.add(word)
        else:
            weights[word] = weight * UNKNOWN_FACTOR
            unknown.add(word)
    # the question's own terms field after field, as Analyzer.terms orders them, then the
    # terms of other spellings
    own = analyzer.terms(list(words))
    terms = list(dict.fromkeys(own + [t.text for group in groups for t in group]))
    return QueryPlan(
        words,
        terms,
        weights,
        fields or ({},),
        analyzer.keys,
        analyzer.stem,
        frozenset(unknown),
        tuple(groups),
        guesses,
        frozenset(guessed),
    )
