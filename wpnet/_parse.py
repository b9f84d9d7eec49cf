"""Parsing of messy cell values: dates, missing markers, white space.

Dates are read as ISO (``2023-02-28``), day-first or month-first with ``/``, ``.`` or
``-`` separators (``28/02/2023``, ``28-02-23``, ``28.02.2023``), Excel serial numbers
(days since 1899-12-30, the 1900 leap-year bug included; a time part is dropped: a
serial names the day it falls in) and datetime objects. Anything else is *unparsed* and
reported; nothing is guessed:

* **Date order.** A column's order is told from its unambiguous values
  (:func:`date_order_evidence`): ``17/04/2024`` can only be day-first, ``1/18/2024``
  only month-first. With ``date_order="auto"`` (the default) a column with day-first
  evidence, or with no evidence either way, is read day-first (the UK order, with a
  warning when values such as ``3/5/2024`` could be either); a column with a
  month-first-only value *and* values that could be either (a month-first or mixed
  file, whose ambiguous dates would be misread) is refused with a
  :class:`~wpnet.errors.DataError` that names the evidence and ``date_order=`` /
  ``--date-order dmy|mdy|iso``; when nothing is ambiguous the month-first-only values
  are rejected with that hint. ``"dmy"`` and ``"mdy"`` read every value in that
  order (a value impossible in it is rejected, with the other reading as a hint);
  ``"iso"`` accepts only ``YYYY-MM-DD`` (and serials and datetimes).
* **Years.** A two-digit year ``yy`` is 20yy; when 20yy is in the future the value is
  rejected (``01/09/95`` is neither 2095, in the future, nor 1995, before 1990).
  Dates before 1990 or after 2099 are rejected, and so are dates after today (a record
  of attendance cannot be in the future). A bare year (``2022``) would be an Excel
  serial of 1905: it is rejected as a year, not a date.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wpnet.errors import DataError

__all__ = [
    "DATE_ORDERS",
    "MISSING",
    "PY_WHITESPACE",
    "WHITESPACE_RUN",
    "DateOrderEvidence",
    "choose_date_order",
    "clean_text",
    "date_order_evidence",
    "parse_dates",
    "reading_dates",
    "two_digit_year",
]

#: Cell values read as missing (compared after trimming, case-insensitively).
MISSING = frozenset({"", "n/a", "na", "-", "--", "none", "null", "nan", "nat", "#n/a", "?"})

#: Dates outside these bounds are impossible for participation records.
EARLIEST = pd.Timestamp("1990-01-01")
LATEST = pd.Timestamp("2099-12-31")

#: Accepted values of ``date_order=`` (``--date-order``).
DATE_ORDERS = ("auto", "dmy", "mdy", "iso")

_ORDER: ContextVar[str] = ContextVar("wpnet_date_order", default="auto")

#: Every character ``str.isspace`` and ``str.strip`` (and ``\\s`` in a ``re`` pattern)
#: treat as white space in Python 3.11: the Unicode White_Space characters and the four
#: ASCII separators U+001C-U+001F.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
#: A run of white space or byte-order marks, as a class of the characters themselves, so
#: that Python's ``re`` and Arrow's RE2 read it alike: pandas hands a pattern given as a
#: string to Arrow, while a compiled one sends every value through Python.
WHITESPACE_RUN = "[" + PY_WHITESPACE + "\ufeff]+"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_UK = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.\d+)?$")
_HINT = "pass date_order='dmy', 'mdy' or 'iso' (command line: --date-order dmy|mdy|iso)"


def clean_text(values: pd.Series) -> pd.Series:
    """Trim, fold white space (including non-breaking spaces) and turn missing markers
    ("N/A", "-", "n/a", "") into ``<NA>``.

    Examples
    --------
    >>> clean_text(pd.Series([" a\\u00a0 b ", "N/A", "-", None])).tolist()
    ['a b', <NA>, <NA>, <NA>]
    """
    s = values.astype("string")
    s = s.str.replace(WHITESPACE_RUN, " ", regex=True).str.strip()
    return s.mask(s.str.lower().isin(MISSING))


def _check_order(date_order: str) -> str:
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {list(DATE_ORDERS)}, not {date_order!r}")
    return date_order


def current_date_order() -> str:
    """The ``date_order`` set by :func:`reading_dates` (``"auto"`` outside it)."""
    return _ORDER.get()


@contextmanager
def reading_dates(date_order: str) -> Iterator[None]:
    """Within the block, :func:`parse_dates` called without ``date_order=`` uses this one.

    The readers (:func:`wpnet.read_ecosystem`) use it to pass their ``date_order=`` to
    the validation rules.

    Examples
    --------
    >>> with reading_dates("mdy"):
    ...     str(parse_dates(pd.Series(["1/18/2024"]))[0][0].date())
    '2024-01-18'
    """
    token = _ORDER.set(_check_order(date_order))
    try:
        yield
    finally:
        _ORDER.reset(token)


def _slashed(text: pd.Series) -> pd.DataFrame:
    """Columns a, b, year (numbers; the year with 2000 added to two digits) of the
    values written ``a/b/y`` (NA elsewhere)."""
    uk = text.str.extract(_UK)
    a = pd.to_numeric(uk[0], errors="coerce")
    b = pd.to_numeric(uk[1], errors="coerce")
    y = pd.to_numeric(uk[2], errors="coerce")
    y = y.where(~(y < 100), y + 2000)
    return pd.DataFrame({"a": a, "b": b, "year": y}, index=text.index)


def _assemble(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    parts = pd.DataFrame({"year": year, "month": month, "day": day})
    has = parts.notna().all(axis=1)
    out = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[ns]")
    if has.any():
        out[has] = pd.to_datetime(parts[has].astype("int64"), errors="coerce")
    return out


@dataclass(frozen=True)
class DateOrderEvidence:
    """What a column's values say about its date order.

    Attributes
    ----------
    day_first, month_first : tuple of (index, value)
        Values that are a valid date in that order only (``17/04/2024``; ``1/18/2024``),
        at most five of each.
    n_day_first, n_month_first : int
        How many values are valid in that order only.
    n_ambiguous : int
        Values valid in both orders with different meanings (``3/5/2024``).
    """

    day_first: tuple[tuple[Any, str], ...]
    month_first: tuple[tuple[Any, str], ...]
    n_day_first: int
    n_month_first: int
    n_ambiguous: int

    @property
    def verdict(self) -> str:
        """``"dmy"``, ``"mdy"``, ``"mixed"`` or ``"unknown"`` (no evidence either way)."""
        if self.n_day_first and self.n_month_first:
            return "mixed"
        if self.n_month_first:
            return "mdy"
        if self.n_day_first:
            return "dmy"
        return "unknown"


def date_order_evidence(values: pd.Series) -> DateOrderEvidence:
    """Count the values of a date column that can only be day-first or only month-first.

    Examples
    --------
    >>> ev = date_order_evidence(pd.Series(["1/18/2024", "3/5/2024", "2024-01-02"]))
    >>> ev.verdict, ev.n_month_first, ev.n_ambiguous, ev.month_first
    ('mdy', 1, 1, ((0, '1/18/2024'),))
    """
    text = clean_text(values.where(values.map(lambda v: isinstance(v, str)), None))
    text = text[text.notna()]
    s = _slashed(text)
    s = s[s.notna().all(axis=1)]
    dmy = _assemble(s["year"], s["b"], s["a"]).notna()
    mdy = _assemble(s["year"], s["a"], s["b"]).notna()
    only_d = dmy & ~mdy
    only_m = mdy & ~dmy
    both = dmy & mdy & (s["a"] != s["b"])

    def examples(mask: pd.Series) -> tuple[tuple[Any, str], ...]:
        idx = mask[mask].index[:5]
        return tuple((i, str(text[i])) for i in idx)

    return DateOrderEvidence(
        examples(only_d), examples(only_m), int(only_d.sum()), int(only_m.sum()), int(both.sum())
    )


def _listed(examples: tuple[tuple[Any, str], ...], rows: bool) -> str:
    return ", ".join(f"{v!r}" + (f" (row {i})" if rows else "") for i, v in examples)


def choose_date_order(
    values: pd.Series, date_order: str = "auto", *, where: str = "dates", rows: bool = False
) -> tuple[str, str | None]:
    """The order to read a date column in, and a note for the data-quality log.

    Parameters
    ----------
    values : Series
        The column as read.
    date_order : {"auto", "dmy", "mdy", "iso"}
        "auto" tells the order from the values; the others are taken as given.
    where : str
        The column, for messages (e.g. ``"registrations.csv column 'Date'"``).
    rows : bool
        Whether the index of ``values`` is the spreadsheet row (named in messages).

    Returns
    -------
    order : {"dmy", "mdy", "iso"}
    note : str or None
        A warning to record: day-first read for want of evidence, or a given order
        that some values contradict.

    Raises
    ------
    DataError
        ``"auto"``, a value that can only be month-first and values that could be
        either (a month-first or mixed column): the message names the values and
        ``date_order=`` / ``--date-order``.

    Examples
    --------
    >>> choose_date_order(pd.Series(["17/04/2024", "3/5/2024"]))
    ('dmy', None)
    >>> choose_date_order(pd.Series(["3/5/2024"]))[1][:45]
    'dates: the date order cannot be told (1 value'
    """
    order = _check_order(date_order)
    ev = date_order_evidence(values)
    if order == "auto":
        if ev.n_month_first and ev.n_ambiguous:
            kind = (
                "month-first" if ev.verdict == "mdy" else "mixed: some day-first, some month-first"
            )
            day = (
                f"; {ev.n_day_first} can only be day-first, e.g. {_listed(ev.day_first, rows)}"
                if ev.n_day_first
                else ""
            )
            raise DataError(
                f"{where}: the dates look {kind}: {ev.n_month_first} can only be month-first, "
                f"e.g. {_listed(ev.month_first, rows)}{day}; {ev.n_ambiguous} could be "
                f"either. wpnet never guesses a date: {_HINT}"
            )
        if ev.verdict == "unknown" and ev.n_ambiguous:
            return "dmy", (
                f"{where}: the date order cannot be told ({ev.n_ambiguous} value"
                f"{'s' if ev.n_ambiguous != 1 else ''} such as 3/5/2024 could be either and "
                f"none is only day-first or only month-first): read day-first (UK); {_HINT} "
                "to say so"
            )
        if ev.n_month_first:  # nothing is ambiguous: only these values are lost
            return "dmy", (
                f"{where}: {ev.n_month_first} value{'s' if ev.n_month_first != 1 else ''} "
                f"can only be month-first, e.g. {_listed(ev.month_first, rows)} (rejected); "
                f"{_HINT} if the file is month-first"
            )
        return "dmy", None
    against = ev.month_first if order == "dmy" else ev.day_first if order == "mdy" else ()
    n_against = ev.n_month_first if order == "dmy" else ev.n_day_first if order == "mdy" else 0
    if n_against:
        return order, (
            f"{where}: date_order={order!r} given, but {n_against} value"
            f"{'s' if n_against != 1 else ''} can only be read the other way, e.g. "
            f"{_listed(against, rows)} (rejected)"
        )
    return order, None


def two_digit_year(values: pd.Series) -> pd.Series:
    """True where a value is written with a two-digit year (``3/5/23``).

    Examples
    --------
    >>> two_digit_year(pd.Series(["3/5/23", "03/05/2023", None])).tolist()
    [True, False, False]
    """
    text = clean_text(values.where(values.map(lambda v: isinstance(v, str)), None))
    y = text.str.extract(_UK)[2]
    return (y.str.len() == 2).fillna(False).astype(bool)


def parse_dates(values: pd.Series, *, date_order: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse a column of dates written in any of the accepted forms.

    Parameters
    ----------
    values : Series
        Strings, numbers (Excel serials) or datetimes; missing values stay missing.
    date_order : {"auto", "dmy", "mdy", "iso"}, optional
        The order of ``a/b/yyyy`` values (see the module notes); default: the one set
        by :func:`reading_dates`, else ``"auto"``.

    Returns
    -------
    dates : Series of datetime64[ns]
        The day (no time part); ``NaT`` where missing or unparsed.
    problem : Series of str
        Empty where the value parsed (or was missing); otherwise why it did not:
        not a date, an impossible day (31/02/2023), a two-digit year that is in the
        future, a date in the future, or outside 1990–2099.

    Raises
    ------
    DataError
        ``date_order="auto"`` and a column that looks month-first or mixed
        (:func:`choose_date_order`).

    Examples
    --------
    >>> d, why = parse_dates(pd.Series(["2023-02-28", "03/04/2023", "44927", "31/02/2023"]))
    >>> [str(x.date()) if pd.notna(x) else None for x in d]
    ['2023-02-28', '2023-04-03', '2023-01-01', None]
    >>> why.iloc[3]
    'impossible date 31/02/2023 (day-first: 31 February 2023)'
    >>> str(parse_dates(pd.Series([45138.75]))[0][0])  # 31 July 2023, 18:00
    '2023-07-31 00:00:00'
    """
    order = _check_order(date_order if date_order is not None else _ORDER.get())
    index = values.index
    out = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    problem = pd.Series("", index=index, dtype="string")
    if pd.api.types.is_datetime64_any_dtype(values):
        out[:] = pd.to_datetime(values).astype("datetime64[ns]").dt.normalize()
        return _bounds(out, problem, values)
    if order == "auto":
        order, _ = choose_date_order(values, "auto")
    # .astype(bool): on an empty column map() keeps the input's dtype
    numeric = values.map(
        lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
    ).astype(bool)
    is_ts = values.map(
        lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "isoformat")
    ).astype(bool)
    text = clean_text(values.where(~(numeric | is_ts), None))
    if is_ts.any():
        ts = pd.to_datetime(values[is_ts].astype(object), errors="coerce")
        out[is_ts] = pd.Series(ts, index=values.index[is_ts]).dt.normalize()
    if numeric.any():
        nums = pd.to_numeric(values[numeric], errors="coerce")
        out[numeric] = _from_serial(nums)
        bad = numeric & out.isna() & values.notna()
        problem[bad] = "not a date"
    todo = text.notna()
    if todo.any():
        _parse_text(text[todo], order, out, problem)
    return _bounds(out, problem, values)


