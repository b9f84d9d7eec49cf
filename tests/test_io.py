"""Reading and writing: formats, encodings, errors, round trips, safety of writes."""

from __future__ import annotations

import hashlib
import hmac
import os
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import wpnet
from wpnet.errors import DataError, UsageError
from wpnet.io import read_ecosystem, write_ecosystem

KEY = "a test key of 16+ bytes"

TABLE_NAMES = ("establishments", "practitioners", "networks", "participation", "ties")

EST = (
    "establishment_id,name,authority,sector,simd_quintile\n"
    "E1,Café Primary,Glasgow,Primary School,1\n"
    "E2,Barrhead High,Inverclyde,Secondary,3\n"
)
PRAC = "practitioner_id,establishment_id,level\nP1,E1,Class Teacher\nP2,E2,DHT\n"
NET = "network_id,name,workstream\nN1,Numeracy,CLN\n"
PART = "practitioner_id,network_id,date\nP1,N1,01/09/2022\nP2,N1,2022-09-01\n"


def folder(tmp_path: Path, **override: str) -> Path:
    """A valid CSV folder; keyword arguments replace a table's text."""
    texts = {"establishments": EST, "practitioners": PRAC, "networks": NET, "participation": PART}
    texts.update(override)
    for name, text in texts.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return tmp_path


def assert_same(a: wpnet.Ecosystem, b: wpnet.Ecosystem) -> None:
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


# ---- reading ---------------------------------------------------------------------------
def test_read_folder_of_csv(tmp_path):
    eco = read_ecosystem(folder(tmp_path))
    est = eco.establishments
    assert est["name"].tolist() == ["Café Primary", "Barrhead High"]
    assert est["authority"].tolist() == ["Glasgow City", "Inverclyde"]
    assert est["sector"].tolist() == ["primary", "secondary"]
    assert eco.practitioners["level"].tolist() == ["practitioner", "senior_leader"]
    assert eco.participation["date"].dt.strftime("%Y-%m-%d").tolist() == ["2022-09-01"] * 2
    assert len(eco.rejected) == 0
    # 01/09/2022 could be either order: read day-first, and the quality log says so
    assert eco.quality["message"].str.startswith("column date: the date order").tolist() == [True]


def test_file_stems_are_case_insensitive_and_other_files_ignored(tmp_path):
    folder(tmp_path)
    (tmp_path / "participation.csv").rename(tmp_path / "Participation.CSV")
    (tmp_path / "notes.csv").write_text("anything\n1\n")
    (tmp_path / "README.md").write_text("# data\n")
    assert len(read_ecosystem(tmp_path).participation) == 2


def test_data_files_a_folder_does_not_read_are_named(tmp_path):
    """A second year's participation, a copy of the ties survey, a table saved as .tsv:
    not read, and the quality log says so (an audit found them dropped unseen)."""
    f = write_ecosystem(wpnet.tiny(), tmp_path / "in")
    for name in ("Ties (1).csv", "participation_2024.csv", "participation.tsv"):
        (f / name).write_bytes((f / "ties.csv").read_bytes())
    (f / "README.md").write_text("# data\n")
    eco = read_ecosystem(f)
    notes = eco.quality[eco.quality["message"].str.contains("not read").fillna(False)]
    named = sorted(m.split(":")[0] for m in notes["message"])
    assert named == ["Ties (1).csv", "participation.tsv", "participation_2024.csv"]
    assert set(notes["severity"]) == {"warning"}
    assert len(eco.ties) == len(wpnet.tiny().ties)  # ties.csv itself is read once


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_encodings(tmp_path, encoding):
    folder(tmp_path)
    (tmp_path / "establishments.csv").write_bytes(EST.encode(encoding))
    if encoding == "utf-16":
        assert (tmp_path / "establishments.csv").read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    eco = read_ecosystem(tmp_path)
    assert eco.establishments["name"].tolist()[0] == "Café Primary"
    assert eco.establishments.columns[0] == "establishment_id"  # no BOM in the header


def test_workbook_with_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, text in [
        ("Establishments", EST),
        ("practitioners", PRAC),
        ("Networks", NET),
        ("PARTICIPATION", PART),
        ("Notes", "written by hand\n"),
    ]:
        ws = wb.create_sheet(name)
        for line in text.strip().split("\n"):
            ws.append(line.split(","))
    wb.save(tmp_path / "book.xlsx")
    eco = read_ecosystem(tmp_path / "book.xlsx")
    assert eco.establishments["name"].tolist() == ["Café Primary", "Barrhead High"]
    assert len(eco.participation) == 2
    q = eco.quality
    assert q["message"].tolist()[-1] == "book.xlsx: sheet 'Notes' is not a wpnet table; ignored"
    assert q["message"].tolist()[0].startswith("column date: the date order cannot be told")
    assert q["severity"].tolist() == ["warning"] * 2


