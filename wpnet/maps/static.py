"""Static maps of an ecosystem (matplotlib).

Five figures, each drawn from the measures (maps compute no graph algorithm of their
own): the two-mode ecosystem map, collaboration between authorities, the brokers of the
establishment projection, reach and its equity, and the trend across sessions.

Every function takes ``ax=None`` and returns the ``Axes`` it drew on. With ``ax=None``
it draws on a new pyplot figure (``ax.figure``), as osmnx's plot functions do: Jupyter's
inline backend shows it under the cell (and closes it), a script shows it with
``plt.show()``, and ``ax.figure.savefig(path)`` saves it; close it with
``plt.close(ax.figure)`` when drawing many in a loop. With ``ax`` given, nothing is
created: the function draws on that Axes and its figure. Each figure
has a title and a legend; authorities keep the colours of
:func:`wpnet.maps._style.authority_colors` in every figure.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import UsageError, check_choice
from wpnet.graphs import GraphSpec, incidence
from wpnet.maps import _style as S

__all__ = [
    "MEASURE_LABELS",
    "detached_figures",
    "plot_authority_flows",
    "plot_brokers",
    "plot_ecosystem",
    "plot_reach",
    "plot_trend",
]

log = logging.getLogger(__name__)

LAYOUTS = ("authority", "geographic", "force")
COLOR_BY = ("authority", "sector", "simd_quintile")
SIZE_BY = ("practitioners", "records", "networks", "roll", None)
BROKER_BY = ("betweenness", "gf_total", "constraint")
FLOW_VALUES = ("networks", "establishment_pairs")
REACH_BY = ("authority", "sector", "workstream")
#: Measures of :func:`wpnet.trend` that are shares (drawn as percentages).
SHARE_MEASURES = frozenset(
    {
        "coverage",
        "simd_q1_coverage",
        "lead_share",
        "density",
        "transitivity",
        "largest_component_share",
        "cross_authority_share",
        "multi_network_share",
        "spanning_communities_share",
        "robustness",
        "degree_centralization",
        "level_evenness",
    }
)
_LABEL_FONT = 8.5
#: Edge of an establishment not reached (an open circle): 3.4:1 on white.
UNREACHED_EDGE = "#8C8C8C"
#: Fill of the authority matrix's diagonal (networks within one authority).
DIAGONAL_FILL = "#E4E4E4"


def _check(name: str, value: Any, allowed: tuple[Any, ...]) -> None:
    check_choice(name, value, allowed)


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax``, or the Axes of a new pyplot figure (displayed by Jupyter and ``plt.show()``).

    A bare :class:`~matplotlib.figure.Figure` is never shown by Jupyter, so the figure is
    made through pyplot, as ``plt.subplots`` does in osmnx's plot functions: it becomes
    pyplot's current figure and stays open until shown or closed.
    """
    if ax is not None:
        return ax
    if _DETACHED.get():
        from matplotlib.figure import Figure

        return Figure(figsize=figsize, layout="constrained").add_subplot()
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


_DETACHED: contextvars.ContextVar[bool] = contextvars.ContextVar("detached", default=False)


@contextlib.contextmanager
def detached_figures() -> Iterator[None]:
    """Inside this block, ``plot_*`` draw on bare Figures that pyplot never holds.

    For code that only saves figures (the report): no pyplot figure is opened, the
    backend is not touched, and nothing is shown in a notebook.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, wpnet
    >>> before = plt.get_fignums()
    >>> with detached_figures():
    ...     ax = plot_reach(wpnet.tiny())
    >>> plt.get_fignums() == before
    True
    """
    token = _DETACHED.set(True)
    try:
        yield
    finally:
        _DETACHED.reset(token)


def _scope_label(eco: Ecosystem) -> str:
    """``" (2022-23)"`` or ``" (2021-22, 2022-23; Glasgow City)"`` from the selection."""
    parts = []
    for key in ("session", "authority", "workstream", "sector"):
        v = eco.scope.get(key)
        if v is not None:
            parts.append(", ".join(v) if isinstance(v, list) else str(v))
    if not parts and eco.sessions:
        s = eco.sessions
        parts.append(s[0] if len(s) == 1 else f"{s[0]} to {s[-1]}")
    return f" ({'; '.join(parts)})" if parts else ""


def _outlined(**kw: Any) -> dict[str, Any]:
    """Text keywords with a white halo, legible over dots and lines."""
    from matplotlib import patheffects

    return {"path_effects": [patheffects.withStroke(linewidth=2.5, foreground="white")], **kw}


# ---- 1. the two-mode ecosystem map ---------------------------------------------------------


def _register(eco: Ecosystem) -> pd.DataFrame:
    """Every establishment of the register and of the records, indexed by id."""
    est = eco.establishments.drop_duplicates("establishment_id").set_index("establishment_id")
    est.index = est.index.astype(str)
    rec = eco.records.dropna(subset=["establishment_id"])
    extra = rec.loc[~rec["establishment_id"].astype(str).isin(est.index)]
    if len(extra):
        more = (
            extra.drop_duplicates("establishment_id")
            .set_index("establishment_id")[["authority", "sector"]]
            .astype(object)
        )
        more.index = more.index.astype(str)
        est = pd.concat([est, more])
    return est


