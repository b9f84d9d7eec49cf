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

It is written only when there are limits (and a stale one is removed when there are
none); :func:`wpnet.read_tables`, :func:`wpnet.read_ecosystem` and
:func:`wpnet.validate` read it, and a folder without it reads as before. Both keys are
required and no other is allowed; a limit's key is a finding of
:data:`wpnet.records.FINDING_NAMES` or ``"session YYYY-YY"``, its reason one line of
text of at most :data:`MAX_REASON` characters. The file carries no personal data: a
reason that holds an e-mail address is refused on writing and on reading.

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
from wpnet.errors import DataError
from wpnet.privacy import CONTROL_CHARS

__all__ = ["DATASET_FILE", "MAX_REASON", "VERSION", "check_limits", "dataset_text", "read_limits"]

#: The file name, beside the tables.
DATASET_FILE = "dataset.json"
#: The version of the file's layout this wpnet writes and reads.
VERSION = 1
#: The longest reason a limit may give, in characters.
MAX_REASON = 1000
#: The largest ``dataset.json`` that is read, in bytes.
MAX_BYTES = 1 << 20

_KEYS = ("version", "limits")
_SESSION = re.compile(r"^session \d{4}-\d{2}$")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


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
        if not isinstance(why, str) or not why.strip():
            raise DataError(f"{where}: key {key!r} must be a reason as text, not {why!r}")
        if len(why) > MAX_REASON or CONTROL_CHARS.search(why) or "\n" in why or "\r" in why:
            raise DataError(
                f"{where}: key {key!r}: the reason must be one line of at most {MAX_REASON} "
                "characters without control characters"
            )
        if _EMAIL.search(why):
            raise DataError(
                f"{where}: key {key!r}: the reason holds an e-mail address (personal data)"
            )
        out[finding] = why
    return out


def dataset_text(limits: Mapping[str, str]) -> str | None:
    """The text of ``dataset.json`` for an Ecosystem's limits, or None when there are none.

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
    checked = check_limits(limits, "eco.limits")
    if not checked:
        return None
    return json.dumps({"version": VERSION, "limits": checked}, indent=2, ensure_ascii=False) + "\n"


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


def read_limits(folder: Path) -> tuple[dict[str, str], Path | None]:
    """The limits ``folder/dataset.json`` records, and the file (``{}, None`` without one).

    Raises
    ------
    DataError
        Naming the file and the key: not a JSON object, an unknown or missing key, a
        version this wpnet does not read, or limits :func:`check_limits` refuses.
    """
    path = folder / DATASET_FILE
    if not path.exists() and not path.is_symlink():
        return {}, None
    doc = _load(path)
    if not isinstance(doc, dict):
        raise DataError(f"{path}: must hold one JSON object with keys {', '.join(_KEYS)}")
    unknown = [k for k in doc if k not in _KEYS]
    if unknown:
        raise DataError(
            f"{path}: unknown key {unknown[0]!r} (allowed: {', '.join(_KEYS)}); "
            "it was not written by this version of wpnet"
        )
    for k in _KEYS:
        if k not in doc:
            raise DataError(f"{path}: key {k!r} is missing")
    version = doc["version"]
    if type(version) is not int or version != VERSION:
        raise DataError(f"{path}: key 'version' must be {VERSION}, not {version!r}")
    return check_limits(doc["limits"], str(path)), path
