"""The evaluation themes, each tied to indicators over sessions.

A partnership's external evaluation asks whether its networks have built a culture
and ethos of collaboration, collective agency and capacity at all levels, and
transformative system change; what each local authority gains; and whether the networks
reach the schools that serve the poorest communities. :func:`reflections` answers each
theme with the measures of :mod:`wpnet.measures` session by session, and says whether
each indicator is strengthening, stable or weakening.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import UsageError, check_choice
from wpnet.measures.capacity import capacity
from wpnet.measures.reach import reach
from wpnet.schema import LEVELS

__all__ = ["INDICATORS", "THEMES", "reflections"]

#: The evaluation themes, in the order the report shows them.
THEMES = (
    "culture and ethos of collaboration",
    "collective agency and capacity at all levels",
    "transformative system change",
    "added value for each local authority",
    "equity",
)

_LEAD_LEVELS = ("practitioner", "middle_leader", "senior_leader", "headteacher", "central_officer")

#: indicator -> (theme, kind, meaning). ``kind`` is ``share`` (compared in absolute
#: terms) or ``count`` (compared relative to the first session).
INDICATORS: dict[str, tuple[str, str, str]] = {
    "cross_authority_share": (
        THEMES[0],
        "share",
        "share of the projection's ties that join establishments of different authorities",
    ),
    "ei_index": (
        THEMES[0],
        "share",
        "Krackhardt-Stern E-I index over authorities: (external - internal) / all ties",
    ),
    "multi_network_share": (
        THEMES[0],
        "share",
        "share of practitioners who are members of two or more networks",
    ),
    "level_evenness": (
        THEMES[1],
        "share",
        "Pielou evenness of participating practitioners over the seven levels",
    ),
    "lead_share": (
        THEMES[1],
        "share",
        "share of practitioners who led, facilitated or presented",
    ),
    "lead_level_evenness": (
        THEMES[1],
        "share",
        "Pielou evenness of those who led over the seven levels",
    ),
    **{
        f"leaders_{lv}": (
            THEMES[1],
            "count",
            f"practitioners at level {lv} who led, facilitated or presented",
        )
        for lv in _LEAD_LEVELS
    },
    "spanning_communities_share": (
        THEMES[2],
        "share",
        "share of Leiden communities (size >= 2) with members from two or more authorities",
    ),
    "largest_component_share": (
        THEMES[2],
        "share",
        "share of establishments in the largest connected component",
    ),
    "robustness": (
        THEMES[2],
        "share",
        "largest-component share left after removing the top 5% of establishments by betweenness",
    ),
    "coverage": (
        THEMES[3],
        "share",
        "share of the authority's schools and nurseries reached",
    ),
    "authority_cross_share": (
        THEMES[3],
        "share",
        "share of the authority's establishments' ties that reach another authority",
    ),
    "simd_q1_coverage": (
        THEMES[4],
        "share",
        "share of SIMD quintile 1 schools and nurseries reached",
    ),
    "equity_ratio": (
        THEMES[4],
        "share",
        "SIMD quintile 1 coverage / coverage (above 1: the most deprived reached more)",
    ),
}


def reflections(
    eco: Ecosystem,
    *,
    sessions: Sequence[str] | None = None,
    onto: str = "establishment",
    backbone: str | None = "sdsm",
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    seed: int = 0,
    tolerance: float = 0.02,
    relative_tolerance: float = 0.05,
) -> pd.DataFrame:
    """The evaluation themes, each tied to indicators over sessions, with a direction.

    Each session is measured on its own (``eco.select(session=s)``); structural
    indicators on that session's establishment projection, reduced to ``backbone``.

    ============================================  ==========================================
    theme                                         indicators (unit: the partnership unless
                                                  said)
    ============================================  ==========================================
    culture and ethos of collaboration            ``cross_authority_share``, ``ei_index``,
                                                  ``multi_network_share``
    collective agency and capacity at all levels  ``level_evenness``, ``lead_share``,
                                                  ``lead_level_evenness``,
                                                  ``leaders_<level>``
    transformative system change                  ``spanning_communities_share``,
                                                  ``largest_component_share``,
                                                  ``robustness``
    added value for each local authority          per authority: ``coverage``,
                                                  ``authority_cross_share``
    equity                                        ``simd_q1_coverage``, ``equity_ratio``
    ============================================  ==========================================

    The definitions are those of :func:`wpnet.reach` and :func:`wpnet.capacity`;
    ``lead_level_evenness`` is the Pielou evenness H / ln(L) of the practitioners who
    led (any role other than participant) over the L = 7 levels; ``leaders_<level>``
    counts them per level; ``authority_cross_share`` is ``cross_authority_share`` of
    ``capacity(by="authority")``.

    **Direction.** Every indicator reads "higher is stronger". The first and last of
    ``sessions`` are compared: a share, index or ratio is *stable* when it moved less
    than ``tolerance`` (absolute, default 0.02 = two percentage points), a count when it
    moved less than ``relative_tolerance`` of its first value (default 5%); otherwise
    *strengthening* or *weakening*. With one session, or a missing end value, the
    direction is ``n/a``.

    Parameters
    ----------
    eco : Ecosystem
    sessions : sequence of str, optional
        The sessions to compare, in order; default every session of ``eco``.
    onto, backbone, alpha, min_weight, correction
        The graph the structural indicators use (see :func:`wpnet.project`); ``onto``
        must be ``"establishment"``.
    seed : int
        Leiden's seed.
    tolerance, relative_tolerance : float
        What counts as stable (see Direction).

    Returns
    -------
    DataFrame
        One row per theme, indicator and unit: columns ``theme``, ``indicator``,
        ``unit`` (``partnership`` or an authority), one column per session, ``change``
        (last minus first), ``direction`` and ``meaning``. ``attrs`` names the graph.

    Examples
    --------
    >>> import wpnet
    >>> r = reflections(wpnet.tiny(), backbone=None)
    >>> r.loc[r["indicator"] == "lead_share", ["2021-22", "2022-23", "direction"]]
        2021-22   2022-23  direction
    4  0.333333  0.285714  weakening
    """
    expect_ecosystem(eco, "reflections")
    check_choice("onto", onto, ("establishment",))  # the themes are about establishments
    sessions = list(eco.sessions if sessions is None else sessions)
    unknown = sorted(set(sessions) - set(eco.sessions))
    if unknown:
        raise UsageError(f"sessions not in the data: {unknown}; it has {eco.sessions}")
    if not sessions:
        raise UsageError("reflections needs at least one session with records")
    opts: dict[str, Any] = dict(
        backbone=backbone, alpha=alpha, min_weight=min_weight, correction=correction
    )
    columns: dict[str, pd.Series] = {}
    graphs: dict[str, str] = {}
    for s in sessions:
        columns[s], graphs[s] = _session(eco.select(session=s), seed, opts)
    table = pd.DataFrame(columns)
    table.index.names = ["indicator", "unit"]
    table = table.reset_index()
    meta = table["indicator"].map(INDICATORS)
    table.insert(0, "theme", meta.str[0])
    first, last = table[sessions[0]], table[sessions[-1]]
    table["change"] = (last - first).astype(float)
    kind = meta.str[1]
    table["direction"] = [
        _direction(f, la, k, tolerance, relative_tolerance, len(sessions))
        for f, la, k in zip(first, last, kind, strict=True)
    ]
    table["meaning"] = meta.str[2]
    order = {t: i for i, t in enumerate(THEMES)}
    table = table.sort_values("theme", key=lambda s: s.map(order), kind="stable", ignore_index=True)
    table.attrs.update(
        measure="reflections",
        backbone=backbone,
        sessions=sessions,
        graph=graphs[sessions[-1]],
        graphs=graphs,
        tolerance=tolerance,
        relative_tolerance=relative_tolerance,
    )
    return table


def _session(sel: Ecosystem, seed: int, opts: dict[str, Any]) -> tuple[pd.Series, str]:
    """Every indicator of one session, indexed by (indicator, unit)."""
    whole = capacity(sel, seed=seed, **opts)
    r = reach(sel).iloc[0]
    c = whole.iloc[0]
    values: dict[tuple[str, str], float] = {}
    for name in ("cross_authority_share", "ei_index", "multi_network_share", "level_evenness"):
        values[(name, "partnership")] = c[name]
    values[("lead_share", "partnership")] = r["lead_share"]
    for name in ("spanning_communities_share", "largest_component_share", "robustness"):
        values[(name, "partnership")] = c[name]
    leads = _leaders(sel)
    values[("lead_level_evenness", "partnership")] = _evenness(leads.to_numpy(), len(LEVELS))
    for lv in _LEAD_LEVELS:
        values[(f"leaders_{lv}", "partnership")] = float(leads.get(lv, 0))
    by_auth = reach(sel, by="authority")
    cap_auth = capacity(sel, by="authority", seed=seed, **opts)
    for auth in by_auth.index:
        values[("coverage", str(auth))] = by_auth.at[auth, "coverage"]
        cross = cap_auth["cross_authority_share"].get(auth, np.nan)
        values[("authority_cross_share", str(auth))] = cross
    values[("simd_q1_coverage", "partnership")] = r["simd_q1_coverage"]
    values[("equity_ratio", "partnership")] = r["equity_ratio"]
    out = pd.Series({k: float(v) for k, v in values.items()}, dtype=float)
    return out, str(whole.attrs.get("graph", ""))


def _leaders(sel: Ecosystem) -> pd.Series:
    """Distinct practitioners with any non-participant record, per level."""
    rec = sel.records
    led = rec.loc[rec["role"] != "participant", ["practitioner_id", "level"]]
    return led.drop_duplicates("practitioner_id")["level"].value_counts()


def _evenness(counts: np.ndarray, n_levels: int) -> float:
    """Pielou evenness H / ln(L) of counts over ``n_levels`` categories (NaN if none)."""
    total = counts.sum()
    if total <= 0:
        return float("nan")
    p = counts[counts > 0] / total
    return float(-(p * np.log(p)).sum() / np.log(n_levels)) + 0.0  # no -0.0


def _direction(
    first: float, last: float, kind: str, tol: float, rel_tol: float, n_sessions: int
) -> str:
    if n_sessions < 2 or pd.isna(first) or pd.isna(last):
        return "n/a"
    delta = last - first
    bound = rel_tol * abs(first) if kind == "count" else tol
    if abs(delta) < bound or (kind == "count" and first == 0 and last == 0):
        return "stable"
    return "strengthening" if delta > 0 else "weakening"