def _links(eco: Ecosystem) -> pd.DataFrame:
    """Establishment-network links: ``member``, ``network``, ``weight`` (records), from
    the graph stage's incidence matrix (:func:`wpnet.graphs.incidence`)."""
    inc = incidence(eco, level="establishment")
    coo = inc.records.tocoo()
    out = pd.DataFrame(
        {
            "member": inc.members.to_numpy()[coo.row].astype(str),
            "network": inc.networks.to_numpy()[coo.col].astype(str),
            "weight": coo.data.astype(np.int64),
        }
    )
    return out.sort_values(["member", "network"], ignore_index=True)


def _establishment_sizes(eco: Ecosystem, est: pd.DataFrame, size_by: str | None) -> pd.Series:
    rec = eco.records.dropna(subset=["establishment_id"])
    key = rec["establishment_id"].astype(str)
    if size_by is None:
        v = pd.Series(1.0, index=est.index)
    elif size_by == "practitioners":
        v = rec.groupby(key)["practitioner_id"].nunique()
    elif size_by == "records":
        v = rec.groupby(key).size()
    elif size_by == "networks":
        v = rec.groupby(key)["network_id"].nunique()
    else:
        v = pd.to_numeric(est["roll"], errors="coerce")
    return v.reindex(est.index).astype(float).fillna(0.0)


def _area(values: pd.Series, *, smallest: float, largest: float) -> np.ndarray:
    """Marker areas from values: area grows with the value (square-root scale)."""
    v = values.to_numpy(dtype=float)
    top = np.nanmax(v) if len(v) and np.nanmax(v) > 0 else 1.0
    return smallest + (largest - smallest) * np.sqrt(np.clip(v, 0, None) / top)


def _colours(eco: Ecosystem, est: pd.DataFrame, color_by: str) -> tuple[np.ndarray, dict]:
    palette = S.category_colors(eco, color_by)
    col = est[color_by]
    if color_by == "simd_quintile":
        col = pd.to_numeric(col, errors="coerce").astype("Int64")
    cols = col.map(lambda v: palette.get(v, S.MISSING_COLOR) if pd.notna(v) else S.MISSING_COLOR)
    return cols.to_numpy(dtype=object), palette


def _dot_handles(palette: dict, present: set, color_by: str) -> list[Any]:
    """Legend dots of the categories present, each with its 3:1 edge."""
    return [
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            color=c,
            markeredgecolor=S.mark_edge(c),
            markersize=7,
            label=_legend_label(color_by, k),
        )  # fmt: skip
        for k, c in palette.items()
        if k in present
    ]


def _mark_edges(colours: Any) -> list[str]:
    """:func:`~wpnet.maps._style.mark_edge` of each colour, computed once per colour.

    Examples
    --------
    >>> _mark_edges(["#332288", "#DDCC77", "#332288"])
    ['#332288', '#A8932A', '#332288']
    """
    edge = {c: S.mark_edge(c) for c in set(colours)}
    return [edge[c] for c in colours]


def _legend_label(color_by: str, key: Any) -> str:
    if color_by == "simd_quintile":
        extra = {1: " (most deprived)", 5: " (least deprived)"}.get(int(key), "")
        return f"SIMD quintile {key}{extra}"
    if color_by == "sector":
        return str(key).replace("_", " ")
    return str(key)


def _positions(
    eco: Ecosystem,
    est: pd.DataFrame,
    links: pd.DataFrame,
    layout: str,
    spec: GraphSpec,
    seed: int,
) -> pd.DataFrame:
    if layout == "authority":
        order = links.groupby("member")["network"].nunique()
        return S.authority_layout(est, order=order)
    if layout == "geographic":
        pos = S.geographic_layout(est)
        if pos.empty:
            raise UsageError(
                "layout='geographic' needs establishments' latitude and longitude; "
                "none have both. Use layout='authority' or 'force'."
            )
        return pos
    from wpnet.graphs import projection

    proj = projection(eco, **spec.keywords())
    xy = S.force_layout(proj.to_igraph(), seed=seed)
    pos = pd.DataFrame(xy, index=proj.nodes.index.astype(str), columns=["x", "y"])
    return pos


