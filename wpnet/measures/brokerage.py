"""Brokerage: who sits between whom in the co-membership graph (MEASURES.md, "Brokerage").

The Ecosystem-level functions:

- :func:`brokerage` — one row per node: degree, strength, betweenness, Burt's structural
  holes (effective size, efficiency, constraint, hierarchy), Gould–Fernandez role counts
  with their expectations under a random graph, the node's E-I index and two-step reach;
- :func:`brokerage_roles` — the network-level Gould–Fernandez table (observed, expected,
  sd, z per role) as statnet's ``sna::brokerage`` reports it;
- :func:`ei_test` — the whole-network E-I index with its permutation test;
- :func:`top_brokers` — the leading brokers of a :func:`brokerage` table, by one rule
  that the maps and the report share.

The graph arithmetic lives in pure functions over scipy sparse matrices, each family in
its own module: :mod:`wpnet.measures.structural_holes`, :mod:`wpnet.measures.roles`
(Gould–Fernandez, E-I) and :mod:`wpnet.measures._betweenness` (exact or sampled
betweenness on igraph's C core). This module picks the graph (one place for the
"which graph" choice: a projection named by the graph options, or the survey ties) and
assembles the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wpnet._sparse import binary, colsum, density, drop_diagonal, rowsum, symmetrised
from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import UsageError, check_choice
from wpnet.graphs import GraphSpec, Projection, node_table
from wpnet.measures import _betweenness
from wpnet.measures._betweenness import BETWEENNESS_METHODS, _betweenness_by, sampled_betweenness
from wpnet.measures._common import graph_for, node_groups, stamp, tie_classes
from wpnet.measures.roles import (
    EI_KEYS,
    ROLES,
    ei_permutation,
    gf_network_moments,
    gf_node_moments,
    gould_fernandez,
    group_codes,
    node_ei,
    role_codes,
)
from wpnet.measures.structural_holes import structural_holes, two_step_reach

__all__ = [
    "BROKERAGE_COLUMNS",
    "BROKER_BY",
    "EI_COLUMNS",
    "GRAPHS",
    "brokerage",
    "brokerage_roles",
    "ei_test",
    "sampled_betweenness",
    "top_brokers",
]

#: The columns of :func:`brokerage`, in order.
BROKERAGE_COLUMNS = (
    "group",
    "degree",
    "strength",
    "betweenness",
    "effective_size",
    "efficiency",
    "constraint",
    "hierarchy",
    *(f"gf_{r}" for r in ROLES),
    *(f"gf_{r}_expected" for r in ROLES),
    *(f"gf_{r}_z" for r in ROLES),
    "external",
    "internal",
    "ei_index",
    "two_step_reach",
)
#: The columns of :func:`ei_test`, in order.
EI_COLUMNS = EI_KEYS
GRAPHS = ("projection", "ties")
#: The columns :func:`top_brokers` may rank by.
BROKER_BY = ("betweenness", "gf_total", "constraint", "effective_size", "degree")


# ---- public: Ecosystem level -------------------------------------------------------------
def brokerage(
    eco: Ecosystem,
    *,
    onto: str = "establishment",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    group: str = "authority",
    graph: str = "projection",
    betweenness: str = "auto",
    samples: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Brokerage positions of every node: structural holes, Gould–Fernandez roles, E-I.

    With W the weight matrix (``graph="projection"``: shared networks, symmetric;
    ``graph="ties"``: directed survey ties), S = W + Wᵀ, contacts N(i) = {j: S_ij > 0}:

    - ``betweenness`` = Σ_{s≠i≠t} σ_st(i)/σ_st on the unweighted graph, divided by
      (n − 1)(n − 2)/2 (undirected) or (n − 1)(n − 2) (directed), as networkx's
      ``betweenness_centrality(normalized=True)``;
    - p_ij = S_ij / Σ_k S_ik; ``constraint`` C_i = Σ_{j∈N(i)} c_ij with
      c_ij = (p_ij + Σ_q p_iq p_qj)²; ``effective_size`` = Σ_{j∈N(i)} (1 − Σ_q p_iq m_jq),
      m_jq = S_jq / max_k S_jk; ``efficiency`` = effective size / |N(i)| (Burt 1992, as
      networkx computes them with ``weight="weight"``);
    - ``hierarchy`` = Σ_j r_j ln r_j / (N ln N), r_j = c_ij / (C_i / N), N = |N(i)|
      (Burt 1992, the Coleman–Theil index of constraint);
    - ``gf_<role>``: Gould & Fernandez (1989) counts over ordered triples a → i → c with
      arcs a→i, i→c, no arc a→c, a ≠ c; on the projection every tie is both arcs;
    - ``gf_<role>_expected``, ``gf_<role>_z``: expectation and (count − expectation)/sd
      under a Bernoulli graph of the same density and group sizes (``sna::brokerage``'s
      ``exp.nli`` and ``z.nli``; see :func:`gf_node_moments`);
    - ``ei_index`` = (external − internal) / (external + internal) (Krackhardt & Stern
      1988); ``two_step_reach`` = share of the other n − 1 nodes reachable in ≤ 2 steps.

    Parameters
    ----------
    eco : Ecosystem
        Usually one session (``eco.select(session=...)``).
    onto, backbone, alpha, min_weight, correction
        The graph options (:class:`wpnet.graphs.GraphSpec`): the projection
        (:func:`wpnet.graphs.projection`) and its backbone (:mod:`wpnet.backbones`).
        ``onto`` is ignored for ``graph="ties"``, whose nodes are always practitioners,
        and ``backbone`` must be left at ``None`` there.
    group : str
        Node attribute defining the groups: ``authority``, ``sector``,
        ``simd_quintile``, ``level`` (practitioners), ... For ``onto="network"``,
        ``authority`` is the network's ``lead_authority``.
    graph : {"projection", "ties"}
        ``"ties"``: the directed survey ties ``eco.ties`` (arcs source → target,
        weight = sum of the ``weight`` column over repeated arcs, 1 where missing;
        self-ties dropped); the nodes are the practitioners at either end of a tie, with
        their establishment's ``authority``, ``sector``, ``simd_quintile``.
    betweenness : {"auto", "exact", "sampled"}
        ``"exact"``: Brandes' algorithm over every source (work ∝ n·m). ``"sampled"``:
        the pivot estimate of :func:`sampled_betweenness` from ``samples`` sources drawn
        with ``seed``. ``"auto"`` (default): exact unless n·m exceeds
        :data:`EXACT_BETWEENNESS_WORK` (about a minute and a half of one core here), in
        which case the estimate is used and a ``UserWarning`` says so. The method, the
        number of sources and the error bound are in ``attrs["betweenness"]``.
    samples : int, optional
        Sources of the sampled estimate (default :data:`BETWEENNESS_SAMPLES`).
    seed : int
        Random seed of the sampled estimate.

    Returns
    -------
    DataFrame
        One row per node, indexed by node id, columns :data:`BROKERAGE_COLUMNS`:

        - ``group``: the node's ``group`` value;
        - ``degree`` (int64): contacts |N(i)|; ``strength``: Σ_j W_ij (projection) or
          Σ_j (W_ij + W_ji) (ties);
        - ``betweenness``; ``effective_size``, ``efficiency``, ``constraint``: NaN for
          isolates; ``hierarchy``: NaN where N < 2;
        - ``gf_coordinator``, ``gf_itinerant``, ``gf_representative``,
          ``gf_gatekeeper``, ``gf_liaison``, ``gf_total`` (int64);
        - ``gf_<role>_expected``, ``gf_<role>_z`` (z NaN where the sd is 0; both NaN
          for a graph of fewer than two nodes, whose density is undefined);
        - ``external``, ``internal`` (int64): contacts in another / the same group;
          ``ei_index``: NaN without such contacts;
        - ``two_step_reach``: NaN for a graph of one node.

        ``attrs``: ``measure``, ``graph``, ``backbone``, ``scope``, ``onto``, ``group``,
        ``graph_kind``, ``density`` (arcs / (n(n − 1)), the d of the expectations),
        ``betweenness`` (a dict: ``method`` "exact" or "sampled", and for a sample
        ``sources``, ``seed``, ``error_bound``, ``confidence``, ``median_se``,
        ``max_se`` as :func:`sampled_betweenness` defines them).

    Raises
    ------
    WrongType
        When ``eco`` is not an Ecosystem.
    UsageError
        For an unknown ``graph``, ``onto``, ``backbone`` or ``correction``, a ``group``
        that is not a node attribute, or a backbone with ``graph="ties"``.

    Notes
    -----
    A node whose group is missing belongs, for the Gould–Fernandez counts and their
    expectations, to one extra group of all such nodes (as ``sna::brokerage`` does with
    ``NA``). The E-I columns leave such nodes out: their contacts count for nobody's
    ``external``/``internal`` and their own ``ei_index`` is NaN.

    References
    ----------
    Freeman (1977); Burt (1992), Structural Holes, ch. 2; Gould & Fernandez (1989),
    Structures of mediation, Sociological Methodology 19; Krackhardt & Stern (1988);
    Butts, sna R package, ``brokerage`` (R/models.R, src/gli.c).

    Examples
    --------
    >>> import wpnet
    >>> b = brokerage(wpnet.tiny().select(session="2022-23"))
    >>> b.loc["E4", ["degree", "gf_total", "gf_itinerant", "gf_coordinator"]].tolist()
    [3, 4, 4, 0]
    >>> b.loc["E4", ["effective_size", "constraint", "hierarchy"]].round(4).tolist()
    [2.3333, 0.6111, 0.0522]
    """
    expect_ecosystem(eco, "brokerage")
    spec = GraphSpec(onto, backbone, alpha, min_weight, correction)
    check_choice("graph", graph, GRAPHS)
    check_choice("betweenness", betweenness, BETWEENNESS_METHODS)
    if graph == "ties" and backbone is not None:
        raise UsageError("backbone applies to projections only; use graph='projection'")
    k = _betweenness.BETWEENNESS_SAMPLES if samples is None else int(samples)
    args = (spec, group, graph, betweenness, k, int(seed))
    # an Ecosystem never changes, so the report, its figures and the map share one run;
    # each caller gets its own copy
    out = eco.derived(("brokerage", *args), lambda: _brokerage(eco, *args))
    return out.copy(deep=True)


