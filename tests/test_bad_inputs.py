"""The corpus of bad inputs (tests/data/bad/) and the exact outcome of each.

``tests/data/bad/base/`` is a small valid folder. Each case folder holds the file(s)
that replace the base's table of the same name (any extension); the test copies the
base, lays the case over it and reads it. Cases too large to commit (a 1 MB cell) or
that must be crafted byte by byte (workbooks) are built in the test.

Outcomes (one row of ``CASES`` each):

* ``Raises(file, row, column, text)``: ``read_ecosystem`` raises DataError in both
  modes; its message names the file, and a problem has that row and column.
* ``Drops({(table, row): reason prefix})``: ``errors="raise"`` raises a DataError naming
  every one of those rows; ``errors="drop"`` rejects exactly those rows with those
  reasons, and accepted + rejected = rows read.
* ``Reads(check)``: reads with nothing rejected and ``check(eco)`` holds.
"""

from __future__ import annotations

import io
import shutil
import struct
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import wpnet
from wpnet.errors import DataError
from wpnet.io import read_ecosystem

BAD = Path(__file__).parent / "data" / "bad"
TABLES = ("establishments", "practitioners", "networks", "participation", "ties")


@dataclass
class Raises:
    file: str
    row: int | None
    column: str | None
    text: str


@dataclass
class Drops:
    rejected: dict[tuple[str, int], str]


@dataclass
class Reads:
    check: Callable[[wpnet.Ecosystem], bool]


def _dates(eco: wpnet.Ecosystem) -> list[str]:
    return eco.participation["date"].dt.strftime("%Y-%m-%d").tolist()


def _names(eco: wpnet.Ecosystem) -> list[str]:
    return eco.establishments["name"].tolist()


CASES: dict[str, Raises | Drops | Reads] = {
    "empty_file": Raises("participation.csv", None, None, "the file is empty"),
    "header_only": Reads(
        lambda e: (
            len(e.participation) == 0
            and e.quality["message"].tolist() == ["table participation has no rows"]
        )
    ),
    "missing_column": Raises(
        "participation.csv", 1, "network_id", "required column network_id missing"
    ),
    "extra_column": Reads(
        lambda e: e.practitioners["favourite_colour"].fillna("").tolist() == ["red", "green", ""]
    ),
    "duplicated_column": Raises("establishments.csv", 1, "name", "column name appears twice"),
    "renamed_columns": Reads(
        lambda e: (
            e.establishments[["establishment_id", "authority", "sector"]].values.tolist()
            == [
                ["E1", "Glasgow City", "primary"],
                ["E2", "East Renfrewshire", "secondary"],
                ["E3", "Inverclyde", "early_years"],
            ]
            and e.establishments["simd_quintile"].tolist() == [1, 3, 2]
        )
    ),
    "wrong_types": Drops(
        {
            ("establishments", 4): "simd_quintile: not a number; roll: not a number",
            ("practitioners", 4): "establishment_id: establishment_id 'E3' is on rejected "
            "establishments row 4",
            ("participation", 4): "practitioner_id: practitioner_id 'P3' is on rejected "
            "practitioners row 4",
        }
    ),
    "unknown_ids": Drops(
        {
            ("participation", 3): "network_id: unknown network_id 'N9': not in networks",
            ("participation", 4): "practitioner_id: unknown practitioner_id 'P99'",
        }
    ),
    "conflicting_ids": Drops(
        {
            ("networks", 2): "network_id: network_id 'N1' is also on row 4 with different "
            "values (name: 'Numeracy network' vs 'Literacy network')",
            ("networks", 4): "network_id: network_id 'N1' is also on row 2",
            ("participation", 2): "network_id: network_id 'N1' is on rejected networks rows 2, 4",
            ("participation", 3): "network_id: network_id 'N1' is on rejected networks rows 2, 4",
        }
    ),
    "impossible_dates": Drops(
        {
            ("participation", 2): "date: impossible date 31/02/2023 (day-first: 31 February 2023)",
            ("participation", 3): "date: date 1899-06-01 outside 1990-2099",
            ("participation", 4): "date: date 2100-01-01 outside 1990-2099",
        }
    ),
    "mixed_dates": Reads(lambda e: _dates(e) == ["2022-09-01"] * 4),
    # 44805 = 1 Sep 2022 and 44936 = 10 Jan 2023 in Excel's day count from 1899-12-30
    "excel_serial": Reads(lambda e: _dates(e) == ["2022-09-01", "2022-09-01", "2023-01-10"]),
    "utf8_bom": Reads(lambda e: _names(e)[0] == "Café Primary £"),
    "cp1252": Reads(lambda e: _names(e)[0] == "Café Primary £"),
    "utf16": Reads(lambda e: _names(e)[0] == "Café Primary £"),
    "nbsp": Reads(
        lambda e: (
            e.establishments.iloc[0][["establishment_id", "name", "authority", "sector"]].tolist()
            == ["E1", "Ashgrove Primary", "Glasgow City", "primary"]
            and len(e.practitioners) == 3
        )
    ),
    "missing_markers": Reads(lambda e: e.participation["hours"].isna().all()),
    "ragged_row": Drops({("participation", 3): "row: row has 5 cells but the header has 4"}),
    "corrupt_xlsx": Raises("participation.xlsx", None, None, "not a valid .xlsx workbook"),
}


