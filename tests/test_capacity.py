"""Collective capacity: hand-worked values on the tiny ecosystem, networkx as the oracle
on random co-membership graphs.

Tiny 2022-23 establishment projection (wpnet.datasets.tiny docstring), nodes in id order
C1, E1, E2, E4, E5: ties C1-E1, C1-E4, E1-E4 (network N1) and E2-E4 (N2); E5 (N3) is an
isolate. Authorities: C1, E1, E2 Glasgow City; E4 Inverclyde; E5 Renfrewshire.
Practitioners and levels: P1 practitioner, P2 middle_leader (lead), P3 headteacher,
P4 practitioner, P5 senior_leader, P6 practitioner, P7 central_officer (facilitator);
each is in exactly one network.
"""

from __future__ import annotations

import json
import math
import random

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import wpnet
import wpnet.datasets
from wpnet.ecosystem import Ecosystem
from wpnet.graphs import projection
from wpnet.measures.capacity import CAPACITY_COLUMNS, capacity

NAN = math.nan
LN7 = math.log(7)


def _check(row: pd.Series, expected: dict[str, float]) -> None:
    got = {k: float(row[k]) for k in expected}
    np.testing.assert_allclose(
        list(got.values()), list(expected.values()), equal_nan=True, err_msg=str(got)
    )


def test_columns_dtypes_attrs(tiny2223):
    c = capacity(tiny2223)
    assert list(c.columns) == list(CAPACITY_COLUMNS)
    assert c.index.tolist() == ["all"] and c.index.name == "scope"
    for col in ("nodes", "ties", "components", "max_core", "communities"):
        assert c[col].dtype == np.int64
    assert c["density"].dtype == np.float64
    assert c.attrs["measure"] == "capacity"
    assert c.attrs["graph"].startswith("establishment co-membership projection (5 nodes, 4 ties)")
    assert c.attrs["backbone"] is None and c.attrs["seed"] == 0
    json.dumps(c.attrs)


def test_whole_2022_23_by_hand(tiny2223):
    row = capacity(tiny2223).loc["all"]
    _check(
        row,
        {
            "nodes": 5,
            "ties": 4,
            "density": 8 / 20,  # 2*4 / (5*4)
            "mean_degree": 8 / 5,
            # degrees C1 2, E1 2, E2 1, E4 3, E5 0: triples 1+1+0+3+0 = 5, one triangle
            "transitivity": 3 / 5,
            "components": 2,  # {C1, E1, E2, E4}, {E5}
            "largest_component_share": 4 / 5,
            # distances: C1-E1 1, C1-E2 2, C1-E4 1, E1-E2 2, E1-E4 1, E2-E4 1 -> 8/6
            "mean_distance": 8 / 6,
            "degree_centralization": (1 + 1 + 2 + 0 + 3) / (4 * 3),
            "max_core": 2,  # the triangle C1, E1, E4
            # C1-E1 within Glasgow; C1-E4, E1-E4, E2-E4 across
            "cross_authority_share": 3 / 4,
            "ei_index": (3 - 1) / 4,
            "multi_network_share": 0.0,
            # 3 practitioners, 1 each middle/senior leader, headteacher, central officer
            "level_evenness": (3 / 7 * math.log(7 / 3) + 4 / 7 * LN7) / LN7,
            "lead_share": 2 / 7,  # P2 lead, P7 facilitator
            # E4 is the only broker (E2 to C1 and E1): removing ceil(5/20) = 1 node, E4,
            # leaves C1-E1, E2, E5: largest 2 of 5
            "robustness": 2 / 5,
        },
    )
    # Modularity maximum on this graph is 0 (m = 4; degree sums 8): {C1,E1,E2,E4} gives
    # 4/4 - (8/8)^2 = 0, {C1,E1}, {E2,E4} gives (1/4 - (4/8)^2) * 2 = 0; the triangle
    # alone gives 3/4 - (7/8)^2 + 0 - (1/8)^2 < 0. E5 is a community of one.
    assert row["modularity"] == pytest.approx(0.0, abs=1e-12)
    if row["communities"] == 2:  # {C1,E1,E2,E4} spans Glasgow and Inverclyde
        assert row["spanning_communities_share"] == 1.0
    else:  # {C1,E1} Glasgow only, {E2,E4} spans
        assert row["communities"] == 3
        assert row["spanning_communities_share"] == 0.5


