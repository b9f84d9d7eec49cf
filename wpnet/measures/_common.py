"""Helpers shared by the measure modules: the graph a measure runs on, and the
``DataFrame.attrs`` that say which graph and which scope a result came from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from wpnet.ecosystem import Ecosystem
from wpnet.errors import UsageError
from wpnet.graphs import GraphSpec, Projection, projection

__all__ = [
    "graph_for",
    "group_nunique",
    "member",
    "node_groups",
    "plain",
    "record_codes",
    "stamp",
    "tie_classes",
]

#: Values within this share of the largest magnitude are one value for ranking: sums of
#: path dependencies that are equal in exact arithmetic differ in their last bits with
#: the order of the additions (1e-15 relative on a 6,000-node ring).
TIE_RTOL = 1e-9


def graph_for(eco: Ecosystem, spec: GraphSpec) -> Projection:
    """The projection a measure runs on: the one ``spec`` names (checked when ``spec``
    was made), shared through the Ecosystem and read-only."""
    return projection(eco, **spec.keywords())


def node_groups(nodes: pd.DataFrame, name: str, *, what: str, argument: str = "group") -> pd.Series:
    """The node attribute ``name`` of a graph's nodes (``authority`` of a network node is
    its ``lead_authority``); the one rule for ``group`` (and ``by``) in every measure.

    Raises
    ------
    UsageError
        When the nodes have no such attribute (naming ``argument``, the kind of node
        ``what`` and what is allowed).

    Examples
    --------
    >>> nodes = pd.DataFrame({"lead_authority": ["Inverclyde"], "memberships": [2]})
    >>> node_groups(nodes, "authority", what="network").tolist()
    ['Inverclyde']
    """
    if name == "authority" and "authority" not in nodes and "lead_authority" in nodes:
        return nodes["lead_authority"]
    if name not in nodes.columns or name == "memberships":
        allowed = [c for c in nodes.columns if c != "memberships"]
        raise UsageError(
            f"{argument}={name!r} is not an attribute of the {what} nodes; allowed: {allowed!r}"
        )
    return nodes[name]


def plain(value: Any) -> Any:
    """A JSON-friendly Python value: numpy scalars unwrapped, containers walked."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def stamp(
    df: pd.DataFrame,
    *,
    measure: str,
    projection: Projection | None = None,
    eco: Ecosystem,
    **extra: Any,
) -> pd.DataFrame:
    """Write what a result was computed from into ``df.attrs`` and return ``df``.

    Keys: ``measure`` (its name), ``graph`` (:meth:`Projection.describe`, or
    ``"none (counts of participation records)"`` when no graph was used), ``backbone``
    (``{"method": ..., **params}``, or ``None``), ``scope`` (the Ecosystem's selection) and
    any ``extra`` keyword (``by``, ``onto``, ``group``, ``seed`` ...). Values are plain
    Python types, so ``json.dumps(df.attrs)`` works.
    """
    df.attrs["measure"] = measure
    if projection is None:
        df.attrs["graph"] = "none (counts of participation records)"
        df.attrs["backbone"] = None
    else:
        df.attrs["graph"] = projection.describe()
        df.attrs["backbone"] = (
            None
            if projection.backbone is None
            else {"method": projection.backbone, **plain(dict(projection.params))}
        )
    df.attrs["scope"] = plain(eco.scope)
    for k, v in extra.items():
        df.attrs[k] = plain(v)
    return df


def member(s: pd.Series, values: Iterable[Any]) -> np.ndarray:
    """Whether each value of ``s`` is among ``values``, as a bool array.

    ``s.isin(values)`` by a hash lookup of the distinct ``values``
    (``Index.get_indexer``), which on Arrow strings is several times faster than
    ``isin`` (that copies each string out to Python).

    Examples
    --------
    >>> member(pd.Series(["a", None, "c"], dtype="str"), {"c", "b"}).tolist()
    [False, False, True]
    """
    index = pd.Index(list(values) if isinstance(values, (set, frozenset)) else values).unique()
    return index.get_indexer(s) >= 0


def record_codes(eco: Ecosystem, column: str) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a column of ``eco.records`` (-1 where missing) and the sorted
    distinct values they stand for, remembered on the Ecosystem.

    ``reach``, ``capacity`` and ``trend`` count distinct practitioners, networks and
    establishments per unit of the same records; the codes are computed once per
    Ecosystem (:meth:`Ecosystem.derived`) and handed out read-only.

    Examples
    --------
    >>> import wpnet
    >>> codes, values = record_codes(wpnet.tiny().select(session="2022-23"), "network_id")
    >>> list(values), codes.tolist()
    (['N1', 'N2', 'N3'], [0, 0, 0, 1, 1, 0, 2])
    """

    def compute() -> tuple[np.ndarray, pd.Index]:
        codes, values = pd.factorize(eco.records[column], sort=True, use_na_sentinel=True)
        codes = np.asarray(codes, dtype=np.int64)
        codes.flags.writeable = False
        return codes, pd.Index(values)

    return eco.derived(("record_codes", column), compute)


def group_nunique(groups: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
    """Distinct non-negative ``values`` per group: ``groupby(groups)[values].nunique()``
    on integer codes (-1 = missing, left out on either side), as an int64 array of
    length ``n_groups``.

    Examples
    --------
    >>> group_nunique(np.array([0, 0, 1, 1, -1]), 3, np.array([5, 5, 2, -1, 7])).tolist()
    [1, 1, 0]
    """
    groups = np.asarray(groups, dtype=np.int64)
    values = np.asarray(values, dtype=np.int64)
    keep = (groups >= 0) & (values >= 0)
    if not keep.any():
        return np.zeros(n_groups, dtype=np.int64)
    width = int(values[keep].max()) + 1
    pairs = np.unique(groups[keep] * width + values[keep])
    return np.bincount(pairs // width, minlength=n_groups).astype(np.int64)


def tie_classes(values: np.ndarray, *, rtol: float = TIE_RTOL) -> np.ndarray:
    """The rank of each value's class of equal values, highest class 0.

    Sorted from the highest down, a value starts a new class when it is below the one
    before it by more than ``rtol`` times the largest magnitude (the scale of the
    values, so the rule holds for raw betweenness of millions as for shares). Used to
    break ties in rankings (robustness's removal order, :func:`top_brokers`) by a
    second key rather than by rounding noise. NaN values form the last class.

    Parameters
    ----------
    values : array of float
    rtol : float
        Relative tolerance, default :data:`TIE_RTOL`.

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> tie_classes(np.array([2247750.5000000033, 10.0, 2247750.500000001, 10.0]))
    array([0, 1, 0, 1])
    """
    v = np.asarray(values, dtype=np.float64)
    out = np.zeros(len(v), dtype=np.int64)
    if not len(v):
        return out
    finite = np.isfinite(v)
    scale = float(np.abs(v[finite]).max()) if finite.any() else 0.0
    order = np.argsort(-np.where(finite, v, -np.inf), kind="stable")
    sv = np.where(finite, v, -np.inf)[order]
    gaps = np.zeros(len(v), dtype=bool)
    gaps[1:] = (sv[:-1] - sv[1:]) > rtol * scale
    gaps[1:] |= np.isinf(sv[1:]) & ~np.isinf(sv[:-1])
    out[order] = np.cumsum(gaps)
    return out
