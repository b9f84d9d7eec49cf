"""The ``wpnet report`` and ``wpnet map`` subcommands, and the data options they share
with ``wpnet validate``.

::

    wpnet report DATA... [--session 2022-23] [--compare-to 2021-22] [--out report]
                         [--pdf] [--min-cell 5] [--backbone sdsm] [--errors raise|drop]
                         [--key-file FILE | --key KEY] [--register FILE]
                         [--date-order auto|dmy|mdy|iso]
                         [--status-column HEADER] [--exclude-status VALUE ...]
                         [--samples 200]
    wpnet map DATA... --out map.html [--session 2022-23] [--backbone sdsm] [--min-cell 5]

DATA is a folder of the four tables, one workbook with a sheet per table, or flat
registration exports (:func:`wpnet.from_records`): one file, several files, or a
folder of them (one export per event, say), read as one export.

``add_arguments`` / ``run`` are the report's, ``add_map_arguments`` / ``run_map`` the
map's, in the form :data:`wpnet.cli.COMMANDS` takes; ``add_data_arguments`` and
``load_data`` are the data options and their reading, shared with ``wpnet validate``.
Exit codes: 0 done, 1 bad data (including rows left out without ``--errors drop``),
2 bad usage (including ``--pdf`` without Chromium; the HTML is written all the same).
Rows left out with ``--errors drop`` are counted on stdout and written (reason, row,
original values; never names or e-mails) to ``<out>_rejected_rows.csv`` beside the
report folder or the map (not inside the report, which is published).
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from wpnet._parallel import in_background, resolve_workers
from wpnet._parse import DATE_ORDERS
from wpnet._reading import no_records
from wpnet.ecosystem import Ecosystem
from wpnet.errors import DataError, UsageError, WpnetError
from wpnet.privacy import printable
from wpnet.report._folder import check_report_folder

__all__ = [
    "EXPORT_SUFFIXES",
    "add_arguments",
    "add_data_arguments",
    "add_map_arguments",
    "load_data",
    "read_key_file",
    "report_left_out",
    "run",
    "run_map",
]

_BACKBONE_CHOICES = ("sdsm", "disparity", "threshold", "none")

#: Files read as exports when DATA is a folder of exports.
EXPORT_SUFFIXES = (".csv", ".xlsx", ".parquet")

_TABLES = ("establishments", "practitioners", "networks", "participation")


def _min_cell(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def add_data_arguments(p: argparse.ArgumentParser, *, errors: bool = True) -> None:
    """DATA and the options that say how to read it (keys, register, dates, status)."""
    p.add_argument(
        "data",
        metavar="DATA",
        nargs="+",
        help="a folder of the four tables, one workbook, or flat exports: one file, "
        "several files or a folder of them (read as one export)",
    )
    key = p.add_mutually_exclusive_group()
    key.add_argument(
        "--key-file",
        metavar="FILE",
        help="file holding the pseudonymisation key (one final line break is ignored); "
        "default $WPNET_KEY",
    )
    key.add_argument(
        "--key",
        metavar="KEY",
        help="the pseudonymisation key itself (visible to other users of the machine: "
        "prefer --key-file or $WPNET_KEY)",
    )
    p.add_argument(
        "--register",
        metavar="FILE",
        help="establishments register for exports (.csv, .xlsx, .parquet, or a folder "
        "of tables): gives sectors and the denominator of coverage",
    )
    p.add_argument(
        "--date-order",
        choices=DATE_ORDERS,
        default="auto",
        help="how a/b/yyyy dates are read: auto (default: told from values such as "
        "17/04/2024; a month-first or mixed file is refused), dmy, mdy or iso",
    )
    p.add_argument(
        "--status-column",
        metavar="HEADER",
        help="the export's attendance/booking status column (default: a header such as "
        "'Status' or 'Attendee Status')",
    )
    p.add_argument(
        "--exclude-status",
        metavar="VALUE",
        action="append",
        help="a status value that is not an attendance (repeat for several; replaces "
        "the defaults 'Not Attending', 'Did Not Attend', 'DNA', 'No Show', "
        "'Cancelled', 'Withdrawn', 'Declined', 'Waiting List', 'No', ...)",
    )
    if errors:
        p.add_argument(
            "--errors",
            choices=("raise", "drop"),
            default="raise",
            help="bad rows: stop with a list and exit 1 (raise, default) or leave them out, "
            "write them to a rejected-rows file and go on (drop)",
        )


def _samples(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    add_data_arguments(p)
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


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of ``wpnet report``."""
    _common(p)
    p.add_argument(
        "--compare-to",
        help="an earlier session to compare with (default: the one before --session)",
    )
    p.add_argument("--out", default="report", metavar="DIR", help="output folder (default report)")
    p.add_argument("--pdf", action="store_true", help="also print report.pdf (needs Chromium)")
    p.add_argument(
        "--samples",
        type=_samples,
        default=200,
        metavar="N",
        help="bootstrap draws for the evaluation themes' intervals (default 200; 0 = point "
        "values without intervals or directions)",
    )


