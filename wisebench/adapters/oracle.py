"""The oracle reference adapter: box and points taken from the ground truth, mask drawn by a segmenter.

With GrabCut it is the offline, weight-free harness check; with SAM2 it is the segmenter upper bound for
box + points prompts on real data (what a perfect reasoner would score with that segmenter)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from wisebench.adapters.base import Adapter, ModelOptions
from wisebench.adapters.prediction import Prediction, TokenCounts
from wisebench.data.gt_prompts import prompts_from_mask
from wisebench.data.sample import Sample
from wisebench.errors import BadSampleError
from wisebench.segmenters.base import build_segmenter


class OracleAdapter(Adapter):
    name = "oracle"
    warmup_batches = 0  # GrabCut has no device state to warm up

    @classmethod
    def known_settings(cls) -> tuple[str, ...]:
        return ("per_component",)

    @classmethod
    def default_segmenter(cls) -> str:
        return "grabcut"

    def __init__(self, options: ModelOptions):
        super().__init__(options)
        self.per_component = bool(options.settings.get("per_component", True))
        self.segmenter = build_segmenter(options.segmenter or self.default_segmenter(), options.segmenter_checkpoint, options.device)

    def describe(self) -> dict[str, Any]:
        return {
            "adapter": self.name,
            "prompts": "ground-truth box + two largest inscribed circle centres"
            + (" per connected component" if self.per_component else ""),
            "segmenter": self.segmenter.describe(),
            "random_weights": False,
        }

    def predict(self, samples: list[Sample]) -> list[Prediction]:
        predictions = []
        for sample in samples:
            image = sample.load_image()
            gt = sample.load_gt_mask()
            if gt.shape != image.shape[:2]:
                raise BadSampleError(sample.gt.origin(), f"mask is {gt.shape} but the image is {image.shape[:2]}")
            objects = prompts_from_mask(gt == 1, per_component=self.per_component)
            if not objects:  # nothing to point at: the right answer is an empty mask
                predictions.append(Prediction(mask=np.zeros(gt.shape, dtype=bool), tokens=TokenCounts(0, 0, 0)))
                continue
            start = time.perf_counter()
            mask = self.segmenter.segment(image, objects)
            elapsed = time.perf_counter() - start
            predictions.append(
                Prediction(
                    mask=mask,
                    objects=objects,
                    tokens=TokenCounts(prompt=0, reasoning=0, generated=0),
                    seconds={"segmenter": elapsed, "total": elapsed},
                )
            )
        return predictions
