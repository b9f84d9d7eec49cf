"""Brokerage: networkx as the oracle for betweenness and Burt's measures, hand-worked
Gould–Fernandez, hierarchy and E-I examples, a brute-force triple loop, simulations for
the random-graph and permutation baselines.

Tiny 2022-23 establishment projection (wpnet.datasets.tiny docstring), nodes in id order
C1, E1, E2, E4, E5: ties C1-E1, C1-E4, E1-E4 (network N1) and E2-E4 (N2); E5 (N3) is an
isolate; every tie has weight 1. Authorities: C1, E1, E2 Glasgow City (G); E4 Inverclyde
(I); E5 Renfrewshire (R). SIMD quintiles: E1 1, E2 3, E4 5, E5 2, C1 missing.
Survey ties: P2 -> P1 -> P4 -> P5 -> P3 (a directed path); levels P1, P4 practitioner,
P2 middle_leader, P5 senior_leader, P3 headteacher.
"""

from __future__ import annotations

import itertools
import json
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import wpnet
import wpnet._sparse as sparse
import wpnet.datasets
import wpnet.graphs
import wpnet.measures._betweenness as btw
import wpnet.measures.brokerage as bro
from wpnet.ecosystem import Ecosystem
from wpnet.measures.brokerage import (
    BROKERAGE_COLUMNS,
    EI_COLUMNS,
    brokerage,
    brokerage_roles,
    ei_test,
)
from wpnet.measures.roles import (
    ROLES,
    ei_permutation,
    gf_network_moments,
    gf_node_moments,
    gould_fernandez,
    node_ei,
)
from wpnet.measures.structural_holes import structural_holes, two_step_reach

NAN = math.nan
ROLE5 = ROLES[:5]


