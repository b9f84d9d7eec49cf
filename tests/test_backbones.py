"""Backbones: corrections by hand, Poisson-binomial tails by enumeration, BiCM against
the ``bicm`` package, SDSM and disparity against straightforward loop implementations."""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import warnings

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

import wpnet
import wpnet.datasets  # the conftest fixtures call wpnet.datasets.tiny()
from wpnet.backbones import (
    adjust_pvalues,
    backbone_mask,
    bicm_probabilities,
    disparity_pvalues,
    poisson_binomial_sf,
    sdsm_pvalues,
)
from wpnet.graphs import backbone, project, projection


# ---------------------------------------------------------------------------------
# Oracles: plain loops, written independently of wpnet.backbones
# ---------------------------------------------------------------------------------
def random_matrix(rng: np.random.Generator, n: int, k: int, density: float) -> np.ndarray:
    b = (rng.random((n, k)) < density).astype(int)
    b[np.arange(n), rng.integers(0, k, n)] = 1  # every member in some network
    return b


def planted_blocks(
    rng: np.random.Generator, groups: int = 3, size: int = 12, nets: int = 5, inside: float = 0.6
) -> np.ndarray:
    """Members of group g join each of the ``nets`` networks of block g with probability
    ``inside``, other networks with probability 0.08."""
    n, k = groups * size, groups * nets
    prob = np.full((n, k), 0.08)
    for g in range(groups):
        prob[g * size : (g + 1) * size, g * nets : (g + 1) * nets] = inside
    b = (rng.random((n, k)) < prob).astype(int)
    b[np.arange(n), (np.arange(n) // size) * nets] = 1
    return b


def bicm_package(b: np.ndarray) -> np.ndarray:
    from bicm import BipartiteGraph

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        g = BipartiteGraph(biadjacency=b)
        g.solve_tool(method="newton", tol=1e-14, eps=1e-14, verbose=False)
        return np.asarray(g.get_bicm_matrix())


def pb_tail_loop(q: list[float], x: int) -> float:
    """P(sum of Bernoulli(q) >= x) by the textbook recursion, one trial at a time."""
    pmf = [1.0]
    for p in q:
        new = [0.0] * (len(pmf) + 1)
        for s, v in enumerate(pmf):
            new[s] += v * (1 - p)
            new[s + 1] += v * p
        pmf = new
    return sum(pmf[x:])


def rna_tail_loop(q: list[float], x: int) -> float:
    mu = sum(q)
    var = sum(p * (1 - p) for p in q)
    sd = math.sqrt(var)
    gamma = sum(p * (1 - p) * (1 - 2 * p) for p in q) / sd**3
    t = (x - 0.5 - mu) / sd
    g = stats.norm.cdf(t) + gamma * (1 - t * t) * stats.norm.pdf(t) / 6
    return min(1.0, max(0.0, 1 - g))


def sdsm_loop(b: np.ndarray, tail=pb_tail_loop) -> dict[tuple[int, int], float]:
    """SDSM p-value of every pair sharing a network, with the bicm package's p_ik."""
    p = bicm_package(b)
    out = {}
    for i in range(b.shape[0]):
        for j in range(i + 1, b.shape[0]):
            shared = int(sum(b[i, k] * b[j, k] for k in range(b.shape[1])))
            if shared >= 1:
                q = [p[i, k] * p[j, k] for k in range(b.shape[1])]
                out[(i, j)] = tail(q, shared)
    return out


def disparity_loop(g: nx.Graph) -> dict[tuple, float]:
    out = {}
    for u, v, d in g.edges(data=True):
        ps = []
        for a in (u, v):
            k = g.degree(a)
            if k > 1:
                s = g.degree(a, weight="weight")
                ps.append((1 - d["weight"] / s) ** (k - 1))
        out[(min(u, v), max(u, v))] = min(ps, default=1.0)
    return out


def projected(b: np.ndarray) -> sp.csr_matrix:
    w = sp.csr_matrix(b @ b.T)
    w.setdiag(0)
    w.eliminate_zeros()
    return w


# ---------------------------------------------------------------------------------
# Corrections
# ---------------------------------------------------------------------------------
P4 = np.array([0.01, 0.04, 0.03, 0.005])


def test_corrections_hand_worked() -> None:
    # m = 4; sorted 0.005, 0.01, 0.03, 0.04.
    # bonferroni: 4p.  holm: 4*0.005=.02, 3*0.01=.03, 2*0.03=.06, max(.06, 1*0.04)=.06.
    # BH: 4p/rank = .02, .02, .04, .04; running min from the top leaves them.
    assert adjust_pvalues(P4, "none").tolist() == P4.tolist()
    np.testing.assert_allclose(adjust_pvalues(P4, "bonferroni"), [0.04, 0.16, 0.12, 0.02])
    np.testing.assert_allclose(adjust_pvalues(P4, "holm"), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(adjust_pvalues(P4, "fdr_bh"), [0.02, 0.04, 0.04, 0.02])
    # BH step-up: 0.04 * 5 / 5 = 0.04 < 0.045 * 5 / 4 lifts nothing; 0.045*5/4 > .05 caps.
    np.testing.assert_allclose(
        adjust_pvalues(np.array([0.9, 0.04, 0.02, 0.045, 0.001]), "fdr_bh"),
        [0.9, 0.05625, 0.05, 0.05625, 0.005],
    )
    assert adjust_pvalues(np.array([0.5, 0.6]), "bonferroni").tolist() == [1.0, 1.0]


def test_fdr_bh_matches_scipy() -> None:
    p = np.random.default_rng(3).random(500) ** 3
    np.testing.assert_allclose(
        adjust_pvalues(p, "fdr_bh"), stats.false_discovery_control(p, method="bh")
    )


def test_unknown_correction_is_refused() -> None:
    with pytest.raises(ValueError, match="correction must be one of"):
        adjust_pvalues(P4, "sidak")


# ---------------------------------------------------------------------------------
# Poisson-binomial tails
# ---------------------------------------------------------------------------------
def test_exact_tail_against_enumeration() -> None:
    rng = np.random.default_rng(0)
    q = rng.random((6, 9))
    for row in q:
        for x in range(0, 11):
            # P(X >= x) by summing the probability of every one of the 2^9 outcomes
            brute = sum(
                math.prod(p if o else 1 - p for p, o in zip(row, out, strict=True))
                for out in itertools.product((0, 1), repeat=9)
                if sum(out) >= x
            )
            got = poisson_binomial_sf(row[None, :], np.array([x]))[0]
            assert got == pytest.approx(brute, abs=1e-14)


def test_exact_tail_is_the_binomial_tail_for_equal_probabilities() -> None:
    q = np.full((1, 40), 0.07)
    for x in (1, 5, 12, 25):
        assert poisson_binomial_sf(q, np.array([x]))[0] == pytest.approx(
            stats.binom.sf(x - 1, 40, 0.07), rel=1e-10
        )


def test_exact_tail_keeps_relative_precision_far_in_the_tail() -> None:
    # P(X >= 30) of Binomial(40, 0.01) is about 1e-48: a 1 - cdf reading would give 0
    q = np.full((2, 40), 0.01)
    q[1, :20] = 0.02
    for x in (30, 38, 40):
        got = poisson_binomial_sf(q, np.array([x, x]))
        assert got[0] == pytest.approx(stats.binom.sf(x - 1, 40, 0.01), rel=1e-9)
        assert got[0] > 0
        assert got[1] == pytest.approx(pb_tail_loop(list(q[1]), x), rel=1e-9)
    # beyond the number of trials the tail is exactly 0
    assert poisson_binomial_sf(q, np.array([41, 45])).tolist() == [0.0, 0.0]


def test_rna_formula_and_accuracy() -> None:
    rng = np.random.default_rng(1)
    q = rng.random((3, 300)) * 0.3
    obs = np.array([40, 50, 60])
    got = poisson_binomial_sf(q, obs, "rna")
    for row, x, g in zip(q, obs, got, strict=True):
        assert g == pytest.approx(rna_tail_loop(list(row), int(x)), abs=1e-12)
        # and close to the exact tail for many trials
        assert g == pytest.approx(pb_tail_loop(list(row), int(x)), abs=2e-3)
    # equal probabilities: close to scipy's binomial tail
    assert poisson_binomial_sf(np.full((1, 2000), 0.1), np.array([220]), "rna")[0] == pytest.approx(
        stats.binom.sf(219, 2000, 0.1), abs=1e-3
    )


# ---------------------------------------------------------------------------------
# BiCM
# ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1])
def test_bicm_matches_the_bicm_package(seed: int) -> None:
    b = random_matrix(np.random.default_rng(seed), 40, 12, 0.25)
    ours = bicm_probabilities(sp.csr_matrix(b))
    np.testing.assert_allclose(ours, bicm_package(b), atol=1e-8)
    np.testing.assert_allclose(ours.sum(axis=1), b.sum(axis=1), atol=1e-10)
    np.testing.assert_allclose(ours.sum(axis=0), b.sum(axis=0), atol=1e-10)


def test_bicm_planted_blocks_match_the_bicm_package() -> None:
    b = planted_blocks(np.random.default_rng(5))
    np.testing.assert_allclose(bicm_probabilities(b), bicm_package(b), atol=1e-8)


def lstsq_newton_step(w: np.ndarray, n: np.ndarray, m: np.ndarray, f: np.ndarray) -> np.ndarray:
    """The BiCM Newton step as wpnet solved it before (full Jacobian, least squares)."""
    nr, nc = w.shape
    jac = np.empty((nr + nc, nr + nc))
    jac[:nr, :nr] = np.diag(w @ m)
    jac[:nr, nr:] = w * m[None, :]
    jac[nr:, :nr] = (w * n[:, None]).T
    jac[nr:, nr:] = np.diag(n @ w)
    return np.linalg.lstsq(jac, -f, rcond=None)[0]


def fixed_point_bicm(b: np.ndarray, sweeps: int = 100_000) -> np.ndarray:
    """BiCM by the per-cell fixed point ``x_i = d_i / Σ_k y_k / (1 + x_i y_k)`` (and the
    same for ``y``) on the whole matrix, no degree classes: an independent oracle."""
    d, e = b.sum(axis=1).astype(float), b.sum(axis=0).astype(float)
    x, y = d / np.sqrt(d.sum()), e / np.sqrt(d.sum())
    for _ in range(sweeps):
        x = d / (y[None, :] / (1 + x[:, None] * y[None, :])).sum(axis=1)
        y_new = e / (x[:, None] / (1 + x[:, None] * y[None, :])).sum(axis=0)
        done = np.max(np.abs(y_new - y) / y) < 1e-15
        y = y_new
        if done:
            break
    xy = x[:, None] * y[None, :]
    return xy / (1 + xy)


def test_bicm_newton_step_solves_the_full_system_as_least_squares_did() -> None:
    from wpnet.backbones import _newton_step

    rng = np.random.default_rng(3)
    nr, nc = 7, 5
    n, m = rng.integers(1, 6, nr).astype(float), rng.integers(1, 6, nc).astype(float)
    s = 1 / (1 + np.exp(-rng.normal(size=(nr, nc))))
    d, e = s @ m + rng.normal(size=nr), n @ s + rng.normal(size=nc)
    e -= (n @ (s @ m - d) - m @ (n @ s - e)) / m.sum()  # both degree sums count one total
    f = np.concatenate([s @ m - d, n @ s - e])
    w = s * (1 - s)
    ours, old = _newton_step(w, n, m, f), lstsq_newton_step(w, n, m, f)
    jac_times = np.concatenate(
        [
            (w @ m) * ours[:nr] + (w * m) @ ours[nr:],
            (w * n[:, None]).T @ ours[:nr] + (n @ w) * ours[nr:],
        ]
    )
    np.testing.assert_allclose(jac_times, -f, atol=1e-10)
    # The two steps differ only along the gauge (a + t, b - t): the same a_r + b_c.
    np.testing.assert_allclose(
        ours[:nr, None] + ours[None, nr:], old[:nr, None] + old[None, nr:], atol=1e-10
    )


def test_bicm_many_degree_classes_match_least_squares_newton_and_the_fixed_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import wpnet.backbones as bb

    rng = np.random.default_rng(11)
    b = random_matrix(rng, 300, 60, 0.12)
    ours = bicm_probabilities(b)
    oracle = fixed_point_bicm(b)
    np.testing.assert_allclose(ours, oracle, atol=1e-8)
    np.testing.assert_allclose(ours.sum(axis=1), b.sum(axis=1), atol=1e-8)
    np.testing.assert_allclose(ours.sum(axis=0), b.sum(axis=0), atol=1e-8)
    monkeypatch.setattr(bb, "_newton_step", lstsq_newton_step)  # the fit as it was
    np.testing.assert_allclose(ours, bb.bicm_probabilities(b), atol=1e-10)


def test_bicm_full_and_empty_rows_and_columns() -> None:
    # Row 0 is in every network and column 3 has no member: their probabilities are
    # forced (1 and 0); the rest is fitted to the degrees left over.
    b = np.array([[1, 1, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0]])
    p = bicm_probabilities(b)
    assert p[0, :3].tolist() == [1.0, 1.0, 1.0]
    assert p[:, 3].tolist() == [0.0] * 5
    np.testing.assert_allclose(p.sum(axis=1), b.sum(axis=1), atol=1e-10)
    np.testing.assert_allclose(p.sum(axis=0), b.sum(axis=0), atol=1e-10)
    # Equal degrees, equal probabilities.
    np.testing.assert_allclose(p[1], [p[1, 0], p[1, 1], p[1, 2], 0.0])
    assert p[1, 0] == pytest.approx(p[2, 0]) and p[1, 0] == pytest.approx(p[4, 0])


# ---------------------------------------------------------------------------------
# SDSM
# ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "b",
    [
        random_matrix(np.random.default_rng(10), 30, 10, 0.3),
        random_matrix(np.random.default_rng(11), 25, 14, 0.15),
        planted_blocks(np.random.default_rng(12)),
    ],
    ids=["random-dense", "random-sparse", "planted"],
)
def test_sdsm_matches_loop_implementation(b: np.ndarray) -> None:
    oracle = sdsm_loop(b)
    i, j, p = sdsm_pvalues(sp.csr_matrix(b), projected(b))
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == sorted(oracle)
    np.testing.assert_allclose(p, [oracle[k] for k in sorted(oracle)], atol=1e-8)
    for correction in ("none", "fdr_bh"):
        mask = backbone_mask(sp.csr_matrix(b), projected(b), method="sdsm", correction=correction)
        pv = np.array([oracle[k] for k in sorted(oracle)])
        if correction == "fdr_bh":
            pv = stats.false_discovery_control(pv, method="bh")
        want = {k for k, v in zip(sorted(oracle), pv, strict=True) if v < 0.05}
        coo = sp.triu(mask, 1).tocoo()
        assert set(zip(coo.row.tolist(), coo.col.tolist(), strict=True)) == want
        assert (mask != mask.T).nnz == 0


def test_sdsm_keeps_the_planted_blocks() -> None:
    b = planted_blocks(np.random.default_rng(7), groups=4, size=15, nets=10, inside=0.7)
    i, j, p = sdsm_pvalues(b)
    within = (i // 15) == (j // 15)
    assert (p[within] < 0.05).mean() > 0.3 > 0.05 > (p[~within] < 0.05).mean()


def test_sdsm_rna_matches_loop_rna() -> None:
    b = random_matrix(np.random.default_rng(4), 15, 30, 0.4)
    oracle = sdsm_loop(b, tail=rna_tail_loop)
    _, _, p = sdsm_pvalues(b, method="rna")
    np.testing.assert_allclose(p, [oracle[k] for k in sorted(oracle)], atol=1e-8)


def test_sdsm_is_exact_at_any_size() -> None:
    rng = np.random.default_rng(2)
    b = (rng.random((8, 2501)) < 0.2).astype(int)
    auto = sdsm_pvalues(b)[2]
    np.testing.assert_array_equal(auto, sdsm_pvalues(b, method="exact")[2])
    assert not np.array_equal(auto, sdsm_pvalues(b, method="rna")[2])


@pytest.mark.parametrize("top", [0, 1, 3, 12, 40])
def test_tails_by_classes_equal_the_recursion_over_every_trial(top) -> None:
    """Classes of identical trials (multiplicities 1 to 900, some far above ``top``,
    which go through the binomial step) give the tails of the recursion run over the
    expanded trials, to 1e-12 relative, tails down to 1e-200 included."""
    from wpnet.backbones import _pb_tails, _pb_tails_classes

    rng = np.random.default_rng(top)
    q = np.concatenate([rng.uniform(1e-4, 0.2, (6, 7)), np.full((1, 7), 1e-3)])
    mult = np.array([1, 2, 900, 5, 60, 0, 13])
    got = _pb_tails_classes(q, mult, top)
    want = _pb_tails(np.repeat(q, mult, axis=1), top=top)
    assert got.shape == want.shape == (7, top + 1)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    if top == 40:
        assert 0 < want[-1, -1] < 1e-40  # a tiny tail, kept to its relative precision


@pytest.mark.parametrize("m", [33, 41, 300])
@pytest.mark.parametrize("q", [0.0, 1e-6, 0.013, 0.3, 0.5, 0.97, 1.0])
def test_binomial_law_equals_exact_rational_arithmetic(m, q) -> None:
    """The binomial step's law, from the incomplete beta function, against the mass and
    the upper tail computed exactly in rational arithmetic (``math.comb`` and the float
    ``q`` as the fraction it is), masses down to 1e-250 kept to 1e-12 relative."""
    from fractions import Fraction
    from math import comb

    from wpnet.backbones import _binomial_law

    top = m + 2
    pmf, at_least = _binomial_law(m, np.array([[q], [q]]), top)
    assert pmf.shape == at_least.shape == (2, top + 1)
    a, d = Fraction(q).as_integer_ratio()  # q = a / d exactly; masses over d**m
    mass = [comb(m, j) * a**j * (d - a) ** (m - j) if j <= m else 0 for j in range(top + 1)]
    tail = np.cumsum(mass[::-1])[::-1].tolist()
    for got, want in ((pmf[0], mass), (at_least[0], tail)):
        want = np.array([float(Fraction(v, d**m)) for v in want])
        kept = want > 1e-250
        np.testing.assert_allclose(got[kept], want[kept], rtol=1e-12, atol=0)
        assert np.all(got[~kept] < 1e-240)
    np.testing.assert_array_equal(pmf[0], pmf[1])  # rows are computed alike


def test_sdsm_is_exact_on_many_sparse_networks() -> None:
    """700 networks, above the 500 where the normal approximation took over until
    2026-12-02 (on sparse real sessions it made p-values up to three times too large):
    the default is now the exact Poisson-binomial tail, against the law built by
    convolution, network by network, with the bicm package's probabilities."""
    rng = np.random.default_rng(11)
    b = (rng.random((24, 1000)) < 0.06).astype(int)
    b[:20, :6] = 1  # a few partnership-wide networks, as in the real data
    b = b[:, b.sum(axis=0) > 0][:, :700]  # networks with members (the bicm package's need)
    assert b.shape[1] == 700
    prob = bicm_package(b)
    i, j, p = sdsm_pvalues(b)
    shared = (b @ b.T)[i, j]
    oracle = []
    for r, c, x in zip(i.tolist(), j.tolist(), shared.tolist(), strict=True):
        pmf = np.ones(1)  # the law of the shared count, one network at a time
        for q in prob[r] * prob[c]:
            pmf = np.convolve(pmf, [1 - q, q])
        oracle.append(pmf[x:].sum())
    np.testing.assert_allclose(p, oracle, rtol=1e-6)  # the approximation: 4% off here


def test_exact_sdsm_tails_do_not_depend_on_the_blocks(monkeypatch) -> None:
    """Degree-class pairs are computed in blocks ordered by the tail they need; each
    pair's recursion is its own, so any blocking gives the same bits."""
    import wpnet.backbones

    rng = np.random.default_rng(5)
    b = (rng.random((300, 120)) < rng.uniform(0.01, 0.3, (300, 1))).astype(int)
    _, _, blocked = sdsm_pvalues(b, method="exact")
    monkeypatch.setattr(wpnet.backbones, "_CLASS_PAIR_CHUNK", 10**6)
    _, _, whole = sdsm_pvalues(b, method="exact")
    monkeypatch.setattr(wpnet.backbones, "_CLASS_PAIR_CHUNK", 3)
    _, _, small = sdsm_pvalues(b, method="exact")
    assert np.array_equal(blocked, whole) and np.array_equal(blocked, small)


def test_sdsm_needs_the_affiliation_matrix() -> None:
    w = sp.csr_matrix(np.array([[0, 2], [2, 0]]))
    with pytest.raises(ValueError, match="affiliation matrix"):
        backbone_mask(None, w, method="sdsm")


def test_sdsm_on_a_partnership_sized_matrix() -> None:
    # its time is a benchmark figure (benchmarks/run.py), not asserted here
    # 1,100 establishments x 130 networks, ~20 memberships each (about 600,000 pairs)
    rng = np.random.default_rng(0)
    n, k = 1100, 130
    pop = rng.pareto(2.0, k) + 0.2
    rows = np.repeat(np.arange(n), 20)
    cols = np.concatenate([rng.choice(k, 20, replace=False, p=pop / pop.sum()) for _ in range(n)])
    b = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, k))
    w = (b @ b.T).tocsr()
    w.setdiag(0)
    w.eliminate_zeros()
    mask = backbone_mask(b, w, method="sdsm", correction="holm")
    assert mask.nnz < w.nnz


# ---------------------------------------------------------------------------------
# Disparity and threshold
# ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_disparity_matches_loop_implementation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    b = random_matrix(rng, 30, 8, 0.3) if seed < 2 else planted_blocks(rng)
    w = projected(b)
    g = nx.from_scipy_sparse_array(w)
    oracle = disparity_loop(g)
    i, j, p = disparity_pvalues(w)
    np.testing.assert_allclose(p, [oracle[k] for k in zip(i.tolist(), j.tolist(), strict=True)])
    assert len(p) == len(oracle)
    alpha = float(np.quantile(p, 0.3))  # keep a sizeable share
    mask = backbone_mask(None, w, method="disparity", alpha=alpha)
    coo = sp.triu(mask, 1).tocoo()
    assert set(zip(coo.row.tolist(), coo.col.tolist(), strict=True)) == {
        k for k, v in oracle.items() if v < alpha
    }


def test_disparity_and_threshold_on_tiny(tiny2223) -> None:
    # 2022-23 ties (all weight 1): E1-E4, E1-C1, E4-C1, E2-E4.
    # E4: k=3, s=3 -> (1 - 1/3)^2 = 4/9; E1, C1: k=2, s=2 -> 1/2; E2: k=1 (no test).
    # E1-C1: 1/2; E1-E4, C1-E4: min(1/2, 4/9) = 4/9; E2-E4: 4/9.
    g = project(tiny2223)
    assert disparity_loop(g)[("E1", "E4")] == pytest.approx(4 / 9)
    kept = project(tiny2223, backbone="disparity", alpha=0.46)
    assert sorted(kept.edges()) == [("C1", "E4"), ("E1", "E4"), ("E2", "E4")]
    assert project(tiny2223, backbone="disparity", alpha=0.44).number_of_edges() == 0
    assert project(tiny2223, backbone="threshold", min_weight=2).number_of_edges() == 0
    assert project(tiny2223, backbone="threshold", min_weight=1).number_of_edges() == 4
    assert sorted(kept.nodes) == ["C1", "E1", "E2", "E4", "E5"]  # nodes stay


# ---------------------------------------------------------------------------------
# backbone(): Ecosystem and networkx graphs
# ---------------------------------------------------------------------------------
def test_backbone_on_ecosystem_is_the_backbone_projection(tiny2223) -> None:
    g = wpnet.backbone(tiny2223, "disparity", alpha=0.46)
    assert sorted(g.edges()) == [("C1", "E4"), ("E1", "E4"), ("E2", "E4")]
    assert g.graph["backbone"] == "disparity"
    assert g.graph["params"] == {"alpha": 0.46, "correction": "none"}
    s = backbone(tiny2223, "sdsm", correction="bonferroni")
    p = projection(tiny2223, backbone="sdsm", correction="bonferroni")
    assert s.number_of_edges() == p.weight.nnz // 2


def test_backbone_on_a_graph_keeps_nodes_and_attributes() -> None:
    g = nx.Graph()
    g.add_node("hub", colour="red")
    g.add_edge("hub", "a", weight=8, kind="x")
    g.add_edge("hub", "b", weight=1)
    g.add_edge("hub", "c", weight=1)
    g.add_edge("b", "c", weight=3)
    out = backbone(g, "threshold", min_weight=3)
    assert sorted(map(sorted, out.edges())) == [["a", "hub"], ["b", "c"]]
    assert out.nodes["hub"] == {"colour": "red"} and out["hub"]["a"] == {"weight": 8, "kind": "x"}
    assert g.number_of_edges() == 4  # input untouched
    # hub: k=3, s=10 -> hub-a (0.2)^2 = 0.04 < 0.05; b: k=2, s=4 -> b-c 1/4; c alike.
    assert sorted(map(sorted, backbone(g, "disparity").edges())) == [["a", "hub"]]


def test_backbone_sdsm_on_a_graph_is_refused() -> None:
    with pytest.raises(ValueError, match="sdsm backbone needs the member x network"):
        backbone(nx.Graph([(0, 1, {"weight": 2})]), "sdsm")


def test_backbone_rejects_bad_arguments(tiny2223) -> None:
    w = sp.csr_matrix(np.array([[0, 2], [2, 0]]))
    with pytest.raises(ValueError, match="backbone must be one of"):
        backbone_mask(None, w, method="noise")
    with pytest.raises(ValueError, match="alpha must be between 0 and 1"):
        backbone_mask(None, w, method="disparity", alpha=1.5)
    with pytest.raises(TypeError, match="Ecosystem or a networkx Graph"):
        backbone(w, "threshold")


def test_bicm_of_a_nested_matrix_is_the_matrix() -> None:
    # Peeling: row 0 is full (p = 1); then column 0 is full among the rows left, then
    # row 2 is empty among the columns left, ... every probability is forced.
    b = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0]])
    np.testing.assert_array_equal(bicm_probabilities(b), b)


def test_example_session_projection_and_sdsm() -> None:
    eco = wpnet.load_example()
    eco = eco.select(session=eco.sessions[-1])
    p = projection(eco)
    keep = backbone_mask(p.incidence, p.weight, method="sdsm", correction="fdr_bh")
    # every establishment reached in the session is a node (the dense case, 1,100 x 130
    # with ~600,000 pairs, is tested on a synthetic matrix above)
    assert p.n == eco.records["establishment_id"].nunique() > 300
    assert keep.nnz <= p.weight.nnz
