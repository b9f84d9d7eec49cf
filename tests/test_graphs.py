"""Graphs: Davis's Southern Women against networkx's bipartite projections, the tiny
ecosystem by hand, authority matrices against loops, and the igraph round trip."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from networkx.algorithms import bipartite

import wpnet.datasets  # noqa: F401  (the conftest fixtures call wpnet.datasets.tiny())
from wpnet._projection import backbone_matrices, raw_matrices
from wpnet._sparse import row_blocks
from wpnet.backbones import backbone_mask, tie_test
from wpnet.ecosystem import Ecosystem
from wpnet.graphs import (
    affiliation_graph,
    authority_matrix,
    from_igraph,
    incidence,
    project,
    projection,
    to_igraph,
)

AUTHORITIES = ("Alpha", "Beta", "Gamma")


@pytest.fixture(scope="module")
def davis() -> nx.Graph:
    return nx.davis_southern_women_graph()


@pytest.fixture(scope="module")
def davis_eco(davis: nx.Graph) -> Ecosystem:
    """Women = practitioners (one establishment each), events = networks, one record per
    attendance; establishments get authorities in turn."""
    women = davis.graph["top"]
    events = davis.graph["bottom"]
    est = pd.DataFrame(
        {
            "establishment_id": [f"S{i:02d}" for i in range(len(women))],
            "name": women,
            "authority": [AUTHORITIES[i % 3] for i in range(len(women))],
            "sector": "primary",
        }
    )
    prac = pd.DataFrame(
        {"practitioner_id": women, "establishment_id": est["establishment_id"], "level": "other"}
    )
    nets = pd.DataFrame({"network_id": events, "name": events, "workstream": "events"})
    part = pd.DataFrame(
        [(w, e, "2022-10-01") for w, e in davis.edges() if w in set(women)]
        + [(w, e, "2022-10-01") for e, w in davis.edges() if w in set(women)],
        columns=["practitioner_id", "network_id", "date"],
    )
    return Ecosystem(est, prac, nets, part)


def same_weighted_graph(g: nx.Graph, h: nx.Graph, attr: str = "weight") -> None:
    assert set(g.nodes) == set(h.nodes)
    assert {frozenset(e) for e in g.edges} == {frozenset(e) for e in h.edges}
    for u, v, d in h.edges(data=True):
        assert g[u][v][attr] == pytest.approx(d["weight"]), (u, v)


# ---------------------------------------------------------------------------------
# Davis's Southern Women
# ---------------------------------------------------------------------------------
def test_practitioner_projection_is_networkx_weighted_projection(davis, davis_eco) -> None:
    oracle = bipartite.weighted_projected_graph(davis, davis.graph["top"])
    g = project(davis_eco, onto="practitioner")
    same_weighted_graph(g, oracle)
    assert all(type(d["weight"]) is int for _, _, d in g.edges(data=True))
    assert g.number_of_edges() == 139  # Davis's women projection: 139 of 153 pairs


def test_newman_is_networkx_collaboration_weighting(davis, davis_eco) -> None:
    oracle = bipartite.collaboration_weighted_projected_graph(davis, davis.graph["top"])
    g = project(davis_eco, onto="practitioner", weight="newman")
    same_weighted_graph(g, oracle)
    same_weighted_graph(project(davis_eco, onto="practitioner"), oracle, attr="newman")
    shared = bipartite.weighted_projected_graph(davis, davis.graph["top"])
    for u, v, d in g.edges(data=True):
        assert d["shared"] == shared[u][v]["weight"]


def test_network_projection_is_the_events_projection(davis, davis_eco) -> None:
    oracle = bipartite.weighted_projected_graph(davis, davis.graph["bottom"])
    same_weighted_graph(project(davis_eco, onto="network"), oracle)


def test_establishment_projection_relabels_the_women_projection(davis, davis_eco) -> None:
    oracle = bipartite.weighted_projected_graph(davis, davis.graph["top"])
    name = dict(
        zip(davis_eco.establishments.establishment_id, davis_eco.establishments.name, strict=True)
    )
    g = nx.relabel_nodes(project(davis_eco), name)
    same_weighted_graph(g, oracle)
    jac = bipartite.overlap_weighted_projected_graph(davis, davis.graph["top"])  # Jaccard
    same_weighted_graph(g, jac, attr="jaccard")


def test_affiliation_graph_is_davis(davis, davis_eco) -> None:
    g = affiliation_graph(davis_eco, level="practitioner")
    assert nx.utils.edges_equal(g.edges, davis.edges)
    assert {n for n, d in g.nodes(data=True) if d["bipartite"] == 0} == set(davis.graph["top"])
    assert bipartite.is_bipartite_node_set(g, davis.graph["top"])
    assert {d["weight"] for _, _, d in g.edges(data=True)} == {1}
    assert g.nodes["E1"]["kind"] == "network" and g.nodes["E1"]["workstream"] == "events"
    assert g.nodes["Evelyn Jefferson"]["kind"] == "practitioner"
    assert g.nodes["Evelyn Jefferson"]["authority"] == "Alpha"


def test_max_edges_says_what_it_would_cost(davis, davis_eco) -> None:
    sizes = [davis.degree(e) for e in davis.graph["bottom"]]
    bound = sum(m * (m - 1) // 2 for m in sizes)
    with pytest.raises(ValueError, match=rf"up to {bound:,} ties .* above max_edges=100\b"):
        project(davis_eco, onto="practitioner", max_edges=100)
    with pytest.raises(ValueError, match="pass max_edges=None"):
        project(davis_eco, onto="practitioner", max_edges=bound - 1)
    assert project(davis_eco, onto="practitioner", max_edges=bound).number_of_edges() == 139


def test_authority_matrix_against_loops(davis, davis_eco) -> None:
    top = davis.graph["top"]
    auth = {w: AUTHORITIES[i % 3] for i, w in enumerate(top)}
    nets = authority_matrix(davis_eco)
    pairs = authority_matrix(davis_eco, value="establishment_pairs")
    for a, b in itertools.product(AUTHORITIES, repeat=2):
        if a == b:
            want_n = sum(sum(auth[w] == a for w in davis[e]) >= 2 for e in davis.graph["bottom"])
            want_p = sum(
                auth[u] == auth[v] == a and len(set(davis[u]) & set(davis[v])) > 0
                for u, v in itertools.combinations(top, 2)
            )
        else:
            want_n = sum(
                any(auth[w] == a for w in davis[e]) and any(auth[w] == b for w in davis[e])
                for e in davis.graph["bottom"]
            )
            want_p = sum(
                auth[u] == a and auth[v] == b and len(set(davis[u]) & set(davis[v])) > 0
                for u, v in itertools.permutations(top, 2)
            )
        assert nets.loc[a, b] == want_n, (a, b)
        assert pairs.loc[a, b] == want_p, (a, b)
    assert pairs.values.sum() - np.trace(pairs.values) + 2 * np.trace(pairs.values) == 2 * 139


# ---------------------------------------------------------------------------------
# The tiny ecosystem by hand
# ---------------------------------------------------------------------------------
def test_tiny_projection_by_hand(tiny2223) -> None:
    # N1: C1 (P7), E1 (P1, P2), E4 (P4 on a record naming E4); N2: E2 (P3), E4 (P5);
    # N3: E5 (P6). m = 3, 2, 1 establishments.
    g = project(tiny2223)
    assert sorted(g.nodes) == ["C1", "E1", "E2", "E4", "E5"]
    assert sorted(map(tuple, map(sorted, g.edges()))) == [
        ("C1", "E1"),
        ("C1", "E4"),
        ("E1", "E4"),
        ("E2", "E4"),
    ]
    # E1-E4 share N1 (m = 3): newman 1/2; E1 has 1 network, E4 2 -> jaccard 1/2.
    assert g["E1"]["E4"] == {"weight": 1, "shared": 1, "newman": 0.5, "jaccard": 0.5}
    # E2-E4 share N2 (m = 2): newman 1.
    assert g["E2"]["E4"]["newman"] == 1.0
    assert g.nodes["E4"]["authority"] == "Inverclyde" and g.nodes["E4"]["memberships"] == 2
    assert g.graph["onto"] == "establishment" and g.graph["backbone"] is None
    assert project(tiny2223, weight="jaccard")["C1"]["E1"]["weight"] == 1.0  # both only N1


def test_tiny_affiliation_graph_by_hand(tiny2223) -> None:
    g = affiliation_graph(tiny2223)
    assert dict(g["N1"]) == {"C1": {"weight": 1}, "E1": {"weight": 2}, "E4": {"weight": 1}}
    assert dict(g["N2"]) == {"E2": {"weight": 1}, "E4": {"weight": 1}}
    assert g.nodes["N3"]["network_kind"] == "forum" and g.nodes["N3"]["kind"] == "network"
    assert g.nodes["C1"]["sector"] == "central" and g.nodes["C1"]["bipartite"] == 0
    assert "E3" not in g and "E6" not in g  # not reached in 2022-23
    p = affiliation_graph(tiny2223, level="practitioner")
    assert p["P4"]["N1"]["weight"] == 1 and p["P1"]["N1"]["weight"] == 1
    assert sorted(p["N1"]) == ["P1", "P2", "P4", "P7"]


def test_tiny_authority_matrix_by_hand(tiny2223, tiny) -> None:
    # 2022-23. N1 joins Glasgow (C1, E1) and Inverclyde (E4); N2 Glasgow (E2) and
    # Inverclyde (E4); N3 only Renfrewshire (E5, alone).
    m = authority_matrix(tiny2223)
    assert list(m.index) == ["Glasgow City", "Inverclyde", "Renfrewshire"]
    assert m.loc["Glasgow City", "Inverclyde"] == 2 and m.loc["Inverclyde", "Glasgow City"] == 2
    assert m.loc["Glasgow City", "Glasgow City"] == 1  # N1 joins C1 and E1
    assert m.loc["Renfrewshire"].tolist() == [0, 0, 0]
    # Pairs: C1-E1 within Glasgow; E1-E4, C1-E4, E2-E4 across.
    p = authority_matrix(tiny2223, value="establishment_pairs")
    assert p.values.tolist() == [[1, 3, 0], [3, 0, 0], [0, 0, 0]]
    # Pooled sessions: P4's 2021-22 record is at E3 (Inverclyde): N1 now joins E3 and E4.
    assert authority_matrix(tiny).loc["Inverclyde", "Inverclyde"] == 1
    with pytest.raises(ValueError, match="value must be"):
        authority_matrix(tiny, value="practitioners")


def test_authority_projection_matches_matrix_off_diagonal(tiny2223) -> None:
    g = project(tiny2223, onto="authority")
    m = authority_matrix(tiny2223)
    assert g["Glasgow City"]["Inverclyde"]["weight"] == m.loc["Glasgow City", "Inverclyde"]
    assert g.degree("Renfrewshire") == 0


def test_project_refuses_unknown_arguments(tiny2223) -> None:
    with pytest.raises(ValueError, match="weight must be one of"):
        project(tiny2223, weight="hours")
    with pytest.raises(ValueError, match="onto must be one of"):
        project(tiny2223, onto="school")
    with pytest.raises(ValueError, match="level must be"):
        affiliation_graph(tiny2223, level="network")


def test_affiliation_graph_refuses_clashing_ids(tiny2223) -> None:
    est = tiny2223.establishments.copy()
    est.loc[est.establishment_id == "E5", "establishment_id"] = "N3"
    prac = tiny2223.practitioners.copy()
    prac.loc[prac.establishment_id == "E5", "establishment_id"] = "N3"
    eco = Ecosystem(est, prac, tiny2223.networks, tiny2223.participation)
    with pytest.raises(ValueError, match=r"ids equal to network ids \(N3\)"):
        affiliation_graph(eco)


# ---------------------------------------------------------------------------------
# igraph round trip
# ---------------------------------------------------------------------------------
def test_igraph_round_trip_of_a_projection(tiny2223) -> None:
    g = project(tiny2223)
    ig = to_igraph(g)
    assert ig.vs["name"] == list(g.nodes) and ig.ecount() == 4
    i, j = ig.vs.find(name="E1").index, ig.vs.find(name="E4").index
    assert ig.es[ig.get_eid(i, j)]["newman"] == 0.5
    assert ig["onto"] == "establishment"
    back = from_igraph(ig)
    assert nx.utils.graphs_equal(back, g)
    assert back.nodes(data=True)["C1"] == g.nodes(data=True)["C1"]


def test_igraph_round_trip_keeps_ids_and_direction() -> None:
    d = nx.DiGraph()
    d.add_node(10, colour="red")
    d.add_node((1, 2), colour="blue")
    d.add_edge(10, (1, 2), weight=2.5, kind="a")
    d.add_edge((1, 2), 10, weight=1.0, kind="b")
    d.graph["title"] = "t"
    ig = to_igraph(d)
    assert ig.is_directed() and ig.vs["name"] == [10, (1, 2)]
    back = from_igraph(ig)
    assert isinstance(back, nx.DiGraph) and nx.utils.graphs_equal(back, d)
    assert back[10][(1, 2)] == {"weight": 2.5, "kind": "a"}
    # a graph from outside wpnet with a node attribute "name" and integer ids
    k = nx.karate_club_graph()
    nx.set_node_attributes(k, {n: f"member {n}" for n in k}, "name")
    ik = to_igraph(k)
    assert ik.vs["name"] == list(range(34)) and ik.vs["nx_name"][3] == "member 3"
    assert ik.vs["club"][0] == "Mr. Hi" and ik["name"] == "Zachary's Karate Club"
    assert nx.utils.graphs_equal(from_igraph(ik), k)


def test_to_igraph_refuses_multigraphs() -> None:
    with pytest.raises(ValueError, match="simple graph"):
        to_igraph(nx.MultiGraph([(0, 1), (0, 1)]))


def test_incidence_and_projection_agree_with_affiliation(tiny2223) -> None:
    inc = incidence(tiny2223)
    g = affiliation_graph(tiny2223)
    assert int(inc.records.sum()) == sum(d["weight"] for _, _, d in g.edges(data=True)) == 7
    p = projection(tiny2223)
    assert p.weight.nnz // 2 == project(tiny2223).number_of_edges()


def _planted_incidence(seed: int = 3) -> sp.csr_matrix:
    """300 members x 80 networks in four planted groups (members join their group's
    networks with probability 0.8, others with 0.02), plus an isolated member."""
    rng = np.random.default_rng(seed)
    grp, ngrp = rng.integers(0, 4, 300), rng.integers(0, 4, 80)
    p = np.where(grp[:, None] == ngrp[None, :], 0.8, 0.02)
    b = (rng.random((300, 80)) < p).astype(np.float64)
    b[7] = 0
    return sp.csr_matrix(b)


def _identical(a: sp.csr_matrix, c: sp.csr_matrix) -> bool:
    a, c = a.tocsr(), c.tocsr()
    a.sort_indices()
    c.sort_indices()
    return (
        a.dtype == c.dtype
        and np.array_equal(a.indptr, c.indptr)
        and np.array_equal(a.indices, c.indices)
        and np.array_equal(a.data, c.data)
    )


def test_blocked_raw_projection_is_the_dense_projection() -> None:
    # oracle: dense numpy B Bᵀ, Newman's Σ 1/(m_k − 1) and Jaccard from the definitions
    b = _planted_incidence()
    dense = b.toarray()
    deg = dense.sum(axis=1)
    m = dense.sum(axis=0)
    w = dense @ dense.T
    np.fill_diagonal(w, 0)
    newman = dense @ np.diag(np.where(m > 1, 1 / np.maximum(m - 1, 1), 0)) @ dense.T
    np.fill_diagonal(newman, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(w > 0, w / (deg[:, None] + deg[None, :] - w), 0)
    assert len(row_blocks(b, b.T, 2_000)) > 10
    for entries in (2_000, 10**12):
        got_w, got_n, got_j = raw_matrices(b, deg, entries)
        assert got_w.dtype == np.int64 and got_n.dtype == got_j.dtype == np.float64
        assert np.array_equal(got_w.toarray(), w.astype(np.int64))
        assert got_w.nnz == np.count_nonzero(w)  # no stored zeros, no diagonal
        np.testing.assert_allclose(got_n.toarray(), newman, rtol=1e-12, atol=0)
        np.testing.assert_allclose(got_j.toarray(), jac, rtol=1e-12, atol=0)


@pytest.mark.parametrize("method", ["threshold", "disparity", "sdsm"])
def test_blocked_backbone_does_not_depend_on_the_blocks(method: str) -> None:
    # a few rows per block against one block, and both against backbone_mask on the
    # whole weight matrix (the public, unblocked path)
    b = _planted_incidence()
    deg = np.asarray(b.sum(axis=1)).ravel()
    w = (b @ b.T).tocsr()
    w.setdiag(0)
    w.eliminate_zeros()
    assert len(row_blocks(b, b.T, 1_000, upper=True)) > 10
    kept = []
    for correction in ("none", "bonferroni", "holm", "fdr_bh"):
        opts = {"alpha": 0.05, "min_weight": 3, "correction": correction}
        small, whole = (
            backbone_matrices(b, deg, tie_test(method, b=b, **opts), entries)
            for entries in (1_000, 10**12)
        )
        for x, y in zip(small, whole, strict=True):
            assert _identical(x, y)
        mask = backbone_mask(b, w, method=method, **opts)
        assert _identical(small[0], w.multiply(mask).tocsr().astype(np.float64))
        assert small[0].dtype == small[1].dtype == small[2].dtype == np.float64
        kept.append(small[0].nnz)
    assert 0 < max(kept) < w.nnz
