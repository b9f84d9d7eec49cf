"""The report's figures drawn in a second process: the same bytes as drawn here, the
drawing's warnings and errors surfaced in the caller, the process gone on leaving; each
figure drawn once into the image ``savefig(bbox_inches="tight")`` gives."""

from __future__ import annotations

import io
import multiprocessing as mp
import os
import warnings
from collections.abc import Callable

import numpy as np
import pytest

import wpnet
from wpnet.errors import DataError
from wpnet.graphs import GraphSpec
from wpnet.report import figures as F
from wpnet.report.compute import Results, compute

pytestmark = pytest.mark.skipif(
    "fork" not in mp.get_all_start_methods(), reason="the second process is forked"
)


@pytest.fixture(scope="module")
def results() -> Results:
    return compute(
        wpnet.tiny(), "2022-23", "2021-22", graph=GraphSpec(backbone=None), permutations=20
    )


def test_figures_from_the_second_process_are_the_ones_drawn_here(results: Results) -> None:
    here = F.draw_figures(results, results.trend_eco)
    with F.drawing_figures(results, results.trend_eco, workers=2, split=True) as drawn:
        there = drawn()
        assert drawn() is there  # asked twice, received once
    with F.drawing_figures(results, results.trend_eco, workers=2) as drawn:
        assert drawn() == here  # a small session: one process
    assert [f.key for f in there] == ["reach", "authority_flows", "brokers", "ecosystem", "trend"]
    assert there == here  # every field, the PNG bytes included
    parts = [F.draw_figures(results, results.trend_eco, part=p) for p in (0, 1)]
    assert {f.key for f in parts[1]} == {"authority_flows", "ecosystem"}
    assert sorted(f.key for p in parts for f in p) == sorted(f.key for f in here)


