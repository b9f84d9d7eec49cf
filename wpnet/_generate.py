"""The synthetic ecosystem generator behind :func:`wpnet.synthetic`.

Vectorised throughout: loops run over authorities, sectors, levels, workstreams and
sessions (tens of iterations), never over establishments, practitioners or records. One
:class:`numpy.random.Generator` is consumed in a fixed order, so a seed fixes the output
for a given numpy version. The steps, in order:

1. establishments per authority (apportioned by public school counts) and sector; names
   from word lists (nursery classes share their primary's name and place); SIMD quintile,
   urban/rural class, roll, coordinates; an engagement weight per establishment (heavy
   tailed; SIMD quintile 1 schools split into less and more engaged ones) and a set of
   outward-looking establishments whose staff join other authorities' networks;
2. practitioners: central officers in the central teams, one headteacher per school at
   most, the rest drawn by staff size x engagement; levels, subjects, job titles;
3. which sessions each practitioner is active in: a fixed share of the previous session's
   practitioners return (weighted by their own engagement), a few come back after a gap,
   new ones join; the session totals grow, dip in 2020-21 and grow again;
4. moves: some practitioners change school in a later session;
5. records per active practitioner-session (at least one each, heavy tailed), spread over
   a few networks drawn from an affinity of the practitioner's sector, level, subject,
   authority and outward flag to each network's workstream, topic, lead authority and
   activity in that session (other authorities' networks draw a little more each
   session: the culture of collaboration grows); each network-session's meetings get dates in term time,
   hours, a mode (online from lockdown in March 2020 through 2020-21, part-online after);
6. a small directed advice-tie survey among a few hundred practitioners in one session.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from wpnet import _synthetic as F
from wpnet.schema import normalise_authority
from wpnet.sessions import session_bounds

__all__ = ["generate"]

log = logging.getLogger(__name__)

EY, PRI, SEC, SPE, CEN = range(5)
PRAC, ML, SL, HT, CO, SUP, OTH = range(7)
_NC_LEVEL_SHARE = {PRAC: 0.71, ML: 0.132, SL: 0.071, HT: 0.041, SUP: 0.036, OTH: 0.01}
_LEVEL_ENGAGEMENT = np.array([1.0, 1.5, 1.5, 1.4, 2.5, 0.6, 0.5])
_LEAD_P = np.array([0.025, 0.06, 0.06, 0.05, 0.12, 0.005, 0.005])
_STAFF_RATIO = np.array([8.0, 17.0, 12.0, 3.5])  # pupils per member of staff
_ROLL = ((55, 0.45, 10, 200), (240, 0.45, 20, 750), (900, 0.35, 250, 2000), (60, 0.5, 8, 250))
_SECTOR_SHARE = np.array([0.35, 0.50, 0.10, 0.05])
_GROWTH, _DIP, _DIP_SESSION = 1.12, 0.62, "2020-21"
_LOCKDOWN = pd.Timestamp("2020-03-20")
_CROSS_GROWTH = 0.15


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
    """``k`` positions drawn without replacement with probability proportional to weights
    (Efraimidis & Spirakis 2006 keys)."""
    n = len(weights)
    k = min(int(k), n)
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    u = rng.random(n)
    w = np.asarray(weights, dtype=float)
    keys = np.full(n, -np.inf)
    pos = w > 0
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


# ---- establishments -------------------------------------------------------------------
def _stem_pool(rng: np.random.Generator, need: int) -> np.ndarray:
    """Distinct generic place-name stems, plain ones first, at least ``need`` of them."""
    first = np.asarray(F.STEM_FIRST, dtype=object)[:, None]
    second = np.asarray(F.STEM_SECOND, dtype=object)[None, :]
    ok = np.char.lower(first.astype(str)) != second.astype(str)
    plain = (first + second)[ok]
    tiers = [rng.permutation(plain)]
    size = len(plain)
    suffixed = (plain[:, None] + " " + np.asarray(F.STEM_SUFFIX, dtype=object)[None, :]).ravel()
    prefixed = (np.asarray(F.STEM_PREFIX, dtype=object)[:, None] + " " + plain[None, :]).ravel()
    for extra in (suffixed, prefixed):
        if size >= need:
            break
        tiers.append(rng.permutation(extra))
        size += len(extra)
    pool = np.concatenate(tiers)
    if len(pool) < need:  # beyond ~33,000 names a stem: number them
        reps = -(-need // len(pool))
        pool = np.concatenate(
            [pool] + [pool + f" {r + 1}" for r in range(1, reps)]  # "Broomhill 2"
        )
    return pool


def _establishments(rng, auths, n_est):
    a_n = len(auths)
    per_auth = _apportion(n_est, np.array([a.weight for a in auths]))
    counts = np.stack([_apportion(int(n), _SECTOR_SHARE) for n in per_auth])  # A x 4
    n_nursery_class = np.minimum(np.round(0.55 * counts[:, EY]).astype(int), counts[:, PRI])
    town_n = np.array([len(a.towns) for a in auths])
    stems_needed = counts[:, PRI] + counts[:, EY] - n_nursery_class
    stems_needed = np.maximum(stems_needed, counts[:, SEC : SPE + 1].max(axis=1))
    generic_need = np.maximum(stems_needed - town_n, 0) + 1
    pool = _stem_pool(rng, int(generic_need.sum()))
    cut = np.concatenate([[0], np.cumsum(generic_need)])
    saints_pri, saints_sec = rng.permutation(F.SAINTS), rng.permutation(F.SAINTS)
    used_pri = used_sec = 0
    parts = []
    for a_i, auth in enumerate(auths):
        n_ey, n_pri, n_sec, n_spe = (int(x) for x in counts[a_i])
        stems = np.concatenate(
            [rng.permutation(np.asarray(auth.towns, dtype=object)), pool[cut[a_i] : cut[a_i + 1]]]
        )
        n_den = min(int(round(0.25 * n_pri)), len(saints_pri) - used_pri)
        pri_stems = np.concatenate(
            [saints_pri[used_pri : used_pri + n_den], stems[: n_pri - n_den]]
        )
        used_pri += n_den
        pri_names = pri_stems + " " + _choice(rng, *F.SECTOR_SUFFIX["primary"], n_pri)
        nc = int(n_nursery_class[a_i])
        nc_of = rng.choice(n_pri, size=nc, replace=False) if nc else np.empty(0, int)
        other_ey = stems[n_pri - n_den : n_pri - n_den + n_ey - nc]
        ey_names = np.concatenate(
            [
                pri_stems[nc_of] + " Nursery Class",
                other_ey + " " + _choice(rng, *F.SECTOR_SUFFIX["early_years"], n_ey - nc),
            ]
        )
        s_den = min(int(round(0.25 * n_sec)), len(saints_sec) - used_sec)
        sec_stems = np.concatenate(
            [
                saints_sec[used_sec : used_sec + s_den],
                stems[rng.permutation(len(stems))[: n_sec - s_den]],
            ]
        )
        used_sec += s_den
        sec_names = sec_stems + " " + _choice(rng, *F.SECTOR_SUFFIX["secondary"], n_sec)
        spe_names = (
            stems[rng.permutation(len(stems))[:n_spe]]
            + " "
            + _choice(rng, *F.SECTOR_SUFFIX["special"], n_spe)
        )
        n = n_ey + n_pri + n_sec + n_spe
        sector = np.repeat([EY, PRI, SEC, SPE], [n_ey, n_pri, n_sec, n_spe])
        lat = auth.centre[0] + auth.spread[0] * np.clip(rng.standard_normal(n), -3, 3)
        lon = auth.centre[1] + auth.spread[1] * np.clip(rng.standard_normal(n), -3, 3)
        simd = rng.choice(5, size=n, p=np.asarray(auth.simd) / sum(auth.simd)) + 1
        urban = rng.choice(4, size=n, p=np.asarray(auth.urban) / sum(auth.urban))
        # nursery classes sit in their primary: same place, quintile and urban/rural class
        pri0 = n_ey
        host = pri0 + nc_of
        lat[:nc], lon[:nc] = lat[host] + 0.0004, lon[host] + 0.0004
        simd[:nc], urban[:nc] = simd[host], urban[host]
        parts.append(
            (
                np.full(n, a_i),
                sector,
                np.concatenate([ey_names, pri_names, sec_names, spe_names]),
                lat,
                lon,
                simd,
                urban,
            )  # fmt: skip
        )
    auth_i, sector, names, lat, lon, simd, urban = (
        np.concatenate(p) for p in zip(*parts, strict=True)
    )
    n = len(names)
    roll = np.zeros(n)
    for s, (mean, sd, lo, hi) in enumerate(_ROLL):
        m = sector == s
        roll[m] = np.clip(mean * rng.lognormal(-sd * sd / 2, sd, int(m.sum())), lo, hi)
    codes = np.sort(rng.choice(9_000_000, size=n, replace=False) + 1_000_000)
    ids = np.asarray([str(c) for c in codes.tolist()], dtype=object)
    # one central team per authority, at the council's education headquarters
    urban_main = np.array([int(np.argmax(a.urban)) for a in auths])
    est = {
        "id": np.concatenate([ids, np.array([f"CT-{a.code}" for a in auths], dtype=object)]),
        "name": np.concatenate(
            [names, np.array([f"{a.name} central team" for a in auths], dtype=object)]
        ),
        "auth": np.concatenate([auth_i, np.arange(a_n)]),
        "sector": np.concatenate([sector, np.full(a_n, CEN)]),
        "simd": np.concatenate([simd, np.zeros(a_n, int)]),
        "roll": np.concatenate([np.round(roll), np.full(a_n, np.nan)]),
        "urban": np.concatenate([urban, urban_main]),
        "lat": np.concatenate([lat, [a.hq[0] for a in auths]]),
        "lon": np.concatenate([lon, [a.hq[1] for a in auths]]),
    }
    # engagement: heavy tailed; quintile 1 schools split into less and more engaged ones
    act = rng.lognormal(-0.15, 0.55, n)
    u = rng.random(n)
    q1 = simd == 1
    act[q1 & (u < 0.35)] *= 0.3
    act[q1 & (u >= 0.35) & (u < 0.55)] *= 2.2
    act = np.clip(act, 0.05, 6.0)
    outward = np.zeros(n + a_n, bool)
    outward[_pick(rng, act, max(1, round(0.10 * n)))] = True
    est["act"] = np.concatenate([act, np.ones(a_n)])
    est["outward"] = outward
    est["staff"] = np.concatenate([roll / _STAFF_RATIO[sector], np.zeros(a_n)])
    # names are unique by construction (distinct stems per sector, disjoint suffixes);
    # numbering guards the impossible case rather than emitting duplicates
    s = pd.Series(est["name"])
    dup = s.groupby(s).cumcount().to_numpy()
    if dup.any():
        est["name"] = np.where(
            dup > 0, est["name"] + " (" + (dup + 1).astype(str) + ")", est["name"]
        )
    return est


# ---- practitioners --------------------------------------------------------------------
def _titles(rng, sector: np.ndarray, level: np.ndarray, subject: np.ndarray) -> np.ndarray:
    """Job titles as written, drawn per (sector, level) from :data:`F.TITLES`."""
    out = np.empty(len(sector), dtype=object)
    for s, s_name in enumerate(F.SECTOR_NAMES):
        for lv, l_name in enumerate(F.LEVEL_NAMES):
            m = np.flatnonzero((sector == s) & (level == lv))
            if not len(m):
                continue
            titles, p = (
                F.TITLES.get((s_name, l_name))
                or F.TITLES.get(("", l_name))
                or ((l_name.replace("_", " ").title(),), (1.0,))
            )
            out[m] = _choice(rng, titles, p, len(m))
    subj = np.asarray([name for name, _, _ in F.CURRICULAR_SUBJECTS], dtype=object)
    short = np.asarray([s for _, s, _ in F.CURRICULAR_SUBJECTS], dtype=object)
    for j in range(len(subj)):
        m = np.flatnonzero(subject == j)
        if len(m):
            t = out[m].astype(str)
            t = np.char.replace(np.char.replace(t, "{subject}", subj[j]), "{short}", short[j])
            out[m] = t.astype(object)
    rest = np.flatnonzero(np.char.find(out.astype(str), "{") >= 0)  # no subject: generic
    if len(rest):
        t = out[rest].astype(str)
        out[rest] = np.char.replace(
            np.char.replace(np.char.replace(t, "Teacher of {subject}", "Teacher"), "PT {short}", "Principal Teacher"),
            "{subject}", "",
        ).astype(object)  # fmt: skip
    return out


def _practitioners(rng, auths, est, n_prac: int):
    n_est, a_n = len(est["id"]), len(auths)
    central_idx = np.flatnonzero(est["sector"] == CEN)  # one per authority, in order
    n_co = min(max(a_n, round(0.03 * n_prac)), n_prac)
    per_auth = _apportion(n_co, np.array([a.weight for a in auths]))
    home_co = np.repeat(central_idx, per_auth)
    w = est["staff"] * est["act"]
    w[central_idx] = 0.0
    home_sc = rng.choice(n_est, size=n_prac - n_co, p=w / w.sum())
    home = np.concatenate([home_co, home_sc])
    level = np.full(n_prac, CO)
    n_sc = len(home_sc)
    # at most one headteacher per school: the first of its staff, often
    order = np.argsort(home_sc, kind="stable")
    first = np.ones(n_sc, bool)
    first[order[1:]] = home_sc[order[1:]] != home_sc[order[:-1]]
    is_ht = first & (rng.random(n_sc) < 0.6)
    others = [PRAC, ML, SL, SUP, OTH]
    p = np.array([_NC_LEVEL_SHARE[k] for k in others])
    lv = np.asarray(others)[rng.choice(len(others), size=n_sc, p=p / p.sum())]
    lv[is_ht] = HT
    level[n_co:] = lv
    sector = est["sector"][home]
    subject = np.full(n_prac, -1)
    sec_teach = (sector == SEC) & ((level == PRAC) | (level == ML))
    shares = np.array([s for _, _, s in F.CURRICULAR_SUBJECTS])
    subject[sec_teach] = rng.choice(len(shares), size=int(sec_teach.sum()), p=shares / shares.sum())
    titles = _titles(rng, sector, level, subject)
    eng = est["act"][home] * _LEVEL_ENGAGEMENT[level] * rng.lognormal(-0.18, 0.6, n_prac)
    codes = rng.choice(90_000_000, size=n_prac, replace=False) + 10_000_000
    perm = rng.permutation(n_prac)  # ids carry no trace of the generation order
    return {
        "id": np.asarray([f"P{c}" for c in codes.tolist()], dtype=object),
        "home": home[perm], "level": level[perm], "subject": subject[perm],
        "title": titles[perm], "eng": eng[perm],
    }  # fmt: skip


# ---- who is active when ----------------------------------------------------------------
def _profile(sessions: Sequence[str]) -> np.ndarray:
    prof = _GROWTH ** np.arange(len(sessions), dtype=float)
    return np.where(np.asarray(sessions) == _DIP_SESSION, prof * _DIP, prof)


def _activity(rng, sessions: Sequence[str], eng: np.ndarray):
    """(practitioner, session) pairs: about half return the next session, a few after a gap."""
    n, S = len(eng), len(sessions)
    r, g = 0.5, 0.12
    prof = _profile(sessions)
    new_rel = prof.copy()
    new_rel[1:] -= r * prof[:-1]
    new_rel[2:] -= g * prof[:-2]
    new_rel = np.maximum(new_rel, 0.12 * prof)
    new = _apportion(n, new_rel)
    keys = np.log(rng.random(n)) / eng  # more engaged practitioners join earlier
    join_order = np.argsort(-keys, kind="stable")
    cut = np.concatenate([[0], np.cumsum(new)])
    active: list[np.ndarray] = []
    ever = np.zeros(n, bool)
    for s in range(S):
        parts = [join_order[cut[s] : cut[s + 1]]]
        if s >= 1:
            prev = active[s - 1]
            parts.append(prev[_pick(rng, eng[prev], round(r * len(prev)))])
        if s >= 2:
            gap = np.setdiff1d(active[s - 2], active[s - 1], assume_unique=True)
            parts.append(gap[_pick(rng, eng[gap], round(g * len(active[s - 2])))])
        a = np.unique(np.concatenate(parts))
        ever[a] = True
        active.append(a)
    pp = np.concatenate(active)
    ss = np.repeat(np.arange(S), [len(a) for a in active])
    return pp, ss


def _moves(rng, est, prac, pp, ss, share: float = 0.08):
    """Some practitioners active in two or more sessions move school in a later one.

    Returns the establishment of every (practitioner, session) pair and each
    practitioner's home (latest) establishment."""
    home = prac["home"].copy()
    n = len(home)
    at = home[pp].copy()
    first_s = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_s, pp, ss)
    n_sessions = np.bincount(pp, minlength=n)
    cand = np.flatnonzero((n_sessions >= 2) & (est["sector"][home] != CEN))
    movers = cand[rng.random(len(cand)) < share]
    if not len(movers):
        return at, home
    # the move happens in one of the mover's later active sessions
    later = np.flatnonzero(np.isin(pp, movers) & (ss > first_s[pp]))
    pick = rng.permutation(later)
    _, first_pos = np.unique(pp[pick], return_index=True)
    move_pair = pick[first_pos]
    move_prac, move_s = pp[move_pair], ss[move_pair]
    old = home[move_prac]
    new = old.copy()
    same_auth = rng.random(len(move_prac)) < 0.8
    for key in np.unique(np.stack([est["auth"][old], est["sector"][old]]), axis=1).T:
        a, s = key
        m = (est["auth"][old] == a) & (est["sector"][old] == s)
        pool_same = np.flatnonzero((est["auth"] == a) & (est["sector"] == s))
        pool_any = np.flatnonzero(est["sector"] == s)
        for mask, pool in ((m & same_auth, pool_same), (m & ~same_auth, pool_any)):
            k = np.flatnonzero(mask)
            if len(k) and len(pool) > 1:
                new[k] = pool[rng.integers(0, len(pool), len(k))]
    new = np.where(new == old, old, new)
    # pairs at or after the move session are at the new school; the old one before
    move_of = np.full(n, -1)
    move_of[move_prac] = np.arange(len(move_prac))
    k = move_of[pp]
    after = (k >= 0) & (ss >= np.where(k >= 0, move_s[np.maximum(k, 0)], 0))
    at[after] = new[k[after]]
    home[move_prac] = new
    return at, home