def test_by_authority_by_hand(tiny2223):
    c = capacity(tiny2223, by="authority")
    assert c.index.tolist() == ["Glasgow City", "Inverclyde", "Renfrewshire"]
    # Glasgow induced: C1, E1, E2 with the one tie C1-E1.
    _check(
        c.loc["Glasgow City"],
        {
            "nodes": 3,
            "ties": 1,
            "density": 1 / 3,
            "mean_degree": 2 / 3,
            "transitivity": NAN,  # no connected triple
            "components": 2,
            "largest_component_share": 2 / 3,
            "mean_distance": 1.0,
            "degree_centralization": 1 / 2,  # (0 + 0 + 1) / (2 * 1)
            "max_core": 1,
            # Glasgow nodes touch all four ties of the full projection; 3 cross
            "cross_authority_share": 3 / 4,
            "ei_index": (3 - 1) / 4,  # I = C1-E1, E = C1-E4, E1-E4, E2-E4
            "multi_network_share": 0.0,
            "level_evenness": math.log(4) / LN7,  # P1, P2, P3, P7: four levels
            "lead_share": 2 / 4,
            "communities": 2,  # {C1, E1}, {E2}
            "modularity": 0.0,  # 1/1 - (2/2)^2
            "spanning_communities_share": 0.0,  # {C1, E1} is Glasgow only
            # all betweenness 0: remove the first node, C1 -> largest 1 of 3
            "robustness": 1 / 3,
        },
    )
    # Inverclyde: E4 only (E3 not reached in 2022-23); its 3 ties all leave Inverclyde.
    _check(
        c.loc["Inverclyde"],
        {
            "nodes": 1,
            "ties": 0,
            "density": NAN,
            "mean_degree": 0.0,
            "transitivity": NAN,
            "components": 1,
            "largest_component_share": 1.0,
            "mean_distance": NAN,
            "degree_centralization": NAN,
            "max_core": 0,
            "cross_authority_share": 1.0,
            "ei_index": 1.0,
            "multi_network_share": 0.0,
            "level_evenness": math.log(2) / LN7,  # P4 practitioner (moved here), P5 SL
            "lead_share": 0.0,
            "communities": 1,
            "modularity": NAN,
            "spanning_communities_share": NAN,
            "robustness": 0.0,
        },
    )
    # Renfrewshire: E5, reached with no co-member: no ties anywhere.
    _check(
        c.loc["Renfrewshire"],
        {"nodes": 1, "cross_authority_share": NAN, "ei_index": NAN, "level_evenness": 0.0},
    )


def test_by_network_by_hand(tiny2223):
    c = capacity(tiny2223, by="network")
    assert c.index.name == "network_id" and c.index.tolist() == ["N1", "N2", "N3"]
    # N1 alone: triangle C1, E1, E4.
    _check(
        c.loc["N1"],
        {
            "nodes": 3,
            "ties": 3,
            "density": 1.0,
            "transitivity": 1.0,
            "mean_distance": 1.0,
            "degree_centralization": 0.0,
            "max_core": 2,
            # in the full projection N1's nodes touch all 4 ties; E2-E4 leaves them
            "cross_authority_share": 3 / 4,
            "ei_index": (1 - 3) / 4,
            # P1 practitioner, P2 middle_leader, P4 practitioner, P7 central_officer
            "level_evenness": (0.5 * math.log(2) + 0.5 * math.log(4)) / LN7,
            "lead_share": 0.5,
            "communities": 1,  # one community: Q = 0 > any split
            "modularity": 0.0,
            "spanning_communities_share": 1.0,  # Glasgow + Inverclyde
            "robustness": 2 / 3,  # remove C1 (first of equal betweenness)
        },
    )
    # N2 alone: E2-E4.
    _check(
        c.loc["N2"],
        {
            "nodes": 2,
            "ties": 1,
            "density": 1.0,
            "transitivity": NAN,
            "degree_centralization": NAN,  # n < 3
            "max_core": 1,
            "cross_authority_share": 1.0,  # E2-E4, E1-E4, C1-E4 all cross
            "ei_index": (2 - 1) / 3,
            "communities": 1,
            "modularity": 0.0,
            "robustness": 1 / 2,
        },
    )
    _check(c.loc["N3"], {"nodes": 1, "ties": 0, "communities": 1, "modularity": NAN})


