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
