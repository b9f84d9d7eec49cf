"""Read and write the four tables: CSV, XLSX and Parquet.

Reading
-------
:func:`read_ecosystem` takes a folder holding ``establishments``, ``practitioners``,
``networks``, ``participation`` and optionally ``ties`` as ``.csv``, ``.xlsx`` or
``.parquet`` files (file stems compared case-insensitively), or one ``.xlsx`` workbook
with sheets of those names. Everything read goes through
:func:`wpnet.validation.check_tables`, the same rules :func:`wpnet.validate` applies.

* CSV text is decoded as UTF-8 (with or without a byte-order mark), UTF-16 (when it
  starts with a UTF-16 byte-order mark) or else Windows-1252 (cp1252). A ``.csv``
  that is an Excel workbook, or UTF-16 without its mark, is refused, saying so.
* Header cells are matched after folding case, spaces and punctuation to snake_case,
  then through each table's aliases (``Seed Code`` -> ``establishment_id``).
  Unknown extra columns are kept (as snake_case names).
* Cells: white space (non-breaking spaces included) is trimmed and folded; ``""``,
  ``"N/A"``, ``"n/a"``, ``"-"`` (and the other markers in :data:`wpnet._parse.MISSING`)
  are missing. Fully blank rows are skipped; every other row counts as read.
* A workbook is refused when its parts would expand beyond :data:`MAX_XLSX_BYTES`
  (checked from the zip directory before the workbook is opened; :mod:`zipfile`
  refuses a part that inflates beyond its declared size).

Writing
-------
:func:`write_ecosystem` writes one file per table, each through a temporary file and
:func:`os.replace`, so a reader never sees half a table. Parquet round-trips exactly
(values and dtypes). CSV and XLSX round-trip exactly for data as the reader leaves it,
except that **text cells beginning with** ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return (and which are not numbers) are written with a leading apostrophe so that a
spreadsheet does not run them as formulas (CSV/formula injection); such a cell reads
back with the apostrophe. A CSV also cannot carry a text cell that is itself a missing
marker (``"N/A"``) or has leading, trailing or repeated white space: those read back
cleaned. In CSV, extra (non-schema) columns read back as text.

Beside the tables
-----------------
What the tables cannot carry, :attr:`Ecosystem.limits <wpnet.Ecosystem.limits>` (the
findings the data cannot support, such as coverage for an export read without a
register) and :attr:`Ecosystem.origin <wpnet.Ecosystem.origin>` (the rows an export had
and those its status excluded), is written to ``dataset.json`` in the folder, in every
format, when there are any, and read back by :func:`read_tables` and
:func:`read_ecosystem` (:mod:`wpnet._dataset_json` describes the file and its checks).
A folder without it reads as before; a malformed one is a
:class:`~wpnet.errors.DataError` naming the file and key.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

from wpnet._dataset_json import DATASET_FILE, dataset_text, read_dataset, write_description
from wpnet._parse import reading_dates
from wpnet._personal import personal_in_rejected
from wpnet._reading import Reading
from wpnet._rows import blank, csv_table, header_of, not_csv_text, other_sheets, rows_table
from wpnet._xlsx import refuse_long_text, sheet_ready, write_sheet
from wpnet.ecosystem import Ecosystem
from wpnet.errors import DataError, KeyMissing, UsageError
from wpnet.privacy import (
    atomic_path,
    check_output,
    csv_text,
    neutralise,
    personal_columns,
    pseudonymise,
)
from wpnet.schema import TABLES
from wpnet.validation import (
    ORDER,
    RawTable,
    canonical_header,
    check_tables,
    problems_message,
)

__all__ = [
    "FORMATS",
    "MAX_XLSX_BYTES",
    "PERSONAL_COLUMNS",
    "Tables",
    "ecosystem_tables",
    "open_workbook",
    "read_ecosystem",
    "read_file",
    "read_tables",
    "write_ecosystem",
]

#: Largest uncompressed size of an .xlsx workbook that will be opened (200 MB).
MAX_XLSX_BYTES = 200 * 1024**2

#: Output formats of :func:`write_ecosystem` and the file extension of each.
FORMATS = {"csv": ".csv", "parquet": ".parquet", "xlsx": ".xlsx"}

#: Columns of practitioners and participation that identify a person: turned into keyed
#: pseudonyms at ingest when a key is given, otherwise dropped.
PERSONAL_COLUMNS = (
    "name",
    "full_name",
    "first_name",
    "forename",
    "surname",
    "last_name",
    "practitioner_name",
    "email",
    "e_mail",
    "email_address",
)

_EXTENSIONS = (".csv", ".xlsx", ".parquet")
_PSEUDONYM = re.compile(r"^pn_[0-9a-f]{16}$")
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


@dataclass
class Tables:
    """Raw tables as read from disk, before checking (see :func:`read_tables`)."""

    raw: dict[str, RawTable]
    where: str
    files: frozenset[Path] = frozenset()
    notes: list[dict[str, Any]] = field(default_factory=list)
    limits: dict[str, str] = field(default_factory=dict)  # from dataset.json
    origin: Reading | None = None  # from dataset.json: the export the tables came from


# ---- reading: files to raw tables -----------------------------------------------------
def _decode(data: bytes, name: str) -> str:
    """UTF-16 by byte-order mark, else UTF-8 (BOM optional), else Windows-1252; a
    workbook or UTF-16 without its mark is refused, saying so (:func:`not_csv_text`)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{name}: starts as UTF-16 but is not valid UTF-16 ({exc.reason})"
            ) from exc
    not_csv_text(data, name)  # a workbook renamed .csv, UTF-16 without its mark
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8 = _UTF8_MULTIBYTE.search(data)
        if utf8 is not None:
            line = data.count(b"\n", 0, exc.start) + 1
            raise DataError(
                f"{name}: mixes encodings: byte 0x{data[exc.start]:02x} at offset {exc.start} "
                f"(line {line}) is not UTF-8, but the text at offset {utf8.start()} is UTF-8 "
                f"({data[utf8.start() : utf8.end()].decode('utf-8')!r}); decoding it either "
                "way would garble some names. Re-save the file as CSV UTF-8"
            ) from exc
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{name}: not UTF-8, UTF-16 or Windows-1252 text (byte 0x{data[exc.start]:02x} at "
            f"offset {exc.start}); save it as CSV UTF-8"
        ) from exc


