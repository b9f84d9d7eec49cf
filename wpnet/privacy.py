"""Privacy and output safety: keyed pseudonyms, small-cell suppression, safe writing.

Participation records are personal data (SECURITY.md). This module holds everything
that keeps them safe on the way in and on the way out:

- :func:`pseudonymise` turns e-mails (or names) into keyed pseudonyms at ingest;
- :func:`suppress` hides small practitioner counts in published tables, with secondary
  suppression so that no hidden count can be recovered from the totals;
- :func:`safe_cell` / :func:`neutralise` stop spreadsheet formula injection in CSV and
  XLSX outputs; :func:`json_for_html` makes JSON safe to embed in a ``<script>``;
- :func:`atomic_write` / :func:`atomic_path` write outputs to a temporary file in the
  same folder and rename it into place, so an interrupted run never leaves a
  half-written file, and refuse to overwrite an input;
- :func:`to_builtin` turns numpy and pandas scalars into plain Python values.

Every writer in wpnet goes through these helpers.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import shutil
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wpnet._parallel import blas_threads
from wpnet._parse import WHITESPACE_RUN
from wpnet._personal import PERSONAL_HEADER_WORDS, personal_columns
from wpnet.errors import KeyMissing, UsageError, WpnetError

__all__ = [
    "BOUNDING_COLUMNS",
    "CONTROL_CHARS",
    "KEY_ENV",
    "MIN_KEY_BYTES",
    "PERSONAL_HEADER_WORDS",
    "PSEUDONYM_HEX",
    "KeyMissing",
    "atomic_folder",
    "atomic_path",
    "atomic_write",
    "atomic_write_all",
    "check_output",
    "csv_text",
    "determined",
    "secondary_for",
    "json_for_html",
    "neutralise",
    "personal_columns",
    "printable",
    "pseudonymise",
    "resolve_key",
    "safe_cell",
    "scrub",
    "strip_controls",
    "suppress",
    "to_builtin",
]

#: Environment variable read for the pseudonymisation key when none is passed.
KEY_ENV = "WPNET_KEY"

#: Published columns that bound a unit's practitioner count: each establishment,
#: authority or (non-central) establishment reached has at least one practitioner, and
#: each practitioner at least one record. Wherever a practitioner count is hidden, these
#: are hidden with it (coverage = reached / eligible, equity_ratio from coverages).
BOUNDING_COLUMNS = ("establishments", "authorities", "reached", "coverage", "simd_q1_coverage",
                    "equity_ratio", "records")  # fmt: skip

#: Shortest key accepted, in bytes (after UTF-8 encoding): 16 bytes = 128 bits.
MIN_KEY_BYTES = 16

#: C0 control characters (and DEL) other than tab, line feed and carriage return: never
#: kept in a cell (spreadsheets cannot store them; terminals act on them).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: Hex digits of the HMAC kept in a pseudonym (16 hex digits = 64 bits).
PSEUDONYM_HEX = 16

_WS = re.compile(WHITESPACE_RUN)


_KEY_HELP = (
    "no pseudonymisation key: pass key=... or set the environment variable "
    f"{KEY_ENV} (for example `export {KEY_ENV}=$(python -c "
    "'import secrets; print(secrets.token_hex(32))')`). Practitioners' names and "
    "e-mails are replaced by keyed pseudonyms (HMAC-SHA256) and wpnet will not run "
    "without a key. Keep the key secret, and keep the SAME key from year to year: a "
    "different key gives different pseudonyms, and then years cannot be compared "
    "(retention, who came back, cannot be measured)."
)


def resolve_key(key: str | bytes | None = None) -> bytes:
    """The pseudonymisation key as bytes: ``key`` if given, else ``$WPNET_KEY``.

    A text key is put in Unicode normal form NFC before it is encoded as UTF-8, so the
    same key typed on two systems (``"é"`` as one code point or as ``e`` + combining
    accent) gives the same pseudonyms. A key must be at least :data:`MIN_KEY_BYTES`
    (16) bytes long and must not begin or end with white space (a newline copied from a
    file or a shell would silently change every pseudonym).

    Raises
    ------
    KeyMissing
        When neither is set (or the key is empty); the message says how to set one.
    UsageError
        When the key is shorter than 16 bytes or has surrounding white space.

    Examples
    --------
    >>> resolve_key("correct horse battery staple")
    b'correct horse battery staple'
    >>> resolve_key("cafe\u0301-0123456789") == resolve_key("caf\u00e9-0123456789")
    True
    """
    if key is None:
        key = os.environ.get(KEY_ENV)
    if key is None or len(key) == 0:
        raise KeyMissing(_KEY_HELP)
    if isinstance(key, str):
        raw = unicodedata.normalize("NFC", key).encode("utf-8")
    elif isinstance(key, bytes):
        raw = key
    else:
        raise TypeError(f"key must be str or bytes, not {type(key).__name__}")
    if raw != raw.strip():
        raise UsageError(
            "the pseudonymisation key begins or ends with white space (a newline copied "
            "with it?); remove it: a different key gives different pseudonyms"
        )
    if len(raw) < MIN_KEY_BYTES:
        raise UsageError(
            f"the pseudonymisation key is {len(raw)} bytes long; use at least "
            f"{MIN_KEY_BYTES} (for example `python -c 'import secrets; "
            "print(secrets.token_hex(32))'`)"
        )
    return raw


def _normalise(values: pd.Series) -> pd.Series:
    s = values.astype("string")
    s = s.str.replace(WHITESPACE_RUN, " ", regex=True).str.strip().str.lower()
    return s.mask(s == "")


def pseudonymise(
    values: Any, *, key: str | bytes | None = None, prefix: str = "pn_"
) -> pd.Series | np.ndarray | str | None:
    """Keyed pseudonyms of names or e-mails.

    ``pseudonym = prefix + hex(HMAC-SHA256(key, normalise(value)))[:16]``, where
    ``normalise`` trims, folds every run of white space to one space and lower-cases
    (so ``" Ann.Smith@School.org "`` and ``"ann.smith@school.org"`` get the same
    pseudonym). Missing or empty values stay missing.

    Parameters
    ----------
    values : Series, array-like or str
        The values to pseudonymise.
    key : str or bytes, optional
        The secret key; defaults to the environment variable ``WPNET_KEY``. Keep the
        same key every year, or pseudonyms cannot be linked across years. At least 16
        bytes, no surrounding white space; a text key is normalised to Unicode NFC
        first (:func:`resolve_key`).
    prefix : str
        Put in front of the hex digits (default ``"pn_"``, the prefix
        :func:`wpnet.read_ecosystem` recognises as an existing pseudonym).

    Returns
    -------
    Series (string dtype, same index) for a Series; a numpy object array for other
    array-likes; a str (or ``None``) for a single str.

    Raises
    ------
    KeyMissing
        With no key (the message explains how to set ``WPNET_KEY``).

    Notes
    -----
    Keeping 16 hex digits (64 bits) of the HMAC, the probability that any two of ``n``
    distinct values share a pseudonym is at most ``n (n - 1) / 2**65`` (birthday
    bound): below 3e-10 for 100,000 practitioners and 3e-8 for a million.
    :func:`wpnet.from_records` checks for collisions and raises if one ever occurs.
    Without the key a pseudonym can be neither reversed nor recomputed from a guessed
    e-mail (HMAC is a pseudorandom function, RFC 2104).

    Examples
    --------
    >>> key = "a key of sixteen+ bytes"
    >>> a, b, c = pseudonymise(pd.Series([" Ann@X.org", "ann@x.org ", None]), key=key)
    >>> a == b, a.startswith("pn_"), c
    (True, True, <NA>)
    """
    k = resolve_key(key)
    scalar = isinstance(values, str)
    series = values if isinstance(values, pd.Series) else pd.Series([values] if scalar else values)
    norm = _normalise(series)
    uniq = norm.dropna().unique()
    table = {
        v: prefix + hmac.new(k, v.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]
        for v in uniq
    }
    out = norm.map(table).astype("string")
    if isinstance(values, pd.Series):
        return out
    if scalar:
        v = out.iloc[0]
        return None if pd.isna(v) else str(v)
    return np.array([None if pd.isna(v) else str(v) for v in out], dtype=object)


# ---- small-cell suppression ------------------------------------------------------

_TOTAL_LABELS = frozenset({"total", "totals", "grand total", "all", "overall"})
_TOTALS = ("both", "rows", "columns", "none")


def _is_total(label: object) -> bool:
    return isinstance(label, str) and _WS.sub(" ", label).strip().lower() in _TOTAL_LABELS


def _count_columns(table: pd.DataFrame, columns: Iterable[Any] | None) -> list[Any]:
    if columns is None:
        return [
            c
            for c in table.columns
            if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
        ]
    cols = list(columns)
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise ValueError(f"suppress: columns {missing} not in the table {list(table.columns)}")
    return cols


def _equations(
    n_rows: int, n_cols: int, total_row: int | None, total_col: int | None, totals: str
) -> tuple[np.ndarray, int]:
    """Linear relations between the cells of the count block (row-major), plus virtual
    always-known margins appended as extra variables. Returns (A, n_virtual)."""
    body_r = [i for i in range(n_rows) if i != total_row]
    body_c = [j for j in range(n_cols) if j != total_col]
    eqs: list[tuple[list[int], int | None]] = []  # (cells summing to, total cell)
    # row sums: a total column in the table, or published elsewhere
    if total_col is not None:
        for i in range(n_rows):
            eqs.append(([i * n_cols + j for j in body_c], i * n_cols + total_col))
    elif totals in ("both", "rows") and len(body_c) > 1:
        for i in range(n_rows):
            eqs.append(([i * n_cols + j for j in body_c], None))
    if total_row is not None:
        for j in range(n_cols):
            eqs.append(([i * n_cols + j for i in body_r], total_row * n_cols + j))
    elif totals in ("both", "columns") and len(body_r) > 1:
        for j in range(n_cols):
            eqs.append(([i * n_cols + j for i in body_r], None))
    n_virtual = sum(1 for _, t in eqs if t is None)
    n_var = n_rows * n_cols + n_virtual
    a = np.zeros((len(eqs), n_var))
    v = n_rows * n_cols
    for e, (cells, tot) in enumerate(eqs):
        a[e, cells] = 1.0
        if tot is None:
            a[e, v] = -1.0
            v += 1
        else:
            a[e, tot] = -1.0
    return a, n_virtual


def determined(a: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """The ``unknown`` variables (columns of ``a``; rows: equations ``a x = 0``) that the
    equations and the known variables fix."""
    out = np.zeros(a.shape[1], dtype=bool)
    idx = np.flatnonzero(unknown)
    if idx.size == 0 or a.shape[0] == 0:
        return out
    sub = a[:, idx]
    # x_k is fixed iff every vector of the null space of sub has a zero k-th entry.
    with blas_threads(max(sub.shape)):  # a small SVD: a second thread only spins
        _, s, vt = np.linalg.svd(sub)
    rank = int((s > 1e-9 * max(1.0, s.max() if s.size else 1.0)).sum())
    null = vt[rank:]
    fixed = (np.abs(null) < 1e-9).all(axis=0) if null.size else np.ones(idx.size, bool)
    out[idx[fixed]] = True
    return out


def secondary_for(a: np.ndarray, hidden: np.ndarray, order: Sequence[int], exposed: int) -> int:
    """The first candidate of ``order`` whose hiding leaves ``exposed`` undetermined by
    the equations ``a`` (:func:`determined`), else the first of all."""
    for k in order:
        if not determined(a, hidden | (np.arange(hidden.size) == k))[exposed]:
            return int(k)
    return int(order[0])


def _pinned_by_bounds(
    a: np.ndarray, hidden: np.ndarray, flat: np.ndarray, primary: np.ndarray,
    low: np.ndarray, min_cell: int, n_cells: int,
) -> int | None:  # fmt: skip
    """A hidden cell that the bounds pin through one equation, or None.

    A reader knows each hidden cell's interval: ``[max(1, lower), min_cell - 1]`` for a
    small cell, ``[max(min_cell, lower), ∞)`` for a secondary one (never a zero); and,
    in a line whose total is known, the sum of the hidden cells. When that sum equals
    the sum of the lower ends (or of the upper ends) every hidden cell is pinned.
    """
    for e in range(a.shape[0]):
        members = np.flatnonzero(a[e, :n_cells] > 0)
        total = np.flatnonzero(a[e] < 0)
        if total.size and total[0] < n_cells and hidden[total[0]]:
            continue  # the line's total is hidden too
        cells = members[hidden[members]]
        if cells.size < 2:
            continue  # none hidden, or one (the linear check covers it)
        h = float(flat[cells].sum())
        lo = float(np.where(primary[cells], low[cells], np.maximum(low[cells], min_cell)).sum())
        hi = float(np.where(primary[cells], min_cell - 1, np.inf).sum())
        if h in (lo, hi):
            return int(cells[0])
    return None


def suppress(
    table: pd.DataFrame,
    min_cell: int = 5,
    columns: Iterable[Any] | None = None,
    totals: str = "both",
    *,
    secondary: str = "*",
    lower: Any = None,
    force: Any = None,
) -> pd.DataFrame:
    """Hide small practitioner counts, and enough other cells that they stay hidden.

    Primary suppression: a count ``n`` with ``0 < n < min_cell`` is shown as
    ``f"<{min_cell}"``. Secondary suppression: further cells are shown as
    ``secondary`` until no hidden count can be worked out exactly from the counts
    still shown and the totals (a hidden cell is recoverable when it is determined by
    the linear equations "cells of a row add up to the row total" and "cells of a
    column add up to the column total"; that is, when its unit vector lies in the row
    space of the equations restricted to the hidden cells). Each round hides, in a
    row or column of a recoverable cell, the smallest non-zero shown cell (body
    cells before totals; a zero is never hidden, so a reader knows a secondary cell is
    at least ``min_cell``), preferring one that makes the recoverable cell
    undetermined, until a fixed point.

    Parameters
    ----------
    table : DataFrame
        Counts, one row per unit; rows and columns labelled ``Total``, ``Totals``,
        ``Grand total``, ``All`` or ``Overall`` (case-insensitive) are read as
        margins (they are protected too, and a small total is itself suppressed).
    min_cell : int
        Smallest count that may be shown (default 5).
    columns : list, optional
        Columns holding counts; default every numeric column. Other columns are
        passed through untouched and take no part in the totals.
    totals : {"both", "rows", "columns", "none"}
        Which totals are published *elsewhere* (or can be summed by a reader) when
        the table holds no total row/column: "both" (default, the safe choice) treats
        every row sum and every column sum as known. Totals inside the table are
        always taken into account. A row sum over a single count column is the cell
        itself and is not treated as a separate total.
    secondary : str
        Marker of secondarily suppressed cells (default ``"*"``).
    lower : array-like, optional
        Lower bounds of the counts that are published elsewhere (shape of the count
        block): the number of establishments a network's practitioners come from, for
        example. With them (and 1 for every small cell, ``min_cell - 1`` above) a line
        whose hidden cells must all sit at their lower (or upper) bounds to make up its
        total gets one more cell hidden.
    force : array-like of bool, optional
        Cells hidden whatever their size (shape of the count block): counts that
        another output must not let a reader work out
        (:func:`wpnet.report.disclosure.hidden_units`).

    Returns
    -------
    DataFrame
        A copy in which every count column that has a suppressed cell holds Python
        ``int`` and marker strings (object dtype); other columns are unchanged.
        ``result.attrs["suppressed"]`` is a boolean DataFrame over the count columns
        (True where hidden); ``result.attrs["primary"]`` marks the small cells.

    Raises
    ------
    ValueError
        When a count cell is missing, negative or not a whole number.

    Notes
    -----
    Against exact recovery from this table's sums (two blocks of hidden cells joined by
    one cell leave it recoverable; the rule "two hidden per line" misses that) and one
    line's bounds; counts that add up across outputs are suppressed together by
    :mod:`wpnet.report.disclosure`. Hundepool et al. (2012), *Statistical Disclosure
    Control*, Wiley, ch. 4.

    Examples
    --------
    >>> t = pd.DataFrame({"primary": [12, 3, 20], "secondary": [7, 9, 30]},
    ...                  index=["Glasgow City", "Inverclyde", "Renfrewshire"])
    >>> s = suppress(t)
    >>> s
                 primary secondary
    Glasgow City       *         *
    Inverclyde        <5         *
    Renfrewshire      20        30
    >>> int(s.attrs["suppressed"].to_numpy().sum())  # 3, then the 2x2 rectangle that hides it
    4
    """
    if totals not in _TOTALS:
        raise ValueError(f"suppress: totals must be one of {_TOTALS}, not {totals!r}")
    if int(min_cell) != min_cell or min_cell < 1:
        raise ValueError(f"suppress: min_cell must be a positive whole number, not {min_cell!r}")
    cols = _count_columns(table, columns)
    block = table[cols]
    values = block.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"suppress needs whole, non-negative counts: row {table.index[i]!r}, "
            f"column {cols[j]!r} holds {block.iat[i, j]!r}"
        )
    n_rows, n_cols = values.shape
    tr = [i for i, lab in enumerate(table.index) if _is_total(lab)]
    tc = [j for j, lab in enumerate(cols) if _is_total(lab)]
    if len(tr) > 1 or len(tc) > 1:
        raise ValueError("suppress: more than one total row or total column")
    total_row = tr[0] if tr else None
    total_col = tc[0] if tc else None
    a, n_virtual = _equations(n_rows, n_cols, total_row, total_col, totals)
    flat = values.ravel()
    n_cells = flat.size
    primary = (flat > 0) & (flat < min_cell)
    hidden = np.concatenate([primary, np.zeros(n_virtual, bool)])
    if force is not None:  # a zero is never hidden (see above)
        hidden[:n_cells] |= np.asarray(force, dtype=bool).ravel() & (flat > 0)
    is_margin = np.array(
        [(k // n_cols) == total_row or (k % n_cols) == total_col for k in range(n_cells)]
    )
    low = np.where(primary, 1.0, 0.0)
    if lower is not None:
        given = np.asarray(lower, dtype=float).reshape(n_rows, n_cols).ravel()
        low = np.maximum(low, np.nan_to_num(given, nan=0.0))
    while True:
        det = determined(a, hidden)
        if det.any():
            d = int(np.flatnonzero(det)[0])
        else:
            pinned = _pinned_by_bounds(a, hidden, flat, primary, low, min_cell, n_cells)
            if pinned is None:
                break
            d = pinned
        lines = a[:, d] != 0
        open_ = ~hidden[:n_cells] & (flat > 0)  # a zero is never hidden (see above)
        near = (a[lines] != 0).any(axis=0)[:n_cells] & open_
        pool = np.flatnonzero(near) if near.any() else np.flatnonzero(open_)
        if pool.size == 0:
            break
        order = sorted(pool, key=lambda k: (bool(is_margin[k]), flat[k], k))
        hidden[secondary_for(a, hidden, order, d)] = True
    mask = hidden[:n_cells].reshape(n_rows, n_cols)
    out = table.copy()
    marker = f"<{min_cell}"
    for j, c in enumerate(cols):
        if not mask[:, j].any():
            continue
        shown = [
            (marker if primary[i * n_cols + j] else secondary) if mask[i, j] else int(values[i, j])
            for i in range(n_rows)
        ]
        out[c] = pd.Series(shown, index=out.index, dtype=object)
    out.attrs["suppressed"] = pd.DataFrame(mask, index=table.index, columns=cols)
    out.attrs["primary"] = pd.DataFrame(
        primary.reshape(n_rows, n_cols), index=table.index, columns=cols
    )
    return out


# ---- output safety ---------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(value: Any) -> Any:
    """A text cell made safe for a spreadsheet (CSV/XLSX formula injection).

    Text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return and
    is not a number gets a leading apostrophe, so the spreadsheet shows it as text and
    never runs it (OWASP, "CSV Injection"). Anything that is not a str is returned as
    it is.

    Examples
    --------
    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-3.5"), safe_cell("Ann"), safe_cell(7)
    ('\\'=HYPERLINK("http://x")', '-3.5', 'Ann', 7)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return value if _NUMBER.fullmatch(value) else "'" + value  # "-1\n" is not a number
    return value


def _neutralise_labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_tuples(
            [tuple(safe_cell(v) for v in t) for t in index], names=index.names
        )
    if index.dtype.kind in "iufb" or pd.api.types.is_datetime64_any_dtype(index):
        return index
    return pd.Index([safe_cell(v) for v in index], name=index.name, dtype=index.dtype)


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell, column label and index label passed
    through :func:`safe_cell`; numbers and dates are untouched.

    Text cells are the ``str`` cells of object, string and categorical columns (a
    categorical column with a neutralised cell comes back as an object column). Each is checked in Python, cell by cell,
    with the very test :func:`safe_cell` applies (tests/test_privacy_fast.py compares
    the two on adversarial cells of every dtype).

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["=1+1", "+44 141", "Ann"], "n": [1, -2, 3]})
    >>> neutralise(df)["name"].tolist()
    ["'=1+1", "'+44 141", 'Ann']
    """
    out = df.copy()
    for j in range(out.shape[1]):
        s = out.iloc[:, j]
        cells = _text_cells(s)
        if cells is None:
            continue
        safe = [safe_cell(t) for t in cells[1]]
        risky = [k for k, t in enumerate(cells[1]) if safe[k] is not t]
        if risky:
            out.isetitem(j, _replaced(s, cells[0][risky], [safe[k] for k in risky]))
    out.columns = _neutralise_labels(out.columns)
    out.index = _neutralise_labels(out.index)
    return out


def to_builtin(x: Any) -> Any:
    """A plain Python value for a numpy or pandas scalar (others returned as they are).

    ``np.int64`` -> ``int``, ``np.float64`` -> ``float``, ``np.bool_`` -> ``bool``,
    ``pd.Timestamp`` / ``np.datetime64`` -> ``datetime.datetime``, ``pd.NA`` /
    ``pd.NaT`` -> ``None``.

    Examples
    --------
    >>> to_builtin(np.int64(3)), to_builtin(np.float32(0.5)), to_builtin(pd.NA)
    (3, 0.5, None)
    """
    if type(x) in (str, int, float, bool, type(None)):  # most values (not np.float64)
        return x
    if x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, pd.Timestamp):
        return x.to_pydatetime()
    if isinstance(x, pd.Timedelta):
        return x.to_pytimedelta()
    if isinstance(x, np.datetime64):
        return None if np.isnat(x) else pd.Timestamp(x).to_pydatetime()
    if isinstance(x, np.timedelta64):
        return None if np.isnat(x) else pd.Timedelta(x).to_pytimedelta()
    if isinstance(x, np.generic):
        return x.item()
    return x


def _plain(obj: Any) -> Any:
    """Recursively make ``obj`` JSON-ready: builtins, NaN/NA -> None, dates -> ISO."""
    obj = to_builtin(obj)
    if isinstance(obj, dict):
        return {str(to_builtin(k)): _plain(v) for k, v in obj.items()}
    if isinstance(obj, pd.DataFrame):
        return [_plain(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, (pd.Series, pd.Index, np.ndarray, list, tuple, set, frozenset)):
        return [_plain(v) for v in (obj.tolist() if hasattr(obj, "tolist") else obj)]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, (_dt.datetime, _dt.date, _dt.time)):
        return obj.isoformat()
    if isinstance(obj, _dt.timedelta):
        return obj.total_seconds()
    return obj


_HTML_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_HTML_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")


def json_for_html(obj: Any) -> str:
    """JSON text that is safe inside an HTML ``<script>`` element.

    numpy/pandas scalars, arrays, Series and DataFrames (as a list of records) are
    converted to plain values; NaN, infinities, ``NA`` and ``NaT`` become ``null``;
    dates become ISO strings. Then ``<``, ``>``, ``&``, U+2028 and U+2029 are written
    as ``\\u003c`` etc., so a value such as ``</script>`` or ``<!--`` cannot end the
    script element and the text is valid JavaScript as well as JSON.

    Examples
    --------
    >>> print(json_for_html({"name": "</script><b>&", "n": np.int64(2), "x": np.nan}))
    {"name": "\\u003c/script\\u003e\\u003cb\\u003e\\u0026", "n": 2, "x": null}
    """
    text = json.dumps(_plain(obj), ensure_ascii=False, allow_nan=False)
    return _HTML_UNSAFE_RE.sub(lambda m: _HTML_UNSAFE[m.group(0)], text)


# ---- atomic writing --------------------------------------------------------------


def _refuse_inputs(path: Path, protect: Iterable[str | os.PathLike[str]]) -> None:
    target = path.resolve()
    for p in protect:
        if Path(p).resolve() == target:
            raise WpnetError(
                f"refusing to write {path}: it is one of the inputs; choose another output path"
            )


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike[str], *, protect: Iterable[str | os.PathLike[str]] = ()
) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed onto ``path`` when the block succeeds.

    Write the output to the yielded path (it keeps ``path``'s suffix, so writers that
    infer the format from it work). On normal exit it replaces ``path`` atomically
    (``os.replace``); on an exception it is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : path-like
        The final output path. Its folder must exist.
    protect : paths
        Inputs that must never be overwritten: writing onto one raises
        :class:`~wpnet.errors.WpnetError`.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> with atomic_path(Path(d) / "t.csv") as tmp:
    ...     _ = tmp.write_text("a,b\\n")
    >>> (Path(d) / "t.csv").read_text()
    'a,b\\n'
    """
    final = Path(path)
    _refuse_inputs(final, protect)
    tmp = final.with_name(f".{final.stem}-{secrets.token_hex(6)}.tmp{final.suffix}")
    try:
        yield tmp
        if not tmp.exists():
            raise WpnetError(f"nothing was written to the temporary file for {final}")
        os.replace(tmp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write(
    path: str | os.PathLike[str],
    data: bytes | str,
    *,
    protect: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Write ``data`` (str is encoded as UTF-8) to ``path`` atomically.

    The bytes go to a new temporary file in the same folder (created with the usual
    permissions, subject to the umask), are flushed to disk, and the file is renamed
    onto ``path``; a crash leaves either the old file or the new one, never a mix.

    Examples
    --------
    >>> import tempfile
    >>> p = atomic_write(Path(tempfile.mkdtemp()) / "x.txt", "hello")
    >>> p.read_text()
    'hello'
    """
    return atomic_write_all({path: data}, protect=protect)[0]


def atomic_write_all(
    files: Mapping[str | os.PathLike[str], bytes | str],
    *,
    protect: Iterable[str | os.PathLike[str]] = (),
) -> list[Path]:
    """Write several files as :func:`atomic_write` writes one, their ``fsync`` calls in
    threads so that the file system commits them together (a fifth of the wall time of
    one after another for 22 small files on ext4). No file is renamed before its bytes
    are on disk; if writing or flushing any fails, no path is touched.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> [p.read_text() for p in atomic_write_all({d / "a.csv": "x", d / "b.csv": b"y"})]
    ['x', 'y']
    """
    from concurrent.futures import ThreadPoolExecutor

    with contextlib.ExitStack() as stack:  # on exit: files closed, then renamed (or removed)
        fds = []
        for path, data in files.items():
            tmp = stack.enter_context(atomic_path(path, protect=protect))
            fds.append(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            stack.callback(os.close, fds[-1])
            with open(fds[-1], "wb", closefd=False) as fh:
                fh.write(data.encode("utf-8") if isinstance(data, str) else bytes(data))
        with ThreadPoolExecutor(max_workers=max(1, min(len(fds), 32))) as pool:
            list(pool.map(os.fsync, fds))
    return [Path(p) for p in files]


# ---- text safe at the boundary ---------------------------------------------------

_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def printable(text: object) -> str:
    """``text`` made safe to print on a terminal: control characters escaped.

    C0 and C1 control characters (the escape character that starts terminal escape
    sequences included), DEL, a bare carriage return and the Unicode direction
    overrides are shown as ``\\xNN`` or ``\\uNNNN``; line feeds and tabs are kept, so a
    message can still have several lines. The command line passes every message it
    prints through this.

    Examples
    --------
    >>> printable("bad header \\x1b[31mred\\x1b[0m\\x00")
    'bad header \\\\x1b[31mred\\\\x1b[0m\\\\x00'
    """

    def esc(m: re.Match[str]) -> str:
        c = ord(m.group(0))
        return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"

    return _UNPRINTABLE.sub(esc, str(text))


def _text_cells(s: pd.Series) -> tuple[np.ndarray, list[str]] | None:
    """Positions and text of the text cells of a column (None for numbers, booleans,
    dates): its ``str`` cells (read as plain ``str``) in an object, string or categorical
    column, else every present cell as ``str``. One pass in Python: on the small tables
    written, a pandas string method costs more per call than this per column."""
    if s.dtype.kind in "iufbcmM":
        return None
    values = s.to_numpy(dtype=object)
    if s.dtype == object or isinstance(s.dtype, (pd.StringDtype, pd.CategoricalDtype)):
        pos = np.array([i for i, v in enumerate(values) if isinstance(v, str)], dtype=np.intp)
    else:
        pos = np.flatnonzero(s.notna().to_numpy(dtype=bool))
    return pos, list(map(str, values[pos]))


def _replaced(s: pd.Series, at: np.ndarray, texts: list[str]) -> pd.Series:
    """``s`` with the cells at positions ``at`` replaced by ``texts``: same dtype, but
    a categorical column becomes an object column (its categories change)."""
    new = s.astype(object).to_numpy(copy=True)
    new[at] = np.array(texts, dtype=object)
    out = pd.Series(new, index=s.index, name=s.name, dtype=object)
    keep = s.dtype != object and not isinstance(s.dtype, pd.CategoricalDtype)
    return out.astype(s.dtype) if keep else out


def strip_controls(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A copy of ``frame`` without :data:`CONTROL_CHARS` in text cells and labels.

    Spreadsheets cannot hold them (openpyxl refuses a NUL) and terminals act on them;
    tab, line feed and carriage return are kept (CSV writers quote them). Returns the
    copy and the columns where something was removed, so that the caller can say so.
    Text cells are the ``str`` cells of object, string and categorical columns (a
    categorical column with a cell cleaned comes back as an object column).

    Examples
    --------
    >>> out, where = strip_controls(pd.DataFrame({"name": ["Net\\x00work", "ok"]}))
    >>> out["name"].tolist(), where
    (['Network', 'ok'], ['name'])
    """
    out = frame.copy()
    where: list[str] = []
    for j, c in enumerate(frame.columns):
        s = frame.iloc[:, j]
        arrow = isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"
        if arrow and not s.str.contains(CONTROL_CHARS.pattern, regex=True).any():
            continue  # an Arrow string column: its pattern text searched by RE2, in C
        cells = _text_cells(s)
        # a line feed is not a control character here, so one search over the joined
        # text finds whether any cell holds one
        if cells is None or not CONTROL_CHARS.search("\n".join(cells[1])):
            continue
        pos, texts = cells
        hit = [k for k, t in enumerate(texts) if CONTROL_CHARS.search(t)]
        out.isetitem(j, _replaced(s, pos[hit], [CONTROL_CHARS.sub("", texts[k]) for k in hit]))
        where.append(str(c))

    def clean_labels(index: pd.Index) -> pd.Index:
        if index.dtype.kind in "iufbmM" or isinstance(index, pd.MultiIndex):
            return index
        labels = [CONTROL_CHARS.sub("", v) if isinstance(v, str) else v for v in index]
        if labels != list(index):
            where.append("(labels)")
        return pd.Index(labels, name=index.name, dtype=index.dtype)

    out.columns = clean_labels(out.columns)
    out.index = clean_labels(out.index)
    return out, where


def csv_text(frame: pd.DataFrame) -> str:
    """CSV text of ``frame`` (no index) in which no field can split a row.

    Python's ``csv`` quotes a field holding a line feed but not one holding a lone
    carriage return when lines end in ``\\n``, and a spreadsheet then starts a new row
    there (the next row can begin with a formula). Lines end in ``\\n``; when any field
    or label holds a carriage return they end in ``\\r\\n`` (RFC 4180), which makes the
    writer quote every field holding a CR or an LF. A field is read as the writer
    writes it: ``str`` of each cell of an object column, the ``str`` cells of a string
    or categorical column.

    Examples
    --------
    >>> csv_text(pd.DataFrame({"a": ["x\\ry", "z"]}))
    'a\\r\\n"x\\ry"\\r\\nz\\r\\n'
    """
    has_cr = any(isinstance(c, str) and "\r" in c for c in frame.columns)
    for j in range(frame.shape[1]):
        if has_cr:
            break
        s = frame.iloc[:, j]
        if s.dtype == object:
            has_cr = "\r" in "".join(map(str, s.to_numpy(dtype=object)))
        else:
            cells = _text_cells(s)
            has_cr = cells is not None and "\r" in "".join(cells[1])
    return frame.to_csv(index=False, lineterminator="\r\n" if has_cr else "\n")


_QUOTED_VALUE = re.compile(r"'(?:[^'\\]|\\.|'(?=\w))*'(?!\w)|\"(?:[^\"\\]|\\.|\"(?=\w))*\"(?!\w)")
_WITH_DIGIT = re.compile(r"[^\s,;:()\[\]]*\d[^\s,;:()\[\]]*")


def scrub(message: object, values: Iterable[object] = ()) -> str:
    """``message`` with every value taken out whole, so that no id, name or value is
    published in it.

    First each of ``values`` (the cells the message is about, two characters or more),
    longest first, quoted or not, becomes ``…`` where it stands as a whole word; then every quoted stretch (a quote inside a word, as in
    ``O'Neill``, does not end it; backslash escapes are skipped) and every token holding
    a digit.

    Examples
    --------
    >>> scrub("unknown practitioner_id 'P40915438': not in practitioners")
    "unknown practitioner_id '…': not in practitioners"
    >>> scrub("name 'Seán O'Neill Macallister' is not an e-mail")
    "name '…' is not an e-mail"
    >>> scrub("no such person: Ann Smith-Jones", values=["Ann Smith-Jones"])
    'no such person: …'
    """
    text = str(message)
    shown = {str(v) for v in values if v is not None and not _is_missing(v) and str(v).strip()}
    for v in sorted(shown, key=len, reverse=True):
        if len(v) < 2:
            continue  # a one-character cell identifies no one; replacing it would garble
        text = text.replace(repr(v), "'…'")
        text = re.sub(rf"(?<!\w){re.escape(v)}(?!\w)", "…", text)
    text = _QUOTED_VALUE.sub("'…'", text)
    return _WITH_DIGIT.sub("…", text)


def _is_missing(v: object) -> bool:
    try:
        return bool(pd.isna(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


# ---- outputs never overwrite inputs ----------------------------------------------


def _same(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)  # hard links
    except OSError:
        return False


def check_output(
    target: str | os.PathLike[str],
    *,
    sources: Iterable[str | os.PathLike[str]] = (),
    suffixes: Iterable[str] = (),
    folder: bool = False,
    what: str = "output",
) -> Path:
    """Refuse an output path that would write over an input or over a file that is not
    an output of this kind.

    Parameters
    ----------
    target : path
        The file (or, with ``folder=True``, the folder) about to be written.
    sources : paths
        Where the data came from (:attr:`wpnet.Ecosystem.sources`): files, and folders
        that were read. The target may not be one of them (symbolic and hard links
        followed), and a folder target may not hold one.
    suffixes : str
        For a file target that exists already: the suffixes it may have (``".html"``
        for a map); any other existing file is left alone.
    folder : bool
        The target is a folder to be written (or replaced) as a whole.
    what : str
        What is being written, for the message.

    Returns
    -------
    Path

    Raises
    ------
    UsageError
        Naming the clash and what to do.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "participation.csv").write_text("x")
    >>> check_output(d / "participation.csv", sources=[d / "participation.csv"])
    Traceback (most recent call last):
    ...
    wpnet.errors.UsageError: refusing to overwrite ...participation.csv with the output: the data was read from it; choose another path
    """
    t = Path(target)
    suffixes = tuple(s.lower() for s in suffixes)
    sources = sorted(Path(src) for src in sources)
    for s in sources:
        if _same(s, t):
            raise UsageError(
                f"refusing to overwrite {t} with the {what}: the data was read from it; "
                "choose another path"
            )
    for s in sources:
        if folder and s.resolve().is_relative_to(t.resolve()):
            raise UsageError(
                f"refusing to write the {what} folder {t}: it holds {s}, which the data was "
                "read from; choose another folder"
            )
    if t.exists() or t.is_symlink():
        if folder and not t.is_dir():
            raise UsageError(f"the {what} {t} is a file; give a folder")
        if not folder and t.is_dir():
            raise UsageError(f"the {what} {t} is a folder; give a file name")
        if not folder and suffixes and t.suffix.lower() not in suffixes:
            raise UsageError(
                f"refusing to overwrite {t}: it exists and is not a {' or '.join(suffixes)} "
                f"file, so it is not a {what} wpnet wrote; choose another path"
            )
    return t


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


_TMP_FOLDER = re.compile(r"^\.(?P<name>.+)\.wpnet-(?P<pid>\d+)-[0-9a-f]+\.tmp$")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False if the
    system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    done = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return done == 0


@contextlib.contextmanager
def atomic_folder(
    path: str | os.PathLike[str],
    *,
    replaceable: Any = None,
    what: str = "output",
) -> Iterator[Path]:
    """A new temporary folder beside ``path``, swapped in for ``path`` as a whole when the
    block succeeds.

    Write every file of the output into the yielded folder. On normal exit the folder
    takes the place of ``path`` (an atomic exchange of the two on Linux, else two
    renames) and the previous contents are deleted, so nothing of an earlier run is
    left; on an exception, or if the process is killed, ``path`` is left exactly as it
    was. Temporary folders left beside ``path`` by killed runs (their process is gone)
    are removed first.

    Parameters
    ----------
    path : path-like
        The output folder. If it exists it must be empty or ``replaceable(path)`` must
        be true (it holds an earlier output of this kind).
    replaceable : callable, optional
        Whether an existing, non-empty ``path`` may be replaced.
    what : str
        What is written, for the message.

    Raises
    ------
    UsageError
        When ``path`` is a file, or a non-empty folder that is not replaceable.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()) / "out"
    >>> with atomic_folder(d) as tmp:
    ...     _ = (tmp / "a.txt").write_text("new")
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt']
    """
    final = Path(path)
    if final.exists() or final.is_symlink():
        if not final.is_dir():
            raise UsageError(f"the {what} {final} is a file; give a folder")
        if any(final.iterdir()) and not (replaceable is not None and replaceable(final)):
            raise UsageError(
                f"refusing to replace {final}: it is not empty and does not hold an earlier "
                f"{what}; give a new or empty folder"
            )
    parent = final.parent
    parent.mkdir(parents=True, exist_ok=True)
    for p in parent.iterdir():
        m = _TMP_FOLDER.match(p.name)
        if m and m.group("name") == final.name and not _alive(int(m.group("pid"))):
            shutil.rmtree(p, ignore_errors=True)
    tmp = parent / f".{final.name}.wpnet-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    tmp.mkdir()
    try:
        yield tmp
        if final.exists() and _exchange(tmp, final):
            pass  # tmp now holds the previous contents
        elif final.exists():
            old = parent / f".{final.name}.wpnet-{os.getpid()}-{secrets.token_hex(4)}.tmp"
            os.rename(final, old)
            os.rename(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
