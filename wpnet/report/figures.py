"""The report's figures, drawn by :mod:`wpnet.maps.static` and inlined as PNG data URIs.

Each figure is drawn at the size it is shown: one CSS pixel per image pixel
(:data:`DPI` = 96, the CSS inch), so that font sizes in points are ``4/3`` px on
screen, and the ``<img>`` is given that width and height. The page shows a figure at
that size, scrolled sideways inside its frame on a narrower screen rather than shrunk
until its text is unreadable (see the report's CSS). Alt texts carry the figure's
numbers (:func:`alt_texts`), as far as the report's tables show them: the figures are
drawn before the tables are made, and the report sets the alt texts afterwards.
"""

from __future__ import annotations

import base64
import io
import struct
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wpnet.graphs import GraphSpec
from wpnet.report.compute import Results
from wpnet.report.disclosure import NOTHING_PUBLISHED, Published

__all__ = [
    "DPI",
    "FIGURE_ORDER",
    "Figure",
    "alt_texts",
    "draw_figures",
    "reach_axes",
    "reach_figure",
    "drawing_figures",
    "trend_axes",
    "trend_figure",
    "trend_hidden",
    "png_data_uri",
    "png_size",
]

#: Pixels per inch of the report's figures: the CSS inch, so an image pixel is a CSS pixel.
DPI = 96


@dataclass
class Figure:
    """One figure: where it goes (``section``), its caption, alt text and image.

    ``width`` and ``height`` are the image's size in pixels, shown as CSS pixels.
    """

    key: str
    section: str
    caption: str
    alt: str
    src: str  # data:image/png;base64,...
    width: int = 0
    height: int = 0


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG image, from its IHDR header.

    Examples
    --------
    >>> png_size(bytes.fromhex("89504e470d0a1a0a0000000d49484452") + struct.pack(">II", 7, 3))
    (7, 3)
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    w, h = struct.unpack(">II", data[16:24])
    return int(w), int(h)


#: zlib level of the PNG images. On the shipped example's five figures level 3 gives 6%
#: fewer bytes than Pillow's default 6 (1.10 MB against 1.17 MB: the two graph drawings
#: shrink, the three charts grow a little) in two thirds of the time (0.21 s against
#: 0.31 s); the pixels are the same.
PNG_COMPRESS_LEVEL = 3


#: Blank margin around a figure's drawn content, in inches (matplotlib's
#: ``savefig.pad_inches`` default, which ``bbox_inches="tight"`` adds).
PAD_INCHES = 0.1


