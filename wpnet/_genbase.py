"""The building blocks of the synthetic generator (:mod:`wpnet._generate`): codes of
sectors and levels, the :class:`Plan` of every parameter, small vectorised sampling
helpers, the authorities of a synthetic partnership and its hubs (the planted brokers).

An internal helper module of :mod:`wpnet._generate`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from wpnet import _synthetic as F
from wpnet.schema import normalise_authority

__all__ = ["Plan"]

log = logging.getLogger(__name__)

EY, PRI, SEC, SPE, CEN = range(5)
PRAC, ML, SL, HT, CO, SUP, OTH = range(7)
LEADERS = (ML, SL, HT)
WITHIN, MATCHED, OPEN = range(3)
_NC_LEVEL_SHARE = {PRAC: 0.71, ML: 0.132, SL: 0.071, HT: 0.041, SUP: 0.036, OTH: 0.01}
_LEVEL_ENGAGEMENT = np.array([1.0, 2.0, 2.5, 2.5, 2.5, 0.6, 0.5])
_LEAD_P = np.array([0.025, 0.06, 0.06, 0.05, 0.12, 0.005, 0.005])
_STAFF_RATIO = np.array([8.0, 17.0, 12.0, 3.5])  # pupils per member of staff
_ROLL = ((55, 0.45, 10, 200), (240, 0.45, 20, 750), (900, 0.35, 250, 2000), (60, 0.5, 8, 250))
_DIP_SESSION = "2020-21"
_LOCKDOWN = pd.Timestamp("2020-03-20")


@dataclass(frozen=True)
class Plan:
    """The generator's documented parameters (CALIBRATION.md gives the sources).

    Shares are of schools and nurseries (reach), of the register (practitioners) or of
    a network's members (leaks); ``growth`` is per session up to the planted change and
    applies to reach, practitioners and records alike; the last two sessions share every
    level (the null sessions).
    """

    #: nurseries, primary, secondary, special: 360 (a guess giving "over 1,000") + the
    #: 545 / 107 / 49 council schools of 2024
    sectors: tuple[float, float, float, float] = (360.0, 545.0, 107.0, 49.0)
    #: share of schools and nurseries taking part in the first session
    reach: float = 0.29
    #: growth a session (reach, practitioners, records) up to the planted change
    growth: float = 1.05
    #: chance variation of practitioners and records a session (sd of the log level)
    noise: float = 0.02
    #: 2020-21 multiplier (reach, practitioners, records)
    dip: float = 0.85
    #: share of last session's establishments that take part again
    persist: float = 0.6
    #: relative chance of taking part: nurseries, primary, secondary, special
    sector_reach: tuple[float, float, float, float] = (0.6, 1.0, 3.0, 1.0)
    #: exponent of the engagement weight in membership draws (concentration on a core)
    concentration: float = 3.0
    #: the same for partnership-wide and matched programmes (they recruit broadly)
    programme_concentration: float = 0.0
    #: the same for large programmes: they fill from the schools already engaged (the
    #: core), so that a large programme is not a web of one-off members
    large_concentration: float = 3.0
    #: share of the register taking part in the first session
    practitioners: float = 0.19
    #: share of last session's practitioners who return (before the per-session jitter)
    returning: float = 0.28
    #: standard deviation of the per-session return rate (clipped to 0.18-0.40)
    returning_sd: float = 0.03
    #: the return rate into 2020-21 is multiplied by this
    returning_dip: float = 0.8
    #: share of a within-group network's members drawn from outside its group
    leak: float = 0.05
    #: the same for the changed workstream from the planted change on
    change_leak: float = 0.45
    #: the workstream whose cross-authority mixing rises in the last two sessions
    change_workstream: str = "Families and communities"
    #: planted brokers; the first ``hub_central`` are central teams, the rest schools
    hubs: int = 5
    hub_central: int = 2
    #: other councils' recruitment groups each hub bridges to (the nearest of those the
    #: fewest hubs bridge yet)
    hub_bridges: int = 2
    #: a hub's engagement: this quantile of the schools' (it recruits as a core member)
    hub_engagement: float = 0.95
    #: chance a hub joins a network of a group it bridges (one open to its sector) in a
    #: session, on top of the draws it wins as a core member: a central team or
    #: teaching school serves every network of its groups, every session
    hub_join: float = 1.0
    #: chance a central team joins a network of its own group in a session
    central_join: float = 0.25
    #: share of practitioners active in two or more sessions who move school
    movers: float = 0.05
    #: share of movers who stay in their recruitment group
    movers_within: float = 0.9
    #: advice-tie survey respondents
    survey: int = 300


# ---- small vectorised helpers ---------------------------------------------------------
def _apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Largest-remainder apportionment of ``total`` by ``weights`` (exact integers)."""
    w = np.asarray(weights, dtype=float)
    q = total * w / w.sum()
    base = np.floor(q).astype(np.int64)
    rest = int(total - base.sum())
    if rest:
        base[np.argsort(-(q - base), kind="stable")[:rest]] += 1
    return base


