"""The report as people see it: readable tables (labels, integers, percentages), the
print layout in Chromium (every table inside its page), figures legible at 400 px, and
tables.xlsx with number formats."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from _browser import launch, open_page

import wpnet
from wpnet.graphs import GraphSpec
from wpnet.report import build_report
from wpnet.report.build import print_pdf
from wpnet.report.compute import compute
from wpnet.report.labels import COLUMNS, XLSX_FORMATS, header
from wpnet.report.tables import HIDDEN, build_tables

#: CSS pixels between the margins of A4 portrait (210 - 2 x 12 mm) and landscape pages
#: (297 - 2 x 12 mm), at 96 px per inch.
PORTRAIT_PX = (210 - 24) / 25.4 * 96
LANDSCAPE_PX = (297 - 24) / 25.4 * 96
INTEGER = re.compile(r"^[+-]?\d{1,3}(,\d{3})*$")
PERCENT = re.compile(r"^\d+\.\d%$")
MARKER = re.compile(r"^(<\d+|\*|–)$")


@pytest.fixture(scope="module")
def tiny_tables():
    eco = wpnet.tiny()
    res = compute(
        eco, "2022-23", "2021-22", graph=GraphSpec(backbone=None), permutations=20, seed=0
    )
    return build_tables(res, 5)


def test_every_column_has_a_label(tiny_tables) -> None:
    for t in tiny_tables:
        for col in t.frame.columns:
            c = str(col)
            if t.key == "authority_matrix" and c != "authority":
                continue  # columns are authority names
            if re.fullmatch(r"\d{4}-\d{2}", c):
                continue  # a session
            assert c in COLUMNS, f"{t.key}: column {c!r} has no label"
        assert all("_" not in h for h in t.headers), (t.key, t.headers)


def test_counts_are_integers_and_shares_percentages(tiny_tables) -> None:
    seen = {"count": 0, "share": 0}
    for t in tiny_tables:
        cells = t.cells()
        for j, col in enumerate(t.frame.columns):
            kind = COLUMNS[str(col)].kind if str(col) in COLUMNS else None
            if kind not in seen or str(col) in t.cell_formats or t.format_of(col) == "text":
                continue
            for row in cells:
                v = row[j]
                if MARKER.match(v):
                    continue
                pattern = INTEGER if kind == "count" else PERCENT
                assert pattern.match(v), f"{t.key}.{col}: {v!r} is not a {kind}"
                seen[kind] += 1
    assert seen["count"] > 20 and seen["share"] > 10
    # per-row kinds in the tidy evaluation table: a share indicator's value, interval and
    # baseline print as percentages, its excess and its change in percentage points
    refl = next(t for t in tiny_tables if t.key == "reflections")
    cells, cols = refl.cells(), list(refl.frame.columns)
    rows = [i for i, ind in enumerate(refl.frame["indicator"]) if ind == "coverage"]
    assert rows
    for i in rows:
        v = cells[i][cols.index("value")]
        assert MARKER.match(v) or PERCENT.match(v), v
    change = next(t for t in tiny_tables if t.key == "reflections_change")
    cells, cols = change.cells(), list(change.frame.columns)
    # (tiny's earlier session has fewer than 5 practitioners: every partnership value
    # of it is hidden, and its changes with it; a quintile's coverage of 0 in both
    # sessions is shown, a zero being no small count)
    rows = [i for i, kind in enumerate(change.frame["kind"]) if kind == "share"]
    shown = [cells[i][cols.index("change")] for i in rows]
    assert rows and all(v.endswith(" pp") or MARKER.match(v) for v in shown)
    assert any(v.endswith(" pp") for v in shown)


def test_a_float_count_prints_without_decimals() -> None:
    from wpnet.report.tables import Table

    t = Table("k", "T", pd.DataFrame({"indicator": ["leaders_headteacher"], "2023-24": [109.0]}))
    t.cell_formats = {"2023-24": ["int"]}
    assert t.cells() == [["Leaders: headteachers (practitioners)", "109"]]


# ---- the built report ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_page(example_report) -> Path:
    """The example's report with every option at its default (built once, in conftest)."""
    return example_report.page


@pytest.fixture(scope="module")
def browser():
    with launch() as b:
        yield b


