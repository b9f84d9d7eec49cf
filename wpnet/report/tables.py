"""The report's published tables: measure results made safe to publish.

Each :class:`Table` is read from the raw results of :mod:`wpnet.report.compute` and
goes through disclosure control before it is shown or written:

- practitioner counts below ``min_cell`` are shown as ``"<5"``, with secondary
  suppression (``"*"``) so that no hidden count can be recovered from the totals
  (:func:`wpnet.privacy.suppress`);
- a share of practitioners (``lead_share``, ``multi_network_share``) times the
  practitioner count is itself a count of practitioners: it takes part in the same
  suppression, and the share is hidden (``"*"``) where that count is;
- a ratio built on a hidden count (``depth`` = practitioners / establishments) is
  hidden with it, and so are the counts that bound it (establishments, authorities,
  reached, coverage, records: :data:`wpnet.privacy.BOUNDING_COLUMNS`).

No table ever holds a practitioner id or name: the units are establishments,
authorities, sectors, quintiles, workstreams, networks and sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wpnet.privacy import BOUNDING_COLUMNS, scrub, suppress
from wpnet.report.compute import Results

__all__ = ["HIDDEN", "Table", "build_tables", "protect"]

#: Marker of a share or ratio hidden because the count it implies is.
HIDDEN = "*"

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


@dataclass
class Table:
    """One published table: ``frame`` has plain columns (labels included), already
    protected; ``formats`` maps a column to ``int``, ``pct``, ``num2``, ``num3`` or
    ``text`` (how the HTML shows it; files keep the values)."""

    key: str
    title: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    note: str = ""
    section: str = ""


# ---- disclosure control ------------------------------------------------------------------
def protect(
    table: pd.DataFrame,
    min_cell: int,
    *,
    people: tuple[str, ...] = ("practitioners",),
    shares: dict[str, str | pd.Series] | None = None,
    ratios: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Suppress practitioner counts, and the shares and ratios that would reveal them.

    Parameters
    ----------
    table : DataFrame
        One row per unit; the count columns ``people`` hold practitioner counts.
    min_cell : int
        Smallest count shown.
    people : tuple of str
        Practitioner count columns (those present are suppressed).
    shares : dict, optional
        share column -> its base: a column of ``table`` or a Series aligned on the index
        (the practitioner count the share is of). share × base is a count suppressed
        with the others; the share is shown as :data:`HIDDEN` where it is hidden.
    ratios : dict, optional
        ratio column -> count column it is built on; hidden where that count is.

    Returns
    -------
    DataFrame
        A copy; hidden cells hold ``"<min_cell"`` or ``"*"``. Column sums of the counts
        are taken as published (``totals="columns"`` of :func:`wpnet.privacy.suppress`).

    Examples
    --------
    >>> t = pd.DataFrame({"practitioners": [40, 3, 30], "lead_share": [0.5, 0.0, 0.1]},
    ...                  index=["A", "B", "C"])
    >>> protect(t, 5, shares={"lead_share": "practitioners"})
      practitioners lead_share
    A            40          *
    B            <5          *
    C             *          *

    C leads 3 practitioners (10% of 30), so its share is hidden, and A's with it (the
    column total of leads is known); B's share is hidden with its count.
    """
    shares = shares or {}
    ratios = ratios or {}
    work = table.copy()
    counts = [c for c in people if c in work.columns]
    derived: dict[str, str] = {}
    for share, base in shares.items():
        if share not in work.columns:
            continue
        b = work[base] if isinstance(base, str) else base.reindex(work.index)
        n = pd.to_numeric(work[share], errors="coerce") * pd.to_numeric(b, errors="coerce")
        name = f"__n_{share}"
        work[name] = np.rint(n.fillna(0).to_numpy(dtype=float)).astype(np.int64)
        derived[share] = name
        counts.append(name)
    if not counts or work.empty:
        return table.copy()
    block = work[counts].apply(pd.to_numeric, errors="coerce").fillna(0).round().astype(np.int64)
    sup = suppress(block, min_cell, columns=counts, totals="columns")
    hidden = sup.attrs["suppressed"]
    out = table.copy()
    for c in people:
        if c in out.columns:
            out[c] = sup[c]
    for share, name in derived.items():
        mask = hidden[name].to_numpy()
        if isinstance(shares[share], str) and shares[share] in hidden.columns:
            mask = mask | hidden[shares[share]].to_numpy()
        if mask.any():
            out[share] = _masked(out[share], mask)
    for ratio, base in ratios.items():
        if ratio in out.columns and base in hidden.columns:
            mask = hidden[base].to_numpy()
            if mask.any():
                out[ratio] = _masked(out[ratio], mask)
    # counts that bound a hidden practitioner count go with it (privacy.BOUNDING_COLUMNS)
    gone = np.zeros(len(out), dtype=bool)
    for c in people:
        if c in hidden.columns:
            gone |= hidden[c].to_numpy(dtype=bool)
    if gone.any():
        for b in BOUNDING_COLUMNS:
            if b in out.columns and b not in people:
                out[b] = _masked(out[b], gone)
    return out


