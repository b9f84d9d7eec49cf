"""One flat registration export -> the four tables.

Event systems and sign-up forms export one row per attendance: who came (name,
e-mail, school, authority, job title), to what (event, course or network) and when.
:func:`from_records` turns such an export into an :class:`~wpnet.ecosystem.Ecosystem`:
it recognises the headers, pseudonymises the people, maps job titles to levels,
matches schools to an establishments register (exactly, then by fuzzy matching), turns
events into networks and parses the dates. Every row read is either accepted or
rejected with its reason (``eco.rejected``); warnings that do not cost a row (an
unknown job title, a fuzzy match) are in ``eco.quality``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from wpnet._exports import (
    _MULTI,
    ATTENDING,
    FINDING_NAMES,
    MEETING,
    NOT_ATTENDING,
    ONE_DAY_SHARE,
    THIN_SESSION,
    _event_findings,
    _exclude_by_status,
    _export_limits,
    _Log,
    _networks,
    _thin,
    _without_meeting,
    data_limits,
    describe_limits,
    thin_sessions,
)
from wpnet._names import canonical_name, infer_sector, slug
from wpnet._parse import DATE_ORDERS, choose_date_order, clean_text, parse_dates, two_digit_year
from wpnet._reading import Reading
from wpnet._register import (
    FUZZY_MARGIN,
    _authority_map,
    _build_establishments,
    _match,
    _prepare_register,
)
from wpnet.ecosystem import Ecosystem
from wpnet.errors import DataError, UsageError, WpnetError, WrongType, check_choice
from wpnet.privacy import pseudonymise, resolve_key
from wpnet.schema import (
    normalise_authority,
    normalise_level,
    normalise_role,
)
from wpnet.validation import Checked, RawTable, check_tables, problems_frame, problems_message

__all__ = [
    "ATTENDING",
    "FIELDS",
    "FINDING_NAMES",
    "FUZZY_MARGIN",
    "HEADERS",
    "MEETING",
    "NOT_ATTENDING",
    "ONE_DAY_SHARE",
    "THIN_SESSION",
    "canonical_name",
    "data_limits",
    "describe_limits",
    "from_records",
    "infer_sector",
    "slug",
    "thin_sessions",
]

#: Export headers recognised for each field (compared ignoring case, spaces and
#: punctuation: "E-mail address" = "email address" = "EmailAddress").
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("Name", "Full Name", "Delegate Name", "Attendee Name", "Participant Name"),
    "first_name": ("First Name", "Forename", "Given Name", "First"),
    "surname": ("Surname", "Last Name", "Family Name", "Last"),
    "email": ("Email", "E-mail", "E-mail address", "Email Address", "Work Email"),
    "establishment": (
        "School",
        "Establishment",
        "Establishment Name",
        "School Name",
        "School/Establishment",
        "Workplace",
        "Centre",
    ),
    "establishment_id": ("Establishment ID", "School ID", "Seed Code", "Seed", "SeedCode"),
    "authority": ("Local Authority", "Council", "Authority", "LA"),
    "sector": ("Sector", "School Type", "Establishment Type"),
    "network": (
        "Event",
        "Course",
        "Network",
        "Network Name",
        "Programme",
        "Event Name",
        "Course Name",
        "Course Title",
    ),
    "workstream": ("Workstream", "Work stream", "Strand"),
    "date": ("Date", "Event Date", "Attendance Date", "Session Date", "Date Attended"),
    "job_title": ("Job Title", "Position", "Post", "Designation", "Job"),
    "role": ("Role", "Participation Role", "Attendance Role"),
    "hours": ("Hours", "Duration (hours)", "Hours Attended"),
    "status": (
        "Status",
        "Attendee Status",
        "Attendance Status",
        "Booking Status",
        "Registration Status",
        "Attended",
        "Attendance",
        "Checked In",
        "Check In",
        "Attendance Record",
    ),
}
FIELDS = tuple(HEADERS)

_PERSONAL = ("name", "first_name", "surname", "email")


def _key(header: object) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(header).lower())


# ---- reading ---------------------------------------------------------------------


def _read(source: Any) -> tuple[pd.DataFrame, str, list[dict[str, Any]]]:
    """The export as a frame indexed by spreadsheet row (header = row 1)."""
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True).copy()
        frame.index = pd.RangeIndex(2, len(frame) + 2)
        return frame, "records", []
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"source must be a path or a DataFrame, not {type(source).__name__}")
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".parquet"):
        raise ValueError(f"{path.name}: give a .csv, .xlsx or .parquet export, or a DataFrame")
    from wpnet.io import read_file  # the readers (encodings, size checks) live there

    raw = read_file(path, "records")
    return raw.frame, raw.source, [dict(p) for p in raw.problems]


#: The command line's option for a field given by ``columns=`` (the others have none).
_OPTION = {"status": "status_column=, on the command line --status-column"}


def _find_columns(
    headers: list[Any], columns: Mapping[str, str] | None, where: str = "the export"
) -> dict[str, Any]:
    """Field -> header of the export; messages name the export as ``where``."""
    given = dict(columns or {})
    unknown = sorted(set(given) - set(FIELDS))
    if unknown:
        raise ValueError(f"columns: unknown fields {unknown}; fields are {list(FIELDS)}")
    by_key: dict[str, list[Any]] = {}
    for h in headers:
        by_key.setdefault(_key(h), []).append(h)
    found: dict[str, Any] = {}
    for fld, header in given.items():
        if header in headers:
            found[fld] = header
        elif len(by_key.get(_key(header), [])) == 1:
            found[fld] = by_key[_key(header)][0]
        else:
            given_as = (
                f"the {fld} column {header!r} ({_OPTION[fld]})"
                if fld in _OPTION
                else f"columns: {fld}={header!r}"
            )
            raise DataError(
                f"{given_as} is not a header of {where}; headers are {[str(h) for h in headers]}"
            )
    taken = set(found.values())
    for fld, aliases in HEADERS.items():
        if fld in found:
            continue
        hits = [h for a in aliases for h in by_key.get(_key(a), []) if h not in taken]
        hits = list(dict.fromkeys(hits))
        if len(hits) > 1:
            raise DataError(
                f"{where} has more than one column for {fld}: {[str(h) for h in hits]}; "
                f"say which with columns={{'{fld}': ...}}"
                + (f" ({_OPTION[fld]})" if fld in _OPTION else "")
            )
        if hits:
            found[fld] = hits[0]
            taken.add(hits[0])
    # "Role" is the participation role when a job title column exists, else the job title
    if "job_title" not in found and "role" in found and "role" not in given:
        found["job_title"] = found.pop("role")
    missing = []
    if "network" not in found:
        missing.append("network (e.g. 'Event', 'Course', 'Network')")
    if "date" not in found:
        missing.append("date (e.g. 'Date', 'Event Date')")
    if "establishment" not in found and "establishment_id" not in found:
        missing.append("establishment (e.g. 'School', 'Establishment')")
    if not ({"email", "name"} & set(found) or {"first_name", "surname"} <= set(found)):
        missing.append("e-mail or name (e.g. 'E-mail address', 'Full Name')")
    if missing:
        named = [str(h) for h in headers if str(h).strip()]
        raise DataError(
            f"{where} has no column for {'; '.join(missing)}; headers are "
            f"{[str(h) for h in headers]}"
            + (f" (columns given: {given})" if given else "")
            + (
                f"; row 1 holds one cell, {named[0]!r}: if it is a title above the headers, "
                "delete the rows above them so that the headers are row 1"
                if len(named) == 1
                else "; map them with columns={field: header}"
            )
        )
    return found


#: What reading the rows of an export without a column of this field (when others
#: have one) does: said once for each such export.
_WITHOUT = {
    "status": "none of its rows is excluded by its status: each is counted as attendance",
    "job_title": "its rows have no job title: level 'other'",
    "role": "its rows are read as participants",
    "hours": "its rows have no hours",
    "workstream": "its rows give their networks no workstream",
}


def _read_sources(
    source: Any, columns: Mapping[str, str] | None
) -> tuple[pd.DataFrame, str, list[dict[str, Any]], list[str] | None, list[dict[str, Any]]]:
    """One export, or several (a list) stacked: each one's recognised headers renamed
    to the field's first alias in :data:`HEADERS`, its rows numbered ``i * _MULTI +
    row``. Returns the frame, its name, read problems, the names of the files (None
    for one export) and each file's field -> its own header (empty for one export)."""
    if not isinstance(source, (list, tuple)):
        return (*_read(source), None, [])
    if not source:
        raise ValueError("source: an empty list of exports")
    if len(source) == 1:
        return (*_read(source[0]), None, [])
    frames, names, problems, founds = [], [], [], []
    for i, one in enumerate(source):
        raw, name, probs = _read(one)
        found = _find_columns(list(raw.columns), columns, name)
        founds.append(found)
        raw = raw.rename(columns={h: HEADERS[fld][0] for fld, h in found.items()})
        raw.index = raw.index + i * _MULTI
        frames.append(raw)
        names.append(name)
        problems += [{**p, "row": i * _MULTI + int(p["row"])} for p in probs if p.get("row")]
    if len(set(names)) < len(names):  # DataFrames are "records[i]", files their paths
        names = [
            str(s) if isinstance(s, (str, os.PathLike)) else f"records[{i}]"
            for i, s in enumerate(source)
        ]
    return pd.concat(frames), ", ".join(names), problems, names, founds


