"""Graphs: two-mode incidence, sparse projections and their conversion.

Participation records are two-mode data: members (practitioners or establishments)
by networks. :func:`incidence` builds that matrix; :func:`projection` multiplies it
out (``B Bᵀ``) into a :class:`Projection` of sparse matrices, optionally reduced to a
backbone (the decision of :mod:`wpnet.backbones`); :func:`project` gives the same as a
networkx graph and :func:`backbone` a backbone of an Ecosystem or of a graph. Measures
run on :class:`Projection` (scipy / igraph); users get networkx.

Which graph a measure, map or report section runs on is named by the same five
keywords everywhere, ``onto, backbone, alpha, min_weight, correction``, gathered and
checked once by :class:`GraphSpec`.
"""

from __future__ import annotations

import logging
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wpnet._projection import BLOCK_ENTRIES, backbone_matrices, raw_matrices
from wpnet._sparse import edge_list
from wpnet.backbones import METHODS, backbone_graph, check_backbone, tie_test
from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import DataError, UsageError, check_choice

__all__ = [
    "BACKBONES",
    "GRAPH_OPTIONS",
    "ONTO",
    "GraphSpec",
    "Incidence",
    "Projection",
    "affiliation_graph",
    "authority_matrix",
    "backbone",
    "from_igraph",
    "incidence",
    "node_table",
    "project",
    "projection",
    "to_igraph",
]

log = logging.getLogger(__name__)

Onto = Literal["establishment", "practitioner", "network", "authority"]
ONTO = ("establishment", "practitioner", "network", "authority")
BACKBONES = (None, "threshold", "disparity", "sdsm")
#: Default bound on the ties of a projection onto practitioners.
MAX_EDGES = 5_000_000
#: The graph options every measure, map and report function accepts, as keywords.
GRAPH_OPTIONS = ("onto", "backbone", "alpha", "min_weight", "correction")


@dataclass(frozen=True)
class GraphSpec:
    """Which graph a measure, map or report section runs on: the five graph options.

    Every public function that draws on a projection takes the same keywords
    (:data:`GRAPH_OPTIONS`) and checks them here, once, so a figure can be drawn on
    the very graph a measure used: ``wpnet.plot_brokers(eco, **spec.keywords())``.

    Attributes
    ----------
    onto : {"establishment", "practitioner", "network", "authority"}
        The unit projected onto.
    backbone : {None, "threshold", "disparity", "sdsm"}
        Which ties are kept (:mod:`wpnet.backbones`); ``None`` keeps all.
    alpha : float
        Significance level of ``disparity`` and ``sdsm``, in (0, 1).
    min_weight : float
        Smallest shared count ``threshold`` keeps.
    correction : {"none", "holm", "bonferroni", "fdr_bh"}
        Multiple-testing correction of ``disparity`` and ``sdsm``.

    Raises
    ------
    UsageError
        For a value outside those allowed (naming the option and what is allowed).

    Examples
    --------
    >>> spec = GraphSpec(backbone="sdsm", correction="holm")
    >>> spec.keywords()["correction"], spec.params()
    ('holm', {'alpha': 0.05, 'correction': 'holm'})
    """

    onto: str = "establishment"
    backbone: str | None = None
    alpha: float = 0.05
    min_weight: float = 2
    correction: str = "none"

    def __post_init__(self) -> None:
        check_choice("onto", self.onto, ONTO)
        check_choice("backbone", self.backbone, BACKBONES)
        if not isinstance(self.alpha, numbers.Real) or isinstance(self.alpha, bool):
            raise UsageError(f"alpha must be a number in (0, 1); got {self.alpha!r}")
        if not isinstance(self.min_weight, numbers.Real) or isinstance(self.min_weight, bool):
            raise UsageError(f"min_weight must be a number; got {self.min_weight!r}")
        check_backbone(self.backbone or "threshold", self.alpha, self.correction)

    def keywords(self) -> dict[str, Any]:
        """The five options as keywords, for any measure, map or report function."""
        return asdict(self)

    def params(self) -> dict[str, Any]:
        """The parameters the backbone uses (empty without a backbone)."""
        if self.backbone is None:
            return {}
        if self.backbone == "threshold":
            return {"min_weight": self.min_weight}
        return {"alpha": self.alpha, "correction": self.correction}


