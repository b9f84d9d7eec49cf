"""Measures over an Ecosystem: reach, brokerage, collective capacity and change.

Each measure is defined once in MEASURES.md and lives in its own module:
:mod:`wpnet.measures.reach`, :mod:`wpnet.measures.brokerage`,
:mod:`wpnet.measures.capacity` and :mod:`wpnet.measures.change`. The public names
(``wpnet.reach``, ``wpnet.brokerage``, ``wpnet.brokerage_roles``, ``wpnet.ei_test``,
``wpnet.capacity``, ``wpnet.change``, ``wpnet.trend``) are imported lazily by
:mod:`wpnet` from those modules; this package imports nothing itself, so loading one
measure does not load the others.
"""

from __future__ import annotations

__all__: list[str] = []
