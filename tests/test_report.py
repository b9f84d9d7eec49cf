"""The annual report: sections, numbers equal to the measures, disclosure control,
escaping, offline page, CLI. One end-to-end build of the example; small synthetic
ecosystems for the rest."""

from __future__ import annotations

import argparse
import csv
import html
import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _browser import launch, open_page

import wpnet
from wpnet.errors import WpnetError
from wpnet.graphs import GraphSpec
from wpnet.report import build_report
from wpnet.report.build import SECTIONS
from wpnet.report.command import add_arguments, add_map_arguments, run, run_map
from wpnet.report.labels import header

EVIL_EST = "<script>alert(1)</script>"
EVIL_NET = '=HYPERLINK("http://x")'


# ---- helpers -----------------------------------------------------------------------------
class _Outline(HTMLParser):
    """Section ids, h2 texts, script tags and external references of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.h2: list[str] = []
        self.scripts = 0
        self.refs: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("id"):
            self.sections.append(a["id"])
        if tag == "h2":
            self._in_h2 = True
            self.h2.append("")
        if tag == "script":
            self.scripts += 1
        for k in ("href", "src"):
            if a.get(k):
                self.refs.append(a[k])

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.h2[-1] += data


def outline(page: Path) -> _Outline:
    p = _Outline()
    p.feed(page.read_text(encoding="utf-8"))
    return p


def text_of(page: Path) -> str:
    """The page's visible text (tags and data URIs removed, entities decoded)."""
    s = page.read_text(encoding="utf-8")
    s = re.sub(r"<style>.*?</style>", " ", s, flags=re.S)
    s = re.sub(r"<[^>]+>", " ", s)
    return re.sub(r"\s+", " ", html.unescape(s))


def all_text(folder: Path) -> dict[str, str]:
    """Every written file as text; the XLSX's XML parts unzipped."""
    out = {}
    for f in folder.rglob("*"):
        if not f.is_file():
            continue
        if f.suffix == ".xlsx":
            with zipfile.ZipFile(f) as z:
                for name in z.namelist():
                    out[f"{f}!{name}"] = z.read(name).decode("utf-8", "replace")
        else:
            out[str(f)] = f.read_bytes().decode("utf-8", "replace")
    return out


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# ---- fixtures ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def example(example_report) -> tuple[wpnet.Ecosystem, Path]:
    """The example and its report with every option at its default (conftest builds it
    once for the session)."""
    return example_report.eco, example_report.page