def add_map_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of ``wpnet map``."""
    _common(p)
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the HTML file to write (a folder, or a path ending in /, gets map.html)",
    )
    p.add_argument(
        "--color-by",
        choices=("authority", "sector", "simd_quintile"),
        default="authority",
        help="what the establishments' colour shows (default authority)",
    )


def _is_table_workbook(path: Path) -> bool:
    """Whether an .xlsx holds the tables (a ``participation`` sheet), opened as the
    readers open it (:func:`wpnet.io.open_workbook`: a zip of bounded size, a clear
    error for a file that is not a workbook)."""
    from wpnet.io import open_workbook

    wb = open_workbook(path)
    try:
        names = {s.strip().lower() for s in wb.sheetnames}
    finally:
        wb.close()
    return "participation" in names


def _is_table_folder(path: Path) -> bool:
    """Whether a folder holds the tables: a participation file, its name compared as
    the readers compare it (``Participation.CSV`` is one)."""
    if not path.is_dir():
        return False
    from wpnet.validation import canonical_header

    return any(
        f.is_file()
        and f.suffix.lower() in EXPORT_SUFFIXES
        and canonical_header(f.stem) == "participation"
        for f in path.iterdir()
    )


def read_key_file(path: str | os.PathLike[str]) -> str:
    """The key held in a file: its text without one final line break (``\\n`` or
    ``\\r\\n``), which editors add; anything else is part of the key.

    Raises
    ------
    UsageError
        When the file cannot be read or is empty.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "key"
    >>> _ = p.write_text("0123456789abcdef\\n")
    >>> read_key_file(p)
    '0123456789abcdef'
    """
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"--key-file {str(p)!r}: cannot be read ({err})") from None
    for end in ("\r\n", "\n"):
        if text.endswith(end):
            text = text[: -len(end)]
            break
    if not text:
        raise UsageError(f"--key-file {str(p)!r} is empty")
    return text


def _read_register(path: str | os.PathLike[str]) -> Any:
    from wpnet.io import read_file

    p = Path(path)
    if p.is_dir():
        found = [
            p / f"establishments{s}"
            for s in EXPORT_SUFFIXES
            if (p / f"establishments{s}").is_file()
        ]
        if not found:
            raise UsageError(f"--register {str(p)!r}: the folder has no establishments table")
        p = found[0]
    if not p.is_file():
        raise UsageError(f"--register {str(p)!r}: no such file or folder")
    if p.suffix.lower() not in EXPORT_SUFFIXES:
        raise UsageError(f"--register {str(p)!r}: give a .csv, .xlsx or .parquet file")
    return read_file(p, "establishments").frame


def _is_rejected_rows_file(path: Path) -> bool:
    """Whether ``path`` is a file of rejected rows wpnet wrote (``<out>_rejected_rows.csv``
    beside a report, whose header starts ``table,row,reason``)."""
    if not path.name.endswith("_rejected_rows.csv"):
        return False
    with suppress(OSError), path.open("rb") as fh:
        return fh.readline().lstrip(b"\xef\xbb\xbf").startswith(b"table,row,reason")
    return False


def _export_files(paths: Sequence[Path]) -> list[Path]:
    """The export files of DATA: files given, and the exports of a folder given (a file
    of rejected rows that wpnet wrote there beside a report is not an export, and is
    said to be left out on stderr)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            inside = sorted(
                f
                for f in p.iterdir()
                if f.is_file()
                and f.suffix.lower() in EXPORT_SUFFIXES
                and not f.name.startswith((".", "~$"))
            )
            for f in [f for f in inside if _is_rejected_rows_file(f)]:
                print(
                    f"wpnet: {f.name} is wpnet's file of rejected rows, not read", file=sys.stderr
                )
                inside.remove(f)
            if not inside:
                raise UsageError(
                    f"DATA {str(p)!r}: the folder has neither the four tables nor any export "
                    f"({', '.join(EXPORT_SUFFIXES)})"
                )
            files += inside
        else:
            files.append(p)
    return files