def test_by_session_equals_each_session(tiny):
    c = capacity(tiny, by="session")
    assert c.index.name == "session" and c.index.tolist() == ["2021-22", "2022-23"]
    assert c.attrs["graphs"]["2021-22"].startswith(
        "establishment co-membership projection (3 nodes, 1 ties)"
    )
    # 2021-22: E1-E3 (N1, P4's 31 July record at home E3), E2 alone.
    _check(
        c.loc["2021-22"],
        {
            "nodes": 3,
            "ties": 1,
            "components": 2,
            "cross_authority_share": 1.0,  # Glasgow-Inverclyde
            "ei_index": 1.0,
            # P1, P4 practitioner; P3 headteacher
            "level_evenness": (2 / 3 * math.log(3 / 2) + 1 / 3 * math.log(3)) / LN7,
            "lead_share": 1 / 3,
            "communities": 2,
            "spanning_communities_share": 1.0,
            "robustness": 1 / 3,  # remove E1 -> E2, E3 isolated
        },
    )
    _check(c.loc["2022-23"], {"nodes": 5, "ties": 4, "transitivity": 0.6, "robustness": 0.4})


def test_pooled_sessions_by_hand(tiny):
    # Both sessions: N1 joins E1, E3, E4, C1 (a 4-clique, 6 ties), N2 joins E2-E4; E5.
    _check(
        capacity(tiny).loc["all"],
        {
            "nodes": 6,
            "ties": 7,
            "density": 14 / 30,
            "max_core": 3,
            # degrees C1 3, E1 3, E3 3, E4 4, E2 1, E5 0: triples 3*3 + 6 = 15;
            # 4 triangles -> 12/15
            "transitivity": 12 / 15,
            "lead_share": 3 / 7,
        },
    )


def test_onto_practitioner_by_hand(tiny2223):
    # N1 joins P1, P2, P4, P7 (a 4-clique, 6 ties), N2 joins P3-P5, P6 alone in N3.
    # Node authorities are the home establishments': P4's home is E3 (Inverclyde), so
    # 3 of N1's ties cross, and P3 (Glasgow) - P5 (Inverclyde) crosses: 4 of 7.
    c = capacity(tiny2223, onto="practitioner")
    _check(
        c.loc["all"],
        {
            "nodes": 7,
            "ties": 7,
            "transitivity": 1.0,  # 4 triangles, 4 * C(3, 2) = 12 triples
            "components": 3,
            "largest_component_share": 4 / 7,
            "max_core": 3,
            "cross_authority_share": 4 / 7,
            "ei_index": (4 - 3) / 7,
        },
    )
    assert c.attrs["graph"].startswith("practitioner co-membership projection (7 nodes, 7 ties)")


def test_leiden_is_deterministic_and_leaves_random_alone(tiny2223):
    random.seed(7)
    expected = random.random()
    random.seed(7)
    a = capacity(tiny2223, seed=3)
    assert random.random() == expected
    b = capacity(tiny2223, seed=3)
    pd.testing.assert_frame_equal(a, b)


def test_modularity_of_two_cliques_joined_by_a_bridge():
    # Two 4-cliques (networks A, B) joined by network C with one member of each: m = 13,
    # every degree sum per side 13. Leiden finds the two sides:
    # Q = 2 * (6/13 - (13/26)^2) = 12/13 - 1/2.
    est = [f"E{i}" for i in range(8)]
    rows = [(f"P{i}", "A" if i < 4 else "B") for i in range(8)] + [("P3", "C"), ("P4", "C")]
    eco = _ecosystem(est, ["x"] * 4 + ["y"] * 4, rows)
    row = capacity(eco).loc["all"]
    assert row["ties"] == 13
    assert row["communities"] == 2
    assert row["modularity"] == pytest.approx(12 / 13 - 1 / 2)
    assert row["spanning_communities_share"] == 0.0  # each side one authority
    # top ceil(8/20) = 1 by betweenness: E3 or E4 (equal, E3 first): 4 of 8 left
    assert row["robustness"] == 4 / 8


def _ecosystem(est: list[str], auth: list[str], rows: list[tuple[str, str]]) -> Ecosystem:
    """Practitioner P<i> works at E<i>; ``rows`` are (practitioner, network) records."""
    establishments = pd.DataFrame(
        {"establishment_id": est, "name": est, "authority": auth, "sector": "primary"}
    )
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


def _random_ecosystem(seed: int, n: int = 40, k: int = 14, p: float = 0.09) -> Ecosystem:
    rng = np.random.default_rng(seed)
    member = rng.random((n, k)) < p
    ii, kk = np.nonzero(member)
    rows = [(f"P{i}", f"N{j:02d}") for i, j in zip(ii, kk, strict=True)]
    est = [f"E{i:02d}" for i in range(n)]
    auth = rng.choice(["a", "b", "c"], size=n).tolist()
    eco = _ecosystem(est, auth, rows)
    return eco


