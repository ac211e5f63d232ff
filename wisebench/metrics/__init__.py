"""Scoring metrics: per-sample IoU under each protocol, cluster-bootstrap intervals, cost metrics, run summaries."""

from wisebench.metrics.bootstrap import cluster_bootstrap, percentile_interval, resampled_cluster_sums
from wisebench.metrics.efficiency import aes, distribution, latency_distribution, oaa_area, oaa_at_budgets
from wisebench.metrics.iou import (
    DEFAULT_PROTOCOL,
    PROTOCOLS,
    UnknownProtocolError,
    check_protocol,
    ciou,
    ciou_from_sums,
    giou,
    intersection_union,
    sample_iou,
    sample_ious,
)
from wisebench.metrics.summary import CORRECT_THRESHOLD, DEFAULT_BUDGETS, compare_paired, summarize

__all__ = [
    "CORRECT_THRESHOLD",
    "DEFAULT_BUDGETS",
    "DEFAULT_PROTOCOL",
    "PROTOCOLS",
    "UnknownProtocolError",
    "aes",
    "check_protocol",
    "ciou",
    "ciou_from_sums",
    "cluster_bootstrap",
    "compare_paired",
    "distribution",
    "giou",
    "intersection_union",
    "latency_distribution",
    "oaa_area",
    "oaa_at_budgets",
    "percentile_interval",
    "resampled_cluster_sums",
    "sample_iou",
    "sample_ious",
    "summarize",
]