def _read_csv(path: Path) -> RawTable:
    text = _decode(path.read_bytes(), path.name)
    if not text.strip():
        raise DataError(f"{path.name}: the file is empty (no header row)")
    return csv_table(text, path.name)


def _cell_text(value: Any) -> str:
    """An XLSX cell value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def open_workbook(path: Path) -> Any:
    """An .xlsx opened read-only (saved values) after checking that it is a zip that
    expands to at most :data:`MAX_XLSX_BYTES`; a :class:`~wpnet.errors.DataError`
    naming the file otherwise (the readers and the command line open workbooks so)."""
    import openpyxl

    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataError(
            f"{path.name}: not a valid .xlsx workbook (corrupt or not a zip: {exc})"
        ) from exc
    if total > MAX_XLSX_BYTES:
        raise DataError(
            f"{path.name}: the workbook would expand to {total / 1024**2:,.0f} MB, more than "
            f"the {MAX_XLSX_BYTES // 1024**2} MB allowed (wpnet.io.MAX_XLSX_BYTES); "
            "save large tables as CSV or Parquet"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise DataError(
            f"{path.name}: not a valid .xlsx workbook ({type(exc).__name__}: {exc})"
        ) from exc


def _formula_cells(ws: Any) -> set[tuple[int, int]]:
    """(row, column) of every formula cell of a read-only sheet (empty if it has none).

    The workbook is opened with saved values (``data_only``); a formula saved without
    its value (written by a program, never opened in a spreadsheet) then reads as an
    empty cell. This second look at the sheet finds such cells. It parses the sheet
    only when its XML holds a formula element.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    with ws._get_source() as src:
        head = b""
        found = False
        while chunk := src.read(1 << 20):
            if b"<f>" in head + chunk or b"<f " in head + chunk:
                found = True
                break
            head = chunk[-3:]
    if not found:
        return set()
    cells: set[tuple[int, int]] = set()
    with ws._get_source() as src:
        parser = WorkSheetParser(src, ws._shared_strings, data_only=False)
        for idx, row in parser.parse():
            for cell in row:
                if cell.get("data_type") == "f":
                    cells.add((idx, int(cell["column"])))
    return cells


