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
from wpnet.measures._common import group_nunique, member, record_codes, stamp
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
    in_q1_reg = (reg["simd_quintile"] == 1).fillna(False).to_numpy(dtype=bool)

    if key is None:
        unit = np.zeros(len(rec), dtype=np.int64)
        labels = pd.Index(["all"], dtype="str")
    else:
        unit, labels = record_codes(eco, key)
        missing = int((unit < 0).sum())
        if missing:
            log.info("reach(by=%r): %d records have no %s and belong to no row", by, missing, key)
    # membership in the register, decided once per distinct establishment
    est, est_ids = record_codes(eco, "establishment_id")
    eligible_id = member(pd.Series(est_ids, dtype=est_ids.dtype), reg["establishment_id"])
    q1_id = member(
        pd.Series(est_ids, dtype=est_ids.dtype), reg["establishment_id"].to_numpy()[in_q1_reg]
    )
    known = est >= 0
    eligible_rec = known & eligible_id[np.where(known, est, 0)]
    in_q1 = known & q1_id[np.where(known, est, 0)]
    person = record_codes(eco, "practitioner_id")[0]
    k = len(labels)

    def distinct(values: np.ndarray) -> np.ndarray:
        return group_nunique(unit, k, values)

    counts = {
        "practitioners": distinct(person),
        "establishments": distinct(est),
        "authorities": distinct(record_codes(eco, "authority")[0]),
        "networks": distinct(record_codes(eco, "network_id")[0]),
        "records": np.bincount(unit[unit >= 0], minlength=k).astype(np.int64),
        "reached": distinct(np.where(eligible_rec, est, -1)),
        "reached_q1": distinct(np.where(eligible_rec & in_q1, est, -1)),
        "leads": distinct(np.where(rec["lead"].to_numpy(dtype=bool), person, -1)),
    }
    n_eligible, n_q1 = len(reg), int(in_q1_reg.sum())
    if by in _REGISTER_UNITS:
        units = _register_units(register, by)
        # the register's units, with zero counts where they have no records
        pos = labels.get_indexer(pd.Index(units, dtype=labels.dtype)) if len(units) else []
        pos = np.asarray(pos, dtype=np.int64)
        counts = {
            c: np.where(pos >= 0, v[np.maximum(pos, 0)], 0) if k else np.zeros(len(pos), np.int64)
            for c, v in counts.items()
        }
        # eligible establishments per unit: the register's rows counted by unit position
        at = pd.Index(units, dtype=reg[by].dtype).get_indexer(reg[by])
        eligible = np.bincount(at[at >= 0], minlength=len(units))
        eligible_q1 = np.bincount(at[(at >= 0) & in_q1_reg], minlength=len(units))
        labels = units
    else:
        eligible = np.full(k, n_eligible, dtype=np.int64)
        eligible_q1 = np.full(k, n_q1, dtype=np.int64)

    cov = _ratio(counts["reached"], eligible)
    q1 = _ratio(counts["reached_q1"], eligible_q1)
    out = pd.DataFrame(
        {
            **{
                c: counts[c].astype(np.int64)
                for c in ("practitioners", "establishments", "authorities", "networks", "records")
            },
            "eligible": np.asarray(eligible, dtype=np.int64),
            "coverage": cov,
            "simd_q1_coverage": q1,
            "equity_ratio": _ratio(q1, cov),
            "depth": _ratio(counts["practitioners"], counts["establishments"]),
            "lead_share": _ratio(counts["leads"], counts["practitioners"]),
        },
        index=pd.Index(
            list(labels),
            name={None: "scope", "network": "network_id"}.get(by, by),
            dtype="int64" if by == "simd_quintile" else "str",
        ),
    )
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
