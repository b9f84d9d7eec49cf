"""Expected values of the composition indicators under the labels null (INFERENCE.md §7).

The authority labels are permuted across the observed graph's establishments (graph and
communities fixed), :data:`~wpnet.inference._indicators.LABEL_PERMUTATIONS` times, and
each composition indicator is averaged over the permutations. An internal helper module
of :mod:`wpnet.evaluation`.
"""

from __future__ import annotations

import numpy as np

from wpnet._parallel import blas_threads
from wpnet._sparse import edge_list
from wpnet.inference._draws import _nanmean
from wpnet.inference._indicators import (
    COMPOSITION,
    LABEL_PERMUTATIONS,
    SessionData,
    _kept_ties,
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
    pa = np.tile(auth, (permutations, 1))  # (S, n) permuted labels
    rng.permuted(pa, axis=1, out=pa)  # in place: the same rows as a copy
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


#: :func:`_label_pairs` multiplies dense matrices when ``n² k <= _DENSE_PER_TIE · E``
#: for a graph of n nodes, E ties and k labels, n is at most :data:`_DENSE_NODES`, and
#: the permutations times the ties reach :data:`_DENSE_MIN_CELLS`; it counts otherwise.
#: Measured on one BLAS thread: the two cost the same near ``n² k = 100 E``, and below
#: ten million cells counting takes a few tens of ms, about what setting the BLAS thread
#: limit costs.
_DENSE_PER_TIE = 100
_DENSE_NODES = 4000
_DENSE_MIN_CELLS = 10_000_000
#: Cells of the largest temporary array of a block of permutations (1 to 2 MB): small
#: enough to be reused by the memory allocator rather than taken fresh from the system,
#: which zeroes every page it gives (see :data:`wpnet.measures.roles._PERM_CHUNK`).
_BLOCK_CELLS = 1 << 18


def _label_pairs(pa: np.ndarray, i: np.ndarray, j: np.ndarray, n_auth: int) -> np.ndarray:
    """``t[s, x, y]`` = ties (i_e, j_e) whose ends carry labels x and y in permutation s
    (rows of ``pa``), an unknown label (-1) counted as ``n_auth``.

    Two exact ways, the same integers, whichever costs less: on dense graphs
    ``t_s = P_sᵀ A P_s`` (A the n × n count of ties (i, j), P_s the 0/1 matrix of node
    v's label in permutation s: integer sums, exact in float64), on sparse ones a
    ``bincount`` of the label pair of every tie. Either way blocks of permutations
    keep the temporary arrays to a few MB whatever the graph's size.

    Examples
    --------
    >>> _label_pairs(np.array([[0, 1, -1]]), np.array([0, 0]), np.array([1, 2]), 2)[0].tolist()
    [[0, 1, 1], [0, 0, 0], [0, 0, 0]]
    """
    k = n_auth + 1
    n = pa.shape[1]
    lab = np.where(pa >= 0, pa, n_auth)
    dense = n <= _DENSE_NODES and n * n * k <= _DENSE_PER_TIE * i.size
    if dense and pa.shape[0] * i.size >= _DENSE_MIN_CELLS:
        return _pairs_by_products(lab, i, j, k)
    return _pairs_by_counts(lab, i, j, k)


def _pairs_by_products(lab: np.ndarray, i: np.ndarray, j: np.ndarray, k: int) -> np.ndarray:
    """:func:`_label_pairs` as ``P_sᵀ (A P_s)`` for blocks of permutations s."""
    s_all, n = lab.shape
    adj = np.bincount(i.astype(np.int64) * n + j, minlength=n * n).reshape(n, n).astype(float)
    one_hot = np.eye(k)
    out = np.empty((s_all, k, k), dtype=np.int64)
    block = max(1, _BLOCK_CELLS // (n * k))
    with blas_threads(n):
        for s0 in range(0, s_all, block):
            q = one_hot[lab[s0 : s0 + block].T]  # (n, b, k): q[v, s, x] = [label_s(v) = x]
            aq = (adj @ q.reshape(n, -1)).reshape(n, -1, k)  # ties of v by label of j
            t = np.matmul(q.transpose(1, 2, 0), aq.transpose(1, 0, 2))  # (b, k, k)
            out[s0 : s0 + block] = np.rint(t)
    return out


def _pairs_by_counts(lab: np.ndarray, i: np.ndarray, j: np.ndarray, k: int) -> np.ndarray:
    """:func:`_label_pairs` as one ``bincount`` of the label pairs per block of
    permutations (each pair offset by its permutation's k² cells in the block)."""
    s_all = lab.shape[0]
    out = np.empty((s_all, k, k), dtype=np.int64)
    block = max(1, _BLOCK_CELLS // max(i.size, k * k, 1))  # the codes and their counts
    dtype = np.int32 if min(block, s_all) * k * k < 2**31 else np.int64
    lab = lab.astype(dtype)
    for s0 in range(0, s_all, block):
        part = lab[s0 : s0 + block]
        code = part[:, i] * dtype(k)
        code += part[:, j]
        code += (np.arange(part.shape[0], dtype=dtype) * dtype(k * k))[:, None]
        cells = np.bincount(code.ravel(), minlength=part.shape[0] * k * k)
        out[s0 : s0 + block] = cells.reshape(-1, k, k)
    return out


def _spanning_expected(
    sd: SessionData, pa: np.ndarray, i: np.ndarray, j: np.ndarray, w: np.ndarray
) -> float | None:
    """Mean over the permuted labels ``pa`` of the share of Leiden communities (size
    >= 2, fixed) with two or more known authorities; None when there is none."""
    import igraph as ig

    from wpnet.measures.capacity import leiden_membership

    g = ig.Graph(n=pa.shape[1], edges=edge_list(i, j))
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