def _mac_dates(ws: Any) -> Callable[[Any], Any] | None:
    """For a sheet of a workbook in the 1904 date system (Excel for Mac's old default),
    the function that reads a number of a date column as a 1904 serial (a cell
    formatted as a date is read right by openpyxl already); None otherwise."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, from_excel

    if getattr(getattr(ws, "parent", None), "epoch", None) != CALENDAR_MAC_1904:
        return None

    def read(v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return from_excel(v, epoch=CALENDAR_MAC_1904)
        return v

    return read


def _mac_note(source: str, header: list[str], dates: set[int]) -> dict[str, Any]:
    named = ", ".join(repr(header[j]) for j in sorted(dates))
    return {
        "row": None,
        "column": None,
        "value": None,
        "message": f"{source}: the workbook uses the 1904 date system: numbers in its date "
        f"columns ({named}) are read as 1904 serials",
        "severity": "warning",
    }


def _read_sheet(path: Path, ws: Any, source: str) -> RawTable:
    header: list[str] | None = None
    numbers: list[int] = []
    records: list[list[str]] = []
    problems: list[dict[str, Any]] = []
    mac = _mac_dates(ws)
    dates: set[int] = set()
    try:
        formulas = _formula_cells(ws)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            ws.reset_dimensions()
            for row, values in enumerate(ws.iter_rows(values_only=True), start=1):
                unsaved = [
                    j for j, v in enumerate(values, start=1) if v is None and (row, j) in formulas
                ]
                if header is None:
                    if blank(values):
                        raise DataError(f"{source}: the first row (the header) is empty")
                    header = header_of(list(values), source)
                    if mac is not None:
                        dates = {j for j, h in enumerate(header) if "date" in h.lower()}
                        if dates:
                            problems.append(_mac_note(source, header, dates))
                    if unsaved:
                        raise DataError(
                            f"{source}: header cells {unsaved} are formulas with no saved value"
                        )
                    continue
                for j in unsaved:
                    problems.append(
                        {
                            "row": row,
                            "column": header[j - 1] if j <= len(header) else f"column {j}",
                            "value": None,
                            "message": "a formula with no saved value (the workbook was "
                            "written by a program and never recalculated): open and save it "
                            "in a spreadsheet, or paste values",
                            "severity": "error",
                        }
                    )
                if blank(values) and not unsaved:
                    continue
                if dates:
                    values = tuple(mac(v) if j in dates else v for j, v in enumerate(values))
                cells = [_cell_text(v) for v in values]
                while len(cells) > len(header) and not cells[-1].strip():
                    cells.pop()
                numbers.append(row)
                records.append(cells)
    except DataError:
        raise
    except Exception as exc:
        raise DataError(f"{source}: cannot read the sheet ({type(exc).__name__}: {exc})") from exc
    if header is None:
        raise DataError(f"{source}: the sheet is empty (no header row)")
    raw = rows_table(header, numbers, records, source, short_ok=True)
    raw.problems.extend(problems)
    return raw


def _first_row(ws: Any) -> list[str] | None:
    """The first non-blank row of a sheet as text, or None for an empty sheet."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ws.reset_dimensions()
        for values in ws.iter_rows(values_only=True):
            if not blank(values):
                return [_cell_text(v) for v in values]
    return None


def _read_xlsx_table(path: Path, table: str) -> RawTable:
    wb = open_workbook(path)
    try:
        sheets = {canonical_header(ws.title): ws for ws in wb.worksheets}
        ws = sheets.get(table, wb.worksheets[0] if wb.worksheets else None)
        if ws is None:
            raise DataError(f"{path.name}: the workbook has no sheets")
        others = [o for o in wb.worksheets if o is not ws and _first_row(o) is not None]
        if others:
            raise DataError(other_sheets(path.name, ws, others, table))
        return _read_sheet(path, ws, path.name if len(sheets) == 1 else f"{path.name}[{ws.title}]")
    finally:
        wb.close()


_ARROW_TYPES: dict[Any, Any] = {}


def _arrow_types() -> dict[Any, Any]:

    if not _ARROW_TYPES:
        _ARROW_TYPES.update(
            {
                pa.string(): pd.StringDtype(),
                pa.large_string(): pd.StringDtype(),
                pa.int8(): pd.Int64Dtype(),
                pa.int16(): pd.Int64Dtype(),
                pa.int32(): pd.Int64Dtype(),
                pa.int64(): pd.Int64Dtype(),
                pa.float32(): pd.Float64Dtype(),
                pa.float64(): pd.Float64Dtype(),
                pa.bool_(): pd.BooleanDtype(),
            }
        )
    return _ARROW_TYPES


def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        frame = table.to_pandas(types_mapper=_arrow_types().get, date_as_object=False)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DataError(f"{path.name}: not a readable Parquet file ({exc})") from exc
    nested = [f for f in table.schema if pa.types.is_nested(f.type)]
    if nested:  # a cell of a table is one value
        raise DataError(
            f"{path.name}: column {nested[0].name!r} holds {nested[0].type} values, not one "
            "value per cell: write it as text or numbers"
        )
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    for c in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[c].dtype) and getattr(
            frame[c].dt, "tz", None
        ):
            frame[c] = frame[c].dt.tz_localize(None)
    return RawTable(frame, path.name)


