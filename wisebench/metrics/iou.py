"""Intersection, union and IoU under the two scoring protocols in use (shared/reference/metrics.md).

"lisa" reproduces LISA's validate(): intersectionAndUnionGPU with K=2, read at class 1. Ignore pixels (gt == 255)
are removed from the prediction, the ground truth and the intersection. Its histogram over [0, 1] also drops any
other ground-truth value, so RefCOCO pixels valued 2 (overlapping polygons summed) are not ground truth, and a
prediction there is a false positive.

"segzero" reproduces the Seg-Zero / WISE scripts (evaluation.py + calculate_iou.py): no ignore handling, every
non-zero ground-truth pixel is foreground (their HF conversion turned ignore pixels into foreground). A sample the
model answered whose union is 0 (empty ground truth, empty mask) is dropped: compute_iou returns a bare 0, the
unpacking raises and the loop continues, so it is in neither gIoU's mean nor its count (nor the token mean). A
sample whose output failed to parse stays in, at I = 0, U = |gt| (IoU 0 even when U is 0).

"visionreasoner" reproduces VisionReasoner's repository (evaluation_segmentation.py + calculate_iou.py): the same
pixel rule, and every sample counts: an empty union is recorded as (0, 0) and scores IoU 0.
"""

from __future__ import annotations

import numpy as np

from wisebench.data.sample import IGNORE_VALUE
from wisebench.errors import UnknownNameError

PROTOCOLS = ("lisa", "segzero", "visionreasoner")
# Which papers report under which protocol (shown by `wisebench list protocols` and in the README).
PROTOCOL_USERS = {
    "lisa": "LISA (validate() in train_ds.py); wisebench's default for models without a paper protocol",
    "segzero": "Seg-Zero, WISE / WISE-S, PixelThink (compared on Seg-Zero's script)",
    "visionreasoner": "VisionReasoner",
}
PROTOCOL_RULES = {
    "lisa": "ignore pixels (255) removed; IoU = I / (U + 1e-5), +1 when U = 0; cIoU = sum I / (sum U + 1e-10)",
    "segzero": "no ignore handling; an answered sample with U = 0 is dropped from gIoU; a failed one counts 0",
    "visionreasoner": "no ignore handling; every sample counts, U = 0 scores 0",
}
DROPPING_PROTOCOLS = ("segzero",)  # protocols that leave an answered sample with union 0 out
DEFAULT_PROTOCOL = "lisa"

LISA_SAMPLE_EPSILON = 1e-5  # LISA: intersection / (union + 1e-5)
LISA_CUMULATIVE_EPSILON = 1e-10  # LISA: sum(I) / (sum(U) + 1e-10)
TARGET_VALUE = 1


class UnknownProtocolError(UnknownNameError, ValueError):
    """A protocol name that is not one of PROTOCOLS (a ValueError too, for callers that expect one)."""


def check_protocol(protocol: str) -> str:
    if protocol not in PROTOCOLS:
        raise UnknownProtocolError(f"unknown protocol {protocol!r}: expected one of {', '.join(PROTOCOLS)}")
    return protocol


def intersection_union(pred_mask: np.ndarray | None, gt_mask: np.ndarray, protocol: str) -> tuple[int, int]:
    """Pixel counts (intersection, union) of one prediction against its ground truth.

    pred_mask: boolean (or 0/1) H x W, None for an empty prediction (no mask, failed output).
    gt_mask: uint8 H x W, 0 background, 1 target, 255 ignore, possibly 2 where RefCOCO polygons overlap.
    """
    check_protocol(protocol)
    gt = np.asarray(gt_mask)
    pred = np.zeros(gt.shape, dtype=bool) if pred_mask is None else np.asarray(pred_mask).astype(bool)
    if pred.shape != gt.shape:
        raise ValueError(f"prediction shape {pred.shape} does not match ground-truth shape {gt.shape}")

    if protocol == "lisa":
        target = gt == TARGET_VALUE
        intersection = int(np.count_nonzero(pred & target))
        pred_area = int(np.count_nonzero(pred & (gt != IGNORE_VALUE)))
        gt_area = int(np.count_nonzero(target))
    else:  # segzero and visionreasoner: np.logical_and / logical_or against the raw ground truth
        foreground = gt != 0
        intersection = int(np.count_nonzero(pred & foreground))
        pred_area = int(np.count_nonzero(pred))
        gt_area = int(np.count_nonzero(foreground))
    return intersection, pred_area + gt_area - intersection


def dropped(score: dict, failed: bool, protocol: str) -> bool:
    """Whether `protocol` leaves this sample out of gIoU's mean and count (segzero: answered and union 0). Records
    store the flag; older records without it are judged from their failure and union."""
    if protocol not in DROPPING_PROTOCOLS:
        return False
    if "dropped" in score:
        return bool(score["dropped"])
    return not failed and score.get("union") == 0


def sample_ious(intersections: np.ndarray, unions: np.ndarray, protocol: str) -> np.ndarray:
    """Per-sample IoU, vectorized.

    lisa: I / (U + 1e-5), plus 1.0 where U == 0 (empty ground truth and empty prediction score 1.0).
    segzero, visionreasoner: I / U, and 0.0 where U == 0 (segzero's dropped samples are removed before this).
    """
    check_protocol(protocol)
    intersection = np.asarray(intersections, dtype=np.float64)
    union = np.asarray(unions, dtype=np.float64)
    if protocol == "lisa":
        return intersection / (union + LISA_SAMPLE_EPSILON) + (union == 0)
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


def sample_iou(intersection: float, union: float, protocol: str) -> float:
    """IoU of one sample; see sample_ious."""
    return float(sample_ious(np.array([intersection]), np.array([union]), protocol)[0])


def giou(ious: np.ndarray) -> float | None:
    """gIoU: the mean of per-sample IoUs; None for no samples."""
    values = np.asarray(ious, dtype=np.float64)
    return float(values.mean()) if values.size else None


def ciou(intersections: np.ndarray, unions: np.ndarray, protocol: str) -> float | None:
    """cIoU: summed intersection over summed union; None for no samples.

    lisa: sum I / (sum U + 1e-10); segzero, visionreasoner: sum I / sum U, 0 when sum U == 0.
    """
    check_protocol(protocol)
    intersection = np.asarray(intersections, dtype=np.float64)
    if intersection.size == 0:
        return None
    return ciou_from_sums(float(intersection.sum()), float(np.asarray(unions, dtype=np.float64).sum()), protocol)


def ciou_from_sums(
    intersection_sum: np.ndarray | float, union_sum: np.ndarray | float, protocol: str
) -> np.ndarray | float:
    """cIoU from already summed I and U (scalars, or arrays of sums as the bootstrap produces)."""
    check_protocol(protocol)
    intersection = np.asarray(intersection_sum, dtype=np.float64)
    union = np.asarray(union_sum, dtype=np.float64)
    if protocol == "lisa":
        result = intersection / (union + LISA_CUMULATIVE_EPSILON)
    else:
        result = np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)
    return float(result) if result.ndim == 0 else result
