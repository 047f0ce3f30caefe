"""The query-log report: one self-contained HTML page (inline CSS and SVG charts, no network)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from html import escape

from bot.bidi import bdi_runs
from bot.querylog.review import DayCount, LatencyBucket, QuestionCount, Summary
from bot.querylog.stats import channel_name, ms_number, percent, period_text

TITLE = "مرجع — تقرير سجل الأسئلة"
ANSWERED_COLOUR = "#2e7d5b"
UNANSWERED_COLOUR = "#d9822b"
LATENCY_COLOUR = "#3b6ea8"
# Arabic-capable fonts first; DejaVu Sans (Linux) and Tahoma (Windows) carry Arabic glyphs too
FONTS = '"Noto Naskh Arabic", "Noto Sans Arabic", "Segoe UI", Tahoma, "DejaVu Sans", sans-serif'

CSS = f"""
* {{ box-sizing: border-box; }}
body {{ font-family: {FONTS}; margin: 0 auto; max-width: 1100px; padding: 24px;
  color: #1f2933; background: #f7f8fa; line-height: 1.6; }}
h1 {{ font-size: 28px; margin: 0 0 4px; }}
h2 {{ font-size: 20px; margin: 0 0 12px; }}
.muted {{ color: #616e7c; font-size: 14px; }}
section {{ background: #fff; border: 1px solid #e4e7eb; border-radius: 8px;
  padding: 16px 20px; margin: 16px 0; }}
.cards {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr));
  gap: 12px; background: none; border: none; padding: 0; }}
.card {{ background: #fff; border: 1px solid #e4e7eb; border-radius: 8px; padding: 12px 16px; }}
.card .value {{ font-size: 26px; font-weight: bold; unicode-bidi: isolate; }}
.card .label {{ color: #616e7c; font-size: 14px; }}
.row {{ display: flex; flex-wrap: wrap; gap: 24px; align-items: center; }}
figure {{ margin: 0; }}
svg {{ display: block; max-width: 100%; height: auto; font-family: {FONTS}; }}
svg text {{ font-size: 12px; fill: #52606d; }}
.legend {{ display: flex; gap: 20px; font-size: 14px; margin-top: 8px; }}
.swatch {{ display: inline-block; width: 12px; height: 12px; border-radius: 2px;
  margin-inline-end: 6px; vertical-align: middle; }}
table {{ border-collapse: collapse; width: 100%; font-size: 15px; }}
th, td {{ text-align: start; padding: 6px 10px; border-bottom: 1px solid #e4e7eb;
  vertical-align: top; }}
th {{ background: #f0f2f5; font-weight: bold; }}
td.number, th.number {{ text-align: end; width: 6em; white-space: nowrap; }}
.empty {{ color: #616e7c; }}
"""


def render_report(summary: Summary, source: str = "", generated: str = "") -> str:
    """The whole page for ``summary``; ``source`` (the log file) and ``generated`` are shown."""
    body = [
        "<header>",
        f"<h1>{TITLE}</h1>",
        f'<p class="muted">الفترة: {bdi_runs(period_text(summary))}'
        + (f" · أول سؤال <bdi>{_when(summary.first)}</bdi>" if summary.first else "")
        + (f" · آخر سؤال <bdi>{_when(summary.last)}</bdi>" if summary.last else "")
        + "</p>",
        "</header>",
        _cards(summary),
    ]
    if summary.total:
        body += [
            _section("الأسئلة في اليوم", _days_chart(summary.by_day) + _legend()),
            _section("أُجيب عنها مقابل بلا إجابة", _answered_block(summary)),
            _section(
                "توزيع زمن البحث",
                _latency_chart(summary.latency_histogram)
                + '<p class="muted">زمن البحث في الفهرس لكل سؤال، بالملّي ثانية.</p>',
            ),
            _section("الأسئلة الأكثر تكراراً", _questions_table(summary.top_queries, True)),
            _section(
                "الأسئلة الأكثر تكراراً بلا إجابة",
                _questions_table(summary.top_unanswered, False)
                + '<p class="muted">ما لم يجد له المرجع جواباً: مرشّح لإضافة وثائق.</p>',
            ),
        ]
    else:
        body.append(_section("لا توجد أسئلة", '<p class="empty">لا توجد أسئلة في هذه الفترة.</p>'))
    footer = "أُنشئ بالأمر <bdi>marjaa logs report</bdi>"
    if source:
        footer += f" من <bdi>{escape(source)}</bdi>"
    if generated:
        footer += f" في <bdi>{_when(generated)}</bdi>"
    body.append(f'<footer class="muted">{footer}</footer>')
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{TITLE}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _when(timestamp: str) -> str:
    """``2026-11-23T16:34:41.123Z`` -> ``2026-11-23 16:34 UTC``."""
    return escape(f"{timestamp[:16].replace('T', ' ')} UTC")


def _section(title: str, content: str) -> str:
    return f"<section>\n<h2>{escape(title)}</h2>\n{content}\n</section>"


def _cards(summary: Summary) -> str:
    cards = [
        ("total", str(summary.total), "مجموع الأسئلة"),
        ("answered", str(summary.answered), "أُجيب عنها"),
        ("unanswered", str(summary.unanswered), "بلا إجابة"),
        ("answered_rate", percent(summary.answered, summary.total), "نسبة الإجابة"),
        ("latency_p50", ms_number(summary.latency_p50), "الوسيط لزمن البحث (ملّي ثانية)"),
        ("latency_p95", ms_number(summary.latency_p95), "زمن 95٪ من الأسئلة أو أقل (ملّي ثانية)"),
        ("users", str(summary.users), "المستخدمون (تيليجرام)"),
        ("feedback_up", str(summary.feedback_up), "تقييمات إيجابية"),
        ("feedback_down", str(summary.feedback_down), "تقييمات سلبية"),
    ]
    items = "".join(
        f'<div class="card"><div class="value" data-figure="{name}">{escape(value)}</div>'
        f'<div class="label">{escape(label)}</div></div>'
        for name, value, label in cards
    )
    return f'<section class="cards">{items}</section>'


def _legend() -> str:
    return (
        '<div class="legend">'
        f'<span><span class="swatch" style="background:{ANSWERED_COLOUR}"></span>أُجيب عنها</span>'
        f'<span><span class="swatch" style="background:{UNANSWERED_COLOUR}"></span>بلا إجابة</span>'
        "</div>"
    )


def _nice_scale(largest: int) -> tuple[int, int]:
    """A round top for the y axis and its tick step (1, 2 or 5 times a power of ten)."""
    if largest <= 0:
        return 1, 1
    rough = largest / 4
    power = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    return math.ceil(largest / step) * step, step


def _every_day(days: tuple[DayCount, ...]) -> list[DayCount]:
    """The days from the first to the last, with the days without questions as zeros."""
    known = {d.day: d for d in days}
    first, last = date.fromisoformat(days[0].day), date.fromisoformat(days[-1].day)
    filled = []
    for offset in range((last - first).days + 1):
        day = (first + timedelta(days=offset)).isoformat()
        filled.append(known.get(day, DayCount(day, 0, 0)))
    return filled


def _days_chart(days: tuple[DayCount, ...]) -> str:
    if not days:
        return ""
    days_filled = _every_day(days)
    width, height = 1000, 280
    left, right, top, bottom = 48, 12, 12, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    scale_top, step = _nice_scale(max(d.total for d in days_filled))
    slot = plot_w / len(days_filled)
    bar = min(max(slot * 0.75, 1), 48)  # a few days must not make slabs
    parts = [_y_axis(scale_top, step, left, top, plot_w, plot_h)]
    # at most ~12 date labels, so they never overlap
    label_every = math.ceil(len(days_filled) / 12)
    for i, day in enumerate(days_filled):
        x = left + i * slot + (slot - bar) / 2
        answered_h = plot_h * day.answered / scale_top
        unanswered_h = plot_h * (day.total - day.answered) / scale_top
        base = top + plot_h
        tip = f"{day.day}: {day.total} سؤالاً، أُجيب عن {day.answered}"
        parts.append(
            f'<g class="day" data-day="{day.day}" data-total="{day.total}" '
            f'data-answered="{day.answered}"><title>{escape(tip)}</title>'
            f'<rect x="{x:.1f}" y="{base - answered_h:.1f}" width="{bar:.1f}" '
            f'height="{answered_h:.1f}" fill="{ANSWERED_COLOUR}"/>'
            f'<rect x="{x:.1f}" y="{base - answered_h - unanswered_h:.1f}" width="{bar:.1f}" '
            f'height="{unanswered_h:.1f}" fill="{UNANSWERED_COLOUR}"/></g>'
        )
        if i % label_every == 0:
            label = day.day[5:] if len(days_filled) > 1 else day.day
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base + 18}" text-anchor="middle">{label}</text>'
            )
    if len(days_filled) > 1:
        parts.append(
            f'<text x="{left}" y="{height - 6}">{days_filled[0].day[:4]}</text>'
            if days_filled[0].day[:4] == days_filled[-1].day[:4]
            else f'<text x="{left}" y="{height - 6}">'
            f"{days_filled[0].day[:4]}–{days_filled[-1].day[:4]}</text>"
        )
    return _svg(width, height, "الأسئلة في اليوم", parts)


def _y_axis(scale_top: int, step: int, left: int, top: int, plot_w: int, plot_h: int) -> str:
    lines = []
    for value in range(0, scale_top + 1, step):
        y = top + plot_h - plot_h * value / scale_top
        lines.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#e4e7eb"/>'
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{value}</text>'
        )
    return "".join(lines)


def _svg(width: int, height: int, label: str, parts: list[str]) -> str:
    # charts read left to right (time, milliseconds) even on a right-to-left page
    return (
        f'<figure dir="ltr"><svg viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
        + "".join(parts)
        + "</svg></figure>"
    )


def _answered_block(summary: Summary) -> str:
    """A ring of answered vs unanswered, and the same split for each channel."""
    share = summary.answered / summary.total
    radius, stroke = 70, 28
    circumference = 2 * math.pi * radius
    ring = _svg(
        200,
        200,
        "أُجيب عنها مقابل بلا إجابة",
        [
            f'<circle cx="100" cy="100" r="{radius}" fill="none" stroke="{UNANSWERED_COLOUR}" '
            f'stroke-width="{stroke}" data-share="unanswered" data-count="{summary.unanswered}"/>',
            f'<circle cx="100" cy="100" r="{radius}" fill="none" stroke="{ANSWERED_COLOUR}" '
            f'stroke-width="{stroke}" stroke-dasharray="{circumference * share:.2f} '
            f'{circumference:.2f}" transform="rotate(-90 100 100)" data-share="answered" '
            f'data-count="{summary.answered}"/>',
            f'<text x="100" y="108" text-anchor="middle" style="font-size:26px;fill:#1f2933">'
            f"{round(100 * share)}%</text>",
        ],
    )
    rows = "".join(
        f"<tr><td>{escape(channel_name(c.channel))}</td>"
        f'<td class="number" data-channel="{escape(c.channel)}">{c.total}</td>'
        f'<td class="number">{c.answered}</td>'
        f'<td class="number">{percent(c.answered, c.total)}</td></tr>'
        for c in summary.by_channel
    )
    table = (
        '<table><thead><tr><th>القناة</th><th class="number">الأسئلة</th>'
        '<th class="number">أُجيب عنها</th><th class="number">النسبة</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    return f'<div class="row"><div>{ring}{_legend()}</div><div style="flex:1">{table}</div></div>'


def _bucket_label(bucket: LatencyBucket) -> str:
    if bucket.high_ms is None:
        return f"≥{bucket.low_ms:g}"
    if not bucket.low_ms:
        return f"<{bucket.high_ms:g}"
    return f"{bucket.low_ms:g}–{bucket.high_ms:g}"


def _latency_chart(buckets: tuple[LatencyBucket, ...]) -> str:
    if not buckets:
        return ""
    width, height = 1000, 240
    left, right, top, bottom = 48, 12, 20, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    scale_top, step = _nice_scale(max(b.count for b in buckets))
    slot = plot_w / len(buckets)
    bar = min(slot * 0.7, 72)
    parts = [_y_axis(scale_top, step, left, top, plot_w, plot_h)]
    for i, bucket in enumerate(buckets):
        x = left + i * slot + (slot - bar) / 2
        h = plot_h * bucket.count / scale_top
        label = _bucket_label(bucket)
        parts.append(
            f'<g class="latency" data-bucket="{escape(label)}" data-count="{bucket.count}">'
            f"<title>{escape(label)} ms: {bucket.count}</title>"
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{LATENCY_COLOUR}"/></g>'
            # left to right: in the page's right-to-left "<10" would show its "<" mirrored
            f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
            f'direction="ltr">{escape(label)}</text>'
        )
        if bucket.count:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_h - h - 4:.1f}" '
                f'text-anchor="middle">{bucket.count}</text>'
            )
    parts.append(f'<text x="{width - right}" y="{height - 6}" text-anchor="end">ms</text>')
    return _svg(width, height, "توزيع زمن البحث", parts)


def _questions_table(questions: tuple[QuestionCount, ...], with_answered: bool) -> str:
    if not questions:
        return '<p class="empty">لا شيء.</p>'
    head = '<th class="number">#</th><th>السؤال</th><th class="number">المرات</th>'
    if with_answered:
        head += '<th class="number">أُجيب</th>'
    rows = []
    for number, question in enumerate(questions, 1):
        cells = (
            f'<td class="number">{number}</td><td dir="auto">{bdi_runs(question.query)}</td>'
            f'<td class="number" data-count="{question.count}">{question.count}</td>'
        )
        if with_answered:
            cells += f'<td class="number">{question.answered}</td>'
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
