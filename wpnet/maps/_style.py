"""Colours, marks and layouts shared by the static maps and the interactive map.

Every figure of an ecosystem colours an authority the same way: the authorities' names
are sorted and given, in order, the colours of Paul Tol's colour-blind-safe *muted*
scheme (nine colours), then his *light* scheme (nine more). Central teams keep their
authority's colour but are drawn with a distinct mark (a diamond with a dark edge), so
colour never carries two meanings.

Layouts (:func:`authority_layout`, :func:`geographic_layout`, :func:`force_layout`,
:func:`network_positions`) place establishments and networks in the plane; they are
drawing aids, not measures.

References
----------
Paul Tol, "Colour schemes and templates", SRON technical note SRON/EPS/TN/09-002 (2021),
https://personal.sron.nl/~pault/ ; Okabe, M. and Ito, K., "Color Universal Design"
(2008), https://jfly.uni-koeln.de/color/ .
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from wpnet.ecosystem import Ecosystem
from wpnet.schema import AUTHORITIES

__all__ = [
    "AUTHORITY_PALETTE",
    "CENTRAL_EDGE",
    "CENTRAL_MARKER",
    "spread_labels",
    "MISSING_COLOR",
    "NETWORK_COLOR",
    "SECTOR_COLORS",
    "SIMD_COLORS",
    "authority_colors",
    "authority_layout",
    "category_colors",
    "contrast_ratio",
    "darker",
    "ink_on",
    "mark_edge",
    "relative_luminance",
    "text_color",
    "force_layout",
    "geographic_layout",
    "inside_ring",
    "network_positions",
    "sector_colors",
    "simd_colors",
]

log = logging.getLogger(__name__)

#: Paul Tol's muted scheme, then his light scheme: 18 colour-blind-safe colours.
AUTHORITY_PALETTE: tuple[str, ...] = (
    "#332288",  # indigo
    "#88CCEE",  # cyan
    "#44AA99",  # teal
    "#117733",  # green
    "#999933",  # olive
    "#DDCC77",  # sand
    "#CC6677",  # rose
    "#882255",  # wine
    "#AA4499",  # purple
    "#77AADD",  # light blue
    "#EE8866",  # orange
    "#EEDD88",  # light yellow
    "#FFAABB",  # pink
    "#99DDFF",  # pale cyan
    "#44BB99",  # mint
    "#BBCC33",  # pear
    "#AAAA00",  # olive
    "#555555",  # dark grey
)

#: Okabe-Ito colours for the sectors of the schema (``central`` in black).
SECTOR_COLORS: dict[str, str] = {
    "early_years": "#E69F00",
    "primary": "#56B4E9",
    "secondary": "#009E73",
    "special": "#CC79A7",
    "all_through": "#0072B2",
    "central": "#000000",
}

#: SIMD quintile 1 (most deprived) to 5 (least): viridis, dark to light.
SIMD_COLORS: dict[int, str] = {
    1: "#440154",
    2: "#3B528B",
    3: "#21918C",
    4: "#5EC962",
    5: "#FDE725",
}

#: Grey for a unit with no value (sector or quintile unknown).
MISSING_COLOR = "#BBBBBB"
#: Networks on the two-mode map: near-black squares, so they never read as an authority.
NETWORK_COLOR = "#222222"
#: Central teams: a diamond with a dark edge, in their authority's colour.
CENTRAL_MARKER = "D"
CENTRAL_EDGE = "#000000"


def _authority_names(eco: Ecosystem | Iterable[str]) -> list[str]:
    if isinstance(eco, Ecosystem):
        names = pd.concat(
            [eco.establishments["authority"], eco.records["authority"]], ignore_index=True
        )
        return sorted({str(a) for a in names.dropna().unique()})
    return sorted({str(a) for a in eco})


def authority_colors(eco: Ecosystem | Iterable[str]) -> dict[str, str]:
    """The colour of each authority, the same in every figure of an ecosystem.

    The eight West Partnership councils (:data:`wpnet.schema.AUTHORITIES`) hold the
    first eight colours of :data:`AUTHORITY_PALETTE` in alphabetical order, so a
    council keeps its colour in every figure and every selection; other authorities
    take the following colours in order of name; past 18 the palette repeats (logged).

    Parameters
    ----------
    eco : Ecosystem or iterable of str
        The ecosystem (authorities of its register and records), or the names.

    Returns
    -------
    dict
        Authority name -> ``#RRGGBB`` colour, in sorted order of names.

    Examples
    --------
    >>> import wpnet
    >>> authority_colors(wpnet.tiny())
    {'Glasgow City': '#44AA99', 'Inverclyde': '#117733', 'Renfrewshire': '#DDCC77'}
    """
    names = _authority_names(eco)
    # the partnership's own councils keep fixed colours, whatever a selection holds
    known = sorted(AUTHORITIES)
    order = known + sorted(set(names) - set(known))
    if len(order) > len(AUTHORITY_PALETTE):
        log.info(
            "%d authorities but %d distinct colours: colours repeat",
            len(order),
            len(AUTHORITY_PALETTE),
        )
    slot = {a: i % len(AUTHORITY_PALETTE) for i, a in enumerate(order)}
    return {a: AUTHORITY_PALETTE[slot[a]] for a in names}


def sector_colors(eco: Ecosystem) -> dict[str, str]:
    """The colour of each sector present in the register (Okabe-Ito; unknown sectors grey).

    Examples
    --------
    >>> import wpnet
    >>> sector_colors(wpnet.tiny())["primary"]
    '#56B4E9'
    """
    present = [str(s) for s in eco.establishments["sector"].dropna().unique()]
    order = [s for s in SECTOR_COLORS if s in present] + sorted(
        s for s in present if s not in SECTOR_COLORS
    )
    return {s: SECTOR_COLORS.get(s, MISSING_COLOR) for s in order}


def simd_colors() -> dict[int, str]:
    """The colour of each SIMD quintile, 1 (most deprived) to 5.

    Examples
    --------
    >>> simd_colors()[1]
    '#440154'
    """
    return dict(SIMD_COLORS)


def category_colors(eco: Ecosystem, color_by: str) -> dict[object, str]:
    """The colour map of ``color_by`` (``authority``, ``sector`` or ``simd_quintile``).

    Raises
    ------
    ValueError
        For another ``color_by``.

    Examples
    --------
    >>> import wpnet
    >>> list(category_colors(wpnet.tiny(), "simd_quintile"))
    [1, 2, 3, 4, 5]
    """
    if color_by == "authority":
        return dict(authority_colors(eco))
    if color_by == "sector":
        return dict(sector_colors(eco))
    if color_by == "simd_quintile":
        return dict(simd_colors())
    raise ValueError(f"color_by must be 'authority', 'sector' or 'simd_quintile'; got {color_by!r}")


# ---- contrast (WCAG 2.1) --------------------------------------------------------------------
#: Smallest contrast ratio of text against its background (WCAG 2.1 SC 1.4.3, AA).
TEXT_CONTRAST = 4.5
#: Smallest contrast ratio of a mark (dot, line, edge) against its background (SC 1.4.11).
MARK_CONTRAST = 3.0
#: Dark ink for text on light fills.
INK = "#1B1F24"


def _rgb(colour: Any) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return float(r), float(g), float(b)


def relative_luminance(colour: Any) -> float:
    """WCAG 2.1 relative luminance of a colour (any matplotlib colour spec).

    L = 0.2126 R + 0.7152 G + 0.0722 B, each channel linearised as c / 12.92 when
    c <= 0.04045 and ((c + 0.055) / 1.055) ** 2.4 otherwise.

    References
    ----------
    W3C, Web Content Accessibility Guidelines 2.1, "relative luminance",
    https://www.w3.org/TR/WCAG21/#dfn-relative-luminance

    Examples
    --------
    >>> relative_luminance("#FFFFFF"), relative_luminance("#000000")
    (1.0, 0.0)
    """
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in _rgb(colour)]
    return float(0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2])


def contrast_ratio(a: Any, b: Any) -> float:
    """WCAG 2.1 contrast ratio (L1 + 0.05) / (L2 + 0.05), L1 the lighter luminance.

    Examples
    --------
    >>> round(contrast_ratio("#000000", "#FFFFFF"), 1)
    21.0
    >>> round(contrast_ratio("#777777", "#FFFFFF"), 2)
    4.48
    """
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def darker(colour: Any, *, against: Any = "#FFFFFF", ratio: float = TEXT_CONTRAST) -> str:
    """The colour with its lightness lowered (hue and saturation kept) until its contrast
    with ``against`` is at least ``ratio``; the colour itself when it already is.

    Lightness (HLS) falls in steps of 0.005, so the result is the lightest shade of the
    hue that passes, to that step.

    Examples
    --------
    >>> darker("#DDCC77")  # Renfrewshire's sand, readable as text on white
    '#877622'
    >>> contrast_ratio(darker("#88CCEE", ratio=3.0), "#FFFFFF") >= 3.0
    True
    """
    import colorsys

    from matplotlib.colors import to_hex

    if contrast_ratio(colour, against) >= ratio:
        return to_hex(_rgb(colour)).upper()
    h, light, sat = colorsys.rgb_to_hls(*_rgb(colour))
    while light > 0:
        light = max(0.0, light - 0.005)
        rgb = colorsys.hls_to_rgb(h, light, sat)
        # compare the colour as it will be written (#RRGGBB), not the float
        hex_ = to_hex(rgb).upper()
        if contrast_ratio(hex_, against) >= ratio:
            return hex_
    return "#000000"


def text_color(colour: Any, background: Any = "#FFFFFF") -> str:
    """A colour's variant for text on ``background``: at least 4.5:1 (WCAG AA).

    Authority hues stay the fills of marks; labels written in an authority's colour use
    this darker shade of the same hue.

    Examples
    --------
    >>> text_color("#332288")  # indigo is dark enough already
    '#332288'
    >>> round(contrast_ratio(text_color("#88CCEE"), "#FFFFFF"), 1) >= 4.5
    True
    """
    return darker(colour, against=background, ratio=TEXT_CONTRAST)


def mark_edge(colour: Any, background: Any = "#FFFFFF") -> str:
    """The edge for a mark filled with ``colour``: the colour itself when it stands out
    at 3:1 from ``background`` (WCAG 2.1 SC 1.4.11), else a darker shade of its hue.

    Examples
    --------
    >>> mark_edge("#332288"), mark_edge("#DDCC77")
    ('#332288', '#A8932A')
    """
    return darker(colour, against=background, ratio=MARK_CONTRAST)


def ink_on(fill: Any) -> str:
    """Text colour for a label drawn on ``fill``: white or :data:`INK`, whichever
    contrasts more.

    Examples
    --------
    >>> ink_on("#08306B"), ink_on("#DEEBF7")
    ('#FFFFFF', '#1B1F24')
    """
    return "#FFFFFF" if contrast_ratio("#FFFFFF", fill) > contrast_ratio(INK, fill) else INK


# ---- layouts ---------------------------------------------------------------------------

#: Inner and outer radius of the ring the authority layout places establishments on.
RING = (0.62, 1.0)
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def authority_sectors(counts: pd.Series, *, gap: float = 0.1) -> pd.DataFrame:
    """Angular sector of each authority on the ring, proportional to its establishments.

    ``counts`` is indexed by authority (in drawing order); ``gap`` is the share of the
    circle left empty between sectors. Returns columns ``start``, ``end``, ``mid``
    (radians, counter-clockwise from 12 o'clock).

    Examples
    --------
    >>> s = authority_sectors(pd.Series({"A": 3, "B": 1}), gap=0.0)
    >>> [round(x, 4) for x in s["end"]]
    [4.7124, 6.2832]
    """
    n = counts.astype(float).to_numpy()
    share = n / n.sum() if n.sum() > 0 else np.full(len(n), 1.0 / max(len(n), 1))
    width = 2 * np.pi * (1 - gap) * share
    pad = 2 * np.pi * gap / max(len(n), 1)
    start = np.concatenate([[0.0], np.cumsum(width + pad)[:-1]]) + pad / 2
    end = start + width
    return pd.DataFrame({"start": start, "end": end, "mid": (start + end) / 2}, index=counts.index)


def _polar(radius: np.ndarray, angle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # angle 0 at 12 o'clock, growing clockwise: authorities read like a clock face
    return radius * np.sin(angle), radius * np.cos(angle)


def authority_layout(establishments: pd.DataFrame, order: pd.Series | None = None) -> pd.DataFrame:
    """Establishments on a ring, one sector per authority (a phyllotaxis inside each).

    Within its authority's sector (see :func:`authority_sectors`, sorted authority
    names clockwise from 12 o'clock), the k-th of n establishments (ordered by ``order``
    descending, then id) sits at radius sqrt(r0² + (k + ½)/n · (1 − r0²)) and at the
    fraction frac(k·φ) of the sector's angle, φ the golden ratio: an even scatter
    with the first (most connected) establishments on the inner edge, nearest the
    networks. Central teams sit inside the ring at their sector's middle.

    Parameters
    ----------
    establishments : DataFrame
        Indexed by establishment id, with columns ``authority`` and ``sector``.
    order : Series, optional
        A number per establishment (e.g. its memberships); higher sits further in.

    Returns
    -------
    DataFrame
        Index as ``establishments``; columns ``x``, ``y`` in [-1, 1].

    Examples
    --------
    >>> est = pd.DataFrame({"authority": ["A", "A", "B"], "sector": ["primary"] * 3},
    ...                    index=["e1", "e2", "e3"])
    >>> pos = authority_layout(est)
    >>> bool((np.hypot(pos.x, pos.y) <= 1.0).all())
    True
    """
    r0, r1 = RING
    est = establishments
    key = pd.Series(0.0, index=est.index) if order is None else order.reindex(est.index).fillna(0)
    central = (est["sector"] == "central").fillna(False).to_numpy(dtype=bool)
    auth = est["authority"].astype(str)
    counts = auth[~central].value_counts().reindex(sorted(auth.unique()), fill_value=0)
    sectors = authority_sectors(counts + 1)  # +1: an authority of only a central team still shows
    frame = pd.DataFrame(
        {"authority": auth, "key": -key.astype(float), "id": est.index.astype(str)}
    )
    frame = frame[~central].sort_values(["authority", "key", "id"])
    k = frame.groupby("authority").cumcount().to_numpy(dtype=float)
    n = frame["authority"].map(counts).to_numpy(dtype=float)
    lo = frame["authority"].map(sectors["start"]).to_numpy(dtype=float)
    hi = frame["authority"].map(sectors["end"]).to_numpy(dtype=float)
    radius = np.sqrt(r0**2 + (k + 0.5) / n * (r1**2 - r0**2))
    margin = 0.5 * (hi - lo) / (n + 1)
    angle = lo + margin + np.mod(k * _GOLDEN, 1.0) * (hi - lo - 2 * margin)
    x, y = _polar(radius, angle)
    pos = pd.DataFrame({"x": x, "y": y}, index=frame.index)
    if central.any():
        ca = auth[central].map(sectors["mid"]).to_numpy(dtype=float)
        cx, cy = _polar(np.full(len(ca), r0 - 0.07), ca)
        pos = pd.concat([pos, pd.DataFrame({"x": cx, "y": cy}, index=est.index[central])])
    return pos.reindex(est.index)


def geographic_layout(establishments: pd.DataFrame) -> pd.DataFrame:
    """Establishments at (longitude, latitude); rows without both are dropped.

    Returns
    -------
    DataFrame
        Columns ``x`` (longitude) and ``y`` (latitude), for the establishments with both.

    Examples
    --------
    >>> import wpnet
    >>> est = wpnet.tiny().establishments.set_index("establishment_id")
    >>> geographic_layout(est).loc["E1"].tolist()
    [-4.25, 55.86]
    """
    lat = pd.to_numeric(establishments.get("latitude"), errors="coerce")
    lon = pd.to_numeric(establishments.get("longitude"), errors="coerce")
    pos = pd.DataFrame({"x": lon, "y": lat}, index=establishments.index).astype(float)
    return pos.dropna()


def force_layout(
    graph: Any, *, seed: int = 0, niter: int = 500, weighted: bool = True
) -> np.ndarray:
    """Fruchterman-Reingold positions of an igraph graph, components packed.

    ``niter`` iterations for the largest component: igraph's default, which the
    interactive map uses too. On the shipped example's latest SDSM backbone (385
    establishments, 1,921 ties) 1,000 iterations took 0.41-0.47 s against 0.18-0.21 s,
    for a picture no easier to read.

    The largest connected component is laid out in [-1, 1]²; the other components
    (and isolates) are laid out on their own and packed in rows below it, largest first,
    so that a few small fragments do not push the main component into a corner. Start
    positions come from ``numpy.random.default_rng(seed)``, so a seed fixes the
    picture. ``weighted`` uses the edge attribute ``weight``.

    Returns
    -------
    ndarray
        (n, 2) positions, in vertex order.

    Examples
    --------
    >>> import igraph as ig
    >>> xy = force_layout(ig.Graph.Ring(4) + ig.Graph(1))
    >>> xy.shape, bool(xy[4, 1] < xy[:4, 1].min())
    ((5, 2), True)
    """
    n = graph.vcount()
    out = np.zeros((n, 2))
    if n == 0:
        return out
    rng = np.random.default_rng(seed)
    comps = sorted(graph.connected_components(), key=lambda c: (-len(c), c[0]))
    big = comps[0]
    out[big] = _fr(graph.induced_subgraph(big), rng, niter, weighted)
    rest = comps[1:]
    if not rest:
        return out
    # small components in rows under the main one: cells of side ``cell``, scaled by size
    cell = 0.125
    per_row = int(2 / cell)
    y0 = -1.0 - cell
    for k, comp in enumerate(rest):  # loop over components, not nodes
        row, col = divmod(k, per_row)
        centre = np.array([-1.0 + cell / 2 + col * cell, y0 - row * cell])
        if len(comp) == 1:
            out[comp] = centre
            continue
        xy = _fr(graph.induced_subgraph(comp), rng, 200, weighted)
        out[comp] = centre + xy * cell * 0.4
    return out


def _fr(graph: Any, rng: np.random.Generator, niter: int, weighted: bool) -> np.ndarray:
    n = graph.vcount()
    if n == 1:
        return np.zeros((1, 2))
    import random

    import igraph as ig

    start = rng.uniform(-1, 1, size=(n, 2)) * np.sqrt(n)
    weights = graph.es["weight"] if weighted and "weight" in graph.es.attributes() else None
    # igraph's Fruchterman-Reingold also draws random displacements, from igraph's own
    # generator (by default Python's ``random`` module, seeded anew in every process):
    # give it one seeded from ``rng`` for the call, then igraph's default again.
    ig.set_random_number_generator(random.Random(int(rng.integers(2**63))))
    try:
        layout = graph.layout_fruchterman_reingold(
            weights=weights, seed=start.tolist(), niter=niter
        )
    finally:
        ig.set_random_number_generator(random)
    xy = np.asarray(layout.coords, dtype=float)
    xy -= (xy.max(axis=0) + xy.min(axis=0)) / 2
    span = np.abs(xy).max()
    return xy / span if span > 0 else xy


def network_positions(
    member_pos: pd.DataFrame, links: pd.DataFrame, *, pull: float = 1.0
) -> pd.DataFrame:
    """Each network at the weighted mean of its members' positions, scaled by ``pull``.

    With member positions p_i and link weights w_ik (records of member i in network k),
    network k sits at ``pull`` · Σ_i w_ik p_i / Σ_i w_ik (``pull`` < 1 draws networks
    towards the centre, inside the ring of the authority layout).

    Parameters
    ----------
    member_pos : DataFrame
        Columns ``x``, ``y`` indexed by member id.
    links : DataFrame
        Columns ``member``, ``network`` and ``weight``.

    Examples
    --------
    >>> pos = pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]}, index=["a", "b"])
    >>> links = pd.DataFrame({"member": ["a", "b"], "network": ["n", "n"], "weight": [1, 3]})
    >>> network_positions(pos, links).loc["n"].tolist()
    [0.75, 0.75]
    """
    lk = links[links["member"].isin(member_pos.index)]
    xy = member_pos.reindex(lk["member"]).to_numpy(dtype=float)
    w = lk["weight"].to_numpy(dtype=float)
    df = pd.DataFrame(
        {"network": lk["network"].to_numpy(), "w": w, "wx": w * xy[:, 0], "wy": w * xy[:, 1]}
    )
    g = df.groupby("network", sort=True)[["w", "wx", "wy"]].sum()
    out = pd.DataFrame({"x": pull * g["wx"] / g["w"], "y": pull * g["wy"] / g["w"]})
    out.index.name = None
    return out


def inside_ring(net_pos: pd.DataFrame, *, radius: float | None = None) -> pd.DataFrame:
    """Networks of the authority layout spread over the disc inside the ring.

    Each network keeps the direction of its members' weighted mean (so it leans towards
    the authorities it draws on); its distance from the centre becomes
    ``radius`` · sqrt((rank + ½) / n), rank being the order of its original distance:
    networks spanning many authorities stay central, one-authority networks move out
    towards their authority, and the disc is filled evenly instead of clumping in the
    middle. ``radius`` defaults to 0.9 × the ring's inner radius.

    Examples
    --------
    >>> pos = pd.DataFrame({"x": [0.0, 0.3], "y": [0.1, 0.0]}, index=["a", "b"])
    >>> inside_ring(pos, radius=1.0).round(3).values.tolist()
    [[0.0, 0.5], [0.866, 0.0]]
    """
    radius = 0.9 * RING[0] if radius is None else radius
    r = np.hypot(net_pos["x"], net_pos["y"]).to_numpy(dtype=float)
    angle = np.arctan2(net_pos["y"], net_pos["x"]).to_numpy(dtype=float)
    rank = pd.Series(r).rank(method="first").to_numpy() - 1
    new_r = radius * np.sqrt((rank + 0.5) / max(len(r), 1))
    return pd.DataFrame(
        {"x": new_r * np.cos(angle), "y": new_r * np.sin(angle)}, index=net_pos.index
    )


def spread_labels(xy: np.ndarray, *, width: float, height: float, steps: int = 300) -> np.ndarray:
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
