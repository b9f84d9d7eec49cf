"""The report's fast paths give exactly the reference computation.

- sessions prepared from one reading of the register and the records
  (``register_of`` + ``prepare_records``) equal the former ``prepare`` of each
  ``eco.select(session=s)`` (kept here, verbatim, as the reference);
- ``workstream_reflections`` equals ``reflections(eco.select(workstream=w))``;
- ``label_expected`` equals a plain loop over permutations and ties on a hand-built
  graph (networkx gives the ties), whatever indicators are asked for; its two ways of
  counting label pairs (dense products, blocked ``bincount``) equal a plain loop on
  random dense and sparse graphs, one block or many;
- the themed tables equal the former per-indicator concatenation.

On the example (``wpnet.load_example()``) and on small hand-built ecosystems.
"""

from __future__ import annotations

import warnings
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import wpnet
from wpnet.ecosystem import Ecosystem
from wpnet.evaluation import INDICATORS, THEMES, reflections, workstream_reflections
from wpnet.graphs import GraphSpec
from wpnet.inference import _labels
from wpnet.inference._indicators import QUINTILES, SessionData, layout_of, prepare, register_of
from wpnet.inference._labels import label_expected
from wpnet.report.compute import WORKSTREAM_THEME, workstream_change
from wpnet.schema import LEVELS

OPTS = dict(backbone=None, alpha=0.05, min_weight=2, correction="none")


# ---- the reference: prepare as it was, one selected session against the register ----
def _codes(values: pd.Series, categories: list[Any]) -> np.ndarray:
    idx = pd.Index(categories)
    return idx.get_indexer(values.astype(object).where(values.notna(), None)).astype(np.int64)


def _reference(eco: Ecosystem, register: Ecosystem, layout) -> dict[str, Any]:
    """The arrays the former ``prepare`` built (record-level ones; the sparse
    structures follow from them)."""
    rec = eco.records
    rec = rec[rec["network_id"].notna() & rec["practitioner_id"].notna()]
    est = register.establishments.drop_duplicates("establishment_id")
    est_ids = est["establishment_id"].astype(str).tolist()
    rec_est = rec["establishment_id"].astype(object).where(rec["establishment_id"].notna(), None)
    extra = sorted({str(x) for x in rec_est.dropna()} - set(est_ids))
    e_index = pd.Index(est_ids + extra)
    rec_e = e_index.get_indexer(rec_est.astype(str).where(rec_est.notna(), "\0"))
    ok = rec_e >= 0
    rec = rec[ok]
    n_e = len(est_ids) + len(extra)
    e_auth = np.full(n_e, -1, dtype=np.int64)
    e_auth[: len(est_ids)] = _codes(est["authority"], list(layout.authorities))
    e_q = np.zeros(n_e, dtype=np.int64)
    q = pd.to_numeric(est["simd_quintile"], errors="coerce").to_numpy(dtype=np.float64)
    e_q[: len(est_ids)] = np.where(np.isin(q, QUINTILES), q, 0).astype(np.int64)
    e_eligible = np.zeros(n_e, dtype=bool)
    e_eligible[: len(est_ids)] = (est["sector"].astype(object) != "central").to_numpy(dtype=bool)
    p_codes, p_ids = pd.factorize(rec["practitioner_id"].astype(str))
    k_codes, k_ids = pd.factorize(rec["network_id"].astype(str))
    prac = register.practitioners.drop_duplicates("practitioner_id").set_index("practitioner_id")
    reg_levels = _codes(prac["level"], list(LEVELS))
    return dict(
        rec_p=p_codes.astype(np.int64),
        rec_k=k_codes.astype(np.int64),
        rec_e=rec_e[ok].astype(np.int64),
        rec_lead=rec["lead"].to_numpy(dtype=bool),
        n_p=len(p_ids),
        n_k=len(k_ids),
        n_e=n_e,
        p_level=_codes(prac["level"].reindex(pd.Index(p_ids)).astype(object), list(LEVELS)),
        e_auth=e_auth,
        e_q=e_q,
        e_eligible=e_eligible,
        register_level=np.bincount(reg_levels[reg_levels >= 0], minlength=len(LEVELS)),
        network_ids=tuple(str(x) for x in k_ids),
    )


