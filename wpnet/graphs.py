"""Graphs: two-mode incidence, sparse projections and their conversion.

Participation records are two-mode data: members (practitioners or establishments)
by networks. :func:`incidence` builds that matrix; :func:`projection` multiplies it
out (``B Bᵀ``) into a :class:`Projection` of sparse matrices, optionally reduced to a
backbone (:mod:`wpnet.backbone`); :func:`project` gives the same as a networkx graph.
Measures run on :class:`Projection` (scipy / igraph); users get networkx.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wpnet.ecosystem import Ecosystem

__all__ = [
    "Incidence",
    "Projection",
    "affiliation_graph",
    "authority_matrix",
    "from_igraph",
    "incidence",
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

    def to_networkx(self, weight: str | None = None) -> Any:
        """The projection as a weighted ``networkx.Graph`` (node attributes from ``nodes``).

        Edge attributes ``weight`` (shared count), ``newman`` and ``jaccard``; with
        ``weight`` in ``networks``, ``newman``, ``jaccard`` (as :func:`project`), ``weight``
        holds that value and ``shared`` the shared count.
        """
        import networkx as nx

        g = nx.Graph()
        nodes = self.nodes
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
    # an Ecosystem never changes: the same projection of it is built once (Ecosystem
    # keeps the few most recent ones) and shared; a Projection is frozen
    key = ("projection", onto, backbone, float(alpha), float(min_weight), correction, max_edges)
    return eco._memoised(
        key, lambda: _projection(eco, onto, backbone, alpha, min_weight, correction, max_edges)
    )


def _projection(
    eco: Ecosystem,
    onto: str,
    backbone: str | None,
    alpha: float,
    min_weight: float,
    correction: str,
    max_edges: int | None,
) -> Projection:
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
    deg = np.asarray(b.sum(axis=1)).ravel()
    params: dict[str, Any] = {}
    if backbone is None:
        w, newman, jaccard = _raw_matrices(b, deg, BLOCK_ENTRIES)
    else:
        from wpnet.backbone import _tie_test

        test = _tie_test(backbone, b, alpha=alpha, min_weight=min_weight, correction=correction)
        w, newman, jaccard = _backbone_matrices(b, deg, test, BLOCK_ENTRIES)
        params = {
            "threshold": {"min_weight": min_weight},
            "disparity": {"alpha": alpha, "correction": correction},
            "sdsm": {"alpha": alpha, "correction": correction},
        }[backbone]
    nodes = _node_table(eco, onto, ids)
    nodes["memberships"] = deg.astype(np.int64)
    log.debug("projection onto %s: %d nodes, %d ties", onto, len(ids), w.nnz // 2)
    return Projection(onto, nodes, w, newman, jaccard, b, backbone, params, eco.scope)


# ---------------------------------------------------------------------------------
# The projection, one block of rows at a time
# ---------------------------------------------------------------------------------
#: Most entries one block product of a projection may store; bounds the working memory
#: of :func:`projection` (about 24 bytes an entry) whatever the size of the projection.
BLOCK_ENTRIES = 1 << 24


@dataclass(frozen=True)
class _Ties:
    """The ties of rows ``start:stop`` of a projection, row by row, columns ascending.

    ``rows``, ``cols`` (int32 positions), ``weight`` (int32 shared networks) and
    ``newman`` (float64, or None when not asked for).
    """

    start: int
    stop: int
    rows: np.ndarray
    cols: np.ndarray
    weight: np.ndarray
    newman: np.ndarray | None

    def take(self, keep: np.ndarray) -> _Ties:
        """The ties where ``keep`` is true."""
        nw = None if self.newman is None else self.newman[keep]
        return _Ties(self.start, self.stop, self.rows[keep], self.cols[keep], self.weight[keep], nw)


def _newman_factor(b: sp.csr_matrix) -> sp.csr_matrix:
    """``B diag(1/(m_k − 1))`` (networks with one member get 0), left factor of Newman's
    weights; computed as a product, like the whole matrix, so its rows keep their order
    and each Newman weight is summed in the same order whatever the blocks."""
    m = np.asarray(b.sum(axis=0)).ravel()
    inv = np.zeros_like(m, dtype=np.float64)
    inv[m > 1] = 1.0 / (m[m > 1] - 1)
    return (b @ sp.diags(inv)).tocsr()


def _row_blocks(b: sp.csr_matrix, upper: bool, entries: int) -> list[tuple[int, int]]:
    """Consecutive row ranges whose products hold at most about ``entries`` entries.

    Row i of ``B Bᵀ`` stores at most ``min(Σ_k B_ik m_k, width)`` entries (its two-step
    paths, bounded by the columns computed: all n, or the ``n − i`` from i on when
    ``upper``); blocks are cut greedily on the running sum of that bound, one row at
    least.
    """
    n = b.shape[0]
    m = np.asarray(b.sum(axis=0)).ravel()
    width = n - np.arange(n) if upper else np.full(n, n)
    return _cut_blocks(np.minimum(b @ m, width), entries)


def _cut_blocks(cost: np.ndarray, entries: float) -> list[tuple[int, int]]:
    """Consecutive ranges ``(start, stop)`` of rows whose ``cost`` sums to at most about
    ``entries``, cut greedily on the running sum; one row at least per range.

    Examples
    --------
    >>> _cut_blocks(np.array([2.0, 2.0, 5.0, 1.0]), 4)
    [(0, 2), (2, 3), (3, 4)]
    """
    cum = np.cumsum(cost)
    n = len(cum)
    blocks, start = [], 0
    while start < n:
        base = cum[start - 1] if start else 0.0
        stop = max(int(np.searchsorted(cum, base + entries, side="right")), start + 1)
        blocks.append((start, stop))
        start = stop
    return blocks


def _block_product(
    left: sp.csr_matrix, right: sp.csr_matrix, start: int, lo: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns (int32, global positions) and values of ``left @ right`` for the
    rows from ``start`` and columns from ``lo``, columns sorted within rows."""
    z = (left @ right).tocsr()
    z.sort_indices()
    rows = np.repeat(np.arange(start, start + z.shape[0], dtype=np.int32), np.diff(z.indptr))
    cols = z.indices.astype(np.int32) + np.int32(lo)
    return rows, cols, z.data


