"""Validation's fast paths against brute force."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import wpnet.validation as wv


def _brute_first_equal(frame: pd.DataFrame) -> np.ndarray:
    """For each row, the first row with the same cells (missing equals missing), by
    comparing every pair of rows in Python."""
    rows = [
        tuple(None if pd.isna(v) else v for v in frame.iloc[i].tolist()) for i in range(len(frame))
    ]
    return np.array([next(k for k in range(i + 1) if rows[k] == rows[i]) for i in range(len(rows))])


def _random_frame(rng: np.random.Generator, n: int, m: int, distinct: int) -> pd.DataFrame:
    cols: dict[str, object] = {}
    for j in range(m):
        kind = j % 4
        v = rng.integers(0, distinct, n)
        na = rng.random(n) < 0.15
        if kind == 0:
            cols[f"c{j}"] = pd.array(
                [None if a else f"s{b}" for a, b in zip(na, v, strict=True)], "string"
            )
        elif kind == 1:
            cols[f"c{j}"] = pd.array(np.where(na, np.nan, v / 2), dtype="Float64")
        elif kind == 2:
            d = pd.Timestamp("2022-01-01") + pd.to_timedelta(v, "D")
            cols[f"c{j}"] = pd.Series(d).where(~na)
        else:
            cols[f"c{j}"] = pd.array(np.where(na, None, v), dtype="Int64")
    return pd.DataFrame(cols)


@pytest.mark.parametrize("seed", range(12))
def test_first_equal_row_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 120))
    frame = _random_frame(rng, n, m=int(rng.integers(1, 6)), distinct=int(rng.integers(1, 4)))
    got = wv._first_equal_row(frame)
    want = _brute_first_equal(frame)
    np.testing.assert_array_equal(got, want)


def test_first_equal_row_when_keys_overflow_and_wide():
    # 300 rows of 10 near-unique columns: 301**10 > 2**62 forces renumbering mid-way;
    # 70 columns is wider than the old row-array path's 64; copies planted
    rng = np.random.default_rng(7)
    for m in (10, 70):
        frame = _random_frame(rng, 300, m=m, distinct=10**6)
        frame = pd.concat([frame, frame.iloc[[5, 17, 5, 299]]], ignore_index=True)
        got = wv._first_equal_row(frame)
        np.testing.assert_array_equal(got, _brute_first_equal(frame))
        np.testing.assert_array_equal(got[300:], [5, 17, 5, 299])


def test_first_equal_row_keys_do_not_wrap():
    # column 0 has 2 values (radix 3), then 8 columns of 255 values (radix 2**8 each):
    # packed without renumbering, column 0 would be multiplied by 2**64 and vanish, and
    # the last row (row 0 with another first cell) would pass for a copy of row 0
    n = 255
    cols = {"c0": pd.array(["a"] * n + ["b"], dtype="string")}
    for j in range(1, 9):
        cols[f"c{j}"] = pd.array([f"v{i}" for i in range(n)] + ["v0"], dtype="string")
    frame = pd.DataFrame(cols)
    got = wv._first_equal_row(frame)
    np.testing.assert_array_equal(got, np.arange(n + 1))
    np.testing.assert_array_equal(got, _brute_first_equal(frame))
