"""Scale benchmark: wpnet stage by stage, beside a plain-networkx baseline.

Usage::

    python benchmarks/run.py --size west            # the shipped example
    python benchmarks/run.py --size scotland        # 5,000 / 60,000 / 500 / 1,000,000
    python benchmarks/run.py --size england --stages read,reach,capacity,report

Each stage is timed in this process (wall seconds) with its peak memory (tracemalloc
peak of Python allocations, and the process's max resident set size from ``resource``).
The baseline computes the raw-projection measures (betweenness, constraint, effective
size, transitivity, components, cores) with networkx on the same projection, each
under a time budget; a measure cut by the budget is reported as a lower bound
(">= budget s") from the share of nodes it finished.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZES: dict[str, dict[str, int] | None] = {
    "west": None,  # the shipped example
    "scotland": dict(establishments=5_000, practitioners=60_000, networks=500, records=1_000_000),
    "england": dict(
        establishments=24_000, practitioners=450_000, networks=3_000, records=10_000_000
    ),
}
STAGES = (
    "generate",
    "write",
    "read",
    "validate",
    "project",
    "backbone",
    "reach",
    "brokerage",
    "capacity",
    "change",
    "maps",
    "report",
)


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def timed(name: str, fn: Callable[[], Any], rows: list[dict[str, Any]], trace: bool) -> Any:
    gc.collect()
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 1024**3 if trace else float("nan")
    if trace:
        tracemalloc.stop()
    rows.append({"stage": name, "seconds": dt, "peak_gb": peak, "rss_gb": _rss_gb()})
    traced = f"   python peak {peak:6.2f} GB" if trace else ""
    print(f"  {name:<22} {dt:9.2f} s   max rss {_rss_gb():6.2f} GB{traced}", flush=True)
    return out


def _nx_measure(args: tuple[str, Any, float]) -> tuple[str, float, float]:
    """Run one networkx measure under a budget; return (name, seconds, share done)."""
    import networkx as nx
    import numpy as np

    name, g, budget = args
    nodes = list(g)
    t0 = time.perf_counter()
    done = 0
    if name == "betweenness":
        # Brandes' algorithm: one single-source pass per node; time a prefix of sources.
        k = len(nodes)
        step = max(1, k // 50)
        for i in range(step, k + step, step):
            nx.betweenness_centrality(g, k=min(i, k), seed=0)
            done = min(i, k)
            if time.perf_counter() - t0 > budget:
                break
        return name, time.perf_counter() - t0, done / max(k, 1)
    fn = {
        "constraint": lambda ns: nx.constraint(g, nodes=ns, weight="weight"),
        "effective_size": lambda ns: nx.effective_size(g, nodes=ns, weight="weight"),
        "transitivity": None,
        "components": None,
        "cores": None,
    }[name]
    if fn is None:
        {
            "transitivity": nx.transitivity,
            "components": lambda x: list(nx.connected_components(x)),
            "cores": nx.core_number,
        }[name](g)
        return name, time.perf_counter() - t0, 1.0
    # one node at a time: on dense ego networks networkx takes minutes per node, so the
    # budget is checked after each (nodes in a fixed random order, so the finished share
    # is a fair sample of the whole)
    order = np.random.default_rng(0).permutation(len(nodes))
    for i in order:
        fn([nodes[i]])
        done += 1
        if time.perf_counter() - t0 > budget:
            break
    return name, time.perf_counter() - t0, min(done, len(nodes)) / max(len(nodes), 1)


def baseline(proj: Any, budget: float, rows: list[dict[str, Any]]) -> None:
    """Plain networkx on the raw projection, each measure under ``budget`` seconds."""
    g = proj.to_networkx()
    print(
        f"networkx baseline on the raw projection ({g.number_of_nodes()} nodes, "
        f"{g.number_of_edges()} ties), budget {budget:.0f} s per measure:",
        flush=True,
    )
    for name in (
        "betweenness",
        "constraint",
        "effective_size",
        "transitivity",
        "components",
        "cores",
    ):
        _, dt, share = _nx_measure((name, g, budget))
        est = dt / share if share > 0 else float("inf")
        cut = share < 1.0
        rows.append(
            {
                "stage": f"nx:{name}",
                "seconds": dt,
                "share_done": share,
                "estimate_s": est,
                "cut": cut,
            }
        )
        label = (
            f">= {dt:.1f} s (cut at {share:.0%}; full run est. {est:.0f} s)"
            if cut
            else f"{dt:.2f} s"
        )
        print(f"  nx {name:<19} {label}", flush=True)


def wpnet_raw_measures(eco: Any, rows: list[dict[str, Any]], trace: bool) -> None:
    """The same raw-projection measures in wpnet (igraph / scipy engine).

    ``brokerage`` (betweenness, constraint, effective size, and more) plus ``capacity``
    (transitivity, components, cores, and more) on the raw projection: wpnet does more
    work here than the baseline, so the speed-up is a lower bound.
    """
    import wpnet

    timed(
        "wp:raw_measures",
        lambda: (wpnet.brokerage(eco, backbone=None), wpnet.capacity(eco, backbone=None)),
        rows,
        trace,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=list(SIZES), default="west")
    ap.add_argument(
        "--stages", default=",".join(STAGES), help="comma-separated subset of: " + ",".join(STAGES)
    )
    ap.add_argument(
        "--session", default=None, help="session for the per-session stages (default latest)"
    )
    ap.add_argument(
        "--baseline-budget",
        type=float,
        default=120.0,
        help="seconds per networkx measure before it is cut (default 120)",
    )
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument(
        "--trace",
        action="store_true",
        help="measure tracemalloc peaks (slows allocation-heavy stages)",
    )
    ap.add_argument("--workdir", default=None)
    a = ap.parse_args(argv)
    stages = [s.strip() for s in a.stages.split(",") if s.strip()]
    bad = [s for s in stages if s not in STAGES]
    if bad:
        ap.error(f"unknown stages {bad}; choose from {STAGES}")

    import wpnet

    print(
        f"wpnet {wpnet.__version__} benchmark, size={a.size}; {platform.processor() or platform.machine()}, "
        f"{mp.cpu_count()} cores, Python {platform.python_version()}",
        flush=True,
    )
    rows: list[dict[str, Any]] = []
    work = Path(a.workdir or tempfile.mkdtemp(prefix=f"wpnet-bench-{a.size}-"))
    work.mkdir(parents=True, exist_ok=True)
    params = SIZES[a.size]
    if params is None:
        eco = timed("generate", wpnet.load_example, rows, a.trace)
    else:
        eco = timed("generate", lambda: wpnet.synthetic(**params, seed=0), rows, a.trace)
    print(
        f"  data: {len(eco.establishments):,} establishments, {len(eco.practitioners):,} practitioners, "
        f"{len(eco.networks):,} networks, {len(eco.participation):,} records",
        flush=True,
    )
    data = work / "data"
    if "write" in stages or "read" in stages or "validate" in stages or "report" in stages:
        fmt = "csv" if a.size == "west" else "parquet"
        timed(f"write ({fmt})", lambda: wpnet.write_ecosystem(eco, data, format=fmt), rows, a.trace)
    if "read" in stages:
        eco = timed("read", lambda: wpnet.read_ecosystem(data), rows, a.trace)
    if "validate" in stages:
        timed("validate", lambda: wpnet.validate(data), rows, a.trace)
    session = a.session or eco.sessions[-1]
    one = eco.select(session=session)
    print(f"  session {session}: {len(one.participation):,} records", flush=True)
    from wpnet.graphs import projection

    raw = None
    if "project" in stages:
        raw = timed("project (raw)", lambda: projection(one, onto="establishment"), rows, a.trace)
        print(f"    raw projection: {raw.n:,} nodes, {raw.weight.nnz // 2:,} ties", flush=True)
    if "backbone" in stages:
        bb = timed(
            "backbone (sdsm)",
            lambda: projection(one, onto="establishment", backbone="sdsm"),
            rows,
            a.trace,
        )
        print(f"    sdsm backbone: {bb.weight.nnz // 2:,} ties", flush=True)
    if "reach" in stages:
        timed(
            "reach (5 ways)",
            lambda: [
                wpnet.reach(one, by=b)
                for b in (None, "network", "workstream", "authority", "sector", "simd_quintile")
            ],
            rows,
            a.trace,
        )
    if "brokerage" in stages:
        timed("brokerage (sdsm)", lambda: wpnet.brokerage(one, backbone="sdsm"), rows, a.trace)
        timed(
            "brokerage_roles+ei",
            lambda: (
                wpnet.brokerage_roles(one, backbone="sdsm"),
                wpnet.ei_test(one, backbone="sdsm"),
            ),
            rows,
            a.trace,
        )
    if "capacity" in stages:
        timed("capacity (sdsm)", lambda: wpnet.capacity(one, backbone="sdsm"), rows, a.trace)
        timed(
            "capacity by authority",
            lambda: wpnet.capacity(one, by="authority", backbone="sdsm"),
            rows,
            a.trace,
        )
    if "change" in stages and len(eco.sessions) > 1:
        timed(
            "change",
            lambda: wpnet.change(eco, before=eco.sessions[-2], after=session, backbone="sdsm"),
            rows,
            a.trace,
        )
    if "maps" in stages:
        import matplotlib

        matplotlib.use("Agg")
        timed("plot_ecosystem", lambda: wpnet.plot_ecosystem(one), rows, a.trace)
        timed(
            "interactive_map", lambda: wpnet.interactive_map(one, work / "map.html"), rows, a.trace
        )
    if "report" in stages:
        timed(
            "report (end to end)",
            lambda: wpnet.build_report(eco, session=session, out=work / "report"),
            rows,
            a.trace,
        )
    if raw is not None and not a.no_baseline:
        wpnet_raw_measures(one, rows, a.trace)
        baseline(raw, a.baseline_budget, rows)
        wp = next(r["seconds"] for r in rows if r["stage"] == "wp:raw_measures")
        nx_total = sum(
            r["seconds"] / max(r.get("share_done", 1.0), 1e-9)
            for r in rows
            if r["stage"].startswith("nx:")
        )
        nx_low = sum(r["seconds"] for r in rows if r["stage"].startswith("nx:"))
        print(
            f"raw-projection measures: wpnet {wp:.2f} s; networkx >= {nx_low:.1f} s "
            f"(estimated {nx_total:.0f} s) -> speed-up >= {nx_low / wp:.0f}x "
            f"(estimated {nx_total / wp:.0f}x)",
            flush=True,
        )
    print(f"max resident memory of the run: {_rss_gb():.2f} GB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
