"""wpnet beside the two ways an analyst would compute the same measures without it.

Usage::

    python benchmarks/peers.py                  # both workloads, 3 repeats
    python benchmarks/peers.py --workload example --repeats 5 --session 2023-24
    python benchmarks/peers.py --workload dense --skip-networkx  # wpnet and igraph only
    python benchmarks/peers.py --data DIR --repeats 3  # a folder of tables, its latest session

The workload (issue 19) on one session of the shipped example: reach by authority (from
the participation records, with pandas), then, on the raw establishment projection
(establishments tied by shared networks, weight = shared networks), betweenness,
Burt's constraint and effective size (weighted), transitivity, connected components and
k-cores. Three implementations run in this one process, one after another, ``--repeats``
times (wall and CPU seconds of each; the CPU seconds of this process, all its threads,
are the steadier figure when other work shares the machine), each repeat on a freshly
loaded example, with wpnet's remembered shortest-path passes forgotten (so nothing wpnet
remembers, on an Ecosystem or per graph, carries over from one repeat to the next):

- **wpnet**: ``reach(one, by="authority")``, ``brokerage(one, backbone=None)`` and
  ``capacity(one, backbone=None)``. These compute more than the workload (Gould-Fernandez
  roles, E-I, two-step reach, hierarchy, mean distance, robustness, Leiden communities),
  so the ratios are lower bounds of wpnet's advantage on the same work.
- **networkx** (pandas + scipy + networkx, as an analyst writes it): the projection as a
  sparse product ``B @ B.T`` (the fastest way to build it, so the baseline is not
  slowed by a naive projection), ``nx.from_scipy_sparse_array``, then the whole-graph
  calls ``nx.betweenness_centrality(G)``, ``nx.constraint(G, weight="weight")``,
  ``nx.effective_size(G, weight="weight")``, ``nx.transitivity(G)``,
  ``list(nx.connected_components(G))`` and ``nx.core_number(G)``. With ``weight`` and no
  ``nodes=``, networkx 3.6 computes constraint and effective size by its vectorised
  whole-graph path (sparse matrix algebra); the per-node path (``nodes=[v]``) the old
  benchmark timed is O(d³) per node and no analyst's call. Trap: networkx 3.6.1's
  whole-graph ``effective_size`` with ``weight`` is wrong on weighted graphs (it divides
  by a column maximum instead of the row's; networkx PR #8906; MEASURES.md) — the call
  is timed as users make it, and the check below compares it to wpnet's values only
  where they agree by construction (not at all when the bug shows).
- **igraph** (pandas + scipy + python-igraph): the same projection, an igraph Graph from
  its upper triangle, ``Graph.betweenness()``, ``Graph.transitivity_undirected()``,
  ``Graph.connected_components()``, ``Graph.coreness()``, and Burt's constraint and
  effective size written with numpy on the dense weight matrix (igraph has no
  effective size; its ``constraint`` is used where it agrees with networkx's).

Two workloads: ``example``, the shipped example's session (default the latest: 385
nodes, 4,975 ties, sparse), and ``dense``, a synthetic partnership whose projection is
nearly complete (:func:`dense_tables`: about 1,060 nodes and 350,000 ties, like the
previous example's last session on which issue 19 set its targets). ``--data DIR`` runs
the workload on one session of any folder of tables ``wpnet.read_ecosystem`` reads (read
once, before timing; each repeat a fresh Ecosystem of its tables): the example as it was
when issue 19 set its targets, 1,009 nodes and 331,812 ties in its last session, is
``git archive c2dad15^ datasets/west_partnership | tar -x -C /tmp/issue19`` from a clone
of the repository, then ``--data /tmp/issue19/datasets/west_partnership``.

The header line says which BLAS libraries are loaded with how many threads: wpnet runs
the products of graphs of up to ``wpnet._parallel.BLAS_SMALL_NODES`` nodes on one
thread (OpenBLAS's idle threads spin after each call, which costs more than a small
product); the peers run with the libraries' defaults, as an analyst's script does.

After the timings the script checks that the three agree on every measure (betweenness,
constraint, transitivity, components, cores, reach), so the three did the same work.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = [
    "DENSE",
    "PEERS",
    "WORKLOADS",
    "dense_tables",
    "folder_tables",
    "igraph_pipeline",
    "main",
    "networkx_pipeline",
    "pandas_projection",
    "pandas_reach_by_authority",
    "peer_inputs",
    "run_peers",
    "wpnet_pipeline",
]


# ---- the analyst's pandas part ---------------------------------------------------------
def pandas_reach_by_authority(rec: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """Reach by authority from attributed records, as an analyst writes it in pandas.

    Practitioners, establishments, networks and records per authority; coverage of the
    non-central establishments of each authority's register, overall and in SIMD
    quintile 1; depth; lead share.
    """
    reg = register.drop_duplicates("establishment_id")
    reg = reg[reg["sector"].fillna("") != "central"]
    q1 = reg[reg["simd_quintile"] == 1]
    g = rec.groupby("authority", sort=True)
    out = pd.DataFrame(
        {
            "practitioners": g["practitioner_id"].nunique(),
            "establishments": g["establishment_id"].nunique(),
            "networks": g["network_id"].nunique(),
            "records": g.size(),
        }
    )
    reached = rec[rec["establishment_id"].isin(reg["establishment_id"])]
    reached_q1 = rec[rec["establishment_id"].isin(q1["establishment_id"])]
    eligible = reg.groupby("authority").size()
    eligible_q1 = q1.groupby("authority").size()
    units = sorted(register["authority"].dropna().unique())
    out = out.reindex(units, fill_value=0)
    out["eligible"] = eligible.reindex(units, fill_value=0)
    out["coverage"] = reached.groupby("authority")["establishment_id"].nunique().reindex(
        units, fill_value=0
    ) / out["eligible"].replace(0, np.nan)
    out["simd_q1_coverage"] = reached_q1.groupby("authority")["establishment_id"].nunique().reindex(
        units, fill_value=0
    ) / eligible_q1.reindex(units, fill_value=0).replace(0, np.nan)
    out["equity_ratio"] = out["simd_q1_coverage"] / out["coverage"]
    out["depth"] = out["practitioners"] / out["establishments"].replace(0, np.nan)
    leads = rec[rec["role"] != "participant"].groupby("authority")["practitioner_id"].nunique()
    out["lead_share"] = leads.reindex(units, fill_value=0) / out["practitioners"].replace(0, np.nan)
    return out


def pandas_projection(rec: pd.DataFrame) -> tuple[sp.csr_matrix, np.ndarray]:
    """Establishments x establishments shared-network counts ``B @ B.T`` (zero diagonal)
    over the establishments the records reach, with their ids."""
    pairs = rec[["establishment_id", "network_id"]].dropna().drop_duplicates()
    est, ei = np.unique(pairs["establishment_id"].to_numpy(dtype=object), return_inverse=True)
    _, ni = np.unique(pairs["network_id"].to_numpy(dtype=object), return_inverse=True)
    b = sp.csr_matrix((np.ones(len(pairs)), (ei, ni)), shape=(len(est), int(ni.max()) + 1))
    w = (b @ b.T).tocsr()
    w.setdiag(0)
    w.eliminate_zeros()
    return w, est


# ---- the two peers ---------------------------------------------------------------------
def networkx_pipeline(rec: pd.DataFrame, register: pd.DataFrame) -> dict[str, Any]:
    """pandas + scipy + networkx, whole-graph calls (see the module docstring)."""
    import networkx as nx

    out: dict[str, Any] = {"reach": pandas_reach_by_authority(rec, register)}
    w, ids = pandas_projection(rec)
    g = nx.from_scipy_sparse_array(w)  # edge attribute "weight" = shared networks
    out["betweenness"] = nx.betweenness_centrality(g)
    out["constraint"] = nx.constraint(g, weight="weight")
    out["effective_size"] = nx.effective_size(g, weight="weight")
    out["transitivity"] = nx.transitivity(g)
    out["components"] = list(nx.connected_components(g))
    out["cores"] = nx.core_number(g)
    out["ids"] = ids
    return out


def igraph_pipeline(rec: pd.DataFrame, register: pd.DataFrame) -> dict[str, Any]:
    """pandas + scipy + python-igraph (see the module docstring)."""
    import igraph as ig

    out: dict[str, Any] = {"reach": pandas_reach_by_authority(rec, register)}
    w, ids = pandas_projection(rec)
    up = sp.triu(w, k=1).tocoo()
    g = ig.Graph(n=w.shape[0], edges=np.column_stack([up.row, up.col]))
    g.es["weight"] = up.data
    out["betweenness"] = np.asarray(g.betweenness(directed=False))
    out["constraint"] = np.asarray(g.constraint(weights="weight"))
    # Burt's effective size (networkx's weighted definition): p_ij = w_ij / s_i,
    # m_ij = w_ij / max_k w_ik; esize_i = Σ_{j∈N(i)} (1 − Σ_q p_iq m_jq)
    a = w.toarray()
    s = a.sum(axis=1)
    mx = a.max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = a / s[:, None]
        m = a / mx[:, None]
    pm = np.nan_to_num(p) @ np.nan_to_num(m).T
    deg = (a > 0).sum(axis=1)
    out["effective_size"] = np.where(deg > 0, deg - (pm * (a > 0)).sum(axis=1), np.nan)
    out["transitivity"] = g.transitivity_undirected()
    out["components"] = g.connected_components()
    out["cores"] = np.asarray(g.coreness())
    out["ids"] = ids
    return out


def wpnet_pipeline(one: Any) -> dict[str, Any]:
    """``reach(by="authority")``, ``brokerage`` and ``capacity`` on the raw projection."""
    import wpnet

    return {
        "reach": wpnet.reach(one, by="authority"),
        "brokerage": wpnet.brokerage(one, backbone=None),
        "capacity": wpnet.capacity(one, backbone=None),
    }


PEERS: dict[str, Callable[..., dict[str, Any]]] = {
    "networkx": networkx_pipeline,
    "igraph": igraph_pipeline,
}


# ---- running and checking --------------------------------------------------------------
#: The dense workload's synthetic partnership (see :func:`dense_tables`).
DENSE: dict[str, int] = {
    "establishments": 1700,
    "practitioners": 35_250,
    "networks": 200,
    "records": 72_100,
    "seed": 2019,
}
WORKLOADS = ("example", "dense")


def folder_tables(path: str) -> dict[str, pd.DataFrame]:
    """The tables of a folder ``wpnet.read_ecosystem`` reads, for the ``data`` workload."""
    import wpnet

    eco = wpnet.read_ecosystem(path)
    names = ("establishments", "practitioners", "networks", "participation", "ties")
    return {t: getattr(eco, t) for t in names}


def dense_tables() -> dict[str, pd.DataFrame]:
    """The tables of the dense workload: ``wpnet.synthetic(**DENSE)`` with every
    network's records moved onto the first network of its workstream (nine large
    networks), so the projection of all its sessions pooled is nearly complete: about
    1,060 establishments and 350,000 ties (density about 0.62), like the previous
    example's last session (1,009 nodes, 331,812 ties)."""
    import wpnet

    eco = wpnet.synthetic(**DENSE)
    tabs = {t: getattr(eco, t) for t in ("establishments", "practitioners", "networks")}
    tabs["ties"] = eco.ties
    nets = eco.networks
    first = nets.groupby("workstream")["network_id"].transform("first")
    part = eco.participation.copy()
    part["network_id"] = part["network_id"].map(dict(zip(nets["network_id"], first, strict=True)))
    tabs["participation"] = part
    return tabs


