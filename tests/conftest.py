"""Shared fixtures: the tiny hand-worked ecosystem (see wpnet.datasets.tiny), and the
example's report, built once for every module that reads it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from wpnet.datasets import load_example
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


@dataclass(frozen=True)
class ExampleReport:
    """The shipped example's report, as ``build_report(eco, out=...)`` writes it with
    every option at its default, and what the build computed on the way.

    Attributes
    ----------
    eco : Ecosystem
        ``wpnet.load_example()``, the ecosystem reported on.
    page : Path
        The report's ``index.html`` (the other outputs are beside it).
    res : wpnet.report.compute.Results
        What ``compute`` returned inside the build (every measure the report shows).
    compute_args, compute_kwargs : tuple, dict
        The arguments ``build_report`` called ``compute`` with (so a test can check
        that ``res`` is the result of the call it would make itself).
    min_cell : int
        The ``min_cell`` the build's tables were made with.
    """

    eco: Ecosystem
    page: Path
    res: Any
    compute_args: tuple
    compute_kwargs: dict
    min_cell: int


@pytest.fixture(scope="session")
def example_report(tmp_path_factory: pytest.TempPathFactory) -> ExampleReport:
    """The example's report with build_report's defaults (the SDSM backbone, 5,000
    permutations, 200 bootstrap draws, min_cell=5), built ONCE for the session: it is
    the slowest build of the suite, and test_report, test_report_layout,
    test_report_headlines and test_disclosure all read the same one."""
    from wpnet.report import build as build_module

    seen: dict[str, Any] = {}
    compute, build_tables = build_module.compute, build_module.build_tables

    def spy_compute(*args: Any, **kwargs: Any) -> Any:
        seen["args"], seen["kwargs"] = args, dict(kwargs)
        seen["res"] = compute(*args, **kwargs)
        return seen["res"]

    def spy_tables(res: Any, min_cell: int) -> Any:
        seen["min_cell"] = min_cell
        return build_tables(res, min_cell)

    eco = load_example()
    out = tmp_path_factory.mktemp("example_report")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build_module, "compute", spy_compute)
        mp.setattr(build_module, "build_tables", spy_tables)
        page = build_module.build_report(eco, out=out)
    return ExampleReport(
        eco=eco,
        page=page,
        res=seen["res"],
        compute_args=seen["args"],
        compute_kwargs=seen["kwargs"],
        min_cell=seen["min_cell"],
    )
