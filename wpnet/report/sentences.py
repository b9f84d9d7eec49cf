"""Headline findings and the evaluation-theme cards: plain sentences with numbers.

Every number is read from the raw measure results (:class:`~wpnet.report.compute.Results`);
practitioner counts below ``min_cell`` are written ``"fewer than 5"``. Every level or
change of an indicator is stated with its 95% interval or its baseline (the value
expected if authorities were assigned at random); a direction is only ever the reading
of one interval (INFERENCE.md §8), never a tally.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from wpnet.inference._draws import MIN_DEFINED
from wpnet.records import data_limits, describe_limits
from wpnet.report.compute import Results
from wpnet.report.disclosure import Published, published

__all__ = ["count", "direction", "headlines", "interval", "level_text", "pct", "theme_cards"]


def pct(x: Any, digits: int = 0) -> str:
    """A share as a percentage: ``pct(0.5934) == '59%'``; missing values as ``'n/a'``.

    Examples
    --------
    >>> pct(0.5934), pct(0.05, 1), pct(float("nan"))
    ('59%', '5.0%', 'n/a')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{100 * float(x):.{digits}f}%"


def count(n: Any, min_cell: int | None = None) -> str:
    """A whole number with thousands separators; a practitioner count below
    ``min_cell`` as ``'fewer than <min_cell>'``.

    Examples
    --------
    >>> count(1043), count(3, 5), count(0, 5)
    ('1,043', 'fewer than 5', '0')
    """
    v = int(round(float(n)))
    if min_cell is not None and 0 < v < min_cell:
        return f"fewer than {min_cell}"
    return f"{v:,}"


def direction(now: float, before: float, *, unit: str = "pct", digits: int = 0) -> str:
    """``'up from 54%'``, ``'down from 61%'`` or ``'unchanged from 59%'`` (compared at
    the precision shown).

    Examples
    --------
    >>> direction(0.59, 0.54), direction(0.59, 0.5912), direction(1.2, 1.5, unit="num", digits=2)
    ('up from 54%', 'unchanged from 59%', 'down from 1.50')
    """
    fmt = (lambda v: pct(v, digits)) if unit == "pct" else (lambda v: f"{v:.{digits}f}")
    a, b = fmt(now), fmt(before)
    word = "unchanged from" if a == b else "up from" if now > before else "down from"
    return f"{word} {b}"


def p_value(p: float) -> str:
    """A permutation p-value as printed: three decimals, or ``p < 0.001`` below that
    (a +1-rule p-value is never 0).

    Examples
    --------
    >>> p_value(0.0312), p_value(1 / 5001)
    ('p = 0.031', 'p < 0.001')
    """
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _ok(x: Any) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and not pd.isna(x)


#: (indicator, unit, group) keys of evaluation rows.
Keys = frozenset[tuple[str, ...]]


def _hidden_keys(res: Results, min_cell: int) -> Keys:
    """(indicator, unit, group) of the evaluation rows the tables hide in some session
    (:func:`wpnet.report.disclosure.hidden_reflections`): a headline does not print
    them, nor their change."""
    r = res.reflections
    if r is None:
        return frozenset()
    from wpnet.report.disclosure import hidden_reflections  # the tables' disclosure rule

    rows = r.indicators.loc[hidden_reflections(res, min_cell)[0], ["indicator", "unit", "group"]]
    return frozenset(map(tuple, rows.astype(str).to_numpy()))


def _report_tables(res: Results, min_cell: int) -> Published:
    """:func:`wpnet.report.disclosure.published` of the tables whose values the
    sentences print (reach, capacity and change), made as the report makes them."""
    from wpnet.report.tables import capacity_tables, change_tables, reach_tables

    return published(
        [*reach_tables(res, min_cell), *capacity_tables(res, min_cell),
         *change_tables(res, min_cell)]
    )  # fmt: skip