def peer_inputs(
    session: str | None, *, workload: str = "example", tables: dict[str, pd.DataFrame] | None = None
) -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    """A freshly built workload, its attributed records and register (the records are
    attributed before timing starts, for all three alike).

    ``example``: the shipped example's session (default the latest). ``dense``: a fresh
    Ecosystem of ``tables`` (:func:`dense_tables`), all sessions pooled. ``data``: a
    fresh Ecosystem of ``tables`` (:func:`folder_tables`), its session (default the
    latest)."""
    import wpnet

    if workload == "dense":
        one = wpnet.Ecosystem(**(tables if tables is not None else dense_tables()))
    elif workload == "data":
        if tables is None:
            raise ValueError("the data workload needs the tables of a folder")
        eco = wpnet.Ecosystem(**tables)
        one = eco.select(session=session or eco.sessions[-1])
    else:
        eco = wpnet.load_example()
        one = eco.select(session=session or eco.sessions[-1])
    rec = one.records
    return one, rec, one.establishments


def _agree(wp: dict[str, Any], peer: dict[str, Any], name: str) -> list[str]:
    """Differences between a peer's results and wpnet's (empty when they agree)."""
    bad: list[str] = []
    b = wp["brokerage"]
    node_ids = b.index.to_numpy(dtype=object)
    pos = {k: i for i, k in enumerate(peer["ids"])}
    order = np.array([pos[k] for k in node_ids])
    n = len(order)

    def vec(x: Any) -> np.ndarray:
        if isinstance(x, dict):
            return np.array([x[i] for i in range(n)], dtype=np.float64)[order]
        return np.asarray(x, dtype=np.float64)[order]

    between = vec(peer["betweenness"])
    if name == "igraph":
        between = between * 2 / ((n - 1) * (n - 2))
    checks = {
        "betweenness": (between, b["betweenness"].to_numpy()),
        "constraint": (vec(peer["constraint"]), b["constraint"].to_numpy()),
        "cores": (vec(peer["cores"]), None),
    }
    for k, (got, want) in checks.items():
        if want is not None and not np.allclose(got, want, rtol=1e-9, atol=1e-12, equal_nan=True):
            bad.append(
                f"{name} {k} differs from wpnet's (max |diff| {np.nanmax(abs(got - want)):.3g})"
            )
    es = vec(peer["effective_size"])
    if not np.allclose(es, b["effective_size"].to_numpy(), rtol=1e-9, equal_nan=True):
        bad.append(
            f"{name} effective_size differs from wpnet's (max |diff| "
            f"{np.nanmax(abs(es - b['effective_size'].to_numpy())):.3g})"
        )
    cap = wp["capacity"].loc["all"]
    if int(cap["max_core"]) != int(vec(peer["cores"]).max()):
        bad.append(f"{name} max core differs")
    if int(cap["components"]) != len(peer["components"]):
        bad.append(f"{name} components differ")
    if not np.isclose(float(cap["transitivity"]), float(peer["transitivity"]), rtol=1e-12):
        bad.append(f"{name} transitivity differs")
    r, pr = wp["reach"], peer["reach"]
    for c in pr.columns:
        if not np.allclose(
            r[c].to_numpy(np.float64), pr[c].to_numpy(np.float64), rtol=1e-12, equal_nan=True
        ):
            bad.append(f"{name} reach column {c} differs")
    return bad


