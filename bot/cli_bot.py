"""`marjaa bot`: run the Telegram bot by long polling or behind a webhook."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit

from bot.config import ConfigError, Settings
from bot.corpus_watch import CorpusWatch
from bot.errors import UserError
from bot.events import EventSink, NullSink
from bot.index_command import retrieval_config
from bot.options import add_corpus_options, add_no_log
from bot.querylog import query_log_for
from retrieval.readers import CorpusError
from retrieval.search import Retriever
from retrieval.store import corpus_id, open_retriever

log = logging.getLogger("marjaa.bot")

NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in .env "
    "(see .env.example)"
)
TOKEN_REJECTED = "Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather"
# What Telegram accepts as a webhook secret token.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _secret_token(value: str) -> str:
    if not _SECRET_TOKEN.fullmatch(value):
        raise argparse.ArgumentTypeError("1-256 characters from A-Z, a-z, 0-9, _ and -")
    return value


def _webhook_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"not a web address: {value!r}")
    return value


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}")
    return int(value)


def add_bot_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `marjaa bot` and its options (--corpus and --engine as every command)."""
    parser = commands.add_parser("bot", help="run the Telegram bot (long polling or webhook)")
    add_corpus_options(parser)
    add_no_log(parser)
    webhook = parser.add_argument_group("webhook mode (default: long polling)")
    webhook.add_argument(
        "--webhook-url",
        type=_webhook_url,
        metavar="URL",
        help="public HTTPS address Telegram posts updates to; its path is served locally",
    )
    webhook.add_argument("--listen", default="127.0.0.1", help="address to listen on")
    webhook.add_argument("--port", type=_port, default=8443, help="port to listen on")
    webhook.add_argument(
        "--secret-token",
        type=_secret_token,
        metavar="TOKEN",
        help="checked on every update Telegram posts (default: TELEGRAM_WEBHOOK_SECRET)",
    )
    return parser


class RedactingFormatter(logging.Formatter):
    """Formats records with every occurrence of the secrets replaced, tracebacks included."""

    def __init__(self, secrets: list[str], fmt: str) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    return text


class NetworkErrorsInOneLine(logging.Filter):
    """A network failure logged with its traceback becomes one line: message and error.

    python-telegram-bot logs some of its own polling failures with ``exception()`` (e.g. the
    last getUpdates at shutdown timing out): a traceback of httpx internals says no more than
    the error's text, and reads like a crash.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        from telegram.error import NetworkError

        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, NetworkError):
            record.msg, record.args = f"{record.getMessage()} ({error})", ()
            record.exc_info, record.exc_text = None, None
        return True


def configure_logging(secrets: list[str]) -> None:
    """INFO to stderr, secrets masked; httpx would log every request URL, token included."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(NetworkErrorsInOneLine())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _open_retriever(path: Path, settings: Settings, engine: str | None) -> Retriever:
    """The saved index (rebuilt first when the corpus or settings changed), as every command."""
    try:
        return open_retriever(
            path,
            settings.data_dir,
            retrieval_config(settings, engine),
            warn=lambda message: log.warning("corpus: %s", message),
        )
    except CorpusError as exc:
        raise UserError(str(exc)) from None  # reported by `marjaa` as one line, exit 1


def cmd_bot(args: argparse.Namespace, settings: Settings) -> int:
    """Run until SIGINT/SIGTERM (exit 0); a missing token is exit 2, a rejected one exit 1."""
    # Opt in to python-telegram-bot's coming timedelta durations now: otherwise its own
    # RetryAfter handling warns of the change on stderr at the first 429 from Telegram.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    # Imported here: python-telegram-bot takes most of a second to import, which every other
    # `marjaa` command would pay for at start.
    from telegram.error import InvalidToken, NetworkError

    from bot.telegram_app import ALLOWED_UPDATES, build_application

    token = settings.telegram_bot_token
    if not token:
        print(f"marjaa: error: {NO_TOKEN}", file=sys.stderr)
        return 2
    secret = args.secret_token or settings.telegram_webhook_secret or None
    if secret and not _SECRET_TOKEN.fullmatch(secret):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET: use 1-256 characters from A-Z, a-z, 0-9, _, -")
    secrets = [token, secret or ""]
    configure_logging(secrets)
    corpus = args.corpus or settings.corpus
    retriever = _open_retriever(corpus, settings, args.engine)
    watch = CorpusWatch(str(corpus), lambda: corpus_id(corpus))
    # Started with the Application (post_init) and flushed when it stops (post_shutdown).
    sink: EventSink = (
        NullSink() if args.no_log else query_log_for(settings, retriever, report=log.warning)
    )
    application = build_application(settings, retriever, sink, watch=watch)
    # getMe first, on the loop run_polling/run_webhook will go on with: a rejected token or an
    # unreachable Telegram is then one line here, not a traceback from the retry loop.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(application.initialize())
    except (InvalidToken, NetworkError) as exc:  # TimedOut is a NetworkError too
        with suppress(Exception):
            loop.run_until_complete(application.bot.shutdown())
        loop.close()
        if isinstance(exc, InvalidToken):
            print(f"marjaa: error: {TOKEN_REJECTED}", file=sys.stderr)
        else:
            where = redact(settings.telegram_api_base_url, secrets)
            why = redact(str(exc), secrets)
            print(f"marjaa: error: cannot reach Telegram at {where}: {why}", file=sys.stderr)
        return 1
    if args.webhook_url:
        application.run_webhook(
            listen=args.listen,
            port=args.port,
            url_path=urlsplit(args.webhook_url).path.lstrip("/"),
            webhook_url=args.webhook_url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0
