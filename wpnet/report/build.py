"""Build the annual network report: one offline HTML page, its tables, a map, a PDF."""

from __future__ import annotations

import datetime as _dt
import functools
import io
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from wpnet._parallel import in_background, resolve_workers
from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import UsageError, WpnetError, check_choice
from wpnet.graphs import GraphSpec
from wpnet.inference._draws import MIN_DEFINED
from wpnet.privacy import (
    atomic_folder,
    atomic_path,
    atomic_write,
    atomic_write_all,
    check_output,
    csv_text,
    neutralise,
    strip_controls,
)
from wpnet.records import data_limits
from wpnet.report._folder import check_report_folder
from wpnet.report.compute import (
    Results,
    compute,
    evaluation_themes,
    report_base,
    resolve_sessions,
)
from wpnet.report.disclosure import Published, linked_hidden, published
from wpnet.report.figures import (
    alt_texts,
    drawing_figures,
    reach_figure,
    trend_figure,
    trend_hidden,
)
from wpnet.report.methods import DEFINITIONS, graphs_used
from wpnet.report.sentences import headlines, level_text, theme_cards
from wpnet.report.tables import HIDDEN, Table, build_tables, without_attrs
from wpnet.report.workbook import write_xlsx

__all__ = [
    "SECTIONS",
    "build_report",
    "check_report_folder",
    "chromium_path",
    "headline_tables",
    "print_pdf",
]

#: (id, heading) of every section, in order.
SECTIONS = (
    ("headlines", "Headline findings"),
    ("reach", "Reach"),
    ("collaboration", "Collaboration across authorities"),
    ("brokerage", "Brokerage"),
    ("capacity", "Collective capacity"),
    ("change", "Change since the previous session"),
    ("map", "The ecosystem map"),
    ("themes", "Evaluation themes"),
    ("quality", "Data quality"),
    ("methods", "Methods"),
)

#: A file the report folder holds so that a later run knows it may replace the folder.
MARKER = ".wpnet-report"
#: What a report folder holds (an earlier report without the marker is recognised by it).
_REPORT_FILES = frozenset({"index.html", "map.html", "tables", "tables.xlsx", "report.pdf", MARKER})


def _is_report(folder: Path) -> bool:
    """Whether ``folder`` holds an earlier report (and nothing else), so it may be replaced."""
    return {p.name for p in folder.iterdir()} <= _REPORT_FILES


