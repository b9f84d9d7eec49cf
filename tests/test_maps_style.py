"""Tests for wpnet.maps._style: the shared palette."""

from __future__ import annotations

import re

import pytest

import wpnet.datasets  # noqa: F401  (conftest's fixture reaches wpnet.datasets)
from wpnet.maps._style import AUTHORITY_PALETTE, authority_colors, category_colors


def test_authority_colors_sorted_and_stable(tiny):
    cols = authority_colors(tiny)
    # three authorities of the tiny register, sorted by name, first three palette colours
    assert list(cols) == ["Glasgow City", "Inverclyde", "Renfrewshire"]
    assert list(cols.values()) == list(AUTHORITY_PALETTE[:3])
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
