"""Compare extraction libraries on the generated documents: HTML, PDF and legacy encodings.

    python tools/make_test_documents.py --bench data/formats-bench
    python bench/formats_study.py data/formats-bench

Prints the Markdown tables of docs/formats.md. Quality figures are exact counts on known
text (truth.json); speeds are the best of 3 runs on a shared machine, so compare columns of
one run rather than runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

SENTENCE = re.compile(r"(?<=[.!?؟])\s+")
WORD = re.compile(r"[\w\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]+")
PRESENTATION = re.compile(r"[\uFB50-\uFDFF\uFE70-\uFEFF]")
ARABIC_WORD = re.compile(r"^[\u0621-\u064A]{3,}$")


def collapse(text: str) -> str:
    return " ".join(text.split())


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


# --------------------------------------------------------------------------- HTML


SEPARATORS = re.compile(r"\s+(?:[-|–—:]{1,2}|::)\s+")
DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe")
BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "br", "table"}


def plain_lxml(data: bytes) -> dict:
    """The plain-parser baseline: lxml, drop the usual non-content elements, take <article>
    (or <main>, or <body>), one line per block; metadata from og:/canonical/JSON-LD."""
    import lxml.html

    root = lxml.html.fromstring(data)
    meta = _metadata(root)
    for element in root.xpath("|".join(f"//{tag}" for tag in DROP)):
        element.drop_tree()
    content = (root.xpath("//article") or root.xpath("//main") or root.xpath("//body") or [root])[0]
    lines: list[str] = []
    current: list[str] = []

    def walk(element) -> None:
        if isinstance(element.tag, str) and element.tag in BLOCKS and current:
            lines.append(collapse(" ".join(current)))
            current.clear()
        if element.text:
            current.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if isinstance(element.tag, str) and element.tag in BLOCKS and current:
            lines.append(collapse(" ".join(current)))
            current.clear()

    walk(content)
    if current:
        lines.append(collapse(" ".join(current)))
    meta["text"] = "\n".join(line for line in lines if line)
    return meta


def _metadata(root) -> dict:
    def first(*xpaths: str) -> str | None:
        for xpath in xpaths:
            found = root.xpath(xpath)
            if found and str(found[0]).strip():
                return str(found[0]).strip()
        return None

    title = first("//meta[@property='og:title']/@content")
    if not title:
        raw = first("//title/text()")
        # "headline - site" / "site :: headline": the longest piece is the headline
        title = max(SEPARATORS.split(raw), key=len) if raw else first("//h1//text()")
    date = first("//meta[@property='article:published_time']/@content", "//time/@datetime")
    if not date:
        for block in root.xpath("//script[@type='application/ld+json']/text()"):
            try:
                date = json.loads(block).get("datePublished")
            except (ValueError, AttributeError):
                continue
            if date:
                break
    url = first("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content")
    return {"title": title, "date": date[:10] if date else None, "url": url}


def trafilatura_with(**options) -> Callable[[bytes], dict]:
    import trafilatura

    def extract(data: bytes) -> dict:
        doc = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False, **options
        )
        if doc is None:
            return {"title": None, "date": None, "url": None, "text": ""}
        return {"title": doc.title, "date": doc.date, "url": doc.url, "text": doc.text or ""}

    return extract


def marjaa_html(data: bytes) -> dict:
    """marjaa's reader (retrieval/corpus/readers/html.py) on the page."""
    import tempfile

    from retrieval.corpus.readers import html

    with tempfile.NamedTemporaryFile(suffix=".html") as file:
        file.write(data)
        file.flush()
        docs = list(html.read(Path(file.name), "page", "page.html", lambda message: None))
    if not docs:
        return {"title": None, "date": None, "url": None, "text": ""}
    doc = docs[0]
    text = "\n".join(line.lstrip("#").strip() for line in (doc.text or "").splitlines())
    return {"title": doc.title, "date": doc.date, "url": doc.url, "text": text}


