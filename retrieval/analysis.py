"""Turn normalized tokens into index terms: stemming, an exact field, query stop words."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from retrieval.config import AnalyzerConfig
from retrieval.text.arabic import is_arabic
from retrieval.text.normalize import tokens
from retrieval.text.stopwords import is_stop_word

EXACT = "="  # prefix of exact-form terms; never part of a token, so fields cannot collide
STEMMERS = ("clitic-light", "snowball", "light", "isri", "tashaphyne", "tashaphyne-root", "none")
# Arabic words shorter than this are left unstemmed: stemming them only creates collisions.
MIN_STEM_LENGTH = 3


def _stemmable(word: str) -> bool:
    """Whether a word is stemmed: Arabic words of MIN_STEM_LENGTH letters or more."""
    return len(word) >= MIN_STEM_LENGTH and is_arabic(word)


_LIGHT_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و")
_LIGHT_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")


def _light(word: str) -> str:
    """Light10-style affix stripping (Larkey et al.): prefixes, then suffixes, keep >= 2."""
    for prefix in _LIGHT_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    for suffix in _LIGHT_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


# The article with the conjunction or preposition that may precede it, longest first: the
# proclitics Lucene's ArabicStemmer strips, plus و/ف before بال/كال/لل.
ARTICLES = ("وبال", "فبال", "وكال", "فكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال")


def clitic_light(word: str) -> str:
    """A light stem that every inflected form of a word reaches (docs/retrieval.md, "Stems").

    The article and what precedes it (وال، بال، كال، فال، لل، ال…) go first, then a leading
    conjunction و, then Lucene's suffixes (ها ان ات ون ين يه ه ي, each at most once, in that
    order). Words arrive folded (ة → ه, ى → ي), so the definite and bare forms of a word in ة
    lose the same ه: المدرسة, للمدرسة, ومدرسة and مدرسة all become مدرس, which Snowball's
    stemmer (it drops the ه only when no article was removed) does not give.
    """
    for article in ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 2:
            word = word[len(article) :]
            break
    # after the article too, so that الوزير and وزير agree
    if word.startswith("و") and len(word) > 3:
        word = word[1:]
    for suffix in _LIGHT_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


# How a noun is written with its proclitics, against the form it must share a stem with:
# the definite form (ال), the definite form after و/ف or a preposition, and و before a word.
CLITIC_FORMS = (
    ("ال", ""),
    ("وال", "ال"),
    ("فال", "ال"),
    ("بال", "ال"),
    ("كال", "ال"),
    ("لل", "ال"),
    ("و", ""),
)


def clitic_pairs(words: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """(written form, plainer form) pairs among ``words`` (normalized), by proclitic: every
    word with a proclitic of CLITIC_FORMS whose plainer form (والشمال → الشمال,
    المدرسه → مدرسه) is also among them. What stem consistency is measured on."""
    vocabulary = {w for w in words if is_arabic(w)}
    pairs: dict[str, list[tuple[str, str]]] = {prefix: [] for prefix, _ in CLITIC_FORMS}
    for word in sorted(vocabulary):
        for prefix, plainer in CLITIC_FORMS:
            if prefix == "و" and word.startswith("وال"):
                continue  # counted as وال
            rest = word[len(prefix) :]
            if word.startswith(prefix) and len(rest) >= MIN_STEM_LENGTH:
                other = plainer + rest
                if other in vocabulary:
                    pairs[prefix].append((word, other))
    return pairs


def stem_consistency(stem: Callable[[str], str], pairs: Iterable[tuple[str, str]]) -> float:
    """Share of the (form, plainer form) pairs that ``stem`` gives one stem."""
    pairs = list(pairs)
    return sum(stem(a) == stem(b) for a, b in pairs) / len(pairs) if pairs else 1.0


def _isri() -> Callable[[str], str]:
    from nltk.stem.isri import ISRIStemmer

    stemmer = ISRIStemmer()
    # nltk 3.9+ wraps its patterns in a ReDoS guard (the regex module with a timeout) that
    # costs about a millisecond a call: 2 ms per word stemmed, the slowest part of an answer.
    # These three are single character classes (no backtracking to guard against): the
    # same patterns through re give the same stems.
    for name in ("re_short_vowels", "re_hamza", "re_initial_hamza"):
        guarded = getattr(stemmer, name, None)
        if guarded is not None and hasattr(guarded, "pattern"):
            setattr(stemmer, name, re.compile(guarded.pattern))
    return stemmer.stem


def _tashaphyne() -> Callable[[str], str]:
    from tashaphyne.stemming import ArabicLightStemmer

    stemmer = ArabicLightStemmer()
    return lambda word: stemmer.light_stem(word) or word


def _tashaphyne_root() -> Callable[[str], str]:
    from tashaphyne.stemming import ArabicLightStemmer

    stemmer = ArabicLightStemmer()

    def root(word: str) -> str:
        stemmer.light_stem(word)
        return stemmer.get_root() or word

    return root


class Stem:
    """A cached word -> stem function. Latin words, numbers and short words are kept as they
    are. ``learn`` stems many new words in one call where the stemmer has a batch form."""

    CACHE_SIZE = 1 << 20  # entries; cleared when full so a long-running bot stays bounded

    def __init__(
        self,
        one: Callable[[str], str],
        many: Callable[[list[str]], list[str]] | None = None,
    ) -> None:
        self._one = one
        self._many = many
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        found = self._cache.get(word)
        if found is None:
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.clear()
            found = self._cache[word] = (self._one(word) or word) if _stemmable(word) else word
        return found

    def learn(self, words: Iterable[str]) -> None:
        """Stem the words not seen yet in one batch (PyStemmer's stemWords), filling the cache."""
        if self._many is None:
            return
        new = [w for w in set(words) if w not in self._cache]
        stemmable = [w for w in new if _stemmable(w)]
        if len(self._cache) + len(new) >= self.CACHE_SIZE:
            self._cache.clear()
        self._cache.update(zip(new, new, strict=True))  # the unstemmable ones stay as they are
        self._cache.update(
            (w, s or w) for w, s in zip(stemmable, self._many(stemmable), strict=True)
        )


def make_stemmer(name: str) -> Stem:
    """The cached stemmer called ``name`` (one of STEMMERS)."""
    if name == "none":
        return Stem(lambda word: word)
    if name == "snowball":
        import Stemmer

        snowball = Stemmer.Stemmer("arabic")
        return Stem(snowball.stemWord, snowball.stemWords)
    base = {
        "clitic-light": lambda: clitic_light,
        "light": lambda: _light,
        "isri": _isri,
        "tashaphyne": _tashaphyne,
        "tashaphyne-root": _tashaphyne_root,
    }[name]()
    return Stem(base)


class Analyzer:
    """Index and query terms for one configuration."""

    def __init__(self, config: AnalyzerConfig | None = None) -> None:
        self.config = config or AnalyzerConfig()
        names = self.config.stemmer.split("+")
        for name in names:
            if name not in STEMMERS:
                raise ValueError(f"unknown stemmer {name!r}; choose from {STEMMERS}")
        # the first stemmer decides which words match (highlights, coverage); the others
        # add fields of their own, their terms prefixed so the fields stay apart
        self.stem = make_stemmer(names[0])
        self._extra = [(f"{i}~", make_stemmer(n)) for i, n in enumerate(names[1:], start=1)]

    def learn(self, words: list[str]) -> None:
        """Stem new normalized words in one batch (cheaper than one call per word)."""
        self.stem.learn(words)
        for _, extra in self._extra:
            extra.learn(words)

    def keys(self, word: str) -> list[str]:
        """The stemmed-field terms of one normalized word: what counts as the same word."""
        return [self.stem(word), *(prefix + extra(word) for prefix, extra in self._extra)]

    def fields(self, words: list[str]) -> list[list[str]]:
        """Index terms of already-normalized words, one list per field (stem, other stems,
        exact form, n-grams)."""
        stem = self.stem
        out = [[stem(w) for w in words]]
        for prefix, extra in self._extra:
            out.append([prefix + extra(w) for w in words])
        if self.config.exact_field:
            out.append([EXACT + w for w in words])
        n = self.config.char_ngrams
        if n:
            out.append(
                [f"#{w[i : i + n]}" for w in words if len(w) > n for i in range(len(w) - n + 1)]
            )
        return out

    def terms(self, words: list[str]) -> list[str]:
        """Index terms of already-normalized words, field after field."""
        return [term for field in self.fields(words) for term in field]

    def passage_terms(self, text: str, heading: str | None = None, title: str = "") -> list[str]:
        words = tokens(text)
        if heading and self.config.heading_weight:
            words += tokens(heading) * self.config.heading_weight
        if title and self.config.title_weight:
            words += tokens(title) * self.config.title_weight
        return self.terms(words)

    def content_words(self, question: str) -> list[str]:
        """The question's normalized words without stop words (its informative words).

        Single letters (a stray و or ب) carry nothing; digits do ("7 أكتوبر").
        """
        words = [w for w in tokens(question) if len(w) > 1 or w.isdigit()]
        if not self.config.query_stop_words:
            return words
        return [w for w in words if not is_stop_word(w)]
