"""`marjaa index`, and the saved index every command opens: progress bar and warnings."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from bot.cli.options import add_corpus_options
from bot.cli.output import stderr_console, stdout_console, warner
from bot.errors import UserError
from bot.settings import Settings
from retrieval import (
    IndexDamaged,
    IndexLocation,
    Retriever,
    SavedIndex,
    locate,
    open_retriever,
    optimize_index,
    prune_indexes,
    read_manifest,
    remove_interrupted_builds,
    save_index,
    saved_indexes,
)

STAGES = {
    "index": "building the BM25 index",
    "save": "writing and checking the index files",
}


class BuildProgress:
    """A progress bar on stderr, shown only once a build reports (a fresh index is silent)."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._progress: Progress | None = None
        self._files: TaskID | None = None
        self._stage: TaskID | None = None

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self._progress is None:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._progress.start()
            self._files = self._progress.add_task("reading files", total=None)
        progress = self._progress
        assert self._files is not None
        if stage == "read":
            progress.update(self._files, completed=done, total=total)
        elif stage == "passages":
            progress.update(self._files, description=f"reading files ({done:,} passages)")
        else:
            if self._stage is not None:
                progress.update(self._stage, completed=1, total=1)
            self._stage = progress.add_task(STAGES.get(stage, stage), total=None)

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()


def open_index(corpus: Path, settings: Settings, engine: str | None = None) -> Retriever:
    """The retriever of every command: the saved index, (re)built with a progress bar."""
    err = stderr_console()
    config = settings.retrieval_config(engine)
    with BuildProgress(err) as progress:
        return open_retriever(corpus, settings.data_dir, config, warner(err), progress)


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register `marjaa index`."""
    index = commands.add_parser("index", help="build and save the index of a corpus")
    add_corpus_options(index)
    what = index.add_mutually_exclusive_group()
    what.add_argument(
        "--rebuild",
        action="store_true",
        help="build from scratch, even when up to date or when an update would do",
    )
    what.add_argument(
        "--optimize",
        action="store_true",
        help="merge the saved index's segments into one (after many updates)",
    )
    what.add_argument(
        "--list",
        action="store_true",
        help="list the saved indexes of every corpus: size, built at, in use, current or stale",
    )
    what.add_argument(
        "--prune",
        action="store_true",
        help="remove saved indexes that are stale (corpus changed or gone) or damaged",
    )


def _size(folder: Path) -> str:
    return _megabytes(sum(p.stat().st_size for p in folder.iterdir() if p.is_file()))


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def _saved_line(saved: SavedIndex) -> str:
    status = f"{saved.status}, in use" if saved.in_use else saved.status
    passages = f"{saved.passages:,}" if saved.passages is not None else "-"
    where = f"{saved.folder.parent.name}/{saved.folder.name}"
    return (
        f"{status:<24} {_megabytes(saved.size):>10}  {saved.built_at or '-':<24}  "
        f"{passages:>9}  {saved.engine or '-':<9}  {saved.corpus}  ({where})"
    )


def list_saved(settings: Settings, engine: str | None) -> int:
    """`marjaa index --list`: one line per saved index, then where they are and the total."""
    out = stdout_console()
    found = saved_indexes(settings.data_dir, settings.retrieval_config(engine))
    if not found:
        out.print(f"no saved index under {settings.data_dir / 'index'}", soft_wrap=True)
        return 0
    header = (
        f"{'status':<24} {'size':>10}  {'built at':<24}  {'passages':>9}  {'engine':<9}  corpus"
    )
    out.print(header, soft_wrap=True)
    for saved in found:
        out.print(_saved_line(saved), soft_wrap=True, markup=False)
    total = sum(saved.size for saved in found)
    prunable = [saved for saved in found if saved.prunable]
    summary = f"{len(found)} saved index{'es' if len(found) != 1 else ''}, {_megabytes(total)}"
    if prunable:
        freed = _megabytes(sum(saved.size for saved in prunable))
        summary += f"; `marjaa index --prune` would remove {len(prunable)} ({freed})"
    out.print(summary, soft_wrap=True)
    return 0


def prune_saved(settings: Settings, engine: str | None) -> int:
    """`marjaa index --prune`: remove stale and damaged indexes (never one in use)."""
    out = stdout_console()
    removed = prune_indexes(settings.data_dir, settings.retrieval_config(engine))
    for saved in removed:
        line = f"removed {saved.status} {saved.folder} ({_megabytes(saved.size)})"
        out.print(line, soft_wrap=True, markup=False)
    freed = _megabytes(sum(saved.size for saved in removed))
    plural = "es" if len(removed) != 1 else ""
    out.print(f"pruned {len(removed)} saved index{plural}, {freed} freed")
    return 0


def optimize_saved(location: IndexLocation, out: Console, err: Console) -> int:
    """`marjaa index --optimize`: one segment, no removed passages left behind."""
    started = time.perf_counter()
    done = optimize_index(location, warner(err))
    if done is None:
        raise UserError("no saved index of this corpus to optimize: run `marjaa index` first")
    before, after = done
    if before == after:
        out.print(f"already optimized: {before} segment, nothing removed to drop")
        return 0
    seconds = time.perf_counter() - started
    out.print(f"merged {before} segments into {after} in {seconds:.1f} s", soft_wrap=True)
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Build and save the index (unless the saved one is up to date); print a summary."""
    if args.list:
        return list_saved(settings, args.engine)
    if args.prune:
        return prune_saved(settings, args.engine)
    out = stdout_console()
    err = stderr_console()
    corpus = args.corpus or settings.corpus
    config = settings.retrieval_config(args.engine)
    location = locate(corpus, settings.data_dir, config)
    # even when this corpus is up to date: what killed builds left (of any corpus) goes
    remove_interrupted_builds(location.slot.parent, warner(err))
    if args.optimize:
        return optimize_saved(location, out, err)
    if location.folder.exists() and not args.rebuild:
        try:
            manifest = read_manifest(location)
        except IndexDamaged as exc:
            warner(err)(f"the saved index is damaged: {exc}; rebuilding it")
        else:
            out.print(
                f"up to date: {manifest['passages']:,} passages, engine {manifest['engine']}, "
                f"{_size(location.folder)} in {location.folder}",
                soft_wrap=True,
            )
            return 0
    started = time.perf_counter()
    try:
        with BuildProgress(err) as progress:
            built = save_index(
                location, corpus, config, warner(err), progress, rebuild=args.rebuild
            )
    except OSError as exc:
        raise UserError(
            f"cannot write the index under {settings.data_dir}: {exc.strerror or exc}"
        ) from None
    seconds = time.perf_counter() - started
    if built.changes is not None:
        changes = built.changes
        out.print(
            f"updated in {seconds:.1f} s: {len(changes.added)} file(s) added, "
            f"{len(changes.changed)} changed, {len(changes.removed)} removed; now "
            f"{built.passages:,} passages of {built.documents:,} documents: "
            f"{_size(location.folder)} in {location.folder}",
            soft_wrap=True,
        )
        return 0
    out.print(
        f"indexed {built.passages:,} passages of {built.documents:,} documents "
        f"({len(built.corpus_files)} file{'' if len(built.corpus_files) == 1 else 's'}) "
        f"with {built.engine.name} in {seconds:.1f} s: "
        f"{_size(location.folder)} in {location.folder}",
        soft_wrap=True,
    )
    if built.warnings:
        out.print(f"{len(built.warnings)} warning(s), shown above")
    return 0
