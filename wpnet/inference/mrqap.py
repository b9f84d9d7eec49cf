"""``qap``: what goes with a tie? MRQAP with double semi-partialling (INFERENCE.md §3)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wpnet._parallel import parallel_map, task_seeds
from wpnet.ecosystem import Ecosystem, expect_ecosystem
from wpnet.errors import UsageError, check_choice
from wpnet.graphs import GraphSpec, Projection
from wpnet.inference.cug import plus_one_pvalues
from wpnet.measures._common import graph_for, stamp

__all__ = [
    "BUILTIN_COVARIATES",
    "QAP_COLUMNS",
    "QAP_MAX_DYADS",
    "RESPONSES",
    "haversine_km",
    "qap",
]

#: Built-in dyadic covariates.
BUILTIN_COVARIATES = (
    "same_authority",
    "same_sector",
    "simd_difference",
    "distance_km",
    "previous_tie",
)
#: What :func:`qap` regresses: a tie (0/1) or its weight.
RESPONSES = ("tie", "weight")
#: Columns of :func:`qap`, in order.
QAP_COLUMNS = ("coef", "t", "p_two_sided", "p_greater", "p_less")
#: Most dyads (unordered pairs of nodes) a QAP is run on: its residuals are held as full
#: node x node matrices, 16 q bytes a dyad for q terms (about 200 MB at this bound).
QAP_MAX_DYADS = 2_000_000
#: Permutations per task (each block from its own seed).
BLOCK = 50
#: Mean Earth radius (km) of the haversine distance (IUGG).
EARTH_RADIUS_KM = 6371.0088

Covariate = str | pd.DataFrame


def _dyad_index(i: np.ndarray, j: np.ndarray, n: int) -> np.ndarray:
    """Position of the unordered pair {i, j} (i ≠ j) in ``numpy.triu_indices(n, 1)``."""
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    return lo * (2 * n - lo - 1) // 2 + (hi - lo - 1)


def _attribute(p: Projection, column: str, covariate: str) -> pd.Series:
    if column not in p.nodes.columns:
        raise UsageError(
            f"covariate {covariate!r} needs the node attribute {column!r}, which the "
            f"{p.onto} nodes do not have"
        )
    return p.nodes[column]


def _same(p: Projection, column: str, name: str, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    s = _attribute(p, column, name)
    codes, _ = pd.factorize(s.astype("object").where(s.notna(), None), use_na_sentinel=True)
    out = (codes[i] == codes[j]).astype(np.float64)
    out[(codes[i] < 0) | (codes[j] < 0)] = np.nan
    return out


def _numeric(p: Projection, column: str, name: str) -> np.ndarray:
    s = _attribute(p, column, name)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance in km on a sphere of radius 6371.0088 km.

    ``d = 2 R asin(sqrt(sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)))`` (Sinnott 1984).

    Examples
    --------
    >>> round(float(haversine_km(55.8642, -4.2518, 55.9533, -3.1883)), 1)  # Glasgow-Edinburgh
    67.1
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _previous(
    eco: Ecosystem, session: str | None, spec: GraphSpec, p: Projection, n: int
) -> np.ndarray:
    sessions = eco.sessions
    if session is None or session not in sessions:
        raise UsageError(
            "covariate 'previous_tie' needs the previous session's records: call "
            "qap(eco, session='2023-24', ...) on an Ecosystem holding that session and the "
            "one before it"
        )
    k = sessions.index(session)
    if k == 0:
        raise UsageError(
            f"covariate 'previous_tie': {session!r} is the first session of this Ecosystem"
        )
    prev = graph_for(eco.select(session=sessions[k - 1]), spec)
    e = prev.edges()
    pos = p.nodes.index
    a = pos.get_indexer(pd.Index(e["u"]))
    b = pos.get_indexer(pd.Index(e["v"]))
    ok = (a >= 0) & (b >= 0)
    out = np.zeros(n * (n - 1) // 2)
    out[_dyad_index(a[ok].astype(np.int64), b[ok].astype(np.int64), n)] = 1.0
    return out


def _user(df: pd.DataFrame, name: str, p: Projection, n: int) -> tuple[np.ndarray, int]:
    missing = [c for c in ("i", "j", "value") if c not in df.columns]
    if missing:
        raise UsageError(
            f"covariate {name!r}: a user covariate is a DataFrame with columns i, j, value; "
            f"missing {missing!r}"
        )
    pos = p.nodes.index
    a = pos.get_indexer(pd.Index(df["i"].astype(str)))
    b = pos.get_indexer(pd.Index(df["j"].astype(str)))
    value = pd.to_numeric(df["value"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = pd.to_numeric(df["value"], errors="coerce").isna() & df["value"].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise UsageError(
            f"covariate {name!r}: row {row} has value {df['value'].iloc[row]!r}, not a number"
        )
    ok = (a >= 0) & (b >= 0)
    selfpair = ok & (a == b)
    if selfpair.any():
        row = int(np.flatnonzero(selfpair)[0])
        raise UsageError(f"covariate {name!r}: row {row} pairs {df['i'].iloc[row]!r} with itself")
    idx = _dyad_index(a[ok].astype(np.int64), b[ok].astype(np.int64), n)
    vals = value[ok]
    order = np.argsort(idx, kind="stable")
    si, sv = idx[order], vals[order]
    dup = np.flatnonzero(si[1:] == si[:-1])
    clash = dup[~((sv[dup] == sv[dup + 1]) | (np.isnan(sv[dup]) & np.isnan(sv[dup + 1])))]
    if clash.size:
        d = int(si[clash[0]])
        i, j = (int(x[d]) for x in np.triu_indices(n, 1))
        raise UsageError(
            f"covariate {name!r}: the pair ({pos[i]!r}, {pos[j]!r}) has two different values"
        )
    out = np.full(n * (n - 1) // 2, np.nan)
    out[idx] = vals
    return out, int((~ok).sum())


def _named(covariates: Any) -> list[tuple[str, Covariate]]:
    if isinstance(covariates, str | pd.DataFrame):
        covariates = [covariates]
    items = list(covariates.items()) if isinstance(covariates, Mapping) else list(covariates)
    out: list[tuple[str, Covariate]] = []
    users = 0
    for c in items:
        if isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], str):
            name, value = c
        elif isinstance(c, str):
            name, value = c, c
        elif isinstance(c, pd.DataFrame):
            users += 1
            name, value = f"user_{users}", c
        else:
            raise UsageError(
                f"a covariate is a built-in name {BUILTIN_COVARIATES!r}, a DataFrame with "
                f"columns i, j, value, or a (name, DataFrame) pair; got {c!r}"
            )
        if isinstance(value, str) and value not in BUILTIN_COVARIATES:
            raise UsageError(f"covariate {value!r} is not one of {BUILTIN_COVARIATES!r}")
        out.append((name, value))
    if not out:
        raise UsageError("qap needs at least one covariate")
    names = [n for n, _ in out]
    if len(set(names)) != len(names) or "intercept" in names:
        raise UsageError(f"covariate names must be distinct and not 'intercept'; got {names!r}")
    return out


@dataclass(frozen=True)
class _Design:
    """The regression on the kept dyads and what its permutations need.

    ``a``, ``b``: the kept dyads' nodes (numbered among the ``na`` active nodes,
    a < b); ``gone_a``, ``gone_b``: the dropped dyads among active nodes; ``resid``:
    (na², q), row ``u·na + v`` holding the residual of each column of Z on the others
    at the dyad {u, v} (symmetric, 0 on the diagonal and on dropped dyads);
    ``zy``: (kept, q + 1) = [Z, y]; ``gram`` = ZᵀZ; ``zty`` = Zᵀy; ``yy`` = yᵀy;
    ``sq``: Σ of each residual squared.
    """

    a: np.ndarray
    b: np.ndarray
    gone_a: np.ndarray
    gone_b: np.ndarray
    na: int
    resid: np.ndarray
    zy: np.ndarray
    gram: np.ndarray
    zty: np.ndarray
    yy: float
    sq: np.ndarray


def _t_values(design: _Design, perms: Sequence[np.ndarray]) -> np.ndarray:
    """t of each column k of Z when E_k, permuted by each node permutation, replaces it.

    For a permutation π of the active nodes, the dyad (a, b) takes E_k's value at
    (π(a), π(b)). With Z_(k) = Z whose column k is the permuted E_k, the OLS fit is
    solved from the updated Gram matrix: β = (Z_(k)ᵀZ_(k))⁻¹ Z_(k)ᵀy,
    s² = (yᵀy − βᵀZ_(k)ᵀy)/(N − q), t_k = β_k / sqrt(s² [(Z_(k)ᵀZ_(k))⁻¹]_kk).
    The residuals are stored as full symmetric matrices so that the gather of a
    permuted row reads one row of them (cache-friendly). Returns (len(perms), q).
    """
    q = design.gram.shape[0]
    n_dyads = design.a.size
    na = design.na
    out = np.empty((len(perms), q))
    eye = np.eye(q)
    k = np.arange(q)
    for s, perm in enumerate(perms):
        perm = np.asarray(perm, dtype=np.int64)
        row = perm * na
        ep = np.take(design.resid, row[design.a] + perm[design.b], axis=0)
        cross = ep.T @ design.zy  # (q, q + 1)
        sq = design.sq.copy()
        if design.gone_a.size:
            gone = np.take(design.resid, row[design.gone_a] + perm[design.gone_b], axis=0)
            sq -= (gone * gone).sum(axis=0)
        gram = np.broadcast_to(design.gram, (q, q, q)).copy()
        zty = np.broadcast_to(design.zty, (q, q)).copy()
        gram[k, k, :] = cross[:, :q]
        gram[k, :, k] = cross[:, :q]
        gram[k, k, k] = sq
        zty[k, k] = cross[:, q]
        sol = np.linalg.solve(gram, np.concatenate([zty[:, :, None], eye[:, :, None]], axis=2))
        beta, inv_kk = sol[k, :, 0], sol[k, k, 1]
        rss = design.yy - np.einsum("ij,ij->i", beta, zty)
        s2 = rss / (n_dyads - q)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[s] = beta[k, k] / np.sqrt(s2 * inv_kk)
    return out


def _block(design: _Design, task: tuple[int, int]) -> np.ndarray:
    seed, count = task
    rng = np.random.default_rng(seed)
    return _t_values(design, [rng.permutation(design.na) for _ in range(count)])


def _ols(z: np.ndarray, y: np.ndarray, names: list[str]) -> tuple[np.ndarray, np.ndarray, float]:
    """Coefficients, t-values and R² of the OLS fit of y on z."""
    n, q = z.shape
    beta, _, rank, _ = np.linalg.lstsq(z, y, rcond=None)
    if rank < q:
        raise UsageError(
            f"the covariates {names[1:]!r} are collinear or constant on the {n} dyads "
            "(the regression has no unique solution); drop one"
        )
    if n <= q:
        raise UsageError(f"{n} dyads are too few for {q - 1} covariates")
    resid = y - z @ beta
    rss = float(resid @ resid)
    s2 = rss / (n - q)
    cov = s2 * np.linalg.inv(z.T @ z)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = beta / np.sqrt(np.diag(cov))
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - rss / tss if tss > 0 else math.nan
    return beta, t, r2


def _fit(
    y: np.ndarray, x: np.ndarray, n: int, names: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, _Design]:
    """The OLS fit on the dyads of ``n`` nodes (in ``numpy.triu_indices(n, 1)`` order)
    with no missing covariate, and the design its permutations need.

    Returns the kept-dyad mask, coefficients, t-values, R² and the :class:`_Design`
    (nodes with no kept dyad are left out of it, the others renumbered in order).
    """
    i, j = (v.astype(np.int64) for v in np.triu_indices(n, 1))
    keep = np.isfinite(x).all(axis=1)
    z = np.column_stack([np.ones(int(keep.sum())), x[keep]])
    yk = y[keep]
    beta, t_obs, r2 = _ols(z, yk, names)
    # the permutations run over the nodes with at least one kept dyad
    active = np.zeros(n, dtype=bool)
    active[i[keep]] = True
    active[j[keep]] = True
    new = np.cumsum(active) - 1
    na = int(active.sum())
    a, b = new[i[keep]], new[j[keep]]
    q = z.shape[1]
    resid = np.zeros((na * na, q))
    for k in range(q):
        others = np.delete(z, k, axis=1)
        coef = np.linalg.lstsq(others, z[:, k], rcond=None)[0]
        e_k = z[:, k] - others @ coef
        resid[a * na + b, k] = e_k
        resid[b * na + a, k] = e_k
    gone = np.flatnonzero(~keep & active[i] & active[j])
    design = _Design(
        a=a,
        b=b,
        gone_a=new[i[gone]],
        gone_b=new[j[gone]],
        na=na,
        resid=resid,
        zy=np.column_stack([z, yk]),
        gram=z.T @ z,
        zty=z.T @ yk,
        yy=float(yk @ yk),
        sq=(resid * resid).sum(axis=0) / 2,
    )
    return keep, beta, t_obs, r2, design


def qap(
    eco: Ecosystem,
    covariates: Any = BUILTIN_COVARIATES,
    *,
    session: str | None = None,
    onto: str = "establishment",
    backbone: str | None = None,
    alpha: float = 0.05,
    min_weight: float = 2,
    correction: str = "none",
    response: str = "tie",
    permutations: int = 1000,
    seed: int = 0,
    workers: int | None = None,
) -> pd.DataFrame:
    """Regress ties on dyadic covariates, with QAP p-values (MRQAP, ``sna::netlm``).

    The dyads are every unordered pair {i, j} of the projection's nodes, tied or not.
    The response is ``tie`` (1 when the pair is tied in the graph, with its backbone)
    or ``weight`` (the tie's shared networks in the graph; 0 when untied). The model is
    ordinary least squares ``y = β_0 + Σ_k β_k X_k + ε`` over the dyads, with the
    usual t-values ``t_k = β_k / se(β_k)``.

    P-values by Dekker, Krackhardt & Snijders' (2007) double semi-partialling: for each
    column k (covariates and the intercept), X_k is regressed on the other columns and
    its residual E_k kept as a node x node matrix; the rows and columns of E_k are
    permuted together (one random node permutation) and the model refitted with the
    permuted E_k in place of X_k; the statistic is its t-value. With S permutations
    and observed t: ``p_greater = (1 + #{t_s ≥ t}) / (S + 1)``,
    ``p_less = (1 + #{t_s ≤ t}) / (S + 1)``,
    ``p_two_sided = (1 + #{|t_s| ≥ |t|}) / (S + 1)``. With one covariate this is
    Krackhardt's (1988) QAP.

    Built-in covariates: ``same_authority``, ``same_sector`` (1 when the two nodes'
    values are equal, 0 otherwise); ``simd_difference`` = |q_i − q_j| of the SIMD
    quintiles; ``distance_km``, the haversine distance between the nodes' latitude and
    longitude (:func:`haversine_km`); ``previous_tie``, 1 when the pair is tied in the
    same graph (same ``onto`` and backbone arguments) of the session before
    ``session``, 0 otherwise, including when either node was absent. A user covariate
    is a DataFrame with columns ``i``, ``j`` (node ids; order within a pair does not
    matter) and ``value``, passed bare (named ``user_1``, ``user_2`` ...), as a
    ``(name, DataFrame)`` pair, or in a dict ``{name: covariate}``; pairs it does not
    list are missing.

    Dyads with a missing covariate (an unknown authority, sector, quintile or
    coordinate; a pair a user covariate does not list) are dropped and counted in
    ``attrs["dropped"]``. Nodes left with no dyad are left out of the permutations; a
    permuted residual that lands on a dropped dyad among the others reads 0 (the
    residuals' mean).

    Parameters
    ----------
    eco : Ecosystem
    covariates : sequence, dict, str or DataFrame
        See above; default all five built-ins.
    session : str, optional
        The session whose graph is modelled (``eco.select(session=session)``); needed
        by ``previous_tie``, which reads the session before it from ``eco``. ``None``:
        the graph of ``eco`` as it is.
    onto, backbone, alpha, min_weight, correction
        The graph options (:class:`wpnet.graphs.GraphSpec`): the projection
        (:func:`wpnet.graphs.projection`) and its backbone (:mod:`wpnet.backbones`).
    response : {"tie", "weight"}
    permutations : int
        S per column, at least 1.
    seed : int
    workers : int, optional
        Processes. Permutations are drawn in blocks of 50, each from its own seed
        (``task_seeds(seed, blocks)``), the same permutations for every column, so the
        result does not depend on the number of workers.

    Returns
    -------
    DataFrame
        Index ``term``: ``intercept`` then the covariates; columns ``coef``, ``t``,
        ``p_two_sided``, ``p_greater``, ``p_less``. ``attrs``: ``measure``, ``graph``,
        ``backbone``, ``scope``, ``dyads`` (used), ``dropped``, ``r_squared``,
        ``permutations``, ``seed``, ``response``, ``session``, ``unmatched`` (user
        covariate rows naming a node not in the graph, per covariate).

    Raises
    ------
    UsageError
        Unknown covariate or response, a covariate the nodes cannot give, collinear
        covariates, too many dyads (:data:`QAP_MAX_DYADS`), bad user rows.

    References
    ----------
    Krackhardt (1988), Predicting with networks: nonparametric multiple regression
    analysis of dyadic data, Social Networks 10; Dekker, Krackhardt & Snijders (2007),
    Sensitivity of MRQAP tests to collinearity and autocorrelation conditions,
    Psychometrika 72; Butts, ``sna::netlm(nullhyp="qapspp")``.

    Examples
    --------
    >>> import wpnet
    >>> r = qap(wpnet.tiny(), ["same_authority"], session="2022-23", permutations=99)
    >>> r.index.tolist(), r.attrs["dyads"]
    (['intercept', 'same_authority'], 10)
    >>> round(float(r.loc["same_authority", "coef"]), 4)
    -0.0952
    """
    expect_ecosystem(eco, "qap")
    spec = GraphSpec(onto, backbone, alpha, min_weight, correction)
    check_choice("response", response, RESPONSES)
    if isinstance(permutations, bool) or not isinstance(permutations, int | np.integer):
        raise UsageError(f"permutations must be a positive integer; got {permutations!r}")
    if permutations < 1:
        raise UsageError(f"permutations must be a positive integer; got {permutations!r}")
    named = _named(covariates)
    g_eco = eco if session is None else eco.select(session=session)
    if session is not None and session not in eco.sessions:
        raise UsageError(f"session {session!r} is not one of {eco.sessions!r}")
    p = graph_for(g_eco, spec)
    n = p.n
    dyads = n * (n - 1) // 2
    if dyads > QAP_MAX_DYADS:
        raise UsageError(
            f"the graph has {n:,} nodes, {dyads:,} dyads, above QAP_MAX_DYADS = "
            f"{QAP_MAX_DYADS:,}; narrow the selection or project onto establishments"
        )
    if dyads < 2:
        raise UsageError(f"qap needs at least three nodes; the graph has {n}")
    i, j = (x.astype(np.int64) for x in np.triu_indices(n, 1))
    columns: list[np.ndarray] = []
    unmatched: dict[str, int] = {}
    for name, value in named:
        if isinstance(value, pd.DataFrame):
            col, unused = _user(value, name, p, n)
            unmatched[name] = unused
        elif value == "same_authority":
            col = _same(p, "authority", value, i, j)
        elif value == "same_sector":
            col = _same(p, "sector", value, i, j)
        elif value == "simd_difference":
            q = _numeric(p, "simd_quintile", value)
            col = np.abs(q[i] - q[j])
        elif value == "distance_km":
            lat, lon = _numeric(p, "latitude", value), _numeric(p, "longitude", value)
            col = haversine_km(lat[i], lon[i], lat[j], lon[j])
        else:
            col = _previous(eco, session, spec, p, n)
        columns.append(col)
    x = np.column_stack(columns)
    y = np.zeros(dyads)
    e = p.edges()
    ti = _dyad_index(e["i"].to_numpy(np.int64), e["j"].to_numpy(np.int64), n)
    y[ti] = 1.0 if response == "tie" else e["weight"].to_numpy(np.float64)
    names = ["intercept", *[nm for nm, _ in named]]
    keep, beta, t_obs, r2, design = _fit(y, x, n, names)
    dropped = int(dyads - keep.sum())
    blocks = -(-int(permutations) // BLOCK)
    tasks = [
        (s, min(BLOCK, int(permutations) - k * BLOCK))
        for k, s in enumerate(task_seeds(int(seed), blocks))
    ]
    draws = np.vstack(parallel_map(_block, tasks, shared=design, workers=workers))
    rows = []
    for k, name in enumerate(names):
        d = draws[:, k]
        d = d[np.isfinite(d)]
        pg, pl, _ = plus_one_pvalues(float(t_obs[k]), d)
        tol = 1e-10 * max(1.0, abs(float(t_obs[k])))
        p2 = (1 + int((np.abs(d) >= abs(float(t_obs[k])) - tol).sum())) / (d.size + 1)
        if not math.isfinite(float(t_obs[k])):
            p2 = math.nan
        rows.append((name, float(beta[k]), float(t_obs[k]), p2, pg, pl))
    out = pd.DataFrame(rows, columns=["term", *QAP_COLUMNS]).set_index("term")
    out.index = out.index.astype("str")
    return stamp(
        out,
        measure="qap",
        projection=p,
        eco=g_eco,
        dyads=int(keep.sum()),
        dropped=dropped,
        r_squared=r2,
        permutations=int(permutations),
        seed=int(seed),
        response=response,
        session=session,
        unmatched=unmatched,
        covariates=[nm for nm, _ in named],
    )
