"""The synthetic ecosystem generator behind :func:`wpnet.synthetic`.

Vectorised throughout: loops run over authorities, sectors, workstreams, sessions and
networks (thousands of iterations at most), never over establishments, practitioners or
records. One :class:`numpy.random.Generator` is consumed in a fixed order, so a seed fixes
the output for a given numpy version. Every number the steps use is a field of
:class:`Plan` (written to ``truth.json``) or of the workstreams in :mod:`wpnet._synthetic`.
The steps, in order:

1. establishments per authority in proportion to the councils' 2024 school counts, with
   nurseries (``Plan.sectors``: 360 nurseries beside the 701 schools, CALIBRATION.md);
   names from word lists (nursery classes share their primary's name and place); SIMD
   quintile (each council's 2024 quintile-1 share), urban/rural class, roll, coordinates;
   a heavy-tailed engagement weight (SIMD quintile 1 schools split into less and more
   engaged ones);
2. recruitment groups, the planted communities: each council, cut into ``areas`` when
   large (Glasgow City three, the Lanarkshires two each), except that small neighbours
   recruit together (``partner``: Renfrewshire with Inverclyde, East with West
   Dunbartonshire);
3. practitioners (the register): central officers in the central teams, at least one
   member of staff per school and nursery, one headteacher per school at most, the rest
   drawn by staff size x engagement; levels, subjects, job titles;
4. networks per workstream: ``within`` workstreams get networks per recruitment group
   (in proportion to the group's size), ``matched`` and ``open`` ones are partnership
   wide; which sessions each network runs in; its size in each session (mostly 6-15
   establishments; a few large professional learning programmes);
5. hubs, the planted brokers: ``Plan.hubs`` establishments (``Plan.hub_central``
   central teams, the rest "teaching schools") that recruit as core members
   (``Plan.hub_engagement``) of their own group and of ``Plan.hub_bridges`` groups of
   other councils (the nearest of those fewest hubs serve yet), and join
   ``Plan.hub_join`` of those groups' networks open to their sector every session;
6. which schools and nurseries take part each session: ``Plan.reach`` of them, rising by
   ``Plan.growth`` a session up to the planted change, lower in 2020-21 (``Plan.dip``);
   ``Plan.persist`` of last session's stay, secondaries more likely than primaries and
   nurseries (``Plan.sector_reach``);
7. member establishments of each network in each session: ``keep`` of last session's
   stay, the rest drawn from the taking-part establishments by sector affinity x
   engagement ** ``Plan.concentration``, from the network's recruitment group (all but
   ``Plan.leak`` of them; after the planted change ``Plan.change_leak`` for the changed
   workstream), across councils evenly (matched) or broadly (open; weight
   engagement ** ``Plan.programme_concentration``, large programmes
   ``Plan.large_concentration``); cohort programmes run one session
   each; every taking-part establishment joins at least one network of its group;
   central teams join ``Plan.central_join`` of their group's networks; hubs join
   ``Plan.hub_join`` of their groups' networks;
8. practitioners taking part each session (``Plan.practitioners`` of the register, same
   shape as reach): about ``Plan.returning`` of last session's return (a different rate
   each session), at least one per taking-part establishment, the rest new; each member
   establishment sends ``per_est`` practitioners to a network, ``leaders`` of them
   leaders (curricular networks their subject's teachers); every other practitioner
   taking part joins one of their establishment's networks (not a cohort programme,
   which takes only its places); practitioners and records vary by ``Plan.noise``;
9. moves: ``Plan.movers`` of the practitioners taking part in two or more sessions move
   school (mostly within their group) in a later one;
10. records: at least one per practitioner-network-session, exactly ``records`` in all
    (a session's share follows the same shape); each network-session's meetings get
    dates in term time, hours, a mode (online from lockdown in March 2020 through
    2020-21, part online after); volunteer leads;
11. a small directed advice-tie survey among a few hundred practitioners in one session.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from wpnet import _synthetic as F
from wpnet._genbase import (
    _DIP_SESSION,
    _LEAD_P,
    _LEVEL_ENGAGEMENT,
    _LOCKDOWN,
    _NC_LEVEL_SHARE,
    _ROLL,
    _STAFF_RATIO,
    CEN,
    CO,
    EY,
    HT,
    LEADERS,
    MATCHED,
    ML,
    OPEN,
    OTH,
    PRAC,
    PRI,
    SEC,
    SL,
    SPE,
    SUP,
    WITHIN,
    Plan,
    _apportion,
    _authorities,
    _choice,
    _hubs,
    _pick,
    _sample_rows,
    _strings,
)
from wpnet.sessions import session_bounds

__all__ = ["Plan", "generate"]

log = logging.getLogger(__name__)


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


def _establishments(rng, auths, n_est, plan: Plan):
    a_n = len(auths)
    per_auth = _apportion(n_est, np.array([a.weight for a in auths]))
    counts = np.stack([_apportion(int(n), np.asarray(plan.sectors)) for n in per_auth])  # A x 4
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
    est["act"] = np.concatenate([act, np.ones(a_n)])
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
    # at least one member of staff per school and nursery, when the register allows
    schools = np.flatnonzero(est["sector"] != CEN)
    base = schools if n_prac - n_co >= len(schools) else np.empty(0, np.int64)
    home_sc = np.concatenate(
        [base, rng.choice(n_est, size=n_prac - n_co - len(base), p=w / w.sum())]
    )
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
        "id": np.asarray([f"P{c}" for c in codes.tolist()], dtype=object), "code": codes,
        "home": home[perm], "level": level[perm], "subject": subject[perm],
        "title": titles[perm], "eng": eng[perm],
    }  # fmt: skip


# ---- recruitment groups ----------------------------------------------------------------
_COMPASS = (
    "East",
    "North East",
    "North",
    "North West",
    "West",
    "South West",
    "South",
    "South East",
)


def _groups(auths: list[F.Authority], est) -> dict[str, Any]:
    """The planted recruitment groups.

    A council recruits with its ``partner`` (two small neighbours form one group); a
    council with ``areas > 1`` is cut into that many areas of equal numbers of schools
    and nurseries, as slices of its map around its centre (named by compass direction).
    Central teams belong to their council's first group. Returns ``est`` (the group of
    every establishment), ``auths`` (the authorities of every group), ``names`` and
    ``size`` (establishments); groups in order of their authorities' size.
    """
    index = {a.name: i for i, a in enumerate(auths)}
    done = np.zeros(len(auths), bool)
    g_est = np.full(len(est["id"]), -1)
    members: list[list[int]] = []
    names: list[str] = []
    schools = est["sector"] != CEN
    for i in sorted(range(len(auths)), key=lambda k: -auths[k].weight):
        if done[i]:
            continue
        m = [i]
        j = index.get(auths[i].partner or "")
        if j is not None and not done[j]:
            m.append(j)
        done[m] = True
        mine = np.flatnonzero(schools & np.isin(est["auth"], m))
        k = max(1, int(auths[i].areas)) if len(m) == 1 else 1
        k = min(k, max(1, len(mine)))
        ang = np.arctan2(
            est["lat"][mine] - est["lat"][mine].mean(),
            (est["lon"][mine] - est["lon"][mine].mean()) * 0.56,  # ~cos(56 degrees)
        )
        part = np.empty(len(mine), np.int64)
        part[np.argsort(ang, kind="stable")] = np.arange(len(mine)) * k // max(len(mine), 1)
        label = " and ".join(auths[x].name for x in m)
        for a_k in range(k):
            g_est[mine[part == a_k]] = len(members)
            if k > 1:
                mean = np.arctan2(np.sin(ang[part == a_k]).sum(), np.cos(ang[part == a_k]).sum())
                name = f"{label} {_COMPASS[int(np.round(mean / (np.pi / 4))) % 8]}"
                names.append(name if name not in names else f"{name} {a_k + 1}")
            else:
                names.append(label)
            members.append(m)
        for x in m:
            g_est[(est["sector"] == CEN) & (est["auth"] == x)] = len(members) - k
    size = np.bincount(g_est, minlength=len(members))
    return {"est": g_est, "auths": members, "names": names, "size": size}


# ---- profiles over sessions ------------------------------------------------------------
def _change_at(n_sessions: int) -> int | None:
    """The session from which the planted change holds: the last two (or the last one)."""
    if n_sessions < 2:
        return None
    return n_sessions - 2 if n_sessions >= 3 else 1


def _profile(sessions: Sequence[str], plan: Plan) -> np.ndarray:
    """Relative level per session: growth up to the planted change, flat after, the dip."""
    steps = np.arange(len(sessions))
    at = _change_at(len(sessions))
    if at is not None:
        steps = np.minimum(steps, at)
    prof = plan.growth ** steps.astype(float)
    return np.where(np.asarray(sessions) == _DIP_SESSION, prof * plan.dip, prof)


# ---- networks --------------------------------------------------------------------------
def _networks(rng, auths, groups, n_net: int, sessions: Sequence[str], plan: Plan):
    streams = F.WORKSTREAMS
    members, g_names = groups["auths"], groups["names"]
    per_ws = _apportion(n_net, np.array([w.share for w in streams]))
    per_ws = np.maximum(per_ws, 1) if n_net >= len(streams) else per_ws
    while per_ws.sum() > n_net:  # the max(1) above may overshoot
        per_ws[np.argmax(per_ws)] -= 1
    auth_w = np.array([a.weight for a in auths], dtype=float)
    g_w = groups["size"].astype(float)
    rows = []
    for w_i, (ws, k) in enumerate(zip(streams, per_ws, strict=True)):
        topics = ws.topics
        if ws.recruit == "within":
            for g, kg in enumerate(_apportion(int(k), g_w)):
                m = members[g]
                for j in range(int(kg)):
                    t, rep = topics[j % len(topics)], j // len(topics)
                    name = f"{t[0]} ({g_names[g]})" + (f" {rep + 1}" if rep else "")
                    lead = m[int(rng.choice(len(m), p=auth_w[m] / auth_w[m].sum()))]
                    rows.append((w_i, name, lead, g, t[1], j % len(topics)))
            continue
        for j in range(int(k)):
            t, rep = topics[j % len(topics)], j // len(topics)
            lead = int(rng.choice(len(auths), p=auth_w / auth_w.sum()))
            name = t[0]
            if rep:
                name = (
                    f"{name} (cohort {rep + 1})" if ws.repeat == "cohort" else f"{name} ({rep + 1})"
                )
            rows.append((w_i, name, lead, -1, t[1], j % len(topics)))
    n = len(rows)
    S = len(sessions)
    ws_of = np.array([r[0] for r in rows], dtype=np.int64)
    born = np.where(rng.random(n) < 0.75, 0, rng.integers(0, S, n))
    alive = np.zeros((n, S), bool)
    for s in range(S):
        alive[:, s] = (born <= s) & ((s == born) | (rng.random(n) > 0.08))
        if s > 0:
            alive[:, s] &= (born == s) | alive[:, s - 1]
    alive[np.flatnonzero(~alive.any(axis=1)), S - 1] = True
    # cohort programmes run for one session each, spread evenly over the sessions
    cohort = np.flatnonzero(np.array([streams[w].repeat == "cohort" for w in ws_of], bool))
    alive[cohort] = False
    alive[cohort, (np.arange(len(cohort)) + int(rng.integers(0, S))) % S] = True
    lo = np.array([streams[w].size[0] for w in ws_of])
    hi = np.array([streams[w].size[1] for w in ws_of])
    size = rng.integers(lo[:, None], hi[:, None] + 1, size=(n, S))
    large = rng.random(n) < np.array([streams[w].large for w in ws_of])
    if large.any():
        llo = np.array([streams[w].large_size[0] for w in ws_of[large]])
        lhi = np.array([streams[w].large_size[1] for w in ws_of[large]])
        size[large] = rng.integers(llo[:, None], lhi[:, None] + 1, size=(int(large.sum()), S))
    recruit = {"within": WITHIN, "matched": MATCHED, "open": OPEN}
    return {
        "ws": ws_of,
        "name": np.array([r[1] for r in rows], dtype=object),
        "lead": np.array([r[2] for r in rows], dtype=np.int64),
        "group": np.array([r[3] for r in rows], dtype=np.int64),
        "sector_aff": np.array([r[4] for r in rows], dtype=float).reshape(n, 5),
        "topic": np.array([r[5] for r in rows], dtype=np.int64),
        "recruit": np.array([recruit[streams[w].recruit] for w in ws_of], dtype=np.int64),
        "keep": np.array([streams[w].keep for w in ws_of]),
        "per_est": np.array([streams[w].per_est for w in ws_of]),
        "leaders": np.array([streams[w].leaders for w in ws_of]),
        "curricular": np.array([streams[w].kind == "curricular" for w in ws_of], dtype=bool),
        "change": np.array([streams[w].name == plan.change_workstream for w in ws_of], bool),
        "cohort": np.array([streams[w].repeat == "cohort" for w in ws_of], bool),
        "alive": alive,
        "size": size,
        "large": large,
    }


# ---- who takes part when ---------------------------------------------------------------
def _reached(rng, est, sessions, targets: np.ndarray, hubs, plan: Plan) -> np.ndarray:
    """Establishments x sessions: which schools and nurseries take part (central teams and
    hubs always)."""
    S = len(sessions)
    schools = np.flatnonzero(est["sector"] != CEN)
    w = est["act"][schools] * np.asarray(plan.sector_reach)[est["sector"][schools]]
    active = np.zeros((len(est["id"]), S), bool)
    prev = np.empty(0, np.int64)
    for s in range(S):
        k = int(round(targets[s] * len(schools)))
        keep = prev[_pick(rng, w[prev], min(round(plan.persist * len(prev)), k))]
        rest = w.copy()
        rest[keep] = 0.0
        chosen = np.concatenate([keep, _pick(rng, rest, k - len(keep))])
        active[schools[chosen], s] = True
        prev = chosen
    active[est["sector"] == CEN, :] = True
    active[hubs, :] = True
    return active


def _matched(w: np.ndarray, a_a: np.ndarray, n_auth: int) -> np.ndarray:
    """Weights rescaled so that every authority has the same total (matched recruitment)."""
    tot = np.bincount(a_a, weights=w, minlength=n_auth)
    return np.where(tot[a_a] > 0, w / np.where(tot[a_a] > 0, tot[a_a], 1.0), 0.0)


def _est_memberships(rng, est, groups, net, active, hubs, bridges, sessions, plan: Plan):
    """(establishment, network, session) memberships, see module step 7."""
    n_auth = int(est["auth"].max()) + 1
    S, n_net = len(sessions), len(net["ws"])
    g_est = groups["est"]
    sector = est["sector"]
    w_est = est["act"] ** plan.concentration
    w_prog = est["act"] ** plan.programme_concentration
    w_large = est["act"] ** plan.large_concentration
    central = sector == CEN
    at = _change_at(S)
    out_e, out_n, out_s = [], [], []
    prev_members: list[np.ndarray | None] = [None] * n_net
    hub_set = np.zeros(len(sector), bool)
    hub_set[hubs] = True
    # a hub recruits as one of the most engaged members of every group it bridges
    n_groups = len(groups["names"])
    bridge = np.zeros((len(sector), n_groups), bool)
    bridge[np.flatnonzero(g_est >= 0), g_est[g_est >= 0]] = True
    for h, gs in zip(hubs.tolist(), bridges, strict=True):
        bridge[h, gs] = True
    w_est = w_est.copy()
    w_est[hubs] = np.quantile(w_est[~central], plan.hub_engagement) if (~central).any() else 1.0
    for s in range(S):
        A = np.flatnonzero(active[:, s] & (~central | hub_set))
        pos = np.full(len(sector), -1)
        pos[A] = np.arange(len(A))
        g_a, a_a, sec_a = g_est[A], est["auth"][A], sector[A]
        w_a, wp_a, wl_a = w_est[A], w_prog[A], w_large[A]
        covered = np.zeros(len(A), bool)
        alive = np.flatnonzero(net["alive"][:, s])
        for n in alive:
            leak = (
                plan.change_leak if net["change"][n] and at is not None and s >= at else plan.leak
            )
            w_n = w_a if net["recruit"][n] == WITHIN else wl_a if net["large"][n] else wp_a
            w = net["sector_aff"][n, sec_a] * w_n
            if net["recruit"][n] == MATCHED:
                w = _matched(w, a_a, n_auth)
            kept = np.empty(0, np.int64)
            pm = prev_members[n]
            if pm is not None and len(pm):
                p = pos[pm]
                p = p[(p >= 0) & (w[p] > 0)] if len(p) else p
                # the changed workstream recruits afresh when the change comes
                keep = 0.0 if net["change"][n] and s == at else net["keep"][n]
                kept = p[rng.random(len(p)) < keep]
            w[kept] = 0.0
            need = int(net["size"][n, s]) - len(kept)
            if net["recruit"][n] == WITHIN and need > 0:
                # the group's establishments, and a ``leak`` share from outside it
                inside = bridge[A, net["group"][n]]
                out = int(rng.binomial(need, leak))
                new = np.concatenate(
                    [_pick(rng, w * inside, need - out), _pick(rng, w * ~inside, out)]
                )
            else:
                new = _pick(rng, w, need)
            mem = np.concatenate([kept, new])
            covered[mem] = True
            prev_members[n] = A[mem]
            out_e.append(A[mem])
            out_n.append(np.full(len(mem), n))
        # every taking-part establishment joins at least one network of its sector:
        # a network of its group, or a partnership-wide programme where it has none
        left = np.flatnonzero(~covered & ~hub_set[A])
        if len(left) and len(alive):
            types, inv = np.unique(g_a[left] * 5 + sec_a[left], return_inverse=True)
            t_g, t_sec = types // 5, types % 5
            W = net["sector_aff"][alive][:, t_sec].T  # types x alive networks
            # a local network of its group; a partnership-wide one where there is none
            inside = (net["recruit"][alive][None, :] == WITHIN) & (
                net["group"][alive][None, :] == t_g[:, None]
            )
            wide = (net["recruit"][alive] == OPEN)[None, :] & ~inside.any(axis=1)[:, None]
            W = W * (inside | wide) * np.sqrt(net["size"][alive, s])[None, :]
            ok = W.sum(axis=1) > 0
            rows = np.flatnonzero(ok[inv])
            if len(rows):
                pick = _sample_rows(rng, W[ok], (np.cumsum(ok) - 1)[inv[rows]])
                out_e.append(A[left[rows]])
                out_n.append(alive[pick])
        # central teams join some of their own group's networks
        within = alive[net["recruit"][alive] == WITHIN]
        for c in np.flatnonzero(central & ~hub_set).tolist():
            ok = net["group"][within] == g_est[c]
            join = within[ok & (rng.random(len(within)) < plan.central_join)]
            out_e.append(np.full(len(join), c))
            out_n.append(join)
        # hubs join ``hub_join`` of the networks of every group they bridge, every session
        # (a teaching school only those open to its sector)
        for h, gs in zip(hubs.tolist(), bridges, strict=True):
            ok = np.isin(net["group"][within], gs)
            ok &= net["sector_aff"][within, sector[h]] > 0
            join = within[ok & (rng.random(len(within)) < plan.hub_join)]
            out_e.append(np.full(len(join), h))
            out_n.append(join)
        out_s.append(np.full(sum(len(x) for x in out_e) - sum(len(x) for x in out_s), s))
    e, n, s = (np.concatenate(x).astype(np.int64) for x in (out_e, out_n, out_s))
    key = np.unique((s * n_net + n) * len(sector) + e)
    e = key % len(sector)
    n = (key // len(sector)) % n_net
    s = key // (len(sector) * n_net)
    return e, n, s


def _ranges(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row of each element and the flat positions ``start[i] + 0..count[i]-1``."""
    row = np.repeat(np.arange(len(count)), count)
    first = np.cumsum(count) - count
    return row, np.repeat(start, count) + np.arange(int(count.sum())) - np.repeat(first, count)


