"""Every validation rule, each with a case that breaks it and the exact finding expected.

The base tables below are valid (checked by ``test_base_is_clean``); each test changes
one cell or row and asserts the problem found, its row (header = row 1, first data
row = 2), its column and whether the row was rejected.
"""

from __future__ import annotations

import pandas as pd
import pytest

import wpnet
from wpnet.errors import DataError
from wpnet.inspection import ValidationReport, validate
from wpnet.validation import RawTable, check_tables


def base() -> dict[str, pd.DataFrame]:
    """Valid tables as strings, as a CSV reader would hand them over."""
    est = pd.DataFrame(
        {
            "establishment_id": ["E1", "E2", "E3"],
            "name": ["Ashgrove Primary", "Barrhead High", "Elm Nursery"],
            "authority": ["Glasgow City", "Inverclyde", "Renfrewshire"],
            "sector": ["primary", "secondary", "early_years"],
            "simd_quintile": ["1", "3", "5"],
            "roll": ["210", "900", "40"],
            "latitude": ["55.86", "55.94", "55.84"],
            "longitude": ["-4.25", "-4.76", "-4.43"],
        }
    )
    prac = pd.DataFrame(
        {
            "practitioner_id": ["P1", "P2", "P3"],
            "establishment_id": ["E1", "E2", "E3"],
            "level": ["practitioner", "headteacher", "middle_leader"],
        }
    )
    net = pd.DataFrame(
        {
            "network_id": ["N1", "N2"],
            "name": ["Numeracy network", "ASL forum"],
            "workstream": ["CLN", "ASL"],
        }
    )
    part = pd.DataFrame(
        {
            "practitioner_id": ["P1", "P2", "P3", "P1"],
            "network_id": ["N1", "N1", "N2", "N2"],
            "date": ["2022-09-01", "2022-09-01", "2023-01-10", "2023-01-10"],
            "role": ["participant", "lead", "participant", "participant"],
            "hours": ["2", "2", "1.5", "1.5"],
        }
    )
    ties = pd.DataFrame({"source": ["P1"], "target": ["P2"], "kind": ["advice"]})
    return {
        "establishments": est,
        "practitioners": prac,
        "networks": net,
        "participation": part,
        "ties": ties,
    }


def raw(tables: dict[str, pd.DataFrame]) -> dict[str, RawTable]:
    out = {}
    for name, df in tables.items():
        df = df.astype("string")
        df.index = range(2, len(df) + 2)
        out[name] = RawTable(df, f"{name}.csv")
    return out


def check(tables: dict[str, pd.DataFrame]):
    return check_tables(raw(tables))


def only(res, severity: str = "error") -> pd.DataFrame:
    p = res.problems
    return p[(p["severity"] == severity).to_numpy()].reset_index(drop=True)


def one(res, severity: str = "error") -> dict:
    p = only(res, severity)
    assert len(p) == 1, p.to_dict("records")
    return p.iloc[0].to_dict()


def rejected_rows(res, table: str) -> list[int]:
    r = res.rejected
    return sorted(int(x) for x in r.loc[(r["table"] == table).to_numpy(), "row"])


def test_base_is_clean():
    res = check(base())
    assert len(res.problems) == 0
    assert len(res.rejected) == 0
    assert {k: len(v) for k, v in res.tables.items()} == {
        "establishments": 3,
        "practitioners": 3,
        "networks": 2,
        "participation": 4,
        "ties": 1,
    }
    est = res.tables["establishments"]
    assert str(est["simd_quintile"].dtype) == "Int64"
    assert str(est["latitude"].dtype) == "Float64"
    assert str(res.tables["participation"]["date"].dtype) == "datetime64[us]"


# ---- structure --------------------------------------------------------------------------
def test_missing_required_column_is_a_header_error():
    t = base()
    t["participation"] = t["participation"].drop(columns="network_id")
    res = check(t)
    p = one(res)
    assert (p["table"], p["row"], p["column"]) == ("participation", 1, "network_id")
    assert "required column network_id missing" in p["message"]
    assert len(res.fatal) == 1
    assert "participation" not in res.tables