#: The cells of the tables that publish a partnership's share in a session, besides
#: the evaluation's row: (table, row, column); ``{s}`` is the session.
_PLACES = {
    "coverage": (("reach_overall", "{s}", "coverage"), ("capacity_trend", "{s}", "coverage")),
    "lead_share": (
        ("reach_overall", "{s}", "lead_share"),
        ("capacity_trend", "{s}", "lead_share"),
    ),  # fmt: skip
    "multi_network_share": (("capacity_trend", "{s}", "multi_network_share"),),
}


def _gone(res: Results, shown: Published, name: str, session: str) -> bool:
    """Whether a table hides the partnership's ``name`` in ``session`` (a value hidden
    anywhere is printed nowhere)."""
    places = [(t, r.format(s=session), c) for t, r, c in _PLACES.get(name, ())]
    if name in _PLACES:
        if session == res.session:
            places += [("capacity_authority", "partnership", name), ("change_measures", name,
                                                                     "after")]  # fmt: skip
        if session == res.compare_to:
            places.append(("change_measures", name, "before"))
    return shown.any_hidden(places)


def _lookup(
    frame: pd.DataFrame | None, key: tuple[str, str, str], hidden: Keys, session: str | None
) -> Any:
    """The row of ``frame`` of (indicator, unit, group), in ``session`` if given; None
    when absent or when ``hidden`` holds the key (:func:`_hidden_keys`)."""
    if frame is None or key in hidden:
        return None
    at = (frame["indicator"] == key[0]) & (frame["unit"] == key[1]) & (frame["group"] == key[2])
    if session is not None:
        at &= frame["session"] == session
    got = frame[at]
    return None if got.empty else got.iloc[0]


def _row(
    res: Results, indicator: str, unit: str = "partnership", group: str = "", *,
    hidden: Keys = frozenset(),
) -> Any:  # fmt: skip
    """The report session's row of an evaluation indicator (None when absent or hidden)."""
    r = res.reflections
    return _lookup(None if r is None else r.indicators, (indicator, unit, group), hidden,
                   res.session)  # fmt: skip


def _change_row(
    res: Results, indicator: str, unit: str = "partnership", group: str = "", *,
    hidden: Keys = frozenset(),
) -> Any:  # fmt: skip
    """The row of an evaluation indicator's change (None when absent or hidden)."""
    r = res.reflections
    return _lookup(None if r is None else r.change, (indicator, unit, group), hidden, None)


def level_text(level: float) -> str:
    """A confidence level as the page writes it, in percent to one decimal at most: a
    simultaneous level such as 1 − 0.05/3 reads ``'98.3%'``, not ``'98.3333%'``. A
    level below 100% never reads as 100%: it gets the decimals it needs.

    Examples
    --------
    >>> level_text(0.95), level_text(0.99), level_text(1 - 0.05 / 3)
    ('95%', '99%', '98.3%')
    >>> level_text(1 - 0.05 / 1000)
    '99.995%'
    """
    pct = 100 * float(level)
    digits = 1
    while pct < 100 and round(pct, digits) >= 100 and digits < 6:
        digits += 1
    return f"{round(pct, digits):g}%"


def interval(lo: Any, hi: Any, fmt: Any = pct, *, level: float = 0.95) -> str:
    """``'95% interval 52% to 61%'``, or ``''`` when not computed.

    Examples
    --------
    >>> interval(0.52, 0.61), interval(float("nan"), 0.6)
    ('95% interval 52% to 61%', '')
    >>> interval(0.52, 0.61, level=0.99)
    '99% interval 52% to 61%'
    """
    if not (_ok(lo) and _ok(hi)):
        return ""
    return f"{level_text(level)} interval {fmt(lo)} to {fmt(hi)}"


def _points(x: Any) -> str:
    """A change of a share in percentage points, signed: ``'+3.1 points'``."""
    return f"{100 * float(x):+.1f} points"