# ---- networks --------------------------------------------------------------------------
def _networks(rng, auths, n_net: int, sessions: Sequence[str]):
    streams = F.WORKSTREAMS
    per_ws = _apportion(n_net, np.array([w.share for w in streams]))
    per_ws = np.maximum(per_ws, 1) if n_net >= len(streams) else per_ws
    while per_ws.sum() > n_net:  # the max(1) above may overshoot
        per_ws[np.argmax(per_ws)] -= 1
    auth_w = np.array([a.weight for a in auths], dtype=float)
    rows = []
    for w_i, (ws, k) in enumerate(zip(streams, per_ws, strict=True)):
        topics = ws.topics
        for j in range(int(k)):
            t = topics[j % len(topics)]
            rep = j // len(topics)
            lead = int(rng.choice(len(auths), p=auth_w / auth_w.sum()))
            name = t[0]
            if rep and ws.repeat == "cohort":
                name = f"{name} (cohort {rep + 1})"
            elif rep:
                name = (
                    f"{name} ({auths[lead].name})" if rep <= len(auths) else f"{name} ({rep + 1})"
                )
            rows.append((w_i, name, lead, t[1], t[2] or ws.levels, j % len(topics)))
    n = len(rows)
    S = len(sessions)
    born = np.where(rng.random(n) < 0.75, 0, rng.integers(0, S, n))
    alive = np.zeros((n, S), bool)
    for s in range(S):
        alive[:, s] = (born <= s) & ((s == born) | (rng.random(n) > 0.08))
        if s > 0:
            alive[:, s] &= (born == s) | alive[:, s - 1]
    alive[np.flatnonzero(~alive.any(axis=1)), S - 1] = True
    return {
        "ws": np.array([r[0] for r in rows]),
        "name": np.array([r[1] for r in rows], dtype=object),
        "lead": np.array([r[2] for r in rows]),
        "sector_aff": np.array([r[3] for r in rows], dtype=float),
        "level_aff": np.array([r[4] for r in rows], dtype=float),
        "topic": np.array([r[5] for r in rows]),
        "pop": np.array([streams[r[0]].popularity for r in rows]) * rng.lognormal(-0.12, 0.5, n),
        "alive": alive,
    }


