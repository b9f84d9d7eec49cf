"""Academic-session arithmetic.

The Scottish school year runs from 1 August to 31 July. A session is labelled by its
two calendar years, ``"2022-23"`` for 1 August 2022 to 31 July 2023.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["session_bounds", "session_of", "sessions_between"]

_LABEL = re.compile(r"^(\d{4})-(\d{2})$")
SESSION_START_MONTH = 8


def session_of(dates: pd.Series | pd.DatetimeIndex) -> pd.Series:
    """Label each date with its academic session.

    A date on or after 1 August of year *y* and before 1 August of *y + 1* belongs to
    session ``f"{y}-{(y + 1) % 100:02d}"``.

    Parameters
    ----------
    dates : Series of datetime64
        Missing dates give missing labels.

    Returns
    -------
    Series of str
        The session labels, same index as ``dates``.

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2023-07-31", "2023-08-01"]))
    >>> session_of(s).tolist()
    ['2022-23', '2023-24']
    """
    d = pd.Series(pd.to_datetime(dates))
    year = d.dt.year - (d.dt.month < SESSION_START_MONTH).astype("Int64")
    year = year.astype("Int64")
    label = year.astype("string") + "-" + ((year + 1) % 100).astype("string").str.zfill(2)
    return label.astype("string")


def session_bounds(label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a session.

    Examples
    --------
    >>> session_bounds("2022-23")
    (Timestamp('2022-08-01 00:00:00'), Timestamp('2023-07-31 00:00:00'))
    """
    y = _start_year(label)
    return pd.Timestamp(y, 8, 1), pd.Timestamp(y + 1, 7, 31)


def sessions_between(first: str, last: str) -> list[str]:
    """Every session label from ``first`` to ``last`` inclusive.

    Examples
    --------
    >>> sessions_between("2019-20", "2021-22")
    ['2019-20', '2020-21', '2021-22']
    """
    a, b = _start_year(first), _start_year(last)
    return [f"{y}-{(y + 1) % 100:02d}" for y in np.arange(a, b + 1).tolist()]


def _start_year(label: str) -> int:
    m = _LABEL.match(str(label).strip())
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ValueError(
            f"session must be a label like '2022-23' (1 Aug 2022 to 31 Jul 2023); got {label!r}"
        )
    return int(m.group(1))
