"""The one shortest-path pass (wpnet.measures._paths) against networkx and igraph."""

from __future__ import annotations

import itertools

import igraph as ig
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from wpnet.measures import _paths
from wpnet.measures._paths import path_sums

ENGINES = ("matrix", "igraph")


def _adj(g: nx.Graph) -> sp.csr_matrix:
    return nx.to_scipy_sparse_array(g, nodelist=range(g.number_of_nodes()), format="csr")


def _graphs() -> list[tuple[str, nx.Graph]]:
    """Dense, sparse and disconnected random graphs, undirected and directed."""
    out = [
        ("dense", nx.gnp_random_graph(70, 0.6, seed=1)),
        ("sparse", nx.gnp_random_graph(90, 0.03, seed=2)),  # several components
        ("tree", nx.random_labeled_tree(40, seed=3)),
        ("cliques", nx.disjoint_union(nx.complete_graph(12), nx.cycle_graph(9))),
        ("directed dense", nx.gnp_random_graph(50, 0.5, seed=4, directed=True)),
        ("directed sparse", nx.gnp_random_graph(60, 0.05, seed=5, directed=True)),
    ]
    # a planted disconnected dense graph: two dense blocks and isolates
    g = nx.disjoint_union(
        nx.gnp_random_graph(30, 0.7, seed=6), nx.gnp_random_graph(20, 0.5, seed=7)
    )
    g.add_nodes_from(range(50, 54))
    out.append(("dense disconnected", g))
    return out


GRAPHS = _graphs()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name,g", GRAPHS, ids=[n for n, _ in GRAPHS])
def test_betweenness_equals_networkx(name: str, g: nx.Graph, engine: str) -> None:
    n = g.number_of_nodes()
    want = nx.betweenness_centrality(g, normalized=True)
    ps = path_sums(_adj(g), directed=g.is_directed(), method=engine, workers=1)
    assert ps.method == engine
    got = ps.betweenness()
    np.testing.assert_allclose(got, [want[i] for i in range(n)], rtol=1e-9, atol=1e-12)
    assert got.max() > 0  # not trivially zero


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "name,g", [x for x in GRAPHS if not x[1].is_directed()], ids=lambda x: str(x)[:20]
)
def test_mean_distance_and_distance_sums_equal_networkx(
    name: str, g: nx.Graph, engine: str
) -> None:
    n = g.number_of_nodes()
    ps = path_sums(_adj(g), method=engine, workers=1)
    comps = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    giant = g.subgraph(comps[0])  # the largest; the first in node order if several tie
    assert set(ps.largest_component().tolist()) == set(comps[0])
    assert ps.mean_distance() == pytest.approx(nx.average_shortest_path_length(giant), rel=1e-12)
    for s in range(n):
        d = nx.single_source_shortest_path_length(g, s)
        assert ps.distance_sum[s] == sum(d.values())
        assert ps.reached[s] == len(d) - 1
    # components numbered in order of their first node
    first = sorted(min(c) for c in nx.connected_components(g))
    assert [int(ps.component[v]) for v in first] == list(range(len(first)))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "name,g", [x for x in GRAPHS if not x[1].is_directed()], ids=lambda x: str(x)[:20]
)
def test_mean_distance_from_dependencies_alone(name: str, g: nx.Graph, engine: str) -> None:
    """Without per-source distances the mean distance comes from Σ δ (each shortest
    s-t path has d(s, t) − 1 inner nodes): the same value as the distance sums give."""
    ps = path_sums(_adj(g), method=engine, workers=1, distances=False)
    comps = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    want = nx.average_shortest_path_length(g.subgraph(comps[0])) if len(comps[0]) > 1 else None
    if engine == "igraph":
        assert ps.distance_sum is None  # no second traversal
    if want is None:
        assert np.isnan(ps.mean_distance())
        return
    assert ps.mean_distance() == pytest.approx(want, rel=1e-12)
    assert ps.mean_distance() == path_sums(_adj(g), method=engine, workers=1).mean_distance()


