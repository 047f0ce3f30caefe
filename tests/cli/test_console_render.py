"""What the console and `marjaa ask` print: citations that read right in a right-to-left
terminal, the page of a PDF, weak passages said to be weak."""

from __future__ import annotations

import io

from bidi import get_display
from rich.console import Console

from bot.bidi import FSI, PDI
from bot.console.render import render_answer
from bot.messages import NO_ANSWER, WEAK_LABEL
from retrieval import Answer, Passage, Result

TITLE = "تعثر مؤتمر أمن الشرق الأوسط في البحرين"
NAME = "000_9851199e9df58dca.txt"


def printed(answer: Answer) -> str:
    console = Console(file=io.StringIO(), width=400, color_system=None)
    console.print(render_answer(answer))
    return console.file.getvalue()


def result(rank: int, text: str, weak: bool = False, page: int | None = None) -> Result:
    passage = Passage(f"d#{rank}", "d", TITLE, NAME, rank, None, text, page=page)
    return Result(rank, passage, 1.0, text, (), weak)


def test_citation_keeps_the_file_name_whole_in_a_right_to_left_line() -> None:
    out = printed(Answer("س", "س", True, (result(1, "تعثر الحوار في المنامة.", page=4),)))
    [line] = [line for line in out.splitlines() if NAME in line]
    assert f"{FSI}{NAME}{PDI}" in line and "صفحة 4" in line
    assert NAME in get_display(line)  # as the terminal lays the line out
    # without the isolates the scrambled "9851199_000 · 1 الفقرة" comes back
    assert NAME not in get_display(line.replace(FSI, "").replace(PDI, ""))


def test_weak_passages_are_said_to_be_weak() -> None:
    answered = printed(
        Answer("س", "س", True, (result(1, "جواب."), result(2, "أبعد عن السؤال.", weak=True)))
    )
    assert answered.count(WEAK_LABEL) == 1
    assert answered.index(WEAK_LABEL) > answered.index("جواب.")
    unanswered = printed(Answer("س", "س", False, (result(1, "أقرب ما وجد."),)))
    assert unanswered.startswith(NO_ANSWER) and WEAK_LABEL in unanswered


def test_sources_lists_what_was_left_unread(tmp_path, capsys) -> None:
    from bot.cli import main

    (tmp_path / "doc.txt").write_text("نص قصير عن مدينة البتراء الأثرية.", encoding="utf-8")
    (tmp_path / "slides.pptx").write_bytes(b"PK\x03\x04 not read")
    assert main(["sources", "--corpus", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "skipped 1 file: 1 .pptx — unsupported: slides.pptx" in " ".join(out.split())
