"""Report-wide disclosure control of the practitioner counts that add up across outputs.

A report publishes the practitioners of the partnership (``reach_overall``), of each
authority, sector and SIMD quintile (``reach_authority``, ``reach_sector``,
``reach_simd``) and of each authority × quintile (the evaluation's ``n`` of the SIMD
rows in ``reflections``); its map shows every establishment reached, each with a
practitioner or more. Where each practitioner is attributed to one establishment,
these add up: an authority's count is the sum of its establishments', and so on.
Suppressing each output on its own (:func:`wpnet.privacy.suppress`, one table and its
margins) is not enough: a reader who subtracted across them recovered hidden counts
of the shipped example's report (an audit of 2026-12-02: Inverclyde's SIMD 4
participants, 3, from its total, its central team's count on the map and its other
quintiles; then named schools' counts from the map, which no longer shows them).

:func:`linked_suppression` suppresses all of them as one system of counts and sums;
:func:`hidden_units` gives each output the units whose count it must hide. Each output
then suppresses its own table on top, and hiding more never reveals more.

The sums are taken where they hold in the data (a reader who knows the data model
knows them): ``Σ establishments of a group = the group`` for each authority, sector,
quintile and authority × quintile, and ``Σ groups = the partnership``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wpnet.ecosystem import Ecosystem
from wpnet.privacy import determined, secondary_for, suppress
from wpnet.report._decision import NOTHING_PUBLISHED, Published, one_decision, published
from wpnet.report.compute import Results

__all__ = [
    "NOTHING_PUBLISHED",
    "Published",
    "CountSystem",
    "count_system",
    "hidden_reflections",
    "hidden_leaders",
    "hidden_units",
    "leader_suppression",
    "linked_hidden",
    "linked_leaders",
    "linked_suppression",
    "one_decision",
    "partition_leaders",
    "published",
    "reflections_hidden",
    "sums_leaders",
]

#: Units whose practitioner counts the report publishes, by dimension (the column of
#: the attributed records that names the unit; ``authority_simd`` pairs the two).
DIMENSIONS = ("authority", "sector", "simd_quintile", "authority_simd")


@dataclass(frozen=True)
class CountSystem:
    """Practitioner counts and the sums between them.

    ``keys[i]`` is ``("total",)`` or ``(dimension, unit)``; ``values[i]`` its count;
    ``lower[i]`` what the map shows of it from below (its establishments reached, each
    with at least one practitioner); each equation is (children, parent) positions
    with ``Σ values[children] == values[parent]``; ``published[i]`` whether a report
    shows the count (the cells' are not: they are what the others add up from);
    ``sensitive[i]`` an unpublished count that would give an establishment's small
    count away (see :func:`linked_suppression`).
    """

    keys: list[tuple]
    values: np.ndarray
    lower: np.ndarray
    equations: list[tuple[list[int], int]]
    published: np.ndarray
    sensitive: np.ndarray
    #: leaders among them (practitioners with a record as lead, facilitator or
    #: presenter in the unit), with the sums that hold for them
    leaders: np.ndarray | None = None
    leader_equations: list[tuple[list[int], int]] | None = None


def count_system(sel: Ecosystem, min_cell: int = 5) -> CountSystem:
    """The practitioner counts of a report's session by unit and the sums that hold
    (``min_cell`` decides which unpublished counts are sensitive).

    Counts are of distinct practitioners among the attributed records with an
    establishment and a network (as the map and ``reach`` count them). The unknowns
    the published counts add up from are the cells of authority × sector × quintile
    (a missing value is a value of its own), unpublished, each at least its number of
    establishments reached; establishments would add nothing, as each lies in one cell.
    The leaders of each unit are counted alike, over the records with ``lead``.
    """
    rec = sel.records
    rec = rec[rec["establishment_id"].notna() & rec["network_id"].notna()]
    rec = rec[rec["practitioner_id"].notna()]
    none = "\0"  # a missing unit, a value of its own
    frame = pd.DataFrame(
        {
            "lead": rec["lead"].to_numpy(dtype=bool),
            "practitioner_id": rec["practitioner_id"].astype(str).to_numpy(),
            "establishment_id": rec["establishment_id"].astype(str).to_numpy(),
            "authority": rec["authority"].astype("string").fillna(none).to_numpy(dtype=object),
            "sector": rec["sector"].astype("string").fillna(none).to_numpy(dtype=object),
            "simd_quintile": rec["simd_quintile"]
            .astype("Int64")
            .astype("string")
            .fillna(none)
            .to_numpy(dtype=object),
        }
    ).drop_duplicates()
    a, sector, q = (frame[c].tolist() for c in ("authority", "sector", "simd_quintile"))
    frame["cell"] = list(zip(a, sector, q, strict=True))
    frame["authority_simd"] = list(zip(a, q, strict=True))
    led = frame[frame["lead"]]
    keys: list[tuple] = [("total",)]
    values = [frame["practitioner_id"].nunique()]
    leaders = [led["practitioner_id"].nunique()]
    lower = [frame["establishment_id"].nunique()]
    for dim in (*DIMENSIONS, "cell"):
        counts = frame.groupby(dim, sort=True)["practitioner_id"].nunique()
        ests = frame.groupby(dim, sort=True)["establishment_id"].nunique()
        leads = led.groupby(dim, sort=True)["practitioner_id"].nunique()
        for unit, n in counts.items():
            parts = unit if isinstance(unit, tuple) else (unit,)
            if dim != "cell" and none in parts:
                continue  # a count of practitioners with no unit is not published
            keys.append((dim, unit))
            values.append(int(n))
            leaders.append(int(leads.get(unit, 0)))
            lower.append(int(ests[unit]))
    index = {k: i for i, k in enumerate(keys)}
    vals = np.asarray(values, dtype=np.int64)
    lead_vals = np.asarray(leaders, dtype=np.int64)
    cells = [k[1] for k in keys if k[0] == "cell"]
    of_cell = {  # the published unit of each dimension that a cell lies in
        "authority": lambda c: c[0],
        "sector": lambda c: c[1],
        "simd_quintile": lambda c: c[2],
        "authority_simd": lambda c: (c[0], c[2]),
    }
    equations: list[tuple[list[int], int]] = []
    lead_equations: list[tuple[list[int], int]] = []

    def add(children: list[int], parent: int) -> None:
        for v, eqs in ((vals, equations), (lead_vals, lead_equations)):
            if children and int(v[children].sum()) == int(v[parent]):
                eqs.append((children, parent))

    add([index[("cell", c)] for c in cells], 0)
    for dim, unit_of in of_cell.items():
        groups: dict[Any, list[int]] = {}
        for c in cells:
            groups.setdefault(unit_of(c), []).append(index[("cell", c)])
        for unit, children in groups.items():
            if (dim, unit) in index:
                add(children, index[(dim, unit)])
        # the published units with the cells outside them make up the total
        outside = [i for u, ch in groups.items() if (dim, u) not in index for i in ch]
        add([index[k] for k in keys if k[0] == dim] + outside, 0)
    # an authority's quintiles and its cells without one; a quintile's authorities
    for a in {k[1][0] for k in keys if k[0] == "authority_simd"}:
        parts = [index[k] for k in keys if k[0] == "authority_simd" and k[1][0] == a]
        rest = [index[("cell", c)] for c in cells if c[0] == a and c[2] == none]
        if ("authority", a) in index:
            add(parts + rest, index[("authority", a)])
    for q in {k[1][1] for k in keys if k[0] == "authority_simd"}:
        parts = [index[k] for k in keys if k[0] == "authority_simd" and k[1][1] == q]
        rest = [index[("cell", c)] for c in cells if c[2] == q and c[0] == none]
        if ("simd_quintile", q) in index:
            add(parts + rest, index[("simd_quintile", q)])
    published = np.array([k[0] != "cell" for k in keys])
    low = np.asarray(lower, dtype=np.int64)
    # a cell of one establishment with a small count, or of establishments with one
    # practitioner each: pinning the cell pins an establishment's count
    single = ~published & (low == 1) & (vals > 0) & (vals < min_cell)
    sensitive = ~published & (vals > 0) & (vals == low) & (min_cell > 1)
    return CountSystem(
        keys, vals, low, equations, published, single | sensitive, lead_vals, lead_equations
    )


def linked_suppression(
    values: np.ndarray,
    equations: Sequence[tuple[Sequence[int], int]],
    min_cell: int,
    *,
    lower: np.ndarray | None = None,
    published: np.ndarray | None = None,
    sensitive: np.ndarray | None = None,
    keep: np.ndarray | None = None,
    hide: np.ndarray | None = None,
    interval: np.ndarray | None = None,
    below: Sequence[tuple[int, int]] = (),
    reader: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Which counts to hide so that no small count can be worked out from the rest.

    Primary: published counts ``0 < n < min_cell``. Counts that are not published are
    unknowns of the sums, hidden from the start; the ``sensitive`` ones among them
    (a group of one establishment with a small count, or of establishments with one
    practitioner each) are protected like the primary ones. A reader knows, of each
    hidden count: a small one lies in ``[max(1, lower), min_cell − 1]``; a secondary
    one (never a zero: zeros are not chosen) in ``[max(min_cell, lower), ∞)``; an
    unpublished one in ``[lower, ∞)``. Secondary counts are hidden, one a round, until
    no protected count is exposed: fixed by the sums (``Σ values[children] =
    values[parent]``; :func:`wpnet.privacy.determined`), pinned by one sum and the
    bounds, or pinned by all of them together (its least and greatest values over the
    linear program of the sums and bounds, scipy's HiGHS, leave one whole number).
    Each round hides, in a sum of the exposed count, the smallest non-zero shown count
    (preferring one that leaves it undetermined), or, where its sums have none, the
    smallest anywhere. A count pinned by its own bounds (``lower = min_cell − 1``: the
    map shows as many establishments) cannot be protected by hiding others and is not
    tried.

    A count of ``interval`` is protected more strictly: its least and greatest values
    over the program must span its protection interval, ``[1, min_cell − 1]`` as far as
    hiding every count that may be hidden would leave it (the other counts may bound it
    whatever is hidden: a unit's leaders are no more than its practitioners): a reader
    must learn no more of it than that it is small, and, where its marker does not say
    so (``reader``), not that. ``hide`` hides published counts from the start (a reader
    knows of them what they know of a secondary one; a hidden zero is taken as known);
    ``below`` adds what a reader knows of counts that cannot exceed others.

    Parameters
    ----------
    values : ndarray of int
        The counts.
    equations : sequence of (children, parent)
        Positions of counts that add up to another.
    min_cell : int
        Smallest count shown.
    lower : ndarray, optional
        Lower bounds a reader knows from elsewhere (default 0).
    published : ndarray of bool, optional
        Which counts are published (default all).
    sensitive : ndarray of bool, optional
        Unpublished counts to protect (default none).
    keep : ndarray of bool, optional
        Counts never hidden as secondary ones (the partnership's, which a report
        shows in many places).
    hide : ndarray of bool, optional
        Published counts hidden whatever their size.
    interval : ndarray of bool, optional
        Small published counts protected by their whole protection interval.
    below : sequence of (i, j)
        Counts that cannot exceed others: ``values[i] <= values[j]``, a reader knows.
    reader : (ndarray, ndarray), optional
        The least and greatest value a reader knows of each published count when it is
        hidden, where not NaN (default: its marker's interval, above).

    Returns
    -------
    ndarray of bool
        True where the count is hidden (unpublished counts included).

    Examples
    --------
    An authority of two schools (3 and 9 practitioners) and one of one school (20):
    hiding the 3 alone leaves it as the authority's 12 − 9, and hiding the
    authority's 12 too leaves it as the total 32 − 20.

    >>> v = np.array([32, 12, 20, 3, 9, 20])  # total, two authorities, three schools
    >>> eqs = [([1, 2], 0), ([3, 4], 1), ([5], 2), ([3, 4, 5], 0)]
    >>> linked_suppression(v, eqs, 5).tolist()
    [False, False, False, True, True, False]
    """
    values = np.asarray(values, dtype=np.int64)
    n = values.size
    a = np.zeros((len(equations), n))
    for e, (children, parent) in enumerate(equations):
        a[e, list(children)] += 1.0
        a[e, parent] -= 1.0
    low = np.zeros(n) if lower is None else np.asarray(lower, dtype=float)
    shown = np.ones(n, dtype=bool) if published is None else np.asarray(published, dtype=bool)
    primary = shown & (values > 0) & (values < min_cell)
    zero = shown & (values == 0)
    b = _Bounds(
        low=np.where(shown, np.maximum(low, np.where(primary, 1.0, float(min_cell))), low),
        high=np.where(primary, float(min_cell - 1), np.inf),
        interval=np.zeros(n, bool) if interval is None else np.asarray(interval, bool) & primary,
        below=tuple(below),
    )
    if reader is not None:  # what a reader knows of them, where the markers do not say
        given = shown & ~np.isnan(reader[0])
        b.low[given], b.high[given] = reader[0][given], reader[1][given]
    b.low[zero], b.high[zero] = 0.0, 0.0
    guarded = primary | (~shown & (False if sensitive is None else np.asarray(sensitive)))
    guarded &= b.low < b.high  # pinned by its own bounds: nothing to do
    hidden = primary | ~shown
    if hide is not None:
        hidden |= np.asarray(hide, dtype=bool) & ~zero  # (a hidden zero is known)
    open_ = ~hidden & (values > 0) & (True if keep is None else ~np.asarray(keep))
    most: dict[Any, Any] = {}  # the most any hiding leaves a reader unsure of

    def need(k: int) -> tuple[float, float]:
        if "program" not in most:
            most["program"] = _program(a, values, hidden | open_, b)
        if k not in most:
            least, greatest = most["program"](k)
            most[k] = (max(1.0, least), min(min_cell - 1.0, greatest))
        return most[k]

    involved = [np.flatnonzero(a[e]) for e in range(a.shape[0])]
    safe = np.zeros(n, dtype=bool)
    while True:
        exposed = _exposed(a, values, hidden, shown, guarded, involved, b, safe, need, min_cell)
        if exposed is None:
            return hidden
        near = np.zeros(n, dtype=bool)
        for e in range(a.shape[0]):
            if a[e, exposed] != 0:
                near[involved[e]] = True
        open_ = ~hidden & (values > 0) & (True if keep is None else ~np.asarray(keep))
        pool = np.flatnonzero(near & open_)
        if pool.size == 0:
            pool = np.flatnonzero(open_)  # (unpublished ones are hidden already)
        if pool.size == 0:
            return hidden
        order = pool[np.lexsort((pool, values[pool]))]
        hidden[secondary_for(a, hidden, order[:8].tolist(), exposed)] = True


@dataclass(frozen=True)
class _Bounds:
    """What a reader knows of each count were it hidden: ``low <= x <= high``, and
    ``x_i <= x_j`` for the pairs of ``below``; the counts protected by their interval."""

    low: np.ndarray
    high: np.ndarray
    interval: np.ndarray
    below: tuple[tuple[int, int], ...] = ()


def _exposed(
    a: np.ndarray,
    values: np.ndarray,
    hidden: np.ndarray,
    shown: np.ndarray,
    guarded: np.ndarray,
    involved: list[np.ndarray],
    b: _Bounds,
    safe: np.ndarray,
    need: Callable[[int], tuple[float, float]],
    min_cell: int,
) -> int | None:
    """A hidden count a reader can work out: a published one fixed by the sums, a
    guarded one pinned by one sum and the bounds or by all of them; or None."""
    fixed = determined(a, hidden) & (shown | guarded)
    if fixed.any():
        return int(np.flatnonzero(fixed)[0])
    for e, cells in enumerate(involved):
        h = cells[hidden[cells]]
        if h.size < 2 or not guarded[h].any():
            continue
        coef = a[e, h]
        known = cells[~hidden[cells]]
        target = -float(a[e, known] @ values[known])  # Σ coef · hidden = target
        lo = float(np.where(coef > 0, coef * b.low[h], coef * b.high[h]).sum())
        hi = float(np.where(coef > 0, coef * b.high[h], coef * b.low[h]).sum())
        if target in (lo, hi):
            return int(h[guarded[h]][0])
    return _pinned_by_program(a, values, hidden, guarded, b, safe, need, min_cell)


def _program(
    a: np.ndarray, values: np.ndarray, hidden: np.ndarray, b: _Bounds
) -> Callable[[int], tuple[float, float]]:
    """The least and greatest values of a hidden count (by position) over the linear
    program of the sums, the bounds and ``b.below``, the shown counts known."""
    from scipy.optimize import linprog

    cols = np.flatnonzero(hidden)
    rows = np.abs(a[:, cols]).sum(axis=1) > 0
    a_eq = a[np.ix_(rows, cols)]
    b_eq = -(a[np.ix_(rows, np.flatnonzero(~hidden))] @ values[~hidden])
    bounds = [(b.low[k], None if np.isinf(b.high[k]) else b.high[k]) for k in cols]
    at = {int(k): i for i, k in enumerate(cols)}
    ub = np.zeros((len(b.below), cols.size))
    b_ub = np.zeros(len(b.below))
    for r, (i, j) in enumerate(b.below):  # x_i − x_j <= 0, the shown ones moved right
        for k, sign in ((i, 1.0), (j, -1.0)):
            if hidden[k]:
                ub[r, at[k]] += sign
            else:
                b_ub[r] -= sign * values[k]
    used = np.abs(ub).sum(axis=1) > 0
    a_ub, b_ub = (ub[used], b_ub[used]) if used.any() else (None, None)

    def extremes(k: int) -> tuple[float, float]:
        c = np.zeros(cols.size)
        ends = []
        for sign in (1.0, -1.0):
            c[at[k]] = sign
            r = linprog(
                c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs",
                options={"presolve": False},  # (small programs: a third faster without)
            )  # fmt: skip
            ends.append(sign * r.fun if r.status == 0 else (np.inf if sign < 0 else -np.inf))
        return ends[0], ends[1]

    return extremes


def _pinned_by_program(
    a: np.ndarray,
    values: np.ndarray,
    hidden: np.ndarray,
    guarded: np.ndarray,
    b: _Bounds,
    safe: np.ndarray,
    need: Callable[[int], tuple[float, float]],
    min_cell: int,
) -> int | None:
    """A guarded hidden count whose least and greatest values over the linear program
    (:func:`_program`) leave one whole number, or, for a count of ``b.interval``, do
    not span the interval ``need`` says it must keep (solved for only where they do not
    span ``[1, min_cell − 1]``, which holds it); or None. Counts of ``safe`` are not
    solved for; those found safe are added to it (hiding more only widens what a reader
    can tell)."""
    extremes = _program(a, values, hidden, b)
    for k in np.flatnonzero(guarded & hidden & ~safe).tolist():
        least, greatest = extremes(k)
        if np.isfinite(greatest) and np.ceil(least - 1e-6) >= np.floor(greatest + 1e-6):
            return k
        if b.interval[k] and (least > 1 + 1e-6 or greatest < min_cell - 1 - 1e-6):
            lo, hi = need(k)
            if hi > lo and (least > lo + 1e-6 or greatest < hi - 1e-6):
                return k
        safe[k] = True
    return None


def hidden_units(sel: Ecosystem, min_cell: int) -> dict[str, set[Any]]:
    """Units of each dimension whose practitioner count the report hides everywhere
    (:func:`linked_suppression` of :func:`count_system`); ``"total"`` holds ``True``
    when the partnership's count is hidden.

    Examples
    --------
    >>> import wpnet
    >>> eco = wpnet.load_example()
    >>> hidden = hidden_units(eco.select(session="2023-24"), 5)
    >>> sorted(hidden)
    ['authority', 'authority_simd', 'sector', 'simd_quintile', 'total']
    """
    system = count_system(sel, min_cell)
    return _units(system, _practitioners_hidden(system, min_cell))


def _practitioners_hidden(system: CountSystem, min_cell: int) -> np.ndarray:
    return linked_suppression(
        system.values,
        system.equations,
        min_cell,
        lower=system.lower,
        published=system.published,
        sensitive=system.sensitive,
        keep=np.array([k == ("total",) for k in system.keys]),
    )


def _units(system: CountSystem, hidden: np.ndarray) -> dict[str, set[Any]]:
    """The published units of ``system`` that ``hidden`` (one flag per key) hides."""
    out: dict[str, set[Any]] = {d: set() for d in (*DIMENSIONS, "total")}
    for key, h, p in zip(system.keys, hidden.tolist(), system.published.tolist(), strict=True):
        if h and p:
            out[key[0]].add(True if key[0] == "total" else key[1])
    return out


def hidden_leaders(
    sel: Ecosystem, min_cell: int
) -> tuple[dict[str, set[Any]], dict[str, set[Any]]]:
    """Units whose practitioner count (:func:`hidden_units`) and whose count of leaders
    the report hides everywhere.

    A unit's leaders are published as its ``lead_share`` beside its practitioners
    (authorities, sectors, quintiles, the partnership) and its ``simd_lead_rate`` beside
    its participants (authority × quintile): with the practitioners shown, each is a
    count. They add up over the same units as the practitioners, so they are suppressed
    as a second system of sums (:func:`leader_suppression`): a small count of leaders
    (``0 < n < min_cell``) is protected over its whole interval, and a unit whose
    practitioners are hidden hides its leaders too.

    Examples
    --------
    >>> import wpnet
    >>> eco = wpnet.load_example()
    >>> people, leaders = hidden_leaders(eco.select(session="2023-24"), 5)
    >>> ("Glasgow City", "4") in leaders["authority_simd"]  # 1 leader of 115 practitioners
    True
    >>> ("Glasgow City", "4") in people["authority_simd"]
    False
    """
    system = count_system(sel, min_cell)
    people = _practitioners_hidden(system, min_cell)
    leaders = leader_suppression(system, people, min_cell)
    return _units(system, people), _units(system, leaders)


def leader_suppression(system: CountSystem, people: np.ndarray, min_cell: int) -> np.ndarray:
    """Which leaders' counts of ``system`` to hide, the practitioners' being ``people``.

    One system of the practitioners ``P`` and leaders ``L`` of each key, with the sums
    of each that hold and ``L <= P`` for every key (:func:`linked_suppression`): the
    practitioners are hidden as ``people`` says and never hidden more; a leaders'
    count is hidden from the start where its unit's practitioners are (its share is
    hidden with them); secondary ones are chosen among leaders' counts (never the
    partnership's). Protected: the practitioners' counts as
    before (a shown count of leaders bounds its unit's practitioners from below), and
    small leaders' counts over their protection interval (``[1, min_cell − 1]`` as far as
    the practitioners and the sums allow). A hidden share is a ``"*"`` whatever its
    count: a reader knows of a hidden count of leaders only that it is 1 or more beside
    shown practitioners (a zero is never hidden there), 0 or more beside hidden ones;
    the leaders of a cell of one establishment are protected from being pinned.

    Returns
    -------
    ndarray of bool
        One flag per key of ``system``: its leaders' count is hidden.

    Examples
    --------
    A quintile's 26 leaders, shown, from five authorities' 10, 5, 8, 2 and 1: hiding the
    2 and the 1 leaves their sum, 3, so each is 1 or 2 (not pinned, but narrower than
    "fewer than 5"); hiding the 5 as well leaves each anything from 1 to 4.

    >>> eqs = [([2, 3, 4, 5, 6], 1), ([1], 0)]
    >>> s = CountSystem(
    ...     keys=[("total",), ("simd_quintile", "4"), *[("authority_simd", (a, "4"))
    ...                                                 for a in "ABCDE"]],
    ...     values=np.full(7, 100), lower=np.zeros(7), equations=eqs,
    ...     published=np.ones(7, bool), sensitive=np.zeros(7, bool),
    ...     leaders=np.array([26, 26, 10, 5, 8, 2, 1]), leader_equations=eqs,
    ... )
    >>> leader_suppression(s, np.zeros(7, bool), 5).astype(int).tolist()
    [0, 0, 0, 1, 0, 1, 1]
    """
    k = len(system.keys)
    p, lead = system.values, system.leaders
    if lead is None or system.leader_equations is None:
        raise ValueError("leader_suppression: the system has no leaders' counts")
    shift = [([c + k for c in ch], q + k) for ch, q in system.leader_equations]
    none = np.zeros(k, dtype=bool)
    total = np.array([key == ("total",) for key in system.keys])
    pub = system.published
    small = (lead > 0) & (lead < min_cell)
    hidden = linked_suppression(
        np.concatenate([p, lead]),
        [*system.equations, *shift],
        min_cell,
        lower=np.concatenate([system.lower, np.zeros(k, dtype=np.int64)]),
        published=np.concatenate([pub, pub]),
        sensitive=np.concatenate([system.sensitive, ~pub & small & (system.lower == 1)]),
        keep=np.concatenate([~none, total]),
        hide=np.concatenate([people, people & pub]),
        interval=np.concatenate([none, pub & small]),
        below=[(k + i, i) for i in range(k)],  # L <= P
        reader=(
            np.concatenate([np.full(k, np.nan), np.where(people, 0.0, 1.0)]),
            np.concatenate([np.full(k, np.nan), np.full(k, np.inf)]),
        ),
    )
    return hidden[k:]


def partition_leaders(
    table: pd.DataFrame, total: tuple[int, int], min_cell: int
) -> tuple[set[Any], set[Any]]:
    """Units of a table of one dimension (the workstreams) whose practitioners and
    whose leaders a report hides, suppressed as two systems of sums as the report-wide
    units are (:func:`linked_suppression`, :func:`leader_suppression`).

    ``table`` has one row per unit with ``practitioners``, ``lead_share`` (leaders =
    share × practitioners) and, where present, ``establishments`` (a lower bound of
    its practitioners); ``total`` is the partnership's (practitioners, leaders). The
    units' counts add up to the total where they do in the data (a practitioner in the
    networks of two workstreams breaks the sum), for each of the two systems apart; a
    small count of leaders keeps its whole interval 1 to 4 as far as hiding every
    such count would leave it.

    Examples
    --------
    Five workstreams of 100 practitioners with 10, 5, 8, 2 and 1 leaders of the
    partnership's 26: hiding the 2 and the 1 alone leaves each 1 or 2; the 5 is hidden
    too.

    >>> t = pd.DataFrame({"practitioners": [100] * 5,
    ...                   "lead_share": [0.10, 0.05, 0.08, 0.02, 0.01]}, index=list("ABCDE"))
    >>> people, leaders = partition_leaders(t, (500, 26), 5)
    >>> sorted(people), sorted(leaders)
    ([], ['B', 'D', 'E'])
    """
    units = list(table.index)
    people = pd.to_numeric(table["practitioners"], errors="coerce").fillna(0).to_numpy()
    share = pd.to_numeric(table["lead_share"], errors="coerce").fillna(0).to_numpy()
    est = table["establishments"] if "establishments" in table.columns else pd.Series(0, units)
    ests = pd.to_numeric(est, errors="coerce").fillna(0).to_numpy()
    hidden, led = sums_leaders(
        np.array([total[0], *np.rint(people)], dtype=np.int64),
        np.array([total[1], *np.rint(share * people)], dtype=np.int64),
        [(list(range(1, len(units) + 1)), 0)],
        min_cell,
        lower=np.array([0, *np.rint(ests)], dtype=np.int64),
    )
    return (
        {u for u, h in zip(units, hidden[1:].tolist(), strict=True) if h},
        {u for u, h in zip(units, led[1:].tolist(), strict=True) if h},
    )


def sums_leaders(
    people: np.ndarray,
    leaders: np.ndarray,
    sums: Sequence[tuple[list[int], int]],
    min_cell: int,
    *,
    lower: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Which practitioners' and which leaders' counts of published units to hide, as
    two systems of sums (:func:`linked_suppression`, :func:`leader_suppression`).

    ``people[0]`` and ``leaders[0]`` are the partnership's (never hidden as secondary
    counts); ``sums`` are (children, parent) positions, each kept for the
    practitioners and for the leaders apart where it holds in their counts (a reader
    who knows the data model knows it there); ``lower`` bounds the practitioners from
    below (their establishments reached). A small count of leaders keeps its whole
    interval 1 to 4 as far as hiding every such count would leave it.

    Examples
    --------
    Levels of 100 participants with 10, 5, 8, 2 and 1 of the partnership's 26 leaders:
    the 5 is hidden with the 2 and the 1.

    >>> hidden, led = sums_leaders(np.array([500] + [100] * 5), np.array([26, 10, 5, 8, 2, 1]),
    ...                            [([1, 2, 3, 4, 5], 0)], 5)
    >>> hidden.astype(int).tolist(), led.astype(int).tolist()
    ([0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 1, 1])
    """
    p = np.asarray(people, dtype=np.int64)
    lead = np.asarray(leaders, dtype=np.int64)
    n = p.size

    def holding(v: np.ndarray) -> list[tuple[list[int], int]]:
        return [(ch, q) for ch, q in sums if ch and int(v[ch].sum()) == int(v[q])]

    system = CountSystem(
        keys=[("total",), *(("unit", i) for i in range(1, n))],
        values=p,
        lower=np.zeros(n, dtype=np.int64) if lower is None else np.asarray(lower, np.int64),
        equations=holding(p),
        published=np.ones(n, dtype=bool),
        sensitive=np.zeros(n, dtype=bool),
        leaders=lead,
        leader_equations=holding(lead),
    )
    hidden = _practitioners_hidden(system, min_cell)
    return hidden, leader_suppression(system, hidden, min_cell)


def linked_hidden(res: Results, min_cell: int) -> dict[str, set[Any]]:
    """:func:`wpnet.report.disclosure.hidden_units` of the report's session, worked out
    once per report and ``min_cell``: the units whose practitioner count every output
    hides, because the counts of units add up across outputs."""
    return _linked(res, min_cell)[0]


def linked_leaders(res: Results, min_cell: int) -> dict[str, set[Any]]:
    """The units whose count of leaders every output of the report hides (their
    ``lead_share`` and ``simd_lead_rate``): :func:`hidden_leaders` of the report's
    session, worked out once per report and ``min_cell``."""
    return _linked(res, min_cell)[1]


def _linked(res: Results, min_cell: int) -> tuple[dict[str, set[Any]], dict[str, set[Any]]]:
    key = ("linked_hidden", min_cell)
    if key not in res.derived:
        res.derived[key] = hidden_leaders(res.sel, min_cell)
    return res.derived[key]


def hidden_reflections(res: Results, min_cell: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`reflections_hidden` of ``res.reflections.indicators``, worked out once per
    report and ``min_cell`` (the tables and the page's theme cards both hide by it).
    The arrays are shared: read them, do not change them."""
    key = ("reflections_hidden", min_cell)
    if key not in res.derived:
        linked, led = _linked(res, min_cell)
        value_h, n_h = reflections_hidden(
            res.reflections.indicators,
            min_cell,
            forced=_pairs(linked),
            session=res.session,
            units={str(a) for a in linked["authority"]},
            leaders=_pairs(led) | ({("partnership", "")} if led["total"] else set()),
        )
        value_h.setflags(write=False)
        n_h.setflags(write=False)
        res.derived[key] = (value_h, n_h)
    return res.derived[key]


def _pairs(units: dict[str, set[Any]]) -> set[tuple[str, str]]:
    """The (unit, ``"SIMD q"``) rows of the evaluation of the hidden authority ×
    quintile and quintile units."""
    out = {(str(a), f"SIMD {q}") for a, q in units["authority_simd"]}
    return out | {("partnership", f"SIMD {q}") for q in units["simd_quintile"]}


def reflections_hidden(
    ind: pd.DataFrame,
    min_cell: int,
    *,
    forced: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
    session: str | None = None,
    units: set[str] | frozenset[str] = frozenset(),
    leaders: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``reflections.indicators`` whose value (with its interval) and whose
    ``n`` are hidden.

    In ``session``, the participants of the (authority, ``"SIMD q"``) pairs of
    ``forced`` are hidden whatever their size, and every row of the authorities of
    ``units`` (their practitioner counts are hidden in the report's other outputs:
    :func:`linked_hidden`); the leaders of the pairs of ``leaders`` likewise
    (:func:`linked_leaders`: ``simd_lead_rate``; ``("partnership", "")``: the session's
    ``lead_share``).

    The counts the rows imply go through :func:`wpnet.privacy.suppress`, one table per
    session and family, column sums taken as known: the participants and leaders of
    each level (``lead_rate_by_level``: n and value × n; ``participation_rate_by_level``:
    value × n); the participants and leaders of each authority × SIMD quintile, the
    partnership row as the total (``simd_lead_rate``: n and value × n; ``simd_depth``:
    value × n); the session's leaders and practitioners in several networks. A value
    is hidden with any count it implies; ``simd_depth``'s n (establishments reached) and
    ``simd_coverage`` bound the quintile's participants and go with them; a quintile
    gap goes with either end.
    """
    ind = pd.DataFrame(ind, copy=False)
    ind.attrs = {}  # (pandas would deep-copy them into every column taken)
    value = pd.to_numeric(ind["value"], errors="coerce").to_numpy(dtype=float)
    n = pd.to_numeric(ind["n"], errors="coerce").to_numpy(dtype=float)
    count = np.rint(np.nan_to_num(value * n))
    name, unit, group, sess = (ind[c].astype(str).to_numpy() for c in
                               ("indicator", "unit", "group", "session"))  # fmt: skip
    value_h = np.zeros(len(ind), dtype=bool)
    n_h = np.zeros(len(ind), dtype=bool)
    for s in np.unique(sess):
        at = sess == s
        for share in ("lead_share", "multi_network_share"):
            rows = np.flatnonzero(at & (name == share))
            small = ((count[rows] > 0) & (count[rows] < min_cell)) | (
                (n[rows] > 0) & (n[rows] < min_cell)
            )
            if share == "lead_share" and s == session and ("partnership", "") in leaders:
                small |= unit[rows] == "partnership"
            value_h[rows[small]] = True
        # the levels' (and an earlier session's quintiles') counts as systems of sums
        lv_people, lv_leaders = _session_sums(name, unit, group, at, n, count, min_cell)
        _suppress_family(
            name, group, at, count, n, min_cell, value_h, n_h,
            row_of=lambda i: group[i], rate="lead_rate_by_level",
            share="participation_rate_by_level", depth=None, total=None,
            forced=lv_people, forced_leaders=lv_leaders,
        )  # fmt: skip
        if s == session:  # the report-wide system's (linked_leaders)
            q_people, q_leaders = set(forced), set(leaders)
        else:
            q_people, q_leaders = _session_sums(
                name, unit, group, at, n, count, min_cell, simd=True
            )
        _suppress_family(
            name, group, at, count, n, min_cell, value_h, n_h,
            row_of=lambda i: unit[i], rate="simd_lead_rate", share=None, depth="simd_depth",
            total="partnership", col_of=lambda i: group[i],
            forced=q_people, forced_leaders=q_leaders,
        )  # fmt: skip
        if s == session and units:
            mine = at & np.isin(unit, list(units))
            value_h[mine] = True
            n_h[mine] = True
    # a quintile gap goes with either end
    for i in np.flatnonzero(np.char.startswith(group.astype(str), "SIMD 1 ")):
        ends = (name == name[i]) & (unit == unit[i]) & (sess == sess[i])
        ends &= np.isin(group, ["SIMD 1", "SIMD 5"])
        value_h[i] |= bool(value_h[ends].any())
        n_h[i] |= bool(n_h[ends].any())
    return value_h, n_h


def _session_sums(
    name: np.ndarray,
    unit: np.ndarray,
    group: np.ndarray,
    at: np.ndarray,
    n: np.ndarray,
    count: np.ndarray,
    min_cell: int,
    *,
    simd: bool = False,
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The (row, column) pairs of one session's levels (or, with ``simd``, authority ×
    quintile rows) whose participants and whose leaders to hide, suppressed as two
    systems of sums (:func:`sums_leaders`): the levels add up to the partnership's
    ``lead_share`` row (a practitioner has one level); the authorities of a quintile to
    the partnership's quintile, and the quintiles to the partnership, each where it
    holds. The quintiles' establishments reached (``simd_depth``'s n) bound their
    participants from below."""
    whole = np.flatnonzero(at & (name == "lead_share") & (unit == "partnership"))
    if simd:
        quintiles = [f"SIMD {q}" for q in range(1, 6)]
        rows = np.flatnonzero(at & (name == "simd_lead_rate") & np.isin(group, quintiles))
    else:
        rows = np.flatnonzero(at & (name == "lead_rate_by_level"))
    if not rows.size:
        return set(), set()
    people, led = np.nan_to_num(n[rows]), count[rows]
    top = (n[whole[0]], count[whole[0]]) if whole.size else (people.sum(), led.sum())
    p = np.rint(np.nan_to_num([top[0], *people])).astype(np.int64)
    lead = np.rint(np.nan_to_num([top[1], *led])).astype(np.int64)
    lower = np.zeros(p.size, dtype=np.int64)
    if simd:
        pos = {(unit[i], group[i]): k + 1 for k, i in enumerate(rows)}
        parts = [pos[k] for k in pos if k[0] == "partnership"]
        sums = [(parts, 0)]
        for q in quintiles:
            if ("partnership", q) in pos:
                ch = [pos[k] for k in pos if k[1] == q and k[0] != "partnership"]
                sums.append((ch, pos[("partnership", q)]))
        for i in np.flatnonzero(at & (name == "simd_depth")):  # establishments reached
            if (unit[i], group[i]) in pos:
                lower[pos[(unit[i], group[i])]] = int(np.nan_to_num(n[i]))
        key = [(str(unit[i]), str(group[i])) for i in rows]
    else:
        sums = [(list(range(1, p.size)), 0)]
        key = [(str(group[i]), "") for i in rows]
    holds = any(int(v[sums[0][0]].sum()) == int(v[0]) for v in (p, lead))
    if simd and not holds:  # one system per quintile (smaller programs, the same sums)
        hidden, hidden_leaders = np.zeros(p.size, bool), np.zeros(p.size, bool)
        for ch, q in sums[1:]:
            sub = [q, *ch]
            h, hl = sums_leaders(p[sub], lead[sub], [(list(range(1, len(sub))), 0)], min_cell,
                                 lower=lower[sub])  # fmt: skip
            hidden[sub], hidden_leaders[sub] = h, hl
    else:
        hidden, hidden_leaders = sums_leaders(p, lead, sums, min_cell, lower=lower)
    return (
        {k for k, h in zip(key, hidden[1:].tolist(), strict=True) if h},
        {k for k, h in zip(key, hidden_leaders[1:].tolist(), strict=True) if h},
    )


def _suppress_family(
    name: np.ndarray,
    group: np.ndarray,
    at: np.ndarray,
    count: np.ndarray,
    n: np.ndarray,
    min_cell: int,
    value_h: np.ndarray,
    n_h: np.ndarray,
    *,
    row_of: Any,
    rate: str,
    share: str | None,
    depth: str | None,
    total: str | None,
    col_of: Any = None,
    forced: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
    forced_leaders: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
) -> None:
    """One family of reflection rows in one session, suppressed as a table of counts
    (rows: levels or units; columns: participants and leaders, per quintile for SIMD);
    marks ``value_h`` and ``n_h`` in place."""
    col = col_of or (lambda i: "")
    rate_rows = np.flatnonzero(at & (name == rate))
    if not rate_rows.size:
        return
    cells: dict[tuple[str, str], float] = {}
    for i in rate_rows:
        if col(i).startswith("SIMD 1 "):
            continue
        r = "Total" if row_of(i) == total else row_of(i)
        cells[(r, f"people {col(i)}")] = n[i]
        cells[(r, f"leaders {col(i)}")] = count[i]
    block = pd.Series(cells).unstack().fillna(0).round().astype(np.int64)
    force = np.zeros(block.shape, dtype=bool)
    for what, pairs in (("people", forced), ("leaders", forced_leaders)):
        for r, c in pairs:
            r = "Total" if r == total else r
            if r in block.index and f"{what} {c}" in block.columns:
                force[block.index.get_loc(r), block.columns.get_loc(f"{what} {c}")] = True
    # the people of each authority × quintile are suppressed with the counts they add up
    # to in the other outputs (linked_hidden): forced here
    hidden = suppress(block, min_cell, totals="none" if total else "columns", force=force)
    hidden = hidden.attrs["suppressed"]
    hid = {
        (r, c): bool(h)
        for r, row in zip(hidden.index, hidden.to_numpy().tolist(), strict=True)
        for c, h in zip(hidden.columns, row, strict=True)
    }

    def gone(i: int, what: str) -> bool:
        r = "Total" if row_of(i) == total else row_of(i)
        return hid.get((r, f"{what} {col(i)}"), False)

    for i in rate_rows:
        if col(i).startswith("SIMD 1 "):
            continue
        n_h[i] = gone(i, "people")
        value_h[i] = n_h[i] or gone(i, "leaders")
    others = [x for x in (share, depth) if x]
    if depth:
        others.append("simd_coverage")
    for i in np.flatnonzero(at & np.isin(name, others)):
        if not col(i).startswith("SIMD 1 ") and gone(i, "people"):
            value_h[i] = True
            n_h[i] |= name[i] == depth  # establishments reached bound the participants
