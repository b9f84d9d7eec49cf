"""Backbones: the ties of a co-membership projection that matter.

Real co-membership projections are nearly complete graphs (a programme with 400 schools
joins 80,000 pairs), so measures on the raw projection say little. A backbone keeps
only some ties (MEASURES.md, "Backbone"):

- ``threshold``: ties with ``weight >= min_weight``;
- ``disparity``: the disparity filter of Serrano, Boguñá & Vespignani (2009);
- ``sdsm``: the stochastic degree sequence model (Neal 2014) with bipartite
  configuration model (BiCM) probabilities (Saracco et al. 2017).

:func:`tie_test` and :func:`decide` are the one backbone decision: they judge the ties
of a projection fed in blocks of rows, as :func:`wpnet.graphs.projection` does for
projections too large to hold whole. :func:`backbone_mask` (sparse matrices) and
:func:`backbone_graph` (a weighted ``networkx.Graph``) feed them all ties as one block.
The Ecosystem-level entry, ``wpnet.backbone(eco, ...)`` =
``wpnet.project(eco, backbone=...)``, lives in :mod:`wpnet.graphs`, the stage that
builds projections; this module knows nothing of Ecosystems.

References
----------
.. [1] M. A. Serrano, M. Boguñá and A. Vespignani (2009). Extracting the multiscale
   backbone of complex weighted networks. PNAS 106(16), 6483-6488.
.. [2] Z. P. Neal (2014). The backbone of bipartite projections: Inferring
   relationships from co-authorship, co-sponsorship, co-attendance and other
   co-behaviors. Social Networks 39, 84-97.
.. [3] F. Saracco, M. J. Straka, R. Di Clemente, A. Gabrielli, G. Caldarelli and
   T. Squartini (2017). Inferring monopartite projections of bipartite networks: an
   entropy-based approach. New Journal of Physics 19, 053022.
.. [4] Y. Hong (2013). On computing the distribution function for the Poisson
   binomial distribution. Computational Statistics & Data Analysis 59, 41-51.
.. [5] A. Yu. Volkova (1996). A refinement of the central limit theorem for sums of
   independent random indicators. Theory of Probability and its Applications 40(4),
   791-794.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np
import scipy.sparse as sp
from scipy.special import betainc, betaincc, expit, ndtr

from wpnet.errors import UsageError, WrongType, check_choice

__all__ = [
    "CORRECTIONS",
    "METHODS",
    "TieTest",
    "adjust_pvalues",
    "backbone_graph",
    "backbone_mask",
    "check_backbone",
    "decide",
    "bicm_probabilities",
    "disparity_pvalues",
    "poisson_binomial_sf",
    "sdsm_pvalues",
    "tie_test",
    "fit_bicm",
    "sdsm_method",
    "SDSMNull",
]

log = logging.getLogger(__name__)

METHODS = ("threshold", "disparity", "sdsm")
CORRECTIONS = ("none", "holm", "bonferroni", "fdr_bh")
_PAIR_CHUNK = 4096
#: Degree-class pairs whose exact tails are computed together, those needing the
#: shortest tails first: a pair's tails cost networks x its largest observed count, and
#: one pair needing a count of 257 among thousands needing 5 made a single block of
#: 4,096 cost 30 times as much (the values are the same whatever the blocks).
_CLASS_PAIR_CHUNK = 512


# ---------------------------------------------------------------------------------
# Multiple-testing corrections
# ---------------------------------------------------------------------------------
def adjust_pvalues(p: np.ndarray, correction: str = "none") -> np.ndarray:
    """Adjust p-values for multiple testing over all of them.

    With ``m`` p-values sorted ascending, ``p_(1) <= ... <= p_(m)``:

    - ``bonferroni``: ``min(1, m p_i)``;
    - ``holm`` (Holm 1979): ``p~_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))``;
    - ``fdr_bh`` (Benjamini & Hochberg 1995): ``p~_(i) = min_{j >= i} min(1, m p_(j) / j)``;
    - ``none``: unchanged.

    A test is rejected (a tie kept) when its adjusted p-value is ``< alpha``.

    Parameters
    ----------
    p : array of float
    correction : {"none", "holm", "bonferroni", "fdr_bh"}

    Returns
    -------
    ndarray of float
        Adjusted p-values in the input order.

    Examples
    --------
    >>> adjust_pvalues(np.array([0.01, 0.04, 0.03, 0.005]), "holm").round(3).tolist()
    [0.03, 0.06, 0.06, 0.02]
    """
    check_choice("correction", correction, CORRECTIONS)
    p = np.asarray(p, dtype=np.float64)
    m = p.size
    if correction == "none" or m == 0:
        return p.copy()
    if correction == "bonferroni":
        return np.minimum(1.0, p * m)
    order = np.argsort(p, kind="stable")
    ps = p[order]
    rank = np.arange(1, m + 1, dtype=np.float64)
    if correction == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, (m - rank + 1) * ps))
    else:
        adj = np.minimum.accumulate(np.minimum(1.0, m * ps / rank)[::-1])[::-1]
    out = np.empty(m)
    out[order] = adj
    return out


# ---------------------------------------------------------------------------------
# Bipartite configuration model
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _BiCM:
    """BiCM probabilities on degree classes: ``p_ik = prob[row_class[i], col_class[k]]``."""

    prob: np.ndarray
    row_class: np.ndarray
    col_class: np.ndarray
    residual: float

    def matrix(self) -> np.ndarray:
        return self.prob[np.ix_(self.row_class, self.col_class)]


def _fit_bicm(b: sp.spmatrix | np.ndarray, tol: float = 1e-12, max_iter: int = 500) -> _BiCM:
    """Fit the BiCM to a binary matrix by Newton's method on its distinct degrees."""
    b = sp.csr_matrix(b)
    d = np.asarray((b != 0).sum(axis=1)).ravel().astype(np.float64)
    e = np.asarray((b != 0).sum(axis=0)).ravel().astype(np.float64)
    dr, row_class, n_r = np.unique(d, return_inverse=True, return_counts=True)
    ec, col_class, m_c = np.unique(e, return_inverse=True, return_counts=True)
    prob = np.zeros((dr.size, ec.size))
    # Peel off rows / columns whose probabilities are forced to 0 or 1: an empty row,
    # or a row filling every active column (and the same for columns).
    ra = np.ones(dr.size, dtype=bool)
    ca = np.ones(ec.size, dtype=bool)
    dd, ee = dr.copy(), ec.copy()
    changed = True
    while changed:
        changed = False
        n_cols = m_c[ca].sum()
        n_rows = n_r[ra].sum()
        for r in np.flatnonzero(ra):
            if dd[r] == 0 or dd[r] == n_cols:
                ra[r] = False
                changed = True
                if dd[r] > 0:
                    prob[r, ca] = 1.0
                    ee[ca] -= n_r[r]
                break
        if changed:
            continue
        for c in np.flatnonzero(ca):
            if ee[c] == 0 or ee[c] == n_rows:
                ca[c] = False
                changed = True
                if ee[c] > 0:
                    prob[ra, c] = 1.0
                    dd[ra] -= m_c[c]
                break
    residual = 0.0
    if ra.any() and ca.any():
        sub, residual = _newton_bicm(dd[ra], n_r[ra], ee[ca], m_c[ca], tol, max_iter)
        prob[np.ix_(ra, ca)] = sub
    return _BiCM(prob, row_class, col_class, residual)


