"""``null_test``: is a statistic of the co-membership graph more than a null model
produces? (INFERENCE.md §2)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wpnet._parallel import parallel_map, task_seeds
from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import UsageError, check_choice
from wpnet.graphs import GraphSpec
from wpnet.inference._sampled import SampledGraphs, Ties, ties_of
from wpnet.inference.nulls import (
    BURN_IN_PER_ROW,
    TRADES_PER_ROW,
    bernoulli_matrix,
    curveball_chain,
    permute_labels,
)
from wpnet.inference.statistics import LABEL_STATISTICS, STATISTICS, GraphView
from wpnet.measures._common import graph_for, stamp
from wpnet.measures.capacity import category_codes, node_attribute

__all__ = ["MODELS", "NULL_TEST_COLUMNS", "null_test", "plus_one_pvalues"]

MODELS = ("curveball", "bicm", "labels")
#: Columns of :func:`null_test`, in order.
NULL_TEST_COLUMNS = (
    "observed",
    "expected",
    "sd",
    "z",
    "p_greater",
    "p_less",
    "p_two_sided",
    "samples",
    "model",
)
#: Samples per task: samples are drawn in blocks of this many, each block from its own
#: seed (and, under Curveball, its own chain with its own burn-in), so that results
#: do not depend on the number of worker processes.
BLOCK = 10
#: Relative tolerance when a sampled value is compared with the observed one (so that
#: equal values computed along different floating-point paths count as equal).
_RTOL = 1e-10

Statistic = str | Callable[[Any], float]


def plus_one_pvalues(observed: float, draws: np.ndarray) -> tuple[float, float, float]:
    """``p_greater``, ``p_less`` and ``p_two_sided`` of ``observed`` among ``draws``.

    The +1 rule (Davison & Hinkley 1997; North, Curtis & Sham 2002), with S draws T_s:
    ``p_greater = (1 + #{T_s >= T_obs}) / (S + 1)``,
    ``p_less = (1 + #{T_s <= T_obs}) / (S + 1)`` and
    ``p_two_sided = min(1, 2 min(p_greater, p_less))``. Values within a relative
    ``1e-10`` of ``observed`` count as equal to it. NaN when ``observed`` is NaN or
    there are no draws.

    Examples
    --------
    >>> plus_one_pvalues(3.0, np.array([1.0, 2.0, 3.0, 4.0]))
    (0.6, 0.8, 1.0)
    """
    draws = np.asarray(draws, dtype=np.float64)
    s = draws.size
    if not s or not math.isfinite(observed):
        return math.nan, math.nan, math.nan
    tol = _RTOL * max(1.0, abs(observed))
    greater = (1 + int((draws >= observed - tol).sum())) / (s + 1)
    less = (1 + int((draws <= observed + tol).sum())) / (s + 1)
    return greater, less, min(1.0, 2 * min(greater, less))


@dataclass(frozen=True)
class _Context:
    """What every block of samples needs (sent once to each worker process)."""

    model: str
    b: sp.csr_matrix
    graphs: SampledGraphs | None
    probabilities: np.ndarray | None
    observed: Ties
    names: tuple[str, ...]
    callables: tuple[Callable[[Any], float] | None, ...]
    auth: np.ndarray
    groups: np.ndarray
    group: str
    seed: int
    trades: int
    burn_in: int
    node_data: tuple[tuple[Any, dict], ...] | None


def _resolve(statistic: Statistic | Sequence[Statistic]) -> list[tuple[str, Any]]:
    items = (
        [statistic] if isinstance(statistic, str) or callable(statistic) else list(statistic)  # type: ignore[arg-type]
    )
    if not items:
        raise UsageError("statistic: give at least one statistic name or callable")
    out: list[tuple[str, Any]] = []
    for s in items:
        if isinstance(s, str):
            if s not in STATISTICS:
                raise UsageError(f"statistic {s!r} is not one of {sorted(STATISTICS)!r}")
            out.append((s, None))
        elif callable(s):
            out.append((getattr(s, "__name__", "statistic"), s))
        else:
            raise UsageError(f"statistic must be a name or a callable f(graph) -> float; got {s!r}")
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise UsageError(f"statistic: each name once; got {names!r}")
    return out


def _nx_graph(ctx: _Context, view: GraphView) -> Any:
    import networkx as nx

    assert ctx.node_data is not None
    g = nx.Graph()
    ids = [nid for nid, _ in ctx.node_data]
    if ctx.model == "labels":
        # the permuted group codes, written back as labels
        labels = _labels_of(ctx)
        g.add_nodes_from(
            (nid, {**d, ctx.group: labels[c] if c >= 0 else d.get(ctx.group)})
            for (nid, d), c in zip(ctx.node_data, view.groups.tolist(), strict=True)
        )
    else:
        g.add_nodes_from((nid, dict(d)) for nid, d in ctx.node_data)
    t = view.ties
    g.add_edges_from(
        (ids[i], ids[j], {"weight": w})
        for i, j, w in zip(t.rows.tolist(), t.cols.tolist(), t.weight.tolist(), strict=True)
    )
    return g


def _labels_of(ctx: _Context) -> dict[int, Any]:
    """Group code -> label, from the observed nodes."""
    assert ctx.node_data is not None
    out: dict[int, Any] = {}
    for (_, d), c in zip(ctx.node_data, ctx.groups.tolist(), strict=True):
        if c >= 0:
            out.setdefault(c, d.get(ctx.group))
    return out


def _values(ctx: _Context, view: GraphView) -> list[float]:
    out = []
    for name, f in zip(ctx.names, ctx.callables, strict=True):
        if f is None:
            out.append(float(STATISTICS[name](view)))
        else:
            out.append(float(f(_nx_graph(ctx, view))))
    return out


def _block(ctx: _Context, task: tuple[int, int]) -> np.ndarray:
    """The statistics of ``count`` samples drawn from ``seed`` (one task)."""
    seed, count = task
    rows: list[list[float]] = []
    if ctx.model == "curveball":
        assert ctx.graphs is not None
        for b in curveball_chain(ctx.b, count, seed, ctx.trades, ctx.burn_in):
            rows.append(_values(ctx, GraphView(ctx.graphs.ties(b), ctx.auth, ctx.groups, ctx.seed)))
    elif ctx.model == "bicm":
        assert ctx.graphs is not None and ctx.probabilities is not None
        rng = np.random.default_rng(seed)
        for _ in range(count):
            b = bernoulli_matrix(ctx.probabilities, rng)
            rows.append(_values(ctx, GraphView(ctx.graphs.ties(b), ctx.auth, ctx.groups, ctx.seed)))
    else:
        rng = np.random.default_rng(seed)
        base = GraphView(ctx.observed, ctx.auth, ctx.groups, ctx.seed)
        same = ctx.group == "authority"
        for _ in range(count):
            g = permute_labels(ctx.groups, rng)
            rows.append(_values(ctx, base.relabelled(g if same else ctx.auth, g)))
    return np.asarray(rows, dtype=np.float64).reshape(count, len(ctx.names))


def null_test(
    eco: Ecosystem,
    statistic: Statistic | Sequence[Statistic],
    *,
    model: str = "curveball",
    onto: str = "establishment",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    group: str = "authority",
    samples: int = 200,
    seed: int = 0,
    trades: int | None = None,
    burn_in: int | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Compare a statistic of the co-membership graph with its distribution under a null.

    For each sample s = 1..S a matrix B_s is drawn from the null ``model`` of the
    member x network incidence B, projected (and reduced to the same backbone with the
    same arguments), and the statistic T_s computed; then, with T the observed value:

    - ``expected`` = mean of T_s; ``sd`` = their standard deviation (ddof 1);
    - ``z`` = (T − expected) / sd (NaN when sd = 0);
    - ``p_greater`` = (1 + #{T_s ≥ T}) / (S + 1), ``p_less`` = (1 + #{T_s ≤ T}) / (S + 1),
      ``p_two_sided`` = min(1, 2 min(p_greater, p_less)) (the +1 rule).

    Null models (INFERENCE.md §1):

    - ``curveball``: every matrix with B's row and column sums equally likely
      (:func:`wpnet.curveball`; ``trades`` per sample default 5 × rows, burn-in
      10 × rows). The margins are fixed, so the SDSM fit and its p-value table are
      computed once and only the co-membership counts change;
    - ``bicm``: each cell Bernoulli(p_ik), the BiCM probabilities the SDSM uses; each
      sample's backbone is refitted. The sample's graph keeps the observed nodes: an
      establishment whose row is drawn empty stays as an isolate (the statistic is
      compared at the observed size; in the example's 2023-24 session about 62 of 385
      rows are empty in a sample), which lowers ``density`` and
      ``largest_component_share`` under this null;
    - ``labels``: the observed graph is kept and ``group`` is permuted across the nodes
      whose group is known (as :func:`wpnet.ei_test`); for statistics that read node
      labels only.

    Statistics (the definitions of :func:`wpnet.capacity`, on the graph named by
    ``onto`` and ``backbone``): ``density``, ``transitivity``, ``modularity`` and
    ``communities`` (Leiden, modularity objective, seeded with ``seed``),
    ``largest_component_share``, ``robustness``, ``mean_distance``,
    ``cross_authority_share``, ``ei_index`` (whole-network E-I over ``group``),
    ``spanning_communities_share``, and ``centralization``: Freeman's betweenness
    centralization Σ_i (c* − c_i) / (n − 1), with c_i the normalised betweenness of
    :func:`wpnet.brokerage` and c* its maximum (1 for a star). A callable
    ``f(graph) -> float`` receives a ``networkx.Graph`` with the projection's node
    attributes and edge attribute ``weight`` (shared networks); its row is named by
    ``f.__name__``.

    Parameters
    ----------
    eco : Ecosystem
        Usually one session.
    statistic : str, callable, or a list of them
        One row each.
    model : {"curveball", "bicm", "labels"}
    onto, backbone, alpha, min_weight, correction
        The graph options (:class:`wpnet.graphs.GraphSpec`): the projection
        (:func:`wpnet.graphs.projection`) and its backbone (:mod:`wpnet.backbones`).
    group : str
        Node attribute of ``ei_index`` and of the ``labels`` model. Under ``labels``
        the statistics that read authority (``cross_authority_share``,
        ``spanning_communities_share``) see permuted authorities only when ``group`` is
        ``"authority"``; otherwise they are refused.
    samples : int
        S, at least 1.
    seed : int
        Seed of the samples (and of Leiden, as ``capacity(..., seed=seed)``).
    trades, burn_in : int, optional
        Curveball trades per sample and before the first (defaults above).
    workers : int, optional
        Processes (:func:`wpnet._parallel.resolve_workers`). Samples are drawn in
        blocks of 10, each from its own seed (``task_seeds(seed, blocks)``) and, under
        Curveball, its own chain with its own burn-in, so the result is the same for
        any number of workers.

    Returns
    -------
    DataFrame
        Index ``statistic``; columns ``observed``, ``expected``, ``sd``, ``z``,
        ``p_greater``, ``p_less``, ``p_two_sided`` (float64), ``samples`` (int64: the
        samples where the statistic had a value; NaN ones are left out), ``model``.
        ``attrs``: ``measure``, ``graph``, ``backbone``, ``scope``, ``model``,
        ``samples``, ``seed``, ``trades``, ``burn_in`` (None unless Curveball),
        ``onto``, ``group``, ``block``.

    Raises
    ------
    UsageError
        An unknown statistic or model, ``samples`` < 1, or a statistic that does not
        depend on labels under ``model="labels"``.

    References
    ----------
    Anderson, Butts & Carley (1999), The interaction of size and density with graph-level
    indices, Social Networks 21 (``sna::cug.test``); Strona et al. (2014); Carstens
    (2015); Neal et al. (2021), ``backbone::fdsm``; Davison & Hinkley (1997).

    Examples
    --------
    >>> import wpnet
    >>> t = null_test(wpnet.tiny().select(session="2022-23"), "density", samples=20)
    >>> float(t.loc["density", "observed"]), int(t.loc["density", "samples"])
    (0.4, 20)

    Every matrix with the tiny session's margins projects to four ties, so the density
    is no different from chance (``p_two_sided`` = 1):

    >>> float(t.loc["density", "p_two_sided"])
    1.0
    """
    expect_ecosystem(eco, "null_test")
    spec = GraphSpec(onto, backbone, alpha, min_weight, correction)
    check_choice("model", model, MODELS)
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 1:
        raise UsageError(f"samples must be a positive integer; got {samples!r}")
    stats = _resolve(statistic)
    if model == "labels":
        for name, f in stats:
            if f is None and name not in LABEL_STATISTICS:
                raise UsageError(
                    f"statistic {name!r} does not depend on node labels, so model='labels' "
                    "would leave it unchanged; use model='curveball' or 'bicm'"
                )
            if f is None and name != "ei_index" and group != "authority":
                raise UsageError(
                    f"statistic {name!r} reads authority; under model='labels' it needs "
                    f"group='authority' (got {group!r})"
                )
    p = graph_for(eco, spec)
    auth = category_codes(node_attribute(p, "authority", argument="onto"))
    groups = category_codes(node_attribute(p, group, argument="group"))
    b = sp.csr_matrix(p.incidence)
    rows = b.shape[0]
    trades_n = TRADES_PER_ROW * rows if trades is None else int(trades)
    burn_n = BURN_IN_PER_ROW * rows if burn_in is None else int(burn_in)
    if trades_n < 0 or burn_n < 0:
        raise UsageError("trades and burn_in must be non-negative")
    graphs = None
    probabilities = None
    if model != "labels":
        graphs = SampledGraphs(
            b,
            backbone,
            alpha=alpha,
            min_weight=min_weight,
            correction=correction,
            fixed_margins=model == "curveball",
        )
    if model == "bicm":
        from wpnet.backbones import fit_bicm as _fit_bicm

        probabilities = _fit_bicm(b).matrix()
    node_data = None
    if any(f is not None for _, f in stats):
        g_obs = p.to_networkx()
        node_data = tuple((nid, dict(d)) for nid, d in g_obs.nodes(data=True))
    observed_ties = ties_of(p.weight)
    ctx = _Context(
        model=model,
        b=b,
        graphs=graphs,
        probabilities=probabilities,
        observed=observed_ties,
        names=tuple(n for n, _ in stats),
        callables=tuple(f for _, f in stats),
        auth=auth,
        groups=groups,
        group=group,
        seed=int(seed),
        trades=trades_n,
        burn_in=burn_n,
        node_data=node_data,
    )
    observed = _values(
        _as_observed(ctx),
        GraphView(observed_ties, auth, groups, int(seed)),
    )
    blocks = -(-int(samples) // BLOCK)
    seeds = task_seeds(int(seed), blocks)
    tasks = [(s, min(BLOCK, int(samples) - k * BLOCK)) for k, s in enumerate(seeds)]
    draws = np.vstack(parallel_map(_block, tasks, shared=ctx, workers=workers))
    out_rows = []
    for k, (name, _) in enumerate(stats):
        d = draws[:, k]
        d = d[np.isfinite(d)]
        obs = observed[k]
        expected = float(d.mean()) if d.size else math.nan
        sd = float(d.std(ddof=1)) if d.size > 1 else math.nan
        z = (obs - expected) / sd if sd > 0 and math.isfinite(obs) else math.nan
        pg, pl, p2 = plus_one_pvalues(obs, d)
        out_rows.append((name, obs, expected, sd, z, pg, pl, p2, int(d.size), model))
    out = pd.DataFrame(out_rows, columns=["statistic", *NULL_TEST_COLUMNS]).set_index("statistic")
    out.index = out.index.astype("str")
    out["samples"] = out["samples"].astype(np.int64)
    out["model"] = out["model"].astype("str")
    curve = model == "curveball"
    return stamp(
        out,
        measure="null_test",
        projection=p,
        eco=eco,
        model=model,
        samples=int(samples),
        seed=int(seed),
        trades=trades_n if curve else None,
        burn_in=burn_n if curve else None,
        onto=onto,
        group=group,
        block=BLOCK,
    )


def _as_observed(ctx: _Context) -> _Context:
    """The context for the observed graph: its own labels, whatever the model."""
    if ctx.model != "labels":
        return ctx
    return _Context(**{**ctx.__dict__, "model": "observed"})