def test_drawing_happens_in_another_process_and_its_warnings_come_back(
    results: Results, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = F.draw_figures

    def noisy(res: Results, history: object, *, part: int | None = None) -> list[F.Figure]:
        warnings.warn(f"drawn in process {os.getpid()}", UserWarning, stacklevel=1)
        return real(res, history, part=part)

    monkeypatch.setattr(F, "draw_figures", noisy)
    with (
        pytest.warns(UserWarning, match=r"drawn in process \d+") as caught,
        F.drawing_figures(results, results.trend_eco, workers=2, split=True) as drawn,
    ):
        drawn()
    pid = int(str(caught[0].message).rsplit(" ", 1)[1])
    assert pid != os.getpid()
    with (
        pytest.warns(UserWarning, match=f"drawn in process {os.getpid()}$"),
        F.drawing_figures(results, results.trend_eco, workers=1) as drawn,
    ):
        drawn()  # one worker: drawn here


def test_an_error_while_drawing_is_raised_in_the_caller(
    results: Results, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(res: Results, history: object, *, part: int | None = None) -> list[F.Figure]:
        raise DataError("no coordinates for establishment E9")

    monkeypatch.setattr(F, "draw_figures", broken)
    with (
        pytest.raises(DataError, match="no coordinates for establishment E9"),
        F.drawing_figures(results, results.trend_eco, workers=2, split=True) as drawn,
    ):
        drawn()


def test_leaving_the_block_early_stops_the_drawing(results: Results) -> None:
    with (
        pytest.raises(KeyError),
        F.drawing_figures(results, results.trend_eco, workers=2, split=True),
    ):
        assert len(mp.active_children()) == 2
        raise KeyError("the map failed")
    assert mp.active_children() == []
    with F.drawing_figures(results, results.trend_eco, workers=2):
        assert len(mp.active_children()) == 1  # tiny: fewer than SPLIT_FROM establishments
    assert len(results.sel.establishments) < F.SPLIT_FROM


_FORKED: dict[str, Results] = {}  # seen by forked Pool workers (Results cannot be pickled)


def _keys_in_a_pool_worker() -> list[str]:
    res = _FORKED["res"]
    with F.drawing_figures(res, res.trend_eco, workers=2) as drawn:
        return [f.key for f in drawn()]


def test_a_daemonic_pool_worker_draws_in_process(results: Results) -> None:
    # a Pool's workers are daemonic and may not start processes of their own
    _FORKED["res"] = results
    with mp.get_context("fork").Pool(1) as pool:
        keys = pool.apply(_keys_in_a_pool_worker)
    assert keys == ["reach", "authority_flows", "brokers", "ecosystem", "trend"]


def _zlib_level_class(png: bytes) -> int:
    """FLEVEL of the zlib stream of a PNG's first IDAT chunk (RFC 1950: 0 fastest,
    1 fast (zlib levels 2-5), 2 default (6), 3 maximum (7-9))."""
    import struct

    at = 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        if png[at + 4 : at + 8] == b"IDAT":
            return png[at + 9] >> 6
        at += 12 + length
    raise AssertionError("no IDAT chunk")


def test_figures_are_compressed_at_the_faster_level_with_the_same_pixels(
    results: Results,
) -> None:
    import base64
    import io

    import numpy as np
    from PIL import Image

    for fig in F.draw_figures(results, results.trend_eco):
        png = base64.b64decode(fig.src.split(",", 1)[1])
        assert _zlib_level_class(png) == 1  # zlib level 3 (Pillow's default 6 is class 2)
        again = io.BytesIO()
        Image.open(io.BytesIO(png)).save(again, format="png")  # Pillow's default level
        assert _zlib_level_class(again.getvalue()) == 2
        pixels = [np.asarray(Image.open(io.BytesIO(b))) for b in (png, again.getvalue())]
        assert pixels[0].shape == (fig.height, fig.width, 4)
        assert (pixels[0] == pixels[1]).all()


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _report_figures(results: Results) -> dict[str, Callable[[], object]]:
    from wpnet.maps import static as S

    sel, opts = results.sel, GraphSpec(backbone=None).keywords()
    return {
        "reach": lambda: S.plot_reach(sel, by="authority").figure,
        "authority_flows": lambda: S.plot_authority_flows(sel).figure,
        "brokers": lambda: S.plot_brokers(sel, seed=results.seed, **opts).figure,
        "ecosystem": lambda: S.plot_ecosystem(sel, seed=results.seed, **opts).figure,
        "trend": lambda: S.plot_trend(results.trend_eco, seed=results.seed, **opts).figure,
    }


def test_a_figure_is_drawn_once_into_the_image_savefig_tight_gives(
    results: Results, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.transforms import Bbox

    from wpnet.maps.static import detached_figures

    draws: list[int] = []
    real_draw = MplFigure.draw

    def counted(self: MplFigure, renderer: object) -> None:
        draws.append(1)
        real_draw(self, renderer)

    monkeypatch.setattr(MplFigure, "draw", counted)
    dpi = F.DPI
    with detached_figures():
        for key, make in _report_figures(results).items():
            draws.clear()
            png = F._png(make(), dpi)
            assert len(draws) == 1, key  # savefig(bbox_inches="tight") draws twice
            tight = io.BytesIO()
            make().savefig(tight, format="png", dpi=dpi, bbox_inches="tight")
            assert _pixels(png).shape == _pixels(tight.getvalue()).shape, key
            if key == "reach":
                continue  # hatches are tiled from the canvas's corner: not shift-invariant
            # the oracle: savefig with the same extent, rounded out to whole pixels of
            # the figure's own canvas (savefig tight starts at a fraction of a pixel)
            fig = make()
            fig.dpi = dpi
            fig.get_layout_engine().execute(fig)
            fig.set_layout_engine("none")
            renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
            if renderer is None:
                from matplotlib.backends.backend_agg import FigureCanvasAgg

                renderer = FigureCanvasAgg(fig).get_renderer()
            x0, y0, x1, y1 = fig.get_tightbbox(renderer).extents * dpi
            pad = F.PAD_INCHES * dpi
            left, top = np.floor(x0 - pad), np.floor(renderer.height - y1 - pad)
            w, h = int(x1 - x0 + 2 * pad), int(y1 - y0 + 2 * pad)
            bottom = renderer.height - top - h
            aligned = io.BytesIO()
            box = Bbox.from_extents(left, bottom, left + w, bottom + h)
            fig.savefig(aligned, format="png", dpi=dpi, bbox_inches=box.transformed(
                fig.dpi_scale_trans.inverted()))  # fmt: skip
            assert (_pixels(png) == _pixels(aligned.getvalue())).all(), key


def _reaching_past(layout: str | None) -> object:
    """A 4 x 4 in figure whose legend reaches past its canvas: to the right (no layout
    engine), or below (constrained layout beside an equal-aspect Axes, which narrows
    after the layout has sized the margins)."""
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.lines import Line2D

    fig = MplFigure(figsize=(4, 4), layout=layout)
    ax = fig.add_subplot()
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.2, 1.2)
    ax.set_aspect("equal")
    ax.set_anchor("W")
    entries = [
        Line2D([], [], marker="o", ls="", label=f"entry number {i} with words") for i in range(12)
    ]
    ax.legend(handles=entries, loc="upper left", bbox_to_anchor=(1.0 if layout else 1.6, 1.0))
    return fig


def test_a_figure_reaching_past_its_canvas_is_saved_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from matplotlib.figure import Figure as MplFigure

    saved: list[object] = []
    real_savefig = MplFigure.savefig

    def spied(self: MplFigure, *args: object, **kwargs: object) -> None:
        saved.append(self)
        real_savefig(self, *args, **kwargs)

    for layout in (None, "constrained"):
        fig = _reaching_past(layout)
        with monkeypatch.context() as m:
            m.setattr(MplFigure, "savefig", spied)
            png = F._png(fig, F.DPI)
        assert saved == [fig]  # not cut from the canvas: saved with the extent found
        saved.clear()
        tight = io.BytesIO()
        _reaching_past(layout).savefig(tight, format="png", dpi=F.DPI, bbox_inches="tight")
        assert (_pixels(png) == _pixels(tight.getvalue())).all(), layout
    assert F.png_size(png)[1] < 4 * F.DPI  # the blank top cut, the legend below kept


def test_a_figure_is_left_as_it_was_found_and_a_pyplot_figure_closed() -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(3, 2), layout="constrained")
    fig.add_subplot().plot([0, 1])
    stale: list[bool] = []
    fig.stale_callback = lambda _, value: stale.append(value)  # e.g. an interactive canvas's
    kept = fig.canvas, fig.dpi, fig.get_layout_engine(), fig.stale_callback
    width, height = F.png_size(F._png(fig, 72))
    assert (fig.canvas, fig.dpi, fig.get_layout_engine(), fig.stale_callback) == kept
    assert stale == []  # not told of the drawing (pyplot's would redraw it)
    assert 3 * 72 - 10 < width <= 3 * 72 + 2 * 0.1 * 72 and height <= 2 * 72 + 2 * 0.1 * 72
    with plt.ioff():
        shown = plt.figure(figsize=(3, 2))
    shown.add_subplot().plot([0, 1])
    F._png(shown, 72)
    assert not plt.fignum_exists(shown.number)


def test_the_images_do_not_depend_on_the_savefig_settings_of_a_matplotlibrc() -> None:
    import matplotlib as mpl
    from matplotlib.figure import Figure as MplFigure

    def plain() -> object:
        fig = MplFigure(figsize=(3, 2), layout="constrained")
        fig.add_subplot().plot([0, 1])
        return fig

    for make in (plain, lambda: _reaching_past(None)):  # cut from the canvas; saved
        default = F._png(make(), 72)
        mine = {"savefig.facecolor": "black", "savefig.pad_inches": 0.5}
        with mpl.rc_context({**mine, "savefig.transparent": True}):
            assert F._png(make(), 72) == default