def _newton_bicm(
    d: np.ndarray, n: np.ndarray, e: np.ndarray, m: np.ndarray, tol: float, max_iter: int
) -> tuple[np.ndarray, float]:
    """Solve ``Σ_c m_c σ(a_r + b_c) = d_r`` and ``Σ_r n_r σ(a_r + b_c) = e_c``."""
    n = n.astype(np.float64)
    m = m.astype(np.float64)
    total = float(d @ n)
    a = np.log(d / np.sqrt(total))
    b = np.log(e / np.sqrt(total))
    nr = a.size

    def residuals(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = expit(a[:, None] + b[None, :])
        return s, np.concatenate([s @ m - d, n @ s - e])

    s, f = residuals(a, b)
    norm = float(np.max(np.abs(f)))
    for _ in range(max_iter):
        if norm < tol * max(1.0, float(d.max()), float(e.max())):
            break
        try:
            step = _newton_step(s * (1.0 - s), n, m, f)
        except np.linalg.LinAlgError:  # saturated probabilities: warned about below
            break
        t = 1.0
        while True:
            a_new, b_new = a + t * step[:nr], b + t * step[nr:]
            s_new, f_new = residuals(a_new, b_new)
            new = float(np.max(np.abs(f_new)))
            if new < norm or t < 1e-10:
                break
            t /= 2
        if new >= norm:
            break
        a, b, s, f, norm = a_new, b_new, s_new, f_new, new
    if norm > 1e-6 * max(1.0, float(d.max()), float(e.max())):
        log.warning(
            "BiCM fit did not converge (largest degree residual %.3g); the degree "
            "sequence may have no maximum-likelihood solution (e.g. a nested matrix)",
            norm,
        )
    return s, norm


def _newton_step(w: np.ndarray, n: np.ndarray, m: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Newton step ``J δ = -f`` of :func:`_newton_bicm`, the gauge fixed by ``δb_last = 0``.

    ``J = [[diag(w m), w·m], [(w·n)ᵀ, diag(nᵀ w)]]`` (``w = σ(1-σ)``) is singular: adding
    ``t`` to every ``a`` and ``-t`` to every ``b`` leaves ``σ(a_r + b_c)`` unchanged, and
    ``Σ_r n_r J_r = Σ_c m_c J_{nr+c}`` (``f`` obeys the same relation, since both degree
    sums count the same links). Dropping the last equation and the last unknown leaves a
    non-singular system (``diag(n, m) J`` is the likelihood's positive semi-definite
    Hessian, whose only null direction moves the last unknown), solved by LU; any
    solution of the full system gives the same probabilities, so this step does what a
    least-squares step does, without its singular value decomposition.
    """
    nr = n.size
    k = nr + m.size - 1
    jac = np.zeros((k, k))
    jac[np.arange(nr), np.arange(nr)] = w @ m
    jac[:nr, nr:] = w[:, :-1] * m[None, :-1]
    jac[nr:, :nr] = (w[:, :-1] * n[:, None]).T
    cols = np.arange(nr, k)
    jac[cols, cols] = (n @ w)[:-1]
    step = np.zeros(k + 1)
    step[:k] = np.linalg.solve(jac, -f[:k])
    return step


def bicm_probabilities(b: sp.spmatrix | np.ndarray) -> np.ndarray:
    """Link probabilities of the bipartite configuration model (BiCM).

    The BiCM (Saracco et al. 2017) is the maximum-entropy ensemble of bipartite graphs
    whose expected degrees equal the observed ones:

    ``p_ik = x_i y_k / (1 + x_i y_k)``, with ``Σ_k p_ik = d_i`` and ``Σ_i p_ik = e_k``,

    for row degrees ``d_i`` and column degrees ``e_k`` of the binary matrix. Since
    ``p_ik`` depends only on the two degrees, the system is solved by Newton's method on
    the distinct degrees only (in ``log x``, ``log y``, with a backtracking line search);
    empty and full rows or columns get probabilities 0 or 1.

    Parameters
    ----------
    b : sparse matrix or ndarray
        Binary member x network matrix (non-zero entries count as 1).

    Returns
    -------
    ndarray of float
        ``p`` with the shape of ``b``.

    References
    ----------
    F. Saracco et al. (2017), New Journal of Physics 19, 053022.

    Examples
    --------
    >>> p = bicm_probabilities(np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1]]))
    >>> p.sum(axis=1).round(8).tolist(), p.sum(axis=0).round(8).tolist()
    ([2.0, 1.0, 2.0], [2.0, 2.0, 1.0])
    """
    return _fit_bicm(b).matrix()


# ---------------------------------------------------------------------------------
# Poisson-binomial upper tail
# ---------------------------------------------------------------------------------
def poisson_binomial_sf(q: np.ndarray, observed: np.ndarray, method: str = "exact") -> np.ndarray:
    """Upper tail ``P(X >= o)`` of Poisson-binomial variables, one per row of ``q``.

    ``X = Σ_k Bernoulli(q_k)`` with independent trials.

    - ``exact``: the recursion on the tail itself, ``S_k(x) = (1 − q_k) S_{k−1}(x) +
      q_k S_{k−1}(x − 1)`` with ``S(x) = P(X >= x)``, over all trials, vectorised over
      rows; it adds only non-negative terms (no ``1 − cdf`` cancellation, so tiny tails
      keep their relative precision) and stops at the largest ``o`` asked for. Cost
      ``O(K · max o)`` per row.
    - ``rna``: the refined normal approximation (Volkova 1996; Hong 2013):
      ``P(X <= x) ≈ G((x + 0.5 − μ)/σ)``, ``G(t) = Φ(t) + γ (1 − t²) φ(t) / 6``, with
      ``μ = Σ q``, ``σ² = Σ q(1 − q)``, ``γ = σ⁻³ Σ q(1 − q)(1 − 2q)``; so
      ``P(X >= o) ≈ 1 − G((o − 0.5 − μ)/σ)``, clipped to [0, 1].

    Parameters
    ----------
    q : ndarray, shape (n, K)
        Success probabilities of the K trials of each of n variables.
    observed : ndarray of int, shape (n,)
    method : {"exact", "rna"}

    Returns
    -------
    ndarray of float, shape (n,)

    Examples
    --------
    >>> poisson_binomial_sf(np.array([[0.5, 0.5]]), np.array([1])).tolist()
    [0.75]
    """
    check_choice("method", method, ("exact", "rna"))
    q = np.atleast_2d(np.asarray(q, dtype=np.float64))
    o = np.asarray(observed, dtype=np.int64).ravel()
    if method == "exact":
        return _pb_sf_exact(q, o)
    mu = q.sum(axis=1)
    var = (q * (1 - q)).sum(axis=1)
    third = (q * (1 - q) * (1 - 2 * q)).sum(axis=1)
    return _rna_sf(mu, var, third, o)


def _pb_tails(q: np.ndarray, top: int | None = None) -> np.ndarray:
    """Upper tails of Poisson-binomial laws: ``out[r, x] = P(X_r >= x)``, x = 0..top.

    Row r is the law of a sum of independent Bernoulli(q[r, t]), t < k. The tails are
    built directly by the recursion ``S_t(x) = q_t S_{t−1}(x − 1) + (1 − q_t) S_{t−1}(x)``
    (``S(0) = 1``; before any trial ``S(x) = 0`` for x >= 1): every term is a product
    and sum of non-negative numbers, so small tails keep their relative precision (no
    ``1 − cdf`` cancellation), and ``S_t(x)`` for ``x <= top`` needs nothing above
    ``top``, so the cost is ``O(k · top)`` per row rather than ``O(k²)``. ``top``
    defaults to ``k + 1`` (the whole law).
    """
    n, k = q.shape
    top = k + 1 if top is None else max(int(top), 0)
    tail = np.zeros((n, top + 1))
    tail[:, 0] = 1.0
    for t in range(k):
        hi = min(t + 1, top)  # S_t(x) = 0 for x > t + 1
        if hi == 0:
            break
        qt = q[:, t : t + 1]
        tail[:, 1 : hi + 1] = qt * tail[:, :hi] + (1 - qt) * tail[:, 1 : hi + 1]
    return tail


#: Classes of more identical trials than this enter the tail recursion as one binomial
#: step (:func:`_pb_tails_classes`).
_BINOMIAL_STEP = 32


def _binomial_law(m: int, q: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """``P(Y = j)`` and ``P(Y >= j)``, j = 0..top, of ``Y ~ Bin(m, q[r])`` for each row r
    of the column ``q`` (shape ``(n, 1)``); each result has shape ``(n, top + 1)``.

    ``P(Y >= j) = I_q(j, m − j + 1)`` and ``P(Y <= j) = 1 − I_q(j + 1, m − j)``, the
    regularised incomplete beta function and its complement (scipy.special's
    ``betainc`` and ``betaincc``: Boost's ``ibeta``, accurate in both tails, which
    scipy.stats' binomial calls too). ``P(Y = j)`` is the difference of consecutive
    upper tails at and above ``⌊mq⌋`` and of consecutive lower tails below it: each
    tail there is at most a few times the mass it loses, so the mass keeps its relative
    precision (within 2e-13 of its value computed with 40 digits over m = 33-5,000 and
    q = 1e-7-0.999; scipy.stats' ``binom.pmf`` is within 3e-13). Importing scipy.stats
    for its binomial took 0.5 s, a tenth of a west report.

    Examples
    --------
    >>> pmf, at_least = _binomial_law(40, np.array([[0.1]]), top=2)
    >>> [round(float(v), 6) for v in pmf[0]]
    [0.014781, 0.065693, 0.142334]
    >>> [round(float(v), 6) for v in at_least[0]]
    [1.0, 0.985219, 0.919526]
    """
    j = np.arange(top + 2)[None, :]
    inner = np.clip(j, 1, m)
    upper = np.where(j > m, 0.0, betainc(inner, m - inner + 1, q))  # P(Y >= j)
    upper[:, 0] = 1.0
    below = np.clip(j, 0, m - 1)
    lower = np.where(j >= m, 1.0, betaincc(below + 1, m - below, q))  # P(Y <= j)
    lower_before = np.concatenate([np.zeros_like(q), lower[:, :-1]], axis=1)
    pmf = np.where(j >= np.floor(m * q), upper - np.roll(upper, -1, axis=1), lower - lower_before)
    return pmf[:, : top + 1], upper[:, : top + 1]


def _pb_tails_classes(q: np.ndarray, mult: np.ndarray, top: int) -> np.ndarray:
    """:func:`_pb_tails` of trials that come in classes: column c of ``q`` is the success
    probability of ``mult[c]`` identical trials. ``out[r, x] = P(X_r >= x)``, x = 0..top.

    A class of m trials is m steps of the recursion when m <= :data:`_BINOMIAL_STEP`;
    otherwise one step by its binomial Y ~ Bin(m, q),
    ``S'(x) = Σ_{j<x} P(Y = j) S(x − j) + P(Y >= x)`` (x >= 1), again a sum of
    non-negative terms only, with ``P(Y = j)`` and ``P(Y >= x)`` from
    :func:`_binomial_law` (regularised incomplete beta: small tails keep their relative
    precision). The
    choice does not depend on ``top``, so a pair's tails are the same bits whatever
    block it is computed in. Cost ``O(Σ_c min(m_c, 32 + top) · top)`` per row instead
    of ``O(K · top)``: an SDSM of networks over thousands of practitioners has a
    handful of practitioner degree classes.

    Examples
    --------
    >>> q = np.array([[0.1, 0.3]])
    >>> classes = _pb_tails_classes(q, np.array([40, 2]), top=3)
    >>> every = _pb_tails(np.repeat(q, [40, 2], axis=1), top=3)
    >>> bool(np.allclose(classes, every, rtol=1e-12, atol=0))
    True
    """
    n = q.shape[0]
    top = max(int(top), 0)
    tail = np.zeros((n, top + 1))
    tail[:, 0] = 1.0
    seen = 0  # trials so far: S(x) = 0 for x > seen
    for c in np.flatnonzero(mult > 0):
        m = int(mult[c])
        qc = q[:, c : c + 1]
        if m <= _BINOMIAL_STEP:
            for _ in range(m):
                hi = min(seen + 1, top)
                if hi == 0:
                    break
                tail[:, 1 : hi + 1] = qc * tail[:, :hi] + (1 - qc) * tail[:, 1 : hi + 1]
                seen += 1
            continue
        if top == 0:
            break
        pmf, at_least = _binomial_law(m, qc, top)
        new = np.empty_like(tail)
        new[:, 0] = 1.0
        for x in range(1, top + 1):
            new[:, x] = (pmf[:, :x] * tail[:, x:0:-1]).sum(axis=1) + at_least[:, x]
        tail = new
        seen += m
    return tail


def _pb_sf_exact(q: np.ndarray, o: np.ndarray) -> np.ndarray:
    n, k = q.shape
    out = np.empty(n)
    for start in range(0, n, _PAIR_CHUNK):
        oo = np.clip(o[start : start + _PAIR_CHUNK], 0, k + 1)
        tail = _pb_tails(q[start : start + _PAIR_CHUNK], top=int(oo.max(initial=0)))
        out[start : start + _PAIR_CHUNK] = tail[np.arange(tail.shape[0]), oo]
    return np.clip(out, 0.0, 1.0)


def _rna_sf(mu: np.ndarray, var: np.ndarray, third: np.ndarray, o: np.ndarray) -> np.ndarray:
    sd = np.sqrt(var)
    out = np.where(o <= mu, 1.0, 0.0)  # degenerate case σ = 0: X = μ surely
    ok = sd > 0
    t = (o[ok] - 0.5 - mu[ok]) / sd[ok]
    gamma = third[ok] / sd[ok] ** 3
    phi = np.exp(-0.5 * t * t) / np.sqrt(2 * np.pi)
    cdf = ndtr(t) + gamma * (1 - t * t) * phi / 6
    out[ok] = 1.0 - cdf
    return np.clip(out, 0.0, 1.0)


# ---------------------------------------------------------------------------------
# Tie p-values
# ---------------------------------------------------------------------------------
def _upper_pairs(w: sp.spmatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and weights of the ties (i < j) of a symmetric matrix."""
    up = sp.triu(sp.csr_matrix(w), k=1).tocsr()
    up.eliminate_zeros()
    up.sort_indices()
    coo = up.tocoo()
    return coo.row, coo.col, coo.data


def sdsm_pvalues(
    b: sp.spmatrix | np.ndarray, w: sp.spmatrix | None = None, method: str = "auto"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SDSM p-values of the co-memberships of a binary member x network matrix.

    For members i, j with BiCM probabilities ``p_ik``, ``p_jk`` (:func:`bicm_probabilities`)
    the number of networks they share under the null model is Poisson-binomial,
    ``X_ij = Σ_k Bernoulli(p_ik p_jk)``, and the tie's p-value is
    ``P(X_ij >= w_ij)`` for the observed co-memberships ``w_ij`` (Neal 2014).
    Only pairs with ``w_ij >= 1`` are tested. As ``p_ik`` depends only on the degrees,
    the tail is computed once per pair of distinct member degrees.

    Parameters
    ----------
    b : sparse matrix or ndarray
        Binary member x network matrix.
    w : sparse matrix, optional
        Its projection ``B Bᵀ`` (computed when omitted).
    method : {"auto", "exact", "rna"}
        Tail computation (:func:`poisson_binomial_sf`); ``auto`` is ``exact`` (MEASURES.md:
        the Poisson-binomial tail), whatever the number of networks: the tails are
        computed per pair of degree classes over the classes of columns
        (:func:`_pb_tails_classes`), 1.2 s for a session of an england-size partnership
        (6,970 establishments, 3,000 networks) on the build machine. ``rna`` (the
        refined normal approximation) is there to compare; until 2026-12-02 ``auto``
        used it above 500 networks, where on sparse sessions it decided a fifth of the
        ties the other way (docs/measures.md).

    Returns
    -------
    rows, cols, pvalues : ndarray
        One entry per tested pair, ``rows < cols``.

    Examples
    --------
    >>> b = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0]])
    >>> i, j, p = sdsm_pvalues(b)
    >>> list(zip(i.tolist(), j.tolist()))
    [(0, 1), (0, 3), (1, 3), (2, 3)]
    """
    b = sp.csr_matrix(b, dtype=np.float64, copy=True)
    b.data[:] = 1.0
    b.eliminate_zeros()
    if w is None:
        w = b @ b.T
    rows, cols, obs = _upper_pairs(w)
    method = _sdsm_method(method, b.shape[1])
    if rows.size == 0:
        return rows, cols, np.zeros(0)
    null = _SDSMNull(b, method)
    ukey, inv = np.unique(null.keys(rows, cols, obs), return_inverse=True)
    return rows, cols, null.table(ukey)[inv]


def _sdsm_method(method: str, k: int) -> str:
    """The tail computation ``method`` names for a matrix of ``k`` columns (``auto``:
    exact at every ``k`` since 2026-12-02; ``k`` is kept for the callers)."""
    if method == "auto":
        return "exact"
    check_choice("method", method, ("auto", "exact", "rna"))
    return method


class _SDSMNull:
    """The SDSM null model of a binary matrix, tested one key at a time.

    A tested pair (i, j) with ``o`` shared networks has the key
    ``(c1 n_cls + c2)(K + 1) + o`` for the BiCM degree classes ``c1 <= c2`` of i and j
    (``n_cls`` classes, ``K`` columns): its p-value depends on nothing else.
    :meth:`table` gives the p-values of sorted unique keys, computed together in one
    call so that a key's value never depends on how the pairs were split up.
    """

    def __init__(self, b: sp.csr_matrix, method: str) -> None:
        self.fit = _fit_bicm(b)
        self.k = b.shape[1]
        self.method = method

    def keys(self, rows: np.ndarray, cols: np.ndarray, obs: np.ndarray) -> np.ndarray:
        """The int64 key of each pair ``(rows, cols)`` with ``obs`` shared networks."""
        rc = self.fit.row_class
        r1, r2 = np.minimum(rc[rows], rc[cols]), np.maximum(rc[rows], rc[cols])
        n_cls = self.fit.prob.shape[0]
        return (r1.astype(np.int64) * n_cls + r2) * (self.k + 1) + np.rint(obs).astype(np.int64)

    def table(self, ukey: np.ndarray) -> np.ndarray:
        """P-values ``P(X >= o)`` of sorted unique keys.

        ``exact`` runs the tail recursion (:func:`_pb_tails_classes`, over the classes
        of columns) once per distinct pair of degree classes, :data:`_CLASS_PAIR_CHUNK` pairs at a time, pairs grouped by
        the largest ``o`` their keys ask for so each chunk's window is short; ``rna``
        computes the three moments once per pair of degree classes (they do not depend
        on ``o``), so memory stays bounded by the classes, not by the keys.
        """
        fit, k = self.fit, self.k
        n_cls = fit.prob.shape[0]
        o = ukey % (k + 1)
        pair = ukey // (k + 1)
        if self.method == "exact":
            # the law depends only on the pair of degree classes: one recursion per
            # distinct pair, then each key reads its tail at its own o (keys are sorted,
            # so the keys of a run of pairs are contiguous)
            upair, first = np.unique(pair, return_index=True)
            bounds = np.append(first, ukey.size)
            oc = np.clip(o, 0, k + 1)
            # the highest tail each pair needs; pairs that need little go together so a
            # chunk's window is as short as its largest need
            need = np.maximum.reduceat(oc, first)
            order = np.argsort(need, kind="stable")
            rank = np.empty(upair.size, dtype=np.int64)
            rank[order] = np.arange(upair.size)
            key_rank = np.repeat(rank, np.diff(bounds))  # each key's pair, in that order
            mult = np.bincount(fit.col_class, minlength=fit.prob.shape[1])
            out = np.empty(ukey.size)
            for s in range(0, upair.size, _CLASS_PAIR_CHUNK):
                idx = order[s : s + _CLASS_PAIR_CHUNK]
                chunk = upair[idx]
                q = fit.prob[chunk // n_cls] * fit.prob[chunk % n_cls]  # per column class
                tail = _pb_tails_classes(q, mult, top=int(need[idx].max()))
                sel = (key_rank >= s) & (key_rank < s + _CLASS_PAIR_CHUNK)
                out[sel] = tail[key_rank[sel] - s, oc[sel]]
            return np.clip(out, 0.0, 1.0)
        upair, inv = np.unique(pair, return_inverse=True)
        q_cls = fit.prob[upair // n_cls] * fit.prob[upair % n_cls]  # (pairs, column classes)
        mult = np.bincount(fit.col_class, minlength=fit.prob.shape[1]).astype(np.float64)
        mu = q_cls @ mult
        var = (q_cls * (1 - q_cls)) @ mult
        third = (q_cls * (1 - q_cls) * (1 - 2 * q_cls)) @ mult
        return _rna_sf(mu[inv], var[inv], third[inv], o)


def disparity_pvalues(w: sp.spmatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Disparity-filter p-values of the ties of a weighted undirected graph.

    For a tie (i, j) of weight ``w_ij`` and an endpoint i with strength ``s_i = Σ_j w_ij``
    and degree ``k_i > 1``, ``α_ij = (1 − w_ij / s_i)^(k_i − 1)`` is the probability
    that, with i's strength spread uniformly at random over its ``k_i`` ties, this tie
    would carry at least ``w_ij`` (Serrano, Boguñá & Vespignani 2009, eq. 2). The tie's
    p-value is the smallest ``α`` over its endpoints of degree > 1 (1 if it has none):
    the tie is kept when it is significant for at least one endpoint.

    Parameters
    ----------
    w : sparse matrix
        Symmetric, non-negative weights; the diagonal is ignored.

    Returns
    -------
    rows, cols, pvalues : ndarray
        One entry per tie, ``rows < cols``.

    Examples
    --------
    >>> w = sp.csr_matrix(np.array([[0, 8, 1, 1], [8, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]]))
    >>> disparity_pvalues(w)[2].round(4).tolist()
    [0.04, 0.81, 0.81]
    """
    w = sp.csr_matrix(w, dtype=np.float64, copy=True)
    w.setdiag(0)
    w.eliminate_zeros()
    s = np.asarray(w.sum(axis=1)).ravel()
    k = np.diff(w.indptr)
    rows, cols, x = _upper_pairs(w)
    return rows, cols, _disparity_p(x, s[rows], k[rows], s[cols], k[cols])


