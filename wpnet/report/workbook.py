"""The report's workbook, ``tables.xlsx``: one sheet per published table.

The workbook is written directly as SpreadsheetML (ECMA-376 Part 1: a zip of XML parts)
rather than through openpyxl's object model, which builds, styles and serialises every
cell as an object (most of the report's table-writing time, and openpyxl's import). The
parts and their markup follow what openpyxl 3.1 writes for the same sheets -- inline
strings, one cell format per (number format, font, fill), legacy comments with their VML
shapes -- so the file reads back cell for cell as before (``tests/test_report_workbook.py``
compares the two). The theme part and the document properties are left out (both
optional): the workbook's bytes depend on its content only.
"""

from __future__ import annotations

import math
import re
import warnings
import zipfile
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from wpnet._xlsx import XLSX_MAX_CHARS
from wpnet.privacy import to_builtin
from wpnet.report import labels as L
from wpnet.report.tables import HIDDEN, Table

__all__ = ["write_xlsx"]

#: A disclosure marker other than HIDDEN: "<5".
_COUNT_MARKER = re.compile(r"^<\d+$")
#: Characters XML 1.0 cannot hold (openpyxl refuses them the same way).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Sheet-name characters Excel refuses.
_BAD_TITLE = re.compile(r"[\\*?:/\[\]]")
#: Excel's built-in number formats the report uses (id -> code), the others get ids from 164.
_BUILTIN = {"0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _hidden_note(marker: str) -> str:
    if marker == HIDDEN:
        return "Hidden (*) so that a small count cannot be worked out from the totals."
    return f"Hidden ({marker}): a count of fewer than {marker[1:]} practitioners."


class _Styles:
    """The workbook's cell formats: 0 plain, 1 heading (bold, wrapped, top), 2 hidden
    (grey fill), then one per Excel number format, added as first used."""

    def __init__(self) -> None:
        self.codes: list[str] = []  # number format of style 3 + i

    def number(self, fmt: str) -> int:
        """The style id of report format ``fmt`` (``text``: plain)."""
        if fmt == "text":
            return 0
        code = L.XLSX_FORMATS[fmt]
        if code not in self.codes:
            self.codes.append(code)
        return 3 + self.codes.index(code)

    def xml(self) -> str:
        custom = [c for c in self.codes if c not in _BUILTIN]
        ids = {c: _BUILTIN.get(c) or 164 + custom.index(c) for c in self.codes}
        fmts = "".join(
            f"<numFmt numFmtId={quoteattr(str(ids[c]))} formatCode={quoteattr(c)}/>" for c in custom
        )
        plain = 'fontId="0" fillId="0" borderId="0" xfId="0"'
        xfs = [
            f'<xf numFmtId="0" {plain}/>',
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
            'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>',
            '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/>',
            *(f'<xf numFmtId="{ids[c]}" {plain} applyNumberFormat="1"/>' for c in self.codes),
        ]
        return (
            f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(custom)}">{fmts}</numFmts>' if custom else "")
            + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
            '<font><b val="1"/></font></fonts>'
            '<fills count="3"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/>'
            '</fill><fill><patternFill patternType="solid"><fgColor rgb="00EEEEEE"/></patternFill>'
            "</fill></fills>"
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


def _letter(j: int) -> str:
    """Column letter of 0-based column ``j`` (0 -> A, 26 -> AA)."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _text(value: str, where: str) -> str:
    """An inline string cell's content, escaped (an XML-illegal character is an error)."""
    if _ILLEGAL.search(value):
        raise ValueError(f"tables.xlsx {where}: text holds a control character: {value!r}")
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<is><t{space}>{escape(value).replace(chr(13), '&#13;')}</t></is>"


def _cut(text: str, key: str) -> str:
    """``text`` cut to fit one cell (:data:`~wpnet._xlsx.XLSX_MAX_CHARS`), ending with a
    marker that says so and where the whole text is.

    Examples
    --------
    >>> cell = _cut("x" * 40_000, "reach")
    >>> len(cell), cell.rsplit("x", 1)[1]
    (32767, ' … [cut: 40,000 characters, more than a cell holds; the whole is in tables/reach.csv]')
    """
    marker = (
        f" … [cut: {len(text):,} characters, more than a cell holds; the whole is in "
        f"tables/{key}.csv]"
    )
    return text[: XLSX_MAX_CHARS - len(marker)] + marker


def _number(v: int | float) -> str:
    """A number as openpyxl writes it (16 significant digits, ``%.16g``)."""
    return f"{v:.16g}"


class _Sheet:
    """One worksheet's XML and its comments, built column by column."""

    def __init__(self, name: str, table: Table, frame: pd.DataFrame, styles: _Styles) -> None:
        self.name = name
        self.comments: list[tuple[int, int, str]] = []  # (row, column, text), 0-based
        self.cut: list[str] = []  # cells whose text was cut to fit (:func:`_cut`)
        machine = list(table.frame.columns)
        if len(machine) != frame.shape[1]:
            raise ValueError(
                f"tables.xlsx sheet {name!r}: {frame.shape[1]} columns to write, "
                f"table {table.key!r} has {len(machine)}"
            )
        self.n_rows = len(frame)
        self.cells: list[list[str]] = []  # per column, per row (heading first)
        self.widths: list[int] = []
        # by position (as iloc would, a third of the time): names may repeat
        for j, (col, (_, values)) in enumerate(zip(machine, frame.items(), strict=True)):
            self._column(j, col, table, values.tolist(), styles)

    def _column(self, j: int, col: Any, table: Table, values: list, styles: _Styles) -> None:
        letter = _letter(j)
        head = L.header(col)
        if head != str(col):
            self.comments.append((0, j, f"column: {col}"))
        width = max(len(w) for w in head.split()) if head.strip() else 4
        out = [
            f'<c r="{letter}1" s="1" t="inlineStr">{_text(head, f"{self.name}!{letter}1")}</c>'
            if head
            else f'<c r="{letter}1" s="1"/>'
        ]
        per_row = table.cell_formats.get(str(col))
        fmt = table.format_of(col)
        for i, value in enumerate(values):
            if per_row is not None:
                fmt = per_row[i]
            ref = f"{letter}{i + 2}"
            v = to_builtin(value)
            if v is None or (isinstance(v, float) and not math.isfinite(v)):
                out.append("")  # missing, or infinite (Excel has no infinity)
                continue
            if isinstance(v, str) and fmt != "text" and (v == HIDDEN or _COUNT_MARKER.match(v)):
                self.comments.append((i + 1, j, _hidden_note(v)))
                out.append(f'<c r="{ref}" s="2"/>')
                continue
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(f'<c r="{ref}" s="{styles.number(fmt)}"><v>{_number(v)}</v></c>')
                shown = len(L.format_value(v, fmt))
            else:
                text = str(L.value_label(col, v))
                if len(text) > XLSX_MAX_CHARS:
                    self.cut.append(f"{self.name}!{ref} (column {col}, {len(text):,} characters)")
                    text = _cut(text, table.key)
                body = _text(text, f"{self.name}!{ref}") if text else ""  # "": an empty cell
                out.append(f'<c r="{ref}" t="inlineStr">{body}</c>')
                shown = min(len(text), 60)
            width = max(width, shown)
        self.cells.append(out)
        self.widths.append(min(62, width + 3))
        self.comments.sort()  # row by row, as Excel lists them

    def xml(self) -> str:
        ncol = len(self.cells)
        last = f"{_letter(max(ncol, 1) - 1)}{self.n_rows + 1 if ncol else 1}"
        cols = "".join(
            f'<col min="{j}" max="{j}" width="{w}" customWidth="1"/>'
            for j, w in enumerate(self.widths, 1)
        )
        rows = []
        for i, cells in enumerate(zip(*self.cells, strict=True), 1):
            row = "".join(cells)
            if row:
                rows.append(f'<row r="{i}">{row}</row>')
        return (
            f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f'<dimension ref="A1:{last}"/>'
            '<sheetViews><sheetView workbookViewId="0"><pane xSplit="1" ySplit="1" '
            'topLeftCell="B2" activePane="bottomRight" state="frozen"/>'
            '<selection pane="topRight"/><selection pane="bottomLeft"/>'
            '<selection pane="bottomRight" activeCell="A1" sqref="A1"/></sheetView></sheetViews>'
            '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + f"<sheetData>{''.join(rows)}</sheetData>"
            '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
            + ('<legacyDrawing r:id="rId2"/>' if self.comments else "")
            + "</worksheet>"
        )

    def comments_xml(self) -> str:
        items = "".join(
            f'<comment ref="{_letter(j)}{i + 1}" authorId="0" shapeId="0">'
            f"<text><t>{escape(text)}</t></text></comment>"
            for i, j, text in self.comments
        )
        return (
            f'{_HEAD}<comments xmlns="{_MAIN}"><authors><author>wpnet</author></authors>'
            f"<commentList>{items}</commentList></comments>"
        )

    def vml(self) -> str:
        """The comments' shapes (Excel shows a legacy comment through its VML shape)."""
        style = (
            "position:absolute; margin-left:59.25pt;margin-top:1.5pt;width:144px;"
            "height:79px;z-index:1;visibility:hidden"
        )
        shapes = "".join(
            f'<v:shape id="_x0000_s{k:04d}" type="#_x0000_t202" style="{style}" '
            'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:AutoFill>False</x:AutoFill><x:Row>{i}</x:Row><x:Column>{j}</x:Column>"
            "</x:ClientData></v:shape>"
            for k, (i, j, _) in enumerate(self.comments, 1026)
        )
        return (
            '<xml xmlns:v="urn:schemas-microsoft-com:vml" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>'
            '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
            'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
            '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            f"{shapes}</xml>"
        )


def _check_title(name: str) -> None:
    if not name or len(name) > 31 or _BAD_TITLE.search(name) or _ILLEGAL.search(name):
        raise ValueError(
            f"tables.xlsx: {name!r} is not a sheet name (1 to 31 characters, none of \\*?:/[])"
        )


def _rels(items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f'<Relationship Id="{rid}" Type="{kind}" Target={quoteattr(target)}/>'
        for rid, kind, target in items
    )
    return f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{body}</Relationships>'


def _package(sheets: list[_Sheet], styles: _Styles) -> dict[str, str]:
    """Every part of the workbook: name -> XML."""
    doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    parts: dict[str, str] = {}
    types = [("/xl/workbook.xml", f"{_CT}.sheet.main+xml"), ("/xl/styles.xml", f"{_CT}.styles+xml")]
    book_rels = []
    for k, sh in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{k}.xml"] = sh.xml()
        types.append((f"/xl/worksheets/sheet{k}.xml", f"{_CT}.worksheet+xml"))
        book_rels.append((f"rId{k}", doc + "worksheet", f"worksheets/sheet{k}.xml"))
        if sh.comments:
            parts[f"xl/comments{k}.xml"] = sh.comments_xml()
            parts[f"xl/drawings/vmlDrawing{k}.vml"] = sh.vml()
            types.append((f"/xl/comments{k}.xml", f"{_CT}.comments+xml"))
            parts[f"xl/worksheets/_rels/sheet{k}.xml.rels"] = _rels(
                [
                    ("rId1", doc + "comments", f"../comments{k}.xml"),
                    ("rId2", doc + "vmlDrawing", f"../drawings/vmlDrawing{k}.vml"),
                ]
            )
    book_rels.append((f"rId{len(sheets) + 1}", doc + "styles", "styles.xml"))
    listed = "".join(
        f'<sheet name={quoteattr(sh.name)} sheetId="{k}" r:id="rId{k}"/>'
        for k, sh in enumerate(sheets, 1)
    )
    parts["xl/workbook.xml"] = (
        f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/>'
        f"</bookViews><sheets>{listed}</sheets></workbook>"
    )
    parts["xl/_rels/workbook.xml.rels"] = _rels(book_rels)
    parts["xl/styles.xml"] = styles.xml()
    parts["_rels/.rels"] = _rels([("rId1", doc + "officeDocument", "xl/workbook.xml")])
    overrides = "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in types)
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.'
        f'vmlDrawing"/>{overrides}</Types>'
    )
    return parts


