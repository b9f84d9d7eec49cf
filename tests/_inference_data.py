"""Small Ecosystems built from an incidence matrix, for the inference tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wpnet.ecosystem import Ecosystem

SESSION_DATES = {"2022-23": "2022-10-03", "2023-24": "2023-10-02"}


def establishments(
    n: int,
    authorities: Sequence[str] | None = None,
    simd: Sequence[float] | None = None,
    sectors: Sequence[str] | None = None,
    coords: np.ndarray | None = None,
) -> pd.DataFrame:
    ids = [f"S{i:03d}" for i in range(n)]
    return pd.DataFrame(
        {
            "establishment_id": ids,
            "name": [f"School {i}" for i in range(n)],
            "authority": list(authorities) if authorities is not None else ["A"] * n,
            "sector": list(sectors) if sectors is not None else ["primary"] * n,
            "simd_quintile": list(simd) if simd is not None else [3] * n,
            "latitude": coords[:, 0] if coords is not None else [55.8] * n,
            "longitude": coords[:, 1] if coords is not None else [-4.2] * n,
        }
    )


def ecosystem(
    sessions: dict[str, np.ndarray],
    est: pd.DataFrame,
) -> Ecosystem:
    """One practitioner per establishment; a record for every 1 of each session's
    establishment x network matrix (networks are shared across sessions by column)."""
    n = len(est)
    m = max(b.shape[1] for b in sessions.values())
    ids = est["establishment_id"].tolist()
    practitioners = pd.DataFrame(
        {
            "practitioner_id": [f"P{i:03d}" for i in range(n)],
            "establishment_id": ids,
            "level": ["practitioner"] * n,
            "role": ["Class Teacher"] * n,
        }
    )
    networks = pd.DataFrame(
        {
            "network_id": [f"N{k:03d}" for k in range(m)],
            "name": [f"Network {k}" for k in range(m)],
            "workstream": ["Collaborative learning networks"] * m,
            "kind": ["enquiry"] * m,
            "lead_authority": [est["authority"].iloc[0]] * m,
        }
    )
    rows = []
    for session, b in sessions.items():
        r, c = np.nonzero(np.asarray(b))
        for i, k in zip(r.tolist(), c.tolist(), strict=True):
            rows.append((f"P{i:03d}", f"N{k:03d}", SESSION_DATES[session], None, "participant"))
    part = pd.DataFrame(
        rows, columns=["practitioner_id", "network_id", "date", "establishment_id", "role"]
    )
    part["date"] = pd.to_datetime(part["date"])
    return Ecosystem(est, practitioners, networks, part)


def pairs_incidence(n: int, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """An incidence whose projection has exactly ``pairs`` as ties: one two-member
    network per pair, and one single-member network per node (so every node is
    reached, isolated or not)."""
    b = np.zeros((n, len(pairs) + n), dtype=np.int64)
    for k, (i, j) in enumerate(pairs):
        b[i, k] = b[j, k] = 1
    b[np.arange(n), len(pairs) + np.arange(n)] = 1
    return b


def planted_blocks(
    rng: np.random.Generator,
    blocks: int = 3,
    rows: int = 10,
    cols: int = 25,
    inside: float = 0.8,
    outside: float = 0.2,
) -> np.ndarray:
    """Rows and columns in ``blocks`` blocks; membership probability ``inside`` within
    a block and ``outside`` across."""
    rb = np.repeat(np.arange(blocks), rows)
    cb = np.repeat(np.arange(blocks), cols)
    prob = np.where(rb[:, None] == cb[None, :], inside, outside)
    return (rng.random(prob.shape) < prob).astype(np.int64)