def _parse_text(t: pd.Series, order: str, out: pd.Series, problem: pd.Series) -> None:
    iso = t.str.extract(_ISO)
    sl = _slashed(t)
    if order == "iso":
        sl[:] = np.nan
    day_col, month_col = ("a", "b") if order != "mdy" else ("b", "a")
    serial = t.str.fullmatch(_SERIAL).fillna(False).astype(bool)
    y = pd.to_numeric(iso[0], errors="coerce").fillna(sl["year"])
    m = pd.to_numeric(iso[1], errors="coerce").fillna(sl[month_col])
    d = pd.to_numeric(iso[2], errors="coerce").fillna(sl[day_col])
    has = pd.concat([y, m, d], axis=1).notna().all(axis=1)
    parsed = _assemble(y, m, d)
    if serial.any():
        parsed[serial] = _from_serial(pd.to_numeric(t[serial], errors="coerce"))
    out[t.index] = parsed
    impossible = has & parsed.isna()
    way = "day-first" if order != "mdy" else "month-first"
    for i in t.index[impossible.to_numpy()]:
        dd, mm, yy = int(d[i]), int(m[i]), int(y[i])
        problem[i] = f"impossible date {t[i]} ({way}: {dd} {_month(mm)} {yy})"
        if pd.notna(sl.at[i, "a"]) and pd.notna(_assemble(y[[i]], d[[i]], m[[i]]).iloc[0]):
            other = "month-first" if order != "mdy" else "day-first"
            problem[i] += f"; {other} it would be {mm} {_month(dd)} {yy}: {_HINT}"
    short = has & parsed.notna() & two_digit_year(t) & (parsed > _today())
    for i in t.index[short.to_numpy()]:
        yy = int(y[i]) % 100
        problem[i] = (
            f"two-digit year in {t[i]}: 20{yy:02d} is in the future and 19{yy:02d} before "
            f"{EARLIEST.year}; write the year in four digits"
        )
        out[i] = pd.NaT
    if order == "iso":
        slashed = ~has & ~serial & t.str.fullmatch(_UK).fillna(False).astype(bool)
        problem[t.index[slashed.to_numpy()]] = "not an ISO date (date_order='iso': YYYY-MM-DD)"
        unknown = ~has & ~serial & ~slashed
    else:
        unknown = ~has & ~serial
    problem[t.index[unknown.to_numpy()]] = "not a date (use YYYY-MM-DD or DD/MM/YYYY)"


