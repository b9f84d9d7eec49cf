"""Collective capacity: the cohesion and reach-across of the co-membership graph
(MEASURES.md, "Collective capacity").

Structural columns run on igraph's C core over a :class:`~wpnet.graphs.Projection`,
except ``mean_distance`` and ``robustness``'s betweenness ranking, which come from the
graph's one shortest-path pass (:func:`wpnet.measures._paths.shared_path_sums`, shared
with ``brokerage`` on the same graph) when exact;
the practitioner columns (``multi_network_share``, ``level_evenness``, ``lead_share``)
are counted from the participation records of the unit.
"""

from __future__ import annotations

import logging
import math
import random
import warnings
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wpnet._parallel import blas_threads
from wpnet._sparse import binary, edge_list, use_dense
from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import check_choice
from wpnet.graphs import GraphSpec, Projection
from wpnet.measures import _betweenness
from wpnet.measures._betweenness import _too_costly, sampled_betweenness
from wpnet.measures._common import (
    graph_for,
    group_nunique,
    node_groups,
    plain,
    record_codes,
    stamp,
    tie_classes,
)
from wpnet.measures._paths import PathSums, shared_path_sums
from wpnet.schema import LEVELS, SECTORS

__all__ = [
    "CAPACITY_COLUMNS",
    "capacity",
    "node_attribute",
    "category_codes",
    "leiden_membership",
    "mean_distance",
    "robustness",
    "sample_sources",
    "spanning_share",
    "too_big_for_exact_paths",
]

log = logging.getLogger(__name__)

#: The columns of :func:`capacity`, in order.
CAPACITY_COLUMNS = (
    "nodes",
    "ties",
    "density",
    "mean_degree",
    "transitivity",
    "components",
    "largest_component_share",
    "mean_distance",
    "degree_centralization",
    "max_core",
    "cross_authority_share",
    "ei_index",
    "multi_network_share",
    "level_evenness",
    "lead_share",
    "communities",
    "modularity",
    "spanning_communities_share",
    "robustness",
)
CAPACITY_BY = (None, "authority", "workstream", "network", "sector", "session")
_INT_COLUMNS = ("nodes", "ties", "components", "max_core", "communities")
#: Share of nodes removed (highest betweenness first) for ``robustness``: 1/20.
_ROBUSTNESS_DIVISOR = 20