def plot_ecosystem(
    eco: Ecosystem,
    *,
    ax: Axes | None = None,
    color_by: str = "authority",
    size_by: str | None = "practitioners",
    layout: str = "authority",
    show_networks: bool = True,
    onto: str = "establishment",
    backbone: str | None = "sdsm",
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    label_networks: int = 15,
    show_unreached: bool = True,
    seed: int = 0,
    title: str | None = None,
) -> Axes:
    """Draw the two-mode ecosystem: establishments as dots, networks as labelled squares.

    Establishments reached by the records in scope are dots coloured by ``color_by``
    (central teams as diamonds with a dark edge), with area growing with ``size_by``
    (square-root scale). Establishments of the register not reached are small hollow
    grey dots (``show_unreached``). Networks are dark squares sized by their number of
    member establishments, each placed at the mean position of its members weighted by
    their records; the ``label_networks`` largest (by member establishments, then
    records) are labelled by name.

    Layouts:

    - ``"authority"``: each authority a sector of a ring (sorted names, clockwise from
      12 o'clock; angle proportional to its establishments), establishments with more
      networks on the inner edge; networks inside the ring, drawn towards the centre
      (position × 0.55), so networks joining several authorities sit in the middle;
    - ``"geographic"``: longitude and latitude (establishments without both are left out
      and counted in the figure);
    - ``"force"``: Fruchterman-Reingold on the establishment projection (``backbone``).

    With ``show_networks`` the network-member links are drawn as faint lines in the
    member's colour; without, the ties of the establishment projection (``backbone``)
    are drawn instead and the networks are not shown.

    Parameters
    ----------
    eco : Ecosystem
        Usually one session (``eco.select(session=...)``).
    ax : Axes, optional
        Where to draw; a new pyplot figure (11 x 10 in) when None.
    color_by : {"authority", "sector", "simd_quintile"}
    size_by : {"practitioners", "records", "networks", "roll", None}
        Practitioners, records or networks of the establishment in the records in scope,
        or its roll; None draws all dots one size.
    layout : {"authority", "geographic", "force"}
    show_networks : bool
    onto, backbone, alpha, min_weight, correction
        The graph options (:class:`wpnet.graphs.GraphSpec`) of the establishment
        projection (``onto`` must be ``"establishment"``) used for ``layout="force"`` and, with ``show_networks=False``, for
        the ties drawn (:func:`wpnet.graphs.projection`).
    label_networks : int
        How many networks to name (the largest first).
    show_unreached : bool
    seed : int
        Fixes the force layout.
    title : str, optional
        Replaces the default title.

    Returns
    -------
    Axes
        The first collection holds one point per reached establishment
        (``ax.collections``; its ``gid`` is ``"establishments"``), then ``"central"``,
        ``"unreached"`` and ``"networks"``.

    Raises
    ------
    ValueError
        For an unknown option, or ``layout="geographic"`` without coordinates.

    Examples
    --------
    >>> import wpnet
    >>> ax = plot_ecosystem(wpnet.tiny().select(session="2022-23"), backbone=None)
    >>> len(ax.get_legend().get_texts()) > 3
    True
    """
    expect_ecosystem(eco, "plot_ecosystem")
    _check("color_by", color_by, COLOR_BY)
    _check("size_by", size_by, SIZE_BY)
    _check("layout", layout, LAYOUTS)
    est = _register(eco)
    links = _links(eco)
    reached = est.index.isin(links["member"].unique())
    central = (est["sector"] == "central").fillna(False).to_numpy(dtype=bool)
    check_choice("onto", onto, ("establishment",))  # the map draws establishments
    spec = GraphSpec(onto, backbone, alpha, min_weight, correction)
    pos = _positions(eco, est, links, layout, spec, seed)
    placed = est.index.isin(pos.index)
    ax = _axes(ax, (12, 9))  # with its legend, within a report page (1,120 px)
    colours, palette = _colours(eco, est, color_by)
    sizes = pd.Series(
        _area(_establishment_sizes(eco, est, size_by), smallest=6, largest=160), est.index
    )
    xy = pos.reindex(est.index)

    # links first, so the dots sit on top
    if show_networks:
        net_pos = S.network_positions(pos, links)
        if layout == "authority":
            net_pos = S.inside_ring(net_pos)
        lk = links[links["member"].isin(pos.index)]
        segs = np.stack(
            [xy.loc[lk["member"]].to_numpy(float), net_pos.loc[lk["network"]].to_numpy(float)],
            axis=1,
        )
        lc_alpha = float(np.clip(12.0 / np.sqrt(max(len(lk), 1)), 0.03, 0.5))
        # links take the member's authority colour; other colourings would only add noise
        edge_col = (
            pd.Series(colours, est.index).loc[lk["member"]].to_numpy(dtype=object)
            if color_by == "authority"
            else np.full(len(lk), "#8A8A8A", dtype=object)
        )
        ax.add_collection(
            LineCollection(segs, colors=list(edge_col), linewidths=0.5, alpha=lc_alpha, zorder=1)
        )
    else:
        from wpnet.graphs import projection

        e = projection(eco, **spec.keywords()).edges()
        e = e[e["u"].astype(str).isin(pos.index) & e["v"].astype(str).isin(pos.index)]
        segs = np.stack(
            [
                xy.loc[e["u"].astype(str)].to_numpy(float),
                xy.loc[e["v"].astype(str)].to_numpy(float),
            ],
            axis=1,
        )
        lc_alpha = float(np.clip(8.0 / np.sqrt(max(len(e), 1)), 0.02, 0.6))
        ax.add_collection(
            LineCollection(segs, colors="#777777", linewidths=0.5, alpha=lc_alpha, zorder=1)
        )

    main = reached & ~central & placed
    ax.scatter(
        xy.loc[main, "x"], xy.loc[main, "y"], s=sizes[main], c=list(colours[main]),
        linewidths=0.5, edgecolors=_mark_edges(colours[main]), zorder=3,
        gid="establishments",
    )  # fmt: skip
    cen = reached & central & placed
    ax.scatter(
        xy.loc[cen, "x"], xy.loc[cen, "y"], s=np.maximum(sizes[cen], 60), c=list(colours[cen]),
        marker=S.CENTRAL_MARKER, linewidths=1.2, edgecolors=S.CENTRAL_EDGE, zorder=4, gid="central",
    )  # fmt: skip
    unr = ~reached & placed & ~central
    if show_unreached:
        ax.scatter(
            xy.loc[unr, "x"], xy.loc[unr, "y"], s=7, facecolors="none",
            edgecolors=UNREACHED_EDGE, linewidths=0.5, zorder=2, gid="unreached",
        )  # fmt: skip

    n_links = links.groupby("network")["member"].nunique()
    key: list[str] = []
    if show_networks and len(net_pos):
        records = links.groupby("network")["weight"].sum()
        ax.scatter(
            net_pos["x"], net_pos["y"], marker="s",
            s=_area(n_links.reindex(net_pos.index), smallest=8, largest=70),
            c=S.NETWORK_COLOR, edgecolors="white", linewidths=0.6, zorder=5, gid="networks",
        )  # fmt: skip
        labelled = _largest_networks(net_pos, n_links, records, label_networks)
        span = float(np.ptp(xy[["x", "y"]].dropna().to_numpy(float), axis=0).max())
        _numbered(ax, net_pos.loc[labelled].to_numpy(float), gid="network_label", span=span)
        names = eco.networks.drop_duplicates("network_id").set_index("network_id")["name"]
        names.index = names.index.astype(str)
        key = [str(names.get(i, i)) for i in labelled]

    if layout == "authority":
        _label_sectors(ax, est, palette if color_by == "authority" else None)
        ax.set_xlim(-1.5, 1.5)
        ax.set_ylim(-1.2, 1.2)
        ax.set_aspect("equal")
    elif layout == "geographic":
        ax.set_aspect(1.0 / np.cos(np.deg2rad(float(pos["y"].mean()))))
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
        ax.autoscale_view()
    else:
        ax.set_aspect("equal")
        ax.autoscale_view()
    if layout != "geographic":
        ax.set_axis_off()
    missing = int((~placed & (reached | ~central)).sum())
    if missing:
        ax.text(
            0.01, 0.01, f"{missing} establishments without coordinates not shown",
            transform=ax.transAxes, fontsize=8.5, color="#555555",
        )  # fmt: skip

    # an equal-aspect Axes narrows within its slot when drawn; anchored right, its right
    # edge (and the legend beside it) stays where constrained layout put it, inside the
    # figure (anchored left, the legend moved in and the layout gave it too little room)
    ax.set_anchor("E")
    _ecosystem_legend(
        ax, est, color_by, palette, size_by, show_networks, show_unreached, central, key, backbone
    )
    if title is None:
        title = (
            f"Ecosystem map{_scope_label(eco)}: {int(reached[~central].sum()):,} of "
            f"{int((~central).sum()):,} establishments reached by {len(n_links):,} networks"
        )
    ax.set_title(title, fontsize=12, loc="left")
    return ax


