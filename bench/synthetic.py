"""Synthetic Arabic corpora for the benchmark: real sentences recombined into new passages."""

from __future__ import annotations

import json
import random
from pathlib import Path

from retrieval import SENTENCE_SPLIT, load_corpus
from retrieval.evaluate import load_squad_questions

# Passages of 1-3 real sentences (about 60 words, like news paragraphs), 1-8 per document.
SENTENCES_PER_PASSAGE = (1, 2, 2, 2, 2, 3, 3, 3)
PASSAGES_PER_DOCUMENT = (1, 8)
TITLE_WORDS = 8
DOCUMENTS_PER_FILE = 20_000


def real_sentences(arcd: Path, seeds: Path) -> list[str]:
    """Every sentence of the ARCD paragraphs and the seed passages, once each."""
    paragraphs = [q.gold_context or "" for q in load_squad_questions(arcd)]
    paragraphs += [p.text for p in load_corpus(seeds, warn=lambda _: None).passages]
    found = dict.fromkeys(
        " ".join(s.split())
        for paragraph in paragraphs
        for s in SENTENCE_SPLIT.split(paragraph)
        if len(s.split()) >= 4
    )
    return list(found)


def real_questions(arcd: Path) -> list[str]:
    return [q.question for q in load_squad_questions(arcd)]


def write_corpus(folder: Path, passages: int, sentences: list[str], seed: int = 0) -> int:
    """Write ``passages`` distinct passages as JSONL documents under ``folder``; return the
    number of documents. Passages never repeat, so de-duplication keeps them all."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    used: set[tuple[int, ...]] = set()
    written = documents = 0
    out = None
    while written < passages:
        if documents % DOCUMENTS_PER_FILE == 0:
            if out:
                out.close()
            out = (folder / f"part-{documents // DOCUMENTS_PER_FILE:04d}.jsonl").open(
                "w", encoding="utf-8"
            )
        paragraphs = []
        for _ in range(min(rng.randint(*PASSAGES_PER_DOCUMENT), passages - written)):
            while True:
                picked = tuple(
                    rng.randrange(len(sentences)) for _ in range(rng.choice(SENTENCES_PER_PASSAGE))
                )
                if picked not in used:
                    used.add(picked)
                    break
            paragraphs.append(" ".join(sentences[i] for i in picked))
        written += len(paragraphs)
        title_words = sentences[rng.randrange(len(sentences))].split()[:TITLE_WORDS]
        title = " ".join(title_words).rstrip(".،,؛:!؟?")
        record = {"title": title, "text": "\n\n".join(paragraphs)}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        documents += 1
    if out:
        out.close()
    return documents
