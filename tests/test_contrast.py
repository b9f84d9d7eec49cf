"""WCAG 2.1 contrast of every text colour used by the figures, the report's CSS and the
interactive map (text at least 4.5:1 against its background, marks at least 3:1)."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from matplotlib.text import Text

from wpnet.maps import _style as S
from wpnet.maps import static as st
from wpnet.maps._style import (
    MARK_CONTRAST,
    TEXT_CONTRAST,
    contrast_ratio,
    mark_edge,
    relative_luminance,
    text_color,
)

WHITE = "#FFFFFF"


def test_contrast_ratio_matches_published_values() -> None:
    # WCAG's own examples: black on white 21:1; #777777 on white just under 4.5:1
    # (4.48); #767676 is the lightest grey passing AA on white (4.54)
    assert contrast_ratio("#000", WHITE) == pytest.approx(21.0)
    assert contrast_ratio("#777777", WHITE) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", WHITE) == pytest.approx(4.54, abs=0.01)
    # sRGB red's relative luminance is the 0.2126 coefficient itself
    assert relative_luminance("#FF0000") == pytest.approx(0.2126)
    assert contrast_ratio("#336699", "#FFFFFF") == contrast_ratio("#FFFFFF", "#336699")


ALL_HUES = sorted(
    set(S.AUTHORITY_PALETTE)
    | set(S.SECTOR_COLORS.values())
    | set(S.SIMD_COLORS.values())
    | set(st._TREND_COLOURS)
    | {S.MISSING_COLOR, S.NETWORK_COLOR}
)


@pytest.mark.parametrize("hue", ALL_HUES)
def test_text_and_mark_variants_pass(hue: str) -> None:
    t, m = text_color(hue), mark_edge(hue)
    assert contrast_ratio(t, WHITE) >= TEXT_CONTRAST
    assert contrast_ratio(m, WHITE) >= MARK_CONTRAST
    if contrast_ratio(hue, WHITE) >= TEXT_CONTRAST:
        assert t == hue.upper()  # a dark enough hue is kept as it is
    # the variant keeps the hue (HLS hue within 0.02 of a turn), for a coloured hue
    import colorsys

    from matplotlib.colors import to_rgb

    h0, _, s0 = colorsys.rgb_to_hls(*to_rgb(hue))
    h1, _, _ = colorsys.rgb_to_hls(*to_rgb(t))
    if s0 > 0.1:
        assert min(abs(h0 - h1), 1 - abs(h0 - h1)) < 0.02


def test_renfrewshire_and_east_renfrewshire_were_the_failures() -> None:
    # the measurements: sand and pale cyan as text on white
    assert contrast_ratio("#DDCC77", WHITE) == pytest.approx(1.6, abs=0.05)
    assert contrast_ratio("#88CCEE", WHITE) == pytest.approx(1.8, abs=0.05)


def _figures(tiny):
    one = tiny.select(session="2022-23")
    with st.detached_figures():
        return {
            "ecosystem": st.plot_ecosystem(one, backbone=None),
            "flows": st.plot_authority_flows(one),
            "brokers": st.plot_brokers(one, backbone=None),
            "reach": st.plot_reach(one),
            "trend": st.plot_trend(tiny),
        }


def _background(t: Text, ax) -> str:
    if t.get_gid() == "cell":  # a number on a cell of the authority matrix
        im = ax.images[0]
        x, y = t.get_position()
        i, j = int(round(y)), int(round(x))
        if i == j:
            return st.DIAGONAL_FILL
        return im.cmap(im.norm(im.get_array()[i, j]))
    return WHITE


def test_every_text_colour_in_the_figures(tiny) -> None:
    checked = 0
    for name, ax in _figures(tiny).items():
        ax.figure.canvas.draw_idle()
        for t in ax.figure.findobj(Text):
            if not t.get_visible() or not t.get_text().strip():
                continue
            bg = _background(t, ax)
            ratio = contrast_ratio(t.get_color(), bg)
            assert ratio >= TEXT_CONTRAST, (name, t.get_text(), t.get_color(), bg, ratio)
            checked += 1
    assert checked > 60


def test_marks_reach_three_to_one(tiny) -> None:
    figs = _figures(tiny)
    for name in ("ecosystem", "brokers"):
        ax = figs[name]
        dots = next(c for c in ax.collections if c.get_gid() == "establishments")
        for edge in dots.get_edgecolors():
            assert contrast_ratio(tuple(edge[:3]), WHITE) >= MARK_CONTRAST, name
    for line in figs["trend"].lines:
        assert contrast_ratio(line.get_color(), WHITE) >= MARK_CONTRAST


_COLOR = re.compile(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6}|var\(--[\w-]+\))")


def _hex(value: str, variables: dict[str, str]) -> str:
    if value.startswith("var("):
        value = variables[value[6:-1]]
    if len(value) == 4:
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return value


def _css_colours(css: str) -> tuple[set[str], dict[str, str]]:
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", css))
    return {_hex(v, variables) for v in _COLOR.findall(css)}, variables


def test_report_css_text_colours() -> None:
    css = resources.files("wpnet.report").joinpath("templates", "report.html.j2").read_text()
    css = css.split("<style>")[1].split("</style>")[0]
    colours, variables = _css_colours(css)
    assert {variables["ink"], variables["muted"], variables["accent"]} <= colours
    backgrounds = {WHITE, variables["band"], "#fafbfc"}  # page, table head, striped rows
    for fg in colours:
        for bg in backgrounds:
            assert contrast_ratio(fg, bg) >= TEXT_CONTRAST, (fg, bg)


def test_interactive_map_text_colours() -> None:
    assets = resources.files("wpnet.maps").joinpath("assets")
    css = assets.joinpath("interactive.css").read_text()
    js = assets.joinpath("interactive.js").read_text()
    colours, _ = _css_colours(css)
    # canvas labels: fillText in the script's fillStyle
    colours |= {
        _hex(c, {}) for c in re.findall(r'fillStyle = "(#[0-9a-fA-F]{3,6})"; ctx.fillText', js)
    }
    assert len(colours) >= 5
    for fg in colours:
        for bg in (WHITE, "#fafafa"):  # the map and side panel, the top bar
            assert contrast_ratio(fg, bg) >= TEXT_CONTRAST, (fg, bg)
    # the search-match ring is a mark on the white map
    ring = re.search(r'ring\(matchList\[j\], "(#[0-9A-Fa-f]{6})"', js).group(1)
    assert contrast_ratio(ring, WHITE) >= MARK_CONTRAST
