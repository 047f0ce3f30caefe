"""A corpus changing or disappearing while the bot runs: the bot keeps its index and warns."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path

from bot.telegram.corpus_watch import CorpusWatch
from retrieval import RetrievalConfig, corpus_fingerprint, open_retriever
from tests.support.harness import USER, shown, start_bot, stop_bot, write_corpus
from tests.support.paths import ROOT

QUESTION = "ما سر نكهة الزعفران في القهوة؟"


def test_watch_reports_each_new_state_once(caplog):
    states = iter(["a", "a", "b", "b", "a"])
    watch = CorpusWatch("corpus/", lambda: next(states))  # baseline "a"
    with caplog.at_level(logging.INFO, logger="bot.corpus_watch"):
        assert [watch.check() for _ in range(4)] == [None, "changed", "changed", None]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "marjaa index" in warnings[0].getMessage()


async def test_bot_keeps_answering_from_its_index_when_the_corpus_changes_or_goes(
    tmp_path: Path, api, caplog
):
    (tmp_path / "corpus").mkdir()
    corpus = write_corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    config = RetrievalConfig()
    retriever = open_retriever(corpus, data, config)
    watch = CorpusWatch(str(corpus), lambda: corpus_fingerprint(corpus), interval=0.05)
    bot = await start_bot(api, retriever, watch=watch)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.corpus_watch"):
            corpus.write_text('{"text": "نص جديد تماما عن الزراعة."}\n', encoding="utf-8")
            await wait_for_warning(caplog, "is changed")
            assert "الزعفران" in shown(await bot.ask(QUESTION))  # the index it had
            corpus.unlink()
            await wait_for_warning(caplog, "is gone")
            assert "الزعفران" in shown(await bot.ask(QUESTION, user_id=USER + 1))
    finally:
        await stop_bot(bot)
    # `marjaa index` then rebuilds from the corpus as it is now
    corpus.write_text('{"text": "نص جديد تماما عن الزراعة."}\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "index", "--corpus", str(corpus)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "MARJAA_DATA_DIR": str(data)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "up to date" not in done.stdout + done.stderr
    rebuilt = open_retriever(corpus, data, config)
    assert len(rebuilt.passages) == 1


async def wait_for_warning(caplog, text: str) -> None:
    for _ in range(200):
        if any(text in r.getMessage() for r in caplog.records):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no warning containing {text!r}")
