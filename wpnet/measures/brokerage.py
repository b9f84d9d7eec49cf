"""Brokerage: who sits between whom in the co-membership graph (MEASURES.md, "Brokerage").

Three public functions over an :class:`~wpnet.ecosystem.Ecosystem`:

- :func:`brokerage` — one row per node: degree, strength, betweenness, Burt's structural
  holes (effective size, efficiency, constraint, hierarchy), Gould–Fernandez role counts
  with their expectations under a random graph, the node's E-I index and two-step reach;
- :func:`brokerage_roles` — the network-level Gould–Fernandez table (observed, expected,
  sd, z per role) as statnet's ``sna::brokerage`` reports it;
- :func:`ei_test` — the whole-network E-I index with its permutation test.

The graph arithmetic lives in pure functions over a scipy sparse adjacency matrix and
integer group codes (:func:`gould_fernandez`, :func:`gf_node_moments`,
:func:`gf_network_moments`, :func:`structural_holes`, :func:`two_step_reach`,
:func:`node_ei`, :func:`ei_permutation`), testable without an Ecosystem. Everything is
vectorised: Gould–Fernandez counts are sparse/dense matrix products over group
indicators, never loops over triples; betweenness runs on igraph's C core. Products
run dense (BLAS) on graphs of up to 3,000 nodes that fill at least 2% of their cells
(a raw projection), scipy sparse otherwise (a backbone, survey ties, big graphs).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wpnet.ecosystem import Ecosystem
from wpnet.graphs import Projection, _cut_blocks, _node_table
from wpnet.measures._common import check_choice, graph_for, stamp

__all__ = [
    "BETWEENNESS_METHODS",
    "BETWEENNESS_SAMPLES",
    "BROKERAGE_COLUMNS",
    "EXACT_BETWEENNESS_WORK",
    "EI_COLUMNS",
    "ROLES",
    "brokerage",
    "brokerage_roles",
    "ei_permutation",
    "ei_test",
    "gf_network_moments",
    "gf_node_moments",
    "gould_fernandez",
    "node_ei",
    "sampled_betweenness",
    "structural_holes",
    "two_step_reach",
]

#: Gould–Fernandez roles, in the order of the count columns (``total`` last).
ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total")
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
EI_COLUMNS = (
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
GRAPHS = ("projection", "ties")

#: How :func:`brokerage` computes betweenness.
BETWEENNESS_METHODS = ("auto", "exact", "sampled")

#: Work (nodes x ties) above which ``betweenness="auto"`` samples sources instead of
#: running Brandes' algorithm over all of them: igraph does about 1.2e8 units a second on
#: one core of the 2-core benchmark machine, so 1e10 is about a minute and a half.
EXACT_BETWEENNESS_WORK = 1e10

#: Sources of the sampled betweenness estimate when ``samples`` is not given.
BETWEENNESS_SAMPLES = 1000
#: Matrix products run dense (BLAS) up to this many nodes, when the factors fill at least
#: ``_DENSE_SHARE`` of their cells; scipy sparse otherwise.
_DENSE_MAX = 3000
_DENSE_SHARE = 0.02
#: Pairs (permutations x ties) handled at once by :func:`ei_permutation`.
_PERM_CHUNK = 20_000_000


# ---- public: Ecosystem level -------------------------------------------------------------
def brokerage(
    eco: Ecosystem,
    onto: str = "establishment",
    group: str = "authority",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
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
    onto : {"establishment", "practitioner", "network", "authority"}
        The projection (:func:`wpnet.graphs.projection`); ignored for ``graph="ties"``,
        whose nodes are always practitioners.
    group : str
        Node attribute defining the groups: ``authority``, ``sector``,
        ``simd_quintile``, ``level`` (practitioners), ... For ``onto="network"``,
        ``authority`` is the network's ``lead_authority``.
    backbone, alpha, min_weight, correction
        Backbone of the projection (:mod:`wpnet.backbone`); must be left at ``None`` for
        ``graph="ties"``.
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
    ValueError
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
    check_choice("graph", graph, GRAPHS)
    check_choice("betweenness", betweenness, BETWEENNESS_METHODS)
    if graph == "ties" and backbone is not None:
        raise ValueError("backbone applies to projections only; use graph='projection'")
    k = BETWEENNESS_SAMPLES if samples is None else int(samples)
    args = (onto, group, backbone, alpha, min_weight, correction, graph, betweenness, k, seed)
    # an Ecosystem never changes, so the report, its figures and the map share one run
    out = eco._memoised(("brokerage", *args), lambda: _brokerage(eco, *args))
    return out.copy()


def _brokerage(
    eco: Ecosystem,
    onto: str,
    group: str,
    backbone: str | None,
    alpha: float,
    min_weight: float,
    correction: str,
    graph: str,
    betweenness: str,
    k: int,
    seed: int,
) -> pd.DataFrame:
    """:func:`brokerage` computed (``k`` sources when betweenness is sampled)."""
    if graph == "ties":
        w, nodes = _ties_graph(eco)
        directed = True
        groups = _group_values(nodes, group, "practitioner (survey ties)")
        proj = None
    else:
        proj = graph_for(
            eco,
            onto=onto,
            backbone=backbone,
            alpha=alpha,
            min_weight=min_weight,
            correction=correction,
        )
        w, nodes, directed = proj.weight, proj.nodes, False
        groups = _group_values(nodes, group, proj.onto)
    out, density, how = _node_frame(w, groups, directed, betweenness, k, seed)
    out.index = nodes.index.copy()
    _stamp(out, eco, proj, w, graph, onto, group, density)
    out.attrs["betweenness"] = how
    return out


def brokerage_roles(
    eco: Ecosystem,
    group: str = "authority",
    onto: str = "establishment",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
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
    check_choice("graph", graph, GRAPHS)
    if graph == "ties":
        if backbone is not None:
            raise ValueError("backbone applies to projections only; use graph='projection'")
        w, nodes = _ties_graph(eco)
        groups = _group_values(nodes, group, "practitioner (survey ties)")
        proj = None
    else:
        proj = graph_for(
            eco,
            onto=onto,
            backbone=backbone,
            alpha=alpha,
            min_weight=min_weight,
            correction=correction,
        )
        w, groups = proj.weight, _group_values(proj.nodes, group, proj.onto)
    adj = _binary(w)
    codes = _gf_codes(groups)
    counts = gould_fernandez(adj, codes)
    observed = np.append(counts.sum(axis=0), counts.sum())
    sizes = np.bincount(codes).astype(np.float64) if len(codes) else np.zeros(0)
    n = adj.shape[0]
    density = _density(adj)
    expected, var = gf_network_moments(sizes, density)
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
    _stamp(out, eco, proj, w, graph, onto, group, density)
    out.attrs["nodes"] = int(n)
    out.attrs["group_sizes"] = [int(s) for s in sizes]
    return out


def ei_test(
    eco: Ecosystem,
    group: str = "authority",
    permutations: int = 5000,
    seed: int = 0,
    onto: str = "establishment",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    graph: str = "projection",
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
    - ``p_greater`` = share of permutations with E-I ≥ observed (UCINET's ``P >= Ob``),
      ``p_less`` = share with E-I ≤ observed (``P <= Ob``); ``p_one_sided`` is the one
      in the observed direction (``p_greater`` when observed ≥ expected);
      ``p_two_sided`` = share with |E-I − expected| ≥ |observed − expected|.

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
    if int(permutations) < 1:
        raise ValueError(f"permutations must be at least 1; got {permutations!r}")
    check_choice("graph", graph, GRAPHS)
    if graph == "ties":
        if backbone is not None:
            raise ValueError("backbone applies to projections only; use graph='projection'")
        w, nodes = _ties_graph(eco)
        groups = _group_values(nodes, group, "practitioner (survey ties)")
        proj = None
    else:
        proj = graph_for(
            eco,
            onto=onto,
            backbone=backbone,
            alpha=alpha,
            min_weight=min_weight,
            correction=correction,
        )
        w, groups = proj.weight, _group_values(proj.nodes, group, proj.onto)
    res = ei_permutation(_binary(w), _codes(groups), int(permutations), int(seed))
    out = pd.DataFrame([res], index=pd.Index(["all"], name="scope", dtype="str"))[list(EI_COLUMNS)]
    for c in ("ties", "external", "internal", "permutations"):
        out[c] = out[c].astype(np.int64)
    _stamp(out, eco, proj, w, graph, onto, group, _density(_binary(w)))
    out.attrs["seed"] = int(seed)
    return out


# ---- pure graph functions ----------------------------------------------------------------
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
    a = _binary(adj)
    n = a.shape[0]
    codes = np.asarray(codes, dtype=np.int64)
    if n == 0:
        return np.zeros((0, 5), dtype=np.int64)
    k = int(codes.max()) + 1
    coo = a.tocoo()
    same = codes[coo.row] == codes[coo.col]
    a_s = sp.csr_matrix((np.ones(int(same.sum())), (coo.row[same], coo.col[same])), shape=(n, n))
    a_d = (a - a_s).tocsr()
    a_d.eliminate_zeros()
    g = sp.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, k))
    in_s, out_s = _colsum(a_s), _rowsum(a_s)
    in_d, out_d = _colsum(a_d), _rowsum(a_d)
    in_g = np.asarray((a.T @ g).todense())  # in-arcs of b from each group
    out_g = np.asarray((a @ g).todense())  # out-arcs of b to each group
    own = in_g[np.arange(n), codes] * out_g[np.arange(n), codes]
    itinerant_all = (in_g * out_g).sum(axis=1) - own  # g(a) = g(c) != g(b), a = c included
    mutual_s = _rowsum(a_s.multiply(a_s.T))
    mutual_d = _rowsum(a_d.multiply(a_d.T))
    prod = _masked_rowsum
    closed_ss = prod(a_s, a, a_s)
    closed_sd = prod(a_s, a, a_d)
    closed_ds = prod(a_d, a, a_s)
    closed_dd = prod(a_d, a, a_d)
    closed_itinerant = prod(a_d, a_s, a_d)  # a -> c within a group, both outside b's
    out = np.column_stack(
        [
            in_s * out_s - mutual_s - closed_ss,
            itinerant_all - mutual_d - closed_itinerant,
            in_s * out_d - closed_sd,
            in_d * out_s - closed_ds,
            in_d * out_d - itinerant_all - (closed_dd - closed_itinerant),
        ]
    )
    return np.rint(out).astype(np.int64)


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


def structural_holes(w: sp.spmatrix) -> pd.DataFrame:
    """Burt's effective size, efficiency, constraint and hierarchy of every node.

    Weighted, as networkx defines them with ``weight="weight"`` (directed ties read as
    S = W + Wᵀ): p_ij = S_ij / Σ_k S_ik, m_ij = S_ij / max_k S_ik,
    c_ij = (p_ij + (P P)_ij)², constraint = Σ_{j∈N(i)} c_ij, effective size
    = Σ_{j∈N(i)} (1 − (P Mᵀ)_ij), efficiency = effective size / |N(i)|, hierarchy
    = Σ_j r_j ln r_j / (N ln N) with r_j = c_ij N / C_i.

    Parameters
    ----------
    w : sparse matrix (n, n)
        Non-negative weights, w[i, j] for a tie (or arc) i → j; the diagonal is ignored.

    Returns
    -------
    DataFrame
        Columns ``effective_size``, ``efficiency``, ``constraint`` (NaN for isolates),
        ``hierarchy`` (NaN with fewer than two contacts), one row per node (0..n-1).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> star = sp.csr_matrix([[0, 1, 1], [1, 0, 0], [1, 0, 0]])
    >>> structural_holes(star)["constraint"].tolist()  # centre: 2 * (1/2)**2
    [0.5, 1.0, 1.0]
    """
    s = _symmetric(w)
    n = s.shape[0]
    deg = np.diff(s.indptr).astype(np.float64)
    total = _rowsum(s)
    peak = np.asarray(s.max(axis=1).todense()).ravel() if n else np.zeros(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = sp.diags(np.where(total > 0, 1 / total, 0.0)) @ s
        m = sp.diags(np.where(peak > 0, 1 / peak, 0.0)) @ s
    p, m = p.tocsr(), m.tocsr()
    rows = np.repeat(np.arange(n), np.diff(s.indptr))
    cols = s.indices
    pp = _on_pattern(p, p, rows, cols)
    pm = _on_pattern(p, m.T.tocsr(), rows, cols)
    c_ij = (s.data / total[rows] + pp) ** 2  # p_ij on s's canonical pattern
    constraint = np.bincount(rows, weights=c_ij, minlength=n)
    effective = deg - np.bincount(rows, weights=pm, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = c_ij * deg[rows] / constraint[rows]
        h_num = np.bincount(rows, weights=r * np.log(r), minlength=n)
        hierarchy = np.where(deg >= 2, h_num / (deg * np.log(deg)), np.nan)
        iso = deg == 0
        return pd.DataFrame(
            {
                "effective_size": np.where(iso, np.nan, effective),
                "efficiency": np.where(iso, np.nan, effective / deg),
                "constraint": np.where(iso, np.nan, constraint),
                "hierarchy": hierarchy,
            }
        )


def two_step_reach(adj: sp.spmatrix) -> np.ndarray:
    """Share of the other n − 1 nodes each node reaches along arcs in one or two steps
    (NaN when n = 1).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> two_step_reach(sp.csr_matrix([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]]))
    array([0.66666667, 0.66666667, 0.66666667, 0.        ])
    """
    a = _binary(adj)
    n = a.shape[0]
    if n <= 1:
        return np.full(n, np.nan)
    if _dense(a, a):
        x = a.toarray()
        reach = (x + x @ x) > 0
        np.fill_diagonal(reach, False)
        count = reach.sum(axis=1)
    else:
        count = np.zeros(n, dtype=np.int64)
        for lo, hi in _row_blocks(a, a):
            r = (a[lo:hi] + a[lo:hi] @ a).tocsr()
            r.eliminate_zeros()
            own = np.asarray(r[np.arange(hi - lo), np.arange(lo, hi)]).ravel() != 0
            count[lo:hi] = np.diff(r.indptr) - own
    return count / (n - 1)


def node_ei(adj: sp.spmatrix, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each node's external and internal contacts and E-I index.

    Contacts are the nodes tied in either direction; codes < 0 (unknown group) are left
    out on both sides.

    Returns
    -------
    external, internal : ndarray of int64; ei : ndarray of float (NaN without contacts
    of known group, or for a node of unknown group).
    """
    s = _binary(_symmetric(adj)).tocoo()
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
    s = _binary(_symmetric(adj))[keep][:, keep]
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
    nan_keys = (
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
    )
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
    p_greater = float((perm_e >= external).mean())
    p_less = float((perm_e <= external).mean())
    out["perm_mean"] = float(perm_ei.mean())
    out["perm_sd"] = float(perm_ei.std(ddof=1)) if permutations > 1 else math.nan
    out["perm_min"] = float(perm_ei.min())
    out["perm_max"] = float(perm_ei.max())
    out["p_greater"] = p_greater
    out["p_less"] = p_less
    out["p_one_sided"] = p_greater if external >= mean_e else p_less
    out["p_two_sided"] = float((np.abs(perm_e - mean_e) >= abs(external - mean_e) - tol).mean())
    return out


