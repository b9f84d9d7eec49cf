"""The interactive map in a frame that gets its size late (a notebook's output), and
reached by keyboard alone; the contrast of its marks."""

from __future__ import annotations

import html
import time
from pathlib import Path

import pytest
from _browser import launch, open_page, pixel_spread

from wpnet.ecosystem import Ecosystem
from wpnet.maps._style import MARK_CONTRAST, contrast_ratio
from wpnet.maps.interactive import interactive_map, map_data, render_html


@pytest.fixture(scope="module")
def browser():
    with launch() as b:
        yield b


def _until(frame, expression: str, timeout: float = 20.0) -> None:
    """Poll ``expression`` in ``frame`` (the page's CSP forbids wait_for_function's eval)."""
    end = time.monotonic() + timeout
    while not frame.evaluate(expression):
        assert time.monotonic() < end, f"timed out waiting for {expression}"
        time.sleep(0.05)


def _spread(frame, ids: list[str]) -> tuple[float, float, list[float], list[dict]]:
    """Width and height of the nodes' screen box, the canvas' box and the positions,
    read in one script call and once the map has stopped moving (it refits while its
    frame is being laid out), so that positions and box belong to the same frame."""
    read = (
        "ids => { const r = document.getElementById('map').getBoundingClientRect();"
        " return [ids.map(i => wpnetMap.screenPosition(i)),"
        " [r.left, r.top, r.width, r.height]]; }"
    )
    last = None
    for _ in range(50):
        pts, box = frame.evaluate(read, ids)
        if [pts, box] == last:
            break
        last = [pts, box]
        frame.wait_for_timeout(50)
    xs, ys = [p["x"] for p in pts], [p["y"] for p in pts]
    return max(xs) - min(xs), max(ys) - min(ys), box, pts


def test_node_edges_reach_three_to_one(tiny: Ecosystem) -> None:
    data = map_data(tiny, backbone=None)
    colours = {n["color"] for n in data["nodes"]}
    assert set(data["edges"]) == colours
    for fill, edge in data["edges"].items():
        assert contrast_ratio(edge, "#FFFFFF") >= MARK_CONTRAST, (fill, edge)


@pytest.mark.browser
def test_map_fits_once_its_frame_has_a_size(browser, tiny: Ecosystem, tmp_path: Path) -> None:
    """A notebook output frame may have no size while the page's script runs; the map
    must fill the frame once it gets one (before the fix it stayed at 1 px per unit)."""
    m = interactive_map(tiny, backbone=None)
    host = tmp_path / "host.html"
    host.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        '<iframe id="f" style="width:900px;height:600px;border:0;display:none" '
        f'sandbox="allow-scripts" srcdoc="{html.escape(m.html, quote=True)}"></iframe>'
        "</body></html>",
        encoding="utf-8",
    )
    with open_page(browser, host, width=1000, height=700) as (page, log):
        frame = page.frames[1]
        _until(frame, "!!(window.wpnetMap && window.wpnetMap.ready)")
        ids = frame.evaluate("wpnetMap.nodeIds()")
        w0, h0, _, _ = _spread(frame, ids)
        assert max(w0, h0) < 20  # hidden: nothing to fit to yet
        page.evaluate("document.getElementById('f').style.display = 'block'")
        _until(frame, "(() => { const p = wpnetMap.screenPosition('N1'); return p.x > 50; })()")
        w, h, (left, top, cw, ch), pts = _spread(frame, ids)
        # the layout fills the canvas (fit leaves 40 px of padding on each side)
        assert max(w / (cw - 80), h / (ch - 80)) > 0.95
        for p in pts:
            assert left <= p["x"] <= left + cw and top <= p["y"] <= top + ch
        # and it is drawn (not a blank canvas waiting for an animation frame)
        spread, colours = pixel_spread(page.locator("#f").screenshot())
        assert spread > 5 and colours > 50
        assert log.errors == []