def load_data(
    data: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    errors: str = "raise",
    *,
    key: str | None = None,
    register: str | os.PathLike[str] | None = None,
    date_order: str = "auto",
    status_column: str | None = None,
    exclude_status: Sequence[str] | None = None,
) -> Ecosystem:
    """Read DATA: a folder of tables or a workbook with one sheet per table
    (:func:`wpnet.read_ecosystem`), else flat registration exports
    (:func:`wpnet.from_records`; several files, or a folder of them, are one export).

    Raises
    ------
    FileNotFoundError
        When a path does not exist.
    UsageError
        Export options (``register``, ``status_column``, ``exclude_status``) with a
        folder of tables; a folder with neither tables nor exports.
    DataError
        Bad data (a :class:`~wpnet.errors.KeyMissing` without a key for exports).

    Examples
    --------
    >>> import tempfile, wpnet
    >>> folder = wpnet.write_ecosystem(wpnet.tiny(), Path(tempfile.mkdtemp()) / "data")
    >>> load_data(folder).sessions
    ['2021-22', '2022-23']
    """
    items = [data] if isinstance(data, (str, os.PathLike)) else list(data)
    paths = [Path(p) for p in items]
    for p in paths:
        if not p.exists():
            raise FileNotFoundError(f"DATA {str(p)!r}: no such file or folder")
    first = paths[0]
    if len(paths) == 1 and (
        _is_table_folder(first) or (first.suffix.lower() == ".xlsx" and _is_table_workbook(first))
    ):
        given = [
            name
            for name, v in (
                ("--register", register),
                ("--status-column", status_column),
                ("--exclude-status", exclude_status),
            )
            if v is not None
        ]
        if given:
            raise UsageError(
                f"{', '.join(given)} apply to flat exports; {str(first)!r} holds the four tables"
            )
        from wpnet.io import read_ecosystem

        return read_ecosystem(first, errors=errors, key=key, date_order=date_order)
    from wpnet.records import from_records

    files = _export_files(paths)
    return from_records(
        files if len(files) > 1 else files[0],
        register=_read_register(register) if register is not None else None,
        key=key,
        errors=errors,
        date_order=date_order,
        status_column=status_column,
        exclude_status=exclude_status,
    )


def _key(args: argparse.Namespace) -> str | None:
    if getattr(args, "key_file", None):
        return read_key_file(args.key_file)
    return getattr(args, "key", None)


def _load(args: argparse.Namespace, *, key: str | None = None) -> Ecosystem:
    """``load_data`` of the command's DATA and data options."""
    return load_data(
        args.data,
        getattr(args, "errors", "raise"),
        key=key if key is not None else _key(args),
        register=args.register,
        date_order=args.date_order,
        status_column=args.status_column,
        exclude_status=args.exclude_status,
    )


