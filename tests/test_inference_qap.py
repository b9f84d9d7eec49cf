"""qap: coefficients are OLS on the dyads, the permutation distribution is the hand
loop's, a planted same-authority effect is found and an absent SIMD effect is not."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from _inference_data import ecosystem, establishments, pairs_incidence

import wpnet
from wpnet._parallel import task_seeds
from wpnet.errors import UsageError
from wpnet.inference import qap
from wpnet.inference.mrqap import BLOCK, QAP_COLUMNS, _fit, _t_values, haversine_km


def _planted(seed: int, n: int = 40, effect: float = 0.3):
    """n schools in four authorities with random SIMD quintiles; a pair is tied with
    probability 0.1 + effect when in the same authority, 0.1 otherwise (SIMD plays no
    part)."""
    rng = np.random.default_rng(seed)
    auth = [f"A{k}" for k in rng.integers(0, 4, n)]
    simd = rng.integers(1, 6, n).tolist()
    pairs = [
        (i, j)
        for i, j in itertools.combinations(range(n), 2)
        if rng.random() < 0.1 + effect * (auth[i] == auth[j])
    ]
    est = establishments(n, authorities=auth, simd=simd)
    return ecosystem({"2023-24": pairs_incidence(n, pairs)}, est), est, pairs


def _ols_oracle(est, pairs, names):
    """Dyads by a plain double loop; OLS by numpy lstsq; t by the textbook formula."""
    n = len(est)
    tied = set(pairs)
    rows, y = [], []
    for i in range(n):
        for j in range(i + 1, n):
            x = []
            for nm in names:
                if nm == "same_authority":
                    x.append(float(est.authority[i] == est.authority[j]))
                elif nm == "simd_difference":
                    x.append(abs(float(est.simd_quintile[i]) - float(est.simd_quintile[j])))
            rows.append([1.0, *x])
            y.append(float((i, j) in tied))
    z, y = np.array(rows), np.array(y)
    beta = np.linalg.lstsq(z, y, rcond=None)[0]
    res = y - z @ beta
    s2 = res @ res / (len(y) - z.shape[1])
    se = np.sqrt(np.diag(s2 * np.linalg.inv(z.T @ z)))
    r2 = 1 - (res @ res) / ((y - y.mean()) @ (y - y.mean()))
    return beta, beta / se, r2, len(y)


def test_coefficients_equal_plain_ols():
    eco, est, pairs = _planted(1)
    names = ["same_authority", "simd_difference"]
    r = qap(eco, names, permutations=20, workers=1)
    beta, t, r2, dyads = _ols_oracle(est, pairs, names)
    assert r.index.tolist() == ["intercept", *names]
    assert tuple(r.columns) == QAP_COLUMNS
    assert r["coef"].to_numpy() == pytest.approx(beta, rel=1e-9)
    assert r["t"].to_numpy() == pytest.approx(t, rel=1e-9)
    assert r.attrs["r_squared"] == pytest.approx(r2)
    assert r.attrs["dyads"] == dyads == 40 * 39 // 2
    assert r.attrs["dropped"] == 0
    assert r.attrs["permutations"] == 20 and r.attrs["seed"] == 0


@pytest.mark.parametrize("seed", range(6))
def test_planted_same_authority_effect_is_found_simd_is_not(seed):
    eco, _, _ = _planted(seed)
    r = qap(eco, ["same_authority", "simd_difference"], permutations=300, seed=seed, workers=1)
    assert r.loc["same_authority", "p_two_sided"] < 0.01
    assert r.loc["same_authority", "p_greater"] < 0.01
    assert r.loc["same_authority", "coef"] > 0


def test_simd_is_not_significant_in_most_seeds():
    """No SIMD effect is planted: at the 0.05 level it should be found in about 1 seed
    in 20; we ask that it is not in at least 8 of 10."""
    clear = 0
    for seed in range(10):
        eco, _, _ = _planted(100 + seed)
        r = qap(eco, ["same_authority", "simd_difference"], permutations=200, seed=seed, workers=1)
        clear += bool(r.loc["simd_difference", "p_two_sided"] >= 0.05)
    assert clear >= 8


def _hand_t(x_full: np.ndarray, y_full: np.ndarray, perm: np.ndarray) -> float:
    """Krackhardt's QAP by hand: permute the rows and columns of X, refit y ~ 1 + X."""
    n = len(perm)
    xp = x_full[np.ix_(perm, perm)]
    i, j = np.triu_indices(n, 1)
    z = np.column_stack([np.ones(len(i)), xp[i, j]])
    y = y_full[i, j]
    beta = np.linalg.lstsq(z, y, rcond=None)[0]
    res = y - z @ beta
    s2 = res @ res / (len(y) - 2)
    se = np.sqrt(s2 * np.linalg.inv(z.T @ z)[1, 1])
    return float(beta[1] / se)


