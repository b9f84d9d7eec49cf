"""Tests for wpnet.maps._style: the shared palette."""

from __future__ import annotations

import re

import pytest

import wpnet.datasets  # noqa: F401  (conftest's fixture reaches wpnet.datasets)
from wpnet.maps._style import AUTHORITY_PALETTE, authority_colors, category_colors


def test_authority_colors_sorted_and_stable(tiny):
    cols = authority_colors(tiny)
    # three authorities of the tiny register, sorted by name; each takes the palette
    # colour of its place among the eight councils in alphabetical order (Glasgow City
    # 3rd, Inverclyde 4th, Renfrewshire 6th)
    assert list(cols) == ["Glasgow City", "Inverclyde", "Renfrewshire"]
    assert list(cols.values()) == [AUTHORITY_PALETTE[i] for i in (2, 3, 5)]
    # the same from the names alone, in any order
    assert authority_colors(["Renfrewshire", "Glasgow City", "Inverclyde"]) == cols


def test_palette_distinct_hex():
    assert len(set(AUTHORITY_PALETTE)) == len(AUTHORITY_PALETTE) == 18
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in AUTHORITY_PALETTE)


def test_palette_repeats_past_eighteen():
    names = [f"A{i:02d}" for i in range(20)]
    cols = authority_colors(names)
    assert cols["A18"] == cols["A00"]


def test_category_colors_rejects_unknown(tiny):
    with pytest.raises(ValueError, match="color_by must be"):
        category_colors(tiny, "roll")


def test_a_council_keeps_its_colour_in_any_selection():
    from wpnet.datasets import tiny
    from wpnet.maps._style import authority_colors

    full = authority_colors(tiny())
    alone = authority_colors(tiny().select(authority="Inverclyde"))
    assert alone == {"Inverclyde": full["Inverclyde"]}
    # an authority outside the partnership takes a colour none of the eight use
    other = authority_colors(["Fife", "Glasgow City"])
    assert other["Glasgow City"] == full["Glasgow City"]
    assert other["Fife"] not in set(authority_colors(tiny().establishments["authority"]).values())


def test_force_layout_is_fixed_by_its_seed_alone():
    # igraph's Fruchterman-Reingold draws from igraph's generator (Python's ``random``
    # by default): without a seeded generator, two calls with one seed differ.
    import random

    import igraph as ig
    import numpy as np

    from wpnet.maps._style import force_layout

    g = ig.Graph.Erdos_Renyi(120, 0.05, loops=False) + ig.Graph.Ring(5)
    first = force_layout(g, seed=3)
    random.seed(12345)  # the state igraph's default generator would have read
    second = force_layout(g, seed=3)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, force_layout(g, seed=4))
    ring = ig.Graph.Ring(30)
    before = random.getstate()
    force_layout(ring, seed=0)
    assert random.getstate() == before  # Python's own generator is left alone