# ---- helpers ---------------------------------------------------------------------------
def _adj(n: int, arcs: list[tuple[int, int]], *, undirected: bool = False) -> sp.csr_matrix:
    rows = [a for a, _ in arcs] + ([b for _, b in arcs] if undirected else [])
    cols = [b for _, b in arcs] + ([a for a, _ in arcs] if undirected else [])
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def _brute_gf(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The definition, one ordered triple at a time."""
    n = len(g)
    out = np.zeros((n, 5), dtype=np.int64)
    for x, b, c in itertools.permutations(range(n), 3):
        if a[x, b] and a[b, c] and not a[x, c]:
            if g[x] == g[b] == g[c]:
                k = 0
            elif g[x] == g[c]:
                k = 1
            elif g[x] == g[b]:
                k = 2
            elif g[b] == g[c]:
                k = 3
            else:
                k = 4
            out[b, k] += 1
    return out


def _ecosystem(est: list[str], groups: dict[str, list], rows: list[tuple[str, str]]) -> Ecosystem:
    """Practitioner P<i> works at est[i]; ``rows`` are (practitioner, network) records."""
    establishments = pd.DataFrame({"establishment_id": est, "name": est, "sector": "primary"})
    for k, v in groups.items():
        establishments[k] = v
    practitioners = pd.DataFrame(
        {
            "practitioner_id": [f"P{i}" for i in range(len(est))],
            "establishment_id": est,
            "level": "practitioner",
        }
    )
    nets = sorted({n for _, n in rows})
    networks = pd.DataFrame({"network_id": nets, "name": nets, "workstream": "w"})
    participation = pd.DataFrame(rows, columns=["practitioner_id", "network_id"])
    participation["date"] = pd.Timestamp("2022-10-01")
    return Ecosystem(establishments, practitioners, networks, participation)


def _random_ecosystem(seed: int, n: int = 30, k: int = 12, p: float = 0.12) -> Ecosystem:
    rng = np.random.default_rng(seed)
    member = rng.random((n, k)) < p
    ii, kk = np.nonzero(member)
    rows = [(f"P{i}", f"N{j:02d}") for i, j in zip(ii, kk, strict=True)]
    est = [f"E{i:02d}" for i in range(n)]
    return _ecosystem(est, {"authority": rng.choice(["a", "b", "c"], size=n).tolist()}, rows)


def _nx_weighted(seed: int, n: int, p: float, directed: bool) -> nx.Graph:
    rng = np.random.default_rng(seed)
    g = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
    for u, v in g.edges:
        g[u][v]["weight"] = int(rng.integers(1, 5))
    return g


# ---- networkx oracle -------------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("directed", [False, True])
def test_structural_holes_match_networkx(seed, directed):
    g = _nx_weighted(seed, 25, 0.2, directed)
    g.add_node(25)  # an isolate
    w = nx.to_scipy_sparse_array(g, nodelist=range(26), weight="weight")
    got = structural_holes(sp.csr_matrix(w))
    # networkx 3.6.1 needs nodes= for the weighted formula (PR #8906).
    eff = nx.effective_size(g, nodes=list(g), weight="weight")
    con = nx.constraint(g, weight="weight")
    deg = {v: len(set(nx.all_neighbors(g, v))) for v in g}
    np.testing.assert_allclose(got["effective_size"], [eff[v] for v in range(26)], equal_nan=True)
    np.testing.assert_allclose(got["constraint"], [con[v] for v in range(26)], equal_nan=True)
    np.testing.assert_allclose(
        got["efficiency"],
        [eff[v] / deg[v] if deg[v] else NAN for v in range(26)],
        equal_nan=True,
    )
    assert math.isnan(got["constraint"].iloc[25]) and math.isnan(got["hierarchy"].iloc[25])


@pytest.mark.parametrize("blocked", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_brokerage_matches_networkx_on_random_co_membership(seed, blocked, monkeypatch):
    if blocked:
        # the sparse products of large graphs, a few rows at a time
        monkeypatch.setattr(sparse, "DENSE_MAX", 0)
        monkeypatch.setattr(sparse, "PRODUCT_ENTRIES", 40)
    eco = _random_ecosystem(seed)
    b = brokerage(eco)
    g = wpnet.graphs.projection(eco).to_networkx()
    nodes = list(b.index)
    bt = nx.betweenness_centrality(g, normalized=True)
    eff = nx.effective_size(g, nodes=list(g), weight="weight")
    con = nx.constraint(g, weight="weight")
    np.testing.assert_allclose(b["betweenness"], [bt[v] for v in nodes], atol=1e-12)
    np.testing.assert_allclose(b["effective_size"], [eff[v] for v in nodes], equal_nan=True)
    np.testing.assert_allclose(b["constraint"], [con[v] for v in nodes], equal_nan=True)
    assert b["degree"].tolist() == [g.degree(v) for v in nodes]
    assert b["strength"].tolist() == [g.degree(v, weight="weight") for v in nodes]
    # symmetric graph: each open a - b - c is representative one way, gatekeeper the other
    assert b["gf_representative"].tolist() == b["gf_gatekeeper"].tolist()
    assert b["gf_total"].sum() > 0
    # two-step reach by networkx shortest paths (cutoff 2)
    reach = [
        (len(nx.single_source_shortest_path_length(g, v, cutoff=2)) - 1) / (len(g) - 1)
        for v in nodes
    ]
    np.testing.assert_allclose(b["two_step_reach"], reach)


def test_florentine_families():
    """Padgett's Florentine marriages (unweighted, 15 families)."""
    g = nx.florentine_families_graph()
    nodes = sorted(g)
    w = sp.csr_matrix(nx.to_scipy_sparse_array(g, nodelist=nodes))
    got = structural_holes(w).set_index(pd.Index(nodes))
    con = nx.constraint(g)
    eff = nx.effective_size(g, nodes=list(g))
    np.testing.assert_allclose(got["constraint"], [con[v] for v in nodes])
    np.testing.assert_allclose(got["effective_size"], [eff[v] for v in nodes])
    # By hand: the Medici have 6 contacts (Acciaiuoli, Albizzi, Barbadori, Ridolfi,
    # Salviati, Tornabuoni) with one tie among them (Ridolfi-Tornabuoni): Borgatti's
    # effective size n - 2t/n = 6 - 2/6.
    assert got.loc["Medici", "effective_size"] == pytest.approx(6 - 2 / 6)
    assert got.loc["Medici", "efficiency"] == pytest.approx((6 - 2 / 6) / 6)
    assert len(nodes) == 15  # networkx leaves out the Pucci, who married no one
    # Medici betweenness: 47.5 shortest-path shares over (15-1)(15-2)/2 = 91 pairs.
    from wpnet.measures._betweenness import _betweenness

    bt = _betweenness(sp.csr_matrix(w), directed=False)
    assert bt[nodes.index("Medici")] == pytest.approx(47.5 / 91)
    nxbt = nx.betweenness_centrality(g)
    np.testing.assert_allclose(bt, [nxbt[v] for v in nodes], atol=1e-12)


def test_directed_betweenness_matches_networkx():
    g = nx.gnp_random_graph(20, 0.15, seed=5, directed=True)
    from wpnet.measures._betweenness import _betweenness

    a = sp.csr_matrix(nx.to_scipy_sparse_array(g, nodelist=range(20)))
    bt = nx.betweenness_centrality(g, normalized=True)
    np.testing.assert_allclose(_betweenness(a, True), [bt[v] for v in range(20)], atol=1e-12)


# ---- Burt's hierarchy by hand ----------------------------------------------------------
def test_hierarchy_hand_worked():
    """Ego E4 of the tiny projection: contacts C1, E1, E2 (C1-E1 tied), all weights 1.

    p(E4, .) = 1/3 each; p(C1, E1) = p(E1, C1) = 1/2 (two contacts each).
    c(E4,C1) = (1/3 + p(E4,E1) p(E1,C1))^2 = (1/3 + 1/6)^2 = 1/4; c(E4,E1) = 1/4 likewise;
    c(E4,E2) = (1/3)^2 = 1/9 (E2 knows nobody else). C = 1/2 + 1/9 = 11/18, N = 3,
    C/N = 11/54: r = (27/22, 27/22, 6/11);
    H = (2 (27/22) ln(27/22) + (6/11) ln(6/11)) / (3 ln 3).
    """
    w = _adj(5, [(0, 1), (0, 3), (1, 3), (2, 3)], undirected=True)  # C1 E1 E2 E4 E5
    got = structural_holes(w)
    r1, r2 = 27 / 22, 6 / 11
    h = (2 * r1 * math.log(r1) + r2 * math.log(r2)) / (3 * math.log(3))
    assert got.loc[3, "constraint"] == pytest.approx(11 / 18)
    assert got.loc[3, "hierarchy"] == pytest.approx(h)
    assert got.loc[3, "effective_size"] == pytest.approx(3 - 2 / 3)
    # E2 has one contact: hierarchy undefined; constraint (1 + 0)^2 = 1.
    assert math.isnan(got.loc[2, "hierarchy"]) and got.loc[2, "constraint"] == 1.0


def test_hierarchy_zero_when_constraint_is_even_and_weights_matter():
    # A star: every contact carries the same constraint, so hierarchy is 0.
    star = _adj(4, [(0, 1), (0, 2), (0, 3)], undirected=True)
    assert structural_holes(star).loc[0, "hierarchy"] == pytest.approx(0.0)
    # Weights 3 and 1 on a two-contact star: p = 3/4, 1/4; c = 9/16, 1/16; C = 10/16;
    # r = 9/5, 1/5; H = (9/5 ln 9/5 + 1/5 ln 1/5) / (2 ln 2).
    w = sp.csr_matrix(np.array([[0, 3, 1], [3, 0, 0], [1, 0, 0]], dtype=float))
    got = structural_holes(w)
    assert got.loc[0, "constraint"] == pytest.approx(10 / 16)
    h = (9 / 5 * math.log(9 / 5) + 1 / 5 * math.log(1 / 5)) / (2 * math.log(2))
    assert got.loc[0, "hierarchy"] == pytest.approx(h)


# ---- Gould-Fernandez by hand -----------------------------------------------------------
def test_gould_fernandez_undirected_every_role():
    """Star centre b (group A) with leaves a1, a2 (A), c1, c2 (B), d1 (C) and one leaf
    tie a1-c1. Each open pair of leaves is brokered in both directions:
    a1-a2 coordinator x2; c1-c2 itinerant x2; A-leaf with non-A leaf, minus the closed
    a1-c1: a1-c2, a2-c1, a2-c2, a1-d1, a2-d1 = 5 pairs, each once representative (A->b->X)
    and once gatekeeper (X->b->A); c1-d1, c2-d1 liaison x2 each = 4. Total 18 = 2 * 9 open
    pairs. a1 and c1 broker b-c1 / b-a1, closed by b's ties: 0."""
    b, a1, a2, c1, c2, d1 = range(6)
    ties = [(b, x) for x in (a1, a2, c1, c2, d1)] + [(a1, c1)]
    codes = np.array([0, 0, 0, 1, 1, 2])
    got = gould_fernandez(_adj(6, ties, undirected=True), codes)
    assert got[b].tolist() == [2, 2, 5, 5, 4]
    assert got[1:].sum() == 0


def test_gould_fernandez_directed_every_role():
    """Broker b (A). Arcs a1->b, a2->b, c1->b; b->a2, b->c2, b->d1; a1->c2; d1->c1.
    Groups: a1, a2, b A; c1, c2 B; d1 C.

    Through b (in {a1, a2, c1}, out {a2, c2, d1}):
    a1->a2 coordinator; a1->c2 closed by a1->c2; a1->d1 representative;
    a2->a2 is a = c (skipped); a2->c2 representative; a2->d1 representative;
    c1->a2 gatekeeper; c1->c2 itinerant; c1->d1 liaison (d1->c1 points the other way).
    So b = [1, 1, 3, 1, 1]. Through d1 (in b, out c1): b->d1->c1, no b->c1 arc: A, C, B:
    liaison. Through c1 (in d1, out b): d1->c1->b, no d1->b: C, B, A: liaison. a2 only
    sends back to b (a = c). Nobody else has both an in- and an out-arc."""
    a1, a2, b, c1, c2, d1 = range(6)
    arcs = [(a1, b), (a2, b), (c1, b), (b, a2), (b, c2), (b, d1), (a1, c2), (d1, c1)]
    codes = np.array([0, 0, 0, 1, 1, 2])
    got = gould_fernandez(_adj(6, arcs), codes)
    assert got[b].tolist() == [1, 1, 3, 1, 1]
    assert got[d1].tolist() == [0, 0, 0, 0, 1]
    assert got[c1].tolist() == [0, 0, 0, 0, 1]
    assert got[[a1, a2, c2]].sum() == 0


@pytest.mark.parametrize("seed", range(6))
def test_gould_fernandez_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(6, 16))
    directed = seed % 2 == 0
    a = (rng.random((n, n)) < rng.uniform(0.15, 0.6)).astype(int)
    np.fill_diagonal(a, 0)
    if not directed:
        a = np.triu(a, 1)
        a = a + a.T
    codes = rng.integers(0, int(rng.integers(1, 5)), size=n)
    np.testing.assert_array_equal(gould_fernandez(sp.csr_matrix(a), codes), _brute_gf(a, codes))