def capacity(
    eco: Ecosystem,
    *,
    by: str | None = None,
    onto: str = "establishment",
    group: str = "authority",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    seed: int = 0,
) -> pd.DataFrame:
    """Collective capacity of the partnership, or of each unit of ``by``.

    On a unit's projection with n nodes, t ties and degrees d_i:

    - ``density`` = 2t / (n(n − 1)); ``mean_degree`` = 2t / n;
    - ``transitivity`` = 3 × triangles / connected triples;
    - ``degree_centralization`` = Σ_i (max d − d_i) / ((n − 1)(n − 2)) (Freeman);
    - ``ei_index`` = (E − I) / (E + I) (Krackhardt & Stern 1988);
    - ``level_evenness`` = H / ln L, H = −Σ_l s_l ln s_l over the shares s_l of the
      unit's practitioners at each level, L = 7 levels (:data:`wpnet.schema.LEVELS`);
    - ``robustness`` = (largest component after removing the ⌈n/20⌉ nodes of highest
      betweenness) / n.

    Parameters
    ----------
    eco : Ecosystem
        Usually one session (``eco.select(session=...)``); several sessions are pooled.
    by : {None, "authority", "workstream", "network", "sector", "session"}
        ``None``: one row for the whole partnership. ``authority``/``sector``: the
        projection induced by the unit's nodes in the full projection. ``workstream``/
        ``network``: the projection built from that unit's networks alone. ``session``:
        each session's own projection (each row equals ``capacity`` of that session with
        ``by=None``).
    onto : {"establishment", "practitioner", "network", "authority"}
        The projection (:func:`wpnet.graphs.projection`).
    group : str
        Node attribute for the whole-network E-I index (``by`` None or session):
        ``authority``, ``sector``, ``simd_quintile``, ... For ``onto="network"``,
        ``authority`` means the network's ``lead_authority``.
    backbone, alpha, min_weight, correction
        Backbone of every projection used (:mod:`wpnet.backbones`).
    seed : int
        Seed of the Leiden community detection.

    Returns
    -------
    DataFrame
        One row per unit; index ``scope`` (label ``"all"``), ``authority``, ``sector``,
        ``workstream``, ``network_id`` or ``session``. Columns (float64 unless said):

        - ``nodes``, ``ties`` (int64): nodes and edges of the unit's projection;
        - ``density``: NaN for n < 2;
        - ``mean_degree``;
        - ``transitivity``: NaN where there is no connected triple;
        - ``components`` (int64), ``largest_component_share``: connected components and
          the share of nodes in the largest;
        - ``mean_distance``: mean unweighted shortest-path length between the pairs of
          the largest component (the first in node order if several tie); NaN when it
          has one node;
        - ``degree_centralization``: NaN for n < 3;
        - ``max_core`` (int64): largest k with a non-empty k-core (0 without ties);
        - ``cross_authority_share``: share of the ties touching the unit's nodes, in the
          full projection, whose ends are in different authorities (ties with an end of
          unknown authority left out); NaN without ties;
        - ``ei_index``: for ``by`` authority/sector/workstream/network, I = ties of the
          full projection with both ends among the unit's nodes, E = ties with exactly
          one; for ``by`` None/session, the whole-network E-I over ``group`` (E = ties
          between groups, I = within; unknown groups left out); NaN without such ties;
        - ``multi_network_share``: share of the unit's practitioners (those with a
          record in the unit) who are members of two or more networks in scope (a
          record for each anywhere in ``eco``, MEASURES.md), so that for ``by="network"``
          it is the share of a network's members who also belong to another; for
          ``by="session"`` the networks of that session;
        - ``level_evenness``: Pielou evenness of those practitioners' levels (levels
          outside the vocabulary or missing are left out); NaN without any;
        - ``lead_share``: as in :func:`wpnet.reach`;
        - ``communities`` (int64), ``modularity``: Leiden communities on the
          ``weight``-ed projection, modularity objective (resolution 1), iterated to
          convergence; isolates are communities of one; modularity NaN without ties;
        - ``spanning_communities_share``: share of communities of two or more nodes
          whose nodes come from two or more authorities; NaN where there is none;
        - ``robustness``: see above; ties in betweenness (unweighted, igraph) are
          broken by node order (node ids sorted).

        ``attrs``: ``measure``, ``graph`` (the full projection; for ``by="session"``
        a sentence, with each session's graph in ``graphs``), ``backbone``, ``scope``,
        ``by``, ``onto``, ``group``, ``seed``, ``estimated`` (the units whose
        ``mean_distance`` and ``robustness`` were estimated; see Notes).

    Raises
    ------
    UsageError
        For an unknown ``by``, ``onto``, ``backbone`` or ``correction``, or a ``group``
        or ``by`` that is not an attribute of the projection's nodes.

    Notes
    -----
    On a graph where all-pairs path work n·m exceeds
    :data:`wpnet.measures._betweenness.EXACT_BETWEENNESS_WORK` (national-size raw
    projections and dense backbones), ``mean_distance`` is the mean over
    :data:`~wpnet.measures._betweenness.BETWEENNESS_SAMPLES` sources drawn with ``seed``
    of their mean distance to the rest of the giant component (unbiased), and
    ``robustness`` ranks nodes by :func:`~wpnet.measures.brokerage.sampled_betweenness`;
    a ``UserWarning`` says so and ``attrs["estimated"]`` names those units.

    Leiden is made deterministic by drawing igraph's random numbers from
    ``random.Random(seed)`` for the call (``igraph.set_random_number_generator``), then
    restoring igraph's generator to Python's ``random`` module. Rows are the units with
    nodes in the full projection (``authority``, ``sector``) or with records in scope
    (``workstream``, ``network``, ``session``); an authority never reached has no row
    (see :func:`wpnet.reach` for its coverage). For ``onto="practitioner"`` a node's
    authority and sector are those of the practitioner's home establishment, while the
    practitioner columns follow the records' attribution.

    References
    ----------
    Freeman (1979); Krackhardt & Stern (1988); Pielou (1966); Traag, Waltman & van Eck
    (2019), From Louvain to Leiden; Albert, Jeong & Barabási (2000) on robustness.

    Examples
    --------
    >>> import wpnet
    >>> c = capacity(wpnet.tiny().select(session="2022-23"))
    >>> c.loc["all", ["nodes", "ties", "density", "transitivity", "robustness"]].tolist()
    [5.0, 4.0, 0.4, 0.6, 0.4]
    """
    expect_ecosystem(eco, "capacity")
    check_choice("by", by, CAPACITY_BY)
    opts = GraphSpec(onto, backbone, alpha, min_weight, correction)
    if by == "session":
        # Each session's own projection; the pooled one is never built.
        pairs = [_whole(eco.select(session=s), None, group, seed, opts) for s in eco.sessions]
        out = _frame([r for r, _ in pairs], pd.Index(eco.sessions, name="session", dtype="str"))
        out.attrs["estimated"] = _estimated([r for r, _ in pairs], out.index)
        stamp(out, measure="capacity", eco=eco, by=by, onto=onto, group=group, seed=seed)
        kept = "all ties (no backbone)" if backbone is None else f"{backbone} backbone"
        out.attrs["graph"] = f"each session's own {onto} co-membership projection, {kept}"
        out.attrs["graphs"] = {
            s: p.describe() for s, (_, p) in zip(eco.sessions, pairs, strict=True)
        }
        if pairs and backbone is not None:
            out.attrs["backbone"] = {"method": backbone, **plain(dict(pairs[0][1].params))}
        return out
    full = graph_for(eco, opts)
    node_attribute(full, group, argument="group")
    if by is None:
        row, _ = _whole(eco, full, group, seed, opts)
        out = _frame([row], pd.Index(["all"], name="scope"))
        out.attrs["estimated"] = _estimated([row], out.index)
    else:
        out = _by_unit(eco, full, by, seed, opts)
    return stamp(
        out, measure="capacity", projection=full, eco=eco, by=by, onto=onto, group=group, seed=seed
    )


