"""Static maps of an ecosystem (matplotlib).

Five figures, each drawn from the measures (maps compute no graph algorithm of their
own): the two-mode ecosystem map, collaboration between authorities, the brokers of the
establishment projection, reach and its equity, and the trend across sessions.

Every function takes ``ax=None`` and returns the ``Axes`` it drew on. With ``ax=None``
it draws on a new :class:`matplotlib.figure.Figure` (``ax.figure``; save it with
``ax.figure.savefig(path)``), so no pyplot state is created or left behind. Each figure
has a title and a legend; authorities keep the colours of
:func:`wpnet.maps._style.authority_colors` in every figure.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from wpnet.ecosystem import Ecosystem
from wpnet.maps import _style as S

__all__ = [
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
_LABEL_FONT = 7.5


def _check(name: str, value: Any, allowed: tuple[Any, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed!r}; got {value!r}")


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax``, or the Axes of a new Figure (no pyplot)."""
    if ax is not None:
        return ax
    fig = Figure(figsize=figsize, layout="constrained", dpi=100)
    return fig.add_subplot()


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


def _spread_labels(xy: np.ndarray, *, width: float, height: float, steps: int = 300) -> np.ndarray:
    """Label anchors pushed apart until no two label boxes (``width`` x ``height``,
    centred horizontally) overlap; vectorised over pairs, a few hundred small steps."""
    p = xy.astype(float).copy()
    if len(p) < 2:
        return p
    scale = np.array([height / width, 1.0])  # boxes become squares of side ``height``
    for _ in range(steps):
        d = (p[:, None, :] - p[None, :, :]) * scale
        dist = np.hypot(d[..., 0], d[..., 1])
        np.fill_diagonal(dist, np.inf)
        close = dist < height
        if not close.any():
            break
        safe = np.where(close & (dist > 0), dist, 1.0)
        push = np.where(close, (height - np.where(close, dist, 0.0)) / safe, 0.0)
        step = (push[..., None] * d).sum(axis=1) / scale * 0.25
        # identical anchors: nudge the later one up
        same = close & (dist == 0)
        step[:, 1] += np.triu(same).sum(axis=0) * height * 0.25
        p += step
    return p


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
    """Establishment-network links: ``member``, ``network``, ``weight`` (records)."""
    rec = eco.records.dropna(subset=["establishment_id", "network_id"])
    g = rec.groupby(
        [rec["establishment_id"].astype(str), rec["network_id"].astype(str)], sort=True
    ).size()
    out = g.rename("weight").reset_index()
    out.columns = ["member", "network", "weight"]
    return out


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
    backbone: str | None,
    seed: int,
) -> pd.DataFrame:
    if layout == "authority":
        order = links.groupby("member")["network"].nunique()
        return S.authority_layout(est, order=order)
    if layout == "geographic":
        pos = S.geographic_layout(est)
        if pos.empty:
            raise ValueError(
                "layout='geographic' needs establishments' latitude and longitude; "
                "none have both. Use layout='authority' or 'force'."
            )
        return pos
    from wpnet.graphs import projection

    proj = projection(eco, "establishment", backbone=backbone)
    xy = S.force_layout(proj.to_igraph(), seed=seed)
    pos = pd.DataFrame(xy, index=proj.nodes.index.astype(str), columns=["x", "y"])
    return pos