def test_gould_fernandez_sparse_path_equals_dense(monkeypatch):
    mod = sparse
    rng = np.random.default_rng(11)
    a = (rng.random((40, 40)) < 0.2).astype(int)
    np.fill_diagonal(a, 0)
    codes = rng.integers(0, 3, size=40)
    w = sp.csr_matrix(a * rng.integers(1, 4, size=(40, 40)))
    dense = gould_fernandez(sp.csr_matrix(a), codes)
    holes = structural_holes(w)
    monkeypatch.setattr(mod, "DENSE_MAX", 10)  # 40 nodes: the sparse route
    np.testing.assert_array_equal(gould_fernandez(sp.csr_matrix(a), codes), dense)
    np.testing.assert_array_equal(dense, _brute_gf(a, codes))
    pd.testing.assert_frame_equal(structural_holes(w), holes)
    reach = two_step_reach(sp.csr_matrix(a))
    monkeypatch.undo()
    monkeypatch.setattr(mod, "DENSE_SHARE", 0.0)  # dense whatever the fill
    np.testing.assert_array_equal(gould_fernandez(sp.csr_matrix(a), codes), dense)
    np.testing.assert_allclose(two_step_reach(sp.csr_matrix(a)), reach)
    pd.testing.assert_frame_equal(structural_holes(w), holes)


def _random_case(kind: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """(0/1 arcs, integer weights on them, groups with -1 for missing, directed) of one
    random graph: ``dense``, ``sparse`` (several components), ``disconnected`` (two
    dense blocks and isolates), or their ``directed`` versions; several groups, one
    missing-group node in three."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(14, 22))
    directed = kind.startswith("directed")
    p = {"dense": 0.6, "sparse": 0.08, "disconnected": 0.7}[kind.split()[-1]]
    a = (rng.random((n, n)) < p).astype(int)
    if kind.endswith("disconnected"):
        half = n // 2
        a[:half, half:] = 0
        a[half:, :half] = 0
        a[n - 3 :, :] = 0
        a[:, n - 3 :] = 0
    np.fill_diagonal(a, 0)
    if not directed:
        a = np.triu(a, 1)
        a = a + a.T
    w = a * rng.integers(1, 5, size=(n, n))
    if not directed:
        w = np.triu(w, 1) + np.triu(w, 1).T
    groups = rng.integers(0, int(rng.integers(1, 5)), size=n)
    groups[rng.random(n) < 1 / 3] = -1
    return a, w, groups, directed


FAST_CASES = [
    (kind, seed)
    for kind in ("dense", "sparse", "disconnected", "directed dense", "directed sparse")
    for seed in (0, 1)
] + [("directed disconnected", 2)]


@pytest.mark.parametrize("kind,seed", FAST_CASES, ids=lambda x: str(x))
@pytest.mark.parametrize("route", ["dense", "sparse"])
def test_both_product_routes_equal_their_oracles(kind, seed, route, monkeypatch):
    """Gould–Fernandez (two float32 products per graph on the dense route, five masked
    sparse products on the other), Burt's measures (one product P [P | S], or two
    sparse) and two-step reach, on each route, against the triple loop, networkx and a
    breadth-first search; missing groups form one extra group, as sna does."""
    a, w, groups, directed = _random_case(kind, seed)
    n = len(groups)
    if route == "dense":
        monkeypatch.setattr(sparse, "DENSE_SHARE", 0.0)  # dense whatever the fill
    else:
        monkeypatch.setattr(sparse, "DENSE_MAX", 1)  # sparse whatever the size
    codes = np.where(groups < 0, groups.max() + 1, groups)
    got = gould_fernandez(sp.csr_matrix(a), codes)
    np.testing.assert_array_equal(got, _brute_gf(a, codes))
    g = nx.from_numpy_array(w, create_using=nx.DiGraph if directed else nx.Graph)
    holes = structural_holes(sp.csr_matrix(w))
    con = nx.constraint(g, weight="weight")
    eff = nx.effective_size(g, nodes=list(g), weight="weight")  # networkx PR #8906
    np.testing.assert_allclose(holes["constraint"], [con[v] for v in range(n)], equal_nan=True)
    # networkx leaves a node without out-arcs at NaN; wpnet reads contacts either way
    out = np.array([len(g[v]) > 0 for v in range(n)])
    np.testing.assert_allclose(
        holes["effective_size"][out], [eff[v] for v in range(n) if out[v]], equal_nan=True
    )
    ga = nx.from_numpy_array(a, create_using=nx.DiGraph if directed else nx.Graph)
    want = [
        (len(nx.single_source_shortest_path_length(ga, v, cutoff=2)) - 1) / (n - 1)
        for v in range(n)
    ]
    np.testing.assert_allclose(two_step_reach(sp.csr_matrix(a)), want)
    assert got.sum() > 0 or kind.endswith("sparse")


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("groups", [1, 4, 60])
def test_dense_tallies_equal_sparse_tallies(directed, groups):
    """On graphs too large for the triple loop (120 nodes, one, a few or many groups),
    every tally of the dense route equals the sparse route's exactly."""
    from wpnet.measures import roles

    rng = np.random.default_rng(groups + directed)
    n = 120
    a = (rng.random((n, n)) < 0.4).astype(float)
    a[:20, 20:] = 0  # a block only loosely joined to the rest
    np.fill_diagonal(a, 0)
    if not directed:
        a = np.triu(a, 1)
        a = a + a.T
    codes = rng.integers(0, groups, size=n)
    m = sp.csr_matrix(a)
    dense, sparse_ = roles._tallies_dense(m, codes), roles._tallies_sparse(m, codes)
    assert dense.keys() == sparse_.keys()
    for k in dense:
        np.testing.assert_array_equal(dense[k], sparse_[k], err_msg=k)
    assert dense["closed_ss"].sum() > 0 and dense["in_d"].sum() > (groups > 1) - 1