def _hostile() -> tuple[wpnet.Ecosystem, str, str]:
    """A synthetic ecosystem whose top broker and largest network have hostile names."""
    eco = wpnet.synthetic(establishments=60, practitioners=600, networks=15, records=3000, seed=1)
    sel = eco.select(session=eco.sessions[-1])
    b = wpnet.brokerage(sel)
    top = b[b["degree"] > 0].sort_values(["betweenness", "gf_total"], ascending=False).index[0]
    big = wpnet.reach(sel, by="network").sort_values("establishments").index[-1]
    est = eco.establishments
    est.loc[est["establishment_id"] == top, "name"] = EVIL_EST
    net = eco.networks
    net.loc[net["network_id"] == big, "name"] = EVIL_NET
    return (
        wpnet.Ecosystem(est, eco.practitioners, net, eco.participation, eco.ties),
        str(top),
        str(big),
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[wpnet.Ecosystem, Path]:
    eco, _, _ = _hostile()
    out = tmp_path_factory.mktemp("hostile_report")
    return eco, build_report(eco, out=out, backbone=None, permutations=200)


# ---- the example, end to end -------------------------------------------------------------
@pytest.mark.slow
def test_example_report_is_complete(example) -> None:
    # its time is measured by benchmarks/run.py and farm-bench, not asserted here
    eco, page = example
    folder = page.parent
    o = outline(page)
    assert o.sections == [s for s, _ in SECTIONS]
    assert [h.strip() for h in o.h2] == [h for _, h in SECTIONS]
    assert (folder / "map.html").is_file() and "map.html" in o.refs
    assert (folder / "tables.xlsx").is_file()
    csvs = {p.stem for p in (folder / "tables").glob("*.csv")}
    assert {"reach_authority", "ei_test", "brokers_top", "gf_roles_by_authority"} <= csvs
    with zipfile.ZipFile(folder / "tables.xlsx") as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert len(sheets) == len(csvs)


@pytest.mark.slow
def test_example_page_is_self_contained(example) -> None:
    _, page = example
    o = outline(page)
    assert o.scripts == 0
    for ref in o.refs:  # figures inline, links only to files beside the page or anchors
        assert ref.startswith(("#", "data:image/png;base64,", "tables/", "tables.xlsx", "map.html"))
    raw = page.read_text(encoding="utf-8")
    assert "http://" not in raw and "https://" not in raw and "@import" not in raw
    assert "@media print" in raw and 'name="viewport"' in raw


@pytest.mark.slow
def test_example_numbers_equal_the_measures(example) -> None:
    eco, page = example
    folder = page.parent
    s = eco.sessions[-1]
    sel = eco.select(session=s)
    r = wpnet.reach(sel, by="authority")
    t = read_csv(folder / "tables" / "reach_authority.csv").set_index("authority")
    assert list(t.index) == [str(a) for a in r.index]
    for a in r.index:
        assert float(t.at[a, "coverage"]) == pytest.approx(r.at[a, "coverage"], abs=1e-9)
        shown = t.at[a, "practitioners"]
        if shown not in ("<5", "*"):
            assert int(shown) == r.at[a, "practitioners"]
    cap = wpnet.capacity(sel, by="authority", backbone="sdsm")
    c = read_csv(folder / "tables" / "capacity_authority.csv").set_index("authority")
    for a in cap.index:
        assert float(c.at[a, "cross_authority_share"]) == pytest.approx(
            cap.at[a, "cross_authority_share"], abs=1e-9
        )
        assert int(float(c.at[a, "ties"])) == cap.at[a, "ties"]
    ei = wpnet.ei_test(sel, backbone="sdsm", permutations=10)
    e = read_csv(folder / "tables" / "ei_test.csv")
    assert float(e.at[0, "ei_index"]) == pytest.approx(ei.at["all", "ei_index"], abs=1e-12)
    assert int(e.at[0, "ties"]) == ei.at["all", "ties"]
    # the headline sentence, from reach computed here
    whole = wpnet.reach(sel).loc["all"]
    reached = round(whole["coverage"] * whole["eligible"])
    text = text_of(page)
    assert (
        f"reached {reached:,} of {int(whole['eligible']):,} schools and nurseries in {s}: "
        f"{100 * whole['coverage']:.0f}% (95% interval" in text
    )
    q = wpnet.reach(sel, by="simd_quintile")
    assert (
        f"{100 * q.at[1, 'coverage']:.0f}% of SIMD quintile 1 (most deprived) schools and "
        f"nurseries against {100 * q.at[5, 'coverage']:.0f}% of quintile 5" in text
    )
    # the top broker is named
    b = wpnet.brokerage(sel, backbone="sdsm")
    top = b.sort_values(["betweenness", "gf_total"], ascending=False).index[0]
    name = eco.establishments.set_index("establishment_id").at[top, "name"]
    assert f"The establishment on most shortest paths between others was {name}" in text
    # change flows equal change()
    ch = wpnet.change(eco, before=eco.sessions[-2], after=s, backbone="sdsm")
    f = read_csv(folder / "tables" / "change_flows.csv").set_index("unit")
    for col in ("before", "after", "retained", "new", "lapsed"):
        assert int(f.at["establishments", col]) == ch.flows.at["establishments", col]
        assert int(f.at["practitioners", col]) == ch.flows.at["practitioners", col]


@pytest.mark.slow
def test_example_methods_name_the_graph(example) -> None:
    _, page = example
    text = text_of(page)
    methods = text[text.index("Graphs and backbones used") :]
    assert "sdsm backbone (alpha=0.05, correction=none)" in methods
    assert "5,000 permutations, seed 0" in methods
    for term in ("coverage", "equity_ratio", "Gould–Fernandez roles", "level_evenness"):
        assert term in methods


@pytest.mark.slow
def test_no_practitioner_id_in_any_file(example) -> None:
    eco, page = example
    ids = set(eco.practitioners["practitioner_id"].astype(str))
    files = all_text(page.parent)
    assert any("!xl/worksheets/" in k for k in files)
    for name, text in files.items():
        tokens = set(re.findall(r"[A-Za-z0-9_]+", text))
        leaked = tokens & ids
        assert not leaked, f"{name} holds practitioner ids {sorted(leaked)[:3]}"


@pytest.mark.slow
@pytest.mark.browser
def test_example_opens_offline_in_chromium(example) -> None:
    _, page = example
    with launch() as browser, open_page(browser, page, width=390, height=844) as (p, log):
        assert p.title().startswith("Network report")
        # phone width: the page does not scroll sideways (tables scroll in their box)
        assert p.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        n_img = p.evaluate("Array.from(document.images).filter(i => i.naturalWidth > 0).length")
        assert n_img == p.evaluate("document.images.length") >= 4
    assert log.errors == [] and log.console_errors == [] and log.dialogs == []
    assert [u for u in log.foreign_requests if not u.startswith("data:")] == []


# ---- disclosure control (synthetic) -------------------------------------------------------
def test_small_practitioner_counts_are_suppressed(hostile) -> None:
    eco, page = hostile
    sel = eco.select(session=eco.sessions[-1])
    folder = page.parent
    for by, key in (("authority", "reach_authority"), ("workstream", "reach_workstream")):
        r = wpnet.reach(sel, by=by)
        t = read_csv(folder / "tables" / f"{key}.csv").set_index(by)
        small = r.index[(r["practitioners"] > 0) & (r["practitioners"] < 5)]
        assert len(small) > 0, "the fixture should hold small counts"
        for u in small:
            assert t.at[str(u), "practitioners"] == "<5"
            assert t.at[str(u), "depth"] == "*"  # depth x establishments would give it back
        # the column total is known: one hidden cell alone would be recoverable
        hidden = t["practitioners"].isin(["<5", "*"])
        assert hidden.sum() >= 2
        shown = pd.to_numeric(t.loc[~hidden, "practitioners"])
        assert ((shown >= 5) | (shown == 0)).all()  # a unit nobody reached shows 0


def test_share_revealing_a_small_count_is_hidden(hostile) -> None:
    eco, page = hostile
    sel = eco.select(session=eco.sessions[-1])
    r = wpnet.reach(sel, by="authority")
    t = read_csv(page.parent / "tables" / "reach_authority.csv").set_index("authority")
    leads = (r["lead_share"] * r["practitioners"]).round()
    for a in r.index[(leads > 0) & (leads < 5)]:
        assert t.at[str(a), "lead_share"] == "*"


# ---- escaping -----------------------------------------------------------------------------
def test_hostile_names_are_escaped_in_html(hostile) -> None:
    _, page = hostile
    raw = page.read_text(encoding="utf-8")
    assert EVIL_EST not in raw and "<script" not in raw
    assert html.escape(EVIL_EST, quote=False) in raw  # shown, as text (top broker)
    assert "=HYPERLINK(&#34;http://x&#34;)" in raw or "=HYPERLINK(&quot;http://x&quot;)" in raw
    assert "<script>alert" not in (page.parent / "map.html").read_text(encoding="utf-8")


def test_hostile_names_are_not_formulas_in_csv_or_xlsx(hostile) -> None:
    from openpyxl import load_workbook

    _, page = hostile
    folder = page.parent
    seen = False
    for f in (folder / "tables").glob("*.csv"):
        for row in csv.reader(io.StringIO(f.read_text(encoding="utf-8"))):
            for cell in row:
                assert not cell.startswith(("=", "+", "@")), (f.name, cell)
                seen |= cell == "'" + EVIL_NET
    assert seen, "the hostile network name should be in the top networks table"
    wb = load_workbook(folder / "tables.xlsx")
    values = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                values.append(cell.value)
    assert "'" + EVIL_NET in values


@pytest.mark.browser
def test_hostile_report_raises_no_dialog(hostile) -> None:
    _, page = hostile
    with launch() as browser, open_page(browser, page) as (p, log):
        assert EVIL_EST in p.inner_text("#brokerage")
    assert log.dialogs == [] and log.errors == []


# ---- options, CLI, PDF --------------------------------------------------------------------
def test_one_session_has_no_change(tmp_path: Path) -> None:
    eco = wpnet.tiny()
    page = build_report(eco, session="2021-22", out=tmp_path, backbone=None, permutations=20)
    text = text_of(page)
    assert "There is no earlier session in the data to compare 2021-22 with." in text
    assert not (tmp_path / "tables" / "change_flows.csv").exists()


def test_bad_arguments(tmp_path: Path) -> None:
    eco = wpnet.tiny()
    with pytest.raises(ValueError, match="not in the data"):
        build_report(eco, session="1999-00", out=tmp_path)
    with pytest.raises(ValueError, match="min_cell"):
        build_report(eco, out=tmp_path, min_cell=0)
    with pytest.raises(ValueError, match="backbone"):
        build_report(eco, out=tmp_path, backbone="magic")


def test_pdf_without_chromium_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WPNET_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(WpnetError, match="needs Chromium"):
        build_report(wpnet.tiny(), out=tmp_path, backbone=None, permutations=20, pdf=True)
    assert (tmp_path / "index.html").is_file()  # the HTML is written first


@pytest.mark.browser
def test_pdf_is_printed(tmp_path: Path) -> None:
    from _browser import require_chromium

    require_chromium()
    build_report(wpnet.tiny(), out=tmp_path, backbone=None, permutations=20, pdf=True)
    data = (tmp_path / "report.pdf").read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000
    # no link to the build's folder (an audit found file:///.../.tmp/map.html), and no
    # print copy left beside the page
    assert b"file://" not in data and b".tmp" not in data
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".print")) == []


