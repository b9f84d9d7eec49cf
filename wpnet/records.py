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

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from wpnet._parse import clean_text, parse_dates
from wpnet.ecosystem import Ecosystem
from wpnet.errors import DataError, UsageError, WpnetError, check_choice
from wpnet.privacy import pseudonymise, resolve_key
from wpnet.schema import (
    SECTORS,
    TABLES,
    normalise_authority,
    normalise_level,
    normalise_role,
    normalise_sector,
)
from wpnet.validation import Checked, RawTable, check_tables, problems_frame, problems_message

__all__ = [
    "FIELDS",
    "FUZZY_MARGIN",
    "HEADERS",
    "canonical_name",
    "from_records",
    "infer_sector",
    "slug",
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
}
FIELDS = tuple(HEADERS)

#: A fuzzy match must beat the runner-up by at least this many points (0-100 scale).
FUZZY_MARGIN = 5.0

_PERSONAL = ("name", "first_name", "surname", "email")


def _key(header: object) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(header).lower())


# ---- names, slugs and sectors ----------------------------------------------------

_CANON_STEPS: tuple[tuple[str, str], ...] = (
    (r"&", " and "),
    (r"['’`.]", ""),
    (r"[^0-9a-z]+", " "),
    (r"^the ", ""),
    (r"\bsaint\b", "st"),
    (r"\broman catholic\b", "rc"),
    (r"\bprimary school\b", "primary"),
    (r"\bps\b", "primary"),
    (r"\bhigh school\b", "high"),
    (r"\bsecondary school\b", "secondary"),
    (r"\bnursery (school|class|centre)\b", "nursery"),
    (r"\bearly (learning|years) (and childcare )?cent(re|er)\b", "elc"),
    (r"\belcc\b", "elc"),
    (r"\bcenter\b", "centre"),
    (r"\bschool\b", ""),
    (r"\s+", " "),
)
_CANON = tuple((re.compile(p), r) for p, r in _CANON_STEPS)


def canonical_name(names: pd.Series) -> pd.Series:
    """Establishment names folded so that spellings of one name compare equal.

    Lower-cased; ``&`` -> ``and``; apostrophes and full stops dropped, other
    punctuation -> space; a leading "the" dropped; "Saint" -> "st", "Roman Catholic" ->
    "rc"; "Primary School" and "PS" -> "primary", "High School" -> "high", "Secondary
    School" -> "secondary", "Nursery School/Class/Centre" -> "nursery", "Early Learning
    (and Childcare) Centre" and "ELCC" -> "elc"; any remaining word "school" dropped;
    white space collapsed.

    Examples
    --------
    >>> canonical_name(pd.Series(["St. Mary's  Primary School", "Saint Marys PS",
    ...                           "The Hillhead High School", "Dunrod School"])).tolist()
    ['st marys primary', 'st marys primary', 'hillhead high', 'dunrod']
    """
    s = names.astype("string").str.lower()
    for pattern, repl in _CANON:
        s = s.str.replace(pattern, repl, regex=True)
    s = s.str.strip()
    return s.mask(s == "")


def slug(values: pd.Series) -> pd.Series:
    """Ids from names: lower-case words joined by ``-`` (``&`` read as "and").

    Examples
    --------
    >>> slug(pd.Series(["Numeracy CLN 2022/23", " Literacy & Language "])).tolist()
    ['numeracy-cln-2022-23', 'literacy-and-language']
    """
    s = values.astype("string").str.lower().str.replace("&", " and ", regex=False)
    s = s.str.replace(r"[^0-9a-z]+", "-", regex=True).str.strip("-")
    return s.mask(s == "")


_SECTOR_PATTERNS: tuple[tuple[str, str], ...] = (
    ("special", r"\b(?:special|asn|additional support)\b"),
    ("all_through", r"\b(?:3 18|all through)\b"),
    ("primary", r"\b(?:primary|ps)\b"),
    ("secondary", r"\b(?:high|academy|secondary|grammar)\b"),
    ("early_years", r"\b(?:nursery|elc|early years|early learning|family learning|pre ?school)\b"),
    ("central", r"\b(?:council|central|education services|education department)\b"),
)