def _png(fig: Any, dpi: int) -> bytes:
    """The figure as PNG bytes at ``dpi``, cropped to its content plus :data:`PAD_INCHES`.

    What ``fig.savefig(..., bbox_inches="tight")`` gives, with less work: that call
    lays the figure out and draws it without pixels to find its extent, then draws it
    again on a canvas of the cropped size, where every text is measured anew. Here the
    layout engine runs once, on the figure's own canvas; when everything lies on that
    canvas, the figure is drawn there and the image cut from it (the margin beyond the
    canvas is the figure's background colour). Otherwise (a legend beside an
    equal-aspect Axes can reach past the figure's edge: constrained layout sizes the
    margin against the Axes' box before the aspect narrows it) the laid-out figure is
    saved once, with ``savefig`` and the extent found. The ``savefig.*`` rcParams are not
    read (the margin is :data:`PAD_INCHES`, the background the figure's own): a report's
    images do not depend on the matplotlibrc of whoever builds it.
    A pyplot figure is closed afterwards.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buf = io.BytesIO()
    kept = fig.canvas, fig.dpi, fig.get_layout_engine(), fig.stale_callback
    try:
        fig.stale_callback = None  # pyplot's: no redrawing of an interactive figure here
        fig.dpi = dpi
        canvas = FigureCanvasAgg(fig)  # the figure's canvas until ``finally``
        renderer = canvas.get_renderer()
        if kept[2] is not None:
            kept[2].execute(fig)
            fig.set_layout_engine("none")  # laid out: drawing keeps these positions
        extent = fig.get_tightbbox(renderer)
        x0, y0, x1, y1 = extent.extents * dpi
        if x0 >= 0 and y0 >= 0 and x1 <= renderer.width and y1 <= renderer.height:
            canvas.draw()
            pixels = _crop(np.asarray(renderer.buffer_rgba()), fig, x0, y0, x1, y1, dpi)
            _write_png(buf, pixels, dpi)
        else:
            fig.savefig(
                buf, format="png", dpi=dpi, bbox_inches=extent.padded(PAD_INCHES),
                facecolor="auto", edgecolor="auto", transparent=False,
                metadata={"Software": None}, pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL},
            )  # fmt: skip
    finally:
        fig.dpi = kept[1]
        if kept[2] is not None:
            fig.set_layout_engine(kept[2])
        fig.set_canvas(kept[0])
        fig.stale_callback = kept[3]
        if getattr(kept[0], "manager", None) is not None:  # a pyplot figure: let go of it
            import matplotlib.pyplot as plt

            plt.close(fig)
    return buf.getvalue()


def _crop(
    pixels: np.ndarray, fig: Any, x0: float, y0: float, x1: float, y1: float, dpi: int
) -> np.ndarray:
    """The part of ``pixels`` (rows from the top) within ``x0..x1``, ``y0..y1`` (pixels
    from the bottom left) and :data:`PAD_INCHES` around it, padded beyond the canvas
    with the figure's background colour."""
    from matplotlib.colors import to_rgba_array

    pad = PAD_INCHES * dpi
    height = pixels.shape[0]
    left, top = int(np.floor(x0 - pad)), int(np.floor(height - y1 - pad))
    out_w, out_h = int(x1 - x0 + 2 * pad), int(y1 - y0 + 2 * pad)  # as savefig sizes it
    face = np.round(to_rgba_array(fig.get_facecolor())[0] * 255).astype(np.uint8)
    out = np.empty((out_h, out_w, 4), dtype=np.uint8)
    out[:] = face
    rows = slice(max(top, 0), min(top + out_h, height))
    cols = slice(max(left, 0), min(left + out_w, pixels.shape[1]))
    out[rows.start - top : rows.stop - top, cols.start - left : cols.stop - left] = pixels[
        rows, cols
    ]
    return out


def _write_png(buf: io.BytesIO, rgba: np.ndarray, dpi: int) -> None:
    from matplotlib.image import imsave

    imsave(
        buf, rgba, format="png", origin="upper", dpi=dpi, metadata={"Software": None},
        pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL},
    )  # fmt: skip


def png_data_uri(fig: Any, dpi: int = DPI) -> str:
    """A matplotlib Figure as a ``data:image/png;base64,`` URI (a pyplot figure is closed).

    Examples
    --------
    >>> from matplotlib.figure import Figure as MplFigure
    >>> png_data_uri(MplFigure(figsize=(1, 1)))[:22]
    'data:image/png;base64,'
    """
    return "data:image/png;base64," + base64.b64encode(_png(fig, dpi)).decode("ascii")


def _figure(key: str, section: str, caption: str, alt: str, fig: Any) -> Figure:
    data = _png(fig, DPI)
    w, h = png_size(data)
    src = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return Figure(key, section, caption, alt, src, w, h)


def _pct(x: Any) -> str:
    return "no value" if x is None or pd.isna(x) else f"{100 * float(x):.0f}%"


