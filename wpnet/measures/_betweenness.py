"""Betweenness: exact (Brandes, from the shared shortest-path pass of
:mod:`wpnet.measures._paths`) or estimated from sampled sources (igraph's C core).

One place for betweenness and the rule that decides when it is sampled
(:func:`_too_costly`), used by :func:`wpnet.brokerage` and :func:`wpnet.capacity`.
A documented internal helper module: other wpnet modules import its names, private
ones included; users reach :func:`sampled_betweenness` as
``wpnet.measures.brokerage.sampled_betweenness`` too.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp

from wpnet._sparse import edge_list
from wpnet.measures._paths import shared_path_sums

__all__ = [
    "BETWEENNESS_METHODS",
    "BETWEENNESS_SAMPLES",
    "EXACT_BETWEENNESS_WORK",
    "sampled_betweenness",
]

#: How :func:`brokerage` computes betweenness.
BETWEENNESS_METHODS = ("auto", "exact", "sampled")

#: Work (nodes x ties) above which ``betweenness="auto"`` samples sources instead of
#: running Brandes' algorithm over all of them: igraph does about 1.2e8 units a second on
#: one core of the 2-core benchmark machine, so 1e10 is about a minute and a half.
EXACT_BETWEENNESS_WORK = 1e10

#: Sources of the sampled betweenness estimate when ``samples`` is not given.
BETWEENNESS_SAMPLES = 1000


def _betweenness_by(
    adj: sp.csr_matrix, directed: bool, method: str, samples: int, seed: int
) -> tuple[np.ndarray, dict[str, Any]]:
    """Betweenness exactly or by sampling, as ``method`` and the work bound decide."""
    n = adj.shape[0]
    ties = adj.nnz if directed else adj.nnz // 2
    work = float(n) * float(ties)
    if method == "auto":
        method = "sampled" if _too_costly(n, ties, samples) else "exact"
        if method == "sampled":
            warnings.warn(
                f"betweenness is estimated from {samples:,} sampled sources of {n:,} nodes: "
                f"the exact run (n·m = {work:.2g}) exceeds EXACT_BETWEENNESS_WORK = "
                f"{EXACT_BETWEENNESS_WORK:.0g}; pass betweenness='exact' to insist",
                UserWarning,
                stacklevel=7,  # the caller of brokerage()
            )
    if method == "exact":
        return _betweenness(adj, directed), {"method": "exact"}
    return sampled_betweenness(adj, samples=samples, seed=seed, directed=directed)


def _too_costly(nodes: int, ties: float, samples: int) -> bool:
    """Whether exact all-pairs path work (nodes x ties) exceeds
    :data:`EXACT_BETWEENNESS_WORK` and ``samples`` sources would be fewer than the nodes:
    the rule by which betweenness, mean distance and robustness are sampled."""
    return float(nodes) * float(ties) > EXACT_BETWEENNESS_WORK and samples < nodes


def _igraph(adj: sp.spmatrix, directed: bool) -> Any:
    """An unweighted igraph Graph with the pattern of ``adj`` (vertex i = row i)."""
    import igraph as ig

    coo = (adj if directed else sp.triu(adj, k=1)).tocoo()
    return ig.Graph(
        n=adj.shape[0],
        edges=edge_list(coo.row, coo.col),
        directed=directed,
    )


def _betweenness(adj: sp.csr_matrix, directed: bool) -> np.ndarray:
    """Unweighted betweenness, normalised as networkx's ``normalized=True``, from the
    graph's one shortest-path pass (:func:`wpnet.measures._paths.shared_path_sums`,
    remembered per graph and shared with ``capacity``)."""
    if adj.shape[0] == 0:
        return np.zeros(0)
    return shared_path_sums(adj, directed=directed).betweenness()


def sampled_betweenness(
    adj: sp.spmatrix,
    samples: int = 1000,
    seed: int = 0,
    directed: bool = False,
    confidence: float = 0.95,
    batches: int = 10,
    sources: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Normalised betweenness estimated from a sample of sources (Brandes & Pich 2007).

    With δ_s(v) = Σ_t σ_st(v)/σ_st the dependency of source s on v (δ_v(v) = 0), exact
    normalised betweenness is b(v) = Σ_{s≠v} δ_s(v) / ((n − 1)(n − 2)). Drawing k
    sources S uniformly without replacement, the other sources of a node v are a uniform
    sample of k_v = k − [v ∈ S] of the n − 1 nodes other than v, so

        b̂(v) = Σ_{s∈S} δ_s(v) / (k_v (n − 2))

    is unbiased. This is the estimator of networkx's ``betweenness_centrality(k=...)``
    (networkx >= 3.5, which scales sources and non-sources apart in the same way), and
    equals it given the same sources. Each term δ_s(v)/(n − 2) lies in [0, 1], so by
    Hoeffding's inequality (which holds for sampling without replacement) and a union
    bound over the n nodes, with probability at least ``confidence`` every node's
    estimate is within ``error_bound`` = sqrt(ln(2n / (1 − confidence)) / (2(k − 1))) of
    its exact value. That guarantee is conservative; the sources are also split into
    ``batches`` groups whose estimates give each node an empirical standard error,
    summarised as ``median_se`` and ``max_se``.

    Parameters
    ----------
    adj : scipy.sparse matrix
        n x n adjacency pattern (non-zeros are ties; symmetric when undirected).
    samples : int
        k, the number of sources; with k >= n the result is exact.
    seed : int
        Seed of the draw (numpy ``default_rng``).
    directed : bool
        Treat ``adj`` as directed arcs row -> column.
    confidence : float
        Probability of the simultaneous bound, in (0, 1).
    batches : int
        Groups of sources for the empirical standard errors.
    sources : array of int, optional
        The sources to use instead of a random draw (for reproducing another tool's
        sample).

    Returns
    -------
    estimate : ndarray
        b̂(v) per node, on the scale of networkx's ``normalized=True``.
    info : dict
        ``method`` ("sampled", or "exact" when every node is a source), ``sources`` (k),
        ``nodes`` (n), ``seed``, ``confidence``, ``error_bound``, ``median_se``,
        ``max_se``.

    References
    ----------
    Brandes & Pich (2007), Centrality estimation in large networks, IJBC 17(7);
    Hoeffding (1963), JASA 58, Theorem 4 (sampling without replacement).

    Examples
    --------
    >>> import networkx as nx
    >>> adj = nx.to_scipy_sparse_array(nx.path_graph(5), format="csr")
    >>> est, info = sampled_betweenness(adj, samples=5)
    >>> info["method"], est.round(3).tolist()
    ('exact', [0.0, 0.5, 0.667, 0.5, 0.0])
    """
    adj = sp.csr_matrix(adj)
    n = adj.shape[0]
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), not {confidence}")
    if sources is None:
        if samples < 1:
            raise ValueError(f"samples must be at least 1, not {samples}")
        if samples >= n:
            return _betweenness(adj, directed), {"method": "exact", "sources": n, "nodes": n}
        sources = np.random.default_rng(seed).choice(n, size=samples, replace=False)
    sources = np.asarray(sources, dtype=np.int64)
    k = len(sources)
    if n <= 2 or k == 0:
        return np.zeros(n), {"method": "sampled", "sources": k, "nodes": n, "seed": seed}
    g = _igraph(adj, directed)
    # igraph's subset betweenness counts each source's dependencies once per unordered
    # pair when undirected: it returns Σ_{s∈S} δ_s(v) / 2
    unit = (1.0 if directed else 2.0) / (n - 2)
    parts = [p for p in np.array_split(sources, min(batches, k)) if len(p)]
    sums = np.vstack(
        [
            np.asarray(g.betweenness(directed=directed, sources=p.tolist()), dtype=np.float64)
            * unit
            for p in parts
        ]
    )
    member = np.zeros((len(parts), n), dtype=np.float64)
    for j, p in enumerate(parts):
        member[j, p] = 1.0
    in_sample = member.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = sums.sum(axis=0) / (k - in_sample)
        per_batch = sums / (np.array([len(p) for p in parts])[:, None] - member)
    estimate = np.nan_to_num(estimate, nan=0.0)  # k = 1 and v the source: no pairs seen
    se = np.full(n, np.nan)
    if len(parts) > 1:
        seen = np.isfinite(per_batch).sum(axis=0)
        ok = seen > 1  # a node that was the only source of a batch of one has one less
        mean = np.nanmean(per_batch[:, ok], axis=0)
        dev = np.nansum((per_batch[:, ok] - mean) ** 2, axis=0)
        se[ok] = np.sqrt(dev / (seen[ok] - 1) / seen[ok])
    bound = np.sqrt(np.log(2 * n / (1 - confidence)) / (2 * max(k - 1, 1)))
    return estimate, {
        "method": "sampled",
        "sources": int(k),
        "nodes": int(n),
        "seed": int(seed),
        "confidence": float(confidence),
        "error_bound": float(bound),
        "median_se": float(np.nanmedian(se)) if np.isfinite(se).any() else float("nan"),
        "max_se": float(np.nanmax(se)) if np.isfinite(se).any() else float("nan"),
    }
