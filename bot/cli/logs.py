"""`marjaa logs`: review the query log — summary, list, export, report, prune, backup."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from bot.errors import UserError
from bot.querylog.backup import BackupError, backup
from bot.querylog.export import FORMATS, export
from bot.querylog.periods import WHEN_HELP, PeriodError, parse_age, parse_when
from bot.querylog.privacy import SALT_FILE
from bot.querylog.prune import prunable, prune, vacuum
from bot.querylog.report import render_report
from bot.querylog.review import TABLES, LogReader, NoLogError, Period, Summary
from bot.querylog.schema import SchemaError
from bot.querylog.stats import channel_name, milliseconds, percent
from bot.querylog.writer import iso_utc
from bot.settings import Settings

DAYS_SHOWN = 31  # the per-day table of `summary` shows the latest days only


def _argument(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a parser of periods: its error becomes argparse's."""

    def read(text: str) -> Any:
        try:
            return parse(text)
        except PeriodError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return read


def _end_of(text: str) -> datetime:
    return parse_when(text, end_of_day=True)


def _limit(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``marjaa logs ACTION`` on the main command's subparsers."""
    logs = commands.add_parser(
        "logs", help="review the query log: summary, list, export, report, prune, backup"
    )
    actions = logs.add_subparsers(dest="logs_command", metavar="ACTION", parser_class=type(logs))
    actions.required = True

    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="the query log (default: MARJAA_DB, else $MARJAA_DATA_DIR/queries.sqlite3)",
    )
    when = argparse.ArgumentParser(add_help=False)
    when.add_argument(
        "--since", type=_argument(parse_when), metavar="WHEN", help=f"from ({WHEN_HELP})"
    )
    when.add_argument(
        "--until", type=_argument(_end_of), metavar="WHEN", help="up to (a date: its end)"
    )

    summary = actions.add_parser("summary", parents=[where, when], help="figures of the log")
    summary.add_argument("--json", action="store_true", help="print one JSON object")
    summary.add_argument("--top", type=_limit, default=10, metavar="N", help="top questions")

    listing = actions.add_parser(
        "list", parents=[where, when], help="logged questions, newest first"
    )
    listing.add_argument("--unanswered", action="store_true", help="only unanswered questions")
    listing.add_argument("--channel", help="only this channel: telegram, console or cli")
    listing.add_argument("--limit", type=_limit, default=50, metavar="N", help="at most N rows")

    export = actions.add_parser("export", parents=[where, when], help="every field, CSV or JSONL")
    export.add_argument("--format", choices=FORMATS, default="csv", help="default: csv")
    export.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")
    export.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 BOM (Excel)")
    export.add_argument("--table", choices=TABLES, default="queries", help="questions or ratings")

    report = actions.add_parser("report", parents=[where, when], help="one HTML page with charts")
    report.add_argument("--out", type=Path, required=True, metavar="FILE", help="report.html")
    report.add_argument("--top", type=_limit, default=20, metavar="N", help="top questions")

    prune = actions.add_parser(
        "prune",
        parents=[where],
        help="delete old questions and their ratings (in short batches: safe while the bot runs)",
    )
    prune.add_argument(
        "--older-than", type=_argument(parse_age), required=True, metavar="AGE", help="e.g. 90d"
    )
    prune.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    prune.add_argument(
        "-y", "--yes", action="store_true", help="do not ask for confirmation in a terminal"
    )
    prune.add_argument(
        "--vacuum",
        action="store_true",
        help="then rewrite the file to give the space back (locks the log while it runs)",
    )

    copy = actions.add_parser(
        "backup",
        parents=[where],
        help="a consistent copy of the log, safe while the bot writes (VACUUM INTO)",
    )
    copy.add_argument("file", type=Path, metavar="FILE", help="the copy to write (a new file)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    path = args.db or settings.db
    if args.logs_command == "backup":  # the one action that also needs the data folder
        return _run(backup_action(args, path, settings.data_dir / SALT_FILE))
    action = ACTIONS[args.logs_command]
    return _run(action(args, path))


def _run(action: Coroutine[Any, Any, int]) -> int:
    try:
        return asyncio.run(action)
    except (NoLogError, SchemaError) as exc:
        raise UserError(str(exc)) from None
    except sqlite3.Error as exc:
        raise UserError(f"cannot read the query log: {exc}") from None
    except BrokenPipeError:
        raise  # `marjaa logs export | head`: not an error (main() handles it)
    except OSError as exc:
        raise UserError(f"{exc.strerror or exc}: {exc.filename}") from None


def _period(args: argparse.Namespace) -> Period:
    return Period(args.since, args.until)


async def summary_action(args: argparse.Namespace, path: Path) -> int:
    async with LogReader.open(path) as reader:
        summary = await reader.summary(_period(args), args.top)
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_summary(summary, path, Console(highlight=False))
    return 0


def print_summary(summary: Summary, path: Path, console: Console) -> None:
    console.print(Text(f"Query log {path}", style="bold"))
    totals = Table(show_header=False, box=None)
    for label, value in (
        ("questions", str(summary.total)),
        ("answered", f"{summary.answered} ({percent(summary.answered, summary.total)})"),
        ("unanswered", str(summary.unanswered)),
        ("users", str(summary.users)),
        ("latency p50", milliseconds(summary.latency_p50, "ms", "-")),
        ("latency p95", milliseconds(summary.latency_p95, "ms", "-")),
        ("feedback", f"👍 {summary.feedback_up}  👎 {summary.feedback_down}"),
        ("first", summary.first or "-"),
        ("last", summary.last or "-"),
    ):
        totals.add_row(label, value)
    console.print(totals)
    if not summary.total:
        return
    channels = Table("channel", "questions", "answered", "rate", title="per channel")
    for c in summary.by_channel:
        channels.add_row(
            f"{c.channel} ({channel_name(c.channel)})",
            str(c.total),
            str(c.answered),
            percent(c.answered, c.total),
        )
    console.print(channels)
    days = Table("day (UTC)", "questions", "answered", "rate", title="per day")
    for d in summary.by_day[-DAYS_SHOWN:]:
        days.add_row(d.day, str(d.total), str(d.answered), percent(d.answered, d.total))
    if len(summary.by_day) > DAYS_SHOWN:
        days.caption = f"latest {DAYS_SHOWN} of {len(summary.by_day)} days (see --since)"
    console.print(days)
    for title, questions in (
        ("top questions", summary.top_queries),
        ("top unanswered questions", summary.top_unanswered),
    ):
        table = Table("times", "answered", "question", title=title)
        for q in questions:
            table.add_row(str(q.count), str(q.answered), Text(q.query, justify="right"))
        console.print(table)


async def list_action(args: argparse.Namespace, path: Path) -> int:
    async with LogReader.open(path) as reader:
        rows = await reader.questions(
            _period(args), unanswered=args.unanswered, channel=args.channel, limit=args.limit
        )
    table = Table(
        Column("time (UTC)", no_wrap=True),
        Column("channel", no_wrap=True),
        Column("ok", no_wrap=True),
        Column("top result", no_wrap=True, max_width=24),
        Column("ms", justify="right", no_wrap=True),
        Column("question", ratio=1),
    )
    for row in rows:
        top = f"{row['top_doc_id']} ¶{row['top_paragraph']}" if row["top_doc_id"] else "-"
        table.add_row(
            row["timestamp"][:19].replace("T", " "),
            row["channel"] + (f"/{row['chat_type']}" if row["chat_type"] else ""),
            "✓" if row["answered"] else "✗",
            top,
            f"{row['latency_ms']:.0f}",
            Text(row["query"], justify="right"),
        )
    console = Console(highlight=False)
    console.print(table)
    if not rows:
        console.print("no questions match")
    return 0


async def export_action(args: argparse.Namespace, path: Path) -> int:
    async with LogReader.open(path) as reader:
        if args.out is None:
            await export(
                reader.db, path, args.table, _period(args), args.format, sys.stdout.buffer, args.bom
            )
            sys.stdout.buffer.flush()
        else:
            # the questions are personal data: a new export file is its owner's only, like the log
            fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(fd, "wb") as out:
                await export(reader.db, path, args.table, _period(args), args.format, out, args.bom)
    return 0


async def report_action(args: argparse.Namespace, path: Path) -> int:
    async with LogReader.open(path) as reader:
        summary = await reader.summary(_period(args), args.top)
    page = render_report(summary, source=str(path), generated=iso_utc(datetime.now(UTC)))
    args.out.write_text(page, encoding="utf-8")
    print(f"wrote {args.out} ({summary.total} questions)")
    return 0


async def prune_action(args: argparse.Namespace, path: Path) -> int:
    cutoff = iso_utc(datetime.now(UTC) - args.older_than)
    size = _size(path)
    async with LogReader.open(path) as reader:
        found = await prunable(reader.db, cutoff)
        what = f"{found.questions} questions and {found.ratings} ratings older than {cutoff}"
        if args.dry_run:
            print(f"would delete {what} from {path} (--dry-run: nothing deleted)")
            return 0
        if not found.questions and not found.ratings and not args.vacuum:
            print(f"nothing to delete: no questions or ratings older than {cutoff} in {path}")
            return 0
        ask = (found.questions or found.ratings) and not args.yes and sys.stdin.isatty()
        if ask and not _confirm(f"Delete {what} from {path}? This cannot be undone. [y/N] "):
            print("nothing deleted")
            return 1
        done = await prune(reader.db, cutoff)
        if args.vacuum:
            await vacuum(reader.db)
    free = ""
    if done.free_bytes and not args.vacuum:
        free = (
            f", {done.free_bytes / 1e6:.2f} MB of it free space that new questions reuse "
            "(--vacuum gives it back to the disk)"
        )
    print(
        f"deleted {done.questions} questions and {done.ratings} ratings older than {cutoff} "
        f"in {done.transactions} transactions (the longest {done.longest_transaction:.2f} s); "
        f"{path}: {size / 1e6:.2f} MB -> {_size(path) / 1e6:.2f} MB{free}"
    )
    return 0


def _confirm(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


async def backup_action(args: argparse.Namespace, path: Path, salt: Path) -> int:
    async with LogReader.open(path) as reader:
        try:
            done = await backup(reader.db, args.file)
        except BackupError as exc:
            raise UserError(str(exc)) from None
    print(
        f"wrote {done.path}: {done.questions} questions and {done.ratings} ratings, "
        f"{done.size / 1e6:.2f} MB (a consistent copy; the bot may go on writing meanwhile)"
    )
    if salt.is_file():
        print(f"the user keys' salt is in {salt}: back it up too, once (it does not change)")
    return 0


ACTIONS = {
    "summary": summary_action,
    "list": list_action,
    "export": export_action,
    "report": report_action,
    "prune": prune_action,
}
