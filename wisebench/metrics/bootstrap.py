"""Cluster bootstrap confidence intervals for gIoU and cIoU.

Several queries often share one image, and their scores are correlated, so the resampling unit is the image
(cluster), not the sample. Each resample draws n_clusters clusters with replacement; a statistic over a resample
only needs per-cluster sums, so a resample is a count vector over clusters and all resamples together are one
matrix product (counts: n_resamples x n_clusters) @ (per-cluster sums: n_clusters x k).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from wisebench.metrics.iou import check_protocol, ciou_from_sums

DEFAULT_RESAMPLES = 1000
DEFAULT_CONFIDENCE = 0.95


def resampled_cluster_sums(
    columns: np.ndarray, cluster_ids: Sequence, n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> np.ndarray:
    """Sums of each column over n_resamples cluster resamples: (n_resamples, k) for columns of shape (n_samples, k).

    Clusters are the sorted unique cluster ids (compared as strings), so the result does not depend on record
    order. The draws are numpy.random.default_rng(seed).integers(0, n_clusters, size=(n_resamples, n_clusters)):
    row r lists the clusters making up resample r.
    """
    values = np.asarray(columns, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    ids = np.asarray([str(cluster_id) for cluster_id in cluster_ids])
    if len(ids) != len(values):
        raise ValueError(f"{len(ids)} cluster ids for {len(values)} samples")
    _, cluster_index = np.unique(ids, return_inverse=True)
    n_clusters = int(cluster_index.max()) + 1
    per_cluster = np.zeros((n_clusters, values.shape[1]))
    np.add.at(per_cluster, cluster_index, values)

    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, n_clusters, size=(n_resamples, n_clusters))
    # How many times each cluster was drawn in each resample, via one bincount over row-offset indices.
    offsets = drawn + (np.arange(n_resamples) * n_clusters)[:, None]
    counts = np.bincount(offsets.ravel(), minlength=n_resamples * n_clusters).reshape(n_resamples, n_clusters)
    return counts.astype(np.float64) @ per_cluster


def percentile_interval(values: np.ndarray, confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """The central `confidence` percentile interval of bootstrap replicates."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return float(low), float(high)


def cluster_bootstrap(
    intersections: np.ndarray,
    unions: np.ndarray,
    ious: np.ndarray,
    cluster_ids: Sequence,
    protocol: str,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, tuple[float, float]] | None:
    """Percentile intervals {"giou": (lo, hi), "ciou": (lo, hi)} from resampling clusters (images) with replacement.

    Deterministic for a fixed seed; None for no samples.
    """
    check_protocol(protocol)
    iou_values = np.asarray(ious, dtype=np.float64)
    if iou_values.size == 0:
        return None
    columns = np.column_stack(
        [
            np.asarray(intersections, dtype=np.float64),
            np.asarray(unions, dtype=np.float64),
            iou_values,
            np.ones_like(iou_values),
        ]
    )
    sums = resampled_cluster_sums(columns, cluster_ids, n_resamples, seed)
    intersection_sums, union_sums, iou_sums, sample_counts = sums.T
    # Every resample holds n_clusters >= 1 non-empty clusters, so sample_counts > 0.
    giou_replicates = iou_sums / sample_counts
    ciou_replicates = ciou_from_sums(intersection_sums, union_sums, protocol)
    return {
        "giou": percentile_interval(giou_replicates, confidence),
        "ciou": percentile_interval(np.asarray(ciou_replicates), confidence),
    }
