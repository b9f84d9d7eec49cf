"""Ecosystem.select's fast path (rows of the parent's records, no re-coercion) against
independent oracles: the public constructor on the selected tables, and the records
attributed with plain pandas merges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import wpnet
from wpnet.ecosystem import Ecosystem


def _random_tables(seed: int, *, repeat_ids: bool = False) -> dict[str, pd.DataFrame]:
    """Small random tables: records without an establishment, records naming one not
    in the register, practitioners whose home is missing, dated and undated ties."""
    rng = np.random.default_rng(seed)
    n_est, n_prac, n_net, n_rec = 12, 30, 5, 200
    est = pd.DataFrame(
        {
            "establishment_id": [f"E{i}" for i in range(n_est)],
            "name": [f"School {i}" for i in range(n_est)],
            "authority": rng.choice(["Fife", "Angus", "Moray"], n_est),
            "sector": rng.choice(["primary", "secondary", "special"], n_est),
            "simd_quintile": rng.integers(1, 6, n_est),
        }
    )
    homes = rng.choice([*est.establishment_id, None, "E99"], n_prac)
    prac = pd.DataFrame(
        {
            "practitioner_id": [f"P{i}" for i in range(n_prac)],
            "establishment_id": homes,
            "level": rng.choice(["class teacher", "middle_leader", None], n_prac),
        }
    )
    net = pd.DataFrame(
        {
            "network_id": [f"N{i}" for i in range(n_net)],
            "name": [f"Network {i}" for i in range(n_net)],
            "workstream": rng.choice(["Forums", "Programmes"], n_net),
        }
    )
    dates = pd.Timestamp("2021-08-01") + pd.to_timedelta(rng.integers(0, 3 * 365, n_rec), "D")
    part = pd.DataFrame(
        {
            "practitioner_id": rng.choice(prac.practitioner_id, n_rec),
            "network_id": rng.choice(net.network_id, n_rec),
            "date": dates,
            "establishment_id": rng.choice([*est.establishment_id, None, None, "E77"], n_rec),
            "role": rng.choice(["participant", "lead", None], n_rec),
            "hours": rng.choice([1.0, 2.5, np.nan], n_rec),
        }
    )
    ties = pd.DataFrame(
        {
            "source": rng.choice(prac.practitioner_id, 40),
            "target": rng.choice(prac.practitioner_id, 40),
            "date": rng.choice([pd.Timestamp("2022-03-01"), pd.NaT], 40),
        }
    )
    if repeat_ids:
        # the same practitioner twice with different homes; an establishment twice
        prac = pd.concat([prac, prac.iloc[[0]].assign(establishment_id="E1")], ignore_index=True)
        est = pd.concat([est, est.iloc[[2]].assign(authority="Fife")], ignore_index=True)
    names = ("establishments", "practitioners", "networks", "participation", "ties")
    return dict(zip(names, (est, prac, net, part, ties), strict=True))


def _merged_records(eco: Ecosystem) -> pd.DataFrame:
    """Records attributed with plain pandas merges (the first row of a repeated id)."""
    part = eco.participation
    prac = eco.practitioners.drop_duplicates("practitioner_id")
    est = eco.establishments.drop_duplicates("establishment_id")
    net = eco.networks.drop_duplicates("network_id")
    home = part[["practitioner_id"]].merge(
        prac[["practitioner_id", "establishment_id", "level"]], on="practitioner_id", how="left"
    )
    est_id = part["establishment_id"].fillna(pd.Series(home["establishment_id"].array))
    at = pd.DataFrame({"establishment_id": est_id}).merge(
        est[["establishment_id", "authority", "sector", "simd_quintile"]],
        on="establishment_id",
        how="left",
    )
    ws = part[["network_id"]].merge(net[["network_id", "workstream"]], on="network_id", how="left")
    return pd.DataFrame(
        {
            "practitioner_id": part["practitioner_id"].to_numpy(dtype=object),
            "network_id": part["network_id"].to_numpy(dtype=object),
            "date": part["date"].to_numpy(),
            "session": part["session"].to_numpy(dtype=object),
            "role": part["role"].to_numpy(dtype=object),
            "lead": (part["role"] != "participant").to_numpy(dtype=bool),
            "hours": part["hours"].to_numpy(dtype=float, na_value=np.nan),
            "establishment_id": est_id.to_numpy(dtype=object),
            "authority": at["authority"].to_numpy(dtype=object),
            "sector": at["sector"].to_numpy(dtype=object),
            "simd_quintile": at["simd_quintile"].to_numpy(dtype=float, na_value=np.nan),
            "workstream": ws["workstream"].to_numpy(dtype=object),
            "level": home["level"].to_numpy(dtype=object),
        }
    )


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values only (missing as NaN/None), for comparing with the merged oracle."""
    out = {}
    for c in frame.columns:
        s = frame[c]
        if c in ("hours", "simd_quintile"):
            out[c] = s.to_numpy(dtype=float, na_value=np.nan)
        elif c in ("date", "lead"):
            out[c] = s.to_numpy()
        else:
            out[c] = s.astype(object).where(s.notna(), None).to_numpy(dtype=object)
    return pd.DataFrame(out)