def infer_sector(names: pd.Series) -> pd.Series:
    """The sector a name's words imply, or ``<NA>`` when they imply none.

    Words are looked for in this order (first match wins): special ("Special", "ASN",
    "Additional Support"), all_through ("3-18", "All Through"), primary ("Primary",
    "PS"), secondary ("High", "Academy", "Secondary", "Grammar"), early_years
    ("Nursery", "ELC", "Early Years", "Early Learning", "Family Learning",
    "Pre-school"), central ("Council", "Central", "Education Services/Department").

    Examples
    --------
    >>> infer_sector(pd.Series(["Ashgrove PS", "Elm Nursery", "Cove Academy",
    ...                         "Dunrod School", "Kelvin ASN School"])).tolist()
    ['primary', 'early_years', 'secondary', <NA>, 'special']
    """
    text = canonical_name(names).fillna("")
    out = pd.Series(pd.NA, index=names.index, dtype="string")
    for sector, pattern in _SECTOR_PATTERNS:
        hit = out.isna() & text.str.contains(pattern, regex=True)
        out[hit] = sector
    return out


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


def _find_columns(headers: list[Any], columns: Mapping[str, str] | None) -> dict[str, Any]:
    """Field -> header of the export."""
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
            raise DataError(
                f"columns: {fld}={header!r} is not a header of the export; headers are "
                f"{[str(h) for h in headers]}"
            )
    taken = set(found.values())
    for fld, aliases in HEADERS.items():
        if fld in found:
            continue
        hits = [h for a in aliases for h in by_key.get(_key(a), []) if h not in taken]
        hits = list(dict.fromkeys(hits))
        if len(hits) > 1:
            raise DataError(
                f"the export has more than one column for {fld}: {[str(h) for h in hits]}; "
                f"say which with columns={{'{fld}': ...}}"
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
        raise DataError(
            f"the export has no column for {'; '.join(missing)}; headers are "
            f"{[str(h) for h in headers]}; map them with columns={{field: header}}"
        )
    return found


# ---- problems --------------------------------------------------------------------


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
        """One warning per distinct value: its first row and how many rows it affects."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        v = value[mask].astype("string").fillna("")
        m = message[mask] if isinstance(message, pd.Series) else pd.Series(message, index=v.index)
        g = pd.DataFrame({"value": v, "message": m.astype("string"), "row": v.index})
        agg = g.groupby(["value", "message"], sort=False, dropna=False).agg(
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
        cols = ["table", "row", "column", "value", "message", "severity"]
        if not self.quality:
            return pd.DataFrame({c: pd.Series(dtype="string") for c in cols}).astype(
                {"row": "Int64"}
            )
        q = pd.concat(self.quality, ignore_index=True)[cols]
        return q.astype(
            {
                "table": "string",
                "row": "Int64",
                "column": "string",
                "value": "string",
                "message": "string",
                "severity": "string",
            }
        ).sort_values("row", kind="stable", ignore_index=True)


# ---- establishments --------------------------------------------------------------


def _prepare_register(register: pd.DataFrame) -> pd.DataFrame:
    spec = TABLES["establishments"]
    ren: dict[Any, str] = {}
    for c in register.columns:
        k = re.sub(r"[^0-9a-z]+", "_", str(c).strip().lower()).strip("_")
        k = spec.aliases.get(k, k)
        if k in spec.names and k not in ren.values():
            ren[c] = k
    reg = register.rename(columns=ren).reset_index(drop=True)
    need = [c for c in ("establishment_id", "name", "authority") if c not in reg.columns]
    if need:
        raise DataError(
            f"register: no column for {need}; an establishments register needs "
            "establishment_id, name, authority (and sector)"
        )
    reg["establishment_id"] = clean_text(reg["establishment_id"].astype("string"))
    if reg["establishment_id"].isna().any() or reg["establishment_id"].duplicated().any():
        raise DataError("register: establishment_id must be present and unique on every row")
    reg["name"] = clean_text(reg["name"])
    auth = clean_text(reg["authority"])
    reg["authority"] = auth.map(_authority_map(auth)).astype("string")
    if "sector" in reg.columns:
        sec = clean_text(reg["sector"])
        canon = {v: normalise_sector(v) or v for v in sec.dropna().unique()}
        reg["sector"] = sec.map(canon).astype("string")
    return reg


def _authority_map(values: pd.Series) -> dict[str, str]:
    return {v: normalise_authority(v) or v for v in values.dropna().unique()}


_GENERIC = frozenset(
    [
        "primary",
        "high",
        "secondary",
        "academy",
        "nursery",
        "elc",
        "special",
        "asn",
        "centre",
        "early",
        "years",
        "learning",
        "family",
        "grammar",
        "all",
        "through",
    ]
)


def _stem(canon: str) -> tuple[str, frozenset[str]]:
    words = canon.split()
    return " ".join(w for w in words if w not in _GENERIC), frozenset(
        w for w in words if w in _GENERIC
    )


def _fuzzy(
    query: str, choices: pd.DataFrame, threshold: float
) -> tuple[str | None, str, list[tuple[str, str, float]]]:
    """Match one canonical name against register choices (columns canon, name, id).

    Scores are token_sort_ratio over the names' distinctive words (sector words such as
    "primary" removed), among register names with the same sector words; the best
    must reach ``threshold`` and beat the runner-up by :data:`FUZZY_MARGIN`.
    Returns (id or None, detail, 3 nearest (name, id, score) over full names).
    """
    uniq = choices.drop_duplicates("canon")
    full = process.extract(query, uniq["canon"].tolist(), scorer=fuzz.token_sort_ratio, limit=3)
    nearest = [
        (str(uniq["name"].iloc[i]), str(uniq["establishment_id"].iloc[i]), float(s))
        for _, s, i in full
    ]
    stem, generic = _stem(query)
    parts = [_stem(c) for c in uniq["canon"]]
    same = [i for i, (_, g) in enumerate(parts) if g == generic]
    if not stem or not same:
        return None, "no register name with the same sector words", nearest
    scored = process.extract(
        stem, [parts[i][0] for i in same], scorer=fuzz.token_sort_ratio, limit=2
    )
    best_i, best = same[scored[0][2]], float(scored[0][1])
    runner = float(scored[1][1]) if len(scored) > 1 else 0.0
    if best < threshold:
        return None, f"best score {best:.0f} < {threshold:g}", nearest
    if best - runner < FUZZY_MARGIN:
        return None, f"best score {best:.0f} too close to the next ({runner:.0f})", nearest
    canon = uniq["canon"].iloc[best_i]
    ids = choices.loc[choices["canon"] == canon, "establishment_id"]
    if len(ids) != 1:
        return None, f"{len(ids)} register establishments are called {canon!r}", nearest
    return str(ids.iloc[0]), f"score {best:.0f}", nearest


def _match(
    f: pd.DataFrame, reg: pd.DataFrame, threshold: float, log: _Log, est_col: Any
) -> pd.Series:
    """Register id of each row (NA where unmatched; the reason is logged)."""
    est_id = pd.Series(pd.NA, index=f.index, dtype="string")
    ids = reg["establishment_id"]
    folded = pd.Series(ids.to_numpy(), index=ids.str.casefold())
    for col in ("establishment_id", "establishment"):
        if col in f:
            hit = est_id.isna() & f[col].str.casefold().isin(folded.index)
            est_id[hit] = f.loc[hit, col].str.casefold().map(folded).to_numpy()
    todo = est_id.isna() & f["canon"].notna()
    reg = reg.assign(canon=canonical_name(reg["name"]))
    if todo.any():
        pairs = f.loc[todo, ["canon", "authority"]].drop_duplicates()
        by_pair = (
            reg.groupby(["canon", "authority"], dropna=False)["establishment_id"]
            .agg(first="first", size="size")
            .reset_index()
        )
        by_canon = (
            reg.groupby("canon")["establishment_id"]
            .agg(first_any="first", size_any="size")
            .reset_index()
        )
        m = pairs.merge(by_pair, on=["canon", "authority"], how="left")
        m = m.merge(by_canon, on="canon", how="left")
        one_pair = (m["size"] == 1).fillna(False).astype(bool)
        other = ~one_pair & (m["size_any"] == 1).fillna(False).astype(bool)
        m["id"] = m["first"].where(one_pair, m["first_any"].where(other)).astype("string")
        rows = f.loc[todo, ["canon", "authority"]].merge(
            m[["canon", "authority", "id"]], on=["canon", "authority"], how="left"
        )
        rows.index = f.index[todo.to_numpy()]
        est_id[todo] = rows["id"]
        moved = todo & est_id.notna() & f["authority"].notna()
        moved &= est_id.map(reg.set_index("establishment_id")["authority"]) != f["authority"]
        log.warn(
            moved,
            est_col,
            f["establishment"],
            "matched by name to a register establishment in another authority",
        )
    # fuzzy: one match per distinct (name, authority) still unmatched
    todo = est_id.isna() & f["canon"].notna()
    if todo.any():
        auths = set(reg["authority"].dropna())
        pairs = f.loc[todo, ["canon", "authority"]].drop_duplicates()
        result: dict[tuple[Any, Any], tuple[str | None, str]] = {}
        for canon, auth in pairs.itertuples(index=False):
            pool = (
                reg[reg["authority"].eq(auth).fillna(False).astype(bool)] if auth in auths else reg
            )
            pool = pool[pool["canon"].notna()]
            found, detail, nearest = _fuzzy(canon, pool, threshold)
            if found is None:
                near = ", ".join(f"{n!r} ({i}, {s:.0f})" for n, i, s in nearest)
                where = f" in {auth}" if auth in auths else ""
                result[(canon, auth)] = (
                    None,
                    f"establishment not found in the register{where} ({detail}); "
                    f"nearest: {near or 'none'}",
                )
            else:
                result[(canon, auth)] = (found, f"fuzzy match to {found} ({detail})")
        res = pd.DataFrame(
            [(c, a, i, d) for (c, a), (i, d) in result.items()],
            columns=["canon", "authority", "id", "detail"],
        ).astype("string")
        looked = f.loc[todo, ["canon", "authority"]].merge(
            res, on=["canon", "authority"], how="left"
        )
        looked.index = f.index[todo.to_numpy()]
        got, detail = looked["id"], looked["detail"]
        est_id[todo] = got
        fuzzy_ok = todo & est_id.notna()
        log.warn(fuzzy_ok, est_col, f["establishment"], detail.reindex(f.index))
        log.fail(todo & est_id.isna(), est_col, detail.reindex(f.index), f["establishment"])
    no_name = est_id.isna() & f["canon"].isna()
    log.fail(no_name, est_col, "no establishment")
    return est_id


def _build_establishments(
    f: pd.DataFrame, log: _Log, est_col: Any
) -> tuple[pd.Series, pd.DataFrame]:
    """Establishments from the export itself (no register): id, name, authority, sector."""
    has = f["canon"].notna()
    log.fail(~has, est_col, "no establishment")
    no_auth = has & f["authority"].isna()
    log.fail(
        no_auth, "authority", "no authority (needed to build establishments without register=)"
    )
    sector = pd.Series(pd.NA, index=f.index, dtype="string")
    if "sector" in f:
        given = f["sector"]
        canon = {v: normalise_sector(v) for v in given.dropna().unique()}
        sector = given.map(canon).astype("string")
        log.warn(
            given.notna() & sector.isna(),
            "sector",
            given,
            f"sector not one of {', '.join(SECTORS)}; inferred from the name instead",
        )
    sector = sector.fillna(infer_sector(f["establishment"].fillna("")))
    ok = has & f["authority"].notna()
    log.fail(
        ok & sector.isna(),
        est_col,
        "sector cannot be inferred from the name (no word such as Primary, High, Academy, "
        "Nursery, ELC, Special); pass register= or a Sector column",
        f["establishment"],
    )
    est_id = (slug(f["authority"]) + ":" + slug(f["canon"])).where(ok & sector.notna())
    est_id = est_id.astype("string")
    keep = est_id.notna()
    part = pd.DataFrame(
        {
            "establishment_id": est_id[keep],
            "name": f.loc[keep, "establishment"],
            "authority": f.loc[keep, "authority"],
            "sector": sector[keep],
        }
    )
    # the most frequent spelling of each establishment's name (ties: alphabetical)
    counts = part.groupby(["establishment_id", "name", "authority", "sector"]).size()
    counts = (
        counts.rename("n")
        .reset_index()
        .sort_values(["establishment_id", "n", "name"], ascending=[True, False, True])
    )
    table = counts.drop_duplicates("establishment_id").drop(columns="n")
    return est_id, table.reset_index(drop=True)


# ---- the main function -----------------------------------------------------------


def from_records(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    register: pd.DataFrame | None = None,
    key: str | bytes | None = None,
    keep_names: bool = False,
    errors: Literal["raise", "drop"] = "raise",
    fuzzy_threshold: float = 90,
) -> Ecosystem:
    """Build an Ecosystem from one flat registration export (one row per attendance).

    Parameters
    ----------
    source : path or DataFrame
        A ``.csv`` (UTF-8 with or without BOM, UTF-16, or Windows-1252), ``.xlsx`` or
        ``.parquet`` export, or a DataFrame.
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

    Returns
    -------
    Ecosystem
        With ``rejected`` (original values except names and e-mails, plus ``table``
        = the source, ``row`` = spreadsheet row with header = row 1, ``reason``) and
        ``quality`` (warnings: unknown job titles, authorities, roles, fuzzy matches).
        ``len(eco.participation) + len(eco.rejected)`` is the number of rows read, plus
        any rows of the register the table checks reject.

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
    spelling. ``workstream`` is the network's most frequent value of the workstream
    column, or ``"unspecified"``.

    *Establishments without a register* are the distinct (authority, canonical name)
    pairs, ``establishment_id = "<authority slug>:<name slug>"``; the sector comes
    from a sector column, else from the name's words (:func:`infer_sector`). The
    sector vocabulary is fixed, so a row whose establishment's sector cannot be told
    is rejected (not guessed): pass a register. Rows without an authority are
    rejected too. Authority spellings are mapped with
    :func:`wpnet.schema.normalise_authority`; unknown ones are kept as written and
    warned about.

    *Rejected*: no identity, no network, no or bad date, establishment not matched,
    or an exact duplicate (same practitioner, network, date and establishment) of an
    earlier row; a row's reasons are joined with "; ".

    *Table checks*: the tables built from the export then go through the same checks
    as a folder's (:func:`wpnet.validation.check_tables`: vocabularies, ranges, keys,
    references), participation rows numbered by their row in the export and the
    register's by their row in ``register``, and the problems are collected and
    reported alike.

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
    k = resolve_key(key)
    raw, source_name, read_problems = _read(source)
    found = _find_columns(list(raw.columns), columns)
    log = _Log(raw.index, source_name)
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
    log.warn(
        unknown_auth,
        found.get("authority"),
        auth_raw,
        "authority not in the vocabulary; kept as written",
    )

    # identity: needs an e-mail or a name
    email = f["email"].str.lower()
    name = f["name"]
    no_id = email.isna() & name.isna()
    log.fail(no_id, found.get("email", found.get("name")), "no e-mail or name")
    log.warn(
        email.notna() & ~email.str.contains("@", regex=False).fillna(False),
        found.get("email"),
        pd.Series("(not shown)", index=f.index),
        "an e-mail without '@' (used as written)",
    )

    # network
    net_name = f["network"]
    net_id = slug(net_name)
    log.fail(net_name.isna(), found["network"], "no network/event")
    log.fail(
        net_name.notna() & net_id.isna(),
        found["network"],
        "network name has no letters or digits",
        net_name,
    )

    # dates
    if len(raw):
        dates, problem = parse_dates(raw[found["date"]])
    else:  # parse_dates needs at least one value to tell the column's kind
        dates = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        problem = pd.Series("", index=raw.index, dtype="string")
    log.fail(dates.isna() & (problem == ""), found["date"], "no date")
    log.fail(problem != "", found["date"], problem, raw[found["date"]].astype("string"))

    # establishments
    f["canon"] = canonical_name(f["establishment"])
    if register is not None:
        establishments = _prepare_register(register)
        est_id = _match(f, establishments, fuzzy_threshold, log, est_col)
    else:
        est_id, establishments = _build_establishments(f, log, est_col)

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
        dup, None, "duplicate of row " + first.reindex(f.index).astype("Int64").astype("string")
    )
    ok = ~log.failed()

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
    )
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

    # rejected rows: original values, minus names and e-mails unless keep_names
    failed = ~ok
    reasons = log.reasons()
    rejected = raw[failed.to_numpy()].copy()
    if not keep_names:
        rejected = rejected.drop(columns=[found[c] for c in _PERSONAL if c in found])
    clash = {c: f"{c} (export)" for c in rejected.columns if str(c) in ("table", "row", "reason")}
    rejected = rejected.rename(columns=clash)
    why = reasons.groupby("row", sort=True)["message"].agg("; ".join) if len(reasons) else None
    rejected.insert(
        0,
        "reason",
        why.reindex(rejected.index).astype("string")
        if why is not None
        else pd.Series(dtype="string"),
    )
    rejected.insert(0, "row", pd.array(rejected.index, dtype="Int64"))
    rejected.insert(0, "table", source_name)
    rejected = rejected.reset_index(drop=True)
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
        reasons=reasons,
        quality=log.quality_frame(),
        errors=errors,
        rows_read=len(raw),
        sources=[source] if isinstance(source, (str, os.PathLike)) else (),
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
    rows_read: int,
    sources: tuple | list = (),
) -> Ecosystem:
    """The Ecosystem of the tables built from an export, after the table checks a folder
    gets (:func:`_check_built`): every problem, the export's own (``reasons``) and the
    checks', raised together (``errors="raise"``) or their rows rejected."""
    checked = _check_built(source_name, register_name, **built)
    own = problems_frame()
    if len(reasons):
        own = pd.DataFrame(
            {
                "table": source_name,
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
                f"{n} problem{'s' if n != 1 else ''} in {source_name} ({rows_read} rows read):",
            ),
            problems=failing[["table", "row", "column", "value", "message"]].reset_index(drop=True),
        )
    tables = checked.tables
    if len(checked.rejected):
        rejected = pd.concat([rejected, checked.rejected], ignore_index=True)
    found_too = checked.problems[(checked.problems["severity"] == "warning").to_numpy()]
    if len(found_too):
        quality = pd.concat(
            [quality, found_too.astype(quality.dtypes.to_dict())], ignore_index=True
        )
    return Ecosystem(
        tables["establishments"],
        tables["practitioners"],
        tables["networks"],
        tables["participation"].reset_index(drop=True),
        rejected=rejected,
        quality=quality,
        sources=sources,
    )


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
