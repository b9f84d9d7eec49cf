"""The network bootstrap (INFERENCE.md §5): :func:`bootstrap` and
:func:`bootstrap_change`.

The indicators of each draw are computed by the engine in
:mod:`wpnet.inference._indicators` (shared with volume matching and the evaluation
themes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from wpnet._parallel import task_seeds
from wpnet.ecosystem import Ecosystem
from wpnet.inference._draws import (
    DrawTask,
    _nanmean,
    defined_floor,
    draw_rngs,
    percentile_interval,
    run_draws,
)
from wpnet.inference._indicators import (
    INDICATOR_NAMES,
    STRUCTURAL,
    VOLUME_DRAWS,
    Layout,
    SessionData,
    _check_indicator,
    check_options,
    describe_graph,
    evaluate,
    layout_of,
    network_draw,
    practitioners_of,
    prepare,
)

__all__ = ["INDICATOR_NAMES", "bootstrap", "bootstrap_change"]


def _one_session(
    eco: Ecosystem, label: str, layout: Layout, opts: dict[str, Any], seed: int
) -> SessionData:
    return prepare(eco, eco, label=label, layout=layout, seed=seed, **opts)


def _rows(layout: Layout, indicator: str) -> np.ndarray:
    return layout.positions({indicator})


def _interval(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The percentile interval of each column of ``draws`` and the number of draws in
    which it is defined (finite); NaN where that is fewer than
    :func:`wpnet.inference._draws.defined_floor` (95% of the draws)."""
    samples, width = draws.shape
    defined = np.isfinite(draws).sum(axis=0)
    if not samples:
        return np.full(width, np.nan), np.full(width, np.nan), defined
    lo, hi = percentile_interval(draws)
    few = defined < defined_floor(samples)
    lo[few], hi[few] = np.nan, np.nan
    return lo, hi, defined


def _of_enough(x: np.ndarray, defined: np.ndarray, samples: int) -> np.ndarray:
    """``x`` (a summary of each column's draws: their spread, their bias) with NaN where
    the column is defined in fewer than :func:`wpnet.inference._draws.defined_floor`
    draws, as its interval is: a few draws' spread says no more than their percentiles."""
    out = np.array(x, dtype=float)
    if samples:
        out[defined < defined_floor(samples)] = np.nan
    return out