def _assert_same(sd: SessionData, ref: dict[str, Any]) -> None:
    for name, want in ref.items():
        got = getattr(sd, name)
        if isinstance(want, np.ndarray):
            assert got.dtype == want.dtype, name
            np.testing.assert_array_equal(got, want, err_msg=name)
        else:
            assert got == want, name
    b = np.zeros((ref["n_e"], ref["n_k"]))
    b[ref["rec_e"], ref["rec_k"]] = 1.0
    np.testing.assert_array_equal(sd.b.toarray(), b)
    shared = np.triu(b @ b.T, k=1)
    i, j = np.nonzero(shared)
    np.testing.assert_array_equal(sd.pair_i, i)
    np.testing.assert_array_equal(sd.pair_j, j)
    np.testing.assert_array_equal(sd.pair_net.toarray(), b[i] * b[j])


@pytest.fixture(scope="module")
def example() -> Ecosystem:
    return wpnet.load_example()


def _odd() -> Ecosystem:
    """Hand-built: records naming establishments not on the register (appended,
    sorted), one without a network (left out), a repeated register row, a practitioner
    of unknown level, one of an establishment with no authority, and two whose home is
    not on the register (p5 with a record in workstream W, p6 with none)."""
    est = pd.DataFrame(
        {
            "establishment_id": ["E2", "E1", "E3", "E1"],
            "authority": ["A", "B", None, "Z"],
            "sector": ["primary", "central", "secondary", "primary"],
            "simd_quintile": [1, 5, None, 2],
        }
    )
    prac = pd.DataFrame(
        {
            "practitioner_id": ["p1", "p2", "p3", "p4", "p5", "p6"],
            "establishment_id": ["E1", "E2", "E3", "E2", "E7", "E8"],
            "level": ["practitioner", None, "senior_leader", "practitioner", "middle_leader",
                      "middle_leader"],
        }
    )  # fmt: skip
    net = pd.DataFrame({"network_id": ["n1", "n2"], "workstream": ["W", "V"]})
    part = pd.DataFrame(
        {
            "practitioner_id": ["p3", "p1", "p2", "p4", "p1", "p2", "p5"],
            "network_id": ["n2", "n1", "n1", "n2", None, "n2", "n1"],
            "date": ["2022-10-01"] * 7,
            "role": ["lead", None, None, None, None, "presenter", None],
            "establishment_id": ["X9", None, "X0", None, None, None, None],
        }
    )
    return Ecosystem(est, prac, net, part)


@pytest.mark.parametrize("case", ["tiny", "odd"])
def test_prepare_equals_reference_hand_built(case):
    eco = wpnet.tiny() if case == "tiny" else _odd()
    layout = layout_of(eco)
    for s in eco.sessions:
        sel = eco.select(session=s)
        sd = prepare(sel, eco, label=s, layout=layout, seed=0, **OPTS)
        _assert_same(sd, _reference(sel, eco, layout))
    if case == "odd":  # hand-worked: E2, E1, E3 on the register, then E7, X0, X9
        assert sd.n_e == 6 and sd.rec_e.tolist() == [5, 1, 4, 0, 0, 3]
        lv = [LEVELS.index(x) if x else -1 for x in
              ("senior_leader", "practitioner", None, "practitioner", "middle_leader")]  # fmt: skip
        assert sd.p_level.tolist() == lv


def test_sessions_from_one_reading_equal_the_selections(example):
    """reflections' sessions (records of the session, register read once) equal the
    reference prepare of each ``eco.select(session=s)``."""
    from wpnet.evaluation import _session_data  # the function under test

    layout = layout_of(example)
    data = _session_data(
        example.records, register_of(example, layout), example.sessions, layout, seed=0,
        pairs=example.sessions, **OPTS,
    )  # fmt: skip
    for s, sd in data.items():
        _assert_same(sd, _reference(example.select(session=s), example, layout))


def _tables(r) -> list[pd.DataFrame]:
    return [r.indicators, r.change, *(c.indicators for c in r.cards)]