def marjaa_passages(data: bytes) -> dict:
    """marjaa's whole pipeline on the page: its passages (segmentation drops furniture)."""
    import tempfile

    from retrieval import load_corpus

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "page.html").write_bytes(data)
        corpus = load_corpus(folder, warn=lambda message: None)
    doc = corpus.documents[0]
    text = "\n".join(f"{p.heading or ''}\n{p.text}" for p in corpus.passages)
    return {"title": doc.title, "date": doc.date, "url": doc.url, "text": text}


def plain_selectolax(data: bytes) -> str:
    """Speed only: the same drop-and-take-text with selectolax (lexbor)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(data)
    for tag in DROP:
        for node in tree.css(tag):
            node.decompose()
    content = tree.css_first("article") or tree.css_first("main") or tree.body
    return content.text(separator="\n") if content else ""


def plain_bs4(data: bytes) -> str:
    """Speed only: the same with BeautifulSoup on lxml."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    for element in soup(list(DROP)):
        element.decompose()
    content = soup.find("article") or soup.find("main") or soup.body
    return content.get_text("\n") if content else ""


def html_scores(truth: dict, got: dict) -> dict:
    text = got["text"] or ""
    flat = collapse(text)
    sentences = []
    for paragraph in truth["paragraphs"]:
        if " | " in paragraph:
            sentences += [c.strip() for row in paragraph.split("\n") for c in row.split(" | ")]
        else:
            sentences += SENTENCE.split(paragraph)
    found = sum(collapse(s) in flat for s in sentences)
    article = collapse(" ".join([truth["title"], *truth["paragraphs"], *truth["headings"]]))
    article_cells = {
        cell.strip()
        for p in truth["paragraphs"]
        for row in p.split("\n")
        for cell in row.split("|")
    }
    leaked = [
        line
        for line in (collapse(raw) for raw in text.splitlines())
        if WORD.search(line)
        and line not in article
        and not all(part.strip() in article_cells for part in line.strip("|").split("|"))
    ]
    return {
        "sentences": len(sentences),
        "found": found,
        "leaked": leaked,
        "title": collapse(got.get("title") or "") == collapse(truth["title"]),
        "date": (got.get("date") or "")[:10] == truth["date"],
        "url": (got.get("url") or "") == truth["url"],
    }


