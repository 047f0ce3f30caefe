"""What retrieval raises for input a person must fix: a corpus or a question file."""

from __future__ import annotations


class InputError(Exception):
    """Input that cannot be used at all; the message says which file and why, in one line."""


class CorpusError(InputError):
    """The corpus cannot be used at all (missing path, nothing usable)."""


class QuestionFileError(InputError):
    """A question file for evaluation cannot be read (missing, not JSON, wrong shape)."""