def _estimated(rows: list[dict], index: pd.Index) -> list[Any]:
    """Units whose ``mean_distance`` and ``robustness`` were estimated by sampling."""
    return [str(u) for u, r in zip(index, rows, strict=True) if r.get("_estimated")]


def node_attribute(p: Projection, name: str, *, argument: str = "group") -> pd.Series:
    """A node attribute of a projection (``authority`` of a network node is its
    ``lead_authority``).

    Raises
    ------
    UsageError
        When the nodes have no such attribute (naming ``argument`` and what is allowed).
    """
    return node_groups(p.nodes, name, what=p.onto, argument=argument)


# ---- per unit --------------------------------------------------------------------------
def _whole(
    eco: Ecosystem, full: Projection | None, group: str, seed: int, opts: GraphSpec
) -> tuple[dict, Projection]:
    """One row for the whole of ``eco`` (by=None, and each session for by="session"),
    and the projection it was computed on.

    ``full`` is ``graph_for(eco, opts)`` when given, so the row depends only on the
    Ecosystem, ``group``, ``seed`` and ``opts``: the Ecosystem remembers it, and the
    trend, the evaluation themes and the change between sessions, which all ask for
    each session's row, compute it once.
    """
    key = ("capacity_row", group, seed, opts)
    row, p = eco.derived(key, lambda: _whole_row(eco, full, group, seed, opts))
    return dict(row), p


