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

__all__ = ["distinct_codes", "graph_for", "member", "node_groups", "plain", "stamp"]


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


def distinct_codes(s: pd.Series) -> np.ndarray:
    """Integer codes of ``s`` as float64, NaN where missing, for fast distinct counts.

    ``groupby(...).nunique()`` on these counts what it would on the values, without
    copying strings out of Arrow.

    Examples
    --------
    >>> distinct_codes(pd.Series(["b", None, "a", "b"])).tolist()
    [0.0, nan, 1.0, 0.0]
    """
    codes = pd.factorize(s, use_na_sentinel=True)[0].astype(np.float64)
    codes[codes < 0] = np.nan
    return codes


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
