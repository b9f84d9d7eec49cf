"""Projection and backbone of sampled incidence matrices, fast.

A null test builds hundreds of projections of matrices drawn from a null model, each
with the same backbone as the observed graph. :class:`SampledGraphs` does what
:func:`wpnet.graphs.projection` and :func:`wpnet.backbones.backbone_mask` do for one
matrix, keeping what does not change between samples:

- the nodes are the rows of the observed incidence, in its order;
- under Curveball (``fixed_margins``) every sample has the observed row and column sums,
  so the BiCM fit, and with it the SDSM p-value of every (degree class, degree class,
  shared networks) key, are computed once (:class:`wpnet.backbones.SDSMNull`): a
  sample's backbone only looks its keys up;
- otherwise (BiCM samples) each sample's backbone is :func:`wpnet.backbones.backbone_mask`
  on it, which refits.

This is an internal module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from wpnet.backbones import SDSMNull, adjust_pvalues, backbone_mask, disparity_pvalues, sdsm_method

__all__ = ["SampledGraphs", "Ties"]


@dataclass(frozen=True)
class Ties:
    """Kept ties (i < j) of a projection, row-major with columns ascending."""

    n: int
    rows: np.ndarray
    cols: np.ndarray
    weight: np.ndarray


#: Largest key space of the SDSM p-value table held as a dense lookup array (8 bytes a
#: key); above it keys are found by binary search.
_DENSE_KEYS = 5_000_000
#: Projections of at most this many nodes are computed as dense products.
_DENSE_NODES = 3000


def _upper(w: sp.spmatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and values of the non-zero entries i < j, row-major, columns
    ascending (the order of ``scipy.sparse.triu(w, k=1)`` in canonical CSR)."""
    w = sp.csr_matrix(w)
    if not w.has_canonical_format:  # sorted indices, no duplicates
        w = w.copy()  # a Projection's matrices are read-only
        w.sum_duplicates()
    rows = np.repeat(np.arange(w.shape[0], dtype=np.int64), np.diff(w.indptr))
    cols = w.indices.astype(np.int64)
    keep = (cols > rows) & (w.data != 0)
    return rows[keep], cols[keep], w.data[keep].astype(np.float64)


