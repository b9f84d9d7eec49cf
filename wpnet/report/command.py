"""The ``wpnet report`` and ``wpnet map`` subcommands.

::

    wpnet report DATA [--session 2022-23] [--compare-to 2021-22] [--out report]
                      [--pdf] [--min-cell 5] [--backbone sdsm] [--errors raise|drop]
    wpnet map DATA --out map.html [--session 2022-23] [--backbone sdsm] [--min-cell 5]

``add_arguments`` / ``run`` are the report's, ``add_map_arguments`` / ``run_map`` the
map's, in the form :data:`wpnet.cli.COMMANDS` takes. Exit codes: 0 done, 1 bad data,
2 bad usage (including ``--pdf`` without Chromium; the HTML is written all the same).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from wpnet.ecosystem import Ecosystem
from wpnet.errors import DataError, WpnetError
from wpnet.privacy import printable

__all__ = ["add_arguments", "add_map_arguments", "load_data", "run", "run_map"]

_BACKBONE_CHOICES = ("sdsm", "disparity", "threshold", "none")


def _min_cell(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", metavar="DATA", help="folder of the four tables, or one export file")
    p.add_argument("--session", help="the session to show, e.g. 2022-23 (default: the latest)")
    p.add_argument(
        "--backbone",
        choices=_BACKBONE_CHOICES,
        default="sdsm",
        help="which establishment ties count (default sdsm; none = every co-membership)",
    )
    p.add_argument(
        "--min-cell",
        type=_min_cell,
        default=5,
        metavar="N",
        help="practitioner counts below N are suppressed (default 5)",
    )
    p.add_argument(
        "--errors",
        choices=("raise", "drop"),
        default="raise",
        help="bad rows: stop with a list (raise, default) or leave them out and report them (drop)",
    )


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of ``wpnet report``."""
    _common(p)
    p.add_argument("--compare-to", help="the session to compare with (default: the one before)")
    p.add_argument("--out", default="report", metavar="DIR", help="output folder (default report)")
    p.add_argument("--pdf", action="store_true", help="also print report.pdf (needs Chromium)")


def add_map_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of ``wpnet map``."""
    _common(p)
    p.add_argument("--out", required=True, metavar="FILE", help="the HTML file to write")
    p.add_argument(
        "--color-by",
        choices=("authority", "sector", "simd_quintile"),
        default="authority",
        help="what the establishments' colour shows (default authority)",
    )


def _is_table_workbook(path: Path) -> bool:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        names = {s.strip().lower() for s in wb.sheetnames}
    finally:
        wb.close()
    return "participation" in names


def load_data(path: str | Path, errors: str = "raise") -> Ecosystem:
    """Read DATA: a folder of tables or a workbook with one sheet per table
    (:func:`wpnet.read_ecosystem`), else one flat registration export
    (:func:`wpnet.from_records`).

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    DataError
        Bad data.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"DATA {str(p)!r} does not exist")
    from wpnet.io import read_ecosystem

    if p.is_dir() or (p.suffix.lower() == ".xlsx" and _is_table_workbook(p)):
        return read_ecosystem(p, errors=errors)
    from wpnet.records import from_records

    return from_records(p, errors=errors)


def _backbone(value: str) -> str | None:
    return None if value == "none" else value


def run(args: argparse.Namespace) -> int:
    """Run ``wpnet report``; print what was written where."""
    from wpnet.report.build import build_report

    started = time.perf_counter()
    eco = load_data(args.data, args.errors)
    out = Path(args.out)
    try:
        index = build_report(
            eco,
            session=args.session,
            out=out,
            compare_to=args.compare_to,
            backbone=_backbone(args.backbone),
            min_cell=args.min_cell,
            pdf=args.pdf,
        )
    except WpnetError as err:
        if isinstance(err, DataError):
            raise
        print(f"wpnet report: {printable(err)}", file=sys.stderr)
        return 2
    tables = sorted((out / "tables").glob("*.csv"))
    print(f"wrote {index}")
    print(f"      {len(tables)} tables in {out / 'tables'}/ and {out / 'tables.xlsx'}")
    print(f"      interactive map {out / 'map.html'}")
    if args.pdf:
        print(f"      {out / 'report.pdf'}")
    print(f"in {time.perf_counter() - started:.1f} s")
    return 0


def run_map(args: argparse.Namespace) -> int:
    """Run ``wpnet map``; print what was written where."""
    from wpnet.maps.interactive import interactive_map

    eco = load_data(args.data, args.errors)
    out = Path(args.out)
    if out.is_dir():
        raise ValueError(f"--out {str(out)!r} is a folder; give the HTML file to write")
    out.parent.mkdir(parents=True, exist_ok=True)
    m = interactive_map(
        eco,
        out,
        session=args.session,
        backbone=_backbone(args.backbone),
        color_by=args.color_by,
        min_cell=args.min_cell,
    )
    print(f"wrote {out} ({m!r})")
    return 0
