"""The methods section: a definition of every measure the report shows, and which graph
each result was computed on (read from the results' ``DataFrame.attrs``)."""

from __future__ import annotations

from typing import Any

from wpnet.inference._draws import MIN_DEFINED
from wpnet.report.compute import Results

__all__ = ["DEFINITIONS", "graphs_used"]

#: measure -> definition (MEASURES.md wording, shortened).
DEFINITIONS: dict[str, str] = {
    "practitioners": "distinct practitioners with a participation record in the unit",
    "establishments": "distinct establishments the records are attributed to (the "
    "establishment named on the record, else the practitioner's home), central teams included",
    "reached / eligible": "schools and nurseries (central teams excluded) reached, and in the register",
    "coverage": "reached schools and nurseries / eligible ones in the unit's scope",
    "simd_q1_coverage": "coverage among establishments in SIMD quintile 1 (most deprived)",
    "equity_ratio": "simd_q1_coverage / coverage; above 1, the most deprived communities are reached more than average",
    "depth": "practitioners / establishments",
    "lead_share": "share of practitioners with any record as lead, facilitator or presenter",
    "E-I index": "Krackhardt–Stern (external − internal) / (external + internal) ties, "
    "groups = authorities; expected value and p-value from permuting the authority labels "
    "(graph fixed), as UCINET reports them",
    "cross_authority_share": "share of ties that join establishments of different authorities",
    "betweenness": "Freeman betweenness on the unweighted establishment graph, normalised by (n−1)(n−2)/2",
    "constraint": "Burt's constraint on the weighted graph (lower: more structural holes)",
    "Gould–Fernandez roles": "for each open path a→b→c (no tie a–c), broker b is a coordinator "
    "(a, b, c in one authority), itinerant (a, c in one, b in another), representative / "
    "gatekeeper (b shares its authority with a / with c only) or liaison (three authorities); "
    "expected counts under a Bernoulli graph of the same density and authority sizes "
    "(Gould & Fernandez 1989; sna::brokerage)",
    "density": "2 · ties / (nodes · (nodes − 1))",
    "largest_component_share": "share of nodes in the largest connected component",
    "multi_network_share": "share of practitioners who are members of two or more networks",
    "level_evenness": "Pielou evenness of practitioners over the seven levels: H / ln 7 (1 = all levels equally)",
    "communities / modularity": "Leiden communities (modularity objective, fixed seed) on the weighted graph",
    "spanning_communities_share": "share of communities (size ≥ 2) with members from two or more authorities",
    "retained / new / lapsed": "units with a record in both sessions / the later only / the earlier only; "
    "retention_rate = retained / earlier",
    "direction (themes)": "first and last sessions compared: strengthening or weakening only "
    "when the 95% network bootstrap interval of the change excludes 0 (structural indicators "
    "volume-matched); otherwise no clear change (INFERENCE.md §8), as when the change is "
    f"defined (not 0/0) in fewer than {MIN_DEFINED:.0%} of the draws and so has no interval",
}


def _backbone(attrs: dict[str, Any]) -> str:
    b = attrs.get("backbone")
    if not b:
        return "none"
    if isinstance(b, dict):
        params = ", ".join(f"{k} = {v}" for k, v in b.items() if k != "method")
        return f"{b.get('method')} ({params})" if params else str(b.get("method"))
    return str(b)


def graphs_used(res: Results) -> list[tuple[str, str, str]]:
    """(result, graph, backbone) for each result the report shows, from its attrs."""
    rows = [
        ("reach", res.reach),
        ("collective capacity", res.capacity),
        ("capacity by authority", res.capacity_by),
        ("brokerage", res.brokerage),
        ("Gould–Fernandez roles", res.roles),
        ("E-I permutation test", res.ei),
        ("trend across sessions", res.trend),
        ("evaluation themes", None if res.reflections is None else res.reflections.indicators),
    ]
    if res.change is not None:
        rows.append(("change since the previous session", res.change.measures))
    out = []
    for name, df in rows:
        if df is None:
            continue
        a = dict(df.attrs)
        graph = str(a.get("graph", "not recorded"))
        if name == "E-I permutation test":
            graph += f"; {int(res.ei['permutations'].iloc[0]):,} permutations, seed {a.get('seed')}"
        est = a.get("estimated")
        if est:
            graph += (
                "; mean distance and robustness estimated from sampled sources (graph too "
                f"large for exact all-pairs paths) for: {', '.join(map(str, est))}"
            )
        how = a.get("betweenness")
        if isinstance(how, dict) and how.get("method") == "sampled":
            graph += (
                f"; betweenness estimated from {how['sources']:,} sampled sources of "
                f"{how['nodes']:,} (seed {how['seed']}; every value within "
                f"±{how['error_bound']:.3f} with probability {how['confidence']:.0%}; "
                f"median standard error {how['median_se']:.2g})"
            )
        out.append((name, graph, _backbone(a)))
    return out
