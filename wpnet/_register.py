"""Matching the schools named in a flat export to an establishments register:
exactly by id or canonical name, then by a documented fuzzy match.

An internal helper module of :mod:`wpnet.records`.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from wpnet._exports import _Log
from wpnet._names import canonical_name, infer_sector, slug
from wpnet._parse import clean_text
from wpnet.errors import DataError
from wpnet.schema import (
    SECTORS,
    TABLES,
    normalise_authority,
    normalise_sector,
)

__all__: list[str] = []

#: A fuzzy match must beat the runner-up by at least this many points (0-100 scale).
FUZZY_MARGIN = 5.0

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
    ids = reg["establishment_id"]
    if ids.isna().any():
        raise DataError(
            f"register: establishment_id is missing on row {int(ids.isna().idxmax()) + 2}: "
            "it must be present and unique on every row"
        )
    folded = ids.str.casefold()  # an export's ids are matched without case
    if folded.duplicated().any():
        twin = folded[folded.duplicated(keep=False)]
        rows = twin.index[twin == twin.iloc[0]]
        raise DataError(
            "register: establishment_id must be unique on every row, case aside (an "
            "export's ids are matched whatever their case): "
            + " and ".join(f"{ids[r]!r} on row {r + 2}" for r in rows)
        )
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


def _exact_names(f: pd.DataFrame, reg: pd.DataFrame) -> pd.Series:
    """Register id of each row's canonical name (``f["canon"]``): the one register
    establishment of that name in the row's authority, else the one of that name
    anywhere; NA when there is none or more than one. ``reg`` has a ``canon`` column."""
    pairs = f[["canon", "authority"]].drop_duplicates()
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
    rows = f[["canon", "authority"]].merge(
        m[["canon", "authority", "id"]], on=["canon", "authority"], how="left"
    )
    return pd.Series(rows["id"].to_numpy(), index=f.index, dtype="string")


def _code_against_name(
    f: pd.DataFrame,
    reg: pd.DataFrame,
    est_id: pd.Series,
    by_code: pd.Series,
    log: _Log,
    code_col: Any,
) -> None:
    """An establishment code (Seed Code) and a name on one row that disagree, made
    visible: a code naming one register establishment and a name naming another
    rejects the row (which is meant cannot be told); a code in no register row beside
    a name that matched is a warning naming both and saying the name was used (the
    code with its leading zeros lost, "123" for "0123", is said to be that)."""
    code, name = f["establishment_id"], f["establishment"]
    names = reg.set_index("establishment_id")["name"]
    both = by_code & f["canon"].notna()
    if both.any():
        named = _exact_names(f[both], reg).reindex(f.index)
        clash = both & named.notna() & (named != est_id)
        log.fail(
            clash,
            code_col,
            f"{code_col} "
            + _quoted(code)
            + " is "
            + _quoted(est_id.map(names))
            + " but the name "
            + _quoted(name)
            + " is establishment "
            + named.fillna("")
            + ": which one is meant cannot be told; correct the code or the name",
            code,
        )
    other = code.notna() & ~by_code & est_id.notna() & (code != name).fillna(True)
    if other.any():
        zeros = pd.Series(
            _true(code.str.fullmatch(r"\d+"))
            & _true(est_id.str.fullmatch(r"0+\d+"))
            & _true(est_id.str.lstrip("0") == code.str.lstrip("0")),
            index=f.index,
        )
        said = f" ({code_col} " + _quoted(code)
        msg = (
            said
            + " is "
            + _quoted(est_id)
            + " with its leading zeros lost, as a spreadsheet drops them from a number)"
        ).where(zeros, said + " is in no register row)")
        log.warn(
            other,
            code_col,
            code,
            "establishment matched by its name "
            + _quoted(name)
            + " to "
            + est_id.fillna("")
            + ", not by its code"
            + msg,
        )
    log.fail(
        code.notna() & ~by_code & est_id.isna() & (code != name).fillna(True),
        code_col,
        f"{code_col} " + _quoted(code) + " is in no register row either",
        code,
    )


def _true(mask: pd.Series) -> np.ndarray:
    """A nullable mask as plain booleans, missing read as False."""
    return mask.fillna(False).to_numpy(dtype=bool)


def _quoted(values: pd.Series) -> pd.Series:
    """Each value in quotes (``'Ashgrove Primary'``), as a string series."""
    return values.astype("string").map(repr, na_action="ignore").astype("string").fillna("''")


def _match(
    f: pd.DataFrame,
    reg: pd.DataFrame,
    threshold: float,
    log: _Log,
    est_col: Any,
    *,
    code_col: Any = None,
) -> pd.Series:
    """Register id of each row (NA where unmatched; the reason is logged).

    ``code_col``: the header of an establishment code column (Seed Code) beside the
    name column, whose disagreements with the name are reported
    (:func:`_code_against_name`)."""
    est_id = pd.Series(pd.NA, index=f.index, dtype="string")
    by_code = pd.Series(False, index=f.index)
    ids = reg["establishment_id"]
    folded = pd.Series(ids.to_numpy(), index=ids.str.casefold())
    for col in ("establishment_id", "establishment"):
        if col in f:
            hit = est_id.isna() & f[col].str.casefold().isin(folded.index)
            est_id[hit] = f.loc[hit, col].str.casefold().map(folded).to_numpy()
            if col == "establishment_id":
                by_code = hit.fillna(False).astype(bool)
    todo = est_id.isna() & f["canon"].notna()
    reg = reg.assign(canon=canonical_name(reg["name"]))
    if todo.any():
        est_id[todo] = _exact_names(f[todo], reg)
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
    if code_col is not None:
        _code_against_name(f, reg, est_id, by_code, log, code_col)
    return est_id


def _build_establishments(
    f: pd.DataFrame, log: _Log, est_col: Any, *, code_col: Any = None
) -> tuple[pd.Series, pd.DataFrame]:
    """Establishments from the export itself (no register): id, name, authority, sector.

    ``code_col``: the header of an establishment code column (Seed Code) beside the
    name column. Establishments are told apart by authority and name, so the code is
    not used; a code given with two establishments, or an establishment given with two
    codes, is a warning naming both (:func:`_codes_without_register`)."""
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
    if code_col is not None:
        _codes_without_register(f["establishment_id"], est_id, f["establishment"], log, code_col)
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


def _codes_without_register(
    code: pd.Series, est_id: pd.Series, name: pd.Series, log: _Log, code_col: Any
) -> None:
    """Warn about a code given with two establishments (built from authority and name)
    and about an establishment given with two codes: the code is not used without a
    register, so either may be a mistake the reader cannot see."""
    pairs = pd.DataFrame({"code": code, "est": est_id, "name": name}).dropna()
    for key, other, says in (
        ("code", "est", "is given with the establishments {}"),
        ("est", "code", "is given with the codes {}"),
    ):
        seen = pairs.drop_duplicates([key, other])
        many = seen[seen.duplicated(key, keep=False)]
        for k, g in many.groupby(key, sort=True):
            shown = ", ".join(repr(v) for v in g["name" if other == "est" else "code"].head(4))
            what = f"{code_col} {k!r}" if key == "code" else f"establishment {g['name'].iloc[0]!r}"
            rows = pairs.index[(pairs[key] == k).to_numpy()]
            log.warn(
                pd.Series(code.index.isin(rows), index=code.index),
                code_col,
                code,
                f"{what} {says.format(shown)}: without a register establishments are told "
                "apart by authority and name, and the code is not used",
            )