def _rebuilt(child: Ecosystem) -> Ecosystem:
    """The same selection through the public constructor (coercion, sessions, records)."""
    return Ecosystem(
        child.establishments,
        child.practitioners,
        child.networks,
        child.participation.drop(columns="session"),
        child.ties,
    )


SELECTIONS = [
    {"session": "2022-23"},
    {"session": ["2021-22", "2023-24"]},
    {"authority": "Fife"},
    {"authority": ["Angus", "Moray"], "session": "2022-23"},
    {"sector": "primary"},
    {"workstream": "Forums"},
    {"network": ["N0", "N3"], "sector": ["secondary", "special"]},
]


@pytest.mark.parametrize("repeat_ids", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_select_equals_constructor_and_merged_records(seed, repeat_ids):
    eco = Ecosystem(**_random_tables(seed, repeat_ids=repeat_ids))
    pd.testing.assert_frame_equal(_plain(eco.records), _merged_records(eco))
    for args in SELECTIONS:
        if any(
            v not in set(eco.records[c].dropna())
            for k, vs in args.items()
            for c in [{"network": "network_id"}.get(k, k)]
            for v in ([vs] if isinstance(vs, str) else vs)
        ):
            continue  # a value the random data lacks: select refuses it (tested elsewhere)
        child = eco.select(**args)
        again = _rebuilt(child)
        for table in ("establishments", "practitioners", "networks", "participation", "ties"):
            pd.testing.assert_frame_equal(getattr(child, table), getattr(again, table))
        pd.testing.assert_frame_equal(child.records, again.records)
        pd.testing.assert_frame_equal(_plain(child.records), _merged_records(child))
        # and the kept records are exactly the parent's matching rows
        rec = eco.records
        keep = np.ones(len(rec), dtype=bool)
        for k, vs in args.items():
            col = {"network": "network_id"}.get(k, k)
            keep &= rec[col].isin([vs] if isinstance(vs, str) else vs).fillna(False).to_numpy()
        assert len(child.records) == int(keep.sum())
        if not repeat_ids:
            pd.testing.assert_frame_equal(
                child.records, rec.loc[keep].reset_index(drop=True), check_exact=True
            )


def test_select_of_a_selection_equals_one_selection():
    eco = wpnet.synthetic(
        establishments=60, practitioners=400, networks=12, records=3000, sessions=3, seed=1
    )
    s = eco.sessions[-1]
    a = sorted(eco.records["authority"].dropna().unique())[0]
    twice = eco.select(session=s).select(authority=a)
    once = eco.select(session=s, authority=a)
    for table in ("establishments", "participation", "records"):
        pd.testing.assert_frame_equal(getattr(twice, table), getattr(once, table))
    pd.testing.assert_frame_equal(once.records, _rebuilt(once).records)


def test_select_result_tables_are_not_shared_with_the_parent():
    eco = Ecosystem(**_random_tables(0))
    child = eco.select(session="2022-23")
    rec = child.records
    rec.loc[:, "authority"] = "changed"
    assert "changed" not in set(child.records["authority"].dropna())
    assert "changed" not in set(eco.records["authority"].dropna())