def _level(row: Any, digits: int = 0) -> str:
    """A share with its interval: ``'59% (95% interval 55% to 62%)'``."""
    iv = interval(row["ci_low"], row["ci_high"], lambda v: pct(v, digits))
    return pct(row["value"], digits) + (f" ({iv})" if iv else "")


def _reach_sentence(
    res: Results, prev_label: str | None, hidden: Keys, shown: Published
) -> str | None:
    r = res.reach.iloc[0]
    if not _ok(r["coverage"]):
        return None  # not supported by the data (no register): said by describe_limits
    if _gone(res, shown, "coverage", res.session) or shown.any_hidden(
        [("reach_overall", res.session, c) for c in ("reached", "eligible")]
    ):
        return None  # the tables hide the partnership's coverage
    reached = int(round(float(r["coverage"] * r["eligible"]))) if _ok(r["coverage"]) else 0
    row = _row(res, "coverage", hidden=hidden)
    share = _level(row) if row is not None else pct(r["coverage"])
    s = (
        f"The partnership reached {count(reached)} of {count(r['eligible'])} schools and "
        f"nurseries in {res.session}: {share}"
    )
    q1 = _row(res, "simd_coverage", group="SIMD 1", hidden=hidden)
    q5 = _row(res, "simd_coverage", group="SIMD 5", hidden=hidden)
    gap = _row(res, "simd_coverage", group="SIMD 1 − SIMD 5", hidden=hidden)
    q1_gone = shown.hidden("reach_overall", res.session, "simd_q1_coverage")
    if q1 is not None and q5 is not None and gap is not None and _ok(gap["value"]) and not q1_gone:
        iv = interval(gap["ci_low"], gap["ci_high"], _points)
        s += (
            f"; {pct(q1['value'])} of SIMD quintile 1 (most deprived) schools and nurseries "
            f"against {pct(q5['value'])} of quintile 5, a gap of {_points(gap['value'])}"
            + (f" ({iv})" if iv else "")
        )
    return s + "."


def _people_sentence(res: Results, min_cell: int, shown: Published) -> str:
    """Who took part: each number as ``reach_overall`` shows it (a hidden one left out;
    a small count of practitioners as "fewer than 5", as the table's ``"<5"``)."""
    r = res.reach.iloc[0]

    def n(col: str) -> str | None:
        if not shown.hidden("reach_overall", res.session, col):
            return count(r[col], min_cell if col == "practitioners" else None)
        small = col == "practitioners" and 0 < int(round(float(r[col]))) < min_cell
        return count(r[col], min_cell) if small else None

    who = f"{n('practitioners')} practitioners" if n("practitioners") else "Practitioners"
    places = [f"{n(c)} {c}" for c in ("establishments", "authorities") if n(c)]
    where = f" from {' in '.join(places)}" if places else ""
    nets = f"{n('networks')} networks" if n("networks") else "networks"
    records = f" ({n('records')} participation records)" if n("records") else ""
    return f"{who}{where} took part in {nets}{records}."


def _collaboration_sentence(res: Results) -> str | None:
    row = _row(res, "cross_authority_share")
    if row is None or not _ok(row["value"]):
        return None
    s = f"{_level(row)} of the ties between establishments joined different authorities"
    if _ok(row["expected"]):
        s += f", against {pct(row['expected'])} expected if authorities were assigned at random"
        e = res.ei.iloc[0] if res.ei is not None and len(res.ei) else None
        if e is not None and _ok(e.get("p_two_sided")):
            p = float(e["p_two_sided"])
            if p < 0.05:
                rel = "more" if row["value"] > row["expected"] else "less"
                s += f": {rel} than chance (permutation {p_value(p)}, two-sided)"
            else:
                s += f": at chance, no different from random assignment (permutation {p_value(p)})"
    return s + "."


