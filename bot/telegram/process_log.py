"""The bot process's own log: INFO on stderr as text or JSON lines, every secret masked,
network failures one line."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Formats records with every occurrence of the secrets replaced, tracebacks included."""

    def __init__(self, secrets: list[str], fmt: str) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


class JsonFormatter(RedactingFormatter):
    """One JSON object a line, for log shippers: time (UTC), level, logger, message, the
    record's ``fields`` (an activity line's) and the traceback when there is one. Masked
    after encoding: the secrets (a token, a webhook secret) are plain ASCII either way."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__(secrets, "%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, object] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({k: v for k, v in fields.items() if k not in entry})
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False, default=str), self._secrets)


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


def configure_logging(secrets: list[str], log_format: str = "text") -> None:
    """INFO to stderr as text or JSON lines, secrets masked; httpx would log every request
    URL, token included."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(secrets) if log_format == "json" else RedactingFormatter(secrets, TEXT_FORMAT)
    )
    handler.addFilter(NetworkErrorsInOneLine())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