def _masked(values: pd.Series, mask: np.ndarray) -> pd.Series:
    shown = [HIDDEN if m else v for v, m in zip(values.tolist(), mask, strict=True)]
    return pd.Series(shown, index=values.index, dtype=object)


# ---- tables ------------------------------------------------------------------------------
REACH_FORMATS = {
    "practitioners": "int",
    "establishments": "int",
    "reached": "int",
    "eligible": "int",
    "networks": "int",
    "authorities": "int",
    "records": "int",
    "coverage": "pct",
    "simd_q1_coverage": "pct",
    "equity_ratio": "num2",
    "depth": "num2",
    "lead_share": "pct",
}


def _reached(r: pd.DataFrame) -> pd.Series:
    """Non-central establishments reached: coverage × eligible (both from reach)."""
    n = (r["coverage"] * r["eligible"]).fillna(0)
    return pd.Series(np.rint(n.to_numpy(dtype=float)).astype(np.int64), index=r.index)


def _reach_frame(
    r: pd.DataFrame, label: str, min_cell: int, extra: dict | None = None
) -> pd.DataFrame:
    t = r.copy()
    if "eligible" in t.columns:
        t.insert(list(t.columns).index("eligible"), "reached", _reached(t))
    t = protect(
        t, min_cell, shares={"lead_share": "practitioners"}, ratios={"depth": "practitioners"}
    )
    for c in ("establishments", "authorities", "networks", "records", "eligible"):
        if c in t.columns and t[c].dtype.kind == "f" and t[c].notna().all():
            t[c] = t[c].astype(np.int64)
    t.index = t.index.astype(str)
    t.index.name = label
    t = t.reset_index()
    if extra:
        for col, values in extra.items():
            t.insert(1, col, values)
    return t


def reach_tables(res: Results, min_cell: int, top_networks: int = 20) -> list[Table]:
    cols = [
        "practitioners",
        "establishments",
        "eligible",
        "coverage",
        "simd_q1_coverage",
        "equity_ratio",
        "depth",
        "lead_share",
    ]
    out: list[Table] = []
    rows = {res.session: res.reach.iloc[0]}
    if res.reach_prev is not None:
        rows[str(res.compare_to)] = res.reach_prev.iloc[0]
    overall = pd.DataFrame(rows).T.astype(float)
    overall.index.name = "session"
    overall = overall[
        cols_present(
            overall,
            ["practitioners", "establishments", "authorities", "networks", "records", *cols[2:]],
        )
    ]
    out.append(
        Table(
            "reach_overall",
            "Reach of the partnership",
            _reach_frame(overall, "session", min_cell),
            REACH_FORMATS,
            "establishments: reached establishments including central teams; reached / "
            "eligible: schools and nurseries (central teams are not in coverage).",
            "reach",
        )
    )
    labels = {
        "authority": ("reach_authority", "Reach by local authority"),
        "sector": ("reach_sector", "Reach by sector"),
        "simd_quintile": ("reach_simd", "Reach by SIMD quintile (1 = most deprived)"),
        "workstream": ("reach_workstream", "Reach by workstream"),
    }
    for by, (key, title) in labels.items():
        r = res.reach_by[by]
        t = _reach_frame(r[cols_present(r, cols)], by, min_cell)
        out.append(Table(key, title, t, REACH_FORMATS, section="reach"))
    net = res.reach_by["network"]
    names = res.sel.networks.set_index("network_id")
    net = net.sort_values(["establishments", "practitioners"], ascending=False).head(top_networks)
    t = _reach_frame(
        net[
            cols_present(
                net,
                [
                    "practitioners",
                    "establishments",
                    "authorities",
                    "coverage",
                    "simd_q1_coverage",
                    "lead_share",
                ],
            )
        ],
        "network_id",
        min_cell,
    )
    ids = t["network_id"]
    t.insert(1, "network", ids.map(names["name"]).astype(object).to_numpy())
    t.insert(2, "workstream", ids.map(names["workstream"]).astype(object).to_numpy())
    t = t.drop(columns=[c for c in ("reached", "eligible") if c in t.columns])
    out.append(
        Table(
            "reach_networks",
            f"Top {min(top_networks, len(t))} networks by establishments reached",
            t,
            REACH_FORMATS,
            section="reach",
        )
    )
    return out