def build_report(
    eco: Ecosystem,
    *,
    session: str | None = None,
    out: str | os.PathLike[str] = "report",
    compare_to: str | None = None,
    onto: str = "establishment",
    backbone: str | None = "sdsm",
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    min_cell: int = 5,
    pdf: bool = False,
    permutations: int = 5000,
    seed: int = 0,
    samples: int = 200,
    progress: bool | None = None,
) -> Path:
    """Write the annual network report of one session to the folder ``out``.

    Written as a whole: the report is built in a new folder beside ``out`` and swapped
    in for it at the end (:func:`wpnet.privacy.atomic_folder`), so an interrupted run
    leaves the previous report as it was and a finished one leaves nothing of it.
    ``out`` must be new, empty or an earlier report, and may not be or hold a file the
    data was read from (:attr:`Ecosystem.sources`). It holds:

    - ``index.html``: one self-contained page (figures as PNG data URIs, styles inline,
      no script, no external link or font), readable on a phone and printable, with
      sections: headline findings, reach, collaboration across authorities, brokerage,
      collective capacity, change since ``compare_to``, the ecosystem map, the
      evaluation themes (:func:`wpnet.reflections`), data quality and methods;
    - ``tables/<key>.csv`` and ``tables.xlsx`` (one sheet per table): every table of
      the page, spreadsheet-safe (:func:`wpnet.privacy.neutralise`), among them those
      behind the headlines on communities (``communities``, ``community_null``) and on
      cross-authority mixing by workstream (``change_by_workstream``; docs/report.md);
      a text longer than an Excel cell holds (32,767 characters) is whole in the CSV
      and cut in ``tables.xlsx`` with a marker, with a ``UserWarning`` naming the cell;
    - ``map.html``: the interactive map of the session (:func:`wpnet.interactive_map`),
      linked from the page;
    - ``report.pdf`` when ``pdf=True`` (headless Chromium prints ``index.html``).

    Every measure is computed once (:mod:`wpnet.report.compute`); selections and
    projections are shared between measures and figures because an Ecosystem
    remembers the ones derived from it.

    **Disclosure control.** Practitioner counts below ``min_cell`` are shown as
    ``"<5"`` with secondary suppression (``"*"``) so that they cannot be recovered from
    totals, and shares that would reveal them are hidden (:mod:`wpnet.report.tables`).
    No practitioner id or name is written anywhere. Every value is HTML-escaped.

    Parameters
    ----------
    eco : Ecosystem
    session : str, optional
        The session reported on; default the latest.
    out : path-like
        The output folder (created).
    compare_to : str, optional
        The session compared with; default the one before ``session`` (none if there
        is none).
    onto, backbone, alpha, min_weight, correction
        The graph options (:class:`wpnet.graphs.GraphSpec`) of the establishment graph
        every structural measure, figure and the map use (:func:`wpnet.project`);
        ``onto`` must be ``"establishment"``.
    min_cell : int
        Smallest practitioner count published.
    pdf : bool
        Also print ``report.pdf`` with Chromium.
    permutations, seed : int
        Of the E-I permutation test and Leiden.
    samples : int
        Network bootstrap draws of the evaluation themes (default 200); 0 gives point
        values without intervals or directions, and the report says so.
    progress : bool, optional
        Show a progress bar on stderr; default: only when stderr is a terminal.

    Returns
    -------
    Path
        The written ``index.html``.

    Raises
    ------
    ValueError
        For a session not in the data, an unknown backbone or ``min_cell < 1``.
    UsageError
        When ``out`` is a file, is in a file, holds an input, is the current folder or
        holds it, or is a non-empty folder that is not an earlier report
        (:func:`check_report_folder`).
    WpnetError
        When ``pdf=True`` and Chromium cannot be found or fails (the rest of the report
        is written).

    Examples
    --------
    >>> import tempfile, wpnet
    >>> page = build_report(wpnet.tiny(), out=tempfile.mkdtemp(), backbone=None, permutations=50,
    ...                     samples=20)
    >>> page.name, sorted(p.name for p in page.parent.iterdir())
    ('index.html', ['.wpnet-report', 'index.html', 'map.html', 'tables', 'tables.xlsx'])
    """
    expect_ecosystem(eco, "build_report")
    check_choice("onto", onto, ("establishment",))  # the report is about establishments
    spec = GraphSpec(onto, backbone, alpha, min_weight, correction)
    if isinstance(min_cell, bool) or int(min_cell) != min_cell or min_cell < 1:
        raise UsageError(f"min_cell must be a whole number of at least 1; got {min_cell!r}")
    min_cell = int(min_cell)
    session, compare_to = resolve_sessions(eco, session, compare_to)
    check_report_folder(out)
    folder = check_output(out, sources=eco.sources, folder=True, what="report")
    eco = _without_controls(eco)
    started = time.perf_counter()
    steps = 8  # reach, capacity, brokerage, change, reflections, figures, map, write
    pdf_error: WpnetError | None = None
    with (
        atomic_folder(folder, replaceable=_is_report, what="report") as tmp,
        _bar(steps + int(pdf), progress) as tick,
    ):
        (tmp / "tables").mkdir()
        from wpnet.maps.interactive import interactive_map

        # the evaluation themes need none of the other measures: in a process of their
        # own while those are computed, then the figures in two more while the map and
        # the tables are made here (docs/report.md, "Processes")
        base = report_base(eco, session, compare_to)
        # both processes use igraph (which imports matplotlib, about 0.5 s): imported
        # once here, before the fork, not once in each
        import igraph  # noqa: F401

        with in_background(
            evaluation_themes, base, session, compare_to, graph=spec, samples=samples,
            seed=seed, enabled=resolve_workers() >= 2,
        ) as themes:  # fmt: skip
            res = compute(
                eco,
                session,
                compare_to,
                graph=spec,
                permutations=permutations,
                seed=seed,
                samples=samples,
                step=tick,
                themes=False,
            )
            # the reach figure is drawn here once the tables have decided what it shows
            # the trend is drawn there with every value, and here again if the tables
            # hide one of its points
            with drawing_figures(
                res, res.trend_eco, skip=frozenset({"reach"}), trend_draft=True
            ) as drawn:
                interactive_map(
                    res.base,
                    tmp / "map.html",
                    session=session,
                    onto=onto,
                    backbone=backbone,
                    alpha=alpha,
                    min_weight=min_weight,
                    correction=correction,
                    min_cell=min_cell,
                    practitioners=False,  # they add up to the tables' (report.disclosure)
                )
                tick("map")
                # the counts every output hides, worked out while the themes finish
                linked_hidden(res, min_cell)
                res.reflections, res.workstreams = themes()
                tick("reflections")
                tables = [*build_tables(res, min_cell), *headline_tables(res)]
                _write_tables(tables, tmp)
                shown = published(tables)
                page = _page(res, tables, min_cell, shown)
                # the other figures' alt texts were written with every value the tables
                # may hide taken out; now the tables have decided, they are written again
                reach = []  # (not drawn where coverage is not supported by the data)
                if "coverage" not in data_limits(res.eco):
                    reach.append(reach_figure(res, shown))
                alts = alt_texts(res, shown)
                figures = [*reach, *drawn()]
                if any(gone.any() for gone in trend_hidden(res, shown).values()):
                    figures = [trend_figure(res, shown) if f.key == "trend" else f
                               for f in figures]  # fmt: skip
                for f in figures:
                    f.alt = alts.get(f.key, f.alt)
        tick("figures")
        atomic_write(tmp / "index.html", _render(page, figures, time.perf_counter() - started))
        (tmp / MARKER).write_text(f"wpnet report {session}\n", encoding="utf-8")
        tick("write")
        if pdf:
            try:
                print_pdf(tmp / "index.html", tmp / "report.pdf")
            except WpnetError as err:
                pdf_error = err
            tick("pdf")
    if pdf_error is not None:
        raise pdf_error
    return folder / "index.html"


