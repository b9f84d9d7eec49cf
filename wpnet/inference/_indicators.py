"""The indicator engine shared by the network bootstrap (:mod:`wpnet.inference.bootstrap`),
volume matching (:mod:`wpnet.inference.volume`) and the evaluation themes
(:mod:`wpnet.evaluation`).

A session is turned once into integer arrays (records → practitioner, network and
establishment codes; establishments → authority, SIMD quintile, eligibility) and one
sparse structure of its co-membership pairs. A *draw* is then a vector ``c`` of network
multiplicities (a network drawn twice enters as two distinct copies with all its
records; :func:`network_draw`) and, for volume matching, a mask of the practitioners
kept. Every indicator of a draw is computed from those arrays with ``numpy.bincount``;
the graph indicators from the establishment co-membership projection of the draw,
``W = B diag(c) Bᵀ`` (B the binary establishment × network matrix), reduced to the
same backbone as :func:`wpnet.project` would give on the resampled records.

What the draws share is computed once per session: the list of establishment pairs
that share a network and the pair × network matrix ``P`` (so a draw's tie weights are
the mat-vec ``P c``), the record and practitioner codes, and the register's
denominators. With ``c = 1`` and nothing dropped, every value equals the one
:func:`wpnet.reach` / :func:`wpnet.capacity` give on the session (tested).

The draws themselves (seeded, batched, run on several processes) and their intervals
are :mod:`wpnet.inference._draws`'s.

This is an internal helper module: its names (``SessionData``, ``prepare``,
``evaluate``, ...) are not part of the public API. :mod:`wpnet.inference.bootstrap`
re-exports the ones that were importable from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wpnet._sparse import edge_list
from wpnet.backbones import adjust_pvalues, disparity_pvalues
from wpnet.ecosystem import Ecosystem
from wpnet.inference._draw_sdsm import weighted_sdsm_pvalues, weighted_tails
from wpnet.schema import LEVELS

__all__ = [
    "COMPOSITION",
    "GRAPH_INDICATORS",
    "INDICATOR_NAMES",
    "LABEL_PERMUTATIONS",
    "STRUCTURAL",
    "VOLUME_DRAWS",
    "Layout",
    "Register",
    "SessionData",
    "check_options",
    "describe_graph",
    "evaluate",
    "layout_of",
    "make_layout",
    "network_draw",
    "practitioners_of",
    "prepare",
    "prepare_records",
    "register_of",
    "weighted_sdsm_pvalues",
    "weighted_tails",
]

QUINTILES = (1, 2, 3, 4, 5)
#: The SIMD gradient's gap row: quintile 1 minus quintile 5.
GAP = "SIMD 1 − SIMD 5"
#: Indicators computed on the establishment graph of a draw.
GRAPH_INDICATORS = (
    "cross_authority_share",
    "authority_cross_share",
    "spanning_communities_share",
    "largest_component_share",
    "robustness",
)
#: Structural indicators: shaped by the number of participants and by the backbone's
#: power, compared volume-matched (INFERENCE.md §6); the spanning share counts Leiden
#: communities, whose number grows with volume.
STRUCTURAL = ("largest_component_share", "robustness", "spanning_communities_share")
#: Composition indicators: an expected value under the labels null (INFERENCE.md §7).
COMPOSITION = ("cross_authority_share", "authority_cross_share", "spanning_communities_share")
#: Subsamples of a volume-matched value (INFERENCE.md §6).
VOLUME_DRAWS = 20
#: Permutations of the authority labels for an expected value.
LABEL_PERMUTATIONS = 500


def _group_label(q: int) -> str:
    return f"SIMD {q}"


# ---------------------------------------------------------------------------------------
# Layout: which value sits where in a draw's vector
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """The (indicator, unit, group) of every position of a draw's value vector.

    ``unit`` is ``partnership`` or an authority; ``group`` is ``""``, a level, or a
    SIMD quintile label (``SIMD 1`` … ``SIMD 5``, and :data:`GAP`).
    """

    keys: tuple[tuple[str, str, str], ...]
    authorities: tuple[str, ...]
    _gradient_at: dict[str, np.ndarray] = field(default_factory=dict, init=False, compare=False)

    def index(self) -> dict[tuple[str, str, str], int]:
        """Position of each key (one dictionary per layout: do not change it)."""
        return self._index

    @cached_property
    def _index(self) -> dict[tuple[str, str, str], int]:
        return {k: i for i, k in enumerate(self.keys)}

    @cached_property
    def names(self) -> frozenset[str]:
        """The indicators the layout holds."""
        return frozenset(name for name, _, _ in self.keys)

    def positions(self, indicators: set[str]) -> np.ndarray:
        return np.array([i for i, k in enumerate(self.keys) if k[0] in indicators], dtype=np.int64)

    def gradient_positions(self, name: str) -> np.ndarray:
        """Positions of the SIMD gradient's ``name``: a row per unit (``partnership``, then
        each authority), columns ``SIMD 1`` … ``SIMD 5``, :data:`GAP`.

        Examples
        --------
        >>> lay = make_layout(["A"]); at = lay.gradient_positions("simd_coverage")
        >>> at.shape, lay.keys[at[1, 5]]
        ((2, 6), ('simd_coverage', 'A', 'SIMD 1 − SIMD 5'))
        """
        at = self._gradient_at.get(name)
        if at is None:
            units, groups = ("partnership", *self.authorities), (*map(_group_label, QUINTILES), GAP)
            at = np.array([[self._index[(name, u, g)] for g in groups] for u in units])
            at.flags.writeable = False  # shared by every draw
            self._gradient_at[name] = at
        return at


def make_layout(authorities: list[str]) -> Layout:
    """Every indicator row, in a fixed order, for a partnership of ``authorities``."""
    keys: list[tuple[str, str, str]] = []
    units = ["partnership", *authorities]
    keys.append(("cross_authority_share", "partnership", ""))
    keys.append(("multi_network_share", "partnership", ""))
    keys.append(("lead_share", "partnership", ""))
    keys += [("lead_rate_by_level", "partnership", lv) for lv in LEVELS]
    keys += [("participation_rate_by_level", "partnership", lv) for lv in LEVELS]
    keys.append(("spanning_communities_share", "partnership", ""))
    keys.append(("largest_component_share", "partnership", ""))
    keys.append(("robustness", "partnership", ""))
    keys += [("coverage", u, "") for u in units]
    keys += [("authority_cross_share", a, "") for a in authorities]
    groups = [_group_label(q) for q in QUINTILES] + [GAP]
    for name in ("simd_coverage", "simd_depth", "simd_lead_rate"):
        keys += [(name, u, g) for u in units for g in groups]
    return Layout(tuple(keys), tuple(authorities))


# ---------------------------------------------------------------------------------------
# One session as arrays
# ---------------------------------------------------------------------------------------
@dataclass
class SessionData:
    """A session's records and register as integer arrays (see the module docstring)."""

    label: str
    layout: Layout
    rec_p: np.ndarray  # practitioner code of each record
    rec_k: np.ndarray  # network code
    rec_e: np.ndarray  # establishment code (register order; unknown ones appended)
    rec_lead: np.ndarray  # bool
    n_p: int
    n_k: int
    n_e: int
    p_level: np.ndarray  # level code of each practitioner (-1 unknown)
    e_auth: np.ndarray  # authority code of each establishment (-1 unknown)
    e_q: np.ndarray  # SIMD quintile 1..5 (0 unknown)
    e_eligible: np.ndarray  # bool: in the register and not central
    register_level: np.ndarray  # practitioners on the register per level
    e_rank: np.ndarray  # each establishment's place in id order (a projection's order)
    b: sp.csr_matrix  # binary establishment x network (all establishments as rows)
    pair_i: np.ndarray  # establishment pairs i < j sharing a network
    pair_j: np.ndarray
    pair_net: sp.csr_matrix | None  # pairs x networks, 1 where both are members
    pk_p: np.ndarray  # distinct (practitioner, network) pairs
    pk_k: np.ndarray
    combos: dict[str, tuple[np.ndarray, np.ndarray, int]] = field(default_factory=dict)
    network_ids: tuple[str, ...] = ()  # network of each code
    opts: dict[str, Any] = field(default_factory=dict)  # backbone, alpha, ...
    seed: int = 0  # Leiden's seed
    observed: Any = field(default=None, repr=False, compare=False)  # _kept_ties of c = 1
    pair_coo: Any = field(default=None, repr=False, compare=False)  # (pair, net, cell_i, cell_j)


