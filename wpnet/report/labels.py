"""One table of human labels for every column the report publishes, with units and kinds.

Every published table (the report's HTML, ``tables.xlsx`` and notebook displays of the
report's tables) names its columns through :data:`COLUMNS`: a column's *label* (what a
reader sees), its *unit* and its *kind*, which fixes how its values are shown:

========  ====================================  ==============  ==================
kind      meaning                               HTML / display  XLSX number format
========  ====================================  ==============  ==================
count     a whole number of units               ``1,234``       ``#,##0``
share     a proportion in [0, 1]                ``45.2%``       ``0.0%``
ratio     a ratio of two quantities             ``0.97``        ``0.00``
index     a statistic (index, z, p, density)    ``0.553``       ``0.000``
text      a name or category                    as it is        text
========  ====================================  ==============  ==================

The CSV files keep the machine names (``simd_q1_coverage``): they are data for
programs; the label table is the key between the two. A column not in :data:`COLUMNS`
is shown under its own name with underscores as spaces (and kind ``text`` unless the
table says otherwise): :func:`column` never guesses a unit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = [
    "VALUE_LABELS",
    "value_label",
    "CHANGE_FORMATS",
    "COLUMNS",
    "FORMATS",
    "KINDS",
    "XLSX_FORMATS",
    "Column",
    "column",
    "format_value",
    "header",
    "kind_of",
    "styled",
]

#: The kinds of value a column may hold.
KINDS = ("count", "share", "ratio", "index", "p", "text")
#: kind -> the report's format name (see :func:`format_value`).
FORMATS = {
    "count": "int",
    "share": "pct",
    "ratio": "num2",
    "index": "num3",
    "p": "pval",
    "text": "text",
}
#: kind -> format of a *difference* of two values of that kind (a change of a share is
#: in percentage points).
CHANGE_FORMATS = {
    "count": "dint",
    "share": "pp",
    "ratio": "dnum2",
    "index": "dnum3",
    "p": "dnum3",
    "text": "text",
}
#: report format name -> Excel number format.
XLSX_FORMATS = {
    "int": "#,##0",
    "pct": "0.0%",
    "num2": "0.00",
    "num3": "0.000",
    "pval": "0.0000",
    "dint": "+#,##0;-#,##0;0",
    "pp": "+0.0%;-0.0%;0.0%",
    "dnum2": "+0.00;-0.00;0.00",
    "dnum3": "+0.000;-0.000;0.000",
    "text": "@",
}


@dataclass(frozen=True)
class Column:
    """A column's label (as read), unit (shown after the label) and kind."""

    label: str
    unit: str = ""
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}; got {self.kind!r}")


def _c(label: str, unit: str = "", kind: str = "text") -> Column:
    return Column(label, unit, kind)


_ROLES = {
    "coordinator": "coordinator",
    "itinerant": "itinerant",
    "representative": "representative",
    "gatekeeper": "gatekeeper",
    "liaison": "liaison",
    "total": "all roles",
}
_LEVELS = ("practitioner", "middle_leader", "senior_leader", "headteacher", "central_officer")

