"""One shortest-path pass per graph: betweenness, distance sums and components together.

Brandes' algorithm (2001) traverses the graph once from every source s by breadth-first
search; the traversal yields the distances d(s, ·) and the path counts σ_s·, and the
backward sweep the dependencies δ_s(·). Betweenness, the mean distance of the largest
component and the betweenness ranking that robustness needs all come from those sums, so
one pass serves ``brokerage`` and ``capacity`` on the same graph.

Two engines compute the same sums:

- ``"matrix"``, for dense graphs (projections are nearly complete: the example's raw
  establishment projection has density 0.65): all sources of a block at once, level by
  level, with dense matrix products on BLAS. With σ the block's path counts and F_L the
  counts on level L (``F_0`` the sources), F_{L+1} = (F_L A) masked to unvisited nodes;
  backwards, X_{L+1} = (1 + Δ) / σ on level L + 1 and Δ += σ ∘ (X_{L+1} Aᵀ) on level L.
  Each level after the first (read off A's rows) costs one b × n × n product each way,
  so a graph of diameter D costs about 2 (D − 1) n³ multiply-adds in all, whatever its
  number of ties (undirected, the forward sweep stops once every source has reached
  its whole component).
- ``"igraph"``, for sparse graphs: igraph's C traversal per block of sources
  (``Graph.betweenness(sources=block)``, whose partial sums over disjoint source blocks
  add up to the whole, and the distance sums from ``Graph.closeness`` — from
  ``Graph.distances`` when directed), about n·m steps in all. The remembered pass
  (:func:`shared_path_sums`) skips that second traversal: the mean distance follows
  from the dependencies (every shortest s–t path has d(s, t) − 1 inner nodes; see
  :meth:`PathSums.mean_distance`).

``"auto"`` takes the engine with the lower estimated cost (igraph ~ n·m, matrix ~ D n³;
constants measured on this project's build machine by ``benchmarks/bench_paths.py``),
the matrix engine only up to :data:`MAX_DENSE_NODES` nodes (a dense n × n matrix). On
the example's raw projection (density 0.65) the matrix engine took 0.17 s against 2.6 s
for the igraph engine (wall, quiet machine) and 0.87 against 4.9 CPU s (loaded
machine); on its SDSM backbone (density 0.004) igraph is the faster by far. Sources
are cut into blocks of :data:`SOURCE_BLOCK`, fixed independently of the number of
workers; the igraph
engine's blocks run through :func:`wpnet._parallel.parallel_map` when the pass is
expected to take more than :data:`POOL_MIN_SECONDS`, and the matrix engine's in this
process (its BLAS products already use every core). Partial sums are added in block
order, so the result is the same with one worker or several.

:func:`shared_path_sums` remembers the pass per graph, keyed by the graph's tie pattern
(its node count, direction and a digest of the normalised CSR pattern), the
:data:`SHARED_PASSES` most recent: ``brokerage`` (exact betweenness), ``capacity``
(mean distance and robustness's ranking, when exact), the report, the figures and the
map each ask for the same selection's projection, and the first to ask computes the pass
for all. The key is the graph's content rather than the Ecosystem's derived-results
cache (:meth:`wpnet.Ecosystem.derived`) because the callers hold a matrix or an igraph
Graph, not the selection (capacity's units, inference's null graphs); two equal
patterns have the same pass, so a hit is exactly the result a new pass would give.
Only the O(n) sums are kept (not the graph), so remembering them costs little.

This is an internal module, shared by ``brokerage`` and ``capacity``.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, shortest_path

from wpnet._parallel import parallel_map, resolve_workers
from wpnet._sparse import drop_diagonal

__all__ = [
    "IGRAPH_SECONDS",
    "MATRIX_SECONDS",
    "MAX_DENSE_NODES",
    "PATH_METHODS",
    "POOL_MIN_SECONDS",
    "SHARED_PASSES",
    "SOURCE_BLOCK",
    "PathSums",
    "clear_shared_passes",
    "path_sums",
    "shared_path_sums",
]

#: Engines of :func:`path_sums`.
PATH_METHODS = ("auto", "matrix", "igraph")
#: Seconds per node x tie of igraph's traversal (betweenness and distances), measured.
IGRAPH_SECONDS = 8e-9
#: Seconds per n³ of one dense product of the matrix engine (one level, one direction).
MATRIX_SECONDS = 5e-11
#: Estimated seconds below which the blocks run in this process (a pool's start-up
#: costs about a second).
POOL_MIN_SECONDS = 2.0
#: Largest graph for the matrix engine (its dense adjacency takes 8 n² bytes).
MAX_DENSE_NODES = 8000
#: Sources per block: the unit of work sent to a worker and of the partial sums.
SOURCE_BLOCK = 256
#: Whole-graph passes :func:`shared_path_sums` remembers (the most recently used).
SHARED_PASSES = 8


@dataclass(frozen=True)
class PathSums:
    """What one shortest-path pass over a set of sources yields.

    Attributes
    ----------
    nodes : int
        n, the number of nodes.
    directed : bool
        Whether ties were read as arcs row -> column.
    sources : ndarray of int64
        The sources traversed, in the order given (all nodes when exact).
    dependency : ndarray of float64, shape (n,)
        Σ_{s ∈ sources} δ_s(v), with δ_s(v) = Σ_{t ≠ s, v} σ_st(v) / σ_st Brandes'
        dependency of s on v (δ_s(s) = 0). For an undirected graph both orders of every
        pair are counted.
    distance_sum : ndarray of float64, shape (len(sources),), or None
        Σ_t d(s, t) over the nodes t reachable from each source; None when the pass
        was asked without per-source distances (``path_sums(distances=False)``, which
        the igraph engine then does not traverse for; the matrix engine has them).
    reached : ndarray of int64, shape (len(sources),), or None
        Nodes reachable from each source, itself left out; None as ``distance_sum``
        for a directed pass by the igraph engine (undirected, the components give it).
    component : ndarray of int64, shape (n,)
        Connected component of every node (weak components when directed), numbered
        in order of their first node.
    method : str
        The engine that ran: ``"matrix"`` or ``"igraph"``.
    """

    nodes: int
    directed: bool
    sources: np.ndarray
    dependency: np.ndarray
    distance_sum: np.ndarray | None
    reached: np.ndarray | None
    component: np.ndarray
    method: str

    @property
    def exact(self) -> bool:
        """Whether every node was a source."""
        return len(self.sources) == self.nodes

    def betweenness(self) -> np.ndarray:
        """Freeman betweenness, normalised as networkx's ``normalized=True``.

        b(v) = Σ_s δ_s(v) / ((n − 1)(n − 2)) for n > 2 (both orders of a pair counted
        when undirected, so this is Σ_{s<t} σ_st(v)/σ_st / ((n − 1)(n − 2)/2)); zeros for
        n ≤ 2.

        Raises
        ------
        ValueError
            When the pass did not start from every node.
        """
        if not self.exact:
            raise ValueError(
                f"betweenness needs every node as a source; this pass has "
                f"{len(self.sources):,} of {self.nodes:,}"
            )
        if self.nodes <= 2:
            return np.zeros(self.nodes)
        return self.dependency / ((self.nodes - 1) * (self.nodes - 2))

    def largest_component(self) -> np.ndarray:
        """Nodes of the largest component (the first in node order if several tie)."""
        if self.nodes == 0:
            return np.zeros(0, dtype=np.int64)
        sizes = np.bincount(self.component)
        return np.flatnonzero(self.component == int(np.argmax(sizes)))

    def mean_distance(self) -> float:
        """Mean shortest-path length over the ordered pairs of the largest component.

        Σ_{s ≠ t in C} d(s, t) / (|C| (|C| − 1)), C the largest component (undirected
        graphs); NaN when C has one node. Equals networkx's
        ``average_shortest_path_length`` of C and igraph's ``average_path_length``.

        Without per-source distances (``distance_sum`` None) the sum comes from the
        dependencies: every shortest s–t path has d(s, t) − 1 inner nodes, so
        Σ_v σ_st(v) / σ_st = d(s, t) − 1 and, summing over the ordered pairs of C (whose
        dependencies fall on nodes of C only),

            Σ_{s ≠ t in C} d(s, t) = Σ_{v in C} Σ_s δ_s(v) + |C| (|C| − 1),

        the first sum rounded to the integer it is in exact arithmetic (its rounding
        error is many orders below 0.5 at any size a pass is exact for).

        Raises
        ------
        ValueError
            For a directed pass, or one that did not start from every node.
        """
        if self.directed:
            raise ValueError("mean_distance is defined here for undirected graphs only")
        if not self.exact:
            raise ValueError("mean_distance needs every node as a source")
        giant = self.largest_component()
        c = len(giant)
        if c < 2:
            return math.nan
        if self.distance_sum is None:
            total = round(float(self.dependency[giant].sum())) + c * (c - 1)
            return float(total / (c * (c - 1)))
        pos = np.empty(self.nodes, dtype=np.int64)
        pos[self.sources] = np.arange(len(self.sources))
        return float(self.distance_sum[pos[giant]].sum() / (c * (c - 1)))


def path_sums(
    adj: sp.spmatrix,
    *,
    directed: bool = False,
    sources: np.ndarray | None = None,
    method: str = "auto",
    workers: int | None = None,
    distances: bool = True,
) -> PathSums:
    """Brandes' shortest-path pass from ``sources`` (default every node), once.

    For every source s, breadth-first search gives the distances d(s, t), the number of
    shortest paths σ_st, and in a backward sweep the dependencies

        δ_s(v) = Σ_{w : v ∈ P_s(w)} σ_sv / σ_sw · (1 + δ_s(w))

    (Brandes 2001, Theorem 6), summed over the sources; distances are summed per source.

    Parameters
    ----------
    adj : scipy.sparse matrix
        n × n adjacency pattern; non-zeros are ties (weights are ignored: paths are
        counted in steps). Read as symmetric unless ``directed`` (a tie either way is a
        tie); the diagonal is ignored.
    directed : bool
        Read non-zero (i, j) as an arc i -> j.
    sources : array of int, optional
        The sources (distinct node positions); default every node. A subset gives the
        partial sums a sampled estimate is built from.
    method : {"auto", "matrix", "igraph"}
        The engine (see the module notes); the sums agree to rounding.
    workers : int, optional
        Processes for the igraph engine's blocks of sources
        (:func:`wpnet._parallel.resolve_workers`: default ``WPNET_WORKERS`` or every
        CPU), used when the pass is expected to take over :data:`POOL_MIN_SECONDS`. The
        result does not depend on it.
    distances : bool
        Whether to sum the distances per source (``distance_sum``, and ``reached`` when
        directed). The igraph engine needs a second traversal for them (``closeness``,
        or ``distances`` when directed: a third of the pass on a sparse graph); without
        them the mean distance still follows from the dependencies
        (:meth:`PathSums.mean_distance`). The matrix engine has them either way.

    Returns
    -------
    PathSums

    Raises
    ------
    ValueError
        For a non-square matrix, an unknown method, a bad ``workers``, or sources
        outside 0..n−1 or repeated.

    References
    ----------
    Brandes (2001), A faster algorithm for betweenness centrality, J. Math. Sociol.
    25(2):163-177; Freeman (1977), Sociometry 40(1):35-41.

    Examples
    --------
    >>> import networkx as nx
    >>> adj = nx.to_scipy_sparse_array(nx.path_graph(5), format="csr")
    >>> ps = path_sums(adj, workers=1)
    >>> ps.betweenness().round(3).tolist(), ps.mean_distance()
    ([0.0, 0.5, 0.667, 0.5, 0.0], 2.0)
    """
    if method not in PATH_METHODS:
        raise ValueError(f"method must be one of {PATH_METHODS!r}; got {method!r}")
    workers = resolve_workers(workers)
    a = _pattern(adj, directed)
    n = a.shape[0]
    if sources is None:
        src = np.arange(n, dtype=np.int64)
    else:
        src = np.asarray(sources, dtype=np.int64).ravel()
        if src.size and (src.min() < 0 or src.max() >= n):
            raise ValueError(f"sources must be node positions in 0..{n - 1}")
        if len(np.unique(src)) != len(src):
            raise ValueError("sources must not repeat")
    costs = _costs(a, directed)
    if method == "auto":
        method = min(costs, key=costs.__getitem__)
    if method == "matrix" or costs["igraph"] * len(src) / max(n, 1) < POOL_MIN_SECONDS:
        workers = 1  # BLAS already runs the matrix engine's products on every core
    _, comp = connected_components(a, directed=directed, connection="weak")
    comp = _first_order(comp)
    blocks = [src[i : i + SOURCE_BLOCK] for i in range(0, len(src), SOURCE_BLOCK)]
    others = None if directed else np.bincount(comp)[comp] - 1  # reachable, undirected
    distances = bool(distances) or method == "matrix"  # the matrix engine has them free
    shared = (uuid.uuid4().hex, a, directed, method, others, distances)
    parts = parallel_map(_block, blocks, shared=shared, workers=workers)
    dependency = np.zeros(n)
    for dep, _, _ in parts:  # in block order: the same sum whatever the workers
        dependency += dep
    distance_sum, reached = None, None
    if distances:
        distance_sum = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0)
        distance_sum = distance_sum.astype(np.float64)
    if distances or not directed:
        reached = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.int64)
        reached = reached.astype(np.int64)
    return PathSums(
        nodes=n,
        directed=directed,
        sources=src,
        dependency=dependency,
        distance_sum=distance_sum,
        reached=reached,
        component=comp,
        method=method,
    )


_SHARED: OrderedDict[tuple[int, bool, str], PathSums] = OrderedDict()


def shared_path_sums(
    adj: sp.spmatrix, *, directed: bool = False, workers: int | None = None
) -> PathSums:
    """:func:`path_sums` from every node, remembered per graph.

    The graph is identified by its tie pattern as :func:`path_sums` reads it (non-zeros,
    symmetrised unless ``directed``, diagonal dropped): n, ``directed`` and a BLAKE2
    digest of the sorted CSR index arrays. A graph seen among the :data:`SHARED_PASSES`
    most recent is not traversed again; the remembered sums are read-only. ``workers``
    is not part of the key: the result does not depend on it.

    Parameters
    ----------
    adj : scipy.sparse matrix
        n × n adjacency pattern (weights ignored).
    directed : bool
        Read non-zero (i, j) as an arc i -> j.
    workers : int, optional
        As in :func:`path_sums`.

    Returns
    -------
    PathSums
        The exact pass (every node a source), ``method="auto"``.

    Examples
    --------
    >>> import networkx as nx
    >>> adj = nx.to_scipy_sparse_array(nx.path_graph(5), format="csr")
    >>> shared_path_sums(adj) is shared_path_sums(adj * 3.0)
    True
    """
    a = _pattern(adj, directed)
    digest = hashlib.blake2b(digest_size=20)
    digest.update(a.indptr.astype(np.int64).tobytes())
    digest.update(a.indices.astype(np.int64).tobytes())
    key = (a.shape[0], bool(directed), digest.hexdigest())
    if key in _SHARED:
        _SHARED.move_to_end(key)
        return _SHARED[key]
    ps = path_sums(a, directed=directed, workers=workers, distances=False)
    for arr in (ps.sources, ps.dependency, ps.distance_sum, ps.reached, ps.component):
        if arr is not None:
            arr.setflags(write=False)
    _SHARED[key] = ps
    while len(_SHARED) > SHARED_PASSES:
        _SHARED.popitem(last=False)
    return ps


def clear_shared_passes() -> None:
    """Forget every pass :func:`shared_path_sums` remembers."""
    _SHARED.clear()


def _pattern(adj: sp.spmatrix, directed: bool) -> sp.csr_matrix:
    """The 0/1 tie pattern :func:`path_sums` reads: non-zeros, symmetrised unless
    ``directed``, no diagonal, sorted indices."""
    a = sp.csr_matrix(adj)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"adj must be square; got shape {a.shape}")
    a = sp.csr_matrix((a != 0).astype(np.float64))
    if not directed:
        a = sp.csr_matrix(((a + a.T) != 0).astype(np.float64))
    a = drop_diagonal(a)
    a.sort_indices()
    return a


def _costs(a: sp.csr_matrix, directed: bool) -> dict[str, float]:
    """Estimated seconds of a whole pass by each engine (cost model measured
    on this project's build machine: ``benchmarks/bench_paths.py --density-sweep``).

    igraph costs about :data:`IGRAPH_SECONDS` per node x tie (one traversal per source);
    the matrix engine about :data:`MATRIX_SECONDS` per n³ per level and direction, with
    the levels estimated by the eccentricity e of the highest-degree node (about 2e
    products per block of sources: e − 1 forward, the first level being read off the
    adjacency, e − 1 backward, and one to find the last level empty when directed).
    """
    n = a.shape[0]
    ties = a.nnz if directed else a.nnz // 2
    costs = {"igraph": IGRAPH_SECONDS * n * max(ties, 1), "matrix": math.inf}
    if n < 3 or n > MAX_DENSE_NODES or ties == 0:
        return costs
    hub = int(np.argmax(np.diff(a.indptr)))
    d = shortest_path(a, directed=directed, unweighted=True, indices=[hub])
    ecc = int(np.max(d[np.isfinite(d)]))
    costs["matrix"] = MATRIX_SECONDS * float(n) ** 3 * 2 * max(ecc, 1)
    return costs


def _first_order(labels: np.ndarray) -> np.ndarray:
    """Component labels renumbered in order of each component's first node."""
    labels = np.asarray(labels, dtype=np.int64)
    if not len(labels):
        return labels
    _, first = np.unique(labels, return_index=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[labels]


# ---- the engines (run in worker processes) ---------------------------------------------
_CACHE: dict[str, Any] = {}  # one prepared graph per process: {token: (kind, object)}


def _prepared(shared: tuple[str, sp.csr_matrix, bool, str, Any, bool]) -> Any:
    """The dense matrices or igraph Graph of ``shared``, built once per process."""
    token, a, directed, method, _, _ = shared
    if token not in _CACHE:
        _CACHE.clear()
        if method == "matrix":
            dense = a.toarray()
            _CACHE[token] = (dense, np.ascontiguousarray(dense.T) if directed else dense)
        else:
            import igraph as ig

            coo = (a if directed else sp.triu(a, k=1)).tocoo()
            # pairs of Python ints: igraph reads a list of tuples about twice as fast
            # as a numpy array, which it walks element by element
            edges = list(zip(coo.row.tolist(), coo.col.tolist(), strict=True))
            _CACHE[token] = ig.Graph(n=a.shape[0], edges=edges, directed=directed)
    return _CACHE[token]


def _block(
    shared: tuple[str, sp.csr_matrix, bool, str, Any, bool], src: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(Σ_{s∈src} δ_s, distance sums, reached counts) for one block of sources (the
    igraph engine leaves out what ``distances`` = False does not ask for)."""
    _, a, directed, method, others, distances = shared
    if method == "matrix":
        fwd, bwd = _prepared(shared)
        return _matrix_block(fwd, bwd, src, None if others is None else others[src])
    return _igraph_block(_prepared(shared), src, directed, others, distances=distances)


def _matrix_block(
    a: np.ndarray, at: np.ndarray, src: np.ndarray, others: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Level-synchronous Brandes for the sources ``src`` at once, by dense products.

    ``a[v, w]`` = 1 for an arc v -> w, ``at`` its transpose. Path counts σ are integers
    held exactly in float64 while below 2⁵³ (as in networkx and igraph, which also
    count them in floating point). The first level is read off the sources' rows of
    ``a`` (no product); ``others``, when given (undirected graphs: the nodes each
    source can reach), ends the forward sweep as soon as every source has reached them
    all, which saves the product that would find the next level empty.
    """
    b = len(src)
    sigma = a[src].astype(np.float64)  # level 1: σ = 1 on the sources' out-neighbours
    sigma[np.arange(b), src] = 0.0
    new = sigma > 0
    seen = new.copy()
    seen[np.arange(b), src] = True
    front = sigma.copy()
    levels: list[np.ndarray] = []
    distance_sum = np.zeros(b)
    reached = np.zeros(b, dtype=np.int64)
    count = new.sum(axis=1)
    while count.any():
        levels.append(new)
        reached += count
        distance_sum += len(levels) * count
        if others is not None and np.array_equal(reached, others):
            break
        nxt = front @ a  # σ of the paths one step longer, to every node
        nxt[seen] = 0.0  # only first arrivals are shortest
        new = nxt > 0
        count = new.sum(axis=1)
        seen |= new
        sigma += nxt  # nxt is zero off the new level
        front = nxt
    sigma[np.arange(b), src] = 1.0
    delta = np.zeros(sigma.shape)
    x = np.empty(sigma.shape)
    for lv in range(len(levels) - 1, 0, -1):  # levels[lv] is distance lv + 1
        x.fill(0.0)
        np.divide(1.0 + delta, sigma, out=x, where=levels[lv])
        y = x @ at  # Σ over successors w on the next level
        y *= sigma
        delta += np.where(levels[lv - 1], y, 0.0)
    return delta.sum(axis=0), distance_sum, reached


def _igraph_block(
    g: Any, src: np.ndarray, directed: bool, others: np.ndarray | None, *, distances: bool = True
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """igraph's traversal for the sources ``src``: its subset betweenness (which counts
    an undirected source's dependencies halved) and, with ``distances``, distance sums.
    Undirected, the sums come from ``closeness`` (1 / Σ d over the reachable nodes,
    rounded back to the integer sum; ``others`` = component size − 1 per node), which
    is several times faster than ``distances``; directed, from ``distances``."""
    s = src.tolist()
    dep = np.asarray(g.betweenness(directed=directed, sources=s), dtype=np.float64)
    if not distances:
        return (dep, None, None) if directed else (dep * 2.0, None, others[src])
    if directed:
        d = np.asarray(g.distances(source=s, mode="out"), dtype=np.float64)
        finite = np.isfinite(d)
        reached = finite.sum(axis=1).astype(np.int64) - 1
        return dep, np.where(finite, d, 0.0).sum(axis=1), reached
    dep *= 2.0
    close = np.asarray(g.closeness(vertices=s, normalized=False), dtype=np.float64)
    with np.errstate(divide="ignore"):
        total = np.where(np.isfinite(close) & (close > 0), np.round(1.0 / close), 0.0)
    return dep, total, others[src]
