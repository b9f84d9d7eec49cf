"""wpnet: map a collaborative education ecosystem.

Participation records of a partnership's networks become graphs of establishments,
practitioners and networks; reach, brokerage and collective capacity measures;
ecosystem maps; and the annual network report.

The public API is listed in ``__all__``; names are imported from their modules on
first use, so ``import wpnet`` stays quick and plotting libraries load only when a map
is drawn.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> module that defines it (one direction of data flow: read, graph, measure, draw)
_API: dict[str, str] = {
    "WpnetError": "wpnet.errors",
    "DataError": "wpnet.errors",
    "UsageError": "wpnet.errors",
    "KeyMissing": "wpnet.errors",
    "WrongType": "wpnet.errors",
    "Ecosystem": "wpnet.ecosystem",
    "session_of": "wpnet.sessions",
    "tiny": "wpnet.datasets",
    "load_example": "wpnet.datasets",
    "synthetic": "wpnet.datasets",
    "read_ecosystem": "wpnet.io",
    "write_ecosystem": "wpnet.io",
    "from_records": "wpnet.records",
    "validate": "wpnet.inspection",
    "ValidationReport": "wpnet.inspection",
    "pseudonymise": "wpnet.privacy",
    "affiliation_graph": "wpnet.graphs",
    "project": "wpnet.graphs",
    "GraphSpec": "wpnet.graphs",
    "authority_matrix": "wpnet.graphs",
    "to_igraph": "wpnet.graphs",
    "from_igraph": "wpnet.graphs",
    "backbone": "wpnet.graphs",
    "reach": "wpnet.measures.reach",
    "brokerage": "wpnet.measures.brokerage",
    "brokerage_roles": "wpnet.measures.brokerage",
    "ei_test": "wpnet.measures.brokerage",
    "capacity": "wpnet.measures.capacity",
    "change": "wpnet.measures.change",
    "trend": "wpnet.measures.change",
    "reflections": "wpnet.evaluation",
    "plot_ecosystem": "wpnet.maps.static",
    "plot_authority_flows": "wpnet.maps.static",
    "plot_brokers": "wpnet.maps.static",
    "plot_reach": "wpnet.maps.static",
    "plot_trend": "wpnet.maps.static",
    "interactive_map": "wpnet.maps.interactive",
    "build_report": "wpnet.report",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'wpnet' has no attribute {name!r}")
    # no public name is also the name of a submodule, so importing a submodule never
    # rebinds one (wpnet.backbone is the function; the module is wpnet.backbones)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
