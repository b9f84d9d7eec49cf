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

This is an internal helper module: its names (``SessionData``, ``prepare``,
``evaluate``, ...) are not part of the public API. :mod:`wpnet.inference.bootstrap`
re-exports the ones that were importable from it.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wpnet._parallel import parallel_map
from wpnet._seeds import generators, spawned_states
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
    "BATCHED",
    "BATCH_CELLS",
    "DrawBatch",
    "DrawGroup",
    "DrawTask",
    "Layout",
    "Register",
    "SessionData",
    "batchable",
    "centred_interval",
    "cross_shares",
    "check_options",
    "describe_graph",
    "bootstrap_batch",
    "bootstrap_tasks",
    "draw_rng",
    "draw_rngs",
    "evaluate",
    "layout_of",
    "make_layout",
    "network_draw",
    "percentile_interval",
    "practitioners_of",
    "prepare",
    "prepare_records",
    "register_of",
    "run_draws",
    "subsample",
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
        put("robustness", "partnership", "",
            robustness(g, sd.seed if too_big_for_exact_paths(g) else None), n)  # fmt: skip
    if want("spanning_communities_share"):
        memb = np.asarray(leiden_membership(g, sd.seed))
        put("spanning_communities_share", "partnership", "", spanning_share(memb, auth),
            int((np.bincount(memb) >= 2).sum()))  # fmt: skip


# ---------------------------------------------------------------------------------------
# Draws of several sessions, on several processes
# ---------------------------------------------------------------------------------------
def draw_rngs(label: str, seed: int, samples: int) -> list[np.random.Generator]:
    """One generator per draw of the session ``label``: from ``seed`` and the session's
    name, so a session's draws do not depend on which other sessions are compared."""
    # SeedSequence(seed, spawn_key=(crc,)).spawn(samples), made together (wpnet._seeds)
    crc = zlib.crc32(label.encode("utf-8"))
    return generators(spawned_states([int(seed)] * samples, [(crc, b) for b in range(samples)]))


def draw_rng(label: str, seed: int, b: int) -> np.random.Generator:
    """``draw_rngs(label, seed, samples)[b]`` for any ``samples > b``, made alone: the
    ``b``-th child of a :class:`numpy.random.SeedSequence` is the sequence with ``b``
    appended to its parent's spawn key. Made by numpy itself: the definition that
    :func:`draw_rngs` and :func:`bootstrap_batch` (:mod:`wpnet._seeds`) are tested against.

    Examples
    --------
    >>> a = draw_rng("2023-24", 0, 3).integers(0, 100, 5)
    >>> bool((a == draw_rngs("2023-24", 0, 10)[3].integers(0, 100, 5)).all())
    True
    """
    key = (zlib.crc32(label.encode("utf-8")), int(b))
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=key))


@dataclass(frozen=True)
class DrawTask:
    """One draw of one session: multiplicities ``c``; ``matched`` the practitioner count
    to subsample to for the ``structural`` indicators (None: no subsampling), with the
    generator ``keep_seed`` (a seed, or the generator made from it: :func:`subsample`);
    ``plain`` the indicators read on the whole draw (None: all but ``structural``)."""

    label: str
    c: np.ndarray
    keep_seed: int | np.random.Generator
    matched: int | None
    structural: frozenset[str]
    plain: frozenset[str] | None
    people: np.ndarray | None = None  # practitioners_of(sd, c), when already known


@dataclass(frozen=True)
class DrawGroup:
    """Draw ``b`` of every one of ``sessions``, made where it is evaluated (in a worker
    process) from the seeds alone, as :func:`bootstrap_tasks` describes; ``ends`` the
    sessions whose draw ``b`` sets the matched practitioner count of all of them."""

    b: int
    seed: int
    sessions: tuple[str, ...]
    ends: tuple[str, ...]
    graph: frozenset[str]
    cheap: frozenset[str]


def bootstrap_tasks(group: DrawGroup, shared: dict[str, SessionData]) -> list[DrawTask]:
    """The :class:`DrawTask` of each session's draw ``group.b``: multiplicities
    ``network_draw(n_k, draw_rng(s, seed, b))``; the matched count, the fewest
    practitioners among the ends' draws ``b``; the subsample's generator
    ``default_rng(task_seed(seed + 1 + i, b))`` for the i-th session; the graph
    indicators read in the ends only."""
    return bootstrap_batch([group], shared)[0]


