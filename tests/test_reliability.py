"""The reliability defects of issue 13, one test each; every one failed before the fix.

- results handed out were shared and mutable (a projection's nodes and weights, so a
  caller's change reached a later ``brokerage``);
- a DataFrame given where an Ecosystem is expected ended in an ``AttributeError``;
- ``backbone(G, weight="w")`` on a graph without that attribute silently used weight 1;
- ``from wpnet.maps import *`` raised (its ``__all__`` named what the package lacked).

(The import cycles and the private ``Ecosystem._memoised`` called from other modules
are checked by tests/test_architecture.py.)
"""

from __future__ import annotations

import subprocess
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import wpnet
from wpnet.errors import UsageError, WpnetError, WrongType
from wpnet.graphs import projection


def _fresh() -> wpnet.Ecosystem:
    return wpnet.tiny().select(session="2022-23")


def test_changing_a_projection_changes_no_later_measure() -> None:
    eco = _fresh()
    p = projection(eco)
    nodes = p.nodes
    nodes["authority"] = "Nowhere"  # a copy: the shared nodes are untouched
    with pytest.raises(ValueError, match="read-only"):
        p.weight.data[:] = 99.0
    with pytest.raises(TypeError):
        p.params["alpha"] = 0.5  # type: ignore[index]
    later = wpnet.brokerage(eco, betweenness="exact")  # computed now, from the shared projection
    expected = wpnet.brokerage(_fresh(), betweenness="exact")
    pd.testing.assert_frame_equal(later, expected)
    assert set(later["group"]) == {"Glasgow City", "Inverclyde", "Renfrewshire"}
    assert later.loc["E4", "degree"] == 3  # E4 ties C1, E1, E2 (tiny ecosystem by hand)


def test_changing_a_projected_graph_changes_no_later_measure() -> None:
    eco = _fresh()
    g = wpnet.project(eco)
    for n in g.nodes:
        g.nodes[n]["authority"] = "Nowhere"
    for _, _, d in g.edges(data=True):
        d["weight"] = 100
    g.remove_node("E4")
    b = wpnet.brokerage(eco, group="sector")
    pd.testing.assert_frame_equal(b, wpnet.brokerage(_fresh(), group="sector"))
    assert b.loc["E4", "degree"] == 3
    again = wpnet.project(eco)
    assert "E4" in again and again.nodes["E1"]["authority"] == "Glasgow City"


def test_changing_a_measure_result_changes_no_later_one() -> None:
    eco = _fresh()
    first = wpnet.capacity(eco)
    first.loc["all", "density"] = -1.0
    first.attrs["scope"]["session"] = "changed"
    second = wpnet.capacity(eco)
    assert second.loc["all", "density"] == 0.4  # 4 ties of 10 pairs
    assert second.attrs["scope"] == {"session": "2022-23"}


PUBLIC_ON_ECOSYSTEM = [
    "reach",
    "brokerage",
    "brokerage_roles",
    "ei_test",
    "capacity",
    "trend",
    "reflections",
    "project",
    "affiliation_graph",
    "authority_matrix",
    "plot_ecosystem",
    "plot_authority_flows",
    "plot_brokers",
    "plot_reach",
    "plot_trend",
    "interactive_map",
    "build_report",
]


@pytest.mark.parametrize("name", PUBLIC_ON_ECOSYSTEM)
def test_a_dataframe_where_an_ecosystem_is_expected_says_so(name: str) -> None:
    df = wpnet.tiny().records
    with pytest.raises(WrongType, match=r"an Ecosystem is expected.*got DataFrame") as err:
        getattr(wpnet, name)(df)
    assert isinstance(err.value, TypeError) and isinstance(err.value, WpnetError)
    assert "(eco=...)" in str(err.value)


def test_change_and_backbone_refuse_a_dataframe_alike() -> None:
    df = wpnet.tiny().records
    with pytest.raises(WrongType, match="an Ecosystem is expected"):
        wpnet.change(df, before="2021-22", after="2022-23")
    with pytest.raises(WrongType, match="an Ecosystem or a networkx Graph"):
        wpnet.backbone(df, "threshold")


def test_backbone_on_a_graph_without_the_weight_attribute_raises() -> None:
    g = nx.Graph([(0, 1, {"w": 5}), (1, 2, {"w": 1}), (2, 3, {"w": 3})])
    with pytest.raises(UsageError, match=r"weight='weight' is not an attribute of 3 .*\['w'\]"):
        wpnet.backbone(g, "threshold", min_weight=2)
    # with the attribute named, the right ties are kept (weights 5 and 3 >= 2)
    kept = wpnet.backbone(g, "threshold", min_weight=2, weight="w")
    assert sorted(kept.edges()) == [(0, 1), (2, 3)]
    g.add_edge(3, 4)  # one edge without it is refused too, not read as 1
    with pytest.raises(UsageError, match=r"1 of the graph's 4 edges \(e\.g\. \[\(3, 4\)\]\)"):
        wpnet.backbone(g, "disparity", weight="w")


def test_star_import_of_maps_works_and_loads_no_matplotlib_before() -> None:
    code = (
        "import sys\n"
        "import wpnet.maps\n"
        "assert 'matplotlib' not in sys.modules\n"
        "from wpnet.maps import *\n"
        "print(sorted(k for k in dir() if not k.startswith('_') and k != 'sys' and k != 'wpnet'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == str(sorted(wpnet.maps.__all__))


def test_a_bad_graph_option_is_a_usage_error_naming_what_is_allowed() -> None:
    eco = _fresh()
    with pytest.raises(UsageError, match=r"correction must be one of \('none', 'holm'"):
        wpnet.brokerage(eco, backbone="sdsm", correction="bh")
    with pytest.raises(UsageError, match="alpha must be between 0 and 1"):
        wpnet.plot_ecosystem(eco, alpha=2.0)
    with pytest.raises(UsageError, match=r"onto must be one of"):
        wpnet.capacity(eco, onto="school")
    with pytest.raises(UsageError, match=r"onto must be one of \('establishment',\)"):
        wpnet.plot_ecosystem(eco, onto="network")
    with pytest.raises(TypeError):  # keyword-only after the data argument
        wpnet.brokerage(eco, "establishment")  # type: ignore[misc]


def test_one_graph_spec_gives_a_measure_and_a_figure_the_same_graph() -> None:
    eco = _fresh()
    spec = wpnet.GraphSpec(backbone="threshold", min_weight=1)
    b = wpnet.brokerage(eco, **spec.keywords())
    assert b.attrs["backbone"] == {"method": "threshold", "min_weight": 1}
    ax = wpnet.plot_brokers(eco, **spec.keywords())
    ties = [c for c in ax.collections if c.get_gid() == "ties"]
    assert len(ties) == 1 and len(ties[0].get_segments()) == 4  # the 4 ties kept
    assert np.isclose(b["degree"].sum() / 2, 4)
