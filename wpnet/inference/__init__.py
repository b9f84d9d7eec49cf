"""Inference: which numbers are signal (INFERENCE.md).

Null models for co-membership (:func:`curveball`, :func:`bicm_sample`,
:func:`permute_labels`), :func:`null_test` of a graph statistic against them,
:func:`qap` (MRQAP with double semi-partialling) and :func:`tie_stability` between two
sessions.
"""

from __future__ import annotations

from wpnet.inference.cug import null_test
from wpnet.inference.mrqap import qap
from wpnet.inference.nulls import bicm_sample, curveball, permute_labels
from wpnet.inference.stability import tie_stability
from wpnet.inference.statistics import STATISTICS

__all__ = [
    "STATISTICS",
    "bicm_sample",
    "curveball",
    "null_test",
    "permute_labels",
    "qap",
    "tie_stability",
]
