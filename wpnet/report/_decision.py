"""One decision for each value the report publishes in several tables.

:class:`Published` is what the report's tables hide, cell by cell (the headlines,
theme cards and alt texts consult it); :func:`one_decision` hides the partnership's
values of a session in every table that prints them where any table hides them
(re-exported by :mod:`wpnet.report.disclosure`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["NOTHING_PUBLISHED", "SESSION_VALUES", "Published", "one_decision", "published"]


@dataclass(frozen=True)
class Published:
    """What the report's tables hide, cell by cell: the report-wide decision that every
    other number of the page (headlines, theme cards, alt texts) consults, so that a
    value hidden anywhere is printed nowhere.

    ``cells`` maps (table key, row label, column) to True where the table hides the
    cell (``"<5"`` or ``"*"``); a cell no table has is ``default`` (False for the
    report's tables; True for :data:`NOTHING_PUBLISHED`, which hides every value).
    """

    cells: dict[tuple[str, str, str], bool]
    default: bool = False

    def hidden(self, table: str, row: Any, column: str) -> bool:
        """Whether the cell of ``table`` in ``row`` (its first column's label) and
        ``column`` is hidden."""
        return self.cells.get((table, str(row), column), self.default)

    def any_hidden(self, places: Sequence[tuple[str, Any, str]]) -> bool:
        """Whether any of the cells ``places`` ((table, row, column) each) is hidden:
        the same value published in several tables."""
        return any(self.hidden(*p) for p in places)


#: No table published: every value is taken as hidden.
NOTHING_PUBLISHED = Published({}, default=True)


def published(tables: Sequence[Any]) -> Published:
    """:class:`Published` of the report's protected tables (objects with ``key`` and
    ``frame``, rows labelled by their first column).

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> t = SimpleNamespace(key="reach_authority", frame=pd.DataFrame(
    ...     {"authority": ["A", "B"], "practitioners": [40, "<5"], "coverage": [0.5, "*"]}))
    >>> p = published([t])
    >>> p.hidden("reach_authority", "A", "coverage"), p.hidden("reach_authority", "B", "coverage")
    (False, True)
    >>> p.hidden("reach_overall", "2023-24", "coverage")  # no such cell
    False
    """
    cells: dict[tuple[str, str, str], bool] = {}
    for t in tables:
        frame = t.frame
        if frame.empty:
            continue
        labels = [str(v) for v in frame.iloc[:, 0].tolist()]
        for col in frame.columns[1:]:
            for row, v in zip(labels, frame[col].tolist(), strict=True):
                gone = isinstance(v, str) and (v == "*" or v.startswith("<"))
                cells[(t.key, row, str(col))] = gone
    return Published(cells)


#: The partnership's values of a session that several tables publish: column of
#: ``reach_overall`` and ``capacity_trend`` -> the row of ``change_measures`` (its
#: ``before`` and ``after``: the compared sessions), or of ``change_flows`` (counts).
SESSION_VALUES = {
    "practitioners": ("change_flows", "practitioners"),
    "establishments": ("change_flows", "establishments"),
    "coverage": ("change_measures", "coverage"),
    "simd_q1_coverage": ("change_measures", "simd_q1_coverage"),
    "equity_ratio": ("change_measures", "equity_ratio"),
    "lead_share": ("change_measures", "lead_share"),
    "multi_network_share": ("change_measures", "multi_network_share"),
}
#: What a hidden count of the partnership's practitioners in a session row hides with
#: it: the counts that bound it and the shares and ratios over it.
_WITH_PRACTITIONERS = ("establishments", "authorities", "reached", "coverage",
                       "simd_q1_coverage", "equity_ratio", "records", "depth", "lead_share",
                       "multi_network_share")  # fmt: skip
_FLOWS = ("retained", "new", "lapsed", "retention_rate")


def one_decision(
    tables: Sequence[Any],
    *,
    session: str,
    compare_to: str | None,
    authorities: tuple[int, int] | None = None,
) -> None:
    """Give each of the partnership's values of a session one decision in every table
    that publishes it: hidden in all of them where any hides it (changed in place:
    ``"*"``).

    A value shown in one table and hidden in another is public, and its ``*`` means
    nothing; where the table that hides it did so to protect a count (its secondary
    cell), the count is protected only if the value is hidden everywhere. So the
    session's practitioners, establishments, coverage, SIMD quintile 1 coverage,
    equity ratio, and shares of leaders and of practitioners in several networks, in
    ``reach_overall``, ``capacity_trend``, ``change_flows`` and ``change_measures``
    (``before`` for ``compare_to``, ``after`` for ``session``) and the partnership row
    of ``capacity_authority`` (``session``), are hidden together; a session row whose
    practitioners are hidden hides what bounds or divides them (its establishments,
    authorities, coverage, records, depth, shares), and ``change_flows``' retained,
    new and lapsed and ``change_measures``' delta go with a hidden ``before`` or
    ``after``, to a fixed point.

    One value is shown rather than hidden: the number of authorities of ``session``
    that ``reach_overall`` hides where its practitioners are hidden, when
    ``authorities`` (the number in ``reach_overall``, the rows of the authority
    matrix) are equal: the matrix names every authority reached, whatever is hidden
    (and the map shows their establishments, a bound at least as tight).

    ``tables`` are objects with ``key`` and ``frame`` (rows labelled by their first
    column); a table or cell missing is left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace as T
    >>> overall = T(key="reach_overall", frame=pd.DataFrame(
    ...     {"session": ["s1", "s0"], "practitioners": [16, 16], "coverage": [0.3, 0.3]}))
    >>> trend = T(key="capacity_trend", frame=pd.DataFrame(
    ...     {"session": ["s0", "s1"], "practitioners": ["*", 16], "coverage": ["*", 0.3]}))
    >>> one_decision([overall, trend], session="s1", compare_to="s0")
    >>> overall.frame.to_numpy().tolist()
    [['s1', 16, 0.3], ['s0', '*', '*']]
    """
    by_key = {t.key: t for t in tables if not t.frame.empty}

    def cell(key: str, row: str, col: str) -> tuple[Any, Any, str] | None:
        t = by_key.get(key)
        if t is None or col not in t.frame.columns:
            return None
        at = np.flatnonzero(t.frame.iloc[:, 0].astype(str).to_numpy() == row)
        return (t, t.frame.index[at[0]], col) if at.size else None

    def is_hidden(c: tuple[Any, Any, str]) -> bool:
        v = c[0].frame.at[c[1], c[2]]
        return isinstance(v, str) and (v == "*" or v.startswith("<"))

    def hide(c: tuple[Any, Any, str]) -> bool:
        if is_hidden(c):
            return False
        frame = c[0].frame
        if frame[c[2]].dtype != object:
            frame[c[2]] = frame[c[2]].astype(object)
        frame.at[c[1], c[2]] = "*"
        return True

    sessions = {session: "after", **({compare_to: "before"} if compare_to else {})}
    labels = {
        key: by_key[key].frame.iloc[:, 0].astype(str).tolist()
        for key in ("reach_overall", "capacity_trend")
        if key in by_key
    }
    rows = [(key, s) for key, ss in labels.items() for s in ss]  # the session rows
    groups: list[list[tuple[Any, Any, str]]] = []
    for col, (other, row) in SESSION_VALUES.items():
        for s in sorted({*sessions, *(s for _, s in rows)}):
            places = [cell("reach_overall", s, col), cell("capacity_trend", s, col)]
            if s in sessions:
                places.append(cell(other, row, sessions[s]))
            if s == session:
                places.append(cell("capacity_authority", "partnership", col))
            groups.append([c for c in places if c is not None])
    changed = True
    while changed:
        changed = False
        for group in groups:
            if any(is_hidden(c) for c in group):
                changed |= any([hide(c) for c in group])
        for key, s in rows:
            people = cell(key, s, "practitioners")
            if people is not None and is_hidden(people):
                for col in _WITH_PRACTITIONERS:
                    c = cell(key, s, col)
                    changed |= c is not None and hide(c)
        for row in {r for _, r in SESSION_VALUES.values()}:  # a change goes with its ends
            ends = [cell("change_measures", row, w) for w in ("before", "after")]
            if any(c is not None and is_hidden(c) for c in ends):
                c = cell("change_measures", row, "delta")
                changed |= c is not None and hide(c)
        for row in ("practitioners", "establishments"):
            ends = [cell("change_flows", row, w) for w in ("before", "after")]
            if any(c is not None and is_hidden(c) for c in ends):
                for col in _FLOWS:
                    c = cell("change_flows", row, col)
                    changed |= c is not None and hide(c)
    shown = authorities is not None and authorities[0] == authorities[1]
    c = cell("reach_overall", session, "authorities")
    if shown and c is not None and is_hidden(c):
        c[0].frame.at[c[1], c[2]] = int(authorities[0])  # type: ignore[index]