@dataclass(frozen=True)
class Incidence:
    """The two-mode member x network matrix of an Ecosystem in scope.

    Attributes
    ----------
    level : str
        ``establishment``, ``practitioner`` or ``authority``.
    members, networks : Index
        Row and column labels (ids), sorted.
    records : csr_matrix of int
        Number of participation records joining member i and network k.
    """

    level: str
    members: pd.Index
    networks: pd.Index
    records: sp.csr_matrix

    @property
    def binary(self) -> sp.csr_matrix:
        """1 where member i is a member of network k (at least one record)."""
        b = self.records.copy()
        b.data = np.ones_like(b.data, dtype=np.float64)
        return b.astype(np.float64)


def incidence(eco: Ecosystem, *, level: str = "establishment") -> Incidence:
    """Member x network incidence matrix of the records in scope.

    A record counts for the establishment it is attributed to (MEASURES.md, "Scope and
    membership"); ``level="authority"`` uses that establishment's authority.

    Examples
    --------
    >>> import wpnet
    >>> inc = incidence(wpnet.tiny().select(session="2022-23"))
    >>> list(inc.members), list(inc.networks)
    (['C1', 'E1', 'E2', 'E4', 'E5'], ['N1', 'N2', 'N3'])
    >>> inc.records.toarray().tolist()[1]
    [2, 0, 0]
    """
    expect_ecosystem(eco, "incidence")
    columns = {
        "establishment": "establishment_id",
        "practitioner": "practitioner_id",
        "authority": "authority",
    }
    check_choice("level", level, tuple(columns))
    column = columns[level]
    rec = eco.records
    rec = rec[rec[column].notna() & rec["network_id"].notna()]
    mem = pd.Categorical(rec[column].astype(str))
    net = pd.Categorical(rec["network_id"].astype(str))
    data = np.ones(len(rec), dtype=np.int64)
    m = sp.csr_matrix(
        (data, (mem.codes, net.codes)), shape=(len(mem.categories), len(net.categories))
    )
    m.sum_duplicates()
    return Incidence(
        level, pd.Index(mem.categories, name=column), pd.Index(net.categories, name="network_id"), m
    )