def _whole_row(
    eco: Ecosystem, full: Projection | None, group: str, seed: int, opts: GraphSpec
) -> tuple[dict, Projection]:
    p = full if full is not None else graph_for(eco, opts)
    auth = _codes(node_attribute(p, "authority", argument="by"))
    groups = _codes(node_attribute(p, group, argument="group"))
    i, j = _tie_ends(p)
    row = _structure(_igraph(p), auth, seed, p.weight)
    known = (auth[i] >= 0) & (auth[j] >= 0)
    cross = int((known & (auth[i] != auth[j])).sum())
    row["cross_authority_share"] = float(cross / known.sum()) if known.any() else math.nan
    known = (groups[i] >= 0) & (groups[j] >= 0)
    external = int((known & (groups[i] != groups[j])).sum())
    row["ei_index"] = _ei(external, int(known.sum()) - external)
    row.update(_people(eco, None).iloc[0].to_dict())
    return row, p


def _by_unit(eco: Ecosystem, full: Projection, by: str, seed: int, opts: GraphSpec) -> pd.DataFrame:
    auth = _codes(node_attribute(full, "authority", argument="by"))
    rec = eco.records
    rows: list[dict] = []
    masks: list[np.ndarray] = []
    if by in ("authority", "sector"):
        g_full = _igraph(full)
        attr = node_attribute(full, by, argument="by")
        values = attr.dropna().unique().tolist()
        units = (
            [s for s in SECTORS if s in values] + sorted(set(values) - set(SECTORS))
            if by == "sector"
            else sorted(values)
        )
        for u in units:
            mask = attr.eq(u).fillna(False).to_numpy(dtype=bool)
            sub = g_full.induced_subgraph(np.flatnonzero(mask).tolist())
            rows.append(_structure(sub, auth[mask], seed))
            masks.append(mask)
        name = by
    else:
        col = "network_id" if by == "network" else "workstream"
        known = set(eco.networks[col].dropna())
        reached = set(rec[col].dropna())
        if reached - known:
            log.warning(
                "capacity(by=%r): %s not in the networks table; no row for them (run "
                "wpnet.validate to find the records)",
                by,
                sorted(reached - known),
            )
        units = sorted(reached & known)
        ids = full.nodes.index
        for u in units:
            p = graph_for(eco.select(**{by: u}), opts)
            a = _codes_like(node_attribute(p, "authority", argument="by"), full, auth)
            rows.append(_structure(_igraph(p), a, seed, p.weight))
            masks.append(ids.isin(p.nodes.index))
        name = col
    index = pd.Index(units, name=name, dtype="str")
    out = _frame(rows, index)
    out.attrs["estimated"] = _estimated(rows, index)
    cross, ei = _unit_ties(full, auth, np.column_stack(masks) if masks else None)
    out["cross_authority_share"] = cross
    out["ei_index"] = ei
    ppl = _people(eco, by).reindex(index)
    for c in ppl.columns:
        out[c] = ppl[c].to_numpy(dtype=np.float64)
    return out[list(CAPACITY_COLUMNS)]


