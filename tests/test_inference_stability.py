"""tie_stability: hand-worked on the tiny ecosystem and on a constructed two-session
case with known N11, N10 and N01."""

from __future__ import annotations

import pytest
from _inference_data import ecosystem, establishments, pairs_incidence

import wpnet
from wpnet.errors import UsageError
from wpnet.inference import tie_stability
from wpnet.inference.stability import STABILITY_COLUMNS


def _two_sessions():
    """Schools 0-7 in 2022-23, 2-9 in 2023-24 (0, 1 leave; 8, 9 join); authorities
    A (0-4) and B (5-9).

    2022-23 ties: 0-1, 1-2, 2-3, 3-4, 4-5, 5-6, 6-7
    2023-24 ties: 2-3, 3-4, 4-6, 6-7, 7-8, 8-9, 2-9
    (Schools 0 and 1 have no record in 2023-24 and 8, 9 none in 2022-23.)

    nodes="both" (schools 2-7): before 2-3, 3-4, 4-5, 5-6, 6-7; after 2-3, 3-4, 4-6,
    6-7. N11 = 3 (2-3, 3-4, 6-7), N10 = 2 (4-5, 5-6), N01 = 1 (4-6).
    nodes="union": before 7 ties, after 7; N11 = 3, N10 = 4 (+0-1, 1-2), N01 = 4
    (+7-8, 8-9, 2-9).
    """
    n = 10
    before = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7)]
    after = [(2, 3), (3, 4), (4, 6), (6, 7), (7, 8), (8, 9), (2, 9)]
    b1 = pairs_incidence(n, before)
    b2 = pairs_incidence(n, after)
    b1[8:, :] = 0  # 8, 9 absent before
    b2[:2, :] = 0  # 0, 1 absent after
    est = establishments(n, authorities=["A"] * 5 + ["B"] * 5)
    return ecosystem({"2022-23": b1, "2023-24": b2}, est)


def test_constructed_both():
    t = tie_stability(_two_sessions(), "2022-23", "2023-24")
    assert tuple(t.columns) == STABILITY_COLUMNS
    row = t.loc["all"]
    assert row[["before_ties", "after_ties", "retained", "lapsed", "new", "hamming"]].tolist() == [
        5,
        4,
        3,
        2,
        1,
        3,
    ]
    assert row["jaccard"] == pytest.approx(3 / 6)
    assert row["retention"] == pytest.approx(3 / 5)
    assert t.attrs["units"] == 6
    assert t.attrs["nodes"] == "both"
    assert t.attrs["before"] == "2022-23" and t.attrs["after"] == "2023-24"


def test_constructed_union():
    row = tie_stability(_two_sessions(), "2022-23", "2023-24", nodes="union").loc["all"]
    assert row[["before_ties", "after_ties", "retained", "lapsed", "new"]].tolist() == [
        7,
        7,
        3,
        4,
        4,
    ]
    assert row["jaccard"] == pytest.approx(3 / 11)
    assert row["hamming"] == 8
    assert row["retention"] == pytest.approx(3 / 7)


def test_constructed_by_authority():
    """Ties with at least one end in A (schools 0-4) or B (5-9), nodes="union".
    A: before 0-1, 1-2, 2-3, 3-4, 4-5; after 2-3, 3-4, 4-6, 2-9: N11 2, N10 3, N01 2.
    B: before 4-5, 5-6, 6-7; after 4-6, 6-7, 7-8, 8-9, 2-9: N11 1, N10 2, N01 4."""
    t = tie_stability(_two_sessions(), "2022-23", "2023-24", nodes="union", by="authority")
    assert t.index.tolist() == ["A", "B"]
    assert t.loc["A", ["retained", "lapsed", "new"]].tolist() == [2, 3, 2]
    assert t.loc["B", ["retained", "lapsed", "new"]].tolist() == [1, 2, 4]
    assert t.loc["A", "jaccard"] == pytest.approx(2 / 7)


def test_tiny_by_hand(tiny):
    """tiny: 2021-22 has E1-E3 (N1) and E2 alone in N2; 2022-23 has C1-E1, C1-E4,
    E1-E4, E2-E4. Union: N11 0, N10 1, N01 4. Both sessions reach E1 and E2 only, and
    neither session ties them."""
    u = tie_stability(tiny, "2021-22", "2022-23", nodes="union").loc["all"]
    assert u[["before_ties", "after_ties", "retained", "lapsed", "new", "hamming"]].tolist() == [
        1,
        4,
        0,
        1,
        4,
        5,
    ]
    assert u["jaccard"] == 0.0 and u["retention"] == 0.0
    b = tie_stability(tiny, "2021-22", "2022-23").loc["all"]
    assert b[["before_ties", "after_ties", "retained"]].tolist() == [0, 0, 0]
    assert b.isna()[["jaccard", "retention"]].all()
    a = tie_stability(tiny, "2021-22", "2022-23", nodes="union", by="authority")
    # Glasgow City (C1, E1, E2): E1-E3 before; C1-E1, C1-E4, E1-E4, E2-E4 after
    assert a.loc["Glasgow City", ["lapsed", "new"]].tolist() == [1, 4]
    # Inverclyde (E3, E4): E1-E3 before; C1-E4, E1-E4, E2-E4 after
    assert a.loc["Inverclyde", ["lapsed", "new"]].tolist() == [1, 3]


def test_backbone_passed_on(tiny):
    t = tie_stability(tiny, "2021-22", "2022-23", nodes="union", backbone="threshold")
    # no pair shares two networks in either session
    assert t.loc["all", ["before_ties", "after_ties"]].tolist() == [0, 0]
    assert "threshold backbone" in t.attrs["graph"]["after"]


def test_bad_arguments(tiny):
    with pytest.raises(UsageError, match="nodes"):
        tie_stability(tiny, "2021-22", "2022-23", nodes="all")
    with pytest.raises(UsageError, match="not among the sessions"):
        tie_stability(tiny, "2019-20", "2022-23")
    with pytest.raises(UsageError, match="not an attribute"):
        tie_stability(tiny, "2021-22", "2022-23", by="colour")
    assert wpnet.tie_stability is tie_stability