def _codes(values: pd.Series, categories: list[Any]) -> np.ndarray:
    idx = pd.Index(categories)
    return idx.get_indexer(values.astype(object).where(values.notna(), None)).astype(np.int64)


@dataclass(frozen=True)
class Register:
    """The register's arrays every session of one :func:`reflections` call shares
    (:func:`register_of`): establishments in register order (the first row of an id
    repeated) with their authority code (-1 unknown), SIMD quintile (0 unknown) and
    eligibility; practitioners (first row of each id) with their level code."""

    est_ids: pd.Index  # establishment ids as text, register order
    e_auth: np.ndarray
    e_q: np.ndarray
    e_eligible: np.ndarray
    prac_ids: pd.Index  # practitioner ids (unique)
    prac_level: np.ndarray  # level code of each (-1 unknown)
    register_level: np.ndarray  # practitioners on the register per level


def register_of(register: Ecosystem, layout: Layout) -> Register:
    """The :class:`Register` of ``register`` for ``layout``'s authorities."""
    est = register.establishments.drop_duplicates("establishment_id")
    q = pd.to_numeric(est["simd_quintile"], errors="coerce").to_numpy(dtype=np.float64)
    prac = register.practitioners.drop_duplicates("practitioner_id").set_index("practitioner_id")
    prac_level = _codes(prac["level"], list(LEVELS))
    return Register(
        est_ids=pd.Index(est["establishment_id"].astype(str).tolist(), dtype=object),
        e_auth=_codes(est["authority"], list(layout.authorities)),
        e_q=np.where(np.isin(q, QUINTILES), q, 0).astype(np.int64),
        e_eligible=(est["sector"].astype(object) != "central").to_numpy(dtype=bool),
        prac_ids=prac.index,
        prac_level=prac_level,
        register_level=np.bincount(prac_level[prac_level >= 0], minlength=len(LEVELS)),
    )


