"""What a flat export says beyond its rows: the problem collector of
:func:`wpnet.from_records`, attendance status, meetings of one network, thin sessions
and the findings an export cannot support (:func:`data_limits`).

An internal helper module of :mod:`wpnet.records`, which re-exports its public names.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from wpnet._names import slug
from wpnet._parse import clean_text
from wpnet.ecosystem import Ecosystem
from wpnet.sessions import session_of
from wpnet.validation import problems_frame

__all__ = [
    "ATTENDING",
    "FINDING_NAMES",
    "MEETING",
    "NOT_ATTENDING",
    "ONE_DAY_SHARE",
    "THIN_SESSION",
    "data_limits",
    "describe_limits",
    "thin_sessions",
]

#: Status values that mean the person did not attend (compared ignoring case, spaces
#: and punctuation): the default of ``from_records(exclude_status=...)``.
NOT_ATTENDING = frozenset(
    {
        "Not Attending",
        "Not Attended",
        "Did Not Attend",
        "DNA",
        "No Show",
        "Absent",
        "Cancelled",
        "Canceled",
        "Withdrawn",
        "Declined",
        "Apologies",
        "Waiting List",
        "Waitlist",
        "Waitlisted",
        "Not Going",
        "No",
        "False",
    }
)

#: Status values read as attendance without a warning; any other value is counted as
#: attendance *with* a warning.
ATTENDING = frozenset(
    {
        "Attending",
        "Attended",
        "Present",
        "Yes",
        "True",
        "Confirmed",
        "Booked",
        "Registered",
        "Complete",
        "Completed",
        "Going",
    }
)

#: A trailing "Session 2", "Day 1", "Part 3", "Meeting 4", "Module 5", "Week 6" or
#: "Workshop 7" in an event's name names one meeting of a network, not a network.
MEETING = re.compile(
    r"[\s,:;(\[\-\u2013\u2014]*\b(?:session|day|part|meeting|module|week|workshop)"
    r"\s*(?:\d{1,2}|[ivx]+)\s*[)\]]?\s*$",
    flags=re.IGNORECASE,
)

#: An event with at least this share of its records on one date is a one-day event;
#: its records on other dates are reported.
ONE_DAY_SHARE = 2 / 3

#: A session with fewer records than this share of the largest session's is *thin*.
THIN_SESSION = 0.1


def _without_meeting(names: pd.Series) -> pd.Series:
    """Event names without a trailing meeting number (:data:`MEETING`)."""
    stripped = names.str.replace(MEETING, "", regex=True).str.strip()
    return stripped.where(stripped.notna() & (stripped != ""), names).astype("string")


def _event_findings(
    event: pd.Series, network: pd.Series, dates: pd.Series, ok: pd.Series, col: Any, log: _Log
) -> None:
    """Warn about networks merged from meeting-numbered events, and events whose
    records carry several dates."""
    df = pd.DataFrame({"event": event, "network": network, "date": dates, "row": event.index})
    df = df[ok.to_numpy() & df["event"].notna().to_numpy()]
    if df.empty:
        return
    df["eslug"], df["nslug"] = slug(df["event"]), slug(df["network"])
    for nslug, g in df[df["eslug"] != df["nslug"]].groupby("nslug", sort=True):
        names = sorted(df.loc[df["nslug"] == nslug, "event"].drop_duplicates().tolist())
        shown = ", ".join(repr(n) for n in names[:6]) + (" ..." if len(names) > 6 else "")
        log.note(
            col,
            f"events {shown} read as meetings of one network "
            f"{g['network'].mode().iloc[0]!r} (a trailing 'Session N', 'Day N', 'Part N' ... "
            "names a meeting; participation.event_id keeps the event)",
            row=int(g["row"].min()),
        )
    # an event that looks like one day (a meeting number, or most records on one date)
    # whose records carry other dates too: a typed-wrong or misread date is likely
    for _, g in df.dropna(subset=["date"]).groupby("eslug", sort=True):
        per_day = g["date"].value_counts()
        if len(per_day) < 2:
            continue
        meeting = bool(g["eslug"].iloc[0] != g["nslug"].iloc[0])
        if not meeting and per_day.iloc[0] < ONE_DAY_SHARE * len(g):
            continue
        others = ", ".join(f"{n} on {d.date()}" for d, n in per_day.iloc[1:6].items())
        more = " ..." if len(per_day) > 6 else ""
        log.note(
            col,
            f"event {g['event'].iloc[0]!r} looks like one day but its records carry "
            f"{len(per_day)} dates ({per_day.iloc[0]} on {per_day.index[0].date()}, "
            f"{others}{more}): check the dates; the records are kept as dated",
            row=int(g["row"].min()),
        )


def _thin(dates: pd.Series) -> dict[str, tuple[int, int]]:
    """Sessions with fewer than :data:`THIN_SESSION` of the largest session's records."""
    counts = session_of(pd.Series(dates)).value_counts()
    if counts.empty:
        return {}
    largest = int(counts.max())
    return {
        str(s): (int(n), largest) for s, n in sorted(counts.items()) if n < THIN_SESSION * largest
    }


