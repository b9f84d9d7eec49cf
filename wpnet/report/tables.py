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

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wpnet.privacy import BOUNDING_COLUMNS, scrub, suppress
from wpnet.report import labels as L
from wpnet.report.compute import Results
from wpnet.report.disclosure import (
    hidden_reflections,
    linked_hidden,
    linked_leaders,
    one_decision,
    partition_leaders,
)

__all__ = ["HIDDEN", "PRINT_WIDTH", "Table", "body_html", "build_tables", "protect"]

#: Marker of a share or ratio hidden because the count it implies is.
HIDDEN = "*"

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


#: Estimated width (characters at the print font) above which a table is printed on a
#: landscape page: an A4 portrait page holds about 186 mm of text at 8 pt.
PRINT_WIDTH = 100
#: Estimated width above which even a landscape page is too narrow: the printed table is
#: split into parts of columns, each repeating the first column.
LANDSCAPE_WIDTH = 150
#: Columns whose values name a measure (shown by its label).
_NAMED_ROWS = frozenset({"measure", "indicator", "unit"})
_SESSION = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class Table:
    """One published table: ``frame`` has plain columns (machine names), already
    protected; ``formats`` maps a column to a report format (``int``, ``pct``, ``num2``,
    ``num3``, ``text``, or a signed difference ``dint``, ``pp``, ``dnum2``, ``dnum3``:
    :func:`wpnet.report.labels.format_value`), by default its kind in
    :data:`wpnet.report.labels.COLUMNS`; ``cell_formats`` maps a column to one format
    per row, for columns whose rows hold different measures (a count in one row, a
    share in the next). Files keep the values; formats say how they are shown.
    """

    key: str
    title: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    note: str = ""
    section: str = ""
    cell_formats: dict[str, list[str]] = field(default_factory=dict)

    def format_of(self, col: Any) -> str:
        """The format of a column (``text`` for a label column)."""
        c = str(col)
        return self.formats.get(c) or L.FORMATS[L.kind_of(c)]

    def cell_format(self, col: Any, row: int) -> str:
        per_row = self.cell_formats.get(str(col))
        return per_row[row] if per_row is not None else self.format_of(col)

    @property
    def headers(self) -> list[str]:
        """Column headings as read (label and unit, :func:`wpnet.report.labels.header`)."""
        return [L.header(c) for c in self.frame.columns]

    @property
    def numeric(self) -> list[bool]:
        """Whether each column holds numbers (set right-aligned)."""
        return [
            str(c) in self.cell_formats
            or self.format_of(c) != "text"
            or pd.api.types.is_numeric_dtype(self.frame[c])
            for c in self.frame.columns
        ]

    def cells(self) -> list[list[str]]:
        """Every cell as shown: formatted numbers, markers as they are, and a measure
        named in a row (columns ``measure``, ``indicator``, ``unit``) by its label."""
        frame = without_attrs(self.frame)
        n = len(frame)
        shown = [self._shown(c, frame.iloc[:, j].tolist(), n)
                 for j, c in enumerate(frame.columns)]  # fmt: skip
        return [list(row) for row in zip(*shown, strict=True)] if shown else [[] for _ in range(n)]

    def _shown(self, col: Any, values: list[Any], n: int) -> list[str]:
        """One column's cells as shown (:meth:`cells`)."""
        named = str(col) in _NAMED_ROWS
        labels = L.VALUE_LABELS.get(str(col), {})
        fmts = self.cell_formats.get(str(col)) or [self.format_of(col)] * n
        out = []
        for v, fmt in zip(values, fmts, strict=True):
            if isinstance(v, str) and (named and v in L.COLUMNS or v in labels):
                out.append(L.header(v) if named and v in L.COLUMNS else labels[v])
            else:
                out.append(L.format_value(v, fmt))
        return out

    def parts(self, width: int = LANDSCAPE_WIDTH) -> list[list[int]]:
        """Column positions of the printed parts: the whole table when it fits ``width``
        characters, else runs of columns that do, each led by the first (label) column."""
        return self._parts(self._column_widths(self.cells()), width)

    @staticmethod
    def _parts(widths: list[int], width: int = LANDSCAPE_WIDTH) -> list[list[int]]:
        if sum(widths) <= width or len(widths) <= 2:
            return [list(range(len(widths)))]
        parts: list[list[int]] = []
        current: list[int] = [0]
        for j in range(1, len(widths)):
            if len(current) > 1 and sum(widths[k] for k in current) + widths[j] > width:
                parts.append(current)
                current = [0]
            current.append(j)
        parts.append(current)
        return parts

    def html(self) -> dict[str, Any]:
        """What the page's template shows: headings, cells, alignment, print layout."""
        rows = self.cells()
        numeric = self.numeric
        widths = self._column_widths(rows, numeric)
        heads = [
            # a session ("2019-20") keeps its hyphen unbroken
            {"label": _SESSION.sub("\\1\u2011\\2", L.column(c).label), "unit": L.column(c).unit}
            for c in self.frame.columns
        ]
        parts = self._parts(widths)
        return {
            "key": self.key,
            "title": self.title,
            "note": self.note,
            "columns": heads,
            "numeric": numeric,
            "rows": rows,
            "body": body_html(rows, numeric),
            "wide": sum(widths) > PRINT_WIDTH,
            "parts": []
            if len(parts) == 1
            else [
                {
                    "columns": [heads[j] for j in part],
                    "numeric": [numeric[j] for j in part],
                    "body": body_html(
                        [[r[j] for j in part] for r in rows], [numeric[j] for j in part]
                    ),
                }
                for part in parts
            ],
            "csv": f"tables/{self.key}.csv",
        }

    def _column_widths(self, rows: list[list[str]], numeric: list[bool] | None = None) -> list[int]:
        widths = []
        numeric = self.numeric if numeric is None else numeric
        for j, (h, num) in enumerate(zip(self.headers, numeric, strict=True)):
            words = [len(w) for w in h.split()] or [0]
            cells = [r[j] for r in rows]
            if num:
                need = max([len(v) for v in cells] or [0])
            else:
                need = max([min(24, max(len(w) for w in v.split() or [""])) for v in cells] or [0])
            widths.append(max(max(words), need) + 2)
        return widths

    def print_width(self) -> int:
        """Estimated width of the printed table in characters: per column, the longest
        of its heading's longest word and its cells (numbers do not wrap; text wraps at
        spaces, so its longest word counts, up to 24), plus 2 of padding."""
        return sum(self._column_widths(self.cells()))

    @property
    def wide(self) -> bool:
        """Printed on a landscape page (:data:`PRINT_WIDTH`)."""
        return self.print_width() > PRINT_WIDTH


