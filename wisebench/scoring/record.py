"""SampleRecord: one line of records.jsonl, the source of truth every aggregate is recomputed from.

A record keeps per-sample intersection and union under every protocol (so cIoU stays exact for any subset and
after any merge), the prediction minus its pixels, and the mask as COCO RLE so it can be re-scored later.
A sample that was skipped as bad input (--skip-bad) gets a record with `skipped` set and no scores, so a
resumed run does not retry it and the summary can count it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

RECORD_SCHEMA_VERSION = 1


@dataclass
class SampleRecord:
    sample_id: str
    image_id: str
    subsets: list[str]
    query: str
    prompt_hash: str | None
    scores: dict[str, dict[str, float]]  # protocol -> {"intersection": I, "union": U} (or lm-eval metric values)
    gt_area: int | None = None
    pred_area: int | None = None
    mask_rle: dict | None = None  # {"size": [h, w], "counts": str}
    prediction: dict[str, Any] = field(default_factory=dict)  # Prediction.metadata_json()
    warmup: bool = False  # from a process's first batch: excluded from latency figures
    skipped: dict | None = None  # {"path": ..., "problem": ...} for bad input skipped with --skip-bad
    # Samples with reference reasoning (ReasonSeg-Diff, reasonseg-mini): the references and the reasoning span's
    # scores against them (metrics/reasoning_quality.py). Written only when set: other records stay as they were.
    reasoning_quality: dict | None = None
    schema_version: int = RECORD_SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        data = {
            "schema_version": self.schema_version,
            "sample_id": self.sample_id,
            "image_id": self.image_id,
            "subsets": list(self.subsets),
            "query": self.query,
            "prompt_hash": self.prompt_hash,
            "scores": self.scores,
            "gt_area": self.gt_area,
            "pred_area": self.pred_area,
            "mask_rle": self.mask_rle,
            "prediction": self.prediction,
            "warmup": self.warmup,
            "skipped": self.skipped,
        }
        if self.reasoning_quality is not None:
            data["reasoning_quality"] = self.reasoning_quality
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SampleRecord":
        return cls(
            sample_id=data["sample_id"],
            image_id=data["image_id"],
            subsets=list(data.get("subsets", [])),
            query=data.get("query", ""),
            prompt_hash=data.get("prompt_hash"),
            scores=data.get("scores", {}),
            gt_area=data.get("gt_area"),
            pred_area=data.get("pred_area"),
            mask_rle=data.get("mask_rle"),
            prediction=data.get("prediction", {}),
            warmup=bool(data.get("warmup", False)),
            skipped=data.get("skipped"),
            reasoning_quality=data.get("reasoning_quality"),
            schema_version=int(data.get("schema_version", RECORD_SCHEMA_VERSION)),
        )


def encode_mask(mask: np.ndarray) -> dict:
    """Boolean H x W -> COCO compressed RLE with counts as str (JSON-safe)."""
    from pycocotools import mask as mask_utils

    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(rle["size"][0]), int(rle["size"][1])], "counts": rle["counts"].decode("ascii")}


def decode_mask(rle: dict) -> np.ndarray:
    """COCO compressed RLE (counts as str or bytes) -> boolean H x W."""
    from pycocotools import mask as mask_utils

    counts = rle["counts"]
    compressed = {"size": list(rle["size"]), "counts": counts.encode("ascii") if isinstance(counts, str) else counts}
    return mask_utils.decode(compressed).astype(bool)