def _without_controls(eco: Ecosystem) -> Ecosystem:
    """``eco`` with C0 control characters removed from its text (with one warning), so
    that no figure, page, table or workbook of the report holds one. An Ecosystem read
    from files has none (validation removes them); one built in code may."""
    tables: dict[str, pd.DataFrame] = {}
    where: list[str] = []
    for name in ("establishments", "practitioners", "networks", "participation", "ties"):
        frame = getattr(eco, name)
        if name == "participation":
            frame = frame.drop(columns="session")
        tables[name], cols = strip_controls(frame)
        where += [f"{name}.{c}" for c in cols]
    if not where:
        return eco
    warnings.warn(
        f"control characters removed from {', '.join(where)} for the report",
        UserWarning,
        stacklevel=3,
    )
    return Ecosystem(
        tables["establishments"],
        tables["practitioners"],
        tables["networks"],
        tables["participation"],
        tables["ties"],
        rejected=eco.rejected,
        quality=eco.quality,
        scope=eco.scope,
        sources=eco.sources,
        canonical=True,
    )


# ---- the headlines' own tables ---------------------------------------------------------------
def headline_tables(res: Results) -> list[Table]:
    """The tables behind the communities and the change-by-workstream headlines (no
    practitioner count in either, so nothing to suppress)."""
    out = []
    t = res.communities
    if t is not None and not t.empty:
        a = t.attrs
        out.append(
            Table(
                "communities",
                f"Leiden communities of the establishment graph, {res.session}",
                t[["community", "establishments", "authorities", "main_authority", "main_share"]],
                note=(
                    f"Modularity {a['modularity']:.3f}. Of the communities' establishments, "
                    f"{100 * a['in_main']:.1f}% belong to their community's most common "
                    f"authority ({100 * a['in_main_expected']:.1f}% expected) and "
                    f"{a['spanning']} communities join two or more authorities "
                    f"({a['spanning_expected']:.1f} expected); expected values are means over "
                    f"{a['permutations']:,} shuffles of the authority labels across these "
                    "establishments, communities fixed. Communities of one establishment are "
                    "left out."
                ),
                section="capacity",
            )
        )
    null = res.community_null
    if null is not None:
        # "value", not "observed" (a count column): one row is modularity, one a count
        frame = null.reset_index().rename(columns={"statistic": "measure", "observed": "value"})
        frame = frame[["measure", "value", "expected", "sd", "z", "p_two_sided", "samples"]]
        out.append(
            Table(
                "community_null",
                "Modularity and communities against random graphs with the same margins",
                frame,
                note=(
                    "Curveball null: every participation matrix with the observed numbers of "
                    "networks per establishment and members per network equally likely, each "
                    "sample projected and reduced to the same backbone (wpnet.null_test)."
                ),
                section="capacity",
                cell_formats={
                    c: ["num3" if m == "modularity" else fmt for m in frame["measure"]]
                    for c, fmt in (("value", "int"), ("expected", "num2"), ("sd", "num2"))
                },
            )
        )
    w = res.workstreams
    if w is not None and not w.empty:
        k = int(w["tested"].sum())
        shown = w.rename(columns={"value_from": "cross_share_from", "value_to": "cross_share_to",
                                  "expected": "cross_share_expected"})  # fmt: skip
        cols = ["workstream", "networks_from", "networks_to", "cross_share_from",
                "cross_share_to", "cross_share_expected", "change", "ci_low", "ci_high",
                "no_interval", "direction"]  # fmt: skip
        out.append(
            Table(
                "change_by_workstream",
                f"Cross-authority mixing by workstream, {res.compare_to} to {res.session}",
                shown[cols],
                formats={"change": "pp", "ci_low": "pp", "ci_high": "pp"},
                note=(
                    "Share of the ties among a workstream's establishments (every pair sharing "
                    "one of its networks; no backbone) that join two authorities; expected: "
                    f"in {res.session} if authorities were assigned at random. The interval is "
                    f"the {level_text(w.attrs.get('level', 0.95))} network bootstrap interval of "
                    f"the change ({w.attrs['samples']} draws; Bonferroni: level 1 − 0.05/k for "
                    f"the k = {k} workstreams tested, so that all {k} intervals hold together "
                    "with probability at least 95%); a direction is given only when it "
                    f"excludes 0, and only for a workstream with {w.attrs['min_networks']} or "
                    f"more networks in each session whose change is defined in {MIN_DEFINED:.0%} of the "
                    "draws or more (no_interval says why a row has no interval)."
                ),
                section="collaboration",
            )
        )
    return out


