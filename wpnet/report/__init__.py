"""The annual network report: :func:`build_report` writes an offline HTML page with its
tables (CSV and XLSX), an interactive map and, on request, a PDF."""

from wpnet.report.build import build_report

__all__ = ["build_report"]
