"""Ground-truth rasterization, exactly as the reference loaders do it (shared/reference/datasets.md).

ReasonSeg (LISA): polygons sorted by area (largest first, so smaller ones are painted last), each drawn as a
closed outline of thickness 1 and filled, points truncated to int32; value 255 for labels containing "ignore",
1 otherwise; "flag" shapes are skipped. COCO (RefCOCO family): pycocotools decode, summed over polygons, so
overlapping polygons give 2 (the metric then treats those pixels as LISA does: see metrics/iou.py).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from wisebench.data.sample import IGNORE_VALUE


def polygon_area(points: Sequence[Sequence[float]]) -> float:
    """Shoelace area of a polygon given as [[x, y], ...] (absolute value)."""
    array = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(array) < 3:
        return 0.0
    x, y = array[:, 0], array[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2.0)


def rasterize_lisa_shapes(shapes: list[dict[str, Any]], height: int, width: int) -> np.ndarray:
    """LISA's ReasonSeg mask: uint8 H x W, 0 background, 1 target, 255 ignore.

    `shapes` are the JSON "shapes" entries ({"label", "points"}); callers validate them first.
    """
    drawable = [shape for shape in shapes if shape["label"].lower() != "flag"]
    polygons = [np.asarray(shape["points"], dtype=np.float64).astype(np.int32).reshape(-1, 1, 2) for shape in drawable]
    # Upstream orders by the pixels each polygon covers inside the image (drawn alone), largest first, with
    # np.argsort(...)[::-1]: the same call here, so parts outside the image and ties order exactly as in LISA.
    areas = [int(_draw(np.zeros((height, width), dtype=np.uint8), points, 1).sum()) for points in polygons]
    mask = np.zeros((height, width), dtype=np.uint8)
    for index in np.argsort(areas)[::-1]:
        value = IGNORE_VALUE if "ignore" in drawable[index]["label"].lower() else 1
        _draw(mask, polygons[index], value)
    return mask


def _draw(canvas: np.ndarray, points: np.ndarray, value: int) -> np.ndarray:
    """Outline (thickness 1) then fill, as LISA draws each polygon."""
    import cv2

    cv2.polylines(canvas, [points], isClosed=True, color=value, thickness=1)
    cv2.fillPoly(canvas, [points], color=value)
    return canvas


def decode_coco_segmentation(segmentation: Any, height: int, width: int) -> np.ndarray:
    """A COCO annotation's segmentation (polygon list, uncompressed RLE or compressed RLE) as uint8 H x W,
    summed over polygons as the refer API does (overlaps give 2)."""
    from pycocotools import mask as mask_utils

    if isinstance(segmentation, list) and segmentation and isinstance(segmentation[0], dict):
        rles = [_compressed(rle, height, width) for rle in segmentation]  # a list of RLEs (LISA's val branch)
    elif isinstance(segmentation, list):
        if not segmentation:
            return np.zeros((height, width), dtype=np.uint8)
        if isinstance(segmentation[0], (int, float)):  # one flat polygon (lmms-lab layout)
            segmentation = [segmentation]
        rles = mask_utils.frPyObjects([list(map(float, poly)) for poly in segmentation], height, width)
    elif isinstance(segmentation, dict):
        rles = _compressed(segmentation, height, width)
    else:
        raise ValueError(f"unsupported segmentation of type {type(segmentation).__name__}")
    decoded = mask_utils.decode(rles)
    if decoded.ndim == 3:
        decoded = decoded.sum(axis=2)
    return decoded.astype(np.uint8)


def _compressed(rle: dict, height: int, width: int) -> dict:
    """An RLE dict in pycocotools' compressed form (counts as bytes)."""
    from pycocotools import mask as mask_utils

    if isinstance(rle.get("counts"), list):  # uncompressed RLE
        return mask_utils.frPyObjects(dict(rle), height, width)
    counts = rle["counts"]
    return {"size": list(rle["size"]), "counts": counts.encode("ascii") if isinstance(counts, str) else counts}