def _listed(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _coverage(name: str, row: Any, hidden: Callable[[str], bool]) -> str:
    """``"Glasgow City 100% (SIMD quintile 1: 100%)"``, a hidden value written
    ``suppressed`` (``hidden(column)``)."""
    if hidden("coverage"):
        return f"{name} suppressed"
    q1 = row.get("simd_q1_coverage", np.nan)
    if pd.isna(q1):
        extra = ""
    else:
        extra = f" (SIMD quintile 1: {'suppressed' if hidden('simd_q1_coverage') else _pct(q1)})"
    return f"{name} {_pct(row.get('coverage'))}{extra}"


def alt_texts(res: Results, published: Published = NOTHING_PUBLISHED) -> dict[str, str]:
    """The alt text of each figure, with the numbers it shows.

    No practitioner count or share of practitioners is written; a value disclosure
    control may hide (coverage, which bounds the practitioners of a unit from below;
    the establishments and authorities reached) is written only where the report's
    tables show it (``published``: :func:`wpnet.report.disclosure.published`), else
    ``suppressed`` (every such value, by default: no table is published).

    Examples
    --------
    >>> import wpnet
    >>> from wpnet.report.compute import compute
    >>> from wpnet.graphs import GraphSpec
    >>> from wpnet.report.disclosure import published
    >>> from wpnet.report.tables import reach_tables
    >>> res = compute(
    ...     wpnet.tiny(), "2022-23", "2021-22", graph=GraphSpec(backbone=None), permutations=20
    ... )
    >>> alt_texts(res, published(reach_tables(res, 1)))["reach"]  # doctest: +ELLIPSIS
    'Bar chart of coverage of schools and nurseries by local authority, 2022-23: Glasgow City 100% ...'
    >>> alt_texts(res)["reach"]  # doctest: +ELLIPSIS
    '... 2022-23: Glasgow City suppressed; Inverclyde suppressed; ...'
    """
    s = res.session
    out: dict[str, str] = {}
    r = res.reach_by["authority"]
    parts = []
    for name, row in r.iterrows():
        parts.append(
            _coverage(str(name), row, lambda c, n=name: published.hidden("reach_authority", n, c))
        )
    whole = res.reach.iloc[0]
    out["reach"] = (
        f"Bar chart of coverage of schools and nurseries by local authority, {s}: "
        f"{'; '.join(parts)}. "
        + _coverage("Partnership:", whole, lambda c: published.hidden("reach_overall", s, c))
        + "."
    )
    m = res.authority_matrix
    names = [str(a) for a in m.index]
    pairs = []
    values = m.to_numpy(dtype=float)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if values[i, j] > 0:
                pairs.append((values[i, j], names[i], names[j]))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    top = [f"{a} and {b} ({int(v):,})" for v, a, b in pairs[:3]]
    out["authority_flows"] = (
        f"Matrix of the networks shared by each pair of {len(names)} authorities, {s}. "
        + (
            f"{len(pairs)} pairs share at least one network; most shared: {_listed(top)}."
            if pairs
            else "No network joins two authorities."
        )
    )
    b = res.brokerage
    tied = b[b["degree"] > 0]
    ties = int(res.capacity.iloc[0]["ties"]) if res.capacity is not None else 0
    est = res.eco.establishments.drop_duplicates("establishment_id").set_index("establishment_id")
    best = tied.sort_values(["betweenness", "gf_total"], ascending=False).head(3)
    who = [
        f"{k + 1}. {est['name'].get(i, i)} ({b.at[i, 'group']}, betweenness "
        f"{float(b.at[i, 'betweenness']):.3f})"
        for k, i in enumerate(best.index)
    ]
    out["brokers"] = (
        f"Network diagram of {len(tied):,} establishments joined by {ties:,} ties, coloured "
        f"by authority, {s}. Top brokers: {'; '.join(who)}."
    )
    sel = res.sel

    def reached(col: str, what: str) -> str:
        if published.hidden("reach_overall", s, col):
            return f"suppressed {what}"
        return f"{int(whole.get(col, 0)):,} {what}"

    n_net = int(whole.get("networks", 0))
    out["ecosystem"] = (
        f"Ecosystem map, {s}: {reached('establishments', 'establishments')} of "
        f"{reached('authorities', 'authorities')} around the {reached('networks', 'networks')}"
        " they take part in"
        + (f" ({len(sel.networks):,} networks listed)." if len(sel.networks) != n_net else ".")
    )
    t = res.trend
    if t is not None and len(t) > 1:
        first, last = t.index[0], t.index[-1]

        def at(col: str, i: int) -> str:
            gone = _trend_point_hidden(published, t.index[i], col)
            return "suppressed" if gone else _pct(t.iloc[i][col])

        lines = [
            f"{label} from {at(col, 0)} in {first} to {at(col, -1)} in {last}"
            for col, label in (
                ("coverage", "coverage"),
                ("cross_authority_share", "ties crossing authorities"),
            )
            if col in t.columns and t[col].notna().any()  # blanked: a limit of the data
        ]
        out["trend"] = f"Line chart of shares across {len(t)} sessions: {'; '.join(lines)}."
    return out


def _reach_caption(session: str) -> str:
    return (
        f"Coverage of schools and nurseries by authority, {session}: all (solid) and "
        "SIMD quintile 1 (hatched); dashed lines mark the partnership."
    )


def reach_axes(res: Results, published: Published) -> Any:
    """The reach figure (:func:`wpnet.maps.static.plot_reach` by authority) with every
    value the report's tables hide taken out (``published``): an authority's bar of
    coverage or of SIMD quintile 1 coverage drawn empty and labelled ``suppressed``
    where ``reach_authority`` hides it (the establishments reached bound its
    practitioners from below), the partnership's lines left out where
    ``reach_overall`` hides them. With :data:`NOTHING_PUBLISHED` every value is taken
    out. Drawn on a bare Figure (:func:`wpnet.maps.static.detached_figures`).

    Examples
    --------
    >>> import wpnet
    >>> from wpnet.report.compute import compute
    >>> from wpnet.report.disclosure import published
    >>> from wpnet.report.tables import reach_tables
    >>> res = compute(wpnet.tiny(), "2022-23", "2021-22", graph=GraphSpec(backbone=None),
    ...               permutations=20)
    >>> [t.get_text() for t in reach_axes(res, published(reach_tables(res, 1))).texts][:3]
    ['100%', '50%', '50%']
    >>> [t.get_text() for t in reach_axes(res, published(reach_tables(res, 5))).texts][:3]
    ['suppressed', 'suppressed', 'suppressed']
    """
    from wpnet.maps.static import detached_figures, plot_reach

    s = res.session
    with detached_figures():
        ax = plot_reach(res.sel, by="authority")
    units = [str(u) for u in res.reach_by["authority"].sort_index().index]
    n = len(units)
    bars, labels = ax.patches, ax.texts
    for j, col in enumerate(("coverage", "simd_q1_coverage")):
        for i, unit in enumerate(units):
            if published.hidden("reach_authority", unit, col):
                bars[j * n + i].set_width(0)
                labels[j * n + i].set_text("suppressed")
                labels[j * n + i].set_x(0.01)
    legend = ax.get_legend()
    for line, col, prefix in zip(
        ax.lines[:2], ("coverage", "simd_q1_coverage"),
        ("partnership:", "partnership, quintile 1:"), strict=True,
    ):  # fmt: skip
        if published.hidden("reach_overall", s, col):
            line.set_visible(False)
            for t in legend.get_texts():
                if t.get_text().startswith(prefix + " "):
                    t.set_text(f"{prefix} suppressed")
    return ax


def reach_figure(res: Results, published: Published) -> Figure:
    """The report's reach figure with the values its tables hide taken out
    (:func:`reach_axes`), with its caption and alt text (:func:`alt_texts`)."""
    ax = reach_axes(res, published)
    alt = alt_texts(res, published)["reach"]
    return _figure("reach", "reach", _reach_caption(res.session), alt, ax.figure)


def _trend_point_hidden(published: Published, session: Any, col: str) -> bool:
    """Whether a table hides the partnership's ``col`` in ``session``: its row of
    ``capacity_trend``, or of ``reach_overall`` (the report's two sessions)."""
    return published.any_hidden([("capacity_trend", session, col), ("reach_overall", session, col)])


#: The measures the trend figure draws (shares of establishments and ties only: a share
#: of practitioners, in two or more networks, is hidden in the tables where the count
#: it implies is small, and a line would show it: an audit read 0.076 × 40 = 3 off
#: the plot); coverage only where the data support it.
def _trend_measures(res: Results) -> tuple[str, ...]:
    from wpnet.records import data_limits

    if "coverage" in data_limits(res.eco):
        return ("cross_authority_share",)
    return ("coverage", "cross_authority_share")


def trend_hidden(res: Results, published: Published) -> dict[str, np.ndarray]:
    """The sessions (positions in ``res.trend``) whose value of each measure the trend
    figure draws (:func:`trend_axes`) a table hides (``capacity_trend`` or
    ``reach_overall``: ``published``)."""
    sessions = [] if res.trend is None else list(res.trend.index)
    return {
        m: np.array([_trend_point_hidden(published, s, m) for s in sessions], dtype=bool)
        for m in _trend_measures(res)
    }


def trend_axes(res: Results, published: Published) -> Any:
    """The trend figure (:func:`wpnet.maps.static.plot_trend` of the sessions up to the
    report's) with every value the report's tables hide taken out (``published``,
    :func:`trend_hidden`): the line has a gap at such a session, and ``suppressed`` is
    written there, at the foot of the axes in the line's colour; the value written at a
    line's end is its last one shown. With :data:`NOTHING_PUBLISHED` every point is
    taken out. Drawn on a bare Figure (:func:`wpnet.maps.static.detached_figures`).

    Examples
    --------
    >>> import wpnet
    >>> from wpnet.report.compute import compute
    >>> res = compute(wpnet.tiny(), "2022-23", "2021-22", graph=GraphSpec(backbone=None),
    ...               permutations=20)
    >>> ax = trend_axes(res, Published({}))  # every cell shown
    >>> [round(float(y), 2) for y in ax.lines[0].get_ydata()]
    [0.5, 0.67]
    >>> ax = trend_axes(res, Published({("capacity_trend", "2021-22", "coverage"): True}))
    >>> [round(float(y), 2) for y in ax.lines[0].get_ydata()]
    [nan, 0.67]
    >>> [t.get_text() for t in ax.texts if t.get_text() == "suppressed"]
    ['suppressed']
    """
    from matplotlib.text import Annotation

    from wpnet.maps.static import detached_figures, plot_trend

    hidden = trend_hidden(res, published)
    opts = (res.graph or GraphSpec(backbone=res.backbone)).keywords()
    with detached_figures():
        ax = plot_trend(res.trend_eco, measures=tuple(hidden), seed=res.seed, **opts)
    ends = [t for t in ax.texts if isinstance(t, Annotation)]
    stacked = np.zeros(len(res.trend), dtype=int)  # "suppressed" labels at each session
    for line in ax.lines:
        gone = hidden[str(line.get_gid())]
        if not gone.any():
            continue
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
        drawn = np.flatnonzero(~np.isnan(y))  # (none: a measure the data do not give)
        last = (x[drawn[-1]], y[drawn[-1]]) if drawn.size else None
        end = next((a for a in ends if last is not None and a.xy == last), None)
        y0, y = y, np.where(gone, np.nan, y)
        line.set_ydata(y)
        if end is not None:  # the last value written: the last one shown, or none
            shown = np.flatnonzero(~np.isnan(y))
            if shown.size:
                end.xy = (x[shown[-1]], y[shown[-1]])
                end.set_text(f"{y[shown[-1]]:.0%}")
            else:
                end.remove()
        for i in np.flatnonzero(gone & ~np.isnan(y0)):  # (a value the tables hide)
            ax.annotate(
                "suppressed", (x[i], 0), xytext=(0, 4 + 12 * stacked[i]),
                textcoords="offset points", ha="center", va="bottom", fontsize=8,
                color=line.get_color(), fontstyle="italic",
            )  # fmt: skip
            stacked[i] += 1
    return ax


def trend_figure(res: Results, published: Published) -> Figure:
    """The report's trend figure with the values its tables hide taken out
    (:func:`trend_axes`), with its caption and alt text (:func:`alt_texts`)."""
    ax = trend_axes(res, published)
    alt = alt_texts(res, published).get("trend", "Line chart of shares across sessions.")
    return _figure("trend", "capacity", _trend_caption(res), alt, ax.figure)


def _trend_caption(res: Results) -> str:
    what = "Coverage and cross" if "coverage" in _trend_measures(res) else "Cross"
    return f"{what}-authority ties, {res.sessions[0]} to {res.sessions[-1]}."


#: The report's figures, in the order the page shows them.
FIGURE_ORDER = ("reach", "authority_flows", "brokers", "ecosystem", "trend")

#: Sessions with at least this many establishments have their figures drawn by two
#: processes (:func:`drawing_figures`).
SPLIT_FROM = 200

#: The figures the second of two drawing processes draws (about half the drawing time
#: of the shipped example: the brokers' graph alone is about as long as these two).
_SECOND_PART = frozenset({"authority_flows", "ecosystem"})


def draw_figures(
    res: Results,
    history: Any,
    *,
    part: int | None = None,
    skip: frozenset[str] = frozenset(),
    trend_draft: bool = False,
) -> list[Figure]:
    """Draw every figure of the report from the results' selections (but those of
    ``skip``).

    ``history`` is the Ecosystem of the sessions up to the report's (the trend is
    drawn from ``res.trend_eco``, the same sessions). Figures are drawn on bare Figures
    (:func:`wpnet.maps.static.detached_figures`): no pyplot figure is opened and the
    matplotlib backend is not changed, so building a report in a notebook leaves its
    plots alone. ``part`` (0 or 1) draws only one of two disjoint parts, for two
    processes; both together are all the figures. The reach and trend figures are
    drawn with every value the tables may hide taken out (the tables are made after);
    with ``trend_draft`` the trend is drawn with every value, for a caller that checks
    it against the tables (:func:`trend_hidden`) and draws it again
    (:func:`trend_figure`) where they hide one of its points.
    """
    from wpnet.maps.static import (
        detached_figures,
        plot_authority_flows,
        plot_brokers,
        plot_ecosystem,
    )
    from wpnet.records import data_limits

    del history  # (the trend's sessions are res.trend_eco)
    sel, bb, s = res.sel, res.backbone, res.session
    opts = (res.graph or GraphSpec(backbone=bb)).keywords()
    alt = alt_texts(res)
    # coverage the data cannot support (an export without a register: its schools are
    # only those that took part) is not drawn either; the page says why
    no_coverage = "coverage" in data_limits(res.eco)
    planned: dict[str, tuple[str, str, str, Callable[[], Any]]] = {}
    if not no_coverage:
        planned["reach"] = (
            "reach",
            _reach_caption(s),
            alt["reach"],
            lambda: reach_axes(res, NOTHING_PUBLISHED).figure,
        )
    planned["authority_flows"] = (
        "collaboration",
        f"Networks joining establishments of two authorities, {s}.",
        alt["authority_flows"],
        lambda: plot_authority_flows(sel).figure,
    )
    if int((res.brokerage["degree"] > 0).sum()) >= 3:
        # a drawing of one or two ties says nothing the tables do not
        planned["brokers"] = (
            "brokerage",
            f"The establishment graph ({bb or 'all ties'}) with the top brokers numbered, {s}.",
            alt["brokers"],
            lambda: plot_brokers(sel, seed=res.seed, **opts).figure,
        )
    planned["ecosystem"] = (
        "map",
        f"The ecosystem in {s}: establishments (dots, by authority, sized by the "
        "networks they take part in) and the networks (squares).",
        alt["ecosystem"],
        # not sized by practitioners: a dot's area would show a count the tables hide
        lambda: plot_ecosystem(sel, seed=res.seed, size_by="networks", **opts).figure,
    )
    if len(res.sessions) > 1:
        planned["trend"] = (
            "capacity",
            _trend_caption(res),
            alt.get("trend", "Line chart of shares across sessions."),
            lambda: trend_axes(res, Published({}) if trend_draft else NOTHING_PUBLISHED).figure,
        )
    keys = [k for k in FIGURE_ORDER if k in planned and k not in skip]
    if part is not None:
        keys = [k for k in keys if (k in _SECOND_PART) == (part == 1)]
    with detached_figures():
        return [_figure(k, *planned[k][:3], planned[k][3]()) for k in keys]


@contextmanager
def drawing_figures(
    res: Results,
    history: Any,
    *,
    workers: int | None = None,
    split: bool | None = None,
    skip: frozenset[str] = frozenset(),
    trend_draft: bool = False,
) -> Iterator[Callable[[], list[Figure]]]:
    """Draw the report's figures in one or two more processes while this one goes on.

    Inside the block, the yielded function returns :func:`draw_figures`'s figures
    (waiting for them if need be; those of ``skip`` are not drawn; the trend with every
    value where ``trend_draft``, for the caller to check). Drawing is a large share of a report's time and
    needs nothing the rest of the report writes, so with two or more workers
    (:func:`wpnet._parallel.resolve_workers`: ``workers=``, ``WPNET_WORKERS`` or the CPU
    count) it runs in processes started by ``fork`` (:func:`wpnet._parallel.in_background`),
    which see ``res`` without copying it: two (each draws one part of
    :func:`draw_figures`, about half the work) when ``split`` is true, or by default when
    the session has at least :data:`SPLIT_FROM` establishments (below that a second
    process costs more than it saves), otherwise one; the figures come back through
    pipes, byte for byte what this process would draw, in the page's order. An error or
    warning raised while drawing is raised or warned here. With one worker, where there
    is no ``fork`` (Windows), or inside a daemonic process (a
    :class:`multiprocessing.Pool` worker), the figures are drawn here when first asked
    for. Leaving the block early stops the drawing.

    Examples
    --------
    >>> import wpnet
    >>> from wpnet.report.compute import compute
    >>> res = compute(wpnet.tiny(), "2022-23", "2021-22", graph=GraphSpec(backbone=None),
    ...               permutations=20)
    >>> with drawing_figures(res, wpnet.tiny(), workers=2) as figures:
    ...     keys = [f.key for f in figures()]
    >>> keys
    ['reach', 'authority_flows', 'brokers', 'ecosystem', 'trend']
    """
    from wpnet._parallel import in_background, resolve_workers

    forked = resolve_workers(workers) >= 2
    if split is None:
        split = len(res.sel.establishments) >= SPLIT_FROM
    parts = (0, 1) if forked and split else (None,)
    with ExitStack() as stack:
        pending = [
            stack.enter_context(
                in_background(
                    draw_figures,
                    res,
                    history,
                    part=p,
                    enabled=forked,
                    **({"skip": skip} if skip else {}),
                    **({"trend_draft": True} if trend_draft else {}),
                )
            )  # fmt: skip
            for p in parts
        ]
        done: list[list[Figure]] = []

        def result() -> list[Figure]:
            if not done:
                figs = [f for part in pending for f in part()]
                done.append(sorted(figs, key=lambda f: FIGURE_ORDER.index(f.key)))
            return done[0]

        yield result