def test_xlsx_native_dates_and_numbers(tmp_path):
    import datetime as dt

    folder(tmp_path)
    (tmp_path / "participation.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["practitioner_id", "network_id", "date", "hours"])
    ws.append(["P1", "N1", dt.datetime(2022, 9, 1), 1.5])
    ws.append(["P2", "N1", 44805, 2.0])  # a serial typed as a plain number
    wb.save(tmp_path / "participation.xlsx")
    part = read_ecosystem(tmp_path).participation
    assert part["date"].dt.strftime("%Y-%m-%d").tolist() == ["2022-09-01"] * 2
    assert part["hours"].tolist() == [1.5, 2.0]


def test_raise_gathers_every_problem_with_file_row_column_value(tmp_path):
    folder(
        tmp_path,
        networks="network_id,name,workstream\nN1,Numeracy,CLN\nN2,,ASL\n",
        participation="practitioner_id,network_id,date\nP1,N1,31/02/2023\nP2,N9,2022-09-01\n",
    )
    with pytest.raises(DataError) as info:
        read_ecosystem(tmp_path)
    msg = str(info.value)
    assert msg.startswith(f"3 problems in {tmp_path}:")
    assert "networks.csv, row 3, column name: missing name (required)" in msg
    assert "participation.csv, row 2, column date, value '31/02/2023': impossible date" in msg
    assert "participation.csv, row 3, column network_id, value 'N9': unknown network_id" in msg
    assert isinstance(info.value, ValueError)
    assert info.value.problems["row"].tolist() == [3, 2, 3]


def test_drop_keeps_good_rows_and_warns_once(tmp_path):
    folder(
        tmp_path,
        participation="practitioner_id,network_id,date,extra\n"
        "P1,N1,31/02/2023,a\nP2,N9,2022-09-01,b\nP2,N1,2022-09-02,c\nP2,N1,2022-09-02,c\n",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        eco = read_ecosystem(tmp_path, errors="drop")
    assert [str(w.message) for w in caught] == [
        f"read_ecosystem({str(tmp_path)!r}): 3 of 9 rows rejected "
        "(see eco.rejected for the rows and reasons)"
    ]
    assert caught[0].category is UserWarning
    assert eco.participation["extra"].tolist() == ["c"]
    rej = eco.rejected
    assert rej["row"].tolist() == [5, 2, 3]
    assert rej["reason"].tolist()[0] == "duplicate of row 4"
    assert rej["reason"].tolist()[1].startswith("date: impossible date 31/02/2023")
    assert rej["reason"].tolist()[2] == "network_id: unknown network_id 'N9': not in networks"
    assert rej["date"].tolist() == ["2022-09-02", "31/02/2023", "2022-09-01"]  # as written
    assert len(eco.participation) + len(rej) == 4


def test_drop_still_raises_on_a_missing_column(tmp_path):
    folder(tmp_path, participation="practitioner_id,date\nP1,2022-09-01\n")
    with pytest.raises(DataError, match=r"participation.csv, header \(row 1\), column network_id"):
        read_ecosystem(tmp_path, errors="drop")


def test_bad_errors_argument(tmp_path):
    with pytest.raises(ValueError, match="errors must be 'raise' or 'drop'"):
        read_ecosystem(folder(tmp_path), errors="ignore")


def test_two_files_for_one_table(tmp_path):
    folder(tmp_path)
    wpnet.tiny().participation.to_parquet(tmp_path / "participation.parquet")
    with pytest.raises(DataError, match="participation: more than one file"):
        read_ecosystem(tmp_path)


def test_single_csv_is_not_an_ecosystem(tmp_path):
    folder(tmp_path)
    with pytest.raises(DataError, match="use wpnet.from_records"):
        read_ecosystem(tmp_path / "participation.csv")


def test_xlsx_size_bound_checked_before_opening(tmp_path, monkeypatch):
    import wpnet.io

    wpnet.tiny().establishments.to_excel(tmp_path / "establishments.xlsx", index=False)
    monkeypatch.setattr(wpnet.io, "MAX_XLSX_BYTES", 1000)
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a))
    with pytest.raises(DataError, match=r"establishments.xlsx: the workbook would expand"):
        read_ecosystem(tmp_path)
    assert opened == []


