"""reflections: hand-worked on the tiny ecosystem (see wpnet.datasets.tiny)."""

from __future__ import annotations

import math

import pytest

import wpnet
from wpnet.evaluation import INDICATORS, THEMES, reflections


@pytest.fixture(scope="module")
def table():
    return reflections(wpnet.tiny(), backbone=None)


def value(table, indicator, session, unit="partnership"):
    row = table[(table["indicator"] == indicator) & (table["unit"] == unit)]
    assert len(row) == 1, (indicator, unit)
    return row.iloc[0][session]


def test_every_theme_and_indicator_is_present(table):
    assert list(dict.fromkeys(table["theme"])) == list(THEMES)
    assert set(table["indicator"]) == set(INDICATORS)
    assert list(table.columns) == [
        "theme", "indicator", "unit", "2021-22", "2022-23", "change", "direction", "meaning",
    ]  # fmt: skip


def test_lead_share_and_leaders_by_level(table):
    # 2021-22: P1, P3, P4 took part; P3 (headteacher) led -> 1/3
    # 2022-23: P1..P7 took part; P2 (middle leader) led, P7 (central officer) facilitated
    assert value(table, "lead_share", "2021-22") == pytest.approx(1 / 3)
    assert value(table, "lead_share", "2022-23") == pytest.approx(2 / 7)
    assert value(table, "leaders_headteacher", "2021-22") == 1
    assert value(table, "leaders_headteacher", "2022-23") == 0
    assert value(table, "leaders_middle_leader", "2022-23") == 1
    assert value(table, "leaders_central_officer", "2022-23") == 1
    # two leaders on two different levels out of seven: ln 2 / ln 7
    assert value(table, "lead_level_evenness", "2022-23") == pytest.approx(
        math.log(2) / math.log(7)
    )
    assert value(table, "lead_level_evenness", "2021-22") == 0.0


def test_level_evenness_by_hand(table):
    # 2022-23 levels: practitioner x3 (P1, P4, P6), one each of ML, HT, SL, CO
    p = [3 / 7] + [1 / 7] * 4
    h = -sum(x * math.log(x) for x in p)
    assert value(table, "level_evenness", "2022-23") == pytest.approx(h / math.log(7))


def test_cross_authority_ties_by_hand(table):
    # 2022-23 ties E1-E4, E4-C1, E2-E4 cross authorities; E1-C1 does not
    assert value(table, "cross_authority_share", "2022-23") == pytest.approx(0.75)
    assert value(table, "ei_index", "2022-23") == pytest.approx(0.5)


def test_per_authority_coverage(table):
    # Renfrewshire: E5, E6; none reached in 2021-22, E5 in 2022-23
    assert value(table, "coverage", "2021-22", "Renfrewshire") == 0.0
    assert value(table, "coverage", "2022-23", "Renfrewshire") == 0.5
    # its only reached establishment (E5) has no ties: no share to report
    assert math.isnan(value(table, "authority_cross_share", "2022-23", "Renfrewshire"))


def test_directions(table):
    d = table.set_index(["indicator", "unit"])["direction"]
    assert d[("lead_share", "partnership")] == "weakening"  # 0.333 -> 0.286
    assert d[("level_evenness", "partnership")] == "strengthening"
    assert d[("coverage", "Glasgow City")] == "stable"  # 1.0 -> 1.0
    assert d[("leaders_headteacher", "partnership")] == "weakening"  # 1 -> 0
    assert d[("authority_cross_share", "Renfrewshire")] == "n/a"
    change = table.set_index(["indicator", "unit"])["change"]
    assert change[("lead_share", "partnership")] == pytest.approx(2 / 7 - 1 / 3)


def test_tolerance_makes_small_moves_stable():
    t = reflections(wpnet.tiny(), backbone=None, tolerance=0.05)
    d = t.set_index(["indicator", "unit"])["direction"]
    assert d[("lead_share", "partnership")] == "stable"  # moved 0.048 < 0.05


def test_one_session_has_no_direction():
    t = reflections(wpnet.tiny(), sessions=["2022-23"], backbone=None)
    assert set(t["direction"]) == {"n/a"}
    assert "2021-22" not in t.columns


def test_unknown_session_is_refused():
    with pytest.raises(ValueError, match="2030-31"):
        reflections(wpnet.tiny(), sessions=["2030-31"], backbone=None)


def test_attrs_name_the_graph(table):
    assert table.attrs["measure"] == "reflections"
    assert table.attrs["backbone"] is None
    assert "2022-23" in table.attrs["graphs"]