def _nx_structure(g: nx.Graph) -> dict[str, float]:
    n = g.number_of_nodes()
    deg = np.array([d for _, d in g.degree()])
    comps = sorted(nx.connected_components(g), key=len, reverse=True)
    giant = g.subgraph(comps[0])
    bt = nx.betweenness_centrality(g)
    order = sorted(g.nodes, key=lambda v: (-round(bt[v], 9), v))
    k = math.ceil(n / 20)
    rest = g.copy()
    rest.remove_nodes_from(order[:k])
    left = max((len(c) for c in nx.connected_components(rest)), default=0)
    auth = nx.get_node_attributes(g, "authority")
    cross = [auth[u] != auth[v] for u, v in g.edges]
    return {
        "nodes": n,
        "ties": g.number_of_edges(),
        "density": nx.density(g),
        "mean_degree": 2 * g.number_of_edges() / n,
        # wpnet's convention: NaN, not networkx's 0, where there is no connected triple
        "transitivity": nx.transitivity(g) if (deg * (deg - 1)).sum() else NAN,
        "components": nx.number_connected_components(g),
        "largest_component_share": len(comps[0]) / n,
        "mean_distance": nx.average_shortest_path_length(giant) if len(giant) > 1 else NAN,
        "degree_centralization": (deg.max() - deg).sum() / ((n - 1) * (n - 2)),
        "max_core": max(nx.core_number(g).values()),
        "cross_authority_share": float(np.mean(cross)),
        "ei_index": (sum(cross) - (len(cross) - sum(cross))) / len(cross),
        "robustness": left / n,
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_structure_matches_networkx_on_random_graphs(seed):
    eco = _random_ecosystem(seed)
    g = projection(eco).to_networkx()
    assert nx.transitivity(g) < 1 and g.number_of_edges() > 10  # a non-trivial graph
    row = capacity(eco).loc["all"]
    _check(row, _nx_structure(g))


def test_by_authority_matches_networkx_induced_subgraph():
    eco = _random_ecosystem(4, n=60, p=0.1)
    g = projection(eco).to_networkx()
    c = capacity(eco, by="authority")
    assert c.index.tolist() == ["a", "b", "c"]
    for a in c.index:
        nodes = [v for v, d in g.nodes(data=True) if d["authority"] == a]
        sub = g.subgraph(nodes)
        assert sub.number_of_edges() > 3  # each authority's subgraph is non-trivial
        expected = _nx_structure(sub)
        # E-I and cross share are over the FULL projection's ties touching the unit
        touch = [(u, v) for u, v in g.edges if (u in sub) or (v in sub)]
        internal = sum((u in sub) and (v in sub) for u, v in touch)
        cross = sum(g.nodes[u]["authority"] != g.nodes[v]["authority"] for u, v in touch)
        expected["ei_index"] = (len(touch) - 2 * internal) / len(touch)
        expected["cross_authority_share"] = cross / len(touch)
        _check(c.loc[a], expected)


def test_by_network_is_a_clique_of_its_members():
    eco = _random_ecosystem(5)
    c = capacity(eco, by="network")
    inc = eco.records.groupby("network_id")["establishment_id"].nunique()
    for net, m in inc.items():
        assert c.loc[net, "nodes"] == m
        assert c.loc[net, "ties"] == m * (m - 1) // 2
        if m >= 2:
            assert c.loc[net, "density"] == 1.0


def test_backbone_is_named_in_attrs(tiny2223):
    c = capacity(tiny2223, backbone="threshold", min_weight=2)
    # every tie of the tiny 2022-23 projection has weight 1: none survive
    assert c.loc["all", "ties"] == 0
    assert c.attrs["backbone"] == {"method": "threshold", "min_weight": 2}
    assert "threshold backbone" in c.attrs["graph"]


def test_group_other_than_authority(tiny2223):
    # group=sector: C1-E1 central-primary, C1-E4 central-special, E1-E4 primary-special,
    # E2-E4 secondary-special: all 4 between groups -> E-I = 1.
    assert capacity(tiny2223, group="sector").loc["all", "ei_index"] == 1.0


def test_bad_arguments(tiny2223):
    with pytest.raises(ValueError, match="by must be one of"):
        capacity(tiny2223, by="school")
    with pytest.raises(ValueError, match="group='colour' is not an attribute"):
        capacity(tiny2223, group="colour")
    with pytest.raises(ValueError, match="backbone must be one of"):
        capacity(tiny2223, backbone="mst")


def test_public_name():
    assert wpnet.capacity is capacity


def test_large_graphs_estimate_mean_distance_and_robustness_from_sampled_sources(monkeypatch):
    import wpnet.measures._betweenness as bro

    eco = _random_ecosystem(2)
    g = projection(eco).to_networkx()
    exact = capacity(eco, seed=5).loc["all"]
    assert capacity(eco, seed=5).attrs["estimated"] == []
    monkeypatch.setattr(bro, "EXACT_BETWEENNESS_WORK", 0.0)
    monkeypatch.setattr(bro, "BETWEENNESS_SAMPLES", 12)
    eco = _random_ecosystem(2)  # a fresh Ecosystem: nothing remembered
    with pytest.warns(UserWarning, match="estimated from 12 sampled sources"):
        c = capacity(eco, seed=5)
    assert c.attrs["estimated"] == ["all"]
    # the same estimator by networkx: the sources numpy draws, their mean distance to
    # every other node of the giant component (igraph's vertex order = sorted node ids)
    giant = sorted(max(nx.connected_components(g), key=len))
    picks = np.random.default_rng(5).choice(len(giant), size=12, replace=False)
    sub = g.subgraph(giant)
    total = sum(sum(nx.single_source_shortest_path_length(sub, giant[i]).values()) for i in picks)
    assert c.loc["all", "mean_distance"] == pytest.approx(total / (12 * (len(giant) - 1)))
    assert c.loc["all", "mean_distance"] == pytest.approx(exact["mean_distance"], rel=0.15)
    # the other columns do not change
    same = [x for x in CAPACITY_COLUMNS if x not in ("mean_distance", "robustness")]
    pd.testing.assert_series_equal(
        c.loc["all", same], exact[same], check_names=False, check_exact=False
    )
    assert 0 < c.loc["all", "robustness"] <= 1


@pytest.mark.parametrize("p", [0.05, 0.3, 0.8])
@pytest.mark.parametrize("seed", [0, 1])
def test_dense_transitivity_equals_igraph_and_networkx(p, seed, monkeypatch):
    """The dense product route of transitivity (used when capacity has the adjacency
    and it is dense) equals igraph's and networkx's on random graphs, disconnected ones
    with isolates included."""
    from wpnet.measures import capacity as cap

    g = nx.disjoint_union(
        nx.gnp_random_graph(40, p, seed=seed), nx.gnp_random_graph(15, p, seed=seed + 9)
    )
    g.add_nodes_from(range(55, 58))
    adj = sp.csr_matrix(nx.to_scipy_sparse_array(g, nodelist=range(58))) * 3.0  # weights ignored
    ig_graph = ig.Graph(n=58, edges=list(g.edges))
    want = nx.transitivity(g)
    monkeypatch.setattr("wpnet._sparse.DENSE_SHARE", 0.0)  # dense whatever the fill
    assert cap._transitivity(ig_graph, adj) == pytest.approx(want, rel=1e-12)
    assert cap._transitivity(ig_graph) == pytest.approx(want, rel=1e-12)


def test_dense_transitivity_without_triples_is_nan():
    from wpnet.measures import capacity as cap

    adj = sp.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]]))
    assert math.isnan(cap._transitivity(ig.Graph(n=4, edges=[(0, 1), (2, 3)]), adj))