def _broker_sentence(res: Results) -> str | None:
    b = res.brokerage
    b = b[b["degree"] > 0]
    if b.empty or not (b["betweenness"] > 0).any():
        return None
    top = b.sort_values(["betweenness", "gf_total"], ascending=False).iloc[0]
    est = res.eco.establishments.drop_duplicates("establishment_id").set_index("establishment_id")
    name = est["name"].get(top.name, top.name)
    s = f"The establishment on most shortest paths between others was {name} ({top['group']})"
    roles = res.roles
    if "liaison" in roles.index and _ok(roles.loc["liaison", "z"]):
        lia = roles.loc["liaison"]
        s += (
            f"; liaison brokerage across three authorities occurred {count(lia['observed'])} "
            f"times against {count(lia['expected'])} expected in a random graph "
            f"(z = {lia['z']:.1f})"
        )
    return s + "."


def _communities_sentence(res: Results) -> str | None:
    """How many Leiden communities the graph splits into, its modularity against the
    Curveball null, and how far the communities stay within one authority (against
    the same with authorities shuffled)."""
    t = res.communities
    if t is None or t.empty:
        return None
    a = t.attrs
    s = (
        f"The {count(a['nodes'])} establishments with a tie form {count(len(t))} communities "
        f"(Leiden), with modularity {a['modularity']:.2f}"
    )
    null = res.community_null
    if null is not None and "modularity" in null.index and _ok(null.at["modularity", "expected"]):
        m = null.loc["modularity"]
        rel = "more" if m["observed"] > m["expected"] else "less"
        p = float(m["p_two_sided"])
        n = int(m["samples"])
        s += (
            f" against {m['expected']:.2f} expected in random graphs with the same numbers of "
            "networks per establishment and members per network"
        )
        if p >= 0.05:
            s += f": no different from chance (Curveball null, {n} samples, {p_value(p)})"
        elif p <= 2 / (n + 1) + 1e-12:  # every sample on one side: p is the smallest n can give
            s += (
                f": {rel} clustered than chance, {rel} than in any of {n} Curveball samples "
                f"(z = {m['z']:.1f}, {p_value(p)}, two-sided)"
            )
        else:
            s += (
                f": {rel} clustered than chance (z = {m['z']:.1f} over {n} Curveball "
                f"samples, {p_value(p)}, two-sided)"
            )
    else:
        s += " (its expectation in random graphs was not computed: --samples 0)"
    if _ok(a["in_main"]) and _ok(a["in_main_expected"]):
        s += (
            f"; {pct(a['in_main'])} of their establishments belong to their community's most "
            f"common authority, against {pct(a['in_main_expected'])} expected if authorities "
            f"were assigned at random, and {count(a['spanning'])} of the {count(len(t))} "
            f"communities join two or more authorities against {a['spanning_expected']:.1f} "
            "expected"
        )
    return s + "."


