"""``dataset.json``: what a folder of tables says beyond its tables.

A folder written by :func:`wpnet.write_ecosystem` holds one file per table. The
Ecosystem's :attr:`~wpnet.Ecosystem.limits` (findings the data cannot support, each
with the reason: :func:`wpnet.records.data_limits`) cannot be told from the tables
alone: an export read without a register has an ``establishments`` table like any
other, but it lists only the schools that took part, so coverage computed on it would
be wrong. Such a folder therefore also holds ``dataset.json``::

    {
      "version": 1,
      "limits": {
        "coverage": "no establishments register was given ...",
        "equity": "no establishments register was given ..."
      }
    }

Tables made from a flat export (:func:`wpnet.from_records`) also carry what reading
the export counted (:attr:`Ecosystem.origin <wpnet.Ecosystem.origin>`, a
:class:`wpnet._reading.Reading`): the rows of a saved folder are the rows that were
kept, and its tables cannot say how many rows the export had or which were excluded
by their status. The optional key ``"reading"`` holds it::

      "reading": {
        "source": "bookings.csv", "rows": 36, "status_column": "Attendee Status",
        "excluded": [["Not Attending", 20], ["DNA", 13]], "spellings": [["DNA", 2]],
        "register_rows": 7
      }

The folder read back is a new source: its rows read are its tables' rows
(:attr:`Ecosystem.reading <wpnet.Ecosystem.reading>` is None), and the saved reading
is its ``origin``, which ``wpnet validate`` and the report name.

It is written only when there are limits or a reading (and a stale one is removed
when there are none); :func:`wpnet.read_tables`, :func:`wpnet.read_ecosystem` and
:func:`wpnet.validate` read it, and a folder without it reads as before. ``version``
and ``limits`` are required, ``reading`` is optional and no other key is allowed; a
limit's key is a finding of :data:`wpnet.records.FINDING_NAMES` or
``"session YYYY-YY"``, its reason one line of text of at most :data:`MAX_REASON`
characters. The file carries no personal data: a reason, a file name or a status
value that holds an e-mail address is refused on writing and on reading.

``eco.quality`` and ``eco.rejected`` are not carried: they quote cell values (names
and e-mail addresses of rejected rows among them), and reading the folder records its
own findings again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wpnet._exports import FINDING_NAMES
from wpnet._reading import Reading
from wpnet.errors import DataError
from wpnet.privacy import CONTROL_CHARS, atomic_path

__all__ = [
    "DATASET_FILE",
    "MAX_REASON",
    "VERSION",
    "check_limits",
    "check_reading",
    "dataset_text",
    "read_dataset",
    "write_description",
]

#: The file name, beside the tables.
DATASET_FILE = "dataset.json"
#: The version of the file's layout this wpnet writes and reads.
VERSION = 1
#: The longest reason a limit may give, in characters.
MAX_REASON = 1000
#: The largest ``dataset.json`` that is read, in bytes.
MAX_BYTES = 1 << 20

_KEYS = ("version", "limits")
_OPTIONAL = ("reading",)
_READING = ("source", "rows", "status_column", "excluded", "spellings", "register_rows")
_SESSION = re.compile(r"^session \d{4}-\d{2}$")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _text(value: Any, where: str, key: str, what: str = "text") -> str:
    """``value`` as one line of text without an e-mail address, or a DataError."""
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{where}: key {key!r} must be {what}, not {value!r}")
    if len(value) > MAX_REASON or CONTROL_CHARS.search(value) or "\n" in value or "\r" in value:
        raise DataError(
            f"{where}: key {key!r} must be one line of at most {MAX_REASON} characters "
            "without control characters"
        )
    if _EMAIL.search(value):
        raise DataError(f"{where}: key {key!r} holds an e-mail address (personal data)")
    return value


def check_limits(limits: Any, where: str) -> dict[str, str]:
    """``limits`` as a plain ``{finding: reason}`` dict, or a :class:`DataError`.

    Parameters
    ----------
    limits : object
        What is to be written or what was read.
    where : str
        What holds it, for the message (the file, or ``eco.limits``).

    Raises
    ------
    DataError
        Naming ``where`` and the key: not a mapping, a finding not known, a reason
        that is not one line of text, too long, or holds an e-mail address.

    Examples
    --------
    >>> check_limits({"lead_share": "no role column"}, "eco.limits")
    {'lead_share': 'no role column'}
    >>> check_limits({"reach": "?"}, "dataset.json")
    Traceback (most recent call last):
    ...
    wpnet.errors.DataError: dataset.json: key 'limits.reach' is not a finding wpnet leaves out (coverage, equity, lead_share or 'session YYYY-YY')
    """
    if not isinstance(limits, Mapping):
        raise DataError(f"{where}: key 'limits' must be an object of finding -> reason")
    out: dict[str, str] = {}
    for finding, why in limits.items():
        key = f"limits.{finding}"
        if not isinstance(finding, str) or not (
            finding in FINDING_NAMES or _SESSION.fullmatch(finding)
        ):
            raise DataError(
                f"{where}: key {key!r} is not a finding wpnet leaves out "
                f"({', '.join(FINDING_NAMES)} or 'session YYYY-YY')"
            )
        out[finding] = _text(why, where, key, "a reason as text")
    return out


def _count(value: Any, where: str, key: str, least: int = 0) -> int:
    if type(value) is not int or value < least:
        raise DataError(f"{where}: key {key!r} must be a whole number >= {least}, not {value!r}")
    return value


def _pairs(value: Any, where: str, key: str, least: int) -> tuple[tuple[str, int], ...]:
    """A list of ``[text, count]`` pairs (counts >= ``least``), or a DataError."""
    if not isinstance(value, list | tuple):
        raise DataError(f"{where}: key {key!r} must be a list of [value, count] pairs")
    out = []
    for i, pair in enumerate(value):
        at = f"{key}[{i}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise DataError(f"{where}: key {at!r} must be a [value, count] pair, not {pair!r}")
        out.append((_text(pair[0], where, at), _count(pair[1], where, at, least)))
    return tuple(out)


def check_reading(reading: Any, where: str) -> Reading:
    """``reading`` (a :class:`Reading`, or its ``dataset.json`` object) checked, as a
    :class:`Reading`, or a :class:`DataError` naming ``where`` and the key.

    Examples
    --------
    >>> r = Reading("b.csv", 36, "Status", (("DNA", 13),), 7, (("DNA", 2),))
    >>> check_reading(_reading_json(r), "dataset.json") == r
    True
    >>> check_reading({**_reading_json(r), "rows": 12}, "dataset.json")
    Traceback (most recent call last):
    ...
    wpnet.errors.DataError: dataset.json: key 'reading.excluded' counts 13 rows excluded of the 12 read
    """
    if isinstance(reading, Reading):
        reading = _reading_json(reading)
    if not isinstance(reading, Mapping):
        raise DataError(f"{where}: key 'reading' must be an object with keys {', '.join(_READING)}")
    unknown = [k for k in reading if k not in _READING]
    missing = [k for k in _READING if k not in reading]
    if unknown or missing:
        wrong = f"unknown key {unknown[0]!r}" if unknown else f"key {missing[0]!r} is missing"
        raise DataError(f"{where}: in 'reading', {wrong} (keys: {', '.join(_READING)})")
    rows = _count(reading["rows"], where, "reading.rows")
    column = reading["status_column"]
    excluded = _pairs(reading["excluded"], where, "reading.excluded", 1)
    spellings = _pairs(reading["spellings"], where, "reading.spellings", 2)
    if excluded and column is None:
        raise DataError(f"{where}: key 'reading.status_column' is needed for rows excluded")
    if sum(n for _, n in excluded) > rows:
        raise DataError(
            f"{where}: key 'reading.excluded' counts {sum(n for _, n in excluded)} rows "
            f"excluded of the {rows} read"
        )
    values = {v for v, _ in excluded}
    stray = [v for v, _ in spellings if v not in values]
    if stray:
        raise DataError(f"{where}: key 'reading.spellings' names {stray[0]!r}, not excluded")
    register = reading["register_rows"]
    return Reading(
        _text(reading["source"], where, "reading.source"),
        rows,
        None if column is None else _text(column, where, "reading.status_column"),
        excluded,
        None if register is None else _count(register, where, "reading.register_rows"),
        spellings,
    )


def _reading_json(reading: Reading) -> dict[str, Any]:
    return {
        "source": reading.source,
        "rows": reading.rows,
        "status_column": reading.status_column,
        "excluded": [list(p) for p in reading.excluded],
        "spellings": [list(p) for p in reading.spellings],
        "register_rows": reading.register_rows,
    }


def dataset_text(limits: Mapping[str, str], reading: Reading | None = None) -> str | None:
    """The text of ``dataset.json`` for an Ecosystem's limits and the reading of the export
    its tables were made from, or None when there are neither.

    Examples
    --------
    >>> print(dataset_text({"lead_share": "no role column"}))
    {
      "version": 1,
      "limits": {
        "lead_share": "no role column"
      }
    }
    <BLANKLINE>
    >>> dataset_text({}) is None
    True
    """
    checked: dict[str, Any] = {"version": VERSION, "limits": check_limits(limits, "eco.limits")}
    if reading is not None:
        checked["reading"] = _reading_json(check_reading(reading, "eco.origin"))
    if not checked["limits"] and reading is None:
        return None
    return json.dumps(checked, indent=2, ensure_ascii=False) + "\n"


def write_description(out: Path, text: str | None, *, before: bool) -> None:
    """Write ``dataset.json`` before the tables; remove a stale one after them.

    In this order a write that stops half-way leaves the limits of the old tables or of
    the new ones in force, never neither: a report errs towards leaving findings out.
    """
    target = out / DATASET_FILE
    if text is not None and before:
        with atomic_path(target) as tmp:
            tmp.write_text(text, encoding="utf-8")
    elif text is None and not before and (target.is_file() or target.is_symlink()):
        target.unlink()


def _unique(pairs: list[tuple[str, Any]], path: Path) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for k, v in pairs:
        if k in seen:
            raise DataError(f"{path}: key {k!r} is given twice")
        seen[k] = v
    return seen


def _load(path: Path) -> Any:
    if not path.is_file():
        raise DataError(f"{path}: not a regular file; {DATASET_FILE} cannot be read")
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise DataError(f"{path}: {len(data):,} bytes, more than the {MAX_BYTES:,} allowed")
    try:
        return json.loads(data.decode("utf-8-sig"), object_pairs_hook=lambda p: _unique(p, path))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte offset {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise DataError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from exc


def read_dataset(folder: Path) -> tuple[dict[str, str], Reading | None, Path | None]:
    """The limits and the export's reading ``folder/dataset.json`` records, and the file
    (``{}, None, None`` without one).

    Raises
    ------
    DataError
        Naming the file and the key: not a JSON object, an unknown or missing key, a
        version this wpnet does not read, or limits or a reading :func:`check_limits`
        or :func:`check_reading` refuses.
    """
    path = folder / DATASET_FILE
    if not path.exists() and not path.is_symlink():
        return {}, None, None
    doc = _load(path)
    if not isinstance(doc, dict):
        raise DataError(f"{path}: must hold one JSON object with keys {', '.join(_KEYS)}")
    unknown = [k for k in doc if k not in _KEYS + _OPTIONAL]
    if unknown:
        raise DataError(
            f"{path}: unknown key {unknown[0]!r} (allowed: {', '.join(_KEYS + _OPTIONAL)}); "
            "it was not written by this version of wpnet"
        )
    for k in _KEYS:
        if k not in doc:
            raise DataError(f"{path}: key {k!r} is missing")
    version = doc["version"]
    if type(version) is not int or version != VERSION:
        raise DataError(f"{path}: key 'version' must be {VERSION}, not {version!r}")
    reading = doc.get("reading")
    return (
        check_limits(doc["limits"], str(path)),
        None if reading is None else check_reading(reading, str(path)),
        path,
    )
