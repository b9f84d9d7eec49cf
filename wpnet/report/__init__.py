"""The annual network report: :func:`build_report` writes an offline HTML page with its
tables (CSV and XLSX), an interactive map and, on request, a PDF.

:func:`build_report` is imported from :mod:`wpnet.report.build` on first use, so the
command line (:mod:`wpnet.report.command`) starts reading the data before the
graph, measure and drawing libraries the report needs are imported.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_report"]


def __getattr__(name: str) -> Any:
    if name != "build_report":
        raise AttributeError(f"module 'wpnet.report' has no attribute {name!r}")
    from wpnet.report.build import build_report

    globals()[name] = build_report
    return build_report