def _workstream_sentence(res: Results) -> str | None:
    """The change of each workstream's cross-authority share between the compared
    sessions: the workstreams whose interval excludes 0 by name, then those with no
    clear change, those without an interval (defined in too few draws), and those not
    tested."""
    t = res.workstreams
    if t is None or t.empty:
        return None
    what = "the share of the ties among a workstream's establishments that join two authorities"
    if not t.attrs.get("samples"):
        return (
            f"The change from {res.compare_to} to {res.session} of cross-authority mixing by "
            "workstream was not tested (--samples 0): its table shows point values only, for "
            f"the workstreams with {t.attrs['min_networks']} or more networks in each session."
        )
    level = float(t.attrs.get("level", 0.95))
    k = int(t.attrs.get("tested", 1))
    family = (
        f"{level_text(level)} intervals, simultaneous for the {k} workstreams tested"
        if k > 1
        else f"{level_text(level)} interval"
    )
    clear = t[t["direction"].isin(["strengthening", "weakening"])]
    steady = t[(t["direction"] == "no clear change") & t["ci_low"].notna()]
    # no interval: the change defined in fewer than MIN_DEFINED of the draws (no_interval)
    bare = t[(t["direction"] == "no clear change") & t["ci_low"].isna()]
    untested = t[t["direction"] == "not tested"]
    parts = []
    for r in clear.itertuples(index=False):
        iv = interval(r.ci_low, r.ci_high, _points, level=level)
        parts.append(
            f"a clear {r.direction} in {r.workstream}, {pct(r.value_from)} to {pct(r.value_to)} "
            f"({_points(r.change)}, {iv})"
        )
    names = ", ".join(steady["workstream"])
    if len(clear):
        head = (
            f"From {res.compare_to} to {res.session}, cross-authority mixing by workstream ({what})"
        )
        if names:
            parts.append(f"no clear change in {names} (each interval includes 0; {family})")
    elif names:
        head = (
            f"From {res.compare_to} to {res.session}, no workstream's cross-authority mixing "
            f"({what}) changed clearly"
        )
        parts.append(f"the interval of the change includes 0 in each of {names} ({family})")
    else:
        head = f"From {res.compare_to} to {res.session}, cross-authority mixing by workstream"
    if len(bare):
        parts.append(
            f"no interval, the change being defined in fewer than {MIN_DEFINED:.0%} of the draws: "
            + ", ".join(bare["workstream"])
        )
    if len(untested):
        parts.append(
            f"not tested, with fewer than {t.attrs['min_networks']} networks in a session: "
            + ", ".join(untested["workstream"])
        )
    if not parts:
        return None
    return f"{head}: " + "; ".join(parts) + "."


def _small(share: Any, people: Any, min_cell: int) -> bool:
    """True when share × people is a practitioner count below ``min_cell``."""
    if not (_ok(share) and _ok(people)):
        return False
    k = round(float(share) * float(people))
    return 0 < k < min_cell or 0 < float(people) < min_cell


def _capacity_sentence(res: Results, min_cell: int, hidden: Keys, shown: Published) -> str | None:
    parts = []
    for name, what in (
        ("multi_network_share", "of practitioners took part in two or more networks"),
        ("lead_share", "led, facilitated or presented"),
    ):
        row = _row(res, name, hidden=hidden)
        if row is None or not _ok(row["value"]) or _small(row["value"], row["n"], min_cell):
            continue
        if _gone(res, shown, name, res.session):
            continue
        parts.append(f"{_level(row, 1)} {what}")
    if not parts:
        return None
    s = "; ".join(parts)
    return s[0].upper() + s[1:] + "."


def _change_sentence(res: Results, min_cell: int, shown: Published) -> str | None:
    if res.change is None:
        return None
    f = res.change.flows
    p = f.loc["practitioners"]
    cols = ("before", "after", "retained", "new", "lapsed")
    nums = [int(p[k]) for k in cols]
    if any(0 < v < min_cell for v in nums):
        return None  # the sentence would reveal a small count
    places = [("change_flows", "practitioners", c) for c in cols]
    for when in (res.compare_to, res.session):  # the sessions' own counts, elsewhere
        places += [("reach_overall", when, c) for c in ("practitioners", "establishments")]
        places += [("capacity_trend", when, c) for c in ("practitioners", "establishments")]
    if shown.any_hidden(places):
        return None
    e = f.loc["establishments"]
    return (
        f"Of the {count(p['before'])} practitioners of {res.compare_to}, "
        f"{count(p['retained'])} took part again in {res.session}, and {count(p['new'])} "
        f"were new; {count(e['retained'])} of {count(e['before'])} establishments stayed "
        f"involved and {count(e['new'])} joined."
    )


#: The changes the headlines state: (indicator, group, what it is).
HEADLINE_CHANGES = (
    ("cross_authority_share", "", "the share of ties joining different authorities"),
    (
        "largest_component_share",
        "",
        "the share of establishments in one connected component (volume-matched)",
    ),  # fmt: skip
    ("simd_coverage", "SIMD 1 − SIMD 5", "the coverage gap between SIMD quintiles 1 and 5"),
    ("lead_share", "", "leaders per participating practitioner"),
)


