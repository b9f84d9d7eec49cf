"""Rows of cells to a raw table, and CSV text to rows.

:func:`csv_table` parses the text of a CSV file. Python's :mod:`csv` module defines the
result: records numbered from 1 (the header), empty and all-blank records skipped with
their numbers kept, ragged records cut or padded with a problem noted
(:func:`rows_table`). Arrow's CSV reader parses the same text into the same cells
column by column, without a Python object per cell (:func:`_columns_by_arrow`); it is
used unless the text holds a NUL or a record is ragged, when the :mod:`csv` module
reads the text instead. Both give the same table
(``tests/test_rows.py`` compares them on generated text).

:func:`other_sheets` says why a workbook whose other sheets hold data is not read.

This is an internal helper module of :mod:`wpnet.io` (its names are used there).
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from wpnet._parse import PY_WHITESPACE
from wpnet.errors import DataError
from wpnet.validation import WIDE_COLUMNS, RawTable

__all__ = ["blank", "csv_table", "header_of", "not_csv_text", "other_sheets", "rows_table"]

#: A cell ``str.strip`` empties (a class of the characters themselves, which Arrow's RE2
#: reads as Python's ``re`` does).
_BLANK_CELL = "^[" + PY_WHITESPACE + "]*$"


def not_csv_text(data: bytes, name: str) -> None:
    """Refuse the bytes of a ``.csv`` file that are no CSV text wpnet reads, saying what
    they look like: an Excel workbook renamed (a zip, or an old ``.xls``), or UTF-16
    without the byte-order mark that says which UTF-16 it is (read as UTF-8 or
    Windows-1252 its every other byte would be a NUL).

    Examples
    --------
    >>> not_csv_text("id,name\\n".encode("utf-16-le"), "t.csv")
    Traceback (most recent call last):
    ...
    wpnet.errors.DataError: t.csv: looks like UTF-16 text without a byte-order mark (every other byte is 0); wpnet reads UTF-16 only with its byte-order mark, which says which of the two byte orders it is: save the file as CSV UTF-8
    """
    if data.startswith(b"PK\x03\x04"):
        raise DataError(
            f"{name}: looks like an Excel workbook (.xlsx: a zip file), not CSV text; if it "
            "is one, name it .xlsx, or save it from Excel as CSV UTF-8"
        )
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise DataError(
            f"{name}: looks like an old Excel workbook (.xls), not CSV text; save it from "
            "Excel as CSV UTF-8 or as .xlsx"
        )
    head = data[:4096]
    half = len(head) // 2
    if half >= 2:  # ASCII in UTF-16: a 0 in one byte of each pair, never in the other
        even, odd = head[0 : 2 * half : 2], head[1 : 2 * half : 2]
        for zeros, other in ((odd, even), (even, odd)):
            if zeros.count(0) >= 0.9 * half and other.count(0) == 0:
                raise DataError(
                    f"{name}: looks like UTF-16 text without a byte-order mark (every other "
                    "byte is 0); wpnet reads UTF-16 only with its byte-order mark, which says "
                    "which of the two byte orders it is: save the file as CSV UTF-8"
                )


def other_sheets(name: str, read: Any, others: list[Any], table: str) -> str:
    """Why a workbook whose sheet ``read`` is read as ``table`` is refused: ``others``,
    its other sheets (openpyxl worksheets), hold data too. A hidden sheet is said to be
    hidden (one not seen in a spreadsheet: a booking system's lists, say). Besides
    putting the rows on one sheet: an export's sheets (one per event, say) can each be
    a file of their own, since several exports are read as one; a table of a folder
    can be a sheet of one workbook holding the tables.

    Examples
    --------
    >>> from types import SimpleNamespace as Sheet
    >>> print(other_sheets("x.xlsx", Sheet(title="Bookings"),
    ...                    [Sheet(title="Lists", sheet_state="hidden")], "records"))
    x.xlsx: sheet 'Lists' (hidden) also holds data besides 'Bookings', which is read as records; rows continued on another sheet would be lost. Put the table on one sheet (or delete the other sheets), or save each sheet as a file of its own (several exports are read as one)
    """
    labels = [
        repr(o.title) + (f" ({state})" if state != "visible" else "")
        for o in others
        for state in [getattr(o, "sheet_state", "visible")]
    ]
    advice = (
        "save each sheet as a file of its own (several exports are read as one)"
        if table == "records"
        else "give one workbook with a sheet per table"
    )
    many = len(others) > 1
    return (
        f"{name}: sheet{'s' if many else ''} {', '.join(labels)} also hold{'' if many else 's'} "
        f"data besides {read.title!r}, which is read as {table}; rows continued on another "
        f"sheet would be lost. Put the table on one sheet (or delete the other sheets), or "
        f"{advice}"
    )


def blank(cells: list[str] | tuple[Any, ...]) -> bool:
    """Whether every cell is empty, white space or None.

    >>> blank(["", "  ", None]), blank(["", "x"])
    (True, False)
    """
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def header_of(cells: list[Any], source: str) -> list[str]:
    """The header row as text, trailing empty names dropped.

    Raises
    ------
    DataError
        When nothing is left (an empty first row).
    """
    header = ["" if c is None else str(c) for c in cells]
    while header and not header[-1].strip():
        header.pop()
    if not header:
        raise DataError(f"{source}: the first row (the header) is empty")
    return header


def rows_table(
    header: list[str],
    numbers: list[int],
    cells: list[list[str]],
    source: str,
    short_ok: bool = False,
) -> RawTable:
    """Build a raw table from rows of cells (``numbers``: their spreadsheet rows); note
    ragged rows.

    A row longer than the header (with something in the extra cells) is an error. A
    shorter row is padded with empty cells: silently for a sheet (which stores no
    trailing empty cells), with a warning for CSV (where it means a broken line). Only
    the ragged rows are looked at one by one; the rest go to columns in one transpose.
    """
    width = len(header)
    problems: list[dict[str, Any]] = []
    lengths = np.fromiter(map(len, cells), dtype=np.intp, count=len(cells))
    for i in np.flatnonzero(lengths != width).tolist():
        cells[i] = _fit_row(cells[i], numbers[i], width, problems, short_ok=short_ok)
    if width > WIDE_COLUMNS:  # one block of str objects: linear in cells (validation notes)
        block = np.empty((len(cells), width), dtype=object)
        for i, rec in enumerate(cells):
            block[i, :] = rec
        frame = pd.DataFrame(block, index=pd.Index(numbers, dtype="int64"), dtype=object)
        frame.columns = header
        return RawTable(frame, source, problems)
    columns = list(zip(*cells, strict=True)) if cells else [()] * width
    # cells are str: Arrow builds the column without pandas' checks
    arrays = [pa.array(col, type=pa.large_string()) for col in columns]
    return RawTable(_text_frame(header, numbers, arrays), source, problems)


def _text_frame(header: list[str], numbers: Any, arrays: list[pa.Array]) -> pd.DataFrame:
    """A frame of text columns (pandas' Arrow-backed ``string``) from Arrow arrays, indexed
    by the records' numbers."""
    frame = pd.DataFrame(
        {i: pd.array(a, dtype="string") for i, a in enumerate(arrays)},
        index=pd.Index(numbers, dtype="int64"),
    )
    frame.columns = header
    return frame


def _fit_row(
    rec: list[str], row: int, width: int, problems: list[dict[str, Any]], *, short_ok: bool
) -> list[str]:
    """A ragged row cut or padded to ``width`` cells, its problem noted."""
    if len(rec) > width:
        extra = rec[width:]
        if not blank(extra):
            shown = ", ".join(repr(str(x)[:40]) for x in extra if str(x).strip())
            problems.append(
                {
                    "row": row,
                    "column": None,
                    "value": shown,
                    "message": f"row has {len(rec)} cells but the header has {width} "
                    "(an unquoted comma?); extra cells: " + shown,
                    "severity": "error",
                }
            )
        return rec[:width]
    if not short_ok:
        problems.append(
            {
                "row": row,
                "column": None,
                "value": None,
                "message": f"row has {len(rec)} cells but the header has {width}; "
                "missing cells read as empty",
                "severity": "warning",
            }
        )
    return list(rec) + [""] * (width - len(rec))


def csv_table(text: str, source: str) -> RawTable:
    """The raw table of a CSV file's ``text`` (decoded; not blank), see the module notes.

    Raises
    ------
    DataError
        When the text is not readable CSV, or its header is empty.

    Examples
    --------
    >>> t = csv_table("id,name\\nE1,Ash Primary\\n,\\nE2,Birch\\n", "e.csv")
    >>> t.frame.index.tolist(), t.frame["name"].tolist()
    ([2, 4], ['Ash Primary', 'Birch'])
    """
    fast = _columns_by_arrow(text, source)
    if fast is not None:
        header, numbers, columns = fast
        return RawTable(_text_frame(header, numbers, [c.combine_chunks() for c in columns]),
                        source, [])  # fmt: skip
    try:
        with _large_fields():
            reader = csv.reader(io.StringIO(text, newline=""))
            header = header_of(next(reader), source)
            body = list(reader)
    except csv.Error as exc:
        raise DataError(f"{source}: not a readable CSV ({exc})") from exc
    # Records are numbered from 1 (the header); empty or all-blank ones are skipped. A
    # record with a non-blank first cell is not blank, so only the others are scanned.
    kept = [i for i, rec in enumerate(body) if rec and (rec[0].strip() or not blank(rec))]
    if len(kept) < len(body):
        body = [body[i] for i in kept]
    return rows_table(header, [i + 2 for i in kept], body, source)


@contextlib.contextmanager
def _large_fields() -> Iterator[None]:
    old = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _first_record(text: str, prefix: int = 1 << 16) -> list[str] | None:
    r"""The first record of ``text`` as the csv module reads it (None if it cannot), read
    from the first ``prefix`` characters when a second record starts within them, so that
    a large file is not copied whole into a ``StringIO`` for its header.

    >>> _first_record('id,"na\nme"\nE1,x\n', prefix=4), _first_record("a,b", prefix=1)
    (['id', 'na\nme'], ['a', 'b'])
    """
    for size in (prefix, len(text)):
        part = text[:size]
        try:
            with _large_fields():
                records = csv.reader(io.StringIO(part, newline=""))
                first = next(records, [])
                if size >= len(text) or next(records, None) is not None:
                    return first
        except csv.Error:
            if size >= len(text):
                return None
    return None  # pragma: no cover - the loop's last size is the whole text


def _columns_by_arrow(
    text: str, source: str
) -> tuple[list[str], np.ndarray, list[pa.ChunkedArray]] | None:
    """(header, record numbers, columns) of ``text`` read by Arrow's CSV reader, or None
    when the :mod:`csv` module must read it: the text holds a NUL or a surrogate; the
    first record has fewer than two cells; the table is wider than
    :data:`~wpnet.validation.WIDE_COLUMNS`; a record is ragged (Arrow finds it: every
    record must have the first record's cells; an empty line reads as a record of
    empty cells, skipped as blank, as the csv module skips it); Arrow reads the first
    record differently from the csv module; or a cell beyond the header's named
    columns is not blank.

    Arrow reads quotes as the csv module does (a field that starts with a quote runs to
    the next lone quote, doubled quotes inside it are one, a quote elsewhere is text,
    line ends inside quotes are kept): 15,000 generated tables of well-formed and
    malformed quoting, every one read the same (``tests/test_rows.py`` keeps a few
    hundred of them)."""
    import pyarrow.compute as pc
    import pyarrow.csv as pv

    if "\0" in text:
        return None
    first = _first_record(text)
    if first is None:
        return None
    header = header_of(first, source)
    if len(first) < 2 or len(header) > WIDE_COLUMNS:
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None
    names = [f"c{j}" for j in range(len(first))]
    try:
        table = pv.read_csv(
            pa.BufferReader(data),
            # one thread: on the example each reader thread's malloc arena added 42 MiB to
            # the peak memory, and the parse took no longer (0.03-0.045 s)
            read_options=pv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pv.ParseOptions(
                quote_char='"', double_quote=True, escape_char=False,
                newlines_in_values=True, ignore_empty_lines=False,
            ),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )  # fmt: skip
    except pa.ArrowException:  # a ragged record, a record longer than a block
        return None
    if not table.num_rows or [c[0].as_py() for c in table.columns] != first:
        return None
    table = table.slice(1)
    extra = table.columns[len(header) :]
    if any(not pc.all(pc.match_substring_regex(c, _BLANK_CELL)).as_py() for c in extra):
        return None  # the csv module reports those cells
    columns = table.columns[: len(header)]
    # a record is skipped when every cell is blank (as str.strip sees it); only records
    # with a blank first cell can be
    blank_rows = np.flatnonzero(pc.match_substring_regex(columns[0], _BLANK_CELL).to_numpy(False))
    for col in columns[1:]:
        if not blank_rows.size:
            break
        cell = pc.match_substring_regex(col.take(blank_rows), _BLANK_CELL).to_numpy(False)
        blank_rows = blank_rows[cell]
    numbers = np.arange(table.num_rows, dtype=np.int64) + 2
    if blank_rows.size:
        keep = np.ones(table.num_rows, dtype=bool)
        keep[blank_rows] = False
        numbers = numbers[keep]
        mask = pa.array(keep)
        columns = [c.filter(mask) for c in columns]
    return header, numbers, list(columns)
