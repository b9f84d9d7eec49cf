"""map_data's vectorised counting against plain references.

The counts on the page (practitioners, networks, establishments, session bitmasks) and
the memberships list are compared with a straightforward computation from
``eco.records`` (Python sets per unit), on the hand-worked tiny ecosystem and on random
synthetic ones; the private counting helpers are compared with pandas ``groupby``.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

import wpnet
import wpnet.datasets
from wpnet.maps.interactive import (
    _distinct_count,
    _distinct_rows,
    _pair_bits,
    _session_bits,
    _sorted_codes,
    map_data,
)
from wpnet.privacy import suppress


def _reference(eco: wpnet.Ecosystem) -> dict[str, dict]:
    """Per-unit sets and bitmasks, one record at a time (no pandas grouping)."""
    rec = eco.records
    rec = rec[rec["establishment_id"].notna() & rec["network_id"].notna()]
    session = rec["session"].astype("string").fillna("(undated)").astype(str).tolist()
    sessions = sorted(set(session))
    bit = {s: 1 << i for i, s in enumerate(sessions)}
    out: dict[str, dict] = {k: defaultdict(set) for k in ("prac", "nets", "ests", "mask", "pair")}
    rows = zip(
        rec["establishment_id"].astype(str),
        rec["network_id"].astype(str),
        rec["practitioner_id"],
        session,
        strict=True,
    )
    for e, k, p, s in rows:
        if not pd.isna(p):
            out["prac"][e].add(p)
            out["prac"][k].add(p)
        out["nets"][e].add(k)
        out["ests"][k].add(e)
        out["mask"][e].add(bit[s])
        out["mask"][k].add(bit[s])
        out["pair"][(e, k)].add(bit[s])
    out["sessions"] = sessions
    return out


def _memberships(data: dict) -> list[tuple[str, str, int]]:
    ids = [n["id"] for n in data["nodes"]]
    m = data["memberships"]
    return [(ids[m[i]], ids[m[i + 1]], m[i + 2]) for i in range(0, len(m), 3)]


def _check_unsuppressed(eco: wpnet.Ecosystem) -> None:
    ref = _reference(eco)
    data = map_data(eco, backbone=None, min_cell=1)
    assert data["sessions"] == ref["sessions"]
    nodes = data["nodes"]
    ests = [n for n in nodes if n["kind"] == "establishment"]
    nets = [n for n in nodes if n["kind"] == "network"]
    assert [n["id"] for n in ests] == sorted(ref["nets"])
    assert [n["id"] for n in nets] == sorted(ref["ests"])
    for n in ests:
        e = n["id"]
        assert n["practitioners"] == len(ref["prac"][e])
        assert n["networks"] == len(ref["nets"][e])
        assert n["sessions"] == sum(ref["mask"][e])
    for n in nets:
        k = n["id"]
        assert n["practitioners"] == len(ref["prac"][k])
        assert n["establishments"] == len(ref["ests"][k])
        assert n["sessions"] == sum(ref["mask"][k])
    expected = [(e, k, sum(bits)) for (e, k), bits in sorted(ref["pair"].items())]
    assert _memberships(data) == expected


def test_tiny_counts_by_hand() -> None:
    # hand-worked from the records listed in wpnet.datasets.tiny (see test_maps_interactive)
    data = map_data(wpnet.tiny(), backbone=None, min_cell=1)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert {k: nodes[k]["practitioners"] for k in ("N1", "N2", "N3")} == {
        "N1": 4,  # P1, P2, P4, P7
        "N2": 2,  # P3, P5
        "N3": 1,  # P6
    }
    assert {k: nodes[k]["establishments"] for k in ("N1", "N2", "N3")} == {
        "N1": 4,
        "N2": 2,
        "N3": 1,
    }
    assert nodes["E4"]["networks"] == 2 and nodes["E4"]["practitioners"] == 2
    assert nodes["E1"]["sessions"] == 3 and nodes["E3"]["sessions"] == 1
    assert nodes["E1"]["practitioners"] == 2
    assert _memberships(data) == [
        ("C1", "N1", 2),
        ("E1", "N1", 3),
        ("E2", "N2", 3),
        ("E3", "N1", 1),
        ("E4", "N1", 2),
        ("E4", "N2", 2),
        ("E5", "N3", 2),
    ]
    _check_unsuppressed(wpnet.tiny())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_ecosystems_match_plain_counts(seed: int) -> None:
    eco = wpnet.datasets.synthetic(
        establishments=60, practitioners=300, networks=12, records=1500, sessions=3, seed=seed
    )
    _check_unsuppressed(eco)


@pytest.mark.parametrize("seed", [3, 4])
def test_random_suppression_matches_reference(seed: int) -> None:
    """With min_cell=5, shown counts are privacy.suppress of the plain counts, and the
    lines of a network with < 5 practitioners from >= 4 establishments are not drawn."""
    eco = wpnet.datasets.synthetic(
        establishments=60, practitioners=120, networks=15, records=600, sessions=2, seed=seed
    )
    ref = _reference(eco)
    data = map_data(eco, backbone=None, min_cell=5)
    est_ids, net_ids = sorted(ref["nets"]), sorted(ref["ests"])
    est_n = [len(ref["prac"][e]) for e in est_ids]
    net_n = np.array([len(ref["prac"][k]) for k in net_ids])
    net_e = np.array([len(ref["ests"][k]) for k in net_ids])
    unlined = {k for k, p, n in zip(net_ids, net_n, net_e, strict=True) if p < 5 and n >= 4}
    shown_e = suppress(pd.DataFrame({"n": est_n}, index=est_ids), 5, totals="columns")["n"]
    sup_n = suppress(
        pd.DataFrame({"n": net_n}, index=net_ids),
        5,
        totals="columns",
        lower=np.where([k in unlined for k in net_ids], 1, net_e),
    )
    nodes = {n["id"]: n for n in data["nodes"]}
    assert [nodes[e]["practitioners"] for e in est_ids] == shown_e.tolist()
    assert [nodes[k]["practitioners"] for k in net_ids] == sup_n["n"].tolist()
    hidden = sup_n.attrs["suppressed"]["n"]
    assert [nodes[k]["establishments"] for k in net_ids] == [
        "*" if hidden[k] else int(n) for k, n in zip(net_ids, net_e, strict=True)
    ]
    expected = [
        (e, k, sum(bits)) for (e, k), bits in sorted(ref["pair"].items()) if k not in unlined
    ]
    assert _memberships(data) == expected
    assert (data["membershipsNote"] is None) == (not unlined)


@pytest.mark.parametrize("seed", range(5))
def test_helpers_match_groupby(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    unit = rng.integers(0, 30, n)
    other = rng.integers(0, 50, n)
    sess = rng.integers(0, 6, n)
    frame = pd.DataFrame({"u": unit, "o": other, "s": sess, "b": 1 << sess})
    want = frame.groupby("u")["o"].nunique().reindex(range(32), fill_value=0)
    assert _distinct_count(unit, other, 32).tolist() == want.tolist()
    bits = frame.drop_duplicates(["u", "s"]).groupby("u")["b"].sum()
    assert (
        _session_bits(unit, sess, 32, 6).tolist() == bits.reindex(range(32), fill_value=0).tolist()
    )
    pair = frame.drop_duplicates(["u", "o", "s"]).groupby(["u", "o"])["b"].sum()
    e, k, m = _pair_bits(unit, other, sess, 50, 6)
    assert list(zip(e.tolist(), k.tolist(), m.tolist(), strict=True)) == [
        (a, b, c) for (a, b), c in pair.items()
    ]


def test_sorted_codes_labels_like_astype_str() -> None:
    values = pd.Series(["b", "a", None, "b", "c"], dtype="string")
    codes, labels = _sorted_codes(values, missing="(undated)")
    text = values.astype("string").fillna("(undated)").astype(str)
    assert labels == sorted(set(text))
    assert [labels[c] for c in codes] == text.tolist()
    mixed = pd.Series([3, "3", 10, 2], dtype=object)  # 3 and "3" share a label
    codes, labels = _sorted_codes(mixed)
    assert labels == ["10", "2", "3"]
    assert codes.tolist() == [2, 2, 0, 1]
    with pytest.raises(ValueError, match="missing"):
        _sorted_codes(pd.Series(["a", None], dtype="string"))


@pytest.mark.parametrize("scale", [1, 2**40])  # packed int64 key, and drop_duplicates
def test_distinct_rows_match_drop_duplicates(scale: int) -> None:
    rng = np.random.default_rng(7)
    a = rng.integers(-1, 20, 500) * scale
    b = rng.integers(-1, 20, 500) * scale
    a[a < 0] = -1
    b[b < 0] = -1
    c = rng.integers(0, 3, 500)
    want = pd.DataFrame({"a": a, "b": b, "c": c}).drop_duplicates()
    got = _distinct_rows(a, b, c)
    assert [x.tolist() for x in got] == [want[k].tolist() for k in "abc"]


def test_layouts_in_worker_processes_match_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import wpnet.maps.interactive as mi

    eco = wpnet.datasets.synthetic(
        establishments=80, practitioners=300, networks=10, records=1200, sessions=2, seed=9
    )
    monkeypatch.setenv("WPNET_WORKERS", "1")
    one = map_data(eco, backbone=None)
    monkeypatch.setattr(mi, "PARALLEL_LAYOUT_NODES", 0)
    monkeypatch.setenv("WPNET_WORKERS", "2")
    calls = []
    real = mi.parallel_map
    monkeypatch.setattr(
        mi, "parallel_map", lambda *a, **k: calls.append(k["workers"]) or real(*a, **k)
    )
    two = map_data(eco, backbone=None)
    assert calls == [None]  # the pool was asked for (WPNET_WORKERS=2)
    assert len(one["authorities"]) >= 2
    assert two == one
