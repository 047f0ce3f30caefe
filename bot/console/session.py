"""What the console remembers of the last answer: its pages (/more) and the results shown."""

from __future__ import annotations

from dataclasses import dataclass, field

from retrieval import Answer, Result


@dataclass
class LastAnswer:
    """The latest answer, searched for every page at once (as Telegram searches for «المزيد»).

    An answered question shows its first ``page_size`` results, an unanswered one its closest
    passage; each /more shows the next ``page_size`` (for an unanswered question, the next
    closest passages, marked weak, as «المزيد» shows them).
    """

    answer: Answer
    page_size: int
    shown_count: int = field(init=False)

    def __post_init__(self) -> None:
        first = self.page_size if self.answer.answered else 1
        self.shown_count = min(first, len(self.answer.results))

    @property
    def shown(self) -> tuple[Result, ...]:
        """The results printed so far."""
        return self.answer.results[: self.shown_count]

    def next_page(self) -> tuple[Result, ...]:
        """The next page's results, now counted as shown; empty when there are no more."""
        page = self.answer.results[self.shown_count : self.shown_count + self.page_size]
        self.shown_count += len(page)
        return page

    def numbered(self, number: int) -> Result | None:
        """The shown result numbered ``number`` (its rank), if any."""
        return next((r for r in self.shown if r.rank == number), None)
