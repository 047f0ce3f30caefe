"""Errors the `marjaa` command reports as one line: every command raises them, cli/main.py
prints them (with retrieval's InputError: a corpus or question file that cannot be used)."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; reported as one line, exit status 1."""
