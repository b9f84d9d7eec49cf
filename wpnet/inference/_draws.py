"""The draws of the indicator engine (:mod:`wpnet.inference._indicators`): each
session's draws seeded from the seed and the session's name, made where they are
evaluated, batched where one product serves many, run on several processes
(:func:`run_draws`), and the intervals read from them.

A draw of one session is a :class:`DrawTask`: network multiplicities ``c``
(:func:`wpnet.inference._indicators.network_draw`) and, for the structural indicators,
a practitioner count to subsample to. A :class:`DrawGroup` is draw ``b`` of several
sessions, made in the worker from the seeds alone (:func:`bootstrap_tasks`); a
:class:`DrawBatch` several groups at once (:func:`cross_shares`).

An internal helper module: its names are not part of the public API.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from wpnet._parallel import parallel_map
from wpnet._seeds import generators, spawned_states
from wpnet.inference._indicators import (
    SessionData,
    _pair_coo,
    _ratio,
    evaluate,
    network_draw,
    practitioners_of,
)

__all__ = [
    "BATCHED",
    "BATCH_CELLS",
    "DrawBatch",
    "DrawGroup",
    "DrawTask",
    "MIN_DEFINED",
    "batchable",
    "bootstrap_batch",
    "bootstrap_tasks",
    "centred_interval",
    "cross_shares",
    "defined_floor",
    "few_defined",
    "draw_rng",
    "draw_rngs",
    "held_interval",
    "percentile_interval",
    "run_draws",
    "subsample",
]


def draw_rngs(label: str, seed: int, samples: int) -> list[np.random.Generator]:
    """One generator per draw of the session ``label``: from ``seed`` and the session's
    name, so a session's draws do not depend on which other sessions are compared."""
    # SeedSequence(seed, spawn_key=(crc,)).spawn(samples), made together (wpnet._seeds)
    crc = zlib.crc32(label.encode("utf-8"))
    return generators(spawned_states([int(seed)] * samples, [(crc, b) for b in range(samples)]))


def draw_rng(label: str, seed: int, b: int) -> np.random.Generator:
    """``draw_rngs(label, seed, samples)[b]`` for any ``samples > b``, made alone: the
    ``b``-th child of a :class:`numpy.random.SeedSequence` is the sequence with ``b``
    appended to its parent's spawn key. Made by numpy itself: the definition that
    :func:`draw_rngs` and :func:`bootstrap_batch` (:mod:`wpnet._seeds`) are tested against.

    Examples
    --------
    >>> a = draw_rng("2023-24", 0, 3).integers(0, 100, 5)
    >>> bool((a == draw_rngs("2023-24", 0, 10)[3].integers(0, 100, 5)).all())
    True
    """
    key = (zlib.crc32(label.encode("utf-8")), int(b))
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=key))


@dataclass(frozen=True)
class DrawTask:
    """One draw of one session: multiplicities ``c``; ``matched`` the practitioner count
    to subsample to for the ``structural`` indicators (None: no subsampling), with the
    generator ``keep_seed`` (a seed, or the generator made from it: :func:`subsample`);
    ``plain`` the indicators read on the whole draw (None: all but ``structural``)."""

    label: str
    c: np.ndarray
    keep_seed: int | np.random.Generator
    matched: int | None
    structural: frozenset[str]
    plain: frozenset[str] | None
    people: np.ndarray | None = None  # practitioners_of(sd, c), when already known


@dataclass(frozen=True)
class DrawGroup:
    """Draw ``b`` of every one of ``sessions``, made where it is evaluated (in a worker
    process) from the seeds alone, as :func:`bootstrap_tasks` describes; ``ends`` the
    sessions whose draw ``b`` sets the matched practitioner count of all of them."""

    b: int
    seed: int
    sessions: tuple[str, ...]
    ends: tuple[str, ...]
    graph: frozenset[str]
    cheap: frozenset[str]


def bootstrap_tasks(group: DrawGroup, shared: dict[str, SessionData]) -> list[DrawTask]:
    """The :class:`DrawTask` of each session's draw ``group.b``: multiplicities
    ``network_draw(n_k, draw_rng(s, seed, b))``; the matched count, the fewest
    practitioners among the ends' draws ``b``; the subsample's generator
    ``default_rng(task_seed(seed + 1 + i, b))`` for the i-th session; the graph
    indicators read in the ends only."""
    return bootstrap_batch([group], shared)[0]