def run_peers(
    *,
    session: str | None = None,
    repeats: int = 3,
    peers: tuple[str, ...] = ("networkx", "igraph"),
    workload: str = "example",
    tables: dict[str, pd.DataFrame] | None = None,
) -> dict[str, list[float]]:
    """Time wpnet and each peer ``repeats`` times in this process, interleaved (wpnet,
    then each peer, per repeat); check that they agree; print min and median.
    ``workload="data"`` runs on ``tables`` (:func:`folder_tables`, read before)."""
    import igraph  # noqa: F401  (imports are not part of any pipeline's time)
    import networkx as nx

    import wpnet.measures.brokerage
    import wpnet.measures.capacity
    import wpnet.measures.reach  # noqa: F401
    from wpnet.measures._paths import clear_shared_passes

    own = ("wpnet",)
    times: dict[str, list[float]] = {k: [] for k in (*own, *peers)}
    cpu: dict[str, list[float]] = {k: [] for k in times}
    results: dict[str, Any] = {}
    if workload == "dense":
        tables = dense_tables()
    for rep in range(repeats):
        for name in times:
            one, rec, register = peer_inputs(session, workload=workload, tables=tables)
            clear_shared_passes()
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            res = wpnet_pipeline(one) if name == "wpnet" else PEERS[name](rec, register)
            dt, dc = time.perf_counter() - t0, time.process_time() - c0
            times[name].append(dt)
            cpu[name].append(dc)
            results[name] = res
            print(
                f"  repeat {rep + 1}: {name:<9} {dt:8.2f} s wall {dc:8.2f} s cpu "
                f"(load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    scope = (
        f"sessions {one.sessions[0]} to {one.sessions[-1]} pooled"
        if workload == "dense"
        else f"session {one.sessions[-1]}"
    )
    print(
        f"{workload} workload ({scope}): raw projection "
        f"{len(results['wpnet']['brokerage']):,} nodes, "
        f"{int(results['wpnet']['capacity'].loc['all', 'ties']):,} ties; networkx "
        f"{nx.__version__} (whole-graph calls; constraint/effective_size by its vectorised "
        "weighted path)",
        flush=True,
    )
    for p in peers:
        for problem in _agree(results["wpnet"], results[p], p):
            print(f"  note: {problem}", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    cmed = {k: statistics.median(v) for k, v in cpu.items()}
    print(
        f"  {'pipeline':<10} {'wall min':>9} {'wall median':>12} {'cpu median':>11} "
        f"{'peer/wpnet (wall median)':>25} {'(cpu median)':>13}"
    )
    for name, ts in times.items():
        r = "" if name == "wpnet" else f"{med[name] / med['wpnet']:.2f}x"
        rc = "" if name == "wpnet" else f"{cmed[name] / cmed['wpnet']:.2f}x"
        print(
            f"  {name:<10} {min(ts):9.2f} {med[name]:12.2f} {cmed[name]:11.2f} {r:>25} {rc:>13}",
            flush=True,
        )
    pairs = [(p, base) for base in own for p in peers]
    for slow, fast in pairs:
        print(
            f"  {fast} is {med[slow] / med[fast]:.2f}x as fast as {slow} (wall, median/median), "
            f"{min(times[slow]) / min(times[fast]):.2f}x (wall, min/min), "
            f"{cmed[slow] / cmed[fast]:.2f}x (cpu, median/median)",
            flush=True,
        )
    return times


def _blas_line() -> str:
    """The BLAS libraries loaded, their thread pools, and wpnet's one-thread bound."""
    import scipy.linalg.blas  # noqa: F401  (loads scipy's BLAS too)
    from threadpoolctl import threadpool_info

    from wpnet._parallel import BLAS_SMALL_NODES

    libs = [
        f"{lib['internal_api']} {lib.get('version') or ''} ({lib['num_threads']} threads)"
        for lib in threadpool_info()
        if lib["user_api"] == "blas"
    ]
    return (
        f"BLAS: {'; '.join(libs) or 'none found'}; wpnet multiplies the matrices of graphs "
        f"of up to {BLAS_SMALL_NODES:,} nodes on one thread (the peers use the pools as set)"
    )


def _data_tables(
    ap: argparse.ArgumentParser, path: str, session: str | None
) -> dict[str, pd.DataFrame]:
    """The tables of ``--data``, read before any timing; a folder wpnet cannot read, or a
    ``--session`` it does not hold, ends the script with the reason (exit 2)."""
    import wpnet

    if not os.path.isdir(path):
        ap.error(f"--data {path}: no such folder")
    try:
        tables = folder_tables(path)
    except wpnet.WpnetError as e:
        ap.error(f"--data {path}: {e}")
    sessions = wpnet.Ecosystem(**tables).sessions
    if not sessions:
        ap.error(f"--data {path}: no participation records, so no session to time")
    if session is not None and session not in sessions:
        ap.error(f"--session {session}: not a session of {path} ({', '.join(sessions)})")
    return tables


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--session", default=None, help="session of the example or --data (default latest)"
    )
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-networkx", action="store_true")
    ap.add_argument(
        "--workload",
        choices=(*WORKLOADS, "both"),
        default=None,
        help="example: the shipped example's session (sparse); dense: the nearly "
        "complete projection of dense_tables(); both (default): one after the other",
    )
    ap.add_argument(
        "--data",
        default=None,
        metavar="DIR",
        help="a folder of tables (wpnet.read_ecosystem): the workload on its session "
        "instead of --workload",
    )
    a = ap.parse_args(argv)
    tables = None
    if a.data is not None:
        if a.workload is not None:
            ap.error("give --data or --workload, not both")
        tables = _data_tables(ap, a.data, a.session)
    elif a.session is not None and a.workload in (None, "both", "dense"):
        ap.error("--session is a session of the example (--workload example) or of --data")
    import igraph
    import networkx

    import wpnet

    print(
        f"wpnet {wpnet.__version__} vs peers; {platform.machine()}, {mp.cpu_count()} cores, "
        f"Python {platform.python_version()}, networkx {networkx.__version__}, "
        f"python-igraph {igraph.__version__}, pandas {pd.__version__}, "
        f"numpy {np.__version__}",
        flush=True,
    )
    print(f"  {_blas_line()}", flush=True)
    peers = ("igraph",) if a.skip_networkx else ("networkx", "igraph")
    if a.data is not None:
        print(f"-- workload data: {a.data}", flush=True)
        run_peers(session=a.session, repeats=a.repeats, peers=peers, workload="data", tables=tables)
        return 0
    for w in WORKLOADS if a.workload in (None, "both") else (a.workload,):
        print(f"-- workload {w}", flush=True)
        run_peers(session=a.session, repeats=a.repeats, peers=peers, workload=w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