def cols_present(df: pd.DataFrame, cols: list[str]) -> list[str]:
    return [c for c in cols if c in df.columns]


def collaboration_tables(res: Results) -> list[Table]:
    m = res.authority_matrix.copy()
    m.index = m.index.astype(str)
    m.index.name = "authority"
    m.columns = [str(c) for c in m.columns]
    matrix = m.reset_index()
    ei = res.ei.iloc[0]
    test = pd.DataFrame(
        [
            {
                "ties": int(ei["ties"]),
                "external": int(ei["external"]),
                "internal": int(ei["internal"]),
                "ei_index": float(ei["ei_index"]),
                "expected": float(ei["expected"]),
                "perm_sd": float(ei["perm_sd"]),
                "p_one_sided": float(ei["p_one_sided"]),
                "p_two_sided": float(ei["p_two_sided"]),
                "permutations": int(ei["permutations"]),
            }
        ]
    )
    cross = res.capacity_by[["nodes", "ties", "cross_authority_share", "ei_index"]].copy()
    cross.loc["partnership"] = [
        res.capacity.iloc[0]["nodes"],
        res.capacity.iloc[0]["ties"],
        res.capacity.iloc[0]["cross_authority_share"],
        res.capacity.iloc[0]["ei_index"],
    ]
    cross.index = cross.index.astype(str)
    cross.index.name = "authority"
    fm = {c: "int" for c in matrix.columns if c != "authority"}
    return [
        Table(
            "authority_matrix",
            "Networks joining establishments of two authorities",
            matrix,
            fm,
            "Cell (A, B): networks with member establishments from both A and B; the "
            "diagonal counts networks with members in A.",
            "collaboration",
        ),
        Table(
            "ei_test",
            "E-I index of the establishment graph over authorities, with its permutation test",
            test,
            {
                "ties": "int",
                "external": "int",
                "internal": "int",
                "ei_index": "num3",
                "expected": "num3",
                "perm_sd": "num3",
                "p_one_sided": "num3",
                "p_two_sided": "num3",
                "permutations": "int",
            },
            section="collaboration",
        ),
        Table(
            "cross_authority",
            "Cross-authority ties by authority",
            cross.reset_index(),
            {"nodes": "int", "ties": "int", "cross_authority_share": "pct", "ei_index": "num3"},
            "cross_authority_share: share of the authority's establishments' ties that "
            "join another authority; ei_index: (external − internal) / all of its ties.",
            "collaboration",
        ),
    ]


def broker_table(res: Results, top: int = 15) -> pd.DataFrame:
    """The ``top`` establishments by betweenness, named, ranked by
    :func:`wpnet.measures.brokerage.top_brokers` (the maps' rule too)."""
    from wpnet.measures.brokerage import top_brokers

    b = res.brokerage
    b = b.loc[top_brokers(b, top=top, rank_by="betweenness")]
    est = res.eco.establishments.drop_duplicates("establishment_id").set_index("establishment_id")
    t = pd.DataFrame(
        {
            "establishment": b.index.map(est["name"]).astype(object),
            "authority": b["group"].astype(object).to_numpy(),
            "sector": b.index.map(est["sector"]).astype(object),
            "betweenness": b["betweenness"].to_numpy(),
            "degree": b["degree"].to_numpy(),
            **{f"gf_{r}": b[f"gf_{r}"].to_numpy() for r in ROLES},
            "gf_total": b["gf_total"].to_numpy(),
            "constraint": b["constraint"].to_numpy(),
        },
        index=pd.Index(b.index.astype(str), name="establishment_id"),
    )
    return t.reset_index()


