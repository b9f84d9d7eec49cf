"""The evaluation themes: indicators an evaluator can defend.

A partnership's external evaluation asks whether its networks have built a culture and
ethos of collaboration, collective agency and capacity at all levels, and
transformative system change; what each local authority gains; and whether the
networks reach the schools that serve the poorest communities. :func:`reflections`
answers each theme with indicators read session by session, each with its denominator
``n``, a baseline where chance or group size shapes it (INFERENCE.md §7), a 95% network
bootstrap interval (§5), a volume-matched value for structural indicators (§6), and a
direction of change that means something (§8).
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from wpnet._parallel import task_seeds
from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import UsageError, check_choice
from wpnet.graphs import GraphSpec
from wpnet.inference._draws import (
    MIN_DEFINED,
    DrawBatch,
    DrawGroup,
    DrawTask,
    batchable,
    centred_interval,
    few_defined,
    held_interval,
    run_draws,
)
from wpnet.inference._indicators import (
    GRAPH_INDICATORS,
    LABEL_PERMUTATIONS,
    STRUCTURAL,
    VOLUME_DRAWS,
    Layout,
    Register,
    SessionData,
    _codes,
    check_options,
    describe_graph,
    evaluate,
    layout_of,
    practitioners_of,
    prepare_records,
    register_of,
)
from wpnet.inference._labels import label_expected
from wpnet.schema import LEVELS

__all__ = [
    "INDICATORS",
    "THEMES",
    "Indicator",
    "Reflections",
    "Theme",
    "ThemeCard",
    "reflections",
    "workstream_reflections",
]


@dataclass(frozen=True)
class Indicator:
    """What an indicator measures, and how it is read.

    ``kind``: share, rate or index; ``polarity``: ``higher`` (higher is stronger);
    ``baseline``: ``labels`` (expected under permuted authority labels, §7),
    ``volume`` (compared volume-matched, §6) or ``interval`` (the bootstrap interval
    only).
    """

    name: str
    kind: str
    polarity: str
    baseline: str
    meaning: str


def _ind(name: str, kind: str, baseline: str, meaning: str) -> Indicator:
    return Indicator(name, kind, "higher", baseline, meaning)


#: Every indicator :func:`reflections` computes.
INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        _ind(
            "cross_authority_share",
            "share",
            "labels",
            "share of the establishment graph's ties that join different authorities "
            "(the E-I index over authorities is 2 × this − 1, so it is not repeated)",
        ),
        _ind(
            "multi_network_share",
            "share",
            "interval",
            "share of participating practitioners who are members of two or more networks",
        ),
        _ind(
            "lead_share",
            "rate",
            "interval",
            "leaders (led, facilitated or presented) per participating practitioner",
        ),
        _ind(
            "lead_rate_by_level",
            "rate",
            "interval",
            "leaders per participating practitioner at each level (group = level)",
        ),
        _ind(
            "participation_rate_by_level",
            "rate",
            "interval",
            "participating practitioners per practitioner of that level on the register",
        ),
        _ind(
            "spanning_communities_share",
            "share",
            "volume",
            "share of Leiden communities (size >= 2) of the establishment graph with "
            "members from two or more authorities",
        ),
        _ind(
            "largest_component_share",
            "share",
            "volume",
            "share of reached establishments in the largest connected component",
        ),
        _ind(
            "robustness",
            "index",
            "volume",
            "largest-component share left after removing the top 5% of establishments "
            "by betweenness",
        ),
        _ind(
            "coverage",
            "share",
            "interval",
            "share of the schools and nurseries reached (the partnership's, or the authority's)",
        ),
        _ind(
            "authority_cross_share",
            "share",
            "labels",
            "share of the ties touching the authority's establishments that reach another "
            "authority (expected: the same with authorities shuffled, which reflects size)",
        ),
        _ind(
            "simd_coverage",
            "share",
            "interval",
            "share of the quintile's schools and nurseries reached (group = SIMD quintile; "
            "the gap row is quintile 1 − quintile 5)",
        ),
        _ind(
            "simd_depth",
            "rate",
            "interval",
            "practitioners per reached establishment of the quintile",
        ),
        _ind(
            "simd_lead_rate",
            "rate",
            "interval",
            "leaders per participating practitioner of the quintile's establishments",
        ),
    )
}


@dataclass(frozen=True)
class Theme:
    """An evaluation theme: its guiding question, the indicators that answer it, and
    what participation records cannot show about it."""

    question: str
    indicators: tuple[str, ...]
    cannot_show: str


#: The default themes, in the order the report shows them.
THEMES: dict[str, Theme] = {
    "culture and ethos of collaboration": Theme(
        "To what extent have the networks built a culture and ethos of collaboration "
        "across the partnership's authorities?",
        ("cross_authority_share", "multi_network_share"),
        "Participation records show who met whom, not the quality, trust or depth of "
        "the collaboration, nor whether it continues outside network meetings.",
    ),
    "collective agency and capacity at all levels": Theme(
        "To what extent have the networks built collective agency and leadership "
        "capacity at every level of the workforce?",
        ("lead_share", "lead_rate_by_level", "participation_rate_by_level"),
        "Records show who led a session, not what practitioners learned, whether they "
        "changed their practice, or the leadership they exercise back in school.",
    ),
    "transformative system change": Theme(
        "To what extent have the networks joined the system into one connected, "
        "resilient structure across authorities?",
        ("largest_component_share",),
        "The structure of co-membership is not a change in policy, practice or "
        "learners' outcomes; records cannot show that the connections carry joint work.",
    ),
    "added value for each local authority": Theme(
        "What does each local authority gain: how many of its schools take part, and "
        "how far do they connect beyond the authority?",
        ("coverage", "authority_cross_share"),
        "Records cannot show the benefit to an authority's schools or what its staff "
        "bring back; an authority's outside ties mostly reflect its size (see expected).",
    ),
    "equity": Theme(
        "Do the networks reach, involve and give leadership to the schools that serve "
        "the most deprived communities (SIMD quintile 1) as much as the least deprived?",
        ("simd_coverage", "simd_depth", "simd_lead_rate"),
        "SIMD describes the area a school serves, not its pupils; records cannot show "
        "whether taking part improves outcomes for children in poverty.",
    ),
}

#: Indicators whose draws are biased by construction, so that their change interval is
#: centred on the observed change: unions over the drawn networks (schools reached, two
#: or more distinct networks; a copy of a network adds neither) and backbone structure.
#: The graph's cross-authority shares are not: centred, the example's planted rise in
#: one workstream (0.16 to 0.36) read "no clear change" (docs/measures.md, "Reflections").
#: Every other change interval is the percentile interval widened to hold the observed
#: change (:func:`wpnet.inference._draws.held_interval`).
CENTRED = frozenset({"coverage", "simd_coverage", "simd_depth", "multi_network_share", *STRUCTURAL})

INDICATOR_COLUMNS = (
    "theme", "indicator", "unit", "group", "session", "value", "n", "expected", "excess",
    "ci_low", "ci_high", "no_interval", "matched", "polarity", "kind",
)  # fmt: skip
CHANGE_COLUMNS = (
    "theme", "indicator", "unit", "group", "from", "to", "value_from", "value_to", "change",
    "ci_low", "ci_high", "no_interval", "basis", "direction", "polarity", "kind",
)  # fmt: skip


# ---------------------------------------------------------------------------------------
# Result objects
# ---------------------------------------------------------------------------------------
def _fmt(x: Any, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


@dataclass
class ThemeCard:
    """One theme for a reader: the guiding question, the indicators that answer it
    (partnership rows, or every authority where the indicator is per authority) with
    their baseline and change, and what participation records cannot show."""

    theme: str
    question: str
    indicators: pd.DataFrame
    cannot_show: str

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """The card as an HTML fragment: the theme, its question, the indicator table
        and what the records cannot show (what Jupyter displays).

        Examples
        --------
        >>> import pandas as pd
        >>> card = ThemeCard("equity", "Who is reached?", pd.DataFrame(), "Outcomes.")
        >>> card.to_html().startswith("<div><h4>equity</h4>")
        True
        """
        cols = ["indicator", "unit", "group", "value", "ci_low", "ci_high", "no_interval",
                "expected", "matched", "change", "change_no_interval", "direction"]  # fmt: skip
        table = self.indicators[[c for c in cols if c in self.indicators]].to_html(
            index=False, border=0, float_format=lambda v: f"{v:.3f}", na_rep="–"
        )
        return (
            f"<div><h4>{html.escape(self.theme)}</h4><p><i>{html.escape(self.question)}</i></p>"
            f"{table}<p><b>What the records cannot show:</b> {html.escape(self.cannot_show)}"
            "</p></div>"
        )


@dataclass
class Reflections:
    """The result of :func:`reflections`.

    Attributes
    ----------
    indicators : DataFrame
        Tidy: one row per theme × indicator × unit × group × session (columns
        :data:`INDICATOR_COLUMNS`).
    change : DataFrame
        One row per theme × indicator × unit × group, first to last session compared
        (columns :data:`CHANGE_COLUMNS`).
    cards : list of ThemeCard
    attrs : dict
        ``model``, ``samples``, ``seed``, ``level``, ``min_defined`` (the share of draws
        in which a value must be defined to get an interval), ``graph``, ``backbone``,
        ``sessions``, ``volume`` (m and draws), ``notes``.
    """

    indicators: pd.DataFrame
    change: pd.DataFrame
    cards: list[ThemeCard]
    attrs: dict[str, Any] = field(default_factory=dict)

    def card(self, theme: str) -> ThemeCard:
        """The card of ``theme``."""
        for c in self.cards:
            if c.theme == theme:
                return c
        raise KeyError(f"no theme {theme!r}; themes: {[c.theme for c in self.cards]}")

    def __repr__(self) -> str:
        s = self.attrs.get("sessions", [])
        return (
            f"<Reflections: {len(self.cards)} themes, {len(self.indicators)} indicator rows, "
            f"sessions {', '.join(s)}; {self.attrs.get('samples')} bootstrap draws>"
        )

    def _repr_html_(self) -> str:
        head = html.escape(repr(self))
        note = (
            "Each value has its denominator n; an interval is the 95% network bootstrap "
            "interval; <i>expected</i> is the value if authorities were assigned at random "
            "(a value near it is at chance); <i>matched</i> is the value at the smallest "
            "session's number of practitioners. A direction is given only when the "
            "interval of the change excludes 0. A value defined (not 0/0) in fewer than "
            f"{self.attrs.get('min_defined', MIN_DEFINED):.0%} of the draws gets no interval, "
            "and its change reads no clear change: <i>no_interval</i> says why."
        )
        return (
            f"<div><p><b>{head}</b></p><p>{note}</p>"
            + "".join(c.to_html() for c in self.cards)
            + "</div>"
        )


# ---------------------------------------------------------------------------------------
# reflections
# ---------------------------------------------------------------------------------------
def _themes(themes: Mapping[str, Any] | None) -> dict[str, Theme]:
    if themes is None:
        return dict(THEMES)
    if not isinstance(themes, Mapping) or not themes:
        raise ValueError("themes must be a non-empty mapping theme -> indicators")
    out: dict[str, Theme] = {}
    for name, spec in themes.items():
        if isinstance(spec, Theme):
            t = spec
        elif isinstance(spec, Mapping):
            if "indicators" not in spec:
                raise ValueError(f"theme {name!r}: give 'indicators' (and 'question')")
            t = Theme(
                str(spec.get("question", name)),
                tuple(spec["indicators"]),
                str(spec.get("cannot_show", "")),
            )
        elif isinstance(spec, Sequence) and not isinstance(spec, str):
            t = Theme(str(name), tuple(spec), "")
        else:
            raise ValueError(
                f"theme {name!r}: expected a list of indicators or a mapping with "
                f"'indicators', 'question', 'cannot_show'; got {spec!r}"
            )
        bad = [i for i in t.indicators if i not in INDICATORS]
        if bad or not t.indicators:
            raise ValueError(
                f"theme {name!r}: unknown indicators {bad!r}; choose from {list(INDICATORS)}"
            )
        out[str(name)] = t
    return out


def _clip(
    lo: np.ndarray, hi: np.ndarray, keys: Sequence[tuple[str, str, str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Keep a level interval inside the indicator's range: [0, 1] for shares and rates,
    [0, ∞) for practitioners per establishment; gaps are not bounded."""
    lo, hi = lo.copy(), hi.copy()
    for k, (name, _, group) in enumerate(keys):
        if group.startswith("SIMD 1 −"):
            continue
        lo[k] = max(lo[k], 0.0) if not math.isnan(lo[k]) else lo[k]
        if name != "simd_depth" and not math.isnan(hi[k]):
            hi[k] = min(hi[k], 1.0)
    return lo, hi