def assemble(tmp: Path, case: str) -> Path:
    out = tmp / case
    shutil.copytree(BAD / "base", out)
    for f in (BAD / case).iterdir():
        for old in out.glob(f"{f.stem}.*"):
            old.unlink()
        shutil.copy(f, out / f.name)
    return out


def rows_read(path: Path) -> int:
    from wpnet.io import read_tables

    return sum(len(t.frame) for t in read_tables(path).raw.values())


def test_every_case_folder_has_an_expected_outcome():
    folders = {p.name for p in BAD.iterdir() if p.is_dir()} - {"base"}
    assert folders == set(CASES)


def test_base_is_valid(tmp_path):
    eco = read_ecosystem(BAD / "base")
    assert (len(eco.establishments), len(eco.participation), len(eco.rejected)) == (3, 3, 0)


@pytest.mark.parametrize("case", sorted(CASES))
def test_case(tmp_path, case):
    expected = CASES[case]
    path = assemble(tmp_path, case)
    if isinstance(expected, Raises):
        for errors in ("raise", "drop"):
            with pytest.raises(DataError) as info:
                read_ecosystem(path, errors=errors)
            assert expected.file in str(info.value)
            assert expected.text in str(info.value)
            if expected.row is not None:
                probs = info.value.problems
                hit = probs[(probs["row"] == expected.row).fillna(False).to_numpy()]
                assert expected.column in hit["column"].tolist()
    elif isinstance(expected, Drops):
        with pytest.raises(DataError) as info:
            read_ecosystem(path)
        probs = info.value.problems
        for table, row in expected.rejected:
            assert ((probs["table"] == table) & (probs["row"] == row)).any(), (table, row)
        with pytest.warns(UserWarning, match=f"{len(expected.rejected)} of"):
            eco = read_ecosystem(path, errors="drop")
        rej = eco.rejected
        got = {(t, int(r)): reason for t, r, reason in rej[["table", "row", "reason"]].values}
        assert set(got) == set(expected.rejected)
        for k, prefix in expected.rejected.items():
            assert got[k].startswith(prefix), (k, got[k])
        kept = sum(len(getattr(eco, t)) for t in TABLES)
        assert kept + len(rej) == rows_read(path)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            eco = read_ecosystem(path)
        assert len(eco.rejected) == 0
        assert expected.check(eco)


# ---- built in the test ---------------------------------------------------------------------
def test_one_megabyte_cell(tmp_path):
    path = assemble(tmp_path, "base")
    big = "x" * 1_000_000 + "é"
    text = f'network_id,name,workstream\nN1,"{big}",CLN\nN2,ASL forum,ASL\n'
    (path / "networks.csv").write_text(text, encoding="utf-8")
    eco = read_ecosystem(path)
    assert len(eco.networks.loc[0, "name"]) == 1_000_001
    # ... and as a bad value in an error message it is shortened, not printed whole
    (path / "networks.csv").write_text(f"network_id,name,workstream\nN1,x,CLN\nN2,x,{big}\n")
    (path / "participation.csv").write_text(f"practitioner_id,network_id,date\nP1,N1,{big}\n")
    with pytest.raises(DataError) as info:
        read_ecosystem(path)
    assert len(str(info.value)) < 2000
    assert "row 2, column date" in str(info.value)


def _workbook(path: Path, sheets: dict[str, str]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, text in sheets.items():
        ws = wb.create_sheet(name)
        for line in text.strip().split("\n"):
            ws.append(line.split(","))
    wb.save(path)


def _base_sheets() -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted((BAD / "base").glob("*.csv"))}