def read_file(path: Path, table: str) -> RawTable:
    """One table file (.csv, .xlsx or .parquet) as text cells, before any validation.

    The readers behind :func:`read_tables` and :func:`wpnet.from_records`: CSV in UTF-8
    (with or without BOM), UTF-16 or cp1252; the sheet named ``table`` of a workbook, or
    its only sheet, refused beyond :data:`MAX_XLSX_BYTES`; Parquet. ``table`` names the
    table in messages and picks the sheet.

    Raises
    ------
    DataError
        For a file that cannot be read, naming the file.

    Examples
    --------
    >>> from wpnet.datasets import example_path
    >>> raw = read_file(example_path() / "networks.parquet", "networks")
    >>> raw.source, list(raw.frame.columns[:2])
    ('networks.parquet', ['network_id', 'name'])
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx_table(path, table)
    return _read_parquet(path)


#: Files in a folder of tables that are data but not read say so (:func:`_unread_note`).
_DATA_LIKE = (*_EXTENSIONS, ".tsv", ".xls", ".xlsm", ".ods")


def _unread_note(path: Path) -> dict[str, Any]:
    """The quality note of a data file in a folder of tables that is not read: its name
    is not a table's (``Ties (1).csv``, ``participation_2024.csv``) or its kind is not
    read (``participation.tsv``), so a table it holds would be lost unseen."""
    return {
        "table": "",
        "message": f"{path.name}: not read (a table is read from <table>.csv, .xlsx or "
        ".parquet, named establishments, practitioners, networks, participation or ties)",
        "severity": "warning",
    }


def _read_folder(folder: Path) -> Tables:
    found: dict[str, list[Path]] = {}
    failures: list[str] = []
    notes: list[dict[str, Any]] = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith(("~$", ".")) or p.name == "dataset.json":
            continue
        if (
            p.is_file()
            and p.suffix.lower() in _DATA_LIKE
            and (p.suffix.lower() not in _EXTENSIONS or canonical_header(p.stem) not in TABLES)
        ):
            notes.append(_unread_note(p))
            continue
        if p.suffix.lower() in _EXTENSIONS:
            stem = canonical_header(p.stem)
            if stem not in TABLES:
                continue
            if not p.is_file():
                kind = (
                    "a broken link (its target does not exist)"
                    if p.is_symlink() and not p.exists()
                    else "not a regular file"
                )
                failures.append(f"{p.name}: {kind}; the {stem} table cannot be read")
                continue
            found.setdefault(stem, []).append(p)
    raw: dict[str, RawTable] = {}
    for table, paths in found.items():
        if len(paths) > 1:
            failures.append(
                f"{table}: more than one file ({', '.join(p.name for p in paths)}); keep one"
            )
            continue
        try:
            raw[table] = read_file(paths[0], table)
        except DataError as err:
            failures.append(str(err))
    _raise_failures(failures, folder)
    files = frozenset(p.absolute() for paths in found.values() for p in paths)
    return Tables(
        raw,
        f"folder {folder} (looked for <table>.csv, .xlsx, .parquet)",
        files | {folder.absolute()},
        notes,
    )


def _read_workbook(path: Path) -> Tables:
    wb = open_workbook(path)
    raw: dict[str, RawTable] = {}
    notes: list[dict[str, Any]] = []
    failures: list[str] = []
    try:
        titles = [ws.title for ws in wb.worksheets]
        headers = {name: {canonical_header(h) for h in TABLES[name].required} for name in TABLES}
        for ws in wb.worksheets:
            name = canonical_header(ws.title)
            if name not in TABLES:
                first = _first_row(ws)
                cols = {canonical_header(h) for h in first or []}
                like = sorted(
                    (t for t, req in headers.items() if first is not None and req <= cols),
                    key=lambda t: -len(headers[t]),
                )
                if like:
                    failures.append(
                        f"{path.name}: sheet {ws.title!r} has the columns of {like[0]} but is "
                        f"not named {like[0]}; its rows would be lost. Move them onto the "
                        f"{like[0]} sheet (or rename the sheet)"
                    )
                    continue
                notes.append(
                    {
                        "table": "",
                        "message": f"{path.name}: sheet {ws.title!r} is not a wpnet table; ignored",
                        "severity": "warning",
                    }
                )
                continue
            if name in raw:
                failures.append(f"{path.name}: two sheets for {name}; keep one")
                continue
            try:
                raw[name] = _read_sheet(path, ws, f"{path.name}[{ws.title}]")
            except DataError as err:
                failures.append(str(err))
    finally:
        wb.close()
    _raise_failures(failures, path)
    where = f"{path.name} (sheets: {', '.join(titles) or 'none'})"
    return Tables(raw, where, frozenset({path.absolute()}), notes)


def _raise_failures(failures: list[str], where: Path) -> None:
    if not failures:
        return
    problems = pd.DataFrame(
        {
            "table": pd.array([""] * len(failures), dtype="string"),
            "row": pd.array([pd.NA] * len(failures), dtype="Int64"),
            "column": pd.array([pd.NA] * len(failures), dtype="string"),
            "value": pd.array([pd.NA] * len(failures), dtype="string"),
            "message": pd.array(failures, dtype="string"),
        }
    )
    lines = "\n".join(f"  {f}" for f in failures)
    raise DataError(f"cannot read {where}:\n{lines}", problems=problems)


def read_tables(path: str | os.PathLike[str]) -> Tables:
    """Read the raw tables of a folder or workbook without checking them.

    A folder's ``dataset.json`` (see the module notes) is read too: its limits are
    ``Tables.limits``.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    DataError
        When a file cannot be read at all (empty, corrupt, too large, undecodable),
        naming every such file; when ``dataset.json`` is malformed, naming it and the key.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file or folder")
    if p.is_dir():
        tables = _read_folder(p)
        tables.limits, tables.origin, described = read_dataset(p)
        if described is not None:
            tables.files = tables.files | {described.absolute()}
        return tables
    if p.suffix.lower() == ".xlsx":
        return _read_workbook(p)
    raise DataError(
        f"{p.name}: give a folder of tables or one .xlsx workbook with sheets "
        f"{', '.join(ORDER)}; for one flat registration export use wpnet.from_records"
    )