def bootstrap_batch(
    groups: list[DrawGroup], shared: dict[str, SessionData]
) -> list[list[DrawTask]]:
    """:func:`bootstrap_tasks` of each group, with every generator of the groups
    seeded at once (:mod:`wpnet._seeds`, bit for bit numpy's: the same draws)."""
    rows = [(g, i, s) for g in groups for i, s in enumerate(g.sessions)]
    crc = {s: zlib.crc32(s.encode("utf-8")) for _, _, s in rows}
    seeds = [g.seed for g, _, _ in rows]
    rngs = generators(spawned_states(seeds, [(crc[s], g.b) for g, _, s in rows]))
    keep_seeds = spawned_states(
        [g.seed + 1 + i for g, i, _ in rows], [(g.b,) for g, _, _ in rows], words=1
    )
    keep_rngs = generators(spawned_states(keep_seeds[:, 0].tolist(), [()] * len(rows)))
    out: list[list[DrawTask]] = []
    at = 0
    for g in groups:
        mine = range(at, at + len(g.sessions))
        at += len(g.sessions)
        cs = {
            s: network_draw(shared[s].n_k, rngs[r]) for r, s in zip(mine, g.sessions, strict=True)
        }
        people = {s: practitioners_of(shared[s], cs[s]) for s in g.ends}
        m = min(p.size for p in people.values())
        graph = {s: g.graph if s in g.ends else frozenset() for s in g.sessions}
        out.append([
            DrawTask(s, cs[s], keep_rngs[r], m, graph[s], g.cheap, people.get(s))
            for r, s in zip(mine, g.sessions, strict=True)
        ])  # fmt: skip
    return out


def subsample(
    sd: SessionData,
    c: np.ndarray,
    m: int,
    seed: int | np.random.Generator,
    people: np.ndarray | None = None,
) -> np.ndarray | None:
    """A mask keeping ``m`` of the draw's practitioners (``people``, default
    :func:`practitioners_of`), drawn without replacement by ``default_rng(seed)`` (a
    generator is used as it is); None when the draw has at most ``m``."""
    if people is None:
        people = practitioners_of(sd, c)
    if people.size <= m:
        return None
    keep = np.zeros(sd.n_p, dtype=bool)
    keep[np.random.default_rng(seed).choice(people, size=m, replace=False)] = True
    return keep


def _plain(sd: SessionData, task: DrawTask) -> set[str]:
    """The indicators a task reads on the whole draw (its ``plain``, by default all but
    its ``structural``)."""
    return set(sd.layout.names - task.structural) if task.plain is None else set(task.plain)


def _draw(shared: dict[str, SessionData], task: DrawTask) -> tuple[np.ndarray, np.ndarray]:
    sd = shared[task.label]
    plain = _plain(sd, task)
    keep = None
    if task.structural and task.matched is not None:
        keep = subsample(sd, task.c, task.matched, task.keep_seed, task.people)
    if keep is None and task.structural:
        both = evaluate(sd, task.c, which=plain | set(task.structural))
        return both, both
    values = evaluate(sd, task.c, which=plain) if plain else np.full(len(sd.layout.keys), np.nan)
    if not task.structural:
        return values, values
    return values, evaluate(sd, task.c, keep, which=set(task.structural))


#: Indicators that :func:`cross_shares` computes for many draws at once.
BATCHED = frozenset({"cross_authority_share"})
#: Draws x incidences (or records) that :func:`cross_shares` holds at once: about 16
#: million, 64 MB as float32, so that a large workstream's draws do not take GBs.
BATCH_CELLS = 1 << 24


@dataclass(frozen=True)
class DrawBatch:
    """Several :class:`DrawGroup` run as one task (:func:`_run_batch`): what each would
    give alone, with the cross-authority share of their draws computed together when
    the graph has no backbone (:func:`batchable`)."""

    groups: tuple[DrawGroup, ...]


def batchable(opts: dict[str, Any], graph: frozenset[str] | set[str]) -> bool:
    """Whether draws with graph options ``opts`` reading the graph indicators ``graph``
    gain from a :class:`DrawBatch`: no backbone, and only :data:`BATCHED` indicators."""
    return opts.get("backbone") is None and bool(graph) and set(graph) <= BATCHED


