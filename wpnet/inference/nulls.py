"""Null models for co-membership (INFERENCE.md §1): Curveball, BiCM and label permutation.

The data are a binary incidence matrix B (rows: establishments or practitioners;
columns: networks). :func:`curveball` draws matrices with exactly B's row and column
sums, uniformly (Strona et al. 2014; Carstens 2015); :func:`bicm_sample` draws each cell
independently with the bipartite configuration model probabilities that the SDSM
backbone uses; :func:`permute_labels` shuffles a node attribute across a graph's nodes.

References
----------
.. [1] G. Strona, D. Nappo, F. Boccacci, S. Fattorini and J. San-Miguel-Ayanz (2014).
   A fast and unbiased procedure to randomize ecological binary matrices with fixed row
   and column totals. Nature Communications 5, 4114.
.. [2] C. J. Carstens (2015). Proof of uniform sampling of binary matrices with fixed
   row sums and column sums for the fast Curveball algorithm. Physical Review E 91,
   042812.
.. [3] C. J. Carstens, M. Hamann, U. Meyer, M. Penschuck, H. Tran and D. Wagner (2018).
   Parallel and I/O-efficient randomisation of massive networks using global Curveball
   trades. ESA 2018, LIPIcs 112, 11:1-11:15.
.. [4] F. Saracco et al. (2017). Inferring monopartite projections of bipartite
   networks: an entropy-based approach. New Journal of Physics 19, 053022.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

from wpnet.backbones import fit_bicm

__all__ = [
    "BURN_IN_PER_ROW",
    "TRADES_PER_ROW",
    "bernoulli_matrix",
    "bicm_sample",
    "curveball",
    "curveball_chain",
    "permute_labels",
]

#: Pairwise trades per sample and burn-in trades, in multiples of the number of rows
#: (as ``backbone::fastball``; INFERENCE.md §1).
TRADES_PER_ROW = 5
BURN_IN_PER_ROW = 10


def _binary_csr(b: sp.spmatrix | np.ndarray) -> sp.csr_matrix:
    """``b`` as a canonical CSR matrix of 1.0 where ``b`` is non-zero."""
    m = sp.csr_matrix(b, dtype=np.float64, copy=True)  # b may be read-only
    m.eliminate_zeros()
    m.sum_duplicates()
    m.data[:] = 1.0
    m.sort_indices()
    return m


def _count(name: str, value: int | None, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer; got {value!r}")
    return int(value)


class _CurveballChain:
    """A Curveball Markov chain over the matrices with one matrix's margins.

    The state is the column list of every row, stored as the ``indices`` of a CSR
    matrix whose ``indptr`` never changes (row sums are fixed). Trades run in rounds:
    a round draws a random matching of the rows (a uniformly random permutation cut into
    consecutive pairs) and trades every pair at once, all with numpy array operations
    (a "global Curveball trade", Carstens et al. 2018). A trade between rows a and b
    pools the columns only one of them has and deals ``|a \\ b|`` of them, chosen
    uniformly at random, back to a and the rest to b.
    """

    def __init__(self, b: sp.csr_matrix, rng: np.random.Generator) -> None:
        self.shape = b.shape
        self.indptr = b.indptr.copy()
        self.cols = b.indices.astype(np.int64)
        self.row_of = np.repeat(np.arange(b.shape[0], dtype=np.int64), np.diff(b.indptr))
        self.rng = rng

    def trade(self, trades: int) -> None:
        """Run ``trades`` pairwise trades (rounds of at most ⌊rows/2⌋ disjoint pairs)."""
        n = self.shape[0]
        per_round = n // 2
        if per_round == 0 or self.cols.size == 0:
            return
        left = trades
        while left > 0:
            pairs = min(per_round, left)
            self._round(pairs)
            left -= pairs

    def _round(self, pairs: int) -> None:
        n, m = self.shape
        rng = self.rng
        perm = rng.permutation(n)
        pair_of = np.full(n, -1, dtype=np.int64)
        side_of = np.zeros(n, dtype=np.int64)
        pair_of[perm[:pairs]] = np.arange(pairs)
        pair_of[perm[pairs : 2 * pairs]] = np.arange(pairs)
        side_of[perm[pairs : 2 * pairs]] = 1
        cell_pair = pair_of[self.row_of]
        sel = np.flatnonzero(cell_pair >= 0)
        key = cell_pair[sel] * m + self.cols[sel]
        order = np.argsort(key, kind="stable")
        ks = key[order]
        shared = np.zeros(ks.size, dtype=bool)
        same = ks[1:] == ks[:-1]
        shared[1:] |= same
        shared[:-1] |= same
        excl = sel[order[~shared]]  # cells whose column only one row of the pair has
        if excl.size == 0:
            return
        ep = cell_pair[excl]
        # slots: the exclusive cells grouped by pair, row a's before row b's
        slots = excl[np.argsort(ep * 2 + side_of[self.row_of[excl]], kind="stable")]
        # the pooled columns of each pair in a uniformly random order
        shuffle = rng.permutation(excl.size)
        dealt = excl[shuffle[np.argsort(ep[shuffle], kind="stable")]]
        self.cols[slots] = self.cols[dealt]

    def matrix(self) -> sp.csr_matrix:
        out = sp.csr_matrix(
            (np.ones(self.cols.size), self.cols.copy(), self.indptr.copy()), shape=self.shape
        )
        out.sort_indices()
        return out


def curveball_chain(
    b: sp.csr_matrix, samples: int, seed: int, trades: int, burn_in: int
) -> Iterator[sp.csr_matrix]:
    """``samples`` matrices of one seeded chain: ``burn_in`` trades, then ``trades``
    trades before each sample."""
    chain = _CurveballChain(b, np.random.default_rng(seed))
    chain.trade(burn_in)
    for _ in range(samples):
        chain.trade(trades)
        yield chain.matrix()


def curveball(
    B: sp.spmatrix | np.ndarray,
    samples: int,
    *,
    seed: int = 0,
    trades: int | None = None,
    burn_in: int | None = None,
) -> list[sp.csr_matrix] | list[np.ndarray]:
    """Random binary matrices with exactly the row and column sums of ``B``.

    The Curveball algorithm (Strona et al. 2014) is a Markov chain on the binary
    matrices with B's margins whose stationary distribution is uniform (Carstens 2015).
    One *trade* picks two rows a and b, pools the columns only one of them has,
    ``P = (a \\ b) ∪ (b \\ a)``, and deals back a uniformly random subset of ``|a \\ b|``
    of them to a and the rest to b, so every row and column keeps its count. Trades
    run in rounds of up to ⌊rows/2⌋ disjoint pairs (a random matching of the rows),
    each round vectorised with numpy; such "global" trades keep the chain's uniform
    stationary distribution (Carstens et al. 2018).

    The chain starts at B, runs ``burn_in`` trades, then ``trades`` trades before each
    sample (samples are consecutive states of one chain, as ``backbone::fastball``
    draws them).

    Parameters
    ----------
    B : sparse matrix or ndarray
        Binary incidence matrix (non-zero entries count as 1).
    samples : int
        Number of matrices to return.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    trades : int, optional
        Pairwise trades between samples; default ``5 × rows``.
    burn_in : int, optional
        Trades before the first sample's ``trades``; default ``10 × rows``.

    Returns
    -------
    list
        ``samples`` matrices: ndarrays of B's dtype when B is an ndarray, otherwise
        ``scipy.sparse.csr_matrix`` of 1.0.

    References
    ----------
    Strona et al. (2014), Nature Communications 5, 4114; Carstens (2015), Physical
    Review E 91, 042812; Carstens et al. (2018), ESA 2018; Neal et al. (2021),
    ``backbone::fastball``.

    Examples
    --------
    >>> import numpy as np
    >>> B = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 0, 1]])
    >>> draws = curveball(B, 3, seed=1)
    >>> [(d.sum(axis=1).tolist(), d.sum(axis=0).tolist()) for d in draws][0]
    ([2, 2, 2], [2, 2, 1, 1])
    """
    samples = _count("samples", samples, 0)
    b = _binary_csr(B)
    rows = b.shape[0]
    trades = _count("trades", trades, TRADES_PER_ROW * rows)
    burn_in = _count("burn_in", burn_in, BURN_IN_PER_ROW * rows)
    out = list(curveball_chain(b, samples, seed, trades, burn_in))
    if isinstance(B, np.ndarray):
        return [m.toarray().astype(B.dtype) for m in out]
    return out


def bicm_sample(B: sp.spmatrix | np.ndarray, samples: int, *, seed: int = 0) -> list[sp.csr_matrix]:
    """Random binary matrices from the bipartite configuration model of ``B``.

    Each cell is an independent Bernoulli(p_ik) with the BiCM probabilities
    ``p_ik = x_i y_k / (1 + x_i y_k)`` whose expected row and column sums equal B's
    (Saracco et al. 2017; :func:`wpnet.backbones.bicm_probabilities`, the fit the SDSM
    backbone uses). Margins vary from sample to sample.

    Parameters
    ----------
    B : sparse matrix or ndarray
        Binary incidence matrix (non-zero entries count as 1).
    samples : int
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    list of csr_matrix

    Examples
    --------
    >>> import numpy as np
    >>> draws = bicm_sample(np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1]]), 2, seed=0)
    >>> [d.shape for d in draws]
    [(3, 3), (3, 3)]
    """
    samples = _count("samples", samples, 0)
    b = _binary_csr(B)
    p = fit_bicm(b).matrix()
    rng = np.random.default_rng(seed)
    return [bernoulli_matrix(p, rng) for _ in range(samples)]


def bernoulli_matrix(p: np.ndarray, rng: np.random.Generator) -> sp.csr_matrix:
    """One matrix whose cell (i, k) is 1 with probability ``p[i, k]``, independently
    (one draw of :func:`bicm_sample`; canonical CSR of float 1.0)."""
    out = sp.csr_matrix((rng.random(p.shape) < p).astype(np.float64))
    out.sort_indices()
    return out


def permute_labels(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The labels of ``codes`` shuffled across the nodes whose label is known.

    Codes below 0 mean "unknown" and stay where they are (as :func:`wpnet.ei_test`
    permutes only the nodes with a known group).

    Examples
    --------
    >>> import numpy as np
    >>> out = permute_labels(np.array([0, 0, 1, -1]), np.random.default_rng(0))
    >>> sorted(out[:3].tolist()), int(out[3])
    ([0, 0, 1], -1)
    """
    codes = np.asarray(codes)
    out = codes.copy()
    known = codes >= 0
    out[known] = rng.permutation(codes[known])
    return out
