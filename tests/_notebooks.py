"""The shipped notebooks, each executed once per test run and shared by the tests that
check what its cells show (executing a notebook is the slow part)."""

from __future__ import annotations

import functools
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@functools.cache
def executed(name: str) -> nbformat.NotebookNode:
    """``notebooks/NAME`` run top to bottom in a fresh kernel (an error in any cell
    raises ``CellExecutionError``). Callers read it and must not change it."""
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    return nb
