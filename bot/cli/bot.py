"""`marjaa bot`: run the Telegram bot by long polling or behind a webhook."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from bot.cli.options import add_corpus_options, add_no_log
from bot.settings import Settings
from bot.telegram.run import SECRET_TOKEN, Webhook, run_bot


def _secret_token(value: str) -> str:
    if not SECRET_TOKEN.fullmatch(value):
        raise argparse.ArgumentTypeError("1-256 characters from A-Z, a-z, 0-9, _ and -")
    return value


def _webhook_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme == "http" and parts.netloc:
        raise argparse.ArgumentTypeError(
            f"{value!r} is http://: Telegram delivers to https:// addresses only; let a reverse "
            "proxy (nginx, Caddy) terminate TLS and forward to --listen:--port"
        )
    if parts.scheme != "https" or not parts.netloc:
        raise argparse.ArgumentTypeError(f"not a web address: {value!r}")
    return value


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}")
    return int(value)


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
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
    webhook.add_argument(
        "--listen",
        default="127.0.0.1",
        help="address to listen on, plain http (default: 127.0.0.1, for a reverse proxy on "
        "this machine)",
    )
    webhook.add_argument("--port", type=_port, default=8443, help="port (default: 8443)")
    webhook.add_argument(
        "--secret-token",
        type=_secret_token,
        metavar="TOKEN",
        help="checked on every update Telegram posts (default: TELEGRAM_WEBHOOK_SECRET, or "
        "a new random one at each start)",
    )
    return parser


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot (bot/telegram/run.py) with the options given."""
    webhook = (
        Webhook(args.webhook_url, args.listen, args.port, args.secret_token)
        if args.webhook_url
        else None
    )
    corpus = args.corpus or settings.corpus
    return run_bot(settings, corpus, args.engine, not args.no_log, webhook)
