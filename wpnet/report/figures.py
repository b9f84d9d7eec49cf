"""The report's figures, drawn by :mod:`wpnet.maps.static` and inlined as PNG data URIs."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

from wpnet.graphs import GraphSpec
from wpnet.report.compute import Results

__all__ = ["Figure", "draw_figures", "png_data_uri"]


@dataclass
class Figure:
    """One figure: where it goes (``section``), its caption, alt text and image."""

    key: str
    section: str
    caption: str
    alt: str
    src: str  # data:image/png;base64,...


def png_data_uri(fig: Any, dpi: int = 110) -> str:
    """A matplotlib Figure as a ``data:image/png;base64,`` URI (the figure is closed).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> png_data_uri(plt.figure(figsize=(1, 1)))[:22]
    'data:image/png;base64,'
    """
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def draw_figures(res: Results, history: Any) -> list[Figure]:
    """Draw every figure of the report from the results' selections.

    ``history`` is the Ecosystem of the sessions up to the report's (for the trend).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from wpnet.maps.static import (
        plot_authority_flows,
        plot_brokers,
        plot_ecosystem,
        plot_reach,
        plot_trend,
    )

    sel, bb, s = res.sel, res.backbone, res.session
    opts = (res.graph or GraphSpec(backbone=bb)).keywords()
    figs = [
        Figure(
            "reach",
            "reach",
            f"Coverage of schools and nurseries by authority, {s}: all (solid) and SIMD "
            "quintile 1 (hatched); dashed lines mark the partnership.",
            "Bar chart of coverage and SIMD quintile 1 coverage per local authority.",
            png_data_uri(plot_reach(sel, by="authority").figure),
        ),
        Figure(
            "authority_flows",
            "collaboration",
            f"Networks joining establishments of two authorities, {s}.",
            "Matrix of the number of networks shared by each pair of authorities.",
            png_data_uri(plot_authority_flows(sel).figure),
        ),
        Figure(
            "ecosystem",
            "map",
            f"The ecosystem in {s}: establishments (dots, by authority) and the networks "
            "they take part in (squares).",
            "Ecosystem map: establishments arranged by authority around networks.",
            png_data_uri(plot_ecosystem(sel, seed=res.seed, **opts).figure),
        ),
    ]
    tied = int((res.brokerage["degree"] > 0).sum())
    if tied >= 3:  # a drawing of one or two ties says nothing the tables do not
        figs.insert(
            2,
            Figure(
                "brokers",
                "brokerage",
                f"The establishment graph ({bb or 'all ties'}) with the top brokers numbered, {s}.",
                "Network diagram of establishments, coloured by authority, top brokers labelled.",
                png_data_uri(plot_brokers(sel, seed=res.seed, **opts).figure),
            ),
        )
    if len(res.sessions) > 1:
        figs.append(
            Figure(
                "trend",
                "capacity",
                f"Coverage, cross-authority ties and multi-network participation, "
                f"{res.sessions[0]} to {res.sessions[-1]}.",
                "Line chart of three shares across sessions.",
                png_data_uri(plot_trend(history, seed=res.seed, **opts).figure),
            )
        )
    return figs
