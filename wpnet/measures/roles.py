"""Gould–Fernandez brokerage roles and the E-I index over a sparse adjacency matrix.

Pure functions of a scipy sparse matrix and integer group codes (no Ecosystem):
:func:`gould_fernandez` counts each broker's roles, :func:`gf_node_moments` and
:func:`gf_network_moments` give their expectations and variances under a random graph
(as statnet's ``sna::brokerage``), :func:`node_ei` and :func:`ei_permutation` the E-I
index of each node and of the whole network with its permutation test. Everything is
vectorised: role counts are sparse/dense matrix products over group indicators, never
loops over triples. :func:`wpnet.brokerage`, :func:`wpnet.brokerage_roles` and
:func:`wpnet.ei_test` call them on an Ecosystem's graph.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wpnet._parallel import blas_threads
from wpnet._sparse import binary, colsum, masked_rowsum, rowsum, symmetrised, use_dense

__all__ = [
    "EI_KEYS",
    "ROLES",
    "ei_permutation",
    "gf_network_moments",
    "gf_node_moments",
    "gould_fernandez",
    "group_codes",
    "node_ei",
    "role_codes",
]

#: Gould–Fernandez roles, in the order of the count columns (``total`` last).
ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total")
#: The keys of :func:`ei_permutation`'s result (the columns of ``wpnet.ei_test``), in order.
EI_KEYS = (
    "ties",
    "external",
    "internal",
    "ei_index",
    "expected",
    "min_possible",
    "max_possible",
    "perm_mean",
    "perm_sd",
    "perm_min",
    "perm_max",
    "p_greater",
    "p_less",
    "p_one_sided",
    "p_two_sided",
    "permutations",
)
#: Nodes below which the dense Gould–Fernandez products run exactly in float32 (their
#: entries are integers ≤ n).
_EXACT_FLOAT32 = 2**24
#: Pairs (permutations x ties) handled at once by :func:`ei_permutation`: its temporary
#: arrays (2 bytes a pair with fewer than 32,768 groups) stay within the processor's
#: cache and are reused by the memory allocator. Blocks of 20 million pairs took fresh
#: memory from the system each time, and the system's zeroing of those pages cost more
#: than the counting itself (the West report: 0.34 CPU s of 0.36).
_PERM_CHUNK = 1 << 18


def gould_fernandez(adj: sp.spmatrix, codes: np.ndarray) -> np.ndarray:
    """Gould–Fernandez brokerage counts of every node of a directed graph.

    For broker b, with in-arcs from a and out-arcs to c, count the triples a → b → c with
    a ≠ c and no arc a → c, by role (g = group code): coordinator g(a) = g(b) = g(c),
    itinerant g(a) = g(c) ≠ g(b), representative g(a) = g(b) ≠ g(c), gatekeeper
    g(a) ≠ g(b) = g(c), liaison all three different.

    Vectorised: split A into A_s (arcs within a group) and A_d (between groups). All
    2-paths of a role are products of in- and out-degrees into the right groups; the
    closed ones are row sums of (Xᵀ Y) ∘ Z for X, Z ∈ {A_s, A_d} and Y ∈ {A, A_s}, e.g.
    closed coordinator paths of b = Σ_c (A_sᵀ A)_bc (A_s)_bc; the a = c paths are the
    mutual arcs.

    Parameters
    ----------
    adj : sparse matrix (n, n)
        Arcs: adj[a, b] ≠ 0 for a → b (symmetric for an undirected graph); the diagonal
        is ignored.
    codes : array of int (n,)
        Group codes, ≥ 0.

    Returns
    -------
    ndarray (n, 5) of int64
        Columns coordinator, itinerant, representative, gatekeeper, liaison.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> a = sp.csr_matrix([[0, 1, 0], [1, 0, 1], [0, 1, 0]])  # path 0 - 1 - 2
    >>> gould_fernandez(a, np.array([0, 1, 0]))[1].tolist()   # 0 -> 1 -> 2 and back
    [0, 2, 0, 0, 0]
    """
    a = binary(adj)
    n = a.shape[0]
    codes = np.asarray(codes, dtype=np.int64)
    if n == 0:
        return np.zeros((0, 5), dtype=np.int64)
    dense = use_dense(a, a) and n < _EXACT_FLOAT32
    t = _tallies_dense(a, codes) if dense else _tallies_sparse(a, codes)
    idx = np.arange(n)
    own = t["in_g"][idx, codes] * t["out_g"][idx, codes]
    # g(a) = g(c) != g(b), a = c included
    itinerant_all = (t["in_g"] * t["out_g"]).sum(axis=1) - own
    out = np.column_stack(
        [
            t["in_s"] * t["out_s"] - t["mutual_s"] - t["closed_ss"],
            itinerant_all - t["mutual_d"] - t["closed_itinerant"],
            t["in_s"] * t["out_d"] - t["closed_sd"],
            t["in_d"] * t["out_s"] - t["closed_ds"],
            t["in_d"] * t["out_d"] - itinerant_all - (t["closed_dd"] - t["closed_itinerant"]),
        ]
    )
    return np.rint(out).astype(np.int64)


def _tallies_sparse(a: sp.csr_matrix, codes: np.ndarray) -> dict[str, np.ndarray]:
    """What :func:`gould_fernandez` counts from, by sparse products: with A_s the arcs
    within a group and A_d between, in- and out-degrees within (``in_s``, ``out_s``)
    and between groups (``in_d``, ``out_d``); ``in_g``/``out_g`` (n × K) the arcs from
    and to each group; mutual arcs within and between (``mutual_s``, ``mutual_d``); and
    the closed 2-paths by five masked products, ``closed_ss`` = rowsum((A_sᵀ A) ∘ A_s),
    ``closed_sd`` = rowsum((A_sᵀ A) ∘ A_d), ``closed_ds`` = rowsum((A_dᵀ A) ∘ A_s),
    ``closed_dd`` = rowsum((A_dᵀ A) ∘ A_d), ``closed_itinerant`` = rowsum((A_dᵀ A_s) ∘
    A_d) (a → c within a group, both outside b's) (:func:`wpnet._sparse.masked_rowsum`).
    """
    n = a.shape[0]
    a_s, a_d = _split(a, codes)
    g = sp.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, int(codes.max()) + 1))
    prod = masked_rowsum
    return {
        "in_s": colsum(a_s),
        "out_s": rowsum(a_s),
        "in_d": colsum(a_d),
        "out_d": rowsum(a_d),
        "in_g": np.asarray((a.T @ g).todense()),
        "out_g": np.asarray((a @ g).todense()),
        "mutual_s": rowsum(a_s.multiply(a_s.T)),
        "mutual_d": rowsum(a_d.multiply(a_d.T)),
        "closed_ss": prod(a_s, a, a_s),
        "closed_sd": prod(a_s, a, a_d),
        "closed_ds": prod(a_d, a, a_s),
        "closed_dd": prod(a_d, a, a_d),
        "closed_itinerant": prod(a_d, a_s, a_d),
    }


def _split(a: sp.csr_matrix, codes: np.ndarray) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(A_s, A_d): the arcs of ``a`` within a group and between groups."""
    n = a.shape[0]
    coo = a.tocoo()
    same = codes[coo.row] == codes[coo.col]
    a_s = sp.csr_matrix((np.ones(int(same.sum())), (coo.row[same], coo.col[same])), shape=(n, n))
    a_d = (a - a_s).tocsr()
    a_d.eliminate_zeros()
    return a_s, a_d


def _tallies_dense(a: sp.csr_matrix, codes: np.ndarray) -> dict[str, np.ndarray]:
    """The tallies of :func:`_tallies_sparse` on the dense matrix, with two products.

    With A the 0/1 arcs, A_s = A on the pairs within a group and A_d = A − A_s, the
    five masked products need only P = Aᵀ A and Q = A_sᵀ A: ``closed_ss`` =
    rowsum(Q ∘ A_s), ``closed_sd`` = rowsum(Q ∘ A_d), ``closed_ds`` = rowsum(P ∘ A_s)
    − closed_ss and ``closed_dd`` = rowsum(P ∘ A_d) − closed_sd (since A_dᵀ A = P − Q),
    and ``closed_itinerant`` = rowsum(Qᵀ ∘ A_d) (A_dᵀ A_s ∘ A_d = Aᵀ A_s ∘ A_d because a
    2-path b ← a → c with a in c's group and c outside b's has a outside b's; and
    Aᵀ A_s = Qᵀ). Two n × n × n products instead of five, each one BLAS call; the
    degrees and mutual arcs are O(n²) sums.

    The products run in float32 on the 0/1 matrix, which is exact: every entry is an
    integer ≤ n < 2²⁴ (:data:`_EXACT_FLOAT32`); sums are accumulated in float64.
    """
    x = a.toarray().astype(np.float32)
    same = codes[:, None] == codes[None, :]
    x_s = np.where(same, x, np.float32(0.0))
    x_d = x - x_s
    onehot = (codes[:, None] == np.arange(int(codes.max()) + 1)[None, :]).astype(np.float32)
    with blas_threads(x.shape[0]):  # one thread for a small graph
        p = x.T @ x
        q = x_s.T @ x
        in_g = (x.T @ onehot).astype(np.float64)
        out_g = (x @ onehot).astype(np.float64)

    def masked(y: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return (y * mask).sum(axis=1, dtype=np.float64)

    ss, sd = masked(q, x_s), masked(q, x_d)
    return {
        "in_s": x_s.sum(axis=0, dtype=np.float64),
        "out_s": x_s.sum(axis=1, dtype=np.float64),
        "in_d": x_d.sum(axis=0, dtype=np.float64),
        "out_d": x_d.sum(axis=1, dtype=np.float64),
        "in_g": in_g,
        "out_g": out_g,
        "mutual_s": masked(x_s, x_s.T),
        "mutual_d": masked(x_d, x_d.T),
        "closed_ss": ss,
        "closed_sd": sd,
        "closed_ds": masked(p, x_s) - ss,
        "closed_dd": masked(p, x_d) - sd,
        "closed_itinerant": masked(q.T, x_d),
    }


def gf_node_moments(sizes: np.ndarray, density: float) -> tuple[np.ndarray, np.ndarray]:
    """Expectation and variance of a broker's Gould–Fernandez counts, by broker group.

    Under a Bernoulli digraph of density d on N nodes in groups of sizes n_1..n_K, with
    q = d²(1 − d) (the chance a given a → b → c is an open 2-path), for a broker in group
    i (``sna::brokerage``, ``exp.grp``/``sd.grp``; Butts, R/models.R):

    - coordinator: E = q (n_i − 1)(n_i − 2),
      V = E(1 − q) + 2 (n_i − 1)(n_i − 2)(n_i − 3) d³(1 − d)³;
    - itinerant: E = q Σ_{j≠i} n_j(n_j − 1),
      V = E(1 − q) + 2 Σ_{j≠i} n_j(n_j − 1)(n_j − 2) d³(1 − d)³;
    - representative, gatekeeper: E = q (N − n_i)(n_i − 1),
      V = E(1 − q) + 2 ((n_i − 1) C(N − n_i, 2) + (N − n_i) C(n_i − 1, 2)) d³(1 − d)³;
    - liaison: E = q (Σ_{j,k≠i} n_j n_k − Σ_{j≠i} n_j²),
      V = E(1 − q) + 4 Σ_{j≠i} n_j C(N − n_j − n_i, 2) d³(1 − d)³;
    - total: E = q (N − 1)(N − 2), V = E(1 − q) + 2 (N − 1)(N − 2)(N − 3) d³(1 − d)³.

    Returns
    -------
    (expected, variance) : ndarray (K, 6) each, columns as :data:`ROLES`.
    """
    n = np.asarray(sizes, dtype=np.float64)
    big_n = n.sum()
    d = float(density)
    q = d * d * (1 - d)
    t3 = d**3 * (1 - d) ** 3
    rest = big_n - n  # Σ_{j≠i} n_j
    sq_rest = (n * n).sum() - n * n  # Σ_{j≠i} n_j²
    e = np.zeros((len(n), 6))
    v = np.zeros((len(n), 6))
    e[:, 0] = q * (n - 1) * (n - 2)
    v[:, 0] = e[:, 0] * (1 - q) + 2 * (n - 1) * (n - 2) * (n - 3) * t3
    s2 = n * (n - 1)
    s3 = n * (n - 1) * (n - 2)
    e[:, 1] = q * (s2.sum() - s2)
    v[:, 1] = e[:, 1] * (1 - q) + 2 * (s3.sum() - s3) * t3
    e[:, 2] = q * rest * (n - 1)
    v[:, 2] = e[:, 2] * (1 - q) + 2 * ((n - 1) * _choose2(rest) + rest * _choose2(n - 1)) * t3
    e[:, 3], v[:, 3] = e[:, 2], v[:, 2]
    e[:, 4] = q * (rest * rest - sq_rest)
    # Σ_{j≠i} n_j C(N − n_j − n_i, 2): a K x K table with the diagonal removed.
    pair = n[None, :] * _choose2(big_n - n[None, :] - n[:, None])
    np.fill_diagonal(pair, 0.0)
    v[:, 4] = e[:, 4] * (1 - q) + 4 * pair.sum(axis=1) * t3
    e[:, 5] = q * (big_n - 1) * (big_n - 2)
    v[:, 5] = e[:, 5] * (1 - q) + 2 * (big_n - 1) * (big_n - 2) * (big_n - 3) * t3
    return e + 0.0, v + 0.0  # + 0.0 turns the -0.0 of one-node groups into 0.0


def gf_network_moments(sizes: np.ndarray, density: float) -> tuple[np.ndarray, np.ndarray]:
    """Expectation and variance of the network's Gould–Fernandez totals.

    ``sna::brokerage``'s ``exp.gli`` and the square of ``sd.gli`` (Butts, R/models.R),
    with d the density, q = d²(1 − d), a = d³(1 − d)³, b = d⁴(1 − d)², c = d⁵(1 − d),
    n_g the group sizes and N = Σ n_g:

    - coordinator: E = q Σ n(n − 1)(n − 2),
      V = E(1 − q) + Σ n(n − 1)(n − 2)((4n − 10)a − 4(n − 3)b + (n − 3)c);
    - itinerant: E = q Σ n(N − n)(n − 1),
      V = E(1 − q) + Σ_{g,h} n_g n_h (n_g − 1)((2n_g + 2n_h − 6)a + (N − n_g − 1)c)
      − Σ_g n_g² (n_g − 1)((4n_g − 6)a + (N − n_g − 1)c);
    - representative, gatekeeper: E = q Σ n(N − n)(n − 1),
      V = E(1 − q) + Σ n(N − n)(n − 1)((N − 3)a + (n − 2)c);
    - liaison: E = q (Σ_{g,h} n_g n_h (N − n_g − n_h) − Σ n²(N − 2n)),
      V = E(1 − q) + Σ_{g,h,k distinct} n_g n_h n_k ((4(N − n_h) − 2(n_g + n_k + 1))a
      − (4(N − n_k) − 2(n_g + n_h + 1))b + (N − (n_g + n_k + 1))c);
    - total: E = q N(N − 1)(N − 2),
      V = E(1 − q) + N(N − 1)(N − 2)((4N − 10)a − 4(N − 3)b + (N − 3)c).

    Returns
    -------
    (expected, variance) : ndarray (6,) each, in the order of :data:`ROLES`.

    Examples
    --------
    >>> e, v = gf_network_moments(np.array([2.0, 2.0]), 0.5)
    >>> e.tolist()  # q = 1/8; itinerant 1/8 * (2*2*1 + 2*2*1)
    [0.0, 1.0, 1.0, 1.0, 0.0, 3.0]
    """
    n = np.asarray(sizes, dtype=np.float64)
    big_n = n.sum()
    d = float(density)
    q = d * d * (1 - d)
    a, b, c = d**3 * (1 - d) ** 3, d**4 * (1 - d) ** 2, d**5 * (1 - d)
    e = np.zeros(6)
    v = np.zeros(6)
    s3 = n * (n - 1) * (n - 2)
    e[0] = q * s3.sum()
    v[0] = e[0] * (1 - q) + (s3 * ((4 * n - 10) * a - 4 * (n - 3) * b + (n - 3) * c)).sum()
    e[1] = q * (n * (big_n - n) * (n - 1)).sum()
    x, y = n[:, None], n[None, :]
    outer = x * y * (x - 1) * ((2 * x + 2 * y - 6) * a + (big_n - x - 1) * c)
    diag = n * n * (n - 1) * ((4 * n - 6) * a + (big_n - n - 1) * c)
    v[1] = e[1] * (1 - q) + outer.sum() - diag.sum()
    e[2] = q * (n * (big_n - n) * (n - 1)).sum()
    v[2] = e[2] * (1 - q) + (n * (big_n - n) * (n - 1) * ((big_n - 3) * a + (n - 2) * c)).sum()
    e[3], v[3] = e[2], v[2]
    e[4] = q * ((x * y * (big_n - x - y)).sum() - (n * n * (big_n - 2 * n)).sum())
    ni, nj, nk = n[:, None, None], n[None, :, None], n[None, None, :]
    k = len(n)
    idx = np.arange(k)
    distinct = (
        (idx[:, None, None] != idx[None, :, None])
        & (idx[None, :, None] != idx[None, None, :])
        & (idx[:, None, None] != idx[None, None, :])
    )
    term = (
        ni
        * nj
        * nk
        * (
            (4 * (big_n - nj) - 2 * (ni + nk + 1)) * a
            - (4 * (big_n - nk) - 2 * (ni + nj + 1)) * b
            + (big_n - (ni + nk + 1)) * c
        )
    )
    v[4] = e[4] * (1 - q) + term[distinct].sum()
    e[5] = q * big_n * (big_n - 1) * (big_n - 2)
    v[5] = e[5] * (1 - q) + big_n * (big_n - 1) * (big_n - 2) * (
        (4 * big_n - 10) * a - 4 * (big_n - 3) * b + (big_n - 3) * c
    )
    return e, v


def node_ei(adj: sp.spmatrix, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each node's external and internal contacts and E-I index.

    Contacts are the nodes tied in either direction; codes < 0 (unknown group) are left
    out on both sides.

    Returns
    -------
    external, internal : ndarray of int64; ei : ndarray of float (NaN without contacts
    of known group, or for a node of unknown group).
    """
    s = binary(symmetrised(adj)).tocoo()
    codes = np.asarray(codes, dtype=np.int64)
    n = s.shape[0]
    known = (codes[s.row] >= 0) & (codes[s.col] >= 0)
    ext = known & (codes[s.row] != codes[s.col])
    external = np.bincount(s.row[ext], minlength=n).astype(np.int64)
    internal = np.bincount(s.row[known & ~ext], minlength=n).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = external + internal
        ei = np.where(total > 0, (external - internal) / total, np.nan)
    return external, internal, ei


def ei_permutation(
    adj: sp.spmatrix, codes: np.ndarray, permutations: int, seed: int
) -> dict[str, Any]:
    """Whole-network E-I of a graph with its permutation test (see :func:`ei_test`).

    Ties are the pairs tied in either direction, counted once; nodes with code < 0 are
    dropped. Each permutation shuffles the codes of the kept nodes
    (``numpy.random.Generator.permuted``, vectorised over a block of permutations);
    E is counted over whichever of the ties or the non-ties is the smaller set (E over
    ties = X − E over non-ties).

    Returns
    -------
    dict
        Keys as the columns of :func:`ei_test`, plain Python values.
    """
    codes = np.asarray(codes, dtype=np.int64)
    keep = np.flatnonzero(codes >= 0)
    s = binary(symmetrised(adj))[keep][:, keep]
    c = pd.factorize(codes[keep])[0].astype(np.int64)
    n = len(keep)
    up = sp.triu(s, k=1).tocoo()
    i, j = up.row.astype(np.int64), up.col.astype(np.int64)
    t = len(i)
    external = int((c[i] != c[j]).sum())
    internal = t - external
    sizes = np.bincount(c).astype(np.float64) if n else np.zeros(0)
    pairs = n * (n - 1) / 2
    between = (sizes.sum() ** 2 - (sizes**2).sum()) / 2
    out: dict[str, Any] = {
        "ties": t,
        "external": external,
        "internal": internal,
        "permutations": int(permutations),
    }
    nan_keys = [k for k in EI_KEYS if k not in out]
    if t == 0:
        out.update(dict.fromkeys(nan_keys, math.nan))
        return out
    ei = (external - internal) / t
    mean_e = t * between / pairs  # exact mean of E under label permutation
    out["ei_index"] = float(ei)
    out["expected"] = float(2 * between / pairs - 1)
    out["min_possible"] = float((2 * max(0.0, t - (pairs - between)) - t) / t)
    out["max_possible"] = float((2 * min(float(t), between) - t) / t)
    perm_e = _permuted_external(c, i, j, t, int(between), permutations, seed)
    perm_ei = (2 * perm_e - t) / t
    tol = 1e-9
    s_plus = permutations + 1  # the +1 rule (INFERENCE.md): the observed labelling counts
    p_greater = float((1 + (perm_e >= external).sum()) / s_plus)
    p_less = float((1 + (perm_e <= external).sum()) / s_plus)
    out["perm_mean"] = float(perm_ei.mean())
    out["perm_sd"] = float(perm_ei.std(ddof=1)) if permutations > 1 else math.nan
    out["perm_min"] = float(perm_ei.min())
    out["perm_max"] = float(perm_ei.max())
    out["p_greater"] = p_greater
    out["p_less"] = p_less
    out["p_one_sided"] = p_greater if external >= mean_e else p_less
    far = np.abs(perm_e - mean_e) >= abs(external - mean_e) - tol
    out["p_two_sided"] = float((1 + far.sum()) / s_plus)
    return out


def _permuted_external(
    c: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    t: int,
    between: int,
    permutations: int,
    seed: int,
) -> np.ndarray:
    """E under ``permutations`` random relabellings, counted over the smaller of the
    ties and the non-ties."""
    n = len(c)
    rng = np.random.default_rng(seed)
    pairs = n * (n - 1) // 2
    if pairs - t < t:  # count E on the non-ties: E = between - E(non-ties)
        iu, ju = np.triu_indices(n, k=1)
        tied = np.zeros((n, n), dtype=bool)
        tied[i, j] = True
        free = ~tied[iu, ju]
        ei_, ej_, flip = iu[free], ju[free], True
    else:
        ei_, ej_, flip = i, j, False
    m = max(len(ei_), 1)
    block = max(1, _PERM_CHUNK // m)
    small = c.astype(np.int16 if c.max(initial=0) < 2**15 else np.int64)
    out = np.empty(permutations, dtype=np.int64)
    for start in range(0, permutations, block):
        b = min(block, permutations - start)
        lab = rng.permuted(np.broadcast_to(small, (b, n)), axis=1)
        out[start : start + b] = (lab[:, ei_] != lab[:, ej_]).sum(axis=1)
    return between - out if flip else out


def group_codes(s: pd.Series) -> np.ndarray:
    """Integer codes of a node attribute, -1 where missing.

    Examples
    --------
    >>> group_codes(pd.Series(["a", None, "b", "a"])).tolist()
    [0, -1, 1, 0]
    """
    codes, _ = pd.factorize(s.astype("object").where(s.notna(), None), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def role_codes(s: pd.Series) -> np.ndarray:
    """Codes with missing values as one extra group (``sna::brokerage`` treats NA so).

    Examples
    --------
    >>> role_codes(pd.Series(["a", None, "b", "a"])).tolist()
    [0, 2, 1, 0]
    """
    codes = group_codes(s)
    if len(codes) and (codes < 0).any():
        codes = np.where(codes < 0, codes.max() + 1, codes)
    return codes


def _choose2(x: np.ndarray) -> np.ndarray:
    return x * (x - 1) / 2
