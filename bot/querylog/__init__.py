"""The query log: every question and rating in SQLite, and the ways to review them."""

from bot.querylog.privacy import UserKeys, user_keys
from bot.querylog.wiring import open_query_log, query_log_for
from bot.querylog.writer import LogStatus, QueryLog

__all__ = [
    "LogStatus",
    "QueryLog",
    "UserKeys",
    "open_query_log",
    "query_log_for",
    "user_keys",
]