def _largest_networks(
    net_pos: pd.DataFrame, members: pd.Series, records: pd.Series, top: int
) -> list[str]:
    """The ``top`` networks by member establishments, then records, then id."""
    order = pd.DataFrame(
        {"members": members.reindex(net_pos.index), "records": records.reindex(net_pos.index)}
    )
    order["id"] = order.index.astype(str)
    order = order.sort_values(["members", "records", "id"], ascending=[False, False, True])
    return [str(i) for i in order.index[: max(top, 0)]]


def _numbered(ax: Axes, anchor: np.ndarray, *, gid: str, span: float) -> None:
    """Write 1, 2, ... beside the anchor points (pushed apart, with a leader if moved)."""
    if not len(anchor):
        return
    off = np.array([0.012, 0.012]) * span
    text_xy = S.spread_labels(anchor + off, width=0.035 * span, height=0.03 * span)
    for rank, ((x0, y0), (x1, y1)) in enumerate(zip(anchor, text_xy, strict=True), 1):
        moved = np.hypot(x1 - x0 - off[0], y1 - y0 - off[1]) > 0.01 * span
        ax.annotate(
            str(rank), (x0, y0), xytext=(x1, y1), fontsize=8.5, ha="left", va="bottom",
            zorder=8, gid=gid, fontweight="bold",
            arrowprops={"arrowstyle": "-", "color": "#333333", "lw": 0.5} if moved else None,
            **_outlined(),
        )  # fmt: skip


def _key_handles(title: str, names: list[str], *, width: int = 38) -> list[Any]:
    """Legend rows ``title`` then ``1  name`` ... (no marker), long names wrapped."""
    import textwrap

    rows: list[Any] = [Line2D([], [], ls="", label=" ")]
    rows.append(Line2D([], [], ls="", label=title))
    for rank, name in enumerate(names, 1):
        text = textwrap.fill(str(name), width, subsequent_indent="      ")
        rows.append(Line2D([], [], ls="", label=f"{rank:>2}.  {text}"))
    return rows


def _label_sectors(ax: Axes, est: pd.DataFrame, palette: dict | None) -> None:
    central = (est["sector"] == "central").fillna(False).to_numpy(dtype=bool)
    auth = est["authority"].astype(str)
    counts = auth[~central].value_counts().reindex(sorted(auth.unique()), fill_value=0)
    sectors = S.authority_sectors(counts + 1)
    for name, mid in sectors["mid"].items():
        x, y = 1.08 * np.sin(mid), 1.08 * np.cos(mid)
        ha = "left" if x > 0.15 else "right" if x < -0.15 else "center"
        va = "bottom" if y > 0.15 else "top" if y < -0.15 else "center"
        ax.text(
            x, y, str(name), ha=ha, va=va, fontsize=9.5, fontweight="bold",
            color="#222222" if palette is None else S.text_color(palette.get(name, "#222222")),
            **_outlined(),
        )  # fmt: skip


