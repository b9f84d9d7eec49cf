"""Burt's structural holes and two-step reach over a sparse weight matrix.

Pure functions of a scipy sparse matrix (no Ecosystem): :func:`structural_holes`
(effective size, efficiency, constraint, hierarchy) and :func:`two_step_reach`. Used by
:func:`wpnet.brokerage`; products run dense (BLAS, on one thread for a small graph:
:func:`wpnet._parallel.blas_threads`) on small, dense graphs and sparse, a block of
rows at a time, otherwise (:mod:`wpnet._sparse`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.linalg.blas import dsyrk

from wpnet._parallel import blas_threads
from wpnet._sparse import (
    PRODUCT_ENTRIES,
    binary,
    on_pattern,
    row_blocks,
    rowsum,
    symmetrised,
    use_dense,
)

__all__ = ["structural_holes", "two_step_reach"]


def structural_holes(w: sp.spmatrix) -> pd.DataFrame:
    """Burt's effective size, efficiency, constraint and hierarchy of every node.

    Weighted, as networkx defines them with ``weight="weight"`` (directed ties read as
    S = W + Wᵀ): p_ij = S_ij / Σ_k S_ik, m_ij = S_ij / max_k S_ik,
    c_ij = (p_ij + (P P)_ij)², constraint = Σ_{j∈N(i)} c_ij, effective size
    = Σ_{j∈N(i)} (1 − (P Mᵀ)_ij), efficiency = effective size / |N(i)|, hierarchy
    = Σ_j r_j ln r_j / (N ln N) with r_j = c_ij N / C_i.

    Parameters
    ----------
    w : sparse matrix (n, n)
        Non-negative weights, w[i, j] for a tie (or arc) i → j; the diagonal is ignored.

    Returns
    -------
    DataFrame
        Columns ``effective_size``, ``efficiency``, ``constraint`` (NaN for isolates),
        ``hierarchy`` (NaN with fewer than two contacts), one row per node (0..n-1).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> star = sp.csr_matrix([[0, 1, 1], [1, 0, 0], [1, 0, 0]])
    >>> structural_holes(star)["constraint"].tolist()  # centre: 2 * (1/2)**2
    [0.5, 1.0, 1.0]
    """
    s = symmetrised(w)
    n = s.shape[0]
    deg = np.diff(s.indptr).astype(np.float64)
    total = rowsum(s)
    peak = np.asarray(s.max(axis=1).todense()).ravel() if n else np.zeros(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_total = np.where(total > 0, 1 / total, 0.0)
        inv_peak = np.where(peak > 0, 1 / peak, 0.0)
    rows = np.repeat(np.arange(n), np.diff(s.indptr))
    cols = s.indices
    pp, pm = _two_step_products(s, inv_total, inv_peak, rows, cols)
    c_ij = (s.data / total[rows] + pp) ** 2  # p_ij on s's canonical pattern
    constraint = np.bincount(rows, weights=c_ij, minlength=n)
    effective = deg - np.bincount(rows, weights=pm, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = c_ij * deg[rows] / constraint[rows]
        h_num = np.bincount(rows, weights=r * np.log(r), minlength=n)
        hierarchy = np.where(deg >= 2, h_num / (deg * np.log(deg)), np.nan)
        iso = deg == 0
        return pd.DataFrame(
            {
                "effective_size": np.where(iso, np.nan, effective),
                "efficiency": np.where(iso, np.nan, effective / deg),
                "constraint": np.where(iso, np.nan, constraint),
                "hierarchy": hierarchy,
            }
        )


def _two_step_products(
    s: sp.csr_matrix,
    inv_total: np.ndarray,
    inv_peak: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(P P)_ij and (P Mᵀ)_ij on the ties (``rows``, ``cols``) of the symmetric S, with
    P = diag(``inv_total``) S and M = diag(``inv_peak``) S.

    Dense (:func:`wpnet._sparse.use_dense`): S is symmetric, so P P = D⁻¹ (S D⁻¹ S) and
    P Mᵀ = D⁻¹ (S S) diag(``inv_peak``), D⁻¹ = diag(``inv_total``), and both middle
    factors are symmetric products Y Yᵀ (Y = S D^(−1/2), then Y = S): two rank-n
    updates (BLAS ``dsyrk``, float64, half the work of a general product each), read
    from their upper triangles. Sparse: two products a block of rows at a time
    (:func:`wpnet._sparse.on_pattern`).
    """
    if len(rows) == 0:
        return np.zeros(0), np.zeros(0)
    if use_dense(s, s):
        x = s.toarray()
        lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
        # x is symmetric: x.T is the same matrix, Fortran-ordered as dsyrk wants it
        with blas_threads(x.shape[0]):
            sds = dsyrk(1.0, np.asfortranarray(x * np.sqrt(inv_total)[None, :]))[lo, hi]
            ss = dsyrk(1.0, x.T)[lo, hi]
        return inv_total[rows] * sds, inv_total[rows] * ss * inv_peak[cols]
    p = (sp.diags(inv_total) @ s).tocsr()
    m = (sp.diags(inv_peak) @ s).tocsr()
    return on_pattern(p, p, rows, cols), on_pattern(p, m.T.tocsr(), rows, cols)


def two_step_reach(adj: sp.spmatrix) -> np.ndarray:
    """Share of the other n − 1 nodes each node reaches along arcs in one or two steps
    (NaN when n = 1).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> two_step_reach(sp.csr_matrix([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]]))
    array([0.66666667, 0.66666667, 0.66666667, 0.        ])
    """
    a = binary(adj)
    n = a.shape[0]
    if n <= 1:
        return np.full(n, np.nan)
    if use_dense(a, a):
        x = a.toarray().astype(np.float32)  # 0/1: every entry of x @ x is an integer ≤ n
        with blas_threads(n):
            reach = (x + x @ x) > 0
        np.fill_diagonal(reach, False)
        count = reach.sum(axis=1)
    else:
        count = np.zeros(n, dtype=np.int64)
        for lo, hi in row_blocks(a, a, PRODUCT_ENTRIES):
            r = (a[lo:hi] + a[lo:hi] @ a).tocsr()
            r.eliminate_zeros()
            own = np.asarray(r[np.arange(hi - lo), np.arange(lo, hi)]).ravel() != 0
            count[lo:hi] = np.diff(r.indptr) - own
    return count / (n - 1)
