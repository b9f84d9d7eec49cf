"""wpnet's exceptions: one small hierarchy.

``WpnetError`` is the base of everything wpnet raises on purpose. ``DataError`` is
raised for bad input data; it is also a ``ValueError`` so that code catching
``ValueError`` keeps working. Bad *arguments* raise plain ``ValueError`` or
``TypeError`` naming the argument and what is allowed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DataError", "KeyMissing", "UsageError", "WpnetError"]


class WpnetError(Exception):
    """Base class of every error wpnet raises on purpose."""


class DataError(WpnetError, ValueError):
    """Input data that cannot be used as it is.

    The message names the file (or table), the spreadsheet row (header = row 1), the
    column, the value and what to do about it. ``problems`` holds the same as a
    DataFrame with columns ``table, row, column, value, message`` when there is more
    than one.

    Examples
    --------
    >>> err = DataError("participation.csv row 7, column network_id: unknown id 'N9'")
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(self, message: str, problems: Any = None) -> None:
        super().__init__(message)
        self.problems = problems


class UsageError(WpnetError, ValueError):
    """A request that cannot be carried out as asked, which the caller can change.

    For example an output path that would overwrite an input, or two options that
    contradict each other. The command line exits 2 on it, without a traceback.

    Examples
    --------
    >>> isinstance(UsageError("--out would overwrite the input"), ValueError)
    True
    """


class KeyMissing(DataError):
    """No pseudonymisation key was given (neither ``key=`` nor ``WPNET_KEY``).

    Personal columns cannot be read without a key, so this is a data problem: the
    command line exits 1 on it with the message, never a traceback.
    """
