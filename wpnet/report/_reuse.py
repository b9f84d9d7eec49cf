"""Compute each selection and each projection once while a report is built.

A report calls many measures and figures on the same session: each of them selects the
session again (:meth:`Ecosystem.select`) and builds the same projection and backbone
again (:func:`wpnet.graphs.projection`, whose SDSM fit dominates the run time). The
measure functions take an Ecosystem, not a graph, so the report cannot hand them a
graph it already has. :func:`reuse` makes both calls remember their results for the
duration of a ``with`` block instead: the second identical call returns the first
result. Ecosystems are never modified after construction and projections are read,
not written, by every caller, so sharing them is safe.

Keys are the identity of the Ecosystem called on (kept alive by the cache, so an id is
never reused while the block runs) and the call's arguments. Outside the block both
functions are the originals again.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from wpnet import graphs
from wpnet.ecosystem import Ecosystem

__all__ = ["reuse"]

_LOCK = threading.RLock()


def _frozen(value: Any) -> Any:
    """A hashable stand-in for an argument value (lists and sets become tuples)."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return ("<set>", tuple(sorted(map(repr, value))))
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


def _memo(func: Callable[..., Any], store: dict[Any, Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(eco: Ecosystem, *args: Any, **kwargs: Any) -> Any:
        key = (
            id(eco),
            _frozen(args),
            tuple(sorted((k, _frozen(v)) for k, v in kwargs.items())),
        )
        try:
            hit = store.get(key)
        except TypeError:  # an unhashable argument: do not remember this call
            return func(eco, *args, **kwargs)
        if hit is not None:
            return hit[1]
        result = func(eco, *args, **kwargs)
        store[key] = (eco, result)  # keep eco alive so its id is not reused
        return result

    wrapper.__wrapped_original__ = func  # type: ignore[attr-defined]
    return wrapper


@contextlib.contextmanager
def reuse() -> Iterator[dict[str, int]]:
    """Within the block, identical selections and projections are computed once.

    Yields a dict counting the results remembered (``selections``, ``projections``),
    filled in when the block ends.

    Examples
    --------
    >>> import wpnet
    >>> from wpnet import graphs
    >>> eco = wpnet.tiny()
    >>> with reuse() as stats:
    ...     a = eco.select(session="2022-23")
    ...     b = eco.select(session="2022-23")
    ...     same = graphs.projection(a) is graphs.projection(b)
    >>> a is b, same, stats
    (True, True, {'selections': 1, 'projections': 1})
    >>> eco.select(session="2022-23") is eco.select(session="2022-23")
    False
    """
    with _LOCK:
        original_projection = graphs.projection
        original_select = Ecosystem.select
        proj_store: dict[Any, Any] = {}
        select_store: dict[Any, Any] = {}
        patched_projection = _memo(original_projection, proj_store)
        modules = [
            m
            for name, m in list(sys.modules.items())
            if (name == "wpnet" or name.startswith("wpnet."))
            and m is not None
            and getattr(m, "projection", None) is original_projection
        ]
        stats: dict[str, int] = {}
        try:
            for m in modules:
                m.projection = patched_projection
            Ecosystem.select = _memo(original_select, select_store)  # type: ignore[method-assign]
            yield stats
        finally:
            for m in modules:
                m.projection = original_projection
            Ecosystem.select = original_select  # type: ignore[method-assign]
            stats.update(selections=len(select_store), projections=len(proj_store))
