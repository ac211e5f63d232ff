"""The segmenter interface: an image and the objects a reasoner pointed at become one boolean mask."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from wisebench.adapters.prediction import ObjectPrompt


class Segmenter(ABC):
    name: str = ""

    @abstractmethod
    def segment(self, image: np.ndarray, objects: list[ObjectPrompt]) -> np.ndarray:
        """RGB uint8 H x W x 3 + prompts in pixel coordinates -> boolean H x W; objects are OR-ed."""

    def segment_batch(self, images: list[np.ndarray], objects: list[list[ObjectPrompt]]) -> list[np.ndarray]:
        """Batched form; segmenters that batch on a device override it."""
        return [self.segment(image, prompts) for image, prompts in zip(images, objects)]

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """Name, checkpoint and settings, for run.json."""


def build_segmenter(name: str, checkpoint: str | None = None, device: str | None = None) -> Segmenter:
    from wisebench.registry import SEGMENTERS

    factory = SEGMENTERS.load(name)
    return factory(checkpoint=checkpoint, device=device)
