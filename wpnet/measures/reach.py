"""Reach: who and what the partnership's networks reached (MEASURES.md, "Reach").

Counts of practitioners, establishments, authorities, networks and records, and coverage
of the establishments register, overall or per network, workstream, authority, sector or
SIMD quintile. Reach reads participation records only; it builds no graph.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import check_choice
from wpnet.measures._common import distinct_codes, member, stamp
from wpnet.schema import SECTORS

__all__ = ["REACH_COLUMNS", "reach"]

log = logging.getLogger(__name__)

#: The columns of :func:`reach`, in order.
REACH_COLUMNS = (
    "practitioners",
    "establishments",
    "authorities",
    "networks",
    "records",
    "eligible",
    "coverage",
    "simd_q1_coverage",
    "equity_ratio",
    "depth",
    "lead_share",
)
REACH_BY = (None, "network", "workstream", "authority", "sector", "simd_quintile")
# Units whose eligible establishments are their own part of the register.
_REGISTER_UNITS = ("authority", "sector", "simd_quintile")


def reach(eco: Ecosystem, *, by: str | None = None) -> pd.DataFrame:
    """Reach and coverage of the networks, overall or per unit of ``by``.

    A record is attributed to the establishment named on it, else to the practitioner's
    home establishment (:attr:`Ecosystem.records`). For a unit u with records R_u:

    - ``coverage`` = |reached(u) ∩ E_u| / |E_u|, where E_u is the set of non-central
      establishments of the register (``eco.establishments``) in u's scope and reached(u)
      the establishments R_u is attributed to;
    - ``simd_q1_coverage`` = the same with E_u restricted to ``simd_quintile == 1``;
    - ``equity_ratio`` = ``simd_q1_coverage / coverage``;
    - ``depth`` = practitioners / establishments;
    - ``lead_share`` = |{p in R_u with a record of R_u in a role other than
      ``participant``}| / |{p in R_u}|.

    Parameters
    ----------
    eco : Ecosystem
        Usually a selection (``eco.select(session=...)``); several sessions are pooled.
    by : {None, "network", "workstream", "authority", "sector", "simd_quintile"}
        The unit. ``None`` gives one row labelled ``"all"``.

    Returns
    -------
    DataFrame
        One row per unit; index ``network_id``, ``workstream``, ``authority``, ``sector``,
        ``simd_quintile`` or (``by=None``) ``scope`` with the single label ``"all"``.
        Columns (int64 unless said):

        - ``practitioners``: distinct practitioners with a record in the unit;
        - ``establishments``: distinct establishments those records are attributed to,
          central teams included;
        - ``authorities``: distinct authorities of those establishments;
        - ``networks``: distinct networks of those records;
        - ``records``: participation rows;
        - ``eligible``: non-central establishments of the register in the unit's scope —
          the unit's own for ``by`` in authority/sector/simd_quintile, all of them for
          the other values of ``by`` (``select(authority=..., sector=...)`` narrows the
          register);
        - ``coverage`` (float64): reached eligible establishments / ``eligible``; NaN
          where ``eligible`` is 0 (the ``central`` sector row);
        - ``simd_q1_coverage`` (float64): the same over quintile-1 establishments; NaN
          where the unit has none;
        - ``equity_ratio`` (float64): ``simd_q1_coverage / coverage``; above 1, the most
          deprived communities are reached more than average; NaN where either is NaN or
          coverage is 0;
        - ``depth`` (float64): practitioners per reached establishment; NaN for none;
        - ``lead_share`` (float64): share of the unit's practitioners with a record in
          the unit in a role other than ``participant``; NaN for none.

        ``attrs`` holds ``measure``, ``graph`` (none), ``scope`` and ``by``.

    Notes
    -----
    For ``by`` in authority, sector and simd_quintile, the rows are the units of the
    register (``eco.establishments``): a unit with no records appears with zero counts
    and coverage 0 (NaN where it has no eligible establishment), rather than being left
    out. Records attributed to an establishment outside the register, or (for
    ``simd_quintile``) to one with no quintile such as a central team, belong to no
    such unit; they still count in ``by=None`` and by network or workstream. For
    ``by`` network or workstream, the rows are the units with records in scope.
    The ``central`` sector row counts the central teams' records; it has no
    eligible establishments, so its coverage columns are NaN.

    Raises
    ------
    UsageError
        For an unknown ``by``.

    Examples
    --------
    >>> import wpnet
    >>> r = reach(wpnet.tiny().select(session="2022-23"))
    >>> r.loc["all", ["practitioners", "establishments", "eligible", "coverage"]].tolist()
    [7.0, 5.0, 6.0, 0.6666666666666666]
    """
    expect_ecosystem(eco, "reach")
    check_choice("by", by, REACH_BY)
    out = reach_table(eco, by)
    return stamp(out, measure="reach", eco=eco, by=by)


def reach_table(eco: Ecosystem, by: str | None) -> pd.DataFrame:
    """:func:`reach` without argument checks or attrs; ``by`` may also be ``"session"``
    (used by :func:`wpnet.trend`: one row per session, register-wide eligibility)."""
    key = {None: None, "network": "network_id"}.get(by, by)
    rec = eco.records
    register = eco.establishments.drop_duplicates("establishment_id")
    reg = register[(register["sector"] != "central").fillna(True).astype(bool)]
    q1_ids = set(
        reg.loc[(reg["simd_quintile"] == 1).fillna(False).astype(bool), "establishment_id"]
    )

    if key is None:
        unit = pd.Series("all", index=rec.index, dtype="str")
    else:
        unit = rec[key]
        missing = int(unit.isna().sum())
        if missing:
            log.info("reach(by=%r): %d records have no %s and belong to no row", by, missing, key)
    est = rec["establishment_id"]
    eligible_rec = member(est, reg["establishment_id"])
    in_q1 = member(est, q1_ids)
    # distinct counts on integer codes (NaN where missing): no string copies
    est_code = distinct_codes(est)
    frame = pd.DataFrame(
        {
            "unit": unit.reset_index(drop=True),
            "practitioner_id": distinct_codes(rec["practitioner_id"]),
            "establishment_id": est_code,
            "authority": distinct_codes(rec["authority"]),
            "network_id": distinct_codes(rec["network_id"]),
            "lead": rec["lead"].to_numpy(dtype=bool),
            "reached": np.where(eligible_rec, est_code, np.nan),
            "reached_q1": np.where(eligible_rec & in_q1, est_code, np.nan),
        }
    )
    frame = frame[pd.notna(frame["unit"])]
    g = frame.groupby("unit", sort=True)
    counts = pd.DataFrame(
        {
            "practitioners": g["practitioner_id"].nunique(),
            "establishments": g["establishment_id"].nunique(),
            "authorities": g["authority"].nunique(),
            "networks": g["network_id"].nunique(),
            "records": g.size(),
            "reached": g["reached"].nunique(),
            "reached_q1": g["reached_q1"].nunique(),
        }
    )
    leads = frame[frame["lead"]].groupby("unit")["practitioner_id"].nunique()
    counts["leads"] = leads.reindex(counts.index, fill_value=0)

    if by in _REGISTER_UNITS:
        units = _register_units(register, by)
        counts = counts.reindex(units, fill_value=0)
        col = reg[by]
        eligible = col.value_counts().reindex(units, fill_value=0)
        eligible_q1 = (
            col[reg["establishment_id"].isin(q1_ids)].value_counts().reindex(units, fill_value=0)
        )
    else:
        if key is None and counts.empty:
            counts = counts.reindex(pd.Index(["all"]), fill_value=0)
        eligible = pd.Series(len(reg), index=counts.index)
        eligible_q1 = pd.Series(len(q1_ids), index=counts.index)

    out = counts[["practitioners", "establishments", "authorities", "networks", "records"]]
    out = out.astype(np.int64)
    out["eligible"] = eligible.to_numpy(dtype=np.int64)
    cov = _ratio(counts["reached"], eligible)
    q1 = _ratio(counts["reached_q1"], eligible_q1)
    out["coverage"] = cov
    out["simd_q1_coverage"] = q1
    out["equity_ratio"] = _ratio(q1, cov)
    out["depth"] = _ratio(counts["practitioners"], counts["establishments"])
    out["lead_share"] = _ratio(counts["leads"], counts["practitioners"])
    out.index = pd.Index(
        out.index.to_list(),
        name={None: "scope", "network": "network_id"}.get(by, by),
        dtype="int64" if by == "simd_quintile" else "str",
    )
    out.columns.name = None
    return out


def _register_units(register: pd.DataFrame, by: str) -> list:
    """The units of ``by`` in the whole register (central teams included, so the
    ``central`` sector has a row), in vocabulary order for sectors."""
    values = register[by].dropna().unique().tolist()
    if by == "sector":
        return [s for s in SECTORS if s in values] + sorted(set(values) - set(SECTORS))
    if by == "simd_quintile":
        return sorted(int(v) for v in values)
    return sorted(values)


def _ratio(num: pd.Series | np.ndarray, den: pd.Series | np.ndarray) -> np.ndarray:
    """num / den as float64, NaN where den is 0 or missing."""
    n = np.asarray(num, dtype=np.float64)
    d = np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = n / d
    r[~(d > 0)] = np.nan
    return r
