"""The one shortest-path pass (wpnet.measures._paths) beside today's igraph calls.

Usage::

    python benchmarks/bench_paths.py                 # the example's last session
    python benchmarks/bench_paths.py --repeats 5 --density-sweep

For the example's raw establishment projection and its SDSM backbone, times (min and
median of ``--repeats``, seconds):

- ``igraph today``: what ``brokerage`` and ``capacity`` run now on one graph —
  ``Graph.betweenness()`` twice (brokerage; capacity's robustness ranking) and
  ``average_path_length()`` on the largest component;
- ``path_sums`` by each engine (``matrix``, ``igraph``) with 1 and 2 workers: one pass
  giving betweenness, mean distance and the ranking at once. (The matrix engine runs
  in this process whatever ``workers`` says — its BLAS already uses every core — and
  the igraph engine uses the pool only for passes expected to exceed
  ``_paths.POOL_MIN_SECONDS``, so on these two graphs both worker counts run the same
  way; the pool's own cost shows at scotland size.)

It checks that every engine's betweenness and mean distance equal igraph's (to 1e-9).
``--density-sweep`` times both engines on G(n, p) graphs of 1,000 nodes over a range of
densities: the crossover sets ``_paths.DENSE_DENSITY``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["igraph_today", "main", "timed"]


def timed(fn: Callable[[], Any], repeats: int) -> tuple[Any, float, float, float]:
    """Result, min and median wall seconds and median CPU seconds (this process, all
    its threads) of ``repeats`` calls of ``fn``."""
    ts, cs = [], []
    out = None
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
        cs.append(time.process_time() - c0)
    return out, min(ts), statistics.median(ts), statistics.median(cs)


def igraph_today(adj: sp.csr_matrix) -> tuple[np.ndarray, float]:
    """Betweenness twice and the largest component's mean distance, as brokerage and
    capacity compute them today (graph built once per measure, as they do)."""
    import igraph as ig

    n = adj.shape[0]
    out = None
    for _ in range(2):  # brokerage, then capacity's robustness
        up = sp.triu(adj, k=1).tocoo()
        g = ig.Graph(n=n, edges=np.column_stack([up.row, up.col]).astype(np.int64).tolist())
        out = np.asarray(g.betweenness(directed=False), dtype=np.float64)
    comps = g.connected_components()
    sizes = np.asarray(comps.sizes())
    giant = g.induced_subgraph(comps[int(np.argmax(sizes))])
    mean = float(giant.average_path_length(directed=False))
    return out * 2 / ((n - 1) * (n - 2)), mean


def _row(label: str, lo: float, med: float, cpu: float) -> None:
    print(f"  {label:<36} {lo:8.3f} {med:9.3f} {cpu:9.3f}", flush=True)


def on_graph(name: str, adj: sp.csr_matrix, repeats: int) -> None:
    from wpnet.measures._paths import path_sums

    n = adj.shape[0]
    ties = adj.nnz // 2
    print(f"{name}: {n:,} nodes, {ties:,} ties, density {2 * ties / (n * (n - 1)):.3f}")
    print(f"  {'':<36} {'min s':>8} {'median s':>9} {'cpu s':>9}")
    (bt, mean), lo, med, cpu = timed(lambda: igraph_today(adj), repeats)
    _row("igraph today (2x betweenness + apl)", lo, med, cpu)
    for method in ("matrix", "igraph"):
        for workers in (1, 2):
            ps, lo, med, cpu = timed(
                lambda m=method, w=workers: path_sums(adj, method=m, workers=w), repeats
            )
            _row(f"path_sums {method}, workers={workers}", lo, med, cpu)
            assert np.allclose(ps.betweenness(), bt, rtol=1e-9, atol=1e-12), (method, workers)
            assert abs(ps.mean_distance() - mean) <= 1e-9 * mean, (method, workers)


def sweep(repeats: int, n: int = 1000) -> None:
    from wpnet.measures._paths import path_sums

    print(f"G(n={n}, p): seconds of one pass (min of {repeats}), workers=1")
    print(f"  {'p':>6} {'matrix':>8} {'igraph':>8}")
    rng = np.random.default_rng(0)
    for p in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.65):
        up = sp.triu(sp.random(n, n, density=p, random_state=rng, format="csr"), k=1)
        adj = ((up + up.T) > 0).astype(np.float64).tocsr()
        row = []
        for method in ("matrix", "igraph"):
            _, lo, _ = timed(lambda m=method, g=adj: path_sums(g, method=m, workers=1), repeats)
            row.append(lo)
        print(f"  {p:6.3f} {row[0]:8.3f} {row[1]:8.3f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--session", default=None)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--density-sweep", action="store_true")
    a = ap.parse_args(argv)
    import wpnet
    from wpnet.graphs import projection

    eco = wpnet.load_example()
    one = eco.select(session=a.session or eco.sessions[-1])
    for backbone in (None, "sdsm"):
        w = projection(one, onto="establishment", backbone=backbone).weight
        adj = (w > 0).astype(np.float64).tocsr()
        on_graph("raw projection" if backbone is None else "sdsm backbone", adj, a.repeats)
    if a.density_sweep:
        sweep(a.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