def _export_limits(has_register: bool, has_role: bool) -> dict[str, str]:
    limits: dict[str, str] = {}
    if not has_register:
        why = (
            "no establishments register was given (register= / --register): the export "
            "lists only the schools that took part, so the share of schools reached, and "
            "of SIMD quintile 1 schools, cannot be computed"
        )
        limits["coverage"] = why
        limits["equity"] = why
    if not has_role:
        limits["lead_share"] = (
            "the export has no participation-role column (lead, facilitator, presenter), "
            "so who led, facilitated or presented is not known"
        )
    return limits


def thin_sessions(eco: Ecosystem, share: float = THIN_SESSION) -> dict[str, int]:
    """Sessions with fewer than ``share`` of the largest session's records.

    A comparison with such a session (a handful of records, often stray or misread
    dates) says little; the report flags it.

    Parameters
    ----------
    eco : Ecosystem
    share : float
        The threshold as a share of the largest session's record count.

    Returns
    -------
    dict
        Session -> its record count, in session order.

    Examples
    --------
    >>> import wpnet
    >>> thin_sessions(wpnet.tiny())
    {}
    """
    counts = eco.participation["session"].value_counts()
    if counts.empty:
        return {}
    largest = int(counts.max())
    return {str(s): int(n) for s, n in sorted(counts.items()) if n < share * largest}


#: How :func:`describe_limits` names each finding.
FINDING_NAMES = {
    "coverage": "the share of schools and nurseries reached",
    "equity": "the equity ratio (reach of SIMD quintile 1 schools)",
    "lead_share": "the share of practitioners who led, facilitated or presented",
}


def describe_limits(limits: Mapping[str, str], compare_to: str | None = None) -> list[str]:
    """Sentences for a report: which findings are not reported and why, and a note
    when the session compared with is thin.

    Examples
    --------
    >>> describe_limits({"lead_share": "the export has no role column"})
    ['Not reported: the share of practitioners who led, facilitated or presented, because the export has no role column.']
    """
    groups: dict[str, list[str]] = {}
    for finding, why in limits.items():
        if not finding.startswith("session "):
            groups.setdefault(why, []).append(FINDING_NAMES.get(finding, finding))
    out = [f"Not reported: {' and '.join(n)}, because {why}." for why, n in groups.items()]
    if compare_to is not None and f"session {compare_to}" in limits:
        out.append(f"Note: {limits[f'session {compare_to}']}.")
    return out


def data_limits(eco: Ecosystem) -> dict[str, str]:
    """Findings the data cannot support, each with the reason.

    Keys: ``"coverage"`` and ``"equity"`` (an export read without a register: its
    schools are only those that took part, not the denominator of coverage),
    ``"lead_share"`` (no participation-role column in an export, or no record with a
    role other than participant, as in such an export saved and read again) and
    ``"session YYYY-YY"``
    for each thin session (:func:`thin_sessions`). A report leaves these findings out
    and says why.

    Examples
    --------
    >>> import wpnet
    >>> data_limits(wpnet.tiny())
    {}
    """
    limits = dict(getattr(eco, "limits", {}) or {})
    roles = eco.participation["role"]
    if "lead_share" not in limits and len(roles) and (roles == "participant").all():
        limits["lead_share"] = (
            "no participation record has a role other than participant: the data do not "
            "seem to record who led, facilitated or presented"
        )
    for session, n in thin_sessions(eco).items():
        limits.setdefault(
            f"session {session}",
            f"session {session} has only {n} record{'s' if n != 1 else ''}: a comparison "
            "with it says little",
        )
    return limits