def _brokerage(
    eco: Ecosystem, spec: GraphSpec, group: str, graph: str, betweenness: str, k: int, seed: int
) -> pd.DataFrame:
    """:func:`brokerage` computed (``k`` sources when betweenness is sampled)."""
    g = _graph(eco, spec, graph, group)
    out, dens, how = _node_frame(g.w, g.groups, g.directed, betweenness, k, seed)
    out.index = g.ids.copy()
    _stamp(out, eco, g, spec, group, dens)
    out.attrs["betweenness"] = how
    return out


def brokerage_roles(
    eco: Ecosystem,
    *,
    onto: str = "establishment",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    group: str = "authority",
    graph: str = "projection",
) -> pd.DataFrame:
    """Network-level Gould–Fernandez brokerage against a random-graph baseline.

    Per role, the observed count summed over brokers, its expectation and standard
    deviation under a Bernoulli graph with the observed density d = arcs / (N(N − 1))
    and the observed group sizes, and z = (observed − expected) / sd: ``raw.gli``,
    ``exp.gli``, ``sd.gli`` and ``z.gli`` of ``sna::brokerage`` (formulas in
    :func:`gf_network_moments`). Arguments as :func:`brokerage`.

    Returns
    -------
    DataFrame
        Index ``role``: coordinator, itinerant, representative, gatekeeper, liaison,
        total. Columns ``observed`` (int64), ``expected``, ``sd``, ``z`` (NaN where sd
        is 0). ``attrs`` as :func:`brokerage`, plus ``nodes`` and ``group_sizes``.

    References
    ----------
    Gould & Fernandez (1989); Butts, sna R package, ``brokerage`` in R/models.R.

    Examples
    --------
    >>> import wpnet
    >>> r = brokerage_roles(wpnet.tiny().select(session="2022-23"))
    >>> r["observed"].tolist()
    [0, 4, 0, 0, 0, 4]
    >>> round(float(r.loc["total", "expected"]), 4)
    5.76
    """
    expect_ecosystem(eco, "brokerage_roles")
    spec = GraphSpec(onto, backbone, alpha, min_weight, correction)
    g = _graph(eco, spec, graph, group)
    adj = binary(g.w)
    codes = role_codes(g.groups)
    counts = gould_fernandez(adj, codes)
    observed = np.append(counts.sum(axis=0), counts.sum())
    sizes = np.bincount(codes).astype(np.float64) if len(codes) else np.zeros(0)
    n = adj.shape[0]
    dens = density(adj)
    expected, var = gf_network_moments(sizes, dens)
    sd = np.sqrt(np.maximum(var, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (observed - expected) / sd, np.nan)
    out = pd.DataFrame(
        {
            "observed": observed.astype(np.int64),
            "expected": expected.astype(np.float64),
            "sd": sd.astype(np.float64),
            "z": z.astype(np.float64),
        },
        index=pd.Index(list(ROLES), name="role", dtype="str"),
    )
    _stamp(out, eco, g, spec, group, dens)
    out.attrs["nodes"] = int(n)
    out.attrs["group_sizes"] = [int(s) for s in sizes]
    return out


def ei_test(
    eco: Ecosystem,
    *,
    onto: str = "establishment",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    group: str = "authority",
    graph: str = "projection",
    permutations: int = 5000,
    seed: int = 0,
) -> pd.DataFrame:
    """Whole-network E-I index and its permutation test, as UCINET reports them.

    E = ties between nodes of different groups, I = ties within a group (each tie once;
    for ``graph="ties"`` each pair of practitioners tied in either direction once;
    ties with an end of unknown group left out), E-I = (E − I)/(E + I) (Krackhardt &
    Stern 1988). The group labels of the nodes with a known group are permuted
    ``permutations`` times (the graph held fixed) and E-I recomputed.

    With T = E + I ties among the n known nodes, P = n(n − 1)/2 pairs and X = Σ_{g<h}
    n_g n_h between-group pairs:

    - ``expected`` = 2X/P − 1, the exact mean of E-I over all label permutations (each
      tie's ends get a uniformly random pair of labels);
    - ``min_possible`` / ``max_possible``: the smallest and largest E-I any placement of
      T ties among these groups can reach, (2 max(0, T − (P − X)) − T)/T and
      (2 min(T, X) − T)/T;
    - ``p_greater`` = (1 + #{permutations with E-I ≥ observed}) / (S + 1) (UCINET's
      ``P >= Ob``), ``p_less`` the same with E-I ≤ observed (``P <= Ob``);
      ``p_one_sided`` is the one in the observed direction (``p_greater`` when observed
      ≥ expected); ``p_two_sided`` = (1 + #{|E-I − expected| ≥ |observed −
      expected|}) / (S + 1). S = ``permutations``. The +1 counts the observed labelling
      among the permutations (Davison & Hinkley 1997; North, Curtis & Sham 2002), as
      every permutation p-value of wpnet does (INFERENCE.md), so no p-value is 0;
      UCINET reports the bare shares, which are these times (S + 1)/S less 1/S.

    Parameters
    ----------
    eco, group, onto, backbone, alpha, min_weight, correction, graph
        As :func:`brokerage`.
    permutations : int
        Number of random relabellings (≥ 1).
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    DataFrame
        One row, index ``scope`` = ``"all"``. Columns: ``ties`` (T), ``external``,
        ``internal`` (int64), ``ei_index``, ``expected``, ``min_possible``,
        ``max_possible``, ``perm_mean``, ``perm_sd``, ``perm_min``, ``perm_max``,
        ``p_greater``, ``p_less``, ``p_one_sided``, ``p_two_sided``, ``permutations``
        (int64). Everything but the counts is NaN without ties.

    References
    ----------
    Krackhardt & Stern (1988), Informal networks and organizational crises, Social
    Psychology Quarterly 51; Borgatti, Everett & Freeman (2002), UCINET for Windows
    (Network > Cohesion > E-I Index).

    Examples
    --------
    >>> import wpnet
    >>> t = ei_test(wpnet.tiny().select(session="2022-23"), permutations=200)
    >>> t.loc["all", ["ties", "external", "internal", "ei_index", "expected"]].round(4).tolist()
    [4.0, 3.0, 1.0, 0.5, 0.4]
    """
    expect_ecosystem(eco, "ei_test")
    if int(permutations) < 1:
        raise UsageError(f"permutations must be at least 1; got {permutations!r}")
    spec = GraphSpec(onto, backbone, alpha, min_weight, correction)
    g = _graph(eco, spec, graph, group)
    adj = binary(g.w)
    res = ei_permutation(adj, group_codes(g.groups), int(permutations), int(seed))
    out = pd.DataFrame([res], index=pd.Index(["all"], name="scope", dtype="str"))[list(EI_COLUMNS)]
    for c in ("ties", "external", "internal", "permutations"):
        out[c] = out[c].astype(np.int64)
    _stamp(out, eco, g, spec, group, density(adj))
    out.attrs["seed"] = int(seed)
    return out


def top_brokers(b: pd.DataFrame, *, top: int = 15, rank_by: str = "betweenness") -> pd.Index:
    """Ids of the ``top`` brokers of a :func:`brokerage` table.

    Ordered by ``rank_by``, highest first (for ``constraint`` lowest first, since low
    constraint means many structural holes); ties broken by ``gf_total`` (highest first)
    and then by id; values within 1e-9 of the largest value of each other tie
    (:func:`wpnet.measures._common.tie_classes`): betweenness equal in exact arithmetic
    can differ in its last bits with the order of the additions. Nodes with no value or
    no contacts (``degree`` 0) are left out, and for ``betweenness`` and ``gf_total``
    those at 0 too (they broker nothing). The maps
    and the report both rank brokers with this function.

    Parameters
    ----------
    b : DataFrame
        A :func:`brokerage` result.
    top : int
        How many at most.
    rank_by : {"betweenness", "gf_total", "constraint", "effective_size", "degree"}

    Returns
    -------
    Index
        Node ids (as in ``b.index``), best first.

    Raises
    ------
    UsageError
        For another ``rank_by``.

    Examples
    --------
    >>> import wpnet
    >>> b = wpnet.brokerage(wpnet.tiny().select(session="2022-23"))
    >>> list(top_brokers(b, top=3)), list(top_brokers(b, top=3, rank_by="constraint"))
    (['E4'], ['E4', 'E2', 'C1'])
    """
    check_choice("rank_by", rank_by, BROKER_BY)
    v = pd.to_numeric(b[rank_by], errors="coerce").astype(float)
    keep = (v.notna() & (b["degree"] > 0)).to_numpy(dtype=bool, copy=True)
    if rank_by in ("betweenness", "gf_total"):
        keep &= (v > 0).to_numpy(dtype=bool)
    sign = -1.0 if rank_by == "constraint" else 1.0
    t = pd.DataFrame(
        {
            # values equal but for rounding (sums of path dependencies added in another
            # order) are one value, so the tie-break below decides between them
            "v": tie_classes(v.to_numpy()[keep] * sign),
            "gf": -pd.to_numeric(b["gf_total"]).to_numpy(dtype=float)[keep],
            "id": b.index[keep].astype(str),
            "pos": np.flatnonzero(keep),
        }
    )
    order = t.sort_values(["v", "gf", "id"], kind="stable")["pos"].to_numpy()[: max(int(top), 0)]
    return b.index[order]


# ---- helpers ---------------------------------------------------------------------------------
def _node_frame(
    w: sp.spmatrix,
    groups: pd.Series,
    directed: bool,
    method: str = "exact",
    samples: int = 1000,
    seed: int = 0,
) -> tuple[pd.DataFrame, float, dict[str, Any]]:
    """Every column of :func:`brokerage` for weight matrix ``w`` (index: positions)."""
    w = sp.csr_matrix(w, dtype=np.float64)
    if not w.has_canonical_format:
        w = w.copy()
        w.sum_duplicates()
    w = drop_diagonal(w)
    adj = binary(w)
    n = adj.shape[0]
    contacts = binary(symmetrised(adj))
    degree = np.diff(contacts.indptr).astype(np.int64)
    strength = rowsum(w) + (colsum(w) if directed else 0.0)
    dens = density(adj)
    gf_codes = role_codes(groups)
    counts = gould_fernandez(adj, gf_codes)
    counts = np.column_stack([counts, counts.sum(axis=1)])
    sizes = np.bincount(gf_codes).astype(np.float64) if n else np.zeros(0)
    e_grp, v_grp = gf_node_moments(sizes, dens)
    expected = e_grp[gf_codes] if n else np.zeros((0, 6))
    sd = np.sqrt(np.maximum(v_grp[gf_codes], 0.0)) if n else np.zeros((0, 6))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (counts - expected) / sd, np.nan)
    holes = structural_holes(w)
    external, internal, ei = node_ei(adj, group_codes(groups))
    between, how = _betweenness_by(adj, directed, method, samples, seed)
    cols: dict[str, Any] = {
        "group": groups.to_numpy(),
        "degree": degree,
        "strength": strength.astype(np.float64),
        "betweenness": between,
        **{c: holes[c].to_numpy() for c in holes.columns},
    }
    for k, r in enumerate(ROLES):
        cols[f"gf_{r}"] = counts[:, k].astype(np.int64)
    for k, r in enumerate(ROLES):
        cols[f"gf_{r}_expected"] = expected[:, k].astype(np.float64)
    for k, r in enumerate(ROLES):
        cols[f"gf_{r}_z"] = z[:, k].astype(np.float64)
    cols.update(
        external=external, internal=internal, ei_index=ei, two_step_reach=two_step_reach(adj)
    )
    out = pd.DataFrame(cols)
    out["group"] = groups.reset_index(drop=True)
    return out[list(BROKERAGE_COLUMNS)], dens, how