class SampledGraphs:
    """The projection (``B Bᵀ``) of a member x network matrix and its backbone.

    Parameters
    ----------
    b : csr_matrix
        The observed binary matrix (rows = the projection's nodes).
    backbone : {None, "threshold", "disparity", "sdsm"}
    alpha, min_weight, correction
        As :func:`wpnet.backbones.backbone_mask`.
    fixed_margins : bool
        Whether every matrix given to :meth:`ties` has ``b``'s row and column sums
        (then the SDSM table is built once).
    """

    def __init__(
        self,
        b: sp.csr_matrix,
        backbone: str | None,
        *,
        alpha: float,
        min_weight: float,
        correction: str,
        fixed_margins: bool,
    ) -> None:
        self.n = b.shape[0]
        self.backbone = backbone
        self.alpha = float(alpha)
        self.min_weight = min_weight
        self.correction = correction
        self.null: SDSMNull | None = None
        if backbone == "sdsm" and fixed_margins:
            self.row_sums = np.asarray(b.sum(axis=1)).ravel()
            self.col_sums = np.asarray(b.sum(axis=0)).ravel()
            self.null = SDSMNull(b, sdsm_method("auto", b.shape[1]))
            self.ukey = self._all_keys()
            self.table = self.null.table(self.ukey)
            space = self.null.fit.prob.shape[0] ** 2 * (self.null.k + 1)
            self.lut: np.ndarray | None = None
            if space <= _DENSE_KEYS:
                self.lut = np.full(space, np.nan)
                self.lut[self.ukey] = self.table
        # Small projections are multiplied out dense (BLAS); with the SDSM table fixed
        # and no correction, a pair is kept when its count reaches its classes' least
        # significant count (P(X >= o) falls as o grows).
        self.dense = self.n <= _DENSE_NODES and (
            backbone in (None, "threshold")
            or (backbone == "sdsm" and self.null is not None and correction == "none")
        )
        if self.dense:
            self.upper = np.triu(np.ones((self.n, self.n), dtype=bool), k=1)
            self.least: np.ndarray | None = None
            if backbone == "sdsm":
                self.least = self._least_counts()

    def _least_counts(self) -> np.ndarray:
        """n x n: the smallest shared count with SDSM p-value < alpha for each pair of
        rows (their degree classes), ``inf`` where none is."""
        assert self.null is not None
        fit, k = self.null.fit, self.null.k
        n_cls = fit.prob.shape[0]
        pair = self.ukey // (k + 1)
        o = self.ukey % (k + 1)
        sig = self.table < self.alpha
        least = np.full(n_cls * n_cls, np.inf)
        np.minimum.at(least, pair[sig], o[sig].astype(np.float64))
        least = least.reshape(n_cls, n_cls)
        least = np.minimum(least, least.T)  # keys use c1 <= c2
        rc = fit.row_class
        return least[np.ix_(rc, rc)].astype(np.float32)

    def _all_keys(self) -> np.ndarray:
        """Every key a matrix with these margins can produce: each pair of row degree
        classes c1 <= c2 with every count of shared networks from 1 to the smaller
        degree."""
        assert self.null is not None
        rc = self.null.fit.row_class
        n_cls = self.null.fit.prob.shape[0]
        deg = np.zeros(n_cls, dtype=np.int64)
        deg[rc] = self.row_sums.astype(np.int64)
        c1, c2 = np.triu_indices(n_cls)
        top = np.minimum(deg[c1], deg[c2])
        pair = np.repeat(c1 * n_cls + c2, top)
        start = np.repeat(np.cumsum(top) - top, top)
        o = np.arange(int(top.sum())) - start + 1
        return np.sort(pair * (self.null.k + 1) + o)

    def ties(self, b: sp.csr_matrix) -> Ties:
        """The kept ties of ``b``'s projection (weight = shared networks)."""
        if self.null is not None and not (
            np.array_equal(np.asarray(b.sum(axis=1)).ravel(), self.row_sums)
            and np.array_equal(np.asarray(b.sum(axis=0)).ravel(), self.col_sums)
        ):
            raise ValueError("the sampled matrix does not have the observed margins")
        if self.dense:
            return self._dense_ties(b)
        w = (b @ b.T).tocsr()
        rows, cols, x = _upper(w)
        if self.backbone is None:
            return Ties(self.n, rows, cols, x)
        if self.null is not None:
            keys = self.null.keys(rows, cols, x)
            if self.lut is not None:
                p = self.lut[keys]
            else:
                p = self.table[np.searchsorted(self.ukey, keys)]
            keep = adjust_pvalues(p, self.correction) < self.alpha
            return Ties(self.n, rows[keep], cols[keep], x[keep])
        if self.backbone == "threshold":
            keep = x >= self.min_weight
            return Ties(self.n, rows[keep], cols[keep], x[keep])
        if self.backbone == "disparity":
            r2, c2, p = disparity_pvalues(w)
            if not (np.array_equal(r2, rows) and np.array_equal(c2, cols)):
                raise RuntimeError("disparity p-values and ties are not in the same order")
            keep = adjust_pvalues(p, self.correction) < self.alpha
            return Ties(self.n, rows[keep], cols[keep], x[keep])
        mask = backbone_mask(
            b,
            w,
            method=self.backbone,
            alpha=self.alpha,
            min_weight=self.min_weight,
            correction=self.correction,
        )
        kept = w.multiply(mask)
        rows, cols, x = _upper(kept)
        return Ties(self.n, rows, cols, x)

    def _dense_ties(self, b: sp.csr_matrix) -> Ties:
        x = b.toarray().astype(np.float32)
        w = x @ x.T  # exact: integer counts far below 2**24
        keep = self.upper & (w > 0)
        if self.backbone == "threshold":
            keep &= w >= self.min_weight
        elif self.least is not None:
            keep &= w >= self.least
        rows, cols = np.nonzero(keep)
        return Ties(
            self.n, rows.astype(np.int64), cols.astype(np.int64), w[rows, cols].astype(np.float64)
        )


def ties_of(weight: sp.spmatrix) -> Ties:
    """The ties of a projection's weight matrix."""
    rows, cols, x = _upper(weight)
    return Ties(weight.shape[0], rows, cols, x)
