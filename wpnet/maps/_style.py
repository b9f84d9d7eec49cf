"""Colours and marks shared by the static maps and the interactive map.

Every figure of an ecosystem colours an authority the same way: the authorities' names
are sorted and given, in order, the colours of Paul Tol's colour-blind-safe *muted*
scheme (nine colours), then his *light* scheme (nine more). Central teams keep their
authority's colour but are drawn with a distinct mark (a diamond with a dark edge), so
colour never carries two meanings.

References
----------
Paul Tol, "Colour schemes and templates", SRON technical note SRON/EPS/TN/09-002 (2021),
https://personal.sron.nl/~pault/ ; Okabe, M. and Ito, K., "Color Universal Design"
(2008), https://jfly.uni-koeln.de/color/ .
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pandas as pd

from wpnet.ecosystem import Ecosystem

__all__ = [
    "AUTHORITY_PALETTE",
    "CENTRAL_EDGE",
    "CENTRAL_MARKER",
    "MISSING_COLOR",
    "NETWORK_COLOR",
    "SECTOR_COLORS",
    "SIMD_COLORS",
    "authority_colors",
    "category_colors",
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
        return sorted({str(a) for a in names.dropna()})
    return sorted({str(a) for a in eco})


def authority_colors(eco: Ecosystem | Iterable[str]) -> dict[str, str]:
    """The colour of each authority, the same in every figure of an ecosystem.

    Authorities (of the establishments register and of the records) are sorted by name
    and given :data:`AUTHORITY_PALETTE` in order; past 18 authorities the palette
    repeats (logged).

    Parameters
    ----------
    eco : Ecosystem or iterable of str
        The ecosystem, or the authority names themselves. A selection by authority
        holds fewer authorities, so its colours shift: pass the full ecosystem's
        authority names to keep them (``authority_colors(full.establishments.authority)``).

    Returns
    -------
    dict
        Authority name -> ``#RRGGBB`` colour, in sorted order of names.

    Examples
    --------
    >>> import wpnet
    >>> authority_colors(wpnet.tiny())
    {'Glasgow City': '#332288', 'Inverclyde': '#88CCEE', 'Renfrewshire': '#44AA99'}
    """
    names = _authority_names(eco)
    if len(names) > len(AUTHORITY_PALETTE):
        log.info(
            "%d authorities but %d distinct colours: colours repeat",
            len(names),
            len(AUTHORITY_PALETTE),
        )
    return {a: AUTHORITY_PALETTE[i % len(AUTHORITY_PALETTE)] for i, a in enumerate(names)}


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
