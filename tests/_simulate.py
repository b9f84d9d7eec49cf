"""A small partnership drawn from a known process, session by session (for the tests of
the network bootstrap, volume matching and the evaluation themes).

The process treats networks as the units a session is made of, as the network bootstrap
does (INFERENCE.md §5). ``authorities`` authorities of ``per_authority`` schools each
(SIMD quintiles 1-5 in turn, so every authority has every quintile); ``networks``
networks a session, led by the authorities in turn. In a session, network k draws a
cross-authority propensity ``x_k ~ Beta`` with mean ``cross`` and a lead propensity
``l_k ~ Beta`` with mean ``lead`` (both with concentration 10), and
``1 + Poisson(size − 1)`` members. A member is, with probability ``overlap``, a
practitioner already in one of the session's earlier networks; otherwise a new
practitioner whose home authority is, with probability ``x_k``, another authority
(uniform) and else the network's own, home school uniform within it, level uniform
among the first four levels. Each record is a ``lead`` with probability ``l_k``.
Sessions with the same parameters come from one process.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wpnet.ecosystem import Ecosystem
from wpnet.schema import LEVELS

__all__ = ["simulate"]

_YEARS = ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]


def simulate(
    sessions: list[dict],
    *,
    seed: int = 0,
    authorities: int = 4,
    per_authority: int = 15,
    networks: int = 30,
) -> Ecosystem:
    """An Ecosystem with one session per entry of ``sessions``: dicts with optional
    ``size`` (mean members of a network, default 12), ``cross`` (0.25), ``lead``
    (0.1), ``overlap`` (0.15) and ``networks`` (default ``networks``)."""
    rng = np.random.default_rng(seed)
    auth_names = [f"Authority {chr(65 + a)}" for a in range(authorities)]
    ids = [f"E{a}_{i}" for a in range(authorities) for i in range(per_authority)]
    est = pd.DataFrame(
        {
            "establishment_id": ids,
            "name": [f"School {x}" for x in ids],
            "authority": [auth_names[a] for a in range(authorities) for _ in range(per_authority)],
            "sector": "primary",
            "simd_quintile": [i % 5 + 1 for _ in range(authorities) for i in range(per_authority)],
        }
    )
    most = max(int(spec.get("networks", networks)) for spec in sessions)
    nets = pd.DataFrame(
        {
            "network_id": [f"N{k}" for k in range(most)],
            "name": [f"Network {k}" for k in range(most)],
            "workstream": "ws",
            "lead_authority": [auth_names[k % authorities] for k in range(most)],
        }
    )
    pracs, recs = [], []
    pid = 0
    for s, spec in enumerate(sessions):
        size = float(spec.get("size", 12))
        cross = float(spec.get("cross", 0.25))
        lead = float(spec.get("lead", 0.1))
        overlap = float(spec.get("overlap", 0.15))
        date = pd.Timestamp(f"{_YEARS[s][:4]}-11-15")
        pool: list[str] = []
        for k in range(int(spec.get("networks", networks))):
            a_k = k % authorities
            x_k = rng.beta(10 * cross, 10 * (1 - cross))
            l_k = rng.beta(10 * lead, 10 * (1 - lead))
            members: set[str] = set()
            for _ in range(1 + int(rng.poisson(size - 1))):
                if pool and rng.random() < overlap:
                    members.add(pool[int(rng.integers(len(pool)))])
                    continue
                a = a_k
                if rng.random() < x_k:
                    a = int(rng.choice([b for b in range(authorities) if b != a_k]))
                home = ids[a * per_authority + int(rng.integers(per_authority))]
                p = f"P{pid}"
                pid += 1
                pracs.append((p, home, LEVELS[int(rng.integers(4))]))
                members.add(p)
            for p in sorted(members):
                recs.append((p, f"N{k}", date, "lead" if rng.random() < l_k else "participant"))
            pool.extend(sorted(members - set(pool)))
    prac = pd.DataFrame(pracs, columns=["practitioner_id", "establishment_id", "level"])
    part = pd.DataFrame(recs, columns=["practitioner_id", "network_id", "date", "role"])
    return Ecosystem(est, prac, nets, part)