# ---- progress ------------------------------------------------------------------------------
class _bar:
    """A tqdm bar on stderr (only on a terminal unless forced); calling it advances."""

    def __init__(self, total: int, show: bool | None) -> None:
        self.total, self.show, self.tqdm = total, show, None

    def __enter__(self) -> Callable[[str], None]:
        from tqdm import tqdm

        show = sys.stderr.isatty() if self.show is None else self.show
        self.tqdm = tqdm(total=self.total, desc="report", file=sys.stderr, disable=not show)

        def tick(name: str) -> None:
            self.tqdm.set_postfix_str(name, refresh=False)
            self.tqdm.update(1)

        return tick

    def __exit__(self, *exc: Any) -> None:
        self.tqdm.close()


# ---- files ---------------------------------------------------------------------------------
def _sheet_name(key: str, used: set[str]) -> str:
    name = key[:31]
    i = 2
    while name in used:
        name = f"{key[:28]}_{i}"
        i += 1
    used.add(name)
    return name


def _write_tables(tables: list[Table], folder: Path) -> None:
    """Each table as ``tables/<key>.csv`` and one sheet of ``tables.xlsx``."""
    safe = {}
    for t in tables:
        frame, where = strip_controls(without_attrs(t.frame))  # attrs are not written
        if where:
            warnings.warn(
                f"table {t.key}: control characters removed from {', '.join(where)}",
                UserWarning,
                stacklevel=3,
            )
        safe[t.key] = neutralise(frame)
    atomic_write_all({folder / "tables" / f"{key}.csv": csv_text(df) for key, df in safe.items()})
    used: set[str] = set()
    sheets = [(_sheet_name(t.key, used), t, safe[t.key]) for t in tables]
    with atomic_path(folder / "tables.xlsx") as tmp:
        write_xlsx(sheets, tmp)