def test_duplicated_column_is_a_header_error():
    t = base()
    est = t["establishments"]
    est.insert(2, "Name ", est["name"])  # folds to "name" again
    res = check(t)
    p = one(res)
    assert (p["row"], p["column"]) == (1, "name")
    assert "appears twice" in p["message"]


def test_missing_required_table():
    t = base()
    del t["networks"]
    res = check(t)
    errs = only(res)
    assert errs.loc[0, "table"] == "networks"
    assert pd.isna(errs.loc[0, "row"])
    assert "required table networks not found" in errs.loc[0, "message"]
    assert len(res.fatal) >= 1


def test_ties_table_is_optional():
    t = base()
    del t["ties"]
    assert len(check(t).problems) == 0


def test_header_aliases_and_extra_columns():
    t = base()
    t["establishments"] = t["establishments"].rename(
        columns={"establishment_id": "Seed Code", "name": "School Name", "authority": "LA"}
    )
    t["practitioners"]["Favourite Colour"] = ["red", "green", "blue"]
    res = check(t)
    assert len(res.problems) == 0
    assert res.tables["establishments"]["establishment_id"].tolist() == ["E1", "E2", "E3"]
    assert res.tables["practitioners"]["favourite_colour"].tolist() == ["red", "green", "blue"]


# ---- values -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("table", "column", "row"),
    [
        ("establishments", "name", 3),
        ("practitioners", "level", 2),
        ("networks", "workstream", 2),
        ("participation", "date", 4),
        ("ties", "target", 2),
    ],
)
def test_required_value_missing(table, column, row):
    t = base()
    t[table].loc[row - 2, column] = "N/A"
    res = check(t)
    errs = only(res)
    first = errs.iloc[0]
    assert (first["table"], first["row"], first["column"]) == (table, row, column)
    assert first["message"] == f"missing {column} (required)"
    assert row in rejected_rows(res, table)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("simd_quintile", "0", "between 1 and 5"),
        ("simd_quintile", "6", "between 1 and 5"),
        ("simd_quintile", "2.5", "not a whole number"),
        ("simd_quintile", "high", "not a number"),
        ("roll", "-1", "at least 0"),
        ("latitude", "91", "between -90 and 90"),
        ("longitude", "-180.5", "between -180 and 180"),
        ("longitude", "inf", "not a number"),
    ],
)
def test_numbers_types_and_ranges(column, value, message):
    t = base()
    t["establishments"].loc[1, column] = value
    res = check(t)
    # E2 is rejected, so P2 (home E2) and its records follow with reference errors.
    p = only(res).iloc[0]
    assert (p["table"], p["row"], p["column"], p["value"]) == (
        "establishments",
        3,
        column,
        value,
    )
    assert message in p["message"]


def test_numbers_accept_thousands_separators_and_whole_floats():
    t = base()
    t["establishments"].loc[1, "roll"] = "1,200"
    t["establishments"].loc[0, "simd_quintile"] = "2.0"
    res = check(t)
    assert len(res.problems) == 0
    est = res.tables["establishments"]
    assert est["roll"].tolist() == [210, 1200, 40]
    assert est["simd_quintile"].tolist() == [2, 3, 5]


def test_negative_hours_is_an_error():
    t = base()
    t["participation"].loc[0, "hours"] = "-2"
    p = one(check(t))
    assert (p["table"], p["row"], p["column"]) == ("participation", 2, "hours")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2023", "impossible date 31/02/2023"),
        ("1899-06-01", "outside 1990-2099"),
        ("2100-01-01", "outside 1990-2099"),
        ("next Tuesday", "not a date"),
        ("09/13/2022", "impossible date"),  # month-first is never guessed
    ],
)
def test_bad_dates(value, message):
    t = base()
    t["participation"].loc[2, "date"] = value
    res = check(t)
    p = one(res)
    assert (p["table"], p["row"], p["column"], p["value"]) == ("participation", 4, "date", value)
    assert message in p["message"]
    assert rejected_rows(res, "participation") == [4]