def body_html(rows: list[list[str]], numeric: list[bool]) -> Any:
    """The rows of a table's ``<tbody>`` as the page shows them: one ``<tr>`` per row (and
    a newline), its first cell a row heading, numeric columns of class ``n``; every cell
    HTML-escaped (:func:`markupsafe.escape`, as the page's template escapes). Built here
    rather than cell by cell in the template, which took several times as long.

    Examples
    --------
    >>> print(body_html([["Glasgow <City>", "12"]], [False, True]), end="")
    <tr><th scope="row">Glasgow &lt;City&gt;</th><td class="n">12</td></tr>
    """
    from markupsafe import Markup, escape

    opening = ['<td class="n">' if n else "<td>" for n in numeric]
    lines = []
    for row in rows:
        cells = [f'<th scope="row">{escape(row[0])}</th>'] if row else []
        cells += [f"{opening[j]}{escape(v)}</td>" for j, v in enumerate(row) if j]
        lines.append(f"<tr>{''.join(cells)}</tr>\n")
    return Markup("".join(lines))


def without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s data without its ``attrs`` (no copy of the data), which pandas would
    otherwise deep-copy into every column and intermediate frame taken from it.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1]})
    >>> df.attrs["samples"] = 200
    >>> without_attrs(df).attrs, df.attrs
    ({}, {'samples': 200})
    """
    out = pd.DataFrame(frame, copy=False)
    out.attrs = {}
    return out


# ---- disclosure control ------------------------------------------------------------------
def protect(
    table: pd.DataFrame,
    min_cell: int,
    *,
    people: tuple[str, ...] = ("practitioners",),
    shares: dict[str, str | pd.Series] | None = None,
    ratios: dict[str, str] | None = None,
    force: np.ndarray | None = None,
    force_shares: dict[str, np.ndarray] | None = None,
    totals: str = "columns",
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
    force : ndarray of bool, optional
        Rows whose practitioner counts are hidden whatever their size (another output
        would let a reader work them out: :func:`linked_hidden`).
    force_shares : dict, optional
        share column -> rows whose share (its count) is hidden whatever its size
        (:func:`wpnet.report.disclosure.linked_leaders`).
    totals : {"columns", "none"}
        Whether the column sums of the counts are taken as published (``totals`` of
        :func:`wpnet.privacy.suppress`): they are for rows that partition something
        (authorities, sectors ...), not for rows that are sessions (no report publishes
        a sum of counts over sessions, and the session rows of one table are published
        again in others, which secondary cells chosen for such a sum would contradict).

    Returns
    -------
    DataFrame
        A copy; hidden cells hold ``"<min_cell"`` or ``"*"``.

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
    forced = np.zeros(block.shape, dtype=bool)
    for j, c in enumerate(counts):
        if c in people and force is not None:
            forced[:, j] = np.asarray(force, dtype=bool)
    for share, rows in (force_shares or {}).items():
        if share in derived:
            forced[:, counts.index(derived[share])] |= np.asarray(rows, dtype=bool)
    sup = suppress(block, min_cell, columns=counts, totals=totals,
                   force=forced if forced.any() else None)  # fmt: skip
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


def _hide_rows(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Every number of the ``rows`` (a mask) shown as :data:`HIDDEN`: a unit whose
    practitioner count is hidden shows nothing that could bound or give it (its
    establishments, its shares of practitioners, its level evenness ...)."""
    if not rows.any():
        return frame
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_numeric_dtype(out[c]) or out[c].dtype == object:
            out[c] = _masked(out[c], rows)
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
    n = r["coverage"] * r["eligible"]
    if n.isna().all() and r["coverage"].isna().all():  # coverage not supported by the data
        return pd.Series(pd.NA, index=r.index, dtype="Int64")
    n = n.fillna(0)
    return pd.Series(np.rint(n.to_numpy(dtype=float)).astype(np.int64), index=r.index)