_FITS = """([selector, width]) => Array.from(document.querySelectorAll(selector))
  .filter(w => w.offsetParent !== null)
  .map(w => { const t = w.querySelector('table'); const r = t.getBoundingClientRect();
              return [w.closest('.table-block').id, r.left, r.right, t.scrollWidth]; })"""


@pytest.mark.slow
@pytest.mark.browser
def test_print_layout_keeps_every_column_in_the_page(example_page, browser, tmp_path) -> None:
    """Chromium's print layout, at the width of the page each table is set on."""
    n_wide = 0
    for width, selector in (
        (PORTRAIT_PX, ".table-block:not(.wide) .table-wrap"),
        (LANDSCAPE_PX, ".table-block.wide .table-wrap"),
    ):
        with open_page(browser, example_page, width=int(width), height=1000) as (page, _):
            page.emulate_media(media="print")
            found = page.evaluate(_FITS, [selector, width])
            assert found
            for key, left, right, scroll in found:
                assert left >= -0.5 and right <= width + 0.5, (key, width, right)
                assert scroll <= right - left + 0.5, (key, scroll, right - left)
            if selector.endswith(".wide .table-wrap"):
                n_wide = len({k for k, *_ in found})
                pages = page.eval_on_selector_all(
                    ".table-block.wide", "bs => bs.map(b => getComputedStyle(b).page)"
                )
                assert set(pages) == {"wide"}
            imgs = page.eval_on_selector_all(
                "figure img", "is => is.map(i => i.getBoundingClientRect().right)"
            )
            assert imgs and max(imgs) <= width + 0.5
    assert n_wide >= 3
    # and the PDF `wpnet report --pdf` prints holds A4 landscape pages for them
    pdf = print_pdf(example_page, tmp_path / "report.pdf").read_bytes()
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    landscape = [b for b in boxes if float(b[0]) > float(b[1])]
    assert landscape and len(landscape) < len(boxes)
    assert all(round(max(map(float, b))) == 842 for b in boxes)  # A4: 841.92 pt


@pytest.mark.slow
@pytest.mark.browser
def test_figures_legible_at_400_and_1400_px(example_page, browser) -> None:
    """A figure is shown at no less than 85% of its drawn size at either width; drawn at
    96 dpi with no text under 8.5 pt, its text is at least 9.6 px on screen."""
    for width in (400, 1400):
        with open_page(browser, example_page, width=width, height=900) as (page, _):
            shown = page.eval_on_selector_all(
                "figure img",
                "is => is.map(i => [i.getBoundingClientRect().width, i.naturalWidth])",
            )
            assert len(shown) >= 4
            for w, natural in shown:
                assert w >= 0.85 * natural, (width, w, natural)
            # the page itself never scrolls sideways: a figure scrolls inside its frame
            assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.slow
def test_xlsx_formats_and_hidden_cells(example_page) -> None:
    folder = example_page.parent
    wb = openpyxl.load_workbook(folder / "tables.xlsx")
    checked = {"#,##0": 0, "0.0%": 0}
    for ws in wb.worksheets:
        csv = pd.read_csv(folder / "tables" / f"{ws.title}.csv", dtype=str, keep_default_na=False)
        assert [c.value for c in ws[1]] == [header(c) for c in csv.columns]
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "B2"
        for j, col in enumerate(csv.columns, 1):
            letter = openpyxl.utils.get_column_letter(j)
            assert ws.column_dimensions[letter].width >= len(max(header(col).split(), key=len))
            kind = COLUMNS[col].kind if col in COLUMNS else None
            for i, text in enumerate(csv[col], 2):
                cell = ws.cell(row=i, column=j)
                if text in (HIDDEN,) or re.fullmatch(r"<\d+", text):
                    # hidden stays hidden, and leaves the column numeric
                    assert cell.value is None and cell.comment is not None
                    assert "Hidden" in cell.comment.text
                    continue
                if kind in ("count", "share") and text != "":
                    assert isinstance(cell.value, int | float), (ws.title, col, cell.value)
                    assert np.isclose(float(cell.value), float(text))
                    fmt = XLSX_FORMATS["int" if kind == "count" else "pct"]
                    assert cell.number_format == fmt
                    checked[fmt] += 1
    assert checked["#,##0"] > 50 and checked["0.0%"] > 50


