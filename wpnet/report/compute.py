"""Every measure a report shows, computed once from the measure functions.

:func:`compute` calls :mod:`wpnet.measures` and :func:`wpnet.reflections` (never a graph
algorithm of its own) and keeps the raw results in a :class:`Results`; the report's
tables, sentences and figures are all read from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from wpnet.ecosystem import Ecosystem
from wpnet.errors import DataError, UsageError
from wpnet.graphs import GraphSpec

__all__ = ["REACH_BY", "Results", "compute", "resolve_sessions"]

#: The breakdowns of reach the report shows, in order.
REACH_BY = ("authority", "sector", "simd_quintile", "workstream", "network")


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
    reflections: pd.DataFrame | None = None
    base: Ecosystem | None = None  # the sessions needed; every selection is made from it
    trend_eco: Ecosystem | None = None  # the sessions up to ``session`` (the trend's)
    graph: GraphSpec | None = None  # the graph options of every structural measure


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
        raise DataError("the data hold no participation records, so there is nothing to report")
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
    permutations: int = 2000,
    seed: int = 0,
    step: Callable[[str], None] | None = None,
) -> Results:
    """Call every measure the report shows, once each.

    ``graph`` names the establishment graph of every structural measure (default: the
    SDSM backbone). ``step(name)`` is called after each measure (for a progress bar).
    """
    from wpnet.evaluation import reflections
    from wpnet.graphs import authority_matrix
    from wpnet.measures.brokerage import brokerage, brokerage_roles, ei_test
    from wpnet.measures.capacity import capacity
    from wpnet.measures.change import change, trend
    from wpnet.measures.reach import reach

    tick = step or (lambda name: None)
    sessions = [s for s in eco.sessions if s <= session]
    # Every selection below is made from one base, so that identical selections are
    # identical calls, computed once (an Ecosystem remembers its selections and projections).
    needed = [s for s in eco.sessions if s <= max(session, compare_to or session)]
    base = eco if needed == eco.sessions else eco.select(session=needed)
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
    res.reflections = reflections(base, sessions=sessions, seed=seed, **graph_opts)
    tick("reflections")
    return res