def test_single_covariate_distribution_equals_hand_loop():
    """On 6 nodes, for all 720 node permutations, the t-value Dekker's scheme gives the
    covariate (its residual on the intercept permuted) equals the t of y ~ 1 + Xπ with
    X's rows and columns permuted by hand."""
    rng = np.random.default_rng(3)
    n = 6
    x_full = rng.normal(size=(n, n))
    x_full = np.triu(x_full, 1) + np.triu(x_full, 1).T
    y_full = (rng.random((n, n)) < 0.5).astype(float)
    y_full = np.triu(y_full, 1) + np.triu(y_full, 1).T
    i, j = np.triu_indices(n, 1)
    _, _, t_obs, _, design = _fit(y_full[i, j], x_full[i, j][:, None], n, ["intercept", "x"])
    perms = [np.array(p) for p in itertools.permutations(range(n))]
    got = _t_values(design, perms)[:, 1]
    want = np.array([_hand_t(x_full, y_full, p) for p in perms])
    assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
    assert t_obs[1] == pytest.approx(_hand_t(x_full, y_full, np.arange(n)))


def test_qap_pvalues_follow_from_the_seeded_permutations():
    """qap on a 6-node ecosystem: its p-values are the +1 rule over the hand loop's t
    for the permutations its seeds give (blocks of BLOCK, default_rng(task seed))."""
    rng = np.random.default_rng(4)
    n = 6
    pairs = [(0, 1), (0, 2), (1, 2), (3, 4), (2, 5)]
    est = establishments(n)
    eco = ecosystem({"2023-24": pairs_incidence(n, pairs)}, est)
    ids = est.establishment_id.tolist()
    i, j = np.triu_indices(n, 1)
    values = rng.normal(size=len(i))
    df = pd.DataFrame({"i": [ids[a] for a in j], "j": [ids[b] for b in i], "value": values})
    perms_n = 120
    r = qap(eco, [("x", df)], permutations=perms_n, seed=7, workers=1)
    x_full = np.zeros((n, n))
    x_full[i, j] = x_full[j, i] = values
    y_full = np.zeros((n, n))
    for a, b in pairs:
        y_full[a, b] = y_full[b, a] = 1
    perms = []
    for k, s in enumerate(task_seeds(7, -(-perms_n // BLOCK))):
        g = np.random.default_rng(s)
        perms += [g.permutation(n) for _ in range(min(BLOCK, perms_n - k * BLOCK))]
    t = np.array([_hand_t(x_full, y_full, p) for p in perms])
    t0 = _hand_t(x_full, y_full, np.arange(n))
    assert r.loc["x", "t"] == pytest.approx(t0)
    tol = 1e-9
    assert r.loc["x", "p_greater"] == pytest.approx((1 + (t >= t0 - tol).sum()) / (perms_n + 1))
    assert r.loc["x", "p_less"] == pytest.approx((1 + (t <= t0 + tol).sum()) / (perms_n + 1))
    assert r.loc["x", "p_two_sided"] == pytest.approx(
        (1 + (np.abs(t) >= abs(t0) - tol).sum()) / (perms_n + 1)
    )


def test_workers_do_not_change_the_result():
    eco, _, _ = _planted(2)
    kw = dict(permutations=120, seed=5)
    one = qap(eco, ["same_authority", "simd_difference"], workers=1, **kw)
    two = qap(eco, ["same_authority", "simd_difference"], workers=2, **kw)
    assert one.equals(two)


def test_missing_covariates_are_dropped_and_counted(tiny):
    """tiny 2022-23: C1 (a central team) has no SIMD quintile, so its 4 dyads drop."""
    r = qap(
        tiny, ["same_authority", "simd_difference"], session="2022-23", permutations=30, workers=1
    )
    assert r.attrs["dropped"] == 4
    assert r.attrs["dyads"] == 6


def test_tiny_same_authority_by_hand(tiny):
    """tiny 2022-23: nodes C1, E1, E2 (Glasgow City), E4 (Inverclyde), E5
    (Renfrewshire); ties C1-E1, C1-E4, E1-E4, E2-E4. Same-authority dyads C1-E1, C1-E2,
    E1-E2: 1 of 3 tied; the other 7: 3 tied. OLS: intercept 3/7, coefficient
    1/3 − 3/7 = −2/21."""
    r = qap(tiny, ["same_authority"], session="2022-23", permutations=30, workers=1)
    assert r.loc["intercept", "coef"] == pytest.approx(3 / 7)
    assert r.loc["same_authority", "coef"] == pytest.approx(-2 / 21)


def test_distance_and_sector_covariates():
    rng = np.random.default_rng(6)
    n = 12
    coords = np.column_stack([55.8 + rng.random(n) * 0.2, -4.3 + rng.random(n) * 0.3])
    sectors = ["primary", "secondary"] * 6
    pairs = [(a, b) for a, b in itertools.combinations(range(n), 2) if rng.random() < 0.3]
    est = establishments(n, coords=coords, sectors=sectors)
    eco = ecosystem({"2023-24": pairs_incidence(n, pairs)}, est)
    r = qap(eco, ["distance_km", "same_sector"], permutations=10, workers=1)
    i, j = np.triu_indices(n, 1)
    d = haversine_km(coords[i, 0], coords[i, 1], coords[j, 0], coords[j, 1])
    s = (np.array(sectors)[i] == np.array(sectors)[j]).astype(float)
    y = np.array([float((a, b) in set(pairs)) for a, b in zip(i, j, strict=True)])
    z = np.column_stack([np.ones(len(i)), d, s])
    assert r["coef"].to_numpy() == pytest.approx(np.linalg.lstsq(z, y, rcond=None)[0])


def test_haversine_against_a_known_distance():
    # London (51.5074, -0.1278) to Paris (48.8566, 2.3522): 343.5 km on the mean sphere
    assert float(haversine_km(51.5074, -0.1278, 48.8566, 2.3522)) == pytest.approx(343.5, abs=0.5)


def test_previous_tie():
    """Two sessions of the same 8 schools: previous_tie is 1 exactly on 2022-23's ties."""
    n = 8
    before = [(0, 1), (1, 2), (2, 3), (4, 5)]
    after = [(0, 1), (1, 2), (5, 6), (6, 7), (0, 7)]
    est = establishments(n)
    eco = ecosystem(
        {"2022-23": pairs_incidence(n, before), "2023-24": pairs_incidence(n, after)}, est
    )
    r = qap(eco, ["previous_tie"], session="2023-24", permutations=10, workers=1)
    i, j = np.triu_indices(n, 1)
    x = np.array([float((a, b) in set(before)) for a, b in zip(i, j, strict=True)])
    y = np.array([float((a, b) in set(after)) for a, b in zip(i, j, strict=True)])
    z = np.column_stack([np.ones(len(i)), x])
    assert r["coef"].to_numpy() == pytest.approx(np.linalg.lstsq(z, y, rcond=None)[0])
    with pytest.raises(UsageError, match="previous session"):
        qap(eco.select(session="2023-24"), ["previous_tie"])
    with pytest.raises(UsageError, match="first session"):
        qap(eco, ["previous_tie"], session="2022-23")


def test_user_covariate_rules():
    n = 5
    est = establishments(n)
    eco = ecosystem({"2023-24": pairs_incidence(n, [(0, 1), (2, 3)])}, est)
    ids = est.establishment_id.tolist()
    i, j = np.triu_indices(n, 1)
    full = pd.DataFrame(
        {
            "i": [ids[a] for a in i],
            "j": [ids[b] for b in j],
            "value": np.arange(len(i), dtype=float),
        }
    )
    part = pd.concat([full.iloc[:-2], pd.DataFrame({"i": ["ZZZ"], "j": [ids[0]], "value": [1.0]})])
    r = qap(eco, {"w": part}, permutations=5, workers=1)
    assert r.attrs["dropped"] == 2
    assert r.attrs["unmatched"] == {"w": 1}
    clash = pd.concat([full, pd.DataFrame({"i": [ids[1]], "j": [ids[0]], "value": [99.0]})])
    with pytest.raises(UsageError, match="two different values"):
        qap(eco, [("w", clash)], permutations=5, workers=1)
    with pytest.raises(UsageError, match="columns i, j, value"):
        qap(eco, [("w", full.rename(columns={"value": "v"}))])
    with pytest.raises(UsageError, match="not one of"):
        qap(eco, ["same_postcode"])
    with pytest.raises(UsageError, match="collinear or constant"):
        qap(eco, ["same_authority"], permutations=5, workers=1)


def test_weight_response():
    n = 6
    est = establishments(n, authorities=["A", "A", "A", "B", "B", "B"])
    b = pairs_incidence(n, [(0, 1), (0, 1), (1, 2), (3, 4)])
    eco = ecosystem({"2023-24": b}, est)
    r = qap(eco, ["same_authority"], response="weight", permutations=10, workers=1)
    # same-authority dyads: 6, weights 2 + 1 + 1 = 4; others: 9 dyads, weight 0
    assert r.loc["intercept", "coef"] == pytest.approx(0.0, abs=1e-12)
    assert r.loc["same_authority", "coef"] == pytest.approx(4 / 6)
    assert wpnet.qap is qap


def test_dropped_dyad_among_active_nodes_reads_zero_residual():
    """A dyad missing from a user covariate (its nodes keep other dyads): the permuted
    residual that lands on it reads 0; checked by hand for every permutation of 5."""
    rng = np.random.default_rng(9)
    n = 5
    i, j = np.triu_indices(n, 1)
    x = rng.normal(size=len(i))
    x[3] = np.nan  # the dyad (0, 4)
    y = (rng.random(len(i)) < 0.5).astype(float)
    keep, _, _, _, design = _fit(y, x[:, None], n, ["intercept", "x"])
    assert keep.sum() == len(i) - 1
    e = np.zeros((n, n))
    xk = x[keep]
    e[i[keep], j[keep]] = e[j[keep], i[keep]] = xk - xk.mean()
    perms = [np.array(p) for p in itertools.permutations(range(n))]
    want = []
    for p in perms:
        ep = e[np.ix_(p, p)][i[keep], j[keep]]
        z = np.column_stack([np.ones(keep.sum()), ep])
        beta = np.linalg.lstsq(z, y[keep], rcond=None)[0]
        res = y[keep] - z @ beta
        s2 = res @ res / (keep.sum() - 2)
        want.append(beta[1] / np.sqrt(s2 * np.linalg.inv(z.T @ z)[1, 1]))
    got = _t_values(design, perms)[:, 1]
    assert got == pytest.approx(np.array(want), rel=1e-9, abs=1e-12)
