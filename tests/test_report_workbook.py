"""tables.xlsx, written directly as SpreadsheetML (wpnet.report.workbook), reads back
cell for cell as the workbook openpyxl's object model writes from the same tables: the
oracle below is the report's earlier openpyxl writer, kept here as the reference. And
the page's cells, built column by column (Table.cells), are those of the cell-by-cell
reading they replaced."""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import openpyxl
import pandas as pd
import pytest

import wpnet
from wpnet.graphs import GraphSpec
from wpnet.privacy import neutralise, strip_controls, to_builtin
from wpnet.report import build as B
from wpnet.report import labels as L
from wpnet.report.compute import compute
from wpnet.report.tables import HIDDEN, Table, build_tables
from wpnet.report.workbook import write_xlsx


def _openpyxl_reference(sheets: list[tuple[str, Table, pd.DataFrame]], path: Path) -> None:
    """The report's workbook as openpyxl's object model wrote it (wpnet 0.x, issue 19)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    def note(marker: str) -> str:
        if marker == HIDDEN:
            return "Hidden (*) so that a small count cannot be worked out from the totals."
        return f"Hidden ({marker}): a count of fewer than {marker[1:]} practitioners."

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, table, frame in sheets:
        ws = wb.create_sheet(name)
        machine = list(table.frame.columns)
        widths = []
        for j, col in enumerate(machine, 1):
            head = L.header(col)
            cell = ws.cell(row=1, column=j, value=head)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if head != str(col):
                cell.comment = Comment(f"column: {col}", "wpnet")
            widths.append(max(len(w) for w in head.split()) if head.strip() else 4)
        for i, row in enumerate(frame.itertuples(index=False, name=None)):
            for j, (col, value) in enumerate(zip(machine, row, strict=True), 1):
                fmt = table.cell_format(col, i)
                cell = ws.cell(row=i + 2, column=j)
                v = to_builtin(value)
                if v is None or (isinstance(v, float) and np.isnan(v)):
                    continue
                if isinstance(v, str) and fmt != "text" and (v == HIDDEN or re.match(r"^<\d+$", v)):
                    cell.comment = Comment(note(v), "wpnet")
                    cell.fill = PatternFill("solid", fgColor="EEEEEE")
                    continue
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    cell.value = v
                    if fmt != "text":
                        cell.number_format = L.XLSX_FORMATS[fmt]
                    shown = len(L.format_value(v, fmt))
                else:
                    cell.value = str(L.value_label(col, v))
                    shown = min(len(str(cell.value)), 60)
                widths[j - 1] = max(widths[j - 1], shown)
        for j, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(j)].width = min(62, w + 3)
        ws.freeze_panes = "B2"
    wb.save(path)


def _cell(c: Any) -> tuple:
    comment = None if c.comment is None else (c.comment.text, c.comment.author)
    return (
        c.value,
        type(c.value).__name__,
        c.data_type,
        c.number_format,
        bool(c.font.b),
        c.alignment.wrap_text,
        c.alignment.vertical,
        c.fill.fill_type,
        c.fill.fgColor.rgb if c.fill.fill_type else None,
        comment,
    )


def _same_workbook(new: Path, old: Path) -> int:
    """Assert that the two workbooks read back alike; return the cells compared."""
    a, b = openpyxl.load_workbook(new), openpyxl.load_workbook(old)
    assert a.sheetnames == b.sheetnames
    n = 0
    for wa, wb in zip(a.worksheets, b.worksheets, strict=True):
        assert (wa.max_row, wa.max_column) == (wb.max_row, wb.max_column), wa.title
        assert wa.freeze_panes == wb.freeze_panes == "B2"
        for ra, rb in zip(wa.iter_rows(), wb.iter_rows(), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                assert _cell(ca) == _cell(cb), (wa.title, ca.coordinate)
                n += 1
        for j in range(1, wb.max_column + 1):
            letter = openpyxl.utils.get_column_letter(j)
            da, db = wa.column_dimensions[letter], wb.column_dimensions[letter]
            assert (da.width, da.customWidth) == (db.width, db.customWidth), (wa.title, letter)
    return n


def _sheets(tables: list[Table]) -> list[tuple[str, Table, pd.DataFrame]]:
    return [(t.key[:31], t, neutralise(strip_controls(t.frame)[0])) for t in tables]


@pytest.fixture(scope="module")
def tiny_tables() -> list[Table]:
    res = compute(
        wpnet.tiny(), "2022-23", "2021-22", graph=GraphSpec(backbone=None), permutations=20
    )
    return [*build_tables(res, 5), *B.headline_tables(res)]


def test_report_workbook_reads_back_as_openpyxl_wrote_it(tiny_tables, tmp_path) -> None:
    (tmp_path / "tables").mkdir()
    B._write_tables(tiny_tables, tmp_path)  # the report's own path: safety passes, CSVs, xlsx
    _openpyxl_reference(_sheets(tiny_tables), tmp_path / "old.xlsx")
    n = _same_workbook(tmp_path / "tables.xlsx", tmp_path / "old.xlsx")
    assert n > 500
    # the comparison sees the things that differ between cells: hidden cells, formats
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows(min_row=2) for c in row]
    formats = {c.number_format for c in cells if isinstance(c.value, int | float)}
    assert {"#,##0", "0.0%", "0.00", "0.000", "General"} <= formats
    assert any(c.comment is not None and c.value is None for c in cells)  # a hidden count


def test_edge_values_read_back_as_openpyxl_wrote_them(tmp_path) -> None:
    frame = pd.DataFrame(
        {
            "authority": [" lead space", "a & b <c>", "", None, "x\ny", "Ünïcode ÷"],
            "sector": ["early_years", "primary", "other", pd.NA, "central", "special"],
            "practitioners": [np.int64(12), "<5", HIDDEN, 3.0, 1_234_567, -2],
            "coverage": [0.5, float("nan"), 1.0, HIDDEN, 1 / 3, 2.0000000000000004],
            "value": [0.1, 2, "*", True, "text", -0.25],
            "workstream": ["*", "<5", "ws", 7, 1.5, pd.NA],
        }
    ).astype({"sector": "string"})
    per_row = ["pct", "int", "num3", "num2", "dint", "pp"]
    t = Table("edge", "Edge values", frame, cell_formats={"value": per_row})
    new, old = tmp_path / "new.xlsx", tmp_path / "old.xlsx"
    write_xlsx([("edge", t, frame), ("second sheet", t, frame)], new)
    _openpyxl_reference([("edge", t, frame), ("second sheet", t, frame)], old)
    assert _same_workbook(new, old) == 2 * 7 * 6
    ws = openpyxl.load_workbook(new)["edge"]
    assert ws["A2"].value == " lead space" and ws["A3"].value == "a & b <c>"
    assert ws["B2"].value == "Early years" and ws["C5"].value == 3
    assert ws["E3"].number_format == "#,##0" and ws["E4"].value is None  # per-row formats
    assert ws["F2"].value == "*" and ws["F2"].comment is None  # a text column keeps "*"


def test_an_infinite_number_is_an_empty_cell(tmp_path) -> None:
    # openpyxl writes an empty <v> for it too; "inf" in <v> would make Excel refuse the file
    t = Table("k", "T", pd.DataFrame({"authority": ["A", "B"], "depth": [math.inf, 2.5]}))
    write_xlsx([("k", t, t.frame)], tmp_path / "k.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "k.xlsx")["k"]
    assert ws["B2"].value is None and ws["B3"].value == 2.5
    with zipfile.ZipFile(tmp_path / "k.xlsx") as z:
        assert b"inf" not in z.read("xl/worksheets/sheet1.xml")


def test_workbook_refuses_what_excel_cannot_hold(tmp_path) -> None:
    t = Table("k", "T", pd.DataFrame({"authority": ["ok\x01"]}))
    with pytest.raises(ValueError, match=r"k!A2.*control character"):
        write_xlsx([("k", t, t.frame)], tmp_path / "a.xlsx")
    with pytest.raises(ValueError, match="not a sheet name"):
        write_xlsx([("a/b", t, t.frame.iloc[:0])], tmp_path / "b.xlsx")
    with pytest.raises(ValueError, match="two sheets named"):
        write_xlsx([("k", t, t.frame.iloc[:0]), ("K", t, t.frame.iloc[:0])], tmp_path / "c.xlsx")


def test_workbook_bytes_depend_on_content_only(tiny_tables, tmp_path) -> None:
    sheets = _sheets(tiny_tables)
    write_xlsx(sheets, tmp_path / "a.xlsx")
    write_xlsx(sheets, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert z.testzip() is None
        names = z.namelist()
        for name in names:  # every part is well-formed XML (openpyxl does not read the VML)
            ElementTree.fromstring(z.read(name))
    assert names[0] == "[Content_Types].xml"
    assert sum(n.startswith("xl/worksheets/sheet") for n in names) == len(sheets)


def _cells_one_by_one(t: Table) -> list[list[str]]:
    """Table.cells as it was written before issue 19: one pandas row at a time."""
    cols = list(t.frame.columns)
    out = []
    for i, row in enumerate(t.frame.itertuples(index=False, name=None)):
        shown = []
        for c, v in zip(cols, row, strict=True):
            if str(c) in ("measure", "indicator", "unit") and isinstance(v, str) and v in L.COLUMNS:
                shown.append(L.header(v))
            elif L.value_label(c, v) is not v:
                shown.append(str(L.value_label(c, v)))
            else:
                shown.append(L.format_value(v, t.cell_format(c, i)))
        out.append(shown)
    return out


def test_page_cells_are_those_read_one_by_one(tiny_tables) -> None:
    seen = set()
    for t in tiny_tables:
        assert t.cells() == _cells_one_by_one(t), t.key
        seen |= {str(c) for c in t.frame.columns} & {"measure", "indicator", "sector"}
        html = t.html()
        assert html["rows"] == t.cells() and html["wide"] == t.wide
        assert len(html["parts"]) == (0 if len(t.parts()) == 1 else len(t.parts()))
    assert seen == {"measure", "indicator", "sector"}  # named rows and value labels are seen


def test_permutation_p_values_below_a_thousandth_are_shown_so(example_report):
    """The E-I test's p-values follow the +1 rule (never 0): the page shows 1/5001 as
    "0.0002" rather than "0.000" (and not "<0.001": "<" marks a hidden count in the
    report's tables); the CSV keeps the number."""
    page = example_report.page.read_text(encoding="utf-8")
    block = page[page.index('id="tb-ei_test"') :]
    block = block[: block.index("</table>")]
    p = pd.read_csv(example_report.page.parent / "tables" / "ei_test.csv")["p_two_sided"].iloc[0]
    assert 0 < p < 0.001
    assert p == 1 / 5001
    assert ">0.0002<" in block and "0.000<" not in block and "&lt;0.001" not in block


def test_text_longer_than_a_cell_is_cut_with_a_marker_and_a_warning(tmp_path) -> None:
    # Excel holds 32,767 characters in a cell; a longer one makes it "repair" the file
    long = "ab" * 20_000  # 40,000 characters
    t = Table("notes", "T", pd.DataFrame({"network": ["N1", "N2"], "note": [long, "short"]}))
    out = tmp_path / "t.xlsx"
    with pytest.warns(
        UserWarning,
        match=r"tables.xlsx: 1 cell held more text .* notes!B2 "
        r"\(column note, 40,000 characters\); the CSV files in tables/ hold",
    ):
        write_xlsx([("notes", t, t.frame)], out)
    ws = openpyxl.load_workbook(out)["notes"]
    cell = ws["B2"].value
    assert len(cell) == 32_767
    assert cell.endswith(
        " … [cut: 40,000 characters, more than a cell holds; the whole is in tables/notes.csv]"
    )
    assert long.startswith(cell.split(" … [cut")[0])
    assert ws["B3"].value == "short"
    # a text of exactly 32,767 characters fits: written whole, without a warning
    t = Table("notes", "T", pd.DataFrame({"network": ["N1"], "note": ["x" * 32_767]}))
    write_xlsx([("notes", t, t.frame)], out)
    assert openpyxl.load_workbook(out)["notes"]["B2"].value == "x" * 32_767