def _lacking(founds: list[dict[str, Any]]) -> dict[str, list[int]]:
    """For each field of :data:`_WITHOUT` some of several exports have a column for, the
    positions of those that have none."""
    lacking = {fld: [i for i, f in enumerate(founds) if fld not in f] for fld in _WITHOUT}
    return {fld: v for fld, v in lacking.items() if v and len(v) < len(founds)}


def _relabel(
    frame: pd.DataFrame,
    names: list[str] | None,
    message: str,
    founds: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Rows numbered ``i * _MULTI + row`` back to (file, row); "duplicate of row N" and
    "as on row N" too; with ``founds`` (each file's field -> header), a ``column``
    named by a field's first alias back to the file's own header."""
    if names is None or frame.empty:
        return frame
    out = frame.copy()
    if founds and "column" in out:
        own = [{HEADERS[fld][0]: str(h) for fld, h in f.items()} for f in founds]
        out["column"] = pd.array(
            [
                own[int(r) // _MULTI].get(c, c) if isinstance(c, str) and pd.notna(r) else c
                for r, c in zip(out["row"], out["column"], strict=True)
            ],
            dtype="string",
        )
    rows = pd.array(out["row"], dtype="Int64")
    has = ~pd.isna(rows)
    files = [
        names[int(r) // _MULTI] if h else ", ".join(names) for r, h in zip(rows, has, strict=True)
    ]
    out["table"] = pd.array(files, dtype="string")
    out["row"] = pd.array(
        [r % _MULTI if h else pd.NA for r, h in zip(rows, has, strict=True)], dtype="Int64"
    )

    def dup(m: re.Match[str]) -> str:
        r = int(m[2])
        return f"{m[1]} {names[r // _MULTI]} row {r % _MULTI}"

    out[message] = (
        out[message]
        .astype("string")
        .str.replace(r"(duplicate of|as on) row (\d+)", dup, regex=True)
    )
    return out


# ---- the main function -----------------------------------------------------------


def _exact_copies(raw: pd.DataFrame) -> pd.Series:
    """The row each row is an exact copy of (every cell equal, as read and trimmed, as a
    folder's tables compare rows), ``<NA>`` for rows that copy no earlier row.

    Examples
    --------
    >>> raw = pd.DataFrame({"a": ["x", "x ", "y", "x"], "b": [1, 1, 1, None]}, index=[2, 3, 4, 5])
    >>> _exact_copies(raw).tolist()
    [<NA>, 2, <NA>, <NA>]
    """
    out = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    if len(raw) < 2 or raw.shape[1] == 0:
        return out
    cleaned = pd.DataFrame(
        {j: clean_text(raw.iloc[:, j].astype("string")) for j in range(raw.shape[1])},
        index=raw.index,
    )
    copy = cleaned.duplicated(keep="first").to_numpy()
    if not copy.any():
        return out
    group = cleaned.groupby(list(cleaned.columns), dropna=False, sort=False).ngroup()
    first = pd.Series(raw.index, index=raw.index).groupby(group.to_numpy()).transform("min")
    out[copy] = first[copy].to_numpy()
    return out


def _copies_found(copy_of: pd.Series, log: _Log) -> None:
    """A warning for each exact copy ("duplicate of row N", as a folder says it) and one
    counting them."""
    log.quality.append(
        pd.DataFrame(
            {
                "table": log.source,
                "row": copy_of.index,
                "column": None,
                "value": None,
                "message": ("duplicate of row " + copy_of.astype("string")).to_numpy(),
                "severity": "warning",
            }
        )
    )
    n = len(copy_of)
    log.note(
        None,
        f"{n} row{'s are exact copies' if n != 1 else ' is an exact copy'} of earlier rows: "
        "left out (the same row twice is one attendance) and listed in the rejected rows "
        "as 'duplicate of row N'",
    )


#: Why a row that repeats the header is left out.
HEADER_AGAIN = "the header row again (exports pasted one under another?): not an attendance"


def _header_again(
    raw: pd.DataFrame, found: dict[str, Any], founds: list[dict[str, Any]]
) -> pd.Series:
    """Rows whose every column read holds that column's own header (compared as headers
    are: any case, spaces and punctuation), as when exports are pasted one under
    another; ``founds`` gives each of several exports' own headers (empty for one).

    Examples
    --------
    >>> raw = pd.DataFrame({"Date": ["1/9/22", " DATE", "Date"], "Event": ["A", "Event", "B"]})
    >>> _header_again(raw, {"date": "Date", "network": "Event"}, []).tolist()
    [False, True, False]
    """

    def keys(col: Any) -> pd.Series:
        cells = raw[col].astype("string").str.lower()
        return cells.str.replace(r"[^0-9a-z]+", "", regex=True)

    def own(fld: str) -> Any:
        if not founds:
            return _key(found[fld])
        file = np.asarray(raw.index) // _MULTI
        return np.array([_key(f.get(fld, "")) for f in founds], dtype=object)[file]

    again = pd.Series(True, index=raw.index)
    for fld, col in found.items():
        again &= (keys(col) == own(fld)).fillna(False).astype(bool)
    return again


def _refuse_repeated_headers(raw: pd.DataFrame, source_name: str) -> None:
    """A header written twice (two ``Date`` columns) names no one column to read: refused,
    naming it and the columns it heads (spreadsheet letters), rather than read either.

    Examples
    --------
    >>> _refuse_repeated_headers(pd.DataFrame([[1, 2, 3]], columns=["A", "Date", "Date"]), "e.csv")
    Traceback (most recent call last):
    ...
    wpnet.errors.DataError: e.csv: the header 'Date' heads columns B and C: rename one of them (which one wpnet should read cannot be told)
    """
    headers = [str(c) for c in raw.columns]
    seen: dict[str, list[int]] = {}
    for j, h in enumerate(headers):
        if h.strip() and not h.startswith("Unnamed: "):  # blank headers head nothing read
            seen.setdefault(h.strip().lower(), []).append(j)
    for where in seen.values():
        if len(where) > 1:
            from openpyxl.utils import get_column_letter  # only on this error's path

            letters = [get_column_letter(j + 1) for j in where]
            raise DataError(
                f"{source_name}: the header {headers[where[0]]!r} heads columns "
                f"{', '.join(letters[:-1])} and {letters[-1]}: rename one of them (which one "
                "wpnet should read cannot be told)"
            )


def from_records(
    source: str | os.PathLike[str] | pd.DataFrame | list[Any],
    *,
    columns: Mapping[str, str] | None = None,
    register: pd.DataFrame | None = None,
    key: str | bytes | None = None,
    keep_names: bool = False,
    errors: Literal["raise", "drop"] = "raise",
    fuzzy_threshold: float = 90,
    date_order: str = "auto",
    status_column: str | None = None,
    exclude_status: Collection[str] | None = None,
) -> Ecosystem:
    """Build an Ecosystem from one flat registration export (one row per attendance).

    Parameters
    ----------
    source : path or DataFrame, or a list of them
        A ``.csv`` (UTF-8 with or without BOM, UTF-16, or Windows-1252), ``.xlsx`` or
        ``.parquet`` export, or a DataFrame. A list (one export per event, say) is read
        as one export: each one's headers are recognised on their own and renamed to
        the field's first alias in :data:`HEADERS` (so ``eco.rejected`` shows those
        headers), and rows are named by file and row.
    columns : dict, optional
        Field -> export header, for headers not recognised by themselves. Fields:
        ``name`` (or ``first_name`` + ``surname``), ``email``, ``establishment`` (name or
        id), ``establishment_id``, ``authority``, ``sector``, ``network``,
        ``workstream``, ``date``, ``job_title``, ``role`` (participation role),
        ``hours``. Without it headers are recognised from :data:`HEADERS` ignoring
        case, spaces and punctuation. A column headed "Role" is the job title when the
        export has no job-title column.
    register : DataFrame, optional
        An establishments table (e.g. ``wpnet.load_example().establishments``). Rows
        are matched to it by id; then by canonical name (:func:`canonical_name`) in
        the row's authority, or anywhere when the name is unique in the register
        (warned); then by fuzzy matching (below). Unmatched rows are rejected with the
        3 nearest register names. It becomes ``eco.establishments`` (whole).
    key : str or bytes, optional
        The pseudonymisation key; default ``$WPNET_KEY``. Required.
    keep_names : bool
        Keep ``name`` and ``email`` columns in ``eco.practitioners`` (internal use
        only: never publish such an Ecosystem). Default False: no name or e-mail is
        stored anywhere, ``eco.rejected`` included.
    errors : {"raise", "drop"}
        ``"raise"`` (default, as :func:`wpnet.read_ecosystem`): any row that cannot be
        used raises one :class:`~wpnet.errors.DataError` listing every problem;
        ``"drop"`` puts such rows in ``eco.rejected``.
    fuzzy_threshold : float
        Lowest rapidfuzz ``token_sort_ratio`` (0-100) accepted for a fuzzy match.
    date_order : {"auto", "dmy", "mdy", "iso"}
        How ``a/b/yyyy`` dates are read. "auto" (default) tells the order from the
        values that can only be read one way (``17/04/2024`` is day-first,
        ``1/18/2024`` month-first): day-first unless a value can only be month-first
        while others could be either, which raises :class:`~wpnet.errors.DataError`
        naming the values (pass "mdy" to read the file month-first, "dmy" to reject
        those values). See :mod:`wpnet._parse`.
    status_column : str, optional
        The header of an attendance/booking status column; default: a header in
        :data:`HEADERS` ``["status"]`` ("Status", "Attendee Status", ...) if there is
        one.
    exclude_status : collection of str, optional
        Status values of rows that are not attendances (compared ignoring case, spaces
        and punctuation). Default :data:`NOT_ATTENDING` ("Not Attending", "Did Not
        Attend", "DNA", "No Show", "Cancelled", "Withdrawn", "Declined", "Waiting
        List", "No", ...). ``()`` keeps every row. Excluded rows are neither accepted
        nor rejected: ``eco.quality`` says how many were excluded for each value.
        A status in neither this nor :data:`ATTENDING` is counted as attendance with
        a warning, and so is a row without a status. Values given for an export
        without a status column raise :class:`~wpnet.errors.DataError`; a single
        string (``"DNA"`` for ``["DNA"]``) raises :class:`~wpnet.errors.WrongType`.

    Returns
    -------
    Ecosystem
        With ``rejected`` (the original values of the columns read, names and e-mails
        excepted: an export's other columns, such as a telephone or notes, are not
        kept; plus ``table`` = the source, ``row`` = spreadsheet row with header = row
        1, ``reason``) and
        ``quality`` (warnings: unknown job titles, authorities, roles, fuzzy matches;
        and, with ``errors="drop"``, each reason a row was left out for as an error
        naming its column and value, as a folder's ``quality`` does).
        ``len(eco.participation) + len(eco.rejected)`` + the rows excluded by status is
        the number of rows read; ``eco.reading`` (:class:`wpnet._reading.Reading`)
        holds that number and the rows excluded by status, value by value. ``limits``
        (see :func:`data_limits`) names the findings the export cannot support:
        coverage and equity without a register (the export's own schools are not the
        schools that could have taken part); the leadership share without a
        participation-role column.

    Raises
    ------
    KeyMissing
        Without a key (before anything is read).
    DataError
        When a needed column is missing or ambiguous, or (``errors="raise"``) when
        any row is rejected.

    Notes
    -----
    *Practitioners*: ``practitioner_id`` is the keyed pseudonym
    (:func:`wpnet.privacy.pseudonymise`) of the e-mail, lower-cased and trimmed. A
    row without an e-mail takes the pseudonym of an e-mail seen with the same name at
    the same establishment, else the pseudonym of ``"<name>|<establishment_id>"``
    (normalised as a whole, so lower-cased: ``"ann smith|e3"``). A row with neither is rejected. Home establishment, level and
    job title are those of each practitioner's latest record.

    *Levels* come from job titles via :func:`wpnet.schema.normalise_level`; an
    unknown or missing title gives level ``other`` and a warning (not a rejection).

    *Networks*: ``network_id`` is the slug of the event/network name
    (:func:`slug`: "Numeracy CLN" -> ``numeracy-cln``), so spellings that differ only
    in case, spacing or punctuation are one network; its name is the most frequent
    spelling. An event name ending in a meeting number (:data:`MEETING`: "Numeracy
    CLN - Session 2", "Leadership Programme Day 1") is a meeting of the network named
    without it: the records of "Session 1" and "Session 2" are one network (each
    merge is listed in ``eco.quality``) and ``participation.event_id`` keeps the slug
    of the full event name. An event that looks like one day (a meeting number, or at
    least :data:`ONE_DAY_SHARE` of its records on one date) whose records carry other
    dates is listed in ``eco.quality`` with the dates (a date typed or read wrongly).
    ``workstream`` is the network's most frequent value of the workstream column, or
    ``"unspecified"``.

    *Sessions*: a session with fewer than :data:`THIN_SESSION` (10%) of the records of
    the largest one is listed in ``eco.quality`` and in ``eco.limits`` (a comparison
    with it says little).

    *Establishments without a register* are the distinct (authority, canonical name)
    pairs, ``establishment_id = "<authority slug>:<name slug>"``; the sector comes
    from a sector column, else from the name's words (:func:`infer_sector`). The
    sector vocabulary is fixed, so a row whose establishment's sector cannot be told
    is rejected (not guessed): pass a register. Rows without an authority are
    rejected too. Authority spellings are mapped with
    :func:`wpnet.schema.normalise_authority`; unknown ones are kept as written and
    warned about.

    *Establishment codes*: a code column (``Seed Code``, ``Establishment ID``) beside
    a name column is checked against it. With a register, a row is matched by its
    code first; a code and a name naming two different register establishments
    reject the row (which one is meant cannot be told: both are named); a code in no
    register row beside a name that matches is a warning naming the row, both values
    and the establishment used (the name's), and says when the code is the
    establishment's with its leading zeros lost (``123`` for ``0123``, as a
    spreadsheet drops them from a number). Without a register establishments are
    told apart by authority and name and the code is not used: a code given with two
    establishments, or an establishment with two codes, is a warning.

    *Rejected*: no identity, no network, no or bad date, establishment not matched,
    or a second record of an earlier row's practitioner, network, date and
    establishment whose other cells differ; a row's reasons are joined with "; ".
    An exact copy of an earlier row (every cell equal once trimmed, as a folder's
    tables compare rows) is left out whatever ``errors`` says, as
    :func:`wpnet.read_ecosystem` leaves it out: a warning on its row and one counting
    them in ``eco.quality``, and the row in ``eco.rejected`` as "duplicate of row N".
    So is a row whose every column read holds its own header (exports pasted one under
    another): a warning on its row, and the row in ``eco.rejected`` as
    :data:`HEADER_AGAIN`.

    Examples
    --------
    >>> export = pd.DataFrame({
    ...     "Full Name": ["Ann Smith", "ann smith ", "Bob Jones"],
    ...     "E-mail address": ["Ann@x.org", " ann@X.org", "bob@x.org"],
    ...     "School": ["Ashgrove Primary", "Ashgrove Primary", "Barrhead High"],
    ...     "Local Authority": ["Glasgow", "Glasgow City Council", "Glasgow"],
    ...     "Event": ["Numeracy CLN", "numeracy cln", "Numeracy CLN"],
    ...     "Job Title": ["PT Maths", "PT Maths", "DHT"],
    ...     "Date": ["01/09/2022", "44835", "31/02/2023"]})
    >>> import wpnet
    >>> eco = from_records(
    ...     export, register=wpnet.tiny().establishments, key="a key of 16+ bytes", errors="drop"
    ... )
    >>> eco.participation[["network_id", "establishment_id", "date"]]
         network_id establishment_id       date
    0  numeracy-cln               E1 2022-09-01
    1  numeracy-cln               E1 2022-10-01
    >>> eco.practitioners[["establishment_id", "level"]]
      establishment_id          level
    0               E1  middle_leader
    >>> eco.rejected[["row", "reason"]].to_dict("records")
    [{'row': 4, 'reason': 'impossible date 31/02/2023 (day-first: 31 February 2023)'}]
    """
    check_choice("errors", errors, ("raise", "drop"))
    if not 0 <= fuzzy_threshold <= 100:
        raise UsageError(f"fuzzy_threshold must be between 0 and 100, not {fuzzy_threshold!r}")
    check_choice("date_order", date_order, tuple(DATE_ORDERS))
    if isinstance(exclude_status, str):  # "DNA" would be read as its letters
        raise WrongType(
            f"exclude_status takes a collection of status values, e.g. [{exclude_status!r}]; "
            f"got the string {exclude_status!r}"
        )
    k = resolve_key(key)
    if status_column is not None:
        columns = {**dict(columns or {}), "status": status_column}
    raw, source_name, read_problems, names, founds = _read_sources(source, columns)
    lacking = _lacking(founds)
    if names is not None:  # the headers are now the fields' first aliases
        columns = None
    _refuse_repeated_headers(raw, source_name)
    found = _find_columns(list(raw.columns), columns, source_name)
    if exclude_status and "status" not in found:  # values to exclude, nowhere to read them
        raise DataError(
            f"{source_name}: exclude_status={list(exclude_status)!r} (on the command line "
            "--exclude-status) was given, but the export has no status column (e.g. "
            f"{', '.join(repr(h) for h in HEADERS['status'][:3])}); headers are "
            f"{[str(h) for h in raw.columns]}; name it with status_column= (on the command "
            "line --status-column)"
        )
    log = _Log(raw.index, source_name)
    for fld, files in lacking.items():  # said once for each export, not row by row
        for i in files:
            log.note(
                None, f"{names[i]} has no {fld} column, which other exports have: {_WITHOUT[fld]}"
            )
    rows_read, excluded = len(raw), ()
    again = _header_again(raw, found, founds).to_numpy()
    repeats = raw[again]
    if len(repeats):  # left out before any other check would find fault with them
        raw = raw[~again]
        log.index = raw.index
        log.quality.append(
            pd.DataFrame(
                {"table": source_name, "row": repeats.index, "column": None, "value": None}
            ).assign(message=HEADER_AGAIN, severity="warning")
        )
    if "status" in found:
        unstated = pd.Series(raw.index // _MULTI, index=raw.index).isin(lacking.get("status", []))
        raw, excluded = _exclude_by_status(raw, found["status"], exclude_status, log, unstated)
        log.index = raw.index
    # several exports: the status column as each names it
    status_headers = [str(f["status"]) for f in founds if "status" in f]
    reading = Reading(
        source_name,
        rows_read,
        "/".join(dict.fromkeys(status_headers)) or str(found["status"])
        if "status" in found
        else None,
        tuple((value, n) for value, n, _ in excluded),
        None if register is None else len(register),
        tuple((value, k) for value, _, k in excluded if k > 1),
    )
    # exact copies of earlier rows are left out, as a folder's are, whatever ``errors``
    copy_of = _exact_copies(raw)
    copies = raw[copy_of.notna().to_numpy()]
    if len(copies):
        raw = raw[copy_of.isna().to_numpy()]
        log.index = raw.index
        _copies_found(copy_of.dropna(), log)
    for p in read_problems:  # ragged rows; the extra cells are not repeated (privacy)
        msg = str(p.get("message", "")).split("; extra cells")[0]
        log.quality.append(
            pd.DataFrame([{**p, "table": source_name, "value": None, "message": msg}])
        )
    f = pd.DataFrame(index=raw.index)
    for fld, header in found.items():
        if fld != "date":
            f[fld] = clean_text(raw[header])
    if "name" not in f and {"first_name", "surname"} <= set(f):
        f["name"] = clean_text(f["first_name"].fillna("") + " " + f["surname"].fillna(""))
    for fld in ("name", "email", "establishment", "authority"):
        if fld not in f:
            f[fld] = pd.Series(pd.NA, index=f.index, dtype="string")
    est_col = found.get("establishment", found.get("establishment_id"))
    if "establishment" not in found:
        f["establishment"] = f["establishment_id"]

    # authority spellings
    amap = _authority_map(f["authority"])
    auth_raw = f["authority"]
    f["authority"] = auth_raw.map(amap).astype("string")
    unknown_auth = auth_raw.notna() & auth_raw.map(
        {v: normalise_authority(v) is None for v in amap}
    ).fillna(False).astype(bool)
    # identity: needs an e-mail or a name
    email = f["email"].str.lower()
    name = f["name"]
    no_id = email.isna() & name.isna()
    log.fail(no_id, found.get("email", found.get("name")), "no e-mail or name")

    # network (an event name ending "Session N" is a meeting of the network without it)
    event_name = f["network"]
    net_name = _without_meeting(event_name)
    net_id = slug(net_name)
    log.fail(net_name.isna(), found["network"], "no network/event")
    log.fail(
        net_name.notna() & net_id.isna(),
        found["network"],
        "network name has no letters or digits",
        net_name,
    )

    # dates
    date_raw = raw[found["date"]]
    if len(raw):
        order, note = choose_date_order(
            date_raw,
            date_order,
            where=f"{source_name} column {found['date']!r}",
            rows=names is None,
        )
        if note:
            log.note(found["date"], note)
        dates, problem = parse_dates(date_raw, date_order=order)
    else:  # parse_dates needs at least one value to tell the column's kind
        dates = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        problem = pd.Series("", index=raw.index, dtype="string")
    log.fail(dates.isna() & (problem == ""), found["date"], "no date")
    log.fail(problem != "", found["date"], problem, date_raw.astype("string"))
    log.warn(
        dates.notna() & two_digit_year(date_raw),
        found["date"],
        pd.Series("(two-digit years)", index=raw.index),
        "two-digit year read as 20yy",
    )

    # establishments (a code column beside a name column is checked against the names)
    f["canon"] = canonical_name(f["establishment"])
    code_col = found.get("establishment_id") if "establishment" in found else None
    if register is not None:
        establishments = _prepare_register(register)
        est_id = _match(f, establishments, fuzzy_threshold, log, est_col, code_col=code_col)
    else:
        est_id, establishments = _build_establishments(f, log, est_col, code_col=code_col)

    # practitioner ids
    pid_email = pseudonymise(email, key=k)
    name_norm = name.str.lower()
    link = pd.DataFrame({"name": name_norm, "est": est_id, "pid": pid_email}).dropna()
    link = link.drop_duplicates()
    link = link[~link.duplicated(["name", "est"], keep=False)]
    linked = pd.DataFrame({"name": name_norm, "est": est_id}).merge(
        link, on=["name", "est"], how="left"
    )["pid"]
    linked.index = f.index
    pid_name = pseudonymise(name_norm + "|" + est_id, key=k)
    pid = pid_email.fillna(linked.astype("string")).fillna(pid_name)
    ident = ("e:" + email).fillna("n:" + name_norm + "|" + est_id)
    pairs = pd.DataFrame({"ident": ident, "pid": pid}).dropna().drop_duplicates()
    pairs = pairs[~pairs["ident"].str.startswith("n:") | ~pairs["pid"].isin(pid_email)]
    if pairs["pid"].duplicated().any():
        raise WpnetError("two different e-mails or names share a pseudonym (a hash collision)")

    # duplicates among rows otherwise accepted
    ok = ~log.failed()
    key_cols = pd.DataFrame(
        {"pid": pid, "net": net_id, "date": dates, "est": est_id, "row": f.index}
    )
    first = (
        key_cols[ok].groupby(["pid", "net", "date", "est"], dropna=False)["row"].transform("min")
    )
    dup = pd.Series(False, index=f.index)
    dup[first.index] = first.to_numpy() != first.index.to_numpy()
    log.fail(
        dup,
        None,
        "the same person, network, date and establishment as on row "
        + first.reindex(f.index).astype("Int64").astype("string")
        + " (other cells differ): one attendance recorded twice",
    )
    ok = ~log.failed()

    log.warn(  # of rows kept: a row left out keeps no authority (a repeated header, say)
        ok & unknown_auth,
        found.get("authority"),
        auth_raw,
        "authority not in the vocabulary; kept as written",
    )
    log.warn(  # of a row kept: a row left out uses no e-mail (a totals row, say)
        ok & email.notna() & ~email.str.contains("@", regex=False).fillna(False),
        found.get("email"),
        pd.Series("(not shown)", index=f.index),
        "an e-mail without '@' (used as written)",
    )

    # levels and roles
    title = f["job_title"] if "job_title" in f else pd.Series(pd.NA, index=f.index, dtype="string")
    lmap = {v: normalise_level(v) for v in title.dropna().unique()}
    level = title.map(lmap).astype("string")
    log.warn(ok & title.isna(), found.get("job_title"), title, "no job title: level 'other'")
    log.warn(
        ok & title.notna() & level.isna(),
        found.get("job_title"),
        title,
        "job title not recognised: level 'other'",
    )
    level = level.fillna("other")
    role = pd.Series("participant", index=f.index, dtype="string")
    if "role" in f:
        rmap = {v: normalise_role(v) for v in f["role"].dropna().unique()}
        mapped = f["role"].map(rmap).astype("string")
        log.warn(
            ok & f["role"].notna() & mapped.isna(),
            found["role"],
            f["role"],
            "participation role not recognised: read as 'participant'",
        )
        role = mapped.fillna("participant")
    hours = pd.Series(pd.NA, index=f.index, dtype="Float64")
    if "hours" in f:
        hours = pd.to_numeric(f["hours"], errors="coerce").astype("Float64")
        bad = f["hours"].notna() & (hours.isna() | (hours < 0))
        log.warn(
            ok & bad.fillna(True), found["hours"], f["hours"], "hours not a number >= 0: left empty"
        )
        hours = hours.mask(bad.fillna(True))

    # the tables
    acc = ok.to_numpy()
    participation = pd.DataFrame(
        {
            "practitioner_id": pid[acc],
            "network_id": net_id[acc],
            "date": dates[acc],
            "establishment_id": est_id[acc],
            "role": role[acc],
            "hours": hours[acc],
        }
    )  # indexed by export row, so that the table checks name the export's rows
    merged = event_name.notna() & (slug(event_name) != net_id)
    if merged[acc].any():
        participation["event_id"] = slug(event_name)[acc].to_numpy()
    _event_findings(event_name, net_name, dates, ok, found["network"], log)
    latest = pd.DataFrame(
        {
            "practitioner_id": pid[acc],
            "establishment_id": est_id[acc],
            "level": level[acc],
            "role": title[acc],
            "date": dates[acc],
            "row": f.index[acc],
        }
    )
    if keep_names:
        latest["name"] = name[acc]
        latest["email"] = email[acc]
    latest = latest.sort_values(["practitioner_id", "date", "row"])
    practitioners = (
        latest.drop_duplicates("practitioner_id", keep="last")
        .drop(columns=["date", "row"])
        .reset_index(drop=True)
    )
    ws = (
        f["workstream"] if "workstream" in f else pd.Series(pd.NA, index=f.index, dtype="string")
    ).fillna("unspecified")
    networks = _networks(net_id[acc], net_name[acc], ws[acc], log, found.get("workstream"))

    # rejected rows: the values of the columns read (an export's other columns, a
    # telephone, a line manager's e-mail, notes, are not), minus names and e-mails
    # unless keep_names
    failed = ~ok
    reasons = log.reasons()
    rejected = pd.concat([raw[failed.to_numpy()], copies, repeats]).sort_index()
    if not keep_names:
        read = [h for fld, h in found.items() if fld not in _PERSONAL]
        rejected = rejected[[c for c in rejected.columns if c in read]]
    clash = {c: f"{c} (export)" for c in rejected.columns if str(c) in ("table", "row", "reason")}
    rejected = rejected.rename(columns=clash)
    why = reasons.groupby("row", sort=True)["message"].agg("; ".join) if len(reasons) else None
    copied = "duplicate of row " + copy_of.dropna().astype("string")
    why = copied if why is None else pd.concat([why.astype("string"), copied])
    why = pd.concat([why, pd.Series(HEADER_AGAIN, index=repeats.index, dtype="string")])
    rejected.insert(0, "reason", why.reindex(rejected.index).astype("string"))
    rejected.insert(0, "row", pd.array(rejected.index, dtype="Int64"))
    rejected.insert(0, "table", source_name)
    rejected = _relabel(rejected.reset_index(drop=True), names, "reason")
    limits = _export_limits(register is not None, "role" in found)
    thin = _thin(participation["date"])
    for session, (n, largest) in thin.items():
        msg = (
            f"session {session} has only {n} record{'s' if n != 1 else ''} (the largest has "
            f"{largest}): a comparison with it says little"
        )
        log.note(found["date"], msg)
        limits[f"session {session}"] = msg
    return _checked_ecosystem(
        source_name,
        "the register" if register is not None else f"{source_name} (establishments)",
        {
            "establishments": establishments,
            "practitioners": practitioners,
            "networks": networks,
            "participation": participation,
        },
        rejected=rejected,
        reasons=_relabel(reasons.assign(message=reasons["message"]), names, "message", founds)
        if len(reasons)
        else reasons,
        quality=_relabel(log.quality_frame(), names, "message", founds),
        errors=errors,
        reading=reading,
        limits=limits,
        names=names,
        sources=_source_paths(source),
    )


def _checked_ecosystem(
    source_name: str,
    register_name: str,
    built: dict[str, pd.DataFrame],
    *,
    rejected: pd.DataFrame,
    reasons: pd.DataFrame,
    quality: pd.DataFrame,
    errors: str,
    reading: Reading,
    limits: dict[str, str],
    names: list[str] | None = None,
    sources: tuple | list = (),
) -> Ecosystem:
    """The Ecosystem of the tables built from an export, after the table checks a folder
    gets (:func:`_check_built`): every problem, the export's own (``reasons``) and the
    checks', raised together (``errors="raise"``) or their rows rejected."""
    checked = _check_built(source_name, register_name, **built)
    if names is not None:  # rows of several exports back to (file, row)
        checked = dataclasses.replace(
            checked,
            problems=_relabel_from(checked.problems, source_name, names, "message"),
            rejected=_relabel_from(checked.rejected, source_name, names, "reason"),
        )
    own = problems_frame()
    if len(reasons):
        own = pd.DataFrame(
            {
                "table": reasons.get("table", source_name),
                "row": reasons["row"],
                "column": reasons["column"].astype("string"),
                "value": reasons["value"].astype("string"),
                "message": reasons["message"],
                "severity": "error",
            }
        ).astype(own.dtypes.to_dict())
    problems = pd.concat([own, checked.errors], ignore_index=True).sort_values(
        ["table", "row"], kind="stable", ignore_index=True
    )
    failing = problems if errors == "raise" else checked.fatal
    if len(failing):
        n = len(failing)
        raise DataError(
            problems_message(
                failing,
                checked.sources,
                f"{n} problem{'s' if n != 1 else ''} in {source_name} ({reading.rows} rows "
                f"read{'; ' + reading.excluded_phrase() if reading.n_excluded else ''}):",
            )
            + "\n(errors='drop', on the command line --errors drop, leaves the rows out and "
            "lists them with their reasons)",
            problems=failing[["table", "row", "column", "value", "message"]].reset_index(drop=True),
        )
    tables = checked.tables
    if len(checked.rejected):
        rejected = pd.concat([rejected, checked.rejected], ignore_index=True)
    found_too = checked.problems[(checked.problems["severity"] == "warning").to_numpy()]
    # the rows left out (errors="drop") keep their column and value, as raising says them
    found_too = pd.concat([problems.astype(found_too.dtypes.to_dict()), found_too])
    if len(found_too):
        quality = pd.concat(
            [quality, found_too.astype(quality.dtypes.to_dict())], ignore_index=True
        ).sort_values("row", kind="stable", ignore_index=True)  # in row order, as read
    return Ecosystem(
        tables["establishments"],
        tables["practitioners"],
        tables["networks"],
        tables["participation"].reset_index(drop=True),
        rejected=rejected,
        quality=quality,
        limits=limits,
        sources=sources,
        reading=reading,
        canonical=True,
    )


def _source_paths(source: Any) -> list[Any]:
    """The files an export was read from (none for a DataFrame)."""
    items = source if isinstance(source, list | tuple) else [source]
    return [s for s in items if isinstance(s, str | os.PathLike)]


def _relabel_from(
    frame: pd.DataFrame, source_name: str, names: list[str], message: str
) -> pd.DataFrame:
    """:func:`_relabel` for the rows of ``frame`` that name the export as their table."""
    if frame.empty or "table" not in frame:
        return frame
    mine = (frame["table"] == source_name).fillna(False).to_numpy()
    if not mine.any():
        return frame
    parts = [frame[~mine], _relabel(frame[mine], names, message)]
    return pd.concat(parts).sort_index().astype(frame.dtypes.to_dict())


def _check_built(
    source_name: str,
    register_name: str,
    establishments: pd.DataFrame,
    practitioners: pd.DataFrame,
    networks: pd.DataFrame,
    participation: pd.DataFrame,
) -> Checked:
    """The tables built from an export through :func:`wpnet.validation.check_tables`,
    participation numbered by export row and the register by its own row."""

    def numbered(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.reset_index(drop=True)
        out.index = out.index + 2
        return out

    return check_tables(
        {
            "establishments": RawTable(numbered(establishments), register_name),
            "practitioners": RawTable(numbered(practitioners), f"{source_name} (practitioners)"),
            "networks": RawTable(numbered(networks), f"{source_name} (networks)"),
            "participation": RawTable(participation, source_name),
        }
    )