def _top_k(rng, group: np.ndarray, weight: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Positions of the ``k[g]`` items of each ``group`` g drawn without replacement with
    probability proportional to ``weight`` (Efraimidis & Spirakis keys)."""
    keys = np.full(len(weight), -np.inf)
    pos = weight > 0
    keys[pos] = np.log(rng.random(int(pos.sum()))) / weight[pos]
    order = np.lexsort((-keys, group))
    g = group[order]
    first = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(len(g)) - np.repeat(first, np.diff(np.r_[first, len(g)]))
    sel = order[(rank < k[g]) & np.isfinite(keys[order])]
    return np.sort(sel)


def _people(rng, est, prac, net, em, sessions, targets, rho, plan: Plan):
    """(practitioner, network, session) memberships, see module step 8."""
    em_e, em_n, em_s = em
    home, eng, level = prac["home"], prac["eng"], prac["level"]
    n_est, n_prac, S = len(est["id"]), len(home), len(sessions)
    leader = np.isin(level, LEADERS)
    staff = np.argsort(home, kind="stable")
    staff_start = np.searchsorted(home[staff], np.arange(n_est + 1))
    prev = np.empty(0, np.int64)
    out_p, out_n, out_s = [], [], []
    for s in range(S):
        rows = np.flatnonzero(em_s == s)
        E = np.unique(em_e[rows])
        _, cand = _ranges(staff_start[E], np.diff(staff_start)[E])
        cand = staff[cand]
        P = min(int(targets[s]), len(cand))
        chosen = np.zeros(n_prac, bool)
        in_prev = np.zeros(n_prac, bool)
        in_prev[prev] = True
        if len(prev):
            elig = prev[np.isin(home[prev], E)]
            k = min(int(round(rho[s] * len(prev))), len(elig), P)
            chosen[elig[_pick(rng, eng[elig], k)]] = True
        has = np.zeros(n_est, bool)
        has[home[chosen]] = True
        need = E[~has[E]]
        if len(need):
            r, c = _ranges(staff_start[need], np.diff(staff_start)[need])
            chosen[staff[c][_top_k(rng, r, eng[staff[c]], np.ones(len(need), np.int64))]] = True
        rest = cand[~chosen[cand] & ~in_prev[cand]]
        chosen[rest[_pick(rng, eng[rest], P - int(chosen.sum()))]] = True
        act = np.flatnonzero(chosen)
        # places: each member establishment sends per_est practitioners, leaders' share
        act = act[np.argsort(home[act], kind="stable")]
        a_start = np.searchsorted(home[act], np.arange(n_est + 1))
        e, n = em_e[rows], em_n[rows]
        r, c = _ranges(a_start[e], np.diff(a_start)[e])
        p = act[c]
        n_lead = np.bincount(home[act], weights=leader[act], minlength=n_est)
        n_all = np.diff(a_start)
        L = net["leaders"][n[r]]
        share = np.where(
            leader[p], L / np.maximum(n_lead[home[p]], 1),
            (1 - L) / np.maximum(n_all[home[p]] - n_lead[home[p]], 1),
        )  # fmt: skip
        subject = net["curricular"][n[r]] & (prac["subject"][p] != net["topic"][n[r]])
        w = share * np.sqrt(eng[p]) * np.where(subject, 0.05, 1.0)
        k = 1 + rng.poisson(np.maximum(net["per_est"][n] - 1.0, 0.0))
        sel = _top_k(rng, r, w, k)
        pm_p, pm_n = p[sel], n[r[sel]]
        # everyone taking part is in at least one of their establishment's networks
        free = act[~np.isin(act, pm_p)]
        if len(free):
            order = np.argsort(e, kind="stable")
            e_start = np.searchsorted(e[order], np.arange(n_est + 1))
            fr, fc = _ranges(e_start[home[free]], np.diff(e_start)[home[free]])
            fp, fn = free[fr], n[order[fc]]
            L = net["leaders"][fn]
            # cohort programmes take the places they offer; the others take everyone else
            fw = np.where(leader[fp], L, 1 - L) ** 3 * np.where(net["cohort"][fn], 1e-3, 1.0)
            fw += 1e-9
            fw *= np.where(
                net["curricular"][fn] & (prac["subject"][fp] != net["topic"][fn]), 0.05, 1
            )
            one = _top_k(rng, fr, fw, np.ones(len(free), np.int64))
            pm_p, pm_n = np.concatenate([pm_p, fp[one]]), np.concatenate([pm_n, fn[one]])
        out_p.append(pm_p)
        out_n.append(pm_n)
        out_s.append(np.full(len(pm_p), s))
        prev = act
    return tuple(np.concatenate(x).astype(np.int64) for x in (out_p, out_n, out_s))


def _moves(rng, est, groups, prac, pm_p, pm_s, active, plan: Plan):
    """Some practitioners taking part in two or more sessions move school in a later one,
    to a school of their sector taking part in that session (mostly in their group).

    Returns the establishment of every membership and each practitioner's home (latest)
    establishment."""
    home = prac["home"].copy()
    at = home[pm_p].copy()
    n = len(home)
    first_s = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_s, pm_p, pm_s)
    last_s = np.full(n, -1)
    np.maximum.at(last_s, pm_p, pm_s)
    cand = np.flatnonzero((last_s > first_s) & (est["sector"][home] != CEN))
    movers = cand[rng.random(len(cand)) < plan.movers]
    if not len(movers):
        return at, home
    move_s = (
        first_s[movers] + 1 + (rng.random(len(movers)) * (last_s - first_s)[movers]).astype(int)
    )
    g_est = groups["est"]
    old = home[movers]
    new = old.copy()
    same = rng.random(len(movers)) < plan.movers_within
    key = (g_est[old] * 5 + est["sector"][old]) * len(active[0]) + move_s
    for k in np.unique(key).tolist():
        gs, s = divmod(k, len(active[0]))
        g, sec = divmod(gs, 5)
        here = (est["sector"] == sec) & active[:, s]
        for mask, pool in (
            ((key == k) & same, np.flatnonzero(here & (g_est == g))),
            ((key == k) & ~same, np.flatnonzero(here)),
        ):
            m = np.flatnonzero(mask)
            if len(m) and len(pool) > 1:
                new[m] = pool[rng.integers(0, len(pool), len(m))]
    move_of = np.full(n, -1)
    move_of[movers] = np.arange(len(movers))
    k = move_of[pm_p]
    after = (k >= 0) & (pm_s >= np.where(k >= 0, move_s[np.maximum(k, 0)], 0))
    at[after] = new[k[after]]
    home[movers] = new
    return at, home


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


def _attendance(rng, prac, pm_p, pm_s, level: np.ndarray, n_records: int) -> np.ndarray:
    """Records per membership: at least one each, ``n_records`` in all, each session's
    total following ``level`` as closely as the memberships allow."""
    S, M = len(level), len(pm_p)
    target = _apportion(n_records, level)
    spare = np.maximum(target - np.bincount(pm_s, minlength=S), 0).astype(float)
    alloc = _apportion(n_records - M, spare if spare.sum() > 0 else np.ones(S))
    c = np.ones(M, np.int64)
    w = prac["eng"][pm_p] ** 0.5
    for s in range(S):
        k = np.flatnonzero(pm_s == s)
        if len(k) and alloc[s]:
            c[k] += rng.multinomial(int(alloc[s]), w[k] / w[k].sum())
        elif alloc[s]:  # no membership this session: give its records to the others
            c += rng.multinomial(int(alloc[s]), w / w.sum())
    return c


def _records(rng, prac, net, sessions, pm_p, pm_n, pm_s, c: np.ndarray):
    streams = F.WORKSTREAMS
    M, n_net, S = len(pm_p), len(net["ws"]), len(sessions)
    ns = pm_n * S + pm_s  # network-session of each membership
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
    large = np.array([w.kind == "programme" and w.recruit == "open" for w in streams])
    p_lead = _LEAD_P[prac["level"][pm_p]] * np.where(large[net["ws"][pm_n]], 0.3, 1.0)
    lead = rng.random(M) < p_lead
    role = np.where(
        lead, _choice(rng, ("lead", "facilitator", "presenter"), (0.5, 0.3, 0.2), M), "participant"
    )
    return {"m": rec_m, "event": ev, "date": ev_date, "hours": hours, "mode": mode, "role": role,
            "ev_ns": ev_ns, "ev_start": ev_start}  # fmt: skip


def _ties(rng, prac, pm_p, pm_n, pm_s, sessions, n_resp: int = 300):
    """A directed advice-tie survey in one session among co-members of networks."""
    S = len(sessions)
    s = min(3, S - 1)
    in_s = np.flatnonzero(pm_s == s)
    if len(in_s) < 2:
        return None
    people = np.unique(pm_p[in_s])
    resp = people[_pick(rng, prac["eng"][people], min(n_resp, len(people) // 3 or 1))]
    order = in_s[np.argsort(pm_n[in_s], kind="stable")]
    net_sorted = pm_n[order]
    lo = np.searchsorted(net_sorted, pm_n[order], side="left")
    hi = np.searchsorted(net_sorted, pm_n[order], side="right")
    is_resp = np.isin(pm_p[order], resp)
    src_rows = np.flatnonzero(is_resp)
    src_rows = np.repeat(src_rows, 2)  # up to two nominations per network
    tgt = lo[src_rows] + (rng.random(len(src_rows)) * (hi - lo)[src_rows]).astype(int)
    source, target = pm_p[order[src_rows]], pm_p[order[tgt]]
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
    plan: Plan | None = None,
) -> tuple[dict[str, pd.DataFrame | None], dict[str, Any]]:
    """The five tables of a synthetic ecosystem and its planted truth (module docstring).

    Returns a dict of DataFrames keyed by table name, ready for
    :class:`wpnet.ecosystem.Ecosystem`, and the truth (see :func:`wpnet.synthetic`).
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
    plan = plan or Plan()
    rng = np.random.default_rng(seed)
    S = len(sessions)
    auths = _authorities(authorities, rng)
    log.info("establishments")
    est = _establishments(rng, auths, int(establishments), plan)
    groups = _groups(auths, est)
    prac = _practitioners(rng, auths, est, int(practitioners))
    log.info("networks")
    net = _networks(rng, auths, groups, int(networks), sessions, plan)
    hubs, bridges = _hubs(rng, est, groups, plan)
    prof = _profile(sessions, plan)
    reach = np.minimum(plan.reach * prof, 0.6)
    active = _reached(rng, est, sessions, reach, hubs, plan)
    em = _est_memberships(rng, est, groups, net, active, hubs, bridges, sessions, plan)
    log.info("practitioners and records")
    # practitioners and records follow the same profile, with a little chance variation
    level = prof * np.exp(plan.noise * rng.standard_normal(S))
    targets = np.round(plan.practitioners * int(practitioners) * level).astype(np.int64)
    targets = np.maximum(np.minimum(targets, _apportion(int(records), level)), 1)
    rho = plan.returning * np.where(np.asarray(sessions) == _DIP_SESSION, plan.returning_dip, 1.0)
    rho = np.clip(rho + plan.returning_sd * rng.standard_normal(S), 0.18, 0.40)
    pm_p, pm_n, pm_s = _people(rng, est, prac, net, em, sessions, targets, rho, plan)
    if len(pm_p) > int(records):  # fewer records than memberships: keep a sample
        keep = np.sort(rng.choice(len(pm_p), int(records), replace=False))
        pm_p, pm_n, pm_s = pm_p[keep], pm_n[keep], pm_s[keep]
    at, home = _moves(rng, est, groups, prac, pm_p, pm_s, active, plan)
    c = _attendance(rng, prac, pm_p, pm_s, level, int(records))
    rec = _records(rng, prac, net, sessions, pm_p, pm_n, pm_s, c)
    ties = _ties(rng, prac, pm_p, pm_n, pm_s, sessions, plan.survey)

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
    ev_ns = rec["ev_ns"]
    ev_k = np.arange(len(ev_ns)) - rec["ev_start"][ev_ns]
    ev_label = (
        pd.Series(net_ids[ev_ns // S]) + "-" + pd.Series(np.asarray(sessions, dtype=object)[ev_ns % S])
        + "-" + pd.Series(ev_k + 1).astype(str).str.zfill(2)
    ).to_numpy(dtype=object)  # fmt: skip
    # rows in (date, event_id, practitioner_id) order: event ids sort as the events
    # (network, session, number) and ids as their codes (same length), so the order is
    # computed on integers before any string is built
    n_ev = len(rec["date"])
    ev_rank = np.empty(n_ev, np.int64)
    ev_rank[np.lexsort((np.arange(n_ev), rec["date"].astype(np.int64)))] = np.arange(n_ev)
    code_rank = np.empty(len(prac["code"]), np.int64)
    code_rank[np.argsort(prac["code"], kind="stable")] = np.arange(len(prac["code"]))
    order = np.argsort(ev_rank[ev] * len(code_rank) + code_rank[pm_p[m]], kind="stable")
    m, ev = m[order], ev[order]
    date = rec["date"][ev]
    part = pd.DataFrame(
        {
            "practitioner_id": _strings(prac["id"], pm_p[m]),
            "network_id": _strings(net_ids, pm_n[m]),
            "date": pd.to_datetime(date),
            "establishment_id": _strings(est["id"], at[m]),
            "role": _strings(rec["role"], m),
            "hours": rec["hours"][ev],
            "event_id": _strings(ev_label, ev),
            "mode": _strings(rec["mode"], ev),
        }
    )
    tables = {
        "establishments": est_df,
        "practitioners": prac_df,
        "networks": net_df,
        "participation": part,
        "ties": ties,
    }
    truth = _truth(
        est,
        list(auth_names),
        groups,
        net,
        net_ids,
        hubs,
        bridges,
        sessions,
        reach,
        targets,
        rho,
        plan,
    )
    return tables, truth


def _truth(
    est, auth_names, groups, net, net_ids, hubs, bridges, sessions, reach, targets, rho, plan
):
    """The planted structure, in JSON-ready Python types (see :func:`wpnet.synthetic`)."""
    members, g_names = groups["auths"], groups["names"]
    g_est = groups["est"]
    ids = [str(x) for x in est["id"].tolist()]
    within = net["recruit"] == WITHIN
    at = _change_at(len(sessions))
    changed = net["change"] & within
    steady = within & ~changed if at is not None else within
    change = None
    if at is not None and changed.any():
        change = {
            "indicator": "cross_authority_share",
            "measure": "share of the changed networks' establishment ties (and members) "
            "that join two authorities; E-I index over authority rises with it",
            "workstream": plan.change_workstream,
            "networks": [str(x) for x in net_ids[changed]],
            "sessions": [sessions[at - 1], sessions[at]],
            "before": list(sessions[:at]),
            "after": list(sessions[at:]),
            "direction": "up",
            "leak_before": plan.leak,
            "leak_after": plan.change_leak,
        }
    null = [
        [sessions[s - 1], sessions[s]]
        for s in range(1, len(sessions))
        if at is not None and s - 1 >= at and _DIP_SESSION not in (sessions[s - 1], sessions[s])
    ]
    return {
        "groups": {g_names[g]: [auth_names[a] for a in m] for g, m in enumerate(members)},
        "communities": dict(zip(ids, [g_names[g] for g in g_est.tolist()], strict=True)),
        "brokers": [ids[h] for h in hubs.tolist()],
        "broker_groups": {ids[h]: [g_names[g] for g in gs] for h, gs in zip(hubs.tolist(), bridges, strict=True)},
        "within_authority_networks": [str(x) for x in net_ids[steady]],
        "cross_authority_networks": [str(x) for x in net_ids[~within]],
        "network_groups": {
            str(net_ids[k]): g_names[int(net["group"][k])] for k in np.flatnonzero(within).tolist()
        },
        "large_networks": [str(x) for x in net_ids[net["large"]]],
        "planted_change": change,
        "null_sessions": null,
        "targets": {
            "reach": dict(zip(sessions, np.round(reach, 4).tolist(), strict=True)),
            "practitioners": dict(zip(sessions, targets.tolist(), strict=True)),
            "returning": dict(zip(sessions[1:], np.round(rho[1:], 4).tolist(), strict=True)),
        },
        "parameters": {
            **{k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(plan).items()},
            "workstreams": [
                {
                    "name": w.name, "recruit": w.recruit, "size": list(w.size),
                    "large": w.large, "large_size": list(w.large_size), "keep": w.keep,
                    "per_est": w.per_est, "leaders": w.leaders, "events": w.events,
                }
                for w in F.WORKSTREAMS
            ],
        },
    }  # fmt: skip
