"""The report folder's own checks, light enough to run before the data are read.

:func:`check_report_folder` is called by the command line before it starts reading
(it imports nothing beyond the standard library and :mod:`wpnet.errors`, so the
graph, measure and drawing libraries are still imported while the data are read) and
by :func:`wpnet.report.build.build_report`.
"""

from __future__ import annotations

import os
from pathlib import Path

from wpnet.errors import UsageError

__all__ = ["check_report_folder"]


def check_report_folder(out: str | os.PathLike[str], *, name: str = "out") -> None:
    """Refuse a report folder that cannot be written, before any work: one of its
    parents is a file, it is a file, or it is the current folder or holds it (the report
    is written whole and swapped in for the folder, which would leave a shell standing
    in a deleted folder). ``name`` is the option in the message (``--out``).

    Examples
    --------
    >>> check_report_folder(".", name="--out")
    Traceback (most recent call last):
    ...
    wpnet.errors.UsageError: --out .: the report is written as a new folder that takes the place of the folder named, and . is the current folder (or holds it); give a folder of its own, e.g. --out report
    """
    path = Path(out)
    full = path.absolute()
    for parent in reversed(path.parents):  # as written: "afile is a file"
        if parent.exists() and not parent.is_dir():
            raise UsageError(
                f"{name} {path}: {parent} is a file, not a folder, so no folder can be "
                "made in it; give a path whose parents are folders"
            )
    if path.exists() and not path.is_dir():
        raise UsageError(f"{name} {path}: it is a file; give a folder for the report")
    here = Path.cwd()
    if full.resolve() == here.resolve() or full.resolve() in here.resolve().parents:
        raise UsageError(
            f"{name} {path}: the report is written as a new folder that takes the place of "
            f"the folder named, and {path} is the current folder (or holds it); give a "
            f"folder of its own, e.g. {name} report"
        )
