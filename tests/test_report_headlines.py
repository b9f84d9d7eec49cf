"""The headlines on communities and on the change of cross-authority mixing by
workstream (issue 16): their numbers against oracles computed here (a direct igraph
Leiden on the backbone, pandas counts, wpnet.capacity per workstream, the example's
planted truth), and what they say with --samples 0."""

from __future__ import annotations

import inspect
import random
import re

import igraph as ig
import numpy as np
import pandas as pd
import pytest
from test_datasets import adjusted_rand
from test_report import check_headlines, read_csv, text_of

import wpnet
from wpnet.datasets import example_truth
from wpnet.graphs import GraphSpec, projection
from wpnet.report import build_report
from wpnet.report.compute import (
    MIN_WORKSTREAM_NETWORKS,
    community_mixing,
    compute,
    resolve_sessions,
)
from wpnet.report.sentences import headlines

NO_BACKBONE = GraphSpec(backbone=None)


# ---- oracles -------------------------------------------------------------------------------
def direct_leiden(sel: wpnet.Ecosystem, backbone: str | None, seed: int = 0) -> pd.Series:
    """Leiden (modularity, igraph's RNG seeded as wpnet seeds it) on the establishment
    graph, built here from the projection's weight matrix; community of each node id."""
    import scipy.sparse as sp

    p = projection(sel, backbone=backbone)
    up = sp.triu(p.weight, k=1).tocsr()
    up.sort_indices()
    coo = up.tocoo()
    g = ig.Graph(n=p.n, edges=list(zip(coo.row.tolist(), coo.col.tolist(), strict=True)))
    g.es["weight"] = coo.data.astype(float).tolist()
    ig.set_random_number_generator(random.Random(seed))
    try:
        part = g.community_leiden(objective_function="modularity", weights="weight",
                                  n_iterations=-1)  # fmt: skip
    finally:
        ig.set_random_number_generator(random)
    memb = pd.Series(part.membership, index=p.nodes.index)
    memb.attrs["modularity"] = g.modularity(part.membership, weights="weight")
    return memb


def mixing_by_hand(memb: pd.Series, authority: pd.Series) -> tuple[int, float, int]:
    """(communities of 2+, share in their community's most common authority, communities
    with 2+ authorities), by pandas."""
    df = pd.DataFrame({"c": memb, "a": authority.reindex(memb.index)})
    big = df.groupby("c").size()
    df = df[df["c"].isin(big[big >= 2].index)]
    counts = df.dropna().groupby(["c", "a"]).size()
    top = counts.groupby(level="c").max().sum()
    spans = (counts.groupby(level="c").size() >= 2).sum()
    return int((big >= 2).sum()), float(top / counts.sum()), int(spans)


def shuffled_in_main(memb: pd.Series, authority: pd.Series, n: int, seed: int) -> float:
    """The in-main share with authorities shuffled across the communities' establishments
    (a plain loop)."""
    df = pd.DataFrame({"c": memb, "a": authority.reindex(memb.index)})
    big = df.groupby("c").size()
    df = df[df["c"].isin(big[big >= 2].index)].dropna()
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        lab = rng.permutation(df["a"].to_numpy())
        counts = pd.crosstab(df["c"].to_numpy(), lab)
        out.append(counts.max(axis=1).sum() / counts.values.sum())
    return float(np.mean(out))


def networks_per_session(eco: wpnet.Ecosystem) -> pd.DataFrame:
    """Distinct networks per workstream and session, from the raw tables."""
    nets = eco.networks[["network_id", "workstream"]].astype(object)
    rec = eco.participation.astype({"network_id": object, "session": object}).merge(
        nets, on="network_id"
    )
    return rec.groupby(["workstream", "session"])["network_id"].nunique().unstack(fill_value=0)


def workstream_sentence(lines: list[str], before: str, after: str) -> str:
    got = [s for s in lines if s.startswith(f"From {before} to {after}") and "workstream" in s]
    assert len(got) == 1, lines
    return got[0]


# ---- small ecosystems (fast) ---------------------------------------------------------------
@pytest.fixture(scope="module")
def small() -> wpnet.Ecosystem:
    return wpnet.synthetic(establishments=80, practitioners=700, networks=40, records=4000,
                           sessions=2, seed=5)  # fmt: skip


