"""The small-graph paths: one BLAS thread for small products, record codes counted in
numpy. Oracles: networkx (structural holes, two-step reach, transitivity) on random
graphs with several components and isolates, and pandas groupby on the records of a
random synthetic partnership (reach, the practitioner columns of capacity)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from threadpoolctl import threadpool_info

import wpnet
from wpnet import _parallel
from wpnet._parallel import BLAS_SMALL_NODES, blas_threads
from wpnet.measures._common import group_nunique, record_codes
from wpnet.measures.roles import gould_fernandez
from wpnet.measures.structural_holes import structural_holes, two_step_reach
from wpnet.schema import LEVELS


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_blas_threads_limits_small_products_and_restores() -> None:
    before = _blas_threads()
    with blas_threads(BLAS_SMALL_NODES):
        assert _blas_threads() and all(t == 1 for t in _blas_threads())
    assert _blas_threads() == before
    with blas_threads(BLAS_SMALL_NODES + 1):  # a large graph keeps every thread
        assert _blas_threads() == before


def _random_graph(seed: int) -> nx.Graph:
    """Two random components of different density, a path, and isolates, with
    integer weights 1..4, node order shuffled."""
    rng = np.random.default_rng(seed)
    g = nx.disjoint_union_all(
        [
            nx.gnp_random_graph(60, 0.3, seed=seed),
            nx.gnp_random_graph(40, 0.05, seed=seed + 1),
            nx.path_graph(5),
            nx.empty_graph(4),
        ]
    )
    order = rng.permutation(g.number_of_nodes())
    g = nx.relabel_nodes(g, dict(enumerate(order.tolist())))
    for u, v in g.edges:
        g.edges[u, v]["weight"] = float(rng.integers(1, 5))
    return g


GRAPHS = [_random_graph(s) for s in (1, 2, 3)]


def _matrix(g: nx.Graph, weight: str | None = "weight") -> sp.csr_matrix:
    return nx.to_scipy_sparse_array(g, nodelist=range(g.number_of_nodes()), weight=weight).tocsr()


@pytest.mark.parametrize("g", GRAPHS)
def test_structural_holes_on_one_thread_equal_networkx(g: nx.Graph) -> None:
    n = g.number_of_nodes()
    assert n <= BLAS_SMALL_NODES  # the one-thread path
    holes = structural_holes(_matrix(g))
    want = nx.constraint(g, weight="weight")
    np.testing.assert_allclose(
        holes["constraint"].to_numpy(), [want[v] for v in range(n)], rtol=1e-12, equal_nan=True
    )
    # effective size with unit weights: networkx 3.6.1's weighted whole-graph path is
    # wrong on weighted graphs (MEASURES.md), its unweighted one is not
    plain = structural_holes(_matrix(g, weight=None))
    es = nx.effective_size(g)
    np.testing.assert_allclose(
        plain["effective_size"].to_numpy(), [es[v] for v in range(n)], rtol=1e-12, equal_nan=True
    )
    isolates = [v for v in range(n) if g.degree(v) == 0]
    assert holes["constraint"].iloc[isolates].isna().all()


@pytest.mark.parametrize("g", GRAPHS)
def test_two_step_reach_on_one_thread_equals_networkx(g: nx.Graph) -> None:
    n = g.number_of_nodes()
    got = two_step_reach(_matrix(g))
    want = [
        (len(nx.single_source_shortest_path_length(g, v, cutoff=2)) - 1) / (n - 1) for v in range(n)
    ]
    np.testing.assert_allclose(got, want, rtol=1e-15)


@pytest.mark.parametrize("g", GRAPHS)
def test_role_counts_do_not_depend_on_the_threads(
    g: nx.Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    adj = _matrix(g, weight=None)
    codes = np.arange(g.number_of_nodes()) % 3
    one = gould_fernandez(adj, codes)  # n <= BLAS_SMALL_NODES: one thread
    monkeypatch.setattr(_parallel, "BLAS_SMALL_NODES", 0)  # every graph keeps all threads
    assert np.array_equal(one, gould_fernandez(adj, codes))


def test_group_nunique_equals_pandas() -> None:
    rng = np.random.default_rng(4)
    groups = rng.integers(-1, 6, size=500)
    values = rng.integers(-1, 40, size=500)
    got = group_nunique(groups, 7, values)
    df = pd.DataFrame({"g": groups, "v": np.where(values >= 0, values, np.nan)})
    want = df[df["g"] >= 0].groupby("g")["v"].nunique().reindex(range(7), fill_value=0)
    assert got.tolist() == want.tolist()
    assert group_nunique(np.array([-1]), 2, np.array([3])).tolist() == [0, 0]


@pytest.fixture(scope="module")
def synth() -> wpnet.Ecosystem:
    return wpnet.synthetic(
        establishments=150, practitioners=900, networks=24, records=4000, sessions=2, seed=5
    )


def test_record_codes_are_remembered_and_read_only(synth: wpnet.Ecosystem) -> None:
    codes, values = record_codes(synth, "network_id")
    assert record_codes(synth, "network_id")[0] is codes
    with pytest.raises(ValueError):
        codes[0] = 1
    rec = synth.records
    assert values[codes].tolist() == rec["network_id"].tolist()  # no network missing


@pytest.mark.parametrize("by", [None, "network", "authority", "sector", "simd_quintile"])
def test_reach_counts_equal_pandas(synth: wpnet.Ecosystem, by: str | None) -> None:
    rec = synth.records
    reg = synth.establishments.drop_duplicates("establishment_id")
    eligible = reg[reg["sector"] != "central"]
    key = {None: None, "network": "network_id"}.get(by, by)
    unit = rec[key] if key else pd.Series("all", index=rec.index)
    g = rec.assign(unit=unit).dropna(subset=["unit"]).groupby("unit")
    want = pd.DataFrame(
        {
            "practitioners": g["practitioner_id"].nunique(),
            "establishments": g["establishment_id"].nunique(),
            "networks": g["network_id"].nunique(),
            "records": g.size(),
        }
    )
    reached = rec[rec["establishment_id"].isin(eligible["establishment_id"])]
    got = wpnet.reach(synth, by=by)
    if by in ("authority", "sector", "simd_quintile"):
        want = want.reindex(got.index, fill_value=0)
        pool = eligible.groupby(by).size().reindex(got.index, fill_value=0)
        hit = reached.groupby(by)["establishment_id"].nunique().reindex(got.index, fill_value=0)
    else:
        pool = pd.Series(len(eligible), index=want.index)
        hit = reached.assign(unit=unit).groupby("unit")["establishment_id"].nunique()
        hit = hit.reindex(want.index, fill_value=0)
    for c in want.columns:
        assert got[c].tolist() == want[c].astype(int).tolist(), c
    cov = (hit / pool.replace(0, np.nan)).to_numpy(dtype=float)
    np.testing.assert_allclose(got["coverage"].to_numpy(), cov, rtol=1e-15, equal_nan=True)


def _people_oracle(rec: pd.DataFrame, key: str | None) -> pd.DataFrame:
    unit = rec[key] if key else pd.Series("all", index=rec.index)
    df = rec.assign(unit=unit).dropna(subset=["unit", "practitioner_id"])
    per = df.groupby(["unit", "practitioner_id"]).agg(
        lead=("lead", "any"), level=("level", "first")
    )
    # memberships in scope (MEASURES.md), not only the unit's networks
    in_scope = rec.dropna(subset=["practitioner_id"]).groupby("practitioner_id")["network_id"]
    per["networks"] = per.index.get_level_values("practitioner_id").map(in_scope.nunique())
    rows = {}
    for u, part in per.groupby(level="unit"):
        lv = part["level"][part["level"].isin(LEVELS)].value_counts()
        share = lv / lv.sum()
        rows[u] = {
            "multi_network_share": float((part["networks"] >= 2).mean()),
            "lead_share": float(part["lead"].mean()),
            "level_evenness": float(-(share * np.log(share)).sum() / math.log(len(LEVELS)))
            if len(lv)
            else math.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


@pytest.mark.parametrize("by", [None, "authority", "workstream", "sector"])
def test_practitioner_columns_equal_pandas(synth: wpnet.Ecosystem, by: str | None) -> None:
    got = wpnet.capacity(synth, by=by, backbone=None)
    key = by
    want = _people_oracle(synth.records, key).reindex(got.index)
    for c in ("multi_network_share", "lead_share", "level_evenness"):
        np.testing.assert_allclose(
            got[c].to_numpy(), want[c].to_numpy(dtype=float), rtol=1e-12, equal_nan=True
        )
    assert got["level_evenness"].between(0, 1).all()
