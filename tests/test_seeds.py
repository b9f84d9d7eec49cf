"""wpnet._seeds: many SeedSequence states at once, checked against numpy's own."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wpnet._parallel import task_seeds
from wpnet._seeds import generators, spawned_states
from wpnet.inference._draws import draw_rngs

seeds = st.integers(min_value=0, max_value=2**130)
keys = st.lists(st.integers(min_value=0, max_value=2**70), max_size=5)


def numpy_state(seed: int, key: list[int], words: int) -> np.ndarray:
    return np.random.SeedSequence(seed, spawn_key=tuple(key)).generate_state(words, np.uint64)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(seeds, keys), min_size=1, max_size=12), st.integers(1, 6))
def test_states_equal_numpys_seed_sequence(rows, words):
    """Seeds of one to five 32-bit words, spawn keys of zero to five entries (some of
    several words), mixed in one call: every row equals numpy's, bit for bit."""
    got = spawned_states([s for s, _ in rows], [k for _, k in rows], words=words)
    want = np.array([numpy_state(s, k, words) for s, k in rows])
    assert got.dtype == np.uint64
    assert np.array_equal(got, want)


def test_edge_seeds_and_keys():
    """Seed 0 (one word of 0), seeds on 32- and 64-bit boundaries, a key of 0s, and a
    seed of four words followed by a key (no padding)."""
    rows = [
        (0, []),
        (0, [0]),
        (2**32 - 1, [0, 0]),
        (2**32, []),
        (2**64 - 1, [2**32]),
        (2**127 + 5, [1, 2, 3]),
    ]
    got = spawned_states([s for s, _ in rows], [k for _, k in rows])
    assert np.array_equal(got, np.array([numpy_state(s, k, 4) for s, k in rows]))


def test_generators_draw_numpys_streams():
    """A generator from a state draws what default_rng of the same SeedSequence draws,
    whatever is asked of it (integers, floats, a sample without replacement)."""
    pairs = [(3, (7, 1)), (2**63 + 9, ()), (0, (0,))]
    mine = generators(spawned_states([s for s, _ in pairs], [k for _, k in pairs]))
    for g, (s, k) in zip(mine, pairs, strict=True):
        ref = np.random.default_rng(np.random.SeedSequence(s, spawn_key=k))
        assert np.array_equal(g.integers(0, 1000, 20), ref.integers(0, 1000, 20))
        assert np.array_equal(g.random(5), ref.random(5))
        assert np.array_equal(g.choice(500, 40, replace=False), ref.choice(500, 40, replace=False))


def test_callers_equal_the_spawned_children():
    """task_seeds and draw_rngs, made together, are numpy's spawned children."""
    children = np.random.SeedSequence(17).spawn(40)
    assert task_seeds(17, 40) == [int(c.generate_state(1, np.uint64)[0]) for c in children]
    assert task_seeds(17, 0) == []
    parent = np.random.SeedSequence(5, spawn_key=(zlib.crc32(b"2023-24"),))
    for mine, child in zip(draw_rngs("2023-24", 5, 25), parent.spawn(25), strict=True):
        assert np.array_equal(
            mine.integers(0, 99, 7), np.random.default_rng(child).integers(0, 99, 7)
        )


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        spawned_states([-1], [()])
    with pytest.raises(ValueError, match="2 seeds but 1 spawn keys"):
        spawned_states([1, 2], [()])
    with pytest.raises(ValueError, match="64-bit words"):
        generators(spawned_states([1], [()], words=2))