def _disparity_p(
    x: np.ndarray, s_i: np.ndarray, k_i: np.ndarray, s_j: np.ndarray, k_j: np.ndarray
) -> np.ndarray:
    """Disparity p-values of ties of weight ``x`` between endpoints of strengths
    ``s_i``, ``s_j`` and degrees ``k_i``, ``k_j``: the smaller ``α`` of the two."""
    x = np.asarray(x, dtype=np.float64)

    def at(s: np.ndarray, k: np.ndarray) -> np.ndarray:
        ok = k > 1
        out = np.ones(x.size)
        out[ok] = (1.0 - x[ok] / s[ok]) ** (k[ok] - 1)
        return out

    return np.minimum(at(s_i, k_i), at(s_j, k_j))


# ---------------------------------------------------------------------------------
# The backbone decision, fed one block of ties at a time
# ---------------------------------------------------------------------------------
def check_backbone(method: str, alpha: float, correction: str) -> None:
    """Raise :class:`~wpnet.errors.UsageError` for an unknown method or correction, or
    ``alpha`` outside (0, 1)."""
    check_choice("backbone", method, METHODS)
    check_choice("correction", correction, CORRECTIONS)
    if not 0 < float(alpha) < 1:
        raise UsageError(f"alpha must be between 0 and 1 (exclusive); got {alpha!r}")


