"""The shipped example and the synthetic generator: sizes, determinism, calibration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wpnet
from wpnet.datasets import EXAMPLE, example_readme
from wpnet.schema import AUTHORITIES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def example():
    return wpnet.load_example()


@pytest.fixture(scope="module")
def small():
    return wpnet.synthetic(
        establishments=120, practitioners=1500, networks=30, records=6000, seed=3
    )


def test_example_meets_the_issue_sizes(example):
    est = example.establishments
    assert set(est["authority"]) == set(AUTHORITIES)
    assert (est["sector"] != "central").sum() >= 1000
    assert (est["sector"] == "central").sum() == 8
    assert example.sessions == ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]
    assert len(example.networks) >= 100
    assert example.networks["workstream"].nunique() >= 6
    assert len(example.practitioners) >= 20_000
    assert len(example.participation) >= 100_000


def test_example_is_the_documented_call():
    """The stored example is exactly synthetic(**EXAMPLE) on this numpy."""
    again = wpnet.synthetic(**EXAMPLE)
    stored = wpnet.load_example()
    for table in ("establishments", "practitioners", "networks", "participation", "ties"):
        pd.testing.assert_frame_equal(getattr(again, table), getattr(stored, table))


def test_csv_copies_match_the_packaged_tables(example):
    folder = ROOT / "datasets" / "west_partnership"
    for table in ("establishments", "practitioners", "networks", "participation"):
        csv = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
        ours = getattr(example, table)
        assert len(csv) == len(ours)
        key = csv.columns[0]
        assert list(csv[key]) == list(ours[key].astype(str))
    assert (folder / "README.md").read_text(encoding="utf-8") == example_readme()


def test_synthetic_is_deterministic_and_seeded():
    a = wpnet.synthetic(establishments=40, practitioners=300, networks=15, records=900, seed=7)
    b = wpnet.synthetic(establishments=40, practitioners=300, networks=15, records=900, seed=7)
    c = wpnet.synthetic(establishments=40, practitioners=300, networks=15, records=900, seed=8)
    pd.testing.assert_frame_equal(a.participation, b.participation)
    assert not a.participation["practitioner_id"].equals(c.participation["practitioner_id"])


def test_synthetic_sizes_are_exact(small):
    assert (small.establishments["sector"] != "central").sum() == 120
    assert len(small.practitioners) == 1500
    assert len(small.networks) == 30
    assert len(small.participation) == 6000
    assert small.establishments["establishment_id"].is_unique
    assert small.practitioners["practitioner_id"].is_unique
    # every reference resolves
    assert small.participation["practitioner_id"].isin(small.practitioners["practitioner_id"]).all()
    assert small.participation["network_id"].isin(small.networks["network_id"]).all()
    assert (
        small.participation["establishment_id"].isin(small.establishments["establishment_id"]).all()
    )
    assert (
        small.practitioners["establishment_id"].isin(small.establishments["establishment_id"]).all()
    )
    # one row per practitioner per network per occasion
    assert not small.participation.duplicated(["practitioner_id", "network_id", "event_id"]).any()


def test_fewer_records_than_practitioner_sessions_still_exact():
    eco = wpnet.synthetic(establishments=30, practitioners=500, networks=10, records=200, seed=1)
    assert len(eco.participation) == 200


def test_sessions_as_a_number():
    eco = wpnet.synthetic(
        establishments=30, practitioners=200, networks=10, records=800, sessions=2, seed=1
    )
    assert eco.sessions == ["2022-23", "2023-24"]


@pytest.mark.parametrize("arg", ["establishments", "practitioners", "networks", "records"])
def test_sizes_must_be_positive(arg):
    with pytest.raises(ValueError, match=arg):
        wpnet.synthetic(**{arg: 0})


def test_simd_skew_follows_the_councils(example):
    est = example.establishments
    mean = est[est["sector"] != "central"].groupby("authority")["simd_quintile"].mean()
    for deprived in ("Glasgow City", "Inverclyde"):
        for affluent in ("East Dunbartonshire", "East Renfrewshire"):
            assert mean[deprived] + 1 < mean[affluent]


def test_sizes_follow_the_councils(example):
    n = example.establishments.groupby("authority").size()
    assert n.idxmax() == "Glasgow City"
    assert n.idxmin() == "Inverclyde"


def test_participation_grows_dips_and_moves_online(example):
    r = example.records
    per = r.groupby("session")["practitioner_id"].nunique()
    assert per["2020-21"] < per["2019-20"] < per["2021-22"] < per["2023-24"]
    mode = example.participation.groupby("session")["mode"].apply(lambda s: (s == "online").mean())
    assert mode["2020-21"] == 1.0
    assert mode["2019-20"] < 0.5 and mode["2022-23"] < 0.6


def test_about_half_return_next_session(example):
    r = example.records
    by = {k: set(v) for k, v in r.groupby("session")["practitioner_id"]}
    s = sorted(by)
    for a, b in zip(s, s[1:], strict=False):
        share = len(by[a] & by[b]) / len(by[a])
        assert 0.4 <= share <= 0.6


def test_leads_and_movers_exist(example):
    r = example.records
    assert set(r["role"]) >= {"participant", "lead", "facilitator", "presenter"}
    places = r.groupby("practitioner_id")["establishment_id"].nunique()
    assert (places > 1).sum() >= 100
    home = example.practitioners.set_index("practitioner_id")["establishment_id"]
    moved = places[places > 1].index
    last = r[r["practitioner_id"].isin(moved)].sort_values("date").groupby("practitioner_id").last()
    assert (last["establishment_id"] == home.reindex(last.index)).all()


def test_membership_follows_how_partnerships_work(example):
    r = example.records.merge(example.networks[["network_id", "lead_authority"]], on="network_id")
    sec = r.groupby("workstream")["sector"].apply(lambda s: (s == "secondary").mean())
    assert sec["Curricular networks"] > 0.8
    same = (r["authority"] == r["lead_authority"]).groupby(r["workstream"]).mean()
    assert same["Forums"] > 0.6 and same["Collaborative learning networks"] > 0.5
    assert same["Professional learning (CLPL)"] < 0.35
    # partnership-wide programmes mix all eight authorities
    per_net = (
        r[r["workstream"] == "Professional learning (CLPL)"]
        .groupby("network_id")["authority"]
        .nunique()
    )
    assert per_net.max() == 8
    # forums draw their sector
    f = r[r["workstream"] == "Forums"]
    names = example.networks.set_index("network_id")["name"]
    prim = f[f["network_id"].map(names).str.startswith("Primary forum")]
    assert (prim["sector"].isin(["primary", "central"])).mean() > 0.8


def test_a_minority_of_establishments_broker_between_authorities(example):
    r = example.records.merge(example.networks[["network_id", "lead_authority"]], on="network_id")
    r = r[r["sector"] != "central"]
    other = (r["authority"] != r["lead_authority"]).groupby(r["establishment_id"]).sum()
    nets = r.groupby("establishment_id")["network_id"].nunique()
    top = nets >= nets.quantile(0.9)
    assert top.mean() < 0.2
    assert other[top].mean() > 2 * other[~top].mean()


def test_quintile_one_participation_is_uneven(example):
    r = example.records
    est = example.establishments
    est = est[est["sector"] != "central"].set_index("establishment_id")
    nets = r.groupby("establishment_id")["network_id"].nunique().reindex(est.index, fill_value=0)
    per_roll = nets / np.sqrt(est["roll"].astype(float))
    cv = per_roll.groupby(est["simd_quintile"]).agg(lambda s: s.std() / s.mean())
    assert cv[1] > cv[[2, 3, 4, 5]].max()