@pytest.mark.parametrize("seed", range(4))
def test_drop_diagonal_equals_setdiag(seed):
    """drop_diagonal removes the diagonal and explicit zeros as setdiag(0) +
    eliminate_zeros do, on square and rectangular matrices with explicit zeros."""
    rng = np.random.default_rng(seed)
    shape = (15, 15) if seed % 2 else (12, 17)
    x = sp.random(*shape, density=0.4, random_state=seed, format="csr")
    x.data[rng.random(x.nnz) < 0.2] = 0.0  # explicit zeros
    want = x.copy()
    want.setdiag(0)
    want.eliminate_zeros()
    got = sparse.drop_diagonal(x)
    np.testing.assert_array_equal(got.toarray(), want.toarray())
    assert got.nnz == want.nnz and got.has_sorted_indices
    assert not np.any(got.diagonal())


def test_binary_sums_duplicates_before_reading_nonzeros():
    """A duplicated entry counts once, and entries that cancel are no tie."""
    x = sp.csr_matrix(
        (np.array([2.0, 3.0, 1.0, -1.0]), (np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0]))),
        shape=(2, 2),
    )
    assert sparse.binary(x).toarray().tolist() == [[0.0, 1.0], [0.0, 0.0]]


# ---- expectations ----------------------------------------------------------------------
def test_expectations_hand_worked():
    """Groups of 2 and 2 at density 1/2: q = d^2 (1 - d) = 1/8. Ordered triples by role:
    coordinator needs 3 in one group: 0; itinerant a, c in one group, b in the other:
    2 (b's group) x 2 x 1 (a, c ordered in the other) x 2 groups... per broker group
    (n_i = 2): sum over other groups n_j (n_j - 1) = 2, so E = 2/8 per broker; liaison
    needs 3 groups: 0; representative (N - n_i)(n_i - 1) = 2: E = 1/4; total
    (N-1)(N-2) = 6: E = 6/8."""
    e, v = gf_node_moments(np.array([2.0, 2.0]), 0.5)
    np.testing.assert_allclose(e[0], [0, 0.25, 0.25, 0.25, 0, 0.75])
    # variance of a sum of Bernoulli(q) over dependent triples; the no-overlap part:
    # E (1 - q), plus sna's covariance term 2 (n-1)(n-2)(n-3) d^3 (1-d)^3 = 0 here for
    # the coordinator, and 2 * 3 * 2 * 1 / 64 for the total.
    assert v[0, 5] == pytest.approx(0.75 * (1 - 1 / 8) + 2 * 3 * 2 * 1 / 64)
    eg, _ = gf_network_moments(np.array([2.0, 2.0]), 0.5)
    # the network's expectation is the sum of its brokers'
    np.testing.assert_allclose(eg, 4 * e[0])


def test_network_expectation_is_sum_of_node_expectations():
    sizes = np.array([5.0, 3.0, 7.0, 1.0])
    e_node, _ = gf_node_moments(sizes, 0.3)
    e_net, _ = gf_network_moments(sizes, 0.3)
    np.testing.assert_allclose(e_net, (sizes[:, None] * e_node).sum(axis=0))


def test_expectations_against_bernoulli_simulation():
    """Mean GF counts over random digraphs of density d with fixed groups are within a
    few standard errors of the expectations (and the totals' sd of sna's sd.gli)."""
    rng = np.random.default_rng(3)
    codes = np.repeat([0, 1, 2], [8, 6, 4])
    n, d, sims = len(codes), 0.3, 300
    draws = np.zeros((sims, 6))
    first = np.zeros((sims, 3, 6))  # the first broker of each group
    for s in range(sims):
        a = (rng.random((n, n)) < d).astype(float)
        np.fill_diagonal(a, 0)
        c = gould_fernandez(sp.csr_matrix(a), codes)
        c = np.column_stack([c, c.sum(axis=1)])
        draws[s] = c.sum(axis=0)
        first[s] = c[[0, 8, 14]]
    e, v = gf_network_moments(np.bincount(codes).astype(float), d)
    se = draws.std(axis=0, ddof=1) / math.sqrt(sims)
    assert np.all(np.abs(draws.mean(axis=0) - e) < 4 * se), (draws.mean(axis=0), e)
    # sna's variances are close (within 12% at 1,000 draws; 20% allows for 300).
    np.testing.assert_allclose(draws.std(axis=0, ddof=1), np.sqrt(v), rtol=0.2)
    e_node, v_node = gf_node_moments(np.bincount(codes).astype(float), d)
    se_node = first.std(axis=0, ddof=1) / math.sqrt(sims)
    assert np.all(np.abs(first.mean(axis=0) - e_node) <= 4 * se_node + 1e-12)
    np.testing.assert_allclose(first.std(axis=0, ddof=1), np.sqrt(v_node), rtol=0.2)


