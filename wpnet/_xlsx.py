"""Tables as ``.xlsx`` sheets for :func:`wpnet.write_ecosystem`, within Excel's limits.

A cell holds at most :data:`XLSX_MAX_CHARS` characters; openpyxl cuts a longer text
without a word, so longer text is refused before any file is written
(:func:`refuse_long_text`). An internal helper module of :mod:`wpnet.io`.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wpnet.errors import DataError
from wpnet.privacy import neutralise, strip_controls

__all__ = ["XLSX_MAX_CHARS", "refuse_long_text", "sheet_ready", "write_sheet"]

#: The most characters one Excel cell holds (Excel's specification and limits).
XLSX_MAX_CHARS = 32_767


def sheet_ready(frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """``frame`` as its sheet holds it: control characters removed (a spreadsheet cannot
    hold them; a ``UserWarning`` names the columns) and text that a spreadsheet would
    run as a formula neutralised (:func:`wpnet.privacy.neutralise`)."""
    clean, where = strip_controls(frame)
    if where:
        warnings.warn(
            f"{file_name}: control characters removed from {', '.join(where)} "
            "(a spreadsheet cannot hold them)",
            UserWarning,
            stacklevel=3,
        )
    return neutralise(clean)


def refuse_long_text(frames: dict[str, pd.DataFrame]) -> None:
    """Raise :class:`~wpnet.errors.DataError` when a cell of the sheets ``frames`` (file
    name -> frame as written, :func:`sheet_ready`) holds more than
    :data:`XLSX_MAX_CHARS` characters, naming each such cell's file, row (header = row
    1), column and length.

    Examples
    --------
    >>> refuse_long_text({"networks.xlsx": pd.DataFrame({"notes": ["ok", "x" * 40_000]})})
    Traceback (most recent call last):
    ...
    wpnet.errors.DataError: 1 cell holds more text than an Excel cell can (32,767 characters), so the tables were not written: networks.xlsx row 3, column notes: 40,000 characters. Write format='csv' or format='parquet', which keep the whole text
    """
    rows: list[dict[str, Any]] = []
    for file_name, frame in frames.items():
        for j, dt in enumerate(frame.dtypes):
            if dt.kind in "iufbmM" or isinstance(dt, pd.CategoricalDtype):
                continue
            lengths = frame.iloc[:, j].astype("string").str.len().to_numpy(dtype=float, na_value=0)
            for i in np.flatnonzero(lengths > XLSX_MAX_CHARS):
                rows.append(
                    {
                        "table": file_name,
                        "row": int(i) + 2,
                        "column": str(frame.columns[j]),
                        "value": f"{int(lengths[i]):,} characters",
                        "message": f"more than the {XLSX_MAX_CHARS:,} characters an Excel "
                        "cell holds",
                    }
                )
    if not rows:
        return
    shown = "; ".join(
        f"{r['table']} row {r['row']}, column {r['column']}: {r['value']}" for r in rows[:5]
    )
    n = len(rows)
    raise DataError(
        f"{n} cell{'s hold' if n != 1 else ' holds'} more text than an Excel cell can "
        f"({XLSX_MAX_CHARS:,} characters), so the tables were not written: {shown}"
        + (f" (and {n - 5} more)" if n > 5 else "")
        + ". Write format='csv' or format='parquet', which keep the whole text",
        problems=pd.DataFrame(rows),
    )


def _value(v: Any) -> Any:
    """A cell's value as openpyxl writes it (missing -> empty)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, np.generic):
        return v.item()
    return v


def write_sheet(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    """Write ``frame`` (as :func:`sheet_ready` returns it) as the one sheet of ``path``."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append([str(c) for c in frame.columns])
    for row in frame.astype(object).itertuples(index=False, name=None):
        ws.append([_value(v) for v in row])
    wb.save(path)