#: Machine name -> :class:`Column`, for every column (and measure row) the report publishes.
COLUMNS: dict[str, Column] = {
    # units of the tables
    "session": _c("Session"),
    "authority": _c("Local authority"),
    "sector": _c("Sector"),
    "simd_quintile": _c("SIMD quintile", "1 = most deprived"),
    "workstream": _c("Workstream"),
    "network_id": _c("Network id"),
    "network": _c("Network"),
    "establishment_id": _c("Establishment id"),
    "establishment": _c("Establishment"),
    "unit": _c("Unit"),
    "measure": _c("Measure"),
    "role": _c("Brokerage role"),
    "theme": _c("Theme"),
    "indicator": _c("Indicator"),
    "direction": _c("Direction"),
    "meaning": _c("What it measures"),
    "table": _c("Table"),
    "reason": _c("Reason"),
    "severity": _c("Severity"),
    "column": _c("Column"),
    "message": _c("Finding"),
    # the evaluation themes (wpnet.reflections: .indicators and .change); values are
    # formatted row by row from the indicator's kind
    "group": _c("Group"),
    "value": _c("Value", "", "index"),
    "n": _c("n", "the denominator", "count"),
    "excess": _c("Excess", "value − expected", "index"),
    "ci_low": _c("95% interval, low", "network bootstrap", "index"),
    "ci_high": _c("95% interval, high", "network bootstrap", "index"),
    "no_interval": _c("No interval, because"),
    "matched": _c("Volume-matched value", "at the smallest session's practitioners", "index"),
    "polarity": _c("Stronger when"),
    "kind": _c("Kind"),
    "from": _c("From"),
    "to": _c("To"),
    "value_from": _c("Value, first session", "", "index"),
    "value_to": _c("Value, last session", "", "index"),
    "basis": _c("Compared on"),
    # the headlines' tables: communities and change by workstream
    "community": _c("Community"),
    "main_authority": _c("Main authority", "the most common"),
    "main_share": _c("In its main authority", "% of establishments", "share"),
    "samples": _c("Samples", "", "count"),
    "cross_share_from": _c("Cross-authority ties, first session", "% of ties", "share"),
    "cross_share_to": _c("Cross-authority ties, last session", "% of ties", "share"),
    "cross_share_expected": _c("Expected, last session", "authorities at random", "share"),
    "networks_from": _c("Networks, first session", "", "count"),
    "networks_to": _c("Networks, last session", "", "count"),
    # reach
    "practitioners": _c("Practitioners", "", "count"),
    "establishments": _c("Establishments", "", "count"),
    "authorities": _c("Authorities", "", "count"),
    "networks": _c("Networks", "", "count"),
    "records": _c("Records", "", "count"),
    "reached": _c("Reached", "schools, nurseries", "count"),
    "eligible": _c("Eligible", "schools, nurseries", "count"),
    "coverage": _c("Coverage", "% of eligible", "share"),
    "simd_q1_coverage": _c("SIMD Q1 coverage", "% of Q1 eligible", "share"),
    "equity_ratio": _c("Equity ratio", "Q1 ÷ all", "ratio"),
    "depth": _c("Depth", "per establishment", "ratio"),
    "lead_share": _c("Leading", "% of practitioners", "share"),
    # graph and capacity
    "nodes": _c("Establishments in graph", "", "count"),
    "ties": _c("Ties", "", "count"),
    "density": _c("Density", "", "index"),
    "mean_degree": _c("Mean ties per establishment", "", "ratio"),
    "transitivity": _c("Transitivity", "", "index"),
    "components": _c("Connected groups", "", "count"),
    "largest_component_share": _c("In largest group", "% of establishments", "share"),
    "mean_distance": _c("Mean distance", "steps", "ratio"),
    "degree_centralization": _c("Degree centralisation", "", "index"),
    "max_core": _c("Largest k-core", "k", "count"),
    "cross_authority_share": _c("Cross-authority ties", "% of ties", "share"),
    "authority_cross_share": _c("Cross-authority ties", "% of the authority's ties", "share"),
    "ei_index": _c("E-I index", "−1 to 1", "index"),
    "multi_network_share": _c("In 2+ networks", "% of practitioners", "share"),
    "level_evenness": _c("Level evenness", "0 to 1", "index"),
    "lead_level_evenness": _c("Leaders' level evenness", "0 to 1", "index"),
    "communities": _c("Communities", "", "count"),
    "modularity": _c("Modularity", "", "index"),
    "spanning_communities_share": _c("Communities spanning authorities", "%", "share"),
    "robustness": _c("Robustness", "% left in largest group", "share"),
    # E-I permutation test
    "external": _c("External ties", "", "count"),
    "internal": _c("Internal ties", "", "count"),
    "expected": _c("Expected", "", "index"),
    "perm_sd": _c("Permutation SD", "", "index"),
    "p_one_sided": _c("p (one-sided)", "", "p"),
    "p_two_sided": _c("p (two-sided)", "", "p"),
    "permutations": _c("Permutations", "", "count"),
    # brokerage
    "betweenness": _c("Betweenness", "normalised", "index"),
    "degree": _c("Ties (degree)", "", "count"),
    "constraint": _c("Constraint", "Burt; lower = more brokerage", "index"),
    "observed": _c("Observed", "", "count"),
    "sd": _c("SD", "", "ratio"),
    "z": _c("z", "", "ratio"),
    **{f"gf_{r}": _c(f"{name.capitalize()}", "GF count", "count") for r, name in _ROLES.items()},
    **{f"{r}_observed": _c(f"{name.capitalize()}: observed", "", "count") for r, name in _ROLES.items()},
    **{f"{r}_expected": _c(f"{name.capitalize()}: expected", "", "ratio") for r, name in _ROLES.items()},
    # change
    "before": _c("Before"),
    "after": _c("After"),
    "retained": _c("Retained", "", "count"),
    "new": _c("New", "", "count"),
    "lapsed": _c("Lapsed", "", "count"),
    "retention_rate": _c("Retention", "% of before", "share"),
    "delta": _c("Change"),
    "change": _c("Change"),
    "rows": _c("Rows", "", "count"),
    # reflections: leaders per level
    **{
        f"leaders_{lv}": _c(f"Leaders: {lv.replace('_', ' ')}s", "practitioners", "count")
        for lv in _LEVELS
    },
}  # fmt: skip


def column(name: object) -> Column:
    """The :class:`Column` of a machine name; an unknown name as itself, kind ``text``.

    Examples
    --------
    >>> column("simd_q1_coverage")
    Column(label='SIMD Q1 coverage', unit='% of Q1 eligible', kind='share')
    >>> column("Glasgow City")
    Column(label='Glasgow City', unit='', kind='text')
    """
    key = str(name)
    found = COLUMNS.get(key)
    if found is not None:
        return found
    return Column(key.replace("_", " ") if re.fullmatch(r"[a-z0-9_]+", key) else key)


