"""Shared fixtures: the bundled seeds, ../shared (skipped when absent), small corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import ARCD_TRAIN, SEEDS


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def arcd_train() -> Path:
    if not ARCD_TRAIN.is_file():
        pytest.skip(f"needs ../shared beside the clone ({ARCD_TRAIN} is absent)")
    return ARCD_TRAIN


@pytest.fixture(scope="session")
def seeds_retriever():
    from retrieval import Retriever

    return Retriever.from_path(SEEDS)


@pytest.fixture(autouse=True)
def _data_dir_outside_the_clone(tmp_path_factory, monkeypatch):
    """Every test writes its data (query log, salt, history, index) under a temporary folder."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("MARJAA_DATA_DIR", str(data))
    monkeypatch.delenv("MARJAA_DB", raising=False)
    return data


@pytest.fixture
async def api():
    """The fake Telegram Bot API server (tools/fake_bot_api.py), accepting the tests' token."""
    from tools.bot_harness import TOKEN
    from tools.fake_bot_api import FakeBotApi

    server = FakeBotApi(token=TOKEN)
    await server.start()
    yield server
    await server.stop()
