"""One decision for each value the report publishes in several tables.

:class:`Published` is what the report's tables hide, cell by cell (the headlines,
theme cards and alt texts consult it); :func:`one_decision` hides the partnership's
values of a session in every table that prints them where any table hides them
(re-exported by :mod:`wpnet.report.disclosure`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "NOTHING_PUBLISHED",
    "REFLECTION_VALUES",
    "SESSION_VALUES",
    "Published",
    "one_decision",
    "published",
    "reflection_label",
]


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

    def hidden_rows(self, table: str, column: str) -> list[str]:
        """The labels of the rows of ``table`` whose ``column`` is hidden."""
        return [r for (t, r, c), h in self.cells.items() if h and t == table and c == column]

    def hidden_evaluation_rows(self) -> set[tuple[str, ...]]:
        """(indicator, unit, group, session) of the evaluation's rows whose value the
        table ``reflections`` hides (:func:`reflection_label`)."""
        return {tuple(r.split(SEPARATOR)) for r in self.hidden_rows("reflections", "value")}

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
        if t.key == "reflections":
            key = frame[["indicator", "unit", "group", "session"]].astype(str).to_numpy()
            labels = [reflection_label(*k) for k in key.tolist()]
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
#: A session's values computed over its practitioners and the establishments they
#: reach (the graph's and the levels' measures): with fewer than ``min_cell``
#: practitioners each pins them (a level evenness of 0.5646 is 3 people at 3 of 7
#: levels; a largest component share of 1/3, 3 establishments), so they go with a
#: hidden count of practitioners, in the session rows, in ``change_measures`` and in
#: the partnership row of ``capacity_authority``.
_OVER_PRACTITIONERS = ("cross_authority_share", "ei_index", "level_evenness", "density",
                       "largest_component_share", "spanning_communities_share", "nodes",
                       "ties", "communities", "modularity")  # fmt: skip
_FLOWS = ("retained", "new", "lapsed", "retention_rate")
#: The evaluation's rows (``reflections``, unit ``partnership``) that print the
#: partnership's values of a session: column of the session tables -> (indicator,
#: group, column) of each such row (a share's n is the session's practitioners, the
#: largest component's its establishments reached).
REFLECTION_VALUES = {
    "practitioners": (("lead_share", "", "n"), ("multi_network_share", "", "n")),
    "establishments": (("largest_component_share", "", "n"),),
    "coverage": (("coverage", "", "value"),),
    "simd_q1_coverage": (("simd_coverage", "SIMD 1", "value"),),
    "lead_share": (("lead_share", "", "value"),),
    "multi_network_share": (("multi_network_share", "", "value"),),
}
#: The evaluation's coverage rows (indicator, group) whose authorities' rows add up to
#: the partnership's.
_COVERAGE = (("coverage", ""), ("simd_coverage", "SIMD 1"))
#: Between the parts of an evaluation row's label (:func:`reflection_label`).
SEPARATOR = "\x1f"
#: An evaluation row's columns hidden with its value, and its change's.
_VALUE_COLUMNS = ("value", "expected", "excess", "ci_low", "ci_high", "matched")
_CHANGE_COLUMNS = ("value_from", "value_to", "change", "ci_low", "ci_high")


def _number(v: Any) -> bool:
    """Whether a cell shows a number (not hidden, not missing)."""
    if isinstance(v, str):
        return False
    try:
        return not math.isnan(float(v))
    except (TypeError, ValueError):
        return False


def reflection_label(indicator: str, unit: str, group: str, session: str) -> str:
    """The row label :class:`Published` gives a row of the evaluation's table
    (``reflections``), whose first column (the theme) names no row.

    Examples
    --------
    >>> reflection_label("coverage", "partnership", "", "2023-24").split(SEPARATOR)
    ['coverage', 'partnership', '', '2023-24']
    """
    return SEPARATOR.join((indicator, unit, group, session))


def _key(row: Any) -> tuple[str, str, str, str]:
    return tuple(str(row[c]) for c in ("indicator", "unit", "group", "session"))  # type: ignore[return-value]


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
    ``after``, to a fixed point. The evaluation's partnership rows (``reflections``)
    that print the same values get the same decision (:data:`REFLECTION_VALUES`: the
    n of ``lead_share`` and ``multi_network_share``, the session's practitioners; the
    n of ``largest_component_share``, its establishments; the values of ``coverage``,
    ``simd_coverage`` SIMD 1, ``lead_share`` and ``multi_network_share``), as does
    ``reach_simd``'s quintile 1 coverage in ``session``; a hidden evaluation value
    hides its interval, expected and matched values, the change of its row where the
    session is either end (``reflections_change``) and, for SIMD 1, the SIMD 1 − SIMD 5
    gap, and the partnership's coverage (of quintile 1) the authorities' in the same
    session (they add up to it: value × n, the eligible establishments), in
    ``reach_authority`` too in ``session`` (with their reached establishments and
    equity ratios); a session row
    whose SIMD quintile 1 coverage is hidden hides its equity ratio (quintile 1's
    coverage over the partnership's).

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
    refl = by_key.get("reflections")
    rlabels = (
        []
        if refl is None
        else [
            reflection_label(*k)
            for k in refl.frame[["indicator", "unit", "group", "session"]]
            .astype(str)
            .to_numpy()
            .tolist()
        ]
    )

    def cell(key: str, row: str, col: str) -> tuple[Any, Any, str] | None:
        t = by_key.get(key)
        if t is None or col not in t.frame.columns:
            return None
        names = rlabels if key == "reflections" else t.frame.iloc[:, 0].astype(str).tolist()
        at = np.flatnonzero(np.asarray(names, dtype=object) == row)
        return (t, t.frame.index[at[0]], col) if at.size else None

    def rcell(indicator: str, group: str, col: str, s: str) -> tuple[Any, Any, str] | None:
        return cell("reflections", reflection_label(indicator, "partnership", group, s), col)

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
        if c[0].key == "reflections" and c[2] == "value":
            hide_reflection(c)
        return True

    def hide_reflection(c: tuple[Any, Any, str]) -> None:
        """An evaluation row's value goes with its interval, expected and matched
        values, its change (either end) and, for SIMD quintile 1, the gap; the
        partnership's coverage with the authorities' (:func:`with_authorities`)."""
        row = c[0].frame.loc[c[1]]
        for col in _VALUE_COLUMNS:
            other = cell("reflections", reflection_label(*_key(row)), col)
            if other is not None:
                hide(other)
        if "no_interval" in c[0].frame.columns:
            c[0].frame.at[c[1], "no_interval"] = ""
        ch = by_key.get("reflections_change")
        if ch is not None:
            f = ch.frame
            at = (f["indicator"].astype(str) == str(row["indicator"])) & (
                f["unit"].astype(str) == str(row["unit"])
            )
            at &= f["group"].astype(str) == str(row["group"])
            at &= (f["from"].astype(str) == str(row["session"])) | (
                f["to"].astype(str) == str(row["session"])
            )
            for i in f.index[at.to_numpy()]:
                for col in (x for x in _CHANGE_COLUMNS if x in f.columns):
                    hide((ch, i, col))
                if "no_interval" in f.columns:
                    f.at[i, "no_interval"] = ""
        indicator, unit, group, s = _key(row)
        if group == "SIMD 1":  # the gap, with SIMD 5 shown, gives it
            gap = cell("reflections", reflection_label(indicator, unit, "SIMD 1 − SIMD 5", s),
                       "value")  # fmt: skip
            if gap is not None:
                hide(gap)
        with_authorities(c)

    def with_authorities(c: tuple[Any, Any, str]) -> bool:
        """The authorities' coverage (× their eligible n) adds up to the partnership's:
        hidden with it (in ``reach_authority`` too in ``session``); whether any was
        shown."""
        indicator, unit, group, s = _key(c[0].frame.loc[c[1]])
        if unit != "partnership" or (indicator, group) not in _COVERAGE:
            return False
        f = c[0].frame
        at = (f["indicator"].astype(str) == indicator) & (f["group"].astype(str) == group)
        at &= f["session"].astype(str) == s
        changed = any([hide((c[0], i, "value")) for i in f.index[at.to_numpy()]])
        ra = by_key.get("reach_authority")
        if s == session and ra is not None:  # the same values, and what gives them
            cols = ("simd_q1_coverage",) if group else ("coverage", "reached")
            for col in (x for x in (*cols, "equity_ratio") if x in ra.frame.columns):
                changed |= any([hide((ra, i, col)) for i in ra.frame.index])
        return changed

    def _hide_session_measures(s: str) -> bool:
        """A session whose practitioners are hidden: its measures in ``change_measures``
        (its end), the evaluation's partnership rows of the session (with their
        intervals and changes) and, for ``session``, every value of the partnership row
        of ``capacity_authority``; whether any was shown."""
        done = False
        if s in sessions:
            for col in _OVER_PRACTITIONERS:
                c = cell("change_measures", col, sessions[s])
                done |= c is not None and hide(c)
        if refl is not None:  # the evaluation's partnership rows of the session
            f = refl.frame
            at = (f["unit"].astype(str) == "partnership") & (f["session"].astype(str) == s)
            for i in f.index[at.to_numpy()]:
                v = f.at[i, "value"]
                if _number(v) and float(v) != 0:  # a * never hides a zero (SECURITY.md)
                    done |= hide((refl, i, "value"))
        ca = by_key.get("capacity_authority")
        if s == session and ca is not None:
            for col in ca.frame.columns[1:]:
                c = cell("capacity_authority", "partnership", col)
                done |= c is not None and hide(c)
        return done

    sessions = {session: "after", **({compare_to: "before"} if compare_to else {})}
    labels = {
        key: by_key[key].frame.iloc[:, 0].astype(str).tolist()
        for key in ("reach_overall", "capacity_trend")
        if key in by_key
    }
    rows = [(key, s) for key, ss in labels.items() for s in ss]  # the session rows
    in_refl = set() if refl is None else set(refl.frame["session"].astype(str))
    groups: list[list[tuple[Any, Any, str]]] = []
    for col, (other, row) in SESSION_VALUES.items():
        for s in sorted({*sessions, *(s for _, s in rows), *in_refl}):
            places = [cell("reach_overall", s, col), cell("capacity_trend", s, col)]
            if s in sessions:
                places.append(cell(other, row, sessions[s]))
            if s == session:
                places.append(cell("capacity_authority", "partnership", col))
            places += [rcell(*where, s) for where in REFLECTION_VALUES.get(col, ())]
            if s == session and col == "simd_q1_coverage":  # quintile 1's coverage
                places += [cell("reach_simd", "1", c) for c in ("coverage", col)]
            groups.append([c for c in places if c is not None])
    changed = True
    while changed:
        changed = False
        for group in groups:
            if any(is_hidden(c) for c in group):
                changed |= any([hide(c) for c in group])
            for c in group:  # hidden by the evaluation's own rule
                if c[0].key == "reflections" and is_hidden(c):
                    changed |= with_authorities(c)
        for key, s in rows:
            people = cell(key, s, "practitioners")
            if people is not None and is_hidden(people):
                for col in (*_WITH_PRACTITIONERS, *_OVER_PRACTITIONERS):
                    c = cell(key, s, col)
                    changed |= c is not None and hide(c)
                changed |= _hide_session_measures(s)
            q1 = cell(key, s, "simd_q1_coverage")  # the equity ratio × coverage gives it
            if q1 is not None and is_hidden(q1):
                c = cell(key, s, "equity_ratio")
                changed |= c is not None and hide(c)
        measures = {r for _, r in SESSION_VALUES.values()} | set(_OVER_PRACTITIONERS)
        for row in measures:  # a change goes with its ends
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