def _ties_graph(eco: Ecosystem) -> tuple[sp.csr_matrix, pd.DataFrame]:
    """The survey ties as a directed weight matrix over the practitioners they touch."""
    t = eco.ties
    t = t[t["source"].notna() & t["target"].notna()]
    t = t[t["source"] != t["target"]]
    ids = pd.Index(
        sorted(set(t["source"].astype(str)) | set(t["target"].astype(str))),
        name="practitioner_id",
        dtype="str",
    )
    weight = pd.to_numeric(t["weight"], errors="coerce").astype("Float64").fillna(1.0)
    n = len(ids)
    w = sp.csr_matrix(
        (
            weight.to_numpy(dtype=np.float64),
            (ids.get_indexer(t["source"].astype(str)), ids.get_indexer(t["target"].astype(str))),
        ),
        shape=(n, n),
    )
    w.sum_duplicates()
    w.eliminate_zeros()
    return w, node_table(eco, "practitioner", ids)


@dataclass(frozen=True)
class _Graph:
    """The graph a brokerage measure runs on: weights ``w``, node ``ids`` and ``groups``,
    the projection (None for survey ties), whether directed, and its ``kind``."""

    w: sp.csr_matrix
    ids: pd.Index
    groups: pd.Series
    proj: Projection | None
    directed: bool
    kind: str