def _unit_ties(
    full: Projection, auth: np.ndarray, masks: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """``cross_authority_share`` and ``ei_index`` of every unit at once.

    With U the node x unit indicator matrix and A a symmetric 0/1 tie matrix, the ties
    inside unit u are (Uᵀ A U)_uu / 2 and the ties touching it (A 1)ᵀ U_u minus those.
    """
    if masks is None:
        return np.array([]), np.array([])
    u = sp.csr_matrix(masks.astype(np.float64))
    i, j = _tie_ends(full)

    def inside_touching(keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a = sp.csr_matrix(
            (np.ones(2 * int(keep.sum())), (np.r_[i[keep], j[keep]], np.r_[j[keep], i[keep]])),
            shape=(full.n, full.n),
        )
        inside = np.asarray(u.multiply(a @ u).sum(axis=0)).ravel() / 2
        touching = np.asarray(u.T @ np.asarray(a.sum(axis=1)).ravel()).ravel() - inside
        return inside, touching

    everything = np.ones(len(i), dtype=bool)
    inside, touching = inside_touching(everything)
    known = (auth[i] >= 0) & (auth[j] >= 0)
    _, touching_known = inside_touching(known)
    _, touching_cross = inside_touching(known & (auth[i] != auth[j]))
    external = touching - inside
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = np.where(touching_known > 0, touching_cross / touching_known, np.nan)
        ei = np.where(touching > 0, (external - inside) / touching, np.nan)
    return cross.astype(np.float64), ei.astype(np.float64)


def _frame(rows: list[dict], index: pd.Index) -> pd.DataFrame:
    """The rows as a table of :data:`CAPACITY_COLUMNS` (NaN for a column a row lacks),
    built column by column from numpy arrays of the final dtypes."""
    return pd.DataFrame(
        {
            c: np.array(
                [r.get(c, math.nan) for r in rows],
                dtype=np.int64 if c in _INT_COLUMNS else np.float64,
            )
            for c in CAPACITY_COLUMNS
        },
        index=index,
    )


# ---- structure -------------------------------------------------------------------------
def _structure(g: Any, auth: np.ndarray, seed: int, adj: sp.spmatrix | None = None) -> dict:
    """Structural columns of one undirected igraph graph; ``auth`` = authority codes of
    its vertices (-1 unknown); ``adj``, when given, its adjacency (any weights), which
    saves reading the ties back out of ``g`` for the shortest-path pass."""
    n, t = g.vcount(), g.ecount()
    deg = np.asarray(g.degree(), dtype=np.int64)
    row: dict[str, Any] = {"nodes": n, "ties": t}
    row["density"] = 2 * t / (n * (n - 1)) if n >= 2 else math.nan
    row["mean_degree"] = 2 * t / n if n else math.nan
    row["transitivity"] = _transitivity(g, adj) if n else math.nan
    comps = g.connected_components()
    sizes = np.asarray(comps.sizes(), dtype=np.int64)
    row["components"] = len(sizes)
    row["largest_component_share"] = float(sizes.max() / n) if n else math.nan
    sampled = _too_big(g)
    if n and sizes.max() >= 2 and not sampled:
        # the whole graph's pass: its mean distance is that of the largest component
        row["mean_distance"] = _mean_distance(g, None, adj)
    elif n and sizes.max() >= 2:
        giant = g.induced_subgraph(comps[int(np.argmax(sizes))])
        row["mean_distance"] = _mean_distance(giant, seed)
    else:
        row["mean_distance"] = math.nan
    row["degree_centralization"] = (
        float((deg.max() - deg).sum() / ((n - 1) * (n - 2))) if n >= 3 else math.nan
    )
    row["max_core"] = int(max(g.coreness())) if n else 0
    membership = _leiden(g, seed)
    row["communities"] = int(len(set(membership)))
    row["modularity"] = float(g.modularity(membership, weights=g.es["weight"])) if t else math.nan
    row["spanning_communities_share"] = _spanning(np.asarray(membership), auth)
    row["robustness"] = _robustness(g, seed if sampled else None, adj)
    if sampled:
        row["_estimated"] = True
        warnings.warn(
            f"mean_distance and robustness of a graph of {n:,} nodes and {t:,} ties are "
            f"estimated from {_samples():,} sampled sources (the exact runs would exceed "
            "wpnet.measures._betweenness.EXACT_BETWEENNESS_WORK); see the result's "
            "attrs['estimated']",
            UserWarning,
            stacklevel=2,
        )
    return row


def _transitivity(g: Any, adj: sp.spmatrix | None = None) -> float:
    """3 × triangles / connected triples of the undirected graph ``g`` (NaN without a
    connected triple); ``adj``, when given, is its adjacency (ties = the pattern of its
    upper triangle, as :func:`_igraph` reads it).

    On a dense graph (:func:`wpnet._sparse.use_dense`) by one float32 product: with A
    the 0/1 adjacency and d its degrees, Σ (A A ∘ A) = 6 × triangles and Σ d(d − 1) = 2
    × connected triples, so transitivity = Σ (A A ∘ A) / Σ d(d − 1). Exact: every entry
    of A A is an integer ≤ n < 2²⁴, and the sums run in float64. Otherwise igraph's
    ``transitivity_undirected``.
    """
    if adj is not None and use_dense(adj, adj) and adj.shape[0] < 2**24:
        up = sp.triu(adj, k=1)
        x = binary(up + up.T).toarray().astype(np.float32)
        with blas_threads(x.shape[0]):
            closed = float(((x @ x) * x).sum(dtype=np.float64))
        deg = x.sum(axis=1, dtype=np.float64)
        triples = float((deg * (deg - 1)).sum())
        return closed / triples if triples else math.nan
    return float(g.transitivity_undirected(mode="nan"))


def _samples() -> int:
    return int(_betweenness.BETWEENNESS_SAMPLES)


def _too_big(g: Any) -> bool:
    """Whether all-pairs path work n·m exceeds the exact bound of
    :mod:`wpnet.measures._betweenness`."""
    return _too_costly(g.vcount(), g.ecount(), _samples())


def _mean_distance(giant: Any, seed: int | None, adj: sp.spmatrix | None = None) -> float:
    """Mean shortest-path length over ordered pairs of the connected graph ``giant``;
    with a ``seed``, estimated from :func:`_samples` sources drawn without replacement
    (every source has the same n − 1 targets, so the mean of the sources' means is
    unbiased); every node is a source when there are no more (the whole graph may call
    for sampling while its largest component is small: then the value is exact).

    Exact (no ``seed``): Σ d(s, t) / (c(c − 1)) over the ordered pairs of the largest
    component C (c nodes; the first in node order if several tie) of ``giant``, which
    may then be any graph, from its shortest-path pass
    (:func:`wpnet.measures._paths.shared_path_sums`; ``adj`` its adjacency if at hand).
    Equals igraph's ``average_path_length`` of C."""
    if seed is None:
        return float(_pass(giant, adj).mean_distance())
    n = giant.vcount()
    sources = np.random.default_rng(seed).choice(n, size=min(_samples(), n), replace=False)
    d = np.asarray(giant.distances(source=sources.tolist()), dtype=np.float64)
    return float(d.sum() / (len(sources) * (n - 1)))


def _pass(g: Any, adj: sp.spmatrix | None = None) -> PathSums:
    """The shared exact shortest-path pass of the undirected igraph graph ``g`` (ties
    read from ``adj`` when given: the same pattern, without a round trip through
    Python lists)."""
    if adj is None:
        n = g.vcount()
        e = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        adj = sp.csr_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n))
    return shared_path_sums(adj, directed=False)