def _reach_frame(
    r: pd.DataFrame,
    label: str,
    min_cell: int,
    extra: dict | None = None,
    hidden: set[Any] | frozenset[Any] = frozenset(),
    leaders: set[Any] | frozenset[Any] = frozenset(),
    totals: str = "columns",
) -> pd.DataFrame:
    t = r.copy()
    if "eligible" in t.columns:
        t.insert(list(t.columns).index("eligible"), "reached", _reached(t))
    named = {str(h) for h in hidden}
    led = {str(h) for h in leaders}
    t = protect(
        t,
        min_cell,
        shares={"lead_share": "practitioners"},
        ratios={"depth": "practitioners"},
        force=np.array([str(u) in named for u in t.index], dtype=bool),
        force_shares={"lead_share": np.array([str(u) in led for u in t.index], dtype=bool)},
        totals=totals,
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
    total_hidden = {res.session} if linked_hidden(res, min_cell)["total"] else set()
    leaders = linked_leaders(res, min_cell)
    total_led = {res.session} if leaders["total"] else set()
    out.append(
        Table(
            "reach_overall",
            "Reach of the partnership",
            _reach_frame(
                overall, "session", min_cell, hidden=total_hidden, leaders=total_led, totals="none"
            ),  # fmt: skip
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
    linked = dict(linked_hidden(res, min_cell))
    leaders = dict(leaders)
    if "workstream" in res.reach_by and "lead_share" in res.reach_by["workstream"].columns:
        # workstreams: their own two systems (wpnet.report.disclosure.partition_leaders)
        n, share = int(res.reach.iloc[0]["practitioners"]), res.reach.iloc[0]["lead_share"]
        led = 0 if pd.isna(share) else round(float(share) * n)
        linked["workstream"], leaders["workstream"] = partition_leaders(
            res.reach_by["workstream"], (n, led), min_cell
        )
    for by, (key, title) in labels.items():
        r = res.reach_by[by]
        t = _reach_frame(r[cols_present(r, cols)], by, min_cell, hidden=linked.get(by, set()),
                         leaders=leaders.get(by, set()))  # fmt: skip
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


def collaboration_tables(res: Results, min_cell: int = 5) -> list[Table]:
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
    gone = {str(g) for g in linked_hidden(res, min_cell)["authority"]}
    cross = _hide_rows(cross, np.array([a in gone for a in cross.index]))
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
                "p_one_sided": "pval",
                "p_two_sided": "pval",
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
    led = linked_leaders(res, min_cell)
    led_rows = {str(a) for a in led["authority"]} | ({"partnership"} if led["total"] else set())
    led_force = {"lead_share": np.array([a in led_rows for a in cap.index])}
    cap = protect(cap, min_cell, people=(), shares=shares, force_shares=led_force)
    gone = linked_hidden(res, min_cell)["authority"]
    cap = _hide_rows(cap, np.array([a in {str(g) for g in gone} for a in cap.index]))
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
    trend = protect(
        tr[tcols].copy(),
        min_cell,
        shares={s: "practitioners" for s in PEOPLE_SHARES},
        force_shares={"lead_share": np.array([led["total"] and str(x) == str(res.session)
                                              for x in tr.index], dtype=bool)},
        totals="none",
    )  # fmt: skip
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
        # a small session's total is hidden ("<5"), the other is shown as the report's
        # other tables show it (wpnet.report.disclosure.one_decision); any small count
        # hides the three flows: two relations, three unknowns
        hide = (small & {"before", "after"}) | ({"retained", "new", "lapsed"} if small else set())
        # retained + lapsed = before and retained + new = after: a "<5" on a flow would
        # bound it, and with the sessions' totals pin it (before − after = 4 with a
        # small lapsed); the flows are marked "*" (tests/test_disclosure.py)
        for c in hide:
            primary = c in small and c in ("before", "after")
            flows.loc["practitioners", c] = f"<{min_cell}" if primary else HIDDEN
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
        # each session's share is hidden where its count (or its base) is small, as
        # reach_overall and capacity_trend hide it, and the change with either: the
        # other session's share, shown in those tables, is shown here too
        gone = [
            0 < nb < min_cell or 0 < before_n < min_cell,
            0 < na < min_cell
            or 0 < after_n < min_cell
            or (share == "lead_share" and linked_leaders(res, min_cell)["total"]),
        ]
        if any(gone):
            m.loc[share] = [HIDDEN if g else v for g, v in zip(gone, m.loc[share][:2],
                                                                strict=True)] + [HIDDEN]  # fmt: skip
    m.index.name = "measure"
    kinds = [L.kind_of(r) for r in m.index]
    by_row = {
        "before": [L.FORMATS[k] for k in kinds],
        "after": [L.FORMATS[k] for k in kinds],
        "delta": [L.CHANGE_FORMATS[k] for k in kinds],
    }
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
            cell_formats=by_row,
        ),
    ]


def reflections_table(res: Results, min_cell: int) -> list[Table]:
    """The evaluation themes: the tidy ``.indicators`` and the ``.change`` of
    :func:`wpnet.reflections`, with the counts of practitioners and leaders they imply
    suppressed by the one disclosure rule (:func:`wpnet.report.disclosure.reflections_hidden`): a hidden value
    goes with its interval, matched value and change."""
    r = res.reflections
    ind = r.indicators.copy()
    ch = r.change.copy()
    value_h, n_h = hidden_reflections(res, min_cell)
    if value_h.any() or n_h.any():
        value_cols = ["value", "expected", "excess", "ci_low", "ci_high", "matched"]
        ind[value_cols + ["n"]] = ind[value_cols + ["n"]].astype(object)
        ind.loc[value_h, value_cols] = HIDDEN
        ind.loc[n_h, "n"] = HIDDEN
        ind.loc[value_h, "no_interval"] = ""  # the interval is hidden: no reason to give
        key = ["indicator", "unit", "group"]
        hidden = ind.loc[value_h, key].drop_duplicates()
        mark = ch[key].merge(hidden.assign(_h=True), on=key, how="left")["_h"].eq(True).to_numpy()
        cols = ["value_from", "value_to", "change", "ci_low", "ci_high"]
        ch[cols] = ch[cols].astype(object)
        ch.loc[mark, cols] = HIDDEN
        ch.loc[mark, "no_interval"] = ""
    samples = r.attrs.get("samples", 0)
    least = float(r.attrs.get("min_defined", 0.95))
    note = (
        f"value with its denominator n; ci_low/ci_high: 95% network bootstrap interval "
        f"({samples} draws of each session's networks); expected: the value if authorities "
        "were assigned at random (excess = value − expected); matched: the value at the "
        f"smallest session's number of practitioners ({r.attrs['volume']['m']:,}). "
        f"An interval is given only for a value defined in at least {least:.0%} of "
        "the draws (a share is undefined in a draw without its denominator); "
        "no_interval says why a row has none."
    )
    if not samples:
        note += " --samples 0: point values only, no intervals."
    change_note = (
        "direction: strengthening or weakening only when the 95% interval of the change "
        "excludes 0 (structural indicators read on matched values); otherwise no clear "
        f"change, as when the change is defined in fewer than {least:.0%} of the "
        "draws and has no interval (no_interval says so)."
        if samples
        else "Not assessed: the report was made with --samples 0 (no intervals)."
    )
    fm: dict[str, Any] = {c: "num3" for c in ("value", "expected", "excess", "ci_low", "ci_high",
                                              "matched")}  # fmt: skip
    fm["n"] = "int"
    fc: dict[str, Any] = {c: "num3" for c in ("value_from", "value_to", "change", "ci_low",
                                              "ci_high")}  # fmt: skip
    ind_t = Table(
        "reflections",
        "Evaluation themes: every indicator, session by session",
        ind.reset_index(drop=True),
        fm,
        note,
        "themes",
    )
    ch_t = Table(
        "reflections_change",
        f"Evaluation themes: change from {r.attrs['compared'][0]} to {r.attrs['compared'][1]}",
        ch.reset_index(drop=True),
        fc,
        change_note,
        "themes",
    )
    # each row in its indicator's kind: a share as a percentage (its change in points)
    kinds = [_REFLECTION_KINDS.get(str(k), "index") for k in ind_t.frame["kind"]]
    ind_t.cell_formats = {
        c: [L.FORMATS[k] for k in kinds]
        for c in ("value", "expected", "ci_low", "ci_high", "matched")
    }
    ind_t.cell_formats["excess"] = [L.CHANGE_FORMATS[k] for k in kinds]
    kinds = [_REFLECTION_KINDS.get(str(k), "index") for k in ch_t.frame["kind"]]
    ch_t.cell_formats = {c: [L.FORMATS[k] for k in kinds] for c in ("value_from", "value_to")}
    ch_t.cell_formats |= {c: [L.CHANGE_FORMATS[k] for k in kinds] for c in fc if "value" not in c}
    return [ind_t, ch_t]


#: wpnet.reflections' indicator kinds -> the label table's kinds (a rate per
#: practitioner, such as leaders per participant, reads as a ratio).
_REFLECTION_KINDS = {"share": "share", "rate": "ratio", "index": "index", "count": "count"}


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
    """Every table of the report, protected, in the order the report shows them; the
    partnership's values of a session get one decision in every table that publishes
    them (:func:`wpnet.report.disclosure.one_decision`)."""
    tables = [
        *reach_tables(res, min_cell),
        *collaboration_tables(res, min_cell),
        *brokerage_tables(res),
        *capacity_tables(res, min_cell),
        *change_tables(res, min_cell),
        *reflections_table(res, min_cell),
        *quality_tables(res),
    ]
    reached = pd.to_numeric(res.reach.iloc[0].get("authorities"), errors="coerce")
    one_decision(
        tables,
        session=str(res.session),
        compare_to=None if res.compare_to is None else str(res.compare_to),
        authorities=None if pd.isna(reached) else (int(reached), len(res.authority_matrix)),
    )
    return tables