def test_mixed_date_formats_in_one_column():
    t = base()
    t["participation"]["date"] = ["2022-09-01", "01/09/2022", "1.9.2022", "44805"]
    t["participation"]["practitioner_id"] = ["P1", "P2", "P3", "P3"]
    res = check(t)
    # 01/09/2022 and 1.9.2022 could be either order: read day-first, and said
    assert res.problems["severity"].tolist() == ["warning"]
    assert "date order cannot be told" in res.problems["message"].item()
    # 44805 is Excel's serial for 1 Sep 2022 (44927 = 1 Jan 2023, 122 days later).
    assert (
        res.tables["participation"]["date"].dt.strftime("%Y-%m-%d").tolist() == ["2022-09-01"] * 4
    )


@pytest.mark.parametrize(
    ("table", "column", "value", "canonical"),
    [
        ("establishments", "sector", "ELC", "early_years"),
        ("establishments", "sector", " Nursery ", "early_years"),
        ("establishments", "authority", "Glasgow City Council", "Glasgow City"),
        ("practitioners", "level", "PT Maths", "middle_leader"),
        ("practitioners", "level", "DHT", "senior_leader"),
        ("participation", "role", "Network Lead", "lead"),
    ],
)
def test_vocabulary_aliases(table, column, value, canonical):
    t = base()
    t[table].loc[0, column] = value
    res = check(t)
    assert len(res.problems) == 0
    assert res.tables[table].loc[0, column] == canonical


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("establishments", "sector", "Zoo"),
        ("practitioners", "level", "Astronaut"),
        ("participation", "role", "Boss"),
    ],
)
def test_vocabulary_unknown_is_an_error(table, column, value):
    t = base()
    t[table].loc[0, column] = value
    res = check(t)
    p = only(res).iloc[0]
    assert (p["table"], p["row"], p["column"], p["value"]) == (table, 2, column, value)
    assert f"not a known {column if column != 'role' else 'role'}" in p["message"]
    assert 2 in rejected_rows(res, table)


def test_unknown_authority_is_kept_with_a_warning():
    t = base()
    t["establishments"].loc[0, "authority"] = " Fife  Council"
    res = check(t)
    assert len(only(res)) == 0
    w = one(res, "warning")
    assert (w["table"], w["row"], w["column"]) == ("establishments", 2, "authority")
    assert res.tables["establishments"].loc[0, "authority"] == "Fife Council"


def test_missing_markers_and_non_breaking_spaces():
    t = base()
    t["participation"]["hours"] = ["N/A", "n/a", "-", ""]
    t["participation"]["role"] = ["-", "lead", "participant", "participant"]
    t["establishments"].loc[0, "name"] = "\u00a0Ashgrove\u00a0\u00a0Primary "
    res = check(t)
    assert len(res.problems) == 0
    assert res.tables["participation"]["hours"].isna().all()
    assert pd.isna(res.tables["participation"].loc[0, "role"])
    assert res.tables["establishments"].loc[0, "name"] == "Ashgrove Primary"


# ---- keys ---------------------------------------------------------------------------------
def test_exact_duplicate_participation_row_is_a_warning_and_rejected():
    t = base()
    part = t["participation"]
    t["participation"] = pd.concat([part, part.iloc[[1]]], ignore_index=True)
    res = check(t)
    assert len(only(res)) == 0
    w = one(res, "warning")
    assert (w["table"], w["row"], w["message"]) == ("participation", 6, "duplicate of row 3")
    rej = res.rejected
    assert rej[["table", "row", "reason"]].values.tolist() == [
        ["participation", 6, "duplicate of row 3"]
    ]
    # the original values travel with the rejected row
    assert rej.loc[0, "practitioner_id"] == "P2"
    assert len(res.tables["participation"]) == 4


def test_exact_duplicate_establishment_is_dropped_not_an_error():
    t = base()
    est = t["establishments"]
    t["establishments"] = pd.concat([est, est.iloc[[0]]], ignore_index=True)
    res = check(t)
    assert len(only(res)) == 0
    assert rejected_rows(res, "establishments") == [5]
    assert res.rejected.loc[0, "reason"] == "duplicate of row 2"