def brokerage_tables(res: Results, top: int = 15) -> list[Table]:
    brokers = broker_table(res, top)
    fm = {"betweenness": "num3", "degree": "int", "constraint": "num3", "gf_total": "int"}
    fm.update({f"gf_{r}": "int" for r in ROLES})
    roles = res.roles.copy()
    roles.index = roles.index.astype(str)
    b = res.brokerage
    by_auth = pd.DataFrame(
        index=pd.Index(sorted(b["group"].dropna().astype(str).unique()), name="authority")
    )
    grouped = b.groupby(b["group"].astype(str), observed=True)
    for r in ROLES:
        by_auth[f"{r}_observed"] = (
            grouped[f"gf_{r}"].sum().reindex(by_auth.index).fillna(0).astype(np.int64)
        )
        by_auth[f"{r}_expected"] = (
            grouped[f"gf_{r}_expected"].sum().reindex(by_auth.index).fillna(0.0)
        )
    fa = {c: ("int" if c.endswith("observed") else "num2") for c in by_auth.columns}
    return [
        Table(
            "brokers_top",
            f"Top {len(brokers)} brokering establishments (betweenness)",
            brokers,
            fm,
            "gf_*: Gould–Fernandez brokerage counts; constraint: Burt's constraint (lower = more brokerage opportunity).",
            "brokerage",
        ),
        Table(
            "gf_roles",
            "Gould–Fernandez brokerage roles, observed and expected under a random graph",
            roles.reset_index(),
            {"observed": "int", "expected": "num2", "sd": "num2", "z": "num2"},
            section="brokerage",
        ),
        Table(
            "gf_roles_by_authority",
            "Gould–Fernandez roles by authority of the broker: observed and expected counts",
            by_auth.reset_index(),
            fa,
            "expected: the sum over the authority's establishments of their expected counts "
            "under a Bernoulli graph of the same density and group sizes (sna::brokerage).",
            "brokerage",
        ),
    ]


CAPACITY_COLS = [
    "nodes",
    "ties",
    "density",
    "largest_component_share",
    "cross_authority_share",
    "multi_network_share",
    "level_evenness",
    "lead_share",
    "communities",
    "modularity",
]
CAPACITY_FORMATS = {
    "nodes": "int",
    "ties": "int",
    "density": "num3",
    "largest_component_share": "pct",
    "cross_authority_share": "pct",
    "multi_network_share": "pct",
    "level_evenness": "num3",
    "lead_share": "pct",
    "communities": "int",
    "modularity": "num3",
    "transitivity": "num3",
    "spanning_communities_share": "pct",
    "robustness": "pct",
    "ei_index": "num3",
    "practitioners": "int",
    "establishments": "int",
    "coverage": "pct",
    "simd_q1_coverage": "pct",
    "equity_ratio": "num2",
}
PEOPLE_SHARES = ("lead_share", "multi_network_share")


def capacity_tables(res: Results, min_cell: int) -> list[Table]:
    cap = res.capacity_by[cols_present(res.capacity_by, CAPACITY_COLS)].copy()
    whole = res.capacity.iloc[0]
    cap.loc["partnership"] = [whole[c] for c in cap.columns]
    people = res.reach_by["authority"]["practitioners"].copy()
    people.index = people.index.astype(str)
    cap.index = cap.index.astype(str)
    people.loc["partnership"] = res.reach.iloc[0]["practitioners"]
    shares = {s: people for s in PEOPLE_SHARES if s in cap.columns}
    cap = protect(cap, min_cell, people=(), shares=shares)
    cap.index.name = "authority"
    tr = res.trend
    tcols = cols_present(
        tr,
        [
            "practitioners",
            "establishments",
            "coverage",
            "simd_q1_coverage",
            "equity_ratio",
            "cross_authority_share",
            "ei_index",
            "multi_network_share",
            "level_evenness",
            "lead_share",
            "density",
            "largest_component_share",
            "spanning_communities_share",
        ],
    )
    trend = protect(tr[tcols].copy(), min_cell, shares={s: "practitioners" for s in PEOPLE_SHARES})
    trend.index = trend.index.astype(str)
    trend.index.name = "session"
    return [
        Table(
            "capacity_authority",
            "Collective capacity by authority",
            cap.reset_index(),
            CAPACITY_FORMATS,
            "Structural columns on the authority's own establishments in the session's "
            "graph; shares of practitioners over the authority's practitioners.",
            "capacity",
        ),
        Table(
            "capacity_trend",
            "Reach and collective capacity across sessions",
            trend.reset_index(),
            CAPACITY_FORMATS,
            "Each session measured on its own graph.",
            "capacity",
        ),
    ]