# ---- reading: the Ecosystem -----------------------------------------------------------
def _pseudonyms(values: pd.Series, key: str) -> pd.Series:
    """:func:`wpnet.privacy.pseudonymise`, leaving values that are pseudonyms already."""
    values = values.astype("string")
    done = values.str.fullmatch(_PSEUDONYM).fillna(False).to_numpy(dtype=bool)
    out = pseudonymise(values, key=key)
    out[done] = values[done]
    return out


#: Tables up to this many rows are searched for personal data cell by cell.
_SEARCH_WHOLE = 4096


def _personal_by_distinct(
    name: str, frame: pd.DataFrame, *, known: Iterable[str] = ()
) -> dict[str, str]:
    """:func:`wpnet.privacy.personal_columns` of ``frame``, each column searched over
    its distinct values only.

    ``personal_columns`` decides from a column's header, its dtype and the *set* of its
    values (any e-mail address; people's names among at least half of the distinct
    non-blank values), so a column's distinct values give the same answer as the whole
    column: a million participation rows are tested as their few thousand distinct
    values, hashed in Arrow, without an object copy of every cell.

    A short table is searched as it is (one call; a per-column call would cost more
    than the cells for a wide table of a few rows).

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["P1", "P1", "P2"],
    ...                   "mentor": ["Ann Smith", "Ann Smith", "Sean O'Neill"]})
    >>> _personal_by_distinct("practitioners", f, known=["id"])
    {'mentor': "values look like people's names"}
    """
    if len(frame) <= _SEARCH_WHOLE:
        return personal_columns(name, frame, known=known)
    distinct = pd.DataFrame(
        {
            j: pd.Series(frame.iloc[:, j].unique(), dtype=frame.iloc[:, j].dtype)
            for j in range(frame.shape[1])
        }
    )
    distinct.columns = frame.columns
    return personal_columns(name, distinct, known=known)


