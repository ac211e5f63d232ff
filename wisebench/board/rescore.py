"""Per-sample scores the board can trust: re-derived from each record's mask, never taken from the record.

Always (even without the suite's data): 0 <= I <= U, U >= the ground-truth area, I <= the predicted area, the
predicted area is the mask's own pixel count, and the mask is a well-formed RLE of bounded size.
With the suite's ground truth at hand: the mask is the image's size (the ground truth is drawn on the image, so its
shape is the image's), and I, U, the areas, the segzero `dropped` flag, the image id and the subsets are recomputed
with the same code that scored the run (wisebench.scoring / metrics.iou), for every protocol, and must match.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wisebench.board.mask_rle import decode_untrusted_mask, mask_pixel_count
from wisebench.board.untrusted import UntrustedInputError
from wisebench.data.sample import Sample
from wisebench.adapters.prediction import Prediction
from wisebench.metrics.iou import PROTOCOLS
from wisebench.scoring.score import score_prediction

SHAPE_MISMATCH = "mask_shape_mismatch"  # scoring.score's failure for a mask of the wrong size: segzero drops it


def _score(record: dict[str, Any], protocol: str) -> dict[str, Any] | None:
    score = (record.get("scores") or {}).get(protocol)
    return score if isinstance(score, dict) else None


def _failure(record: dict[str, Any]) -> str | None:
    failure = (record.get("prediction") or {}).get("failure")
    return None if failure is None else str(failure)


def bound_problems(record: dict[str, Any]) -> list[str]:
    """What must hold of any segmentation record, checkable without the ground truth."""
    if record.get("skipped"):
        return []
    problems = []
    gt_area, pred_area = record.get("gt_area"), record.get("pred_area")
    rle = record.get("mask_rle")
    try:
        if rle is not None:
            mask_pixels = mask_pixel_count(rle)  # from the run lengths: a forged size costs no memory or time
            if pred_area != mask_pixels:
                problems.append(f"pred_area {pred_area} but the mask has {mask_pixels} pixels")
        elif pred_area not in (0, None):
            problems.append(f"pred_area {pred_area} but there is no mask")
    except UntrustedInputError as error:
        problems.append(str(error))
    for protocol in PROTOCOLS:
        score = _score(record, protocol)
        if score is None or score.get("intersection") is None or score.get("union") is None:
            continue
        intersection, union = score["intersection"], score["union"]
        if not 0 <= intersection <= union:
            problems.append(f"scores.{protocol}: intersection {intersection} is not within 0..union {union}")
        if isinstance(gt_area, int) and union < gt_area:
            problems.append(f"scores.{protocol}: union {union} is below the ground-truth area {gt_area}")
        if isinstance(pred_area, int) and intersection > pred_area:
            problems.append(f"scores.{protocol}: intersection {intersection} is above the predicted area {pred_area}")
    return problems


def rescored(record: dict[str, Any], sample: Sample, gt: np.ndarray) -> dict[str, Any]:
    """The scoring fields of `record` recomputed from its mask against `gt` by the code that scored the run
    (scoring.score_prediction). Raises UntrustedInputError for a malformed mask or one not the image's size."""
    rle = record.get("mask_rle")
    mask = None if rle is None else decode_untrusted_mask(rle, tuple(gt.shape))
    return score_prediction(sample, Prediction(mask=mask, failure=_failure(record)), gt).to_json()


def rescore_problems(record: dict[str, Any], sample: Sample, gt: np.ndarray) -> list[str]:
    """Where a record's scores, areas, image id or subsets differ from what its mask and the suite give."""
    problems = []
    if str(record.get("image_id")) != sample.image_id:
        problems.append(f"image_id {record.get('image_id')!r} is not the suite's {sample.image_id!r}")
    if sorted(record.get("subsets") or []) != sorted(sample.subsets):
        problems.append(f"subsets {record.get('subsets')!r} are not the suite's {list(sample.subsets)!r}")
    if record.get("skipped"):
        return problems
    try:
        truth = rescored(record, sample, gt)
    except UntrustedInputError as error:
        return problems + [str(error)]
    for key in ("gt_area", "pred_area"):
        if record.get(key) != truth[key]:
            problems.append(f"{key} {record.get(key)} but the mask and ground truth give {truth[key]}")
    for protocol, expected in truth["scores"].items():
        stored = _score(record, protocol)
        if stored is None:
            continue  # records written before a protocol existed; the summary check names a missing headline one
        for key, value in expected.items():
            optional = key == "dropped" and key not in stored  # older records: the summary judges it from I and U
            if not optional and stored.get(key) != value:
                problems.append(f"scores.{protocol}.{key} is {stored.get(key)!r} but the mask and ground truth give {value!r}")
    return problems


def zero_record(record: dict[str, Any], sample: Sample, gt: np.ndarray) -> dict[str, Any]:
    """A skipped sample as ranked rows count it: a failed prediction with no mask (I = 0, U = the ground-truth
    area under each protocol, never dropped; IoU 0 unless the ground truth is empty, where lisa scores 1)."""
    problem = (record.get("skipped") or {}).get("problem", "")
    return score_prediction(sample, Prediction(mask=None, failure=f"skipped: {problem}"), gt).to_json()
