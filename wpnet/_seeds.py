"""Many :class:`numpy.random.SeedSequence` states at once, bit for bit numpy's.

A bootstrap of a few hundred draws over several sessions makes thousands of seeded
generators: each draw's network multiplicities, each subsample's practitioners. numpy
makes one ``SeedSequence`` in about 20 µs, most of it Python-level work on arrays of four
words, which at the workstream test's size was the largest cost left in a draw.

:func:`spawned_states` runs numpy's algorithm (Melissa O'Neill's ``seed_seq``
replacement, as ``numpy/random/bit_generator.pyx`` implements it: the entropy is hashed
into a pool of four 32-bit words, the pool is mixed, then hashed out into the state)
column by column over all the sequences at once. :func:`generators` then starts a PCG64
:class:`numpy.random.Generator` from each state, exactly as
``numpy.random.default_rng(SeedSequence(...))`` would: the same draws, so the same
published intervals. A draw's three seedings (its generator, its subsample's seed and
that seed's generator) take about 20 µs instead of 80 in a batch of 300 draws, 34 in a
batch of 100 (``python benchmarks/bench_seeds.py``).

References
----------
O'Neill, M. E. (2015). Developing a seed_seq alternative.
https://www.pcg-random.org/posts/developing-a-seed_seq-alternative.html

This is an internal helper module.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.random.bit_generator import ISeedSequence

__all__ = ["generators", "spawned_states"]

_M32 = 0xFFFFFFFF
_POOL = 4  # numpy's DEFAULT_POOL_SIZE
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_SHIFT = np.uint32(16)


def _words(n: int) -> list[int]:
    """A non-negative integer as 32-bit words, least significant first (0 is one word)."""
    n = int(n)
    if n < 0:
        raise ValueError(f"a seed must be a non-negative integer; got {n}")
    out = [] if n else [0]
    while n:
        out.append(n & _M32)
        n >>= 32
    return out


def _entropy(seed: int, key: Sequence[int]) -> list[int]:
    """The words ``SeedSequence(seed, spawn_key=key)`` mixes: the seed's, padded with
    zeros to the pool's size when there is a spawn key, then the key's."""
    run = _words(seed)
    spawn = [w for k in key for w in _words(k)]
    if spawn and len(run) < _POOL:
        run += [0] * (_POOL - len(run))
    return run + spawn


def _hashmix(value: np.ndarray, h: int) -> tuple[np.ndarray, int]:
    value = value ^ np.uint32(h)
    h = (h * _MULT_A) & _M32
    value = value * np.uint32(h)
    value ^= value >> _SHIFT
    return value, h


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
    out ^= out >> _SHIFT
    return out


def _pools(entropy: np.ndarray) -> list[np.ndarray]:
    """The four pool words of each row of ``entropy`` (rows of equal length), as
    ``SeedSequence.mix_entropy`` makes them."""
    rows, length = entropy.shape
    h = _INIT_A
    zero = np.zeros(rows, dtype=np.uint32)
    pool = []
    for i in range(_POOL):
        word, h = _hashmix(entropy[:, i] if i < length else zero, h)
        pool.append(word)
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                hashed, h = _hashmix(pool[src], h)
                pool[dst] = _mix(pool[dst], hashed)
    for src in range(_POOL, length):
        for dst in range(_POOL):
            hashed, h = _hashmix(entropy[:, src], h)
            pool[dst] = _mix(pool[dst], hashed)
    return pool


def _generate(pool: list[np.ndarray], words: int) -> np.ndarray:
    """``generate_state(words, np.uint64)`` of each pool: 2·words 32-bit words hashed
    out of the pool in turn, read in pairs as little-endian 64-bit words."""
    h = _INIT_B
    half = np.empty((pool[0].size, 2 * words), dtype=np.uint32)
    for i in range(2 * words):
        value = pool[i % _POOL] ^ np.uint32(h)
        h = (h * _MULT_B) & _M32
        value = value * np.uint32(h)
        value ^= value >> _SHIFT
        half[:, i] = value
    return half[:, 0::2].astype(np.uint64) | (half[:, 1::2].astype(np.uint64) << np.uint64(32))


def spawned_states(
    seeds: Sequence[int], keys: Sequence[Sequence[int]], *, words: int = 4
) -> np.ndarray:
    """``SeedSequence(seeds[r], spawn_key=keys[r]).generate_state(words, np.uint64)`` of
    every row r, computed together.

    Parameters
    ----------
    seeds : sequence of int
        Non-negative integer seeds (the ``entropy`` of each sequence).
    keys : sequence of sequences of int
        Each sequence's spawn key (empty for none): ``SeedSequence(s).spawn(n)[i]`` is
        ``SeedSequence(s, spawn_key=(i,))``.
    words : int
        64-bit words of state per row (PCG64 takes 4).

    Returns
    -------
    ndarray of uint64, shape (len(seeds), words)
        Bit for bit what numpy gives row by row.

    Examples
    --------
    >>> import numpy as np
    >>> got = spawned_states([0, 7], [(3,), ()], words=2)
    >>> want = [np.random.SeedSequence(0, spawn_key=(3,)).generate_state(2, np.uint64),
    ...         np.random.SeedSequence(7).generate_state(2, np.uint64)]
    >>> bool((got == np.array(want)).all())
    True
    """
    if len(seeds) != len(keys):
        raise ValueError(f"{len(seeds)} seeds but {len(keys)} spawn keys")
    rows = [_entropy(s, k) for s, k in zip(seeds, keys, strict=True)]
    out = np.empty((len(rows), words), dtype=np.uint64)
    lengths = np.array([len(r) for r in rows], dtype=np.int64)
    for length in np.unique(lengths).tolist():  # rows of one length are mixed together
        at = np.flatnonzero(lengths == length)
        entropy = np.array([rows[i] for i in at.tolist()], dtype=np.uint32)
        out[at] = _generate(_pools(entropy), words)
    return out


class _Fixed(ISeedSequence):
    """A seed sequence whose state is already known (what PCG64 asks of it)."""

    __slots__ = ("_state",)

    def __init__(self, state: np.ndarray) -> None:
        self._state = state

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        if n_words != self._state.size or np.dtype(dtype) != np.uint64:
            raise ValueError(f"this state holds {self._state.size} 64-bit words")
        return self._state.copy()


def generators(states: np.ndarray) -> list[np.random.Generator]:
    """A PCG64 generator from each row of ``states`` (from :func:`spawned_states`):
    the generator ``numpy.random.default_rng`` makes from the same seed sequence.

    Examples
    --------
    >>> import numpy as np
    >>> mine = generators(spawned_states([5], [(2, 9)]))[0]
    >>> theirs = np.random.default_rng(np.random.SeedSequence(5, spawn_key=(2, 9)))
    >>> bool((mine.integers(0, 100, 8) == theirs.integers(0, 100, 8)).all())
    True
    """
    return [np.random.Generator(np.random.PCG64(_Fixed(s))) for s in states]