def _args(add, argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    add(p)
    return p.parse_args(argv)


def test_cli_report_and_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from wpnet.io import write_ecosystem

    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data, format="csv")
    out = tmp_path / "rep"
    args = _args(add_arguments, [str(data), "--out", str(out), "--backbone", "none"])
    assert run(args) == 0
    said = capsys.readouterr().out
    assert f"wrote {out / 'index.html'}" in said and "tables.xlsx" in said
    assert (out / "index.html").is_file() and (out / "map.html").is_file()
    m = tmp_path / "m" / "map.html"
    assert run_map(_args(add_map_arguments, [str(data), "--out", str(m)])) == 0
    assert m.is_file() and "wrote" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # argparse: exit 2
        _args(add_arguments, [str(data), "--min-cell", "0"])
    with pytest.raises(FileNotFoundError):
        run(_args(add_arguments, [str(tmp_path / "missing")]))


def test_cli_bad_data_is_a_data_error(tmp_path: Path) -> None:
    from wpnet.io import write_ecosystem

    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data, format="csv")
    part = data / "participation.csv"
    part.write_text(part.read_text() + "P999,NOPE,not a date\n")
    with pytest.raises(wpnet.DataError):
        run(_args(add_arguments, [str(data), "--out", str(tmp_path / "r")]))


