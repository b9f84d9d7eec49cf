"""brokerage and capacity share one remembered shortest-path pass per graph
(wpnet.measures._paths.shared_path_sums), and give exactly the igraph values they gave
before (igraph's betweenness, average_path_length and the robustness ranking built on
igraph's betweenness are the oracle)."""

from __future__ import annotations

import math

import igraph as ig
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import wpnet
from wpnet.graphs import projection
from wpnet.measures import _paths
from wpnet.measures._betweenness import _betweenness
from wpnet.measures.capacity import mean_distance, robustness


def _graph(g: nx.Graph) -> tuple[ig.Graph, sp.csr_matrix]:
    n = g.number_of_nodes()
    adj = nx.to_scipy_sparse_array(g, nodelist=range(n), format="csr")
    up = sp.triu(adj, k=1).tocoo() if not g.is_directed() else adj.tocoo()
    edges = np.column_stack([up.row, up.col]).tolist()
    return ig.Graph(n=n, edges=edges, directed=g.is_directed()), adj


def _old_betweenness(g: ig.Graph) -> np.ndarray:
    """brokerage's betweenness as it was computed before the shared pass."""
    n = g.vcount()
    bt = np.asarray(g.betweenness(directed=g.is_directed()), dtype=np.float64)
    return bt / ((n - 1) * (n - 2)) * (1 if g.is_directed() else 2)


def _old_mean_distance(g: ig.Graph) -> float:
    comps = g.connected_components()
    giant = g.induced_subgraph(comps[int(np.argmax(comps.sizes()))])
    return float(giant.average_path_length(directed=False))


def _old_robustness(g: ig.Graph) -> float:
    """capacity's robustness as it was computed before the shared pass."""
    n = g.vcount()
    k = -(-n // 20)
    bt = np.round(np.asarray(g.betweenness(directed=False), dtype=np.float64), 9)
    drop = np.argsort(-bt, kind="stable")[:k]
    rest = g.copy()
    rest.delete_vertices(drop.tolist())
    return float(max(rest.connected_components().sizes()) / n)


def _random_graphs() -> list[tuple[str, nx.Graph]]:
    dis = nx.disjoint_union(
        nx.gnp_random_graph(40, 0.7, seed=11), nx.gnp_random_graph(25, 0.1, seed=12)
    )
    dis.add_nodes_from(range(65, 70))  # isolates
    return [
        ("dense", nx.gnp_random_graph(120, 0.6, seed=1)),
        ("sparse", nx.gnp_random_graph(150, 0.02, seed=2)),  # disconnected
        ("dense and sparse, disconnected", dis),
        ("cliques", nx.disjoint_union(nx.complete_graph(15), nx.complete_graph(15))),
    ]


RANDOM = _random_graphs()


@pytest.mark.parametrize("name,g", RANDOM, ids=[n for n, _ in RANDOM])
def test_shared_pass_gives_the_igraph_values(name: str, g: nx.Graph) -> None:
    _paths.clear_shared_passes()
    h, adj = _graph(g)
    want = _old_betweenness(h)
    got = _betweenness(adj, False)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert mean_distance(h, None) == pytest.approx(_old_mean_distance(h), rel=1e-12)
    assert robustness(h) == _old_robustness(h)
    # with the adjacency at hand (as capacity passes it) the same pass and values
    assert robustness(h, None, adj) == _old_robustness(h)


def test_directed_betweenness_gives_the_igraph_values() -> None:
    h, adj = _graph(nx.gnp_random_graph(80, 0.08, seed=3, directed=True))
    np.testing.assert_allclose(_betweenness(adj, True), _old_betweenness(h), rtol=1e-12, atol=1e-15)


def test_capacity_and_brokerage_share_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = _paths.path_sums

    def counted(*args: object, **kwargs: object) -> _paths.PathSums:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_paths, "path_sums", counted)
    _paths.clear_shared_passes()
    one = wpnet.tiny().select(session="2022-23")
    b = wpnet.brokerage(one, backbone=None)
    assert len(calls) == 1  # brokerage's betweenness
    c = wpnet.capacity(one, backbone=None)
    assert len(calls) == 1  # capacity's mean distance and robustness: the same pass
    assert math.isfinite(c.loc["all", "mean_distance"]) and b["betweenness"].max() > 0
    # the other order: capacity traverses (so it does use the pass), brokerage does not
    _paths.clear_shared_passes()
    wpnet.capacity(one, backbone=None, seed=1)
    assert len(calls) == 2
    wpnet.brokerage(one, backbone=None, group="sector")
    assert len(calls) == 2
    # a graph it has not seen is traversed
    wpnet.capacity(one, backbone=None, by="authority")
    assert len(calls) > 1


def test_remembered_pass_is_read_only_and_bounded() -> None:
    _paths.clear_shared_passes()
    adj = nx.to_scipy_sparse_array(nx.path_graph(6), format="csr")
    ps = _paths.shared_path_sums(adj)
    with pytest.raises(ValueError):
        ps.dependency[0] = 1.0
    assert _paths.shared_path_sums(adj * 2.0) is ps  # weights are not part of the key
    assert _paths.shared_path_sums(adj, directed=True) is not ps
    for k in range(_paths.SHARED_PASSES):
        _paths.shared_path_sums(nx.to_scipy_sparse_array(nx.path_graph(7 + k), format="csr"))
    assert _paths.shared_path_sums(adj) is not ps  # evicted, computed again
    np.testing.assert_array_equal(_paths.shared_path_sums(adj).dependency, ps.dependency)


@pytest.mark.slow
@pytest.mark.parametrize("backbone", [None, "sdsm"])
def test_example_session_gives_the_igraph_values(backbone: str | None) -> None:
    _paths.clear_shared_passes()
    one = wpnet.load_example().select(session="2023-24")
    b = wpnet.brokerage(one, backbone=backbone)
    c = wpnet.capacity(one, backbone=backbone)
    p = projection(one, onto="establishment", backbone=backbone)
    up = sp.triu(p.weight, k=1).tocoo()
    h = ig.Graph(n=p.n, edges=np.column_stack([up.row, up.col]).tolist())
    assert list(b.index) == list(p.nodes.index)
    np.testing.assert_allclose(
        b["betweenness"].to_numpy(), _old_betweenness(h), rtol=1e-12, atol=1e-15
    )
    assert c.loc["all", "mean_distance"] == pytest.approx(_old_mean_distance(h), rel=1e-12)
    assert c.loc["all", "robustness"] == _old_robustness(h)
    assert c.loc["all", "robustness"] < 1  # the ranking matters: removal splits the graph