def _pick(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """At most ``k`` positions drawn without replacement with probability proportional to
    weights (Efraimidis & Spirakis 2006 keys); zero weights are never drawn."""
    n = len(weights)
    if int(k) <= 0 or n == 0:
        return np.empty(0, dtype=np.int64)
    u = rng.random(n)
    w = np.asarray(weights, dtype=float)
    pos = w > 0
    k = min(int(k), int(pos.sum()))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    keys = np.full(n, -np.inf)
    keys[pos] = np.log(u[pos]) / w[pos]
    return np.sort(np.argpartition(-keys, k - 1)[:k])


def _choice(rng: np.random.Generator, options: Sequence[str], p: Sequence[float], n: int):
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=np.asarray(p))]


def _sample_rows(rng: np.random.Generator, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One column per draw from the categorical distribution of row ``rows[i]``."""
    k, n = weights.shape
    cdf = np.cumsum(weights, axis=1)
    cdf /= cdf[:, -1:]
    cdf += np.arange(k)[:, None]
    u = rng.random(len(rows))
    pos = np.searchsorted(cdf.ravel(), rows + u, side="right")
    return np.minimum(pos - rows * n, n - 1)


def _strings(values: np.ndarray, index: np.ndarray | None = None) -> pd.Series:
    """An arrow-backed string Series of ``values[index]`` without Python string objects."""
    arr = pa.array(np.asarray(values, dtype=object), type=pa.string())
    if index is not None:
        arr = arr.take(pa.array(np.asarray(index, dtype=np.int64)))
    return pd.Series(pd.arrays.ArrowStringArray(arr))


# ---- authorities --------------------------------------------------------------------
def _authorities(spec: int | Sequence[str] | None, rng: np.random.Generator) -> list[F.Authority]:
    west = sorted(F.AUTHORITY_FACTS.values(), key=lambda a: -a.weight)
    if spec is None:
        return sorted(west, key=lambda a: a.name)
    if isinstance(spec, str):
        spec = [spec]
    if isinstance(spec, int | np.integer) and not isinstance(spec, bool):
        n = int(spec)
        if n < 1:
            raise ValueError(f"authorities must be >= 1 or a list of names; got {n}")
        names = [a.name for a in west[:n]] + [f"Authority {k:02d}" for k in range(9, n + 1)]
    else:
        names = [str(s).strip() for s in spec]
        if not names or any(not s for s in names) or len(set(names)) != len(names):
            raise ValueError(f"authorities must be distinct non-empty names; got {spec!r}")
    mean_weight = float(np.mean([a.weight for a in west]))
    out = []
    for k, name in enumerate(names):
        known = normalise_authority(name)
        if known in F.AUTHORITY_FACTS:
            out.append(F.AUTHORITY_FACTS[known])
            continue
        lat, lon = 55.5 + 1.5 * rng.random(), -5.0 + 2.5 * rng.random()
        out.append(
            F.Authority(
                name,
                f"A{k + 1:02d}",
                mean_weight,
                (lat, lon),
                (lat, lon),
                (0.05, 0.08),
                (0.2, 0.2, 0.2, 0.2, 0.2),
                (0.2, 0.5, 0.15, 0.15),
            )  # fmt: skip
        )
    return out


# ---- hubs: the planted brokers ----------------------------------------------------------
def _hubs(rng, est, groups, plan: Plan) -> tuple[np.ndarray, list[list[int]]]:
    """Hub establishments and the recruitment groups each bridges: its own first, then
    ``plan.hub_bridges`` groups of other councils, the nearest among those the fewest
    hubs bridge so far (a partnership spreads its hubs over its areas)."""
    g_est, members = groups["est"], groups["auths"]
    n_groups = len(members)
    if n_groups < 2 or plan.hubs < 1:
        return np.empty(0, np.int64), []
    schools = est["sector"] != CEN
    cnt = np.maximum(np.bincount(g_est[schools], minlength=n_groups), 1)
    lat = np.bincount(g_est[schools], weights=est["lat"][schools], minlength=n_groups) / cnt
    lon = np.bincount(g_est[schools], weights=est["lon"][schools], minlength=n_groups) / cnt
    order = np.argsort(-groups["size"], kind="stable")
    hubs: list[int] = []
    bridges: list[list[int]] = []
    nxt = 0
    touched = np.zeros(n_groups, np.int64)
    for i in range(plan.hubs):
        pool = np.empty(0, np.int64)
        for _ in range(n_groups):
            g = int(order[nxt % n_groups])
            nxt += 1
            if i < plan.hub_central:
                pool = np.flatnonzero(~schools & np.isin(est["auth"], members[g]))
            else:
                pool = np.flatnonzero((g_est == g) & np.isin(est["sector"], (PRI, SEC)))
            pool = pool[~np.isin(pool, hubs)]
            if len(pool):
                break
        if not len(pool):
            continue
        hubs.append(int(pool[_pick(rng, est["act"][pool], 1)[0]]))
        other = np.array([not set(members[h]) & set(members[g]) for h in range(n_groups)])
        d = np.where(other, np.hypot(lat - lat[g], (lon - lon[g]) * 0.56), np.inf)
        # the nearest groups of other councils that fewest hubs bridge so far
        cand = np.flatnonzero(other)
        near = cand[np.lexsort((d[cand], touched[cand]))][: plan.hub_bridges]
        bridges.append([g, *near.tolist()])
        touched[bridges[-1]] += 1
    return np.asarray(hubs, dtype=np.int64), bridges