def bootstrap_batch(
    groups: list[DrawGroup], shared: dict[str, SessionData]
) -> list[list[DrawTask]]:
    """:func:`bootstrap_tasks` of each group, with every generator of the groups
    seeded at once (:mod:`wpnet._seeds`, bit for bit numpy's: the same draws)."""
    rows = [(g, i, s) for g in groups for i, s in enumerate(g.sessions)]
    crc = {s: zlib.crc32(s.encode("utf-8")) for _, _, s in rows}
    seeds = [g.seed for g, _, _ in rows]
    rngs = generators(spawned_states(seeds, [(crc[s], g.b) for g, _, s in rows]))
    keep_seeds = spawned_states(
        [g.seed + 1 + i for g, i, _ in rows], [(g.b,) for g, _, _ in rows], words=1
    )
    keep_rngs = generators(spawned_states(keep_seeds[:, 0].tolist(), [()] * len(rows)))
    out: list[list[DrawTask]] = []
    at = 0
    for g in groups:
        mine = range(at, at + len(g.sessions))
        at += len(g.sessions)
        cs = {
            s: network_draw(shared[s].n_k, rngs[r]) for r, s in zip(mine, g.sessions, strict=True)
        }
        people = {s: practitioners_of(shared[s], cs[s]) for s in g.ends}
        m = min(p.size for p in people.values())
        graph = {s: g.graph if s in g.ends else frozenset() for s in g.sessions}
        out.append([
            DrawTask(s, cs[s], keep_rngs[r], m, graph[s], g.cheap, people.get(s))
            for r, s in zip(mine, g.sessions, strict=True)
        ])  # fmt: skip
    return out


def subsample(
    sd: SessionData,
    c: np.ndarray,
    m: int,
    seed: int | np.random.Generator,
    people: np.ndarray | None = None,
) -> np.ndarray | None:
    """A mask keeping ``m`` of the draw's practitioners (``people``, default
    :func:`practitioners_of`), drawn without replacement by ``default_rng(seed)`` (a
    generator is used as it is); None when the draw has at most ``m``."""
    if people is None:
        people = practitioners_of(sd, c)
    if people.size <= m:
        return None
    keep = np.zeros(sd.n_p, dtype=bool)
    keep[np.random.default_rng(seed).choice(people, size=m, replace=False)] = True
    return keep


def _plain(sd: SessionData, task: DrawTask) -> set[str]:
    """The indicators a task reads on the whole draw (its ``plain``, by default all but
    its ``structural``)."""
    return set(sd.layout.names - task.structural) if task.plain is None else set(task.plain)


def _draw(shared: dict[str, SessionData], task: DrawTask) -> tuple[np.ndarray, np.ndarray]:
    sd = shared[task.label]
    plain = _plain(sd, task)
    keep = None
    if task.structural and task.matched is not None:
        keep = subsample(sd, task.c, task.matched, task.keep_seed, task.people)
    if keep is None and task.structural:
        both = evaluate(sd, task.c, which=plain | set(task.structural))
        return both, both
    values = evaluate(sd, task.c, which=plain) if plain else np.full(len(sd.layout.keys), np.nan)
    if not task.structural:
        return values, values
    return values, evaluate(sd, task.c, keep, which=set(task.structural))


#: Indicators that :func:`cross_shares` computes for many draws at once.
BATCHED = frozenset({"cross_authority_share"})
#: Draws x incidences (or records) that :func:`cross_shares` holds at once: about 16
#: million, 64 MB as float32, so that a large workstream's draws do not take GBs.
BATCH_CELLS = 1 << 24


@dataclass(frozen=True)
class DrawBatch:
    """Several :class:`DrawGroup` run as one task (:func:`_run_batch`): what each would
    give alone, with the cross-authority share of their draws computed together when
    the graph has no backbone (:func:`batchable`)."""

    groups: tuple[DrawGroup, ...]