def test_conflicting_duplicate_ids_name_both_rows_and_reject_both():
    t = base()
    prac = t["practitioners"]
    extra = pd.DataFrame({"practitioner_id": ["P1"], "establishment_id": ["E2"], "level": ["HT"]})
    t["practitioners"] = pd.concat([prac, extra], ignore_index=True)
    res = check(t)
    errs = only(res)
    key = errs[(errs["table"] == "practitioners").to_numpy()]
    assert key["row"].tolist() == [2, 5]
    assert "also on row 5" in key.iloc[0]["message"]
    assert "also on row 2" in key.iloc[1]["message"]
    assert "establishment_id: 'E1' vs 'E2'" in key.iloc[0]["message"]
    assert rejected_rows(res, "practitioners") == [2, 5]
    # P1's records now point at rejected rows, and say which
    part = errs[(errs["table"] == "participation").to_numpy()]
    assert part["row"].tolist() == [2, 5]
    assert part.iloc[0]["message"] == "practitioner_id 'P1' is on rejected practitioners rows 2, 5"


# ---- references ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("table", "column", "target"),
    [
        ("participation", "practitioner_id", "practitioners"),
        ("participation", "network_id", "networks"),
        ("participation", "establishment_id", "establishments"),
        ("practitioners", "establishment_id", "establishments"),
        ("ties", "source", "practitioners"),
        ("ties", "target", "practitioners"),
    ],
)
def test_every_reference_resolves(table, column, target):
    t = base()
    if column not in t[table]:
        t[table][column] = pd.NA
    t[table].loc[0, column] = "X9"
    res = check(t)
    p = only(res).iloc[0]
    assert (p["table"], p["row"], p["column"], p["value"]) == (table, 2, column, "X9")
    assert (
        p["message"]
        == f"unknown {column if column not in ('source', 'target') else 'practitioner_id'} 'X9': not in {target}"
    )
    assert 2 in rejected_rows(res, table)


def test_accepted_plus_rejected_equals_rows_read():
    t = base()
    t["participation"].loc[0, "date"] = "31/02/2023"
    t["participation"].loc[1, "network_id"] = "N9"
    t["participation"] = pd.concat([t["participation"], t["participation"].iloc[[3]]])
    t["establishments"].loc[2, "sector"] = "Zoo"
    res = check(t)
    for name, n in res.rows_read.items():
        rej = int((res.rejected["table"] == name).sum())
        assert len(res.tables[name]) + rej == n, name
    # 2: impossible date; 3: unknown network; 4: P3 is at E3 (rejected); 6: copy of 5
    assert rejected_rows(res, "participation") == [2, 3, 4, 6]


# ---- the report ---------------------------------------------------------------------------
def _report(res, max_lines=10) -> ValidationReport:
    return ValidationReport(res.problems, res.sources, res.rows_read, max_lines)


def test_report_groups_limits_and_counts():
    t = base()
    t["participation"]["network_id"] = ["N7", "N8", "N9", "N9"]
    t["establishments"].loc[0, "authority"] = "Fife"
    rep = _report(check(t), max_lines=2)
    assert not rep.ok and not bool(rep)
    assert list(rep.errors.columns) == ["table", "row", "column", "value", "message"]
    assert rep.errors["row"].tolist() == [2, 3, 4, 5]
    assert len(rep.warnings) == 1
    text = str(rep)
    assert text.splitlines()[0].startswith("wpnet validation: FAILED — 4 errors, 1 warning")
    assert "ERRORS in participation.csv (4):" in text
    assert "row 2, column network_id, value 'N7': unknown network_id 'N7'" in text
    assert "... and 2 more" in text
    assert "WARNINGS in establishments.csv (1):" in text


def test_report_html_escapes():
    t = base()
    t["participation"].loc[0, "network_id"] = "<script>x</script>"
    html = _report(check(t))._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "FAILED" in html


def test_validate_an_ecosystem_and_a_folder(tmp_path):
    assert validate(wpnet.tiny()).ok
    for name, df in base().items():
        df.to_csv(tmp_path / f"{name}.csv", index=False)
    (tmp_path / "networks.csv").write_text("network_id,name,workstream\nN1,A,W\nN1,B,W\n")
    rep = validate(tmp_path)
    assert not rep.ok
    assert set(rep.errors["table"]) >= {"networks", "participation"}
    assert rep.errors.iloc[0]["row"] == 2
    assert "networks.csv" in str(rep)


