"""Tests for wpnet.maps.static: each figure holds what it claims.

Expected values on the tiny ecosystem's 2022-23 session are worked by hand from
wpnet.datasets.tiny's docstring: records reach E1, E2 (Glasgow City), E4 (Inverclyde),
E5 (Renfrewshire) and the central team C1; E3 and E6 are not reached. Network N1 joins
C1, E1, E4; N2 joins E2, E4; N3 only E5. The projection's ties are C1-E1, C1-E4, E1-E4,
E2-E4, so E4 alone lies on shortest paths between others.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.image import imread

import wpnet
import wpnet.datasets
from wpnet.maps import static as st
from wpnet.maps._style import SIMD_COLORS, authority_colors

AUTHORITIES = ["Glasgow City", "Inverclyde", "Renfrewshire"]


@pytest.fixture(autouse=True)
def _close_figures():
    """Each test's pyplot figures are closed after it (as a notebook's cell does)."""
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def _collection(ax: Axes, gid: str):
    found = [c for c in ax.collections if c.get_gid() == gid]
    assert len(found) == 1, f"expected one collection {gid!r}"
    return found[0]


def _legend_texts(ax: Axes) -> list[str]:
    """Legend entries, long ones unwrapped (the key wraps names onto indented lines)."""
    return [t.get_text().replace("\n      ", " ") for t in ax.get_legend().get_texts()]


def _not_blank(ax: Axes, path) -> None:
    ax.figure.savefig(path, dpi=60)
    img = imread(path)
    assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100
    rgb = img[..., :3]
    assert float(rgb.var()) > 5e-4  # a blank canvas has variance 0
    assert float((rgb.min(axis=2) < 0.9).mean()) > 0.005  # at least 0.5% of pixels drawn on


# ---- plot_ecosystem -------------------------------------------------------------------------


def test_ecosystem_points_are_establishments(tiny2223, tmp_path):
    ax = st.plot_ecosystem(tiny2223, backbone=None)
    assert isinstance(ax, Axes) and isinstance(ax.figure, Figure)
    assert len(_collection(ax, "establishments").get_offsets()) == 4  # E1, E2, E4, E5
    assert len(_collection(ax, "central").get_offsets()) == 1  # C1
    assert len(_collection(ax, "unreached").get_offsets()) == 2  # E3, E6
    assert len(_collection(ax, "networks").get_offsets()) == 3  # N1, N2, N3
    texts = _legend_texts(ax)
    assert all(a in texts for a in AUTHORITIES)
    assert "central team" in texts
    assert "Ecosystem map (2022-23): 4 of 6 establishments reached by 3 networks" in ax.get_title(
        loc="left"
    )
    _not_blank(ax, tmp_path / "eco.png")


def test_ecosystem_colours_fixed_per_authority(tiny2223):
    ax = st.plot_ecosystem(tiny2223, backbone=None, size_by=None)
    faces = [to_hex(c).upper() for c in _collection(ax, "establishments").get_facecolors()]
    cols = authority_colors(tiny2223)
    # establishments drawn in register order E1, E2, E4, E5
    assert faces == [
        cols[a] for a in ["Glasgow City", "Glasgow City", "Inverclyde", "Renfrewshire"]
    ]


def test_ecosystem_largest_networks_named(tiny2223):
    ax = st.plot_ecosystem(tiny2223, backbone=None, label_networks=2)
    numbers = [t.get_text() for t in ax.texts if t.get_gid() == "network_label"]
    assert numbers == ["1", "2"]
    texts = _legend_texts(ax)
    # N1 has 3 member establishments, N2 has 2, N3 has 1
    assert " 1.  Numeracy collaborative learning network" in texts
    assert " 2.  Mathematics curricular network" in texts
    assert not any("Early years forum" in t for t in texts)


def test_ecosystem_geographic_positions(tiny2223):
    ax = st.plot_ecosystem(tiny2223, layout="geographic", color_by="simd_quintile")
    pts = _collection(ax, "establishments")
    xy = pts.get_offsets()
    # E1 (first reached) sits at its longitude, latitude and has quintile 1's colour
    assert np.allclose(xy[0], [-4.25, 55.86])
    assert to_hex(pts.get_facecolors()[0]).upper() == SIMD_COLORS[1]
    assert any("SIMD quintile 1" in t for t in _legend_texts(ax))


def test_ecosystem_force_and_ties(tiny2223):
    ax = st.plot_ecosystem(tiny2223, layout="force", backbone=None, show_networks=False)
    assert len(_collection(ax, "establishments").get_offsets()) == 4
    assert not [c for c in ax.collections if c.get_gid() == "networks"]
    assert len(ax.collections[0].get_segments()) == 4  # the four projection ties


def test_ecosystem_draws_on_given_axes(tiny2223):
    fig = Figure()
    ax = fig.add_subplot()
    assert st.plot_ecosystem(tiny2223, ax=ax, backbone=None) is ax


def test_pyplot_state_as_osmnx(tiny2223):
    """With ax=None a figure is opened through pyplot (one per call, made current, as
    osmnx's plt.subplots does), so Jupyter's inline backend and plt.show() display it;
    closing it leaves pyplot as it was. With ax given, or inside detached_figures(),
    no pyplot figure is opened."""
    import matplotlib.pyplot as plt
    from matplotlib._pylab_helpers import Gcf

    before = plt.get_fignums()
    ax = st.plot_ecosystem(tiny2223, backbone=None)
    ax2 = st.plot_reach(tiny2223)
    opened = [n for n in plt.get_fignums() if n not in before]
    assert opened == [ax.figure.number, ax2.figure.number]
    assert plt.gcf() is ax2.figure  # the latest is current, as after plt.subplots
    # a figure manager (what the inline backend and plt.show() display) holds each
    assert {m.canvas.figure for m in Gcf.get_all_fig_managers()} >= {ax.figure, ax2.figure}
    plt.close(ax.figure)
    plt.close(ax2.figure)
    assert plt.get_fignums() == before
    # drawing on a given Axes opens nothing
    fig = Figure()
    st.plot_reach(tiny2223, ax=fig.add_subplot())
    with st.detached_figures():
        detached = st.plot_trend(wpnet.tiny())
    assert plt.get_fignums() == before
    assert detached.figure.canvas.manager is None
    assert matplotlib.get_backend()  # no backend switch needed to draw


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"layout": "circle"}, "layout must be one of"),
        ({"color_by": "roll"}, "color_by must be one of"),
        ({"size_by": "pupils"}, "size_by must be one of"),
    ],
)
def test_ecosystem_rejects_options(tiny2223, kw, match):
    with pytest.raises(ValueError, match=match):
        st.plot_ecosystem(tiny2223, **kw)


# ---- plot_authority_flows --------------------------------------------------------------------


def test_authority_flows_cells(tiny2223, tmp_path):
    ax = st.plot_authority_flows(tiny2223)
    # networks: N1 joins Glasgow (C1, E1: 2 establishments -> diagonal 1) and Inverclyde;
    # N2 joins Glasgow (E2) and Inverclyde; N3 only Renfrewshire (one establishment)
    assert [t.get_text() for t in ax.texts] == ["1", "2", "0", "2", "0", "0", "0", "0", "0"]
    assert [t.get_text() for t in ax.get_yticklabels()] == AUTHORITIES
    assert any("diagonal" in t for t in _legend_texts(ax))
    _not_blank(ax, tmp_path / "flows.png")


def test_authority_flows_pairs(tiny2223):
    ax = st.plot_authority_flows(tiny2223, value="establishment_pairs")
    # pairs: C1-E1 within Glasgow; E1-E4, C1-E4, E2-E4 between Glasgow and Inverclyde
    assert [t.get_text() for t in ax.texts][:3] == ["1", "3", "0"]
    with pytest.raises(ValueError, match="value must be one of"):
        st.plot_authority_flows(tiny2223, value="records")


# ---- plot_brokers ------------------------------------------------------------------------------


def test_brokers_labels_hand_worked(tiny2223, tmp_path):
    ax = st.plot_brokers(tiny2223, top=3, backbone=None)
    # only E4 has betweenness > 0; brokers with zero betweenness are not named
    assert [t.get_text() for t in ax.texts if t.get_gid() == "broker"] == ["1"]
    assert " 1.  Dunrod School (Inverclyde)" in _legend_texts(ax)
    # E5 is an isolate of the projection: not drawn
    assert len(_collection(ax, "establishments").get_offsets()) == 4
    _not_blank(ax, tmp_path / "brokers.png")


def test_brokers_by_constraint(tiny2223):
    ax = st.plot_brokers(tiny2223, top=3, backbone=None, rank_by="constraint")
    keys = [t for t in _legend_texts(ax) if t[:3] in (" 1.", " 2.", " 3.")]
    # Burt constraint by hand: E4 0.611, E2 1 (one contact), C1 = E1 = 1.0069 (id order)
    assert keys == [
        " 1.  Dunrod School (Inverclyde)",
        " 2.  Barrhead High (Glasgow City)",
        " 3.  Glasgow City central team (Glasgow City)",
    ]
    with pytest.raises(ValueError, match="by must be one of"):
        st.plot_brokers(tiny2223, rank_by="degree", backbone=None)


# ---- plot_reach ----------------------------------------------------------------------------


def test_reach_bars(tiny2223, tmp_path):
    ax = st.plot_reach(tiny2223)
    widths = [p.get_width() for p in ax.patches]
    # coverage: Glasgow E1, E2 of E1, E2 -> 1; Inverclyde E4 of E3, E4 -> 0.5;
    # Renfrewshire E5 of E5, E6 -> 0.5. Quintile 1: Glasgow E1 -> 1; Inverclyde E3 -> 0;
    # Renfrewshire has no quintile 1 establishment (drawn as 0, labelled)
    assert widths[:6] == [1.0, 0.5, 0.5, 1.0, 0.0, 0.0]
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["100%", "50%", "50%", "100%", "0%", "no establishments"]
    assert [t.get_text() for t in ax.get_yticklabels()] == AUTHORITIES
    _not_blank(ax, tmp_path / "reach.png")
    with pytest.raises(ValueError, match="by must be one of"):
        st.plot_reach(tiny2223, by="network")


# ---- plot_trend -----------------------------------------------------------------------------


def test_trend_lines(tiny, tmp_path):
    ax = st.plot_trend(tiny, measures=("coverage", "cross_authority_share"))
    cov, cross = ax.lines
    # coverage: 3 of 6 establishments in 2021-22 (E1, E2, E3), 4 of 6 in 2022-23;
    # cross-authority ties: E1-E3 (1 of 1), then 3 of 4 (all but C1-E1)
    assert np.allclose(cov.get_ydata(), [0.5, 4 / 6])
    assert np.allclose(cross.get_ydata(), [1.0, 0.75])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021-22", "2022-23"]
    assert "establishments reached (coverage)" in _legend_texts(ax)
    _not_blank(ax, tmp_path / "trend.png")
    with pytest.raises(ValueError, match="unknown"):
        st.plot_trend(tiny, measures=("nonsense",))


# ---- a larger synthetic ecosystem -----------------------------------------------------------


@pytest.fixture(scope="module")
def synth():
    return wpnet.synthetic(
        establishments=250, practitioners=1500, networks=30, records=6000, sessions=2, seed=3
    ).select(session="2023-24")


def test_synthetic_counts_and_brokers(synth, tmp_path):
    ax = st.plot_ecosystem(synth, backbone=None)
    drawn = sum(len(_collection(ax, g).get_offsets()) for g in ("establishments", "central"))
    reached = synth.records["establishment_id"].nunique()
    assert drawn == reached
    register = synth.establishments
    non_central = int((register["sector"] != "central").sum())
    assert (
        drawn
        - len(_collection(ax, "central").get_offsets())
        + len(_collection(ax, "unreached").get_offsets())
        == non_central
    )
    _not_blank(ax, tmp_path / "synth.png")

    top = 10
    ax = st.plot_brokers(synth, top=top, backbone=None, rank_by="gf_total")
    b = wpnet.brokerage(synth, onto="establishment", group="authority")
    ranked = b[b["gf_total"] > 0].assign(id=b.index[b["gf_total"] > 0].astype(str))
    ranked = ranked.sort_values(["gf_total", "id"], ascending=[False, True]).head(top)
    names = register.set_index("establishment_id")["name"]
    expected = [f"{r:>2}.  {names[i]} ({b.loc[i, 'group']})" for r, i in enumerate(ranked.index, 1)]
    keys = [t for t in _legend_texts(ax) if t[:3].strip().endswith(".")]
    assert keys == expected


def test_a_drawing_beside_its_long_legend_keeps_the_legend_on_its_figure():
    # the example's latest session: 15 network names (wrapped) and 8 authorities in the
    # ecosystem map's legend, 15 brokers in the brokers'. Laid out (constrained layout)
    # at the report's 96 dpi, everything drawn lies on the figure: an equal-aspect Axes
    # narrows after the layout and, anchored left, pulled the legend 21 px past the edge
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    one = wpnet.load_example()
    one = one.select(session=one.sessions[-1])
    with st.detached_figures():
        for plot in (st.plot_ecosystem, st.plot_brokers):
            fig = plot(one, backbone="sdsm").figure
            fig.dpi = 96
            renderer = FigureCanvasAgg(fig).get_renderer()
            fig.get_layout_engine().execute(fig)
            x0, y0, x1, y1 = fig.get_tightbbox(renderer).extents * fig.dpi
            assert x0 >= 0 and y0 >= 0, plot.__name__
            assert x1 <= renderer.width and y1 <= renderer.height, plot.__name__
            legend = fig.axes[0].get_legend().get_window_extent(renderer)
            assert legend.x1 > 0.75 * renderer.width  # beside the drawing, on the right
