"""brokerage's and capacity's shortest-path work, before and after the shared pass.

Usage::

    python benchmarks/shared_pass.py                  # G(1009, 0.65), 3 repeats
    python benchmarks/shared_pass.py --nodes 2000 --density 0.3 --repeats 5

On a random graph G(n, p) (default: the size and density of the old example's raw
establishment projection), times (wall and CPU seconds of this process):

- ``igraph x3``: what ``brokerage`` and ``capacity`` ran before issue 19 item 2 —
  ``Graph.betweenness()`` twice (brokerage; capacity's robustness ranking) and
  ``average_path_length()`` on the largest component;
- ``shared pass``: wpnet's own calls now — brokerage's exact betweenness and capacity's
  ``robustness`` and ``mean_distance`` — which share one
  :func:`wpnet.measures._paths.shared_path_sums` pass (forgotten before each repeat).

It checks that both give the same betweenness (to 1e-12 relative), robustness and mean
distance.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import scipy.sparse as sp

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    import igraph as ig

    from wpnet.measures import _paths
    from wpnet.measures._betweenness import _betweenness
    from wpnet.measures.capacity import mean_distance, robustness

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=1009)
    ap.add_argument("--density", type=float, default=0.65)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    n = a.nodes
    up = np.triu(np.random.default_rng(a.seed).random((n, n)) < a.density, 1)
    adj = sp.csr_matrix(up | up.T, dtype=np.float64)
    i, j = np.nonzero(up)
    g = ig.Graph(n=n, edges=np.column_stack([i, j]).tolist())
    print(f"G(n={n}, p={a.density}): {g.ecount():,} ties", flush=True)
    for rep in range(a.repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        bt = np.asarray(g.betweenness(directed=False), dtype=np.float64)  # brokerage
        b_old = bt / ((n - 1) * (n - 2)) * 2
        bt = np.asarray(g.betweenness(directed=False), dtype=np.float64)  # capacity
        rank = np.argsort(-np.round(bt, 9), kind="stable")[: -(-n // 20)]
        g2 = g.copy()
        g2.delete_vertices(rank.tolist())
        r_old = max(g2.connected_components().sizes()) / n
        comps = g.connected_components()
        m_old = g.induced_subgraph(comps[int(np.argmax(comps.sizes()))]).average_path_length()
        t1, c1 = time.perf_counter(), time.process_time()
        _paths.clear_shared_passes()
        b_new = _betweenness(adj, False)
        r_new = robustness(g, None, adj)
        m_new = mean_distance(g, None, adj)
        t2, c2 = time.perf_counter(), time.process_time()
        print(
            f"  repeat {rep + 1}: igraph x3 {t1 - t0:6.2f} s wall {c1 - c0:6.2f} s cpu; "
            f"shared pass {t2 - t1:6.2f} s wall {c2 - c1:6.2f} s cpu "
            f"(load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        same = (
            np.allclose(b_new, b_old, rtol=1e-12, atol=1e-15)
            and r_new == r_old
            and abs(m_new - m_old) <= 1e-12 * m_old
        )
        if not same:
            print("  the shared pass differs from igraph's values", flush=True)
            return 1
    print("  same betweenness, robustness and mean distance: True", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
