"""Tests of wpnet.from_records: a small register and hand-made exports whose every
expected value is worked out in the test."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pandas as pd
import pytest

from wpnet.errors import DataError
from wpnet.privacy import KeyMissing
from wpnet.records import canonical_name, from_records, infer_sector, slug

KEY = "test-key-of-sixteen-bytes"

REGISTER = pd.DataFrame(
    [
        ("E1", "Ashgrove Primary", "Glasgow City", "primary"),
        ("E2", "Barrhead High", "Glasgow City", "secondary"),
        ("E3", "Cove Primary", "Inverclyde", "primary"),
        ("E4", "Dunrod School", "Inverclyde", "special"),
        ("E5", "Elm Nursery", "Renfrewshire", "early_years"),
        ("E6", "St Mary's Primary", "Glasgow City", "primary"),
        ("E7", "St Mary's Primary", "Renfrewshire", "primary"),
        ("E8", "Kelvinside Academy", "Glasgow City", "secondary"),
    ],
    columns=["establishment_id", "name", "authority", "sector"],
)


def hm(text: str) -> str:
    return "pn_" + hmac.new(KEY.encode(), text.encode(), hashlib.sha256).hexdigest()[:16]


def export(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=[
            "Full Name",
            "E-mail address",
            "School",
            "Local Authority",
            "Event",
            "Job Title",
            "Date",
        ],
    )


BASE = [
    (
        "Ann Smith",
        "Ann.Smith@x.org",
        "Ashgrove Primary",
        "Glasgow",
        "Numeracy CLN",
        "PT Maths",
        "01/09/2022",
    ),
    (
        "ann smith",
        "  ann.smith@X.ORG ",
        "Ashgrove Primary",
        "Glasgow City Council",
        "numeracy  cln",
        "PT Maths",
        "44835",
    ),
    (
        "Bob Jones",
        "bob@x.org",
        "Cove Primary",
        "Inverclyde",
        "Numeracy CLN",
        "Class Teacher",
        "2022-09-01",
    ),
    ("Cat Brown", "cat@x.org", "Barrhead High", "Glasgow", "Literacy Forum", "DHT", "15/03/2023"),
]


def test_pseudonyms_are_hmac_of_normalised_email_and_merge_spellings():
    eco = from_records(export(BASE), register=REGISTER, key=KEY, errors="drop")
    ids = eco.participation["practitioner_id"].tolist()
    # rows 1 and 2 are one person: "Ann.Smith@x.org" and "  ann.smith@X.ORG "
    assert ids == [hm("ann.smith@x.org")] * 2 + [hm("bob@x.org"), hm("cat@x.org")]
    assert sorted(eco.practitioners["practitioner_id"]) == sorted(set(ids))
    assert len(eco.rejected) == 0


def test_tables_hand_worked():
    eco = from_records(export(BASE), register=REGISTER, key=KEY, errors="drop")
    part = eco.participation
    assert part["network_id"].tolist() == [
        "numeracy-cln",
        "numeracy-cln",
        "numeracy-cln",
        "literacy-forum",
    ]
    assert part["establishment_id"].tolist() == ["E1", "E1", "E3", "E2"]
    # 01/09/2022 day-first; Excel serial 44835 = 1899-12-30 + 44835 days = 2022-10-01
    assert [str(d.date()) for d in part["date"]] == [
        "2022-09-01",
        "2022-10-01",
        "2022-09-01",
        "2023-03-15",
    ]
    assert part["role"].tolist() == ["participant"] * 4
    prac = eco.practitioners.set_index("practitioner_id")
    assert prac.loc[hm("ann.smith@x.org"), "level"] == "middle_leader"  # PT Maths
    assert prac.loc[hm("bob@x.org"), "level"] == "practitioner"  # Class Teacher
    assert prac.loc[hm("cat@x.org"), "level"] == "senior_leader"  # DHT
    assert prac.loc[hm("cat@x.org"), "role"] == "DHT"
    nets = eco.networks.set_index("network_id")
    assert nets.loc["numeracy-cln", "name"] == "Numeracy CLN"  # 2 of 3 spellings
    assert set(nets["workstream"]) == {"unspecified"}
    assert eco.establishments["establishment_id"].tolist() == REGISTER["establishment_id"].tolist()


def test_no_name_or_email_anywhere_in_the_ecosystem():
    rows = BASE + [
        (
            "Dee Green",
            "dee@x.org",
            "Zebra Crossing Primary",
            "Glasgow",
            "Numeracy CLN",
            "Teacher",
            "01/09/2022",
        ),
        (
            "Eve White",
            "eve@x.org",
            "Ashgrove Primary",
            "Glasgow",
            "Numeracy CLN",
            "Astronaut",
            "31/02/2023",
        ),
        ("Fay Black", None, "Cove Primary", "Inverclyde", "Numeracy CLN", "Teacher", "01/09/2022"),
    ]
    eco = from_records(export(rows), register=REGISTER, key=KEY, errors="drop")
    assert len(eco.rejected) == 2
    secrets = [s.lower() for r in rows for s in (r[0], r[1]) if s] + ["ann", "smith", "x.org", "@"]
    tables = {
        "establishments": eco.establishments,
        "practitioners": eco.practitioners,
        "networks": eco.networks,
        "participation": eco.participation,
        "rejected": eco.rejected,
        "quality": eco.quality,
    }
    for name, t in tables.items():
        cells = [str(v).lower() for v in t.astype(str).to_numpy().ravel()]
        cells += [str(c).lower() for c in t.columns]
        for s in secrets:
            assert not any(s.strip() in c for c in cells), (name, s)


def test_keep_names_keeps_them_in_practitioners_only():
    eco = from_records(export(BASE), register=REGISTER, key=KEY, keep_names=True, errors="drop")
    prac = eco.practitioners.set_index("practitioner_id")
    assert prac.loc[hm("bob@x.org"), "name"] == "Bob Jones"
    assert prac.loc[hm("bob@x.org"), "email"] == "bob@x.org"


def test_missing_key_refuses_before_reading(monkeypatch):
    monkeypatch.delenv("WPNET_KEY", raising=False)
    with pytest.raises(KeyMissing, match="WPNET_KEY"):
        from_records("does-not-exist.csv", register=REGISTER, errors="drop")


def test_key_from_environment(monkeypatch):
    monkeypatch.setenv("WPNET_KEY", KEY)
    eco = from_records(export(BASE[2:3]), register=REGISTER, errors="drop")
    assert eco.participation["practitioner_id"].tolist() == [hm("bob@x.org")]


def test_fuzzy_match_accepts_near_spelling_and_rejects_distant_with_candidates():
    rows = [
        ("A", "a@x.org", "Ashgrov Primary", "Glasgow", "N", "Teacher", "01/09/2022"),
        ("B", "b@x.org", "Zebra Crossing Primary", "Glasgow", "N", "Teacher", "01/09/2022"),
        ("C", "c@x.org", "Kelvinside Acadamy", "Glasgow", "N", "Teacher", "01/09/2022"),
    ]
    eco = from_records(export(rows), register=REGISTER, key=KEY, errors="drop")
    assert eco.participation["establishment_id"].tolist() == ["E1"]
    q = eco.quality
    assert q["message"].str.contains("fuzzy match to E1").any()
    rej = eco.rejected.set_index("row")
    assert rej.index.tolist() == [3, 4]
    reason = rej.loc[3, "reason"]
    assert "not found in the register in Glasgow City" in reason
    # the 3 nearest Glasgow City names are listed with their ids
    assert reason.count("(E") == 3 and "nearest:" in reason
    assert "'Ashgrove Primary' (E1" in reason
    # "Acadamy" is a misspelt sector word: the sector words differ, so no fuzzy match
    assert "same sector words" in rej.loc[4, "reason"]
    assert rej.loc[3, "School"] == "Zebra Crossing Primary"  # original values kept


def test_fuzzy_threshold_and_margin():
    rows = [("A", "a@x.org", "Ashgrov Primary", "Glasgow", "N", "Teacher", "01/09/2022")]
    # stems "ashgrov" vs "ashgrove": token_sort_ratio = 2*7/15 = 93.3
    assert (
        len(
            from_records(
                export(rows), register=REGISTER, key=KEY, fuzzy_threshold=93, errors="drop"
            ).participation
        )
        == 1
    )
    eco = from_records(export(rows), register=REGISTER, key=KEY, fuzzy_threshold=94, errors="drop")
    assert len(eco.participation) == 0
    assert "best score 93 < 94" in eco.rejected["reason"].iloc[0]
    # two register names equally close: no clear winner
    reg = pd.concat(
        [
            REGISTER,
            pd.DataFrame(
                [("E9", "Ashgrovi Primary", "Glasgow City", "primary")], columns=REGISTER.columns
            ),
        ]
    )
    eco = from_records(export(rows), register=reg, key=KEY, errors="drop")
    assert "too close to the next" in eco.rejected["reason"].iloc[0]


def test_same_name_in_two_authorities_and_ids():
    rows = [
        ("A", "a@x.org", "Saint Mary's PS", "Renfrewshire", "N", "Teacher", "01/09/2022"),
        ("B", "b@x.org", "St. Marys Primary School", "Glasgow City", "N", "Teacher", "01/09/2022"),
        ("C", "c@x.org", "St Mary's Primary", None, "N", "Teacher", "01/09/2022"),
        ("D", "d@x.org", "e4", None, "N", "Teacher", "01/09/2022"),
        ("E", "e@x.org", "Elm Nursery", "Glasgow", "N", "Teacher", "01/09/2022"),
    ]
    eco = from_records(export(rows), register=REGISTER, key=KEY, errors="drop")
    assert eco.participation["establishment_id"].tolist() == ["E7", "E6", "E4", "E5"]
    rej = eco.rejected
    assert rej["row"].tolist() == [4]  # St Mary's without authority: E6 or E7
    # Elm Nursery is only in Renfrewshire: matched there, with a warning
    assert eco.quality["message"].str.contains("in another authority").any()


def test_accepted_plus_rejected_is_rows_read_from_cp1252_csv(tmp_path: Path):
    rows = BASE + [
        (
            "Séan O’Neill",
            "sean@x.org",
            "Elm Nursery",
            "Renfrewshire",
            "Early Years Forum",
            "EYP",
            "1/2/2023",
        ),
        (
            "Sean Again",
            "sean@x.org",
            "Elm Nursery",
            "Renfrewshire",
            "Early Years Forum",
            "EYP",
            "01/02/2023",
        ),
        ("No Date", "nd@x.org", "Elm Nursery", "Renfrewshire", "Early Years Forum", "EYP", ""),
        ("No Event", "ne@x.org", "Elm Nursery", "Renfrewshire", "", "EYP", "01/02/2023"),
        ("", "", "Elm Nursery", "Renfrewshire", "Early Years Forum", "EYP", "01/02/2023"),
    ]
    p = tmp_path / "export.csv"
    export(rows).to_csv(p, index=False, encoding="cp1252")
    eco = from_records(p, register=REGISTER, key=KEY, errors="drop")
    assert len(eco.participation) + len(eco.rejected) == len(rows)
    rej = eco.rejected.set_index("row")
    # spreadsheet rows: header is 1, so BASE is 2-5 and the new rows 6-10
    assert rej.index.tolist() == [7, 8, 9, 10]
    assert rej.loc[7, "reason"] == (  # same person, network, date, school; "1/2" vs "01/02"
        "the same person, network, date and establishment as on row 6 (other cells "
        "differ): one attendance recorded twice"
    )
    assert rej.loc[8, "reason"] == "no date"
    assert rej.loc[9, "reason"] == "no network/event"
    assert rej.loc[10, "reason"] == "no e-mail or name"
    assert set(rej["table"]) == {"export.csv"}
    assert "Full Name" not in rej.columns and "E-mail address" not in rej.columns
    assert (
        eco.networks.set_index("network_id").loc["early-years-forum", "name"] == "Early Years Forum"
    )


def test_unknown_job_title_is_other_with_warning_not_rejected():
    rows = [
        ("A", "a@x.org", "Cove Primary", "Inverclyde", "N", "Astronaut", "01/09/2022"),
        ("B", "b@x.org", "Cove Primary", "Inverclyde", "N", None, "01/09/2022"),
        ("C", "c@x.org", "Cove Primary", "Inverclyde", "N", "Astronaut", "02/09/2022"),
    ]
    eco = from_records(export(rows), register=REGISTER, key=KEY, errors="drop")
    assert eco.practitioners["level"].tolist() == ["other"] * 3
    q = eco.quality.set_index("value")
    assert q.loc["Astronaut", "message"] == "job title not recognised: level 'other' (2 rows)"
    assert q.loc["Astronaut", "row"] == 2
    assert eco.quality["message"].str.startswith("no job title").sum() == 1


def test_bad_dates_rejected_with_reason():
    rows = [
        ("A", "a@x.org", "Cove Primary", "Inverclyde", "N", "Teacher", "31/02/2023"),
        ("B", "b@x.org", "Cove Primary", "Inverclyde", "N", "Teacher", "next tuesday"),
        ("C", "c@x.org", "Cove Primary", "Inverclyde", "N", "Teacher", "01/01/1970"),
    ]
    eco = from_records(export(rows), register=REGISTER, key=KEY, errors="drop")
    reasons = eco.rejected["reason"].tolist()
    assert reasons[0].startswith("impossible date 31/02/2023")
    assert reasons[1].startswith("not a date")
    assert reasons[2] == "date 1970-01-01 outside 1990-2099"
    assert len(eco.participation) == 0


def test_rejected_rows_keep_only_the_columns_read():
    """A rejected row keeps the values wpnet read (school, authority, event, job title,
    date), not the export's other columns: a telephone, a line manager's e-mail, notes
    holding a name or a date of birth (an audit found them all in the rejected-rows
    file, which the command says holds no names or e-mails)."""
    rows = [
        ("A", "a@x.org", "Nowhere", "Inverclyde", "N", "Teacher", "01/09/2022"),
        ("B", "b@x.org", "Cove Primary", "Inverclyde", "N", "Teacher", "31/02/2023"),
    ]
    raw = export(rows).assign(
        **{
            "Line Manager Email": ["boss@x.org", "boss2@x.org"],
            "Tel": ["07700 900124", "07700 900125"],
            "Notes": ["Zara Quill, zara.quill@x.org", "Umberto"],
            "Date of Birth": ["1975-03-04", "1980-01-01"],
        }
    )
    eco = from_records(raw, register=REGISTER, key=KEY, errors="drop", date_order="dmy")
    rej = eco.rejected
    assert len(rej) == 2 and rej["row"].tolist() == [2, 3]
    assert list(rej.columns) == [
        "table", "row", "reason", "School", "Local Authority", "Event", "Job Title", "Date"
    ]  # fmt: skip
    text = rej.to_csv(index=False)
    for secret in ("boss", "07700", "Zara", "Umberto", "1975", "a@x.org", "Full Name"):
        assert secret not in text
    assert rej["School"].tolist() == ["Nowhere", "Cove Primary"]


def test_a_repeated_header_is_refused_naming_it_and_its_columns():
    """Two Date columns: which to read cannot be told (an audit got a traceback)."""
    raw = export(BASE)
    raw.insert(len(raw.columns), "date ", "2023-01-01", allow_duplicates=True)
    with pytest.raises(DataError, match=r"the header 'Date' heads columns G and H"):
        from_records(raw, register=REGISTER, key=KEY, errors="drop")


def test_register_ids_that_differ_only_in_case_are_refused():
    """Exports' ids are matched whatever their case, so E1 and e1 cannot both be in a
    register (an audit got pandas' InvalidIndexError)."""
    twin = pd.DataFrame(
        [("e1", "Other School", "Glasgow City", "primary")], columns=REGISTER.columns
    )
    register = pd.concat([REGISTER, twin], ignore_index=True)
    with pytest.raises(DataError, match=r"'E1' on row 2 and 'e1' on row 10"):
        from_records(export(BASE), register=register, key=KEY, errors="drop")


def test_errors_raise_lists_rows():
    rows = BASE + [("A", "a@x.org", "Nowhere", "Glasgow", "N", "Teacher", "01/09/2022")]
    with pytest.raises(
        DataError, match="row 6, column School, value 'Nowhere': establishment"
    ) as err:
        from_records(export(rows), register=REGISTER, key=KEY, errors="raise")
    assert err.value.problems["row"].tolist() == [6]


def test_errors_default_is_raise_as_for_a_folder():
    # issue 13: from_records defaulted to "drop" while read_ecosystem raised
    rows = BASE + [("A", "a@x.org", "Nowhere", "Glasgow", "N", "Teacher", "01/09/2022")]
    with pytest.raises(DataError, match="1 problem in records"):
        from_records(export(rows), register=REGISTER, key=KEY)


def test_register_goes_through_the_table_checks_of_a_folder():
    # issue 13: from_records never ran the checks a folder gets. A register row whose
    # SIMD quintile is 9 (allowed 1-5) is an error of the register's row 2 (E1); with
    # errors="drop" that establishment is rejected, and so are the records at it.
    bad = REGISTER.assign(simd_quintile=[9, 1, 2, 3, 4, 5, 1, 2])
    with pytest.raises(DataError, match="the register, row 2, column simd_quintile") as err:
        from_records(export(BASE), register=bad, key=KEY)
    assert "simd_quintile" in err.value.problems["column"].tolist()
    eco = from_records(export(BASE), register=bad, key=KEY, errors="drop")
    assert "E1" not in set(eco.establishments["establishment_id"])
    assert "E1" not in set(eco.participation["establishment_id"])
    assert (eco.rejected["table"] == "establishments").sum() == 1
    good = from_records(export(BASE), register=REGISTER, key=KEY, errors="drop")
    assert "E1" in set(good.participation["establishment_id"])


def test_without_register_sector_from_name_and_unknown_rejected():
    rows = [
        ("A", "a@x.org", "Ashgrove PS", "Glasgow", "N", "Teacher", "01/09/2022"),
        (
            "B",
            "b@x.org",
            "Ashgrove Primary School",
            "Glasgow City Council",
            "N",
            "Teacher",
            "02/09/2022",
        ),
        ("C", "c@x.org", "Elm Nursery", "Renfrewshire", "N", "Teacher", "01/09/2022"),
        ("D", "d@x.org", "Dunrod School", "Inverclyde", "N", "Teacher", "01/09/2022"),
        ("E", "e@x.org", "Cove Academy", None, "N", "Teacher", "01/09/2022"),
    ]
    eco = from_records(export(rows), key=KEY, errors="drop")
    est = eco.establishments.set_index("establishment_id")
    assert est.index.tolist() == ["glasgow-city:ashgrove-primary", "renfrewshire:elm-nursery"]
    assert est["sector"].tolist() == ["primary", "early_years"]
    assert est["authority"].tolist() == ["Glasgow City", "Renfrewshire"]
    rej = eco.rejected.set_index("row")
    assert "sector cannot be inferred" in rej.loc[5, "reason"]
    assert "no authority" in rej.loc[6, "reason"]
    assert len(eco.participation) == 3


def test_name_only_rows_link_to_email_or_hash_name_and_establishment():
    rows = [
        ("Ann Smith", "ann@x.org", "Cove Primary", "Inverclyde", "N", "Teacher", "01/09/2022"),
        ("ann  smith", None, "Cove Primary", "Inverclyde", "N", "Teacher", "02/09/2022"),
        ("Bob Jones", None, "Cove Primary", "Inverclyde", "N", "Teacher", "02/09/2022"),
    ]
    eco = from_records(export(rows), register=REGISTER, key=KEY, errors="drop")
    assert eco.participation["practitioner_id"].tolist() == [
        hm("ann@x.org"),
        hm("ann@x.org"),
        hm("bob jones|e3"),  # the whole string is normalised (lower-cased),
    ]


def test_columns_mapping_first_and_surname_and_role_column():
    df = pd.DataFrame(
        {
            "Forename": ["Ann"],
            "Surname": ["Smith"],
            "Base": ["Cove Primary"],
            "LA": ["Inverclyde"],
            "Network": ["Maths"],
            "Workstream": ["Curricular networks"],
            "Position": ["HT"],
            "Role": ["Network Lead"],
            "When": ["03/10/2022"],
            "Hours": ["2.5"],
        }
    )
    eco = from_records(
        df,
        columns={"establishment": "base", "date": "WHEN"},
        register=REGISTER,
        key=KEY,
        errors="drop",
    )
    part = eco.participation
    assert part["practitioner_id"].tolist() == [hm("ann smith|e3")]
    assert part["role"].tolist() == ["lead"]
    assert part["hours"].tolist() == [2.5]
    assert eco.practitioners["level"].tolist() == ["headteacher"]
    assert eco.networks["workstream"].tolist() == ["Curricular networks"]


def test_role_header_is_job_title_when_no_job_title_column():
    df = export(BASE[3:4]).rename(columns={"Job Title": "Role"})
    eco = from_records(df, register=REGISTER, key=KEY, errors="drop")
    assert eco.practitioners["level"].tolist() == ["senior_leader"]
    assert eco.participation["role"].tolist() == ["participant"]


def test_missing_and_ambiguous_columns():
    with pytest.raises(DataError, match="no column for date"):
        from_records(export(BASE).drop(columns="Date"), register=REGISTER, key=KEY, errors="drop")
    df = export(BASE).assign(Course="x")
    with pytest.raises(DataError, match="more than one column for network"):
        from_records(df, register=REGISTER, key=KEY, errors="drop")
    eco = from_records(df, columns={"network": "Event"}, register=REGISTER, key=KEY, errors="drop")
    assert len(eco.participation) == 4
    with pytest.raises(ValueError, match="unknown fields"):
        from_records(df, columns={"colour": "Event"}, key=KEY, errors="drop")


def test_xlsx_and_parquet_sources(tmp_path: Path):
    df = export(BASE)
    df.to_excel(tmp_path / "e.xlsx", index=False)
    df.to_parquet(tmp_path / "e.parquet")
    for p in (tmp_path / "e.xlsx", tmp_path / "e.parquet"):
        eco = from_records(p, register=REGISTER, key=KEY, errors="drop")
        assert eco.participation["establishment_id"].tolist() == ["E1", "E1", "E3", "E2"]


def test_helpers():
    assert canonical_name(pd.Series(["The Ashgrove P.S.", "ashgrove primary school"])).tolist() == [
        "ashgrove primary",
        "ashgrove primary",
    ]
    assert slug(pd.Series(["  Maths & Numeracy  ", "!!"])).tolist() == ["maths-and-numeracy", pd.NA]
    assert infer_sector(
        pd.Series(["Glasgow City Council Central Team", "St Ninian's"])
    ).tolist() == [
        "central",
        pd.NA,
    ]


def test_shipped_flat_export_has_every_planted_problem_found():
    import csv

    import wpnet

    path = Path(__file__).resolve().parents[1] / "datasets" / "flat_export" / "registrations.csv"
    with open(path, encoding="cp1252", newline="") as fh:
        raw = list(csv.reader(fh))
    header, body = raw[0], raw[1:]
    eco = from_records(path, register=wpnet.load_example().establishments, key=KEY, errors="drop")
    assert len(eco.participation) + len(eco.rejected) == len(body) == 457
    reasons = eco.rejected["reason"]
    # exact duplicate lines counted independently of wpnet
    n_dup = len(body) - len({tuple(r) for r in body})
    assert reasons.str.startswith("duplicate of row").sum() == n_dup == 11
    assert reasons.str.startswith("establishment not found").sum() == 2
    assert reasons.str.startswith("impossible date").sum() == 2
    assert (reasons == "no date").sum() == 1 and (reasons == "no network/event").sum() == 1
    fuzzy = eco.quality[eco.quality["message"].str.contains("fuzzy match")]
    assert sorted(fuzzy["value"]) == [
        "Greenark Nursery School",
        "Polokshields Nursery Class",
        "Sanybrae Primary",
        "Scostoun Nursery Class",
    ]
    emails = {r[header.index("E-mail address")].strip().lower() for r in body} - {""}
    assert len(eco.practitioners) == len(emails) == 130
    for t in (eco.practitioners, eco.participation, eco.rejected, eco.quality, eco.networks):
        assert (
            not t.astype(str).apply(lambda c: c.str.contains(".example", regex=False)).any().any()
        )


def test_headers_only_export_gives_empty_tables():
    eco = from_records(export([]), register=REGISTER, key=KEY, errors="drop")
    assert len(eco.participation) == len(eco.rejected) == len(eco.practitioners) == 0
    assert len(eco.establishments) == len(REGISTER)
    assert len(from_records(export([]), key=KEY, errors="drop").establishments) == 0


def test_datetime_column_from_a_dataframe():
    df = export(BASE[2:3]).assign(Date=pd.Timestamp("2023-01-05"))
    eco = from_records(df, register=REGISTER, key=KEY, errors="drop")
    assert [str(d.date()) for d in eco.participation["date"]] == ["2023-01-05"]


# ---- dates are never guessed; status; events; what the data can support ------------


def dated(dates: list[object], event: str = "Numeracy CLN") -> pd.DataFrame:
    """One row per date: distinct people at Ashgrove Primary, all at one event."""
    rows = [
        (f"P{i}", f"p{i}@x.org", "Ashgrove Primary", "Glasgow", event, "Class Teacher", d)
        for i, d in enumerate(dates)
    ]
    return export(rows)


MONTH_FIRST = ["3/5/2024", "11/7/2023", "1/18/2024", "2/20/2024", "4/2/2024"]


def test_month_first_export_is_refused_naming_the_evidence_and_date_order():
    with pytest.raises(DataError) as err:
        from_records(dated(MONTH_FIRST), register=REGISTER, key=KEY)
    msg = str(err.value)
    # the two month-first-only values with their spreadsheet rows (header = row 1)
    assert "'1/18/2024' (row 4)" in msg and "'2/20/2024' (row 5)" in msg
    assert "month-first" in msg and "date_order=" in msg and "--date-order" in msg


def test_month_first_export_read_correctly_with_date_order_mdy():
    eco = from_records(dated(MONTH_FIRST), register=REGISTER, key=KEY, date_order="mdy")
    got = sorted(str(d.date()) for d in eco.participation["date"])
    assert got == ["2023-11-07", "2024-01-18", "2024-02-20", "2024-03-05", "2024-04-02"]
    assert len(eco.rejected) == 0
    # read as day-first these would have made a 2022-23... no: 11/7/2023 = 11 July 2023
    # (session 2022-23) beside four 2023-24 records; month-first all are 2023-24
    assert eco.sessions == ["2023-24"]


def test_dmy_given_rejects_month_first_values_with_the_other_reading_as_hint():
    eco = from_records(
        dated(MONTH_FIRST), register=REGISTER, key=KEY, date_order="dmy", errors="drop"
    )
    assert sorted(eco.rejected["row"].tolist()) == [4, 5]
    assert eco.rejected["reason"].str.contains("month-first it would be").all()
    note = eco.quality[eco.quality["message"].str.contains("date_order='dmy' given")]
    assert len(note) == 1 and "'1/18/2024' (row 4)" in note["message"].iloc[0]
    got = sorted(str(d.date()) for d in eco.participation["date"])
    assert got == ["2023-07-11", "2024-02-04", "2024-05-03"]


def test_mixed_export_is_refused_and_day_first_evidence_is_not_warned():
    with pytest.raises(DataError, match="mixed"):
        from_records(dated(["17/04/2024", "1/18/2024", "3/5/2024"]), register=REGISTER, key=KEY)
    eco = from_records(dated(["17/04/2024", "3/5/2024"]), register=REGISTER, key=KEY)
    assert sorted(str(d.date()) for d in eco.participation["date"]) == [
        "2024-04-17",
        "2024-05-03",
    ]
    assert not eco.quality["message"].str.contains("date order").any()


def test_ambiguous_only_export_read_day_first_with_a_warning():
    eco = from_records(dated(["3/5/2024", "4/6/2024"]), register=REGISTER, key=KEY)
    assert sorted(str(d.date()) for d in eco.participation["date"]) == [
        "2024-05-03",
        "2024-06-04",
    ]
    msg = eco.quality["message"]
    assert msg.str.contains("the date order cannot be told").sum() == 1


def test_iso_order_rejects_slashed_dates():
    eco = from_records(
        dated(["2024-05-03", "3/5/2024"]),
        register=REGISTER,
        key=KEY,
        date_order="iso",
        errors="drop",
    )
    assert eco.rejected["row"].tolist() == [3]
    assert "not an ISO date" in eco.rejected["reason"].iloc[0]
    with pytest.raises(ValueError, match="date_order"):
        from_records(dated(["2024-05-03"]), register=REGISTER, key=KEY, date_order="ymd")


def test_two_digit_year_95_is_rejected_not_2095():
    eco = from_records(dated(["01/09/95", "01/09/22"]), register=REGISTER, key=KEY, errors="drop")
    assert eco.sessions == ["2022-23"]  # not 2095-96
    assert eco.rejected["row"].tolist() == [2]
    reason = eco.rejected["reason"].iloc[0]
    assert "two-digit year" in reason and "2095" in reason and "four digits" in reason
    q = eco.quality[eco.quality["value"] == "(two-digit years)"]
    assert q["message"].tolist() == ["two-digit year read as 20yy (1 row)"]


def test_future_four_digit_date_is_rejected():
    eco = from_records(
        dated(["01/09/2095", "01/09/2022"]), register=REGISTER, key=KEY, errors="drop"
    )
    assert eco.sessions == ["2022-23"]
    assert "in the future" in eco.rejected["reason"].iloc[0]


def test_excel_serial_with_a_time_takes_its_day():
    # 45138.75 is 31 July 2023 18:00: session 2022-23 (1 Aug starts 2023-24)
    eco = from_records(dated([45138.75, "45138.75", 45139.0]), register=REGISTER, key=KEY)
    dates = [str(d) for d in eco.participation["date"]]
    assert dates == ["2023-07-31 00:00:00", "2023-07-31 00:00:00", "2023-08-01 00:00:00"]
    assert eco.participation["session"].tolist() == ["2022-23", "2022-23", "2023-24"]


def with_status(statuses: list[object], header: str = "Attendee Status") -> pd.DataFrame:
    df = dated(["01/09/2022"] * len(statuses))
    df[header] = statuses
    return df


def test_not_attending_rows_are_excluded_and_said():
    df = with_status(
        ["Attending", "Not Attending", "not attending ", "Did not attend", "Waitlisted"]
    )
    eco = from_records(df, register=REGISTER, key=KEY)
    assert len(eco.participation) == 1 and len(eco.rejected) == 0
    assert eco.participation["practitioner_id"].tolist() == [hm("p0@x.org")]
    q = eco.quality[eco.quality["column"] == "Attendee Status"]
    msgs = dict(zip(q["value"], q["message"], strict=True))
    assert msgs["Not Attending"].startswith("status means not attending: row excluded")
    assert msgs["Not Attending"].endswith("(1 row)") and msgs["not attending"].endswith("(1 row)")
    assert set(msgs) == {"Not Attending", "not attending", "Did not attend", "Waitlisted"}


@pytest.mark.parametrize(
    ("header", "values", "kept"),
    [("Attendance", ["Present", "Absent", "Present"], 2), ("Checked In", ["Yes", "No", "No"], 1)],
)
def test_attendance_and_checked_in_columns_are_statuses(header, values, kept):
    """An "Attendance" column of Present/Absent, a "Checked In" column of Yes/No: the
    absent rows are not attendances (an audit found every row counted, unsaid)."""
    eco = from_records(with_status(values, header=header), register=REGISTER, key=KEY)
    assert len(eco.participation) == kept
    q = eco.quality[eco.quality["column"] == header]
    assert q["message"].str.startswith("status means not attending").all() and len(q) == 1


def test_status_column_and_values_given_and_unknown_status_warned():
    df = with_status(["ok", "gone", "Maybe"], header="Outcome")
    eco = from_records(
        df, register=REGISTER, key=KEY, status_column="Outcome", exclude_status=["Gone"]
    )
    assert len(eco.participation) == 2
    q = eco.quality[eco.quality["column"] == "Outcome"]
    assert sorted(q["value"]) == ["Maybe", "gone", "ok"]
    assert q.loc[q["value"] == "Maybe", "message"].str.contains("not recognised").all()
    # () keeps every row
    keep = from_records(
        with_status(["Not Attending"]), register=REGISTER, key=KEY, exclude_status=()
    )
    assert len(keep.participation) == 1


def test_session_1_and_session_2_are_one_network_with_event_ids():
    df = pd.concat(
        [
            dated(["01/09/2022", "01/09/2022"], event="Numeracy CLN - Session 1"),
            dated(["01/10/2022"], event="Numeracy CLN (Session 2)"),
            dated(["01/11/2022"], event="Literacy Forum"),
        ],
        ignore_index=True,
    )
    df["E-mail address"] = [f"q{i}@x.org" for i in range(len(df))]
    eco = from_records(df, register=REGISTER, key=KEY)
    assert sorted(eco.networks["network_id"]) == ["literacy-forum", "numeracy-cln"]
    part = eco.participation.sort_values("date")
    assert part["network_id"].tolist() == ["numeracy-cln"] * 3 + ["literacy-forum"]
    assert part["event_id"].tolist() == [
        "numeracy-cln-session-1",
        "numeracy-cln-session-1",
        "numeracy-cln-session-2",
        "literacy-forum",
    ]
    merged = eco.quality[eco.quality["message"].str.contains("read as meetings of one network")]
    assert len(merged) == 1 and "'Numeracy CLN - Session 1'" in merged["message"].iloc[0]


def test_one_day_event_with_a_stray_date_is_reported():
    df = dated(["05/03/2024"] * 5 + ["03/05/2024"])
    eco = from_records(df, register=REGISTER, key=KEY)
    q = eco.quality[eco.quality["message"].str.contains("looks like one day")]
    assert len(q) == 1
    assert "5 on 2024-03-05, 1 on 2024-05-03" in q["message"].iloc[0]
    # a network meeting on many days, evenly, is not reported
    even = from_records(
        dated(["05/03/2024", "12/03/2024", "19/03/2024"]), register=REGISTER, key=KEY
    )
    assert not even.quality["message"].str.contains("looks like one day").any()


def test_thin_session_is_flagged_in_quality_and_limits():
    from wpnet.records import data_limits, thin_sessions

    df = dated(["01/07/2023"] + ["05/09/2023"] * 12)
    eco = from_records(df, register=REGISTER, key=KEY)
    assert thin_sessions(eco) == {"2022-23": 1}
    assert "session 2022-23" in eco.limits and "session 2022-23" in data_limits(eco)
    assert eco.quality["message"].str.contains("session 2022-23 has only 1 record").any()


def test_limits_without_register_and_without_role_column():
    eco = from_records(dated(["01/09/2022"]), key=KEY)
    assert set(eco.limits) == {"coverage", "equity", "lead_share"}
    assert "register" in eco.limits["coverage"]
    with_reg = from_records(dated(["01/09/2022"]).assign(Role=["Lead"]), register=REGISTER, key=KEY)
    assert with_reg.limits == {}
    # limits survive a selection
    assert with_reg.select(session="2022-23").limits == {}
    assert set(eco.select(session="2022-23").limits) == {"coverage", "equity", "lead_share"}


def test_validate_is_not_ok_on_a_result_with_rejected_rows_and_display_remembers():
    import wpnet

    eco = from_records(
        export(
            BASE
            + [
                (
                    "Dan",
                    "d@x.org",
                    "Nowhere Primary",
                    "Glasgow",
                    "Numeracy CLN",
                    "DHT",
                    "31/02/2023",
                )
            ]
        ),
        register=REGISTER,
        key=KEY,
        errors="drop",
    )
    assert len(eco.rejected) == 1
    assert "validated: " not in eco._repr_html_()
    report = wpnet.validate(eco)
    assert not report.ok
    # each of the row's reasons with its column and value (it said "rejected on reading:
    # ..." without them when rows were dropped; raising named them)
    err = report.errors
    assert err["row"].tolist() == [6, 6]
    assert err["column"].tolist() == ["Date", "School"]
    assert err["value"].tolist() == ["31/02/2023", "Nowhere Primary"]
    assert "FAILED" in str(report)
    html = eco._repr_html_()
    assert "validated: &lt;ValidationReport: failed, 2 errors" in html
    clean = from_records(export(BASE), register=REGISTER, key=KEY)
    assert wpnet.validate(clean).ok


def test_several_exports_read_as_one_with_rows_named_by_file(tmp_path: Path):
    a = dated(["01/09/2022", "01/09/2022"], event="Numeracy CLN Session 1")
    b = dated(["06/10/2022", "31/02/2023"], event="Numeracy CLN Session 2")
    b = b.rename(columns={"School": "Establishment", "Event": "Course"})
    b.loc[0, "E-mail address"] = "p0@x.org"  # the same person as a's first row
    a.to_csv(tmp_path / "session1.csv", index=False)
    b.to_csv(tmp_path / "session2.csv", index=False)
    eco = from_records(
        [tmp_path / "session1.csv", tmp_path / "session2.csv"],
        register=REGISTER,
        key=KEY,
        errors="drop",
    )
    assert eco.networks["network_id"].tolist() == ["numeracy-cln"]
    assert len(eco.participation) == 3 and eco.participation["practitioner_id"].nunique() == 2
    assert eco.rejected[["table", "row"]].values.tolist() == [["session2.csv", 3]]
    assert "impossible date 31/02/2023" in eco.rejected["reason"].iloc[0]
    # a duplicate across files names the file and row it copies
    c = a.iloc[:1].copy()
    c.to_csv(tmp_path / "again.csv", index=False)
    eco = from_records(
        [tmp_path / "session1.csv", tmp_path / "again.csv"],
        register=REGISTER,
        key=KEY,
        errors="drop",
    )
    assert eco.rejected["reason"].tolist() == ["duplicate of session1.csv row 2"]
    assert eco.rejected[["table", "row"]].values.tolist() == [["again.csv", 2]]
    # an exact copy is left out as a folder leaves it out: errors="raise" goes on
    eco = from_records(
        [tmp_path / "session1.csv", tmp_path / "again.csv"],
        register=REGISTER,
        key=KEY,
        errors="raise",
    )
    assert eco.rejected["reason"].tolist() == ["duplicate of session1.csv row 2"]
    said = eco.quality[(eco.quality["table"] == "again.csv").to_numpy()]
    assert said[["row", "message", "severity"]].values.tolist() == [
        [2, "duplicate of session1.csv row 2", "warning"]
    ]


def test_lead_share_limit_survives_saving_and_reading_the_export(tmp_path: Path):
    import wpnet
    from wpnet.records import data_limits

    eco = from_records(dated(["01/09/2022", "02/09/2022"]), register=REGISTER, key=KEY)
    assert "lead_share" in eco.limits
    wpnet.write_ecosystem(eco, tmp_path / "saved")
    again = wpnet.read_ecosystem(tmp_path / "saved")
    assert again.limits == eco.limits  # the flag is saved in dataset.json ...
    (tmp_path / "saved" / "dataset.json").unlink()
    again = wpnet.read_ecosystem(tmp_path / "saved")
    assert again.limits == {}
    assert (
        "no participation record has a role other than participant"
        in data_limits(again)["lead_share"]
    )  # ... and without it the data still show it
    assert "lead_share" not in data_limits(wpnet.tiny())  # tiny has a lead


def test_validate_of_a_read_folder_counts_each_rejected_row_once(tmp_path: Path):
    import wpnet

    wpnet.write_ecosystem(wpnet.tiny(), tmp_path)
    part = pd.read_csv(tmp_path / "participation.csv", dtype=str)
    part = pd.concat([part, part.iloc[[0]]], ignore_index=True)  # an exact copy: a warning
    part.loc[3, "date"] = "31/02/2023"  # an error
    part.to_csv(tmp_path / "participation.csv", index=False)
    with pytest.warns(UserWarning, match="2 of"):
        eco = wpnet.read_ecosystem(tmp_path, errors="drop")
    from_folder, from_eco = wpnet.validate(tmp_path), wpnet.validate(eco)
    assert len(from_folder.errors) == len(from_eco.errors) == 1
    assert from_eco.errors["row"].tolist() == [5]
    assert from_eco.warnings["message"].str.contains("duplicate of row 2").sum() == 1


def _with_codes(codes: list[str], schools: list[str]) -> pd.DataFrame:
    rows = [
        (f"Person {i}", f"p{i}@x.org", s, "Glasgow", "Numeracy CLN", "DHT", "01/09/2022")
        for i, s in enumerate(schools)
    ]
    out = export(rows)
    out.insert(2, "Seed Code", codes)
    return out


def test_seed_code_and_name_that_disagree_are_reported():
    register = REGISTER.copy()
    register.loc[0, "establishment_id"] = "0123"  # Ashgrove Primary
    codes = ["123", "E2", "E99", "0123", "E77"]
    schools = [
        "Ashgrove Primary",  # the code with its leading zeros lost: the name is used, said
        "Ashgrove Primary",  # the code is Barrhead High, the name Ashgrove: refused
        "Barrhead High",  # a code in no register row: the name is used, said
        "Ashgrove Primary",  # code and name agree: nothing to say
        "Nowhere Academy",  # neither is in the register: both said
    ]
    eco = from_records(_with_codes(codes, schools), register=register, key=KEY, errors="drop")
    assert eco.participation["establishment_id"].tolist() == ["0123", "E2", "0123"]
    rej = eco.rejected.set_index("row")["reason"]
    assert rej.index.tolist() == [3, 6]
    assert rej[3] == (
        "Seed Code 'E2' is 'Barrhead High' but the name 'Ashgrove Primary' is establishment "
        "0123: which one is meant cannot be told; correct the code or the name"
    )
    assert "Seed Code 'E77' is in no register row either" in rej[6]
    q = eco.quality[(eco.quality["column"] == "Seed Code").fillna(False)]
    assert q.loc[q["severity"] == "error", "row"].tolist() == [3, 6]  # the rejected rows
    q = q[q["severity"] == "warning"].set_index("row")
    assert q.loc[2, "value"] == "123" and q.loc[2, "table"] == "records"
    assert q.loc[2, "message"] == (
        "establishment matched by its name 'Ashgrove Primary' to 0123, not by its code "
        "(Seed Code '123' is '0123' with its leading zeros lost, as a spreadsheet drops "
        "them from a number) (1 row)"
    )
    assert q.loc[4, "message"].startswith(
        "establishment matched by its name 'Barrhead High' to E2, not by its code "
        "(Seed Code 'E99' is in no register row)"
    )
    assert sorted(q.index) == [2, 4]
    with pytest.raises(DataError, match=r"row 3.*Seed Code 'E2' is 'Barrhead High'"):
        from_records(_with_codes(codes[:4], schools[:4]), register=register, key=KEY)


def test_seed_code_without_a_register_is_checked_against_the_names():
    codes = ["8401234", "8401234", "8405678", "8409999"]
    schools = ["Ashgrove Primary", "Barrhead High", "Cove Primary", "Cove Primary"]
    eco = from_records(_with_codes(codes, schools), key=KEY, date_order="dmy")
    q = eco.quality[(eco.quality["column"] == "Seed Code").fillna(False)]
    assert q["row"].tolist() == [2, 4, 5]
    assert q["message"].iloc[0] == (
        "Seed Code '8401234' is given with the establishments 'Ashgrove Primary', "
        "'Barrhead High': without a register establishments are told apart by authority "
        "and name, and the code is not used (2 rows)"
    )
    assert (
        q["message"]
        .iloc[1]
        .startswith("establishment 'Cove Primary' is given with the codes '8405678', '8409999'")
    )
    assert eco.participation["establishment_id"].nunique() == 3


def test_exact_copies_are_left_out_as_a_folder_leaves_them_out():
    import wpnet

    rows = [*BASE, BASE[0], tuple(f" {v} " for v in BASE[2])]  # a copy, and one padded
    eco = from_records(export(rows), register=REGISTER, key=KEY)  # errors="raise"
    assert len(eco.participation) == 4
    assert eco.rejected[["row", "reason"]].values.tolist() == [
        [6, "duplicate of row 2"],
        [7, "duplicate of row 4"],
    ]
    q = eco.quality
    copies = q[q["message"].str.startswith("duplicate of row").to_numpy()]
    assert copies[["row", "severity"]].values.tolist() == [[6, "warning"], [7, "warning"]]
    assert (
        q["message"]
        .str.startswith("2 rows are exact copies of earlier rows: left out")
        .fillna(False)
        .sum()
        == 1
    )
    # and the report's check of the Ecosystem counts them as a folder's: no error
    report = wpnet.validate(eco)
    assert len(report.errors) == 0
    # a row with the same attendance but another job title is no copy: still an error
    other = [*BASE, (*BASE[0][:5], "Class Teacher", BASE[0][6])]
    with pytest.raises(DataError, match=r"row 6.*as on row 2 \(other cells differ\)"):
        from_records(export(other), register=REGISTER, key=KEY)
    # in several exports the row it repeats is named by file and row
    eco = from_records(
        [export(BASE[:1]), export(other[-1:])], register=REGISTER, key=KEY, errors="drop"
    )
    assert eco.rejected[["table", "row"]].values.tolist() == [["records[1]", 2]]
    assert "as on records[0] row 2 (other" in eco.rejected["reason"].iloc[0]