def _tie_ends(p: Projection) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i < j) of the ends of every tie, in CSR order of the upper triangle."""
    up = sp.triu(p.weight, k=1).tocsr()
    up.sort_indices()
    coo = up.tocoo()
    return coo.row.astype(np.int64), coo.col.astype(np.int64)


def _igraph(p: Projection) -> Any:
    """The projection as an undirected igraph Graph with edge attribute ``weight``.

    Built directly from the upper triangle of ``p.weight`` (faster than
    :meth:`Projection.to_igraph`, which also carries ``newman`` and ``jaccard``)."""
    import igraph as ig

    up = sp.triu(p.weight, k=1).tocsr()
    up.sort_indices()
    coo = up.tocoo()
    g = ig.Graph(n=p.n, edges=edge_list(coo.row, coo.col))
    g.es["weight"] = coo.data.astype(np.float64).tolist()
    return g


def _leiden(g: Any, seed: int) -> list[int]:
    """Leiden (modularity objective) with igraph's random numbers drawn from
    ``random.Random(seed)``; igraph's generator is restored afterwards."""
    import igraph as ig

    if g.vcount() == 0:
        return []
    ig.set_random_number_generator(random.Random(seed))
    try:
        part = g.community_leiden(
            objective_function="modularity",
            weights=g.es["weight"] if g.ecount() else None,
            n_iterations=-1,
        )
    finally:
        ig.set_random_number_generator(random)
    return list(part.membership)