def test_sector_values_show_by_their_labels(tiny_tables) -> None:
    # issue 18: no machine names (early_years) in the tables people read; the CSVs keep them
    t = next(t for t in tiny_tables if "sector" in map(str, t.frame.columns))
    j = [str(c) for c in t.frame.columns].index("sector")
    raw = set(t.frame["sector"].dropna().astype(str))
    shown = {row[j] for row in t.cells()}
    assert "primary" in raw and "Primary" in shown
    assert not shown & {"early_years", "primary", "secondary", "special", "central"}


def test_alt_text_carries_the_figures_hand_worked_numbers(tmp_path) -> None:
    """issue 18: alt text gives each figure's numbers, here worked by hand for tiny.

    2022-23: Glasgow City reaches E1, E2 of its two schools (E1 is quintile 1);
    Inverclyde E4 of E3, E4 (E3 is quintile 1); Renfrewshire E5 of E5, E6 (none in
    quintile 1): 4 of 6 schools, 1 of 2 in quintile 1. 2021-22: E1, E2, E3 (3 of 6).
    N1 joins E1, E4 and the central team C1, N2 joins E2 and E4, N3 only E5.
    """
    import html

    import networkx as nx

    from wpnet.report.disclosure import published
    from wpnet.report.figures import alt_texts
    from wpnet.report.tables import capacity_tables, reach_tables

    eco = wpnet.tiny()
    res = compute(
        eco, "2022-23", "2021-22", graph=GraphSpec(backbone=None), permutations=20, seed=0
    )
    # as a report with min_cell=1 publishes them (tiny's counts are all small)
    alt = alt_texts(res, published([*reach_tables(res, 1), *capacity_tables(res, 1)]))
    assert (
        "Glasgow City 100% (SIMD quintile 1: 100%); Inverclyde 50% (SIMD quintile 1: 0%); "
        "Renfrewshire 50%. Partnership: 67% (SIMD quintile 1: 50%)."
    ) in alt["reach"]
    assert "most shared: Glasgow City and Inverclyde (2)" in alt["authority_flows"]
    g = nx.Graph([("E1", "E4"), ("E1", "C1"), ("E4", "C1"), ("E2", "E4")])
    g.add_node("E5")
    between = nx.betweenness_centrality(g)
    assert "4 establishments joined by 4 ties" in alt["brokers"]
    assert f"1. Dunrod School (Inverclyde, betweenness {between['E4']:.3f})" in alt["brokers"]
    assert "5 establishments of 3 authorities around the 3 networks" in alt["ecosystem"]
    assert "coverage from 50% in 2021-22 to 67% in 2022-23" in alt["trend"]
    # and the page's images carry them
    index = build_report(
        eco,
        session="2022-23",
        compare_to="2021-22",
        out=tmp_path / "r",
        backbone=None,
        permutations=20,
        min_cell=1,
    )
    page = index.read_text(encoding="utf-8")
    shown = {html.unescape(a) for a in re.findall(r'<img [^>]*alt="([^"]*)"', page)}
    assert set(alt.values()) <= shown


def test_table_rows_built_in_python_are_what_the_template_wrote_cell_by_cell() -> None:
    # the oracle: the page template's former cell-by-cell loop, rendered by jinja2
    from jinja2 import Environment

    from wpnet.report.tables import body_html

    loop = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
        '{% for row in rows %}<tr>{% for v in row %}{% if loop.first %}<th scope="row">'
        '{{ v }}</th>{% else %}<td{% if numeric[loop.index0] %} class="n"{% endif %}>'
        "{{ v }}</td>{% endif %}{% endfor %}</tr>\n{% endfor %}"
    )
    rows = [
        ["Glasgow City", "1,234", "12.5%"],
        ['<script>alert("x")</script>', "&amp;", "O'Neill & Sons"],
        ["", "<5", "*"],
        ["Ünïcode — dash", "–", ""],
    ]
    numeric = [False, True, False]
    assert str(body_html(rows, numeric)) == loop.render(rows=rows, numeric=numeric)
    assert str(body_html([], numeric)) == ""
    assert "&lt;script&gt;" in body_html(rows, numeric)
