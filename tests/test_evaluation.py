"""reflections: hand-worked on the tiny ecosystem (wpnet.datasets.tiny) and simulations
with planted truth (tests/_simulate.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _simulate import simulate

import wpnet
from wpnet.evaluation import (
    CHANGE_COLUMNS,
    INDICATOR_COLUMNS,
    INDICATORS,
    THEMES,
    Reflections,
    reflections,
)


@pytest.fixture(scope="module")
def tiny():
    return reflections(wpnet.tiny(), backbone=None, samples=40, workers=1)


def row(r, indicator, session="2022-23", unit="partnership", group=""):
    t = r.indicators
    got = t[
        (t.indicator == indicator) & (t.unit == unit) & (t.group == group) & (t.session == session)
    ]
    assert len(got) == 1, (indicator, unit, group)
    return got.iloc[0]


def test_shape_and_columns(tiny):
    assert isinstance(tiny, Reflections)
    assert list(tiny.indicators.columns) == list(INDICATOR_COLUMNS)
    assert list(tiny.change.columns) == list(CHANGE_COLUMNS)
    assert list(dict.fromkeys(tiny.indicators.theme)) == list(THEMES)
    assert [c.theme for c in tiny.cards] == list(THEMES)
    assert set(tiny.indicators.indicator) == set(INDICATORS) - {
        "spanning_communities_share",
        "robustness",
    }
    # the duplicate is gone: the E-I index is 2 x cross_authority_share - 1
    assert "ei_index" not in set(tiny.indicators.indicator)
    assert "<h4>equity</h4>" in tiny._repr_html_()


def test_rates_by_hand(tiny):
    # 2022-23: P1..P7 took part; P2 (middle leader) led, P7 (central officer) facilitated
    r = row(tiny, "lead_share")
    assert (r.value, r.n, r.kind) == (pytest.approx(2 / 7), 7, "rate")
    assert row(tiny, "lead_rate_by_level", group="middle_leader").value == 1.0
    assert row(tiny, "lead_rate_by_level", group="practitioner").n == 3  # P1, P4, P6
    # 2021-22: P1 and P4 of the register's three practitioners (P1, P4, P6)
    r = row(tiny, "participation_rate_by_level", "2021-22", group="practitioner")
    assert (r.value, r.n) == (pytest.approx(2 / 3), 3)
    r = row(tiny, "coverage", unit="Inverclyde")  # E4 of E3, E4
    assert (r.value, r.n) == (0.5, 2)


def test_cross_share_with_its_labels_baseline(tiny):
    # 2022-23 ties E1-E4, E4-C1, E2-E4 cross; E1-C1 does not. Nodes E1, E2, E4, E5, C1:
    # three of Glasgow City. Shuffled labels: a tie is within with probability
    # (3/5)(2/4) = 0.3, so expected = 0.7 exactly (500 permutations: within 0.04).
    r = row(tiny, "cross_authority_share")
    assert r.value == 0.75 and r.n == 4
    assert r.expected == pytest.approx(0.7, abs=0.04)
    assert r.excess == pytest.approx(r.value - r.expected)
    # Glasgow City's touching ties: E1-E4, E1-C1, E4-C1, E2-E4 -> 3 of 4 leave it
    g = row(tiny, "authority_cross_share", unit="Glasgow City")
    assert (g.value, g.n) == (0.75, 4)
    assert not math.isnan(g.expected)


def test_equity_gradient_by_hand(tiny):
    t = tiny.indicators
    for name in ("simd_coverage", "simd_depth", "simd_lead_rate"):
        for unit in ["partnership", "Glasgow City", "Inverclyde", "Renfrewshire"]:
            groups = t[(t.indicator == name) & (t.unit == unit) & (t.session == "2022-23")].group
            assert list(groups) == [f"SIMD {q}" for q in range(1, 6)] + ["SIMD 1 − SIMD 5"]
    # quintile 1: E1 (reached: P1, P2; P2 led), E3 (not reached); quintile 5: E4 (P4, P5)
    assert row(tiny, "simd_coverage", group="SIMD 1").value == 0.5
    assert row(tiny, "simd_coverage", group="SIMD 1 − SIMD 5").value == -0.5
    assert row(tiny, "simd_depth", group="SIMD 1").value == 2.0
    assert row(tiny, "simd_depth", group="SIMD 1 − SIMD 5").value == 0.0
    assert row(tiny, "simd_lead_rate", group="SIMD 1 − SIMD 5").value == 0.5
    assert row(tiny, "simd_coverage", unit="Inverclyde", group="SIMD 1").value == 0.0


def test_simd_coverage_of_every_unit_and_quintile_against_pandas():
    """Every authority's and the partnership's SIMD coverage rows (value and n, each
    quintile and the gap), against the register and the session's records in pandas:
    the share of the non-central register establishments of that quintile with a
    record, out of how many there are."""
    eco = wpnet.synthetic(establishments=120, practitioners=900, networks=20, records=2500, seed=3)
    r = reflections(eco, backbone=None, samples=0, workers=1)
    s = eco.sessions[-1]
    reg = eco.establishments.drop_duplicates("establishment_id")
    reg = reg[reg["sector"].fillna("") != "central"]
    reg = reg.assign(
        hit=reg["establishment_id"].isin(eco.select(session=s).records["establishment_id"])
    )
    units = [("partnership", reg), *reg.groupby("authority")]
    assert len(units) == 9
    for unit, part in units:
        want = {}
        for q in range(1, 6):
            sub = part[part["simd_quintile"] == q]
            want[q] = (sub["hit"].mean() if len(sub) else math.nan, len(sub))
        want["gap"] = (want[1][0] - want[5][0], min(want[1][1], want[5][1]))
        for q, (value, n) in want.items():
            group = "SIMD 1 − SIMD 5" if q == "gap" else f"SIMD {q}"
            got = row(r, "simd_coverage", s, unit, group)
            assert got.n == n, (unit, group)
            assert got.value == pytest.approx(value, nan_ok=True), (unit, group)


def test_structural_rows_are_volume_matched(tiny):
    # 2021-22 has 3 practitioners, 2022-23 has 7: 2022-23 is matched at m = 3
    assert tiny.attrs["volume"]["m"] == 3
    r = row(tiny, "largest_component_share", "2021-22")
    assert r.matched == r.value  # the smallest session is its own match
    c = tiny.change
    lcs = c[c.indicator == "largest_component_share"].iloc[0]
    assert lcs.basis == "matched"
    assert lcs.value_to == row(tiny, "largest_component_share").matched


def test_directions_follow_the_interval(tiny):
    c = tiny.change
    for x in c.itertuples():
        if x.direction in ("strengthening", "weakening"):
            assert x.ci_low > 0 or x.ci_high < 0
            assert (x.direction == "strengthening") == (x.ci_low > 0)
        elif x.direction == "no clear change" and not x.no_interval:
            assert x.ci_low <= 0 <= x.ci_high
        elif x.direction == "no clear change":  # no interval: too few defined draws
            assert np.isnan([x.ci_low, x.ci_high]).all() and not np.isnan(x.change)
            assert x.no_interval.startswith("defined in ")
        else:
            assert np.isnan([x.ci_low, x.ci_high, x.change]).any()
        # a row says why exactly when it has no interval
        assert bool(x.no_interval) == bool(np.isnan([x.ci_low, x.ci_high]).any())


def test_samples_zero_gives_point_values_only():
    r = reflections(wpnet.tiny(), backbone=None, samples=0)
    assert r.indicators.ci_low.isna().all() and r.change.ci_low.isna().all()
    assert set(r.change.direction) == {"n/a"}
    assert r.attrs["samples"] == 0 and "no intervals" in r.attrs["notes"][0]


def test_themes_are_configurable():
    themes = {
        "reach": {"indicators": ["coverage"], "question": "Who do we reach?"},
        "people": ["lead_share", "multi_network_share"],
    }
    r = reflections(wpnet.tiny(), themes=themes, backbone=None, samples=0)
    assert [c.theme for c in r.cards] == ["reach", "people"]
    assert r.card("reach").question == "Who do we reach?"
    assert set(r.indicators.indicator) == {"coverage", "lead_share", "multi_network_share"}
    with pytest.raises(ValueError, match="unknown indicators"):
        reflections(wpnet.tiny(), themes={"x": ["ei_index"]}, samples=0)
    with pytest.raises(ValueError, match="sessions not in the data"):
        reflections(wpnet.tiny(), sessions=["2030-31"], samples=0)


def test_cards_say_what_records_cannot_show(tiny):
    for card in tiny.cards:
        assert card.question.endswith("?")
        assert card.cannot_show
        assert {"value", "ci_low", "expected", "matched", "direction", "baseline"} <= set(
            card.indicators.columns
        )


@pytest.mark.slow
def test_null_change_rarely_reads_a_direction():
    """Sessions drawn from one process: at most 5% of the indicator x unit rows (the
    nominal level) read strengthening or weakening over four seeds together (14 of 444,
    3.2%; 3.0% of 4,433 rows over 40 seeds, each block of four seeds at most 4.8%)."""
    flagged = total = 0
    for seed in range(4):
        eco = simulate([{}, {}], seed=seed)
        c = reflections(eco, samples=200, seed=seed, workers=1).change
        c = c.drop_duplicates(["indicator", "unit", "group"])
        c = c[c.direction != "n/a"]
        flagged += int(c.direction.isin(["strengthening", "weakening"]).sum())
        total += len(c)
    assert flagged <= 0.05 * total, (flagged, total)


@pytest.mark.slow
def test_planted_cross_authority_change_reads_strengthening():
    """Cross-authority recruitment doubles (0.2 -> 0.4): the share reads strengthening
    and its excess over the labels baseline grows (raw co-membership graph: the SDSM
    backbone of so small a partnership keeps only a handful of ties)."""
    for seed in range(3):
        eco = simulate([dict(cross=0.2), dict(cross=0.4)], seed=seed)
        r = reflections(eco, themes={"c": ["cross_authority_share"]}, backbone=None,
                        samples=200, seed=seed, workers=1)  # fmt: skip
        assert r.change.direction.item() == "strengthening"
        ex = r.indicators.set_index("session")["excess"]
        assert ex.iloc[1] > ex.iloc[0]


@pytest.mark.slow
def test_twice_the_volume_is_not_structural_strengthening():
    """Second session: networks twice as large from the same process. Read on
    volume-matched values, no structural indicator strengthens."""
    from wpnet.inference._indicators import STRUCTURAL

    for seed in range(3):
        eco = simulate([dict(size=8), dict(size=16)], seed=seed)
        r = reflections(eco, themes={"s": list(STRUCTURAL)}, backbone="threshold",
                        samples=200, seed=seed, workers=1)  # fmt: skip
        assert "strengthening" not in set(r.change.direction), r.change
        # unmatched, the larger session's giant component is larger
        t = r.indicators[r.indicators.indicator == "largest_component_share"]
        assert t.value.iloc[1] >= t.matched.iloc[1]


@pytest.mark.slow
def test_notebook_02_shows_cards_intervals_baselines_and_directions():
    """Run notebooks/02_reflections.ipynb and check what its cells show."""
    import re

    from _notebooks import executed

    nb = executed("02_reflections.ipynb")
    code = [c for c in nb.cells if c.cell_type == "code"]

    def shown(cell, kind="text/html"):
        return "".join(o.get("data", {}).get(kind, "") or o.get("text", "") for o in cell.outputs)

    cards = shown(code[0])
    for theme, spec in THEMES.items():
        assert theme in cards and spec.question.replace("'", "&#x27;") in cards
    assert cards.count("What the records cannot show") == len(THEMES)
    line = shown(code[2], "text/plain")
    m = re.search(r": ([\d.]+) \(95% interval ([\d.]+) to ([\d.]+), n = \d+ ties\); "
                  r"expected ([\d.]+) .*: (at chance|beyond chance)", line)  # fmt: skip
    assert m, line
    value, lo, hi, expected = map(float, m.groups()[:4])
    assert lo <= value <= hi
    assert (m.group(5) == "at chance") == (lo <= expected <= hi)
    for col in ("expected", "excess"):
        assert col in shown(code[3])
    directions = set(re.findall(r"strengthening|weakening|no clear change|n/a", shown(code[4])))
    assert directions and directions <= {"strengthening", "weakening", "no clear change", "n/a"}
    assert "matched" in shown(code[5])
    assert shown(code[6]).count("SIMD ") >= 6  # five quintiles and the gap
    assert "Who leads the networks, at which level?" in shown(code[7])


@pytest.mark.slow
def test_centred_change_intervals_hold_the_observed_change():
    """Every change interval of a CENTRED indicator holds its observed change, and an
    observed change of 0 reads no direction. With the draws' mean moved onto the
    change (before 2026-12-02), this partnership's West Dunbartonshire coverage, 0.75
    in both sessions, read "weakening" on an interval [-0.005, -0.005]."""
    from wpnet.evaluation import CENTRED

    eco = wpnet.synthetic(establishments=80, practitioners=700, networks=22, records=2600,
                          seed=41, sessions=2)  # fmt: skip
    c = reflections(eco, samples=200, workers=1).change
    c = c[c.indicator.isin(CENTRED) & c.ci_low.notna()]
    assert len(c) > 50
    assert ((c.ci_low <= c.change + 1e-12) & (c.change - 1e-12 <= c.ci_high)).all()
    zero = c[c.change.abs() < 1e-12]
    assert len(zero) > 10 and set(zero.direction) == {"no clear change"}
    wd = c[(c.indicator == "coverage") & (c.unit == "West Dunbartonshire")].iloc[0]
    assert wd.value_from == wd.value_to == 0.75 and wd.direction == "no clear change"


def test_a_share_at_its_bound_in_both_sessions_reads_no_direction():
    """West Dunbartonshire's authority_cross_share is 1.0 in both sessions of this small
    partnership (observed change 0); the SDSM backbone refitted on each draw leaves the
    share defined in two draws, both below 1 in the later session, so the percentile
    interval of the change was [-0.325, -0.008], wholly below the change: it read
    "weakening" (before 2026-12-02). Widened to hold the observed change, the interval
    reached 0 (-0.325 to 0): no clear change; a share defined in 2 draws now has no
    interval at all. Every change interval, of every indicator, holds its observed
    change (four rows did not)."""
    eco = wpnet.synthetic(establishments=120, practitioners=900, networks=30, records=3500,
                          seed=40, sessions=3)  # fmt: skip
    c = reflections(eco, sessions=["2022-23", "2023-24"], samples=200, workers=1).change
    c = c.drop_duplicates(["indicator", "unit", "group"])
    wd = c[(c.indicator == "authority_cross_share") & (c.unit == "West Dunbartonshire")].iloc[0]
    assert wd.value_from == wd.value_to == 1.0 and wd.change == 0.0
    # defined in 2 of 200 draws: since 2026-12-02 no interval at all (MIN_DEFINED)
    assert np.isnan([wd.ci_low, wd.ci_high]).all() and wd.direction == "no clear change"
    assert wd.no_interval == "defined in 2 of 200 draws; an interval needs 190 (95% of them)"
    has = c[c.ci_low.notna()]
    assert len(has) > 100
    assert ((has.ci_low <= has.change + 1e-12) & (has.change - 1e-12 <= has.ci_high)).all()
    zero = c[c.change.abs() < 1e-12]
    assert len(zero) > 10 and set(zero.direction) == {"no clear change"}
    # no interval around a change that is not there (a share undefined in a session)
    assert c.loc[c.change.isna(), ["ci_low", "ci_high"]].isna().all().all()


def _change_row(r, indicator, unit="partnership", group=""):
    c = r.change
    got = c[(c.indicator == indicator) & (c.unit == unit) & (c.group == group)]
    return got.iloc[0]


def test_a_rate_defined_in_few_draws_gets_no_interval_and_says_why(tiny):
    """The tiny ecosystem's headteachers: one in 2021-22 (who led), two in 2022-23 (who
    did not). A draw without a headteacher's network has no rate (0/0): the rate is
    defined in 32 and 27 of 40 draws, the change in 20. Before 2026-12-02 the change's
    interval, read from those 20 draws, was [-1, -1]: "weakening" from one person; and
    the 2022-23 level had the interval [0, 0]. Now neither has an interval (95% of the
    draws, 38 of 40, are needed), each says why, and the change reads no clear change.
    The counts are checked against the draws of :func:`wpnet.inference.bootstrap`
    (the same draws of each session's networks)."""
    from wpnet.inference.bootstrap import bootstrap

    ch = _change_row(tiny, "lead_rate_by_level", group="headteacher")
    assert (ch.value_from, ch.value_to, ch.change) == (1.0, 0.0, -1.0)
    assert np.isnan([ch.ci_low, ch.ci_high]).all() and ch.direction == "no clear change"
    assert ch.no_interval == "defined in 20 of 40 draws; an interval needs 38 (95% of them)"
    now = row(tiny, "lead_rate_by_level", group="headteacher")
    assert now.value == 0.0 and np.isnan([now.ci_low, now.ci_high]).all()
    assert now.no_interval == "defined in 27 of 40 draws; an interval needs 38 (95% of them)"
    finite = {}
    for s in ("2021-22", "2022-23"):
        b = bootstrap(wpnet.tiny().select(session=s), "lead_rate_by_level", samples=40,
                      backbone=None, workers=1)  # fmt: skip
        finite[s] = np.isfinite(b.attrs["draws"][:, list(b.group).index("headteacher")])
    assert finite["2022-23"].sum() == 27 and (finite["2021-22"] & finite["2022-23"]).sum() == 20
    # the cross-authority share of the tiny graph: defined in 19 of 40 draws in 2022-23
    cas = row(tiny, "cross_authority_share")
    assert np.isnan(cas.ci_low) and cas.no_interval.startswith("defined in 19 of 40 draws")


def test_a_value_defined_in_every_draw_keeps_its_interval(tiny):
    """Rows whose value is defined in every draw keep the interval they had before the
    rule (values of the code of 2026-12-02, before MIN_DEFINED), and say no reason."""
    before = {  # (indicator, group): (ci_low, ci_high, direction) of the change
        ("lead_share", ""): (-1.0, 0.4011111111111111, "no clear change"),
        ("participation_rate_by_level", "practitioner"):
            (-0.6749999999999997, 1.6666666666666667, "no clear change"),
        ("coverage", ""): (-0.33333333333333337, 0.33749999999999974, "no clear change"),
        ("simd_coverage", "SIMD 1 − SIMD 5"): (-2.0, -0.5, "weakening"),
    }  # fmt: skip
    for (name, group), (lo, hi, direction) in before.items():
        ch = _change_row(tiny, name, group=group)
        assert (ch.ci_low, ch.ci_high, ch.direction) == (lo, hi, direction), name
        assert ch.no_interval == ""
    levels = {
        ("lead_share", "2022-23"): (0.0, 0.5),
        ("coverage", "2022-23"): (0.33333333333333326, 0.8333333333333333),
        ("multi_network_share", "2021-22"): (0.0, 0.0),
    }
    for (name, session), (lo, hi) in levels.items():
        now = row(tiny, name, session)
        assert (now.ci_low, now.ci_high, now.no_interval) == (lo, hi, ""), name
    assert tiny.attrs["min_defined"] == 0.95


def test_rows_without_an_interval_say_why():
    """Every row without an interval names its reason: point values only, a value
    missing, a structural level, a graph indicator between the ends, too few draws."""
    r = reflections(wpnet.tiny(), backbone=None, samples=0)
    assert set(r.indicators.no_interval) == {"samples=0: point values only"}
    assert set(r.change.no_interval) == {"samples=0: point values only"}
    eco = simulate([{}, {}, {}], seed=1)
    r = reflections(eco, themes={"t": ["cross_authority_share", "largest_component_share",
                                       "lead_share"]}, backbone=None, samples=20, workers=1)  # fmt: skip
    t = r.indicators.set_index(["indicator", "session"])
    middle = r.attrs["sessions"][1]
    assert t.loc[("cross_authority_share", middle), "no_interval"].startswith("graph indicators")
    assert t.loc[("largest_component_share", middle), "no_interval"].startswith("structural")
    assert (t.loc["lead_share", "no_interval"] == "").all()
    assert (t.loc["lead_share", "ci_low"].notna()).all()