def _affinity(net, t_auth, t_sector, t_level, t_subject, t_out, s: int) -> np.ndarray:
    """Types x networks weights of joining each network active in session ``s``."""
    streams = F.WORKSTREAMS
    cross = np.array([streams[w].cross for w in net["ws"]])
    w = net["sector_aff"][:, t_sector].T * net["level_aff"][:, t_level].T
    same = t_auth[:, None] == net["lead"][None, :]
    # the partnership's culture of collaboration grows: other authorities' networks draw
    # a little more each session
    cross = np.minimum(1.0, cross * (1.0 + _CROSS_GROWTH * s))
    cross_t = np.where(t_out[:, None], np.minimum(1.0, cross[None, :] * 6), cross[None, :])
    w *= np.where(same, 1.0, cross_t)
    curricular = np.array([streams[k].kind == "curricular" for k in net["ws"]])
    if curricular.any():
        match = t_subject[:, None] == net["topic"][None, :]
        no_subject = (t_subject < 0)[:, None]
        f = np.where(match, 1.0, np.where(no_subject, 0.05, 0.004))
        w = np.where(curricular[None, :], w * f, w)
    w *= net["pop"][None, :] * net["alive"][:, s][None, :]
    w += 1e-9 * net["alive"][:, s][None, :]
    return w