def _establishment_codes(ids: pd.Series, est_ids: pd.Index) -> tuple[np.ndarray, list[str]]:
    """Each record's establishment position in the register followed by the ids it
    lacks (``extra``, sorted), -1 for a missing id; hashing each distinct id once."""
    codes, uniq = pd.factorize(ids, use_na_sentinel=True)
    uniq = pd.Index(uniq.astype(str), dtype=object)
    found = est_ids.get_indexer(uniq)
    extra = sorted(set(uniq[found < 0]))
    found[found < 0] = len(est_ids) + pd.Index(extra, dtype=object).get_indexer(uniq[found < 0])
    return np.where(codes >= 0, found[np.maximum(codes, 0)], -1).astype(np.int64), extra


def _id_rank(ids: list[str]) -> np.ndarray:
    """Each id's position in sorted order, the order of a projection's nodes (so that
    ties in a ranking are broken as :func:`wpnet.capacity` breaks them)."""
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(np.asarray(ids, dtype=object), kind="stable")] = np.arange(len(ids))
    return rank


def prepare(eco: Ecosystem, register: Ecosystem, *, layout: Layout, **options: Any) -> SessionData:
    """The arrays of ``eco`` (usually one session); ``register`` gives the denominators
    (establishments and practitioners on the register): :func:`prepare_records` of
    ``eco.records`` against :func:`register_of` ``(register, layout)``, with its
    keyword ``options`` (``label``, ``backbone``, ``alpha``, ``min_weight``,
    ``correction``, ``seed``, ``pairs``). A caller preparing several sessions against
    one register calls those two directly."""
    return prepare_records(eco.records, register_of(register, layout), layout=layout, **options)


