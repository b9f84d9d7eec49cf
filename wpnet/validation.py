"""Validation of the four tables: one set of rules for files and for Ecosystems.

:func:`check_tables` is the core. It takes the tables as read (raw cells, indexed by
spreadsheet row: the header is row 1, the first data row is row 2) and returns the
clean, typed tables, the rejected rows and every problem found. The readers in
:mod:`wpnet.io` and :func:`wpnet.validate` (:mod:`wpnet.inspection`, above the readers)
both call it, so a file and the Ecosystem read from it are judged by the same rules:

* structure: every required table and required column is present; no column twice;
* values: required values present; vocabularies (``sector``, ``level``, ``role``) map
  through :mod:`wpnet.schema`'s aliases (an authority outside the eight West
  Partnership names is kept as written, with a warning); dates parse
  (:func:`wpnet._parse.parse_dates`: ISO, UK day-first, Excel serials; impossible days
  and dates outside 1990–2099 are errors); numbers are numbers, whole where they must
  be, and in range (``simd_quintile`` 1–5, ``roll`` ≥ 0, latitude ±90, longitude ±180,
  ``hours`` and ``weight`` ≥ 0);
* keys: ids are unique; an exact copy of an earlier row is a warning and the copy is
  rejected with reason ``"duplicate of row N"``; the same id with different values is
  an error naming both rows (both are rejected: neither can be trusted);
* references: every practitioner's establishment, every participation record's
  practitioner, network and establishment, and every tie's source and target resolve
  to an accepted row.

A row with an error is rejected (``errors="drop"``) or reported (``errors="raise"``);
rows are checked in the order establishments, practitioners, networks, participation,
ties, so a reference to a rejected row is itself rejected, naming the row it points to.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wpnet._parse import (
    choose_date_order,
    clean_text,
    current_date_order,
    parse_dates,
    two_digit_year,
)
from wpnet.errors import DataError
from wpnet.privacy import CONTROL_CHARS
from wpnet.schema import TABLES, VOCABULARIES, Column, TableSpec, normalise_text

__all__ = [
    "ORDER",
    "PROBLEM_COLUMNS",
    "WIDE_COLUMNS",
    "Checked",
    "RawTable",
    "canonical_header",
    "check_tables",
    "describe",
    "problems_frame",
    "problems_message",
    "read_values",
]

#: Columns of a problems table (``ValidationReport.errors``/``.warnings`` use the first five).
PROBLEM_COLUMNS = ("table", "row", "column", "value", "message", "severity")

#: Order in which tables are checked: a table comes after the tables it refers to.
ORDER = ("establishments", "practitioners", "networks", "participation", "ties")

_ALLOWED = {
    "sector": "early_years, primary, secondary, special, all_through, central",
    "level": (
        "practitioner, middle_leader, senior_leader, headteacher, central_officer, "
        "support_staff, other"
    ),
    "role": "participant, lead, facilitator, presenter",
}
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_MAX_EXACT_INT = 2**53

#: A table with more columns than this keeps its text cells as Python ``str`` objects
#: (object dtype) rather than pandas ``string`` columns: pandas spends ~0.1 ms on each
#: ``string`` column in every operation, which makes a 50,000-column table take
#: minutes; one object block takes milliseconds. The values are the same.
WIDE_COLUMNS = 1000


@dataclass
class RawTable:
    """One table as read from a file, before any checking.

    Parameters
    ----------
    frame : DataFrame
        Cells as read: strings (CSV, XLSX) or typed columns (Parquet, an Ecosystem).
        The index is the spreadsheet row of each row (header = row 1).
    source : str
        Where it came from, for messages: ``"participation.csv"``, ``"book.xlsx[ties]"``.
    problems : list of dict
        Problems the reader already found in single rows (a ragged row), each with
        ``row``, ``column``, ``value``, ``message`` and ``severity``.
    """

    frame: pd.DataFrame
    source: str
    problems: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Checked:
    """What :func:`check_tables` returns.

    ``tables`` holds the accepted rows with canonical columns and dtypes; ``rejected``
    the rejected rows (original values plus ``table``, ``row``, ``reason``);
    ``problems`` every finding (:data:`PROBLEM_COLUMNS`); ``rows_read`` the number of
    rows read per table; ``sources`` where each table came from.
    """

    tables: dict[str, pd.DataFrame]
    rejected: pd.DataFrame
    problems: pd.DataFrame
    rows_read: dict[str, int]
    sources: dict[str, str]

    @property
    def fatal(self) -> pd.DataFrame:
        """Errors no row can be dropped to cure: a missing table, column or file."""
        p = self.problems
        return p[(p["severity"] == "error") & (p["row"].isna() | (p["row"] == 1)).to_numpy()]

    @property
    def errors(self) -> pd.DataFrame:
        """Every error (fatal or in a row)."""
        return self.problems[(self.problems["severity"] == "error").to_numpy()]


def canonical_header(name: object) -> str:
    """A header cell as a snake_case column name (aliases are applied separately).

    Examples
    --------
    >>> canonical_header("  Establishment\\u00a0ID ")
    'establishment_id'
    >>> canonical_header("SIMD (quintile)")
    'simd_quintile'
    """
    text = normalise_text(name).replace("\ufeff", "")
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


# ---- problems ------------------------------------------------------------------------
def problems_frame(rows: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """Problems as a frame with the columns :data:`PROBLEM_COLUMNS` (typed, maybe empty)."""
    return _problems_frame(rows)


def _problems_frame(rows: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(rows or [], columns=list(PROBLEM_COLUMNS))
    return frame.astype(
        {
            "table": "string",
            "row": "Int64",
            "column": "string",
            "value": "string",
            "message": "string",
            "severity": "string",
        }
    )


class _Findings:
    """Problems of one table, gathered as small frames and joined once."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        rows: pd.Index | list[int],
        column: str | None,
        values: pd.Series | list[object],
        messages: pd.Series | list[str] | str,
        severity: str = "error",
    ) -> None:
        rows = list(rows)
        if not rows:
            return
        vals = list(values) if not isinstance(values, pd.Series) else values.tolist()
        msgs = [messages] * len(rows) if isinstance(messages, str) else list(messages)
        self.parts.append(
            pd.DataFrame(
                {
                    "table": self.table,
                    "row": pd.array(rows, dtype="Int64"),
                    "column": column,
                    "value": [_as_cell_text(v) for v in vals],
                    "message": msgs,
                    "severity": severity,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return _problems_frame()
        return pd.concat([_problems_frame()] + self.parts, ignore_index=True).astype(
            _problems_frame().dtypes.to_dict()
        )


def _as_cell_text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return str(value.date()) if value == value.normalize() else value.isoformat()
    return str(value)


# ---- column parsing ------------------------------------------------------------------
def _is_text(s: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(s.dtype) or s.dtype == object


def _by_unique(s: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply ``func`` to the distinct values of ``s`` only, then spread the result."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if len(uniques) == 0:
        return func(s)
    result = func(pd.Series(uniques, dtype=s.dtype if _is_text(s) else None))
    taken = result.take(np.where(codes < 0, 0, codes))
    taken.index = s.index
    if (codes < 0).any():
        na = func(pd.Series([pd.NA], dtype=s.dtype if _is_text(s) else None)).iloc[0]
        taken[codes < 0] = na
    return taken


def _clean(s: pd.Series) -> pd.Series:
    """Cleaned text (white space folded, missing markers to <NA>) or the typed column."""
    if _is_text(s):
        return _by_unique(s.astype("string"), clean_text).astype("string")
    return s


def _clean_frame(frame: pd.DataFrame, f: _Findings) -> pd.DataFrame:
    """:func:`_clean` of every column at once, and control characters removed.

    The text cells of all columns are cleaned together: their distinct values are
    cleaned once and the table is built in one step, so the cost grows with the
    number of cells, not with columns times columns. C0 control characters (other
    than tab, line feed and carriage return, which white-space folding turns into
    spaces) are removed from every cell, with a warning naming the row and column.
    """
    if frame.shape[1] == 0:
        return frame
    text_at = [j for j, dt in enumerate(frame.dtypes) if _is_text_dtype(dt)]
    if not text_at:
        return frame
    if len(text_at) == frame.shape[1] and frame.shape[1] > WIDE_COLUMNS:
        out = _clean_wide(frame, f)
    else:
        out = _clean_columns(frame, text_at, f)
    out.columns = frame.columns
    return out


def _clean_columns(frame: pd.DataFrame, text_at: list[int], f: _Findings) -> pd.DataFrame:
    """:func:`_clean_frame` column by column: each text column is coded by value (in
    Arrow for Arrow strings), the distinct values of all of them are cleaned once, and
    each column is rebuilt by taking from the cleaned values."""
    codes: list[np.ndarray] = []
    parts: list[pd.Series] = []
    for j in text_at:
        c, u = pd.factorize(frame.iloc[:, j], use_na_sentinel=True)
        codes.append(c)
        parts.append(pd.Series(u, dtype=object))
    at, uniques = pd.factorize(pd.concat(parts, ignore_index=True), use_na_sentinel=True)
    starts = np.cumsum([0] + [len(u) for u in parts])
    u = pd.Series(_whole_numbers_as_digits(uniques), dtype="string")
    ctrl = u.str.contains(CONTROL_CHARS, regex=True).fillna(False).to_numpy(dtype=bool)
    if ctrl.any():
        u = u.str.replace(CONTROL_CHARS, "", regex=True)
    cleaned = clean_text(u).array
    columns = {j: frame.iloc[:, j] for j in range(frame.shape[1]) if j not in set(text_at)}
    for k, j in enumerate(text_at):
        pos = np.full(len(frame), -1, dtype=np.intp)
        present = codes[k] >= 0
        pos[present] = at[starts[k] + codes[k][present]]
        present &= pos >= 0
        columns[j] = pd.Series(
            cleaned.take(pos, allow_fill=True), index=frame.index, dtype="string"
        )
        hit = np.zeros(len(frame), dtype=bool)
        hit[present] = ctrl[pos[present]]
        if hit.any():
            raw = pd.Series(frame.iloc[:, j].to_numpy(dtype=object, na_value=None)[hit])
            _note_controls(f, frame.index[hit], str(frame.columns[j]), raw)
    return pd.concat([columns[j] for j in range(frame.shape[1])], axis=1)


def _clean_wide(frame: pd.DataFrame, f: _Findings) -> pd.DataFrame:
    """:func:`_clean_frame` of a table of text columns only, wider than
    :data:`WIDE_COLUMNS`: one block of objects, coded by value at once."""
    block = frame.to_numpy(dtype=object, na_value=None)
    codes, uniques = pd.factorize(block.ravel(), use_na_sentinel=True)
    u = pd.Series(_whole_numbers_as_digits(uniques), dtype="string")
    ctrl = u.str.contains(CONTROL_CHARS, regex=True).fillna(False).to_numpy(dtype=bool)
    if ctrl.any():
        u = u.str.replace(CONTROL_CHARS, "", regex=True)
    cleaned = clean_text(u).to_numpy(dtype=object, na_value=None)
    cells = np.where(codes < 0, None, cleaned[np.where(codes < 0, 0, codes)])
    cells = cells.reshape(block.shape)
    if ctrl.any():
        hit = np.where(codes < 0, False, ctrl[np.where(codes < 0, 0, codes)]).reshape(block.shape)
        for k in np.flatnonzero(hit.any(axis=0)):
            raw = pd.Series(block[hit[:, k], k], dtype=object)
            _note_controls(f, frame.index[hit[:, k]], str(frame.columns[k]), raw)
    return pd.DataFrame(cells, index=frame.index, dtype=object)


def _whole_numbers_as_digits(values: Any) -> np.ndarray:
    """Distinct cell values with each float cell that is a whole number written as its
    digits (``102.0`` -> ``"102"``), as :func:`_text` writes a float column: a column
    of mixed cells (text and numbers, as a spreadsheet or code gives) reads its numbers
    as a column of numbers does. Other cells are left as they are.

    Examples
    --------
    >>> _whole_numbers_as_digits(np.array(["S2", 102.0, 102.5, 7], dtype=object)).tolist()
    ['S2', '102', 102.5, 7]
    """
    out = np.asarray(values, dtype=object)
    if pd.api.types.infer_dtype(out, skipna=True) in ("string", "empty"):
        return out  # text only (what the readers give): nothing to write
    out = out.copy()
    for k, v in enumerate(out):
        if isinstance(v, (float, np.floating)) and np.isfinite(v) and v == np.round(v):
            out[k] = str(int(v))
    return out


def _note_controls(f: _Findings, rows: pd.Index, column: str, raw: pd.Series) -> None:
    f.add(
        rows,
        column,
        raw.map(lambda v: CONTROL_CHARS.sub("?", str(v))),
        "control characters removed (they cannot be shown or stored in a spreadsheet)",
        severity="warning",
    )


def _is_text_dtype(dt: Any) -> bool:
    return pd.api.types.is_string_dtype(dt) or dt == np.dtype(object)


def _text(s: pd.Series) -> pd.Series:
    """A column as clean ``string`` values (ids and text written as numbers included)."""
    if _is_text(s):
        return s.astype("string")
    if pd.api.types.is_float_dtype(s.dtype):
        ints = s.notna() & (s == s.round())
        out = s.astype("string")
        out[ints.fillna(False).to_numpy()] = s[ints.fillna(False)].astype("Int64").astype("string")
        return out
    return _clean(s.astype("string"))


def _numbers(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers as Float64 and a mask of cells that are present but not numbers."""
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        vals = s.astype("Float64")
        bad = vals.notna() & ~np.isfinite(vals.fillna(0).to_numpy(dtype=float))
        return vals.mask(bad), pd.Series(np.asarray(bad, dtype=bool), index=s.index)
    text = _clean(s.astype("string"))

    def parse(t: pd.Series) -> pd.Series:
        t = t.astype("string")
        plain = t.where(~t.str.fullmatch(_THOUSANDS).fillna(False), t.str.replace(",", ""))
        ok = plain.str.fullmatch(_NUMBER).fillna(False).astype(bool)
        vals = pd.to_numeric(plain.where(ok), errors="coerce").astype("Float64")
        finite = vals.notna() & np.isfinite(vals.fillna(0).to_numpy(dtype=float))
        return vals.where(finite)

    vals = _by_unique(text, parse).astype("Float64")
    bad = text.notna() & vals.isna()
    return vals, bad.astype(bool)


def _dates(
    s: pd.Series, f: _Findings | None = None, column: str = "date"
) -> tuple[pd.Series, pd.Series]:
    """Dates as datetime64[us] and the reason each unparsed cell failed ("" if none).

    With ``f``, what was assumed is recorded as warnings, as the export reader does: a
    column whose order cannot be told, read day-first (under ``date_order="auto"``),
    and two-digit years read as 20yy.
    """
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        out, why = parse_dates(s)
    else:
        text = _clean(s.astype("string")) if not _is_text(s) else s.astype("string")
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
        # parse_dates takes object cells (str, numbers, datetimes); give it plain str.
        cells = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
        order = current_date_order()
        if order == "auto" and len(cells):
            order, note = choose_date_order(cells, "auto", where=f"column {column}")
            if note and f is not None:
                f.add([pd.NA], column, [None], note, severity="warning")
        u_out, u_why = parse_dates(cells, date_order=order)
        short = two_digit_year(cells).to_numpy(dtype=bool) & u_out.notna().to_numpy()
        if f is not None and short.any():
            rows = s.index[np.isin(codes, np.flatnonzero(short))]
            f.add(rows, column, s[rows], "two-digit year read as 20yy", severity="warning")
        idx = np.where(codes < 0, 0, codes)
        if len(uniques):
            out = pd.Series(u_out.to_numpy()[idx], index=s.index)
            why = pd.Series(u_why.to_numpy()[idx], index=s.index, dtype="string")
            out[codes < 0] = pd.NaT
            why[codes < 0] = ""
        else:
            out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
            why = pd.Series("", index=s.index, dtype="string")
    return out.astype("datetime64[us]"), why.fillna("").astype("string")


def _check_column(col: Column, raw: pd.Series, f: _Findings, bad: np.ndarray) -> pd.Series:
    """Parse one column; record its problems; mark rows with errors in ``bad``."""
    idx = raw.index
    if col.kind == "date":
        values, why = _dates(raw, f, col.name)
        failed = (why != "").to_numpy()
        f.add(idx[failed], col.name, raw[failed], why[failed])
        bad |= failed
    elif col.kind in ("int", "float"):
        values, notnum = _numbers(raw)
        f.add(idx[notnum.to_numpy()], col.name, raw[notnum.to_numpy()], "not a number")
        bad |= notnum.to_numpy()
        if col.kind == "int":
            frac = values.notna() & ((values != values.round()) | (values.abs() > _MAX_EXACT_INT))
            frac = frac.fillna(False).to_numpy(dtype=bool)
            f.add(idx[frac], col.name, raw[frac], "not a whole number")
            bad |= frac
            values = values.mask(frac)
        lo = values.notna() & (values < col.min) if col.min is not None else None
        hi = values.notna() & (values > col.max) if col.max is not None else None
        for mask in (lo, hi):
            if mask is None:
                continue
            m = mask.fillna(False).to_numpy(dtype=bool)
            f.add(idx[m], col.name, raw[m], _range_message(col))
            bad |= m
        if col.kind == "int":
            values = values.round().astype("Int64")
    else:
        values = _text(raw)
        if col.kind in VOCABULARIES:
            values = _vocabulary(col, values, raw, f, bad)
    if col.required:
        missing = values.isna().to_numpy(dtype=bool) & ~bad
        f.add(idx[missing], col.name, raw[missing], f"missing {col.name} (required)")
        bad |= missing
    return values


def _range_message(col: Column) -> str:
    if col.min is not None and col.max is not None:
        return f"out of range: {col.name} must be between {col.min:g} and {col.max:g}"
    return f"out of range: {col.name} must be at least {col.min:g}"


def _vocabulary(
    col: Column, values: pd.Series, raw: pd.Series, f: _Findings, bad: np.ndarray
) -> pd.Series:
    func = VOCABULARIES[col.kind]
    uniques = values.dropna().unique()
    mapping = {u: func(u) for u in uniques}
    mapped = values.map(mapping).astype("string")
    unmapped = (values.notna() & mapped.isna()).to_numpy(dtype=bool)
    if col.kind == "authority":
        # wpnet serves other partnerships too: an unknown authority is kept as written.
        f.add(
            raw.index[unmapped],
            col.name,
            raw[unmapped],
            "authority not among the eight West Partnership authorities; kept as written",
            severity="warning",
        )
        return mapped.where(~unmapped, values)
    f.add(
        raw.index[unmapped],
        col.name,
        raw[unmapped],
        f"not a known {col.kind}; use one of: {_ALLOWED[col.kind]} (or a listed alias)",
    )
    bad |= unmapped
    return mapped


# ---- one table -----------------------------------------------------------------------
def _map_header(spec: TableSpec, frame: pd.DataFrame, f: _Findings) -> tuple[pd.DataFrame, bool]:
    """Rename columns to canonical names; report missing and duplicated columns."""
    names: list[str] = []
    for i, h in enumerate(frame.columns):
        c = canonical_header(h)
        c = spec.aliases.get(c, c) if c not in spec.names else c
        names.append(c or f"unnamed_{i + 1}")
    fatal = False
    seen: dict[str, int] = {}
    for i, c in enumerate(names):
        if c in seen:
            first = frame.columns[seen[c]]
            f.add(
                [1],
                c,
                [frame.columns[i]],
                f"column {c} appears twice (headers {str(first)!r} and {str(frame.columns[i])!r})",
            )
            fatal = True
        else:
            seen[c] = i
    missing = [c for c in spec.required if c not in seen]
    for c in missing:
        f.add(
            [1],
            c,
            [None],
            f"required column {c} missing; header has: {', '.join(map(str, frame.columns))}",
        )
        fatal = True
    out = frame.copy()
    out.columns = names
    return out, fatal


def _exact_duplicates(frame: pd.DataFrame, f: _Findings) -> pd.Series:
    """Mark copies of earlier identical rows; return the row each copies (or <NA>)."""
    copy_of = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    if len(frame) < 2 or frame.shape[1] == 0:
        return copy_of
    first_pos = _first_equal_row(frame)
    copies = first_pos != np.arange(len(frame))
    if not copies.any():
        return copy_of
    first = frame.index.to_numpy()[first_pos[copies]]
    rows = frame.index[copies]
    copy_of[rows] = first
    f.add(
        rows,
        None,
        [None] * len(rows),
        [f"duplicate of row {r}" for r in first],
        severity="warning",
    )
    return copy_of


def _first_equal_row(frame: pd.DataFrame) -> np.ndarray:
    """For each row, the position of the first row equal to it (missing equals missing).

    Every column is coded by value (in its own dtype: Arrow strings in Arrow; missing
    coded 0); a row's codes are packed into one integer key in mixed radix
    ``key * (values + 1) + code``, and the key is renumbered (hashed) only when the next
    column would overflow 62 bits. The keys are then numbered in order of first
    appearance, so a row is the first of its kind exactly when its number exceeds
    every number before it. The cost grows with the number of cells, without sorting.
    """
    n, m = frame.shape
    key = np.zeros(n, dtype=np.int64)
    kinds = 1  # key < kinds
    for j in range(m):
        codes, uniques = pd.factorize(frame.iloc[:, j], use_na_sentinel=True)
        radix = len(uniques) + 1
        if kinds * radix >= 1 << 62:
            key, seen = pd.factorize(key)
            key, kinds = key.astype(np.int64), len(seen)
        key = key * radix + (codes.astype(np.int64) + 1)
        kinds *= radix
    number = pd.factorize(key)[0]
    running = np.maximum.accumulate(number)
    first = np.ones(n, dtype=bool)
    first[1:] = running[1:] > running[:-1]
    return np.flatnonzero(first)[number]


def _key_conflicts(
    spec: TableSpec, clean: pd.DataFrame, live: np.ndarray, f: _Findings
) -> np.ndarray:
    """Rows whose id is also on another (different) row: an error naming both."""
    key = clean[spec.key]
    cand = live & key.notna().to_numpy()
    dup = np.zeros(len(clean), dtype=bool)
    dup[cand] = key[cand].duplicated(keep=False).to_numpy()
    if not dup.any():
        return dup
    sub = clean[dup]
    rows, msgs = [], []
    for value, group in sub.groupby(spec.key, sort=False):
        for r in group.index:
            others = [o for o in group.index if o != r]
            diff = _differences(group.loc[r], group.loc[others[0]], spec.key)
            rows.append(r)
            msgs.append(
                f"{spec.key} {value!r} is also on row{'s' if len(others) > 1 else ''} "
                f"{', '.join(map(str, others))} with different values ({diff}); "
                "keep one row per id"
            )
    f.add(rows, spec.key, clean.loc[rows, spec.key], msgs)
    return dup


def _case_twins(key: str, clean: pd.DataFrame, f: _Findings) -> None:
    """Ids that differ only in case (``P1``, ``p1``) are read as two units, with a
    warning on each row naming the other: they may be one, written two ways."""
    ids = clean[key].dropna().astype(str)
    folded = ids.str.casefold()
    twins = folded.duplicated(keep=False) & ~ids.duplicated(keep=False)
    if not twins.any():
        return
    rows, msgs = [], []
    for _, group in ids[twins].groupby(folded[twins], sort=False):
        for r, v in group.items():
            others = [f"{w!r} (row {o})" for o, w in group.items() if w != v]
            if others:
                rows.append(r)
                msgs.append(
                    f"{key} {v!r} differs only in case from {', '.join(others)}: read as "
                    "two; if they are one, write them alike"
                )
    f.add(rows, key, clean.loc[rows, key], msgs, severity="warning")


def _differences(a: pd.Series, b: pd.Series, key: str) -> str:
    out = []
    for c in a.index:
        if c == key:
            continue
        x, y = a[c], b[c]
        if (pd.isna(x) and pd.isna(y)) or (not pd.isna(x) and not pd.isna(y) and x == y):
            continue
        out.append(f"{c}: {_short(_as_cell_text(x))!r} vs {_short(_as_cell_text(y))!r}")
    return "; ".join(out[:3]) + ("; ..." if len(out) > 3 else "")


def _short(text: str | None, limit: int = 60) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


@dataclass
class _Done:
    clean: pd.DataFrame
    accepted: np.ndarray
    broken: bool


def _member(values: pd.Series, pool: pd.Series) -> np.ndarray:
    """``values.isin(pool)`` as a NumPy mask (missing values are not members).

    Arrow-backed strings are hashed in Arrow (``pyarrow.compute.is_in``): pandas'
    ``isin`` on them loops over the pool in Python. Other dtypes use pandas' ``isin``.

    Examples
    --------
    >>> v = pd.Series(["a", "b", None], dtype="string")
    >>> _member(v, pd.Series(["b", "c"], dtype="string")).tolist()
    [False, True, False]
    """
    if _arrow_strings(values) and _arrow_strings(pool):
        import pyarrow as pa
        import pyarrow.compute as pc

        text = pa.large_string()
        found = pc.is_in(
            pa.array(values.array).cast(text), value_set=pa.array(pool.dropna().array).cast(text)
        )
        return pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    return (values.notna() & values.isin(pool.dropna())).to_numpy(dtype=bool)


def _arrow_strings(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"


def _references(
    col: Column,
    clean: pd.DataFrame,
    done: dict[str, _Done],
    f: _Findings,
    live: np.ndarray,
) -> np.ndarray:
    assert col.references is not None
    target, target_col = col.references.split(".")
    bad = np.zeros(len(clean), dtype=bool)
    t = done.get(target)
    if t is None or t.broken or col.name not in clean:
        return bad
    ids = t.clean[target_col]
    rejected_rows = (
        pd.Series(ids.index[~t.accepted], index=ids[~t.accepted].to_numpy())
        .groupby(level=0)
        .agg(lambda r: sorted(r))
        if (~t.accepted).any()
        else pd.Series(dtype=object)
    )
    values = clean[col.name]
    unresolved = values.notna().to_numpy(dtype=bool) & ~_member(values, ids[t.accepted]) & live
    if not unresolved.any():
        return bad
    msg_for: dict[str, str] = {}
    for v in values[unresolved].unique():
        if v in rejected_rows.index:
            rows = rejected_rows[v]
            msg_for[v] = (
                f"{col.name} {v!r} is on rejected {target} row"
                f"{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))}"
            )
        else:
            msg_for[v] = f"unknown {target_col} {v!r}: not in {target}"
    f.add(
        clean.index[unresolved],
        col.name,
        values[unresolved],
        values[unresolved].map(msg_for).tolist(),
    )
    return unresolved


def _check_table(
    name: str, raw: RawTable, done: dict[str, _Done], f: _Findings
) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Check one table: returns (accepted rows, rejected rows, broken)."""
    spec = TABLES[name]
    frame, broken = _map_header(spec, raw.frame, f)
    for p in raw.problems:
        f.add(
            [p["row"]],
            p.get("column"),
            [p.get("value")],
            [p["message"]],
            p.get("severity", "error"),
        )
    pre_bad = pd.Index([p["row"] for p in raw.problems if p.get("severity", "error") == "error"])
    if broken:
        empty = frame.iloc[0:0]
        done[name] = _Done(empty, np.zeros(0, dtype=bool), True)
        return empty, frame.iloc[0:0], True
    cleaned = _clean_frame(frame, f)
    copy_of = _exact_duplicates(cleaned, f)
    live_rows = copy_of.isna().to_numpy()
    work = cleaned[live_rows]
    bad = np.asarray(work.index.isin(pre_bad), dtype=bool)
    parts: dict[str, pd.Series] = {}
    for col in spec.columns:
        if col.name in work:
            try:
                parts[col.name] = _check_column(col, work[col.name], f, bad)
            except DataError as err:
                # a whole column refused (a month-first or mixed date column): one
                # problem of the column, fatal (no row can be dropped to cure it)
                f.add([None], col.name, [None], [str(err)])
                parts[col.name] = pd.Series(pd.NaT, index=work.index, dtype="datetime64[us]")
                bad[:] = True
    extras = [c for c in work.columns if c not in spec.names]
    clean = pd.concat(
        [pd.DataFrame(parts, index=work.index), work[extras]]
        if extras
        else [pd.DataFrame(parts, index=work.index)],
        axis=1,
    )
    live = np.ones(len(clean), dtype=bool)
    if spec.key is not None:
        bad |= _key_conflicts(spec, clean, live, f)
        _case_twins(spec.key, clean, f)
    for col in spec.columns:
        if col.references is not None:
            bad |= _references(col, clean, done, f, live)
    accepted = ~bad
    done[name] = _Done(clean, accepted, False)
    reasons = _reasons(f, copy_of)
    rejected_idx = frame.index[~copy_of.isna().to_numpy()].append(work.index[~accepted])
    rejected = frame.loc[rejected_idx]
    rejected = rejected.astype("string" if rejected.shape[1] <= WIDE_COLUMNS else object)
    rejected.insert(0, "reason", reasons.reindex(rejected_idx).to_numpy())
    rejected.insert(0, "row", pd.array(rejected_idx, dtype="Int64"))
    rejected.insert(0, "table", name)
    return clean[accepted].reset_index(drop=True), rejected.reset_index(drop=True), False


def read_values(name: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The values of one table read as the readers read them, no row rejected.

    What :func:`check_tables` does to each cell, and only that: text is cleaned (white
    space folded, missing markers such as ``""`` or ``"N/A"`` to ``<NA>``, control
    characters removed), ids written as whole numbers become their digits (``102.0``
    -> ``"102"``), vocabularies map through their aliases (``"Network Lead"`` ->
    ``"lead"``), dates parse by :func:`wpnet._parse.parse_dates` (its date order, set
    by :func:`wpnet._parse.reading_dates`), numbers parse and are checked against
    their range. Keys, copies and references are not checked (:func:`check_tables`
    does that), and no row is dropped: a value that cannot be read is missing in the
    result and named in the problems. The :class:`~wpnet.ecosystem.Ecosystem`
    constructor uses it, so that a table built in code means what the same table
    read from a file means.

    Parameters
    ----------
    name : str
        The table (``establishments``, ``practitioners``, ``networks``,
        ``participation`` or ``ties``).
    frame : DataFrame
        Its columns under their canonical names; other columns are kept as given.

    Returns
    -------
    values : DataFrame
        The table's columns read, then the other columns, on ``frame``'s row labels.
    problems : DataFrame
        :data:`PROBLEM_COLUMNS`, rows numbered as :func:`wpnet.validate` numbers an
        Ecosystem's rows (a file written from the table: header row 1, first row 2).
        Missing required values are not among them (:func:`wpnet.validate` says so).

    Raises
    ------
    DataError
        A date column whose order cannot be told (a month-first or mixed column under
        ``date_order="auto"``).

    Examples
    --------
    >>> import pandas as pd
    >>> part = pd.DataFrame({"practitioner_id": [" P1", "P2"], "network_id": [101.0, 102.0],
    ...                      "date": ["2023-02-28", "03/04/2023"],
    ...                      "establishment_id": ["", "E2"], "role": ["Network Lead", "boss"]})
    >>> values, problems = read_values("participation", part)
    >>> values.drop(columns="date").values.tolist()
    [['P1', '101', <NA>, 'lead'], ['P2', '102', 'E2', <NA>]]
    >>> values["date"].dt.strftime("%d %B %Y").tolist()
    ['28 February 2023', '03 April 2023']
    >>> problems[["row", "column", "value"]].values.tolist()  # and the order assumed
    [[<NA>, 'date', <NA>], [3, 'role', 'boss']]
    """
    spec = TABLES[name]
    f = _Findings(name)
    labels = frame.index
    work = frame.reset_index(drop=True)
    work.index = work.index + 2
    own = [c.name for c in spec.columns if c.name in work.columns]
    cleaned = _clean_frame(work[own], f) if own else work[own]
    bad = np.zeros(len(work), dtype=bool)
    parts = {
        c.name: _check_column(c, cleaned[c.name], f, bad) for c in spec.columns if c.name in own
    }
    for column, values in parts.items():
        given = work[column].dtype
        if pd.api.types.is_datetime64_dtype(given) and values.dtype != given:
            parts[column] = values.astype(given)  # dates given as dates keep their unit
    out = pd.DataFrame(parts, index=work.index)
    extras = [c for c in work.columns if c not in spec.names]
    if extras:
        out = pd.concat([out, work[extras]], axis=1)
    out.index = labels
    problems = f.frame()
    required = {f"missing {c.name} (required)" for c in spec.columns if c.required}
    problems = problems[~problems["message"].isin(required).to_numpy(dtype=bool)]
    return out, problems.reset_index(drop=True)


def _reasons(f: _Findings, copy_of: pd.Series) -> pd.Series:
    p = f.frame()
    p = p[(p["severity"] == "error").to_numpy() & (p["row"] > 1).fillna(False).to_numpy()]
    text = (
        (p["column"].fillna("row") + ": " + p["message"])
        .groupby(p["row"].to_numpy())
        .agg("; ".join)
    )
    copies = copy_of.dropna()
    dup = pd.Series([f"duplicate of row {r}" for r in copies], index=copies.index, dtype=object)
    # a copy is rejected as a copy (the row it copies carries any other problem)
    text = text[~text.index.isin(copies.index)]
    return pd.concat([text.astype(object), dup])


def check_tables(
    raw: dict[str, RawTable],
    notes: list[dict[str, Any]] | tuple[()] = (),
    where: str = "the data",
) -> Checked:
    """Check raw tables against the schema; the core of reading and validation.

    Parameters
    ----------
    raw : dict
        Table name -> :class:`RawTable`. Missing required tables are reported.
    notes : list of dict
        Findings of the reader outside any table (an ignored sheet): ``table``,
        ``message``, ``severity`` and optionally ``row``, ``column``, ``value``.
    where : str
        Where the tables were looked for, for the message of a missing table.

    Returns
    -------
    Checked
        Accepted tables (canonical columns and dtypes, extra columns kept), rejected
        rows, every problem found, rows read and sources. Every row read is either
        accepted or rejected, once.

    Examples
    --------
    >>> import pandas as pd
    >>> est = pd.DataFrame({"establishment_id": ["E1", "E1"], "name": ["A", "A"],
    ...                     "authority": ["Glasgow", "Glasgow"], "sector": ["ELC", "ELC"]},
    ...                    index=[2, 3])
    >>> res = check_tables({"establishments": RawTable(est, "establishments.csv")})
    >>> res.tables["establishments"][["authority", "sector"]].iloc[0].tolist()
    ['Glasgow City', 'early_years']
    >>> res.rejected.loc[0, "reason"]
    'duplicate of row 2'

    """
    findings: list[pd.DataFrame] = []
    tables: dict[str, pd.DataFrame] = {}
    rejected: list[pd.DataFrame] = []
    rows_read: dict[str, int] = {}
    sources: dict[str, str] = {}
    done: dict[str, _Done] = {}
    unknown = [t for t in raw if t not in TABLES]
    if unknown:
        raise ValueError(f"unknown tables {unknown!r}; expected some of {list(TABLES)}")
    for name in ORDER:
        f = _Findings(name)
        spec = TABLES[name]
        if name not in raw:
            if not spec.optional:
                f.add([pd.NA], None, [None], f"required table {name} not found in {where}")
            findings.append(f.frame())
            continue
        r = raw[name]
        sources[name] = r.source
        rows_read[name] = len(r.frame)
        if len(r.frame) == 0 and not spec.optional:
            f.add([pd.NA], None, [None], f"table {name} has no rows", severity="warning")
        clean, rej, broken = _check_table(name, r, done, f)
        if not broken:
            tables[name] = clean
        if len(rej):
            rejected.append(rej)
        findings.append(f.frame().sort_values("row", kind="stable", na_position="first"))
    findings.append(_problems_frame(list(notes)))
    problems = pd.concat(findings, ignore_index=True).astype(_problems_frame().dtypes.to_dict())
    return Checked(tables, _rejected_frame(rejected), problems, rows_read, sources)


def _rejected_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    base = pd.DataFrame(
        {
            "table": pd.Series(dtype="string"),
            "row": pd.Series(dtype="Int64"),
            "reason": pd.Series(dtype="string"),
        }
    )
    if not parts:
        return base
    out = pd.concat(parts, ignore_index=True)
    if out.shape[1] > WIDE_COLUMNS:
        head = out[["table", "row", "reason"]].astype({"table": "string", "row": "Int64"})
        rest = out.drop(columns=["table", "row", "reason"]).astype(object)
        return pd.concat([head.astype({"reason": "string"}), rest], axis=1)
    return out.astype({c: "string" for c in out.columns if c != "row"} | {"row": "Int64"})


# ---- messages ------------------------------------------------------------------------
def describe(problem: pd.Series, sources: dict[str, str]) -> str:
    """One problem as a line: ``file row R, column C, value 'V': message``."""
    where = sources.get(problem["table"], str(problem["table"]))
    parts = [where]
    if not pd.isna(problem["row"]):
        parts.append("header (row 1)" if problem["row"] == 1 else f"row {problem['row']}")
    if not pd.isna(problem["column"]):
        parts.append(f"column {problem['column']}")
    if not pd.isna(problem["value"]):
        parts.append(f"value {_short(str(problem['value']))!r}")
    return ", ".join(parts) + f": {problem['message']}"


def problems_message(
    problems: pd.DataFrame, sources: dict[str, str], title: str, limit: int = 50
) -> str:
    """A DataError message: a title line then one line per problem (at most ``limit``)."""
    lines = [title]
    for _, p in problems.head(limit).iterrows():
        lines.append("  " + describe(p, sources))
    if len(problems) > limit:
        lines.append(f"  ... and {len(problems) - limit} more (see the error's .problems)")
    return "\n".join(lines)
