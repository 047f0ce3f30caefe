"""The query-log summary as a short Arabic message (Telegram's /stats), plain or Telegram HTML."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from bot.bidi import isolate_runs
from bot.querylog.review import QuestionCount, Summary
from retrieval import shorten

CHANNEL_NAMES = {"telegram": "تيليجرام", "console": "الطرفية", "cli": "سطر الأوامر"}
QUESTION_CHARS = 70  # a listed question is cut to this length: the message stays short


def channel_name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel)


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}٪" if whole else "—"


def ms_number(value: float | None) -> str:
    """A latency for reading: a decimal only where it means something (3.4, but 120)."""
    if value is None:
        return "—"
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def milliseconds(value: float | None, unit: str = "ملّي ثانية", missing: str = "—") -> str:
    """A latency as people read it ("12 ملّي ثانية"); ``missing`` when there is none."""
    return missing if value is None else f"{ms_number(value)} {unit}"


def period_text(summary: Summary) -> str:
    since, until = summary.since, summary.until
    if since and until:
        return f"من {since[:10]} حتى {until[:10]}"
    if since:
        return f"منذ {since[:10]}"
    if until:
        return f"حتى {until[:10]}"
    return "كل السجل"


def stats_text(summary: Summary, html: bool = False, top: int = 5) -> str:
    """A few lines of Arabic: totals, answered rate, channels, speed, ratings, top questions.

    ``html=True`` escapes the questions and uses <b> for Telegram's HTML parse mode; the
    left-to-right runs of questions are isolated there (Telegram lays the lines out right to
    left); the plain text keeps the questions as asked.
    """
    text: Callable[[str], str] = (lambda t: escape(t, quote=False)) if html else (lambda t: t)
    question: Callable[[str], str] = (lambda t: text(isolate_runs(t))) if html else text

    def bold(title: str) -> str:
        return f"<b>{text(title)}</b>" if html else title

    lines = [bold("📊 إحصاءات سجل الأسئلة"), f"الفترة: {period_text(summary)}"]
    if not summary.total:
        lines.append("لا توجد أسئلة مسجلة في هذه الفترة.")
        return "\n".join(lines)
    lines.append(
        f"الأسئلة: {summary.total} — أُجيب عن {summary.answered} "
        f"({percent(summary.answered, summary.total)})، وبلا إجابة {summary.unanswered}"
    )
    channels = "، ".join(f"{channel_name(c.channel)} {c.total}" for c in summary.by_channel)
    lines.append(text(f"حسب القناة: {channels}"))
    if summary.users:
        lines.append(f"المستخدمون: {summary.users}")
    lines.append(
        f"زمن البحث: الوسيط {milliseconds(summary.latency_p50)}، "
        f"و95٪ من الأسئلة في {milliseconds(summary.latency_p95)} أو أقل"
    )
    lines.append(f"التقييمات: 👍 {summary.feedback_up} · 👎 {summary.feedback_down}")
    for title, questions in (
        ("أكثر الأسئلة بلا إجابة:", summary.top_unanswered),
        ("أكثر الأسئلة تكراراً:", summary.top_queries),
    ):
        if questions:
            lines.append("")
            lines.append(bold(title))
            lines.extend(_question_line(i, q, question) for i, q in enumerate(questions[:top], 1))
    return "\n".join(lines)


def _question_line(number: int, question: QuestionCount, text: Callable[[str], str]) -> str:
    return f"{number}. {text(shorten(question.query, QUESTION_CHARS))} ({question.count})"
