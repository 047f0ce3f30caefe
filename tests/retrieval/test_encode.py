"""The fast analysis paths give exactly what the plain ones give."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval import AnalyzerConfig, RetrievalConfig, load_corpus
from retrieval.analysis import Analyzer
from retrieval.index import build
from retrieval.index.encode import TermEncoder, passage_text
from retrieval.text.normalize import tokens, word_tokens

TRICKY = [
    "الرئيسُ قال: «السلام» — ٣٬٠٠٠ دولار و3,000 يورو، و1,5 مليون.",
    "كلمة\u200cمتصلة وبلا\u00a0فاصل\tو\nسطر جديد ـــ تطويل",
    "ﻻ إله إلا ﷲ ﷺ (حروف العرض من ملفات PDF) x² ＡＢＣ",
    "U.S. e-mail snake_case ÉCOLE İstanbul ΣΊΣΥΦΟΣ",
    "",
    "   ،  ؟  ",
]


@pytest.fixture(scope="module")
def seed_passages(seeds_dir):
    return load_corpus(seeds_dir).passages


def test_cached_tokens_equal_the_whole_text_pass(seed_passages):
    """tokens() splits at whitespace first and caches words; the result must not change."""
    for text in TRICKY + [p.text for p in seed_passages]:
        assert tokens(text) == word_tokens(text), text
        assert tokens(text) == tokens(text)  # and again, from the cache


@pytest.mark.parametrize(
    "config",
    [
        AnalyzerConfig(),
        AnalyzerConfig(heading_weight=2, title_weight=3),
        AnalyzerConfig(stemmer="light", exact_field=False),
        AnalyzerConfig(char_ngrams=3),
    ],
    ids=["default", "weights", "light-no-exact", "ngrams"],
)
def test_encoder_gives_analyzer_terms_in_order(seed_passages, config):
    analyzer = Analyzer(config)
    encoder = TermEncoder(Analyzer(config))
    texts = [passage_text(p) for p in seed_passages] + [(t, "عنوان فرعي", "عنوان") for t in TRICKY]
    batch = encoder.batch(texts)
    terms = encoder.vocabulary.terms
    ends = np.cumsum(batch.lengths)
    for text, start, end in zip(texts, [0, *ends[:-1]], ends, strict=True):
        assert [terms[i] for i in batch.ids[start:end]] == analyzer.passage_terms(*text)


def test_counted_batches_hold_each_passage_terms_with_frequencies(seed_passages):
    encoder = TermEncoder(Analyzer())
    texts = [passage_text(p) for p in seed_passages[:5]]
    counted = encoder.batch(texts, counted=True)
    terms = encoder.vocabulary.terms
    for number, text in enumerate(texts):
        rows = counted.passages == number
        got = {terms[i]: int(f) for i, f in zip(counted.ids[rows], counted.tf[rows], strict=True)}
        expected: dict[str, int] = {}
        for term in Analyzer().passage_terms(*text):
            expected[term] = expected.get(term, 0) + 1
        assert got == expected
    kept = counted.select(np.array([False, True, False, True, True]))
    assert kept.size == 3 and set(kept.passages.tolist()) == {0, 1, 2}


def test_worker_processes_index_like_this_process(seeds_dir, monkeypatch):
    """The build's worker path (big corpora) gives the same terms as the one in this process."""
    monkeypatch.setattr(build, "BATCH_CHARACTERS", 2000)  # several batches, to each worker

    def terms_by_passage(workers: int) -> list[list[str]]:
        config = RetrievalConfig(engine="rank-bm25")
        built = build.build_index(seeds_dir, config, lambda m: None, workers=workers)
        engine = built.engine
        names = {i: t for t, i in engine.vocabulary.items()}
        ends = np.cumsum(engine._lengths)
        flat = [names[i] for i in engine._ids.tolist()]
        return [flat[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]

    assert terms_by_passage(workers=2) == terms_by_passage(workers=1)
