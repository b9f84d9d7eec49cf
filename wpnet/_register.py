"""Matching the schools named in a flat export to an establishments register:
exactly by id or canonical name, then by a documented fuzzy match.

An internal helper module of :mod:`wpnet.records`.
"""

from __future__ import annotations

import re
from typing import Any

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