def test_xlsx_missing_sheet(tmp_path):
    sheets = _base_sheets()
    del sheets["networks"]
    _workbook(tmp_path / "book.xlsx", sheets)
    with pytest.raises(DataError, match=r"required table networks not found in book.xlsx \(sheets"):
        read_ecosystem(tmp_path / "book.xlsx", errors="drop")


def test_xlsx_extra_sheet(tmp_path):
    _workbook(tmp_path / "book.xlsx", _base_sheets() | {"Summary": "total,3"})
    eco = read_ecosystem(tmp_path / "book.xlsx")
    assert len(eco.participation) == 3
    assert eco.quality["message"].tolist() == [
        "book.xlsx: sheet 'Summary' is not a wpnet table; ignored"
    ]


def _patch_sizes(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the declared uncompressed size of one zip member (local + central)."""
    buf = bytearray(data)
    name = member.encode()
    local = buf.find(b"PK\x03\x04" + b"", 0)
    while local != -1:
        n = struct.unpack_from("<H", buf, local + 26)[0]
        if bytes(buf[local + 30 : local + 30 + n]) == name:
            struct.pack_into("<I", buf, local + 22, size)
        local = buf.find(b"PK\x03\x04", local + 4)
    central = buf.find(b"PK\x01\x02")
    while central != -1:
        n = struct.unpack_from("<H", buf, central + 28)[0]
        if bytes(buf[central + 46 : central + 46 + n]) == name:
            struct.pack_into("<I", buf, central + 24, size)
        central = buf.find(b"PK\x01\x02", central + 4)
    return bytes(buf)


def test_xlsx_declaring_gigabytes_is_refused_before_opening(tmp_path):
    _workbook(tmp_path / "book.xlsx", _base_sheets())
    data = (tmp_path / "book.xlsx").read_bytes()
    bomb = _patch_sizes(data, "xl/worksheets/sheet1.xml", 0xFFFF0000)  # ~4 GB
    (tmp_path / "book.xlsx").write_bytes(bomb)
    with zipfile.ZipFile(tmp_path / "book.xlsx") as z:
        assert sum(i.file_size for i in z.infolist()) > 4 * 10**9
    with pytest.raises(DataError, match=r"book.xlsx: the workbook would expand to 4,096 MB"):
        read_ecosystem(tmp_path / "book.xlsx")


def test_xlsx_zip_bomb_inflating_past_its_declared_size(tmp_path):
    """A part whose real content is far larger than its declared size (a small bomb:
    50 MB of zeros compressed to ~50 kB, declared as 1 kB) is cut off by zipfile's size
    and CRC checks, so it is reported as a corrupt workbook, never inflated in full."""
    _workbook(tmp_path / "book.xlsx", _base_sheets())
    src = zipfile.ZipFile(tmp_path / "book.xlsx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                payload = payload.replace(b"</sheetData>", b"</sheetData>" + b" " * 50_000_000)
            out.writestr(info.filename, payload)
    src.close()
    bomb = _patch_sizes(buf.getvalue(), "xl/worksheets/sheet1.xml", 1024)
    (tmp_path / "book.xlsx").write_bytes(bomb)
    assert len(bomb) < 1_000_000
    with pytest.raises(DataError, match=r"book.xlsx"):
        read_ecosystem(tmp_path / "book.xlsx")


def test_corrupt_workbook_named(tmp_path):
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(DataError, match=r"book.xlsx: not a valid .xlsx workbook"):
        read_ecosystem(tmp_path / "book.xlsx")


def test_undecodable_bytes(tmp_path):
    path = assemble(tmp_path, "base")
    (path / "networks.csv").write_bytes(b"network_id,name,workstream\nN1,\x81\x8d,CLN\n")
    with pytest.raises(DataError, match=r"networks.csv: not UTF-8, UTF-16 or Windows-1252"):
        read_ecosystem(path)


def test_rejected_keeps_original_values(tmp_path):
    path = assemble(tmp_path, "impossible_dates")
    with pytest.warns(UserWarning):
        eco = read_ecosystem(path, errors="drop")
    assert eco.rejected["date"].tolist() == ["31/02/2023", "1899-06-01", "2100-01-01"]
    assert pd.api.types.is_string_dtype(eco.rejected["date"].dtype)
