"""The registry of graph statistics a null test can ask for (INFERENCE.md §2).

Each statistic is a function of a :class:`GraphView` (a projection's ties, its nodes'
authority and group codes, and the seed) returning a float. Every one is computed as
:func:`wpnet.capacity` computes the column of the same name (the same igraph calls and
the same helpers), so ``null_test(...)["observed"]`` equals ``capacity(...)`` on the same
graph; ``centralization`` is Freeman's betweenness centralization, from the
``betweenness`` column of :func:`wpnet.brokerage`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from wpnet._sparse import edge_list
from wpnet.inference._sampled import Ties
from wpnet.measures.capacity import (
    leiden_membership,
    mean_distance,
    robustness,
    sample_sources,
    spanning_share,
    too_big_for_exact_paths,
)

__all__ = ["LABEL_STATISTICS", "STATISTICS", "GraphView", "statistic_names"]


@dataclass
class GraphView:
    """What a statistic reads: a graph's ties, node codes and the seed.

    Attributes
    ----------
    ties : Ties
        Kept ties (i < j) with their weights (shared networks).
    auth, groups : ndarray of int
        Authority and ``group`` codes of the nodes (-1 unknown).
    seed : int
        Seed of Leiden and of sampled path estimates (as :func:`wpnet.capacity`).
    """

    ties: Ties
    auth: np.ndarray
    groups: np.ndarray
    seed: int
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return self.ties.n

    @property
    def igraph(self) -> Any:
        """Undirected igraph Graph, edges in the order of :func:`wpnet.capacity`'s."""
        if "g" not in self._cache:
            import igraph as ig

            t = self.ties
            g = ig.Graph(n=t.n, edges=edge_list(t.rows, t.cols))
            g.es["weight"] = t.weight.astype(np.float64).tolist()
            self._cache["g"] = g
        return self._cache["g"]

    @property
    def membership(self) -> list[int]:
        """Leiden communities (modularity objective, seeded) on the weighted graph."""
        if "membership" not in self._cache:
            self._cache["membership"] = leiden_membership(self.igraph, self.seed)
        return self._cache["membership"]

    def relabelled(self, auth: np.ndarray, groups: np.ndarray) -> GraphView:
        """The same graph (and its cached igraph and communities) with other labels."""
        return GraphView(self.ties, auth, groups, self.seed, self._cache)


def _density(v: GraphView) -> float:
    n, t = v.n, v.ties.rows.size
    return 2 * t / (n * (n - 1)) if n >= 2 else math.nan


def _transitivity(v: GraphView) -> float:
    return float(v.igraph.transitivity_undirected(mode="nan")) if v.n else math.nan


def _modularity(v: GraphView) -> float:
    g = v.igraph
    if not g.ecount():
        return math.nan
    return float(g.modularity(v.membership, weights=g.es["weight"]))


def _communities(v: GraphView) -> float:
    return float(len(set(v.membership)))


def _largest(v: GraphView) -> float:
    if not v.n:
        return math.nan
    return float(max(v.igraph.connected_components().sizes()) / v.n)


def _robust(v: GraphView) -> float:
    g = v.igraph
    return robustness(g, v.seed if too_big_for_exact_paths(g) else None)


def _distance(v: GraphView) -> float:
    g = v.igraph
    if not v.n:
        return math.nan
    comps = g.connected_components()
    sizes = np.asarray(comps.sizes())
    if sizes.max() < 2:
        return math.nan
    giant = g.induced_subgraph(comps[int(np.argmax(sizes))])
    return mean_distance(giant, v.seed if too_big_for_exact_paths(g) else None)


def _cross(v: GraphView) -> float:
    a, i, j = v.auth, v.ties.rows, v.ties.cols
    known = (a[i] >= 0) & (a[j] >= 0)
    if not known.any():
        return math.nan
    return float((known & (a[i] != a[j])).sum() / known.sum())


def _ei(v: GraphView) -> float:
    g, i, j = v.groups, v.ties.rows, v.ties.cols
    known = (g[i] >= 0) & (g[j] >= 0)
    total = int(known.sum())
    if not total:
        return math.nan
    external = int((known & (g[i] != g[j])).sum())
    return float((2 * external - total) / total)


def _span(v: GraphView) -> float:
    return spanning_share(np.asarray(v.membership), v.auth)


def _centralization(v: GraphView) -> float:
    n = v.n
    if n < 3:
        return math.nan
    g = v.igraph
    if too_big_for_exact_paths(g):
        from wpnet.measures.brokerage import sampled_betweenness

        t = v.ties
        adj = sp.csr_matrix((np.ones(t.rows.size), (t.rows, t.cols)), shape=(n, n))
        bt, _ = sampled_betweenness(adj + adj.T, samples=sample_sources(), seed=v.seed)
    else:
        bt = np.asarray(g.betweenness(directed=False), dtype=np.float64)
        bt = bt * 2.0 / ((n - 1) * (n - 2))
    return float((bt.max() - bt).sum() / (n - 1))


#: Statistic name -> function of a :class:`GraphView`.
STATISTICS: dict[str, Callable[[GraphView], float]] = {
    "density": _density,
    "transitivity": _transitivity,
    "modularity": _modularity,
    "communities": _communities,
    "largest_component_share": _largest,
    "robustness": _robust,
    "mean_distance": _distance,
    "cross_authority_share": _cross,
    "ei_index": _ei,
    "spanning_communities_share": _span,
    "centralization": _centralization,
}

#: Statistics that depend on node labels (authority or ``group``), for the labels null.
LABEL_STATISTICS = frozenset({"cross_authority_share", "ei_index", "spanning_communities_share"})


def statistic_names() -> list[str]:
    """The names of the registered statistics.

    Examples
    --------
    >>> "modularity" in statistic_names()
    True
    """
    return list(STATISTICS)
