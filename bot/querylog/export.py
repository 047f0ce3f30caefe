"""`logs export`: every row as CSV or JSON lines, in blocks formatted on every core.

Turning a row into Python objects and a CSV line costs about 10 µs, which is 100k rows a
second on one core: a big export is cut into blocks of consecutive rows (by timestamp and id,
the export's order) that worker processes read and format, and this process writes them out in
order as they come back, a few blocks ahead at most (memory stays bounded, whatever the size).
A small export is formatted here, block by block, the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
import signal
import sqlite3
from collections import deque
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.pool import Pool
from pathlib import Path
from typing import BinaryIO

import aiosqlite
import orjson

from bot.querylog.periods import Period, all_of

TABLES = ("queries", "feedback")
BLOCK_ROWS = 20_000
PARALLEL_ROWS = 200_000  # from this many rows on, worker processes format (they take ~1 s to start)
MAX_WORKERS = 4
FORMATS = ("csv", "jsonl")
BOM = "\ufeff".encode()  # lets spreadsheet programs recognise UTF-8 (Arabic stays Arabic)

# A position in the export's order: (timestamp, id) of a row; the first block may start at a
# bare time instead (``--since``).
Key = tuple[str, int]


@dataclass(frozen=True)
class Block:
    """Rows ``low <= (timestamp, id) < high`` of ``table`` within the period (None: open)."""

    path: str
    table: str
    columns: tuple[str, ...]
    period: Period
    low: Key | None
    high: Key | None
    format: str


def _where(block: Block) -> tuple[str, list]:
    clauses, params = block.period.where()
    for key, op in ((block.low, ">="), (block.high, "<")):
        if key is not None:
            clauses.append(f"(timestamp, id) {op} (?, ?)")
            params.extend(key)
    return all_of(clauses), params


def format_block(block: Block) -> bytes:
    """The block's rows as UTF-8 CSV lines (\\r\\n) or JSON lines; runs in a worker process."""
    where, params = _where(block)
    names = ", ".join(block.columns)
    out = io.StringIO()
    lines = []
    with closing(sqlite3.connect(block.path, timeout=5)) as db:
        cursor = db.execute(
            f"SELECT {names} FROM {block.table} INDEXED BY {block.table}_timestamp "
            f"WHERE {where} ORDER BY timestamp, id",
            params,
        )
        writer = csv.writer(out)
        while rows := cursor.fetchmany(1000):
            if block.format == "jsonl":
                lines.extend(
                    orjson.dumps(dict(zip(block.columns, row, strict=True))) for row in rows
                )
            else:
                writer.writerows(rows)
    if block.format == "jsonl":
        return b"".join(line + b"\n" for line in lines)
    return out.getvalue().encode()


async def columns(db: aiosqlite.Connection, table: str) -> tuple[str, ...]:
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    async with db.execute(f"PRAGMA table_info({table})") as cursor:
        return tuple(row[1] for row in await cursor.fetchall())


async def _blocks(
    db: aiosqlite.Connection, path: Path, table: str, period: Period, fmt: str
) -> AsyncIterator[Block]:
    names = await columns(db, table)
    low: Key | None = None
    while True:
        block = Block(str(path), table, names, period, low, None, fmt)
        where, params = _where(block)
        async with db.execute(
            f"SELECT timestamp, id FROM {table} INDEXED BY {table}_timestamp WHERE {where} "
            "ORDER BY timestamp, id LIMIT 1 OFFSET ?",
            [*params, BLOCK_ROWS],
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:  # the last block: open-ended, so rows logged meanwhile are in it too
            yield block
            return
        high = (row[0], row[1])
        yield Block(str(path), table, names, period, low, high, fmt)
        low = high


def _quiet_worker() -> None:
    # Ctrl-C is for the parent, which stops the workers: no traceback from each of them
    signal.signal(signal.SIGINT, signal.SIG_IGN)


async def export(
    db: aiosqlite.Connection,
    path: Path,
    table: str,
    period: Period,
    fmt: str,
    out: BinaryIO,
    bom: bool = False,
) -> int:
    """Write every column of every row of ``table`` in ``period`` to ``out``, oldest first;
    returns the number of blocks."""
    names = await columns(db, table)
    if fmt == "csv":
        header = io.StringIO()
        csv.writer(header).writerow(names)
        out.write((BOM if bom else b"") + header.getvalue().encode())
    where, params = period.where()
    async with db.execute(f"SELECT COUNT(*) FROM {table} WHERE {all_of(where)}", params) as c:
        (rows,) = await c.fetchone()
    blocks = 0
    if rows < PARALLEL_ROWS:
        async for block in _blocks(db, path, table, period, fmt):
            out.write(await asyncio.to_thread(format_block, block))
            blocks += 1
        return blocks
    workers = max(1, min(os.cpu_count() or 1, MAX_WORKERS))
    loop = asyncio.get_running_loop()
    # spawn: a clean interpreter (no copy of this one's threads); the workers start while
    # the first block is formatted here
    pool = get_context("spawn").Pool(workers, initializer=_quiet_worker)
    try:
        pending: deque[asyncio.Future[bytes]] = deque()
        async for block in _blocks(db, path, table, period, fmt):
            if blocks:
                pending.append(_in_pool(pool, block, loop))
            else:
                pending.append(asyncio.ensure_future(asyncio.to_thread(format_block, block)))
            blocks += 1
            if len(pending) > 2 * workers:
                out.write(await pending.popleft())
        while pending:
            out.write(await pending.popleft())
        pool.close()
    finally:
        # done, or the reader went away (a broken pipe), or Ctrl-C: nothing left to wait for
        pool.terminate()
        pool.join()
    return blocks


def _in_pool(pool: Pool, block: Block, loop: asyncio.AbstractEventLoop) -> asyncio.Future[bytes]:
    """The block formatted by a worker, as a future of this event loop."""
    future: asyncio.Future[bytes] = loop.create_future()

    def settle(outcome: bytes | BaseException) -> None:
        if future.done():  # cancelled meanwhile
            return
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)

    def handed_back(outcome: bytes | BaseException) -> None:  # in the pool's result thread
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
            loop.call_soon_threadsafe(settle, outcome)

    pool.apply_async(format_block, (block,), callback=handed_back, error_callback=handed_back)
    return future
