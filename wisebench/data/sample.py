"""A Sample: one query on one image with its ground-truth mask, loaded lazily.

Samples travel between processes (Ray workers, shards), so image and mask sources are small picklable
dataclasses that know how to load themselves and which file they came from (for error messages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from wisebench.data.images import open_image
from wisebench.errors import BadSampleError

IGNORE_VALUE = 255  # ground-truth pixels that are neither target nor background (LISA convention)


def query_problem(text: object) -> str | None:
    """Why `text` cannot be a query (not a string, blank, a lone surrogate that no encoder accepts), or None."""
    if not isinstance(text, str):
        return f"is {type(text).__name__}, not a string"
    if not text.strip():
        return "is empty"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (not valid Unicode)"
    return None


@runtime_checkable
class MaskSource(Protocol):
    """Something that rasterizes a ground-truth mask: uint8 H x W with 0 background, 1 target, 255 ignore."""

    def load(self) -> np.ndarray: ...

    def origin(self) -> str:
        """The file (and entry) the mask comes from, for error messages."""
        ...


@runtime_checkable
class ImageLoader(Protocol):
    """Something that decodes an image to RGB uint8 H x W x 3 and names where it came from."""

    def load(self) -> np.ndarray: ...

    def origin(self) -> str: ...


@dataclass(frozen=True)
class ImageSource:
    """An image as a file path or encoded bytes; decoded to RGB with EXIF orientation applied."""

    path: Path | None = None
    data: bytes | None = None
    label: str = ""  # where the bytes came from (e.g. "ReasonSeg_val.parquet row 12") when there is no path

    def origin(self) -> str:
        return str(self.path) if self.path is not None else (self.label or "<in-memory image>")

    def load(self) -> np.ndarray:
        """Decode to an RGB uint8 H x W x 3 array; a corrupt, missing or oversized file raises BadSampleError naming it."""
        from PIL import ImageOps

        source = self.path if self.path is not None else self.data
        if source is None:
            raise BadSampleError(self.origin(), "image source has neither a path nor bytes")
        with open_image(source, self.origin()) as image:
            image.load()
            ImageOps.exif_transpose(image, in_place=True)  # no copy of the pixels when there is nothing to turn
            return _to_rgb_array(image)


def _to_rgb_array(image) -> np.ndarray:
    return np.asarray(image if image.mode == "RGB" else image.convert("RGB"), dtype=np.uint8)


@dataclass(frozen=True)
class ArrayMask:
    """A mask already in memory (HF copies, tests)."""

    mask: np.ndarray
    label: str = "<in-memory mask>"

    def load(self) -> np.ndarray:
        return np.asarray(self.mask, dtype=np.uint8)

    def origin(self) -> str:
        return self.label


@dataclass(frozen=True)
class Sample:
    """One evaluation unit. `subsets` are the groups it is aggregated in besides "overall"
    (e.g. "long", "hard", "testA"); `image_id` clusters samples that share an image for the bootstrap."""

    sample_id: str
    image_id: str
    query: str
    image: ImageLoader
    gt: MaskSource
    subsets: tuple[str, ...] = ()
    is_sentence: bool | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def load_image(self) -> np.ndarray:
        return self.image.load()

    def load_gt_mask(self) -> np.ndarray:
        mask = self.gt.load()
        if mask.ndim != 2:
            raise BadSampleError(self.gt.origin(), f"ground-truth mask has shape {mask.shape}, expected H x W")
        return mask