@dataclass(frozen=True)
class Projection:
    """A one-mode projection as sparse matrices over its nodes.

    Attributes
    ----------
    onto : str
        The unit projected onto.
    nodes : DataFrame
        One row per node (index: the unit's id), with the unit's table columns and
        ``memberships`` (networks it is in; for ``onto="network"``: its members).
    weight, newman, jaccard : csr_matrix
        Symmetric, zero diagonal; entry (i, j) is the tie's weight (shared networks, or
        shared practitioners for ``onto="network"``), Newman's collaboration weight
        Σ 1/(m − 1) and the Jaccard index. Only kept ties are stored.
    incidence : csr_matrix
        The binary member x network matrix the projection came from (rows = nodes).
    backbone : str or None
        The backbone method applied, and ``params`` its parameters.

    Notes
    -----
    A Projection is read-only, so one can be shared by every measure of an Ecosystem
    (:meth:`~wpnet.ecosystem.Ecosystem.derived`): the arrays of its matrices are not
    writeable, ``params`` and ``scope`` are read-only mappings, and ``nodes`` hands out
    a copy each time it is read.
    """

    onto: str
    _node_frame: pd.DataFrame
    weight: sp.csr_matrix
    newman: sp.csr_matrix
    jaccard: sp.csr_matrix
    incidence: sp.csr_matrix
    backbone: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    scope: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for m in (self.weight, self.newman, self.jaccard, self.incidence):
            for a in (m.data, m.indices, m.indptr):
                a.flags.writeable = False
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "scope", MappingProxyType(dict(self.scope)))

    @property
    def nodes(self) -> pd.DataFrame:
        """One row per node (index: the unit's id): the unit's table columns and
        ``memberships``. A copy: changing it changes nothing shared."""
        return self._node_frame.copy(deep=False)

    @property
    def n(self) -> int:
        return len(self._node_frame)

    def edges(self) -> pd.DataFrame:
        """Ties as a table: ``u``, ``v`` (node ids, u < v by position), ``i``, ``j``
        (positions), ``weight``, ``newman``, ``jaccard``."""
        # The three matrices share one sparsity pattern, so their upper triangles
        # (canonical CSR, row-major) line up entry for entry.
        up = [sp.triu(x, k=1).tocsr() for x in (self.weight, self.newman, self.jaccard)]
        for x in up:
            x.sort_indices()
        coo = up[0].tocoo()
        ids = self._node_frame.index.to_numpy()
        return pd.DataFrame(
            {
                "u": ids[coo.row],
                "v": ids[coo.col],
                "i": coo.row,
                "j": coo.col,
                "weight": up[0].data,
                "newman": up[1].data,
                "jaccard": up[2].data,
            }
        )

    def describe(self) -> str:
        """One sentence naming the graph, for ``DataFrame.attrs`` and report methods."""
        what = f"{self.onto} co-membership projection ({self.n} nodes, {self.weight.nnz // 2} ties)"
        if self.backbone is None:
            return what + ", all ties (no backbone)"
        p = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return what + f", {self.backbone} backbone ({p})"

    def to_networkx(self, weight: str | None = None) -> Any:
        """The projection as a weighted ``networkx.Graph`` (node attributes from ``nodes``).

        Edge attributes ``weight`` (shared count), ``newman`` and ``jaccard``; with
        ``weight`` in ``networks``, ``newman``, ``jaccard`` (as :func:`project`), ``weight``
        holds that value and ``shared`` the shared count.
        """
        import networkx as nx

        g = nx.Graph()
        nodes = self._node_frame
        cols = list(nodes.columns)
        g.add_nodes_from(
            (nid, {c: _py(v) for c, v in zip(cols, row, strict=True)})
            for nid, row in zip(nodes.index, nodes.itertuples(index=False), strict=True)
        )
        e = self.edges()
        # tolist() gives plain Python scalars in one pass (no numpy scalars leak out)
        u, v = e.u.to_numpy(dtype=object).tolist(), e.v.to_numpy(dtype=object).tolist()
        cnt = e.weight.to_numpy().tolist()
        nw = e.newman.to_numpy(dtype=np.float64).tolist()
        jc = e.jaccard.to_numpy(dtype=np.float64).tolist()
        if weight is None:
            attrs = (
                {"weight": a, "newman": b, "jaccard": c}
                for a, b, c in zip(cnt, nw, jc, strict=True)
            )
        else:
            sel = {"networks": cnt, "newman": nw, "jaccard": jc}[weight]
            attrs = (
                {"weight": s, "shared": a, "newman": b, "jaccard": c}
                for s, a, b, c in zip(sel, cnt, nw, jc, strict=True)
            )
        g.add_edges_from((a, b, d) for a, b, d in zip(u, v, attrs, strict=True))
        g.graph.update(
            onto=self.onto,
            backbone=self.backbone,
            params=dict(self.params),
            description=self.describe(),
        )
        return g

    def to_igraph(self) -> Any:
        """The projection as an undirected ``igraph.Graph``; vertex ``name`` = node id,
        edge attributes ``weight``, ``newman``, ``jaccard``."""
        import igraph as ig

        e = self.edges()
        g = ig.Graph(n=self.n, edges=edge_list(e.i.to_numpy(), e.j.to_numpy()), directed=False)
        g.vs["name"] = [str(x) for x in self._node_frame.index]
        for c in ("weight", "newman", "jaccard"):
            g.es[c] = e[c].astype(float).tolist()
        return g


