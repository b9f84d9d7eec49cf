"""Inspection: :func:`validate` checks a folder, a workbook or an Ecosystem and reports.

It sits above the readers (:mod:`wpnet.io`), which it uses to read files, and applies
the same rules they do (:func:`wpnet.validation.check_tables`), so a file and the
Ecosystem read from it are judged alike. :class:`ValidationReport` holds the outcome
row by row.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from wpnet._reading import Reading
from wpnet.ecosystem import Ecosystem
from wpnet.errors import DataError
from wpnet.io import ecosystem_tables, read_tables
from wpnet.privacy import printable
from wpnet.validation import PROBLEM_COLUMNS, RawTable, check_tables, describe, problems_frame

__all__ = ["ValidationReport", "validate"]


class ValidationReport:
    """The outcome of :func:`validate`: errors and warnings, row by row.

    Attributes
    ----------
    ok : bool
        True when there are no errors (warnings allowed).
    errors, warnings : DataFrame
        Columns ``table, row, column, value, message``; ``row`` is the spreadsheet row
        (header = row 1, first data row = 2), missing for a whole-table problem.
    sources : dict
        Table -> the file (or sheet) it was read from.
    rows_read : dict
        Table (or export) -> rows read.
    reading : Reading or None
        For an Ecosystem read from a flat export (:attr:`Ecosystem.reading`): the rows
        read, those excluded by their status included, which the first line says.
    origin : Reading or None
        For a folder saved from such an Ecosystem (:attr:`Ecosystem.origin`): what
        reading the export counted, which the first line says after the folder's own
        rows read.
    max_lines : int
        Lines shown per table by ``str(report)``.

    Examples
    --------
    >>> import wpnet
    >>> report = validate(wpnet.tiny())
    >>> report.ok, len(report.errors)
    (True, 0)
    """

    def __init__(
        self,
        problems: pd.DataFrame,
        sources: dict[str, str] | None = None,
        rows_read: dict[str, int] | None = None,
        max_lines: int = 10,
        *,
        reading: Reading | None = None,
        origin: Reading | None = None,
    ) -> None:
        self._problems = problems.reset_index(drop=True)
        self.sources = dict(sources or {})
        self.rows_read = dict(rows_read or {})
        self.max_lines = max_lines
        self.reading = reading
        self.origin = origin

    def _rows_phrase(self) -> str:
        """``40 rows read from X (30 excluded by their status ...)`` for an export, else
        the rows read of every table."""
        if self.reading is not None:
            return self.reading.rows_phrase()
        made = f"; the tables were made from {self.origin.rows_phrase()}" if self.origin else ""
        return f"{sum(self.rows_read.values())} rows read{made}"

    def _of(self, severity: str) -> pd.DataFrame:
        p = self._problems
        return p.loc[(p["severity"] == severity).to_numpy(), list(PROBLEM_COLUMNS[:5])].reset_index(
            drop=True
        )

    @property
    def errors(self) -> pd.DataFrame:
        """Problems that make a row (or the data) unusable."""
        return self._of("error")

    @property
    def warnings(self) -> pd.DataFrame:
        """Problems worth knowing about that do not stop the data being used."""
        return self._of("warning")

    @property
    def ok(self) -> bool:
        """True when there are no errors."""
        return len(self.errors) == 0

    def __bool__(self) -> bool:
        return self.ok

    def _groups(self) -> list[tuple[str, str, pd.DataFrame]]:
        out = []
        for severity in ("error", "warning"):
            p = self._problems[(self._problems["severity"] == severity).to_numpy()]
            for table in dict.fromkeys(p["table"].tolist()):
                out.append((severity, table, p[(p["table"] == table).to_numpy()]))
        return out

    def __str__(self) -> str:
        n_err, n_warn = len(self.errors), len(self.warnings)
        head = (
            f"wpnet validation: {'OK' if self.ok else 'FAILED'} — {n_err} error"
            f"{'s' if n_err != 1 else ''}, {n_warn} warning{'s' if n_warn != 1 else ''}"
            f" in {self._rows_phrase()}"
        )
        lines = [head]
        for severity, table, p in self._groups():
            lines.append("")
            where = self.sources.get(table, table) or "the data"
            lines.append(f"{severity.upper()}S in {where} ({len(p)}):")
            for _, prob in p.head(self.max_lines).iterrows():
                lines.append("  " + describe(prob, {table: ""}).lstrip(",: "))
            if len(p) > self.max_lines:
                lines.append(f"  ... and {len(p) - self.max_lines} more")
        # values and headers come from the file: never let them act on a terminal
        return printable("\n".join(lines))

    def __repr__(self) -> str:
        return (
            f"<ValidationReport: {'ok' if self.ok else 'failed'}, {len(self.errors)} errors, "
            f"{len(self.warnings)} warnings>"
        )

    def _repr_html_(self) -> str:
        n_err, n_warn = len(self.errors), len(self.warnings)
        colour = "#1a7f37" if self.ok else "#b42318"
        parts = [
            f"<div><p><b style='color:{colour}'>{'OK' if self.ok else 'FAILED'}</b>: "
            f"{n_err} errors, {n_warn} warnings in {html.escape(self._rows_phrase())}</p>"
        ]
        for severity, table, p in self._groups():
            shown = p.head(self.max_lines)[list(PROBLEM_COLUMNS[1:5])]
            parts.append(
                f"<p>{severity}s in {html.escape(self.sources.get(table, table) or 'the data')}"
                f" ({len(p)})</p>"
            )
            parts.append(shown.to_html(index=False, border=0, na_rep=""))
            if len(p) > self.max_lines:
                parts.append(f"<p>... and {len(p) - self.max_lines} more</p>")
        parts.append("</div>")
        return "".join(parts)


def _raw_from_ecosystem(eco: Ecosystem) -> dict[str, RawTable]:
    """An Ecosystem's tables as :func:`wpnet.write_ecosystem` would write them, as raw
    tables indexed by spreadsheet row (header = row 1)."""
    raw: dict[str, RawTable] = {}
    for name, frame in ecosystem_tables(eco).items():
        frame = frame.copy(deep=False)
        frame.index = frame.index + 2
        raw[name] = RawTable(frame, f"{name} table")
    return raw


def validate(data: str | Path | Ecosystem, *, max_lines: int = 10) -> ValidationReport:
    """Check a folder, a workbook or an Ecosystem against the schema.

    Parameters
    ----------
    data : path or Ecosystem
        A folder of tables, one ``.xlsx`` workbook (see :func:`wpnet.read_ecosystem`)
        or an :class:`~wpnet.ecosystem.Ecosystem`.
    max_lines : int, default 10
        Problems shown per table by ``str(report)``; all are in ``.errors`` and
        ``.warnings``.

    Returns
    -------
    ValidationReport
        A file that cannot be read at all (corrupt, too large, not text) is reported
        as an error of its table rather than raised.

    Raises
    ------
    FileNotFoundError
        When the path does not exist.

    Examples
    --------
    >>> import wpnet
    >>> print(validate(wpnet.tiny()))
    wpnet validation: OK — 0 errors, 0 warnings in 31 rows read
    """
    if isinstance(data, Ecosystem):
        raw = _raw_from_ecosystem(data)
    else:
        try:
            src = read_tables(data)
        except DataError as err:
            problems = (
                err.problems
                if err.problems is not None
                else problems_frame([{"table": "", "message": str(err), "severity": "error"}])
            )
            if "severity" not in problems:
                problems = problems.assign(severity="error")
            return ValidationReport(problems_frame(problems.to_dict("records")), {}, {}, max_lines)
        res = check_tables(src.raw, src.notes, src.where)
        return ValidationReport(
            res.problems, res.sources, res.rows_read, max_lines, origin=src.origin
        )
    res = check_tables(raw)
    problems, rows_read = _with_reading_record(data, res.problems, res.rows_read)
    report = ValidationReport(
        problems, res.sources, rows_read, max_lines, reading=data.reading, origin=data.origin
    )
    data.remember_validation(report)  # the notebook display shows the last validation
    return report


def _with_reading_record(
    eco: Ecosystem, problems: pd.DataFrame, rows_read: dict[str, int]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Add what was found when ``eco`` was read: ``eco.quality`` as recorded, and each
    row of ``eco.rejected`` as an error, unless ``quality`` already records why it was
    rejected (an error on that row, or a finding whose message is the reason, such as
    an exact copy, which stays a warning). A finding both found now and recorded on
    reading ("table participation has no rows") is listed once.

    For an export (``eco.reading``) the rows read are the export's (its rows excluded by
    status and rejected included) and the register's, and an export that leaves no
    attendance to analyse (every row excluded by its status, say) is an error: no
    report can be made of it. That error says why the tables built from the export
    have no rows, so their "table X has no rows" warnings are not listed beside it
    (a register without rows still is)."""
    quality = eco.quality
    parts = [problems]
    reading = eco.reading
    if reading is not None:
        rows_read = {reading.source: reading.rows}
        if reading.register_rows is not None:
            rows_read["establishments"] = reading.register_rows
        # a selection's empty result is not the reading's: its rows were selected out
        why = None if eco.scope else reading.nothing_left(kept=len(eco.participation))
        if why is not None:
            column = reading.status_column if reading.n_excluded else None
            nothing = {"table": reading.source, "column": column, "message": why}
            parts.append(problems_frame([{**nothing, "severity": "error"}]))
    if quality is not None and len(quality):
        parts.append(problems_frame(quality.to_dict("records")))
    rej = eco.rejected
    if len(rej):
        q = quality if quality is not None else problems_frame()
        errs = q[(q["severity"] == "error").fillna(False)]
        seen = set(zip(errs["table"], errs["row"], strict=True))
        said = set(zip(q["table"], q["row"], q["message"], strict=True))
        new = [
            {"table": t, "row": r, "message": f"rejected on reading: {why}", "severity": "error"}
            for t, r, why in zip(rej["table"], rej["row"], rej["reason"], strict=True)
            if (t, r) not in seen and (t, r, why) not in said
        ]
        parts.append(problems_frame(new))
        if reading is None:  # an export's rejected rows are among its rows read
            rows_read = {**rows_read, "rejected on reading": len(rej)}
    out = pd.concat(parts, ignore_index=True).astype(problems_frame().dtypes.to_dict())
    if reading is not None and not eco.scope and reading.nothing_left(kept=len(eco.participation)):
        built = ["practitioners", "networks", "participation"]
        built += ["establishments"] if reading.register_rows is None else []
        said = out["message"].isin([f"table {t} has no rows" for t in built]).fillna(False)
        out = out[~said.to_numpy()]
    # a finding of the check that reading recorded too ("table X has no rows") once
    return out.drop_duplicates(ignore_index=True), rows_read