def _direction(lo: float, hi: float, change: float, polarity: str) -> str:
    """§8: strengthening / weakening when the interval excludes 0, else no clear change."""
    if any(isinstance(x, float) and math.isnan(x) for x in (lo, hi, change)):
        return "n/a"
    if lo > 0 or hi < 0:
        up = lo > 0
        return "strengthening" if up == (polarity == "higher") else "weakening"
    return "no clear change"


#: Why a row has no interval (the ``no_interval`` column; "" when it has one).
NO_INTERVAL = {
    "samples": "samples=0: point values only",
    "value": "no value",
    "structural": "structural: no level interval (a backbone refitted on a draw is "
    "biased); its change has one",
    "between": "graph indicators are bootstrapped in the first and last session only",
    "one": "one session: no change",
}


def _level_reasons(
    keys: Sequence[tuple[str, str, str]],
    value: np.ndarray,
    samples: int,
    at_end: bool,
    graph: set[str],
) -> np.ndarray:
    """Why each level row of a session has no interval, before its draws are read
    (:data:`NO_INTERVAL`; "" where the draws decide:
    :func:`~wpnet.inference._draws.few_defined`)."""
    why = np.full(len(keys), "", dtype=object)
    for k, (name, _, _) in enumerate(keys):
        if not samples:
            why[k] = NO_INTERVAL["samples"]
        elif math.isnan(value[k]):
            why[k] = NO_INTERVAL["value"]
        elif name in STRUCTURAL:
            why[k] = NO_INTERVAL["structural"]
        elif name in graph and not at_end:
            why[k] = NO_INTERVAL["between"]
    return why