def _py(v: Any) -> Any:
    """A plain Python value (no numpy scalars, ``None`` for missing)."""
    if v is None or (not isinstance(v, (list, tuple, dict)) and pd.isna(v)):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def node_table(eco: Ecosystem, onto: str, ids: pd.Index) -> pd.DataFrame:
    """The table columns of the units ``ids`` of kind ``onto``, one row per id in order.

    Practitioners get their home establishment's ``authority``, ``sector`` and
    ``simd_quintile`` (:attr:`~wpnet.ecosystem.Ecosystem.homes`, so also after a
    selection that left their home out); ``onto="authority"`` gives the one column
    ``authority``. Ids not in the tables get missing values.

    Examples
    --------
    >>> import wpnet
    >>> node_table(wpnet.tiny(), "establishment", pd.Index(["E1"]))["authority"].tolist()
    ['Glasgow City']
    """
    if onto == "establishment":
        t = eco.establishments.drop_duplicates("establishment_id").set_index("establishment_id")
    elif onto == "practitioner":
        t = eco.practitioners.drop_duplicates("practitioner_id").set_index("practitioner_id")
        homes = eco.homes  # the home's attributes, even where a selection left it out
        for c in ("authority", "sector", "simd_quintile"):
            t[c] = homes[c].reindex(t.index)
    elif onto == "network":
        t = eco.networks.drop_duplicates("network_id").set_index("network_id")
    else:
        t = pd.DataFrame(index=pd.Index(ids, name="authority"))
        t["authority"] = ids
    out = t.reindex(ids)
    out.index.name = ids.name
    return out


def projection(
    eco: Ecosystem,
    *,
    onto: str = "establishment",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    max_edges: int | None = MAX_EDGES,
) -> Projection:
    """Project the two-mode records onto one kind of unit, as sparse matrices.

    Two units are tied when they share at least one network (``onto="network"``: at
    least one practitioner). With ``B`` the binary member x network matrix and ``m_k``
    the member count of network k:

    - ``weight`` = ``B Bᵀ`` (shared networks);
    - ``newman`` = ``B diag(1/(m_k − 1)) Bᵀ`` (Newman 2001; networks with one member
      tie nobody);
    - ``jaccard`` = shared / (networks of u + networks of v − shared).

    Every reached unit is a node, tied or not. ``backbone`` keeps only the ties that
    the backbone decision (:func:`wpnet.backbones.decide`) keeps (MEASURES.md,
    "Backbone").

    The Ecosystem remembers the projection (:meth:`~wpnet.ecosystem.Ecosystem.derived`),
    so every measure of it shares one; a :class:`Projection` is read-only.

    Parameters
    ----------
    eco : Ecosystem
    onto, backbone, alpha, min_weight, correction
        The graph options (:class:`GraphSpec`).
    max_edges : int or None
        For ``onto="practitioner"``: refuse to build more ties than this (default
        5,000,000); ``None`` lifts the bound.

    Returns
    -------
    Projection

    Raises
    ------
    WrongType
        When ``eco`` is not an Ecosystem.
    UsageError
        For a graph option outside those allowed, or a practitioner projection above
        ``max_edges`` (the message says how many ties it would build and how to narrow).

    Examples
    --------
    >>> import wpnet
    >>> p = projection(wpnet.tiny().select(session="2022-23"))
    >>> p.edges()[["u", "v", "weight"]].values.tolist()
    [['C1', 'E1', 1], ['C1', 'E4', 1], ['E1', 'E4', 1], ['E2', 'E4', 1]]
    """
    expect_ecosystem(eco, "projection")
    spec = GraphSpec(onto, backbone, alpha, min_weight, correction)
    return eco.derived(("projection", spec, max_edges), lambda: _projection(eco, spec, max_edges))