def _change_sentences(res: Results, min_cell: int, hidden: Keys, shown: Published) -> list[str]:
    """One sentence per headline change, first to last session, each with its
    interval and what the interval says (§8)."""
    r = res.reflections
    if r is None or len(res.sessions) < 2:
        return []
    if not r.attrs.get("samples"):
        return [
            "Intervals and directions of change were not computed for this report "
            "(--samples 0): the evaluation themes show point values only."
        ]
    first, last = r.attrs["compared"]
    out = []
    for name, group, what in HEADLINE_CHANGES:
        c = _change_row(res, name, group=group, hidden=hidden)
        if c is None or not _ok(c["change"]) or not _ok(c["ci_low"]):
            continue
        now = _row(res, name, group=group, hidden=hidden)
        if name in PEOPLE and now is not None and _small(now["value"], now["n"], min_cell):
            continue
        if not group and (_gone(res, shown, name, first) or _gone(res, shown, name, last)):
            continue  # a table hides the value at one end
        word = {
            "strengthening": "a clear strengthening",
            "weakening": "a clear weakening",
            "no clear change": "no clear change (the interval includes 0)",
        }[c["direction"]]
        out.append(
            f"From {first} to {last}, {what} changed by {_points(c['change'])} "
            f"({interval(c['ci_low'], c['ci_high'], _points)}): {word}."
        )
    return out


def headlines(res: Results, min_cell: int = 5, *, published: Published | None = None) -> list[str]:
    """The report's headline findings, in order (sentences whose numbers are missing,
    or that would reveal a small practitioner count, are left out; nor does any print
    a value a table of the report hides: the evaluation's, and ``published``, the
    report's tables, by default made here as the report makes them)."""
    shown = _report_tables(res, min_cell) if published is None else published
    # the evaluation's rows hidden by its rule, and by the report's one decision
    hidden = _hidden_keys(res, min_cell) | {k[:3] for k in shown.hidden_evaluation_rows()}
    out = [
        _reach_sentence(res, res.compare_to, hidden, shown),
        _people_sentence(res, min_cell, shown),
        _collaboration_sentence(res),
        _workstream_sentence(res),
        _communities_sentence(res),
        _broker_sentence(res),
        _capacity_sentence(res, min_cell, hidden, shown),
        _change_sentence(res, min_cell, shown),
        *_change_sentences(res, min_cell, hidden, shown),
        *describe_limits(data_limits(res.eco), res.compare_to),
    ]
    return [s for s in out if s]


#: Indicators counted in practitioners (hidden where they would reveal a small count).
PEOPLE = frozenset(
    {
        "multi_network_share",
        "lead_share",
        "lead_rate_by_level",
        "participation_rate_by_level",
        "simd_depth",
        "simd_lead_rate",
    }  # fmt: skip
)