def _norm_status(value: object) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(value).lower())


def _exclude_by_status(
    raw: pd.DataFrame,
    header: Any,
    exclude: Collection[str] | None,
    log: _Log,
    unstated: pd.Series | None = None,
) -> tuple[pd.DataFrame, tuple[tuple[str, int, int], ...]]:
    """The rows whose status is not in ``exclude``, and each excluded value with its
    number of rows and of spellings (:func:`_spellings_grouped`: values that differ
    only in case, spaces or punctuation are one, as written most often). Each excluded
    value, each value not recognised and the rows without a status (counted as
    attendance) are logged, except rows marked in ``unstated`` (those of an export
    without the column, said once for the export by the caller).

    Examples
    --------
    >>> raw = pd.DataFrame(
    ...     {"S": ["DNA", " dna", "Attended", None, "Not Attending "]}, index=range(2, 7)
    ... )
    >>> log = _Log(raw.index, "x.csv")
    >>> kept, excluded = _exclude_by_status(raw, "S", None, log)
    >>> kept.index.tolist(), excluded
    ([4, 5], (('DNA', 2, 2), ('Not Attending', 1, 1)))
    >>> log.quality_frame()[["row", "message"]].values.tolist()[2]
    [5, 'no status: counted as attendance (1 row)']
    """
    if isinstance(exclude, str):
        raise TypeError("exclude_status must be a collection of values, not one string")
    drop = {_norm_status(v) for v in (NOT_ATTENDING if exclude is None else exclude)}
    known = {_norm_status(v) for v in ATTENDING} - drop
    status = clean_text(raw[header])
    # an empty column maps to a column of nulls that compares with nothing: text
    norm = status.map(_norm_status, na_action="ignore").astype("string")
    out = norm.isin(drop).fillna(False).astype(bool)
    log.warn(
        out,
        header,
        status,
        "status means not attending: row excluded (neither accepted nor rejected)",
    )
    log.warn(
        status.notna() & ~out & ~norm.isin(known).fillna(False).astype(bool),
        header,
        status,
        "status not recognised: counted as attendance (exclude it with exclude_status= / "
        "--exclude-status)",
    )
    blank = status.isna()
    if unstated is not None:
        blank &= ~unstated.to_numpy()
    if len(status) and blank.all():  # a finding about the column, not a row
        n = len(status)
        log.note(
            header,
            f"the status column is empty ({n} row{'s' if n != 1 else ''}): no row is "
            "excluded by its status; every row counted as attendance",
        )
    else:
        log.warn(blank, header, status, "no status: counted as attendance")
    return raw[~out.to_numpy()], _spellings_grouped(status[out.to_numpy()], norm[out.to_numpy()])


def _spellings_grouped(written: pd.Series, key: pd.Series) -> tuple[tuple[str, int, int], ...]:
    """Each value of ``key`` (the status as compared) as ``(spelling, rows, spellings)``:
    the spelling written most often (the first of those written as often), the rows
    of every spelling, and how many spellings there were, in the order of each key's
    first row.

    Examples
    --------
    >>> w = pd.Series(["dna", "DNA", "Absent", "DNA", "D.N.A."])
    >>> _spellings_grouped(w, w.map(_norm_status))
    (('DNA', 4, 3), ('Absent', 1, 1))
    """
    pairs = pd.DataFrame({"key": key.to_numpy(), "value": written.to_numpy()})
    counts = pairs.groupby(["key", "value"], sort=False).size()
    groups: dict[str, list[tuple[str, int]]] = {}
    for (k, v), n in counts.items():
        groups.setdefault(str(k), []).append((str(v), int(n)))
    out = []
    for spellings in groups.values():
        most = max(spellings, key=lambda s: s[1])  # the first of the most frequent
        out.append((most[0], sum(n for _, n in spellings), len(spellings)))
    return tuple(out)