def _ties(b: sp.csr_matrix, *, upper: bool, newman: bool, entries: int) -> Iterator[_Ties]:
    """The ties of ``B Bᵀ`` block by block: pairs i < j when ``upper``, else every
    ordered pair i ≠ j (whole rows); ``newman`` adds Newman's weights."""
    bx = _newman_factor(b) if newman else None
    whole = None if upper else b.T.tocsr()
    for start, stop in _row_blocks(b, upper, entries):
        lo = start if upper else 0
        right = b[lo:].T.tocsr() if whole is None else whole
        rows, cols, data = _block_product(b[start:stop], right, start, lo)
        keep = cols > rows if upper else cols != rows
        rows, cols, weight = rows[keep], cols[keep], data[keep].astype(np.int32)
        nw = None
        if bx is not None:
            r2, c2, nw = _block_product(bx[start:stop], right, start, lo)
            keep = c2 > r2 if upper else c2 != r2
            if not (np.array_equal(r2[keep], rows) and np.array_equal(c2[keep], cols)):
                raise RuntimeError("Newman weights and shared counts tie different pairs")
            nw = nw[keep]
        yield _Ties(start, stop, rows, cols, weight, nw)


def _jaccard(weight: np.ndarray, deg_i: np.ndarray, deg_j: np.ndarray) -> np.ndarray:
    """shared / (networks of i + networks of j − shared), in float64."""
    x = weight.astype(np.float64)
    return x / (deg_i + deg_j - x)


def _concat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    """One array of ``parts`` (emptied, so each part is freed as soon as copied)."""
    out = np.concatenate(parts, dtype=dtype) if parts else np.zeros(0, dtype=dtype)
    parts.clear()
    return out


def _raw_matrices(
    b: sp.csr_matrix, deg: np.ndarray, entries: int
) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    """Weight (int64), Newman and Jaccard matrices of every tie, built row block by row
    block; the three share one index structure (do not change it in place)."""
    n = b.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    cols: list[np.ndarray] = []
    weight: list[np.ndarray] = []
    newman: list[np.ndarray] = []
    jaccard: list[np.ndarray] = []
    for t in _ties(b, upper=False, newman=True, entries=entries):
        assert t.newman is not None
        counts[t.start : t.stop] = np.bincount(t.rows - t.start, minlength=t.stop - t.start)
        cols.append(t.cols)
        weight.append(t.weight)
        newman.append(t.newman)
        jaccard.append(_jaccard(t.weight, deg[t.rows], deg[t.cols]))
    index = np.int32 if counts.sum() < np.iinfo(np.int32).max else np.int64
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(index)
    indices = _concat(cols, index)
    return tuple(  # type: ignore[return-value]
        sp.csr_matrix((_concat(x, dt), indices, indptr), shape=(n, n))
        for x, dt in ((weight, np.int64), (newman, np.float64), (jaccard, np.float64))
    )


