"""Corpus ingestion: the seeds, every input format, cleaning, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval import CorpusError, load_corpus
from retrieval.text.normalize import normalize

TITLES = {
    "000_9851199e9df58dca": "تعثر مؤتمر أمن الشرق الأوسط في البحرين بسبب الحرب بين إسرائيل وحماس",
    "002_9e10b7db58ada187": "«مباحثات سرية».. أمريكا تبحث مع إسرائيل وحلفائها مستقبل غزة بعد الحرب",
    "004_472c74c3ee9cd5b0": (
        "اسرائيل تشارك بمؤتمر لمكافحة الارهاب بالمغرب وتتحدث عن دفء العلاقات مع دول عربية"
    ),
}
FURNITURE = ["Qsarpress", "الرئيسية", "شؤون عربية", "تعليقات القراء", "لا يوجد تعليقات"]
PROMOS = ["لماذا كتبنا هذا؟", "قصة مركزة", "ما في ذلك السياسة والأعمال والتكنولوجيا"]


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path):
    return load_corpus(seeds_dir, warn=lambda m: pytest.fail(f"unexpected warning: {m}"))


def test_seeds_load_five_documents(seeds) -> None:
    files = sorted(Path(seeds.root).glob("*.txt"))
    assert len(files) == 5
    assert [d.doc_id for d in seeds.documents] == [f.stem for f in files]
    assert sum(d.passage_count for d in seeds.documents) == len(seeds.passages)


@pytest.mark.parametrize(("doc_id", "title"), sorted(TITLES.items()))
def test_seed_titles_are_the_headlines(seeds, doc_id: str, title: str) -> None:
    assert {d.doc_id: d.title for d in seeds.documents}[doc_id] == title


@pytest.mark.parametrize("doc_id", ["001_163d662abddf5416", "003_d8ebd055fb7f323d"])
def test_documents_without_headline_are_titled_by_their_first_sentence(seeds, doc_id) -> None:
    document = next(d for d in seeds.documents if d.doc_id == doc_id)
    first = next(p for p in seeds.passages if p.doc_id == doc_id)
    assert 10 < len(document.title) <= 90
    assert first.text.startswith(document.title.rstrip("…"))


def test_no_passage_repeats_another_after_normalization(seeds) -> None:
    texts = [normalize(p.text) for p in seeds.passages]
    assert len(texts) == len(set(texts))


def test_repeated_body_of_004_is_kept_once(seeds) -> None:
    doc = [p for p in seeds.passages if p.doc_id == "004_472c74c3ee9cd5b0"]
    assert sum("عملية وارسو" in p.text and "خمسين بلدا" in p.text for p in doc) == 1


@pytest.mark.parametrize("line", FURNITURE + PROMOS)
def test_page_furniture_is_gone(seeds, line: str) -> None:
    assert not any(normalize(p.text).startswith(normalize(line)) for p in seeds.passages)


def test_headings_are_attached_to_the_passages_that_follow(seeds) -> None:
    by_id = {p.id: p for p in seeds.passages}
    rubio = by_id["002_9e10b7db58ada187#2"]
    assert rubio.heading == "جهود ماركو روبيو لتشكيل الحكم في قطاع غزة"
    assert rubio.text.startswith("أكدت وزارة الخارجية الأمريكية")
    assert by_id["003_d8ebd055fb7f323d#6"].heading == "وما سيحدث بعد ذلك في غزة غير معروف"
    assert not any(p.text == p.heading for p in seeds.passages)


def test_bullets_stay_with_their_introduction_and_tables_stay_whole(seeds) -> None:
    doc = [p for p in seeds.passages if p.doc_id == "002_9e10b7db58ada187"]
    challenges = next(p for p in doc if "من بين أبرز هذه التحديات" in p.text)
    assert challenges.text.count("•") == 3
    table = next(p for p in doc if p.text.startswith("العنوان القيمة"))
    assert table.text.count("\n") == 3


def test_passages_carry_their_citation(seeds) -> None:
    for doc in seeds.documents:
        passages = [p for p in seeds.passages if p.doc_id == doc.doc_id]
        assert [p.paragraph for p in passages] == list(range(1, len(passages) + 1))
        for p in passages:
            assert p.id == f"{doc.doc_id}#{p.paragraph}"
            assert p.source == f"{doc.doc_id}.txt"
            assert p.title == doc.title
            assert p.tokens


def test_original_text_is_kept_for_display(seeds) -> None:
    assert any("عُقدت نسخة العام الماضي" in p.text for p in seeds.passages)  # damma kept


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


ARTICLE = (
    "عنوان المقال هنا\n\nالفقرة الأولى من المقال تتحدث عن الاقتصاد.\n\nالفقرة الثانية عن السياسة.\n"
)


def test_sidecar_metadata_gives_title_url_and_date(tmp_path: Path) -> None:
    write(tmp_path / "news" / "a.txt", ARTICLE)
    meta = {"title": "عنوان من الملف", "url": "https://example.org/a", "date": "2024-05-01"}
    write(tmp_path / "news" / "a.meta.json", json.dumps(meta, ensure_ascii=False))
    corpus = load_corpus(tmp_path)
    assert [d.title for d in corpus.documents] == ["عنوان من الملف"]
    passage = corpus.passages[0]
    assert (passage.url, passage.date, passage.source) == (meta["url"], meta["date"], "news/a.txt")
    # the text's own headline is the document's headline, not a passage or a heading
    assert all("عنوان المقال" not in (p.heading or "") + p.text for p in corpus.passages)


def test_jsonl_documents_one_per_line(tmp_path: Path) -> None:
    lines = [
        {"text": "نص الوثيقة الأولى عن المياه.", "title": "المياه", "url": "https://x.org/1"},
        {"text": "نص الوثيقة الثانية عن الطاقة.\nسطر ثان عن الشمس."},
    ]
    write(tmp_path / "docs.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    corpus = load_corpus(tmp_path / "docs.jsonl")
    assert corpus.documents[0].title == "المياه"
    assert corpus.documents[1].source == "docs.jsonl:2"
    assert len(corpus.passages) == 3


def test_squad_contexts_are_passages_never_split(tmp_path: Path) -> None:
    long_context = "جملة طويلة عن التاريخ. " * 120  # longer than the split size of free text
    squad = {
        "data": [
            {"title": "تاريخ", "paragraphs": [{"context": long_context, "qas": []}]},
            {"title": "جغرافيا", "paragraphs": [{"context": "نهر النيل أطول نهر.", "qas": []}]},
        ]
    }
    write(tmp_path / "set.json", json.dumps(squad, ensure_ascii=False))
    corpus = load_corpus(tmp_path / "set.json")
    assert [d.title for d in corpus.documents] == ["تاريخ", "جغرافيا"]
    assert corpus.passages[0].text == long_context.strip()


def test_long_paragraphs_are_cut_at_sentence_ends(tmp_path: Path) -> None:
    write(tmp_path / "long.txt", "هذه جملة كاملة عن موضوع مهم جدا. " * 80)
    passages = load_corpus(tmp_path).passages
    assert len(passages) > 1
    assert all(p.text.endswith(".") and len(p.text) <= 1500 for p in passages)


def test_markdown_headings_and_wrapped_paragraphs(tmp_path: Path) -> None:
    text = (
        "# دليل المستخدم\n\n## التثبيت\n\n"
        "يتم تثبيت البرنامج عن طريق تنزيل الملف من الموقع الرسمي ثم\n"
        "فتحه والضغط على زر التثبيت واتباع التعليمات الظاهرة على\n"
        "الشاشة حتى النهاية.\n"
    )
    corpus = load_corpus(write(tmp_path / "guide.md", text))
    assert corpus.documents[0].title == "دليل المستخدم"
    [passage] = corpus.passages
    assert passage.heading == "التثبيت"
    assert passage.text.startswith("يتم تثبيت") and passage.text.endswith("حتى النهاية.")


def test_bad_files_warn_with_their_name_and_the_rest_loads(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", ARTICLE)
    write(tmp_path / "latin1.txt", "caf\xe9 au lait".encode("latin-1"))
    write(tmp_path / "binary.txt", b"\x00\x01\x02PNG\x00")
    write(tmp_path / "empty.md", "  \n")
    write(tmp_path / "docs.jsonl", '{"text": "سطر صحيح تماما."}\n{broken\n{"title": "بلا نص"}\n')
    write(tmp_path / "bad.json", "{not json")
    write(tmp_path / "notsquad.json", '{"hello": 1}')
    warnings: list[str] = []
    corpus = load_corpus(tmp_path, warn=warnings.append)
    text = "\n".join(warnings)
    for expected in ["latin1.txt", "binary.txt", "empty.md", "docs.jsonl:2", "docs.jsonl:3"]:
        assert expected in text
    assert "bad.json" in text and "notsquad.json" in text
    assert {d.source for d in corpus.documents} == {"good.txt", "docs.jsonl:1"}
    assert all("\n" not in w for w in warnings)


def test_missing_corpus_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "nowhere")


def test_corpus_without_usable_passage_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", "")
    with pytest.raises(CorpusError, match="no usable passages"):
        load_corpus(tmp_path, warn=lambda m: None)