def test_role_shares_against_label_shuffles():
    """On a fixed graph, shuffling group labels keeps the open 2-paths; each is a uniform
    random ordered triple of distinct nodes, so the mean role count is
    open paths x exp.gli[role] / exp.gli[total] (the share of triples of that role)."""
    eco = _random_ecosystem(7, n=30, p=0.1)
    p = wpnet.graphs.projection(eco)
    adj = sp.csr_matrix(p.weight)
    codes = pd.factorize(p.nodes["authority"])[0]
    rng = np.random.default_rng(0)
    sims = 300
    draws = np.array(
        [gould_fernandez(adj, rng.permutation(codes)).sum(axis=0) for _ in range(sims)]
    )
    total = gould_fernandez(adj, codes).sum()
    e, _ = gf_network_moments(np.bincount(codes).astype(float), 0.5)
    share = e[:5] / e[5]
    se = draws.std(axis=0, ddof=1) / math.sqrt(sims)
    assert np.all(np.abs(draws.mean(axis=0) - total * share) < 4 * se + 1e-9)


# ---- E-I -------------------------------------------------------------------------------
def test_node_ei_hand_worked():
    # C1 E1 E2 E4 E5; groups G G G I R: C1 (E1 G, E4 I) 1 ext 1 int; E1 same; E2 (E4) 1 ext;
    # E4 (C1, E1, E2 all G) 3 ext; E5 no contacts.
    w = _adj(5, [(0, 1), (0, 3), (1, 3), (2, 3)], undirected=True)
    ext, inn, ei = node_ei(w, np.array([0, 0, 0, 1, 2]))
    assert ext.tolist() == [1, 1, 1, 3, 0] and inn.tolist() == [1, 1, 0, 0, 0]
    np.testing.assert_allclose(ei, [0, 0, 1, 1, NAN])


def test_ei_permutation_exact_enumeration():
    """Tiny projection: T = 4 ties, E = 3 (C1-E4, E1-E4, E2-E4), I = 1 (C1-E1): E-I = 1/2.
    Groups of 3, 1, 1: P = 10 pairs, X = 3*1 + 3*1 + 1*1 = 7 between-group pairs,
    expected E-I = 2*7/10 - 1 = 0.4; internal pairs 3 so E >= 1: min (2*1-4)/4 = -1/2;
    max E = 4: 1. The 20 distinct labellings give the exact permutation distribution."""
    w = _adj(5, [(0, 1), (0, 3), (1, 3), (2, 3)], undirected=True)
    codes = np.array([0, 0, 0, 1, 2])
    res = ei_permutation(w, codes, 20000, 1)
    assert (res["ties"], res["external"], res["internal"]) == (4, 3, 1)
    assert res["ei_index"] == 0.5
    assert res["expected"] == pytest.approx(0.4)
    assert (res["min_possible"], res["max_possible"]) == (-0.5, 1.0)
    ties = [(0, 1), (0, 3), (1, 3), (2, 3)]
    labellings = {tuple(p) for p in itertools.permutations(codes.tolist())}
    e = np.array([sum(lab[i] != lab[j] for i, j in ties) for lab in labellings])
    assert len(labellings) == 20
    assert ((2 * e - 4) / 4).mean() == pytest.approx(0.4)  # the exact mean
    for key, exact in (
        ("p_greater", (e >= 3).mean()),
        ("p_less", (e <= 3).mean()),
        ("p_two_sided", (np.abs(e - 2.8) >= 0.2 - 1e-9).mean()),
    ):
        se = math.sqrt(exact * (1 - exact) / 20000)
        assert abs(res[key] - exact) < 4 * se + 1e-12, key
    assert res["p_one_sided"] == res["p_greater"]  # observed 0.5 above expected 0.4
    assert res["perm_mean"] == pytest.approx(0.4, abs=0.02)


def test_ei_test_two_cliques_is_homophilous_and_significant():
    """Two groups of 6, each a clique, one bridge: I = 2*15 = 30, E = 1."""
    est = [f"E{i:02d}" for i in range(12)]
    rows = [(f"P{i}", "N1") for i in range(6)] + [(f"P{i}", "N2") for i in range(6, 12)]
    rows += [("P0", "NX"), ("P6", "NX")]
    eco = _ecosystem(est, {"authority": ["a"] * 6 + ["b"] * 6}, rows)
    t = ei_test(eco, permutations=2000, seed=3)
    row = t.loc["all"]
    assert list(t.columns) == list(EI_COLUMNS)
    assert (row["ties"], row["external"], row["internal"]) == (31, 1, 30)
    assert row["ei_index"] == pytest.approx(-29 / 31)
    # X = 36 of P = 66 pairs: expected 2*36/66 - 1 = 1/11; min: 30 internal pairs, so
    # E >= 1: (2 - 31)/31.
    assert row["expected"] == pytest.approx(1 / 11)
    assert row["min_possible"] == pytest.approx(-29 / 31)
    assert row["p_less"] < 0.01 and row["p_one_sided"] == row["p_less"]
    assert row["p_greater"] == 1.0
    assert row["perm_min"] >= row["min_possible"] and row["perm_max"] <= row["max_possible"]
    again = ei_test(eco, permutations=2000, seed=3)
    pd.testing.assert_frame_equal(t, again)
    assert isinstance(t.attrs["seed"], int)


def test_ei_test_p_values_follow_the_plus_one_rule():
    """INFERENCE.md: p = (1 + #{T_s as or more extreme}) / (S + 1), never a bare share.
    On the example's 2022-23 projection no relabelling comes near the observed E-I
    (-0.09 against permutations within 0.57-0.69), so every p in that direction is
    exactly 1/(S + 1); a bare share would be 0."""
    s = 999
    t = ei_test(wpnet.load_example().select(session="2022-23"), permutations=s).loc["all"]
    assert t["perm_min"] > t["ei_index"]
    assert t["p_less"] == t["p_one_sided"] == t["p_two_sided"] == 1 / (s + 1)
    assert t["p_greater"] == 1.0