def _ecosystem_legend(
    ax: Axes,
    est: pd.DataFrame,
    color_by: str,
    palette: dict,
    size_by: str | None,
    show_networks: bool,
    show_unreached: bool,
    central: np.ndarray,
    key: list[str],
    backbone: str | None,
) -> None:
    present = set(est[color_by].dropna().tolist())
    if color_by == "simd_quintile":
        present = {int(v) for v in pd.to_numeric(est[color_by], errors="coerce").dropna()}
    handles: list[Any] = _dot_handles(palette, present, color_by)
    if central.any():
        handles.append(
            Line2D([], [], marker=S.CENTRAL_MARKER, ls="", markerfacecolor="white",
                   markeredgecolor=S.CENTRAL_EDGE, markersize=7, label="central team")
        )  # fmt: skip
    if show_unreached:
        handles.append(
            Line2D([], [], marker="o", ls="", markerfacecolor="none", markeredgecolor=UNREACHED_EDGE,
                   markersize=5, label="not reached")
        )  # fmt: skip
    if show_networks:
        handles.append(
            Line2D([], [], marker="s", ls="", color=S.NETWORK_COLOR, markersize=7,
                   label="network (size: establishments)")
        )  # fmt: skip
    else:
        tie = "SDSM backbone" if backbone == "sdsm" else (backbone or "all ties")
        handles.append(Line2D([], [], color="#777777", lw=1, label=f"shared network ({tie})"))
    if key:
        handles += _key_handles(f"Largest {len(key)} networks (by establishments)", key)
    title = {"authority": "Authority", "sector": "Sector", "simd_quintile": "SIMD"}[color_by]
    if size_by is not None:
        title += f"\n(dot size: {size_by})"
    ax.legend(
        handles=handles, title=title, loc="upper left", bbox_to_anchor=(1.0, 1.0),
        fontsize=8.5, title_fontsize=9, frameon=False, handletextpad=0.4,
    )  # fmt: skip


# ---- 2. collaboration between authorities ------------------------------------------------

_FLOW_TEXT = {
    "networks": ("networks joining both authorities", "networks joining 2+ of its establishments"),
    "establishment_pairs": (
        "pairs of establishments sharing a network",
        "pairs within the authority",
    ),
}


def _short(name: str) -> str:
    """Two-line tick label for long authority names ("East\\nDunbartonshire")."""
    words = str(name).split()
    return " ".join(words) if len(words) < 2 else f"{' '.join(words[:-1])}\n{words[-1]}"


def plot_authority_flows(
    eco: Ecosystem,
    *,
    ax: Axes | None = None,
    value: str = "networks",
    title: str | None = None,
) -> Axes:
    """Draw collaboration between authorities as an annotated matrix.

    Cell (A, B) is :func:`wpnet.authority_matrix` ``(eco, value=value)``: the networks
    with member establishments from both A and B (``"networks"``), or the pairs of
    establishments of A and B sharing a network (``"establishment_pairs"``). Off-diagonal
    cells are shaded on one scale (the colour bar); the diagonal (collaboration within
    an authority, usually much larger) is grey so it does not swamp the scale. A strip
    of each authority's colour marks its row and column.

    Parameters
    ----------
    eco : Ecosystem
    ax : Axes, optional
        A new Figure (9 x 7.5 in) when None.
    value : {"networks", "establishment_pairs"}
    title : str, optional

    Returns
    -------
    Axes
        One text per cell (``ax.texts``), the matrix as ``ax.images[0]``.

    Raises
    ------
    ValueError
        For an unknown ``value``.

    Examples
    --------
    >>> import wpnet
    >>> ax = plot_authority_flows(wpnet.tiny().select(session="2022-23"))
    >>> [t.get_text() for t in ax.texts][:3]
    ['1', '2', '0']
    """
    expect_ecosystem(eco, "plot_authority_flows")
    from matplotlib import colormaps
    from matplotlib.colors import Normalize
    from matplotlib.patches import Rectangle

    from wpnet.graphs import authority_matrix

    _check("value", value, FLOW_VALUES)
    m = authority_matrix(eco, value=value)
    names = [str(a) for a in m.index]
    k = len(names)
    vals = m.to_numpy(dtype=float)
    off = vals.copy()
    np.fill_diagonal(off, np.nan)
    top = np.nanmax(off) if k > 1 and np.isfinite(off).any() else 1.0
    cmap = colormaps["Blues"]
    norm = Normalize(vmin=0, vmax=max(top, 1.0))
    ax = _axes(ax, (9, 7.5))
    im = ax.imshow(np.ma.masked_invalid(off), cmap=cmap, norm=norm, aspect="equal")
    for i in range(k):
        ax.add_patch(
            Rectangle((i - 0.5, i - 0.5), 1, 1, facecolor=DIAGONAL_FILL, edgecolor="white", lw=1.5)
        )
    rows, cols = np.indices(vals.shape)
    for i, j, v in zip(rows.ravel(), cols.ravel(), vals.ravel(), strict=True):
        cell = DIAGONAL_FILL if i == j else cmap(norm(v))
        ax.text(
            j, i, f"{int(v):,}", ha="center", va="center", fontsize=9 if k <= 10 else 8.5,
            color=S.ink_on(cell), style="italic" if i == j else "normal", gid="cell",
        )  # fmt: skip
    colours = S.authority_colors(eco)
    for i, a in enumerate(names):
        c = colours.get(a, S.MISSING_COLOR)
        ax.add_patch(Rectangle((-0.5 - 0.3, i - 0.5), 0.25, 1, color=c, clip_on=False))
        ax.add_patch(Rectangle((i - 0.5, -0.5 - 0.3), 1, 0.25, color=c, clip_on=False))
    ax.set_xticks(range(k), [_short(a) for a in names], fontsize=8.5, rotation=90)
    ax.set_yticks(range(k), names, fontsize=9)
    ax.tick_params(length=0, pad=12)
    ax.xaxis.tick_top()
    ax.set_xlim(-0.5, k - 0.5)
    ax.set_ylim(k - 0.5, -0.5)
    for side in ax.spines.values():
        side.set_visible(False)
    between, within = _FLOW_TEXT[value]
    ax.figure.colorbar(im, ax=ax, shrink=0.7, label=between.capitalize())
    ax.legend(
        handles=[Patch(facecolor=DIAGONAL_FILL, edgecolor="#8C8C8C", label=f"diagonal: {within}")],
        loc="upper left", bbox_to_anchor=(0.0, -0.01), frameon=False, fontsize=8.5,
    )  # fmt: skip
    if title is None:
        title = f"Collaboration between authorities{_scope_label(eco)}: {between}"
    ax.set_title(title, fontsize=12, loc="left", pad=10)
    return ax