def test_community_mixing_equals_a_direct_leiden(small) -> None:
    sel = small.select(session=small.sessions[-1])
    t = community_mixing(sel, graph=NO_BACKBONE, seed=0, permutations=300)
    memb = direct_leiden(sel, None)
    auth = sel.establishments.drop_duplicates("establishment_id").set_index("establishment_id")
    k, in_main, spans = mixing_by_hand(memb, auth["authority"].astype(object))
    assert len(t) == k and t.attrs["spanning"] == spans
    assert t.attrs["in_main"] == pytest.approx(in_main, abs=1e-12)
    assert t.attrs["modularity"] == pytest.approx(memb.attrs["modularity"], abs=1e-12)
    assert t.attrs["modularity"] == pytest.approx(
        wpnet.capacity(sel)["modularity"].iloc[0], abs=1e-12
    )
    sizes = memb.value_counts()
    assert sorted(t["establishments"], reverse=True) == sorted(sizes[sizes >= 2], reverse=True)
    assert (t["main_share"] <= 1).all() and (t["authorities"] >= 1).all()
    # the shuffled-labels expectation agrees with a plain loop (different draws)
    loop = shuffled_in_main(memb, auth["authority"].astype(object), 300, seed=1)
    assert t.attrs["in_main_expected"] == pytest.approx(loop, abs=0.02)