# ---- helpers ---------------------------------------------------------------------------------
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
    w.setdiag(0)
    w.eliminate_zeros()
    adj = _binary(w)
    n = adj.shape[0]
    contacts = _binary(_symmetric(adj))
    degree = np.diff(contacts.indptr).astype(np.int64)
    strength = _rowsum(w) + (_colsum(w) if directed else 0.0)
    density = _density(adj)
    gf_codes = _gf_codes(groups)
    counts = gould_fernandez(adj, gf_codes)
    counts = np.column_stack([counts, counts.sum(axis=1)])
    sizes = np.bincount(gf_codes).astype(np.float64) if n else np.zeros(0)
    e_grp, v_grp = gf_node_moments(sizes, density)
    expected = e_grp[gf_codes] if n else np.zeros((0, 6))
    sd = np.sqrt(np.maximum(v_grp[gf_codes], 0.0)) if n else np.zeros((0, 6))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (counts - expected) / sd, np.nan)
    holes = structural_holes(w)
    external, internal, ei = node_ei(adj, _codes(groups))
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
    return out[list(BROKERAGE_COLUMNS)], density, how


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
        edges=np.column_stack([coo.row, coo.col]).astype(np.int64).tolist(),
        directed=directed,
    )


def _betweenness(adj: sp.csr_matrix, directed: bool) -> np.ndarray:
    """Unweighted betweenness (igraph), normalised as networkx's ``normalized=True``."""
    n = adj.shape[0]
    if n == 0:
        return np.zeros(0)
    bt = np.asarray(_igraph(adj, directed).betweenness(directed=directed), dtype=np.float64)
    if n <= 2:
        return bt
    return bt / ((n - 1) * (n - 2)) * (1 if directed else 2)


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
    return w, _node_table(eco, "practitioner", ids)