# ---- 3. brokers ------------------------------------------------------------------------------


def _group_colours(eco: Ecosystem, values: pd.Series, group: str) -> dict[Any, str]:
    if group in COLOR_BY:
        return S.category_colors(eco, group)
    keys = sorted({v for v in values.dropna().tolist()}, key=str)
    pal = S.AUTHORITY_PALETTE
    return {v: pal[i % len(pal)] for i, v in enumerate(keys)}


def plot_brokers(
    eco: Ecosystem,
    *,
    ax: Axes | None = None,
    top: int = 15,
    group: str = "authority",
    onto: str = "establishment",
    backbone: str | None = "sdsm",
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    rank_by: str = "betweenness",
    seed: int = 0,
    title: str | None = None,
) -> Axes:
    """Draw the establishment projection with its top brokers named.

    The establishment projection (``backbone``: by default its SDSM backbone, so only
    ties stronger than chance are drawn) is laid out by Fruchterman-Reingold; dots are
    coloured by ``group`` and sized by degree. The ``top`` establishments by ``rank_by`` in
    :func:`wpnet.brokerage` ``(eco, group=group, backbone=backbone)`` (see
    :func:`wpnet.measures.brokerage.top_brokers`: ``betweenness`` by default, highest first) are ringed in black,
    numbered and labelled with their establishment's name. Establishments with no tie in
    the graph are not drawn (their number is in the legend).

    Parameters
    ----------
    eco : Ecosystem
        Usually one session.
    top : int
    group : str
        A node attribute (``authority``, ``sector``, ``simd_quintile`` ...), as for
        :func:`wpnet.brokerage`.
    onto, backbone, alpha, min_weight, correction
        The graph options of the establishment projection (as :func:`wpnet.brokerage`;
        ``onto`` must be ``"establishment"``).
    ax : Axes, optional
        A new Figure (12.5 x 9.5 in) when None.
    rank_by : {"betweenness", "gf_total", "constraint"}
    seed : int
        Fixes the layout.
    title : str, optional

    Returns
    -------
    Axes
        Collections ``"ties"``, ``"establishments"`` (one point per tied node) and
        ``"brokers"`` (by ``gid``); one number per broker on the map
        (``gid="broker"``) and, in the legend, ``" 1.  name (group)"`` per broker.

    Raises
    ------
    ValueError
        For an unknown ``by``, ``group`` or ``backbone``.

    Examples
    --------
    >>> import wpnet
    >>> ax = plot_brokers(wpnet.tiny().select(session="2022-23"), top=3, backbone=None)
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "broker"]
    ['1']
    >>> ax.get_legend().get_texts()[-1].get_text()
    ' 1.  Dunrod School (Inverclyde)'

    """
    expect_ecosystem(eco, "plot_brokers")
    from wpnet.graphs import projection
    from wpnet.measures.brokerage import brokerage, top_brokers

    _check("rank_by", rank_by, BROKER_BY)
    check_choice("onto", onto, ("establishment",))  # the map draws establishments
    spec = GraphSpec(onto, backbone, alpha, min_weight, correction)
    b = brokerage(eco, group=group, **spec.keywords())
    proj = projection(eco, **spec.keywords())
    b.index = b.index.astype(str)
    all_ids = proj.nodes.index.astype(str)
    tied_all = b["degree"].reindex(all_ids).fillna(0).to_numpy() > 0
    # only tied establishments are drawn: lay out the graph without its isolates
    ids = all_ids[tied_all]
    g = proj.to_igraph().induced_subgraph(np.flatnonzero(tied_all).tolist())
    xy = pd.DataFrame(S.force_layout(g, seed=seed, weighted=False), index=ids, columns=["x", "y"])
    tied = np.ones(len(ids), dtype=bool)
    groups = b["group"].reindex(ids)
    palette = _group_colours(eco, groups, group)
    colours = groups.map(
        lambda v: palette.get(v, S.MISSING_COLOR) if pd.notna(v) else S.MISSING_COLOR
    )
    ax = _axes(ax, (12.5, 9.5))
    e = proj.edges()
    segs = np.stack(
        [xy.loc[e["u"].astype(str)].to_numpy(float), xy.loc[e["v"].astype(str)].to_numpy(float)],
        axis=1,
    )
    ax.add_collection(
        LineCollection(
            segs, colors="#8A8A8A", linewidths=0.4, gid="ties",
            alpha=float(np.clip(25.0 / np.sqrt(max(len(e), 1)), 0.04, 0.6)),
        )
    )  # fmt: skip
    deg = b["degree"].reindex(ids).fillna(0).astype(float)
    sizes = pd.Series(_area(deg, smallest=6, largest=120), index=ids)
    ax.scatter(
        xy.loc[tied, "x"], xy.loc[tied, "y"], s=sizes[tied], c=list(colours[tied]),
        edgecolors=_mark_edges(colours[tied]), linewidths=0.5, zorder=3,
        gid="establishments",
    )  # fmt: skip
    chosen = [str(i) for i in top_brokers(b.reindex(ids), top=top, rank_by=rank_by)]
    ax.scatter(
        xy.loc[chosen, "x"], xy.loc[chosen, "y"], s=np.maximum(sizes[chosen] * 1.6, 70),
        c=list(colours[chosen]), edgecolors="black", linewidths=1.6, zorder=5, gid="brokers",
    )  # fmt: skip
    names = eco.establishments.drop_duplicates("establishment_id").set_index("establishment_id")[
        "name"
    ]
    names.index = names.index.astype(str)
    span = float(np.ptp(xy.to_numpy(float), axis=0).max()) if len(xy) else 1.0
    _numbered(ax, xy.loc[chosen].to_numpy(float), gid="broker", span=span)
    if len(xy) and (xy["y"] < -1.0).any():
        ax.text(
            float(xy["x"].min()), -1.04, "separate smaller groups of establishments",
            fontsize=8.5, color="#555555", va="bottom",
        )  # fmt: skip
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.margins(0.06)
    ax.set_axis_off()
    ax.set_anchor("E")  # the legend beside it stays where the layout put it (plot_ecosystem)
    present = set(groups[tied].dropna().tolist())
    handles: list[Any] = _dot_handles(palette, present, group)
    criterion = {"betweenness": "betweenness", "gf_total": "brokerage roles (Gould-Fernandez)",
                 "constraint": "lowest constraint"}[rank_by]  # fmt: skip
    handles.append(
        Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor="black",
               markeredgewidth=1.6, markersize=9, label=f"top {len(chosen)} by {criterion}")
    )  # fmt: skip
    untied = int((~tied_all).sum())
    handles.append(Line2D([], [], ls="", label=f"({untied:,} with no tie: not shown)"))
    key = [f"{names.get(i, i)} ({groups.get(i)})" for i in chosen]
    handles += _key_handles(f"Top {len(chosen)} brokers", key)
    ax.legend(
        handles=handles, title=f"{group.replace('_', ' ').capitalize()}\n(dot size: ties)",
        loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8.5, title_fontsize=9,
        frameon=False, handletextpad=0.4,
    )  # fmt: skip
    if title is None:
        graph = "SDSM backbone" if backbone == "sdsm" else (backbone or "all ties")
        title = (
            f"Brokers between establishments{_scope_label(eco)}: co-membership ties "
            f"({graph}), top {len(chosen)} by {criterion}"
        )
    ax.set_title(title, fontsize=12, loc="left")
    return ax


