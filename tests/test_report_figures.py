"""The report's figures drawn in a second process: the same bytes as drawn here, the
drawing's warnings and errors surfaced in the caller, the process gone on leaving."""

from __future__ import annotations

import multiprocessing as mp
import os
import warnings

import pytest

import wpnet
from wpnet.errors import DataError
from wpnet.graphs import GraphSpec
from wpnet.report import figures as F
from wpnet.report.compute import Results, compute

pytestmark = pytest.mark.skipif(
    "fork" not in mp.get_all_start_methods(), reason="the second process is forked"
)


@pytest.fixture(scope="module")
def results() -> Results:
    return compute(
        wpnet.tiny(), "2022-23", "2021-22", graph=GraphSpec(backbone=None), permutations=20
    )


def test_figures_from_the_second_process_are_the_ones_drawn_here(results: Results) -> None:
    here = F.draw_figures(results, results.trend_eco)
    with F.drawing_figures(results, results.trend_eco, workers=2, split=True) as drawn:
        there = drawn()
        assert drawn() is there  # asked twice, received once
    with F.drawing_figures(results, results.trend_eco, workers=2) as drawn:
        assert drawn() == here  # a small session: one process
    assert [f.key for f in there] == ["reach", "authority_flows", "brokers", "ecosystem", "trend"]
    assert there == here  # every field, the PNG bytes included
    parts = [F.draw_figures(results, results.trend_eco, part=p) for p in (0, 1)]
    assert {f.key for f in parts[1]} == {"authority_flows", "ecosystem"}
    assert sorted(f.key for p in parts for f in p) == sorted(f.key for f in here)


def test_drawing_happens_in_another_process_and_its_warnings_come_back(
    results: Results, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = F.draw_figures

    def noisy(res: Results, history: object, *, part: int | None = None) -> list[F.Figure]:
        warnings.warn(f"drawn in process {os.getpid()}", UserWarning, stacklevel=1)
        return real(res, history, part=part)

    monkeypatch.setattr(F, "draw_figures", noisy)
    with (
        pytest.warns(UserWarning, match=r"drawn in process \d+") as caught,
        F.drawing_figures(results, results.trend_eco, workers=2, split=True) as drawn,
    ):
        drawn()
    pid = int(str(caught[0].message).rsplit(" ", 1)[1])
    assert pid != os.getpid()
    with (
        pytest.warns(UserWarning, match=f"drawn in process {os.getpid()}$"),
        F.drawing_figures(results, results.trend_eco, workers=1) as drawn,
    ):
        drawn()  # one worker: drawn here


def test_an_error_while_drawing_is_raised_in_the_caller(
    results: Results, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(res: Results, history: object, *, part: int | None = None) -> list[F.Figure]:
        raise DataError("no coordinates for establishment E9")

    monkeypatch.setattr(F, "draw_figures", broken)
    with (
        pytest.raises(DataError, match="no coordinates for establishment E9"),
        F.drawing_figures(results, results.trend_eco, workers=2, split=True) as drawn,
    ):
        drawn()


def test_leaving_the_block_early_stops_the_drawing(results: Results) -> None:
    with (
        pytest.raises(KeyError),
        F.drawing_figures(results, results.trend_eco, workers=2, split=True),
    ):
        assert len(mp.active_children()) == 2
        raise KeyError("the map failed")
    assert mp.active_children() == []
    with F.drawing_figures(results, results.trend_eco, workers=2):
        assert len(mp.active_children()) == 1  # tiny: fewer than SPLIT_FROM establishments
    assert len(results.sel.establishments) < F.SPLIT_FROM


_FORKED: dict[str, Results] = {}  # seen by forked Pool workers (Results cannot be pickled)


def _keys_in_a_pool_worker() -> list[str]:
    res = _FORKED["res"]
    with F.drawing_figures(res, res.trend_eco, workers=2) as drawn:
        return [f.key for f in drawn()]


def test_a_daemonic_pool_worker_draws_in_process(results: Results) -> None:
    # a Pool's workers are daemonic and may not start processes of their own
    _FORKED["res"] = results
    with mp.get_context("fork").Pool(1) as pool:
        keys = pool.apply(_keys_in_a_pool_worker)
    assert keys == ["reach", "authority_flows", "brokers", "ecosystem", "trend"]


def _zlib_level_class(png: bytes) -> int:
    """FLEVEL of the zlib stream of a PNG's first IDAT chunk (RFC 1950: 0 fastest,
    1 fast (zlib levels 2-5), 2 default (6), 3 maximum (7-9))."""
    import struct

    at = 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        if png[at + 4 : at + 8] == b"IDAT":
            return png[at + 9] >> 6
        at += 12 + length
    raise AssertionError("no IDAT chunk")


def test_figures_are_compressed_at_the_faster_level_with_the_same_pixels(
    results: Results,
) -> None:
    import base64
    import io

    import numpy as np
    from PIL import Image

    for fig in F.draw_figures(results, results.trend_eco):
        png = base64.b64decode(fig.src.split(",", 1)[1])
        assert _zlib_level_class(png) == 1  # zlib level 3 (Pillow's default 6 is class 2)
        again = io.BytesIO()
        Image.open(io.BytesIO(png)).save(again, format="png")  # Pillow's default level
        assert _zlib_level_class(again.getvalue()) == 2
        pixels = [np.asarray(Image.open(io.BytesIO(b))) for b in (png, again.getvalue())]
        assert pixels[0].shape == (fig.height, fig.width, 4)
        assert (pixels[0] == pixels[1]).all()
