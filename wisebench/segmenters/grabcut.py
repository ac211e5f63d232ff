"""A weight-free box-prompted segmenter: OpenCV GrabCut.

It lets the whole pipeline run offline with no model weights (the embedded default uses it with the oracle
adapter). It is much weaker than SAM2; scores with it are a harness check, not a model result.
Each object: pixels outside the box start as background, inside as probable foreground, positive points
(a small disk) as sure foreground, negative points as sure background. GrabCut runs on a crop around the box
with a margin (the background colour model needs some surroundings; the crop keeps it fast on large images).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wisebench.adapters.prediction import ObjectPrompt
from wisebench.segmenters.base import Segmenter


class GrabCutSegmenter(Segmenter):
    name = "grabcut"

    def __init__(self, checkpoint: str | None = None, device: str | None = None, iterations: int = 5, margin: float = 0.25, seed: int = 0):
        # checkpoint/device are accepted for a uniform factory signature; GrabCut has neither.
        self.iterations = iterations
        self.margin = margin
        self.seed = seed

    def describe(self) -> dict[str, Any]:
        import cv2

        return {"name": self.name, "opencv": cv2.__version__, "iterations": self.iterations, "margin": self.margin}

    def segment(self, image: np.ndarray, objects: list[ObjectPrompt]) -> np.ndarray:
        height, width = image.shape[:2]
        result = np.zeros((height, width), dtype=bool)
        for prompt in objects:
            result |= self._segment_one(image, prompt)
        return result

    def _segment_one(self, image: np.ndarray, prompt: ObjectPrompt) -> np.ndarray:
        import cv2

        height, width = image.shape[:2]
        mask = np.zeros((height, width), dtype=bool)
        if prompt.box is None:
            x1, y1, x2, y2 = 0, 0, width, height
        else:
            x1, y1, x2, y2 = (int(round(v)) for v in prompt.box)
            x1, x2 = sorted((max(0, min(width, x1)), max(0, min(width, x2))))
            y1, y2 = sorted((max(0, min(height, y1)), max(0, min(height, y2))))
        if x2 - x1 < 2 or y2 - y1 < 2:
            return mask  # a degenerate box gives nothing rather than a guess
        pad_x, pad_y = int((x2 - x1) * self.margin) + 8, int((y2 - y1) * self.margin) + 8
        cx1, cy1 = max(0, x1 - pad_x), max(0, y1 - pad_y)
        cx2, cy2 = min(width, x2 + pad_x), min(height, y2 + pad_y)
        crop = np.ascontiguousarray(image[cy1:cy2, cx1:cx2, ::-1])  # OpenCV wants BGR
        labels = np.full(crop.shape[:2], cv2.GC_BGD, dtype=np.uint8)
        labels[y1 - cy1 : y2 - cy1, x1 - cx1 : x2 - cx1] = cv2.GC_PR_FGD
        radius = max(2, int(0.03 * min(x2 - x1, y2 - y1)))
        for (px, py), label in zip(prompt.points, prompt.point_labels or (1,) * len(prompt.points)):
            centre = (int(round(px)) - cx1, int(round(py)) - cy1)
            cv2.circle(labels, centre, radius, int(cv2.GC_FGD if label == 1 else cv2.GC_BGD), thickness=-1)
        if not (labels == cv2.GC_BGD).any():
            labels[0, :] = cv2.GC_BGD  # GrabCut needs some background samples
        background_model = np.zeros((1, 65), np.float64)
        foreground_model = np.zeros((1, 65), np.float64)
        cv2.setRNGSeed(self.seed)  # GrabCut's k-means init draws from OpenCV's global RNG: fix it per call
        try:
            cv2.grabCut(crop, labels, None, background_model, foreground_model, self.iterations, cv2.GC_INIT_WITH_MASK)
        except cv2.error:
            # Happens when one of the two colour models has too few samples; fall back to the prompt itself.
            pass
        foreground = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
        mask[cy1:cy2, cx1:cx2] = foreground
        return mask