# ---- records ---------------------------------------------------------------------------
def _term_days(label: str) -> np.ndarray:
    lo, hi = session_bounds(label)
    days = pd.date_range(lo, hi, freq="D")
    m = days.day_of_week < 5
    md = days.month * 100 + days.day
    m &= ~((md >= 701) & (md <= 815))  # summer
    m &= ~((md >= 1221) | (md <= 106))  # winter
    m &= ~((md >= 401) & (md <= 415))  # spring
    m &= ~((md >= 1012) & (md <= 1020))  # October week
    return days[m].to_numpy()


def _memberships(rng, est, prac, net, sessions, pp, ss, at, n_records: int):
    n_pairs = len(pp)
    if n_records < n_pairs:  # fewer records than practitioner-sessions: keep a sample
        keep = np.sort(_pick(rng, prac["eng"][pp], n_records))
        pp, ss, at = pp[keep], ss[keep], at[keep]
        n_pairs = len(pp)
    mbar = float(np.clip(0.42 * n_records / max(n_pairs, 1), 1.0, 5.0))
    e = prac["eng"][pp] / prac["eng"][pp].mean()
    m = 1 + np.minimum(rng.poisson((mbar - 1.0) * np.clip(e, 0.2, 4.0)), 9)
    est_auth, est_sector = est["auth"][at], est["sector"][at]
    lv, subj, out = prac["level"][pp], prac["subject"][pp], est["outward"][at]
    # practitioner types: authority, sector, level, subject, outward
    code = (((est_auth * 5 + est_sector) * 7 + lv) * 22 + (subj + 1)) * 2 + out
    mem_pair, mem_net = [], []
    for s in range(len(sessions)):
        idx = np.flatnonzero(ss == s)
        if not len(idx):
            continue
        types, inv = np.unique(code[idx], return_inverse=True)
        t_out = types % 2 == 1
        rest = types // 2
        t_subj, rest = rest % 22 - 1, rest // 22
        t_lv, rest = rest % 7, rest // 7
        t_sec, t_auth = rest % 5, rest // 5
        w = _affinity(net, t_auth, t_sec, t_lv, t_subj, t_out, s)
        draws = np.repeat(idx, m[idx])
        rows = np.repeat(inv, m[idx])
        mem_pair.append(draws)
        mem_net.append(_sample_rows(rng, w, rows))
    mp, mn = np.concatenate(mem_pair), np.concatenate(mem_net)
    key = np.unique(mp.astype(np.int64) * len(net["ws"]) + mn)
    mp, mn = key // len(net["ws"]), key % len(net["ws"])
    if len(mp) > n_records:  # more memberships than records asked for: keep a sample
        keep = np.sort(rng.choice(len(mp), n_records, replace=False))
        mp, mn = mp[keep], mn[keep]
    return pp, ss, at, mp, mn


