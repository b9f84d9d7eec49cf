"""Scale benchmark: wpnet stage by stage, beside a plain-networkx baseline.

Usage::

    python benchmarks/run.py --size west            # the shipped example
    python benchmarks/run.py --size scotland        # 5,000 / 60,000 / 500 / 1,000,000
    python benchmarks/run.py --size england --stages read,reach,capacity,report
    python benchmarks/run.py --data FOLDER --stages themes,report   # your own tables

Each stage is timed in this process (wall seconds) with its peak memory (tracemalloc
peak of Python allocations, and the process's max resident set size from ``resource``).
The ``paths`` stage times the one shortest-path pass (``wpnet.measures._paths``) beside
today's igraph betweenness and mean distance on the session's raw projection and SDSM
backbone (``benchmarks/bench_paths.py``). The ``peers`` stage (west only) times wpnet beside the same measures written by an
analyst with pandas + networkx (whole-graph calls) and with pandas + scipy +
python-igraph, in this process, and prints the ratios (``benchmarks/peers.py``). The
``themes`` stage times the report's evaluation themes without draws (the reflections'
point values with their chance baselines, and the change by workstream:
``wpnet.report.compute.evaluation_themes``). ``--data`` benchmarks a folder of tables
(``wpnet.read_ecosystem``) instead of a generated size, e.g. the dense example of the
earlier sessions (``git archive 468fa4c datasets``).
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
    "themes",
    "maps",
    "report",
    "paths",
    "peers",
)
#: Stages run only when named in ``--stages`` (the inference stage: null_test with 200
#: Curveball samples and qap with 1,000 permutations, the issue-15 targets).
OPTIONAL_STAGES = ("inference",)


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
        "--peer-repeats",
        type=int,
        default=3,
        help="repeats of each pipeline in the peers stage (default 3)",
    )
    ap.add_argument("--no-baseline", action="store_true", help="leave out the peers stage")
    ap.add_argument(
        "--trace",
        action="store_true",
        help="measure tracemalloc peaks (slows allocation-heavy stages)",
    )
    ap.add_argument(
        "--data", default=None, help="a folder of tables to read instead of generating --size"
    )
    ap.add_argument("--workdir", default=None)
    a = ap.parse_args(argv)
    stages = [s.strip() for s in a.stages.split(",") if s.strip()]
    bad = [s for s in stages if s not in STAGES + OPTIONAL_STAGES]
    if bad:
        ap.error(f"unknown stages {bad}; choose from {STAGES + OPTIONAL_STAGES}")

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
    if a.data is not None:
        data = Path(a.data)
        eco = timed("read", lambda: wpnet.read_ecosystem(data), rows, a.trace)
    elif params is None:
        eco = timed("generate", wpnet.load_example, rows, a.trace)
    else:
        eco = timed("generate", lambda: wpnet.synthetic(**params, seed=0), rows, a.trace)
    print(
        f"  data: {len(eco.establishments):,} establishments, {len(eco.practitioners):,} practitioners, "
        f"{len(eco.networks):,} networks, {len(eco.participation):,} records",
        flush=True,
    )
    if a.data is None:
        data = work / "data"
    if a.data is None and (
        "write" in stages or "read" in stages or "validate" in stages or "report" in stages
    ):
        fmt = "csv" if a.size == "west" else "parquet"
        timed(f"write ({fmt})", lambda: wpnet.write_ecosystem(eco, data, format=fmt), rows, a.trace)
    if "read" in stages and a.data is None:
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
    if "themes" in stages:
        from wpnet.graphs import GraphSpec
        from wpnet.report.compute import evaluation_themes, report_base

        k = eco.sessions.index(session)
        before = eco.sessions[k - 1] if k else None
        base = report_base(eco, session, before)
        timed(
            "evaluation themes (no draws)",
            lambda: evaluation_themes(
                base, session, before, graph=GraphSpec(backbone="sdsm"), samples=0, seed=0
            ),
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
    if "inference" in stages:
        timed(
            "null_test (sdsm, 200)",
            lambda: wpnet.null_test(
                one,
                ["modularity", "transitivity", "largest_component_share"],
                backbone="sdsm",
                samples=200,
            ),
            rows,
            a.trace,
        )
        timed(
            "qap (5 cov., 1000)",
            lambda: wpnet.qap(eco, session=session, permutations=1000),
            rows,
            a.trace,
        )
    if "paths" in stages:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_paths import on_graph

        for backbone in (None, "sdsm"):
            w = projection(one, onto="establishment", backbone=backbone).weight
            adj = (w > 0).astype("float64").tocsr()
            on_graph(
                "paths: raw projection" if backbone is None else "paths: sdsm backbone", adj, 3
            )
    if "peers" in stages and not a.no_baseline:
        if a.size != "west":
            print("  peers: defined on the shipped example only (--size west)", flush=True)
        else:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from peers import run_peers

            print("peers (reach by authority + raw-projection measures):", flush=True)
            for name, ts in run_peers(session=session, repeats=a.peer_repeats).items():
                rows.append({"stage": f"peers:{name}", "seconds": min(ts), "all": ts})
    print(f"max resident memory of the run: {_rss_gb():.2f} GB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
