import warnings

import numpy as np
import pandas as pd
import pytest

import wpnet


def test_records_attribute_to_record_establishment_then_home(tiny):
    rec = tiny.records
    p4 = rec[rec.practitioner_id == "P4"].sort_values("date")
    # 31 July 2022: no establishment on the record -> home E3 (Inverclyde), session 2021-22
    assert p4.establishment_id.tolist() == ["E3", "E4"]
    assert p4.session.tolist() == ["2021-22", "2022-23"]
    assert p4.sector.tolist() == ["primary", "special"]


def test_lead_flag_is_any_role_but_participant(tiny):
    rec = tiny.records
    assert sorted(rec.loc[rec.lead, "practitioner_id"]) == ["P2", "P3", "P7"]


def test_select_session_keeps_register_whole(tiny2223):
    assert len(tiny2223.participation) == 7
    assert len(tiny2223.establishments) == 7  # the register is the coverage denominator
    assert tiny2223.sessions == ["2022-23"]


def test_select_authority_uses_attributed_establishment(tiny):
    inv = tiny.select(authority="Inverclyde")
    assert sorted(inv.records.establishment_id) == ["E3", "E4", "E4"]
    assert sorted(inv.establishments.establishment_id) == ["E3", "E4"]


def test_select_lists_and_unknown_values(tiny):
    two = tiny.select(workstream=["Forums", "Curricular networks"])
    assert set(two.participation.network_id) == {"N2", "N3"}
    with pytest.raises(ValueError, match=r"select\(authority=...\).*'Fife'"):
        tiny.select(authority="Fife")


def test_ecosystem_is_not_mutated_through_its_tables(tiny):
    t = tiny.establishments
    t.loc[0, "name"] = "changed"
    assert tiny.establishments.loc[0, "name"] == "Ashgrove Primary"


def test_repr_html_shows_authorities_and_sessions(tiny):
    h = tiny._repr_html_()
    assert "Glasgow City" in h and "2022-23" in h and "Data quality" in h


def test_lazy_public_api_names_resolve():
    assert wpnet.Ecosystem is wpnet.ecosystem.Ecosystem
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        wpnet.nope  # noqa: B018


def test_summary_counts(tiny):
    s = tiny.summary()
    assert s.loc["Glasgow City", ("2022-23", "records")] == 4
    assert s.loc["Inverclyde", ("2021-22", "practitioners")] == 1
    assert isinstance(s, pd.DataFrame)


def test_selections_and_projections_are_remembered(tiny):
    from wpnet.graphs import projection

    a = tiny.select(session="2022-23")
    assert tiny.select(session=["2022-23"]) is not a  # a list is a different call
    assert tiny.select(session="2022-23") is a
    p = projection(a, onto="establishment")
    assert projection(a, onto="establishment") is p
    assert projection(a, onto="establishment", backbone="threshold", min_weight=1) is not p
    # only the most recent MEMO_SIZE results are kept
    for k in range(tiny.MEMO_SIZE + 1):
        projection(a, onto="establishment", backbone="threshold", min_weight=k + 1)
    assert projection(a, onto="establishment") is not p


# ---- a table built in code is read as the readers read a file ---------------------------
def _tables(eco):
    return (
        eco.establishments,
        eco.practitioners,
        eco.networks,
        eco.participation.drop(columns="session"),
    )


def test_blank_record_establishment_names_none_so_the_home_counts(tiny):
    """MEASURES.md: a record naming no establishment is attributed to the practitioner's
    home. "" and white space name none, as in a file; before, "" was an establishment."""
    est, prac, net, part = _tables(tiny)
    part = part.astype({"establishment_id": object})
    named = part["establishment_id"].notna()
    blanks = ["", " ", "\u00a0", "N/A", "  \t"] * 2
    part.loc[~named, "establishment_id"] = blanks[: int((~named).sum())]
    eco = wpnet.Ecosystem(est, prac, net, part)
    assert eco.records["establishment_id"].tolist() == tiny.records["establishment_id"].tolist()
    # hand-worked on tiny (all sessions): six establishments in three authorities reached
    row = wpnet.reach(eco).iloc[0]
    assert (row["establishments"], row["authorities"]) == (6, 3)
    assert row["coverage"] == pytest.approx(5 / 6)
    pd.testing.assert_frame_equal(wpnet.reach(eco), wpnet.reach(tiny))
    assert wpnet.validate(eco).ok


def test_roles_and_vocabularies_map_through_their_aliases(tiny):
    est, prac, net, part = _tables(tiny)
    part = part.astype({"role": object})
    part["role"] = [
        "Participant",
        " network lead ",
        "",
        "Attendee",
        None,
        "LEAD",
        "participant",
        "participant",
        "Facilitator",
        "participant",
    ]
    est = est.astype({"sector": object})
    est.loc[0, "sector"] = " ELC "
    eco = wpnet.Ecosystem(est, prac, net, part)
    assert eco.participation["role"].tolist() == [
        "participant",
        "lead",
        "participant",
        "participant",
        "participant",
        "lead",
        "participant",
        "participant",
        "facilitator",
        "participant",
    ]
    assert eco.establishments.loc[0, "sector"] == "early_years"
    # hand-worked: P4 (rows 1 and 5) and P7 (row 8, facilitator) lead; P3's role "" is
    # missing, so participant: 2 of the 7 practitioners
    assert sorted(eco.records.loc[eco.records["lead"], "practitioner_id"].unique()) == ["P4", "P7"]
    assert wpnet.reach(eco).iloc[0]["lead_share"] == pytest.approx(2 / 7)


