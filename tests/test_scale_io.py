"""Reading's fast paths against the plain computations they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import wpnet.io as wio
from wpnet.privacy import personal_columns

_VALUES = [
    "Ann Smith",
    "Sean O'Neill",
    "Dr. Mary McLeod",
    "Primary Forum",
    "a@b.org",
    " Ann Smith ",
    "P1",
    "P2",
    "",
    "  ",
    "x",
    None,
]


def _random_frame(seed: int, n: int) -> pd.DataFrame:
    """Text columns mixing names, e-mails, ids, blanks and missing cells, beside a
    number, a date and an object column, under personal and ordinary headers."""
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}
    for k, header in enumerate(["practitioner_id", "mentor", "notes", "contact", "extra"]):
        pool = rng.choice(np.array(_VALUES, dtype=object), size=1 + k + int(rng.integers(0, 5)))
        cols[header] = pd.array(rng.choice(pool, n), dtype="string")
    cols["raw"] = rng.choice(np.array(_VALUES + [3, 3.0], dtype=object), n)
    cols["hours"] = pd.array(rng.choice([1.5, None], n), dtype="Float64")
    cols["date"] = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 9, n), "D")
    cols["flag"] = rng.choice([True, False], n)
    cols["count"] = rng.integers(0, 3, n)
    return pd.DataFrame(cols)


@pytest.mark.parametrize("whole", [0, 4096], ids=["distinct", "whole"])
@pytest.mark.parametrize("table", ["participation", "networks", "ties"])
@pytest.mark.parametrize("seed", range(25))
def test_personal_by_distinct_equals_personal_columns(seed, table, whole, monkeypatch):
    # whole=0 sends every table through the distinct-values path (padded, mixed dtypes)
    monkeypatch.setattr(wio, "_SEARCH_WHOLE", whole)
    frame = _random_frame(seed, n=int(np.random.default_rng(seed).integers(0, 60)))
    known = ["practitioner_id", "notes"]
    assert wio._personal_by_distinct(table, frame, known=known) == personal_columns(
        table, frame, known=known
    )


@pytest.mark.parametrize("whole", [0, 4096], ids=["distinct", "whole"])
def test_personal_by_distinct_hand_worked(whole, monkeypatch):
    monkeypatch.setattr(wio, "_SEARCH_WHOLE", whole)
    # 3 distinct non-blank values, 2 of them names: a names column, as on the whole column
    frame = pd.DataFrame(
        {
            "mentor": pd.array(["Ann Smith"] * 5 + ["Bob Jones", "P7", None, ""], dtype="string"),
            "site": pd.array(["x@y.org"] + ["Hub"] * 8, dtype="string"),
        }
    )
    assert wio._personal_by_distinct("networks", frame) == {
        "mentor": "values look like people's names",
        "site": "values look like e-mail addresses",
    }
