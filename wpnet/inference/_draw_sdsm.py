"""The SDSM backbone of a bootstrap draw's projection (:mod:`wpnet.inference._indicators`).

A draw holds each network ``c_k`` times (:func:`wpnet.inference._indicators.network_draw`),
so its projection's tie weights are ``W = B diag(c) Bᵀ``. The BiCM is fitted to the draw,
each copy of a network a column of its own (:func:`_newton` on degree classes, the
peeling fit of :func:`wpnet.backbones.fit_bicm` where Newton's method cannot), and a
pair's weight is tested against ``Σ_k c_k Bernoulli(p_ik p_jk)``
(:func:`weighted_tails`): a network's copies are one membership event, not independent
ones. With every ``c_k = 1`` this is SDSM exactly (Neal 2014; MEASURES.md, Backbone).

An internal helper of the indicator engine; its names are not part of the public API.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["weighted_sdsm_pvalues", "weighted_tails"]

#: The first window of SDSM tails computed in a draw (see weighted_sdsm_pvalues).
_SHORT_TAIL = 12


def _gauss_solve(a: np.ndarray, rhs: np.ndarray) -> np.ndarray | None:
    """``a x = rhs`` by Gaussian elimination with partial pivoting, in elementwise numpy.

    A system has one unknown per degree class of the drawn networks (14-18 in the
    shipped example's draws, more on larger data); LAPACK's threaded solvers
    spend far longer starting threads than solving large ones on a busy machine, and
    on the nearly singular systems of forced probabilities LAPACK's steps differ from
    these (docs/performance.md, "The sixth session of 2026-12-02").

    Examples
    --------
    >>> _gauss_solve(np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([3.0, 5.0])).round(6).tolist()
    [0.8, 1.4]
    """
    n = a.shape[0]
    m = np.concatenate([a, rhs[:, None]], axis=1).astype(np.float64)
    for k in range(n):
        p = k + int(np.argmax(np.abs(m[k:, k])))
        if m[p, k] == 0 or not np.isfinite(m[p, k]):
            return None
        if p != k:
            m[[k, p]] = m[[p, k]]
        m[k + 1 :, k:] -= (m[k + 1 :, k] / m[k, k])[:, None] * m[k, k:]
    x = np.zeros(n)
    for k in range(n - 1, -1, -1):
        x[k] = (m[k, n] - m[k, k + 1 : n] @ x[k + 1 :]) / m[k, k]
    return x


def _newton(
    d: np.ndarray, n: np.ndarray, e: np.ndarray, m: np.ndarray, tol: float = 1e-12
) -> np.ndarray | None:
    """BiCM probabilities on degree classes, ``σ(a_r + b_c)``, solving
    ``Σ_c m_c σ(a_r + b_c) = d_r`` and ``Σ_r n_r σ(a_r + b_c) = e_c`` by Newton's
    method (the equations of :func:`wpnet.backbone.bicm_probabilities`, with column
    class sizes ``m_c`` that count each copy of a network); None when it fails."""
    from scipy.special import expit

    total = float(d @ n)
    a = np.log(d / np.sqrt(total))
    bb = np.log(e / np.sqrt(total))
    nr = a.size
    scale = tol * max(1.0, float(d.max()), float(e.max()))

    def resid(a: np.ndarray, bb: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        s = expit(a[:, None] + bb[None, :])
        f = np.concatenate([s @ m - d, n @ s - e])
        return s, f, float(np.max(np.abs(f)))

    s, f, norm = resid(a, bb)
    for _ in range(200):
        if norm < scale:
            return s
        w = s * (1.0 - s)
        # the Jacobian [[diag(w m), w m], [(w n)ᵀ, diag(n w)]]: eliminate the row block
        # (diagonal) and solve the column classes' Schur complement
        dr = w @ m
        if not (dr > 0).all():
            return None
        a_blk = w * m[None, :]
        b_blk = (w * n[:, None]).T
        schur = np.diag(n @ w) - b_blk @ (a_blk / dr[:, None])
        f1, f2 = f[:nr], f[nr:]
        y = _gauss_solve(schur, -f2 + b_blk @ (f1 / dr))
        if y is None:
            return None
        step = np.concatenate([(-f1 - a_blk @ y) / dr, y])
        t = 1.0
        while True:
            s2, f2, new = resid(a + t * step[:nr], bb + t * step[nr:])
            if new < norm or t < 1e-10:
                break
            t /= 2
        if new >= norm:
            break
        a, bb = a + t * step[:nr], bb + t * step[nr:]
        s, f, norm = s2, f2, new
    return s if norm < 1e-6 * max(1.0, float(d.max()), float(e.max())) else None


def weighted_tails(q: np.ndarray, weight: np.ndarray, top: int) -> np.ndarray:
    """``out[r, x] = P(X_r >= x)`` for x = 0..top, ``X_r = Σ_t weight_t Bernoulli(q[r, t])``.

    The recursion of SDSM's Poisson-binomial tail with integer weights:
    ``S_t(x) = q_t S_{t−1}(x − w_t) + (1 − q_t) S_{t−1}(x)`` (``S(x) = 1`` for x <= 0),
    so a network present ``w_t`` times in a draw adds ``w_t`` shared memberships or
    none: its copies are one membership event, not independent ones.

    Examples
    --------
    >>> weighted_tails(np.array([[0.5, 0.5]]), np.array([2, 1]), 3).round(3).tolist()
    [[1.0, 0.75, 0.5, 0.25]]
    """
    n, k = q.shape
    tail = np.zeros((n, top + 1))
    tail[:, 0] = 1.0
    # in place, the same products and sum as q_t S(x − w_t) + (1 − q_t) S(x)
    q_t = np.ascontiguousarray(q.T)[:, :, None]
    rest_t = 1 - q_t
    shifted = np.empty_like(tail)
    for t in range(k):
        wt = int(weight[t])
        if wt <= top:
            shifted[:, :wt] = 1.0
            shifted[:, wt:] = tail[:, : top + 1 - wt]
        else:
            shifted.fill(1.0)
        np.multiply(q_t[t], shifted, out=shifted)
        np.multiply(rest_t[t], tail, out=tail)
        tail += shifted
    return tail


def weighted_sdsm_pvalues(
    b: sp.csr_matrix,
    c: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    w: np.ndarray,
    decide_at: float | None = None,
) -> np.ndarray:
    """SDSM p-values of the pairs (i, j) with draw weights ``w = (B diag(c) Bᵀ)_ij``.

    The BiCM is fitted to the draw (row degrees ``B c``; each copy of a network counts
    as a column with that network's membership count); the null of a pair's weight is
    ``Σ_k c_k Bernoulli(p_ik p_jk)`` over the drawn networks (:func:`weighted_tails`).
    With every ``c_k = 1`` this is SDSM exactly (Neal 2014; MEASURES.md, Backbone).
    With ``decide_at`` (an alpha), a p-value at or above it is exact and one below it
    may be an upper bound still below it: enough to decide ``p < alpha``.
    """
    e_all = np.asarray(b.sum(axis=0)).ravel()
    drawn = np.flatnonzero((c > 0) & (e_all > 0))
    bd = b[:, drawn].tocsc()
    cd = np.asarray(c[drawn], dtype=np.float64)
    d = bd @ cd
    e = np.asarray(bd.sum(axis=0)).ravel()
    dr, row_cls, n_r = np.unique(d, return_inverse=True, return_counts=True)
    ec, col_cls = np.unique(e, return_inverse=True)
    m = np.bincount(col_cls, weights=cd)
    prob = None
    if float(dr.max()) < float(cd.sum()) and float(ec.max()) < float(n_r.sum()):
        prob = _newton(dr, n_r.astype(np.float64), ec, m)
    if prob is None:  # forced 0/1 probabilities: the peeling fit of wpnet.backbone
        from_fit = _fit_bicm_expanded(bd.tocsr(), c[drawn])
        prob, row_cls, col_cls = from_fit
    n_cls = prob.shape[0]
    r1 = np.minimum(row_cls[i], row_cls[j])
    r2 = np.maximum(row_cls[i], row_cls[j])
    pair = r1.astype(np.int64) * n_cls + r2
    seen = np.bincount(pair, minlength=n_cls * n_cls) > 0
    upair = np.flatnonzero(seen)
    where = np.full(n_cls * n_cls, -1, dtype=np.int64)
    where[upair] = np.arange(upair.size)
    obs = np.rint(w).astype(np.int64)
    top = int(obs.max(initial=0))
    q = prob[upair // n_cls][:, col_cls] * prob[upair % n_cls][:, col_cls]
    if decide_at is None or top <= _SHORT_TAIL:
        tails = weighted_tails(q, c[drawn], top)
        return np.clip(tails[where[pair], np.minimum(obs, top)], 0.0, 1.0)
    # Only "p < decide_at?" matters: tails up to a short window first; a pair whose
    # tail at the window's end is already below decide_at is decided (p is at most
    # that tail), the class pairs that are not get their whole tail.
    short = weighted_tails(q, c[drawn], _SHORT_TAIL)
    open_cls = short[:, _SHORT_TAIL] >= decide_at
    p = short[where[pair], np.minimum(obs, _SHORT_TAIL)]
    need = open_cls[where[pair]] & (obs > _SHORT_TAIL)
    if need.any():
        cls = np.flatnonzero(open_cls)
        full = weighted_tails(q[cls], c[drawn], top)
        at = np.full(upair.size, -1, dtype=np.int64)
        at[cls] = np.arange(cls.size)
        p[need] = full[at[where[pair[need]]], obs[need]]
    return np.clip(p, 0.0, 1.0)


def _fit_bicm_expanded(
    bd: sp.csr_matrix, c: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The peeling BiCM fit of the expanded matrix (each copy a column), as
    (probabilities on classes, row classes, class of each drawn network)."""
    from wpnet.backbones import fit_bicm

    cols = np.repeat(np.arange(bd.shape[1]), c)
    fit = fit_bicm(bd[:, cols])
    first = np.r_[0, np.cumsum(c)[:-1]]
    return fit.prob, fit.row_class, fit.col_class[first]