#: Values shown by a label, per column (the CSVs keep the values as stored).
VALUE_LABELS: dict[str, dict[str, str]] = {
    "sector": {
        "early_years": "Early years",
        "primary": "Primary",
        "secondary": "Secondary",
        "special": "Special",
        "all_through": "All-through",
        "central": "Central team",
    },
}


def value_label(column_name: object, value: object) -> object:
    """The label a value of ``column_name`` is shown by (the value itself when none).

    Examples
    --------
    >>> value_label("sector", "early_years"), value_label("sector", "other"), value_label("x", 1)
    ('Early years', 'other', 1)
    """
    labels = VALUE_LABELS.get(str(column_name))
    if labels is None or not isinstance(value, str):
        return value
    return labels.get(value, value)


def header(name: object) -> str:
    """The column heading: label, then the unit in brackets.

    Examples
    --------
    >>> header("coverage"), header("practitioners")
    ('Coverage (% of eligible)', 'Practitioners')
    """
    c = column(name)
    return f"{c.label} ({c.unit})" if c.unit else c.label


def kind_of(name: object) -> str:
    """The kind of a column or measure row (``text`` when unknown).

    Examples
    --------
    >>> kind_of("leaders_headteacher"), kind_of("coverage"), kind_of("ei_index")
    ('count', 'share', 'index')
    """
    return column(name).kind


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def format_value(value: Any, fmt: str) -> str:
    """One value as shown in the report: ``int`` ``1,234``, ``pct`` ``45.2%``, ``num2``
    ``0.97``, ``num3`` ``0.553``, ``pval`` ``0.031`` or ``0.0002``; differences signed:
    ``dint`` ``+95``, ``pp`` ``+2.9 pp`` (percentage points), ``dnum2``, ``dnum3``;
    ``text`` as it is (a whole
    number without decimals); a missing value as ``–``; text (labels, disclosure markers
    such as ``<5``) as it is.

    Examples
    --------
    >>> format_value(109.0, "int"), format_value(0.4521, "pct"), format_value("<5", "int")
    ('109', '45.2%', '<5')
    >>> format_value(109.0, "text"), format_value(float("nan"), "num3")
    ('109', '–')
    >>> format_value(0.0293, "pp"), format_value(95.0, "dint")
    ('+2.9 pp', '+95')
    >>> format_value(1 / 5001, "pval"), format_value(0.0312, "pval"), format_value(1 / 20001, "pval")
    ('0.0002', '0.031', '5.0e-05')
    """
    if _missing(value):
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if fmt == "int":
        return f"{round(x):,}"
    if fmt == "pct":
        return f"{100 * x:.1f}%"
    if fmt == "num2":
        return f"{x:,.2f}"
    if fmt == "num3":
        return f"{x:,.3f}"
    if fmt == "pval":  # a +1-rule p-value is never 0: more digits below 0.001 (not
        # "<0.001": in a report table "<" marks a hidden small count)
        return f"{x:.3f}" if x >= 0.001 else f"{x:.4f}" if x >= 0.0001 else f"{x:.1e}"
    if fmt == "dint":
        return f"{round(x):+,}"
    if fmt == "pp":
        return f"{100 * x:+.1f} pp"
    if fmt == "dnum2":
        return f"{x:+,.2f}"
    if fmt == "dnum3":
        return f"{x:+,.3f}"
    return f"{int(x):,}" if x == int(x) and abs(x) < 1e15 else f"{x:,.3f}"


def styled(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> Any:
    """A report table for a notebook: human headers, counts as integers, shares as
    percentages (a pandas ``Styler``; the frame itself is not changed).

    ``formats`` maps a column to a report format (``int``, ``pct``, ``num2``, ``num3``,
    ``text``); by default each column's kind (:data:`COLUMNS`) decides.

    Examples
    --------
    >>> t = pd.DataFrame({"authority": ["A"], "practitioners": [109.0], "coverage": [0.5]})
    >>> s = styled(t)
    >>> list(s.data.columns)
    ['Local authority', 'Practitioners', 'Coverage (% of eligible)']
    >>> "109</td>" in s.to_html() and "50.0%</td>" in s.to_html()
    True
    """
    formats = formats or {}
    fmts = {c: formats.get(str(c), FORMATS[kind_of(c)]) for c in frame.columns}
    shown = frame.rename(columns={c: header(c) for c in frame.columns})
    funcs = {
        header(c): (lambda v, f=f: format_value(v, f))
        for c, f in fmts.items()
        if f != "text" or pd.api.types.is_numeric_dtype(frame[c])
    }
    numeric = [header(c) for c, f in fmts.items() if f != "text"]
    return (
        shown.style.format(funcs)
        .hide(axis="index")
        .set_properties(subset=numeric, **{"text-align": "right"})
    )
