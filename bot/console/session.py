"""What the console remembers of the last answer: its pages (/more) and the results shown."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval import Answer, Result


@dataclass
class LastAnswer:
    """The latest answer, searched for every page at once (as Telegram searches for «المزيد»);
    ``pages_shown`` of ``page_size`` results have been printed so far."""

    answer: Answer
    page_size: int
    pages_shown: int = 1

    @property
    def shown(self) -> tuple[Result, ...]:
        """The results printed so far (an unanswered question shows its best, weak, one)."""
        if not self.answer.answered:
            return self.answer.results[:1]
        return self.answer.results[: self.pages_shown * self.page_size]

    def next_page(self) -> tuple[Result, ...]:
        """The next page's results, now counted as shown; empty when there are no more."""
        if not self.answer.answered:
            return ()
        start = self.pages_shown * self.page_size
        page = self.answer.results[start : start + self.page_size]
        if page:
            self.pages_shown += 1
        return page

    def numbered(self, number: int) -> Result | None:
        """The shown result numbered ``number`` (its rank), if any."""
        return next((r for r in self.shown if r.rank == number), None)
