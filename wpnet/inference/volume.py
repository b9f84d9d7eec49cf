"""Volume matching (INFERENCE.md §6): structural indicators compared at one number of
practitioners."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wpnet._parallel import task_seeds
from wpnet.ecosystem import Ecosystem
from wpnet.inference._draws import DrawTask, run_draws
from wpnet.inference._indicators import (
    STRUCTURAL,
    check_options,
    describe_graph,
    layout_of,
    prepare,
)

__all__ = ["match_volume"]


def match_volume(
    eco: Ecosystem,
    sessions: Sequence[str] | None = None,
    *,
    practitioners: int | None = None,
    draws: int = 20,
    seed: int = 0,
    indicators: Sequence[str] = STRUCTURAL,
    workers: int | None = None,
    backbone: str | None = "sdsm",
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
) -> pd.DataFrame:
    """Structural indicators of each session at a common number of practitioners.

    Each session is subsampled to m practitioners, drawn without replacement with all
    their records (INFERENCE.md §6); m defaults to the smallest participating
    practitioner count among ``sessions``. A session with m practitioners or fewer is
    taken whole. The value is the mean over ``draws`` subsamples, with their 2.5 and
    97.5 percentiles; ``observed`` is the indicator on the whole session.

    Parameters
    ----------
    eco : Ecosystem
    sessions : sequence of str, optional
        Default every session of ``eco``.
    practitioners : int, optional
        m; default the smallest count among ``sessions``.
    draws : int
        Subsamples R per session (default 20).
    seed : int
        Seed of the subsamples (task ``r`` of session ``i`` uses the seed
        :func:`wpnet._parallel.task_seeds` gives it) and of Leiden.
    indicators : sequence of str
        Default :data:`~wpnet.inference._indicators.STRUCTURAL`
        (``largest_component_share``, ``robustness``, ``spanning_communities_share``); any name of
        :data:`wpnet.inference.bootstrap.INDICATOR_NAMES` is accepted.
    workers : int, optional
        Processes; results do not depend on it.
    backbone, alpha, min_weight, correction
        The graph (:func:`wpnet.project`).

    Returns
    -------
    DataFrame
        One row per session, indicator, unit and group: ``practitioners`` (the
        session's count), ``m``, ``observed``, ``matched`` (mean over draws), ``low``,
        ``high`` (2.5 and 97.5 percentiles). ``attrs``: ``model``, ``samples`` (=
        ``draws``), ``seed``, ``graph``, ``backbone``, ``m``.

    Examples
    --------
    >>> import wpnet
    >>> t = match_volume(wpnet.tiny(), draws=5, backbone=None, workers=1)
    >>> t[["session", "practitioners", "m"]].drop_duplicates().values.tolist()
    [['2021-22', 3, 3], ['2022-23', 7, 3]]
    """
    from wpnet.inference._indicators import INDICATOR_NAMES, evaluate, practitioners_of

    sessions = list(eco.sessions if sessions is None else sessions)
    unknown = [s for s in sessions if s not in eco.sessions]
    if unknown or not sessions:
        raise ValueError(
            f"sessions {unknown or sessions!r} are not sessions of the data {eco.sessions}"
        )
    bad = [i for i in indicators if i not in INDICATOR_NAMES]
    if bad:
        raise ValueError(f"indicators {bad!r} unknown; choose from {INDICATOR_NAMES}")
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise ValueError(f"draws must be a whole number >= 1; got {draws!r}")
    check_options(draws, backbone, alpha, correction)
    opts = dict(backbone=backbone, alpha=alpha, min_weight=min_weight, correction=correction)
    layout = layout_of(eco)
    data = {
        s: prepare(eco.select(session=s), eco, label=s, layout=layout, seed=seed, **opts)
        for s in sessions
    }
    counts = {
        s: int(practitioners_of(d, np.ones(d.n_k, dtype=np.int64)).size) for s, d in data.items()
    }
    m = min(counts.values()) if practitioners is None else int(practitioners)
    if m < 1:
        raise ValueError(f"practitioners must be at least 1; got {practitioners!r}")
    which = frozenset(indicators)
    seeds = task_seeds(seed, len(sessions) * draws)
    tasks = [
        DrawTask(
            s, np.ones(data[s].n_k, dtype=np.int64), seeds[i * draws + r], m, which, frozenset()
        )  # fmt: skip
        for i, s in enumerate(sessions)
        for r in range(draws)
    ]
    res = run_draws(data, tasks, workers)
    rows = layout.positions(set(indicators))
    frames = []
    for i, s in enumerate(sessions):
        vals = np.array([res[i * draws + r][1][rows] for r in range(draws)])
        obs = evaluate(data[s], which=set(indicators))[rows]
        frames.append(
            pd.DataFrame(
                {
                    "session": s,
                    "indicator": [layout.keys[k][0] for k in rows],
                    "unit": [layout.keys[k][1] for k in rows],
                    "group": [layout.keys[k][2] for k in rows],
                    "practitioners": counts[s],
                    "m": min(m, counts[s]),
                    "observed": obs,
                    "matched": vals.mean(axis=0),
                    "low": np.percentile(vals, 2.5, axis=0),
                    "high": np.percentile(vals, 97.5, axis=0),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.attrs.update(
        measure="match_volume",
        model="practitioners subsampled without replacement with all their records",
        samples=int(draws),
        seed=int(seed),
        m=int(m),
        graph=describe_graph(backbone, alpha, min_weight, correction).replace(
            "each draw", "each subsample"
        ),
        backbone=backbone,
    )
    return out
