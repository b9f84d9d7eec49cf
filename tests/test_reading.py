"""What reading an export counted (wpnet._reading): rows read, rows excluded by their
status, and an export that leaves no attendance, said alike by ``wpnet validate``,
``validate(eco)``'s display, ``wpnet report`` and the Ecosystem's display.

Every export is test_cli's hand-made one: eighteen people at the tiny register's six
schools on each of two dates, so every count below is worked out here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

# the command-line tests' export, key and runner
from test_cli import KEY, run, small_export

import wpnet
from wpnet._reading import Reading
from wpnet.errors import DataError, WrongType
from wpnet.records import HEADER_AGAIN, from_records

REGISTER = wpnet.tiny().establishments


def bookings(status: list[object] | None = None) -> pd.DataFrame:
    """test_cli's 36 rows (18 people on 14/09/2022 and again on 15/09/2023), with
    ``status`` (one value per row) in an "Attendee Status" column."""
    return small_export(status=None if status is None else lambda n: status)


@pytest.fixture
def files(tmp_path):
    """A key file and the tiny register as CSV (as test_cli's ``files``)."""
    (tmp_path / "key.txt").write_text(KEY + "\n")
    REGISTER.to_csv(tmp_path / "establishments.csv", index=False)
    return tmp_path / "key.txt", tmp_path / "establishments.csv"


NONE_ATTENDED = ["Not Attending"] * 20 + ["DNA"] * 10 + ["Cancelled"] * 6
NONE_LEFT = (
    "36 rows read from none.csv (36 excluded by their status in column 'Attendee Status': "
    "20 'Not Attending', 10 'DNA', 6 'Cancelled'; nothing left to analyse)"
)


# ---- every row excluded by its status ----------------------------------------------
def test_validate_counts_every_row_read_when_every_row_is_excluded(tmp_path, files, capsys):
    """An audit read "in 0 rows read" for an export whose every row a status column
    excluded: the rows read are the export's 36, each value's count is said, and an
    export with no attendance left is an error (exit 1), naming file and column."""
    _, reg = files
    export = tmp_path / "none.csv"
    bookings(NONE_ATTENDED).to_csv(export, index=False)
    code, out, _ = run(["validate", export, "--register", reg], capsys)
    assert code == 1
    head = out.splitlines()[0]
    assert head == (
        f"wpnet validation: FAILED — 1 error, 3 warnings in {NONE_LEFT} and 7 from the register"
    ), head
    assert "has no rows" not in out  # the error says why the tables are empty
    assert "ERRORS in none.csv (1):" in out
    assert (
        "  column Attendee Status: no attendance is left to analyse: every one of the 36 "
        "rows read is excluded by its status in column 'Attendee Status' (20 'Not "
        "Attending', 10 'DNA', 6 'Cancelled')" in out
    )


def test_validate_of_the_ecosystem_says_the_same_in_its_text_and_displays(tmp_path):
    export = tmp_path / "none.csv"
    bookings(NONE_ATTENDED).to_csv(export, index=False)
    eco = from_records(export, key=KEY)
    assert eco.reading == Reading(
        "none.csv",
        36,
        "Attendee Status",
        (("Not Attending", 20), ("DNA", 10), ("Cancelled", 6)),
    )
    report = wpnet.validate(eco)
    assert not report.ok
    assert report.rows_read == {"none.csv": 36}
    assert str(report).splitlines()[0].endswith(f"in {NONE_LEFT}")
    err = report.errors
    assert err["table"].tolist() == ["none.csv"]
    assert err["column"].tolist() == ["Attendee Status"]
    assert err["message"].str.startswith("no attendance is left to analyse").all()
    html_phrase = NONE_LEFT.replace("'", "&#x27;")
    assert f"errors, 3 warnings in {html_phrase}</p>" in report._repr_html_()
    assert not report.warnings["message"].str.contains("has no rows").any()
    assert f"{html_phrase}; 0 rows rejected on reading" in eco._repr_html_()


def test_report_refuses_an_export_with_no_attendance_naming_file_column_values(
    tmp_path, files, capsys
):
    """Before: "the data hold no participation records: there is no session to show",
    naming neither the file nor why. The refusal names the file, the status column and
    each value excluded, and says how to count some of them."""
    key, reg = files
    export = tmp_path / "none.csv"
    bookings(NONE_ATTENDED).to_csv(export, index=False)
    for command, out in (("report", tmp_path / "rep"), ("map", tmp_path / "m.html")):
        code, _, err = run(
            [command, export, "--key-file", key, "--register", reg, "--out", out], capsys
        )
        assert code == 1
        assert err.startswith(
            f"wpnet {command}: none.csv: no attendance is left to analyse: every one of the "
            "36 rows read is excluded by its status in column 'Attendee Status' (20 'Not "
            "Attending', 10 'DNA', 6 'Cancelled')"
        ), err
        assert "--exclude-status" in err and not out.exists()
    eco = from_records(export, register=REGISTER, key=KEY)
    with pytest.raises(DataError, match=r"^none\.csv: no attendance is left .* 6 'Cancelled'"):
        wpnet.build_report(eco, out=tmp_path / "py")


def test_an_export_whose_rows_are_excluded_or_rejected_leaves_nothing_and_says_both(tmp_path):
    """Half the rows excluded by status, the other half rejected (an impossible date):
    no attendance is left, and the error says how many went each way."""
    df = bookings(["DNA"] * 18 + ["Attended"] * 18)
    df.loc[18:, "Date"] = "31/02/2023"
    eco = from_records(df, register=REGISTER, key=KEY, errors="drop")
    report = wpnet.validate(eco)
    why = report.errors["message"].iloc[0]
    assert why == (
        "no attendance is left to analyse: of the 36 rows read, 18 are excluded by their "
        "status in column 'Attendee Status' (18 'DNA') and the other 18 were left out "
        "(rejected, or an exact copy of an earlier row), each with its reason"
    )
    assert len(report.errors) == 1 + 18  # and each rejected row


def test_an_export_with_only_a_header_is_an_error_of_validation(tmp_path, capsys):
    export = tmp_path / "empty.csv"
    export.write_text(",".join(bookings().columns) + "\n", encoding="utf-8")
    code, out, _ = run(["validate", export], capsys)
    assert code == 1
    assert out.startswith("wpnet validation: FAILED — 1 error, 0 warnings in 0 rows read from")
    assert "  the export has no rows under its header: nothing to analyse" in out
    assert "table participation has no rows" not in out


def test_a_folder_table_without_rows_is_still_warned_about(tmp_path):
    """Guard: only an export's nothing-left error stands for its empty tables; a
    folder's empty participation table is still said."""
    folder = wpnet.write_ecosystem(wpnet.tiny(), tmp_path / "data")
    part = folder / "participation.csv"
    part.write_text(part.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    report = wpnet.validate(folder)
    assert "table participation has no rows" in report.warnings["message"].tolist()


# ---- some rows excluded: the same counts everywhere --------------------------------
SOME = ["Not Attending" if i % 9 == 0 else "Attending" for i in range(36)]  # rows 2, 11, 20, 29


def test_some_rows_excluded_count_alike_in_validate_report_and_errors(tmp_path, files, capsys):
    """4 of 36 rows excluded by status and 2 rejected: ``wpnet validate``, the
    report's "N of M rows were left out" and its status line, and the refusal without
    --errors drop all count 36 rows read (the refusal said 32 before: the rows excluded
    by status were not counted)."""
    key, reg = files
    df = bookings(SOME)
    df.loc[3, "Date"] = "31/02/2023"  # row 5
    df.loc[7, "School"] = "Nowhere Academy"  # row 9
    export = tmp_path / "some.csv"
    df.to_csv(export, index=False)
    phrase = (
        "36 rows read from some.csv (4 excluded by their status in column 'Attendee "
        "Status': 4 'Not Attending')"
    )
    code, out, _ = run(["validate", export, "--register", reg], capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        f"wpnet validation: FAILED — 2 errors, 1 warning in {phrase} and 7 from the register"
    )
    base = ["report", export, "--key-file", key, "--register", reg, "--backbone", "none"]
    code, _, err = run([*base, "--out", tmp_path / "r1", "--samples", "0"], capsys)
    assert code == 1
    assert err.startswith(
        "wpnet report: 2 problems in some.csv (36 rows read; 4 excluded by their status in "
        "column 'Attendee Status': 4 'Not Attending'):"
    ), err
    code, out, err = run(
        [*base, "--out", tmp_path / "r2", "--samples", "0", "--errors", "drop"], capsys
    )
    assert code == 0, err
    assert "      2 of 36 rows were left out (--errors drop), each with its reason" in out
    assert (
        "      4 of 36 rows read were excluded by their status in column 'Attendee Status' "
        "(4 'Not Attending'): not attendances" in out
    )
    eco = from_records(export, register=REGISTER, key=KEY, errors="drop")
    assert len(eco.participation) + len(eco.rejected) + eco.reading.n_excluded == 36
    assert str(wpnet.validate(eco)).splitlines()[0].endswith(f"in {phrase} and 7 from the register")


# ---- awkward status columns -------------------------------------------------------
def test_status_values_in_mixed_case_and_spaces_are_excluded_and_named_as_written():
    """Each row's finding keeps its own spelling; the summary groups the spellings of
    one value (a tie goes to the first written)."""
    status = ["not attending ", " DNA", "dna", "NOT ATTENDING", "Did  not attend"] + [
        "Attended"
    ] * 31
    eco = from_records(bookings(status), register=REGISTER, key=KEY)
    assert len(eco.participation) == 31
    assert eco.reading.excluded == (("not attending", 2), ("DNA", 2), ("Did not attend", 1))
    assert eco.reading.spellings == (("not attending", 2), ("DNA", 2))
    q = eco.quality
    excl = q[q["message"].str.startswith("status means not attending")]
    assert excl["row"].tolist() == [2, 3, 4, 5, 6]
    assert excl["value"].tolist() == [
        "not attending",
        "DNA",
        "dna",
        "NOT ATTENDING",
        "Did not attend",
    ]
    assert (excl["column"] == "Attendee Status").all()


def test_spellings_of_one_status_value_are_counted_as_one_in_the_summary(tmp_path, files, capsys):
    """An audit read "10 'DNA', 3 'dna'" as if two values: the summary says the value as
    written most often, the rows of every spelling and how many spellings, in
    ``wpnet validate``, the report and the refusal; the row findings keep each value."""
    key, reg = files
    status = ["dna"] * 3 + ["DNA"] * 10 + ["D.N.A."] + ["Attended"] * 22
    export = tmp_path / "dna.csv"
    bookings(status).to_csv(export, index=False)
    phrase = "14 excluded by their status in column 'Attendee Status': 14 'DNA' (3 spellings)"
    code, out, _ = run(["validate", export, "--register", reg], capsys)
    assert code == 0
    assert out.splitlines()[0].endswith(
        f"in 36 rows read from dna.csv ({phrase}) and 7 from the register"
    )
    for value, n in (("dna", 3), ("DNA", 10), ("D.N.A.", 1)):
        assert f"value {value!r}: status means not attending: row excluded" in out
        assert f"(neither accepted nor rejected) ({n} row" in out
    code, out, err = run(
        [
            "report",
            export,
            "--key-file",
            key,
            "--register",
            reg,
            "--backbone",
            "none",
            "--samples",
            "0",
            "--out",
            tmp_path / "rep",
        ],
        capsys,
    )
    assert code == 0, err
    assert "excluded by their status in column 'Attendee Status' (14 'DNA' (3 spellings))" in out
    every = bookings(["Dna"] * 20 + ["DNA"] * 10 + ["cancelled"] * 6)
    eco = from_records(every, register=REGISTER, key=KEY)
    assert eco.reading.refusal(kept=0).startswith(
        "records: no attendance is left to analyse: every one of the 36 rows read is "
        "excluded by its status in column 'Attendee Status' (30 'Dna' (2 spellings), 6 "
        "'cancelled')"
    )


def test_an_empty_status_column_is_read_and_said(tmp_path, capsys):
    """An "Attendee Status" column with no value at all: wpnet validate stopped with a
    traceback (ArrowTypeError: null vs string); every row is counted as attendance, and
    the column's emptiness is said once, naming the file and column."""
    export = tmp_path / "blank.csv"
    bookings([""] * 36).to_csv(export, index=False)
    eco = from_records(export, register=REGISTER, key=KEY)
    assert len(eco.participation) == 36 and eco.reading.n_excluded == 0
    q = eco.quality[eco.quality["column"] == "Attendee Status"]
    assert q["message"].tolist() == [
        "the status column is empty (36 rows): no row is excluded by its status; every row "
        "counted as attendance"
    ]
    assert q["table"].tolist() == ["blank.csv"] and q["row"].isna().all()
    code, out, _ = run(["validate", export], capsys)
    assert (
        "WARNINGS in blank.csv" in out
        and "  column Attendee Status: the status column is empty" in out
    )


def test_rows_without_a_status_among_others_are_counted_and_said():
    status = ["Attended", None, "N/A", "Cancelled"] + ["Attended"] * 32
    eco = from_records(bookings(status), register=REGISTER, key=KEY)
    assert len(eco.participation) == 35
    q = eco.quality
    blank = q[q["message"].str.startswith("no status")]
    assert blank[["row", "column", "message"]].values.tolist() == [
        [3, "Attendee Status", "no status: counted as attendance (2 rows)"]
    ]


def test_a_workbook_export_with_two_sheets_is_refused_naming_them(tmp_path, files, capsys):
    key, _ = files
    wb = tmp_path / "events.xlsx"
    df = bookings()
    with pd.ExcelWriter(wb) as w:
        df.iloc[:18].to_excel(w, sheet_name="Event A", index=False)
        df.iloc[18:].to_excel(w, sheet_name="Event B", index=False)
    code, _, err = run(["validate", wb], capsys)
    assert code == 1
    assert "events.xlsx: sheet 'Event B' also holds data besides 'Event A'" in err
    assert "rows continued on another sheet would be lost" in err
    # an export's advice: one file per sheet (several exports are read as one), not
    # the folder's "one workbook with a sheet per table"
    assert "save each sheet as a file of its own" in err and "sheet per table" not in err


def test_a_workbook_export_with_an_empty_second_sheet_is_read_naming_its_sheet(tmp_path):
    wb = tmp_path / "events.xlsx"
    with pd.ExcelWriter(wb) as w:
        bookings(SOME).to_excel(w, sheet_name="Bookings", index=False)
        pd.DataFrame().to_excel(w, sheet_name="Notes", index=False)
    eco = from_records(wb, register=REGISTER, key=KEY)
    assert eco.reading.source == "events.xlsx[Bookings]" and eco.reading.rows == 36
    assert len(eco.participation) == 32


def test_reading_is_kept_by_a_selection():
    eco = from_records(bookings(SOME), register=REGISTER, key=KEY)
    assert eco.select(session="2023-24").reading == eco.reading
    assert eco.select(authority="Inverclyde").reading.n_excluded == 4


def test_a_selection_with_no_records_is_not_said_to_be_left_out_by_the_reading(tmp_path):
    """A selection keeps its export's reading (where its rows came from), but an empty
    selection's rows were selected out, not excluded or rejected: before (found by the
    session's review), ``validate`` and the report said "of the 36 rows read, 4 are
    excluded ... and the other 32 were left out (rejected, or an exact copy)"."""
    from wpnet.report.compute import resolve_sessions

    eco = from_records(bookings(SOME), register=REGISTER, key=KEY)
    assert eco.reading.n_excluded == 4 and len(eco.participation) == 32
    none = eco.select(sector="central")  # no central team took part
    assert len(none.participation) == 0 and none.reading == eco.reading
    text = str(wpnet.validate(none))
    assert "left out (rejected" not in text and "nothing left" not in text
    with pytest.raises(DataError, match="^the selection holds no participation records"):
        resolve_sessions(none, None, None)
    # the whole export with nothing left still says why
    whole = from_records(bookings(NONE_ATTENDED), register=REGISTER, key=KEY, errors="drop")
    assert "nothing left to analyse" in str(wpnet.validate(whole))


def test_exclude_status_as_one_string_is_refused_with_or_without_a_status_column():
    """``exclude_status="DNA"`` was ignored without a word on an export without a
    status column and a bare TypeError with one: both refuse, naming the fix."""
    for status in (None, SOME):
        with pytest.raises(WrongType, match=r"e\.g\. \['DNA'\]; got the string 'DNA'"):
            from_records(bookings(status), register=REGISTER, key=KEY, exclude_status="DNA")


def test_folder_reading_has_no_export_reading(tmp_path: Path):
    folder = wpnet.write_ecosystem(wpnet.tiny(), tmp_path / "data")
    eco = wpnet.read_ecosystem(folder)
    assert eco.reading is None
    head = str(wpnet.validate(eco)).splitlines()[0]
    assert head == "wpnet validation: OK — 0 errors, 0 warnings in 31 rows read"


def test_a_saved_folder_keeps_what_its_export_excluded_by_status(tmp_path, files, capsys):
    """write_ecosystem did not save ``eco.reading``: a folder saved from an export read
    back as if it had never had rows excluded by their status. The folder is a new
    source (its rows read are its tables' rows, ``reading`` None) and its ``origin``,
    saved in dataset.json, keeps the export's reading for validate, the report and a
    second save."""
    key, reg = files
    export = tmp_path / "some.csv"
    bookings(SOME).to_csv(export, index=False)
    eco = from_records(export, register=REGISTER, key=KEY)
    assert eco.origin == eco.reading and eco.reading.n_excluded == 4
    folder = wpnet.write_ecosystem(eco, tmp_path / "saved", format="parquet")
    back = wpnet.read_ecosystem(folder)
    assert back.reading is None and back.origin == eco.reading
    kept = sum(len(t) for t in (back.establishments, back.practitioners, back.networks))
    kept += len(back.participation)
    assert len(back.participation) == 32
    made = (
        "the tables were made from 36 rows read from some.csv (4 excluded by their status in "
        "column 'Attendee Status': 4 'Not Attending') and 7 from the register"
    )
    for data in (folder, back):
        head = str(wpnet.validate(data)).splitlines()[0]
        assert head.endswith(f"in {kept} rows read; {made}"), head
    assert back.select(session="2023-24").origin == eco.reading
    again = wpnet.read_ecosystem(wpnet.write_ecosystem(back, tmp_path / "again"))
    assert again.origin == eco.reading
    code, out, err = run(
        ["report", folder, "--out", tmp_path / "rep", "--samples", "0", "--backbone", "none"],
        capsys,
    )
    assert code == 0, err
    assert (
        "      the tables were made from some.csv: 4 of 36 rows read were excluded by their "
        "status in column 'Attendee Status' (4 'Not Attending'): not attendances" in out
    )


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"rows": 3}, "key 'reading.excluded' counts 4 rows excluded of the 3 read"),
        ({"rows": -1}, "key 'reading.rows' must be a whole number >= 0"),
        ({"source": "ann.smith@school.org.csv"}, "key 'reading.source' holds an e-mail"),
        ({"excluded": [["Not Attending", 0]]}, "key 'reading.excluded\\[0\\]' must be a whole"),
        ({"spellings": [["Absent", 2]]}, "'reading.spellings' names 'Absent', not excluded"),
        ({"status_column": None}, "key 'reading.status_column' is needed"),
        ({"kept": 32}, "in 'reading', unknown key 'kept'"),
    ],
)
def test_a_malformed_saved_reading_is_refused_naming_the_key(tmp_path, change, named):
    import json

    eco = from_records(bookings(SOME), register=REGISTER, key=KEY)
    folder = wpnet.write_ecosystem(eco, tmp_path / "saved")
    doc = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    doc["reading"].update(change)
    (folder / "dataset.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataError, match=rf"dataset\.json: .*{named}"):
        wpnet.read_ecosystem(folder)


def test_rows_left_out_name_their_column_and_value_in_validate(tmp_path, files, capsys):
    """An export with "TBC" in its date column: ``wpnet validate`` said "row 5: rejected
    on reading: not a date (use YYYY-MM-DD or DD/MM/YYYY)", naming neither the column
    nor the value (a folder's rows, and the refusal without --errors drop, name both).
    Of several exports, each row is named in its own file."""
    _, reg = files
    df = bookings()
    df.loc[[3, 10], "Date"] = "TBC"  # rows 5 and 12
    export = tmp_path / "tbc.csv"
    df.to_csv(export, index=False)
    code, out, _ = run(["validate", export, "--register", reg], capsys)
    assert code == 1
    for row in (5, 12):
        assert f"  row {row}, column Date, value 'TBC': not a date" in out, out
    assert "rejected on reading" not in out
    other = tmp_path / "other.csv"
    bookings().iloc[4:8].assign(Date="TBC").to_csv(other, index=False)  # no copy of tbc.csv
    eco = from_records([other, export], register=REGISTER, key=KEY, errors="drop")
    err = wpnet.validate(eco).errors
    assert err[["table", "row", "column", "value"]].values.tolist() == [
        ["other.csv", 2, "Date", "TBC"],
        ["other.csv", 3, "Date", "TBC"],
        ["other.csv", 4, "Date", "TBC"],
        ["other.csv", 5, "Date", "TBC"],
        ["tbc.csv", 5, "Date", "TBC"],
        ["tbc.csv", 12, "Date", "TBC"],
    ]


def test_a_title_row_above_the_headers_is_said_to_be_one(tmp_path, files, capsys):
    """An export with a merged title row ("West Partnership registrations 2023-24")
    above its headers was refused with "map them with columns={field: header}", which no
    mapping can satisfy: the refusal says row 1 holds one cell, perhaps a title, and
    how to fix it; as CSV and as a workbook with the title merged across the columns."""
    from openpyxl import Workbook

    _, reg = files
    df = bookings()
    title = "West Partnership registrations 2023-24"
    csv = tmp_path / "titled.csv"
    csv.write_text(title + ",,,,,,\n" + df.to_csv(index=False), encoding="utf-8")
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.merge_cells("A1:G1")
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append(list(row))
    xlsx = tmp_path / "titled.xlsx"
    wb.save(xlsx)
    for export in (csv, xlsx):
        code, _, err = run(["validate", export, "--register", reg], capsys)
        assert code == 1
        assert (
            f"; row 1 holds one cell, {title!r}: if it is a title above the headers, delete "
            "the rows above them so that the headers are row 1" in err
        ), err
        assert "columns={field: header}" not in err


def test_a_totals_row_is_left_out_without_a_word_about_its_e_mail(tmp_path, files, capsys):
    """A totals row at the foot of an export ("Total", 36 in the e-mail column) is left
    out for what it lacks; its "36" was also warned about as "an e-mail without '@'
    (used as written)", untrue of a row left out. Trailing empty rows are not rows."""
    _, reg = files
    export = tmp_path / "totals.csv"
    text = bookings().to_csv(index=False) + ",,,,,,\n,,,,,,\nTotal,36,,,,,\n,,,,,,\n"
    export.write_text(text, encoding="utf-8")
    code, out, _ = run(["validate", export, "--register", reg], capsys)
    assert code == 1
    assert out.splitlines()[0].startswith("wpnet validation: FAILED — 3 errors, 0 warnings in 37")
    for column, why in (
        ("Event", "no network/event"),
        ("Date", "no date"),
        ("School", "no establishment"),
    ):
        assert f"  row 40, column {column}: {why}" in out, out  # rows 38-39 empty
    assert "without '@'" not in out
    bad = bookings()
    bad.loc[0, "E-mail"] = "p0 at x.org"  # a kept row's e-mail without '@' is still said
    eco = from_records(bad, register=REGISTER, key=KEY)
    assert "an e-mail without '@' (used as written) (1 row)" in eco.quality["message"].tolist()
    # an authority out of the vocabulary is "kept as written" only on a row kept
    bad.loc[[1, 2], "Local Authority"] = "Atlantis"
    bad.loc[1, "Date"] = "31/02/2023"  # row 3 is left out, row 4 kept
    eco = from_records(bad, register=REGISTER, key=KEY, errors="drop")
    q = eco.quality
    said = q[q["message"].str.startswith("authority not in the vocabulary").fillna(False)]
    assert said[["row", "value"]].values.tolist() == [[4, "Atlantis"]]


def test_a_header_row_repeated_in_an_export_is_left_out_as_such(tmp_path, files, capsys):
    """Two exports pasted one under the other leave the header in the middle: its row
    was rejected as 'not a date', 'no establishment' and warned about as an unknown
    authority 'kept as written'. It is left out, as an exact copy is, saying why, in
    ``wpnet validate``, the rejected rows and the report (which does not blame
    --errors drop for it)."""
    key, reg = files
    lines = bookings().to_csv(index=False).splitlines()
    export = tmp_path / "pasted.csv"
    export.write_text("\n".join([*lines[:19], lines[0].upper(), *lines[19:]]) + "\n")
    code, out, _ = run(["validate", export, "--register", reg], capsys)
    assert code == 0, out
    assert out.splitlines()[0] == (
        "wpnet validation: OK — 0 errors, 1 warning in 37 rows read from pasted.csv and 7 "
        "from the register"
    )
    assert "  row 20: the header row again (exports pasted one under another?)" in out
    eco = from_records(export, register=REGISTER, key=KEY)
    assert len(eco.participation) == 36
    assert eco.rejected[["row", "reason"]].values.tolist() == [[20, HEADER_AGAIN]]
    code, out, err = run(
        [
            *("report", export, "--key-file", key, "--register", reg),
            *("--backbone", "none", "--samples", "0", "--out", tmp_path / "rep"),
        ],
        capsys,
    )
    assert code == 0, err
    assert "1 of 37 rows were left out (the header row repeated), each with its reason" in out


def test_a_workbook_exports_findings_are_listed_in_row_order(tmp_path, files, capsys):
    """A finding of reading the workbook (a formula with no saved value, row 10) was
    listed before the rows left out above it (row 4, "TBC")."""
    from openpyxl import Workbook

    _, reg = files
    df = bookings()
    df.loc[2, "Date"] = "TBC"  # row 4
    wb = Workbook()
    ws = wb.active
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append(list(row))
    ws["F10"] = "=A1"  # Job Title of row 10: a formula never calculated
    export = tmp_path / "order.xlsx"
    wb.save(export)
    code, out, _ = run(["validate", export, "--register", reg], capsys)
    errors = out.split("ERRORS in order.xlsx")[1].split("\n\n")[0].splitlines()[1:]
    assert [line.split(",")[0] for line in errors] == ["  row 4", "  row 10"], out


# ---- status options that cannot apply ----------------------------------------------
def test_exclude_status_without_a_status_column_is_refused_naming_the_file(tmp_path, files, capsys):
    """--exclude-status on an export with no status column was ignored without a word
    (every row counted, "OK — 0 warnings"): it is refused, naming the file, the values
    and the headers."""
    _, reg = files
    export = tmp_path / "plain.csv"
    bookings().to_csv(export, index=False)
    code, _, err = run(["validate", export, "--register", reg, "--exclude-status", "Gone"], capsys)
    assert code == 1
    assert err.startswith(
        "wpnet validate: plain.csv: exclude_status=['Gone'] (on the command line "
        "--exclude-status) was given, but the export has no status column"
    ), err
    assert "'Full Name'" in err and "--status-column" in err
    # () keeps every row: nothing to apply, nothing refused
    assert (
        len(from_records(export, register=REGISTER, key=KEY, exclude_status=()).participation) == 36
    )


def test_status_column_options_are_named_with_the_file(tmp_path, files, capsys):
    _, reg = files
    export = tmp_path / "plain.csv"
    bookings().assign(Status="Attended", **{"Booking Status": "Booked"}).to_csv(export, index=False)
    code, _, err = run(["validate", export, "--register", reg], capsys)
    assert code == 1
    assert (
        "plain.csv has more than one column for status: ['Status', 'Booking Status']; say "
        "which with columns={'status': ...} (status_column=, on the command line "
        "--status-column)" in err
    )
    code, _, err = run(["validate", export, "--status-column", "Nope"], capsys)
    assert code == 1
    assert err.startswith(
        "wpnet validate: the status column 'Nope' (status_column=, on the command line "
        "--status-column) is not a header of plain.csv; headers are ['Full Name',"
    ), err


def test_an_export_without_the_status_column_among_several_is_said_once(tmp_path):
    """Of two exports read as one, the one without a status column: its rows were each
    warned "column Status: no status" (a column it does not have); it is said once,
    naming the export."""
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    df = bookings(SOME)
    df.iloc[:18].drop(columns="Attendee Status").to_csv(a, index=False)
    df.iloc[18:].to_csv(b, index=False)
    eco = from_records([a, b], register=REGISTER, key=KEY)
    assert eco.reading.rows == 36 and eco.reading.n_excluded == 2  # b.csv rows 2 and 11
    q = eco.quality
    assert not q["message"].str.startswith("no status").any()
    said = q[q["message"].str.contains("has no status column")]
    assert said["message"].tolist() == [
        "a.csv has no status column, which other exports have: none of its rows is "
        "excluded by its status: each is counted as attendance"
    ]


def test_several_exports_name_each_ones_own_status_and_job_title_headers(tmp_path):
    """Several exports are read with their headers renamed to the fields' first
    aliases ("Status", "Job Title"): a finding on a row named that alias, a column the
    file may not have. Each finding names its file's own header."""
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    df = bookings(SOME).rename(columns={"Job Title": "Position"})
    df.loc[1, "Position"] = "Wizard"  # a.csv row 3: not a job title wpnet knows
    df.iloc[:18].to_csv(a, index=False)
    df.iloc[18:].rename(columns={"Attendee Status": "Booking Status"}).to_csv(b, index=False)
    eco = from_records([a, b], register=REGISTER, key=KEY, errors="drop")
    assert eco.reading.status_column == "Attendee Status/Booking Status"
    q = eco.quality
    said = q[q["message"].str.startswith("status means not attending")]
    assert said[["table", "row", "column"]].values.tolist() == [
        ["a.csv", 2, "Attendee Status"],
        ["b.csv", 2, "Booking Status"],
    ]
    title = q[q["message"].str.startswith("job title not recognised")]
    assert title[["table", "row", "column"]].values.tolist() == [["a.csv", 3, "Position"]]


def test_a_hidden_sheet_with_data_is_said_to_be_hidden(tmp_path):
    """A booking system's workbook with a hidden sheet of lists: the refusal named a
    sheet the user cannot see in a spreadsheet without saying it is hidden."""
    from openpyxl import load_workbook

    wb = tmp_path / "bookings.xlsx"
    with pd.ExcelWriter(wb) as w:
        bookings().to_excel(w, sheet_name="Bookings", index=False)
        pd.DataFrame({"lookup": ["Attended", "DNA"]}).to_excel(w, sheet_name="Lists", index=False)
    book = load_workbook(wb)
    book["Lists"].sheet_state = "hidden"
    book.save(wb)
    with pytest.raises(
        DataError, match=r"^bookings\.xlsx: sheet 'Lists' \(hidden\) also holds data"
    ):
        from_records(wb, register=REGISTER, key=KEY)


def test_a_folder_table_on_two_sheets_keeps_the_folder_advice(tmp_path):
    folder = wpnet.write_ecosystem(wpnet.tiny(), tmp_path / "data")
    part = pd.read_csv(folder / "participation.csv", dtype=str)
    (folder / "participation.csv").unlink()
    with pd.ExcelWriter(folder / "participation.xlsx") as w:
        part.iloc[:5].to_excel(w, sheet_name="participation", index=False)
        part.iloc[5:].to_excel(w, sheet_name="more", index=False)
    with pytest.raises(DataError, match="or give one workbook with a sheet per table$"):
        wpnet.read_ecosystem(folder)
