"""Inference benchmark: null_test and qap on the example's last session.

Usage::

    python benchmarks/bench_inference.py                    # both, both cores
    python benchmarks/bench_inference.py --only null_test --workers 1

Targets on the 2-core development machine (issue 15): ``null_test(year,
["modularity", "transitivity", "largest_component_share"], backbone="sdsm",
samples=200)`` under 60 s; ``qap`` with five covariates and 1,000 permutations under
30 s. Each call is timed in this process: wall seconds, and the CPU seconds of this
process (all the work with ``--workers 1``; on a shared machine the CPU figure is the
one that does not depend on the other load). The example is loaded and selected before
the clock starts.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import wpnet

SESSION = "2023-24"


def _cpu() -> float:
    """CPU seconds of this process (worker processes are not counted: with
    ``--workers 1`` this is all the work, the time one idle core would take)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _timed(name: str, fn) -> object:
    w0, c0 = time.perf_counter(), _cpu()
    out = fn()
    print(
        f"  {name:<10} wall {time.perf_counter() - w0:7.2f} s   cpu (this process) "
        f"{_cpu() - c0:7.2f} s",
        flush=True,
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("null_test", "qap"), default=None)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--permutations", type=int, default=1000)
    args = ap.parse_args()
    eco = wpnet.load_example()
    year = eco.select(session=SESSION)
    wpnet.project(year)  # warm the node tables, as a notebook session would have
    print(f"example {SESSION}: workers={args.workers or os.environ.get('WPNET_WORKERS', 'all')}")
    if args.only in (None, "null_test"):
        t = _timed(
            "null_test",
            lambda: wpnet.null_test(
                year,
                ["modularity", "transitivity", "largest_component_share"],
                backbone="sdsm",
                samples=args.samples,
                workers=args.workers,
            ),
        )
        print(t.round(4).to_string())
    if args.only in (None, "qap"):
        r = _timed(
            "qap",
            lambda: wpnet.qap(
                eco, session=SESSION, permutations=args.permutations, workers=args.workers
            ),
        )
        print(r.round(4).to_string())
        print(f"  dyads {r.attrs['dyads']:,}, dropped {r.attrs['dropped']:,}")


if __name__ == "__main__":
    main()
