"""Maps: static figures (matplotlib) and the interactive map (self-contained HTML).

Maps draw what the measures compute; they never run graph algorithms themselves.
Each static function takes an :class:`~wpnet.ecosystem.Ecosystem` and ``ax=None`` and
returns the matplotlib ``Axes`` it drew on; with ``ax=None`` it draws on a new
:class:`matplotlib.figure.Figure` (no pyplot state is touched). Colours per authority
come from :func:`wpnet.maps._style.authority_colors`, the same in every figure.

The names below are imported from :mod:`wpnet.maps.static` and
:mod:`wpnet.maps.interactive` on first use (``from wpnet.maps import *`` included), so
importing the package does not load matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "interactive_map",
    "plot_authority_flows",
    "plot_brokers",
    "plot_ecosystem",
    "plot_reach",
    "plot_trend",
]

_WHERE = {
    "interactive_map": "wpnet.maps.interactive",
    "plot_authority_flows": "wpnet.maps.static",
    "plot_brokers": "wpnet.maps.static",
    "plot_ecosystem": "wpnet.maps.static",
    "plot_reach": "wpnet.maps.static",
    "plot_trend": "wpnet.maps.static",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'wpnet.maps' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
