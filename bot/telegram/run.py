"""Running the bot: its resources (index, query log, corpus watch), the check that Telegram
takes the token, then long polling or a webhook until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import sys
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.events import EventSink, NullSink
from bot.querylog import query_log_for
from bot.settings import ConfigError, Settings
from bot.telegram.corpus_watch import CorpusWatch
from bot.telegram.process_log import configure_logging, redact
from bot.telegram.reload import IndexKeeper
from retrieval import corpus_fingerprint

log = logging.getLogger("marjaa.bot")

NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in .env "
    "(see .env.example)"
)
TOKEN_REJECTED = "Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather"
# What Telegram accepts as a webhook secret token.
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts updates, and where this process listens for them."""

    url: str
    listen: str = "127.0.0.1"
    port: int = 8443
    secret_token: str | None = None


def run_bot(
    settings: Settings,
    corpus: Path,
    engine: str | None = None,
    log_queries: bool = True,
    webhook: Webhook | None = None,
) -> int:
    """Run until SIGINT/SIGTERM (exit 0); a missing token is exit 2, a rejected one exit 1."""
    # Opt in to python-telegram-bot's coming timedelta durations now: otherwise its own
    # RetryAfter handling warns of the change on stderr at the first 429 from Telegram.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    # Imported here: python-telegram-bot takes most of a second to import, which every other
    # `marjaa` command would pay for at start.
    from telegram.error import InvalidToken, NetworkError

    from bot.telegram.app import ALLOWED_UPDATES, build_application

    token = settings.telegram_bot_token
    if not token:
        print(f"marjaa: error: {NO_TOKEN}", file=sys.stderr)
        return 2
    secret = (webhook.secret_token if webhook else None) or settings.telegram_webhook_secret
    if secret and not SECRET_TOKEN.fullmatch(secret):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET: use 1-256 characters from A-Z, a-z, 0-9, _, -")
    generated = webhook is not None and not secret
    if generated:
        # Never a webhook without a secret: anyone who finds the address could post updates
        # (a forged admin id, say). Telegram gets this one with setWebhook at each start.
        secret = secrets.token_urlsafe(32)
    masked = [token, secret or ""]
    configure_logging(masked, settings.log_format)
    if generated:
        log.info(
            "webhook: TELEGRAM_WEBHOOK_SECRET is not set; using a new random secret for this "
            "run (Telegram sends it with every update; any other request gets 403)"
        )
    # The saved index (rebuilt first when the corpus or settings changed), as every command;
    # the keeper swaps in newer ones while the bot runs (bot/telegram/reload.py).
    keeper = IndexKeeper(corpus, settings.data_dir, settings.retrieval_config(engine))
    keeper.hold_sighup()
    retriever = keeper.open_first(warn=lambda message: log.warning("corpus: %s", message))
    keeper.uploads.clear_incoming()
    watch = CorpusWatch(
        str(corpus),
        lambda: corpus_fingerprint(corpus),
        baseline=lambda: keeper.corpus_state,
        saved=keeper.saved_marker,
        on_change=lambda why: keeper.refresh(why, build=settings.auto_index, asked=False),
        rebuilds=settings.auto_index,
    )
    # Started with the Application (post_init) and flushed when it stops (post_shutdown).
    sink: EventSink = (
        query_log_for(settings, retriever, report=log.warning) if log_queries else NullSink()
    )
    application = build_application(
        settings, retriever, settings.data_dir, sink, watch=watch, keeper=keeper
    )
    del retriever  # from now on BotData holds it: a reload must be able to let it go
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
            where = redact(settings.telegram_api_base_url, masked)
            why = redact(str(exc), masked)
            print(f"marjaa: error: cannot reach Telegram at {where}: {why}", file=sys.stderr)
        return 1
    keeper.install_sighup(loop)
    if webhook is None:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
        return 0
    path = urlsplit(webhook.url).path.lstrip("/")
    host = f"[{webhook.listen}]" if ":" in webhook.listen else webhook.listen
    log.info(
        "webhook: listening on http://%s:%d/%s for %s (behind a TLS reverse proxy)",
        host,
        webhook.port,
        path,
        webhook.url,
    )
    try:
        application.run_webhook(
            listen=webhook.listen,
            port=webhook.port,
            url_path=path,
            webhook_url=webhook.url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    except OSError as exc:  # the address is taken, or not this machine's
        why = exc.strerror or str(exc)
        print(f"marjaa: error: cannot listen on {host}:{webhook.port}: {why}", file=sys.stderr)
        return 1
    return 0