def test_ei_complement_counting_equals_direct(monkeypatch):
    """A dense graph counts E on the non-ties; force both routes and compare."""
    import wpnet.measures.roles as mod

    rng = np.random.default_rng(2)
    a = (rng.random((30, 30)) < 0.8).astype(float)
    a = np.triu(a, 1)
    codes = rng.integers(0, 3, size=30)
    i, j = np.nonzero(a)
    c = codes.astype(np.int64)
    between = int((np.bincount(c).sum() ** 2 - (np.bincount(c) ** 2).sum()) // 2)
    via_nonties = mod._permuted_external(c, i, j, len(i), between, 50, 9)
    # direct count with the same permutations
    lab = np.random.default_rng(9).permuted(np.broadcast_to(c.astype(np.int16), (50, 30)), axis=1)
    direct = (lab[:, i] != lab[:, j]).sum(axis=1)
    np.testing.assert_array_equal(via_nonties, direct)


@pytest.mark.parametrize("density", [0.2, 0.8])  # E counted on the ties, on the non-ties
def test_ei_permutations_in_small_blocks_are_the_same_permutations(monkeypatch, density):
    """Blocks of a few permutations (``_PERM_CHUNK`` small) draw the same labellings
    as one block of all: the counts equal a direct count of all at once."""
    import wpnet.measures.roles as mod

    rng = np.random.default_rng(5)
    a = np.triu((rng.random((25, 25)) < density).astype(float), 1)
    c = rng.integers(0, 4, size=25).astype(np.int64)
    i, j = np.nonzero(a)
    between = int((np.bincount(c).sum() ** 2 - (np.bincount(c) ** 2).sum()) // 2)
    lab = np.random.default_rng(4).permuted(np.broadcast_to(c.astype(np.int16), (70, 25)), axis=1)
    direct = (lab[:, i] != lab[:, j]).sum(axis=1)
    monkeypatch.setattr(mod, "_PERM_CHUNK", 3 * max(len(i), 25 * 24 // 2 - len(i)))
    np.testing.assert_array_equal(mod._permuted_external(c, i, j, len(i), between, 70, 4), direct)


# ---- the Ecosystem functions on tiny -----------------------------------------------------
def test_tiny_projection_by_hand(tiny2223):
    b = brokerage(tiny2223)
    assert list(b.columns) == list(BROKERAGE_COLUMNS)
    assert b.index.tolist() == ["C1", "E1", "E2", "E4", "E5"]
    assert b["group"].tolist() == ["Glasgow City"] * 3 + ["Inverclyde", "Renfrewshire"]
    assert b["degree"].tolist() == [2, 2, 1, 3, 0]
    # E4 brokers C1-E2 and E1-E2 both ways (C1-E1 is closed): 4 paths, all Glasgow
    # -> Inverclyde -> Glasgow: itinerant.
    assert b.loc["E4", [f"gf_{r}" for r in ROLES]].tolist() == [0, 4, 0, 0, 0, 4]
    assert b.drop(index="E4")["gf_total"].sum() == 0
    # betweenness: E4 lies on C1-E2 and E1-E2: 2 / ((5-1)(5-2)/2 = 6)
    assert b["betweenness"].tolist() == pytest.approx([0, 0, 0, 1 / 3, 0])
    # density 4 ties / 10 pairs; q = 0.4^2 * 0.6 = 0.096; E4 (Inverclyde, n_i = 1):
    # itinerant E = q * (3*2 + 1*0) = 0.576, total E = q * 4 * 3 = 1.152.
    assert b.loc["E4", "gf_itinerant_expected"] == pytest.approx(0.576)
    assert b.loc["E4", "gf_total_expected"] == pytest.approx(1.152)
    # sd of total: 1.152 (1 - 0.096) + 2*4*3*2 * 0.4^3 0.6^3 = 1.0414 + 0.66355
    sd = math.sqrt(1.152 * (1 - 0.096) + 48 * 0.4**3 * 0.6**3)
    assert b.loc["E4", "gf_total_z"] == pytest.approx((4 - 1.152) / sd)
    assert math.isnan(b.loc["E4", "gf_coordinator_z"])  # one Inverclyde node: sd 0
    assert b["external"].tolist() == [1, 1, 1, 3, 0]
    assert b["internal"].tolist() == [1, 1, 0, 0, 0]
    # two steps: C1 reaches E1, E4, E2 of 4 others; E5 nobody
    assert b["two_step_reach"].tolist() == [0.75, 0.75, 0.75, 0.75, 0.0]
    assert b.loc["E5"][["effective_size", "constraint", "ei_index"]].isna().all()
    assert b.attrs["measure"] == "brokerage" and b.attrs["graph_kind"] == "projection"
    assert b.attrs["density"] == pytest.approx(0.4)
    assert "5 nodes, 4 ties" in b.attrs["graph"]
    json.dumps(b.attrs)


def test_tiny_roles_table(tiny2223):
    r = brokerage_roles(tiny2223)
    assert r.index.tolist() == list(ROLES)
    assert r["observed"].tolist() == [0, 4, 0, 0, 0, 4]
    # groups 3, 1, 1; N = 5; q = 0.096.
    # itinerant: q * sum n (N - n)(n - 1) = q * 3*2*2 = 1.152; liaison: q *
    # (sum_{g,h} n_g n_h (N - n_g - n_h) - sum n^2 (N - 2n)) = q * (30 - 12) = 1.728;
    # total q * 60 = 5.76.
    assert r.loc["itinerant", "expected"] == pytest.approx(1.152)
    assert r.loc["liaison", "expected"] == pytest.approx(1.728)
    assert r.loc["total", "expected"] == pytest.approx(5.76)
    assert r.loc["representative", "expected"] == r.loc["gatekeeper", "expected"]
    z = (r["observed"] - r["expected"]) / r["sd"]
    np.testing.assert_allclose(r["z"], z.where(r["sd"] > 0))
    assert r.attrs["group_sizes"] == [3, 1, 1] and r.attrs["nodes"] == 5


def test_tiny_missing_group_is_its_own_group(tiny2223):
    """group=simd_quintile: C1 has none. E4 (5) brokers C1 (missing) - E2 (3) and
    E1 (1) - E2 (3): every triple has three different groups: 4 liaison. E-I leaves C1
    out: E1's contacts C1 (unknown) and E4 (5): 1 external."""
    b = brokerage(tiny2223, group="simd_quintile")
    assert b.loc["E4", "gf_liaison"] == 4 and b.loc["E4", "gf_total"] == 4
    assert b.loc["E1", ["external", "internal"]].tolist() == [1, 0]
    assert math.isnan(b.loc["C1", "ei_index"])
    assert pd.isna(b.loc["C1", "group"])


def test_tiny_survey_ties(tiny):
    """Directed path P2 -> P1 -> P4 -> P5 -> P3 (nodes P1..P5 by id)."""
    b = brokerage(tiny, graph="ties", group="level")
    assert b.index.tolist() == ["P1", "P2", "P3", "P4", "P5"]
    # P1 brokers P2 -> P4: middle_leader -> practitioner -> practitioner: gatekeeper.
    assert b.loc["P1", [f"gf_{r}" for r in ROLE5]].tolist() == [0, 0, 0, 1, 0]
    # P4 brokers P1 -> P5: practitioner, practitioner, senior_leader: representative.
    assert b.loc["P4", [f"gf_{r}" for r in ROLE5]].tolist() == [0, 0, 1, 0, 0]
    # P5 brokers P4 -> P3: three levels: liaison.
    assert b.loc["P5", [f"gf_{r}" for r in ROLE5]].tolist() == [0, 0, 0, 0, 1]
    # directed betweenness over (5-1)(5-2) = 12 ordered pairs: P1 3 (P2 to P4, P5, P3),
    # P4 4 ({P2, P1} to {P5, P3}), P5 3.
    assert b["betweenness"].tolist() == pytest.approx([3 / 12, 0, 0, 4 / 12, 3 / 12])
    g = nx.DiGraph([("P1", "P4"), ("P4", "P5"), ("P5", "P3"), ("P2", "P1")])
    bt = nx.betweenness_centrality(g)
    assert b["betweenness"].tolist() == pytest.approx([bt[v] for v in b.index])
    # two steps along arcs: P2 -> P1, P4 (2 of 4); P3 reaches nobody
    assert b["two_step_reach"].tolist() == [0.5, 0.5, 0.0, 0.5, 0.25]
    assert b["degree"].tolist() == [2, 1, 1, 2, 2] and b["strength"].tolist() == [2, 1, 1, 2, 2]
    assert b.attrs["graph_kind"] == "ties" and "directed survey ties" in b.attrs["graph"]
    assert b.attrs["density"] == pytest.approx(4 / 20)
    # authority of the practitioner's establishment: P1, P2 E1 Glasgow; P3 E2 Glasgow;
    # P4 E3 Inverclyde; P5 E4 Inverclyde
    a = brokerage(tiny, graph="ties")
    assert a["group"].tolist() == ["Glasgow City"] * 3 + ["Inverclyde"] * 2
    roles = brokerage_roles(tiny, graph="ties", group="level")
    assert roles["observed"].tolist() == [0, 0, 1, 1, 1, 3]
    t = ei_test(tiny, graph="ties", permutations=100)
    # pairs P2-P1 (G-G), P1-P4 (G-I), P4-P5 (I-I), P5-P3 (I-G)
    assert t.loc["all", ["external", "internal"]].tolist() == [2, 2]


def test_backbone_threshold_and_attrs(tiny2223):
    b = brokerage(tiny2223, backbone="threshold", min_weight=2)
    # every tie has weight 1: nothing survives
    assert b["degree"].sum() == 0 and b["gf_total"].sum() == 0
    assert b.attrs["backbone"] == {"method": "threshold", "min_weight": 2}


def test_bad_arguments(tiny2223, tiny):
    with pytest.raises(ValueError, match="graph"):
        brokerage(tiny2223, graph="survey")
    with pytest.raises(ValueError, match="group='colour'"):
        brokerage(tiny2223, group="colour")
    with pytest.raises(ValueError, match="backbone"):
        brokerage(tiny, graph="ties", backbone="threshold")
    with pytest.raises(ValueError, match="permutations"):
        ei_test(tiny2223, permutations=0)


def test_public_names():
    assert wpnet.brokerage is brokerage
    assert wpnet.brokerage_roles is brokerage_roles
    assert wpnet.ei_test is ei_test


def test_degenerate_graphs():
    """No survey ties: an empty table. One node: no density, so no expectations."""
    eco = _random_ecosystem(0)  # built without ties
    b = brokerage(eco, graph="ties")
    assert b.shape == (0, len(BROKERAGE_COLUMNS)) and b.index.name == "practitioner_id"
    assert brokerage_roles(eco, graph="ties")["observed"].tolist() == [0] * 6
    assert ei_test(eco, graph="ties", permutations=10).loc["all", "ties"] == 0
    one = _ecosystem(["E0"], {"authority": ["a"]}, [("P0", "N1")])
    b = brokerage(one)
    assert b["gf_total"].tolist() == [0] and math.isnan(b.loc["E0", "gf_total_expected"])
    assert math.isnan(b.loc["E0", "two_step_reach"])
    assert brokerage_roles(one)["expected"].isna().all()
    assert math.isnan(ei_test(one, permutations=10).loc["all", "ei_index"])


# ---- sampled betweenness -----------------------------------------------------------------
def _nx_sources(g: nx.Graph, k: int, seed: int) -> list[int]:
    """The sources networkx's ``betweenness_centrality(k=k, seed=seed)`` draws."""
    import random

    return random.Random(seed).sample(list(g), k)


@pytest.mark.parametrize("directed", [False, True])
def test_sampled_betweenness_matches_networkx_on_the_same_sources(directed):
    g = nx.gnp_random_graph(80, 0.06, seed=3, directed=directed)
    adj = nx.to_scipy_sparse_array(g, nodelist=range(80), format="csr")
    sources = _nx_sources(g, 20, seed=11)
    est, info = bro.sampled_betweenness(adj, directed=directed, sources=np.array(sources))
    expected = nx.betweenness_centrality(g, k=20, seed=11, normalized=True)
    np.testing.assert_allclose(est, [expected[v] for v in range(80)], rtol=1e-9, atol=1e-12)
    assert info["method"] == "sampled" and info["sources"] == 20


def test_sampled_betweenness_with_every_source_is_exact():
    g = nx.connected_watts_strogatz_graph(60, 4, 0.2, seed=1)
    adj = nx.to_scipy_sparse_array(g, nodelist=range(60), format="csr")
    est, info = bro.sampled_betweenness(adj, samples=60)
    exact = nx.betweenness_centrality(g)
    np.testing.assert_allclose(est, [exact[v] for v in range(60)], rtol=1e-9)
    assert info["method"] == "exact"


def test_sampled_betweenness_is_unbiased_and_within_its_bound():
    g = nx.barabasi_albert_graph(150, 3, seed=5)
    adj = nx.to_scipy_sparse_array(g, nodelist=range(150), format="csr")
    exact = np.array([nx.betweenness_centrality(g)[v] for v in range(150)])
    runs = [bro.sampled_betweenness(adj, samples=30, seed=s) for s in range(200)]
    est = np.vstack([r[0] for r in runs])
    bound = runs[0][1]["error_bound"]
    # the simultaneous Hoeffding bound holds in (far) more than 95% of draws
    assert np.mean(np.abs(est - exact).max(axis=1) <= bound) >= 0.95
    # unbiased: the mean of 200 independent estimates is within 4 standard errors
    se = est.std(axis=0, ddof=1) / np.sqrt(len(runs))
    assert np.all(np.abs(est.mean(axis=0) - exact) <= 4 * se + 1e-12)
    # the batch standard error is the right order of magnitude for the top node
    top = int(exact.argmax())
    spread = est[:, top].std(ddof=1)
    median_max_se = np.median([r[1]["max_se"] for r in runs])
    assert 0.3 * spread < median_max_se < 3 * spread


def test_brokerage_samples_betweenness_only_above_the_work_bound(monkeypatch):
    import warnings

    eco = wpnet.tiny().select(session="2022-23")
    exact = wpnet.brokerage(eco)
    assert exact.attrs["betweenness"] == {"method": "exact"}
    monkeypatch.setattr(btw, "EXACT_BETWEENNESS_WORK", 0.0)
    with pytest.warns(UserWarning, match="estimated from 2 sampled sources"):
        sampled = wpnet.brokerage(eco, samples=2, seed=1)
    assert sampled.attrs["betweenness"]["method"] == "sampled"
    assert sampled.attrs["betweenness"]["sources"] == 2
    # every other column is the same as the exact run's
    others = [c for c in exact.columns if c != "betweenness"]
    pd.testing.assert_frame_equal(sampled[others], exact[others])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        insisted = wpnet.brokerage(eco, betweenness="exact")
    np.testing.assert_allclose(insisted["betweenness"], exact["betweenness"])
    with pytest.raises(ValueError, match="betweenness"):
        wpnet.brokerage(eco, betweenness="fast")


def test_a_second_call_is_remembered_and_independent(monkeypatch) -> None:
    # the report, its figures and the map ask for the same brokerage: computed once
    import wpnet.measures.brokerage as mod

    eco = wpnet.tiny().select(session="2022-23")
    calls = []
    real = mod._node_frame
    monkeypatch.setattr(mod, "_node_frame", lambda *a: calls.append(1) or real(*a))
    first = wpnet.brokerage(eco)
    first["betweenness"] = -1.0
    first.attrs["betweenness"]["method"] = "changed"
    second = wpnet.brokerage(eco)
    assert len(calls) == 1
    assert (second["betweenness"] >= 0).all()
    assert second.attrs["betweenness"]["method"] == "exact"
    wpnet.brokerage(eco, group="sector")
    assert len(calls) == 2


def test_top_brokers_break_an_exact_betweenness_tie_by_gf_total():
    """G(20, 0.12, seed 117): E00000 and E00006 tie in betweenness (251/6 each by exact
    Brandes; wpnet's sums differ in the last bit), E00006 brokers 18 Gould-Fernandez
    paths against 6, so by the documented rule E00006 ranks first."""
    import networkx as nx
    from _graph_eco import graph_ecosystem

    g = nx.gnp_random_graph(20, 0.12, seed=117)
    b = wpnet.brokerage(graph_ecosystem(g), backbone=None)
    assert b.loc["E00000", "betweenness"] == pytest.approx(
        b.loc["E00006", "betweenness"], rel=1e-12
    )
    assert (b.loc["E00000", "gf_total"], b.loc["E00006", "gf_total"]) == (6, 18)
    assert list(bro.top_brokers(b, top=2)) == ["E00006", "E00000"]


@pytest.mark.parametrize(
    ("session", "authority"), [("2019-20", "Renfrewshire"), ("2022-23", "Inverclyde")]
)
def test_practitioner_groups_after_a_selection_are_home_authorities(session, authority):
    """A practitioner node's authority is their home establishment's (MEASURES.md,
    docs/measures.md), also when the selection's register leaves that home out: a
    practitioner from a school elsewhere who took part in the selection keeps it.
    Oracle: the raw tables' home authority, and external ties counted on the
    projection's edges with it (before, such nodes had no group: on the example's
    2019-20 Renfrewshire selection 5 nodes, and 133 E-I values were wrong)."""
    import networkx as nx

    eco = wpnet.load_example()
    sel = eco.select(session=session, authority=authority)
    est = eco.establishments.set_index("establishment_id")["authority"]
    home = eco.practitioners.set_index("practitioner_id")["establishment_id"].map(est)
    b = wpnet.brokerage(sel, onto="practitioner", backbone=None)
    assert b["group"].notna().all()
    assert (b["group"] == home.reindex(b.index)).all()
    outside = ~b.index.isin(
        sel.practitioners.loc[
            sel.practitioners["establishment_id"].isin(sel.establishments["establishment_id"]),
            "practitioner_id",
        ]
    )
    assert outside.sum() > 0  # the case: homes outside the selection's register
    g = wpnet.project(sel, onto="practitioner", backbone=None)
    external = pd.Series(0, index=b.index)
    for u, v in g.edges():
        if home[u] != home[v]:
            external[u] += 1
            external[v] += 1
    assert (b["external"] == external).all()
    assert nx.number_of_nodes(g) == len(b)