def bootstrap(
    eco: Ecosystem,
    indicator: str,
    *,
    samples: int = 200,
    seed: int = 0,
    workers: int | None = None,
    backbone: str | None = "sdsm",
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
) -> pd.DataFrame:
    """The network bootstrap of an indicator: its draws and 95% percentile interval.

    A cluster bootstrap over networks (INFERENCE.md §5): each draw takes the
    selection's K networks with replacement, K times; a network drawn twice enters as
    two distinct copies with all its records (copy j of a network carries instance j
    of each of its members, so indicators that count people count a practitioner
    ``max c_k`` times over their networks, as :func:`wpnet.reflections` says; its
    establishments are the same places, so a copy adds no school). The
    indicator is recomputed on the draw; graph indicators on the draw's establishment
    projection ``W = B diag(c) Bᵀ`` (``c_k`` copies of network k) reduced to
    ``backbone`` — the SDSM refitted on the draw's incidence, in which each copy is a
    column of its own. The interval is the 2.5 and 97.5 percentiles of the draws
    (Davison & Hinkley 1997, §5.2; cluster resampling: §3.8), given only when the
    indicator is defined (not 0/0) in at least 95% of them
    (:func:`wpnet.inference._draws.defined_floor`; docs/measures.md, "Reflections"). ``bias`` = mean of the
    draws − value: the draws of union counts (coverage, participation) and of backbone
    structure sit below the data (see :func:`bootstrap_change`, Bias).

    Parameters
    ----------
    eco : Ecosystem
        Usually one session (``eco.select(session=...)``); several are pooled.
    indicator : str
        One of :data:`INDICATOR_NAMES` (defined in :func:`wpnet.reflections`).
    samples : int
        Draws B (default 200).
    seed : int
        Seed of the draws (and Leiden's). Draws depend only on ``seed`` and the
        selection, never on ``workers``.
    workers : int, optional
        Processes (:func:`wpnet._parallel.resolve_workers`).
    backbone, alpha, min_weight, correction
        The graph of graph indicators (:func:`wpnet.project`).

    Returns
    -------
    DataFrame
        One row per unit and group of the indicator (``unit``: ``partnership`` or an
        authority; ``group``: a level or SIMD quintile, else ``""``): ``value`` (on the
        data), ``ci_low``, ``ci_high`` (NaN when defined in fewer than 95% of the
        draws), ``defined`` (the draws in which it is defined), ``se`` (standard
        deviation of the draws where defined), ``bias``; ``se`` and ``bias`` are NaN
        where the interval is, as a few draws' spread says no more than their
        percentiles.
        ``attrs``: ``model``, ``samples``, ``seed``, ``graph``, ``backbone``,
        ``draws`` (array, samples x rows).

    Examples
    --------
    >>> import wpnet
    >>> sel = wpnet.tiny().select(session="2022-23")
    >>> b = bootstrap(sel, "lead_share", samples=50, backbone=None, workers=1)
    >>> float(b["value"].iloc[0]), bool(b["ci_low"].iloc[0] <= b["ci_high"].iloc[0])
    (0.2857142857142857, True)
    """
    _check_indicator(indicator)
    check_options(samples, backbone, alpha, correction)
    opts = dict(backbone=backbone, alpha=alpha, min_weight=min_weight, correction=correction)
    layout = layout_of(eco)
    label = "|".join(eco.sessions) or "all"
    sd = _one_session(eco, label, layout, opts, seed)
    rows = _rows(layout, indicator)
    value = evaluate(sd, which={indicator})[rows]
    tasks = [
        DrawTask(label, network_draw(sd.n_k, rng), 0, None, frozenset(), frozenset({indicator}))
        for rng in draw_rngs(label, seed, samples)
    ]
    draws = np.array([v[0][rows] for v in run_draws({label: sd}, tasks, workers)]).reshape(
        samples, rows.size
    )
    lo, hi, defined = _interval(draws)
    out = pd.DataFrame(
        {
            "unit": [layout.keys[i][1] for i in rows],
            "group": [layout.keys[i][2] for i in rows],
            "value": value,
            "ci_low": lo,
            "ci_high": hi,
            "defined": defined,
            "se": _of_enough(_nanstd(draws), defined, samples),
            "bias": _of_enough(_nanmean(draws) - value, defined, samples) if samples else np.nan,
        }
    )
    out.attrs.update(
        measure="bootstrap",
        indicator=indicator,
        model="network bootstrap (networks drawn with replacement, copies distinct)",
        samples=int(samples),
        seed=int(seed),
        graph=describe_graph(backbone, alpha, min_weight, correction),
        backbone=backbone,
        scope=eco.scope,
        draws=draws,
    )
    return out


