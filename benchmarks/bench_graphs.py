"""Benchmark the establishment projection and each backbone on the example dataset.

Usage::

    python benchmarks/bench_graphs.py                       # latest session of the example
    python benchmarks/bench_graphs.py --session 2022-23
    python benchmarks/bench_graphs.py --onto practitioner
    python benchmarks/bench_graphs.py --random 1100x130x20  # random member x network matrix

Prints one line per step: nodes, ties kept, wall seconds, and peak memory (tracemalloc
peak of Python allocations, MiB). The targets (issue 3): the establishment projection of
one session in under 1 s, its SDSM backbone in under 10 s.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

import wpnet
from wpnet.backbones import backbone_mask
from wpnet.graphs import projection


def measure(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """Result, wall seconds and tracemalloc peak (MiB) of ``fn()``."""
    tracemalloc.start()
    start = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, seconds, peak


def row(step: str, n: int, ties: int, seconds: float, peak: float) -> None:
    print(f"{step:<28} n={n:>7,} ties={ties:>10,} {seconds:>8.3f} s {peak:>8.1f} MiB")


def on_example(session: str | None, onto: str) -> None:
    eco = wpnet.load_example()
    session = session or eco.sessions[-1]
    eco = eco.select(session=session)
    print(f"example dataset, session {session}, onto={onto}")
    p, s, m = measure(lambda: projection(eco, onto))
    row("projection", p.n, p.weight.nnz // 2, s, m)
    for method in ("threshold", "disparity", "sdsm"):
        for correction in ("none",) if method == "threshold" else ("none", "fdr_bh"):
            q, s, m = measure(
                lambda method=method, correction=correction: projection(
                    eco, onto, backbone=method, correction=correction
                )
            )
            row(f"projection + {method} ({correction})", q.n, q.weight.nnz // 2, s, m)


def on_random(shape: str, seed: int = 0) -> None:
    n, k, d = (int(x) for x in shape.split("x"))
    rng = np.random.default_rng(seed)
    pop = rng.pareto(2.0, k) + 0.2
    rows = np.repeat(np.arange(n), d)
    cols = np.concatenate([rng.choice(k, d, replace=False, p=pop / pop.sum()) for _ in range(n)])
    b = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, k))
    print(f"random {n} x {k} matrix, {d} memberships per member")

    def project() -> sp.csr_matrix:
        w = (b @ b.T).tocsr()
        w.setdiag(0)
        w.eliminate_zeros()
        return w

    w, s, m = measure(project)
    row("B Bᵀ", n, w.nnz // 2, s, m)
    for method in ("threshold", "disparity", "sdsm"):
        for correction in ("none",) if method == "threshold" else ("none", "fdr_bh"):
            mask, s, m = measure(
                lambda method=method, correction=correction: backbone_mask(
                    b, w, method=method, correction=correction
                )
            )
            row(f"mask {method} ({correction})", n, mask.nnz // 2, s, m)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--session", default=None, help="session of the example (latest)")
    parser.add_argument("--onto", default="establishment")
    parser.add_argument("--random", default=None, help="NxKxD random matrix instead")
    args = parser.parse_args()
    if args.random:
        on_random(args.random)
    else:
        on_example(args.session, args.onto)


if __name__ == "__main__":
    main()
