"""Every measure a report shows, computed once from the measure functions.

:func:`compute` calls :mod:`wpnet.measures` and :func:`wpnet.reflections` (never a graph
algorithm of its own) and keeps the raw results in a :class:`Results`; the report's
tables, sentences and figures are all read from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from wpnet._reading import no_records
from wpnet._sparse import edge_list
from wpnet.ecosystem import Ecosystem
from wpnet.errors import DataError, UsageError
from wpnet.graphs import GraphSpec

__all__ = [
    "COMMUNITY_NULL_SAMPLES",
    "LIMITED_COLUMNS",
    "MIN_WORKSTREAM_NETWORKS",
    "REACH_BY",
    "Results",
    "community_mixing",
    "compute",
    "evaluation_themes",
    "report_base",
    "resolve_sessions",
    "workstream_change",
]

#: The breakdowns of reach the report shows, in order.
REACH_BY = ("authority", "sector", "simd_quintile", "workstream", "network")
#: Curveball samples of the modularity's null expectation (when ``samples`` > 0).
COMMUNITY_NULL_SAMPLES = 50
#: Networks a workstream needs in each compared session for its change to be tested: a
#: network bootstrap of fewer clusters gives intervals that are too narrow (five networks
#: have at most 126 distinct draws).
MIN_WORKSTREAM_NETWORKS = 10
#: Cells of the label shuffles :func:`community_mixing` holds at once (2 MB): small
#: enough to be reused by the memory allocator rather than taken fresh from the system,
#: which zeroes every page it gives (see :data:`wpnet.measures.roles._PERM_CHUNK`).
_SHUFFLE_CELLS = 1 << 18
#: The theme name of the per-workstream reflections.
WORKSTREAM_THEME = "cross-authority mixing by workstream"


@dataclass
class Results:
    """The raw measure tables of one report (see :func:`compute`)."""

    session: str
    compare_to: str | None
    sessions: list[str]  # every session up to and including ``session``
    backbone: str | None
    permutations: int
    seed: int
    eco: Ecosystem  # the whole input
    sel: Ecosystem  # the report's session
    reach: pd.DataFrame  # reach(sel), one row "all"
    reach_prev: pd.DataFrame | None  # reach of compare_to
    reach_by: dict[str, pd.DataFrame] = field(default_factory=dict)
    capacity: pd.DataFrame | None = None  # capacity(sel), one row "all"
    capacity_by: pd.DataFrame | None = None  # capacity(sel, by="authority")
    trend: pd.DataFrame | None = None  # trend over ``sessions``
    change: Any = None  # wpnet.measures.change.Change or None
    brokerage: pd.DataFrame | None = None
    roles: pd.DataFrame | None = None
    ei: pd.DataFrame | None = None
    authority_matrix: pd.DataFrame | None = None
    reflections: Any = None  # wpnet.evaluation.Reflections
    samples: int = 200  # bootstrap draws of the evaluation themes (0: point values)
    base: Ecosystem | None = None  # the sessions needed; every selection is made from it
    trend_eco: Ecosystem | None = None  # the sessions up to ``session`` (the trend's)
    graph: GraphSpec | None = None  # the graph options of every structural measure
    communities: pd.DataFrame | None = None  # community_mixing(sel): one row per community
    community_null: pd.DataFrame | None = None  # null_test of modularity (None: samples=0)
    workstreams: pd.DataFrame | None = None  # workstream_change(...) (None: no compare_to)
    # what the page and the tables both derive from these results, derived once (keyed
    # by what derives it and its options; see wpnet.report.disclosure.hidden_reflections)
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)


def resolve_sessions(
    eco: Ecosystem, session: str | None, compare_to: str | None
) -> tuple[str, str | None]:
    """The report's session (default: the latest) and the one it is compared with
    (default: the session before it, ``None`` when there is none).

    Raises
    ------
    ValueError
        When the data hold no session, or a session asked for is not in them.

    Examples
    --------
    >>> import wpnet
    >>> resolve_sessions(wpnet.tiny(), None, None)
    ('2022-23', '2021-22')
    >>> resolve_sessions(wpnet.tiny(), "2021-22", None)
    ('2021-22', None)
    """
    sessions = eco.sessions
    if not sessions:
        raise DataError(
            no_records(
                eco.reading,
                selected=bool(eco.scope),
                kept=len(eco.participation),
                then=", so there is nothing to report",
            )
        )
    if session is None:
        session = sessions[-1]
    if session not in sessions:
        raise UsageError(f"session {session!r} is not in the data; it has {sessions}")
    if compare_to is None:
        i = sessions.index(session)
        compare_to = sessions[i - 1] if i > 0 else None
    elif compare_to not in sessions:
        raise UsageError(f"compare_to {compare_to!r} is not in the data; it has {sessions}")
    elif compare_to == session:
        raise UsageError(f"compare_to must differ from the report's session ({session!r})")
    return session, compare_to


def compute(
    eco: Ecosystem,
    session: str,
    compare_to: str | None,
    *,
    graph: GraphSpec | None = None,
    permutations: int = 5000,
    seed: int = 0,
    samples: int = 200,
    step: Callable[[str], None] | None = None,
    themes: bool = True,
) -> Results:
    """Call every measure the report shows, once each.

    ``graph`` names the establishment graph of every structural measure (default: the
    SDSM backbone). ``samples`` is the number of network bootstrap draws of the evaluation themes
    (:func:`wpnet.reflections`; 0 gives point values without intervals or
    directions). ``step(name)`` is called after each measure (for a progress bar).

    Besides the measures, the headlines' own: the Leiden communities of the report's
    graph and how far they stay within one authority (:func:`community_mixing`), the
    modularity against :data:`COMMUNITY_NULL_SAMPLES` Curveball samples
    (:func:`wpnet.null_test`; not run when ``samples`` is 0), and the change of each
    workstream's cross-authority share from ``compare_to`` to ``session``
    (:func:`workstream_change`).

    ``themes=False`` leaves the evaluation themes out (``.reflections`` and
    ``.workstreams`` stay None): :func:`evaluation_themes` computes them on their own,
    as the report does in a process of their own while these measures are computed.
    """
    from wpnet.graphs import authority_matrix
    from wpnet.measures.brokerage import brokerage, brokerage_roles, ei_test
    from wpnet.measures.capacity import capacity
    from wpnet.measures.change import change, trend
    from wpnet.measures.reach import reach

    tick = step or (lambda name: None)
    sessions = [s for s in eco.sessions if s <= session]
    # Every selection below is made from one base, so that identical selections are
    # identical calls, computed once (an Ecosystem remembers its selections and projections).
    base = report_base(eco, session, compare_to)
    sel = base.select(session=session)
    spec = graph if graph is not None else GraphSpec(backbone="sdsm")
    graph_opts = spec.keywords()
    res = Results(
        session=session,
        compare_to=compare_to,
        sessions=sessions,
        backbone=spec.backbone,
        permutations=permutations,
        seed=seed,
        eco=eco,
        sel=sel,
        reach=reach(sel),
        reach_prev=reach(base.select(session=compare_to)) if compare_to else None,
    )
    res.base = base
    res.graph = spec
    for by in REACH_BY:
        res.reach_by[by] = reach(sel, by=by)
    tick("reach")
    res.capacity = capacity(sel, seed=seed, **graph_opts)
    res.capacity_by = capacity(sel, by="authority", seed=seed, **graph_opts)
    res.communities = community_mixing(sel, graph=spec, seed=seed, permutations=permutations)
    if samples:
        from wpnet.inference import null_test

        res.community_null = null_test(
            sel, ["modularity", "communities"], model="curveball",
            samples=COMMUNITY_NULL_SAMPLES, seed=seed, **graph_opts,
        )  # fmt: skip
    tick("capacity")
    res.brokerage = brokerage(sel, group="authority", **graph_opts)
    res.roles = brokerage_roles(sel, group="authority", **graph_opts)
    res.ei = ei_test(sel, group="authority", permutations=permutations, seed=seed, **graph_opts)
    res.authority_matrix = authority_matrix(sel)
    tick("brokerage")
    upto = base if sessions == base.sessions else base.select(session=sessions)
    res.trend_eco = upto
    res.trend = trend(upto, seed=seed, **graph_opts)
    if compare_to is not None:
        res.change = change(base, before=compare_to, after=session, seed=seed, **graph_opts)
    tick("change")
    res.samples = int(samples)
    if themes:
        res.reflections, res.workstreams = evaluation_themes(
            base, session, compare_to, graph=spec, samples=samples, seed=seed
        )
        tick("reflections")
    _leave_out_unsupported(res)
    return res


def report_base(eco: Ecosystem, session: str, compare_to: str | None) -> Ecosystem:
    """The sessions a report reads: every session up to the later of ``session`` and
    ``compare_to`` (``eco`` itself when that is all of them). Every selection of the
    report is made from this one base, so identical selections are identical calls,
    computed once (an Ecosystem remembers its selections and projections).

    Examples
    --------
    >>> import wpnet
    >>> report_base(wpnet.tiny(), "2021-22", None).sessions
    ['2021-22']
    """
    needed = [s for s in eco.sessions if s <= max(session, compare_to or session)]
    return eco if needed == eco.sessions else eco.select(session=needed)


def evaluation_themes(
    base: Ecosystem,
    session: str,
    compare_to: str | None,
    *,
    graph: GraphSpec,
    samples: int,
    seed: int,
) -> tuple[Any, pd.DataFrame | None]:
    """The report's evaluation themes: :func:`wpnet.reflections` of ``base``'s sessions
    up to ``session``, and :func:`workstream_change` from ``compare_to`` to ``session``
    (None without ``compare_to``), on ``graph``.

    They need none of the other measures of :func:`compute`, so the report computes
    them in a process of their own while it computes those (docs/report.md,
    "Processes"); ``compute(..., themes=True)`` calls this.

    Examples
    --------
    >>> import wpnet
    >>> found, workstreams = evaluation_themes(
    ...     wpnet.tiny(), "2022-23", "2021-22", graph=GraphSpec(backbone=None), samples=0, seed=0
    ... )
    >>> sorted(found.indicators["session"].unique()), len(workstreams)
    (['2021-22', '2022-23'], 2)
    """
    from wpnet.evaluation import reflections

    sessions = [s for s in base.sessions if s <= session]
    found = reflections(base, sessions=sessions, seed=seed, samples=samples, **graph.keywords())
    workstreams = None
    if compare_to is not None:
        pair = base.select(session=[compare_to, session])
        workstreams = workstream_change(
            pair, before=compare_to, after=session, samples=samples, seed=seed
        )
    return found, workstreams


def community_mixing(
    eco: Ecosystem, *, graph: GraphSpec, seed: int = 0, permutations: int = 5000
) -> pd.DataFrame:
    """The Leiden communities of ``eco``'s graph and how far each stays in one authority.

    The communities are those of :func:`wpnet.capacity` (Leiden, modularity objective,
    seeded with ``seed``, on the graph ``graph`` names; the igraph graph is built as
    capacity builds it, so the partition is the same). Communities of one
    establishment (isolates) are left out. For community c with ``n_ca`` establishments
    of authority a (known authorities only), ``main_share`` = max_a n_ca / Σ_a n_ca.

    Returns
    -------
    DataFrame
        One row per community of two or more establishments, largest first: ``community``
        (1, 2, ... in that order), ``establishments``, ``authorities`` (distinct known
        authorities), ``main_authority`` (the most common one) and ``main_share``. ``attrs``:
        ``nodes`` (establishments with a tie), ``modularity`` (of the whole partition, as
        capacity's), ``in_main`` = Σ_c max_a n_ca / Σ_c Σ_a n_ca (share of the
        communities' establishments whose authority is their community's most common),
        ``spanning`` (communities with two or more authorities), and their means over
        ``permutations`` shuffles of the authority labels across those establishments
        (communities fixed): ``in_main_expected``, ``spanning_expected``.

    Examples
    --------
    >>> import wpnet
    >>> t = community_mixing(wpnet.tiny().select(session="2022-23"),
    ...                      graph=GraphSpec(backbone=None), permutations=50)
    >>> t[["establishments", "authorities"]].values.tolist(), t.attrs["spanning"]
    ([[2, 1], [2, 2]], 1)
    """
    import igraph as ig
    import numpy as np

    from wpnet.graphs import projection
    from wpnet.measures.capacity import category_codes, leiden_membership, node_attribute

    p = projection(eco, **graph.keywords())
    e = p.edges()
    g = ig.Graph(n=p.n, edges=edge_list(e["i"].to_numpy(), e["j"].to_numpy()))
    g.es["weight"] = e["weight"].astype(np.float64).tolist()
    memb = np.asarray(leiden_membership(g, seed), dtype=np.int64)
    auth_names = node_attribute(p, "authority", argument="onto").astype(object)
    codes = category_codes(auth_names)
    sizes = np.bincount(memb, minlength=1) if memb.size else np.zeros(0, dtype=np.int64)
    keep = np.flatnonzero(sizes >= 2)
    in_big = np.isin(memb, keep) & (codes >= 0)
    rows = []
    for c in keep:
        mine = auth_names[(memb == c) & (codes >= 0)]
        counts = mine.value_counts()
        rows.append(
            {
                "establishments": int(sizes[c]),
                "authorities": int(counts.size),
                "main_authority": str(counts.index[0]) if counts.size else None,
                "main_share": float(counts.iloc[0] / counts.sum()) if counts.size else math.nan,
            }
        )
    out = pd.DataFrame(
        rows, columns=["establishments", "authorities", "main_authority", "main_share"]
    )
    out = out.sort_values("establishments", ascending=False, kind="stable").reset_index(drop=True)
    out.insert(0, "community", np.arange(1, len(out) + 1, dtype=np.int64))
    c_of, a_of = memb[in_big], codes[in_big]
    n_auth = int(codes.max()) + 1 if codes.size and codes.max() >= 0 else 1
    in_main, spanning = _mixing(c_of, a_of, n_auth)
    rng = np.random.default_rng(seed)
    exp: list[tuple[float, int]] = []
    block = max(1, _SHUFFLE_CELLS // max(a_of.size, 1))  # shuffles held at once
    for start in range(0, int(permutations), block):  # the same rows as all at once
        rows = np.tile(a_of, (min(block, int(permutations) - start), 1))
        rng.permuted(rows, axis=1, out=rows)  # in place: the same rows as a copy
        exp += _mixing_rows(c_of, rows, n_auth)
    out.attrs.update(
        nodes=int((np.asarray(g.degree()) > 0).sum()),
        modularity=float(g.modularity(memb.tolist(), weights=g.es["weight"])) if g.ecount()
        else math.nan,
        in_main=in_main,
        spanning=spanning,
        in_main_expected=float(np.mean([x[0] for x in exp])) if exp else math.nan,
        spanning_expected=float(np.mean([x[1] for x in exp])) if exp else math.nan,
        permutations=int(permutations),
    )  # fmt: skip
    return out


def _mixing(community: Any, authority: Any, n_auth: int) -> tuple[float, int]:
    """(Σ_c max_a n_ca / Σ n_ca, communities with two or more authorities) of the
    establishments' community and authority codes.

    Examples
    --------
    >>> import numpy as np
    >>> _mixing(np.array([0, 0, 0, 1, 1]), np.array([0, 0, 1, 2, 2]), 3)
    (0.8, 1)
    """
    import numpy as np

    if not len(community):
        return math.nan, 0
    cells = np.bincount(community * n_auth + authority, minlength=(community.max() + 1) * n_auth)
    table = cells.reshape(-1, n_auth)
    table = table[table.sum(axis=1) > 0]
    return float(table.max(axis=1).sum() / table.sum()), int(((table > 0).sum(axis=1) >= 2).sum())


def _mixing_rows(community: Any, authorities: Any, n_auth: int) -> list[tuple[float, int]]:
    """:func:`_mixing` of ``community`` with each row of ``authorities`` (one shuffle of
    the labels per row), counted for all rows at once.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([0, 0, 0, 1, 1])
    >>> rows = np.array([[0, 0, 1, 2, 2], [0, 1, 2, 0, 0]])
    >>> _mixing_rows(c, rows, 3) == [_mixing(c, r, 3) for r in rows]
    True
    """
    import numpy as np

    if not len(community):
        return [(math.nan, 0)] * len(authorities)
    k = int(community.max()) + 1
    used = np.bincount(community, minlength=k) > 0  # the communities present
    width = k * n_auth
    step = max(1, 2_000_000 // (width + len(community)))  # rows counted at once
    out: list[tuple[float, int]] = []
    for start in range(0, len(authorities), step):
        rows = authorities[start : start + step]
        cell = (community * n_auth)[None, :] + rows  # (row, node) -> cell in its row's table
        cell += (np.arange(len(rows)) * width)[:, None]
        tables = np.bincount(cell.ravel(), minlength=len(rows) * width)
        tables = tables.reshape(len(rows), k, n_auth)[:, used, :]
        share = tables.max(axis=2).sum(axis=1) / tables.sum(axis=(1, 2))
        spanning = ((tables > 0).sum(axis=2) >= 2).sum(axis=1)
        out += [(float(a), int(b)) for a, b in zip(share, spanning, strict=True)]
    return out


def workstream_change(
    eco: Ecosystem, *, before: str, after: str, samples: int = 200, seed: int = 0
) -> pd.DataFrame:
    """The change of each workstream's cross-authority share from ``before`` to
    ``after``, with its network bootstrap interval (:func:`wpnet.reflections`).

    For workstream w, :func:`wpnet.reflections` runs on ``eco.select(workstream=w)``
    (indicator ``cross_authority_share``, sessions ``[before, after]``) with **no
    backbone**: every pair of establishments sharing one of the workstream's networks is
    a tie (all workstreams at once, from one reading of ``eco``'s register and records:
    :func:`wpnet.evaluation.workstream_reflections`). A workstream's slice is a few hundred ties at most, too few for the SDSM to
    keep more than a handful (3 ties in the example's Families and communities in
    2022-23), so its backbone would measure the test's power, not the mixing. The change
    is value(after) − value(before); its interval is the percentile interval of the
    differences of the draws of each session's networks (INFERENCE.md §5, §8). The k
    tested workstreams are k tests at once, so the intervals are Bonferroni
    simultaneous intervals, level 1 − 0.05/k (all k cover their true changes with
    probability at least 95%; with k = 1, the plain 95% interval), from
    max(``samples``, ⌈5 / ((1 − level)/2)⌉) draws so that each tail holds at least five
    draws (1,000 for k = 5). Without it the example's null pair, five workstreams
    tested at 95% each, named one of them as changed. A
    direction is read only from the interval, and only for a workstream with at least
    :data:`MIN_WORKSTREAM_NETWORKS` networks in each session (``tested``): with fewer
    its draws are too few to trust, and it is left out of the test (no values: a
    value without its interval is not a finding). With ``samples=0`` the tested
    workstreams get point values without intervals.

    Returns
    -------
    DataFrame
        One row per workstream with records in both sessions (sorted): ``workstream``,
        ``from``, ``to``, ``networks_from``, ``networks_to``, ``value_from``,
        ``value_to``, ``expected`` (the share in ``after`` if authorities were assigned at
        random across the workstream's establishments), ``change``, ``ci_low``,
        ``ci_high`` (NaN below the network floor, or when the change is defined in
        fewer than 95% of the draws), ``no_interval`` (why there is no interval; ""
        with one), ``direction`` (strengthening, weakening, no clear change; ``not
        tested`` below the network floor; ``n/a`` when ``samples`` is 0 or a share is
        undefined), ``tested`` (bool).

    Examples
    --------
    >>> import wpnet
    >>> t = workstream_change(wpnet.tiny(), before="2021-22", after="2022-23", samples=0)
    >>> t[["workstream", "networks_from", "networks_to", "direction"]].values.tolist()
    [['Collaborative learning networks', 1, 1, 'not tested'], ['Curricular networks', 1, 1, 'not tested']]
    """
    from wpnet.evaluation import workstream_reflections

    rec = eco.records
    counts = (
        rec[rec["session"].isin([before, after]) & rec["workstream"].notna()]
        .groupby(["workstream", "session"], observed=True)["network_id"]
        .nunique()
        .unstack(fill_value=0)
        .reindex(columns=[before, after], fill_value=0)
    )
    k = int((counts.min(axis=1) >= MIN_WORKSTREAM_NETWORKS).sum())
    level = family_level(k)
    draws = family_draws(samples, level)
    names = [w for w in sorted(str(x) for x in counts.index) if counts.loc[w].min() > 0]
    tested = [w for w in names if counts.loc[w].min() >= MIN_WORKSTREAM_NETWORKS]
    found = workstream_reflections(
        eco, tested, themes={WORKSTREAM_THEME: ["cross_authority_share"]},
        sessions=[before, after], graph=GraphSpec(backbone=None), samples=draws, seed=seed,
        level=level,
    )  # fmt: skip
    rows = []
    for w in names:
        k_from, k_to = (int(counts.at[w, s]) for s in (before, after))
        row = {"workstream": w, "from": before, "to": after, "networks_from": k_from,
               "networks_to": k_to, "direction": "not tested", "tested": w in found,
               "no_interval": f"fewer than {MIN_WORKSTREAM_NETWORKS} networks in a session: "
               "not tested"}  # fmt: skip
        if w in found:
            r = found[w]
            ch = r.change.iloc[0]
            now = r.indicators[r.indicators["session"] == after].iloc[0]
            row.update(
                value_from=ch["value_from"], value_to=ch["value_to"], expected=now["expected"],
                change=ch["change"], ci_low=ch["ci_low"], ci_high=ch["ci_high"],
                no_interval=str(ch["no_interval"]), direction=str(ch["direction"]),
            )  # fmt: skip
        rows.append(row)
    cols = ["workstream", "from", "to", "networks_from", "networks_to", "value_from",
            "value_to", "expected", "change", "ci_low", "ci_high", "no_interval", "direction",
            "tested"]  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    for c in ("value_from", "value_to", "expected", "change", "ci_low", "ci_high"):
        out[c] = out[c].astype("float64")
    out.attrs.update(
        samples=int(draws), min_networks=MIN_WORKSTREAM_NETWORKS, level=level, tested=k
    )
    return out


def family_level(k: int, *, alpha: float = 0.05) -> float:
    """The Bonferroni level of each of ``k`` simultaneous intervals, 1 − alpha/k.

    >>> family_level(5)
    0.99
    >>> family_level(0)
    0.95
    """
    return 1.0 - alpha / max(k, 1)


def family_draws(samples: int, level: float, *, per_tail: int = 5) -> int:
    """Bootstrap draws for intervals at ``level``: at least ``samples`` and enough that
    each tail, (1 − level)/2 of the draws, holds ``per_tail`` draws; 0 stays 0.

    >>> family_draws(200, 0.99)
    1000
    >>> family_draws(200, 0.95)
    200
    >>> family_draws(0, 0.99)
    0
    """
    if not samples:
        return 0
    return max(int(samples), math.ceil(round(per_tail / ((1.0 - level) / 2.0), 9)))


#: Columns of the results a limit of the data (:func:`wpnet.records.data_limits`) blanks.
LIMITED_COLUMNS = {
    "coverage": ("coverage", "simd_q1_coverage", "equity_ratio", "eligible"),
    "equity": ("simd_q1_coverage", "equity_ratio"),
    "lead_share": ("lead_share",),
}


def _leave_out_unsupported(res: Results) -> None:
    """Blank (NaN) the findings the data cannot support, so that no table, figure or
    sentence states them (coverage without a register, lead share without roles)."""
    from wpnet.records import data_limits

    cols = {c for k in data_limits(res.eco) for c in LIMITED_COLUMNS.get(k, ())}
    if not cols:
        return
    frames = [res.reach, res.reach_prev, res.trend, res.capacity, res.capacity_by]
    for frame in [*frames, *res.reach_by.values()]:
        if frame is not None:
            hit = [c for c in cols if c in frame.columns]
            frame[hit] = float("nan")