def cross_shares(
    sd: SessionData, cs: list[np.ndarray], keeps: list[np.ndarray | None]
) -> np.ndarray:
    """The cross-authority share of each draw (multiplicities ``cs[d]``, practitioners
    ``keeps[d]`` or all), with no backbone: what :func:`evaluate` gives draw by draw.

    A pair of establishments is tied in draw d when, in one of its networks, both ends
    have a record of a kept practitioner in the draw: over the session's (pair, network)
    incidences, ``member_d[i, k] & member_d[j, k]``, with ``member_d`` (a kept record of
    establishment i in network k, which needs ``c_k > 0``) read from the records by one
    product for all draws. The share is the tied pairs joining two known authorities
    over the tied pairs with both known.
    """
    pair, _, cell_i, cell_j = _pair_coo(sd)
    cells, rec_cell = np.unique(sd.rec_e * sd.n_k + sd.rec_k, return_inverse=True)
    ui, uj = np.searchsorted(cells, cell_i), np.searchsorted(cells, cell_j)
    to_cell = sp.csr_matrix(
        (np.ones(rec_cell.size, dtype=np.float32), (np.arange(rec_cell.size), rec_cell)),
        shape=(rec_cell.size, cells.size),
    )
    to_pair = sp.csr_matrix(
        (np.ones(pair.size, dtype=np.float32), (np.arange(pair.size), pair)),
        shape=(pair.size, sd.pair_i.size),
    )
    ai, aj = sd.e_auth[sd.pair_i], sd.e_auth[sd.pair_j]
    known = (ai >= 0) & (aj >= 0)
    cross = known & (ai != aj)
    n_cross, n_known = np.zeros(len(cs), dtype=np.int64), np.zeros(len(cs), dtype=np.int64)
    step = max(1, BATCH_CELLS // max(pair.size, rec_cell.size, cells.size, 1))
    for lo in range(0, len(cs), step):  # a few draws at a time on large graphs
        c = np.stack(cs[lo : lo + step])
        present = c[:, sd.rec_k] > 0
        for d, keep in enumerate(keeps[lo : lo + step]):
            if keep is not None:
                present[d] &= keep[sd.rec_p]
        member = np.asarray((to_cell.T @ present.T.astype(np.float32)).T) > 0  # draws x cells
        kept = member[:, ui] & member[:, uj]  # draws x incidences
        tied = np.asarray((to_pair.T @ kept.T.astype(np.float32)).T) > 0  # draws x pairs
        n_cross[lo : lo + step] = np.count_nonzero(tied & cross, axis=1)
        n_known[lo : lo + step] = np.count_nonzero(tied & known, axis=1)
    return _ratio(n_cross, n_known)


def _run_batch(shared: dict[str, SessionData], batch: DrawBatch) -> list[Any]:
    """``[_run(shared, g) for g in batch.groups]``, the same values, with the
    :data:`BATCHED` indicators of the subsampled draws computed by :func:`cross_shares`
    (a draw's other values by :func:`evaluate`, as :func:`_draw` does)."""
    out: list[list[Any]] = []
    pending: dict[str, list[tuple[int, int, np.ndarray, np.ndarray | None, np.ndarray]]] = {}
    for g, tasks in enumerate(bootstrap_batch(list(batch.groups), shared)):
        out.append([])
        for t, task in enumerate(tasks):
            sd = shared[task.label]
            fast = task.structural and batchable(sd.opts, task.structural)
            if not fast or sd.pair_net is None or task.matched is None:
                out[g].append(_draw(shared, task))
                continue
            plain = _plain(sd, task)
            keep = subsample(sd, task.c, task.matched, task.keep_seed, task.people)
            values = (
                evaluate(sd, task.c, which=plain) if plain else np.full(len(sd.layout.keys), np.nan)
            )
            out[g].append(None)
            pending.setdefault(task.label, []).append((g, t, task.c, keep, values))
    for label, items in pending.items():
        sd = shared[label]
        shares = cross_shares(sd, [x[2] for x in items], [x[3] for x in items])
        at = sd.layout.index()[("cross_authority_share", "partnership", "")]
        for (g, t, _, keep, values), share in zip(items, shares, strict=True):
            graph = np.full(len(sd.layout.keys), np.nan) if keep is not None else values.copy()
            graph[at] = share
            out[g][t] = (values, graph) if keep is not None else (graph, graph)
    return out


def _run(shared: dict[Any, Any], task: Any) -> Any:
    if isinstance(task, tuple):  # (key, task): read against shared[key]
        shared, task = shared[task[0]], task[1]
    if isinstance(task, DrawBatch):
        return _run_batch(shared, task)
    if isinstance(task, DrawGroup):
        return [_draw(shared, t) for t in bootstrap_tasks(task, shared)]
    return _draw(shared, task)


def run_draws(data: dict[Any, Any], tasks: list[Any], workers: int | None) -> list[Any]:
    """Every task's (plain, structural) value vectors, in task order; a
    :class:`DrawGroup`'s as a list, one pair per session of the group; a
    :class:`DrawBatch`'s as a list of those, one per group. Several callers'
    draws share one pool as ``(key, task)`` pairs, each read against ``data[key]``."""
    return parallel_map(_run, tasks, shared=data, workers=workers)


def centred_interval(
    draws: np.ndarray, centre: np.ndarray, *, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """The percentile interval of ``draws`` moved so that the draws' mean sits on
    ``centre``: ``centre + q_2.5(d − mean d)``, ``centre + q_97.5(d − mean d)`` (at
    ``level`` 0.95; in general the (1 − level)/2 and (1 + level)/2 quantiles).

    Used for backbone-structure indicators, whose draws are biased (see
    :func:`bootstrap_change`): the interval keeps the bootstrap's spread, not its shift.
    """
    draws = np.asarray(draws, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(draws, axis=0)
    lo, hi = percentile_interval(draws - mean, level=level)
    return centre + lo, centre + hi


def _nanmean(x: np.ndarray) -> np.ndarray:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.asarray(x, dtype=np.float64), axis=0)


def percentile_interval(draws: np.ndarray, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The 2.5 and 97.5 percentiles of each column of ``draws`` (NaN where a column has
    no finite draw); for another ``level``, the 100(1 − level)/2 and 100(1 + level)/2
    percentiles."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    tail = 50.0 * (1.0 - level)
    draws = np.asarray(draws, dtype=np.float64)
    lo = np.full(draws.shape[1:], np.nan)
    hi = np.full(draws.shape[1:], np.nan)
    ok = np.isfinite(draws).any(axis=0)
    if ok.any():
        q = np.nanpercentile(draws[:, ok], [tail, 100.0 - tail], axis=0)
        lo[ok], hi[ok] = q[0], q[1]
    return lo, hi


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
