"""Seeding benchmark: the bootstrap's generators made one by one by numpy, and together.

Usage::

    python benchmarks/bench_seeds.py                 # batches of 300, 20 rounds
    python benchmarks/bench_seeds.py --batch 100 --rounds 50

A bootstrap draw of the evaluation themes needs a generator for its network
multiplicities (``SeedSequence(seed, spawn_key=(crc32(session), b))``), a subsample seed
(``SeedSequence(seed + 1 + i, spawn_key=(b,))``) and a generator from that seed. The
script makes ``--batch`` of each kind the way numpy makes them one at a time and the way
:mod:`wpnet._seeds` makes them together (``spawned_states`` then ``generators``),
alternating the two ``--rounds`` times in this process, and prints the median
microseconds per draw (its three seedings) of each; it first checks that both give the
same streams.
"""

from __future__ import annotations

import argparse
import statistics
import time
import zlib

import numpy as np

from wpnet._seeds import generators, spawned_states

SEED = 0
SESSION = "2023-24"


def one_by_one(batch: int) -> list[np.random.Generator]:
    """numpy's way: one SeedSequence per generator and per seed."""
    crc = zlib.crc32(SESSION.encode("utf-8"))
    out = []
    for b in range(batch):
        out.append(np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(crc, b))))
        keep = np.random.SeedSequence(SEED + 1, spawn_key=(b,)).generate_state(1, np.uint64)[0]
        out.append(np.random.default_rng(int(keep)))
    return out


def together(batch: int) -> list[np.random.Generator]:
    """wpnet._seeds: every state of the batch at once."""
    crc = zlib.crc32(SESSION.encode("utf-8"))
    draws = generators(spawned_states([SEED] * batch, [(crc, b) for b in range(batch)]))
    keep = spawned_states([SEED + 1] * batch, [(b,) for b in range(batch)], words=1)
    keeps = generators(spawned_states(keep[:, 0].tolist(), [()] * batch))
    return [g for pair in zip(draws, keeps, strict=True) for g in pair]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    a, b = one_by_one(args.batch), together(args.batch)
    if not all(
        np.array_equal(x.integers(0, 2**62, 4), y.integers(0, 2**62, 4))
        for x, y in zip(a, b, strict=True)
    ):
        raise SystemExit("the two ways gave different streams")
    times: dict[str, list[float]] = {"numpy, one by one": [], "wpnet._seeds, together": []}
    for r in range(args.rounds):
        order = list(times) if r % 2 == 0 else list(reversed(times))
        for name in order:
            fn = one_by_one if name.startswith("numpy") else together
            t = time.perf_counter()
            fn(args.batch)
            times[name].append((time.perf_counter() - t) / args.batch * 1e6)
    print(f"batches of {args.batch} draws, {args.rounds} rounds; the same streams both ways")
    for name, ts in times.items():
        print(f"  {name:<24} {statistics.median(ts):7.1f} µs a draw (median; min {min(ts):.1f})")


if __name__ == "__main__":
    main()
