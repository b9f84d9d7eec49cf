"""Shared fixtures: the tiny hand-worked ecosystem (see wpnet.datasets.tiny)."""

from __future__ import annotations

import pytest

from wpnet.datasets import tiny as tiny_ecosystem
from wpnet.ecosystem import Ecosystem


@pytest.fixture
def tiny() -> Ecosystem:
    """Two sessions, three authorities; every value of it is worked by hand in the tests."""
    return tiny_ecosystem()


@pytest.fixture
def tiny2223(tiny: Ecosystem) -> Ecosystem:
    """The tiny ecosystem's 2022-23 session."""
    return tiny.select(session="2022-23")
