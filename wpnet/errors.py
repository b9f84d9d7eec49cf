"""wpnet's exceptions: one small hierarchy.

``WpnetError`` is the base of everything wpnet raises on purpose. ``DataError`` is
raised for bad input data; it is also a ``ValueError`` so that code catching
``ValueError`` keeps working. A bad *argument* raises :class:`UsageError` (a
``ValueError``: a value outside the allowed ones, named with what is allowed, by the one
checker :func:`check_choice`) or :class:`WrongType` (a ``TypeError``: an argument of the
wrong kind, such as a DataFrame where an Ecosystem is expected).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DataError",
    "KeyMissing",
    "UsageError",
    "WorkerLost",
    "WpnetError",
    "WrongType",
    "check_choice",
]


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


class WrongType(WpnetError, TypeError):
    """An argument of the wrong kind; the message names the argument, what was expected
    and what was given.

    Examples
    --------
    >>> isinstance(WrongType("eco: an Ecosystem is expected; got DataFrame"), TypeError)
    True
    """


class WorkerLost(WpnetError, RuntimeError):
    """A process wpnet started for part of the work ended without sending its result:
    killed (by the system when memory ran out, or by a signal) or crashed.

    The message says how it ended and that ``WPNET_WORKERS=1`` runs everything in one
    process. The command line exits 2 on it with the message, without a traceback.

    Examples
    --------
    >>> isinstance(WorkerLost("a worker process was killed"), RuntimeError)
    True
    """


def check_choice(name: str, value: Any, allowed: tuple[Any, ...] | list[Any]) -> None:
    """Raise :class:`UsageError` unless ``value`` is one of ``allowed``.

    The one place wpnet checks an option against its allowed values; the message names
    the argument, the value given and every allowed value.

    Examples
    --------
    >>> check_choice("onto", "establishment", ("establishment", "network"))
    >>> check_choice("onto", "school", ("establishment", "network"))
    Traceback (most recent call last):
    ...
    wpnet.errors.UsageError: onto must be one of ('establishment', 'network'); got 'school'
    """
    try:
        ok = value in allowed
    except TypeError:  # an unhashable value against a set-like allowed
        ok = False
    if not ok:
        raise UsageError(f"{name} must be one of {tuple(allowed)!r}; got {value!r}")