def _graph(eco: Ecosystem, spec: GraphSpec, graph: str, group: str) -> _Graph:
    """Which graph: the projection named by ``spec``, or the directed survey ties."""
    check_choice("graph", graph, GRAPHS)
    if graph == "ties":
        if spec.backbone is not None:
            raise UsageError("backbone applies to projections only; use graph='projection'")
        w, nodes = _ties_graph(eco)
        groups = node_groups(nodes, group, what="practitioner (survey ties)")
        return _Graph(w, nodes.index, groups, None, True, graph)
    proj = graph_for(eco, spec)
    nodes = proj.nodes
    groups = node_groups(nodes, group, what=proj.onto)
    return _Graph(proj.weight, nodes.index, groups, proj, False, graph)


def _stamp(
    out: pd.DataFrame, eco: Ecosystem, g: _Graph, spec: GraphSpec, group: str, dens: float
) -> None:
    stamp(out, measure="brokerage", projection=g.proj, eco=eco, onto=spec.onto, group=group)
    out.attrs["graph_kind"] = g.kind
    out.attrs["density"] = float(dens)
    if g.proj is None:
        arcs = int(binary(g.w).nnz)
        out.attrs["onto"] = "practitioner"
        out.attrs["graph"] = (
            f"directed survey ties between practitioners ({g.w.shape[0]} nodes, {arcs} arcs)"
        )