def _backbone_matrices(
    b: sp.csr_matrix, deg: np.ndarray, test: Any, entries: int
) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    """Weight, Newman and Jaccard matrices (float64) of the ties a backbone keeps.

    Passes over the ties i < j, block by block: a survey when the test needs one
    (degrees, distinct SDSM keys, the number of tests); the p-values of every tie when
    the correction needs all of them at once (``holm``, ``fdr_bh``: 8 bytes a tie);
    then the kept ties with their weights.
    """
    from wpnet.backbone import adjust_pvalues

    def blocks(newman: bool) -> Iterator[_Ties]:
        return _ties(b, upper=True, newman=newman, entries=entries)

    if test.surveys:
        for t in blocks(False):
            test.survey(t.rows, t.cols, t.weight)
        test.done()
    decided = None
    if not test.local:
        p = _concat([test.pvalues(t.rows, t.cols, t.weight) for t in blocks(False)], np.float64)
        decided = adjust_pvalues(p, test.correction) < test.alpha
        del p
    kept: list[_Ties] = []
    offset = 0
    for t in blocks(True):
        if decided is None:
            keep = test.keep(t.rows, t.cols, t.weight)
        else:
            keep = decided[offset : offset + t.rows.size]
            offset += t.rows.size
        kept.append(t.take(keep))
    rows = _concat([t.rows for t in kept], np.int32)
    cols = _concat([t.cols for t in kept], np.int32)
    weight = _concat([t.weight for t in kept], np.float64)
    newman = _concat([t.newman for t in kept], np.float64)  # type: ignore[misc]
    jaccard = _jaccard(weight, deg[rows], deg[cols])
    n = b.shape[0]
    return tuple(_symmetric(n, rows, cols, x) for x in (weight, newman, jaccard))  # type: ignore[return-value]


def _symmetric(n: int, rows: np.ndarray, cols: np.ndarray, x: np.ndarray) -> sp.csr_matrix:
    """The symmetric n x n matrix with ``x`` at (rows, cols) and (cols, rows)."""
    return sp.csr_matrix(
        (np.concatenate([x, x]), (np.concatenate([rows, cols]), np.concatenate([cols, rows]))),
        shape=(n, n),
    )


# ---------------------------------------------------------------------------------
# networkx graphs for users
# ---------------------------------------------------------------------------------
WEIGHTS = ("networks", "newman", "jaccard")
#: igraph vertex attribute holding a networkx node attribute ``name`` (igraph's ``name``
#: is the node id).
_NAME_ATTR = "nx_name"


def affiliation_graph(eco: Ecosystem, level: str = "establishment") -> Any:
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
    ValueError
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

    if level not in ("establishment", "practitioner"):
        raise ValueError(f"level must be 'establishment' or 'practitioner'; got {level!r}")
    inc = incidence(eco, level)
    clash = sorted(set(inc.members) & set(inc.networks))
    if clash:
        raise ValueError(
            f"{level} ids equal to network ids ({', '.join(clash[:5])}); a two-mode graph "
            "needs disjoint node sets"
        )
    g = nx.Graph()
    members = _node_table(eco, level, inc.members)
    nets = _node_table(eco, "network", inc.networks).rename(columns={"kind": "network_kind"})
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
    onto: str = "establishment",
    *,
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
    if weight not in WEIGHTS:
        raise ValueError(f"weight must be one of {WEIGHTS}; got {weight!r}")
    p = projection(
        eco,
        onto,
        backbone=backbone,
        alpha=alpha,
        min_weight=min_weight,
        correction=correction,
        max_edges=max_edges,
    )
    g = p.to_networkx(weight)
    g.graph["weight"] = weight
    return g


def authority_matrix(eco: Ecosystem, value: str = "networks") -> pd.DataFrame:
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
    >>> m = authority_matrix(eco, "establishment_pairs")  # C1-E1; E1-E4, C1-E4, E2-E4
    >>> m.values.tolist()
    [[1, 3, 0], [3, 0, 0], [0, 0, 0]]
    >>> list(m.index)
    ['Glasgow City', 'Inverclyde', 'Renfrewshire']
    """
    if value not in ("networks", "establishment_pairs"):
        raise ValueError(f"value must be 'networks' or 'establishment_pairs'; got {value!r}")
    inc = incidence(eco, "establishment")
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
    ValueError
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
        raise ValueError("to_igraph takes a simple graph (networkx.Graph or DiGraph)")
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
    ValueError
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
        raise ValueError("from_igraph takes a graph without multiple edges")
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