def test_mean_distance_from_dependencies_is_exact_on_a_large_graph() -> None:
    """The dependency sum is rounded to the integer Σ (d − 1) it is: bit for bit the
    value the distance sums give, on a graph with many paths of many lengths."""
    g = nx.connected_watts_strogatz_graph(1500, 4, 0.05, seed=3)
    g.add_edges_from(nx.gnm_random_graph(1500, 400, seed=4).edges)
    adj = _adj(g)
    fast = path_sums(adj, method="igraph", workers=1, distances=False)
    full = path_sums(adj, method="igraph", workers=1)
    assert fast.mean_distance() == full.mean_distance()
    assert full.mean_distance() == pytest.approx(nx.average_shortest_path_length(g), rel=1e-12)


def _brute_dependency(g: nx.Graph, sources: list[int]) -> np.ndarray:
    """Σ_{s∈S} Σ_{t≠s,v} σ_st(v)/σ_st by enumerating every shortest path."""
    n = g.number_of_nodes()
    dep = np.zeros(n)
    for s in sources:
        for t in g:
            if t == s or not nx.has_path(g, s, t):
                continue
            paths = list(nx.all_shortest_paths(g, s, t))
            for p in paths:
                for v in p[1:-1]:
                    dep[v] += 1 / len(paths)
    return dep


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("directed", [False, True])
def test_partial_sums_over_source_blocks(engine: str, directed: bool) -> None:
    g = nx.gnp_random_graph(18, 0.25, seed=8, directed=directed)
    adj = _adj(g)
    subset = [3, 7, 11, 0]
    part = path_sums(adj, directed=directed, sources=np.array(subset), method=engine, workers=1)
    np.testing.assert_allclose(part.dependency, _brute_dependency(g, subset), rtol=1e-12)
    assert part.sources.tolist() == subset and not part.exact
    # disjoint blocks add up to the whole
    rest = [v for v in range(18) if v not in subset]
    other = path_sums(adj, directed=directed, sources=np.array(rest), method=engine, workers=1)
    whole = path_sums(adj, directed=directed, method=engine, workers=1)
    np.testing.assert_allclose(part.dependency + other.dependency, whole.dependency, rtol=1e-12)
    with pytest.raises(ValueError, match="every node"):
        part.betweenness()