def test_shuffled_mixing_counted_at_once_equals_one_shuffle_at_a_time() -> None:
    import wpnet.report.compute as compute_module

    rng = np.random.default_rng(3)
    # the last case is counted in chunks of rows (about 236 of its 300 at once)
    for n, k, a in [(1, 1, 1), (9, 3, 2), (400, 25, 8), (8000, 40, 12)]:
        community = rng.integers(0, k, n)
        community[community == k // 2] = 0  # a community code with no member
        rows = rng.permuted(np.tile(rng.integers(0, a, n), (300, 1)), axis=1)
        loop = [compute_module._mixing(community, r, a) for r in rows]
        assert compute_module._mixing_rows(community, rows, a) == loop


def test_community_mixing_shuffles_in_blocks_as_all_at_once(small, monkeypatch) -> None:
    """Shuffled a few rows at a time (``_SHUFFLE_CELLS`` small), the expectations are
    those of every shuffle at once: the generator gives the same rows either way."""
    import wpnet.report.compute as compute_module

    sel = small.select(session=small.sessions[-1])
    whole = community_mixing(sel, graph=NO_BACKBONE, seed=2, permutations=250)
    monkeypatch.setattr(compute_module, "_SHUFFLE_CELLS", 7)
    blocks = community_mixing(sel, graph=NO_BACKBONE, seed=2, permutations=250)
    for key in ("in_main_expected", "spanning_expected"):
        assert blocks.attrs[key] == whole.attrs[key]
    assert np.isnan(
        community_mixing(sel, graph=NO_BACKBONE, permutations=0).attrs["in_main_expected"]
    )


def test_headlines_state_communities_and_workstreams_with_their_baselines(
    small, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wpnet.report.compute as compute_module

    floor = 4  # so that some of the small ecosystem's workstreams are tested
    monkeypatch.setattr(compute_module, "MIN_WORKSTREAM_NETWORKS", floor)
    before, after = small.sessions
    res = compute(small, after, before, graph=NO_BACKBONE, permutations=200, samples=60)
    lines = headlines(res)
    check_headlines(lines)
    sel = small.select(session=after)
    memb = direct_leiden(sel, None)
    auth = sel.establishments.drop_duplicates("establishment_id").set_index("establishment_id")
    k, in_main, spans = mixing_by_hand(memb, auth["authority"].astype(object))
    comm = next(s for s in lines if "communities (Leiden)" in s)
    assert f"form {k} communities (Leiden), with modularity {memb.attrs['modularity']:.2f}" in comm
    null = wpnet.null_test(sel, ["modularity", "communities"], samples=50, seed=0)
    assert f"against {null.at['modularity', 'expected']:.2f} expected in random graphs" in comm
    assert f"{100 * in_main:.0f}% of their establishments belong" in comm
    assert f"{spans} of the {k} communities join two or more authorities" in comm
    # the change by workstream: tested only with enough networks in both sessions
    nets = networks_per_session(small)
    both = nets[(nets[before] > 0) & (nets[after] > 0)]
    tested = sorted(both.index[both[[before, after]].min(axis=1) >= floor])
    w = res.workstreams.set_index("workstream")
    assert sorted(w.index) == sorted(both.index)
    assert sorted(w.index[w["tested"]]) == tested and 0 < len(tested) < len(w)
    assert (w.loc[~w["tested"], "direction"] == "not tested").all()
    assert (
        w.loc[w["tested"], "direction"]
        .isin(["strengthening", "weakening", "no clear change"])
        .all()
    )
    assert w.loc[~w["tested"], ["value_from", "change", "ci_low"]].isna().all().all()
    for ws in tested:  # the point values are wpnet.capacity's on each workstream's graph
        for s, col in ((before, "value_from"), (after, "value_to")):
            cap = wpnet.capacity(small.select(session=s, workstream=ws))
            assert w.at[ws, col] == pytest.approx(cap["cross_authority_share"].iloc[0], abs=1e-12)
    text = workstream_sentence(lines, before, after)
    for ws in w.index[w["direction"].isin(["strengthening", "weakening"])]:
        assert f"a clear {w.at[ws, 'direction']} in {ws}" in text
    for ws in w.index[w["direction"] == "no clear change"]:
        assert ws in text
    untested = ", ".join(w.index[w["direction"] == "not tested"])
    if untested:
        assert text.rstrip(".").endswith(f"networks in a session: {untested}")


def test_a_simultaneous_level_reads_to_one_decimal() -> None:
    # three workstreams tested: Bonferroni's 1 - 0.05/3 = 98.333...% is written 98.3%
    from types import SimpleNamespace

    from wpnet.report.sentences import _workstream_sentence

    t = pd.DataFrame(
        {
            "workstream": ["A", "B", "C"],
            "direction": ["strengthening", "no clear change", "no clear change"],
            "value_from": [0.2, 0.3, 0.4],
            "value_to": [0.4, 0.3, 0.4],
            "change": [0.2, 0.0, 0.0],
            "ci_low": [0.05, -0.1, -0.1],
            "ci_high": [0.35, 0.1, 0.1],
        }
    )
    t.attrs.update(samples=200, level=1 - 0.05 / 3, tested=3, min_networks=10)
    text = _workstream_sentence(SimpleNamespace(workstreams=t, compare_to="X", session="Y"))
    assert "(+20.0 points, 98.3% interval +5.0 points to +35.0 points)" in text
    assert "(each interval includes 0; 98.3% intervals, simultaneous for the 3 workstreams" in text
    assert "98.33" not in text


def test_a_workstream_without_an_interval_is_not_said_to_include_0() -> None:
    """A tested workstream whose change is defined in fewer than 95% of the draws has
    no interval (wpnet.reflections' no_interval) and reads no clear change: the
    sentence says it has no interval, not that its interval includes 0."""
    from types import SimpleNamespace

    from wpnet.report.sentences import _workstream_sentence

    t = pd.DataFrame(
        {
            "workstream": ["A", "B"],
            "direction": ["no clear change", "no clear change"],
            "value_from": [0.3, 0.2],
            "value_to": [0.3, 0.5],
            "change": [0.0, 0.3],
            "ci_low": [-0.1, np.nan],
            "ci_high": [0.1, np.nan],
        }
    )
    t.attrs.update(samples=200, level=0.975, tested=2, min_networks=10)
    text = _workstream_sentence(SimpleNamespace(workstreams=t, compare_to="X", session="Y"))
    assert "the interval of the change includes 0 in each of A (" in text
    assert text.endswith("no interval, the change being defined in fewer than 95% of the draws: B.")


def test_a_card_line_says_a_change_without_an_interval_reads_no_clear_change() -> None:
    """A change defined in fewer than 95% of the draws has no interval (wpnet.reflections'
    no_interval) and reads no clear change: the theme card says so and why, instead of
    leaving the change out; a change with an interval is printed as before."""
    from wpnet.report.sentences import _card_line

    row = pd.Series({"indicator": "simd_coverage", "unit": "Inverclyde", "group": "SIMD 1 − SIMD 5",
                     "value": 0.1, "n": 40, "ci_low": np.nan, "ci_high": np.nan,
                     "expected": np.nan, "matched": np.nan})  # fmt: skip
    why = "defined in 86 of 200 draws; an interval needs 190 (95% of them)"
    few = pd.Series({"from": "2019-20", "change": -0.05, "ci_low": np.nan, "ci_high": np.nan,
                     "direction": "no clear change", "no_interval": why})  # fmt: skip
    line = _card_line(row, few, 5)
    assert line.endswith(
        f"; change since 2019-20: -5.0 points, no clear change (no interval: {why})."
    )
    some = few.copy()
    some[["ci_low", "ci_high", "no_interval"]] = [-0.08, -0.01, ""]
    some["direction"] = "weakening"
    assert "no interval" not in _card_line(row, some, 5)
    assert "change since 2019-20: -5.0 points (" in _card_line(row, some, 5)


def test_samples_zero_says_what_was_not_computed(
    small, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wpnet.report.compute as compute_module

    monkeypatch.setattr(compute_module, "MIN_WORKSTREAM_NETWORKS", 4)
    before, after = small.sessions
    page = build_report(small, out=tmp_path / "r", backbone=None, permutations=50, samples=0)
    text = text_of(page)
    assert "(its expectation in random graphs was not computed: --samples 0)" in text
    assert (
        f"The change from {before} to {after} of cross-authority mixing by workstream was not "
        "tested (--samples 0)" in text
    )
    t = read_csv(page.parent / "tables" / "change_by_workstream.csv")
    assert (t["ci_low"] == "").all()
    nets = networks_per_session(small).loc[t["workstream"], [before, after]].min(axis=1)
    assert list(t["direction"]) == ["n/a" if k >= 4 else "not tested" for k in nets]
    assert (
        "n/a" in set(t["direction"])
        and (t.loc[t["direction"] == "n/a", "cross_share_to"] != "").all()
    )
    assert not (page.parent / "tables" / "community_null.csv").exists()
    assert (page.parent / "tables" / "communities.csv").is_file()


def test_the_report_is_the_same_from_one_process_or_several(
    small, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two workers the evaluation themes are computed in a process of their own
    (their warnings come back) and the figures in two more: every file is what one
    process writes."""
    import os
    import warnings

    import wpnet.report.build as build_module

    real = build_module.evaluation_themes

    def themes(*args, **kwargs):
        warnings.warn(f"themes in process {os.getpid()}", UserWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "evaluation_themes", themes)
    folders = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("WPNET_WORKERS", workers)
        with pytest.warns(UserWarning, match=r"themes in process \d+") as caught:
            page = build_report(small, out=tmp_path / workers, permutations=50, samples=20, seed=3)
        pid = int(str(caught[-1].message).rsplit(" ", 1)[1])
        assert (pid == os.getpid()) == (workers == "1")
        folders[workers] = page.parent
    files = sorted(p.relative_to(folders["1"]) for p in folders["1"].rglob("*") if p.is_file())
    assert len(files) > 20
    assert files == sorted(
        p.relative_to(folders["2"]) for p in folders["2"].rglob("*") if p.is_file()
    )
    timing = re.compile(rb" in \d+\.\d s\.")  # the page says how long it took
    for f in files:
        one, two = ((folders[w] / f).read_bytes() for w in ("1", "2"))
        if f.name == "index.html":
            one, two = timing.sub(b"", one), timing.sub(b"", two)
        assert one == two, f


# ---- the example and its planted truth (slow) ----------------------------------------------
@pytest.fixture(scope="module")
def example() -> wpnet.Ecosystem:
    return wpnet.load_example()


def defaults_of(func) -> dict:
    """The keyword defaults of ``func``."""
    return {
        k: p.default
        for k, p in inspect.signature(func).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


@pytest.mark.slow
def test_default_comparison_names_no_workstream_between_the_null_sessions(
    example_report,
) -> None:
    example = example_report.eco  # wpnet.load_example(), as the shared build read it
    truth = example_truth()
    before, after = truth["null_sessions"][0]
    # the report's default comparison: compute(example, after, before), the very call
    # the default build of the example made (conftest keeps its result)
    assert resolve_sessions(example, None, None) == (after, before)
    args, kwargs = example_report.compute_args, dict(example_report.compute_kwargs)
    assert args[0] is example and args[1:] == (after, before)
    assert kwargs.pop("graph") == GraphSpec(backbone="sdsm")  # compute's graph=None
    kwargs.pop("step")  # the progress bar's
    assert kwargs.pop("themes") is False  # evaluation_themes, in a process of its own
    assert kwargs == {k: defaults_of(compute)[k] for k in ("permutations", "seed", "samples")}
    res = example_report.res
    lines = headlines(res)
    check_headlines(lines)
    text = workstream_sentence(lines, before, after)
    assert "no workstream's cross-authority mixing" in text and "a clear" not in text
    nets = networks_per_session(example)
    tested = nets.index[nets[[before, after]].min(axis=1) >= MIN_WORKSTREAM_NETWORKS]
    assert truth["planted_change"]["workstream"] in tested
    assert (
        f"includes 0 in each of {', '.join(sorted(tested))} (99% intervals, simultaneous for "
        f"the {len(tested)} workstreams tested);" in text
    )
    # the communities: a direct Leiden on the SDSM backbone recovers the planted groups
    sel = example.select(session=after)
    memb = direct_leiden(sel, "sdsm")
    comm = next(s for s in lines if "communities (Leiden)" in s)
    k, in_main, spans = mixing_by_hand(
        memb,
        sel.establishments.drop_duplicates("establishment_id")
        .set_index("establishment_id")["authority"]
        .astype(object),
    )
    assert f"form {k} communities (Leiden), with modularity {memb.attrs['modularity']:.2f}" in comm
    assert "more clustered than chance" in comm
    planted = pd.Series(truth["communities"]).reindex(memb.index).dropna()
    assert adjusted_rand(planted.tolist(), memb[planted.index].tolist()) >= 0.5
    m = re.search(r"; (\d+)% of their establishments belong to their community's most common "
                  r"authority, against (\d+)% expected", comm)  # fmt: skip
    assert m and int(m.group(1)) == round(100 * in_main) and int(m.group(1)) > int(m.group(2))


@pytest.mark.slow
def test_planted_change_is_named_as_strengthening(example, tmp_path) -> None:
    truth = example_truth()
    planted = truth["planted_change"]
    before, after = planted["sessions"]
    page = build_report(example, session=after, compare_to=before, out=tmp_path / "r")
    text = text_of(page)
    w = planted["workstream"]
    v = {
        s: wpnet.capacity(example.select(session=s, workstream=w))["cross_authority_share"].iloc[0]
        for s in (before, after)
    }  # fmt: skip
    t = read_csv(page.parent / "tables" / "change_by_workstream.csv").set_index("workstream")
    # Bonferroni over the workstreams tested (10 or more networks in each session)
    k = int((t["direction"] != "not tested").sum())
    said = (
        f"From {before} to {after}, cross-authority mixing by workstream (the share of the "
        f"ties among a workstream's establishments that join two authorities): a clear "
        f"strengthening in {w}, {100 * v[before]:.0f}% to {100 * v[after]:.0f}% "
        f"({100 * (v[after] - v[before]):+.1f} points, {100 * (1 - 0.05 / k):g}% interval +"
    )
    assert k == 5 and said in text
    assert text.count("a clear strengthening in") == 1 and "a clear weakening in" not in text
    assert t.at[w, "direction"] == "strengthening" and float(t.at[w, "ci_low"]) > 0
    assert (t.drop(index=w)["direction"].isin(["no clear change", "not tested"])).all()
    # labelled and formatted like every table: its heading in the page and the workbook
    assert "Cross-authority mixing by workstream" in text and "Networks, first session" in text
    import openpyxl

    from wpnet.report.labels import XLSX_FORMATS, header

    ws = openpyxl.load_workbook(page.parent / "tables.xlsx")["change_by_workstream"]
    heads = [c.value for c in ws[1]]
    assert heads == [
        header(c) for c in read_csv(page.parent / "tables" / "change_by_workstream.csv").columns
    ]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == w)
    cell = dict(zip(heads, row, strict=True))
    assert cell[header("cross_share_to")].number_format == XLSX_FORMATS["pct"]
    assert cell[header("change")].number_format == XLSX_FORMATS["pp"]
    assert cell[header("cross_share_to")].value == pytest.approx(v[after], abs=1e-12)


def test_headlines_print_no_value_the_evaluation_tables_hide():
    """A small partnership whose quintiles' coverage the evaluation tables hide (the
    practitioners they bound are small counts): the reach headline leaves the SIMD
    comparison out, as the tables do (an audit read "100% of quintile 5 ... a gap of
    -55.0 points" beside a table that hid both)."""
    import wpnet
    from wpnet.graphs import GraphSpec
    from wpnet.report.compute import compute
    from wpnet.report.disclosure import hidden_reflections, published
    from wpnet.report.sentences import headlines

    eco = wpnet.synthetic(
        establishments=30, practitioners=80, networks=25, records=200, sessions=2, seed=2
    )
    res = compute(eco, *eco.sessions[::-1], graph=GraphSpec(backbone=None), samples=0)
    ind = res.reflections.indicators
    gone = ind.loc[hidden_reflections(res, 5)[0]]
    q5 = (gone["indicator"] == "simd_coverage") & (gone["group"] == "SIMD 5")
    assert (q5 & (gone["unit"] == "partnership")).any()
    # the evaluation's rule alone (no other table hides a value: published of none)
    text = " ".join(headlines(res, 5, published=published([])))
    assert "quintile 5" not in text and "SIMD quintile 1" not in text
    assert "schools and nurseries" in text  # the rest of the reach sentence is there
    # with nothing small to hide (min_cell 1), the comparison is printed
    assert "quintile 5" in " ".join(headlines(res, 1))
