"""The co-membership projection ``B Bᵀ``, computed one block of rows at a time (internal).

A documented helper module of :mod:`wpnet.graphs`: :func:`raw_matrices` gives the
weight, Newman and Jaccard matrices of every tie, :func:`backbone_matrices` those of
the ties a backbone keeps (the decision of :func:`wpnet.backbones.decide`). Each block
product stores at most about :data:`BLOCK_ENTRIES` entries, so the working memory is
bounded whatever the size of the projection, and every value is summed in the same
order whatever the blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from wpnet._sparse import row_blocks, symmetric
from wpnet.backbones import TieTest, decide

__all__ = ["BLOCK_ENTRIES", "backbone_matrices", "raw_matrices"]

#: Most entries one block product of a projection may store; bounds the working memory
#: of :func:`wpnet.graphs.projection` (about 24 bytes an entry) whatever the size of the projection.
BLOCK_ENTRIES = 1 << 24


@dataclass(frozen=True)
class _Ties:
    """The ties of rows ``start:stop`` of a projection, row by row, columns ascending.

    ``rows``, ``cols`` (int32 positions), ``weight`` (int32 shared networks) and
    ``newman`` (float64, or None when not asked for).
    """

    start: int
    stop: int
    rows: np.ndarray
    cols: np.ndarray
    weight: np.ndarray
    newman: np.ndarray | None

    def take(self, keep: np.ndarray) -> _Ties:
        """The ties where ``keep`` is true."""
        nw = None if self.newman is None else self.newman[keep]
        return _Ties(self.start, self.stop, self.rows[keep], self.cols[keep], self.weight[keep], nw)


def _newman_factor(b: sp.csr_matrix) -> sp.csr_matrix:
    """``B diag(1/(m_k − 1))`` (networks with one member get 0), left factor of Newman's
    weights; computed as a product, like the whole matrix, so its rows keep their order
    and each Newman weight is summed in the same order whatever the blocks."""
    m = np.asarray(b.sum(axis=0)).ravel()
    inv = np.zeros_like(m, dtype=np.float64)
    inv[m > 1] = 1.0 / (m[m > 1] - 1)
    return (b @ sp.diags(inv)).tocsr()


def _block_product(
    left: sp.csr_matrix, right: sp.csr_matrix, start: int, lo: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns (int32, global positions) and values of ``left @ right`` for the
    rows from ``start`` and columns from ``lo``, columns sorted within rows."""
    z = (left @ right).tocsr()
    z.sort_indices()
    rows = np.repeat(np.arange(start, start + z.shape[0], dtype=np.int32), np.diff(z.indptr))
    cols = z.indices.astype(np.int32) + np.int32(lo)
    return rows, cols, z.data


def _ties(b: sp.csr_matrix, *, upper: bool, newman: bool, entries: int) -> Iterator[_Ties]:
    """The ties of ``B Bᵀ`` block by block: pairs i < j when ``upper``, else every
    ordered pair i ≠ j (whole rows); ``newman`` adds Newman's weights."""
    bx = _newman_factor(b) if newman else None
    whole = None if upper else b.T.tocsr()
    for start, stop in row_blocks(b, b.T, entries, upper=upper):
        lo = start if upper else 0
        right = b[lo:].T.tocsr() if whole is None else whole
        rows, cols, data = _block_product(b[start:stop], right, start, lo)
        keep = cols > rows if upper else cols != rows
        rows, cols, weight = rows[keep], cols[keep], data[keep].astype(np.int32)
        nw = None
        if bx is not None:
            r2, c2, nw = _block_product(bx[start:stop], right, start, lo)
            keep = c2 > r2 if upper else c2 != r2
            if not (np.array_equal(r2[keep], rows) and np.array_equal(c2[keep], cols)):
                raise RuntimeError("Newman weights and shared counts tie different pairs")
            nw = nw[keep]
        yield _Ties(start, stop, rows, cols, weight, nw)


def _jaccard(weight: np.ndarray, deg_i: np.ndarray, deg_j: np.ndarray) -> np.ndarray:
    """shared / (networks of i + networks of j − shared), in float64."""
    x = weight.astype(np.float64)
    return x / (deg_i + deg_j - x)


def _concat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    """One array of ``parts`` (emptied, so each part is freed as soon as copied)."""
    out = np.concatenate(parts, dtype=dtype) if parts else np.zeros(0, dtype=dtype)
    parts.clear()
    return out


def raw_matrices(
    b: sp.csr_matrix, deg: np.ndarray, entries: int
) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    """Weight (int64), Newman and Jaccard matrices of every tie, built row block by row
    block; the three share one index structure (do not change it in place)."""
    n = b.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    cols: list[np.ndarray] = []
    weight: list[np.ndarray] = []
    newman: list[np.ndarray] = []
    jaccard: list[np.ndarray] = []
    for t in _ties(b, upper=False, newman=True, entries=entries):
        assert t.newman is not None
        counts[t.start : t.stop] = np.bincount(t.rows - t.start, minlength=t.stop - t.start)
        cols.append(t.cols)
        weight.append(t.weight)
        newman.append(t.newman)
        jaccard.append(_jaccard(t.weight, deg[t.rows], deg[t.cols]))
    index = np.int32 if counts.sum() < np.iinfo(np.int32).max else np.int64
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(index)
    indices = _concat(cols, index)
    return tuple(  # type: ignore[return-value]
        sp.csr_matrix((_concat(x, dt), indices, indptr), shape=(n, n))
        for x, dt in ((weight, np.int64), (newman, np.float64), (jaccard, np.float64))
    )


def backbone_matrices(
    b: sp.csr_matrix, deg: np.ndarray, test: TieTest, entries: int
) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    """Weight, Newman and Jaccard matrices (float64) of the ties a backbone keeps.

    The ties i < j come block by block, the test decides (:func:`wpnet.backbones.decide`:
    a survey, p-values when the correction needs them all, then the decisions); only
    the final pass computes Newman's weights.
    """

    def blocks(last: bool) -> Iterator[_Ties]:
        return _ties(b, upper=True, newman=last, entries=entries)

    kept = [t.take(keep) for t, keep in decide(test, blocks)]
    rows = _concat([t.rows for t in kept], np.int32)
    cols = _concat([t.cols for t in kept], np.int32)
    weight = _concat([t.weight for t in kept], np.float64)
    newman = _concat([t.newman for t in kept], np.float64)  # type: ignore[misc]
    jaccard = _jaccard(weight, deg[rows], deg[cols])
    n = b.shape[0]
    return tuple(symmetric(n, rows, cols, x) for x in (weight, newman, jaccard))  # type: ignore[return-value]
