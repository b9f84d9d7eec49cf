"""The interactive ecosystem map: one self-contained HTML file.

:func:`interactive_map` draws the two-mode map of an ecosystem — one node per
establishment reached and one per network, a line for every membership — as a single
HTML file that holds every script, style and datum inline and asks no server for
anything, so it opens from disk without a network and can be e-mailed or archived.

Positions are computed here, in Python (a seeded Fruchterman-Reingold layout of the
memberships and the backbone ties between establishments); the page only draws them on a
canvas, so it stays responsive with thousands of nodes and tens of thousands of lines.
Betweenness comes from :func:`wpnet.brokerage`; the map computes no measure itself.

Privacy: no practitioner id, name or role is written; practitioner counts go through
the report's disclosure rule (:func:`map_data`; nothing on the page is sized by them); every
string reaches the page as JSON inside a ``<script type="application/json">`` block with
``<``, ``>``, ``&``, U+2028 and U+2029 escaped (:func:`wpnet.privacy.json_for_html`), and the page's script puts text on screen
only through ``textContent``.
"""

from __future__ import annotations

import html
import math
import os
import random
import re
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wpnet._parallel import parallel_map
from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import DataError, UsageError, check_choice
from wpnet.graphs import GraphSpec
from wpnet.maps._style import (
    CENTRAL_EDGE,
    MISSING_COLOR,
    NETWORK_COLOR,
    authority_colors,
    category_colors,
    mark_edge,
)
from wpnet.privacy import atomic_write, check_output, json_for_html, suppress, to_builtin

__all__ = ["InteractiveMap", "interactive_map"]

COLOR_BY = ("authority", "sector", "simd_quintile")
LAYOUTS = ("authority", "force")
#: At most this many backbone ties are drawn (the strongest); all of them shape the layout.
MAX_DRAWN_TIES = 50_000
_NO_AUTHORITY = "(no authority)"
_NO_WORKSTREAM = "(no workstream)"
_LAYOUT_SEED = 20240801
#: From this many establishments the authorities' force layouts run in worker processes
#: (:func:`wpnet._parallel.parallel_map`; ``WPNET_WORKERS``). Below it the layouts are
#: cheap (the example's 1,009 establishments: 0.3 CPU s) and not worth a process pool.
PARALLEL_LAYOUT_NODES = 2000
#: Shown for a count hidden because it would reveal a small practitioner count.
HIDDEN = "*"