@pytest.mark.browser
def test_keyboard_reaches_every_node(browser, tiny: Ecosystem, tmp_path: Path) -> None:
    # min_cell=1 draws every line (at the default, disclosure control may withhold a
    # small network's lines: test_withheld_lines_keep_their_nodes)
    path = interactive_map(tiny, tmp_path / "map.html", backbone=None, min_cell=1).path
    with open_page(browser, path) as (page, log):
        page.wait_for_function("window.wpnetMap && window.wpnetMap.ready", timeout=30_000)
        # search by keyboard, down to the first match, Enter: selected, details focused
        page.focus("#search")
        page.keyboard.type("ashgrove")
        assert page.locator("#results button").count() == 1
        page.keyboard.press("ArrowDown")
        focused = page.evaluate("document.activeElement.getAttribute('data-node')")
        assert focused == "E1"
        page.keyboard.press("Enter")
        assert page.evaluate("wpnetMap.selected()") == "E1"
        assert page.evaluate("document.activeElement.id") == "details"
        details = page.inner_text("#details")
        assert "Ashgrove Primary" in details and "Glasgow City" in details
        # its neighbour is a button too: N1 by keyboard
        page.keyboard.press("Tab")  # the close button
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('data-node')") == "N1"
        page.keyboard.press("Enter")
        assert sorted(page.evaluate("wpnetMap.highlighted()")) == [
            "C1",
            "E1",
            "E3",
            "E4",
            "N1",
        ]  # all sessions pooled
        # Escape closes the details and gives the focus back to the last list button
        page.keyboard.press("Escape")
        assert page.evaluate("wpnetMap.selected()") is None
        assert page.is_hidden("#details")
        assert page.evaluate("document.activeElement.getAttribute('data-node')") == "E1"
        # Tab order also reaches the matches: search, session, then the list
        page.focus("#search")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('data-node')") == "E1"
        # the full list: every node once, each a button
        page.click("#node-list summary")
        # the list is built on the details' toggle event, which fires after the click
        page.wait_for_selector("#node-list button", timeout=10_000)
        listed = page.eval_on_selector_all(
            "#node-list button", "bs => bs.map(b => b.getAttribute('data-node'))"
        )
        assert sorted(listed) == sorted(page.evaluate("wpnetMap.nodeIds()"))
        page.locator('#node-list button[data-node="N2"]').focus()
        page.keyboard.press("Enter")
        assert sorted(page.evaluate("wpnetMap.highlighted()")) == ["E2", "E4", "N2"]
        assert log.errors == [] and log.console_errors == []


@pytest.mark.browser
def test_withheld_lines_keep_their_nodes(browser, tiny: Ecosystem, tmp_path: Path) -> None:
    """A network whose lines are withheld (disclosure control) stays findable and
    selectable, and so does an establishment whose only lines are withheld; neither
    highlights a neighbour the page does not draw."""
    data = map_data(tiny, backbone=None, min_cell=1)
    n1 = next(j for j, n in enumerate(data["nodes"]) if n["id"] == "N1")
    mem = data["memberships"]
    kept = [mem[i : i + 3] for i in range(0, len(mem), 3) if mem[i + 1] != n1]
    assert len(kept) == 3  # E2-N2, E4-N2, E5-N3: N1's four lines withheld
    data["memberships"] = [v for m in kept for v in m]
    data["membershipsNote"] = "the memberships of 1 small network are not drawn"
    data["title"] = "withheld"
    path = tmp_path / "withheld.html"
    path.write_text(render_html(data), encoding="utf-8")
    with open_page(browser, path) as (page, log):
        page.wait_for_function("window.wpnetMap && window.wpnetMap.ready", timeout=30_000)
        # every node is on the map: E1, E3, C1 (only in N1) and N1 itself included
        assert sorted(page.evaluate("wpnetMap.visibleIds()")) == sorted(
            n["id"] for n in data["nodes"]
        )
        page.focus("#search")
        page.keyboard.type("ashgrove")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert page.evaluate("wpnetMap.selected()") == "E1"
        assert page.evaluate("wpnetMap.highlighted()") == ["E1"]  # its line is withheld
        details = page.inner_text("#details")
        assert "networks (0 drawn)" in details.lower() and "1 small network" in details
        assert page.evaluate("wpnetMap.select('N1')") == ["N1"]
        # E4's drawn line to N2 still highlights; its withheld line to N1 does not
        assert sorted(page.evaluate("wpnetMap.select('E4')")) == ["E4", "N2"]
        assert "1 small network" in page.inner_text("#graph-note")
        # session filter: E3 took part in 2021-22 only, so the 2022-23 view drops it
        page.select_option("#session", label="2022-23")
        visible = page.evaluate("wpnetMap.visibleIds()")
        assert "E3" not in visible and {"E1", "N1", "C1"} <= set(visible)
        assert log.errors == [] and log.console_errors == []