def _projection(eco: Ecosystem, spec: GraphSpec, max_edges: int | None) -> Projection:
    onto = spec.onto
    level = "practitioner" if onto == "network" else onto
    inc = incidence(eco, level=level)
    b = inc.binary
    ids = inc.members
    if onto == "network":
        b = b.T.tocsr()
        ids = inc.networks
    if onto == "practitioner" and max_edges is not None:
        m = np.asarray(b.sum(axis=0)).ravel()
        bound = int((m * (m - 1) // 2).sum())
        if bound > max_edges:
            raise UsageError(
                f"a practitioner projection of this selection could build up to {bound:,} ties "
                f"(sum over networks of m(m-1)/2), above max_edges={max_edges:,}. Narrow the "
                "selection (eco.select(session=..., authority=..., workstream=...)), project onto "
                "establishments, or pass max_edges=None to build it anyway."
            )
    b = b.tocsr()
    deg = np.asarray(b.sum(axis=1)).ravel()
    if spec.backbone is None:
        w, newman, jaccard = raw_matrices(b, deg, BLOCK_ENTRIES)
    else:
        test = tie_test(
            spec.backbone,
            b=b,
            alpha=spec.alpha,
            min_weight=spec.min_weight,
            correction=spec.correction,
        )
        w, newman, jaccard = backbone_matrices(b, deg, test, BLOCK_ENTRIES)
    nodes = node_table(eco, onto, ids)
    nodes["memberships"] = deg.astype(np.int64)
    log.debug("projection onto %s: %d nodes, %d ties", onto, len(ids), w.nnz // 2)
    return Projection(onto, nodes, w, newman, jaccard, b, spec.backbone, spec.params(), eco.scope)


# ---------------------------------------------------------------------------------
# networkx graphs for users
# ---------------------------------------------------------------------------------
WEIGHTS = ("networks", "newman", "jaccard")
#: igraph vertex attribute holding a networkx node attribute ``name`` (igraph's ``name``
#: is the node id).
_NAME_ATTR = "nx_name"


def affiliation_graph(eco: Ecosystem, *, level: str = "establishment") -> Any:
    """The two-mode (affiliation) graph of members and networks in scope.

    Members are the establishments (or practitioners) with a record in scope, networks
    those with a record in scope; a member and a network are joined when at least one
    record joins them, with edge ``weight`` = the number of records (MEASURES.md,
    "Graphs"). A record counts for the establishment it is attributed to.

    Node attributes: ``bipartite`` (0 members, 1 networks, as
    :mod:`networkx.algorithms.bipartite` expects), ``kind`` (``establishment``,
    ``practitioner`` or ``network``) and the unit's table columns (a network's own
    ``kind`` column is given as ``network_kind``).

    Parameters
    ----------
    eco : Ecosystem
    level : {"establishment", "practitioner"}

    Returns
    -------
    networkx.Graph

    Raises
    ------
    UsageError
        For another ``level``, or when a member id equals a network id (the two node
        sets must be disjoint).

    Examples
    --------
    >>> import wpnet
    >>> g = affiliation_graph(wpnet.tiny().select(session="2022-23"))
    >>> sorted(g["N1"].items())[:2]
    [('C1', {'weight': 1}), ('E1', {'weight': 2})]
    >>> g.nodes["N1"]["bipartite"], g.nodes["E1"]["kind"]
    (1, 'establishment')
    """
    import networkx as nx

    expect_ecosystem(eco, "affiliation_graph")
    check_choice("level", level, ("establishment", "practitioner"))
    inc = incidence(eco, level=level)
    clash = sorted(set(inc.members) & set(inc.networks))
    if clash:
        raise DataError(
            f"{level} ids equal to network ids ({', '.join(clash[:5])}); a two-mode graph "
            "needs disjoint node sets"
        )
    g = nx.Graph()
    members = node_table(eco, level, inc.members)
    nets = node_table(eco, "network", inc.networks).rename(columns={"kind": "network_kind"})
    for table, part, kind in ((members, 0, level), (nets, 1, "network")):
        cols = list(table.columns)
        g.add_nodes_from(
            (
                nid,
                {
                    **{c: _py(v) for c, v in zip(cols, row, strict=True)},
                    "bipartite": part,
                    "kind": kind,
                },
            )
            for nid, row in zip(table.index, table.itertuples(index=False), strict=True)
        )
    coo = inc.records.tocoo()
    mem, net = inc.members.to_numpy(), inc.networks.to_numpy()
    g.add_edges_from(
        (mem[i], net[k], {"weight": int(x)})
        for i, k, x in zip(coo.row, coo.col, coo.data, strict=True)
    )
    g.graph.update(level=level, scope=dict(eco.scope))
    return g


def project(
    eco: Ecosystem,
    *,
    onto: str = "establishment",
    weight: str = "networks",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    max_edges: int | None = MAX_EDGES,
) -> Any:
    """The one-mode co-membership projection as a weighted ``networkx.Graph``.

    Nodes are the units reached in scope (isolates included) with their table columns
    and ``memberships``; two are tied when they share at least one network
    (``onto="network"``: at least one practitioner). Each edge carries

    - ``shared``: the number of shared networks (shared practitioners);
    - ``newman``: ``Σ_k 1/(m_k − 1)`` over shared networks k with ``m_k`` members
      (Newman 2001);
    - ``jaccard``: shared / (networks of u + networks of v − shared);
    - ``weight``: the one of these named by ``weight``.

    See :func:`projection` for the sparse version and :mod:`wpnet.backbone` for the
    backbones; ``G.graph`` holds ``onto``, ``backbone``, ``params`` and ``description``.

    Parameters
    ----------
    eco : Ecosystem
    onto : {"establishment", "practitioner", "network", "authority"}
    weight : {"networks", "newman", "jaccard"}
        Which value the ``weight`` attribute holds (``networks`` = shared count).
    backbone : {None, "threshold", "disparity", "sdsm"}
        Backbone tests always use the shared count.
    alpha, min_weight, correction
        Backbone parameters.
    max_edges : int or None
        Bound on the ties of a practitioner projection (see :func:`projection`).

    Returns
    -------
    networkx.Graph

    References
    ----------
    M. E. J. Newman (2001). Scientific collaboration networks. II. Shortest paths,
    weighted networks, and centrality. Physical Review E 64, 016132.

    Examples
    --------
    >>> import wpnet
    >>> g = project(wpnet.tiny().select(session="2022-23"), weight="newman")
    >>> g["E1"]["E4"]
    {'weight': 0.5, 'shared': 1, 'newman': 0.5, 'jaccard': 0.5}
    >>> sorted(g.nodes), g.degree("E5")
    (['C1', 'E1', 'E2', 'E4', 'E5'], 0)
    """
    check_choice("weight", weight, WEIGHTS)
    p = projection(
        eco,
        onto=onto,
        backbone=backbone,
        alpha=alpha,
        min_weight=min_weight,
        correction=correction,
        max_edges=max_edges,
    )
    g = p.to_networkx(weight)
    g.graph["weight"] = weight
    return g


def backbone(
    data: Any,
    method: str = "sdsm",
    *,
    onto: str = "establishment",
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    weight: str = "weight",
) -> Any:
    """The backbone of a co-membership projection, as a ``networkx.Graph``.

    On an :class:`~wpnet.ecosystem.Ecosystem` this is
    ``project(eco, onto=onto, backbone=method, ...)``. On a weighted ``networkx.Graph``
    it is :func:`wpnet.backbones.backbone_graph`: a copy keeping only the backbone's
    ties (nodes and attributes kept); only ``threshold`` and ``disparity`` work there,
    since ``sdsm`` needs the affiliation matrix the graph was projected from.

    Methods (MEASURES.md, "Backbone"):

    - ``threshold``: keep ties with ``weight >= min_weight``;
    - ``disparity`` (Serrano, Boguñá & Vespignani 2009): keep a tie when, for at least
      one endpoint i of degree ``k_i > 1`` and strength ``s_i``,
      ``(1 − w_ij / s_i)^(k_i − 1) < alpha``;
    - ``sdsm`` (Neal 2014, with BiCM probabilities of Saracco et al. 2017): keep a tie
      when ``P(X_ij >= w_ij) < alpha`` for ``X_ij = Σ_k Bernoulli(p_ik p_jk)``.

    ``correction`` (``none``, ``holm``, ``bonferroni``, ``fdr_bh``) adjusts the
    p-values over all tested pairs (:func:`wpnet.backbones.backbone_mask`).

    Parameters
    ----------
    data : Ecosystem or networkx.Graph
    method : {"sdsm", "disparity", "threshold"}
    onto, alpha, min_weight, correction
        The graph options (:class:`GraphSpec`); ``onto`` applies to an Ecosystem.
    weight : str
        For a graph: the edge attribute holding each tie's weight; every edge must
        have it.

    Returns
    -------
    networkx.Graph

    Raises
    ------
    WrongType
        For anything but an Ecosystem or a networkx graph.
    UsageError
        For an unknown method or correction, ``sdsm`` on a graph, or a graph whose
        edges lack ``weight``.

    Examples
    --------
    >>> import wpnet
    >>> g = wpnet.backbone(wpnet.tiny().select(session="2022-23"), "threshold", min_weight=1)
    >>> sorted(g.edges())
    [('C1', 'E1'), ('C1', 'E4'), ('E1', 'E4'), ('E2', 'E4')]
    >>> import networkx as nx
    >>> star = nx.Graph([(0, 1, {"weight": 8}), (0, 2, {"weight": 1}), (0, 3, {"weight": 1})])
    >>> sorted(wpnet.backbone(star, "disparity", alpha=0.05).edges())
    [(0, 1)]
    """
    if isinstance(data, Ecosystem):
        check_choice("method", method, METHODS)
        return project(
            data,
            onto=onto,
            backbone=method,
            alpha=alpha,
            min_weight=min_weight,
            correction=correction,
        )
    return backbone_graph(
        data, method, alpha=alpha, min_weight=min_weight, correction=correction, weight=weight
    )


def authority_matrix(eco: Ecosystem, *, value: str = "networks") -> pd.DataFrame:
    """Authorities x authorities co-participation counts.

    With establishments attributed to authorities as in MEASURES.md ("Scope and
    membership"):

    - ``value="networks"``: entry (A, B), A ≠ B, is the number of networks in scope with
      member establishments from both A and B; the diagonal (A, A) is the number of
      networks joining at least two establishments of A (within-authority
      co-participation);
    - ``value="establishment_pairs"``: entry (A, B), A ≠ B, is the number of pairs of
      establishments i in A, j in B sharing at least one network (ties of the
      establishment projection); the diagonal is the number of such pairs within A.

    Both are symmetric. Rows and columns are the authorities with a reached
    establishment in scope, sorted.

    Parameters
    ----------
    eco : Ecosystem
    value : {"networks", "establishment_pairs"}

    Returns
    -------
    DataFrame of int
        Index and columns named ``authority``.

    Examples
    --------
    >>> import wpnet
    >>> eco = wpnet.tiny().select(session="2022-23")
    >>> authority_matrix(eco).values.tolist()  # N1: C1, E1 (Glasgow) with E4; N2: E2 with E4
    [[1, 2, 0], [2, 0, 0], [0, 0, 0]]
    >>> m = authority_matrix(eco, value="establishment_pairs")  # C1-E1; E1-E4, C1-E4, E2-E4
    >>> m.values.tolist()
    [[1, 3, 0], [3, 0, 0], [0, 0, 0]]
    >>> list(m.index)
    ['Glasgow City', 'Inverclyde', 'Renfrewshire']
    """
    expect_ecosystem(eco, "authority_matrix")
    check_choice("value", value, ("networks", "establishment_pairs"))
    inc = incidence(eco, level="establishment")
    est = eco.establishments.drop_duplicates("establishment_id").set_index("establishment_id")
    auth = inc.members.to_series().map(est["authority"])
    known = auth.notna().to_numpy()
    if not known.all():
        log.info("authority_matrix: %d establishments with no authority left out", (~known).sum())
    cat = pd.Categorical(auth[known].astype(str))
    names = pd.Index(cat.categories, name="authority")
    onehot = sp.csr_matrix(
        (np.ones(known.sum()), (cat.codes, np.flatnonzero(known))),
        shape=(len(names), len(inc.members)),
    )
    b = inc.binary
    if value == "networks":
        counts = (onehot @ b).toarray()  # authorities x networks: member establishments
        present = (counts > 0).astype(np.int64)
        out = present @ present.T
        np.fill_diagonal(out, (counts >= 2).sum(axis=1))
    else:
        ties = (b @ b.T).tocsr()
        ties.setdiag(0)
        ties.eliminate_zeros()
        ties.data[:] = 1.0
        out = np.rint((onehot @ ties @ onehot.T).toarray()).astype(np.int64)
        np.fill_diagonal(out, np.diag(out) // 2)
    df = pd.DataFrame(out, index=names, columns=names.copy())
    df.attrs.update(value=value, scope=dict(eco.scope))
    return df


def to_igraph(G: Any) -> Any:
    """A networkx graph as an ``igraph.Graph``, keeping ids and attributes.

    Vertices follow ``G.nodes`` order; the vertex attribute ``name`` holds the node id
    (any hashable, kept as is); every node, edge and graph attribute is copied (a node
    or edge lacking an attribute others have gets ``None``), except that a node
    attribute called ``name`` (an establishment's name, say) becomes the vertex
    attribute ``nx_name``. Directed graphs stay directed. :func:`from_igraph` reverses
    it.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph

    Returns
    -------
    igraph.Graph

    Raises
    ------
    UsageError
        For a multigraph.

    Examples
    --------
    >>> import networkx as nx
    >>> g = to_igraph(nx.Graph([("a", "b", {"weight": 2})]))
    >>> g.vs["name"], g.es["weight"]
    (['a', 'b'], [2])
    """
    import igraph as ig

    if G.is_multigraph():
        raise UsageError("to_igraph takes a simple graph (networkx.Graph or DiGraph)")
    nodes = list(G.nodes())
    pos = {n: i for i, n in enumerate(nodes)}
    edges = list(G.edges(data=True))
    g = ig.Graph(
        n=len(nodes), edges=[(pos[u], pos[v]) for u, v, _ in edges], directed=G.is_directed()
    )
    g.vs["name"] = nodes
    for k in sorted({k for _, d in G.nodes(data=True) for k in d}, key=str):
        g.vs[_NAME_ATTR if k == "name" else k] = [G.nodes[n].get(k) for n in nodes]
    for k in sorted({k for _, _, d in edges for k in d}, key=str):
        g.es[k] = [d.get(k) for _, _, d in edges]
    for k, v in G.graph.items():
        g[k] = v
    return g


def from_igraph(g: Any) -> Any:
    """An ``igraph.Graph`` as a networkx graph, keeping ids and attributes.

    Node ids come from the vertex attribute ``name`` when present (vertex indices
    otherwise); the other vertex, edge and graph attributes are copied (the vertex
    attribute ``nx_name`` becomes the node attribute ``name``, see :func:`to_igraph`). A
    :func:`to_igraph` round trip gives the original graph back when every node (edge)
    carries the same attribute keys, as wpnet's graphs do; igraph has no missing
    attribute, so a key some nodes lacked comes back with value ``None``.

    Parameters
    ----------
    g : igraph.Graph

    Returns
    -------
    networkx.Graph or networkx.DiGraph

    Raises
    ------
    UsageError
        For a graph with multiple edges between the same pair.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b", {"weight": 2})])
    >>> nx.utils.graphs_equal(from_igraph(to_igraph(G)), G)
    True
    """
    import networkx as nx

    if g.has_multiple():
        raise UsageError("from_igraph takes a graph without multiple edges")
    G = nx.DiGraph() if g.is_directed() else nx.Graph()
    vattrs = g.vs.attributes()
    ids = g.vs["name"] if "name" in vattrs else list(range(g.vcount()))
    others = [k for k in vattrs if k != "name"]
    cols = {k: g.vs[k] for k in others}
    G.add_nodes_from(
        (n, {("name" if k == _NAME_ATTR else k): cols[k][i] for k in others})
        for i, n in enumerate(ids)
    )
    eattrs = g.es.attributes()
    ecols = {k: g.es[k] for k in eattrs}
    G.add_edges_from(
        (ids[s], ids[t], {k: ecols[k][i] for k in eattrs})
        for i, (s, t) in enumerate(g.get_edgelist())
    )
    G.graph.update({k: g[k] for k in g.attributes()})
    return G