def _records(rng, prac, net, sessions, pp, ss, at, mp, mn, n_records: int):
    streams = F.WORKSTREAMS
    M, n_net, S = len(mp), len(net["ws"]), len(sessions)
    extra = rng.multinomial(n_records - M, (w := prac["eng"][pp[mp]] ** 0.5) / w.sum())
    c = 1 + extra
    ns = mn * S + ss[mp]  # network-session of each membership
    base = np.array([streams[k].events for k in net["ws"]])
    events = np.repeat(base, S) + rng.poisson(1.0, n_net * S)
    np.maximum.at(events, ns, c)
    # event dates and modes per network-session
    ev_start = np.concatenate([[0], np.cumsum(events)])
    ev_ns = np.repeat(np.arange(n_net * S), events)
    ev_s = ev_ns % S
    ev_date = np.empty(len(ev_ns), dtype="datetime64[ns]")
    for s, label in enumerate(sessions):
        k = np.flatnonzero(ev_s == s)
        days = _term_days(label)
        ev_date[k] = days[rng.integers(0, len(days), len(k))]
    order = np.lexsort((ev_date, ev_ns))
    ev_date = ev_date[order]
    ev_ws = net["ws"][ev_ns // S]
    hours = np.empty(len(ev_ns))
    for k_ws, ws in enumerate(streams):
        k = np.flatnonzero(ev_ws == k_ws)
        hours[k] = np.asarray(ws.hours[0])[rng.choice(len(ws.hours[0]), len(k), p=ws.hours[1])]
    label = np.asarray(sessions)[ev_s]
    lockdown = (ev_date >= _LOCKDOWN.to_datetime64()) & (label <= _DIP_SESSION)
    later = label > _DIP_SESSION
    mode = np.where(
        lockdown, "online", np.where(later & (rng.random(len(ev_ns)) < 0.35), "online", "in person")
    )
    hours = np.where(mode == "online", np.minimum(hours, 1.5), hours)
    # records: membership i holds c_i distinct events of its network-session
    rec_m = np.repeat(np.arange(M), c)
    j = np.arange(len(rec_m)) - np.repeat(np.cumsum(c) - c, c)
    start = rng.integers(0, events[ns])
    ev = ev_start[ns[rec_m]] + (start[rec_m] + j) % events[ns[rec_m]]
    # volunteer leads, facilitators and presenters
    p_lead = _LEAD_P[prac["level"][pp[mp]]] * np.where(net["ws"][mn] == 4, 0.3, 1.0)
    lead = rng.random(M) < p_lead
    role = np.where(
        lead, _choice(rng, ("lead", "facilitator", "presenter"), (0.5, 0.3, 0.2), M), "participant"
    )
    return {"m": rec_m, "event": ev, "date": ev_date, "hours": hours, "mode": mode, "role": role,
            "ev_ns": ev_ns, "ev_start": ev_start}  # fmt: skip


def _ties(rng, prac, pp, ss, mp, mn, sessions, n_resp: int = 300):
    """A directed advice-tie survey in one session among co-members of networks."""
    S = len(sessions)
    s = min(3, S - 1)
    in_s = np.flatnonzero(ss[mp] == s)
    if len(in_s) < 2:
        return None
    people = np.unique(pp[mp[in_s]])
    resp = people[_pick(rng, prac["eng"][people], min(n_resp, len(people) // 3 or 1))]
    order = in_s[np.argsort(mn[in_s], kind="stable")]
    net_sorted = mn[order]
    lo = np.searchsorted(net_sorted, mn[order], side="left")
    hi = np.searchsorted(net_sorted, mn[order], side="right")
    is_resp = np.isin(pp[mp[order]], resp)
    src_rows = np.flatnonzero(is_resp)
    src_rows = np.repeat(src_rows, 2)  # up to two nominations per network
    tgt = lo[src_rows] + (rng.random(len(src_rows)) * (hi - lo)[src_rows]).astype(int)
    source, target = pp[mp[order[src_rows]]], pp[mp[order[tgt]]]
    ok = source != target
    pairs = np.unique(np.stack([source[ok], target[ok]]), axis=1)
    if pairs.shape[1] == 0:
        return None
    lo_d, _ = session_bounds(sessions[s])
    n = pairs.shape[1]
    return pd.DataFrame(
        {
            "source": _strings(prac["id"], pairs[0]),
            "target": _strings(prac["id"], pairs[1]),
            "kind": "advice",
            "weight": rng.integers(1, 4, n).astype(float),
            "date": pd.Timestamp(lo_d.year + 1, 5, 15),
        }
    )


# ---- assembly --------------------------------------------------------------------------
def generate(
    establishments: int,
    practitioners: int,
    networks: int,
    records: int,
    sessions: Sequence[str],
    seed: int,
    authorities: int | Sequence[str] | None = None,
) -> dict[str, pd.DataFrame | None]:
    """The five tables of a synthetic ecosystem (see the module docstring).

    Returns a dict of DataFrames keyed by table name, ready for
    :class:`wpnet.ecosystem.Ecosystem`.
    """
    for name, value in (
        ("establishments", establishments),
        ("practitioners", practitioners),
        ("networks", networks),
        ("records", records),
    ):
        if int(value) < 1:
            raise ValueError(f"{name} must be >= 1; got {value}")
    sessions = list(sessions)
    if not sessions:
        raise ValueError("sessions must name at least one session")
    rng = np.random.default_rng(seed)
    auths = _authorities(authorities, rng)
    log.info("establishments")
    est = _establishments(rng, auths, int(establishments))
    log.info("practitioners")
    prac = _practitioners(rng, auths, est, int(practitioners))
    pp, ss = _activity(rng, sessions, prac["eng"])
    at, home = _moves(rng, est, prac, pp, ss)
    log.info("networks and records")
    net = _networks(rng, auths, int(networks), sessions)
    pp, ss, at, mp, mn = _memberships(rng, est, prac, net, sessions, pp, ss, at, int(records))
    rec = _records(rng, prac, net, sessions, pp, ss, at, mp, mn, int(records))
    ties = _ties(rng, prac, pp, ss, mp, mn, sessions)

    auth_names = np.array([a.name for a in auths], dtype=object)
    sector_names = np.asarray(F.SECTOR_NAMES, dtype=object)
    central = est["sector"] == CEN
    est_df = pd.DataFrame(
        {
            "establishment_id": est["id"],
            "name": est["name"],
            "authority": auth_names[est["auth"]],
            "sector": sector_names[est["sector"]],
            "simd_quintile": pd.array(np.where(central, 0, est["simd"]), dtype="Int64"),
            "roll": pd.array(est["roll"], dtype="Int64"),
            "urban_rural": np.asarray(F.URBAN_RURAL, dtype=object)[est["urban"]],
            "latitude": np.round(est["lat"], 5),
            "longitude": np.round(est["lon"], 5),
        }
    )
    est_df.loc[central, "simd_quintile"] = pd.NA
    net_ids = np.asarray([f"NW{k + 1:04d}" for k in range(len(net["ws"]))], dtype=object)
    net_df = pd.DataFrame(
        {
            "network_id": net_ids,
            "name": net["name"],
            "workstream": np.asarray([w.name for w in F.WORKSTREAMS], dtype=object)[net["ws"]],
            "kind": np.asarray([w.kind for w in F.WORKSTREAMS], dtype=object)[net["ws"]],
            "lead_authority": auth_names[net["lead"]],
        }
    )
    prac_df = pd.DataFrame(
        {
            "practitioner_id": prac["id"],
            "establishment_id": est["id"][home],
            "level": np.asarray(F.LEVEL_NAMES, dtype=object)[prac["level"]],
            "role": prac["title"],
        }
    )
    m = rec["m"]
    ev = rec["event"]
    S = len(sessions)
    ev_ns = rec["ev_ns"]
    ev_k = np.arange(len(ev_ns)) - rec["ev_start"][ev_ns]
    ev_label = (
        pd.Series(net_ids[ev_ns // S]) + "-" + pd.Series(np.asarray(sessions, dtype=object)[ev_ns % S])
        + "-" + pd.Series(ev_k + 1).astype(str).str.zfill(2)
    ).to_numpy(dtype=object)  # fmt: skip
    part = pd.DataFrame(
        {
            "practitioner_id": _strings(prac["id"], pp[mp[m]]),
            "network_id": _strings(net_ids, mn[m]),
            "date": pd.to_datetime(rec["date"][ev]),
            "establishment_id": _strings(est["id"], at[mp[m]]),
            "role": _strings(rec["role"], m),
            "hours": rec["hours"][ev],
            "event_id": _strings(ev_label, ev),
            "mode": _strings(rec["mode"], ev),
        }
    )
    part = part.sort_values(
        ["date", "event_id", "practitioner_id"], kind="stable", ignore_index=True
    )
    return {
        "establishments": est_df,
        "practitioners": prac_df,
        "networks": net_df,
        "participation": part,
        "ties": ties,
    }
