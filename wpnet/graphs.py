"""Graphs: two-mode incidence, sparse projections and their conversion.

Participation records are two-mode data: members (practitioners or establishments)
by networks. :func:`incidence` builds that matrix; :func:`projection` multiplies it
out (``B Bᵀ``) into a :class:`Projection` of sparse matrices, optionally reduced to a
backbone (:mod:`wpnet.backbone`); :func:`project` gives the same as a networkx graph.
Measures run on :class:`Projection` (scipy / igraph); users get networkx.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wpnet.ecosystem import Ecosystem

__all__ = ["Incidence", "Projection", "incidence", "projection"]

log = logging.getLogger(__name__)

Onto = Literal["establishment", "practitioner", "network", "authority"]
ONTO = ("establishment", "practitioner", "network", "authority")
BACKBONES = (None, "threshold", "disparity", "sdsm")
#: Default bound on the ties of a projection onto practitioners.
MAX_EDGES = 5_000_000


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


def incidence(eco: Ecosystem, level: str = "establishment") -> Incidence:
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
    column = {
        "establishment": "establishment_id",
        "practitioner": "practitioner_id",
        "authority": "authority",
    }.get(level)
    if column is None:
        raise ValueError(
            f"level must be 'establishment', 'practitioner' or 'authority'; got {level!r}"
        )
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
    """

    onto: str
    nodes: pd.DataFrame
    weight: sp.csr_matrix
    newman: sp.csr_matrix
    jaccard: sp.csr_matrix
    incidence: sp.csr_matrix
    backbone: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    scope: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.nodes)

    def edges(self) -> pd.DataFrame:
        """Ties as a table: ``u``, ``v`` (node ids, u < v by position), ``i``, ``j``
        (positions), ``weight``, ``newman``, ``jaccard``."""
        # The three matrices share one sparsity pattern, so their upper triangles
        # (canonical CSR, row-major) line up entry for entry.
        up = [sp.triu(x, k=1).tocsr() for x in (self.weight, self.newman, self.jaccard)]
        for x in up:
            x.sort_indices()
        coo = up[0].tocoo()
        ids = self.nodes.index.to_numpy()
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

    def to_networkx(self) -> Any:
        """The projection as a weighted ``networkx.Graph`` (node attributes from ``nodes``)."""
        import networkx as nx

        g = nx.Graph()
        nodes = self.nodes
        cols = list(nodes.columns)
        g.add_nodes_from(
            (nid, {c: _py(v) for c, v in zip(cols, row, strict=True)})
            for nid, row in zip(nodes.index, nodes.itertuples(index=False), strict=True)
        )
        e = self.edges()
        g.add_edges_from(
            (u, v, {"weight": _py(w), "newman": float(nw), "jaccard": float(jc)})
            for u, v, w, nw, jc in zip(e.u, e.v, e.weight, e.newman, e.jaccard, strict=True)
        )
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
        g = ig.Graph(n=self.n, edges=np.column_stack([e.i, e.j]).tolist(), directed=False)
        g.vs["name"] = [str(x) for x in self.nodes.index]
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


def _node_table(eco: Ecosystem, onto: str, ids: pd.Index) -> pd.DataFrame:
    if onto == "establishment":
        t = eco.establishments.drop_duplicates("establishment_id").set_index("establishment_id")
    elif onto == "practitioner":
        t = eco.practitioners.drop_duplicates("practitioner_id").set_index("practitioner_id")
        est = eco.establishments.drop_duplicates("establishment_id").set_index("establishment_id")
        for c in ("authority", "sector", "simd_quintile"):
            t[c] = t["establishment_id"].map(est[c])
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
    onto: str = "establishment",
    *,
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
    :func:`wpnet.backbone.backbone_mask` keeps (MEASURES.md, "Backbone").

    Parameters
    ----------
    eco : Ecosystem
    onto : {"establishment", "practitioner", "network", "authority"}
    backbone : {None, "threshold", "disparity", "sdsm"}
    alpha, min_weight, correction
        Backbone parameters (see :mod:`wpnet.backbone`).
    max_edges : int or None
        For ``onto="practitioner"``: refuse to build more ties than this (default
        5,000,000); ``None`` lifts the bound.

    Returns
    -------
    Projection

    Raises
    ------
    ValueError
        For an unknown ``onto`` or ``backbone``, or a practitioner projection above
        ``max_edges`` (the message says how many ties it would build and how to narrow).

    Examples
    --------
    >>> import wpnet
    >>> p = projection(wpnet.tiny().select(session="2022-23"))
    >>> p.edges()[["u", "v", "weight"]].values.tolist()
    [['C1', 'E1', 1], ['C1', 'E4', 1], ['E1', 'E4', 1], ['E2', 'E4', 1]]
    """
    if onto not in ONTO:
        raise ValueError(f"onto must be one of {ONTO}; got {onto!r}")
    if backbone not in BACKBONES:
        raise ValueError(f"backbone must be one of {BACKBONES}; got {backbone!r}")
    level = "practitioner" if onto == "network" else onto
    inc = incidence(eco, level)
    b = inc.binary
    ids = inc.members
    if onto == "network":
        b = b.T.tocsr()
        ids = inc.networks
    if onto == "practitioner" and max_edges is not None:
        m = np.asarray(b.sum(axis=0)).ravel()
        bound = int((m * (m - 1) // 2).sum())
        if bound > max_edges:
            raise ValueError(
                f"a practitioner projection of this selection could build up to {bound:,} ties "
                f"(sum over networks of m(m-1)/2), above max_edges={max_edges:,}. Narrow the "
                "selection (eco.select(session=..., authority=..., workstream=...)), project onto "
                "establishments, or pass max_edges=None to build it anyway."
            )
    b = b.tocsr()
    w = (b @ b.T).tocsr()
    w.setdiag(0)
    w.eliminate_zeros()
    m = np.asarray(b.sum(axis=0)).ravel()
    inv = np.zeros_like(m, dtype=np.float64)
    inv[m > 1] = 1.0 / (m[m > 1] - 1)
    newman = (b @ sp.diags(inv) @ b.T).tocsr()
    newman.setdiag(0)
    newman.eliminate_zeros()
    deg = np.asarray(b.sum(axis=1)).ravel()
    coo = w.tocoo()
    jac_data = coo.data / (deg[coo.row] + deg[coo.col] - coo.data)
    jaccard = sp.csr_matrix((jac_data, (coo.row, coo.col)), shape=w.shape)
    w = w.astype(np.int64) if np.allclose(w.data, np.round(w.data)) else w
    params: dict[str, Any] = {}
    if backbone is not None:
        from wpnet.backbone import backbone_mask

        keep = backbone_mask(
            b, w, method=backbone, alpha=alpha, min_weight=min_weight, correction=correction
        )
        w, newman, jaccard = (_keep(x, keep) for x in (w, newman, jaccard))
        params = {
            "threshold": {"min_weight": min_weight},
            "disparity": {"alpha": alpha},
            "sdsm": {"alpha": alpha, "correction": correction},
        }[backbone]
    nodes = _node_table(eco, onto, ids)
    nodes["memberships"] = deg.astype(np.int64)
    log.debug("projection onto %s: %d nodes, %d ties", onto, len(ids), w.nnz // 2)
    return Projection(onto, nodes, w, newman, jaccard, b, backbone, params, eco.scope)


def _keep(x: sp.csr_matrix, keep: sp.csr_matrix) -> sp.csr_matrix:
    out = x.multiply(keep).tocsr()
    out.eliminate_zeros()
    return out