def test_personal_columns_pseudonymised_with_key_dropped_without(tmp_path, monkeypatch):
    monkeypatch.delenv("WPNET_KEY", raising=False)
    prac = "practitioner_id,establishment_id,level,email\nP1,E1,Teacher,a@x.org\nP2,E2,DHT,\n"
    folder(tmp_path, practitioners=prac)
    assert "email" not in read_ecosystem(tmp_path).practitioners
    eco = read_ecosystem(tmp_path, key=KEY)
    expected = "pn_" + hmac.new(KEY.encode(), b"a@x.org", hashlib.sha256).hexdigest()[:16]
    assert eco.practitioners["email"].tolist()[0] == expected
    assert pd.isna(eco.practitioners["email"].tolist()[1])
    monkeypatch.setenv("WPNET_KEY", KEY)
    assert read_ecosystem(tmp_path).practitioners["email"].tolist()[0] == expected
    # rejected rows: a practitioner's e-mail is pseudonymised, a school's name is not
    folder(
        tmp_path,
        establishments=EST + "E3,Zoo School,Fife,Zoo,1\n",
        practitioners=prac + "P3,E3,Teacher,b@x.org\n",
    )
    with pytest.warns(UserWarning, match="2 of 9 rows rejected"):
        rej = read_ecosystem(tmp_path, errors="drop", key=KEY).rejected
    assert rej["name"].tolist() == ["Zoo School", pd.NA]
    b = "pn_" + hmac.new(KEY.encode(), b"b@x.org", hashlib.sha256).hexdigest()[:16]
    assert rej["email"].tolist() == [pd.NA, b]
    monkeypatch.delenv("WPNET_KEY")
    with pytest.warns(UserWarning):
        rej = read_ecosystem(tmp_path, errors="drop").rejected
    assert rej["email"].isna().all()
    monkeypatch.setenv("WPNET_KEY", KEY)
    # a pseudonym is not pseudonymised again on a second read
    out = write_ecosystem(eco, tmp_path / "out")
    assert read_ecosystem(out).practitioners["email"].tolist()[0] == expected


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_is_named(tmp_path, encoding):
    folder(tmp_path)
    (tmp_path / "networks.csv").write_bytes(NET.encode(encoding))
    with pytest.raises(DataError) as err:
        read_ecosystem(tmp_path)
    assert (
        "networks.csv: looks like UTF-16 text without a byte-order mark (every other byte "
        "is 0); wpnet reads UTF-16 only with its byte-order mark"
    ) in str(err.value)
    # with its mark it is read
    (tmp_path / "networks.csv").write_bytes(NET.encode("utf-16"))
    assert read_ecosystem(tmp_path).networks["name"].tolist() == ["Numeracy"]


