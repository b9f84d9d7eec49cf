"""Headline findings: plain sentences with numbers and the direction of change.

Every number is read from the raw measure results (:class:`~wpnet.report.compute.Results`);
practitioner counts below ``min_cell`` are written ``"fewer than 5"``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from wpnet.records import data_limits, describe_limits
from wpnet.report.compute import Results

__all__ = ["count", "direction", "headlines", "pct"]


def pct(x: Any, digits: int = 0) -> str:
    """A share as a percentage: ``pct(0.5934) == '59%'``; missing values as ``'n/a'``.

    Examples
    --------
    >>> pct(0.5934), pct(0.05, 1), pct(float("nan"))
    ('59%', '5.0%', 'n/a')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{100 * float(x):.{digits}f}%"


def count(n: Any, min_cell: int | None = None) -> str:
    """A whole number with thousands separators; a practitioner count below
    ``min_cell`` as ``'fewer than <min_cell>'``.

    Examples
    --------
    >>> count(1043), count(3, 5), count(0, 5)
    ('1,043', 'fewer than 5', '0')
    """
    v = int(round(float(n)))
    if min_cell is not None and 0 < v < min_cell:
        return f"fewer than {min_cell}"
    return f"{v:,}"


def direction(now: float, before: float, *, unit: str = "pct", digits: int = 0) -> str:
    """``'up from 54%'``, ``'down from 61%'`` or ``'unchanged from 59%'`` (compared at
    the precision shown).

    Examples
    --------
    >>> direction(0.59, 0.54), direction(0.59, 0.5912), direction(1.2, 1.5, unit="num", digits=2)
    ('up from 54%', 'unchanged from 59%', 'down from 1.50')
    """
    fmt = (lambda v: pct(v, digits)) if unit == "pct" else (lambda v: f"{v:.{digits}f}")
    a, b = fmt(now), fmt(before)
    word = "unchanged from" if a == b else "up from" if now > before else "down from"
    return f"{word} {b}"


def _ok(x: Any) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and not pd.isna(x)


def _reach_sentence(res: Results, prev_label: str | None) -> str | None:
    r = res.reach.iloc[0]
    if not _ok(r["coverage"]):
        return None  # not supported by the data (no register): said by _limits
    reached = int(round(float(r["coverage"] * r["eligible"]))) if _ok(r["coverage"]) else 0
    s = (
        f"The partnership reached {count(reached)} of {count(r['eligible'])} schools and "
        f"nurseries ({pct(r['coverage'])}) in {res.session}"
    )
    if res.reach_prev is not None and _ok(res.reach_prev.iloc[0]["coverage"]):
        s += f", {direction(r['coverage'], res.reach_prev.iloc[0]['coverage'])} in {prev_label}"
    if _ok(r["equity_ratio"]):
        s += (
            f"; SIMD quintile 1 schools were reached at {r['equity_ratio']:.2f} times the "
            f"average rate ({pct(r['simd_q1_coverage'])} of them)"
        )
    return s + "."


def _people_sentence(res: Results, min_cell: int) -> str:
    r = res.reach.iloc[0]
    return (
        f"{count(r['practitioners'], min_cell)} practitioners from "
        f"{count(r['establishments'])} establishments in {count(r['authorities'])} "
        f"authorities took part in {count(r['networks'])} networks "
        f"({count(r['records'])} participation records)."
    )


def _collaboration_sentence(res: Results) -> str | None:
    c = res.capacity.iloc[0]
    e = res.ei.iloc[0]
    if not _ok(c["cross_authority_share"]):
        return None
    s = (
        f"{pct(c['cross_authority_share'])} of the ties between establishments joined "
        f"different authorities"
    )
    if _ok(e["ei_index"]) and _ok(e["expected"]):
        p = float(e["p_two_sided"])
        if p < 0.05:
            rel = "more" if e["ei_index"] > e["expected"] else "less"
            verdict = f"{rel} outward-looking than chance"
        else:
            verdict = "no different from chance"
        s += (
            f"; the E-I index was {e['ei_index']:.2f} against {e['expected']:.2f} expected "
            f"if authorities were assigned at random ({verdict}, permutation p = {p:.3f}, "
            "two-sided)"
        )
    return s + "."