def write_xlsx(sheets: list[tuple[str, Table, pd.DataFrame]], path: Any) -> None:
    """Write one sheet per table: human headings (bold, wrapped, frozen with the first
    column), Excel number formats by column kind (:data:`wpnet.report.labels.XLSX_FORMATS`),
    column widths to fit, and hidden cells left empty (never text in a number column)
    with a note saying why and a grey fill.

    ``sheets`` holds (sheet name, table, the frame to write: the table's frame made
    spreadsheet-safe by :func:`wpnet.privacy.neutralise`). Each heading's note gives the
    column's machine name (as in the CSV files). A missing or infinite number is an empty
    cell. A column is as wide as its longest
    heading word or shown value (text counted up to 60 characters) plus 3, at most 62.
    A text longer than an Excel cell holds (32,767 characters) is cut to fit, ending
    with a marker naming its length and its table's CSV file (which holds it whole),
    with a ``UserWarning`` naming each such cell: the workbook stays one Excel opens
    without repairing it.

    Raises
    ------
    ValueError
        For a sheet name Excel refuses, a frame whose columns do not match its table's,
        or text holding a control character (naming the sheet and cell).

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> t = Table("k", "T", pd.DataFrame({"authority": ["A", "B"], "practitioners": [12, "<5"]}))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> write_xlsx([("k", t, t.frame)], out)
    >>> ws = openpyxl.load_workbook(out)["k"]
    >>> [c.value for c in ws[1]], ws["B2"].value, ws["B2"].number_format, ws["B3"].value
    (['Local authority', 'Practitioners'], 12, '#,##0', None)
    >>> ws["B3"].comment.text
    'Hidden (<5): a count of fewer than 5 practitioners.'
    """
    styles = _Styles()
    built = []
    seen: set[str] = set()
    for name, table, frame in sheets:
        _check_title(name)
        if name.lower() in seen:
            raise ValueError(f"tables.xlsx: two sheets named {name!r}")
        seen.add(name.lower())
        built.append(_Sheet(name, table, frame, styles))
    cut = [c for sh in built for c in sh.cut]
    if cut:
        warnings.warn(
            f"tables.xlsx: {len(cut)} cell{'s' if len(cut) != 1 else ''} held more text than "
            f"an Excel cell can ({XLSX_MAX_CHARS:,} characters) and "
            f"{'were' if len(cut) != 1 else 'was'} cut to fit, ending '… [cut: ...]': "
            + "; ".join(cut[:5])
            + (f" and {len(cut) - 5} more" if len(cut) > 5 else "")
            + "; the CSV files in tables/ hold the whole text",
            UserWarning,
            stacklevel=3,
        )
    parts = _package(built, styles)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in ("[Content_Types].xml", "_rels/.rels", *sorted(set(parts) - {
                "[Content_Types].xml", "_rels/.rels"})):  # fmt: skip
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, parts[name].encode("utf-8"))