def change_tables(res: Results, min_cell: int) -> list[Table]:
    if res.change is None:
        return []
    flows = res.change.flows.copy()
    flows = flows.astype(object)
    p = flows.loc["practitioners"] if "practitioners" in flows.index else None
    if p is not None:
        counts = ["before", "after", "retained", "new", "lapsed"]
        vals = {c: int(p[c]) for c in counts}
        small = {c for c, v in vals.items() if 0 < v < min_cell}
        if small & {"before", "after"}:
            hide = set(counts)
        elif small:
            hide = {"retained", "new", "lapsed"}  # two relations, three unknowns
        else:
            hide = set()
        for c in hide:
            flows.loc["practitioners", c] = f"<{min_cell}" if c in small else HIDDEN
        if "retained" in hide:
            flows.loc["practitioners", "retention_rate"] = HIDDEN
    flows.index = flows.index.astype(str)
    flows.index.name = "unit"
    fm = {c: "int" for c in ("before", "after", "retained", "new", "lapsed")}
    fm["retention_rate"] = "pct"
    meas = res.change.measures
    rows = [
        r
        for r in (
            "coverage",
            "simd_q1_coverage",
            "equity_ratio",
            "cross_authority_share",
            "ei_index",
            "multi_network_share",
            "level_evenness",
            "lead_share",
            "density",
            "largest_component_share",
        )
        if r in meas.index
    ]
    m = meas.loc[rows, ["before", "after", "delta"]].copy().astype(object)
    before_n = res.change.flows.loc["practitioners", "before"]
    after_n = res.change.flows.loc["practitioners", "after"]
    for share in PEOPLE_SHARES:
        if share not in m.index:
            continue
        nb = (
            round(float(meas.loc[share, "before"]) * before_n)
            if pd.notna(meas.loc[share, "before"])
            else 0
        )
        na = (
            round(float(meas.loc[share, "after"]) * after_n)
            if pd.notna(meas.loc[share, "after"])
            else 0
        )
        if (
            0 < nb < min_cell
            or 0 < na < min_cell
            or 0 < before_n < min_cell
            or 0 < after_n < min_cell
        ):
            m.loc[share] = [HIDDEN, HIDDEN, HIDDEN]
    m.index.name = "measure"
    return [
        Table(
            "change_flows",
            f"Retained, new and lapsed: {res.compare_to} to {res.session}",
            flows.reset_index(),
            fm,
            "retained: in both sessions; new: this session only; lapsed: the earlier session only.",
            "change",
        ),
        Table(
            "change_measures",
            f"Measures in {res.compare_to} and {res.session}",
            m.reset_index(),
            {"before": "num3", "after": "num3", "delta": "num3"},
            section="change",
        ),
    ]


