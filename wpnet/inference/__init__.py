"""Inference: which numbers are signal (INFERENCE.md).

This minimal package file exports the network bootstrap (§5) and volume matching (§6);
the null models, ``null_test``, ``qap`` and ``tie_stability`` (§1–§4) live in sibling
modules.
"""

from __future__ import annotations

from wpnet.inference.bootstrap import bootstrap, bootstrap_change
from wpnet.inference.volume import match_volume

__all__ = ["bootstrap", "bootstrap_change", "match_volume"]