def _change_reasons(
    v_from: np.ndarray, v_to: np.ndarray, samples: int, compared: tuple[str, str]
) -> np.ndarray:
    """Why each change row has no interval, before its draws are read (as
    :func:`_level_reasons`)."""
    first, last = compared
    why = np.full(v_from.size, "", dtype=object)
    for k, (a, b) in enumerate(zip(v_from, v_to, strict=True)):
        if not samples:
            why[k] = NO_INTERVAL["samples"]
        elif first == last:
            why[k] = NO_INTERVAL["one"]
        elif math.isnan(a) or math.isnan(b):
            why[k] = f"no value in {first if math.isnan(a) else last}"
    return why


def _nanmean(x: np.ndarray, axis: int = 0) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(x, axis=axis)


def reflections(
    eco: Ecosystem,
    *,
    themes: Mapping[str, Any] | None = None,
    sessions: Sequence[str] | None = None,
    onto: str = "establishment",
    backbone: str | None = "sdsm",
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    samples: int = 200,
    seed: int = 0,
    workers: int | None = None,
    level: float = 0.95,
) -> Reflections:
    """The evaluation themes, each answered by indicators with n, baseline and interval.

    Each session is measured on its own (``eco.select(session=s)``); graph indicators
    on that session's establishment projection reduced to ``backbone`` (as
    :func:`wpnet.capacity`), the rest from its records against the register
    (``eco.establishments``, ``eco.practitioners``).

    **Indicators** (:data:`INDICATORS`; all read "higher is stronger"):

    - ``cross_authority_share`` = cross-authority ties / ties with both authorities
      known; ``expected`` its mean over 500 permutations of the authority labels
      across the graph's nodes, ``excess`` = value − expected (§7). The E-I index is
      2 × this − 1 and is not repeated.
    - ``multi_network_share``; ``lead_share`` = leaders / participants (a rate, n =
      participants); ``lead_rate_by_level`` = leaders / participants at each level;
      ``participation_rate_by_level`` = participants / practitioners of the level on
      the register (n).
    - ``largest_component_share``, ``robustness``, ``spanning_communities_share``:
      structural (§6): ``matched`` = the mean over 20 subsamples of m practitioners
      (m = the smallest participating count among ``sessions``) drawn without
      replacement with all their records; the spanning share also has its labels
      ``expected``. The spanning share is not in the default themes: it rests on a few
      dozen Leiden communities and sits at its labels baseline on the example, and a
      community detection per draw is a fifth of the bootstrap's cost; name it in
      ``themes=`` to have it. ``robustness`` is not in the default themes either: its
      betweenness ranking per draw is nearly half the cost of the report's bootstrap
      (the example's report must stay under 30 s); name it in ``themes=``.
    - per authority: ``coverage`` (n = eligible schools and nurseries) and
      ``authority_cross_share`` (ties touching the authority that leave it; n = those
      ties) with its size-only ``expected`` and ``excess``.
    - the equity gradient, partnership and per authority, group ``SIMD 1`` …
      ``SIMD 5``: ``simd_coverage`` (reached / eligible of the quintile),
      ``simd_depth`` (practitioners attributed to the quintile's establishments /
      those establishments reached), ``simd_lead_rate`` (leaders / practitioners of
      the quintile); the group ``SIMD 1 − SIMD 5`` is the gap, with its own interval.

    **Intervals** (§5): B = ``samples`` draws of each session's networks with
    replacement (copies distinct: copy j of a network carries instance j of each of its
    members, so a practitioner counts ``max c_k`` times over their networks; a copy adds
    no school); 95% percentile interval. Record-based indicators
    are bootstrapped in every session. Graph indicators are bootstrapped in the first
    and last session (the sessions compared; each graph draw refits the backbone, which
    is what costs), and NaN in between. In each draw b both ends are subsampled to
    m_b, the smaller of their two draws' practitioner counts, so graph draws are
    volume-matched. A backbone's structure re-estimated on a draw is biased (a third of
    the networks are missing from each draw): the structural indicators get no level
    interval. Level intervals are the percentile interval of the draws with their
    median moved onto the value (:func:`wpnet.inference.bootstrap.centred_interval`). A
    change interval is the percentile interval of the b-th differences, its median moved
    onto the observed change for the indicators whose draws are biased by construction
    (:data:`CENTRED`: schools reached, two or more distinct networks, backbone
    structure); for the others widened, where it must be, to hold the observed change
    x: ``[min(q_2.5, x), max(q_97.5, x)]``
    (:func:`wpnet.inference._draws.held_interval`). Every change interval so holds its
    observed change, and one that excludes 0 has the observed change on the same side:
    a change of 0 (a share at its bound in both sessions, say) reads no direction, however
    the draws of a backbone refitted on them fall.

    **No interval from a few draws.** A share or rate is undefined (0/0) in a draw that
    lacks its denominator (an authority without a backbone tie, a SIMD quintile with no
    school reached); a level or change gets an interval only when it is defined in at
    least ``MIN_DEFINED`` = 95% of the draws (190 of 200;
    :func:`wpnet.inference._draws.defined_floor`; a change in draw b needs both
    sessions' draw b). Whatever the other draws would have given, a 95% interval then
    still holds at least 0.95 × 0.95 ≈ 90% of all draws; from 2 to 8 draws of 200 it
    said nothing. Otherwise ``ci_low`` and ``ci_high`` are NaN, ``no_interval`` says
    "defined in k of B draws", and the change reads **no clear change**.
    ``no_interval`` names every other reason a row has no interval too (samples=0, no
    value, a structural level, a graph indicator between the ends) and is "" on a row
    with one.

    **Change and direction** (§8): first to last of ``sessions``. ``change`` =
    value_to − value_from (matched values for structural indicators, ``basis``
    says which); the interval from the b-th differences of the two sessions' draws;
    **strengthening**/**weakening** only when it excludes 0 (by polarity), otherwise
    **no clear change** (also when the change is defined in too few draws for an
    interval); **n/a** when a value is missing, with one session, or with
    ``samples=0`` (point values only).

    Parameters
    ----------
    eco : Ecosystem
    themes : mapping, optional
        theme -> list of indicator names, or -> mapping with ``indicators``,
        ``question`` and ``cannot_show`` (or a :class:`Theme`); default
        :data:`THEMES`. An indicator may answer several themes.
    sessions : sequence of str, optional
        In order; default every session of ``eco``.
    onto, backbone, alpha, min_weight, correction
        The establishment graph (:func:`wpnet.project`); ``onto`` must be
        ``"establishment"`` (the themes are about establishments).
    samples : int
        Bootstrap draws (default 200; 0 for point values without intervals or
        directions).
    seed : int
        Seed of the draws, permutations, subsamples and Leiden.
    workers : int, optional
        Processes for the draws (results do not depend on it).
    level : float
        Coverage of every interval (default 0.95: the 2.5 and 97.5 percentiles). A
        caller testing k changes at once can ask for 1 − 0.05/k (Bonferroni), with
        enough ``samples`` that each tail holds several draws.

    Returns
    -------
    Reflections
        ``.indicators``, ``.change``, ``.cards`` and ``.attrs``.

    Examples
    --------
    >>> import wpnet
    >>> r = reflections(wpnet.tiny(), backbone=None, samples=20, workers=1)
    >>> t = r.indicators
    >>> t.loc[(t.indicator == "lead_share"), ["session", "value", "n"]].values.tolist()
    [['2021-22', 0.3333333333333333, 3.0], ['2022-23', 0.2857142857142857, 7.0]]
    >>> r.change.loc[r.change.indicator == "lead_share", "direction"].item()
    'no clear change'
    """
    expect_ecosystem(eco, "reflections")
    sessions, theme_map = _checked(
        eco.sessions, sessions, themes, onto, samples, backbone, alpha, correction, level
    )
    opts = dict(backbone=backbone, alpha=alpha, min_weight=min_weight, correction=correction)
    layout = layout_of(eco)
    steps = _reflecting(
        eco.records, register_of(eco, layout), layout, theme_map, sessions, opts,
        samples=samples, seed=seed, level=level, scope=eco.scope,
    )  # fmt: skip
    data, tasks = next(steps)
    return _finished(steps, run_draws(data, tasks, workers))


