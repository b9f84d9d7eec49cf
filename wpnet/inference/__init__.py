"""Inference: which numbers are signal (INFERENCE.md).

Null models for co-membership (:func:`curveball`, :func:`bicm_sample`,
:func:`permute_labels`), :func:`null_test` of a graph statistic against them,
:func:`qap` (MRQAP with double semi-partialling) and :func:`tie_stability` between two
sessions.
The network bootstrap (:func:`bootstrap`, :func:`bootstrap_change`) and volume
matching (:func:`match_volume`) give indicators their intervals and volume-matched values.
"""

from __future__ import annotations

from wpnet.inference.bootstrap import bootstrap, bootstrap_change
from wpnet.inference.cug import null_test
from wpnet.inference.mrqap import qap
from wpnet.inference.nulls import bicm_sample, curveball, permute_labels
from wpnet.inference.stability import tie_stability
from wpnet.inference.statistics import STATISTICS
from wpnet.inference.volume import match_volume

__all__ = [
    "STATISTICS",
    "bicm_sample",
    "bootstrap",
    "bootstrap_change",
    "curveball",
    "match_volume",
    "null_test",
    "permute_labels",
    "qap",
    "tie_stability",
]