def bootstrap_change(
    eco: Ecosystem,
    indicator: str,
    *,
    before: str,
    after: str,
    samples: int = 200,
    seed: int = 0,
    workers: int | None = None,
    matched: bool | None = None,
    backbone: str | None = "sdsm",
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
) -> pd.DataFrame:
    """The change of an indicator between two sessions, with its bootstrap interval.

    Each session is bootstrapped on its own (:func:`bootstrap`, INFERENCE.md §5); the
    b-th difference is ``after_b − before_b`` and the interval the 2.5 and 97.5
    percentiles of the B differences. With ``matched`` (default: for the structural
    indicators ``largest_component_share`` and ``robustness``), draw b of each session
    is first subsampled to ``m_b`` practitioners without replacement with all their
    records, ``m_b`` = the smaller of the two draws' practitioner counts (INFERENCE.md
    §6), so that the change is not a change of volume; ``before``/``after`` are then
    the volume-matched values of :func:`wpnet.inference.volume.match_volume`
    (``VOLUME_DRAWS`` = 20 subsamples at the smaller observed count).

    **Bias.** A draw is not the session plus noise: about a third of its networks are
    missing (and the others doubled), so an indicator that counts distinct schools or
    people (coverage, participation) is lower in draws, and a backbone refitted on a
    draw (each copy one membership event, :func:`weighted_tails`) keeps fewer ties:
    the largest component of the example's last session is 0.64, its draws average
    about 0.3. ``bias`` (mean of the differences − change) shows how far the draws sit
    from the data; :func:`wpnet.reflections` centres the intervals of the indicators
    biased by construction on the observed value (``centred_interval``: the bootstrap
    gives the spread, the data the level) and widens the others' change intervals to
    hold the observed change (``held_interval``).

    Returns
    -------
    DataFrame
        One row per unit and group: ``before``, ``after`` (values on the data, or
        matched means), ``change``, ``ci_low``, ``ci_high`` (NaN when the difference
        is defined in fewer than 95% of the draws, as :func:`bootstrap`), ``defined``, ``bias``
        (mean of the differences − change; NaN where the interval is). ``attrs`` as
        :func:`bootstrap`, plus ``matched`` and ``draws`` (the B differences).

    Examples
    --------
    >>> import wpnet
    >>> d = bootstrap_change(wpnet.tiny(), "lead_share", before="2021-22",
    ...                      after="2022-23", samples=40, backbone=None, workers=1)
    >>> round(float(d["change"].iloc[0]), 4)
    -0.0476
    """
    _check_indicator(indicator)
    check_options(samples, backbone, alpha, correction)
    for name, s in (("before", before), ("after", after)):
        if s not in eco.sessions:
            raise ValueError(f"{name}={s!r} is not a session of the data; it has {eco.sessions}")
    if matched is None:
        matched = indicator in STRUCTURAL
    opts = dict(backbone=backbone, alpha=alpha, min_weight=min_weight, correction=correction)
    layout = layout_of(eco)
    data = {s: _one_session(eco.select(session=s), s, layout, opts, seed) for s in (before, after)}
    rows = _rows(layout, indicator)
    draws: dict[str, list[np.ndarray]] = {}
    cs = {s: [network_draw(data[s].n_k, r) for r in draw_rngs(s, seed, samples)] for s in data}
    keep_seeds = {s: [int(x) for x in task_seeds(seed, samples)] for s in data}
    m = [
        min(practitioners_of(data[s], cs[s][b]).size for s in data) if matched else None
        for b in range(samples)
    ]
    struct = frozenset({indicator}) if matched else frozenset()
    plain = frozenset() if matched else frozenset({indicator})
    tasks = [
        DrawTask(s, cs[s][b], keep_seeds[s][b], m[b], struct, plain)
        for s in data
        for b in range(samples)
    ]
    res = run_draws(data, tasks, workers)
    for k, s in enumerate(data):
        part = res[k * samples : (k + 1) * samples]
        draws[s] = [(v[1] if matched else v[0])[rows] for v in part]
    d = np.array(draws[after]).reshape(samples, rows.size) - np.array(draws[before]).reshape(
        samples, rows.size
    )
    if matched:
        from wpnet.inference.volume import match_volume

        mv = match_volume(eco, [before, after], draws=VOLUME_DRAWS, seed=seed,
                          indicators=[indicator], workers=workers, **opts)  # fmt: skip
        first = mv.loc[mv["session"] == before, "matched"].to_numpy()
        last = mv.loc[mv["session"] == after, "matched"].to_numpy()
    else:
        first = evaluate(data[before], which={indicator})[rows]
        last = evaluate(data[after], which={indicator})[rows]
    lo, hi, defined = _interval(d)
    out = pd.DataFrame(
        {
            "unit": [layout.keys[i][1] for i in rows],
            "group": [layout.keys[i][2] for i in rows],
            "before": first,
            "after": last,
            "change": last - first,
            "ci_low": lo,
            "ci_high": hi,
            "defined": defined,
            "bias": _of_enough(_nanmean(d) - (last - first), defined, samples)
            if samples
            else np.nan,
        }
    )
    out.attrs.update(
        measure="bootstrap_change",
        indicator=indicator,
        before=before,
        after=after,
        model="independent network bootstraps of the two sessions; b-th draw difference",
        samples=int(samples),
        seed=int(seed),
        matched=bool(matched),
        graph=describe_graph(backbone, alpha, min_weight, correction),
        backbone=backbone,
        draws=d,
    )
    return out


def _nanstd(draws: np.ndarray) -> np.ndarray:
    """The standard deviation (ddof 1) of each column's finite draws; NaN with fewer
    than two (without numpy's warning)."""
    out = np.full(draws.shape[1], np.nan)
    ok = np.isfinite(draws).sum(axis=0) > 1
    if ok.any():
        out[ok] = np.nanstd(draws[:, ok], axis=0, ddof=1)
    return out