def workstream_reflections(
    eco: Ecosystem,
    workstreams: Sequence[str],
    *,
    themes: Mapping[str, Any] | None = None,
    sessions: Sequence[str] | None = None,
    graph: GraphSpec | None = None,
    samples: int = 200,
    seed: int = 0,
    workers: int | None = None,
    level: float = 0.95,
) -> dict[str, Reflections]:
    """:func:`reflections` of each workstream's slice of ``eco``: for each w of
    ``workstreams``, the same result as ``reflections(eco.select(workstream=w), ...)``
    with the same options, computed from one reading of ``eco``'s records and register
    instead of a selection per workstream.

    Selecting a workstream keeps every establishment and every record of its networks;
    the register's practitioners are those whose home establishment is on the register
    or who have a record in the workstream (as :meth:`wpnet.Ecosystem.select` keeps
    them: the denominators of ``participation_rate_by_level``).

    Parameters
    ----------
    eco : Ecosystem
    workstreams : sequence of str
        The workstreams, each with records in every one of ``sessions``.
    themes, sessions, samples, seed, workers, level
        As :func:`reflections` (``sessions`` defaults to each workstream's own).
    graph : GraphSpec, optional
        The graph options (default: the SDSM backbone, as :func:`reflections`).

    Returns
    -------
    dict
        Workstream -> :class:`Reflections`.

    Raises
    ------
    UsageError
        As :meth:`~wpnet.Ecosystem.select` (a workstream not in the data) and
        :func:`reflections` (a session without the workstream's records).

    Examples
    --------
    >>> import wpnet
    >>> from wpnet.graphs import GraphSpec
    >>> r = workstream_reflections(wpnet.tiny(), ["Curricular networks"],
    ...                            graph=GraphSpec(backbone=None), samples=0)
    >>> r["Curricular networks"].indicators.session.unique().tolist()
    ['2021-22', '2022-23']
    """
    expect_ecosystem(eco, "workstream_reflections")
    known = sorted(eco.networks["workstream"].dropna().unique())
    unknown = [w for w in workstreams if w not in set(known)]
    if unknown:
        raise UsageError(f"workstreams {unknown!r} not in the data; allowed: {known!r}")
    spec = graph if graph is not None else GraphSpec(backbone="sdsm")
    opts = {k: v for k, v in spec.keywords().items() if k != "onto"}
    layout = layout_of(eco)
    reg = register_of(eco, layout)
    records = eco.records
    prac = eco.practitioners
    est_ids = pd.Index(eco.establishments["establishment_id"].dropna().unique())
    home_on = est_ids.get_indexer(prac["establishment_id"]) >= 0
    id_code, ids = pd.factorize(prac["practitioner_id"])
    ids = pd.Index(ids)
    row_level = _codes(prac["level"], list(LEVELS))
    steps: dict[str, Generator[Any, Any, Reflections]] = {}
    for w in workstreams:
        mine = records[(records["workstream"] == w).fillna(False).to_numpy(dtype=bool)]
        present = sorted(mine["session"].dropna().unique().tolist())
        ses, theme_map = _checked(
            present, sessions, themes, spec.onto, samples, spec.backbone, spec.alpha,
            spec.correction, level,
        )  # fmt: skip
        taking_part = ids.get_indexer(mine["practitioner_id"].dropna().unique())
        rows = home_on | np.isin(id_code, taking_part[taking_part >= 0])
        mine_reg = replace(reg, register_level=_level_counts(id_code, row_level, rows))
        steps[w] = _reflecting(
            mine, mine_reg, layout, theme_map, ses, opts, samples=samples, seed=seed,
            level=level, scope={**eco.scope, "workstream": w},
        )  # fmt: skip
    # every workstream's draws in one pool (a pool costs about 0.15 s to start and stop)
    asked = {w: next(st) for w, st in steps.items()}
    values = run_draws(
        {w: data for w, (data, _) in asked.items()},
        [(w, t) for w, (_, tasks) in asked.items() for t in tasks],
        workers,
    )
    out: dict[str, Reflections] = {}
    start = 0
    for w, (_, tasks) in asked.items():
        out[w] = _finished(steps[w], values[start : start + len(tasks)])
        start += len(tasks)
    return out