def plot_ecosystem(
    eco: Ecosystem,
    ax: Axes | None = None,
    *,
    color_by: str = "authority",
    size_by: str | None = "practitioners",
    layout: str = "authority",
    show_networks: bool = True,
    backbone: str | None = "sdsm",
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
        Where to draw; a new Figure (11 x 10 in) when None.
    color_by : {"authority", "sector", "simd_quintile"}
    size_by : {"practitioners", "records", "networks", "roll", None}
        Practitioners, records or networks of the establishment in the records in scope,
        or its roll; None draws all dots one size.
    layout : {"authority", "geographic", "force"}
    show_networks : bool
    backbone : {"sdsm", "disparity", "threshold", None}
        The projection's backbone, used for ``layout="force"`` and, with
        ``show_networks=False``, for the ties drawn (:func:`wpnet.graphs.projection`).
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
    _check("color_by", color_by, COLOR_BY)
    _check("size_by", size_by, SIZE_BY)
    _check("layout", layout, LAYOUTS)
    est = _register(eco)
    links = _links(eco)
    reached = est.index.isin(links["member"].unique())
    central = (est["sector"] == "central").fillna(False).to_numpy(dtype=bool)
    pos = _positions(eco, est, links, layout, backbone, seed)
    placed = est.index.isin(pos.index)
    ax = _axes(ax, (12.5, 9.5))
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
        edge_col = pd.Series(colours, est.index).loc[lk["member"]].to_numpy(dtype=object)
        ax.add_collection(
            LineCollection(segs, colors=list(edge_col), linewidths=0.5, alpha=lc_alpha, zorder=1)
        )
    else:
        from wpnet.graphs import projection

        e = projection(eco, "establishment", backbone=backbone).edges()
        e = e[e["u"].astype(str).isin(pos.index) & e["v"].astype(str).isin(pos.index)]
        segs = np.stack(
            [
                xy.loc[e["u"].astype(str)].to_numpy(float),
                xy.loc[e["v"].astype(str)].to_numpy(float),
            ],
            axis=1,
        )
        lc_alpha = float(np.clip(20.0 / np.sqrt(max(len(e), 1)), 0.03, 0.6))
        ax.add_collection(
            LineCollection(segs, colors="#777777", linewidths=0.5, alpha=lc_alpha, zorder=1)
        )

    main = reached & ~central & placed
    ax.scatter(
        xy.loc[main, "x"], xy.loc[main, "y"], s=sizes[main], c=list(colours[main]),
        linewidths=0.3, edgecolors="white", zorder=3, gid="establishments",
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
            edgecolors="#9A9A9A", linewidths=0.5, zorder=2, gid="unreached",
        )  # fmt: skip

    n_links = links.groupby("network")["member"].nunique()
    if show_networks and len(net_pos):
        records = links.groupby("network")["weight"].sum()
        ax.scatter(
            net_pos["x"], net_pos["y"], marker="s",
            s=_area(n_links.reindex(net_pos.index), smallest=8, largest=110),
            c=S.NETWORK_COLOR, edgecolors="white", linewidths=0.6, zorder=5, gid="networks",
        )  # fmt: skip
        _label_networks(ax, eco, net_pos, n_links, records, label_networks)

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
            transform=ax.transAxes, fontsize=8, color="#555555",
        )  # fmt: skip

    # an equal-aspect Axes is centred in its slot; anchor it left so the legend
    # beside it stays inside the figure
    ax.set_anchor("W")
    _ecosystem_legend(ax, est, color_by, palette, size_by, show_networks, show_unreached, central)
    if title is None:
        title = (
            f"Ecosystem map{_scope_label(eco)}: {int(reached[~central].sum()):,} of "
            f"{int((~central).sum()):,} establishments reached by {len(n_links):,} networks"
        )
    ax.set_title(title, fontsize=12, loc="left")
    return ax


def _label_networks(
    ax: Axes,
    eco: Ecosystem,
    net_pos: pd.DataFrame,
    members: pd.Series,
    records: pd.Series,
    top: int,
) -> None:
    if top <= 0:
        return
    order = pd.DataFrame(
        {"members": members.reindex(net_pos.index), "records": records.reindex(net_pos.index)}
    )
    order["id"] = order.index
    chosen = order.sort_values(["members", "records", "id"], ascending=[False, False, True]).index[
        :top
    ]
    names = eco.networks.drop_duplicates("network_id").set_index("network_id")["name"]
    names.index = names.index.astype(str)
    anchor = net_pos.loc[chosen].to_numpy(float)
    span = float(np.ptp(ax.dataLim.get_points(), axis=0).max()) if len(net_pos) else 1.0
    span = span if np.isfinite(span) and span > 0 else float(np.ptp(anchor, axis=0).max() or 1.0)
    text_xy = _spread_labels(anchor + [0, 0.012 * span], width=0.2 * span, height=0.03 * span)
    for nid, (x0, y0), (x1, y1) in zip(chosen, anchor, text_xy, strict=True):
        label = str(names.get(nid, nid))
        moved = np.hypot(x1 - x0, y1 - y0) > 0.03 * span
        ax.annotate(
            label, (x0, y0), xytext=(x1, y1), textcoords="data", fontsize=_LABEL_FONT,
            ha="center", va="bottom", zorder=7,
            arrowprops={"arrowstyle": "-", "color": "#444444", "lw": 0.5} if moved else None,
            **_outlined(),
        )  # fmt: skip


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
            color="#222222" if palette is None else palette.get(name, "#222222"), **_outlined(),
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
) -> None:
    present = set(est[color_by].dropna().tolist())
    if color_by == "simd_quintile":
        present = {int(v) for v in pd.to_numeric(est[color_by], errors="coerce").dropna()}
    handles: list[Any] = [
        Line2D([], [], marker="o", ls="", color=c, markersize=7, label=_legend_label(color_by, k))
        for k, c in palette.items()
        if k in present
    ]
    if central.any():
        handles.append(
            Line2D([], [], marker=S.CENTRAL_MARKER, ls="", markerfacecolor="white",
                   markeredgecolor=S.CENTRAL_EDGE, markersize=7, label="central team")
        )  # fmt: skip
    if show_unreached:
        handles.append(
            Line2D([], [], marker="o", ls="", markerfacecolor="none", markeredgecolor="#9A9A9A",
                   markersize=5, label="not reached")
        )  # fmt: skip
    if show_networks:
        handles.append(
            Line2D([], [], marker="s", ls="", color=S.NETWORK_COLOR, markersize=7,
                   label="network (size: establishments)")
        )  # fmt: skip
    title = {"authority": "Authority", "sector": "Sector", "simd_quintile": "SIMD"}[color_by]
    if size_by is not None:
        title += f"\n(dot size: {size_by})"
    ax.legend(
        handles=handles, title=title, loc="upper left", bbox_to_anchor=(1.0, 1.0),
        fontsize=8.5, title_fontsize=9, frameon=False,
    )  # fmt: skip