def test_validate_reports_an_unreadable_file_instead_of_raising(tmp_path):
    for name, df in base().items():
        df.to_csv(tmp_path / f"{name}.csv", index=False)
    (tmp_path / "participation.csv").write_bytes(b"")
    rep = validate(tmp_path)
    assert not rep.ok
    assert "participation.csv: the file is empty" in rep.errors.iloc[0]["message"]


def test_validate_missing_path_raises():
    with pytest.raises(FileNotFoundError):
        validate("/nonexistent/wpnet")


def test_exact_copy_of_a_row_with_a_reader_problem_is_rejected_once():
    """Found by the fuzz tests: a ragged row and its exact copy."""
    t = base()
    part = t["participation"].iloc[[0, 0]].astype("string")
    part.index = [2, 3]
    tables = raw(t)
    tables["participation"] = RawTable(
        part,
        "participation.csv",
        [
            {
                "row": r,
                "column": None,
                "value": "x",
                "message": "row has 6 cells",
                "severity": "error",
            }
            for r in (2, 3)
        ],
    )
    res = check_tables(tables)
    rej = res.rejected
    assert rej[["row", "reason"]].values.tolist() == [
        [3, "duplicate of row 2"],
        [2, "row: row has 6 cells"],
    ]
    assert len(res.tables["participation"]) == 0


def test_a_month_first_date_column_is_refused_naming_file_and_column(tmp_path) -> None:
    # issue 18: a month-first folder is refused with the file and the column (not only
    # the values); validate reports it as a problem of that column instead of raising,
    # and the date order given reads it
    import wpnet

    wpnet.write_ecosystem(wpnet.tiny(), tmp_path / "t")
    path = tmp_path / "t" / "participation.csv"
    p = pd.read_csv(path, dtype=str)
    p.loc[0, "date"], p.loc[1, "date"] = "1/18/2023", "3/5/2023"
    p.to_csv(path, index=False)
    for errors in ("raise", "drop"):  # no row can be dropped to cure a column
        with pytest.raises(DataError, match=r"participation\.csv, column date: .*month-first"):
            wpnet.read_ecosystem(tmp_path / "t", errors=errors)
    report = wpnet.validate(tmp_path / "t")
    assert not report.ok
    assert report.errors[["table", "column"]].values.tolist() == [["participation", "date"]]
    eco = wpnet.read_ecosystem(tmp_path / "t", date_order="mdy")
    assert str(eco.participation["date"].iloc[0].date()) == "2023-01-18"


def test_text_cleaned_column_by_column_with_blank_columns_and_control_characters():
    # Each text column is coded on its own and the distinct values of all of them are
    # cleaned once: a column with no value at all, a value shared by two columns and
    # a control character in one cell must come out as if each cell were cleaned alone.
    t = base()
    t["establishments"]["notes"] = ["", " N/A ", "-"]  # every cell a missing marker
    t["establishments"]["phase"] = ["Glasgow  City", "x\x01y", "Glasgow City"]
    t["networks"]["name"] = ["Numeracy\u00a0 network", "ASL\x07 forum"]
    res = check(t)
    est = res.tables["establishments"]
    assert est["notes"].isna().all() and str(est["notes"].dtype) == "string"
    assert est["phase"].tolist() == ["Glasgow City", "xy", "Glasgow City"]
    assert est["authority"].tolist() == ["Glasgow City", "Inverclyde", "Renfrewshire"]
    assert res.tables["networks"]["name"].tolist() == ["Numeracy network", "ASL forum"]
    warned = only(res, "warning")
    assert sorted(zip(warned["table"], warned["row"], warned["column"], strict=True)) == [
        ("establishments", 3, "phase"),
        ("networks", 3, "name"),
    ]
    assert set(warned["value"]) == {"x?y", "ASL? forum"}
    assert len(only(res)) == 0