def _level_counts(id_code: np.ndarray, row_level: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Practitioners per level among the register's ``rows`` (a mask), each id counted
    once with its first row's level (as :func:`register_of` counts them).

    Examples
    --------
    >>> _level_counts(np.array([0, 1, 0, 2]), np.array([1, 0, 2, 1]),
    ...               np.array([True, True, True, False])).tolist()[:3]
    [1, 1, 0]
    """
    codes, levels = id_code[rows], row_level[rows]
    _, first = np.unique(codes, return_index=True)  # -1 (no id) is one id, as drop_duplicates
    kept = levels[first]
    return np.bincount(kept[kept >= 0], minlength=len(LEVELS))


def _checked(
    available: list[str],
    sessions: Sequence[str] | None,
    themes: Mapping[str, Any] | None,
    onto: str,
    samples: int,
    backbone: str | None,
    alpha: float,
    correction: str,
    level: float,
) -> tuple[list[str], dict[str, Theme]]:
    """The sessions (default ``available``, the sessions with records) and themes of a
    :func:`reflections` call, checked."""
    check_choice("onto", onto, ("establishment",))  # the themes are about establishments
    if not 0.5 <= level < 1:
        raise UsageError(f"level must be at least 0.5 and below 1, got {level!r}")
    sessions = list(available if sessions is None else sessions)
    unknown = sorted(set(sessions) - set(available))
    if unknown:
        raise UsageError(f"sessions not in the data: {unknown}; it has {available}")
    if not sessions:
        raise UsageError("reflections needs at least one session with records")
    if len(set(sessions)) != len(sessions):
        raise UsageError(f"sessions repeat a session: {sessions}")
    check_options(samples, backbone, alpha, correction)
    return sessions, _themes(themes)


def _finished(steps: Generator[Any, Any, Reflections], values: list[Any]) -> Reflections:
    """Send :func:`_reflecting` the values of the draws it asked for; its Reflections."""
    try:
        steps.send(values)
    except StopIteration as done:
        return done.value
    raise RuntimeError("the evaluation themes asked for their draws twice")


#: Bootstrap draws per task when their graph indicators are computed together
#: (:class:`wpnet.inference._draws.DrawBatch`: no backbone, the cross-authority share
#: only, as in the change by workstream).
DRAW_BATCH = 50


def _reflecting(
    records: pd.DataFrame,
    reg: Register,
    layout: Layout,
    theme_map: dict[str, Theme],
    sessions: list[str],
    opts: dict[str, Any],
    *,
    samples: int,
    seed: int,
    level: float,
    scope: dict[str, Any],
) -> Generator[tuple[dict[str, SessionData], list[Any]], list[Any], Reflections]:
    """The body of :func:`reflections`, from ``records`` (rows of
    :attr:`Ecosystem.records`) against the register ``reg``, in two steps so that
    several can share one process pool (:func:`workstream_reflections`): it yields the
    sessions' data and the draws it needs (the volume-matched subsamples, then one
    :class:`DrawGroup` per bootstrap draw), is sent their values
    (:func:`wpnet.inference._draws.run_draws`, in task order), and returns the
    Reflections (:func:`_finished`)."""
    wanted = {i for t in theme_map.values() for i in t.indicators}
    keys = layout.keys
    nrow = len(keys)
    rows = layout.positions(wanted)
    first, last = sessions[0], sessions[-1]
    ends = [first] if first == last else [first, last]
    data = _session_data(
        records, reg, sessions, layout, seed=seed, pairs=ends if samples else [], **opts
    )
    graph_wanted = wanted & set(GRAPH_INDICATORS)
    cheap = frozenset(wanted - set(GRAPH_INDICATORS))
    struct_wanted = wanted & set(STRUCTURAL)
    # ---- point values, denominators, expected values
    value: dict[str, np.ndarray] = {}
    n: dict[str, np.ndarray] = {}
    expected: dict[str, np.ndarray] = {}
    for s, sd in data.items():
        n[s] = np.full(nrow, np.nan)
        value[s] = evaluate(sd, which=wanted, denominators=n[s])
        expected[s] = label_expected(sd, seed, which=wanted)
    # ---- volume matching (§6)
    counts = {
        s: int(practitioners_of(d, np.ones(d.n_k, dtype=np.int64)).size) for s, d in data.items()
    }
    m = min(counts.values())
    matched: dict[str, np.ndarray] = {s: np.full(nrow, np.nan) for s in sessions}
    vseeds = task_seeds(seed, len(sessions) * VOLUME_DRAWS)
    vtasks = [
        DrawTask(
            s,
            np.ones(data[s].n_k, dtype=np.int64),
            vseeds[i * VOLUME_DRAWS + r],
            m,
            frozenset(struct_wanted),
            frozenset(),
        )  # fmt: skip
        for i, s in enumerate(sessions)
        if struct_wanted and counts[s] > m
        for r in range(VOLUME_DRAWS)
    ]
    # the bootstrap's draws (§5), one task per draw index b for every session (made in
    # the worker from the seeds: bootstrap_tasks), run with the subsamples in one pool
    groups: list[Any] = [
        DrawGroup(b, seed, tuple(sessions), tuple(ends), frozenset(graph_wanted), cheap)
        for b in range(samples)
    ]
    batch = DRAW_BATCH if batchable(opts, graph_wanted) else 1  # the same values either way
    if batch > 1:
        groups = [DrawBatch(tuple(groups[b : b + batch])) for b in range(0, samples, batch)]
    every = yield data, [*vtasks, *groups]
    vres = every[: len(vtasks)]
    by_b = every[len(vtasks) :]  # by_b[b][i]: draw b of sessions[i]
    if batch > 1:
        by_b = [one for part in by_b for one in part]
    res = [by_b[b][i] for i in range(len(sessions)) for b in range(samples)]
    spos = layout.positions(struct_wanted)
    for s in sessions:
        if not struct_wanted:
            break
        if counts[s] > m:
            mine = [v[1] for t, v in zip(vtasks, vres, strict=True) if t.label == s]
            matched[s][spos] = np.mean(np.array(mine)[:, spos], axis=0)
        else:
            matched[s][spos] = value[s][spos]
    # ---- bootstrap (§5)
    ci_low = {s: np.full(nrow, np.nan) for s in sessions}
    ci_high = {s: np.full(nrow, np.nan) for s in sessions}
    why = {s: _level_reasons(keys, value[s], samples, s in ends, graph_wanted) for s in sessions}
    diffs: np.ndarray | None = None
    if samples:
        draws: dict[str, np.ndarray] = {}
        gpos = layout.positions(graph_wanted)
        cpos = layout.positions(set(cheap))
        for i, s in enumerate(sessions):
            part = res[i * samples : (i + 1) * samples]
            d = np.full((samples, nrow), np.nan)
            d[:, cpos] = np.array([v[0][cpos] for v in part]).reshape(samples, cpos.size)
            if s in ends:
                d[:, gpos] = np.array([v[1][gpos] for v in part]).reshape(samples, gpos.size)
            draws[s] = d
            lo, hi = centred_interval(d, value[s], level=level)
            ci_low[s], ci_high[s] = _clip(lo, hi, keys)
            ci_low[s][spos] = np.nan  # structural: no level interval (see Intervals)
            ci_high[s][spos] = np.nan
            few = few_defined(d, why[s])  # an interval only from enough defined draws
            ci_low[s][few], ci_high[s][few] = np.nan, np.nan
        if first != last:
            diffs = draws[last] - draws[first]
    # ---- the tidy table
    frames = []
    for s in sessions:
        frames.append(
            pd.DataFrame(
                {
                    "indicator": [keys[i][0] for i in rows],
                    "unit": [keys[i][1] for i in rows],
                    "group": [keys[i][2] for i in rows],
                    "session": s,
                    "value": value[s][rows],
                    "n": n[s][rows],
                    "expected": expected[s][rows],
                    "excess": value[s][rows] - expected[s][rows],
                    "ci_low": ci_low[s][rows],
                    "ci_high": ci_high[s][rows],
                    "no_interval": pd.Series(why[s][rows], dtype=object),
                    "matched": matched[s][rows],
                }
            )
        )
    base = pd.concat(frames, ignore_index=True)
    tidy = _with_themes(base, theme_map)
    tidy = tidy[list(INDICATOR_COLUMNS)]
    # ---- change (§8)
    ch = pd.DataFrame(
        {
            "indicator": [keys[i][0] for i in rows],
            "unit": [keys[i][1] for i in rows],
            "group": [keys[i][2] for i in rows],
        }
    )
    structural_row = np.isin(np.array([keys[i][0] for i in rows]), list(STRUCTURAL))
    v_from = np.where(structural_row, matched[first][rows], value[first][rows])
    v_to = np.where(structural_row, matched[last][rows], value[last][rows])
    change = v_to - v_from
    lo = np.full(rows.size, np.nan)
    hi = np.full(rows.size, np.nan)
    ch_why = _change_reasons(v_from, v_to, samples, (first, last))
    few = np.zeros(rows.size, dtype=bool)
    if diffs is not None:
        # every change interval holds the observed change: centred (CENTRED) or the
        # percentile interval widened to it, so a change of 0 never reads a direction
        plo, phi = held_interval(diffs[:, rows], change, level=level)
        clo, chi = centred_interval(diffs[:, rows], change, level=level)
        centred = np.isin(np.array([keys[i][0] for i in rows]), list(CENTRED))
        lo = np.where(centred, clo, plo)
        hi = np.where(centred, chi, phi)
        few = few_defined(diffs[:, rows], ch_why)
        lo[few], hi[few] = np.nan, np.nan
    ch["from"], ch["to"] = first, last
    ch["value_from"], ch["value_to"], ch["change"] = v_from, v_to, change
    ch["ci_low"], ch["ci_high"] = lo, hi
    ch["no_interval"] = pd.Series(ch_why, dtype=object)
    ch["basis"] = np.where(structural_row, "matched", "value")
    if first == last:
        ch["change"] = np.nan
    # a change without an interval from too few defined draws is no finding either way
    ch["direction"] = [
        "no clear change" if f and not math.isnan(c)
        else _direction(a, b, c, INDICATORS[name].polarity) if diffs is not None else "n/a"
        for a, b, c, name, f in zip(lo, hi, ch["change"], ch["indicator"], few, strict=True)
    ]  # fmt: skip
    change_table = _with_themes(ch, theme_map)[list(CHANGE_COLUMNS)]
    cards = _cards(theme_map, tidy, change_table, last)
    notes = []
    if not samples:
        notes.append("samples=0: point values only, no intervals and no directions")
    if len(sessions) > 2 and graph_wanted and samples:
        notes.append(
            "graph indicators are bootstrapped in the first and last session only; their "
            "intervals in the sessions between are not computed"
        )
    attrs = dict(
        measure="reflections",
        model="network bootstrap (networks drawn with replacement, copies distinct); "
        "labels permutation for expected values; practitioner subsamples for matched values",
        samples=int(samples),
        seed=int(seed),
        level=float(level),
        min_defined=MIN_DEFINED,
        graph=describe_graph(**opts).replace(" of each draw", " of each session (and each draw)"),
        backbone=opts["backbone"],
        sessions=sessions,
        compared=(first, last),
        volume={"m": m, "draws": VOLUME_DRAWS, "practitioners": counts},
        label_permutations=LABEL_PERMUTATIONS,
        notes=notes,
        scope=scope,
    )
    tidy.attrs.update(attrs)
    change_table.attrs.update(attrs)
    return Reflections(tidy, change_table, cards, attrs)


def _session_data(
    records: pd.DataFrame,
    reg: Register,
    sessions: Sequence[str],
    layout: Layout,
    *,
    seed: int,
    pairs: Sequence[str],
    **opts: Any,
) -> dict[str, SessionData]:
    """Each session's arrays against the register ``reg`` (read once for all): a
    session's records are those of ``records`` in that session, as
    ``eco.select(session=s).records`` gives them (selecting a session keeps every
    establishment, network and practitioner a kept record names, so the attribution
    is the same). The pair x network matrix is built for the sessions in ``pairs``."""
    of = records["session"]
    return {
        s: prepare_records(
            records[(of == s).fillna(False).to_numpy(dtype=bool)],
            reg,
            label=s,
            layout=layout,
            seed=seed,
            pairs=s in pairs,
            **opts,
        )
        for s in sessions
    }


def _with_themes(frame: pd.DataFrame, theme_map: dict[str, Theme]) -> pd.DataFrame:
    """One copy of ``frame``'s rows per theme an indicator answers, in theme order,
    with ``theme``, ``polarity`` and ``kind``."""
    names = frame["indicator"].to_numpy(dtype=object)
    picks: list[np.ndarray] = []
    added: dict[str, list[str]] = {"theme": [], "polarity": [], "kind": []}
    for theme, t in theme_map.items():
        for name in t.indicators:
            at = np.flatnonzero(names == name)
            picks.append(at)
            added["theme"] += [theme] * at.size
            added["polarity"] += [INDICATORS[name].polarity] * at.size
            added["kind"] += [INDICATORS[name].kind] * at.size
    out = frame.take(np.concatenate(picks)).reset_index(drop=True)
    for c in ("indicator", "unit", "group"):
        out[c] = out[c].astype(object)
    out.insert(0, "theme", pd.Series(added["theme"], dtype=object))
    out["polarity"] = pd.Series(added["polarity"], dtype=object)
    out["kind"] = pd.Series(added["kind"], dtype=object)
    return out


def _cards(
    theme_map: dict[str, Theme], tidy: pd.DataFrame, change: pd.DataFrame, last: str
) -> list[ThemeCard]:
    cards = []
    for theme, t in theme_map.items():
        now = tidy[(tidy["theme"] == theme) & (tidy["session"] == last)]
        ch = change[change["theme"] == theme]
        per_authority = now["indicator"].isin(["coverage", "authority_cross_share"])
        show = now[now["unit"].eq("partnership") | per_authority]
        of_change = ["indicator", "unit", "group", "change", "ci_low", "ci_high",
                     "no_interval", "direction"]  # fmt: skip
        renamed = {"ci_low": "change_low", "ci_high": "change_high",
                   "no_interval": "change_no_interval"}  # fmt: skip
        merged = show.merge(
            ch[of_change].rename(columns=renamed),
            on=["indicator", "unit", "group"],
            how="left",
        )
        merged["baseline"] = merged["indicator"].map(
            lambda i: {
                "labels": "expected if authorities were assigned at random",
                "volume": "matched: at the smallest session's number of practitioners",
                "interval": "95% bootstrap interval",
            }[INDICATORS[i].baseline]
        )
        cols = ["indicator", "unit", "group", "value", "n", "ci_low", "ci_high", "no_interval",
                "expected", "excess", "matched", "change", "change_low", "change_high",
                "change_no_interval", "direction", "baseline"]  # fmt: skip
        cards.append(
            ThemeCard(theme, t.question, merged[cols].reset_index(drop=True), t.cannot_show)
        )
    return cards