class TieTest:
    """A backbone's test of a projection's ties, fed one block of ties at a time.

    The ties (i < j, with ``weight`` = shared networks) come in blocks, in the same
    order at every pass: first all of them to :meth:`survey` (when :attr:`surveys`),
    then, once :meth:`done` has run, to :meth:`keep` (when :attr:`local`) or to
    :meth:`pvalues` (whose p-values are then adjusted together by
    :func:`adjust_pvalues`). :func:`decide` runs those passes; :func:`tie_test` makes
    the test of a method.
    """

    surveys = True

    def __init__(self, alpha: float, correction: str) -> None:
        self.alpha = float(alpha)
        self.correction = correction
        self.tested = 0

    @property
    def local(self) -> bool:
        """Whether a tie's decision needs only its own p-value and the count of tests."""
        return self.correction in ("none", "bonferroni")

    def survey(self, rows: np.ndarray, cols: np.ndarray, weight: np.ndarray) -> None:
        """See a block of ties before any is tested (counts them)."""
        self.tested += rows.size

    def done(self) -> None:
        """End the survey."""

    def pvalues(self, rows: np.ndarray, cols: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """Unadjusted p-values of a block of ties."""
        raise NotImplementedError

    def keep(self, rows: np.ndarray, cols: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """Which ties of a block are kept (``local`` corrections only)."""
        p = self.pvalues(rows, cols, weight)
        if self.correction == "bonferroni":
            p = np.minimum(1.0, p * self.tested)
        return p < self.alpha


class _ThresholdTest(TieTest):
    """Keep ``weight >= min_weight``."""

    surveys = False

    def __init__(self, min_weight: float) -> None:
        super().__init__(0.5, "none")
        self.min_weight = min_weight

    def keep(self, rows: np.ndarray, cols: np.ndarray, weight: np.ndarray) -> np.ndarray:
        return weight >= self.min_weight


class _DisparityTest(TieTest):
    """The disparity filter; strengths given, degrees counted by the survey."""

    def __init__(self, strength: np.ndarray, alpha: float, correction: str) -> None:
        super().__init__(alpha, correction)
        self.strength = np.asarray(strength, dtype=np.float64)
        self.degree = np.zeros(self.strength.size, dtype=np.int64)

    def survey(self, rows: np.ndarray, cols: np.ndarray, weight: np.ndarray) -> None:
        super().survey(rows, cols, weight)
        n = self.degree.size
        self.degree += np.bincount(rows, minlength=n) + np.bincount(cols, minlength=n)

    def pvalues(self, rows: np.ndarray, cols: np.ndarray, weight: np.ndarray) -> np.ndarray:
        s, k = self.strength, self.degree
        return _disparity_p(weight, s[rows], k[rows], s[cols], k[cols])


class _SDSMTest(TieTest):
    """SDSM; the survey collects the distinct keys, whose p-values are computed together."""

    def __init__(self, b: sp.csr_matrix, alpha: float, correction: str) -> None:
        super().__init__(alpha, correction)
        self.b = b
        self.method = _sdsm_method("auto", b.shape[1])
        self.null: _SDSMNull | None = None
        self.seen: list[np.ndarray] = []
        self.ukey = np.zeros(0, dtype=np.int64)
        self.table = np.zeros(0)

    def survey(self, rows: np.ndarray, cols: np.ndarray, weight: np.ndarray) -> None:
        if self.null is None:
            self.null = _SDSMNull(self.b, self.method)
        super().survey(rows, cols, weight)
        self.seen.append(np.unique(self.null.keys(rows, cols, weight)))
        if len(self.seen) > 32:
            self.seen = [np.unique(np.concatenate(self.seen))]

    def done(self) -> None:
        if self.null is not None:
            self.ukey = np.unique(np.concatenate(self.seen))
            self.table = self.null.table(self.ukey)
        self.seen = []

    def pvalues(self, rows: np.ndarray, cols: np.ndarray, weight: np.ndarray) -> np.ndarray:
        if rows.size == 0:
            return np.zeros(0)
        assert self.null is not None, "survey every tie before testing"
        return self.table[np.searchsorted(self.ukey, self.null.keys(rows, cols, weight))]


def tie_test(
    method: str,
    *,
    b: sp.spmatrix | None = None,
    strength: np.ndarray | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
) -> TieTest:
    """The test of a backbone ``method``, to be run by :func:`decide`.

    Parameters
    ----------
    method : {"threshold", "disparity", "sdsm"}
    b : sparse matrix, optional
        The binary member x network matrix the ties were projected from; ``sdsm`` needs
        it, and ``disparity`` takes its strengths from it when ``strength`` is not given
        (``s_i = Σ_k B_ik (m_k − 1)``, the row sum of ``B Bᵀ`` off the diagonal).
    strength : array, optional
        Every node's strength (sum of its tie weights), for ``disparity``.
    alpha, min_weight, correction
        As :func:`backbone_mask`.

    Raises
    ------
    UsageError
        For an unknown method or correction, ``alpha`` outside (0, 1), or a test whose
        input is missing (``sdsm`` without ``b``).

    Examples
    --------
    >>> t = tie_test("threshold", min_weight=2)
    >>> [keep.tolist() for _, keep in decide(t, lambda last: [_Block([0], [1], [3])])]
    [[True]]
    """
    check_backbone(method, alpha, correction)
    if method == "threshold":
        return _ThresholdTest(min_weight)
    if method == "disparity":
        if strength is None:
            if b is None:
                raise UsageError("the disparity test needs the strengths or the matrix B")
            m = np.asarray(b.sum(axis=0)).ravel()
            strength = b @ (m - 1.0)
        return _DisparityTest(np.asarray(strength), alpha, correction)
    if b is None:
        raise UsageError(
            "the sdsm backbone needs the member x network affiliation matrix, which a "
            "projected graph no longer holds; call wpnet.backbone(eco, 'sdsm', onto=...) "
            "on the Ecosystem, or use 'disparity' or 'threshold' on a graph"
        )
    b = sp.csr_matrix(b, dtype=np.float64, copy=True)
    b.data[:] = 1.0
    b.eliminate_zeros()
    return _SDSMTest(b, alpha, correction)


class _Ties(Protocol):
    """A block of ties: positions ``rows < cols`` and shared-network ``weight``."""

    rows: np.ndarray
    cols: np.ndarray
    weight: np.ndarray


_T = TypeVar("_T", bound=_Ties)


@dataclass(frozen=True)
class _Block:
    """One block of ties given as lists or arrays."""

    rows: Any
    cols: Any
    weight: Any

    def __post_init__(self) -> None:
        for name in ("rows", "cols", "weight"):
            object.__setattr__(self, name, np.asarray(getattr(self, name)))


def decide(
    test: TieTest, blocks: Callable[[bool], Iterable[_T]]
) -> Iterator[tuple[_T, np.ndarray]]:
    """Run a backbone test over a projection's ties; yield each block and what it keeps.

    ``blocks(last)`` gives the ties in the same order at every call (``last`` is true
    for the final pass, whose blocks are the ones yielded, so they may carry more than
    the test needs). The passes: a survey when the test needs one (degrees, distinct
    SDSM keys, the number of tests); the p-values of every tie when the correction
    needs all of them at once (``holm``, ``fdr_bh``: 8 bytes a tie), adjusted by
    :func:`adjust_pvalues`; then the decisions, block by block. A tie is kept when its
    adjusted p-value is ``< alpha`` (``threshold``: ``weight >= min_weight``).
    """
    if test.surveys:
        for t in blocks(False):
            test.survey(t.rows, t.cols, t.weight)
        test.done()
    decided = None
    if not test.local:
        parts = [test.pvalues(t.rows, t.cols, t.weight) for t in blocks(False)]
        p = np.concatenate(parts) if parts else np.zeros(0)
        decided = adjust_pvalues(p, test.correction) < test.alpha
        del p, parts
    offset = 0
    for t in blocks(True):
        if decided is None:
            keep = test.keep(t.rows, t.cols, t.weight)
        else:
            keep = decided[offset : offset + t.rows.size]
            offset += t.rows.size
        yield t, keep


def _mask(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_matrix:
    data = np.ones(2 * rows.size)
    m = sp.csr_matrix(
        (data, (np.concatenate([rows, cols]), np.concatenate([cols, rows]))), shape=(n, n)
    )
    m.sum_duplicates()
    return m


def backbone_mask(
    b: sp.spmatrix | None,
    w: sp.spmatrix,
    *,
    method: str,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
) -> sp.csr_matrix:
    """Which ties of a projection its backbone keeps, as a symmetric 0/1 matrix.

    - ``threshold``: ``w_ij >= min_weight``;
    - ``disparity``: adjusted :func:`disparity_pvalues` ``< alpha``;
    - ``sdsm``: adjusted :func:`sdsm_pvalues` ``< alpha``.

    ``correction`` (:func:`adjust_pvalues`) runs over all tested pairs, each unordered
    pair once: for ``sdsm`` the pairs sharing at least one network; for ``disparity``
    every tie, whose p-value is the smaller of its endpoints' (so ``correction="none"``
    is the filter exactly as Serrano et al. define it). ``threshold`` ignores
    ``alpha`` and ``correction``. The decision is :func:`decide`'s, the one the
    block-wise projection makes, over all ties as one block.

    Parameters
    ----------
    b : sparse matrix or None
        The binary member x network matrix ``w`` was projected from (needed by ``sdsm``
        only).
    w : sparse matrix
        The projection's symmetric weight matrix.
    method : {"threshold", "disparity", "sdsm"}
    alpha : float
        Significance level, in (0, 1).
    min_weight : float
    correction : {"none", "holm", "bonferroni", "fdr_bh"}

    Returns
    -------
    csr_matrix
        1.0 on the kept ties (both (i, j) and (j, i)), empty elsewhere.

    Raises
    ------
    UsageError
        For an unknown method or correction, ``alpha`` outside (0, 1), or ``sdsm``
        without ``b``.

    Examples
    --------
    >>> w = sp.csr_matrix(np.array([[0, 3, 1], [3, 0, 2], [1, 2, 0]]))
    >>> backbone_mask(None, w, method="threshold", min_weight=2).toarray().tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    w = sp.csr_matrix(w, dtype=np.float64, copy=True)
    w.setdiag(0)
    w.eliminate_zeros()
    n = w.shape[0]
    strength = np.asarray(w.sum(axis=1)).ravel()
    test = tie_test(
        method,
        b=b,
        strength=strength,
        alpha=alpha,
        min_weight=min_weight,
        correction=correction,
    )
    block = _Block(*_upper_pairs(w))
    ((_, keep),) = decide(test, lambda last: [block])
    return _mask(block.rows[keep], block.cols[keep], n)


def backbone_graph(
    G: Any,
    method: str = "disparity",
    *,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    weight: str = "weight",
) -> Any:
    """The backbone of a weighted ``networkx.Graph``: a copy keeping only its backbone ties.

    Nodes and attributes are kept. Only ``threshold`` and ``disparity`` work on a graph,
    since ``sdsm`` needs the affiliation matrix the graph was projected from (use
    ``wpnet.backbone(eco, "sdsm", onto=...)`` on the Ecosystem). The decision is
    :func:`backbone_mask`'s.

    Parameters
    ----------
    G : networkx.Graph
        Undirected, simple; every edge must carry the attribute ``weight``.
    method : {"disparity", "threshold"}
    alpha, min_weight, correction
        As :func:`backbone_mask`.
    weight : str
        The edge attribute holding the weight.

    Returns
    -------
    networkx.Graph
        ``G.graph`` gains ``backbone`` and ``params``.

    Raises
    ------
    WrongType
        When ``G`` is not a networkx graph.
    UsageError
        For a directed graph or multigraph, ``sdsm``, an unknown method or correction,
        or edges without the ``weight`` attribute (naming some of them).

    Examples
    --------
    >>> import networkx as nx
    >>> star = nx.Graph([(0, 1, {"weight": 8}), (0, 2, {"weight": 1}), (0, 3, {"weight": 1})])
    >>> sorted(backbone_graph(star, "disparity", alpha=0.05).edges())
    [(0, 1)]
    """
    import networkx as nx

    if not isinstance(G, nx.Graph):
        raise WrongType(f"backbone takes an Ecosystem or a networkx Graph; got {type(G).__name__}")
    if G.is_directed() or G.is_multigraph():
        raise UsageError("backbone needs an undirected simple graph (networkx.Graph)")
    check_backbone(method, alpha, correction)
    if method == "sdsm":
        tie_test(method)  # raises, saying what sdsm needs
    lacking = [(u, v) for u, v, d in G.edges(data=True) if weight not in d]
    if lacking:
        present = sorted({k for _, _, d in G.edges(data=True) for k in d}, key=str)
        raise UsageError(
            f"weight={weight!r} is not an attribute of {len(lacking)} of the graph's "
            f"{G.number_of_edges()} edges (e.g. {lacking[:3]!r}); edge attributes present: "
            f"{present!r}. Pass weight= one of them."
        )
    nodes = list(G.nodes())
    w = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=weight, format="csr")
    keep = backbone_mask(
        None, w, method=method, alpha=alpha, min_weight=min_weight, correction=correction
    ).tocoo()
    kept = {(nodes[i], nodes[j]) for i, j in zip(keep.row, keep.col, strict=True) if i < j}
    out = G.copy()
    out.remove_edges_from(
        [(u, v) for u, v in G.edges() if (u, v) not in kept and (v, u) not in kept]
    )
    params: dict[str, Any] = (
        {"min_weight": min_weight}
        if method == "threshold"
        else {"alpha": alpha, "correction": correction}
    )
    out.graph.update(backbone=method, params=params)
    return out


# The BiCM fit and SDSM's per-degree-class tail tables depend only on an incidence's
# margins; wpnet.inference reuses them across Curveball samples (which keep the margins).
fit_bicm = _fit_bicm
sdsm_method = _sdsm_method
SDSMNull = _SDSMNull