def _broker_sentence(res: Results) -> str | None:
    b = res.brokerage
    b = b[b["degree"] > 0]
    if b.empty or not (b["betweenness"] > 0).any():
        return None
    top = b.sort_values(["betweenness", "gf_total"], ascending=False).iloc[0]
    est = res.eco.establishments.drop_duplicates("establishment_id").set_index("establishment_id")
    name = est["name"].get(top.name, top.name)
    s = (
        f"The strongest broker was {name} ({top['group']}), with betweenness "
        f"{top['betweenness']:.3f} and {count(top['gf_total'])} brokerage positions"
    )
    roles = res.roles
    if "liaison" in roles.index and _ok(roles.loc["liaison", "z"]):
        lia = roles.loc["liaison"]
        s += (
            f"; liaison brokerage across three authorities occurred {count(lia['observed'])} "
            f"times against {count(lia['expected'])} expected in a random graph "
            f"(z = {lia['z']:.1f})"
        )
    return s + "."


def _small(share: Any, people: Any, min_cell: int) -> bool:
    """True when share × people is a practitioner count below ``min_cell``."""
    if not (_ok(share) and _ok(people)):
        return False
    k = round(float(share) * float(people))
    return 0 < k < min_cell or 0 < float(people) < min_cell


def _capacity_sentence(res: Results, prev: pd.Series | None, min_cell: int) -> str | None:
    c = res.capacity.iloc[0]
    people = res.reach.iloc[0]["practitioners"]
    if not _ok(c["multi_network_share"]) or _small(c["multi_network_share"], people, min_cell):
        return None
    s = f"{pct(c['multi_network_share'])} of practitioners took part in two or more networks"
    if (
        prev is not None
        and _ok(prev.get("multi_network_share"))
        and not _small(prev["multi_network_share"], prev.get("practitioners"), min_cell)
    ):
        s += f" ({direction(c['multi_network_share'], prev['multi_network_share'])})"
    if _ok(c["lead_share"]) and not _small(c["lead_share"], people, min_cell):
        s += f"; {pct(c['lead_share'], 1)} led, facilitated or presented"
    if _ok(c["level_evenness"]):
        s += f", and participation across levels had an evenness of {c['level_evenness']:.2f} (1 = all levels equally)"
    return s + "."


def _change_sentence(res: Results, min_cell: int) -> str | None:
    if res.change is None:
        return None
    f = res.change.flows
    p = f.loc["practitioners"]
    nums = [int(p[k]) for k in ("before", "after", "retained", "new", "lapsed")]
    if any(0 < v < min_cell for v in nums):
        return None  # the sentence would reveal a small count
    e = f.loc["establishments"]
    return (
        f"Of the {count(p['before'])} practitioners of {res.compare_to}, "
        f"{count(p['retained'])} ({pct(p['retention_rate'])}) took part again in "
        f"{res.session}, and {count(p['new'])} were new; {count(e['retained'])} of "
        f"{count(e['before'])} establishments stayed involved and {count(e['new'])} joined."
    )


def _themes_sentence(res: Results) -> str | None:
    r = res.reflections
    if r is None or r.empty or len(res.sessions) < 2:
        return None
    d = r["direction"].value_counts()
    return (
        f"Across {res.sessions[0]} to {res.sessions[-1]}, of {len(r)} evaluation "
        f"indicators {int(d.get('strengthening', 0))} strengthened, "
        f"{int(d.get('stable', 0))} were stable and {int(d.get('weakening', 0))} weakened."
    )


def headlines(res: Results, min_cell: int = 5) -> list[str]:
    """The report's headline findings, in order (sentences whose numbers are missing,
    or that would reveal a small practitioner count, are left out)."""
    prev = None
    if res.compare_to is not None and res.trend is not None and res.compare_to in res.trend.index:
        prev = res.trend.loc[res.compare_to]
    out = [
        _reach_sentence(res, res.compare_to),
        _people_sentence(res, min_cell),
        _collaboration_sentence(res),
        _broker_sentence(res),
        _capacity_sentence(res, prev, min_cell),
        _change_sentence(res, min_cell),
        _themes_sentence(res),
        *describe_limits(data_limits(res.eco), res.compare_to),
    ]
    return [s for s in out if s]
