"""The notebooks run and show what their cells draw: each is executed top to bottom in a
fresh kernel (any cell's error fails it), every plotting cell has a PNG image output and
every map cell an HTML output."""

from __future__ import annotations

import base64
import io
import re

import nbformat
import pytest
from _notebooks import NOTEBOOKS, executed

PLOT = re.compile(r"\bplot_\w+\(")
MAP = re.compile(r"\binteractive_map\(")
TABLE = re.compile(r"\bstyled\(")


def _kinds(cell: nbformat.NotebookNode) -> set[str]:
    found = set()
    for out in cell.get("outputs", []):
        found |= set(out.get("data", {}))
    return found


def _png(cell: nbformat.NotebookNode) -> bytes:
    for out in cell.get("outputs", []):
        if "image/png" in out.get("data", {}):
            return base64.b64decode(out["data"]["image/png"])
    raise AssertionError("no image/png output")


# every shipped notebook, executed once here (not also by nbmake): 01 quickstart,
# 02 reflections, 03 annual report, 04 bring your own data
NAMES = sorted(p.name for p in NOTEBOOKS.glob("0*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_plot_and_map_cell_shows_its_output(name: str) -> None:
    from PIL import Image

    nb = executed(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    plots = [c for c in code if PLOT.search(c.source)]
    maps = [c for c in code if MAP.search(c.source)]
    if name.startswith(("01", "03")):
        assert plots, f"{name} has no plotting cell"
    for cell in plots:
        kinds = _kinds(cell)
        assert "image/png" in kinds, f"{name}: no image for {cell.source!r} (outputs: {kinds})"
        img = Image.open(io.BytesIO(_png(cell)))
        assert img.width > 300 and img.height > 200
        # the cell ends in ';': no "<Axes: ...>" text printed instead of (or beside) it
        assert not any(
            "<Axes" in str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs
        )
    for cell in maps:
        html = [o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
        assert html and "<iframe" in html[0], f"{name}: no map shown for {cell.source!r}"
    for cell in (c for c in code if TABLE.search(c.source)):
        html = "".join(o["data"].get("text/html", "") for o in cell.outputs if "data" in o)
        assert "Coverage" in html and "%" in html, f"{name}: report table not labelled"
