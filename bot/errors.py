"""Errors the `marjaa` command reports as one line (shared by the command modules)."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; reported as one line, exit status 1."""
