"""A document added from Telegram: how long from the admin's message to the bot's «✅» reply,
for a few file sizes, on the bundled seeds and on a synthetic corpus of 100,000 passages.

The real Application (tools/bot_harness.py) against the fake Bot API in this process: the
file goes through getFile and the file URL, is inspected in a child process, kept in the
corpus's uploads/ and indexed by a full rebuild in the background (what uploads do until
retrieval has an incremental add), then swapped in. Times are read from the fake server's
calls; the build's own share from the bot's reload line.

Run: .venv/bin/python bench/upload_bench.py [--passages 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from scale import ARCD, corpus_for, machine  # noqa: E402
from synthetic import real_sentences  # noqa: E402

from bot.telegram.reload import IndexKeeper  # noqa: E402
from retrieval import RetrievalConfig  # noqa: E402
from tools.bot_harness import TOKEN, start_bot, stop_bot  # noqa: E402
from tools.fake_bot_api import FakeBotApi  # noqa: E402

ADMIN = 5550001
SIZES = (10_000, 1_000_000, 5_000_000)  # bytes of Arabic text
BUILT = re.compile(r"index reloaded \(document added\).* built in the background in ([\d.]+) s")


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def document(size: int, sentences: list[str], seed: int) -> bytes:
    rng = random.Random(seed)
    lines = [f"# تقرير رقم {seed}\n"]
    total = 0
    while total < size:
        paragraph = " ".join(rng.choice(sentences) for _ in range(3))
        lines.append(paragraph + "\n")
        total += len(paragraph.encode())
    return "\n".join(lines).encode()


async def measure(corpus: Path, label: str, sentences: list[str], lines: Lines) -> None:
    work = Path(tempfile.mkdtemp(prefix="marjaa-upload-"))
    folder = work / "corpus"
    folder.mkdir()
    for path in sorted(corpus.iterdir()):
        if path.is_file():
            os.link(path, folder / path.name)
    api = FakeBotApi(token=TOKEN)
    await api.start()
    keeper = IndexKeeper(folder, work / "data", RetrievalConfig())
    started = time.perf_counter()
    retriever = keeper.open_first()
    print(f"{label}: first index {time.perf_counter() - started:.1f} s", flush=True)
    bot = await start_bot(
        api, retriever, keeper=keeper, data_dir=work / "data",
        admin_user_ids=frozenset({ADMIN}), upload_max_mb=20.0,
    )  # fmt: skip
    try:
        for number, size in enumerate(SIZES):
            content = document(size, sentences, number)
            edits = len(api.called("editMessageText", ok=True))
            sent = time.monotonic()
            api.send_document(content, f"report-{number}.md", user_id=ADMIN)
            (done,) = (await api.wait_for("editMessageText", edits + 1, ok=True, timeout=3600))[
                edits:
            ]
            fetched = api.called("_download")[-1].at
            built = [float(m[1]) for line in lines.messages if (m := BUILT.search(line))]
            text = done.params["_result"]["text"]
            passages = re.search(r"(\d+) فقرة", text)
            print(
                f"  {len(content) / 1e6:6.2f} MB, {passages[1] if passages else '?':>5} "
                f"passages: reply after {done.at - sent:6.1f} s (downloaded after "
                f"{fetched - sent:4.2f} s; background build {built[-1] if built else 0:5.1f} s)"
                f"  {'ok' if text.startswith('✅') else text[:60]}",
                flush=True,
            )
    finally:
        await stop_bot(bot)
        await api.stop()
        shutil.rmtree(work, ignore_errors=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    args = parser.parse_args()
    print(machine(), flush=True)
    lines = Lines()
    logging.getLogger("marjaa.reload").addHandler(lines)
    logging.getLogger("marjaa.reload").setLevel(logging.INFO)
    sentences = real_sentences(ARCD, ROOT / "seeds")
    await measure(ROOT / "seeds", "seeds (54 passages)", sentences, lines)
    await measure(corpus_for(args.passages), f"{args.passages:,} passages", sentences, lines)


if __name__ == "__main__":
    asyncio.run(main())