def test_whole_number_ids_become_their_digits():
    est = pd.DataFrame(
        {
            "establishment_id": [101, 102],
            "name": ["A", "B"],
            "authority": ["Glasgow", "Inverclyde"],
            "sector": ["primary"] * 2,
        }
    )
    prac = pd.DataFrame(
        {
            "practitioner_id": [1.0, 2.0],
            "establishment_id": [101.0, 102.0],
            "level": ["Class Teacher", "DHT"],
        }
    )
    net = pd.DataFrame({"network_id": ["N1"], "name": ["Net"], "workstream": ["W"]})
    part = pd.DataFrame(
        {
            "practitioner_id": [1.0, 2.0],
            "network_id": ["N1", "N1"],
            "date": ["2023-02-01", "2023-02-02"],
            "establishment_id": [np.nan, 102.0],
        }
    )
    eco = wpnet.Ecosystem(est, prac, net, part)
    assert eco.records["establishment_id"].tolist() == ["101", "102"]
    assert eco.records["authority"].tolist() == ["Glasgow City", "Inverclyde"]
    assert eco.practitioners["level"].tolist() == ["practitioner", "senior_leader"]
    assert wpnet.validate(eco).ok


def test_whole_numbers_among_text_become_their_digits_too():
    """A column of mixed cells (text ids and a float, as code or a spreadsheet gives)
    reads its whole numbers as a float column does: the practitioner's home 102.0 is
    establishment "102", so the record is attributed there (an audit found it became
    an unregistered establishment "102.0")."""
    est = pd.DataFrame(
        {
            "establishment_id": ["102", "S2"],
            "name": ["A", "B"],
            "authority": ["Glasgow City", "Inverclyde"],
            "sector": ["primary"] * 2,
        }
    )
    prac = pd.DataFrame(
        {
            "practitioner_id": ["p1", 7.0, "p3"],
            "establishment_id": [102.0, "S2", 102.5],
            "level": ["practitioner"] * 3,
        }
    )
    net = pd.DataFrame({"network_id": ["N1"], "name": ["Net"], "workstream": ["W"]})
    part = pd.DataFrame(
        {
            "practitioner_id": ["p1", "7"],
            "network_id": ["N1", "N1"],
            "date": ["2022-10-01"] * 2,
        }
    )
    eco = wpnet.Ecosystem(est, prac, net, part)
    assert eco.practitioners["practitioner_id"].tolist() == ["p1", "7", "p3"]
    assert eco.practitioners["establishment_id"].tolist() == ["102", "S2", "102.5"]
    assert eco.records["authority"].tolist() == ["Glasgow City", "Inverclyde"]
    assert sorted(wpnet.project(eco).nodes) == ["102", "S2"]


def test_a_value_the_readers_reject_raises_naming_table_row_column_value(tiny):
    est, prac, net, part = _tables(tiny)
    part = part.astype({"role": object, "date": object})
    part.loc[3, "role"] = "boss"
    part.loc[5, "date"] = "31/02/2023"
    est = est.astype({"simd_quintile": object})
    est.loc[1, "simd_quintile"] = "Q1"
    with pytest.raises(wpnet.DataError) as err:
        wpnet.Ecosystem(est, prac, net, part)
    got = err.value.problems[["table", "row", "column", "value"]].values.tolist()
    # rows as in a file written from the table: header row 1, position 0 is row 2
    assert sorted(got) == [
        ["establishments", 3, "simd_quintile", "Q1"],
        ["participation", 5, "role", "boss"],
        ["participation", 7, "date", "31/02/2023"],
    ]
    assert "participation table, row 5, column role, value 'boss'" in str(err.value)


def test_a_code_built_date_column_read_day_first_is_said(tiny):
    """Dates that could be read either way, in a table built in code: read day-first,
    with a warning, as the readers say it in the quality log (it was silent)."""
    est, prac, net, part = _tables(tiny)
    part = part.assign(date=[f"{i % 12 + 1:02d}/01/2023" for i in range(len(part))])
    with pytest.warns(UserWarning, match="participation table, column date: the date order"):
        eco = wpnet.Ecosystem(est, prac, net, part)
    assert str(eco.participation["date"].iloc[1].date()) == "2023-01-02"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wpnet.Ecosystem(est, prac, net, part, date_order="dmy")  # said: nothing assumed


def test_dates_follow_the_readers_order_rules(tiny):
    est, prac, net, part = _tables(tiny)
    # month-first: 02/13 can only be month-first and 03/04 could be either -> refused
    part = part.assign(
        date=[
            "09/10/2021",
            "07/31/2022",
            "10/01/2021",
            "08/01/2022",
            "09/15/2022",
            "10/01/2022",
            "11/01/2022",
            "01/10/2023",
            "02/01/2023",
            "03/01/2023",
        ]
    )
    with pytest.raises(wpnet.DataError, match="date_order"):
        wpnet.Ecosystem(est, prac, net, part)
    eco = wpnet.Ecosystem(est, prac, net, part, date_order="mdy")
    assert eco.participation["date"].tolist() == tiny.participation["date"].tolist()
    assert eco.sessions == tiny.sessions


def test_missing_required_values_pass_and_validate_reports_them(tiny):
    est, prac, net, part = _tables(tiny)
    part = part.astype({"network_id": object})
    part.loc[2, "network_id"] = "  "
    eco = wpnet.Ecosystem(est, prac, net, part)
    assert pd.isna(eco.participation.loc[2, "network_id"])
    report = wpnet.validate(eco)
    assert not report.ok
    assert report.errors[["row", "column"]].values.tolist() == [[4, "network_id"]]
