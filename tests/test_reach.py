"""Reach on the tiny ecosystem, every value worked by hand from wpnet.datasets.tiny().

Register (non-central): E1 Glasgow primary q1, E2 Glasgow secondary q3, E3 Inverclyde
primary q1, E4 Inverclyde special q5, E5 Renfrewshire early_years q2, E6 Renfrewshire
primary q4; C1 is Glasgow's central team (no quintile). Six eligible, two of them (E1,
E3) in quintile 1.

2022-23 records (1 Aug 2022 - 31 Jul 2023), attributed:
  P1 N1 E1 (dated 1 Aug 2022), P2 N1 E1 lead, P4 N1 E4 (named on the record: P4 moved
  from E3), P3 N2 E2, P5 N2 E4, P7 N1 C1 facilitator, P6 N3 E5.
2021-22 records: P1 N1 E1, P4 N1 E3 (dated 31 Jul 2022, home E3), P3 N2 E2 lead.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import wpnet
import wpnet.datasets
from wpnet.measures.reach import REACH_COLUMNS, reach

NAN = math.nan


def _check(row: pd.Series, expected: list[float]) -> None:
    assert list(row.index) == list(REACH_COLUMNS)
    np.testing.assert_allclose(row.to_numpy(dtype=float), expected, equal_nan=True)


def test_columns_dtypes_and_attrs(tiny2223):
    r = reach(tiny2223)
    assert list(r.columns) == list(REACH_COLUMNS)
    assert r.index.tolist() == ["all"] and r.index.name == "scope"
    ints = ["practitioners", "establishments", "authorities", "networks", "records", "eligible"]
    assert all(r[c].dtype == np.int64 for c in ints)
    assert all(r[c].dtype == np.float64 for c in REACH_COLUMNS if c not in ints)
    assert r.attrs["measure"] == "reach"
    assert r.attrs["scope"] == {"session": "2022-23"}
    assert r.attrs["by"] is None
    json.dumps(r.attrs)  # plain Python types only


def test_whole_2022_23(tiny2223):
    # practitioners P1..P7 = 7; establishments E1, E2, E4, E5, C1 = 5 (C1 counted);
    # 3 authorities; 3 networks; 7 records; eligible 6 (C1 excluded);
    # coverage: E1, E2, E4, E5 of 6 = 2/3 (C1 not in the numerator either);
    # q1: E1 reached, E3 not = 1/2; equity 0.5 / (2/3) = 0.75; depth 7/5;
    # leads: P2 (lead), P7 (facilitator) of 7. P3 led N2 only in 2021-22.
    _check(reach(tiny2223).loc["all"], [7, 5, 3, 3, 7, 6, 2 / 3, 1 / 2, 0.75, 7 / 5, 2 / 7])


def test_whole_2021_22_includes_31_july(tiny):
    # The record of 31 Jul 2022 (P4 at home E3) belongs to 2021-22: practitioners P1, P3,
    # P4; establishments E1, E2, E3; authorities Glasgow, Inverclyde; networks N1, N2;
    # 3 records; coverage 3/6; q1: E1 and E3 = 2/2; equity 1 / 0.5 = 2; depth 1;
    # lead share: P3 of 3.
    _check(
        reach(tiny.select(session="2021-22")).loc["all"],
        [3, 3, 2, 2, 3, 6, 1 / 2, 1.0, 2.0, 1.0, 1 / 3],
    )


def test_pooled_sessions(tiny):
    # Both sessions pooled: 7 practitioners; E1, E2, E3, E4, E5, C1 = 6 establishments
    # (P4 counted at E3 and at E4); coverage 5/6; q1 2/2; equity 1 / (5/6) = 1.2;
    # depth 7/6; leads P2, P3, P7 = 3/7.
    _check(reach(tiny).loc["all"], [7, 6, 3, 3, 10, 6, 5 / 6, 1.0, 1.2, 7 / 6, 3 / 7])


def test_by_network(tiny2223):
    r = reach(tiny2223, by="network")
    assert r.index.name == "network_id" and r.index.tolist() == ["N1", "N2", "N3"]
    # N1: P1, P2, P4, P7; E1, E4, C1; Glasgow + Inverclyde; 4 records; eligible = the
    # whole register (6); coverage E1, E4 = 2/6; q1 E1 = 1/2; equity 0.5/(1/3) = 1.5;
    # depth 4/3; leads P2, P7 = 2/4.
    _check(r.loc["N1"], [4, 3, 2, 1, 4, 6, 1 / 3, 1 / 2, 1.5, 4 / 3, 0.5])
    # N2: P3, P5; E2, E4; 2 authorities; coverage 2/6; no q1 reached -> 0; equity 0.
    _check(r.loc["N2"], [2, 2, 2, 1, 2, 6, 1 / 3, 0.0, 0.0, 1.0, 0.0])
    # N3: P6 at E5, the establishment reached with no co-member: coverage 1/6.
    _check(r.loc["N3"], [1, 1, 1, 1, 1, 6, 1 / 6, 0.0, 0.0, 1.0, 0.0])


def test_by_workstream(tiny2223):
    # One network per workstream in the tiny ecosystem: the rows equal those by network.
    r = reach(tiny2223, by="workstream")
    assert r.index.name == "workstream"
    _check(
        r.loc["Collaborative learning networks"], [4, 3, 2, 1, 4, 6, 1 / 3, 1 / 2, 1.5, 4 / 3, 0.5]
    )
    _check(r.loc["Forums"], [1, 1, 1, 1, 1, 6, 1 / 6, 0.0, 0.0, 1.0, 0.0])


def test_by_authority_moved_practitioner_and_central_team(tiny2223):
    r = reach(tiny2223, by="authority")
    assert r.index.tolist() == ["Glasgow City", "Inverclyde", "Renfrewshire"]
    # Glasgow: P1, P2 (E1), P3 (E2), P7 (C1) = 4; E1, E2, C1 = 3; N1, N2; 4 records;
    # eligible E1, E2 = 2, both reached = 1; q1 E1 1/1; equity 1; depth 4/3; leads 2/4.
    _check(r.loc["Glasgow City"], [4, 3, 1, 2, 4, 2, 1.0, 1.0, 1.0, 4 / 3, 0.5])
    # Inverclyde: P4 counted at E4 where the record names him (not home E3), P5 at E4;
    # eligible E3, E4; coverage 1/2; q1 E3 not reached: 0/1 = 0; equity 0; depth 2.
    _check(r.loc["Inverclyde"], [2, 1, 1, 2, 2, 2, 0.5, 0.0, 0.0, 2.0, 0.0])
    # Renfrewshire: P6 at E5; eligible E5, E6 -> 1/2; no q1 school -> NaN.
    _check(r.loc["Renfrewshire"], [1, 1, 1, 1, 1, 2, 0.5, NAN, NAN, 1.0, 0.0])


def test_unreached_authority_has_a_zero_row(tiny):
    # In 2021-22 Renfrewshire (E5, E6) has no records: zero counts, coverage 0 of 2.
    r = reach(tiny.select(session="2021-22"), by="authority")
    _check(r.loc["Renfrewshire"], [0, 0, 0, 0, 0, 2, 0.0, NAN, NAN, NAN, NAN])
    # Inverclyde in 2021-22: P4 at home E3 (31 July record); coverage 1/2, q1 1/1.
    _check(r.loc["Inverclyde"], [1, 1, 1, 1, 1, 2, 0.5, 1.0, 2.0, 1.0, 0.0])


def test_by_sector_central_row(tiny2223):
    r = reach(tiny2223, by="sector")
    assert r.index.tolist() == ["early_years", "primary", "secondary", "special", "central"]
    # primary: P1, P2 at E1; eligible E1, E3, E6 = 3; coverage 1/3; q1 E1 of E1, E3 = 1/2;
    # equity 1.5; depth 2; lead P2 = 1/2.
    _check(r.loc["primary"], [2, 1, 1, 1, 2, 3, 1 / 3, 0.5, 1.5, 2.0, 0.5])
    # special: E4 with P4, P5; eligible 1, reached 1; no q1 special school.
    _check(r.loc["special"], [2, 1, 1, 2, 2, 1, 1.0, NAN, NAN, 2.0, 0.0])
    # central: C1's facilitator P7 counts, but no eligible establishment -> NaN coverage.
    _check(r.loc["central"], [1, 1, 1, 1, 1, 0, NAN, NAN, NAN, 1.0, 1.0])


def test_by_simd_quintile(tiny2223):
    r = reach(tiny2223, by="simd_quintile")
    assert r.index.tolist() == [1, 2, 3, 4, 5] and r.index.dtype == np.int64
    # q1: E1 (P1, P2) reached, E3 not: coverage 1/2, q1 coverage 1/2, equity 1.
    _check(r.loc[1], [2, 1, 1, 1, 2, 2, 0.5, 0.5, 1.0, 2.0, 0.5])
    # q4: E6, never reached: a zero row.
    _check(r.loc[4], [0, 0, 0, 0, 0, 1, 0.0, NAN, NAN, NAN, NAN])
    # C1 has no quintile: its record is in no quintile row (records sum to 6 of 7).
    assert int(r["records"].sum()) == 6


def test_register_narrowed_by_select(tiny):
    # select(authority="Inverclyde") keeps E3, E4 in the register: eligible 2.
    r = reach(tiny.select(session="2022-23", authority="Inverclyde"), by="network")
    assert r.index.tolist() == ["N1", "N2"]
    assert r["eligible"].tolist() == [2, 2]
    np.testing.assert_allclose(r["coverage"], [0.5, 0.5])


def test_does_not_mutate(tiny2223):
    before = tiny2223.records.copy()
    reach(tiny2223, by="authority")
    pd.testing.assert_frame_equal(tiny2223.records, before)


def test_bad_by(tiny):
    with pytest.raises(ValueError, match="by must be one of"):
        reach(tiny, by="school")


def test_public_name():
    assert wpnet.reach is reach