def prepare_records(
    records: pd.DataFrame,
    reg: Register,
    *,
    label: str,
    layout: Layout,
    backbone: str | None,
    alpha: float,
    min_weight: float,
    correction: str,
    seed: int,
    pairs: bool = True,
) -> SessionData:
    """The :class:`SessionData` of ``records`` (rows of :attr:`Ecosystem.records`)
    against the register ``reg``. ``pairs=False`` leaves out the pair x network matrix
    (for a session whose graph is built once, not per draw).

    Records without a network or practitioner, or with no establishment, are left out;
    establishments named by records but not on the register are appended in sorted
    order; practitioners and networks are coded in order of first appearance.
    """
    rec = records[records["network_id"].notna() & records["practitioner_id"].notna()]
    rec_e, extra = _establishment_codes(rec["establishment_id"], reg.est_ids)
    ok = rec_e >= 0
    rec = rec[ok]
    rec_e = rec_e[ok]
    n_reg = len(reg.est_ids)
    n_e = n_reg + len(extra)
    e_auth = np.full(n_e, -1, dtype=np.int64)
    e_auth[:n_reg] = reg.e_auth
    e_q = np.zeros(n_e, dtype=np.int64)
    e_q[:n_reg] = reg.e_q
    e_eligible = np.zeros(n_e, dtype=bool)
    e_eligible[:n_reg] = reg.e_eligible
    p_codes, p_ids = pd.factorize(rec["practitioner_id"])
    k_codes, k_ids = pd.factorize(rec["network_id"])
    n_p, n_k = len(p_ids), len(k_ids)
    where = reg.prac_ids.get_indexer(pd.Index(p_ids))
    p_level = np.where(where >= 0, reg.prac_level[np.maximum(where, 0)], -1).astype(np.int64)
    rec_p = p_codes.astype(np.int64)
    rec_k = k_codes.astype(np.int64)
    b = sp.csr_matrix((np.ones(len(rec_e)), (rec_e, rec_k)), shape=(n_e, n_k))
    b.sum_duplicates()
    b.data[:] = 1.0
    up = sp.triu(b @ b.T, k=1).tocsr()
    up.sort_indices()
    coo = up.tocoo()
    pair_i, pair_j = coo.row.astype(np.int64), coo.col.astype(np.int64)
    pair_net = b[pair_i].multiply(b[pair_j]).tocsr() if pairs else None
    pk = np.unique(rec_p * n_k + rec_k)
    return SessionData(
        label=label,
        layout=layout,
        rec_p=rec_p,
        rec_k=rec_k,
        rec_e=rec_e,
        rec_lead=rec["lead"].to_numpy(dtype=bool),
        n_p=n_p,
        n_k=n_k,
        n_e=n_e,
        p_level=p_level,
        e_auth=e_auth,
        e_q=e_q,
        e_eligible=e_eligible,
        register_level=reg.register_level.copy(),
        e_rank=_id_rank([*reg.est_ids, *extra]),
        b=b,
        pair_i=pair_i,
        pair_j=pair_j,
        pair_net=pair_net,
        pk_p=(pk // max(n_k, 1)).astype(np.int64),
        pk_k=(pk % max(n_k, 1)).astype(np.int64),
        combos=_combos(rec_p, e_q[rec_e], e_auth[rec_e], len(layout.authorities)),
        network_ids=tuple(str(x) for x in k_ids),
        opts=dict(backbone=backbone, alpha=alpha, min_weight=min_weight, correction=correction),
        seed=seed,
    )


def _combos(
    rec_p: np.ndarray, eq: np.ndarray, ea: np.ndarray, n_auth: int
) -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    """Distinct (practitioner, SIMD quintile) and (practitioner, authority x quintile)
    pairs of the records attributed there, for distinct-practitioner counts per cell."""
    combos = {}
    for name, cell, n_cells in (
        ("q", eq, 6),
        ("aq", np.where(ea >= 0, ea * 6 + eq, -1), 6 * max(n_auth, 1)),
    ):
        ok_cell = (eq > 0) & (cell >= 0)
        key = np.where(ok_cell, rec_p * n_cells + cell, -1)
        uniq, inv = np.unique(key, return_inverse=True)
        if uniq.size and uniq[0] == -1:
            inv = inv - 1  # -1 for records in no cell
            uniq = uniq[1:]
        combos[name] = (inv.astype(np.int64), (uniq % n_cells).astype(np.int64), n_cells)
    return combos


def network_draw(n_networks: int, rng: np.random.Generator) -> np.ndarray:
    """Multiplicities of a cluster-bootstrap draw: ``n_networks`` networks drawn with
    replacement; ``c[k]`` = how many copies of network k the draw holds.

    Examples
    --------
    >>> c = network_draw(5, np.random.default_rng(0))
    >>> int(c.sum())
    5
    """
    return np.bincount(rng.integers(0, n_networks, n_networks), minlength=n_networks)


def practitioners_of(sd: SessionData, c: np.ndarray) -> np.ndarray:
    """Codes of the practitioners with a record in a drawn network (read from the
    distinct (practitioner, network) pairs, a fraction of the records)."""
    present = c[sd.pk_k] > 0
    return np.flatnonzero(np.bincount(sd.pk_p[present], minlength=sd.n_p) > 0)


# ---------------------------------------------------------------------------------------
# Values of one draw
# ---------------------------------------------------------------------------------------
def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def evaluate(
    sd: SessionData,
    c: np.ndarray | None = None,
    keep: np.ndarray | None = None,
    *,
    which: set[str] | None = None,
    graph: bool = True,
    denominators: np.ndarray | None = None,
) -> np.ndarray:
    """The layout's values for one draw (NaN where not computed).

    ``c``: network multiplicities (default all 1); ``keep``: practitioners kept (bool
    per practitioner code; default all). ``which``: the indicators wanted (default all);
    ``graph=False`` skips the graph indicators. ``denominators``, when given (an array
    of the layout's length), receives each value's denominator n.
    """
    lay = sd.layout
    pos = lay.index()
    out = np.full(len(lay.keys), np.nan)
    c = np.ones(sd.n_k, dtype=np.int64) if c is None else np.asarray(c)
    rec_w = c[sd.rec_k].astype(np.float64)
    if keep is not None:
        rec_w = rec_w * keep[sd.rec_p]
    present = rec_w > 0
    want = (lambda name: True) if which is None else (lambda name: name in which)

    def put(name: str, unit: str, group: str, value: float, n: float = math.nan) -> None:
        out[pos[(name, unit, group)]] = value
        if denominators is not None:
            denominators[pos[(name, unit, group)]] = n

    def put_at(at: np.ndarray, values: np.ndarray, n: np.ndarray) -> None:
        out[at] = values
        if denominators is not None:
            denominators[at] = n

    rec_c = rec_w.astype(np.int64)
    if any(want(x) for x in _PEOPLE):  # ---- practitioners
        _practitioner_values(sd, c, keep, rec_c, put, want)
    if any(want(x) for x in _REACHED):  # ---- establishments
        _establishment_values(sd, present, rec_c, put, want, put_at)
    if graph and (which is None or which & set(GRAPH_INDICATORS)):
        _graph_values(sd, c, keep, present, put, want)
    return out


#: The indicators read from the practitioners' instances, and from the establishments
#: reached (each part of :func:`evaluate` is skipped when none of its own is wanted).
_PEOPLE = ("multi_network_share", "lead_share", "lead_rate_by_level", "participation_rate_by_level")
_REACHED = ("coverage", "simd_coverage", "simd_depth", "simd_lead_rate")


def _establishment_values(
    sd: SessionData, present: np.ndarray, rec_c: np.ndarray, put: Any, want: Any, put_at: Any
) -> None:
    """The indicators of :data:`_REACHED`: coverage and the SIMD gradient (``put_at``)."""
    lay = sd.layout
    reached = np.bincount(sd.rec_e[present], minlength=sd.n_e) > 0
    n_auth = len(lay.authorities)
    auth_ok = sd.e_auth >= 0
    if want("coverage"):
        elig = np.bincount(sd.e_auth[sd.e_eligible & auth_ok], minlength=n_auth)
        hit = np.bincount(sd.e_auth[sd.e_eligible & auth_ok & reached], minlength=n_auth)
        share = _ratio(hit, elig)  # every authority at once: the same divisions
        for i, a in enumerate(lay.authorities):
            put("coverage", a, "", share[i], elig[i])
        all_elig = int(sd.e_eligible.sum())
        put("coverage", "partnership", "", _ratio((sd.e_eligible & reached).sum(), all_elig),
            all_elig)  # fmt: skip
    if want("simd_coverage") or want("simd_depth") or want("simd_lead_rate"):
        _gradient(sd, rec_c, reached, put_at, want)


def _practitioner_values(
    sd: SessionData, c: np.ndarray, keep: np.ndarray | None, rec_c: np.ndarray, put: Any,
    want: Any,
) -> None:  # fmt: skip
    """The indicators of :data:`_PEOPLE` (practitioners counted in copy instances: copy
    j of a network carries instance j of each member, so a practitioner counts
    max_k c_k times, k over their networks in the draw)."""
    inst = _max_by(sd.rec_p, rec_c, sd.n_p)
    lead_inst = _max_by(sd.rec_p[sd.rec_lead], rec_c[sd.rec_lead], sd.n_p)
    n_part = int(inst.sum())
    if want("multi_network_share"):
        c_pk = c[sd.pk_k] * (1 if keep is None else keep[sd.pk_p])
        multi = int(_second_max_by(sd.pk_p, c_pk, sd.n_p).sum())
        put("multi_network_share", "partnership", "", _ratio(multi, n_part), n_part)
    if want("lead_share"):
        put("lead_share", "partnership", "", _ratio(lead_inst.sum(), n_part), n_part)
    n_lv = len(LEVELS)
    lv_ok = sd.p_level >= 0
    by_level = np.bincount(sd.p_level[lv_ok], weights=inst[lv_ok], minlength=n_lv)
    if want("lead_rate_by_level"):
        led = np.bincount(sd.p_level[lv_ok], weights=lead_inst[lv_ok], minlength=n_lv)
        rate = _ratio(led, by_level)
        for i, lv in enumerate(LEVELS):
            put("lead_rate_by_level", "partnership", lv, rate[i], by_level[i])
    if want("participation_rate_by_level"):
        rate = _ratio(by_level, sd.register_level)
        for i, lv in enumerate(LEVELS):
            put("participation_rate_by_level", "partnership", lv, rate[i], sd.register_level[i])


def _max_by(group: np.ndarray, value: np.ndarray, n: int) -> np.ndarray:
    """Largest ``value`` per ``group`` (0 where a group has none).

    Examples
    --------
    >>> _max_by(np.array([0, 0, 2]), np.array([1, 3, 2]), 3).tolist()
    [3, 0, 2]
    """
    out = np.zeros(n, dtype=np.int64)
    np.maximum.at(out, group, value)
    return out


def _second_max_by(group: np.ndarray, value: np.ndarray, n: int) -> np.ndarray:
    """Second largest ``value`` per ``group`` (0 where a group has fewer than two).

    Examples
    --------
    >>> _second_max_by(np.array([0, 0, 0, 1]), np.array([2, 3, 3, 4]), 2).tolist()
    [3, 0]
    """
    top = _max_by(group, value, n)
    at_top = np.flatnonzero(value == top[group])
    _, first = np.unique(group[at_top], return_index=True)
    rest = np.ones(group.size, dtype=bool)
    rest[at_top[first]] = False
    return _max_by(group[rest], value[rest], n)


def _gradient(sd: SessionData, rec_c: np.ndarray, reached: np.ndarray, put: Any, want: Any) -> None:
    """Coverage, practitioners per reached establishment and leadership rate per SIMD
    quintile, for the partnership and each authority, and the quintile 1 − 5 gaps
    (practitioners counted in copy instances, as in :func:`evaluate`); ``put`` sets an
    indicator's values at once, at :meth:`Layout.gradient_positions`."""
    lay = sd.layout
    n_auth = len(lay.authorities)
    q_ok = sd.e_q > 0
    a_ok = sd.e_auth >= 0
    cell_e = {
        "partnership": (sd.e_q, q_ok, 6, None),
        "authority": (np.where(a_ok, sd.e_auth * 6 + sd.e_q, 0), q_ok & a_ok, 6 * n_auth, "aq"),
    }
    values: dict[str, dict[str, np.ndarray]] = {}
    for scope, (cell, ok, n_cells, _) in cell_e.items():
        elig = np.bincount(cell[ok & sd.e_eligible], minlength=n_cells)
        hit = np.bincount(cell[ok & sd.e_eligible & reached], minlength=n_cells)
        est = np.bincount(cell[ok & reached], minlength=n_cells)
        inv, combo_cell, _ = sd.combos["q" if scope == "partnership" else "aq"]
        has = inv >= 0
        hl = has & sd.rec_lead
        seen = _max_by(inv[has], rec_c[has], combo_cell.size)
        led = _max_by(inv[hl], rec_c[hl], combo_cell.size)
        people = np.bincount(combo_cell, weights=seen, minlength=n_cells)
        leaders = np.bincount(combo_cell, weights=led, minlength=n_cells)
        values[scope] = {
            "simd_coverage": (_ratio(hit, elig), elig),
            "simd_depth": (_ratio(people, est), est),
            "simd_lead_rate": (_ratio(leaders, people), people),
        }
    for name in ("simd_coverage", "simd_depth", "simd_lead_rate"):
        if not want(name):
            continue
        # rows: the partnership's six cells, then each authority's (cell 0: no quintile)
        v = np.concatenate([values["partnership"][name][0], values["authority"][name][0]])
        n = np.concatenate([values["partnership"][name][1], values["authority"][name][1]])
        v, n = v.reshape(-1, 6).astype(np.float64), n.reshape(-1, 6).astype(np.float64)
        put(
            lay.gradient_positions(name),
            np.column_stack([v[:, 1:6], v[:, 1] - v[:, 5]]),
            np.column_stack([n[:, 1:6], np.minimum(n[:, 1], n[:, 5])]),
        )


def _kept_ties(
    sd: SessionData, c: np.ndarray, keep: np.ndarray | None, present: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The active establishments and the draw's backbone ties (positions in the
    active list, weights); those of the observed session (every ``c`` 1, no practitioner
    dropped) are computed once and kept on ``sd``."""
    if keep is None and bool((c == 1).all()):
        if sd.observed is None:
            sd.observed = _draw_ties(sd, c, None, present)
        return sd.observed
    return _draw_ties(sd, c, keep, present)


def _draw_ties(
    sd: SessionData, c: np.ndarray, keep: np.ndarray | None, present: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_kept_ties`, computed."""
    method = sd.opts["backbone"]
    if keep is None and sd.pair_net is not None:
        b = sd.b
        w = sd.pair_net @ c.astype(np.float64)
        nz = np.flatnonzero(w)  # positions once, not a mask for each of three arrays
        i, j, w = sd.pair_i[nz], sd.pair_j[nz], w[nz]
    elif sd.pair_net is not None and method in (None, "threshold"):  # no B needed after
        active, i, j, w = _subsampled_pairs(sd, c, present)
        return _backbone(sd, None, c, active, i, j, w)
    else:
        if keep is None:
            present = c[sd.rec_k] > 0
        b = sp.csr_matrix(
            (np.ones(int(present.sum())), (sd.rec_e[present], sd.rec_k[present])),
            shape=(sd.n_e, sd.n_k),
        )
        b.sum_duplicates()
        b.data[:] = 1.0
        up = sp.triu((b @ sp.diags(c.astype(np.float64))) @ b.T, k=1).tocsr()
        up.eliminate_zeros()
        up.sort_indices()
        coo = up.tocoo()
        i, j, w = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    active = (b @ c.astype(np.float64)) > 0
    where = np.cumsum(active) - 1
    return _backbone(sd, b, c, active, where[i], where[j], w)


def _pair_coo(sd: SessionData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The session's (pair, network) incidences as (pair, network, cell of the pair's
    first end, cell of its second), a cell being ``establishment * n_k + network``;
    made once and kept on ``sd``."""
    if sd.pair_coo is None:
        coo = sd.pair_net.tocoo()
        pair, net = coo.row.astype(np.int64), coo.col.astype(np.int64)
        sd.pair_coo = (pair, net, sd.pair_i[pair] * sd.n_k + net, sd.pair_j[pair] * sd.n_k + net)
    return sd.pair_coo


def _subsampled_pairs(
    sd: SessionData, c: np.ndarray, present: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The active establishments and the ties (positions in the active list, weights)
    of a draw's ``present`` records, from the session's pair x network matrix:
    ``w_ij = Σ_k c_k [i in k] [j in k]`` over the memberships the present records keep
    (the same ties, in the same order, and the same sums of whole numbers as
    ``triu(B diag(c) Bᵀ)`` of those records)."""
    pair, net, cell_i, cell_j = _pair_coo(sd)
    member = np.zeros(sd.n_e * sd.n_k, dtype=bool)
    member[sd.rec_e[present] * sd.n_k + sd.rec_k[present]] = True
    kept = c.astype(np.float64)[net]  # c_k of each incidence, 0 where an end left k
    kept *= member[cell_i] & member[cell_j]
    w = np.bincount(pair, weights=kept, minlength=sd.pair_i.size)
    nz = np.flatnonzero(w)
    active = np.bincount(sd.rec_e[present], minlength=sd.n_e) > 0
    where = np.cumsum(active) - 1
    return active, where[sd.pair_i[nz]], where[sd.pair_j[nz]], w[nz]


def _backbone(
    sd: SessionData,
    b: sp.csr_matrix | None,
    c: np.ndarray,
    active: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    w: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The ties (i, j, w) the session's backbone keeps (``b``, the draw's binary
    establishment x network matrix, is read by ``sdsm`` only)."""
    method = sd.opts["backbone"]
    if method is None or i.size == 0:
        return active, i, j, w
    if method == "threshold":
        kept = w >= sd.opts["min_weight"]
        return active, i[kept], j[kept], w[kept]
    n = int(active.sum())
    if method == "sdsm":
        decide = sd.opts["alpha"] if sd.opts["correction"] == "none" else None
        p = weighted_sdsm_pvalues(b[np.flatnonzero(active)], c, i, j, w, decide)
    else:
        sym = sp.csr_matrix((np.r_[w, w], (np.r_[i, j], np.r_[j, i])), shape=(n, n))
        ri, rj, p = disparity_pvalues(sym)
        order = np.lexsort((rj, ri))
        mine = np.lexsort((j, i))
        p_sorted = np.empty_like(p)
        p_sorted[mine] = p[order]
        p = p_sorted
    kept = adjust_pvalues(p, sd.opts["correction"]) < sd.opts["alpha"]
    return active, i[kept], j[kept], w[kept]


def _graph_values(
    sd: SessionData,
    c: np.ndarray,
    keep: np.ndarray | None,
    present: np.ndarray,
    put: Any,
    want: Any,
) -> None:
    active, i, j, w = _kept_ties(sd, c, keep, present)
    n = int(active.sum())
    auth = sd.e_auth[active]
    lay = sd.layout
    ai, aj = auth[i], auth[j]
    known = (ai >= 0) & (aj >= 0)
    cross = known & (ai != aj)
    if want("cross_authority_share"):
        n_known = np.count_nonzero(known)
        put("cross_authority_share", "partnership", "",
            _ratio(np.count_nonzero(cross), n_known), n_known)  # fmt: skip
    if want("authority_cross_share"):
        n_auth = len(lay.authorities)
        ai_cross, aj_cross = ai[cross], aj[cross]
        touching = np.bincount(ai[known], minlength=n_auth) + np.bincount(
            aj_cross, minlength=n_auth
        )
        out = np.bincount(ai_cross, minlength=n_auth) + np.bincount(aj_cross, minlength=n_auth)
        share = _ratio(out, touching)
        for k, a in enumerate(lay.authorities):
            put("authority_cross_share", a, "", share[k], touching[k])
    need_g = any(want(x) for x in ("spanning_communities_share", "largest_component_share",
                                   "robustness"))  # fmt: skip
    if not need_g or n == 0:
        return
    import igraph as ig

    from wpnet.measures.capacity import (
        leiden_membership,
        robustness,
        spanning_share,
        too_big_for_exact_paths,
    )

    g = ig.Graph(n=n, edges=edge_list(i, j))
    g.es["weight"] = np.asarray(w, dtype=np.float64).tolist()
    if want("largest_component_share"):
        put("largest_component_share", "partnership", "",
            max(g.connected_components().sizes()) / n, n)  # fmt: skip
    if want("robustness"):
        seed = sd.seed if too_big_for_exact_paths(g) else None
        rank = sd.e_rank[np.flatnonzero(active)]  # ties broken in id order, as capacity
        put("robustness", "partnership", "", robustness(g, seed, rank=rank), n)
    if want("spanning_communities_share"):
        memb = np.asarray(leiden_membership(g, sd.seed))
        put("spanning_communities_share", "partnership", "", spanning_share(memb, auth),
            int((np.bincount(memb) >= 2).sum()))  # fmt: skip


# ---------------------------------------------------------------------------------------
# Names and options shared by the public functions
# ---------------------------------------------------------------------------------------
#: The indicators :func:`wpnet.inference.bootstrap.bootstrap` knows, with what they measure.
INDICATOR_NAMES = (
    "cross_authority_share",
    "multi_network_share",
    "lead_share",
    "lead_rate_by_level",
    "participation_rate_by_level",
    "spanning_communities_share",
    "largest_component_share",
    "robustness",
    "coverage",
    "authority_cross_share",
    "simd_coverage",
    "simd_depth",
    "simd_lead_rate",
)


def layout_of(eco: Ecosystem) -> Layout:
    """The layout for ``eco``'s register (its authorities, sorted)."""
    auth = eco.establishments["authority"].dropna().astype(str).unique().tolist()
    return make_layout(sorted(auth))


def check_options(samples: int, backbone: str | None, alpha: float, correction: str) -> None:
    """Raise ``ValueError`` for a bad number of draws or graph option."""
    from wpnet.graphs import BACKBONES

    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 0:
        raise ValueError(f"samples must be a whole number >= 0; got {samples!r}")
    if backbone not in BACKBONES:
        raise ValueError(f"backbone must be one of {BACKBONES}; got {backbone!r}")
    if correction not in ("none", "holm", "bonferroni", "fdr_bh"):
        raise ValueError(
            f"correction must be 'none', 'holm', 'bonferroni' or 'fdr_bh'; got {correction!r}"
        )
    if not 0 < float(alpha) < 1:
        raise ValueError(f"alpha must be between 0 and 1 (exclusive); got {alpha!r}")


def _check_indicator(indicator: str) -> None:
    if indicator not in INDICATOR_NAMES:
        raise ValueError(f"indicator must be one of {INDICATOR_NAMES}; got {indicator!r}")


def describe_graph(backbone: str | None, alpha: float, min_weight: float, correction: str) -> str:
    """The graph the graph indicators use, in words (for ``attrs['graph']``)."""
    what = "establishment co-membership projection of each draw"
    if backbone is None:
        return what + ", all ties (no backbone)"
    params = {"threshold": f"min_weight={min_weight}"}.get(
        backbone, f"alpha={alpha}, correction={correction}"
    )
    return what + f", {backbone} backbone ({params}) refitted on the draw"