def test_workers_give_the_one_process_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of sources fixed independently of the workers: identical sums."""
    monkeypatch.setattr(_paths, "SOURCE_BLOCK", 16)
    monkeypatch.setattr(_paths, "POOL_MIN_SECONDS", 0.0)  # use the pool even when small
    g = nx.disjoint_union(
        nx.gnp_random_graph(60, 0.08, seed=9), nx.gnp_random_graph(25, 0.3, seed=10)
    )
    adj = _adj(g)
    for engine in ENGINES:
        one = path_sums(adj, method=engine, workers=1)
        two = path_sums(adj, method=engine, workers=2)
        assert np.array_equal(one.dependency, two.dependency)
        assert np.array_equal(one.distance_sum, two.distance_sum)
        assert np.array_equal(one.reached, two.reached)
        assert one.mean_distance() == two.mean_distance()
    # and the two engines agree
    m = path_sums(adj, method="matrix", workers=1)
    i = path_sums(adj, method="igraph", workers=1)
    np.testing.assert_allclose(m.dependency, i.dependency, rtol=1e-9, atol=1e-9)
    assert np.array_equal(m.distance_sum, i.distance_sum)


def test_auto_takes_the_cheaper_engine() -> None:
    dense = _adj(nx.gnp_random_graph(200, 0.6, seed=11))
    sparse = _adj(nx.gnp_random_graph(200, 0.01, seed=12))
    assert path_sums(dense, workers=1).method == "matrix"
    assert path_sums(sparse, workers=1).method == "igraph"
    big = sp.csr_matrix((_paths.MAX_DENSE_NODES + 1, _paths.MAX_DENSE_NODES + 1))
    assert _paths._costs(big, False)["matrix"] == np.inf


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_tiny_graphs(engine: str, n: int) -> None:
    g = nx.path_graph(n)
    ps = path_sums(_adj(g) if n else sp.csr_matrix((0, 0)), method=engine, workers=1)
    want = nx.betweenness_centrality(g)
    assert ps.betweenness().tolist() == [want[i] for i in range(n)]
    if n >= 2:
        assert ps.mean_distance() == nx.average_shortest_path_length(g)
    else:
        assert np.isnan(ps.mean_distance())


def test_bad_arguments() -> None:
    adj = _adj(nx.path_graph(4))
    with pytest.raises(ValueError, match="method must be one of"):
        path_sums(adj, method="bfs")
    with pytest.raises(ValueError, match="square"):
        path_sums(sp.csr_matrix((3, 4)))
    with pytest.raises(ValueError, match="node positions"):
        path_sums(adj, sources=np.array([0, 4]))
    with pytest.raises(ValueError, match="repeat"):
        path_sums(adj, sources=np.array([1, 1]))
    with pytest.raises(ValueError, match="positive integer"):
        path_sums(adj, workers=0)
    with pytest.raises(ValueError, match="undirected"):
        path_sums(adj, directed=True, workers=1).mean_distance()


def test_weights_and_asymmetry_are_read_as_ties() -> None:
    """Weights are ignored (steps are counted); an undirected tie given one way counts."""
    w = sp.csr_matrix(np.array([[0, 5, 0], [0, 0, 2], [0, 0, 0]], dtype=float))
    ps = path_sums(w, workers=1)
    assert ps.betweenness().tolist() == [0.0, 1.0, 0.0]
    assert ps.mean_distance() == pytest.approx(8 / 6)


@pytest.mark.slow
@pytest.mark.parametrize("backbone", [None, "sdsm"])
def test_example_last_session_equals_igraph(backbone: str | None) -> None:
    import wpnet
    from wpnet.graphs import projection

    eco = wpnet.load_example()
    one = eco.select(session=eco.sessions[-1])
    adj = (
        (projection(one, onto="establishment", backbone=backbone).weight > 0).astype(float).tocsr()
    )
    n = adj.shape[0]
    up = sp.triu(adj, k=1).tocoo()
    g = ig.Graph(n=n, edges=np.column_stack([up.row, up.col]).tolist())
    want = np.asarray(g.betweenness(directed=False)) * 2 / ((n - 1) * (n - 2))
    comps = g.connected_components()
    giant = g.induced_subgraph(comps[int(np.argmax(comps.sizes()))])
    mean = giant.average_path_length(directed=False)
    for engine in ENGINES:
        ps = path_sums(adj, method=engine, workers=2)
        np.testing.assert_allclose(ps.betweenness(), want, rtol=1e-9, atol=1e-12)
        assert ps.mean_distance() == pytest.approx(mean, rel=1e-12)
    # the engine "auto" takes is the cheaper by the cost model (the example's raw
    # projection is no longer dense enough for the matrix engine to win)
    costs = _paths._costs(_paths._pattern(adj, False), False)
    assert path_sums(adj, workers=1).method == min(costs, key=costs.__getitem__)


def test_pairs_enumeration_is_complete() -> None:
    """The brute-force oracle itself: on a 4-cycle every node lies on half of the one
    opposite pair's two paths, both directions counted."""
    g = nx.cycle_graph(4)
    dep = _brute_dependency(g, list(range(4)))
    assert dep.tolist() == [1.0, 1.0, 1.0, 1.0]
    assert list(itertools.islice(nx.all_shortest_paths(g, 0, 2), 3)) == [[0, 1, 2], [0, 3, 2]]