# ---- ties in the robustness ranking ----------------------------------------------------------
def test_robustness_breaks_a_betweenness_tie_by_id_whatever_the_register_order():
    """G(20, 0.12, seed 117): nodes 0 and 6 tie for the highest betweenness (251/6 each
    by exact Brandes); one node (ceil(20/20)) is removed: by id, node 0, which leaves
    18 of 20 in the largest component (node 6 would leave 16). capacity and the
    bootstrap's observed value agree whatever order the register lists schools in."""
    from _graph_eco import graph_ecosystem

    g = nx.gnp_random_graph(20, 0.12, seed=117)
    bt = nx.betweenness_centrality(g, normalized=False)
    top = sorted(bt, key=lambda v: -bt[v])[:2]
    assert sorted(top) == [0, 6] and bt[0] == pytest.approx(251 / 6, abs=1e-12)
    assert bt[6] == pytest.approx(251 / 6, abs=1e-12)
    for v, left in ((0, 18), (6, 16)):
        h = g.copy()
        h.remove_node(v)
        assert max(map(len, nx.connected_components(h))) == left
    for reverse in (False, True):
        eco = graph_ecosystem(g, reverse_register=reverse)
        assert capacity(eco, backbone=None)["robustness"].iloc[0] == 18 / 20
        boot = wpnet.bootstrap(eco, "robustness", samples=2, backbone=None, workers=1)
        assert boot["value"].iloc[0] == 18 / 20