# ---- 4. reach and equity -----------------------------------------------------------------------


def _lighter(colour: str, amount: float = 0.55) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def plot_reach(
    eco: Ecosystem,
    *,
    by: str = "authority",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw coverage and SIMD quintile 1 coverage per unit, side by side.

    For each unit of ``by`` (:func:`wpnet.reach`): a solid bar for ``coverage`` (share
    of the unit's establishments reached) and, below it, a lighter hatched bar for
    ``simd_q1_coverage`` (the same among its SIMD quintile 1 establishments, the most
    deprived). Dashed lines mark the whole partnership's two values. A quintile 1 bar
    shorter than its coverage bar shows an equity gap.

    Parameters
    ----------
    eco : Ecosystem
    by : {"authority", "sector", "workstream"}
    ax : Axes, optional
        A new Figure (9 x 0.55 in per unit + 1.8) when None.
    title : str, optional

    Returns
    -------
    Axes
        Two bars per unit (``ax.patches``, coverage first), one value label per bar.

    Raises
    ------
    ValueError
        For an unknown ``by``.

    Examples
    --------
    >>> import wpnet
    >>> ax = plot_reach(wpnet.tiny().select(session="2022-23"))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Glasgow City', 'Inverclyde', 'Renfrewshire']
    """
    expect_ecosystem(eco, "plot_reach")
    from matplotlib.ticker import PercentFormatter

    from wpnet.measures.reach import reach

    _check("by", by, REACH_BY)
    r = reach(eco, by=by)
    if by != "workstream":
        r = r.sort_index()
    whole = reach(eco)
    n = len(r)
    ax = _axes(ax, (9, 1.8 + 0.55 * max(n, 1)))
    pal = S.category_colors(eco, by) if by in COLOR_BY else {}
    units = [str(u) for u in r.index]
    colours = [pal.get(u, "#4D4D4D") for u in r.index]
    y = np.arange(n)
    h = 0.38
    cov = r["coverage"].to_numpy(dtype=float)
    q1 = r["simd_q1_coverage"].to_numpy(dtype=float)
    ax.barh(y - h / 2, np.nan_to_num(cov), height=h, color=colours, edgecolor="#333333", lw=0.5)
    ax.barh(
        y + h / 2, np.nan_to_num(q1), height=h, color=[_lighter(c) for c in colours],
        edgecolor="#333333", hatch="///", lw=0.5,
    )  # fmt: skip
    for yy, v in [*zip(y - h / 2, cov, strict=True), *zip(y + h / 2, q1, strict=True)]:
        text = "no establishments" if np.isnan(v) else f"{v:.0%}"
        ax.text(  # a white halo keeps the value readable where it crosses a partnership line
            (0 if np.isnan(v) else v) + 0.01, yy, text, va="center", zorder=4,
            **_outlined(fontsize=8.5, color="#222222"),
        )  # fmt: skip
    overall = float(whole["coverage"].iloc[0])
    overall_q1 = float(whole["simd_q1_coverage"].iloc[0])
    ax.axvline(overall, color="#222222", ls="--", lw=1)
    ax.axvline(overall_q1, color="#222222", ls=":", lw=1.2)
    ax.set_yticks(y, [u.replace("_", " ") for u in units], fontsize=9)
    ax.set_ylim(n - 0.4, -0.6)
    ax.set_xlim(0, 1.12)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("share of establishments reached")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        handles=[
            Patch(facecolor="#8C8C8C", edgecolor="#333333", label="all establishments"),
            Patch(facecolor=_lighter("#8C8C8C"), edgecolor="#333333", hatch="///",
                  label="SIMD quintile 1 (most deprived)"),  # fmt: skip
            Line2D([], [], color="#222222", ls="--", label=f"partnership: {overall:.0%}"),
            Line2D([], [], color="#222222", ls=":", lw=1.2,
                   label=f"partnership, quintile 1: {overall_q1:.0%}"),  # fmt: skip
        ],
        loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8.5, frameon=False,
        title="Coverage of", title_fontsize=9,
    )  # fmt: skip
    if title is None:
        title = f"Reach and equity by {by.replace('_', ' ')}{_scope_label(eco)}"
    ax.set_title(title, fontsize=12, loc="left")
    return ax


# ---- 5. trend --------------------------------------------------------------------------------

#: Plain-English names of trend measures for legends.
MEASURE_LABELS = {
    "coverage": "establishments reached (coverage)",
    "simd_q1_coverage": "SIMD quintile 1 establishments reached",
    "cross_authority_share": "ties crossing authorities",
    "multi_network_share": "practitioners in 2+ networks",
    "lead_share": "practitioners leading or facilitating",
    "largest_component_share": "establishments in the largest connected group",
    "spanning_communities_share": "communities spanning authorities",
    "density": "density",
    "transitivity": "transitivity",
}
_TREND_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def plot_trend(
    eco: Ecosystem,
    *,
    measures: tuple[str, ...] | list[str] = (
        "coverage",
        "cross_authority_share",
        "multi_network_share",
    ),
    ax: Axes | None = None,
    onto: str = "establishment",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    seed: int = 0,
    title: str | None = None,
) -> Axes:
    """Draw measures of :func:`wpnet.trend` across sessions, one line each.

    Each measure is a line over the sessions (in order), its last value written at its
    end. When every measure is a share (:data:`SHARE_MEASURES`) the axis reads in
    percent from 0 to 100%; otherwise raw values are drawn.

    Parameters
    ----------
    eco : Ecosystem
        Several sessions (not a one-session selection).
    measures : sequence of str
        Columns of :func:`wpnet.trend` (up to 7).
    ax : Axes, optional
        A new Figure (10 x 5.5 in) when None.
    onto, backbone, alpha, min_weight, correction, seed
        The graph options and seed, passed to :func:`wpnet.trend`.
    title : str, optional

    Returns
    -------
    Axes
        One line per measure (``ax.lines``, ``gid`` = the measure).

    Raises
    ------
    ValueError
        For a measure that is not a column of :func:`wpnet.trend`, or more than 7.

    Examples
    --------
    >>> import wpnet
    >>> ax = plot_trend(wpnet.tiny())
    >>> [ln.get_gid() for ln in ax.lines]
    ['coverage', 'cross_authority_share', 'multi_network_share']
    """
    expect_ecosystem(eco, "plot_trend")
    from matplotlib.ticker import PercentFormatter

    from wpnet.measures.change import MEASURE_ROWS, trend

    measures = [measures] if isinstance(measures, str) else list(measures)
    unknown = [m for m in measures if m not in MEASURE_ROWS]
    if unknown or not measures or len(measures) > len(_TREND_COLOURS):
        raise UsageError(
            f"measures must be 1 to {len(_TREND_COLOURS)} columns of wpnet.trend "
            f"{MEASURE_ROWS!r}; unknown: {unknown!r}"
        )
    t = trend(
        eco,
        onto=onto,
        backbone=backbone,
        alpha=alpha,
        min_weight=min_weight,
        correction=correction,
        seed=seed,
    )
    ax = _axes(ax, (10, 5.5))
    x = np.arange(len(t))
    shares = all(m in SHARE_MEASURES for m in measures)
    for m, c in zip(measures, _TREND_COLOURS, strict=False):
        v = t[m].to_numpy(dtype=float)
        line = S.mark_edge(c)  # at least 3:1 against the white axes
        ax.plot(x, v, marker="o", color=line, lw=2, gid=m, label=MEASURE_LABELS.get(m, m))
        last = np.flatnonzero(~np.isnan(v))
        if len(last):
            i = last[-1]
            ax.annotate(
                f"{v[i]:.0%}" if shares else f"{v[i]:,.3g}", (x[i], v[i]), xytext=(6, 0),
                textcoords="offset points", va="center", fontsize=9, color=S.text_color(c),
                fontweight="bold",
            )  # fmt: skip
    ax.set_xticks(x, [str(s) for s in t.index])
    ax.set_xlim(-0.3, len(t) - 0.4)
    ax.set_xlabel("session")
    if shares:
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(axis="y", color="#E5E5E5")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, frameon=False)
    if title is None:
        title = f"Trend across sessions{_scope_label(eco)}"
    ax.set_title(title, fontsize=12, loc="left")
    return ax