def batchable(opts: dict[str, Any], graph: frozenset[str] | set[str]) -> bool:
    """Whether draws with graph options ``opts`` reading the graph indicators ``graph``
    gain from a :class:`DrawBatch`: no backbone, and only :data:`BATCHED` indicators."""
    return opts.get("backbone") is None and bool(graph) and set(graph) <= BATCHED


def cross_shares(
    sd: SessionData, cs: list[np.ndarray], keeps: list[np.ndarray | None]
) -> np.ndarray:
    """The cross-authority share of each draw (multiplicities ``cs[d]``, practitioners
    ``keeps[d]`` or all), with no backbone: what :func:`evaluate` gives draw by draw.

    A pair of establishments is tied in draw d when, in one of its networks, both ends
    have a record of a kept practitioner in the draw: over the session's (pair, network)
    incidences, ``member_d[i, k] & member_d[j, k]``, with ``member_d`` (a kept record of
    establishment i in network k, which needs ``c_k > 0``) read from the records by one
    product for all draws. The share is the tied pairs joining two known authorities
    over the tied pairs with both known.
    """
    pair, _, cell_i, cell_j = _pair_coo(sd)
    cells, rec_cell = np.unique(sd.rec_e * sd.n_k + sd.rec_k, return_inverse=True)
    ui, uj = np.searchsorted(cells, cell_i), np.searchsorted(cells, cell_j)
    to_cell = sp.csr_matrix(
        (np.ones(rec_cell.size, dtype=np.float32), (np.arange(rec_cell.size), rec_cell)),
        shape=(rec_cell.size, cells.size),
    )
    to_pair = sp.csr_matrix(
        (np.ones(pair.size, dtype=np.float32), (np.arange(pair.size), pair)),
        shape=(pair.size, sd.pair_i.size),
    )
    ai, aj = sd.e_auth[sd.pair_i], sd.e_auth[sd.pair_j]
    known = (ai >= 0) & (aj >= 0)
    cross = known & (ai != aj)
    n_cross, n_known = np.zeros(len(cs), dtype=np.int64), np.zeros(len(cs), dtype=np.int64)
    step = max(1, BATCH_CELLS // max(pair.size, rec_cell.size, cells.size, 1))
    for lo in range(0, len(cs), step):  # a few draws at a time on large graphs
        c = np.stack(cs[lo : lo + step])
        present = c[:, sd.rec_k] > 0
        for d, keep in enumerate(keeps[lo : lo + step]):
            if keep is not None:
                present[d] &= keep[sd.rec_p]
        member = np.asarray((to_cell.T @ present.T.astype(np.float32)).T) > 0  # draws x cells
        kept = member[:, ui] & member[:, uj]  # draws x incidences
        tied = np.asarray((to_pair.T @ kept.T.astype(np.float32)).T) > 0  # draws x pairs
        n_cross[lo : lo + step] = np.count_nonzero(tied & cross, axis=1)
        n_known[lo : lo + step] = np.count_nonzero(tied & known, axis=1)
    return _ratio(n_cross, n_known)


def _run_batch(shared: dict[str, SessionData], batch: DrawBatch) -> list[Any]:
    """``[_run(shared, g) for g in batch.groups]``, the same values, with the
    :data:`BATCHED` indicators of the subsampled draws computed by :func:`cross_shares`
    (a draw's other values by :func:`evaluate`, as :func:`_draw` does)."""
    out: list[list[Any]] = []
    pending: dict[str, list[tuple[int, int, np.ndarray, np.ndarray | None, np.ndarray]]] = {}
    for g, tasks in enumerate(bootstrap_batch(list(batch.groups), shared)):
        out.append([])
        for t, task in enumerate(tasks):
            sd = shared[task.label]
            fast = task.structural and batchable(sd.opts, task.structural)
            if not fast or sd.pair_net is None or task.matched is None:
                out[g].append(_draw(shared, task))
                continue
            plain = _plain(sd, task)
            keep = subsample(sd, task.c, task.matched, task.keep_seed, task.people)
            values = (
                evaluate(sd, task.c, which=plain) if plain else np.full(len(sd.layout.keys), np.nan)
            )
            out[g].append(None)
            pending.setdefault(task.label, []).append((g, t, task.c, keep, values))
    for label, items in pending.items():
        sd = shared[label]
        shares = cross_shares(sd, [x[2] for x in items], [x[3] for x in items])
        at = sd.layout.index()[("cross_authority_share", "partnership", "")]
        for (g, t, _, keep, values), share in zip(items, shares, strict=True):
            graph = np.full(len(sd.layout.keys), np.nan) if keep is not None else values.copy()
            graph[at] = share
            out[g][t] = (values, graph) if keep is not None else (graph, graph)
    return out


def _run(shared: dict[Any, Any], task: Any) -> Any:
    if isinstance(task, tuple):  # (key, task): read against shared[key]
        shared, task = shared[task[0]], task[1]
    if isinstance(task, DrawBatch):
        return _run_batch(shared, task)
    if isinstance(task, DrawGroup):
        return [_draw(shared, t) for t in bootstrap_tasks(task, shared)]
    return _draw(shared, task)


def run_draws(data: dict[Any, Any], tasks: list[Any], workers: int | None) -> list[Any]:
    """Every task's (plain, structural) value vectors, in task order; a
    :class:`DrawGroup`'s as a list, one pair per session of the group; a
    :class:`DrawBatch`'s as a list of those, one per group. Several callers'
    draws share one pool as ``(key, task)`` pairs, each read against ``data[key]``."""
    return parallel_map(_run, tasks, shared=data, workers=workers)


def centred_interval(
    draws: np.ndarray, centre: np.ndarray, *, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """The percentile interval of ``draws`` moved so that the draws' median sits on
    ``centre``: ``centre + q_2.5(d − med d)``, ``centre + q_97.5(d − med d)`` (at
    ``level`` 0.95; in general the (1 − level)/2 and (1 + level)/2 quantiles).

    Used for indicators whose draws are biased by construction (see
    :func:`bootstrap_change`): the interval keeps the bootstrap's spread, not its shift.
    The median, not the mean, is moved onto ``centre``, so the interval always holds
    ``centre`` (``q_2.5 <= median <= q_97.5``): with the mean, draws almost all equal
    (198 of 200 differences 0, two −0.5) gave ``[0.005, 0.005]`` around an observed
    change of 0, which read as a direction.

    Examples
    --------
    >>> lo, hi = centred_interval(np.r_[np.zeros(198), -0.5, -0.5][:, None], np.array([0.0]))
    >>> float(lo[0]), float(hi[0])
    (0.0, 0.0)
    """
    draws = np.asarray(draws, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            median = np.nanmedian(draws, axis=0)
    lo, hi = percentile_interval(draws - median, level=level)
    return centre + lo, centre + hi


def held_interval(
    draws: np.ndarray, observed: np.ndarray, *, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """The percentile interval of ``draws`` widened, where it must be, to hold
    ``observed``: ``[min(q_lo, x), max(q_hi, x)]``, ``q_lo`` and ``q_hi`` the
    (1 − level)/2 and (1 + level)/2 quantiles of a column's finite draws
    (:func:`percentile_interval`) and ``x`` the observed value; NaN where either is.

    For changes whose draws may be biased by construction but whose bias is not
    estimated well enough to remove (the graph's cross-authority shares: a backbone
    refitted on each draw, a share at its bound that can only move one way). The
    interval holds the percentile interval (Efron & Tibshirani 1993, *An Introduction
    to the Bootstrap*, §13.3), so it covers at least as often; and it excludes 0 only
    when the draws' interval does **and** the observed value lies on the same side of
    0: a direction needs both the bootstrap and the data (an observed change of 0
    never reads one). Bias-corrected intervals (centred on the observed value; Efron's
    BC, ``z0`` from the share of draws below it; the basic interval ``2x − q``,
    Davison & Hinkley 1997, §5.2) were measured instead and flagged 1.3–10.6% of the
    cross-authority rows of a null simulation (none with this interval) or lost the
    example's planted rise (docs/measures.md, "Reflections").

    Examples
    --------
    Draws wholly below an observed change of 0 (the percentile interval is about
    −0.75 to −0.03, a "weakening" beside the data):

    >>> d = np.linspace(-0.77, -0.01, 200)[:, None]
    >>> lo, hi = held_interval(d, np.array([0.0]))
    >>> round(float(lo[0]), 2), float(hi[0])
    (-0.75, 0.0)
    >>> held_interval(np.full((3, 1), np.nan), np.array([0.2]))[0].tolist()
    [nan]
    """
    lo, hi = percentile_interval(draws, level=level)
    x = np.asarray(observed, dtype=np.float64)
    held = np.isfinite(lo) & np.isfinite(x)
    lo = np.where(held, np.minimum(lo, x), np.nan)
    hi = np.where(held, np.maximum(hi, x), np.nan)
    return lo, hi


def _nanmean(x: np.ndarray) -> np.ndarray:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.asarray(x, dtype=np.float64), axis=0)


def percentile_interval(draws: np.ndarray, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The 2.5 and 97.5 percentiles of each column of ``draws`` (NaN where a column has
    no finite draw); for another ``level``, the 100(1 − level)/2 and 100(1 + level)/2
    percentiles."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    tail = 50.0 * (1.0 - level)
    draws = np.asarray(draws, dtype=np.float64)
    lo = np.full(draws.shape[1:], np.nan)
    hi = np.full(draws.shape[1:], np.nan)
    ok = np.isfinite(draws).any(axis=0)
    if ok.any():
        q = np.nanpercentile(draws[:, ok], [tail, 100.0 - tail], axis=0)
        lo[ok], hi[ok] = q[0], q[1]
    return lo, hi


#: The share of the draws in which a quantity must be defined (finite) for it to get an
#: interval at all (docs/measures.md, "Reflections"): 95%, 190 of 200 draws.
MIN_DEFINED = 0.95


def defined_floor(samples: int, *, least: float = MIN_DEFINED) -> int:
    """The fewest draws, of ``samples``, in which a quantity must be defined (finite) to
    get an interval: ``⌈least × samples⌉`` (190 of 200 at the default 95%).

    A share 0/0 in a draw (an authority with no tie in the draw's backbone, a SIMD
    quintile with no school reached) has no value there; the percentile interval of
    the draws where it is defined is an interval of the share *given* that it is
    defined, from the draws that kept its denominator, not a bootstrap interval of the
    share (R's ``boot.ci`` also reads only the finite replicates, and only warns when
    they are too few for the tails: "extreme order statistics used as endpoints"). When
    the share is undefined in a fraction u of the draws, the finite draws' (1 − level)/2
    and (1 + level)/2 quantiles lie, among all draws, at quantiles that depend on where
    the undefined draws would have fallen: the interval covers between level × (1 − u)
    and level × (1 − u) + u of all draws. At u ≤ 5% a 95% interval so stays at least
    a 90% interval (0.95 × 0.95 = 0.9025) whatever the undefined draws would have
    been; at 2-8 of 200 draws defined (u ≥ 96%) it says nothing about the share.

    Examples
    --------
    >>> defined_floor(200), defined_floor(40), defined_floor(1000), defined_floor(0)
    (190, 38, 950, 0)
    """
    return math.ceil(round(least * samples, 9))


def few_defined(draws: np.ndarray, why: np.ndarray) -> np.ndarray:
    """The columns of ``draws`` (draws x rows) without another reason in ``why`` whose
    quantity is defined (finite) in fewer than :func:`defined_floor` of the draws (95%):
    they get no interval (:func:`wpnet.reflections`), and ``why`` (changed in place)
    says in how many draws they were defined.

    Examples
    --------
    >>> d = np.c_[np.r_[np.full(192, np.nan), np.linspace(0, 1, 8)], np.linspace(0, 1, 200)]
    >>> why = np.array(["", ""], dtype=object)
    >>> few_defined(d, why).tolist(), why[0]
    ([True, False], 'defined in 8 of 200 draws; an interval needs 190 (95% of them)')
    """
    samples = draws.shape[0]
    need = defined_floor(samples)
    defined = np.isfinite(draws).sum(axis=0)
    few = (defined < need) & (why == "")
    for k in np.flatnonzero(few):
        why[k] = (
            f"defined in {defined[k]} of {samples} draws; an interval needs {need} "
            f"({MIN_DEFINED:.0%} of them)"
        )
    return few