def test_robustness_ties_equal_but_for_their_last_bits_are_one_value(monkeypatch):
    """A ring C_400(1, 2): every node has the same betweenness, so by the rule the first
    ceil(400/20) = 20 nodes in id order go and the rest stays connected: 380/400. The
    sums of a 6,000-node ring come out 2247750.5 plus up to 3.3e-9 (the additions'
    order); rounding to 9 decimals split them and removed scattered nodes, cutting the
    ring (0.31 at n = 6,000). Here that noise is put on the exact values."""
    import wpnet.measures.capacity as cap

    n = 400
    g = ig.Graph.Ring(n)
    g.add_edges([(v, (v + 2) % n) for v in range(n)])
    real = cap._pass

    class Noisy:
        def __init__(self, p):
            rng = np.random.default_rng(0)
            self.dependency = 2 * (2247750.5 + rng.choice([1.0, 1.4, 2.0, 2.3, 3.0, 3.3], n) * 1e-9)
            assert len(np.unique(np.round(self.dependency / 2, 9))) > 1  # the old rule splits
            self._p = p

    monkeypatch.setattr(cap, "_pass", lambda graph, adj=None: Noisy(real(graph, adj)))
    assert cap.robustness(g) == 380 / 400


def test_sampled_paths_with_a_largest_component_smaller_than_the_sample(monkeypatch):
    """The whole graph calls for sampling (n·m above the exact bound, more nodes than
    sources) while its largest component has fewer nodes than the sample: the mean
    distance is then exact (every node a source), not an error. Six separate pairs:
    mean distance 1; one node of 12 removed leaves a pair, 2/12."""
    from _graph_eco import graph_ecosystem

    import wpnet.measures._betweenness as btw

    monkeypatch.setattr(btw, "EXACT_BETWEENNESS_WORK", 10)  # n·m = 12·6 = 72 > 10
    monkeypatch.setattr(btw, "BETWEENNESS_SAMPLES", 5)  # 5 < 12 nodes, giant of 2
    g = nx.Graph([(2 * k, 2 * k + 1) for k in range(6)])
    with pytest.warns(UserWarning):
        row = capacity(graph_ecosystem(g), backbone=None).iloc[0]
    assert (row["nodes"], row["ties"], row["components"]) == (12, 6, 6)
    assert row["mean_distance"] == 1.0
    assert row["robustness"] == 2 / 12


@pytest.mark.parametrize("by", [None, "authority", "sector", "workstream", "network", "session"])
def test_multi_network_share_counts_memberships_in_scope(by):
    """MEASURES.md: a practitioner is a member of a network in scope if they have a
    record for it in scope; multi_network_share is the share of a unit's practitioners
    who are members of two or more. Oracle in pandas on the records: the networks of
    each practitioner over the whole selection (over the session, for by="session");
    with the unit's networks alone, by="network" would be 0 everywhere."""
    eco = wpnet.load_example().select(session=["2022-23", "2023-24"])
    rec = eco.records.dropna(subset=["practitioner_id", "network_id"])
    got = capacity(eco, by=by, backbone=None)["multi_network_share"]
    if by == "session":
        nets = rec.groupby(["session", "practitioner_id"])["network_id"].nunique()
        multi = (nets >= 2).groupby(level="session").mean()
    else:
        nets = rec.groupby("practitioner_id")["network_id"].nunique()
        key = {"network": "network_id", None: "scope"}.get(by, by)
        rec = rec.assign(scope="all") if by is None else rec
        people = rec.dropna(subset=[key])[[key, "practitioner_id"]].drop_duplicates()
        multi = (people["practitioner_id"].map(nets) >= 2).groupby(people[key].to_numpy()).mean()
    assert len(got) == len(multi)
    np.testing.assert_allclose(
        got.to_numpy(), multi.reindex(got.index.astype(str)).to_numpy(), rtol=1e-12
    )
    if by == "network":
        assert (got > 0).mean() > 0.5