def test_quality_section_counts_findings_without_their_values(tmp_path: Path) -> None:
    import warnings

    from wpnet.io import read_ecosystem, write_ecosystem

    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data, format="csv")
    part = data / "participation.csv"
    part.write_text(part.read_text() + "PSECRET99,N1,2022-10-01\nP1,N1,31/13/2022\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "2 rows rejected"
        eco = read_ecosystem(data, errors="drop")
    page = build_report(eco, out=tmp_path / "r", backbone=None, permutations=20)
    for name, text in all_text(page.parent).items():
        assert "PSECRET99" not in text, name
        assert "31/13/2022" not in text, name
    rej = read_csv(page.parent / "tables" / "rejected.csv")
    assert rej["rows"].astype(int).sum() == 2 == len(eco.rejected)
    assert "unknown practitioner_id '…': not in practitioners" in set(
        rej["reason"].str.split(": ", n=1).str[1]
    )
    assert "2 rows rejected on reading" in text_of(page)


def test_tables_xlsx_matches_csv(hostile) -> None:
    _, page = hostile
    folder = page.parent
    xl = pd.read_excel(folder / "tables.xlsx", sheet_name=None, dtype=str)
    for f in (folder / "tables").glob("*.csv"):
        c = read_csv(f)
        x = xl[f.stem[:31]].fillna("")
        # headings are the human labels of the CSV's columns (wpnet.report.labels)
        assert list(x.columns) == [header(col) for col in c.columns]
        assert len(x) == len(c)
        if "practitioners" in c:
            # numbers as numbers; a hidden count ("<5", "*") is an empty cell in the sheet
            hidden = c["practitioners"].str.fullmatch(r"<\d+|\*")
            shown = x[header("practitioners")]
            assert (shown[hidden] == "").all()
            assert list(shown[~hidden]) == list(c["practitioners"][~hidden])
    assert np.isfinite(len(xl))


def test_methods_say_when_betweenness_was_sampled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wpnet.measures._betweenness as bro

    eco = wpnet.tiny()
    page = build_report(eco, out=tmp_path / "exact", backbone=None, permutations=20)
    assert "sampled sources" not in page.read_text(encoding="utf-8")
    monkeypatch.setattr(bro, "EXACT_BETWEENNESS_WORK", 0.0)
    monkeypatch.setattr(bro, "BETWEENNESS_SAMPLES", 2)
    with pytest.warns(UserWarning) as said:
        page = build_report(eco, out=tmp_path / "sampled", backbone=None, permutations=20)
    messages = " ".join(str(w.message) for w in said)
    assert "betweenness is estimated" in messages and "mean_distance and robustness" in messages
    html = page.read_text(encoding="utf-8")
    assert "betweenness estimated from" in html and "sampled sources of" in html
    assert "mean distance and robustness estimated from sampled sources" in html


# ---- headline findings: intervals or baselines, never a tally (issue 17) ------------------
_TALLY = re.compile(
    r"\d+\s+(?:\w+\s+){0,3}(?:strengthened|weakened|were stable|stable|strengthening|"
    r"weakening)|of \d+ (?:evaluation )?indicators",
    re.I,
)
_LEVEL = re.compile(r"\d%|\bpoints\b")


def _clauses(sentence: str) -> list[str]:
    return [c for c in re.split(r";\s*", sentence) if c.strip()]


_INTERVAL = re.compile(r"\b\d+(?:\.\d+)?% intervals?\b")


def check_headlines(sentences: list[str]) -> None:
    """No tally of directions; every clause stating a level or change (a percentage or
    percentage points) gives its 95% interval or its baseline (an expected value, or the
    value it is set against)."""
    assert sentences
    for s in sentences:
        assert not _TALLY.search(s), s
        for clause in _clauses(s):
            if _LEVEL.search(clause):
                assert _INTERVAL.search(clause) or "expected" in clause or "against" in clause, (
                    clause
                )


def test_headlines_carry_intervals_or_baselines_and_no_tally(hostile) -> None:
    eco, page = hostile
    from wpnet.report.compute import compute
    from wpnet.report.sentences import headlines

    res = compute(eco, eco.sessions[-1], eco.sessions[-2], graph=GraphSpec(backbone=None), permutations=200,
                  samples=100)  # fmt: skip
    lines = headlines(res)
    check_headlines(lines)
    # the changes from the first to the last session are stated with their interval
    changes = [s for s in lines if s.startswith(f"From {eco.sessions[0]} to")]
    assert changes and all("95% interval" in s for s in changes)
    for s in changes:
        assert s.endswith(("a clear strengthening.", "a clear weakening.",
                           "no clear change (the interval includes 0)."))  # fmt: skip
    # a cross-authority share no different from chance says so
    collab = next(s for s in lines if "joined different authorities" in s)
    p = float(res.ei.iloc[0]["p_two_sided"])
    assert ("at chance" in collab) == (p >= 0.05)
    # the page shows these sentences, and the themes section the cards
    text = text_of(page)
    assert "What participation records cannot show" in text
    assert "To what extent have the networks built a culture" in text
    folder = page.parent
    tidy = read_csv(folder / "tables" / "reflections.csv")
    assert list(tidy.columns) == [
        "theme", "indicator", "unit", "group", "session", "value", "n", "expected", "excess",
        "ci_low", "ci_high", "no_interval", "matched", "polarity", "kind",
    ]  # fmt: skip
    change = read_csv(folder / "tables" / "reflections_change.csv")
    assert set(change["direction"]) <= {"strengthening", "weakening", "no clear change", "n/a"}
    # a row shown without an interval says why (hidden rows: the interval is hidden)
    for t, value in ((tidy, "value"), (change, "change")):
        bare = t["ci_low"].eq("") & t[value].ne("")
        assert bare.any() and t.loc[bare, "no_interval"].ne("").all()
        assert t.loc[t["ci_low"].ne(""), "no_interval"].eq("").all()


def test_samples_zero_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    eco = wpnet.synthetic(establishments=40, practitioners=300, networks=10, records=900,
                          sessions=2, seed=2)  # fmt: skip
    page = build_report(eco, out=tmp_path / "r", backbone=None, permutations=50, samples=0)
    text = text_of(page)
    assert "(--samples 0): the evaluation themes show point values only" in text
    change = read_csv(page.parent / "tables" / "reflections_change.csv")
    assert set(change["direction"]) == {"n/a"}
    assert read_csv(page.parent / "tables" / "reflections.csv")["ci_low"].isin(["", "*"]).all()
    p = argparse.ArgumentParser()
    add_arguments(p)
    with pytest.raises(SystemExit):
        p.parse_args(["x", "--samples", "-1"])
    assert p.parse_args(["x", "--samples", "0"]).samples == 0
    assert p.parse_args(["x"]).samples == 200