def _personal(
    name: str, frame: pd.DataFrame, key: str | None, found: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Pseudonymise (with a key) or drop (without) the personal columns of one table.

    Personal columns are those of :data:`PERSONAL_COLUMNS` in practitioners and
    participation, and any column :func:`wpnet.privacy.personal_columns` recognises by
    header or content in any table (``found``: its answer for this table, with the
    schema's columns as ``known``). Returns the table and ``{column: reason}``.
    """
    found = dict(found)
    if name in ("practitioners", "participation"):
        for c in frame.columns:
            if c in PERSONAL_COLUMNS and c not in found:
                found[c] = "its header names personal data"
    found = {c: why for c, why in found.items() if c not in TABLES[name].names}
    if not found:
        return frame, found
    if key is None:
        return frame.drop(columns=list(found)), found
    out = frame.copy()
    for c in found:
        out[c] = _pseudonyms(out[c], key)
    return out, found


#: Columns holding a practitioner's id, per table.
_PERSON_IDS = {
    "practitioners": ("practitioner_id",),
    "participation": ("practitioner_id",),
    "ties": ("source", "target"),
}


def _personal_ids(
    tables: dict[str, pd.DataFrame], key: str | None, found: dict[str, dict[str, str]]
) -> dict[str, pd.DataFrame]:
    """Practitioner ids that are e-mail addresses become keyed pseudonyms in every table
    (the same id gets the same pseudonym, so references still hold); without a key such
    ids are refused (:class:`~wpnet.errors.KeyMissing`): they cannot be dropped.

    ``found`` holds :func:`wpnet.privacy.personal_columns` of each table as read (the id
    columns' headers name no personal data, so an id column is found exactly when one
    of its values looks like an e-mail address)."""
    emails = [
        f"{name}.{c}"
        for name, cols in _PERSON_IDS.items()
        if name in tables
        for c in cols
        if c in tables[name] and found.get(name, {}).get(c) == "values look like e-mail addresses"
    ]
    if not emails:
        return tables
    if key is None:
        raise KeyMissing(
            f"practitioner ids in {', '.join(emails)} are e-mail addresses (personal data); "
            "give a pseudonymisation key (key=... or WPNET_KEY) and they are replaced by "
            "keyed pseudonyms in every table"
        )
    out = dict(tables)
    for name, cols in _PERSON_IDS.items():
        if name in out:
            frame = out[name].copy()
            for c in cols:
                if c in frame:
                    frame[c] = _pseudonyms(frame[c], key)
            out[name] = frame
    return out


def _personal_rejected(
    rejected: pd.DataFrame, found: dict[str, dict[str, str]], key: str | None
) -> pd.DataFrame:
    """Personal columns of rejected rows, treated as in their tables.

    Rejected rows of all tables share one frame, where ``name`` of an establishment or
    network is no personal data: only the cells of rows of the tables where a column is
    personal are pseudonymised (or blanked without a key).
    """
    cols = {c for cs in found.values() for c in cs if c in rejected.columns}
    if not cols:
        return rejected
    out = rejected.copy()
    for c in sorted(cols):
        tables = [t for t, cs in found.items() if c in cs]
        person = out["table"].isin(tables).to_numpy(dtype=bool)
        values = out[c].astype("string")
        values[person] = _pseudonyms(values[person], key) if key is not None else pd.NA
        out[c] = values
    return out


def _rejected_email_ids(rejected: pd.DataFrame, key: str | None) -> pd.DataFrame:
    """Practitioner ids of rejected rows that are e-mail addresses, replaced by their
    keyed pseudonyms (blanked without a key), in the id columns and in the reasons
    that quote them: a rejected row is kept to be looked at, not to hold an e-mail."""
    from wpnet._personal import _EMAIL

    cols = sorted({c for cs in _PERSON_IDS.values() for c in cs if c in rejected.columns})
    if not cols or rejected.empty:
        return rejected
    out = rejected.copy()
    swap: dict[str, str] = {}
    for c in cols:
        person = out["table"].isin([t for t, cs in _PERSON_IDS.items() if c in cs])
        values = out[c].astype("string")
        email = (person & values.str.strip().str.fullmatch(_EMAIL.pattern).fillna(False)).to_numpy(
            dtype=bool
        )
        if not email.any():
            continue
        new = (
            _pseudonyms(values[email], key)
            if key is not None
            else pd.Series("(e-mail address removed)", index=values[email].index, dtype="string")
        )
        swap |= dict(zip(values[email].tolist(), new.tolist(), strict=True))
        values[email] = new
        out[c] = values
    if swap and "reason" in out:
        reasons = out["reason"].astype("string")
        for raw, pseudonym in swap.items():
            reasons = reasons.str.replace(raw, pseudonym, regex=False)
        out["reason"] = reasons
    return out


def _personal_notes(found: dict[str, dict[str, str]], key: str | None) -> pd.DataFrame:
    rows = [
        {
            "table": table,
            "row": pd.NA,
            "column": col,
            "value": pd.NA,
            "message": f"column {col} holds personal data ({why}): "
            + ("replaced by keyed pseudonyms" if key is not None else "dropped (no key given)"),
            "severity": "warning",
        }
        for table, cols in found.items()
        for col, why in cols.items()
    ]
    return pd.DataFrame(rows)


def read_ecosystem(
    path: str | os.PathLike[str],
    *,
    errors: Literal["raise", "drop"] = "raise",
    key: str | None = None,
    date_order: str = "auto",
) -> Ecosystem:
    """Read a folder of tables (or one workbook) into a validated Ecosystem.

    Parameters
    ----------
    path : path
        A folder with ``establishments``, ``practitioners``, ``networks``,
        ``participation`` (and optionally ``ties``) as ``.csv``, ``.xlsx`` or
        ``.parquet``; or one ``.xlsx`` workbook with sheets of those names (other
        sheets are ignored, with a warning in ``eco.quality``).
    errors : {"raise", "drop"}
        ``"raise"``: any error raises one :class:`~wpnet.errors.DataError` listing every
        problem (file, row, column, value). ``"drop"``: rows with errors go to
        ``eco.rejected`` with the reason; a missing table or required column still
        raises.
    key : str, optional
        Key for the keyed pseudonyms (HMAC-SHA256) that replace personal columns:
        :data:`PERSONAL_COLUMNS` of practitioners and participation, and in any table
        the columns whose header or values (accepted or rejected) look like e-mail
        addresses or people's names (:func:`wpnet.privacy.personal_columns`). Defaults to the ``WPNET_KEY``
        environment variable; with no key such columns are dropped. Either way
        ``eco.quality`` has a warning naming each column. Practitioner ids that are
        e-mail addresses become pseudonyms in every table (a key is then required).
    date_order : {"auto", "dmy", "mdy", "iso"}
        How ``a/b/yyyy`` dates are read (:mod:`wpnet._parse`): "auto" tells the order
        from the values that can only be read one way and refuses a month-first or
        mixed column (:class:`~wpnet.errors.DataError` naming the values).

    Returns
    -------
    Ecosystem
        With ``rejected`` (original values plus ``table``, ``row``, ``reason``) and
        ``quality`` (every finding, ``table, row, column, value, message, severity``).
        Rows accepted plus rows rejected equal the rows read. Exact copies of earlier
        rows are always rejected ("duplicate of row N"). When any row is rejected one
        ``UserWarning`` gives the count. ``limits`` and ``origin`` as the folder's
        ``dataset.json`` records them (empty and None without one).

    Raises
    ------
    DataError
        Bad data, as above; a malformed ``dataset.json``. It is also a ``ValueError``.
    KeyMissing
        When practitioner ids are e-mail addresses and no key is given.
    FileNotFoundError
        When ``path`` does not exist.

    Examples
    --------
    >>> import tempfile, wpnet
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = write_ecosystem(wpnet.tiny(), d)
    ...     eco = read_ecosystem(d)
    >>> len(eco.participation), len(eco.rejected)
    (10, 0)
    """
    if errors not in ("raise", "drop"):
        raise ValueError(f"errors must be 'raise' or 'drop', not {errors!r}")
    src = read_tables(path)
    with reading_dates(date_order):
        res = check_tables(src.raw, notes=src.notes, where=src.where)
    failing = res.errors if errors == "raise" else res.fatal
    if len(failing):
        n = len(failing)
        raise DataError(
            problems_message(
                failing, res.sources, f"{n} problem{'s' if n != 1 else ''} in {path}:"
            ),
            problems=failing[["table", "row", "column", "value", "message"]].reset_index(drop=True),
        )
    key = key if key is not None else os.environ.get("WPNET_KEY") or None
    tables: dict[str, pd.DataFrame] = {}
    found: dict[str, dict[str, str]] = {}
    searched = {
        name: _personal_by_distinct(name, t, known=TABLES[name].names)
        for name, t in res.tables.items()
    }
    for name, t in res.tables.items():  # a column personal in rejected rows only too
        also = personal_in_rejected(name, res.rejected, known=TABLES[name].names)
        tables[name], cols = _personal(name, t, key, also | searched[name])
        if cols:
            found[name] = cols
    tables = _personal_ids(tables, key, searched)
    rejected = _rejected_email_ids(_personal_rejected(res.rejected, found, key), key)
    quality = res.problems
    if found:
        quality = pd.concat([quality, _personal_notes(found, key)], ignore_index=True).astype(
            quality.dtypes.to_dict()
        )
    eco = Ecosystem(
        tables["establishments"],
        tables["practitioners"],
        tables["networks"],
        tables["participation"],
        tables.get("ties"),
        rejected=rejected,
        quality=quality,
        limits=src.limits,
        origin=src.origin,
        sources=src.files,
        canonical=True,
    )
    if len(rejected):
        read = sum(res.rows_read.values())
        warnings.warn(
            f"read_ecosystem({str(path)!r}): {len(rejected)} of {read} rows rejected "
            "(see eco.rejected for the rows and reasons)",
            UserWarning,
            stacklevel=2,
        )
    return eco


# ---- writing --------------------------------------------------------------------------
def _csv_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            midnight = (s.isna() | (s == s.dt.normalize())).all()
            fmt = "%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M:%S"
            out[c] = s.dt.strftime(fmt).astype("string")
        else:
            out[c] = s.astype("string")
    return pd.DataFrame(out)


def _write_table(frame: pd.DataFrame, target: Path, fmt: str, sheet: str) -> None:
    """One table's file; an xlsx ``frame`` is as :func:`sheet_ready` returns it."""
    with atomic_path(target) as tmp:
        if fmt == "csv":
            tmp.write_text(csv_text(_csv_text(neutralise(frame))), encoding="utf-8", newline="")
        elif fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
        else:
            write_sheet(frame, tmp, sheet)


def ecosystem_tables(eco: Ecosystem) -> dict[str, pd.DataFrame]:
    """An Ecosystem's tables as they are written: in :data:`~wpnet.validation.ORDER`,
    without the derived ``session`` column of participation, ``ties`` only when there
    are some, each indexed 0..n-1.

    Examples
    --------
    >>> import wpnet
    >>> list(ecosystem_tables(wpnet.tiny()))
    ['establishments', 'practitioners', 'networks', 'participation', 'ties']
    """
    tables: dict[str, pd.DataFrame] = {}
    for name in ORDER:
        frame = getattr(eco, name)
        if name == "participation":
            frame = frame.drop(columns="session", errors="ignore")
        if name == "ties" and len(frame) == 0:
            continue
        tables[name] = frame.reset_index(drop=True)
    return tables


def write_ecosystem(
    eco: Ecosystem,
    folder: str | os.PathLike[str],
    format: Literal["csv", "parquet", "xlsx"] = "csv",
) -> Path:
    """Write an Ecosystem's tables to a folder, one file per table.

    Parameters
    ----------
    eco : Ecosystem
    folder : path
        Created if missing. Must not be a file.
    format : {"csv", "parquet", "xlsx"}
        Parquet is exact and fastest for large data. CSV (UTF-8) and XLSX neutralise
        text cells that begin with ``= + - @``, tab or carriage return with a leading
        apostrophe (see the module notes on what this changes in a round trip).

    Returns
    -------
    Path
        The folder. ``ties`` is written only when the Ecosystem has ties; the derived
        ``session`` column of participation is not written. ``dataset.json`` holds
        :attr:`Ecosystem.limits <wpnet.Ecosystem.limits>` and, for tables made from a
        flat export, :attr:`Ecosystem.origin <wpnet.Ecosystem.origin>` (the export's
        rows read and excluded by status; the folder read back is a new source whose
        rows read are its tables' rows) when there are any (see the module notes);
        one left by an earlier write is removed when there are none.

    Raises
    ------
    UsageError
        When ``folder`` is a file, is a folder the Ecosystem (or the Ecosystem it was
        selected from) was read from, or holds one of the files it was read from
        (:attr:`Ecosystem.sources`, :func:`wpnet.privacy.check_output`).
    ValueError
        When the folder holds a table in another format (reading it back would be
        ambiguous).
    DataError
        When ``eco.limits`` cannot be written as ``dataset.json`` (an unknown finding,
        a reason that is not one line of text or holds an e-mail address); for
        ``"xlsx"``, when a cell holds more text than an Excel cell can (32,767
        characters), naming each such cell's table, row, column and length: nothing is
        written (Excel would cut the text; csv and parquet keep it whole).

    Examples
    --------
    >>> import tempfile, wpnet
    >>> with tempfile.TemporaryDirectory() as d:
    ...     sorted(p.name for p in write_ecosystem(wpnet.tiny(), d, "parquet").iterdir())
    ['establishments.parquet', 'networks.parquet', 'participation.parquet', 'practitioners.parquet', 'ties.parquet']
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {sorted(FORMATS)}, not {format!r}")
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file; write_ecosystem writes a folder of tables")
    tables = ecosystem_tables(eco)
    ext = FORMATS[format]
    described = dataset_text(eco.limits, eco.origin)
    for name in tables:
        check_output(out / f"{name}{ext}", sources=eco.sources, what=f"{name} table")
    check_output(out / DATASET_FILE, sources=eco.sources, what="dataset description")
    for src in eco.sources:
        if out.exists() and src.is_dir() and os.path.samefile(src, out):
            raise UsageError(
                f"refusing to write tables into {out}: it is the folder the data was read "
                "from (the new tables would replace or join the input); choose another folder"
            )
    if out.exists():
        for name in tables:
            others = [
                p.name
                for p in out.iterdir()
                if canonical_header(p.stem) == name
                and p.suffix.lower() in _EXTENSIONS
                and p.suffix.lower() != ext
            ]
            if others:
                raise ValueError(
                    f"{out} already holds {', '.join(others)}; writing {name}{ext} beside it "
                    "would make the folder ambiguous to read. Use an empty folder."
                )
    if format == "xlsx":  # longer text than a cell holds is refused before any write
        for name in tables:
            tables[name] = sheet_ready(tables[name], f"{name}{ext}")
        refuse_long_text({f"{name}{ext}": frame for name, frame in tables.items()})
    out.mkdir(parents=True, exist_ok=True)
    write_description(out, described, before=True)
    for name, frame in tables.items():
        _write_table(frame, out / f"{name}{ext}", format, name)
    write_description(out, described, before=False)
    return out
