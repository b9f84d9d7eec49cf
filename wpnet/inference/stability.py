"""``tie_stability``: did the same ties last between two sessions? (INFERENCE.md §4)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import UsageError, check_choice
from wpnet.graphs import GraphSpec, Projection
from wpnet.measures._common import graph_for, plain, stamp

__all__ = ["NODES", "STABILITY_COLUMNS", "tie_stability"]

#: Which units :func:`tie_stability` compares: those in both sessions, or all.
NODES = ("both", "union")
#: Columns of :func:`tie_stability`, in order.
STABILITY_COLUMNS = (
    "before_ties",
    "after_ties",
    "retained",
    "lapsed",
    "new",
    "jaccard",
    "hamming",
    "retention",
)
_INT = ("before_ties", "after_ties", "retained", "lapsed", "new", "hamming")


def _sessions(name: str, value: str | Sequence[str], known: list[str]) -> list[str]:
    if isinstance(value, str):
        value = [value]
    elif not (isinstance(value, Sequence) and value and all(isinstance(v, str) for v in value)):
        raise UsageError(
            f"{name} must be a session such as '2022-23' or a list of them; got {value!r}"
        )
    missing = [v for v in value if v not in known]
    if missing:
        raise UsageError(f"{name}: {missing!r} not among the sessions {known!r}")
    return list(value)


def _tie_set(p: Projection) -> pd.DataFrame:
    """Ties as (u, v) id pairs with u < v (as strings)."""
    e = p.edges()
    u, v = e["u"].astype(str).to_numpy(), e["v"].astype(str).to_numpy()
    return pd.DataFrame({"u": np.minimum(u, v), "v": np.maximum(u, v)})


def _row(n11: int, n10: int, n01: int) -> dict:
    union = n11 + n10 + n01
    return {
        "before_ties": n11 + n10,
        "after_ties": n11 + n01,
        "retained": n11,
        "lapsed": n10,
        "new": n01,
        "jaccard": n11 / union if union else math.nan,
        "hamming": n10 + n01,
        "retention": n11 / (n11 + n10) if n11 + n10 else math.nan,
    }


def tie_stability(
    eco: Ecosystem,
    before: str | Sequence[str],
    after: str | Sequence[str],
    *,
    onto: str = "establishment",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    nodes: str = "both",
    by: str | None = None,
) -> pd.DataFrame:
    """The tie-change table between two sessions' graphs.

    The graphs of ``before`` and ``after`` are built with the same ``onto`` and
    backbone arguments. ``nodes="both"`` keeps only the units reached in both sessions
    (so a school that stopped taking part does not count as lapsed ties);
    ``"union"`` keeps all. With N11 the ties in both graphs, N10 before only and N01
    after only:

    - ``jaccard`` = N11 / (N11 + N10 + N01);
    - ``hamming`` = N10 + N01 (tie changes);
    - ``retention`` = N11 / (N11 + N10).

    RSiena's manual advises Jaccard ≥ 0.3 between consecutive waves before fitting a
    stochastic actor-oriented model.

    Parameters
    ----------
    eco : Ecosystem
    before, after : str or list of str
        A session, or a list of sessions pooled.
    onto, backbone, alpha, min_weight, correction
        The graph options of both graphs (:class:`wpnet.graphs.GraphSpec`): the projection
        (:func:`wpnet.graphs.projection`) and its backbone (:mod:`wpnet.backbones`).
    nodes : {"both", "union"}
    by : str, optional
        A node attribute (``authority``, ``sector`` ...): one row per value, counting
        the ties with at least one end having it (a tie between two authorities counts
        for both). A node's value is taken from the ``after`` graph, else ``before``.

    Returns
    -------
    DataFrame
        Index ``scope`` (``"all"``) or the ``by`` values; columns ``before_ties``,
        ``after_ties``, ``retained`` (N11), ``lapsed`` (N10), ``new`` (N01),
        ``hamming`` (int64), ``jaccard``, ``retention`` (float64, NaN when the
        denominator is 0). ``attrs``: ``measure``, ``graph`` (both graphs),
        ``backbone``, ``scope``, ``before``, ``after``, ``nodes``, ``onto``, ``by``,
        ``units`` (nodes compared).

    References
    ----------
    Ripley, Snijders, Boda, Vörös & Preciado, Manual for RSiena (tie-change table and
    Jaccard index between waves); Snijders, van de Bunt & Steglich (2010), Social
    Networks 32.

    Examples
    --------
    >>> import wpnet
    >>> t = tie_stability(wpnet.tiny(), "2021-22", "2022-23", nodes="union")
    >>> t.loc["all", ["before_ties", "after_ties", "retained", "lapsed", "new"]].tolist()
    [1, 4, 0, 1, 4]
    """
    expect_ecosystem(eco, "tie_stability")
    spec = GraphSpec(onto, backbone, alpha, min_weight, correction)
    check_choice("nodes", nodes, NODES)
    known = eco.sessions
    b_s = _sessions("before", before, known)
    a_s = _sessions("after", after, known)
    pb = graph_for(eco.select(session=b_s), spec)
    pa = graph_for(eco.select(session=a_s), spec)
    tb, ta = _tie_set(pb), _tie_set(pa)
    ids_b = set(pb.nodes.index.astype(str))
    ids_a = set(pa.nodes.index.astype(str))
    units = ids_a & ids_b if nodes == "both" else ids_a | ids_b
    if nodes == "both":
        tb = tb[tb["u"].isin(units) & tb["v"].isin(units)]
        ta = ta[ta["u"].isin(units) & ta["v"].isin(units)]
    both = tb.merge(ta, on=["u", "v"], how="outer", indicator=True)
    n11 = both["_merge"].eq("both").to_numpy()
    n10 = both["_merge"].eq("left_only").to_numpy()
    n01 = both["_merge"].eq("right_only").to_numpy()
    if by is None:
        rows = [_row(int(n11.sum()), int(n10.sum()), int(n01.sum()))]
        index = pd.Index(["all"], name="scope", dtype="str")
    else:
        attr = _attribute(pb, pa, by)
        gu = both["u"].map(attr).to_numpy(dtype=object)
        gv = both["v"].map(attr).to_numpy(dtype=object)
        values = sorted({x for x in attr[attr.index.isin(list(units))].dropna().tolist()}, key=str)
        rows = []
        for g in values:
            touch = (gu == g) | (gv == g)
            rows.append(
                _row(int((touch & n11).sum()), int((touch & n10).sum()), int((touch & n01).sum()))
            )
        index = pd.Index([str(v) for v in values], name=by, dtype="str")
    out = pd.DataFrame(rows, index=index, columns=list(STABILITY_COLUMNS))
    for c in STABILITY_COLUMNS:
        out[c] = out[c].astype(np.int64 if c in _INT else np.float64)
    stamp(out, measure="tie_stability", projection=pa, eco=eco)
    out.attrs["graph"] = {"before": pb.describe(), "after": pa.describe()}
    out.attrs.update(
        plain(
            {
                "before": b_s if len(b_s) > 1 else b_s[0],
                "after": a_s if len(a_s) > 1 else a_s[0],
                "nodes": nodes,
                "onto": onto,
                "by": by,
                "units": len(units),
            }
        )
    )
    return out


def _attribute(pb: Projection, pa: Projection, by: str) -> pd.Series:
    """A node attribute by id, from the after graph where it has the node."""
    if by == "memberships" or (by not in pa.nodes.columns and by not in pb.nodes.columns):
        allowed = [c for c in pa.nodes.columns if c != "memberships"]
        raise UsageError(f"by={by!r} is not an attribute of the nodes; allowed: {allowed!r}")
    sb = pb.nodes[by].copy() if by in pb.nodes.columns else pd.Series(dtype=object)
    sa = pa.nodes[by].copy() if by in pa.nodes.columns else pd.Series(dtype=object)
    sb.index = sb.index.astype(str)
    sa.index = sa.index.astype(str)
    sb = sb.astype(object).where(sb.notna(), None)
    sa = sa.astype(object).where(sa.notna(), None)
    out = pd.concat([sa, sb[~sb.index.isin(sa.index)]])
    return out