def _assert_reflections_equal(got, want) -> None:
    for a, b in zip(_tables(got), _tables(want), strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert repr(got.attrs) == repr(want.attrs)


def test_workstream_reflections_equal_selections_example(example):
    pair = example.select(session=["2022-23", "2023-24"])
    names = ["Curricular networks", "Forums", "Health and wellbeing"]
    got = workstream_reflections(pair, names, graph=GraphSpec(backbone=None), samples=0)
    for w in names:
        want = reflections(pair.select(workstream=w), backbone=None, samples=0)
        _assert_reflections_equal(got[w], want)
    # the report's workstream theme with bootstrap draws and a Bonferroni level
    theme = {WORKSTREAM_THEME: ["cross_authority_share"]}
    got = workstream_reflections(
        pair, ["Forums"], themes=theme, graph=GraphSpec(backbone=None), samples=30, level=0.99
    )
    want = reflections(
        pair.select(workstream="Forums"), themes=theme, backbone=None, samples=30, level=0.99
    )
    _assert_reflections_equal(got["Forums"], want)


def test_workstream_reflections_hand_built_and_errors():
    eco = _odd()
    got = workstream_reflections(eco, ["W", "V"], graph=GraphSpec(backbone=None), samples=0)
    for w in ("W", "V"):
        want = reflections(eco.select(workstream=w), backbone=None, samples=0)
        _assert_reflections_equal(got[w], want)
    # the register's middle leaders: p5 (home off the register) only where p5 takes part
    t = {w: r.indicators.set_index(["indicator", "group"])["n"] for w, r in got.items()}
    key = ("participation_rate_by_level", "middle_leader")
    assert (t["W"][key], t["V"][key]) == (1.0, 0.0)
    with pytest.raises(wpnet.UsageError, match="not in the data"):
        workstream_reflections(eco, ["nope"], samples=0)


def test_workstream_change_equals_per_workstream_reflections(monkeypatch):
    """The report's table against reflections of each selected workstream (the former
    loop), on the tiny ecosystem with the network floor lowered."""
    import wpnet.report.compute as compute

    eco = wpnet.tiny()
    monkeypatch.setattr(compute, "MIN_WORKSTREAM_NETWORKS", 1)
    t = workstream_change(eco, before="2021-22", after="2022-23", samples=25)
    assert t["tested"].all() and len(t) == 2
    for _, row in t.iterrows():
        r = reflections(
            eco.select(workstream=row["workstream"]), backbone=None, samples=t.attrs["samples"],
            themes={WORKSTREAM_THEME: ["cross_authority_share"]}, level=t.attrs["level"],
        )  # fmt: skip
        ch = r.change.iloc[0]
        for c in ("value_from", "value_to", "change", "ci_low", "ci_high"):
            assert row[c] == ch[c] or (np.isnan(row[c]) and np.isnan(ch[c])), c
        assert row["direction"] == ch["direction"]


# ---- label_expected against a plain loop -------------------------------------------
def _loop_expected(
    auth: np.ndarray, ties: list[tuple[int, int]], seed: int, perms: int, n_auth: int
) -> tuple[float, np.ndarray]:
    """Cross share and each authority's outside / touching share, averaged over the
    permutations (the same permuted labels as label_expected draws), tie by tie."""
    pa = np.random.default_rng(seed).permuted(np.tile(auth, (perms, 1)), axis=1)
    cross_shares, auth_shares = [], []
    for lab in pa:
        known = cross = 0
        touching, outside = np.zeros(n_auth), np.zeros(n_auth)
        for i, j in ties:
            a, b = lab[i], lab[j]
            if a < 0 or b < 0:
                continue
            known += 1
            touching[a] += 1
            if a != b:
                cross += 1
                touching[b] += 1
                outside[a] += 1
                outside[b] += 1
        cross_shares.append(cross / known if known else np.nan)
        auth_shares.append([o / t if t else np.nan for o, t in zip(outside, touching, strict=True)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an authority never touched
        per_auth = np.nanmean(np.array(auth_shares), axis=0)
    return float(np.nanmean(cross_shares)), per_auth


def _ring() -> tuple[Ecosystem, dict[str, list[int]]]:
    """Hand-built: 7 establishments of 3 authorities (one unknown) in 4 networks."""
    est = pd.DataFrame(
        {
            "establishment_id": [f"E{k}" for k in range(7)],
            "authority": ["A", "A", "B", "B", "C", None, "A"],
            "sector": ["primary"] * 7,
            "simd_quintile": [1, 2, 3, 4, 5, 1, 2],
        }
    )
    members = {"n0": [0, 1, 2], "n1": [2, 3], "n2": [3, 4, 5], "n3": [0, 6, 4]}
    prac, part = [], []
    for net, ests in members.items():
        for e in ests:
            pid = f"p{net}{e}"
            prac.append(
                {"practitioner_id": pid, "establishment_id": f"E{e}", "level": "practitioner"}
            )
            part.append({"practitioner_id": pid, "network_id": net, "date": "2023-01-10"})
    nets = pd.DataFrame({"network_id": list(members), "workstream": ["W"] * 4})
    return Ecosystem(est, pd.DataFrame(prac), nets, pd.DataFrame(part)), members


def test_label_expected_equals_a_loop_over_permutations():
    eco, members = _ring()
    g = nx.Graph()
    for ests in members.values():
        g.add_edges_from((a, b) for k, a in enumerate(ests) for b in ests[k + 1 :])
    ties = sorted((min(a, b), max(a, b)) for a, b in g.edges())
    layout = layout_of(eco)
    sd = prepare(eco, eco, label="2022-23", layout=layout, seed=0, **OPTS)
    auth = sd.e_auth  # every establishment is active, in register order
    pos = layout.index()
    for seed in (0, 3):
        cross, per_auth = _loop_expected(auth, ties, seed, 200, len(layout.authorities))
        whole = label_expected(sd, seed, 200)
        assert whole[pos[("cross_authority_share", "partnership", "")]] == pytest.approx(
            cross, rel=0, abs=1e-15
        )
        got = [whole[pos[("authority_cross_share", a, "")]] for a in layout.authorities]
        np.testing.assert_allclose(got, per_auth, rtol=0, atol=1e-15)
        # asking for one indicator gives the same value and leaves the others NaN
        one = label_expected(sd, seed, 200, which={"cross_authority_share"})
        assert np.flatnonzero(~np.isnan(one)).tolist() == [
            pos[("cross_authority_share", "partnership", "")]
        ]
        assert (
            one[pos[("cross_authority_share", "partnership", "")]]
            == (whole[pos[("cross_authority_share", "partnership", "")]])
        )
        both = label_expected(sd, seed, 200, which={"authority_cross_share", "lead_share"})
        np.testing.assert_array_equal(
            both[layout.positions({"authority_cross_share"})],
            whole[layout.positions({"authority_cross_share"})],
        )
        assert np.isnan(label_expected(sd, seed, 200, which={"lead_share"})).all()


def _loop_pairs(pa: np.ndarray, i: np.ndarray, j: np.ndarray, n_auth: int) -> np.ndarray:
    """t[s, x, y] tie by tie, an unknown label (-1) as ``n_auth``."""
    t = np.zeros((pa.shape[0], n_auth + 1, n_auth + 1), dtype=np.int64)
    for s, lab in enumerate(pa):
        for a, b in zip(lab[i], lab[j], strict=True):
            t[s, a if a >= 0 else n_auth, b if b >= 0 else n_auth] += 1
    return t


@pytest.mark.parametrize(("n", "ties", "n_auth"), [(30, 400, 3), (60, 90, 5), (12, 0, 2)])
@pytest.mark.parametrize("block_cells", [1 << 21, 7])
def test_label_pairs_both_ways_equal_a_loop(monkeypatch, n, ties, n_auth, block_cells):
    """Dense (400 ties among 30 nodes, repeated pairs and self-pairs included) and
    sparse graphs, with unknown labels, in one block of permutations or many."""
    monkeypatch.setattr(_labels, "_BLOCK_CELLS", block_cells)
    rng = np.random.default_rng(n + ties)
    i, j = rng.integers(0, n, size=(2, ties))
    pa = rng.permuted(np.tile(rng.integers(-1, n_auth, size=n), (23, 1)), axis=1)
    want = _loop_pairs(pa, i, j, n_auth)
    lab = np.where(pa >= 0, pa, n_auth)
    by_products = _labels._pairs_by_products(lab, i, j, n_auth + 1)
    by_counts = _labels._pairs_by_counts(lab, i, j, n_auth + 1)
    np.testing.assert_array_equal(by_products, want)
    np.testing.assert_array_equal(by_counts, want)
    np.testing.assert_array_equal(_labels._label_pairs(pa, i, j, n_auth), want)
    assert by_products.dtype == by_counts.dtype == np.int64


@pytest.mark.parametrize("min_cells", [0, None])
def test_label_pairs_chooses_products_on_dense_graphs(monkeypatch, min_cells):
    """The dense graph goes to the products and the sparse one to the counts (the
    cost rule), and the answer is the loop's either way; so few permutations times
    ties are counted however dense the graph (the default threshold)."""
    if min_cells is not None:
        monkeypatch.setattr(_labels, "_DENSE_MIN_CELLS", min_cells)
    called = []
    for name in ("_pairs_by_products", "_pairs_by_counts"):
        real = getattr(_labels, name)
        monkeypatch.setattr(_labels, name, lambda *a, _r=real, _n=name: called.append(_n) or _r(*a))
    rng = np.random.default_rng(3)
    pa = rng.permuted(np.tile(rng.integers(-1, 4, size=50), (5, 1)), axis=1)
    for ties in (1200, 10):
        i, j = rng.integers(0, 50, size=(2, ties))
        np.testing.assert_array_equal(_labels._label_pairs(pa, i, j, 4), _loop_pairs(pa, i, j, 4))
    first = "_pairs_by_products" if min_cells == 0 else "_pairs_by_counts"
    assert called == [first, "_pairs_by_counts"]


# ---- the themed tables ------------------------------------------------------------
def _with_themes_reference(frame: pd.DataFrame, theme_map) -> pd.DataFrame:
    parts = []
    for theme, t in theme_map.items():
        for name in t.indicators:
            sub = frame[frame["indicator"] == name].copy()
            sub.insert(0, "theme", theme)
            sub["polarity"] = INDICATORS[name].polarity
            sub["kind"] = INDICATORS[name].kind
            parts.append(sub)
    out = pd.concat(parts, ignore_index=True)
    for c in ("theme", "indicator", "unit", "group", "polarity", "kind"):
        out[c] = out[c].astype(object)
    return out


def test_with_themes_equals_reference():
    from wpnet.evaluation import _with_themes  # the function under test

    r = reflections(wpnet.tiny(), backbone=None, samples=0)
    base = r.indicators.drop(columns=["theme", "polarity", "kind"]).drop_duplicates(
        ["indicator", "unit", "group", "session"]
    )
    base = base.reset_index(drop=True)
    themes = dict(THEMES)
    themes["twice"] = THEMES["equity"]  # an indicator answering two themes
    pd.testing.assert_frame_equal(
        _with_themes(base, themes), _with_themes_reference(base, themes), check_exact=True
    )


# ---- a subsampled draw's ties from the pair x network matrix -------------------------
def _ties_by_product(sd: SessionData, c: np.ndarray, present: np.ndarray):
    """The draw's ties as ``triu(B diag(c) Bᵀ)`` of the present records, in dense numpy."""
    b = np.zeros((sd.n_e, sd.n_k))
    b[sd.rec_e[present], sd.rec_k[present]] = 1.0
    w = np.triu(b @ np.diag(c.astype(np.float64)) @ b.T, k=1)
    active = b @ c > 0
    where = np.cumsum(active) - 1
    i, j = np.nonzero(w)
    return active, where[i], where[j], w[i, j]


@pytest.mark.parametrize("backbone", [None, "threshold"])
def test_subsampled_ties_equal_the_product(example, backbone):
    from wpnet.inference._draws import subsample
    from wpnet.inference._indicators import _kept_ties, network_draw

    pair = example.select(session=["2022-23", "2023-24"])
    opts = dict(OPTS, backbone=backbone)
    cases = [(pair.select(workstream="Forums"), "2023-24"), (_ring()[0], "2022-23")]
    for eco, s in cases:
        sd = prepare(eco.select(session=s), eco, label=s, layout=layout_of(eco), seed=0, **opts)
        assert sd.pair_net is not None
        rng = np.random.default_rng(5)
        for t in range(25):
            c = network_draw(sd.n_k, rng)
            keep = subsample(sd, c, max(1, sd.n_p // 2), t)
            if keep is None:
                continue
            present = (c[sd.rec_k] * keep[sd.rec_p]) > 0
            got = _kept_ties(sd, c, keep, present)
            active, i, j, w = _ties_by_product(sd, c, present)
            if backbone == "threshold":
                kept = w >= 2
                i, j, w = i[kept], j[kept], w[kept]
            for a, b in zip(got, (active, i, j, w), strict=True):
                np.testing.assert_array_equal(a, b)


def test_practitioners_of_a_draw_are_those_with_a_record_in_a_drawn_network(example):
    """Read from the distinct (practitioner, network) pairs: the practitioners of the
    records whose network the draw keeps (c_k > 0), record by record."""
    from wpnet.inference._indicators import network_draw, practitioners_of

    s = example.sessions[-1]
    sd = prepare(
        example.select(session=s), example, label=s, layout=layout_of(example), seed=0, **OPTS
    )
    rng = np.random.default_rng(11)
    for _ in range(10):
        c = network_draw(sd.n_k, rng)
        want = sorted({int(p) for p, k in zip(sd.rec_p, sd.rec_k, strict=True) if c[k] > 0})
        assert practitioners_of(sd, c).tolist() == want
    assert practitioners_of(sd, np.zeros(sd.n_k, dtype=np.int64)).size == 0


def test_draws_made_in_the_workers_equal_the_ones_made_up_front(example):
    """``bootstrap_tasks`` (a draw index made where it is evaluated, from the seeds
    alone) gives the tasks the evaluation themes built in the calling process before:
    every session's draws from ``draw_rngs``, subsample generators from ``task_seeds``,
    the matched count the fewest practitioners among the ends' draws."""
    from wpnet._parallel import task_seed, task_seeds
    from wpnet.evaluation import _session_data
    from wpnet.inference._draws import DrawGroup, bootstrap_tasks, draw_rng, draw_rngs
    from wpnet.inference._indicators import network_draw, practitioners_of

    sessions = example.sessions
    ends = [sessions[0], sessions[-1]]
    layout = layout_of(example)
    data = _session_data(
        example.records, register_of(example, layout), sessions, layout, seed=0, pairs=ends,
        **OPTS,
    )  # fmt: skip
    seed, samples = 11, 30
    cs = {s: [network_draw(data[s].n_k, r) for r in draw_rngs(s, seed, samples)] for s in sessions}
    kseeds = {s: task_seeds(seed + 1 + i, samples) for i, s in enumerate(sessions)}
    graph, cheap = frozenset({"cross_authority_share"}), frozenset({"coverage"})
    for b in (0, 7, samples - 1):
        m = min(practitioners_of(data[s], cs[s][b]).size for s in ends)
        got = bootstrap_tasks(DrawGroup(b, seed, tuple(sessions), tuple(ends), graph, cheap), data)
        assert [t.label for t in got] == sessions
        for i, (t, s) in enumerate(zip(got, sessions, strict=True)):
            assert np.array_equal(t.c, cs[s][b])
            # the subsample's generator: default_rng of the task's seed, the same stream
            assert kseeds[s][b] == task_seed(seed + 1 + i, b)
            want = np.random.default_rng(kseeds[s][b]).integers(0, 2**62, 6)
            assert np.array_equal(t.keep_seed.integers(0, 2**62, 6), want)
            assert t.matched == m
            assert t.structural == (graph if s in ends else frozenset())
            assert t.plain == cheap
    # a generator made alone is the one made among all: the same stream
    assert np.array_equal(
        draw_rng(sessions[2], seed, 5).random(8), draw_rngs(sessions[2], seed, 9)[5].random(8)
    )


def test_workstreams_sharing_one_pool_equal_each_alone(example):
    """Every workstream's subsamples and bootstrap draws run in one pool, as (workstream,
    task) pairs; each result equals the workstream's own reflections (its own pool)."""
    pair = example.select(session=["2022-23", "2023-24"])
    names = ["Forums", "Curricular networks"]
    got = workstream_reflections(pair, names, graph=GraphSpec(backbone=None), samples=12, workers=2)
    for w in names:
        want = reflections(pair.select(workstream=w), backbone=None, samples=12, workers=2)
        _assert_reflections_equal(got[w], want)
    assert not got[names[0]].indicators.equals(got[names[1]].indicators)


def test_batched_draws_give_the_reflections_of_draws_one_at_a_time(example, monkeypatch):
    """The workstream theme's draws (no backbone, the cross-authority share only) run in
    batches (evaluation.DRAW_BATCH, each batch's shares by one product): the same
    tables, bit for bit, as with every draw evaluated alone, a last short batch too."""
    import wpnet.evaluation as evaluation
    import wpnet.inference._draws as ind

    forums = example.select(session=["2022-23", "2023-24"], workstream="Forums")
    theme = {WORKSTREAM_THEME: ["cross_authority_share"]}
    batches: list[int] = []
    real = ind._run_batch

    def counted(shared: Any, batch: Any) -> Any:
        batches.append(len(batch.groups))
        return real(shared, batch)

    monkeypatch.setattr(ind, "_run_batch", counted)
    got: dict[int, Any] = {}
    for size in (1, 7):
        monkeypatch.setattr(evaluation, "DRAW_BATCH", size)
        got[size] = reflections(forums, themes=theme, backbone=None, samples=30, workers=1)
    assert batches == [7, 7, 7, 7, 2]  # batches only when DRAW_BATCH > 1
    _assert_reflections_equal(got[7], got[1])
    assert got[1].change["ci_low"].notna().all()  # the draws gave intervals
    # with a backbone the draws are not batched
    batches.clear()
    reflections(forums, themes=theme, backbone="sdsm", samples=5, workers=1)
    assert batches == []
