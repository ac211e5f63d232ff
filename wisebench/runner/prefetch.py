"""Loading ahead of the model: a segmentation Sample's image and ground truth decoded in a background thread, so
the accelerator never waits for JPEG decoding. The preloaded Sample is the same Sample with in-memory sources (same
origin, for error messages); a sample whose files are bad is left as it is, so its error surfaces where it is used
(the adapter or the scorer), with the usual --skip-bad handling."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from wisebench.data.sample import Sample
from wisebench.errors import BadSampleError


@dataclass(frozen=True)
class LoadedArray:
    """An image or mask already decoded, handed out read-only (as Pillow's decoded arrays are) rather than copied:
    a copy of a 1024 x 1024 image costs the model stage milliseconds per sample on a busy CPU."""

    array: np.ndarray
    source: str

    def __post_init__(self) -> None:
        self.array.setflags(write=False)

    def load(self) -> np.ndarray:
        return self.array

    def origin(self) -> str:
        return self.source


def preload(sample: Any) -> Any:
    if not isinstance(sample, Sample) or isinstance(sample.image, LoadedArray):
        return sample
    try:
        image = LoadedArray(sample.image.load(), sample.image.origin())
        gt = LoadedArray(sample.load_gt_mask(), sample.gt.origin())
    except BadSampleError:
        return sample
    return replace(sample, image=image, gt=gt)


def preload_batch(samples: list[Any], parallel: bool = True) -> list[Any]:
    """The batch's samples decoded, in parallel threads unless told not to (image decoders release the GIL)."""
    if not parallel or len(samples) < 2:
        return [preload(sample) for sample in samples]
    return list(_decoders().map(preload, samples))


_pool: ThreadPoolExecutor | None = None


def _decoders() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2)), thread_name_prefix="wisebench-decode")
    return _pool