def test_workbook_named_csv_is_named(tmp_path):
    folder(tmp_path)
    pd.read_csv(tmp_path / "networks.csv").to_excel(tmp_path / "n.xlsx", index=False)
    (tmp_path / "n.xlsx").rename(tmp_path / "networks.csv")
    with pytest.raises(DataError) as err:
        read_ecosystem(tmp_path)
    assert "networks.csv: looks like an Excel workbook (.xlsx: a zip file), not CSV text" in str(
        err.value
    )
    assert "mixes encodings" not in str(err.value)
    (tmp_path / "networks.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with pytest.raises(DataError, match=r"networks.csv: looks like an old Excel workbook \(.xls\)"):
        read_ecosystem(tmp_path)


def test_a_year_in_a_date_column_is_said_to_be_a_year(tmp_path):
    folder(tmp_path, participation=PART + "P2,N1,2022\n")
    with pytest.raises(DataError) as err:
        read_ecosystem(tmp_path)
    assert (
        "participation.csv, row 4, column date, value '2022': 2022 is a year, not a date "
        "(read as an Excel date number it would be 1905-07-14): write the day"
    ) in str(err.value)
    assert "outside 1990-2099" not in str(err.value)


def test_personal_column_in_rejected_rows_only_is_found(tmp_path, monkeypatch):
    # every row holding a name is rejected (an unknown role): the column is still found,
    # dropped from the table and blanked (no key) or pseudonymised (key) in eco.rejected
    monkeypatch.delenv("WPNET_KEY", raising=False)
    part = (
        "practitioner_id,network_id,date,role,Mentor\n"
        'P1,N1,2022-09-01,boss,"Smith, Ann"\nP2,N1,2022-09-01,boss,O\'NEILL Sean\n'
        "P1,N1,2022-09-08,participant,\n"
    )
    folder(tmp_path, participation=part)
    with pytest.warns(UserWarning, match="2 of 8 rows rejected"):
        eco = read_ecosystem(tmp_path, errors="drop")
    assert "mentor" not in eco.participation
    assert eco.rejected["mentor"].isna().all()
    notes = eco.quality[(eco.quality["column"] == "mentor").fillna(False)]["message"]
    assert notes.str.contains("people's names").all() and len(notes) == 1
    with pytest.warns(UserWarning, match="2 of 8 rows rejected"):
        eco = read_ecosystem(tmp_path, errors="drop", key=KEY)
    mentors = eco.rejected["mentor"].tolist()
    assert all(str(m).startswith("pn_") for m in mentors) and len(set(mentors)) == 2
    assert eco.participation["mentor"].isna().all()


# ---- writing ---------------------------------------------------------------------------
def test_write_xlsx_refuses_text_longer_than_a_cell(tmp_path):
    # openpyxl would cut a text over 32,767 characters without a word: refused, before
    # any file is written, naming the table, row, column and length
    tiny = wpnet.tiny()
    nets = tiny.networks.assign(note=pd.array(["ok"] * len(tiny.networks), dtype="string"))
    nets.loc[1, "note"] = "x" * 40_000
    nets.loc[2, "note"] = "=" + "y" * 32_766  # 32,768 once neutralised with a "'"
    eco = wpnet.Ecosystem(tiny.establishments, tiny.practitioners, nets, tiny.participation)
    with pytest.raises(DataError) as err:
        write_ecosystem(eco, tmp_path / "out", "xlsx")
    assert str(err.value).startswith(
        "2 cells hold more text than an Excel cell can (32,767 characters), so the tables "
        "were not written: networks.xlsx row 3, column note: 40,000 characters; "
        "networks.xlsx row 4, column note: 32,768 characters. Write format='csv' or "
        "format='parquet'"
    )
    assert err.value.problems[["table", "row", "column"]].values.tolist() == [
        ["networks.xlsx", 3, "note"],
        ["networks.xlsx", 4, "note"],
    ]
    assert not (tmp_path / "out").exists()
    # csv keeps the whole text; 32,767 characters exactly fit a cell
    back = read_ecosystem(write_ecosystem(eco, tmp_path / "csv"))
    assert back.networks["note"].str.len().max() == 40_000
    nets.loc[1, "note"], nets.loc[2, "note"] = "x" * 32_767, "y"
    eco = wpnet.Ecosystem(tiny.establishments, tiny.practitioners, nets, tiny.participation)
    out = write_ecosystem(eco, tmp_path / "fits", "xlsx")
    assert read_ecosystem(out).networks["note"].tolist()[1] == "x" * 32_767


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_round_trip_exact(tmp_path, fmt):
    """read(write(eco)) equals eco, table for table, dtypes included."""
    tiny = wpnet.tiny()
    eco = read_ecosystem(write_ecosystem(tiny, tmp_path / "a", fmt))
    for name in TABLE_NAMES:
        expected = getattr(tiny, name)
        if name == "ties":
            # tiny's all-empty tie dates come out of the constructor as datetime64[s]
            expected = expected.astype({"date": "datetime64[us]"})
        pd.testing.assert_frame_equal(getattr(eco, name), expected, check_exact=True)
    again = read_ecosystem(write_ecosystem(eco, tmp_path / "b", fmt))
    assert_same(eco, again)


def test_round_trip_with_extra_columns_and_awkward_text(tmp_path):
    tiny = wpnet.tiny()
    est = tiny.establishments
    est["note"] = pd.array(
        ['Café, "quoted"', None, "Ghàidhlig", "1e5", "007", "x", "y"], dtype="string"
    )
    eco = wpnet.Ecosystem(
        est, tiny.practitioners, tiny.networks, tiny.participation.drop(columns="session")
    )
    for fmt in ("csv", "parquet", "xlsx"):
        back = read_ecosystem(write_ecosystem(eco, tmp_path / fmt, fmt))
        pd.testing.assert_frame_equal(back.establishments, eco.establishments, check_exact=True)


def test_formula_cells_are_neutralised_in_csv_and_xlsx_not_parquet(tmp_path):
    tiny = wpnet.tiny()
    est = tiny.establishments
    est.loc[0, "name"] = '=HYPERLINK("http://x")'
    est.loc[1, "name"] = "+cmd"
    est.loc[2, "name"] = "@SUM(1)"
    est.loc[3, "name"] = "-2"  # a number: left alone
    est.loc[4, "name"] = "Elm - Nursery"  # risky only at the start
    eco = wpnet.Ecosystem(est, tiny.practitioners, tiny.networks, tiny.participation)
    write_ecosystem(eco, tmp_path / "c", "csv")
    lines = (tmp_path / "c" / "establishments.csv").read_text().splitlines()
    assert lines[1].startswith('E1,"\'=HYPERLINK(""http://x"")",')
    assert lines[2].startswith("E2,'+cmd,")
    assert lines[3].startswith("E3,'@SUM(1),")
    assert lines[4].startswith("E4,-2,")
    assert lines[5].startswith("E5,Elm - Nursery,")
    assert lines[1].endswith(",-4.25")  # numbers are never touched
    write_ecosystem(eco, tmp_path / "x", "xlsx")
    ws = openpyxl.load_workbook(tmp_path / "x" / "establishments.xlsx").active
    assert ws["B2"].value == '\'=HYPERLINK("http://x")'
    assert ws["B2"].data_type == "s"
    write_ecosystem(eco, tmp_path / "p", "parquet")
    back = read_ecosystem(tmp_path / "p")
    assert back.establishments["name"].tolist()[:3] == ['=HYPERLINK("http://x")', "+cmd", "@SUM(1)"]


def test_write_refuses_a_file_and_an_input(tmp_path):
    target = tmp_path / "a_file"
    target.write_text("keep me")
    with pytest.raises(ValueError, match="is a file"):
        write_ecosystem(wpnet.tiny(), target)
    assert target.read_text() == "keep me"
    (tmp_path / "in").mkdir()
    src = folder(tmp_path / "in")
    eco = read_ecosystem(src)
    before = (src / "participation.csv").read_bytes()
    with pytest.raises(ValueError, match="refusing to overwrite"):
        write_ecosystem(eco, src, "csv")
    assert (src / "participation.csv").read_bytes() == before
    with pytest.raises(UsageError, match="the folder the data was read from"):
        write_ecosystem(eco, src, "parquet")
    other = tmp_path / "other"
    write_ecosystem(wpnet.tiny(), other, "csv")
    with pytest.raises(ValueError, match="would make the folder ambiguous"):
        write_ecosystem(wpnet.tiny(), other, "parquet")


def test_a_selection_keeps_its_sources_and_cannot_overwrite_them(tmp_path):
    """issue 13: write_ecosystem(eco.select(...), <input folder>) overwrote the input."""
    src = write_ecosystem(wpnet.tiny(), tmp_path / "in")
    eco = read_ecosystem(src)
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    sel = eco.select(session="2022-23")
    assert sel.sources == eco.sources and src.absolute() in sel.sources
    for fmt in ("csv", "parquet"):
        with pytest.raises(UsageError, match="read from"):
            write_ecosystem(sel, src, fmt)
    # through a symbolic link to the folder, too
    (tmp_path / "link").symlink_to(src, target_is_directory=True)
    with pytest.raises(UsageError, match="read from"):
        write_ecosystem(
            sel.select(authority=sel.establishments["authority"].iloc[0]), tmp_path / "link"
        )
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before


def test_write_is_atomic(tmp_path, monkeypatch):
    out = write_ecosystem(wpnet.tiny(), tmp_path / "o")
    before = (out / "establishments.csv").read_bytes()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_ecosystem(wpnet.tiny().select(session="2022-23"), out)
    assert (out / "establishments.csv").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [
        "establishments.csv",
        "networks.csv",
        "participation.csv",
        "practitioners.csv",
        "ties.csv",
    ]


def test_write_bad_format(tmp_path):
    with pytest.raises(ValueError, match="format must be one of"):
        write_ecosystem(wpnet.tiny(), tmp_path, "json")


def test_parquet_reads_typed_columns_through_the_same_checks(tmp_path):
    write_ecosystem(wpnet.tiny(), tmp_path, "parquet")
    est = pd.read_parquet(tmp_path / "establishments.parquet")
    est.loc[0, "simd_quintile"] = 9
    est.to_parquet(tmp_path / "establishments.parquet", index=False)
    with pytest.raises(
        DataError, match=r"establishments.parquet, row 2, column simd_quintile, value '9'"
    ):
        read_ecosystem(tmp_path)


def _email_ids(tiny: wpnet.Ecosystem) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The tiny ecosystem's practitioners and participation with e-mail ids (and the map)."""
    email = {p: f"{p.lower()}@school.org" for p in tiny.practitioners["practitioner_id"]}
    prac = tiny.practitioners.assign(practitioner_id=lambda d: d["practitioner_id"].map(email))
    part = tiny.participation.drop(columns="session")
    part["practitioner_id"] = part["practitioner_id"].map(email)
    return email, prac, part


def test_practitioner_ids_that_are_e_mails_become_pseudonyms_everywhere(tmp_path, monkeypatch):
    from wpnet.errors import KeyMissing

    monkeypatch.delenv("WPNET_KEY", raising=False)
    tiny = wpnet.tiny()
    email, prac, part = _email_ids(tiny)
    ties = tiny.ties.assign(
        source=lambda d: d["source"].map(email), target=lambda d: d["target"].map(email)
    )
    eco = wpnet.Ecosystem(tiny.establishments, prac, tiny.networks, part, ties)
    folder = write_ecosystem(eco, tmp_path / "in")
    with pytest.raises(KeyMissing, match="are e-mail addresses"):
        read_ecosystem(folder)
    back = read_ecosystem(folder, key=KEY)
    ids = set(back.practitioners["practitioner_id"])
    assert all(i.startswith("pn_") for i in ids) and len(ids) == len(email)
    assert set(back.participation["practitioner_id"]) <= ids
    assert set(back.ties["source"]) | set(back.ties["target"]) <= ids
    expected = "pn_" + hmac.new(KEY.encode(), b"p1@school.org", hashlib.sha256).hexdigest()[:16]
    assert expected in ids
    assert len(back.rejected) == 0


def test_a_folder_says_what_it_assumed_of_its_dates(tmp_path):
    """Dates that could be read either way are read day-first and the quality log says
    so, as the export reader does; a two-digit year is read as 20yy with a warning (an
    audit found the folder reader said nothing: "OK, 0 warnings")."""
    folder = write_ecosystem(wpnet.tiny(), tmp_path / "in")
    part = pd.read_csv(folder / "participation.csv", dtype=str)
    n = len(part)  # every day and month at most 12: each date could be either
    part["date"] = [f"{i % 12 + 1:02d}/{i // 12 + 1:02d}/2022" for i in range(n - 1)] + ["05-06-22"]
    part.to_csv(folder / "participation.csv", index=False)
    eco = read_ecosystem(folder)
    q = eco.quality
    order = q[q["message"].str.contains("date order cannot be told").fillna(False)]
    assert len(order) == 1 and order["severity"].item() == "warning"
    assert "read day-first" in order["message"].item()
    short = q[q["message"] == "two-digit year read as 20yy"]
    assert short["row"].tolist() == [len(part) + 1] and short["value"].item() == "05-06-22"
    assert str(eco.participation["date"].iloc[1].date()) == "2022-01-02"
    assert str(eco.participation["date"].iloc[-1].date()) == "2022-06-05"
    # said, the order is not assumed: no note
    quiet = read_ecosystem(folder, date_order="dmy").quality
    assert not quiet["message"].str.contains("date order").fillna(False).any()


def test_a_parquet_column_of_lists_is_refused_naming_it(tmp_path):
    """A cell is one value; a Parquet list column is named, not a traceback (audit)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = write_ecosystem(wpnet.tiny(), tmp_path / "in", format="parquet")
    prac = pq.read_table(folder / "practitioners.parquet")
    tags = pa.array([["a", "b"]] * prac.num_rows, type=pa.list_(pa.string()))
    pq.write_table(prac.append_column("tags", tags), folder / "practitioners.parquet")
    with pytest.raises(wpnet.DataError, match=r"practitioners.parquet: column 'tags' holds list"):
        read_ecosystem(folder)


def test_ids_that_differ_only_in_case_are_said(tmp_path):
    """P1 and p1 are read as two practitioners, and the quality log says so on both
    rows (an audit found them read as two without a word)."""
    f = write_ecosystem(wpnet.tiny(), tmp_path / "in")
    prac = pd.read_csv(f / "practitioners.csv", dtype=str)
    twin = prac.iloc[[0]].assign(practitioner_id=lambda d: d["practitioner_id"].str.lower())
    pd.concat([prac, twin]).to_csv(f / "practitioners.csv", index=False)
    eco = read_ecosystem(f)
    assert len(eco.practitioners) == len(prac) + 1
    q = eco.quality[eco.quality["message"].str.contains("differs only in case").fillna(False)]
    first = prac["practitioner_id"].iloc[0]
    assert sorted(q["value"]) == sorted([first, first.lower()])
    assert q["row"].tolist() == [2, len(prac) + 2] and set(q["severity"]) == {"warning"}


def test_a_workbook_in_the_1904_date_system_reads_its_serials_so(tmp_path):
    """Dates stored as plain numbers in a workbook of the 1904 date system (Excel for
    Mac's old default) are 1904 serials: 2021-09-10 is 42620, which the 1900 system
    reads as 2016-09-07 (an audit found them 4 years and a day early, unsaid)."""
    import datetime as dt

    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    tiny = wpnet.tiny()
    tables = {t: getattr(tiny, t) for t in ("establishments", "practitioners", "networks")}
    tables["participation"] = tiny.participation.drop(columns="session")
    wb.remove(wb.active)
    for name, frame in tables.items():
        ws = wb.create_sheet(name)
        ws.append(list(frame.columns))
        for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
            cells = list(row)
            if name == "participation":
                j = list(frame.columns).index("date")
                cells[j] = (cells[j].date() - dt.date(1904, 1, 1)).days  # a plain number
            ws.append(cells)
    wb.save(tmp_path / "book.xlsx")
    eco = read_ecosystem(tmp_path / "book.xlsx")
    want = tiny.participation["date"].dt.date.tolist()
    assert eco.participation["date"].dt.date.tolist() == want
    notes = eco.quality[eco.quality["message"].str.contains("1904 date system").fillna(False)]
    assert len(notes) == 1 and "'date'" in notes["message"].item()


def test_rejected_rows_hold_no_e_mail_ids(tmp_path, monkeypatch):
    """A participation row naming an unknown practitioner by e-mail is rejected with its
    id pseudonymised, in the id column and in the reason that quotes it (an audit found
    the raw address in eco.rejected and the rejected-rows file)."""
    monkeypatch.delenv("WPNET_KEY", raising=False)
    tiny = wpnet.tiny()
    _, prac, part = _email_ids(tiny)
    stranger = part.iloc[[0]].assign(practitioner_id="stranger@school.example")
    part = pd.concat([part, stranger], ignore_index=True)
    eco = wpnet.Ecosystem(tiny.establishments, prac, tiny.networks, part, canonical=True)
    folder = write_ecosystem(eco, tmp_path / "in")
    with pytest.warns(UserWarning, match="1 of .* rows rejected"):
        back = read_ecosystem(folder, key=KEY, errors="drop")
    rej = back.rejected
    assert len(rej) == 1 and rej["table"].item() == "participation"
    pseudonym = (
        "pn_" + hmac.new(KEY.encode(), b"stranger@school.example", hashlib.sha256).hexdigest()[:16]
    )
    assert rej["practitioner_id"].item() == pseudonym
    assert "@" not in rej.to_csv(index=False) and pseudonym in rej["reason"].item()


# ---- dataset.json: what the tables cannot carry (issue 18) -----------------------------
EXPORT_SCHOOLS = [
    ("Ashgrove Primary", "Glasgow"),
    ("Barrhead High", "Glasgow City Council"),
    ("Cove Primary", "Inverclyde"),
    ("Elm Nursery", "Renfrewshire"),
]


def flat_export() -> pd.DataFrame:
    """Twelve people at four schools, at two events, in 2022-23 and 2023-24; no role."""
    rows = [
        (
            f"Person {i}",
            f"p{i}@x.org",
            *EXPORT_SCHOOLS[i % 4],
            "Numeracy CLN" if i % 2 else "Literacy Forum",
            "Class Teacher",
            date,
        )
        for date in ("14/09/2022", "15/09/2023")
        for i in range(12)
    ]
    columns = ["Full Name", "E-mail", "School", "Local Authority", "Event", "Job Title", "Date"]
    return pd.DataFrame(rows, columns=columns)


@pytest.fixture
def unregistered() -> wpnet.Ecosystem:
    """An export read without a register: coverage, equity and lead share are limits."""
    eco = wpnet.from_records(flat_export(), key=KEY)
    assert set(eco.limits) == {"coverage", "equity", "lead_share"}
    return eco


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_limits_survive_writing_and_reading_in_every_format(tmp_path, unregistered, fmt):
    from wpnet.io import read_tables

    out = write_ecosystem(unregistered, tmp_path / "saved", fmt)
    assert (out / "dataset.json").is_file()
    back = read_ecosystem(out)
    assert back.limits == unregistered.limits
    assert read_tables(out).limits == unregistered.limits
    assert wpnet.validate(out).ok  # the file is no unknown table and no error
    # a selection keeps the limits, through a second round trip too
    sel = back.select(session="2023-24")
    again = read_ecosystem(write_ecosystem(sel, tmp_path / "sel", fmt))
    assert again.limits == unregistered.limits
    assert again.sessions == ["2023-24"]
    # the file names findings and reasons only: no name, e-mail or pseudonym
    text = (out / "dataset.json").read_text(encoding="utf-8")
    assert "@" not in text and "Person" not in text and "pn_" not in text


def test_report_on_a_saved_export_leaves_coverage_out_and_says_why(tmp_path, unregistered, capsys):
    from wpnet import cli

    data = write_ecosystem(unregistered, tmp_path / "saved")
    argv = ["report", str(data), "--backbone", "none", "--out"]
    assert cli.main([*argv, str(tmp_path / "rep")]) == 0
    page = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    assert "Not reported: the share of schools and nurseries reached" in page
    assert "because no establishments register was given" in page
    assert "The partnership reached" not in page
    # nor drawn: no coverage chart, no coverage line in the trend or its alt text
    assert 'id="fig-reach"' not in page and "Bar chart of coverage" not in page
    assert "Coverage, cross-authority" not in page and "coverage from" not in page
    overall = pd.read_csv(tmp_path / "rep" / "tables" / "reach_overall.csv")
    assert overall[["coverage", "equity_ratio"]].isna().all().all()
    # the same folder without dataset.json is taken at its word: coverage of its own
    # schools (all four reached), which is what the file prevents
    (data / "dataset.json").unlink()
    assert cli.main([*argv, str(tmp_path / "rep2")]) == 0
    page = (tmp_path / "rep2" / "index.html").read_text(encoding="utf-8")
    assert "because no establishments register was given" not in page
    assert 'id="fig-reach"' in page and "Bar chart of coverage" in page
    overall = pd.read_csv(tmp_path / "rep2" / "tables" / "reach_overall.csv")
    assert overall["coverage"].iloc[0] == 1.0
    capsys.readouterr()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{not json", r"not valid JSON \(.* at line 1, column 2\)"),
        ("[1, 2]", "must hold one JSON object"),
        ('{"version": 1, "limits": {}, "quality": []}', "unknown key 'quality'"),
        ('{"limits": {}}', "key 'version' is missing"),
        ('{"version": 1}', "key 'limits' is missing"),
        ('{"version": 2, "limits": {}}', "key 'version' must be 1, not 2"),
        ('{"version": true, "limits": {}}', "key 'version' must be 1, not True"),
        ('{"version": 1, "limits": ["coverage"]}', "key 'limits' must be an object"),
        ('{"version": 1, "limits": {"reach": "x"}}', "key 'limits.reach' is not a finding"),
        ('{"version": 1, "limits": {"coverage": 3}}', "key 'limits.coverage' must be a reason"),
        ('{"version": 1, "limits": {"coverage": "ask a@b.org"}}', "holds an e-mail address"),
        ('{"version": 1, "limits": {"coverage": "a\\nb"}}', "must be one line"),
        ('{"version": 1, "version": 1, "limits": {}}', "key 'version' is given twice"),
    ],
)
def test_a_malformed_dataset_json_is_a_data_error_naming_file_and_key(tmp_path, text, named):
    from wpnet.io import read_tables

    out = write_ecosystem(wpnet.tiny(), tmp_path / "d")
    (out / "dataset.json").write_text(text, encoding="utf-8")
    for read in (read_ecosystem, read_tables):
        with pytest.raises(DataError, match=rf"dataset\.json: .*{named}"):
            read(out)
    report = wpnet.validate(out)
    assert not report.ok
    assert report.errors["message"].str.contains("dataset.json").all()


def test_dataset_json_that_is_not_a_file_or_not_utf8_is_refused(tmp_path):
    out = write_ecosystem(wpnet.tiny(), tmp_path / "d")
    (out / "dataset.json").write_bytes(b'{"version": 1, "limits": {"coverage": "\xff"}}')
    with pytest.raises(DataError, match=r"dataset\.json: not UTF-8 text"):
        read_ecosystem(out)
    (out / "dataset.json").unlink()
    (out / "dataset.json").mkdir()
    with pytest.raises(DataError, match=r"dataset\.json: not a regular file"):
        read_ecosystem(out)


def test_a_folder_without_dataset_json_reads_as_before(tmp_path, unregistered):
    out = write_ecosystem(wpnet.tiny(), tmp_path / "d", "parquet")
    assert not (out / "dataset.json").exists()  # nothing to say: no file
    assert read_ecosystem(out).limits == {}
    # a folder reused for data without limits loses the old file: it would speak for
    # tables it does not describe
    write_ecosystem(unregistered, tmp_path / "e")
    assert (tmp_path / "e" / "dataset.json").is_file()
    clean = wpnet.Ecosystem(
        unregistered.establishments,
        unregistered.practitioners,
        unregistered.networks,
        unregistered.participation.drop(columns="session"),
    )
    write_ecosystem(clean, tmp_path / "e")
    assert not (tmp_path / "e" / "dataset.json").exists()
    assert read_ecosystem(tmp_path / "e").limits == {}


def test_limits_that_cannot_be_written_are_refused_before_anything_is_written(tmp_path):
    tiny = wpnet.tiny()
    eco = wpnet.Ecosystem(
        tiny.establishments,
        tiny.practitioners,
        tiny.networks,
        tiny.participation.drop(columns="session"),
        limits={"coverage": "ask jane.doe@school.org"},
    )
    with pytest.raises(DataError, match=r"eco\.limits: key 'limits\.coverage'.*e-mail"):
        write_ecosystem(eco, tmp_path / "d")
    assert not (tmp_path / "d").exists()


def test_dataset_json_is_never_written_over_an_input(tmp_path, unregistered):
    out = write_ecosystem(unregistered, tmp_path / "d")
    back = read_ecosystem(out)
    assert (out / "dataset.json").absolute() in back.sources
    before = (out / "dataset.json").read_bytes()
    with pytest.raises(UsageError, match="read from"):
        write_ecosystem(back.select(session="2023-24"), out)
    assert (out / "dataset.json").read_bytes() == before


def test_the_readme_route_from_an_export_to_a_saved_folder_and_a_report(tmp_path, monkeypatch):
    """The README's Python block runs as printed: export -> from_records -> saved folder
    (with its dataset.json when there are limits) -> read again -> report."""
    import re

    root = Path(__file__).resolve().parents[1]
    blocks = re.findall(r"```python\n(.*?)```", (root / "README.md").read_text(), re.S)
    (code,) = [b for b in blocks if "wpnet.from_records(" in b and "write_ecosystem" in b]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WPNET_KEY", raising=False)
    (tmp_path / "datasets").symlink_to(root / "datasets", target_is_directory=True)
    (tmp_path / "example").mkdir()
    wpnet.load_example().establishments.to_csv(
        tmp_path / "example" / "establishments.csv", index=False
    )
    (tmp_path / "wpnet.key").write_text(KEY + "\n")
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # the README's own code
    eco = scope["eco"]
    assert len(eco.rejected) == 17  # as the README says
    saved = read_ecosystem(tmp_path / "my_data")
    assert saved.limits == eco.limits
    assert (tmp_path / "my_data" / "dataset.json").is_file() == bool(eco.limits)
    assert (tmp_path / "report" / "index.html").is_file()