def _month(mm: int) -> str:
    return pd.Timestamp(2000, mm, 1).strftime("%B") if 1 <= mm <= 12 else f"month {mm}"


def _today() -> pd.Timestamp:
    return pd.Timestamp.today().normalize()


def _from_serial(nums: pd.Series) -> pd.Series:
    # Excel's day 0 is 1899-12-30 once its 1900 leap-year bug is allowed for; the
    # fraction is the time of day, so the day is the whole part (45138.75 = 31 Jul 18:00).
    ok = nums.between(1, 2958465)
    res = pd.Series(pd.NaT, index=nums.index, dtype="datetime64[ns]")
    days = np.floor(nums[ok].astype(float))
    res[ok] = pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")
    return res


def _far_message(value: object, date: pd.Timestamp) -> str:
    """Why a date outside :data:`EARLIEST`-:data:`LATEST` is refused: a number is said
    to be read as an Excel date number, and a year such as 2022 to be a year.

    Examples
    --------
    >>> _far_message("2022", pd.Timestamp("1905-07-14"))
    '2022 is a year, not a date (read as an Excel date number it would be 1905-07-14): write the day, as YYYY-MM-DD or DD/MM/YYYY'
    >>> _far_message(12, pd.Timestamp("1900-01-11"))
    'date 1900-01-11 outside 1990-2099 (12 read as an Excel date number)'
    """
    text = str(value).strip()
    number = isinstance(value, (int, float, np.integer, np.floating)) or bool(
        _SERIAL.fullmatch(text)
    )
    if not number:
        return f"date {date.date()} outside {EARLIEST.year}-{LATEST.year}"
    whole = float(text) if text.replace(".", "", 1).isdigit() else math.nan
    if whole.is_integer() and EARLIEST.year <= whole <= LATEST.year:
        return (
            f"{int(whole)} is a year, not a date (read as an Excel date number it would be "
            f"{date.date()}): write the day, as YYYY-MM-DD or DD/MM/YYYY"
        )
    return (
        f"date {date.date()} outside {EARLIEST.year}-{LATEST.year} ({text} read as an Excel "
        "date number)"
    )


def _bounds(out: pd.Series, problem: pd.Series, values: pd.Series) -> tuple[pd.Series, pd.Series]:
    far = out.notna() & ((out < EARLIEST) | (out > LATEST))
    if far.any():
        for i in out.index[far.to_numpy()]:
            problem[i] = _far_message(values[i], out[i])
        out[far] = pd.NaT
    today = _today()
    future = out.notna() & (out > today)
    if future.any():
        for i in out.index[future.to_numpy()]:
            problem[i] = (
                f"date {out[i].date()} is in the future (after {today.date()}): not an attendance"
            )
        out[future] = pd.NaT
    return out, problem.fillna("")
