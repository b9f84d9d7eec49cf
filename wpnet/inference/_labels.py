"""Expected values of the composition indicators under the labels null (INFERENCE.md §7).

The authority labels are permuted across the observed graph's establishments (graph and
communities fixed), :data:`~wpnet.inference._indicators.LABEL_PERMUTATIONS` times, and
each composition indicator is averaged over the permutations. An internal helper module
of :mod:`wpnet.evaluation`.
"""

from __future__ import annotations

import numpy as np

from wpnet.inference._indicators import (
    COMPOSITION,
    LABEL_PERMUTATIONS,
    SessionData,
    _kept_ties,
    _nanmean,
    _ratio,
)

__all__ = ["label_expected"]


def label_expected(
    sd: SessionData,
    seed: int,
    permutations: int = LABEL_PERMUTATIONS,
    *,
    which: set[str] | frozenset[str] | None = None,
) -> np.ndarray:
    """Mean of the composition indicators when the authority labels are permuted across
    the observed graph's nodes (graph and communities fixed); NaN elsewhere.

    ``which``: the indicators wanted (default every one of :data:`COMPOSITION`); the
    others stay NaN. The permutations are drawn the same whatever is asked for, so a
    value does not depend on which others are computed (the spanning share's Leiden
    run is the costly one).

    For permutation s, ``t[s, x, y]`` counts the ties whose ends (i, j) carry labels x
    and y (:func:`_label_pairs`). Over known labels: cross share = Σ_{x≠y} t / Σ t;
    for authority a, touching = Σ_y t[a, y] + Σ_{x≠a} t[x, a] and outside =
    Σ_{y≠a} t[a, y] + Σ_{x≠a} t[x, a] (the ties of a's establishments, and those that
    leave a); each expected value is the mean over s of the ratio (NaN ratios left
    out).
    """
    lay = sd.layout
    pos = lay.index()
    out = np.full(len(lay.keys), np.nan)
    want = set(COMPOSITION) if which is None else set(which) & set(COMPOSITION)
    if not want:
        return out
    c = np.ones(sd.n_k, dtype=np.int64)
    present = np.ones(len(sd.rec_k), dtype=bool)
    active, i, j, w = _kept_ties(sd, c, None, present)
    auth = sd.e_auth[active]
    if auth.size == 0:
        return out
    rng = np.random.default_rng(seed)
    pa = rng.permuted(np.tile(auth, (permutations, 1)), axis=1)  # (S, n) permuted labels
    if i.size and want & {"cross_authority_share", "authority_cross_share"}:
        n_auth = len(lay.authorities)
        t = _label_pairs(pa, i, j, n_auth)
        known = t[:, :n_auth, :n_auth]
        n_known = known.sum(axis=(1, 2))
        same = np.trace(known, axis1=1, axis2=2)
        if "cross_authority_share" in want:
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(n_known > 0, (n_known - same) / n_known, np.nan)
            # NaN (no warning) when no permutation has a tie between known authorities
            out[pos[("cross_authority_share", "partnership", "")]] = _nanmean(ratio)
        if "authority_cross_share" in want:
            diag = np.diagonal(known, axis1=1, axis2=2)  # (S, a): ties inside a
            out_i = known.sum(axis=2) - diag  # cross ties whose end i is in a
            out_j = known.sum(axis=1) - diag  # cross ties whose end j is in a
            share = _ratio(out_i + out_j, known.sum(axis=2) + out_j)
            mean = _nanmean(share)
            for k, a in enumerate(lay.authorities):
                out[pos[("authority_cross_share", a, "")]] = mean[k]
    if "spanning_communities_share" in want:
        value = _spanning_expected(sd, pa, i, j, w)
        if value is not None:
            out[pos[("spanning_communities_share", "partnership", "")]] = value
    return out


def _label_pairs(pa: np.ndarray, i: np.ndarray, j: np.ndarray, n_auth: int) -> np.ndarray:
    """``t[s, x, y]`` = ties (i_e, j_e) whose ends carry labels x and y in permutation s
    (rows of ``pa``), an unknown label (-1) counted as ``n_auth``; one ``bincount``.

    Examples
    --------
    >>> _label_pairs(np.array([[0, 1, -1]]), np.array([0, 0]), np.array([1, 2]), 2)[0].tolist()
    [[0, 1, 1], [0, 0, 0], [0, 0, 0]]
    """
    k = n_auth + 1
    lab = np.where(pa >= 0, pa, n_auth).astype(np.int64)
    offset = (np.arange(pa.shape[0], dtype=np.int64) * (k * k))[:, None]
    code = lab[:, i] * k + lab[:, j] + offset
    return np.bincount(code.ravel(), minlength=pa.shape[0] * k * k).reshape(-1, k, k)


def _spanning_expected(
    sd: SessionData, pa: np.ndarray, i: np.ndarray, j: np.ndarray, w: np.ndarray
) -> float | None:
    """Mean over the permuted labels ``pa`` of the share of Leiden communities (size
    >= 2, fixed) with two or more known authorities; None when there is none."""
    import igraph as ig

    from wpnet.measures.capacity import leiden_membership

    g = ig.Graph(n=pa.shape[1], edges=np.column_stack([i, j]).tolist())
    g.es["weight"] = np.asarray(w, dtype=np.float64).tolist()
    memb = np.asarray(leiden_membership(g, sd.seed))
    sizes = np.bincount(memb)
    order = np.argsort(memb, kind="stable")
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    big = sizes >= 2
    if not big.any():
        return None
    lab = pa[:, order]
    hi = np.maximum.reduceat(lab, starts, axis=1)
    lo = np.minimum.reduceat(np.where(lab >= 0, lab, np.iinfo(np.int64).max), starts, axis=1)
    spans = (hi >= 0) & (lo != np.iinfo(np.int64).max) & (hi > lo)
    return float(spans[:, big].mean(axis=1).mean())
