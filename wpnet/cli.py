"""The ``wpnet`` command.

::

    wpnet validate DATA                 # exit 1 with a row-by-row error list on bad data
    wpnet validate export.csv --register establishments.csv   # a flat export too
    wpnet example --out DIR             # writes the shipped example dataset (CSV + README)
    wpnet report DATA --out report      # the annual network report (see wpnet report -h)
    wpnet map DATA --out map.html       # the interactive ecosystem map
    wpnet synth --establishments 5000 --practitioners 60000 --networks 500 \\
                --records 1000000 --sessions 4 --seed 0 --format parquet --out DIR

Exit codes: 0 done, 1 bad data (:class:`~wpnet.errors.DataError`, a missing key
included), 2 bad usage (:class:`~wpnet.errors.UsageError`, a bad argument, a path that
does not exist), 130 interrupted (Ctrl-C: one line, and a folder the run created is
removed), 143 stopped by ``SIGTERM`` (``kill``, ``timeout``, a job scheduler: the same as
Ctrl-C). No error prints a traceback. A run killed outright (``SIGKILL``) leaves the
previous output as it was; the processes it started end within a second
(:mod:`wpnet._parallel`), and the next run removes its temporary folder.

Subcommands live in :data:`COMMANDS`, name -> :class:`Command` (help text, a function
that adds its arguments to an :class:`argparse.ArgumentParser`, and a function that
runs it and returns the exit code). ``report`` and ``map`` are defined in
:mod:`wpnet.report.command`; a new subcommand is one more entry there.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import secrets
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from wpnet._parallel import blas_within_quota
from wpnet.errors import DataError, KeyMissing, WpnetError
from wpnet.privacy import printable
from wpnet.report import command as _report_command

__all__ = ["COMMANDS", "Command", "build_parser", "main", "progress", "script"]


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, its arguments and what it does."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


@contextmanager
def progress(total: int, desc: str) -> Iterator[Any]:
    """A tqdm bar on stderr, shown only when stderr is a terminal.

    Yields an object with ``update(n)`` and ``set_description(text)``.
    """
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, file=sys.stderr, disable=not sys.stderr.isatty())
    try:
        yield bar
    finally:
        bar.close()


# ---- validate --------------------------------------------------------------------------
def _validate_args(p: argparse.ArgumentParser) -> None:
    _report_command.add_data_arguments(p, errors=False)
    p.add_argument(
        "--max-lines",
        type=int,
        default=20,
        help="problems shown per table (default 20; all are counted)",
    )


def _validate_run(args: argparse.Namespace) -> int:
    """Validate a folder of tables or a workbook (as read), or flat exports (what
    :func:`wpnet.from_records` accepts, rejects and warns about)."""
    from wpnet._parse import reading_dates
    from wpnet.inspection import validate

    paths = [Path(p) for p in args.data]
    for p in paths:
        if not p.exists():
            raise FileNotFoundError(f"DATA {str(p)!r}: no such file or folder")
    first = paths[0]
    tables = len(paths) == 1 and (
        _report_command._is_table_folder(first)
        or (first.suffix.lower() == ".xlsx" and _report_command._is_table_workbook(first))
    )
    if tables and not (args.register or args.status_column or args.exclude_status):
        with reading_dates(args.date_order):
            report = validate(first, max_lines=args.max_lines)
    else:
        # nothing is written, so without a key a throwaway one makes the pseudonyms
        key = _report_command._key(args) or os.environ.get("WPNET_KEY") or secrets.token_hex(32)
        args.errors = "drop"
        report = validate(_report_command._load(args, key=key), max_lines=args.max_lines)
    print(report)
    return 0 if report.ok else 1


# ---- example ---------------------------------------------------------------------------
def _example_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write (created)")


def _copy_readme(readme: Any, out: Path) -> Path | None:
    """Copy the data dictionary: ``readme`` is a path to it or its text."""
    if readme is None:
        return None
    target = out / "README.md"
    source = Path(readme) if isinstance(readme, Path) else None
    if source is None and isinstance(readme, str) and "\n" not in readme and Path(readme).is_file():
        source = Path(readme)
    if source is not None:
        shutil.copyfile(source, target)
    else:
        target.write_text(str(readme), encoding="utf-8")
    return target


def _example_run(args: argparse.Namespace) -> int:
    from wpnet import datasets
    from wpnet.io import write_ecosystem

    out = Path(args.out)
    with progress(2, "example") as bar:
        eco = datasets.load_example()
        bar.update(1)
        write_ecosystem(eco, out, format="csv")
        bar.update(1)
    readme_of = getattr(datasets, "example_readme", None)
    readme = _copy_readme(readme_of(), out) if readme_of is not None else None
    # the planted truth travels with the data, so that what wpnet finds can be checked
    (out / "truth.json").write_text(
        json.dumps(datasets.example_truth(), indent=2) + "\n", encoding="utf-8"
    )
    print(
        f"wrote {eco!r} to {out}" + (f" with {readme.name}" if readme else "") + " and truth.json"
    )
    return 0


# ---- synth -----------------------------------------------------------------------------
def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text}")
    return value


def _synth_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--establishments", type=_positive, default=1000)
    p.add_argument("--practitioners", type=_positive, default=12000)
    p.add_argument("--networks", type=_positive, default=100)
    p.add_argument("--records", type=_positive, default=100000, help="participation rows")
    p.add_argument("--sessions", type=_positive, default=4, help="academic sessions covered")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--format", choices=("csv", "parquet"), default="parquet")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write (created)")


def _synth_run(args: argparse.Namespace) -> int:
    from wpnet import datasets
    from wpnet.io import write_ecosystem

    out = Path(args.out)
    with progress(2, "synth") as bar:
        eco = datasets.synthetic(
            establishments=args.establishments,
            practitioners=args.practitioners,
            networks=args.networks,
            records=args.records,
            sessions=args.sessions,
            seed=args.seed,
        )
        bar.update(1)
        write_ecosystem(eco, out, format=args.format)
        bar.update(1)
    print(f"wrote {eco!r} to {out} ({args.format})")
    return 0


#: The subcommands, in the order ``wpnet --help`` lists them.
COMMANDS: dict[str, Command] = {
    "validate": Command("check a dataset; exit 1 on errors", _validate_args, _validate_run),
    "example": Command("write the shipped example dataset", _example_args, _example_run),
    "synth": Command("write a synthetic dataset of any size", _synth_args, _synth_run),
    "report": Command(
        "write the annual network report (HTML, CSV/XLSX tables, map, optional PDF)",
        _report_command.add_arguments,
        _report_command.run,
    ),
    "map": Command(
        "write the interactive ecosystem map (one offline HTML file)",
        _report_command.add_map_arguments,
        _report_command.run_map,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subparser per entry of :data:`COMMANDS`."""
    from wpnet import __version__

    parser = argparse.ArgumentParser(
        prog="wpnet",
        description="Map a collaborative education ecosystem from participation records.",
    )
    parser.add_argument("--version", action="version", version=f"wpnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        p = sub.add_parser(name, help=command.help, description=command.help)
        command.add_arguments(p)
        p.set_defaults(_run=command.run)
    return parser


class _Terminated(BaseException):
    """``SIGTERM`` received by the command's process: raised there so that the command
    unwinds as on Ctrl-C. A ``BaseException``, so that no ``except Exception`` on the
    way takes it for an error of the work."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated


def _sigterm_default_in_child() -> None:
    """A process forked while :func:`_sigterm_unwinds` holds (a worker, a background
    process) ends on ``SIGTERM`` at once, as by default: its parent stops it that way."""
    if signal.getsignal(signal.SIGTERM) is _on_sigterm:
        with suppress(ValueError):
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_sigterm_default_in_child)


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """Inside the block, ``SIGTERM`` raises :class:`_Terminated` in this process, so that
    what the command started is stopped and a folder it was writing is removed, as on
    Ctrl-C. Only where ``SIGTERM`` still has its default action, in the main thread (a
    program that handles it keeps its own handler); restored on leaving."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _arrow_allocator() -> None:
    """Let Arrow allocate with jemalloc in this command's process (and the processes it
    forks), unless ``ARROW_DEFAULT_MEMORY_POOL`` names a pool or this pyarrow has no
    jemalloc (its Windows builds): then Arrow's default stays.

    pandas keeps text columns in Arrow arrays, so reading the data and every selection
    of a text column allocate through Arrow's memory pool. Its default, mimalloc, hands
    freed memory back to the system within milliseconds and takes fresh pages for the
    next buffers; the system must zero each fresh page. On the development machine (a
    virtual machine, where a fresh page can also cost the host's work) that zeroing was
    2.5-9.4% of a one-process West report's CPU time with mimalloc, 0.3-1.3% with
    jemalloc and 0.2-0.3% with the C library's ``malloc`` (``perf``, three to six runs
    each; the same files). At england size the peak memory was 6.8 GB with mimalloc,
    6.5 GB with jemalloc and 7.7 GB with ``malloc``, which keeps what it freed. The
    command owns its process, so it chooses; a library call leaves the user's choice
    alone (``pyarrow.set_memory_pool`` does the same in a notebook).
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # built without jemalloc: Arrow's default stays
        return
    pa.set_memory_pool(pool)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``wpnet`` command; returns the exit code (0 done, 1 bad data, 2 bad usage).

    Examples
    --------
    >>> main(["--version"])
    wpnet 0.1.0
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help/--version
        return int(exc.code or 0)
    _arrow_allocator()
    try:
        with _sigterm_unwinds():
            return int(args._run(args))
    except KeyboardInterrupt:
        print(f"wpnet {args.command}: interrupted", file=sys.stderr)
        return 130
    except _Terminated:
        print(f"wpnet {args.command}: stopped (SIGTERM)", file=sys.stderr)
        return 128 + int(signal.SIGTERM)
    except KeyMissing:
        print(
            f"wpnet {args.command}: no pseudonymisation key: give --key-file FILE (or "
            "--key KEY, or set WPNET_KEY). Keep the same key every year: a different key "
            "gives different pseudonyms and the years cannot be compared.",
            file=sys.stderr,
        )
        return 1
    except DataError as err:
        print(f"wpnet {args.command}: {printable(err)}", file=sys.stderr)
        return 1
    except (WpnetError, OSError, ValueError) as err:
        print(f"wpnet {args.command}: error: {printable(err)}", file=sys.stderr)
        return 2


def script() -> NoReturn:
    """The ``wpnet`` program (and ``python -m wpnet.cli``): :func:`main` on the command
    line's arguments, then the process exits with its code.

    Before the process exits, every object is put out of the cyclic garbage collector's
    sight (``gc.freeze``): the interpreter's last collection would otherwise walk all
    that the command made (the modules, the data, the results) only for the process to
    end, 0.25 s of the shipped example's 4 s report on the build machine. Nothing is
    lost by it: the files are written and closed, the processes the command started
    have ended, and ``atexit`` functions still run (before that collection). A call of
    :func:`main` from Python (a notebook, a test) leaves the collector alone.

    In a container whose CPU quota is below the CPUs it sees, the program first caps
    its BLAS threads at the quota (:func:`wpnet._parallel.blas_within_quota`).
    """
    blas_within_quota()
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    script()
