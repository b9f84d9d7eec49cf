"""Change and trend on the tiny ecosystem, worked by hand (wpnet.datasets.tiny).

2021-22 (to 31 Jul 2022): P1 N1 at E1, P4 N1 at home E3 (dated 31 July), P3 N2 at E2.
2022-23 (from 1 Aug 2022): P1 (dated 1 August), P2 at E1; P4 at E4 (moved); P3 at E2;
P5 at E4; P7 at central team C1; P6 at E5.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import wpnet
import wpnet.datasets
from wpnet.measures.capacity import CAPACITY_COLUMNS
from wpnet.measures.change import MEASURE_ROWS, Change, change, trend
from wpnet.measures.reach import REACH_COLUMNS


@pytest.fixture
def ch(tiny) -> Change:
    return change(tiny, before="2021-22", after="2022-23")


def test_flows_by_hand(ch):
    f = ch.flows
    assert f.index.tolist() == ["practitioners", "establishments"]
    assert list(f.columns) == ["before", "after", "retained", "new", "lapsed", "retention_rate"]
    # practitioners: before {P1, P3, P4}, after {P1..P7}: all 3 retained, 4 new, 0 lapsed.
    assert f.loc["practitioners"].tolist() == [3, 7, 3, 4, 0, 1.0]
    # establishments: before {E1, E2, E3}, after {E1, E2, E4, E5, C1}: E1, E2 retained;
    # E4, E5, C1 new (the central team counts as an establishment); E3 lapsed because
    # P4 moved to E4.
    assert f.loc["establishments", ["before", "after", "retained", "new", "lapsed"]].tolist() == [
        3,
        5,
        2,
        3,
        1,
    ]
    assert f.loc["establishments", "retention_rate"] == pytest.approx(2 / 3)
    assert f["before"].dtype == np.int64 and f["retention_rate"].dtype == np.float64


def test_measures_by_hand(ch):
    m = ch.measures
    assert m.index.tolist() == list(MEASURE_ROWS)
    assert set(m.index) == set(REACH_COLUMNS) | set(CAPACITY_COLUMNS)
    assert list(m.columns) == ["before", "after", "delta", "pct_change"]
    expected = {
        # (before, after) from the hand-worked reach and capacity tests
        "practitioners": (3, 7),
        "establishments": (3, 5),
        "coverage": (3 / 6, 4 / 6),
        "simd_q1_coverage": (1.0, 0.5),
        "equity_ratio": (2.0, 0.75),
        "lead_share": (1 / 3, 2 / 7),
        "ties": (1, 4),  # E1-E3; C1-E1, C1-E4, E1-E4, E2-E4
        "ei_index": (1.0, 0.5),
        "robustness": (1 / 3, 2 / 5),
        "transitivity": (math.nan, 0.6),  # no connected triple in 2021-22
    }
    for k, (b, a) in expected.items():
        row = m.loc[k]
        np.testing.assert_allclose([row["before"], row["after"]], [b, a], equal_nan=True)
        np.testing.assert_allclose(row["delta"], a - b, equal_nan=True)
    assert m.loc["practitioners", "pct_change"] == pytest.approx(4 / 3)
    # E-I fell from 1 to 0.5: delta -0.5, pct_change -0.5 / |1| = -0.5
    assert m.loc["ei_index", "pct_change"] == pytest.approx(-0.5)
    # multi_network_share 0 -> 0: no percentage of zero
    assert math.isnan(m.loc["multi_network_share", "pct_change"])
    assert math.isnan(m.loc["transitivity", "delta"])


def test_pct_change_sign_follows_delta_for_negative_before(tiny):
    # group=sector. 2021-22: the one tie E1-E3 joins two primaries: E-I = (0 - 1)/1 = -1.
    # 2022-23: C1-E1 central-primary, C1-E4 central-special, E1-E4, E2-E4 all between
    # sectors: E-I = +1. delta = 2, pct_change = 2 / |-1| = +2 (a rise, not -2).
    m = change(tiny, before="2021-22", after="2022-23", group="sector").measures
    assert m.loc["ei_index"].tolist() == [-1.0, 1.0, 2.0, 2.0]


def test_select_then_pool(tiny):
    # N1 only: 2022-23 is the triangle C1, E1, E4; pooled with 2021-22 the 4-clique
    # C1, E1, E3, E4.
    m = change(tiny.select(network="N1"), before="2022-23", after=["2021-22", "2022-23"]).measures
    assert m.loc["nodes", ["before", "after"]].tolist() == [3.0, 4.0]
    assert m.loc["ties", ["before", "after"]].tolist() == [3.0, 6.0]


def test_lists_of_sessions_are_pooled(tiny):
    c = change(tiny, before=["2021-22"], after=["2021-22", "2022-23"])
    # pooled after: 7 practitioners, E1, E2, E3, E4, E5, C1; E1, E2, E3 all retained
    assert c.flows.loc["establishments", ["after", "retained", "lapsed"]].tolist() == [6, 3, 0]
    assert c.before == ["2021-22"]


def test_attrs_and_display(ch):
    assert ch.measures.attrs["graph_before"].startswith(
        "establishment co-membership projection (3 nodes, 1 ties)"
    )
    assert ch.measures.attrs["before"] == "2021-22"
    json.dumps(ch.measures.attrs)
    json.dumps(ch.flows.attrs)
    h = ch._repr_html_()
    assert "Change from 2021-22 to 2022-23" in h and "retention_rate" in h
    with pytest.raises(Exception, match="cannot assign|frozen"):
        ch.flows = pd.DataFrame()  # type: ignore[misc]


def test_bad_sessions(tiny):
    with pytest.raises(ValueError, match="not in the data"):
        change(tiny, before="2019-20", after="2022-23")
    with pytest.raises(TypeError, match="before must be a session"):
        change(tiny, before=2021, after="2022-23")


def test_trend_by_hand(tiny):
    t = trend(tiny)
    assert t.index.name == "session" and t.index.tolist() == ["2021-22", "2022-23"]
    assert list(t.columns) == list(MEASURE_ROWS)
    # reach per session (test_reach) and capacity per session (test_capacity)
    np.testing.assert_allclose(t["practitioners"], [3, 7])
    np.testing.assert_allclose(t["coverage"], [0.5, 2 / 3])
    np.testing.assert_allclose(t["lead_share"], [1 / 3, 2 / 7])
    np.testing.assert_allclose(t["ties"], [1, 4])
    np.testing.assert_allclose(t["robustness"], [1 / 3, 2 / 5])
    assert t["records"].dtype == np.int64 and t["nodes"].dtype == np.int64
    assert t.attrs["measure"] == "trend"


def test_public_names():
    assert wpnet.change is change and wpnet.trend is trend