def _group_values(nodes: pd.DataFrame, name: str, what: str) -> pd.Series:
    """The ``group`` attribute of the nodes (``authority`` of a network is its lead)."""
    if name == "authority" and "authority" not in nodes and "lead_authority" in nodes:
        return nodes["lead_authority"]
    if name not in nodes.columns or name == "memberships":
        allowed = [c for c in nodes.columns if c != "memberships"]
        raise ValueError(
            f"group={name!r} is not an attribute of the {what} nodes; allowed: {allowed!r}"
        )
    return nodes[name]


def _codes(s: pd.Series) -> np.ndarray:
    """Integer codes of a node attribute, -1 where missing."""
    codes, _ = pd.factorize(s.astype("object").where(s.notna(), None), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def _gf_codes(s: pd.Series) -> np.ndarray:
    """Codes with missing values as one extra group (``sna::brokerage`` treats NA so)."""
    codes = _codes(s)
    if len(codes) and (codes < 0).any():
        codes = np.where(codes < 0, codes.max() + 1, codes)
    return codes


def _stamp(
    out: pd.DataFrame,
    eco: Ecosystem,
    proj: Projection | None,
    w: sp.spmatrix,
    graph: str,
    onto: str,
    group: str,
    density: float,
) -> None:
    stamp(out, measure="brokerage", projection=proj, eco=eco, onto=onto, group=group)
    out.attrs["graph_kind"] = graph
    out.attrs["density"] = float(density)
    if proj is None:
        arcs = int(_binary(w).nnz)
        out.attrs["onto"] = "practitioner"
        out.attrs["graph"] = (
            f"directed survey ties between practitioners ({w.shape[0]} nodes, {arcs} arcs)"
        )


def _binary(x: sp.spmatrix) -> sp.csr_matrix:
    """0/1 float CSR of the nonzero off-diagonal entries, canonical (sorted, no dups)."""
    a = sp.csr_matrix(x, dtype=np.float64, copy=True)
    a.setdiag(0)
    a.eliminate_zeros()
    a.data[:] = 1.0
    a.sum_duplicates()
    a.sort_indices()
    return a


def _symmetric(w: sp.spmatrix) -> sp.csr_matrix:
    """S = W + Wᵀ without the diagonal, canonical CSR."""
    w = sp.csr_matrix(w, dtype=np.float64)
    s = (w + w.T).tocsr()
    s.setdiag(0)
    s.eliminate_zeros()
    s.sum_duplicates()
    s.sort_indices()
    return s


def _density(adj: sp.spmatrix) -> float:
    n = adj.shape[0]
    return float(adj.nnz / (n * (n - 1))) if n >= 2 else math.nan


def _rowsum(x: sp.spmatrix) -> np.ndarray:
    return np.asarray(x.sum(axis=1)).ravel().astype(np.float64)


def _colsum(x: sp.spmatrix) -> np.ndarray:
    return np.asarray(x.sum(axis=0)).ravel().astype(np.float64)


def _choose2(x: np.ndarray) -> np.ndarray:
    return x * (x - 1) / 2


def _dense(x: sp.spmatrix, y: sp.spmatrix) -> bool:
    """Multiply densely (BLAS): up to :data:`_DENSE_MAX` nodes when the factors hold at
    least :data:`_DENSE_SHARE` of their cells; sparse products otherwise."""
    n = x.shape[0]
    return n <= _DENSE_MAX and (x.nnz + y.nnz) >= _DENSE_SHARE * 2 * n * n


def _on_pattern(
    x: sp.csr_matrix, y: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """(X @ Y)[rows, cols], dense BLAS up to :data:`_DENSE_MAX` nodes, sparse above.

    The sparse product is formed a block of rows at a time (:func:`_row_blocks`), so a
    nearly dense product of a large graph never has to fit in memory at once.
    """
    if len(rows) == 0:
        return np.zeros(0)
    if _dense(x, y):
        return (x.toarray() @ y.toarray())[rows, cols]
    x, y = sp.csr_matrix(x), sp.csr_matrix(y)
    order = np.argsort(rows, kind="stable")
    r, c = rows[order], cols[order]
    out = np.empty(len(rows), dtype=np.float64)
    for a, b in _row_blocks(x, y):
        lo, hi = np.searchsorted(r, [a, b])
        if lo == hi:
            continue
        z = (x[a:b] @ y).tocsr()
        out[order[lo:hi]] = np.asarray(z[r[lo:hi] - a, c[lo:hi]]).ravel()
    return out


#: Largest number of entries a block of a sparse product may be expected to hold.
_BLOCK_ENTRIES = 20_000_000


def _row_blocks(x: sp.csr_matrix, y: sp.csr_matrix) -> list[tuple[int, int]]:
    """Row ranges of X whose products X[a:b] @ Y hold at most about
    :data:`_BLOCK_ENTRIES` entries (bounded by the multiply-adds of each row)."""
    per_row = np.diff(y.indptr).astype(np.float64)
    work = sp.csr_matrix((np.ones_like(x.data, dtype=np.float64), x.indices, x.indptr), x.shape)
    return _cut_blocks(np.minimum(work @ per_row, y.shape[1]), _BLOCK_ENTRIES)


def _masked_rowsum(x: sp.csr_matrix, y: sp.csr_matrix, z: sp.csr_matrix) -> np.ndarray:
    """Row sums of (Xᵀ Y) ∘ Z: Σ_c Σ_a X_ab Y_ac Z_bc for every b."""
    n = z.shape[0]
    coo = z.tocoo()
    vals = _on_pattern(x.T.tocsr(), y, coo.row, coo.col) * coo.data
    return np.bincount(coo.row, weights=vals, minlength=n)