def _networks(
    net_id: pd.Series, name: pd.Series, ws: pd.Series, log: _Log, ws_col: Any
) -> pd.DataFrame:
    """One row per network: most frequent spelling of its name and workstream."""
    df = pd.DataFrame({"network_id": net_id, "name": name, "workstream": ws})
    if df.empty:
        return pd.DataFrame(columns=["network_id", "name", "workstream"])

    def mode(col: str) -> pd.Series:
        c = df.groupby(["network_id", col]).size().rename("n").reset_index()
        c = c.sort_values(["network_id", "n", col], ascending=[True, False, True])
        return c.drop_duplicates("network_id").set_index("network_id")[col]

    out = pd.concat([mode("name"), mode("workstream")], axis=1).reset_index()
    n_ws = df.groupby("network_id")["workstream"].nunique()
    several = df["network_id"].map(n_ws) > 1
    log.warn(
        several,
        ws_col,
        df["network_id"],
        "network has more than one workstream; the most frequent is used",
    )
    return out


# ---- problems --------------------------------------------------------------------


#: Rows of the i-th of several exports are numbered ``i * _MULTI + row`` while read
#: (:func:`wpnet.records.from_records`).
_MULTI = 10**9


class _Log:
    """Row problems (which reject a row) and quality findings (which do not)."""

    def __init__(self, index: pd.Index, source: str) -> None:
        self.index = index
        self.source = source
        self.reject: list[pd.DataFrame] = []
        self.quality: list[pd.DataFrame] = []

    def fail(self, mask: pd.Series, column: Any, message: Any, value: Any = None) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        rows = self.index[mask.to_numpy()]
        msg = message[mask] if isinstance(message, pd.Series) else message
        val = value[mask] if isinstance(value, pd.Series) else value
        self.reject.append(
            pd.DataFrame(
                {"row": rows, "column": column, "value": val, "message": msg}, index=rows
            ).astype({"value": "string", "message": "string"})
        )

    def warn(
        self, mask: pd.Series, column: Any, value: pd.Series, message: pd.Series | str
    ) -> None:
        """One warning per distinct value in each export: its first row and how many rows
        it affects."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        v = value[mask].astype("string").fillna("")
        m = message[mask] if isinstance(message, pd.Series) else pd.Series(message, index=v.index)
        g = pd.DataFrame({"value": v, "message": m.astype("string"), "row": v.index})
        g["export"] = g["row"] // _MULTI  # of several exports, each its own
        agg = g.groupby(["export", "value", "message"], sort=False, dropna=False).agg(
            row=("row", "min"), n=("row", "size")
        )
        agg = agg.reset_index()
        rows = agg["n"].astype(str) + np.where(agg["n"] == 1, " row", " rows")
        agg["message"] = agg["message"] + " (" + rows + ")"
        self.quality.append(
            pd.DataFrame(
                {
                    "table": self.source,
                    "row": agg["row"],
                    "column": column,
                    "value": agg["value"].replace("", pd.NA),
                    "message": agg["message"],
                    "severity": "warning",
                }
            )
        )

    def note(self, column: Any, message: str, row: int | None = None) -> None:
        """One warning about the file (or from its ``row`` on), not about a value."""
        self.quality.append(
            pd.DataFrame(
                [
                    {
                        "table": self.source,
                        "row": row,
                        "column": column,
                        "value": None,
                        "message": message,
                        "severity": "warning",
                    }
                ]
            )
        )

    def failed(self) -> pd.Series:
        out = pd.Series(False, index=self.index)
        for f in self.reject:
            out[f.index] = True
        return out

    def reasons(self) -> pd.DataFrame:
        if not self.reject:
            return pd.DataFrame({"row": pd.Series(dtype="int64")})
        allp = pd.concat(self.reject, ignore_index=True)
        return allp

    def quality_frame(self) -> pd.DataFrame:
        """The findings as a problems frame (:func:`wpnet.validation.problems_frame`)."""
        if not self.quality:
            return problems_frame()
        q = pd.concat(self.quality, ignore_index=True)
        return problems_frame(q.to_dict("records")).sort_values(
            "row", kind="stable", ignore_index=True
        )
