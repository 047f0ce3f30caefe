"""`marjaa bot` as a user runs it: a subprocess of the real command, talking HTTP to the fake
Bot API; helpers to start, kill, stop and read it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def bot_env(**settings: str) -> dict[str, str]:
    """The environment without any Telegram setting of the developer's, plus ``settings``."""
    ours = ("TELEGRAM_", "MARJAA_", "ADMIN_USER_IDS", "ALLOWED_CHAT_IDS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update({"PYTHONUNBUFFERED": "1", "NO_PROXY": "127.0.0.1,localhost", **settings})
    return env


async def start(corpus: Path, env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    # cwd is the corpus folder: no .env of the developer's is read.
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "bot", "--corpus", str(corpus), *args,
        cwd=corpus.parent, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


@contextlib.asynccontextmanager
async def running(corpus: Path, env: dict[str, str], *args: str) -> AsyncIterator:
    """The bot process, killed at the end if a failed test left it running."""
    process = await start(corpus, env, *args)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def stop(process: asyncio.subprocess.Process, sig: int) -> tuple[int, str]:
    process.send_signal(sig)
    return await finish(process)


async def finish(process: asyncio.subprocess.Process, timeout: float = 30) -> tuple[int, str]:
    """Exit status and everything written to stdout and stderr."""
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    return process.returncode or 0, (out + err).decode()


def assert_clean(output: str, *secrets: str) -> None:
    assert "Traceback" not in output
    for secret in secrets:
        assert secret not in output
        assert secret.split(":")[-1] not in output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def post_update(url: str, update: dict, secret: str | None) -> int:
    """POST an update as Telegram does (or a forger); retried while nothing listens yet."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.post(url, json=update, headers=headers) as response:
                    return response.status
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    raise AssertionError(f"nothing listens on {url}")


class BotProcess:
    """One `marjaa bot` that a test starts, kills and starts again; what it printed is kept
    (read as it comes, so that a long run never blocks on a full pipe)."""

    def __init__(self, corpus: Path, env: dict[str, str], *args: str) -> None:
        self.corpus, self.env, self.args = corpus, env, args
        self.process: asyncio.subprocess.Process | None = None
        self.output: list[bytes] = []
        self._readers: list[asyncio.Task] = []

    async def start(self) -> None:
        self.process = await start(self.corpus, self.env, *self.args)
        for stream in (self.process.stdout, self.process.stderr):
            assert stream is not None
            self._readers.append(asyncio.ensure_future(stream.read()))

    async def kill(self) -> None:
        """kill -9, as the out-of-memory killer or a power cut would."""
        assert self.process is not None
        self.process.kill()
        await self._ended()

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        return await asyncio.wait_for(self._ended(), timeout)

    async def _ended(self) -> int:
        assert self.process is not None
        code = await self.process.wait()
        self.output += [await reader for reader in self._readers]
        self._readers = []
        return code

    @property
    def exited(self) -> bool:
        return self.process is not None and self.process.returncode is not None

    @property
    def text(self) -> str:
        return b"".join(self.output).decode(errors="replace")

    async def close(self) -> None:
        if self.process is not None and self.process.returncode is None:
            await self.kill()