def _spanning(membership: np.ndarray, auth: np.ndarray) -> float:
    """Share of the communities of two or more nodes whose nodes have two or more
    known authorities (codes ``auth``, -1 unknown); NaN without such a community."""
    if not len(membership):
        return math.nan
    membership = np.asarray(membership, dtype=np.int64)
    size = np.bincount(membership)
    span = group_nunique(membership, len(size), auth)
    big = size >= 2
    return float((span[big] >= 2).mean()) if big.any() else math.nan


def _robustness(
    g: Any,
    seed: int | None = None,
    adj: sp.spmatrix | None = None,
    *,
    rank: np.ndarray | None = None,
) -> float:
    """Largest-component share after removing the top 1/20 by betweenness; with a
    ``seed``, ranked by the sampled estimate of
    :func:`wpnet.measures.brokerage.sampled_betweenness`. Exact, the ranking is by
    igraph's scale of undirected betweenness, Σ_s δ_s(v) / 2, from the graph's shared
    shortest-path pass (``adj``: its adjacency, if at hand).

    Equal betweenness (:func:`wpnet.measures._common.tie_classes`: within 1e-9 of the
    largest value, so that sums equal in exact arithmetic tie whatever their last bits)
    is broken by ``rank``, lowest first: the order of the node ids (a projection's
    nodes are in id order, so the default, node order, is that order)."""
    n = g.vcount()
    if n == 0:
        return math.nan
    k = -(-n // _ROBUSTNESS_DIVISOR)  # ceil(n / 20) in integers: at least one node
    if seed is None:
        bt = _pass(g, adj).dependency / 2.0
    else:
        edges = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        adj = sp.csr_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
        bt, _ = sampled_betweenness(adj + adj.T, samples=_samples(), seed=seed)
    order = np.arange(n) if rank is None else np.asarray(rank)
    drop = np.lexsort((order, tie_classes(bt)))[:k]
    rest = g.copy()
    rest.delete_vertices(drop.tolist())
    left = max(rest.connected_components().sizes()) if rest.vcount() else 0
    return float(left / n)


def _ei(external: int, internal: int) -> float:
    total = external + internal
    return float((external - internal) / total) if total else math.nan


def _codes(s: pd.Series) -> np.ndarray:
    """Integer codes of a node attribute, -1 where missing."""
    codes, _ = pd.factorize(s, use_na_sentinel=True)  # in order of first appearance
    return np.asarray(codes, dtype=np.int64)


def _codes_like(s: pd.Series, full: Projection, full_codes: np.ndarray) -> np.ndarray:
    """Codes of a unit projection's node attribute, in the full projection's coding."""
    pos = full.nodes.index.get_indexer(s.index)
    out = np.full(len(s), -1, dtype=np.int64)
    out[pos >= 0] = full_codes[pos[pos >= 0]]
    return out


# ---- practitioners ---------------------------------------------------------------------
def _people(eco: Ecosystem, by: str | None) -> pd.DataFrame:
    """``multi_network_share``, ``level_evenness``, ``lead_share`` per unit from records.

    Over the (unit, practitioner) pairs of the records: a pair leads if any of its
    records does, and its level is the first level given on its records (in record
    order). A practitioner's networks are those they are a member of in scope
    (MEASURES.md: a record for the network anywhere in ``eco``), not only the unit's,
    except for ``by="session"``, whose rows are each session's own (as ``trend``).
    Counted on the records' integer codes
    (:func:`wpnet.measures._common.record_codes`, shared with ``reach``).
    """
    key = {"network": "network_id"}.get(by or "", by)
    if key:
        unit, labels = record_codes(eco, key)
    else:
        unit, labels = np.zeros(len(eco.records), dtype=np.int64), pd.Index(["all"])
    person = record_codes(eco, "practitioner_id")[0]
    keep = (unit >= 0) & (person >= 0)
    width = int(person.max()) + 1 if len(person) else 1
    pairs, inverse = np.unique(unit[keep] * width + person[keep], return_inverse=True)
    pair_unit = pairs // width
    k, n_pairs = len(labels), len(pairs)
    net = record_codes(eco, "network_id")[0]
    if by == "session":
        networks = group_nunique(inverse, n_pairs, net[keep])
    else:
        networks = group_nunique(person, width, net)[pairs % width]
    lead = np.bincount(
        inverse, weights=eco.records["lead"].to_numpy(dtype=np.float64)[keep], minlength=n_pairs
    )
    level = _first_level(eco, keep, inverse, n_pairs)
    per_unit = np.bincount(pair_unit, minlength=k).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        multi = np.bincount(pair_unit, weights=networks >= 2, minlength=k) / per_unit
        leads = np.bincount(pair_unit, weights=lead > 0, minlength=k) / per_unit
    known = level >= 0
    counts = np.bincount(
        pair_unit[known] * len(LEVELS) + level[known], minlength=k * len(LEVELS)
    ).reshape(k, len(LEVELS))
    return pd.DataFrame(
        {
            "multi_network_share": multi,
            "level_evenness": _evenness(counts),
            "lead_share": leads,
        },
        index=labels,
    )


def _first_level(eco: Ecosystem, keep: np.ndarray, inverse: np.ndarray, n_pairs: int) -> np.ndarray:
    """Each pair's first given level (in record order) as its position in
    :data:`wpnet.schema.LEVELS`; -1 where it has none or one outside the vocabulary."""
    codes, values = record_codes(eco, "level")
    position = np.array([LEVELS.index(v) if v in LEVELS else -1 for v in values], dtype=np.int64)
    given = np.flatnonzero(codes[keep] >= 0)
    first_pair, first_row = np.unique(inverse[given], return_index=True)
    out = np.full(n_pairs, -1, dtype=np.int64)
    out[first_pair] = position[codes[keep][given[first_row]]]
    return out


def _evenness(counts: np.ndarray) -> np.ndarray:
    """Pielou evenness H / ln L of each row of level ``counts`` (units x L levels in
    vocabulary order); NaN for a row of zeros.

    H = −Σ s_l ln s_l over the levels present. The few (unit, level) counts go through
    pandas' grouped sum in the order of the level names, as the records' table once
    did, so each value is the same to the last bit.
    """
    names = np.array(LEVELS[: counts.shape[1]], dtype=object)
    order = np.argsort(names)
    unit, col = np.nonzero(counts[:, order])
    present = pd.Series(
        counts[:, order][unit, col], index=pd.MultiIndex.from_arrays([unit, names[order][col]])
    )
    out = np.full(len(counts), math.nan)
    if len(present):
        share = present / present.groupby(level=0).transform("sum")
        h = (share * np.log(1 / share)).groupby(level=0).sum() / math.log(counts.shape[1])
        out[h.index.to_numpy(dtype=np.int64)] = h.to_numpy(dtype=np.float64)
    return out


# The building blocks of capacity's columns, shared with wpnet.inference's statistics
# so that a null test computes exactly what capacity reports.
category_codes = _codes
leiden_membership = _leiden
mean_distance = _mean_distance
robustness = _robustness
sample_sources = _samples
spanning_share = _spanning
too_big_for_exact_paths = _too_big