class InteractiveMap:
    """A rendered interactive map: the HTML text, ready to save or show in a notebook.

    Attributes
    ----------
    html : str
        The whole self-contained page.
    data : dict
        The data embedded in the page (nodes, memberships, ties, legend), as plain Python.
    path : Path or None
        Where the page was last saved.
    """

    def __init__(self, html_text: str, data: dict[str, Any], path: Path | None = None) -> None:
        self.html = html_text
        self.data = data
        self.path = path

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` atomically (:func:`wpnet.privacy.atomic_write`);
        the folder is created if needed."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        target = Path(path)
        atomic_write(target, self.html)
        self.path = target
        return target

    def _repr_html_(self) -> str:
        """An iframe whose ``srcdoc`` is the escaped page, for Jupyter."""
        return (
            '<iframe class="wpnet-map" style="width:100%;height:640px;border:1px solid #ddd" '
            f'sandbox="allow-scripts" srcdoc="{html.escape(self.html, quote=True)}"></iframe>'
        )

    def __repr__(self) -> str:
        n_e = sum(1 for n in self.data["nodes"] if n["kind"] == "establishment")
        n_n = len(self.data["nodes"]) - n_e
        where = f", saved to {self.path}" if self.path else ""
        return (
            f"<InteractiveMap: {n_e} establishments, {n_n} networks, "
            f"{len(self.data['memberships']) // 3} memberships{where}>"
        )


def interactive_map(
    eco: Ecosystem,
    path: str | os.PathLike[str] | None = None,
    *,
    session: str | list[str] | None = None,
    onto: str = "establishment",
    backbone: str | None = "sdsm",
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    color_by: str = "authority",
    min_cell: int = 5,
    title: str | None = None,
    layout: str = "authority",
    practitioners: bool = True,
) -> InteractiveMap:
    """Draw the two-mode ecosystem map as one self-contained, offline HTML page.

    Nodes are the establishments reached (with at least one participation record in
    scope, attributed as in :attr:`Ecosystem.records`) and the networks; a line joins an
    establishment to each network it took part in. Positions are computed here:
    ``layout="authority"`` puts each authority's establishments in a disc on a ring
    (arranged inside by a force layout of the ``backbone`` ties between them) and each
    network inside the ring, nearer the middle the more authorities it reaches;
    ``layout="force"`` is a seeded Fruchterman-Reingold layout (igraph) of the memberships
    and the backbone ties. The page offers zoom and pan, a tooltip (name,
    authority, sector, SIMD quintile, practitioners, networks, betweenness), a click that
    highlights the node's neighbours, a search by name, and filters by authority,
    workstream and session.

    Parameters
    ----------
    eco : Ecosystem
    path : path-like, optional
        Where to write the page (atomically). ``None`` writes nothing. It may not be a
        file the data was read from (:attr:`Ecosystem.sources`), nor an existing file
        other than ``.html``/``.htm`` (:class:`~wpnet.errors.UsageError`).
    session : str or list of str, optional
        Draw only these sessions (``eco.select(session=...)``); ``None`` draws every
        session, and the page can then show one at a time.
    onto, backbone, alpha, min_weight, correction
        The graph options (:class:`wpnet.graphs.GraphSpec`; ``onto`` must be
        ``"establishment"``): which establishment ties
        shape the layout and the betweenness (:func:`wpnet.graphs.projection`).
    color_by : {"authority", "sector", "simd_quintile"}
        What the establishments' colour shows (palette of :mod:`wpnet.maps._style`).
    min_cell : int
        Practitioner counts below this are shown as ``"<min_cell"``.
    title : str, optional
        The page's title; defaults to a description of the scope.
    layout : {"authority", "force"}
        Authority-grouped or force-directed positions (see above). With fewer than two
        authorities in scope the grouped layout is the force layout.
    practitioners : bool
        Show each establishment's practitioner count (suppressed below ``min_cell``).
        The report passes False: its tables publish the counts of authorities,
        sectors, SIMD quintiles and authorities × quintiles, which the establishments'
        add up to, so a reader could subtract (:mod:`wpnet.report.disclosure`).

    Returns
    -------
    InteractiveMap
        ``.html`` (the page), ``.save(path)``, and ``_repr_html_`` for notebooks.

    Raises
    ------
    ValueError
        For an unknown ``color_by``, ``backbone`` or ``layout``, ``min_cell < 1``, or a
        selection with no participation records.

    Examples
    --------
    >>> import wpnet
    >>> m = interactive_map(wpnet.tiny(), backbone=None, min_cell=1)
    >>> m
    <InteractiveMap: 6 establishments, 3 networks, 7 memberships>
    >>> "<script src=" in m.html, "://" in m.html
    (False, False)
    """
    expect_ecosystem(eco, "interactive_map")
    check_choice("color_by", color_by, COLOR_BY)
    check_choice("layout", layout, LAYOUTS)
    if int(min_cell) < 1:
        raise UsageError(f"min_cell must be at least 1; got {min_cell!r}")
    if path is not None:
        check_output(path, sources=eco.sources, suffixes=(".html", ".htm"), what="map")
    if session is not None:
        eco = eco.select(session=session)
    data = map_data(
        eco,
        onto=onto,
        backbone=backbone,
        alpha=alpha,
        min_weight=min_weight,
        correction=correction,
        color_by=color_by,
        min_cell=int(min_cell),
        layout=layout,
        practitioners=practitioners,
    )
    data["title"] = title if title is not None else _default_title(eco, session)
    page = render_html(data)
    out = InteractiveMap(page, data)
    if path is not None:
        out.save(path)
    return out


# ---- data ---------------------------------------------------------------------------


def map_data(
    eco: Ecosystem,
    *,
    onto: str = "establishment",
    backbone: str | None = "sdsm",
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    color_by: str = "authority",
    min_cell: int = 5,
    layout: str = "authority",
    practitioners: bool = True,
) -> dict[str, Any]:
    """The plain-Python data the page draws (see :func:`interactive_map`).

    Keys: ``nodes`` (list of dicts), ``memberships`` (flat list ``[node, node, sessions
    bitmask, ...]``, establishment first), ``ties`` (flat list ``[node, node, ...]`` of
    backbone ties between establishments), ``sessions``, ``authorities`` and
    ``workstreams`` (``[{"name", "color"}]``), ``colors`` (the ``color_by`` legend),
    ``colorBy``, ``minCell``, ``graph`` (what the layout and betweenness ran on),
    ``tiesNote`` (set when only the :data:`MAX_DRAWN_TIES` strongest ties are drawn) and
    ``membershipsNote`` (set when small networks' lines are left out).

    Disclosure control is the report's: practitioner counts of establishments and of
    networks go through :func:`wpnet.privacy.suppress` (below ``min_cell`` shown as
    ``"<5"``, secondary cells as ``"*"``, column totals taken as known); a hidden
    network's ``establishments`` is ``"*"``; and a network with fewer than ``min_cell``
    practitioners from ``min_cell - 1`` or more establishments has no lines drawn (they
    would show its count). With ``practitioners=False`` establishments carry no
    practitioner count (see :func:`interactive_map`).
    """
    rec = eco.records
    rec = rec[rec["establishment_id"].notna() & rec["network_id"].notna()]
    if rec.empty:
        raise DataError(
            "no participation records with an establishment and a network in this selection: "
            "nothing to map"
        )
    e_code, est_ids = _sorted_codes(rec["establishment_id"])
    k_code, net_ids = _sorted_codes(rec["network_id"])
    s_code, sessions = _sorted_codes(rec["session"], missing="(undated)")
    if len(sessions) > 30:
        raise UsageError(f"{len(sessions)} sessions: the map's session filter holds at most 30")
    p_code = pd.factorize(rec["practitioner_id"])[0]
    n_e, n_n, n_s = len(est_ids), len(net_ids), len(sessions)
    # every count below is of distinct values: repeated meetings count once
    e_code, k_code, s_code, p_code = _distinct_rows(e_code, k_code, s_code, p_code)

    est = eco.establishments.drop_duplicates("establishment_id").copy()
    est["establishment_id"] = est["establishment_id"].astype(str)
    est = est.set_index("establishment_id").reindex(est_ids)
    net = eco.networks.drop_duplicates("network_id").copy()
    net["network_id"] = net["network_id"].astype(str)
    net = net.set_index("network_id").reindex(net_ids)

    # authorities and workstreams, with the shared palette
    auth_of = est["authority"].astype("string").fillna(_NO_AUTHORITY).tolist()
    full_colors = authority_colors(eco)
    authorities = sorted(set(auth_of))
    auth_legend = [{"name": a, "color": full_colors.get(a, MISSING_COLOR)} for a in authorities]
    auth_index = {a: i for i, a in enumerate(authorities)}
    ws_of = net["workstream"].astype("string").fillna(_NO_WORKSTREAM).tolist()
    workstreams = sorted(set(ws_of))
    ws_index = {w: i for i, w in enumerate(workstreams)}

    colors = category_colors(eco, color_by)
    col_values = est[color_by]
    legend = [{"name": _label(color_by, k), "color": c} for k, c in colors.items()]
    if col_values.isna().any():
        legend.append({"name": "unknown", "color": MISSING_COLOR})

    # counts (practitioners suppressed below min_cell); codes are sorted positions
    known = p_code >= 0  # a missing practitioner id is not counted (as nunique)
    est_prac = _distinct_count(e_code[known], p_code[known], n_e)
    net_prac = _distinct_count(k_code[known], p_code[known], n_n)
    est_nets = _distinct_count(e_code, k_code, n_e)
    n_ests = _distinct_count(k_code, e_code, n_n)
    est_mask = _session_bits(e_code, s_code, n_e, n_s)
    net_mask = _session_bits(k_code, s_code, n_n, n_s)

    # disclosure control: the same rule as the report's tables (privacy.suppress with
    # column totals known; counts that bound a hidden count hidden with it). A network's
    # lines show how many establishments it reaches, a lower bound of its practitioners:
    # where that bound would pin a small count, the network's lines are not drawn.
    est_shown = suppress(pd.DataFrame({"n": est_prac}, index=est_ids), min_cell, totals="columns")[
        "n"
    ]
    unlined_flag = (net_prac < min_cell) & (n_ests >= min_cell - 1)
    unlined = set(np.asarray(net_ids, dtype=object)[unlined_flag])
    net_sup = suppress(
        pd.DataFrame({"n": net_prac}, index=net_ids),
        min_cell,
        totals="columns",
        lower=np.where(unlined_flag, 1, n_ests),
    )
    net_shown = net_sup["n"]
    net_hidden = net_sup.attrs["suppressed"]["n"].tolist()

    pair_e, pair_k, pair_m = _pair_bits(e_code, k_code, s_code, n_n, n_s)
    drawn = ~unlined_flag[pair_k]
    memberships: list[int] = (
        np.column_stack([pair_e[drawn], pair_k[drawn] + n_e, pair_m[drawn]]).ravel().tolist()
    )

    # backbone ties between establishments and betweenness (the measures' own)
    from wpnet.graphs import projection

    check_choice("onto", onto, ("establishment",))  # the map draws establishments
    spec = GraphSpec(onto, backbone, alpha, min_weight, correction)
    proj = projection(eco, **spec.keywords())
    tie_tab = proj.edges()
    ties = _tie_positions(tie_tab, est_ids)
    tie_w: list[float] = tie_tab["weight"].astype(float).tolist()
    betw_e, betw_n = _betweenness(eco, spec)

    groups = [auth_index[a] for a in auth_of] if layout == "authority" else None
    xy = _layout(n_e, len(net_ids), memberships, ties, groups)
    ties, ties_note = _strongest(ties, tie_w, MAX_DRAWN_TIES)

    nodes = _establishment_nodes(
        est,
        est_ids,
        xy[:n_e],
        color_by=color_by,
        colors=colors,
        authority=[auth_index[a] for a in auth_of],
        practitioners=est_shown.tolist() if practitioners else None,
        networks=est_nets.tolist(),
        betweenness=betw_e,
        sessions=est_mask.tolist(),
    )
    nodes += _network_nodes(
        net,
        net_ids,
        xy[n_e:],
        workstream=[ws_index[w] for w in ws_of],
        practitioners=net_shown.tolist(),
        establishments=[
            HIDDEN if hidden else int(n)
            for hidden, n in zip(net_hidden, n_ests.tolist(), strict=True)
        ],
        betweenness=betw_n,
        sessions=net_mask.tolist(),
    )
    return {
        "nodes": nodes,
        "memberships": memberships,
        "ties": ties,
        "sessions": sessions,
        "authorities": auth_legend,
        "workstreams": [{"name": w} for w in workstreams],
        "colors": legend,
        "colorBy": color_by,
        "minCell": min_cell,
        "centralEdge": CENTRAL_EDGE,
        "edges": {c: mark_edge(c) for c in sorted({n["color"] for n in nodes})},  # 3:1 on white
        "graph": proj.describe(),
        "tiesNote": ties_note,
        "membershipsNote": (
            f"the memberships of {len(unlined)} small network{'s' if len(unlined) != 1 else ''} "
            "are not drawn (they would reveal a small practitioner count)"
            if unlined
            else None
        ),
    }


def _strongest(ties: list[int], weights: list[float], limit: int) -> tuple[list[int], str | None]:
    """The ``limit`` heaviest ties (flat pairs), and a note when some were left out."""
    n = len(weights)
    if n <= limit:
        return ties, None
    order = np.argsort(-np.asarray(weights), kind="stable")[:limit]
    pairs = np.asarray(ties, dtype=np.int64).reshape(-1, 2)[np.sort(order)]
    note = f"the {limit:,} strongest of {n:,} ties are drawn"
    return pairs.ravel().tolist(), note


def _sorted_codes(values: pd.Series, *, missing: str | None = None) -> tuple[np.ndarray, list[str]]:
    """Each value's position among the sorted distinct labels, and those labels.

    A label is ``str(value)`` (``.astype(str)``); with ``missing``, a missing value's
    label is ``missing`` (``.astype("string").fillna(missing).astype(str)``). The labels
    are made from the distinct values only (``pd.factorize``), not from every row.

    Examples
    --------
    >>> codes, labels = _sorted_codes(pd.Series(["b", "a", "b", None]), missing="-")
    >>> codes.tolist(), labels
    ([2, 1, 2, 0], ['-', 'a', 'b'])
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=missing is None)
    if missing is None and (codes < 0).any():
        raise ValueError(f"{values.name!r} has missing values; they have no label")
    distinct = pd.Series(uniques, dtype=values.dtype)
    if missing is not None:
        distinct = distinct.astype("string").fillna(missing)
    labels = distinct.astype(str).tolist()
    order = sorted(set(labels))
    at = {label: i for i, label in enumerate(order)}
    remap = np.array([at[label] for label in labels], dtype=np.int64)
    return remap[codes], order


def _distinct_rows(*codes: np.ndarray) -> list[np.ndarray]:
    """The distinct rows of integer code columns (codes ``>= -1``), in first-seen order.

    Each row is packed into one ``int64`` (mixed radix, each column's radix its largest
    code + 2) and :func:`pandas.unique` (hashing) keeps the first of each; when the
    packed key would not fit in 63 bits, ``DataFrame.drop_duplicates`` does the same.

    Examples
    --------
    >>> a, b = _distinct_rows(np.array([1, 1, 0, 1]), np.array([-1, -1, 2, 3]))
    >>> a.tolist(), b.tolist()
    ([1, 0, 1], [-1, 2, 3])
    """
    widths = [int(c.max()) + 2 for c in codes]
    if math.prod(widths) >= 2**63:
        frame = pd.DataFrame(dict(enumerate(codes))).drop_duplicates()
        return [frame[i].to_numpy() for i in range(len(codes))]
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for c, w in zip(codes, widths, strict=True):
        key = key * w + (c.astype(np.int64) + 1)
    key = pd.unique(key)
    out = []
    for w in reversed(widths):
        out.append(key % w - 1)
        key = key // w
    return out[::-1]


def _distinct_count(unit: np.ndarray, other: np.ndarray, n_units: int) -> np.ndarray:
    """For each unit code ``0..n_units-1``, how many distinct ``other`` codes it has rows with.

    Examples
    --------
    >>> _distinct_count(np.array([0, 0, 0, 2]), np.array([5, 5, 1, 1]), 3).tolist()
    [2, 0, 1]
    """
    width = int(other.max()) + 1 if len(other) else 1
    key = np.unique(unit.astype(np.int64) * width + other)
    return np.bincount(key // width, minlength=n_units)


def _session_bits(unit: np.ndarray, session: np.ndarray, n_units: int, n_s: int) -> np.ndarray:
    """For each unit code, the bitmask of sessions (bit ``s`` for session code ``s``) it has rows in.

    Examples
    --------
    >>> _session_bits(np.array([0, 0, 1]), np.array([0, 2, 1]), 3, 3).tolist()
    [5, 2, 0]
    """
    key = np.unique(unit.astype(np.int64) * n_s + session)
    out = np.zeros(n_units, dtype=np.int64)
    np.bitwise_or.at(out, key // n_s, np.left_shift(np.int64(1), key % n_s))
    return out


def _pair_bits(
    est: np.ndarray, net: np.ndarray, session: np.ndarray, n_n: int, n_s: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (establishment, network) code pairs in sorted order, with the
    bitmask of the sessions each pair has records in.

    Examples
    --------
    >>> e, k, m = _pair_bits(np.array([1, 0, 1]), np.array([0, 1, 0]), np.array([0, 0, 1]), 2, 2)
    >>> e.tolist(), k.tolist(), m.tolist()
    ([0, 1], [1, 0], [1, 3])
    """
    key = np.unique((est.astype(np.int64) * n_n + net) * n_s + session)
    pair = key // n_s
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    bits = np.bitwise_or.reduceat(np.left_shift(np.int64(1), key % n_s), starts)
    return pair[starts] // n_n, pair[starts] % n_n, bits


def _tie_positions(tie_tab: pd.DataFrame, est_ids: list[str]) -> list[int]:
    """The flat list ``[u, v, ...]`` of the ties' node positions in ``est_ids``."""
    index = pd.Index(est_ids)
    ends = [index.get_indexer(tie_tab[c].astype(str)) for c in ("u", "v")]
    if any((x < 0).any() for x in ends):
        raise RuntimeError("a backbone tie joins an establishment with no records in scope")
    return np.column_stack(ends).ravel().tolist()


def _optional_column(frame: pd.DataFrame, name: str) -> list[Any]:
    """The column's values as a list (``None`` for each row when there is no such column)."""
    return frame[name].tolist() if name in frame.columns else [None] * len(frame)


def _establishment_nodes(
    est: pd.DataFrame,
    est_ids: list[str],
    xy: list[tuple[float, float]],
    *,
    color_by: str,
    colors: dict[Any, str],
    authority: list[int],
    practitioners: list[Any] | None,
    networks: list[int],
    betweenness: dict[str, float],
    sessions: list[int],
) -> list[dict[str, Any]]:
    """The page's establishment nodes (``est`` indexed by ``est_ids``, in that order);
    ``practitioners=None`` leaves their counts out."""
    cols = zip(
        est_ids,
        xy,
        est["name"].tolist(),
        est["sector"].tolist(),
        est["simd_quintile"].tolist(),
        est[color_by].tolist(),
        authority,
        practitioners if practitioners is not None else [None] * len(est_ids),
        networks,
        sessions,
        strict=True,
    )
    nodes = []
    for e, (x, y), name, sector, simd, value, auth, prac, n_nets, mask in cols:
        nodes.append(
            {
                "id": e,
                "kind": "establishment",
                "name": _text(name, e),
                "x": x,
                "y": y,
                "authority": auth,
                "sector": _opt(sector),
                "simd": _opt_int(simd),
                "central": bool(_opt(sector) == "central"),
                "color": colors.get(_key(value), MISSING_COLOR)
                if _present(value)
                else MISSING_COLOR,
                "practitioners": to_builtin(prac),
                "networks": int(n_nets),
                "betweenness": _opt_float(betweenness.get(e)),
                "sessions": int(mask),
            }
        )
        if practitioners is None:
            del nodes[-1]["practitioners"]
    return nodes


def _network_nodes(
    net: pd.DataFrame,
    net_ids: list[str],
    xy: list[tuple[float, float]],
    *,
    workstream: list[int],
    practitioners: list[Any],
    establishments: list[Any],
    betweenness: dict[str, float],
    sessions: list[int],
) -> list[dict[str, Any]]:
    """The page's network nodes (``net`` indexed by ``net_ids``, in that order)."""
    cols = zip(
        net_ids,
        xy,
        net["name"].tolist(),
        _optional_column(net, "lead_authority"),
        workstream,
        practitioners,
        establishments,
        sessions,
        strict=True,
    )
    return [
        {
            "id": k,
            "kind": "network",
            "name": _text(name, k),
            "x": x,
            "y": y,
            "workstream": ws,
            "lead": _opt(lead),
            "color": NETWORK_COLOR,
            "practitioners": to_builtin(prac),
            "establishments": n_ests,
            "betweenness": _opt_float(betweenness.get(k)),
            "sessions": int(mask),
        }
        for k, (x, y), name, lead, ws, prac, n_ests, mask in cols
    ]


def _betweenness(eco: Ecosystem, spec: GraphSpec) -> tuple[dict[str, float], dict[str, float]]:
    """Betweenness of establishments and of networks, from :func:`wpnet.brokerage`."""
    from wpnet.measures.brokerage import brokerage

    opts = spec.keywords()
    be = brokerage(eco, group="authority", **opts)
    bn = brokerage(eco, group="workstream", **(opts | {"onto": "network"}))
    return (
        {str(k): float(v) for k, v in be["betweenness"].items()},
        {str(k): float(v) for k, v in bn["betweenness"].items()},
    )


def _layout(
    n_e: int,
    n_n: int,
    memberships: list[int],
    ties: list[int],
    groups: list[int] | None = None,
) -> list[tuple[float, float]]:
    """Node positions in [-1, 1]², establishments first, then networks.

    With ``groups`` (each establishment's authority index, two groups or more): the
    authority-grouped layout of :func:`_grouped_layout`. Otherwise a seeded
    Fruchterman-Reingold layout (igraph) of memberships and ties.
    """
    if groups is not None and len(set(groups)) >= 2:
        xy = _grouped_layout(n_e, n_n, memberships, ties, groups)
    else:
        edges = np.asarray(memberships, dtype=np.int64).reshape(-1, 3)[:, :2].tolist()
        edges += np.asarray(ties, dtype=np.int64).reshape(-1, 2).tolist()
        xy = _force(n_e + n_n, edges)
    xy = xy - (xy.max(axis=0) + xy.min(axis=0)) / 2
    span = float(np.abs(xy).max()) or 1.0
    xy = xy / span
    return [(round(float(x), 4), round(float(y), 4)) for x, y in xy]


def _force(n: int, edges: list[list[int]]) -> np.ndarray:
    """Seeded Fruchterman-Reingold positions (igraph), deterministic for given input.

    igraph's ``grid="auto"``: exact repulsion between all pairs up to 1,000 nodes, the
    grid approximation (repulsion from nearby cells only) above, where all pairs would
    cost O(n²) per iteration.
    """
    import igraph as ig

    if n == 0:
        return np.zeros((0, 2))
    g = ig.Graph(n=n, edges=edges, directed=False)
    start = np.random.default_rng(_LAYOUT_SEED).uniform(-1, 1, size=(n, 2)).tolist()
    previous = random.getstate()
    ig.set_random_number_generator(random.Random(_LAYOUT_SEED))
    try:
        lay = g.layout_fruchterman_reingold(seed=start, niter=500, grid="auto")
    finally:
        ig.set_random_number_generator(random)
        random.setstate(previous)
    return np.asarray(lay.coords, dtype=float).reshape(n, 2)


def _force_task(shared: None, task: tuple[int, list[list[int]]]) -> np.ndarray:
    """:func:`_force` of one ``(n, edges)`` task, for :func:`wpnet._parallel.parallel_map`."""
    return _force(*task)


def _disc(xy: np.ndarray) -> np.ndarray:
    """Spread points evenly over the unit disc, keeping each one's angle and radial rank.

    Force layouts crowd a dense core; replacing each radius by ``sqrt(rank / n)`` gives a
    disc of even density in which neighbours in the layout stay neighbours.
    """
    n = len(xy)
    if n <= 1:
        return np.zeros((n, 2))
    c = xy - xy.mean(axis=0)
    r = np.hypot(c[:, 0], c[:, 1])
    theta = np.arctan2(c[:, 1], c[:, 0])
    rank = (np.argsort(np.argsort(r, kind="stable"), kind="stable") + 0.5) / n
    rad = np.sqrt(rank)
    return np.column_stack([rad * np.cos(theta), rad * np.sin(theta)])


def _grouped_layout(
    n_e: int, n_n: int, memberships: list[int], ties: list[int], groups: list[int]
) -> np.ndarray:
    """Authority-grouped layout: one disc per authority on a ring, networks inside it.

    Authorities sit in sorted order around the unit circle, each a disc of area
    proportional to its establishments (so density is even), the establishments inside
    arranged by a force layout of the backbone ties within the authority (:func:`_disc`).
    Each network sits at the centroid of its member establishments pulled halfway to the
    centre — networks that reach many authorities end near the middle, an authority's
    own networks between the middle and that authority — then networks are nudged
    apart so they do not overlap.
    """
    g = np.asarray(groups)
    labels = sorted(set(groups))
    sizes = np.array([(g == a).sum() for a in labels], dtype=float)
    root = np.sqrt(sizes)
    share = root / root.sum()
    angle = 2 * np.pi * (np.cumsum(share) - share / 2) - np.pi / 2
    rad = 0.92 * np.pi * root / root.sum()  # neighbouring discs nearly touch
    rad = np.minimum(rad, 0.6)
    xy = np.zeros((n_e + n_n, 2))
    mem = np.asarray(memberships, dtype=np.int64).reshape(-1, 3)
    # half the drawn establishment (2.2 + 1.1 sqrt(networks) px) at about 250 px per unit
    est_size = (1.6 + 1.1 * np.sqrt(np.bincount(mem[:, 0], minlength=n_e))) / 250
    tie_pairs = np.asarray(ties, dtype=np.int64).reshape(-1, 2)
    tie_groups = g[tie_pairs]  # each end's authority
    local = np.zeros(n_e, dtype=np.int64)  # an establishment's position in its authority
    member_sets = [np.flatnonzero(g == a) for a in labels]
    tasks = []
    for a, members in zip(labels, member_sets, strict=True):
        local[members] = np.arange(len(members))
        within = (tie_groups[:, 0] == a) & (tie_groups[:, 1] == a)
        tasks.append((len(members), local[tie_pairs[within]].tolist()))  # in the ties' order
    # each authority's layout is seeded on its own, so the processes change nothing
    workers = None if n_e >= PARALLEL_LAYOUT_NODES else 1
    layouts = parallel_map(_force_task, tasks, workers=workers)
    for k, (members, lay) in enumerate(zip(member_sets, layouts, strict=True)):
        pos = _disc(lay)
        centre = np.array([np.cos(angle[k]), np.sin(angle[k])])
        xy[members] = centre + rad[k] * pos
        xy[members] = _separate(xy[members], est_size[members], rounds=40)
    if n_n:
        total = np.zeros((n_n, 2))
        count = np.zeros(n_n)
        np.add.at(total, mem[:, 1] - n_e, xy[mem[:, 0]])
        np.add.at(count, mem[:, 1] - n_e, 1)
        net = 0.55 * total / np.maximum(count, 1)[:, None]
        # half the drawn square (3 + 0.55 sqrt(m) px, about 250 px per unit when fitted)
        size = (4.0 + 0.55 * np.sqrt(count)) / 250
        xy[n_e:] = _separate(net, size)
    return xy


def _separate(p: np.ndarray, size: np.ndarray, rounds: int = 200) -> np.ndarray:
    """Push apart points closer than the sum of their sizes (deterministic).

    Each round, every pair (i, j) closer than ``size_i + size_j`` moves both points
    apart along the line between them by half the overlap each. Only near pairs are
    looked at (a k-d tree within twice the largest size), so a round costs about
    ``O(n log n)``, not ``O(n²)``.
    """
    from scipy.spatial import cKDTree

    p = p.copy()
    n = len(p)
    if n < 2:
        return p
    jitter = np.random.default_rng(_LAYOUT_SEED).normal(0, 1e-4, size=p.shape)
    p += jitter
    reach = 2 * float(size.max())
    for _ in range(rounds):
        pairs = cKDTree(p).query_pairs(reach, output_type="ndarray")
        if not len(pairs):
            break
        i, j = pairs[:, 0], pairs[:, 1]
        d = p[i] - p[j]
        dist = np.hypot(d[:, 0], d[:, 1])
        overlap = size[i] + size[j] - dist
        near = overlap > 0
        if not near.any():
            break
        i, j = i[near], j[near]
        push = 0.5 * d[near] / dist[near, None] * overlap[near, None]
        move = np.zeros_like(p)
        np.add.at(move, i, push)
        np.add.at(move, j, -push)
        p += move
    return p


# ---- small value helpers ------------------------------------------------------------


def _present(v: Any) -> bool:
    return v is not None and not (not isinstance(v, str) and pd.isna(v))


def _key(v: Any) -> Any:
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    return str(v)


def _opt(v: Any) -> str | None:
    return str(v) if _present(v) else None


def _opt_int(v: Any) -> int | None:
    return int(v) if _present(v) else None


def _opt_float(v: Any) -> float | None:
    if v is None or not math.isfinite(float(v)):
        return None
    return round(float(v), 6)


def _text(v: Any, fallback: str) -> str:
    return str(v) if _present(v) else fallback


def _label(color_by: str, key: Any) -> str:
    if color_by == "simd_quintile":
        return f"SIMD quintile {key}" + {1: " (most deprived)", 5: " (least deprived)"}.get(
            int(key), ""
        )
    return str(key).replace("_", " ")


def _default_title(eco: Ecosystem, session: str | list[str] | None) -> str:
    """``Ecosystem map, <authority or workstream of the selection>, <sessions>``."""
    parts = ["Ecosystem map"]
    for key in ("authority", "workstream", "sector", "network"):
        value = eco.scope.get(key)
        if value is not None:
            parts.append(value if isinstance(value, str) else ", ".join(map(str, value)))
    sessions = eco.sessions
    if sessions:
        parts.append(sessions[0] if len(sessions) == 1 else f"{sessions[0]} to {sessions[-1]}")
    return ", ".join(parts)


# ---- HTML ---------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files("wpnet.maps").joinpath("assets", name).read_text(encoding="utf-8")


def render_html(data: dict[str, Any]) -> str:
    """The self-contained page for :func:`map_data`'s ``data`` (with a ``title``)."""
    title = html.escape(str(data.get("title") or "Ecosystem map"), quote=True)
    template = _asset("interactive.html")
    css = _asset("interactive.css")
    js = _asset("interactive.js")
    for name, text in (("css", css), ("js", js)):
        if "</" in text:
            raise RuntimeError(f"bundled {name} asset contains '</' and would end its element")
    parts = {"TITLE": title, "CSS": css, "JS": js, "DATA": json_for_html(data)}
    # one pass, so nothing inserted (a title, a name) is itself read as a placeholder
    return re.sub(r"\{\{(TITLE|CSS|JS|DATA)\}\}", lambda m: parts[m.group(1)], template)
