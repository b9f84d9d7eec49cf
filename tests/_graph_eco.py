"""An Ecosystem whose establishment projection is a given graph (for tests of measures
on graphs chosen for their structure: ties in betweenness, rings, cliques)."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from wpnet.ecosystem import Ecosystem

__all__ = ["graph_ecosystem", "node_id"]


def node_id(v: int) -> str:
    """The establishment id of node ``v``: ``E00000`` for 0, so id order is node order."""
    return f"E{v:05d}"


def graph_ecosystem(g: nx.Graph, *, reverse_register: bool = False) -> Ecosystem:
    """Nodes ``0..n-1`` become establishments :func:`node_id` (authorities ``A0``-``A2``
    in turn); each edge a network of two practitioners, one from each end; an isolate a
    network of its own. One session, 2022-23. ``reverse_register`` lists the register
    in reverse id order (the projection is the same)."""
    nodes = sorted(g.nodes())
    est = pd.DataFrame(
        {
            "establishment_id": [node_id(v) for v in nodes],
            "name": [f"School {v}" for v in nodes],
            "authority": [f"A{v % 3}" for v in nodes],
            "sector": "primary",
            "simd_quintile": [1 + v % 5 for v in nodes],
        }
    )
    if reverse_register:
        est = est.iloc[::-1].reset_index(drop=True)
    groups = [list(e) for e in g.edges()] + [[v] for v in nodes if g.degree(v) == 0]
    prac, net, part = [], [], []
    for k, members in enumerate(groups):
        nid = f"N{k:06d}"
        net.append({"network_id": nid, "name": nid, "workstream": "W"})
        for v in members:
            pid = f"P{len(prac):07d}"
            prac.append(
                {"practitioner_id": pid, "establishment_id": node_id(v), "level": "practitioner"}
            )
            part.append(
                {"practitioner_id": pid, "network_id": nid, "date": pd.Timestamp("2022-10-01")}
            )
    return Ecosystem(est, pd.DataFrame(prac), pd.DataFrame(net), pd.DataFrame(part))