def reflections_table(res: Results, min_cell: int) -> list[Table]:
    r = res.reflections.copy()
    sessions = [s for s in res.sessions if s in r.columns]
    leaders = r["indicator"].str.startswith("leaders_")
    if leaders.any():
        block = r.loc[leaders, sessions].fillna(0).round().astype(np.int64)
        block.index = r.loc[leaders, "indicator"].astype(str)
        sup = suppress(block, min_cell, columns=sessions, totals="columns")
        hidden_any = sup.attrs["suppressed"].any(axis=1).to_numpy()
        r[sessions] = r[sessions].astype(object)
        r["change"] = r["change"].astype(object)
        for s in sessions:
            r.loc[leaders, s] = sup[s].to_numpy()
        idx = r.index[leaders][hidden_any]
        r.loc[idx, "change"] = HIDDEN
    people = res.trend.get("practitioners", None)
    if people is not None:
        for share in PEOPLE_SHARES:
            rows = r.index[(r["indicator"] == share) & (r["unit"] == "partnership")]
            for i in rows:
                for s in sessions:
                    v, n = r.at[i, s], people.get(s, np.nan)
                    if isinstance(v, float) and pd.notna(v) and pd.notna(n):
                        k = round(v * float(n))
                        if 0 < k < min_cell or 0 < n < min_cell:
                            r[s] = r[s].astype(object)
                            r.at[i, s] = HIDDEN
                            r["change"] = r["change"].astype(object)
                            r.at[i, "change"] = HIDDEN
    cols = ["theme", "indicator", "unit", *sessions, "change", "direction", "meaning"]
    fm: dict[str, Any] = {s: "num3" for s in sessions}
    fm["change"] = "num3"
    return [
        Table(
            "reflections",
            "Evaluation themes: indicators across sessions",
            r[cols].reset_index(drop=True),
            fm,
            "direction compares the first and last sessions: a share moving less than "
            f"{res.reflections.attrs.get('tolerance', 0.02):g} (a count less than "
            f"{res.reflections.attrs.get('relative_tolerance', 0.05):.0%}) is stable.",
            "themes",
        )
    ]


def generalise(message: object, values: Any = ()) -> str:
    """A finding's kind: its message with every value taken out whole
    (:func:`wpnet.privacy.scrub`: the row's own ``values``, quoted text, tokens holding
    a digit), so that no id, name or value is published.

    Examples
    --------
    >>> generalise("unknown practitioner_id 'P40915438': not in practitioners")
    "unknown practitioner_id '…': not in practitioners"
    >>> generalise("impossible date 31/13/2022 (day-first: 31 month 13 2022)")
    'impossible date … (day-first: … month … …)'
    >>> generalise("no match for 'Seán O'Neill Macallister'")
    "no match for '…'"
    """
    return scrub(message, values)


def quality_tables(res: Results) -> list[Table]:
    eco = res.eco
    rej = eco.rejected
    if len(rej):
        cells = rej.drop(columns=["table", "row", "reason"]).astype(object)
        rej = rej.assign(
            reason=[
                generalise(r, [v for v in row if isinstance(v, str)])
                for r, row in zip(rej["reason"], cells.itertuples(index=False), strict=True)
            ]
        )
        g = rej.groupby(["table", "reason"], dropna=False, observed=True).size()
        rejected = g.rename("rows").reset_index().astype({"table": object, "reason": object})
    else:
        rejected = pd.DataFrame({"table": [], "reason": [], "rows": []}).astype(
            {"table": object, "reason": object, "rows": np.int64}
        )
    q = eco.quality
    if q is not None and len(q):
        keys = [c for c in ("severity", "table", "column", "message") if c in q.columns]
        if "message" in q.columns:
            vals = q["value"] if "value" in q.columns else pd.Series(None, index=q.index)
            q = q.assign(
                message=[
                    generalise(m, [v] if isinstance(v, str) else [])
                    for m, v in zip(q["message"], vals, strict=True)
                ]
            )
        findings = q.groupby(keys, dropna=False, observed=True).size().rename("rows").reset_index()
        findings = findings.astype({k: object for k in keys})
    else:
        findings = pd.DataFrame(
            {"severity": [], "table": [], "column": [], "message": [], "rows": []}
        )
        findings = findings.astype({"rows": np.int64})
    return [
        Table(
            "rejected",
            "Rows rejected on reading, by reason",
            rejected,
            {"rows": "int"},
            section="quality",
        ),
        Table(
            "validation",
            "Validation findings, by kind",
            findings,
            {"rows": "int"},
            "Counts of rows per kind of finding; the offending values are replaced by … "
            "(they may identify people).",
            "quality",
        ),
    ]


def build_tables(res: Results, min_cell: int) -> list[Table]:
    """Every table of the report, protected, in the order the report shows them."""
    return [
        *reach_tables(res, min_cell),
        *collaboration_tables(res),
        *brokerage_tables(res),
        *capacity_tables(res, min_cell),
        *change_tables(res, min_cell),
        *reflections_table(res, min_cell),
        *quality_tables(res),
    ]