def _card_line(row: Any, change: Any, min_cell: int) -> str | None:
    """One indicator of a theme card: its level with interval, baseline, and change."""
    name = str(row["indicator"])
    if not _ok(row["value"]):
        return None
    if name in PEOPLE and _small(row["value"] if name != "simd_depth" else 1.0, row["n"], min_cell):
        return None
    gap = str(row["group"]).startswith("SIMD 1 −")
    if name == "simd_depth":
        fmt = (lambda v: f"{float(v):+.1f}") if gap else (lambda v: f"{float(v):.1f}")
    else:
        fmt = _points if gap else pct
    label = name.replace("_", " ")
    where = ", ".join(x for x in (str(row["unit"]), str(row["group"])) if x and x != "partnership")
    s = f"{label}{' (' + where + ')' if where else ''}: {fmt(row['value'])}"
    iv = interval(row["ci_low"], row["ci_high"], fmt)
    if iv:
        s += f" ({iv})"
    if _ok(row["expected"]):
        s += f", against {pct(row['expected'])} expected if authorities were assigned at random"
        s += " (at chance)" if iv and row["ci_low"] <= row["expected"] <= row["ci_high"] else ""
    if _ok(row["matched"]) and row["matched"] != row["value"]:
        s += f"; {fmt(row['matched'])} at the smallest session's number of practitioners"
    if change is not None and _ok(change["change"]):
        civ = interval(change["ci_low"], change["ci_high"], _points if name != "simd_depth"
                       else (lambda v: f"{float(v):+.1f}"))  # fmt: skip
        step = _points(change["change"]) if name != "simd_depth" else f"{change['change']:+.1f}"
        if civ:
            s += f"; change since {change['from']}: {step} ({civ}), {change['direction']}"
        elif str(change.get("no_interval", "")).startswith("defined in"):
            s += (
                f"; change since {change['from']}: {step}, {change['direction']} (no "
                f"interval: {change['no_interval']})"
            )
    return s + "."


def _first_change_rows(change: pd.DataFrame) -> dict[tuple[Any, ...], int]:
    """Position of the first row of each (theme, indicator, unit, group) of the change
    table: the row a filter on the four columns would give first. A row with a missing
    key is left out (a missing value equals nothing, as in the filter)."""
    cols = [change[c].tolist() for c in ("theme", "indicator", "unit", "group")]
    first: dict[tuple[Any, ...], int] = {}
    for i, k in enumerate(zip(*cols, strict=True)):
        if not any(_missing(v) for v in k):
            first.setdefault(k, i)
    return first


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def theme_cards(
    res: Results, min_cell: int = 5, *, published: Published | None = None
) -> list[dict[str, Any]]:
    """The evaluation themes for the report: per theme its guiding question, one line
    per indicator (level with interval or baseline, and its change), and what
    participation records cannot show. No line prints a value a table hides (the
    evaluation's, or ``published``: the report's tables, by default made here)."""
    r = res.reflections
    if r is None:
        return []
    shown = _report_tables(res, min_cell) if published is None else published
    from wpnet.report.disclosure import hidden_reflections  # the tables' disclosure rule

    out = []
    first = _first_change_rows(r.change)
    key = ["indicator", "unit", "group", "session"]
    hidden = r.indicators.loc[hidden_reflections(res, min_cell)[0], key].astype(str)
    gone = set(map(tuple, hidden.to_numpy())) | shown.hidden_evaluation_rows()
    last = max(r.indicators["session"].astype(str), default="")  # the cards' session
    for card in r.cards:
        lines = []
        for row in card.indicators.itertuples(index=False):
            d = row._asdict()
            if d["group"] and not str(d["group"]).startswith("SIMD 1 −"):
                continue  # levels and quintiles: in tables/reflections.csv
            k = (str(d["indicator"]), str(d["unit"]), str(d["group"]), last)
            if k in gone:
                continue  # hidden in the tables (a count it implies is suppressed)
            if d["unit"] == "partnership" and _gone(res, shown, k[0], last):
                continue  # hidden in another table (reach, capacity, change)
            at = first.get((card.theme, d["indicator"], d["unit"], d["group"]))
            if any(g[:3] == k[:3] for g in gone):
                at = None  # its change is hidden in the tables too
            elif (
                at is not None
                and d["unit"] == "partnership"
                and not d["group"]
                and _gone(res, shown, k[0], str(r.change.iloc[at]["from"]))
            ):
                at = None  # its earlier value is hidden in another table
            line = _card_line(pd.Series(d), None if at is None else r.change.iloc[at], min_cell)
            if line:
                lines.append(line)
        out.append(
            {
                "theme": card.theme,
                "question": card.question,
                "lines": lines,
                "cannot_show": card.cannot_show,
            }
        )
    return out
