"""The interactive map: its data, its safety, and the page itself in headless chromium.

Expected values for the tiny ecosystem are worked by hand from the ten records listed in
``wpnet.datasets.tiny`` (each record attributed to the establishment it names, else the
practitioner's home): 2021-22 has E1-N1 (P1), E3-N1 (P4), E2-N2 (P3); 2022-23 has
E1-N1 (P1, P2), E4-N1 (P4), E2-N2 (P3), E4-N2 (P5), C1-N1 (P7), E5-N3 (P6).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from _browser import launch, open_page, pixel_spread

import wpnet
import wpnet.datasets
from wpnet.ecosystem import Ecosystem
from wpnet.maps.interactive import InteractiveMap, interactive_map, map_data

EST = {"E1", "E2", "E3", "E4", "E5", "C1"}
NET = {"N1", "N2", "N3"}
# (establishment, network) -> sessions bitmask (bit 0 = 2021-22, bit 1 = 2022-23)
MEMBERSHIPS = {
    ("E1", "N1"): 3,
    ("E3", "N1"): 1,
    ("E2", "N2"): 3,
    ("E4", "N1"): 2,
    ("E4", "N2"): 2,
    ("C1", "N1"): 2,
    ("E5", "N3"): 2,
}
HOSTILE = {
    "E1": "<script>alert(1)</script>",
    "E2": '=HYPERLINK("x")',
    "E3": "Cove <!-- Primary \u2028 & <b>bold</b>",
}
HOSTILE_NET = {"N1": "</script><script>alert(2)</script>"}


def _memberships(data: dict) -> dict[tuple[str, str], int]:
    ids = [n["id"] for n in data["nodes"]]
    m = data["memberships"]
    return {(ids[m[i]], ids[m[i + 1]]): m[i + 2] for i in range(0, len(m), 3)}


def _nodes(data: dict) -> dict[str, dict]:
    return {n["id"]: n for n in data["nodes"]}


def _embedded(page_html: str) -> dict:
    """The JSON block of the page, parsed."""
    m = re.search(
        r'<script type="application/json" id="wpnet-data">(.*?)</script>', page_html, re.S
    )
    assert m is not None
    return json.loads(m.group(1))


def _hostile(tiny: Ecosystem) -> Ecosystem:
    est = tiny.establishments.copy()
    est["name"] = est["establishment_id"].map(HOSTILE).fillna(est["name"])
    net = tiny.networks.copy()
    net["name"] = net["network_id"].map(HOSTILE_NET).fillna(net["name"])
    prac = tiny.practitioners.copy()
    prac["practitioner_id"] = "PRACSECRET-" + prac["practitioner_id"]
    prac["role"] = "Secret Job Title"
    part = tiny.participation.copy()
    part["practitioner_id"] = "PRACSECRET-" + part["practitioner_id"]
    # canonical=True: the names reach the map as written (line separators, comment
    # openers), as they would from a table no reader cleaned; the map must escape them
    return Ecosystem(est, prac, net, part.drop(columns="session"), canonical=True)


# ---- data ----------------------------------------------------------------------------


def test_tiny_nodes_and_memberships_by_hand(tiny: Ecosystem) -> None:
    data = map_data(tiny, backbone=None, min_cell=1)  # every line drawn
    nodes = _nodes(data)
    assert {k for k, n in nodes.items() if n["kind"] == "establishment"} == EST
    assert {k for k, n in nodes.items() if n["kind"] == "network"} == NET
    assert data["sessions"] == ["2021-22", "2022-23"]
    assert _memberships(data) == MEMBERSHIPS
    # a node's sessions are the union of its memberships'
    assert nodes["E3"]["sessions"] == 1 and nodes["E1"]["sessions"] == 3
    assert nodes["N3"]["sessions"] == 2
    assert nodes["E4"]["networks"] == 2 and nodes["N1"]["establishments"] == 4
    assert nodes["C1"]["central"] is True and nodes["E1"]["central"] is False
    assert nodes["E1"]["simd"] == 1 and nodes["C1"]["simd"] is None
    auth = [a["name"] for a in data["authorities"]]
    assert auth[nodes["E4"]["authority"]] == "Inverclyde"
    ws = [w["name"] for w in data["workstreams"]]
    assert ws[nodes["N3"]["workstream"]] == "Forums"


def test_practitioner_counts_are_suppressed_below_min_cell(tiny: Ecosystem) -> None:
    # E1: P1, P2 -> 2; N1: P1, P4, P2, P7 -> 4; N2: P3, P5 -> 2
    open_ = _nodes(map_data(tiny, backbone=None, min_cell=1))
    assert (open_["E1"]["practitioners"], open_["N1"]["practitioners"]) == (2, 4)
    assert open_["N2"]["practitioners"] == 2
    # min_cell 4: N2 (2 practitioners, lines to 2 establishments) and N3 (1, lines to 1)
    # are small; their lines bound them from below (>= 2, >= 1) and their sum is known
    # from the column total, 3, which only 2 + 1 makes: both pinned, so N1 is hidden too.
    at4_data = map_data(tiny, backbone=None, min_cell=4)
    at4 = _nodes(at4_data)
    assert [at4[k]["practitioners"] for k in ("N1", "N2", "N3")] == ["*", "<4", "<4"]
    assert at4["E1"]["practitioners"] == "<4"
    assert all(at4[k]["establishments"] == "*" for k in ("N1", "N2", "N3"))
    assert len(at4_data["memberships"]) // 3 == 7 and at4_data["membershipsNote"] is None
    # min_cell 5 (issue 14): N1 has 4 practitioners from 4 establishments; "<5" beside
    # four lines would pin it to 4, so N1's lines are not drawn (and the page says so)
    default_data = map_data(tiny, backbone=None)
    default = _nodes(default_data)
    assert {n["practitioners"] for n in default.values()} == {"<5"}
    assert set(_memberships(default_data)) == {(e, k) for e, k in MEMBERSHIPS if k != "N1"}
    assert "1 small network" in default_data["membershipsNote"]


def test_betweenness_is_the_brokerage_measure(tiny: Ecosystem) -> None:
    # all sessions, no backbone: N1 joins E1, E3, E4, C1; N2 joins E2, E4; E5 alone.
    # E4 lies on every shortest path from E2 to E1, E3 and C1: 3 pairs / ((6-1)(6-2)/2)
    nodes = _nodes(map_data(tiny, backbone=None))
    assert nodes["E4"]["betweenness"] == pytest.approx(0.3)
    g = nx.Graph()
    g.add_nodes_from(EST)
    g.add_edges_from(
        [("E1", "E3"), ("E1", "E4"), ("E1", "C1"), ("E3", "E4"), ("E3", "C1"), ("E4", "C1")]
    )
    g.add_edge("E2", "E4")
    oracle = nx.betweenness_centrality(g, normalized=True)
    for e in EST:
        assert nodes[e]["betweenness"] == pytest.approx(oracle[e])
    # networks share no practitioner: no network brokers
    assert {nodes[k]["betweenness"] for k in NET} == {0.0}


def test_session_argument_narrows_the_map(tiny: Ecosystem) -> None:
    m = interactive_map(tiny, session="2022-23", backbone=None)
    nodes = _nodes(m.data)
    assert "E3" not in nodes  # E3's only record is dated 31 July 2022 (2021-22)
    assert set(nodes) == (EST - {"E3"}) | NET
    assert m.data["sessions"] == ["2022-23"]
    assert "2022-23" in m.data["title"]


def test_layout_is_deterministic_and_groups_authorities() -> None:
    eco = wpnet.synthetic(
        establishments=200, practitioners=1500, networks=30, records=5000, sessions=2
    )
    a = map_data(eco, backbone="sdsm")
    b = map_data(eco, backbone="sdsm")
    assert [(n["x"], n["y"]) for n in a["nodes"]] == [(n["x"], n["y"]) for n in b["nodes"]]
    est = [n for n in a["nodes"] if n["kind"] == "establishment"]
    xy = np.array([(n["x"], n["y"]) for n in est])
    assert np.abs(xy).max() <= 1.0 + 1e-9
    group = np.array([n["authority"] for n in est])
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    same = group[:, None] == group[None, :]
    off = ~np.eye(len(est), dtype=bool)
    # establishments of one authority sit in one disc: closer to each other than to others
    assert d[same & off].mean() < 0.5 * d[~same].mean()


def test_force_layout_and_colour_by_sector(tiny: Ecosystem) -> None:
    m = interactive_map(tiny, backbone=None, layout="force", color_by="sector")
    nodes = _nodes(m.data)
    assert nodes["E1"]["color"] == "#56B4E9"  # primary, Okabe-Ito sky blue (maps._style)
    assert nodes["N1"]["color"] == "#222222"
    assert [c["name"] for c in m.data["colors"]][:2] == ["early years", "primary"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"color_by": "roll"}, "color_by must be one of"),
        ({"layout": "circle"}, "layout must be one of"),
        ({"min_cell": 0}, "min_cell must be at least 1"),
        ({"backbone": "magic"}, "backbone must be one of"),
    ],
)
def test_bad_arguments_raise(tiny: Ecosystem, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        interactive_map(tiny, **kwargs)


# ---- the HTML ------------------------------------------------------------------------


def test_page_is_self_contained(tiny: Ecosystem) -> None:
    page = interactive_map(tiny, backbone=None).html
    assert page.startswith("<!DOCTYPE html>")
    for needle in (
        "<script src",
        '<link rel="stylesheet',
        "http://",
        "https://",
        "@import",
        "url(",
    ):
        assert needle not in page, needle
    assert "fetch(" not in page and "XMLHttpRequest" not in page and "innerHTML" not in page
    assert "default-src 'none'" in page  # CSP blocks any request the page might try
    assert _embedded(page)["nodes"][0]["id"] == "C1"


def test_hostile_names_are_escaped_and_survive_intact(tiny: Ecosystem) -> None:
    eco = _hostile(tiny)
    m = interactive_map(eco, backbone=None, title="<b>Title</b> & </script>")
    page = m.html
    assert "<script>alert" not in page
    assert page.count("<script") == 2 and page.count("</script") == 2  # data + code
    assert "<!--" not in page and "\u2028" not in page
    assert "<b>" not in page
    assert "&lt;b&gt;Title&lt;/b&gt; &amp; &lt;/script&gt;" in page
    names = {n["id"]: n["name"] for n in _embedded(page)["nodes"]}
    assert names["E1"] == HOSTILE["E1"] and names["E2"] == HOSTILE["E2"]
    assert names["E3"] == HOSTILE["E3"] and names["N1"] == HOSTILE_NET["N1"]


def test_no_practitioner_id_name_or_role_in_page(tiny: Ecosystem) -> None:
    page = interactive_map(_hostile(tiny), backbone=None, min_cell=1).html
    assert "PRACSECRET" not in page and "Secret Job Title" not in page


def test_save_is_atomic_and_repr_html_escapes(tiny: Ecosystem, tmp_path: Path) -> None:
    target = tmp_path / "sub" / "map.html"
    m = interactive_map(_hostile(tiny), target, backbone=None)
    assert isinstance(m, InteractiveMap) and m.path == target
    assert target.read_text(encoding="utf-8") == m.html
    target.write_text("old", encoding="utf-8")
    m.save(target)
    assert target.read_text(encoding="utf-8") == m.html
    assert sorted(p.name for p in target.parent.iterdir()) == ["map.html"]  # no temp left
    frame = m._repr_html_()
    assert frame.startswith("<iframe") and frame.count("<") == 2  # <iframe and </iframe>
    assert "&lt;script&gt;" in frame and 'sandbox="allow-scripts"' in frame


# ---- in the browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    with launch() as b:
        yield b


def _ready(page) -> None:
    page.wait_for_function("window.wpnetMap && window.wpnetMap.ready", timeout=30_000)


def _quiet(log) -> None:
    assert log.errors == [], log.errors
    assert log.console_errors == [], log.console_errors
    assert log.foreign_requests == [], log.foreign_requests
    assert log.dialogs == [], log.dialogs


def _click(page, node_id: str) -> None:
    p = page.evaluate("id => wpnetMap.screenPosition(id)", node_id)
    page.mouse.click(p["x"], p["y"])


def _colour_near(png: bytes, rgb: tuple[int, int, int], tol: int = 40) -> int:
    import io

    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int((np.abs(img - np.array(rgb)).sum(axis=2) < tol).sum())


@pytest.mark.browser
def test_browser_tiny_map_works_offline(browser, tiny: Ecosystem, tmp_path: Path) -> None:
    path = interactive_map(tiny, tmp_path / "tiny.html", backbone=None, min_cell=1).path
    with open_page(browser, path) as (page, log):
        _ready(page)
        assert page.evaluate("wpnetMap.nodeCount()") == 9
        assert page.get_attribute("#map", "data-node-count") == "9"
        assert sorted(page.evaluate("wpnetMap.nodeIds()")) == sorted(EST | NET)
        assert page.evaluate("wpnetMap.visibleCount()") == 9

        # search: typing a name highlights (rings) its node
        page.fill("#search", "ashgrove")
        assert page.evaluate("wpnetMap.matched()") == ["E1"]
        assert page.get_attribute("body", "data-matches") == "1"
        assert page.inner_text("#search-count") == "1 match"
        p = page.evaluate("wpnetMap.screenPosition('E1')")
        box = {"x": p["x"] - 20, "y": p["y"] - 20, "width": 40, "height": 40}
        page.evaluate("wpnetMap.redraw()")
        assert _colour_near(page.screenshot(clip=box), (0xC5, 0x88, 0x00)) > 20  # dark orange ring
        page.fill("#search", "")
        assert page.evaluate("wpnetMap.matched()") == []

        # hover: tooltip with the establishment's facts (min_cell=1 draws every line and
        # shows every count; the markers of suppressed counts are checked in the data)
        page.mouse.move(p["x"], p["y"])
        tip = page.inner_text("#tooltip")
        assert "Ashgrove Primary" in tip and "Glasgow City" in tip and "Practitioners\t2" in tip
        assert page.is_visible("#tooltip")

        # click: the node and its neighbours (E1 is only in N1)
        _click(page, "E1")
        assert sorted(page.evaluate("wpnetMap.highlighted()")) == ["E1", "N1"]
        assert page.is_visible("#details")
        _click(page, "N2")
        assert sorted(page.evaluate("wpnetMap.highlighted()")) == ["E2", "E4", "N2"]
        page.keyboard.press("Escape")
        assert page.evaluate("wpnetMap.highlighted()") == []

        # authority off: its establishments hide (N1, N2 keep members elsewhere)
        page.uncheck('input[data-authority="Inverclyde"]')
        visible = set(page.evaluate("wpnetMap.visibleIds()"))
        assert visible == (EST | NET) - {"E3", "E4"}
        page.uncheck('input[data-authority="Renfrewshire"]')
        assert set(page.evaluate("wpnetMap.visibleIds()")) == {"E1", "E2", "C1", "N1", "N2"}
        page.click("#auth-all")
        assert page.evaluate("wpnetMap.visibleCount()") == 9

        # workstream off: its networks and establishments reached only through them hide
        page.uncheck('input[data-workstream="Forums"]')
        assert set(page.evaluate("wpnetMap.visibleIds()")) == (EST | NET) - {"N3", "E5"}
        page.check('input[data-workstream="Forums"]')

        # session: 2021-22 had E1, E2, E3 in N1 and N2 only
        page.select_option("#session", label="2021-22")
        assert set(page.evaluate("wpnetMap.visibleIds()")) == {"E1", "E2", "E3", "N1", "N2"}
        page.select_option("#session", label="All sessions")

        png = page.screenshot()
        spread, colours = pixel_spread(png)
        assert spread > 5 and colours > 50
        _quiet(log)


@pytest.mark.browser
def test_browser_hostile_names_raise_no_dialog(browser, tiny: Ecosystem, tmp_path: Path) -> None:
    path = interactive_map(
        _hostile(tiny), tmp_path / "hostile.html", backbone=None, min_cell=1
    ).path
    with open_page(browser, path) as (page, log):
        _ready(page)
        assert page.evaluate("wpnetMap.nodeCount()") == 9
        assert page.evaluate("wpnetMap.search('alert(1)')") == ["E1"]
        assert page.evaluate("wpnetMap.search('hyperlink')") == ["E2"]
        p = page.evaluate("wpnetMap.screenPosition('E1')")
        page.mouse.move(p["x"], p["y"])
        assert page.inner_text("#tooltip .t") == HOSTILE["E1"]  # shown as text
        _click(page, "N1")
        assert page.inner_text("#details .t") == HOSTILE_NET["N1"]
        assert page.evaluate("document.querySelectorAll('script').length") == 2
        assert page.evaluate("document.querySelectorAll('b').length") == 0
        page.wait_for_timeout(100)
        _quiet(log)


@pytest.mark.browser
def test_browser_synthetic_map(browser, tmp_path: Path) -> None:
    eco = wpnet.synthetic(
        establishments=600, practitioners=6000, networks=70, records=20000, sessions=3
    )
    m = interactive_map(eco, tmp_path / "synth.html")
    rec = eco.records
    n_est = rec.loc[rec["network_id"].notna(), "establishment_id"].nunique()
    n_net = rec["network_id"].nunique()
    with open_page(browser, m.path, width=1400, height=860) as (page, log):
        _ready(page)
        assert page.evaluate("wpnetMap.establishmentCount()") == n_est
        assert page.evaluate("wpnetMap.networkCount()") == n_net
        assert page.evaluate("wpnetMap.drawCount()") >= 1
        assert page.evaluate("wpnetMap.redraw()") < 250  # ms for one full frame
        authority = m.data["authorities"][0]["name"]
        own = {n["id"] for n in m.data["nodes"] if n.get("authority") == 0}
        page.uncheck(f'input[data-authority="{authority}"]')
        assert own.isdisjoint(page.evaluate("wpnetMap.visibleIds()"))
        page.check(f'input[data-authority="{authority}"]')
        big = max(
            (n for n in m.data["nodes"] if n["kind"] == "establishment"),
            key=lambda n: n["networks"],
        )
        _click(page, big["id"])
        expected = {big["id"]} | {k for (e, k) in _memberships(m.data) if e == big["id"]}
        assert set(page.evaluate("wpnetMap.highlighted()")) == expected
        spread, colours = pixel_spread(page.screenshot())
        assert spread > 10 and colours > 200
        _quiet(log)


@pytest.mark.browser
@pytest.mark.slow
def test_browser_full_example_loads_whole(browser, tmp_path: Path) -> None:
    # its load and redraw times are measured by benchmarks, not asserted here
    eco = wpnet.load_example()
    m = interactive_map(eco, tmp_path / "example.html")
    assert len(m.html) < 3_000_000
    with open_page(browser, m.path, width=1400, height=860) as (page, log):
        _ready(page)
        n = len(pd.unique(pd.Series([x["id"] for x in m.data["nodes"]])))
        assert page.evaluate("wpnetMap.nodeCount()") == n
        assert isinstance(page.evaluate("wpnetMap.redraw()"), int | float)  # redraws
        page.fill("#search", m.data["nodes"][0]["name"][:12])
        assert m.data["nodes"][0]["id"] in page.evaluate("wpnetMap.matched()")
        _quiet(log)


def test_separate_moves_points_as_the_all_pairs_rule_does() -> None:
    # the k-d tree looks only at near pairs; the result is the all-pairs rule's
    from wpnet.maps.interactive import _LAYOUT_SEED, _separate

    def all_pairs(p, size, rounds):
        p = p + np.random.default_rng(_LAYOUT_SEED).normal(0, 1e-4, size=p.shape)
        need = size[:, None] + size[None, :]
        for _ in range(rounds):
            d = p[:, None, :] - p[None, :, :]
            dist = np.hypot(d[..., 0], d[..., 1]) + np.eye(len(p))
            overlap = np.clip(need - dist, 0, None)
            np.fill_diagonal(overlap, 0)
            if not overlap.any():
                break
            p = p + 0.5 * (d / dist[..., None] * overlap[..., None]).sum(axis=1)
        return p

    rng = np.random.default_rng(3)
    p, size = rng.random((300, 2)), rng.random(300) * 0.03 + 0.005
    got = _separate(p, size, rounds=40)
    assert np.allclose(got, all_pairs(p, size, 40), atol=1e-12)
    assert not np.allclose(got, p, atol=1e-3)  # points did move
