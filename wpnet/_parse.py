"""Parsing of messy cell values: dates, missing markers, white space.

Dates are read as ISO (``2023-02-28``), UK day-first (``28/02/2023``, ``28-02-23``,
``28.02.2023``) — never month-first — Excel serial numbers (days since 1899-12-30, the
1900 leap-year bug included) and datetime objects. Anything else is *unparsed* and
reported; nothing is guessed.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["MISSING", "clean_text", "parse_dates"]

#: Cell values read as missing (compared after trimming, case-insensitively).
MISSING = frozenset({"", "n/a", "na", "-", "--", "none", "null", "nan", "nat", "#n/a", "?"})

#: Dates outside these bounds are impossible for participation records.
EARLIEST = pd.Timestamp("1990-01-01")
LATEST = pd.Timestamp("2099-12-31")

_WS = re.compile(r"[\s\u00a0\u2007\u202f\ufeff]+")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_UK = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.\d+)?$")


def clean_text(values: pd.Series) -> pd.Series:
    """Trim, fold white space (including non-breaking spaces) and turn missing markers
    ("N/A", "-", "n/a", "") into ``<NA>``.

    Examples
    --------
    >>> clean_text(pd.Series([" a\\u00a0 b ", "N/A", "-", None])).tolist()
    ['a b', <NA>, <NA>, <NA>]
    """
    s = values.astype("string")
    s = s.str.replace(_WS, " ", regex=True).str.strip()
    return s.mask(s.str.lower().isin(MISSING))


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of dates written in any of the accepted forms.

    Parameters
    ----------
    values : Series
        Strings, numbers (Excel serials) or datetimes; missing values stay missing.

    Returns
    -------
    dates : Series of datetime64[ns]
        ``NaT`` where missing or unparsed.
    problem : Series of str
        Empty where the value parsed (or was missing); otherwise why it did not:
        not a date, an impossible day (31/02/2023), or outside 1990–2099.

    Examples
    --------
    >>> d, why = parse_dates(pd.Series(["2023-02-28", "03/04/2023", "44927", "31/02/2023"]))
    >>> [str(x.date()) if pd.notna(x) else None for x in d]
    ['2023-02-28', '2023-04-03', '2023-01-01', None]
    >>> why.iloc[3]
    'impossible date 31/02/2023 (day-first: 31 February 2023)'
    """
    index = values.index
    out = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    problem = pd.Series("", index=index, dtype="string")
    if pd.api.types.is_datetime64_any_dtype(values):
        out[:] = pd.to_datetime(values).astype("datetime64[ns]")
        return _bounds(out, problem, values)
    # .astype(bool): on an empty column map() keeps the input's dtype
    numeric = values.map(
        lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
    ).astype(bool)
    is_ts = values.map(
        lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "isoformat")
    ).astype(bool)
    text = clean_text(values.where(~(numeric | is_ts), None))
    if is_ts.any():
        out[is_ts] = pd.to_datetime(values[is_ts].astype(object), errors="coerce")
    if numeric.any():
        nums = pd.to_numeric(values[numeric], errors="coerce")
        out[numeric] = _from_serial(nums)
        bad = numeric & out.isna() & values.notna()
        problem[bad] = "not a date"
    todo = text.notna()
    if todo.any():
        t = text[todo]
        iso = t.str.extract(_ISO)
        uk = t.str.extract(_UK)
        serial = t.str.fullmatch(_SERIAL).fillna(False).astype(bool)
        y = pd.to_numeric(iso[0], errors="coerce").fillna(pd.to_numeric(uk[2], errors="coerce"))
        m = pd.to_numeric(iso[1], errors="coerce").fillna(pd.to_numeric(uk[1], errors="coerce"))
        d = pd.to_numeric(iso[2], errors="coerce").fillna(pd.to_numeric(uk[0], errors="coerce"))
        y = y.where(~((y < 100) & uk[2].notna()), y + 2000)
        parts = pd.DataFrame({"year": y, "month": m, "day": d})
        has = parts.notna().all(axis=1)
        parsed = pd.Series(pd.NaT, index=t.index, dtype="datetime64[ns]")
        if has.any():
            parsed[has] = pd.to_datetime(parts[has].astype("int64"), errors="coerce")
        if serial.any():
            parsed[serial] = _from_serial(pd.to_numeric(t[serial], errors="coerce"))
        out[t.index] = parsed
        impossible = has & parsed.isna()
        for i in t.index[impossible.to_numpy()]:
            dd, mm, yy = (
                int(parts.at[i, "day"]),
                int(parts.at[i, "month"]),
                int(parts.at[i, "year"]),
            )
            month = pd.Timestamp(2000, mm, 1).strftime("%B") if 1 <= mm <= 12 else f"month {mm}"
            problem[i] = f"impossible date {t[i]} (day-first: {dd} {month} {yy})"
        unknown = ~has & ~serial
        problem[t.index[unknown.to_numpy()]] = "not a date (use YYYY-MM-DD or DD/MM/YYYY)"
    return _bounds(out, problem, values)


def _from_serial(nums: pd.Series) -> pd.Series:
    # Excel's day 0 is 1899-12-30 once its 1900 leap-year bug is allowed for.
    ok = nums.between(1, 2958465)
    res = pd.Series(pd.NaT, index=nums.index, dtype="datetime64[ns]")
    res[ok] = pd.Timestamp("1899-12-30") + pd.to_timedelta(nums[ok].astype(float).round(), unit="D")
    return res


def _bounds(out: pd.Series, problem: pd.Series, values: pd.Series) -> tuple[pd.Series, pd.Series]:
    far = out.notna() & ((out < EARLIEST) | (out > LATEST))
    if far.any():
        for i in out.index[far.to_numpy()]:
            problem[i] = f"date {out[i].date()} outside {EARLIEST.year}-{LATEST.year}"
        out[far] = pd.NaT
    return out, problem.fillna("")