# ---- page ----------------------------------------------------------------------------------
def _html_table(t: Table) -> dict[str, Any]:
    return t.html()  # labels, formats and print layout: wpnet.report.tables


@functools.cache
def _environment() -> Any:
    """The page's jinja2 environment, made once per process: it keeps the compiled
    template, so a second report (a notebook, the tests) does not compile it again."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("wpnet.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _page(res: Results, tables: list[Table], min_cell: int, shown: Published) -> dict[str, Any]:
    """What the page shows but its figures and the time taken: made while the figures
    are drawn, so that only :func:`_render` is left once they are."""
    from wpnet import __version__

    by_section: dict[str, list[dict[str, Any]]] = {}
    for t in tables:
        by_section.setdefault(t.section, []).append(_html_table(t))
    scope = res.eco.scope
    return {
        "title": f"Network report {res.session}",
        "session": res.session,
        "compare_to": res.compare_to,
        "sessions": res.sessions,
        "scope": ", ".join(f"{k}: {v}" for k, v in scope.items()) if scope else "",
        "sections": SECTIONS,
        "headlines": headlines(res, min_cell, published=shown),
        "cards": theme_cards(res, min_cell, published=shown),
        "tables": by_section,
        "definitions": DEFINITIONS,
        "graphs": graphs_used(res),
        "min_cell": min_cell,
        "hidden": HIDDEN,
        "backbone": res.backbone or "none (every co-membership tie)",
        "version": __version__,
        "generated": _dt.date.today().isoformat(),
        "n_rejected": len(res.eco.rejected),
        "n_quality": 0 if res.eco.quality is None else len(res.eco.quality),
        "validated": res.eco.quality is not None,
    }


def _render(page: dict[str, Any], figures: list[Any], seconds: float) -> str:
    """The page (:func:`_page`) with its figures, by section, and the time taken."""
    figs: dict[str, list[Any]] = {}
    for f in figures:
        figs.setdefault(f.section, []).append(f)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(**page, figures=figs, seconds=f"{seconds:.1f}")
    )


# ---- pdf -----------------------------------------------------------------------------------
def chromium_path() -> str | None:
    """The Chromium to print with: ``WPNET_CHROMIUM``, else ``chromium`` /
    ``chromium-browser`` / ``google-chrome`` on the PATH, else ``/usr/bin/chromium``."""
    env = os.environ.get("WPNET_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def print_pdf(page: Path, target: Path, timeout: float = 120) -> Path:
    """Print ``page`` to ``target`` with headless Chromium (atomically).

    Raises
    ------
    WpnetError
        When Chromium is not installed or does not produce the PDF.
    """
    chrome = chromium_path()
    if chrome is None:
        raise WpnetError(
            "pdf=True needs Chromium to print the report, and none was found (looked for "
            "$WPNET_CHROMIUM, chromium, chromium-browser, google-chrome, /usr/bin/chromium). "
            "Install it (Debian: apt-get install chromium) or leave out --pdf; index.html "
            "is written and prints from any browser."
        )
    # links to the files beside the page print as their text: in a PDF they would be
    # absolute file:// addresses of the folder it was printed in (a build folder)
    printed = page.with_name(f".print-{page.name}")
    html = re.sub(r'<a href="(?!#)[^"]*">(.*?)</a>', r"\1", page.read_text(encoding="utf-8"))
    printed.write_text(html, encoding="utf-8")
    with atomic_path(target) as tmp:
        cmd = [
            chrome,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}",
            printed.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise WpnetError(f"Chromium ({chrome}) could not print the report: {err}") from err
        finally:
            printed.unlink(missing_ok=True)
        if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            tail = io.BytesIO(done.stderr).read()[-600:].decode("utf-8", "replace")
            raise WpnetError(
                f"Chromium ({chrome}) did not write the PDF (exit {done.returncode}): {tail}"
            )
    return target
