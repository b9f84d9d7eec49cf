"""The network bootstrap and volume matching (INFERENCE.md §5-§6).

Oracles: wpnet.capacity / wpnet.reach / wpnet.project (a draw with every network once
is the session), brute-force enumeration (weighted SDSM tails), hand-worked draws on
wpnet.tiny(), and simulations with planted truth (tests/_simulate.py).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from _simulate import simulate

import wpnet
from wpnet.inference._draws import DrawBatch, DrawGroup, _run, batchable, cross_shares, subsample
from wpnet.inference._indicators import (
    STRUCTURAL,
    evaluate,
    layout_of,
    network_draw,
    prepare,
    weighted_sdsm_pvalues,
    weighted_tails,
)
from wpnet.inference.bootstrap import bootstrap, bootstrap_change
from wpnet.inference.volume import match_volume

OPTS = dict(alpha=0.05, min_weight=2, correction="none", seed=0)


def _data(eco, session, backbone=None):
    return prepare(
        eco.select(session=session), eco, label=session, layout=layout_of(eco),
        backbone=backbone, **OPTS,
    )  # fmt: skip


def _value(sd, values, name, unit="partnership", group=""):
    return values[sd.layout.index()[(name, unit, group)]]


@pytest.mark.parametrize("backbone", [None, "sdsm", "threshold", "disparity"])
def test_a_draw_of_every_network_once_is_the_session(backbone):
    eco = wpnet.synthetic(establishments=120, practitioners=900, networks=25, records=2500,
                          sessions=2, seed=3)  # fmt: skip
    s = eco.sessions[-1]
    sel = eco.select(session=s)
    sd = _data(eco, s, backbone)
    v = evaluate(sd)
    cap = wpnet.capacity(sel, backbone=backbone)
    for name in ("cross_authority_share", "largest_component_share", "robustness",
                 "spanning_communities_share", "multi_network_share", "lead_share"):  # fmt: skip
        assert _value(sd, v, name) == pytest.approx(cap[name].iloc[0], nan_ok=True), name
    by_auth = wpnet.capacity(sel, by="authority", backbone=backbone)
    cov = wpnet.reach(sel, by="authority")
    for a in sd.layout.authorities:
        assert _value(sd, v, "authority_cross_share", a) == pytest.approx(
            by_auth["cross_authority_share"].get(a, np.nan), nan_ok=True
        )
        assert _value(sd, v, "coverage", a) == pytest.approx(cov.at[a, "coverage"])
    q = wpnet.reach(sel, by="simd_quintile")
    for k in range(1, 6):
        g = f"SIMD {k}"
        assert _value(sd, v, "simd_coverage", group=g) == pytest.approx(q.at[k, "coverage"])
        assert _value(sd, v, "simd_depth", group=g) == pytest.approx(q.at[k, "depth"])
        assert _value(sd, v, "simd_lead_rate", group=g) == pytest.approx(q.at[k, "lead_share"])


def test_weighted_tails_by_enumeration():
    rng = np.random.default_rng(4)
    q = rng.random((3, 4))
    w = np.array([1, 3, 2, 1])
    got = weighted_tails(q, w, 8)
    for r in range(3):
        dist = np.zeros(9)
        for bits in itertools.product([0, 1], repeat=4):
            p = np.prod([q[r, t] if b else 1 - q[r, t] for t, b in enumerate(bits)])
            dist[sum(w[t] * b for t, b in enumerate(bits))] += p
        tail = dist[::-1].cumsum()[::-1]
        assert got[r] == pytest.approx(tail, abs=1e-12)


def test_weighted_sdsm_with_single_copies_is_sdsm():
    try:
        from wpnet.backbones import sdsm_pvalues
    except ImportError:
        from wpnet.backbone import sdsm_pvalues
    eco = wpnet.synthetic(establishments=150, practitioners=800, networks=30, records=2000,
                          sessions=1, seed=5)  # fmt: skip
    sd = _data(eco, eco.sessions[0], "sdsm")
    b = sd.b[np.asarray(sd.b.sum(axis=1)).ravel() > 0]
    i, j, p = sdsm_pvalues(b)
    w = np.asarray((b @ b.T)[i, j]).ravel()
    ours = weighted_sdsm_pvalues(b.tocsr(), np.ones(b.shape[1], dtype=np.int64), i, j, w)
    assert ours == pytest.approx(p, rel=1e-6, abs=1e-12)


def test_a_doubled_network_by_hand():
    # tiny 2022-23 with N1 drawn twice, N2 not at all, N3 once. N1's records: P1, P2 (lead),
    # P4, P7 (facilitator); N3: P6. Copy j of N1 carries instance j of its members.
    eco = wpnet.tiny()
    sd = _data(eco, "2022-23")
    c = np.array([{"N1": 2, "N2": 0, "N3": 1}[k] for k in sd.network_ids])
    v = evaluate(sd, c)
    assert _value(sd, v, "lead_share") == pytest.approx(4 / 9)  # P2, P7 x 2 of 9 instances
    assert _value(sd, v, "multi_network_share") == 0.0
    assert _value(sd, v, "lead_rate_by_level", group="practitioner") == 0.0  # P1, P4, P6
    assert _value(sd, v, "participation_rate_by_level", group="practitioner") == pytest.approx(
        5 / 3
    )  # 5 instances (P1 x2, P4 x2, P6) of 3 practitioners on the register
    for a in ("Glasgow City", "Inverclyde", "Renfrewshire"):
        assert _value(sd, v, "coverage", a) == 0.5  # E1 of E1,E2; E4 of E3,E4; E5 of E5,E6
    # ties E1-E4 (cross), E1-C1 (within), E4-C1 (cross); E5 an isolate
    assert _value(sd, v, "cross_authority_share") == pytest.approx(2 / 3)
    assert _value(sd, v, "largest_component_share") == pytest.approx(3 / 4)
    assert _value(sd, v, "simd_depth", group="SIMD 1") == 4.0  # P1, P2 x 2 at E1
    assert _value(sd, v, "simd_lead_rate", group="SIMD 1 − SIMD 5") == pytest.approx(0.5)


def test_network_draw_and_subsample():
    rng = np.random.default_rng(0)
    c = network_draw(40, rng)
    assert c.sum() == 40 and c.min() >= 0
    eco = wpnet.tiny()
    sd = _data(eco, "2022-23")
    ones = np.ones(sd.n_k, dtype=np.int64)
    keep = subsample(sd, ones, 4, seed=1)
    assert keep.sum() == 4
    assert subsample(sd, ones, 7, seed=1) is None  # 7 practitioners: taken whole
    # a kept practitioner keeps all their records
    v = evaluate(sd, ones, keep, which={"lead_share"})
    assert _value(sd, v, "lead_share") * 4 == pytest.approx(
        sum(keep[p] for p in set(sd.rec_p[sd.rec_lead]))
    )


def test_bootstrap_is_seeded_and_independent_of_workers():
    eco = simulate([dict(size=6)], seed=2, networks=12)
    a = bootstrap(eco, "cross_authority_share", samples=30, seed=7, workers=1, backbone=None)
    b = bootstrap(eco, "cross_authority_share", samples=30, seed=7, workers=2, backbone=None)
    c = bootstrap(eco, "cross_authority_share", samples=30, seed=8, workers=1, backbone=None)
    np.testing.assert_array_equal(a.attrs["draws"], b.attrs["draws"])
    assert not np.array_equal(a.attrs["draws"], c.attrs["draws"])
    row = a.iloc[0]
    d = a.attrs["draws"][:, 0]
    assert row["ci_low"] == pytest.approx(np.percentile(d, 2.5))
    assert row["ci_high"] == pytest.approx(np.percentile(d, 97.5))
    assert a.attrs["samples"] == 30 and a.attrs["seed"] == 7 and a.attrs["backbone"] is None
    assert "graph" in a.attrs and "model" in a.attrs
    with pytest.raises(ValueError, match="indicator must be one of"):
        bootstrap(eco, "ei_index")


def test_bootstrap_change_matches_its_draws():
    eco = simulate([dict(size=6), dict(size=6)], seed=3, networks=12)
    s0, s1 = eco.sessions
    d = bootstrap_change(eco, "lead_share", before=s0, after=s1, samples=40, seed=1,
                         workers=1, backbone=None)  # fmt: skip
    one = [bootstrap(eco.select(session=s), "lead_share", samples=40, seed=1, workers=1,
                     backbone=None) for s in (s0, s1)]  # fmt: skip
    # not the same draws (a session's draws are seeded by its name, not by the pool)
    assert d.iloc[0]["change"] == pytest.approx(one[1].iloc[0]["value"] - one[0].iloc[0]["value"])
    diffs = d.attrs["draws"][:, 0]
    assert d.iloc[0]["ci_low"] == pytest.approx(np.percentile(diffs, 2.5))
    assert d.attrs["matched"] is False


def test_match_volume_by_hand_and_reproducible():
    eco = simulate([dict(size=6), dict(size=12)], seed=4, networks=12)
    t = match_volume(eco, draws=6, seed=3, backbone=None, workers=1)
    u = match_volume(eco, draws=6, seed=3, backbone=None, workers=2)
    pd.testing.assert_frame_equal(t, u)
    counts = t.groupby("session")["practitioners"].first()
    assert (t["m"] == counts.min()).all()
    small = t[t["practitioners"] == counts.min()]
    assert np.allclose(small["matched"], small["observed"], equal_nan=True)
    assert set(t["indicator"]) == set(STRUCTURAL)
    assert t.attrs["samples"] == 6 and t.attrs["m"] == counts.min()
    assert (t["low"] <= t["matched"] + 1e-12).all() and (t["matched"] <= t["high"] + 1e-12).all()


@pytest.mark.slow
def test_change_interval_covers_zero_under_one_process():
    """Two sessions from one process: each structural indicator's 95% change interval
    covers 0 in about 95% of 20 seeds (at least 16: P(X < 16) < 0.003 for X ~ Bin(20, 0.95);
    an interval that covered 0 only 70% of the time would pass with P(X ≥ 16) ≈ 0.24)."""
    from wpnet.evaluation import reflections

    themes = {"structure": list(STRUCTURAL)}
    covered = {name: 0 for name in STRUCTURAL}
    for seed in range(20):
        eco = simulate([dict(size=10), dict(size=10)], seed=100 + seed, networks=20,
                       per_authority=10)  # fmt: skip
        # the threshold backbone (ties of two or more shared networks) has a giant
        # component of about 0.9 here; SDSM keeps almost nothing at this size
        # both cores (results do not depend on workers: tested above)
        r = reflections(eco, themes=themes, samples=100, seed=seed, workers=2,
                        backbone="threshold")  # fmt: skip
        for row in r.change.itertuples():
            if np.isnan(row.ci_low) or (row.ci_low <= 0 <= row.ci_high):
                covered[row.indicator] += 1
    assert all(v >= 16 for v in covered.values()), covered


def test_percentile_interval_level_takes_the_named_quantiles() -> None:
    from wpnet.inference._draws import centred_interval, percentile_interval

    draws = np.arange(1001, dtype=float).reshape(-1, 1)  # 0..1000: quantile q is 1000 q
    lo, hi = percentile_interval(draws)
    np.testing.assert_allclose([lo[0], hi[0]], [25.0, 975.0])
    lo, hi = percentile_interval(draws, level=0.99)
    np.testing.assert_allclose([lo[0], hi[0]], [5.0, 995.0])
    lo, hi = centred_interval(draws, np.array([0.0]), level=0.9)  # median 500 moved to 0
    np.testing.assert_allclose([lo[0], hi[0]], [-450.0, 450.0])
    # skewed draws: the median (not the mean, 0.49) is moved onto the centre
    skewed = np.r_[np.zeros(98), 24.0, 25.0].reshape(-1, 1)
    lo, hi = centred_interval(skewed, np.array([1.0]))
    np.testing.assert_allclose([lo[0], hi[0]], [1.0, 1.0 + np.percentile(skewed, 97.5)])
    with pytest.raises(ValueError, match="level"):
        percentile_interval(draws, level=1.0)


def test_held_interval_holds_the_observed_value_and_reads_no_direction_at_zero() -> None:
    """The percentile interval widened to the observed value: unchanged where it holds
    it; a change of 0 beside draws wholly below it (a share at its ceiling in both
    sessions, backbone refitted per draw) gets an interval reaching 0, so no direction;
    NaN where the value or every draw is NaN."""
    from wpnet.evaluation import _direction
    from wpnet.inference._draws import held_interval, percentile_interval

    below = np.linspace(-0.77, -0.01, 200)
    draws = np.c_[below, below, below + 0.5, np.full(200, np.nan), below]
    observed = np.array([0.0, -0.2, 0.6, 0.1, np.nan])
    plo, phi = percentile_interval(draws)
    lo, hi = held_interval(draws, observed)
    assert phi[0] < 0  # the percentile interval reads "weakening" on a change of 0
    assert _direction(plo[0], phi[0], 0.0, "higher") == "weakening"
    np.testing.assert_allclose([lo[0], hi[0]], [plo[0], 0.0])
    assert _direction(lo[0], hi[0], 0.0, "higher") == "no clear change"
    np.testing.assert_allclose([lo[1], hi[1]], [plo[1], phi[1]])  # held already: as it was
    np.testing.assert_allclose([lo[2], hi[2]], [plo[2], 0.6])
    assert np.isnan(lo[3:]).all() and np.isnan(hi[3:]).all()
    ok = np.isfinite(lo)
    assert ((lo[ok] <= observed[ok]) & (observed[ok] <= hi[ok])).all()


def _same(a, b) -> bool:
    """Equal arrays, NaN where the other is NaN (nested lists and tuples of them too)."""
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(np.array_equal(a, b, equal_nan=True))


def test_cross_shares_of_many_draws_are_evaluate_draw_by_draw(monkeypatch):
    eco = wpnet.synthetic(establishments=120, practitioners=900, networks=25, records=2500,
                          sessions=2, seed=3)  # fmt: skip
    sd = _data(eco, eco.sessions[-1])
    sd.e_auth = np.where(np.arange(sd.n_e) % 5 == 0, -1, sd.e_auth)  # some authorities unknown
    rng = np.random.default_rng(7)
    cs, keeps = [np.ones(sd.n_k, dtype=np.int64)], [None]  # the session itself
    for d in range(40):
        c = network_draw(sd.n_k, rng)
        people = np.flatnonzero(np.bincount(sd.rec_p[c[sd.rec_k] > 0], minlength=sd.n_p))
        keep = None if d % 3 == 0 else subsample(sd, c, max(1, people.size // (d % 5 + 1)), d)
        cs.append(c)
        keeps.append(keep)
    cs.append(cs[1])
    keeps.append(np.zeros(sd.n_p, dtype=bool))  # nobody kept: no tie, no share
    at = sd.layout.index()[("cross_authority_share", "partnership", "")]
    alone = [
        evaluate(sd, c, k, which={"cross_authority_share"})[at]
        for c, k in zip(cs, keeps, strict=True)
    ]
    ours = cross_shares(sd, cs, keeps)
    assert np.isnan(alone[-1]) and not np.isnan(alone[1:-1]).any()
    assert len(set(np.round(alone, 12))) > 20  # the draws differ
    assert np.array_equal(ours, np.array(alone), equal_nan=True)
    # a large graph's draws go a few at a time (here one at a time): the same shares
    import wpnet.inference._draws as ind

    monkeypatch.setattr(ind, "BATCH_CELLS", 1)
    assert np.array_equal(cross_shares(sd, cs, keeps), ours, equal_nan=True)


@pytest.mark.parametrize("backbone", [None, "sdsm"])
def test_a_batch_of_draws_gives_what_each_draw_gives_alone(backbone):
    eco = wpnet.synthetic(establishments=120, practitioners=900, networks=25, records=2500,
                          sessions=2, seed=3)  # fmt: skip
    sessions = tuple(eco.sessions)
    shared = {s: _data(eco, s, backbone) for s in sessions}
    graph, cheap = frozenset({"cross_authority_share"}), frozenset({"coverage", "lead_share"})
    assert batchable(shared[sessions[0]].opts, graph) == (backbone is None)
    groups = [DrawGroup(b, 5, sessions, sessions, graph, cheap) for b in range(9)]
    alone = [_run(shared, g) for g in groups]
    together = _run(shared, DrawBatch(tuple(groups)))
    assert len(together) == len(groups) and _same(together, alone)
    # a session no larger than the matched count is not subsampled: one vector for both
    assert any(v[0] is v[1] for row in together for v in row)
    at = shared[sessions[-1]].layout.index()[("cross_authority_share", "partnership", "")]
    assert len({float(row[-1][1][at]) for row in together}) > 5  # the draws differ


def test_batchable_only_without_a_backbone_and_for_the_cross_share():
    assert batchable({"backbone": None}, {"cross_authority_share"})
    assert not batchable({"backbone": "sdsm"}, {"cross_authority_share"})
    assert not batchable({"backbone": None}, {"cross_authority_share", "robustness"})
    assert not batchable({"backbone": None}, set())


def test_bootstrap_gives_no_interval_from_too_few_defined_draws() -> None:
    """wpnet.tiny()'s headteachers: the 2022-23 rate is defined (not 0/0) in 27 of 40
    draws, the change from 2021-22 in 20; before 2026-12-02 their intervals were read
    from those draws ([0, 0] and [-1, -1], a change from one person). Now 38 of 40 (95%)
    are needed: NaN, with ``defined`` saying in how many. The practitioners' rate,
    defined in 39, and lead_share, in every draw, keep the intervals they had."""
    sel = wpnet.tiny().select(session="2022-23")
    b = bootstrap(sel, "lead_rate_by_level", samples=40, backbone=None, workers=1)
    b = b.set_index("group")  # and no warning from the se of a column never defined
    assert b.loc["headteacher", "defined"] == 27 and np.isnan(b.loc["headteacher", "ci_low"])
    assert b.loc["practitioner", "defined"] == 39
    assert (b.loc["practitioner", "ci_low"], b.loc["practitioner", "ci_high"]) == (0.0, 0.0)
    # the spread and bias of 27 draws say no more than their percentiles: NaN too, while
    # a row defined in enough draws keeps them (the draws' own std and mean - value)
    assert np.isnan(b.loc["headteacher", ["se", "bias"]].to_numpy(float)).all()
    kept = b.attrs["draws"][:, list(b.index).index("practitioner")]
    assert b.loc["practitioner", "se"] == pytest.approx(np.nanstd(kept, ddof=1))
    assert b.loc["practitioner", "bias"] == pytest.approx(
        np.nanmean(kept) - b.loc["practitioner", "value"]
    )
    d = bootstrap_change(wpnet.tiny(), "lead_rate_by_level", before="2021-22",
                         after="2022-23", samples=40, backbone=None, workers=1)  # fmt: skip
    d = d.set_index("group")
    assert d.loc["headteacher", "change"] == -1.0 and d.loc["headteacher", "defined"] == 20
    assert np.isnan(d.loc["headteacher", ["ci_low", "ci_high", "bias"]].to_numpy(float)).all()
    # defined in every draw: as before the rule
    b = bootstrap(sel, "lead_share", samples=40, backbone=None, workers=1)
    assert (b.defined.item(), b.ci_low.item(), b.ci_high.item()) == (40, 0.0, 0.5)
    d = bootstrap_change(wpnet.tiny(), "lead_share", before="2021-22", after="2022-23",
                         samples=40, backbone=None, workers=1)  # fmt: skip
    assert (d.defined.item(), d.ci_low.item(), d.ci_high.item()) == (40, -1.0, 0.4011111111111111)