def study_html(folder: Path, truths: list[dict]) -> None:
    pages = [(t, (folder / t["file"]).read_bytes()) for t in truths if t["kind"] == "html"]
    extractors: dict[str, Callable[[bytes], dict]] = {
        "trafilatura (tables on)": trafilatura_with(include_tables=True),
        "trafilatura (tables off)": trafilatura_with(include_tables=False),
        "trafilatura favor_precision": trafilatura_with(include_tables=True, favor_precision=True),
        "trafilatura favor_recall": trafilatura_with(include_tables=True, favor_recall=True),
        "marjaa's reader (trafilatura, settings of docs/formats.md)": marjaa_html,
        "marjaa's passages (the reader, then segmentation)": marjaa_passages,
        "plain lxml (drop nav/header/footer/aside/script)": plain_lxml,
    }
    print(f"### HTML: {len(pages)} saved pages (4 site templates × {len(pages) // 4} articles)\n")
    print(
        "| extractor | article sentences recovered | pages missing >10% | boilerplate lines "
        "leaked | pages with leaks | title right | date right | url right | pages/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    examples: dict[str, Counter] = {}
    wrong: dict[str, Counter] = {name: Counter() for name in extractors}
    by_site: dict[str, Counter] = {}
    for name, extract in extractors.items():
        total = found = missing = leaks = leaky = titles = dates = urls = 0
        examples[name] = Counter()
        for truth, data in pages:
            got = extract(data)
            score = html_scores(truth, got)
            total += score["sentences"]
            found += score["found"]
            missing += score["found"] < 0.9 * score["sentences"]
            leaks += len(score["leaked"])
            leaky += bool(score["leaked"])
            titles += score["title"]
            dates += score["date"]
            urls += score["url"]
            examples[name].update(line[:70] for line in score["leaked"])
            key = f"{name} · {truth['site']}"
            by_site.setdefault(key, Counter()).update(
                found=score["found"],
                sentences=score["sentences"],
                leaks=len(score["leaked"]),
                pages=1,
                title=score["title"],
                date=score["date"],
                url=score["url"],
            )
            if not score["title"] or not score["date"]:
                mistake = f"title {got.get('title')!r} date {got.get('date')!r}"
                wrong[name].update([f"{truth['site']}: {mistake}"])
        seconds = best_of(3, lambda extract=extract: [extract(d) for _, d in pages])
        n = len(pages)
        print(
            f"| {name} | {found}/{total} ({found / total:.1%}) | {missing} | {leaks} | "
            f"{leaky}/{n} | {titles}/{n} | {dates}/{n} | {urls}/{n} | {n / seconds:.0f} |"
        )
    print()
    plain = (("selectolax (lexbor)", plain_selectolax), ("BeautifulSoup (lxml)", plain_bs4))
    for label, work in plain:
        seconds = best_of(3, lambda work=work: [work(d) for _, d in pages])
        print(f"- plain text only, {label}: {len(pages) / seconds:.0f} pages/s")
    print("\nPer site (sentences recovered / leaked lines):\n")
    print("| extractor · site | recovered | leaked lines | title | date | url |")
    print("|---|---|---|---|---|---|")
    for key, c in by_site.items():
        print(
            f"| {key} | {c['found']}/{c['sentences']} | {c['leaks']} | "
            f"{c['title']}/{c['pages']} | {c['date']}/{c['pages']} | {c['url']}/{c['pages']} |"
        )
    for name, counter in wrong.items():
        for line, n in counter.most_common(3):
            print(f"- {name}: {line[:160]} ×{n}")
    print("\nMost frequent leaked lines:\n")
    for name, counter in examples.items():
        common = "; ".join(f"«{line}» ×{n}" for line, n in counter.most_common(4))
        print(f"- {name}: {common or 'none'}")
    print()


# --------------------------------------------------------------------------- PDF


def pdf_pypdf(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def pdf_pdfminer(path: Path) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return [
        "".join(el.get_text() for el in page if isinstance(el, LTTextContainer))
        for page in extract_pages(path)
    ]


def pdf_pdfplumber(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def pdf_pypdfium2(path: Path) -> list[str]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def pdf_marjaa(path: Path) -> list[str]:
    """marjaa's reader (retrieval/corpus/readers/pdf.py): pages, headers and footers dropped."""
    from retrieval.corpus.readers import PAGE_BREAK, pdf

    docs = list(pdf.read(path, "doc", path.name, lambda message: None))
    return (docs[0].text or "").split(PAGE_BREAK) if docs else []


PDF_LIBRARIES = {
    "pypdf": pdf_pypdf,
    "pdfminer.six": pdf_pdfminer,
    "pdfplumber": pdf_pdfplumber,
    "pypdfium2": pdf_pypdfium2,
    "marjaa's reader (pdfminer.six glyphs, lines rebuilt, python-bidi)": pdf_marjaa,
}


def pdf_scores(truth: dict, pages: list[str]) -> Counter:
    text = "\n".join(pages)
    got_words = WORD.findall(text)
    got = Counter(got_words)
    got_nfkc = Counter(WORD.findall(unicodedata.normalize("NFKC", text)))
    want = Counter(WORD.findall(" ".join(truth["paragraphs"])))
    vocabulary = set(want)
    flat = collapse(unicodedata.normalize("NFKC", text))
    sentences = [s for p in truth["paragraphs"] if " | " not in p for s in SENTENCE.split(p)]
    reversed_words = sum(
        1
        for w in got_words
        if ARABIC_WORD.match(w) and w not in vocabulary and w[::-1] in vocabulary
    )
    joined = sum(
        1
        for w in got_words
        if w not in vocabulary
        and any(w[:i] in vocabulary and w[i:] in vocabulary for i in range(2, len(w) - 1))
    )
    lam_alef = len(re.findall(r"ا[إأآ]ل|(?<!\S)ا[إأآ]", text))
    return Counter(
        words=sum(want.values()),
        found=sum(min(n, got[w]) for w, n in want.items()),
        found_nfkc=sum(min(n, got_nfkc[w]) for w, n in want.items()),
        sentences=len(sentences),
        sentences_found=sum(collapse(s) in flat for s in sentences),
        presentation=len(PRESENTATION.findall(text)),
        chars=len(text),
        reversed=reversed_words,
        joined=joined,
        lam_alef=lam_alef,
        pages=len(pages),
    )


def study_pdf(folder: Path, truths: list[dict]) -> None:
    pdfs = [t for t in truths if t["kind"] == "pdf"]
    for producer in ("chromium", "libreoffice"):
        group = [t for t in pdfs if t["producer"] == producer]
        print(f"### PDF from {producer}: {len(group)} files\n")
        print(
            "| library | words recovered | after NFKC | whole sentences in order | "
            "presentation-form chars | reversed words | joined words | alef-before-lam | pages/s |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for name, extract in PDF_LIBRARIES.items():
            total = Counter()
            for truth in group:
                total += pdf_scores(truth, extract(folder / truth["file"]))
            seconds = best_of(
                3, lambda extract=extract, group=group: [extract(folder / t["file"]) for t in group]
            )
            print(
                f"| {name} | {total['found'] / total['words']:.1%} | "
                f"{total['found_nfkc'] / total['words']:.1%} | "
                f"{total['sentences_found']}/{total['sentences']} | {total['presentation']} | "
                f"{total['reversed']} | {total['joined']} | {total['lam_alef']} | "
                f"{total['pages'] / seconds:.0f} |"
            )
        print()


def show_pdf_lines(path: Path, page: int = 0, lines: int = 4) -> None:
    """The first lines of one page as each library gives them (for the write-up)."""
    print(f"First lines of {path.name}, page {page + 1}:\n")
    for name, extract in PDF_LIBRARIES.items():
        text = extract(path)[page]
        head = [line for line in text.splitlines() if line.strip()][:lines]
        print(f"- {name}: " + " ⏎ ".join(f"`{line.strip()}`" for line in head))
    print()


# --------------------------------------------------------------------------- encodings


def ladder_iso_first(data: bytes) -> str:
    """Strict decode ladder: BOMs, UTF-8, ISO-8859-6 (fails on most cp1256), cp1256."""
    boms = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
    for bom, codec in boms:
        if data.startswith(bom):
            return codec
    for codec in ("utf-8", "iso8859_6"):
        try:
            data.decode(codec)
            return codec
        except UnicodeDecodeError:
            pass
    return "cp1256"


def marjaa_ladder(data: bytes) -> str:
    """marjaa's decoding (retrieval/corpus/readers/encoding.py)."""
    from retrieval.corpus.readers.encoding import decode

    return decode(data).encoding


def charset_normalizer_guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return best.encoding if best else None


def charset_normalizer_text(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best else None


def chardet_guess(data: bytes) -> str | None:
    import chardet

    return chardet.detect(data)["encoding"]


def encoding_samples(truths: list[dict]) -> list[tuple[str, str, str]]:
    """(length class, codec, text) for every article in every encoding."""
    articles = [t for t in truths if t["kind"] == "html" and t["site"] == "صحيفة الأفق"]
    texts: list[tuple[str, str]] = []
    for t in articles:
        body = "\n\n".join([t["title"], *t["paragraphs"]])
        texts.append(("long (article, ~1.5 kB)", body))
        texts.append(("short (one sentence)", SENTENCE.split(t["paragraphs"][0])[0]))
        texts.append(("title (~50 chars)", t["title"]))
        words = t["paragraphs"][0].split()
        texts += [("3 words", " ".join(words[i : i + 3])) for i in range(0, len(words) - 3, 3)]
        texts.append(
            (
                "mixed Arabic/Latin",
                f"{t['title']} (source: {t['url']}) — Reuters, AFP, 2024, PDF, OK",
            )
        )
    samples = []
    for codec in ("utf-8", "utf-8-sig", "utf-16", "cp1256", "iso8859_6"):
        for label, text in texts:
            try:
                text.encode(codec)
            except UnicodeEncodeError:
                text = "".join(ch for ch in text if _encodable(ch, codec))
            samples.append((label, codec, text))
    return samples


def _encodable(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
        return True
    except UnicodeEncodeError:
        return False


def study_encodings(truths: list[dict]) -> None:
    samples = encoding_samples(truths)
    detectors = {
        "strict ladder, ISO-8859-6 before cp1256": ladder_iso_first,
        "marjaa: BOM, UTF-8, then the code page that reads as Arabic": marjaa_ladder,
        "charset-normalizer": charset_normalizer_guess,
        "chardet": chardet_guess,
    }
    labels = sorted({label for label, _, _ in samples})
    codecs = ("utf-8", "utf-8-sig", "utf-16", "cp1256", "iso8859_6")
    print(f"### Encodings: {len(samples)} samples (right = decodes to the original text)\n")
    print("| detector | " + " | ".join(codecs) + " | " + " | ".join(labels) + " | ms/sample |")
    print("|---|" + "---|" * (len(codecs) + len(labels) + 1))
    misses: dict[str, list[str]] = {name: [] for name in detectors}
    for name, detect in detectors.items():
        by_codec, by_label = Counter(), Counter()
        for label, codec, text in samples:
            data = text.encode(codec)
            guess = detect(data)
            try:
                if detect is charset_normalizer_guess:
                    decoded = charset_normalizer_text(data)
                else:
                    decoded = data.decode(guess) if guess else None
                right = decoded == text
            except (LookupError, UnicodeDecodeError):
                right = False
            if not right:
                misses[name].append(f"{codec} {label}: guessed {guess}, {text[:40]!r}")
            by_codec[codec] += right
            by_label[label] += right
        per = {c: sum(1 for _, k, _ in samples if k == c) for c in codecs}
        per_label = {lbl: sum(1 for l2, _, _ in samples if l2 == lbl) for lbl in labels}
        seconds = best_of(3, lambda detect=detect: [detect(t.encode(c)) for _, c, t in samples])
        print(
            f"| {name} | "
            + " | ".join(f"{by_codec[c]}/{per[c]}" for c in codecs)
            + " | "
            + " | ".join(f"{by_label[lbl]}/{per_label[lbl]}" for lbl in labels)
            + f" | {1000 * seconds / len(samples):.2f} |"
        )
    print()
    for name, found in misses.items():
        for line in found[:4]:
            print(f"- {name} wrong: {line}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="made by tools/make_test_documents.py --bench")
    parser.add_argument("--only", choices=("html", "pdf", "encodings"))
    args = parser.parse_args()
    truths = json.loads((args.folder / "truth.json").read_text(encoding="utf-8"))
    if args.only in (None, "html"):
        study_html(args.folder, truths)
    if args.only in (None, "pdf"):
        study_pdf(args.folder, truths)
        show_pdf_lines(args.folder / "office_noor.pdf", page=2)
        show_pdf_lines(args.folder / "chromium_alexandria.pdf")
    if args.only in (None, "encodings"):
        study_encodings(truths)


if __name__ == "__main__":
    sys.exit(main())
