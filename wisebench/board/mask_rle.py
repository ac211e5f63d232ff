"""Decoding a submitted mask (COCO compressed RLE) without trusting it.

pycocotools' decoder writes every run it is given into an H x W buffer with no bounds check, and allocates H x W
first: a forged `counts` string can write past the buffer, and a forged `size` of [200000, 200000] asks for 37 GiB.
Here the counts are parsed in Python first (the same LEB128-style format as pycocotools' rleFrString), checked to
be non-negative and to cover exactly H x W pixels, and the size is bounded, before a single pixel is allocated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wisebench.board.untrusted import UntrustedInputError

# 16k x 16k: above any ReasonSeg or COCO image, and a bool mask of it is 256 MiB at most.
MAX_MASK_SIDE = 16384
MAX_MASK_PIXELS = 64 * 1024 * 1024


def mask_size(rle: Any) -> tuple[int, int]:
    """(height, width) of an RLE, bounded; raises UntrustedInputError for anything else."""
    if not isinstance(rle, dict) or not isinstance(rle.get("counts"), str):
        raise UntrustedInputError("mask_rle is not {size, counts} with counts as text")
    size = rle.get("size")
    if not (isinstance(size, list) and len(size) == 2 and all(isinstance(side, int) and not isinstance(side, bool) for side in size)):
        raise UntrustedInputError("mask_rle.size is not [height, width]")
    height, width = size
    if not (0 <= height <= MAX_MASK_SIDE and 0 <= width <= MAX_MASK_SIDE) or height * width > MAX_MASK_PIXELS:
        raise UntrustedInputError(f"mask_rle.size {height} x {width} is over the board's limit ({MAX_MASK_SIDE} a side, {MAX_MASK_PIXELS} pixels)")
    return height, width


def rle_counts(counts: str, total: int) -> list[int]:
    """The run lengths of a compressed counts string; they must be non-negative and sum to `total`."""
    runs: list[int] = []
    position, length = 0, len(counts)
    covered = 0
    while position < length:
        value, shift, more = 0, 0, True
        while more:
            if position >= length:
                raise UntrustedInputError("mask_rle.counts ends in the middle of a number")
            code = ord(counts[position]) - 48
            if not 0 <= code < 64:
                raise UntrustedInputError(f"mask_rle.counts holds a character outside the RLE alphabet at {position}")
            value |= (code & 0x1F) << (5 * shift)
            more = bool(code & 0x20)
            position += 1
            shift += 1
            if shift > 7:  # 35 bits: more than any bounded mask needs
                raise UntrustedInputError("mask_rle.counts holds a number too large for a mask")
            if not more and code & 0x10:
                value |= -1 << (5 * shift)
        if len(runs) > 2:
            value += runs[-2]  # counts after the third are stored as differences
        if value < 0:
            raise UntrustedInputError("mask_rle.counts holds a negative run length")
        covered += value
        if covered > total:
            raise UntrustedInputError(f"mask_rle.counts covers more than the mask's {total} pixels")
        runs.append(value)
    if covered != total:
        raise UntrustedInputError(f"mask_rle.counts covers {covered} pixels, the mask has {total}")
    return runs


def mask_pixel_count(rle: Any) -> int:
    """The foreground pixels of a submitted RLE, from its run lengths alone: nothing of H x W is allocated."""
    height, width = mask_size(rle)
    return sum(rle_counts(rle["counts"], height * width)[1::2])


def decode_untrusted_mask(rle: Any, expected_shape: tuple[int, int] | None = None) -> np.ndarray:
    """Boolean H x W from a submitted RLE; `expected_shape` (the image's (height, width)) must match when given."""
    height, width = mask_size(rle)
    if expected_shape is not None and (height, width) != tuple(expected_shape):
        raise UntrustedInputError(f"mask_rle.size is {height} x {width} but the image is {expected_shape[0]} x {expected_shape[1]}")
    runs = rle_counts(rle["counts"], height * width)
    values = np.arange(len(runs)) % 2 == 1  # runs alternate background, foreground, starting with background
    flat = np.repeat(values, runs)
    return flat.reshape((width, height)).T  # COCO RLE runs down columns (Fortran order)
