"""The ``marjaa ask --json`` contract: an Answer as plain JSON-ready data."""

from __future__ import annotations

from retrieval import Answer, Result


def result_to_dict(result: Result) -> dict:
    passage = result.passage
    return {
        "rank": result.rank,
        "doc_id": passage.doc_id,
        "title": passage.title,
        "source": passage.source,
        "paragraph": passage.paragraph,
        "heading": passage.heading,
        "text": passage.text,
        "score": result.score,
        "answer_sentence": result.answer_sentence,
        "highlights": [list(span) for span in result.highlights],
        "url": passage.url,
        "page": passage.page,  # a PDF's page, else null
        "weak": result.weak,  # shown as the closest there is, not as an answer
    }


def answer_to_dict(answer: Answer) -> dict:
    """The ``marjaa ask --json`` contract (fields may be added, never removed)."""
    return {
        "query": answer.query,
        "answered": answer.answered,
        "results": [result_to_dict(r) for r in answer.results],
        # when unanswered and a question word is close to a word of the sources: the
        # question as the sources would spell it (else null)
        "did_you_mean": answer.suggested_question(),
    }
