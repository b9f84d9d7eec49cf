"""Change: two sessions side by side, and one row per session (MEASURES.md, "Change")."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import WrongType
from wpnet.measures._common import plain, stamp
from wpnet.measures.capacity import CAPACITY_COLUMNS, capacity
from wpnet.measures.reach import REACH_COLUMNS, reach, reach_table

__all__ = ["MEASURE_ROWS", "Change", "change", "trend"]

log = logging.getLogger(__name__)

#: Rows of :attr:`Change.measures`: reach's columns, then capacity's (``lead_share``,
#: defined identically in both, once).
MEASURE_ROWS = REACH_COLUMNS + tuple(c for c in CAPACITY_COLUMNS if c not in REACH_COLUMNS)


@dataclass(frozen=True, eq=False)
class Change:
    """Two sessions (or pooled lists of sessions) compared; made by :func:`change`.

    Attributes
    ----------
    before, after : str or list of str
        The sessions compared.
    flows : DataFrame
        Index ``practitioners``, ``establishments``; columns ``before``, ``after``,
        ``retained``, ``new``, ``lapsed`` (int64) and ``retention_rate`` (float64).
    measures : DataFrame
        Index: every column of ``reach(by=None)`` and ``capacity(by=None)``; columns
        ``before``, ``after``, ``delta``, ``pct_change`` (float64).
    """

    before: str | list[str]
    after: str | list[str]
    flows: pd.DataFrame
    measures: pd.DataFrame

    def __repr__(self) -> str:
        return f"<Change {_label(self.before)} -> {_label(self.after)}>"

    def _repr_html_(self) -> str:
        head = html.escape(f"Change from {_label(self.before)} to {_label(self.after)}")
        return (
            f"<div><p><b>{head}</b></p><p>Flows</p>{self.flows.to_html(border=0)}"
            f"<p>Measures</p>{self.measures.to_html(border=0, float_format='{:.3f}'.format)}"
            "</div>"
        )


def change(
    eco: Ecosystem,
    *,
    before: str | Sequence[str],
    after: str | Sequence[str],
    onto: str = "establishment",
    group: str = "authority",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    seed: int = 0,
) -> Change:
    """Compare two sessions: who stayed, who joined, who lapsed, and every measure.

    With S_b and S_a the practitioners (or establishments) with a record in ``before``
    and in ``after``: retained = |S_b ∩ S_a|, new = |S_a \\ S_b|, lapsed = |S_b \\ S_a|,
    ``retention_rate`` = retained / |S_b|. For each measure x:
    ``delta`` = x_after − x_before and ``pct_change`` = delta / |x_before|.

    Parameters
    ----------
    eco : Ecosystem
    before, after : str or list of str
        A session (``"2021-22"``) or a list of sessions, pooled.
    onto, group, backbone, alpha, min_weight, correction, seed
        Passed to :func:`wpnet.capacity` for both sides.

    Returns
    -------
    Change
        ``.flows``: index ``practitioners``, ``establishments``; columns ``before``,
        ``after`` (distinct units with a record; establishments as records are
        attributed, central teams included), ``retained``, ``new``, ``lapsed`` (int64),
        ``retention_rate`` (float64, NaN where ``before`` is 0).
        ``.measures``: index every ``reach(by=None)`` and ``capacity(by=None)`` column
        (:data:`MEASURE_ROWS`); columns ``before``, ``after``, ``delta`` (after − before)
        and ``pct_change`` (delta / |before|, a fraction whose sign is the direction of
        change, so that it reads right for the negative E-I index; NaN where before is 0
        or NaN), all float64. Both frames' ``attrs`` name the scope and graphs.

    Raises
    ------
    WrongType
        When ``eco`` is not an Ecosystem, or a session is neither a string nor a list.
    UsageError
        For a session not in the data, or an unknown capacity option.

    Examples
    --------
    >>> import wpnet
    >>> ch = change(wpnet.tiny(), before="2021-22", after="2022-23")
    >>> ch.flows.loc["establishments", ["retained", "new", "lapsed"]].tolist()
    [2, 3, 1]
    """
    opts: dict[str, Any] = dict(
        onto=onto,
        group=group,
        backbone=backbone,
        alpha=alpha,
        min_weight=min_weight,
        correction=correction,
        seed=seed,
    )
    expect_ecosystem(eco, "change")
    sides = {"before": before, "after": after}
    ecos = {k: eco.select(session=_sessions(k, v)) for k, v in sides.items()}
    flows = _flows(ecos["before"].records, ecos["after"].records)
    values: dict[str, pd.Series] = {}
    graphs: dict[str, str] = {}
    for k, e in ecos.items():
        r = reach(e).loc["all"]
        c = capacity(e, **opts)
        graphs[f"graph_{k}"] = c.attrs["graph"]
        values[k] = pd.concat([r, c.loc["all"].drop(labels=list(REACH_COLUMNS), errors="ignore")])
    b = values["before"].reindex(list(MEASURE_ROWS)).to_numpy(dtype=np.float64)
    a = values["after"].reindex(list(MEASURE_ROWS)).to_numpy(dtype=np.float64)
    delta = a - b
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = delta / np.abs(b)
    pct[~(np.abs(b) > 0)] = np.nan
    measures = pd.DataFrame(
        {"before": b, "after": a, "delta": delta, "pct_change": pct},
        index=pd.Index(list(MEASURE_ROWS), name="measure"),
    )
    for frame, name in ((flows, "change.flows"), (measures, "change.measures")):
        stamp(
            frame,
            measure=name,
            eco=eco,
            before=before,
            after=after,
            onto=onto,
            group=group,
            seed=seed,
            **graphs,
        )
    measures.attrs["graph"] = f"before: {graphs['graph_before']}; after: {graphs['graph_after']}"
    measures.attrs["backbone"] = c.attrs["backbone"]
    return Change(plain(before), plain(after), flows, measures)


def trend(
    eco: Ecosystem,
    *,
    onto: str = "establishment",
    group: str = "authority",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    seed: int = 0,
) -> pd.DataFrame:
    """Reach and collective capacity of each session, in order.

    ``capacity(eco, by="session", ...)`` joined with ``reach`` of each session.

    Parameters
    ----------
    eco : Ecosystem
    onto, group, backbone, alpha, min_weight, correction, seed
        Passed to :func:`wpnet.capacity`.

    Returns
    -------
    DataFrame
        Index ``session`` (every session with records, in order); columns
        :data:`MEASURE_ROWS`: those of :func:`wpnet.reach` (eligible = the whole
        register in scope) then those of :func:`wpnet.capacity` (each session's own
        projection), ``lead_share`` once.

    Raises
    ------
    WrongType
        When ``eco`` is not an Ecosystem.
    UsageError
        For an unknown capacity option.

    Examples
    --------
    >>> import wpnet
    >>> t = trend(wpnet.tiny())
    >>> t[["practitioners", "coverage", "ties"]].values.tolist()
    [[3.0, 0.5, 1.0], [7.0, 0.6666666666666666, 4.0]]
    """
    expect_ecosystem(eco, "trend")
    c = capacity(
        eco,
        by="session",
        onto=onto,
        group=group,
        backbone=backbone,
        alpha=alpha,
        min_weight=min_weight,
        correction=correction,
        seed=seed,
    )
    r = reach_table(eco, "session").reindex(c.index)
    out = r.join(c.drop(columns=[x for x in REACH_COLUMNS if x in c.columns]))
    out = out[list(MEASURE_ROWS)]
    out.index.name = "session"
    stamp(out, measure="trend", eco=eco, onto=onto, group=group, seed=seed)
    for k in ("graph", "graphs", "backbone"):
        out.attrs[k] = c.attrs.get(k)
    return out


def _sessions(name: str, value: str | Sequence[str]) -> str | list[str]:
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence) and value and all(isinstance(v, str) for v in value):
        return list(value)
    raise WrongType(f"{name} must be a session such as '2022-23' or a list of them; got {value!r}")


def _flows(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    rows = {}
    for name, col in (("practitioners", "practitioner_id"), ("establishments", "establishment_id")):
        b = set(before[col].dropna().unique())
        a = set(after[col].dropna().unique())
        rows[name] = (len(b), len(a), len(a & b), len(a - b), len(b - a))
    out = pd.DataFrame.from_dict(
        rows, orient="index", columns=["before", "after", "retained", "new", "lapsed"]
    ).astype(np.int64)
    out.index.name = "unit"
    bef = out["before"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = out["retained"].to_numpy(dtype=np.float64) / bef
    rate[bef == 0] = np.nan
    out["retention_rate"] = rate
    return out


def _label(v: str | list[str]) -> str:
    return v if isinstance(v, str) else " + ".join(v)