#: What the report computes and draws with, imported while its data are read
#: (:func:`_read_while`): scipy (through wpnet's graphs), igraph, which imports
#: matplotlib's pyplot, and wpnet's measures, inference, evaluation, map and page;
#: 1.1-1.3 s on the build machine after ``import wpnet.cli``.
REPORT_MODULES = (
    "igraph",
    "jinja2",
    "wpnet.evaluation",
    "wpnet.inference",
    "wpnet.maps.interactive",
    "wpnet.measures",
    "wpnet.report.build",
)

#: What the interactive map computes with, imported while its data are read.
MAP_MODULES = ("igraph", "wpnet.maps.interactive", "wpnet.measures")


def _import_all(names: Sequence[str]) -> None:
    """Import each module of ``names`` (:data:`REPORT_MODULES`, :data:`MAP_MODULES`)."""
    for name in names:
        importlib.import_module(name)


#: DATA files up to this size in all (bytes, Parquet files excepted) are read in a
#: process of their own while the command imports (:func:`_read_while`).
READ_ELSEWHERE_BYTES = 16 * 2**20


def _small_text_data(data: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> bool:
    """Whether the files of DATA (the files in a folder, or the files given) are at most
    :data:`READ_ELSEWHERE_BYTES` in all and none of them is Parquet.

    Data read elsewhere come back pickled, about the size they take in memory: 8 MB
    for the example's 4.7 MB of CSV, but 143 MB for the 5.3 MB of Parquet of
    ``wpnet synth --records 1000000`` (its columns compressed), whose report was
    0.5 s slower that way; at that size the imports are a small part of the time.
    """
    total = 0
    for item in [data] if isinstance(data, (str, os.PathLike)) else data:
        p = Path(item)
        try:
            files = [f for f in p.iterdir() if f.is_file()] if p.is_dir() else [p]
        except OSError:  # unreadable: the reading says so
            continue
        for f in files:
            if f.suffix.lower() == ".parquet":
                return False
            with suppress(OSError):  # gone or unreadable: the reading says so
                total += f.stat().st_size
    return total <= READ_ELSEWHERE_BYTES


def _read_while(args: argparse.Namespace, meanwhile: Callable[[], None]) -> Ecosystem:
    """The command's data (:func:`_load`), read in a forked process while this one runs
    ``meanwhile`` (the imports the next step needs), when two cores or more are there
    and the data are small text (:func:`_small_text_data`).

    Reading and checking the example's five CSV files (0.7-1.0 s) and importing what
    the report needs (1.1-1.3 s) ran one after the other on one core; side by side
    they take about as long as the longer of the two, and the data come back pickled
    (8 MB for the example, about 0.02 s each way). The data are the same either way: the process
    runs the same :func:`_load`; its warnings are issued again here and its error
    (a :class:`~wpnet.errors.DataError`, a missing file) is raised here
    (:func:`wpnet._parallel.in_background`). With one worker (``WPNET_WORKERS=1``),
    no ``fork`` or larger data, the imports and then the reading run here.
    """
    elsewhere = resolve_workers() >= 2 and _small_text_data(args.data)
    with in_background(_load, args, enabled=elsewhere) as loaded:
        meanwhile()
        return loaded()


def report_left_out(
    eco: Ecosystem,
    rejected_file: Path | None,
    compare_to: str | None = None,
    *,
    protect: Sequence[str | os.PathLike[str]] = (),
) -> list[str]:
    """Lines saying what was left out of ``eco`` on reading: rejected rows (how many,
    and the file they were written to), rows excluded by status, and findings the data
    cannot support (:func:`wpnet.records.data_limits`), with a note when the
    session compared with is thin.

    Examples
    --------
    >>> import wpnet
    >>> report_left_out(wpnet.tiny(), None)
    []
    """
    from wpnet.privacy import neutralise, strip_controls
    from wpnet.records import data_limits, describe_limits

    lines = []
    reading = eco.reading
    rej = eco.rejected
    if len(rej):
        if rejected_file is not None:
            from wpnet.privacy import atomic_write

            rejected_file.parent.mkdir(parents=True, exist_ok=True)
            clean, _ = strip_controls(rej)  # as every other file wpnet writes
            atomic_write(rejected_file, neutralise(clean).to_csv(index=False), protect=protect)
        lines.append(_left_out_line(eco, rejected_file))
    origin = eco.origin  # the export's reading, or the one a saved folder keeps
    if origin is not None and origin.n_excluded:
        made = "" if reading is not None else f"the tables were made from {origin.source}: "
        lines.append(
            f"{made}{origin.n_excluded} of {origin.rows} rows read were excluded by their "
            f"status in column {origin.status_column!r} ({origin.values_phrase()}): not "
            "attendances"
        )
    lines += describe_limits(data_limits(eco), compare_to)
    return lines


def _left_out_line(eco: Ecosystem, rejected_file: Path | None) -> str:
    """How many rows were left out, of how many read, and why (:func:`report_left_out`).

    Rows read: a folder's, the rows of all its tables; an export's, every row of the
    export (:attr:`Ecosystem.reading`), the rows excluded by their status included, as
    ``wpnet validate`` counts them. Rows left out only as exact copies of earlier rows
    or repeats of the header are said to be so (they are left out with or without
    ``--errors drop``).
    """
    from wpnet.schema import TABLES

    rej = eco.rejected
    if eco.reading is not None:  # an export
        read = eco.reading.rows
    elif set(rej["table"].astype(str)) <= set(TABLES):  # a folder's tables
        tables = (eco.establishments, eco.practitioners, eco.networks, eco.participation)
        read = sum(len(t) for t in tables) + len(eco.ties) + len(rej)
    else:
        read = len(eco.participation) + len(rej)
    from wpnet.records import HEADER_AGAIN

    reasons = rej["reason"].astype(str)
    copies, again = reasons.str.startswith("duplicate of row"), reasons == HEADER_AGAIN
    named = (("exact copies of earlier rows", copies), ("the header row repeated", again))
    kinds = [kind for kind, rows in named if rows.any()]
    why = " or ".join(kinds) if (copies | again).all() else "--errors drop"
    where = (
        f": see {rejected_file} (the values wpnet read from them, without names or "
        "e-mails; keep it internal)"
        if rejected_file is not None
        else ""
    )
    return f"{len(rej)} of {read} rows were left out ({why}), each with its reason{where}"


def _print_left_out(lines: list[str]) -> None:
    for line in lines:
        print(f"      {line}")


def _backbone(value: str) -> str | None:
    return None if value == "none" else value


def _sessions(
    eco: Ecosystem, session: str | None, compare_to: str | None
) -> tuple[str, str | None]:
    """``--session`` (default the latest) and ``--compare-to``, which must be earlier."""
    sessions = eco.sessions
    if not sessions:
        raise DataError(
            no_records(
                eco.reading,
                selected=bool(eco.scope),
                kept=len(eco.participation),
                then=": there is no session to show",
            )
        )
    if session is not None and session not in sessions:
        raise UsageError(f"--session {session!r} is not in the data; it has {sessions}")
    chosen = session if session is not None else sessions[-1]
    if compare_to is not None:
        if compare_to not in sessions:
            raise UsageError(f"--compare-to {compare_to!r} is not in the data; it has {sessions}")
        if compare_to >= chosen:
            raise UsageError(
                f"--compare-to {compare_to} is not earlier than the session reported on "
                f"({chosen}): a comparison looks back; give an earlier session"
            )
    elif sessions.index(chosen) > 0:
        compare_to = sessions[sessions.index(chosen) - 1]
    return chosen, compare_to


def _remove_new(path: Path, existed: bool) -> None:
    """Remove ``path`` if this run created it (an interrupted or failed run)."""
    if not existed and path.exists():
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def run(args: argparse.Namespace) -> int:
    """Run ``wpnet report``; print what was written where and what was left out."""
    started = time.perf_counter()
    check_report_folder(args.out, name="--out")  # before the data are read
    eco = _read_while(args, functools.partial(_import_all, REPORT_MODULES))
    # the modules and the data read are kept to the end: out of the cyclic garbage
    # collector's sight, its full collections walk only what the report makes (0.09 s
    # less on the example); given back to it when the command ends (unless a caller
    # running the command in its own process had frozen objects: those stay its own;
    # so do those CPython 3.12 freezes itself at startup, and the report runs unfrozen)
    ours = gc.get_freeze_count() == 0
    if ours:
        gc.freeze()
    try:
        return _report(args, eco, started)
    finally:
        if ours:
            gc.unfreeze()


def _report(args: argparse.Namespace, eco: Ecosystem, started: float) -> int:
    """``wpnet report`` on the data read: build it, say what was written and left out."""
    from wpnet.report.build import build_report

    session, compare_to = _sessions(eco, args.session, args.compare_to)
    out = Path(args.out)
    existed = out.exists()
    try:
        # the rejected rows first: a refusal to write them (an input of that name) then
        # leaves an earlier report as it was
        left_out = report_left_out(
            eco, _beside(out, "rejected_rows.csv"), compare_to, protect=args.data
        )
        try:
            index = build_report(
                eco,
                session=session,
                out=out,
                compare_to=compare_to,
                backbone=_backbone(args.backbone),
                min_cell=args.min_cell,
                pdf=args.pdf,
                samples=args.samples,
            )
        except WpnetError as err:
            if isinstance(err, DataError):
                raise
            print(f"wpnet report: {printable(err)}", file=sys.stderr)
            return 2
    except BaseException:
        _remove_new(out, existed)
        raise
    tables = sorted((out / "tables").glob("*.csv"))
    print(
        f"wrote {index} (session {session}"
        + (f", compared to {compare_to})" if compare_to else ")")
    )
    print(f"      {len(tables)} tables in {out / 'tables'}/ and {out / 'tables.xlsx'}")
    print(f"      interactive map {out / 'map.html'}")
    if args.samples == 0:
        print(
            "      evaluation themes: point values only (--samples 0): no intervals, no directions"
        )
    if args.pdf:
        print(f"      {out / 'report.pdf'}")
    _print_left_out(left_out)
    print(f"in {time.perf_counter() - started:.1f} s")
    return 0


def _beside(out: Path, name: str) -> Path:
    """``<out's name>_<name>`` in ``out``'s folder: outside a report folder, which is
    published, because the rows' values are not screened for disclosure."""
    stem = out.stem if out.suffix else out.name
    return out.parent / f"{stem}_{name}"


def _map_path(text: str) -> Path:
    """``--out``: the HTML file, or ``map.html`` inside a folder (existing, or written
    with a trailing slash)."""
    p = Path(text)
    if text.endswith(("/", os.sep)) or p.is_dir():
        return p / "map.html"
    return p


def run_map(args: argparse.Namespace) -> int:
    """Run ``wpnet map`` (default: the latest session); print what was written where."""
    eco = _read_while(args, functools.partial(_import_all, MAP_MODULES))
    from wpnet.maps.interactive import interactive_map

    session, _ = _sessions(eco, args.session, None)
    out = _map_path(args.out)
    folder_existed = out.parent.exists()
    out_existed = out.exists()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        m = interactive_map(
            eco,
            out,
            session=session,
            backbone=_backbone(args.backbone),
            color_by=args.color_by,
            min_cell=args.min_cell,
        )
        left_out = report_left_out(eco, _beside(out, "rejected_rows.csv"), protect=args.data)
    except BaseException:
        _remove_new(out, out_existed)
        _remove_new(out.parent, folder_existed)
        raise
    print(f"wrote {out} (session {session}; {m!r})")
    _print_left_out(left_out)
    return 0
