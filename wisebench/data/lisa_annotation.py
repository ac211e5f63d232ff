"""One ReasonSeg (LISA) annotation file, read and validated without trusting it.

Format (shared/reference/datasets.md): {"text": [str, ...], "is_sentence": bool, "shapes": [{"label": str,
"points": [[x, y], ...]}, ...]}, UTF-8 or cp1252. Everything that would make rasterization fail, hang or paint
garbage is refused here with the file, the shape and the value: non-numbers, non-finite or astronomically large
coordinates, points far outside the image, more shapes than any annotation has.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from wisebench.data.json_files import MAX_ANNOTATION_BYTES, read_json_file
from wisebench.data.sample import query_problem
from wisebench.errors import BadSampleError

MAX_SHAPES = 1000  # ReasonSeg annotations hold a handful; each shape costs a full-image rasterization
# Points may stray past the image edge (labelme allows it, and LISA draws them clipped), but not by more than one
# image size: beyond that a coordinate is garbage, and OpenCV's polygon fill slows down with the polygon's extent.
OUTSIDE_MARGIN_IMAGES = 1.0


def read_annotation_json(path: Path) -> dict[str, Any]:
    """A LISA annotation: UTF-8, falling back to cp1252 (some ReasonSeg files are cp1252), then validated."""
    data = read_json_file(path, BadSampleError, max_bytes=MAX_ANNOTATION_BYTES, fallback="cp1252")
    validate_annotation(data, path)
    return data


def is_plain_number(value: Any) -> bool:
    """A JSON number that is finite as a float (bools, NaN, inf and 10**400 are not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def validate_annotation(data: Any, path: Path) -> None:
    """Check the keys a ReasonSeg annotation must have, so a bad file fails with its name and the problem."""
    if not isinstance(data, dict):
        raise BadSampleError(path, f"expected a JSON object, found {type(data).__name__}")
    texts = data.get("text")
    if not isinstance(texts, list) or not texts:
        raise BadSampleError(path, '"text" must be a non-empty list of strings')
    for index, text in enumerate(texts):
        problem = query_problem(text)
        if problem:
            raise BadSampleError(path, f'"text"[{index}] {problem}: a query must be non-empty text')
    if not isinstance(data.get("is_sentence"), bool):
        raise BadSampleError(path, '"is_sentence" must be true or false')
    shapes = data.get("shapes")
    if not isinstance(shapes, list):
        raise BadSampleError(path, '"shapes" must be a list')
    if len(shapes) > MAX_SHAPES:
        raise BadSampleError(path, f"{len(shapes)} shapes, more than the {MAX_SHAPES} an annotation can sensibly hold")
    for index, shape in enumerate(shapes):
        if not isinstance(shape, dict) or not isinstance(shape.get("label"), str):
            raise BadSampleError(path, f'shapes[{index}] needs a string "label"')
        points = shape.get("points")
        if not isinstance(points, list) or not points:
            raise BadSampleError(path, f'shapes[{index}] needs a non-empty "points" list')
        for point in points:
            if not isinstance(point, (list, tuple)) or len(point) != 2 or not all(is_plain_number(v) for v in point):
                raise BadSampleError(path, f"shapes[{index}] has a point that is not [x, y] finite numbers: {_short(point)}")


def check_points_near_image(shapes: list[dict[str, Any]], height: int, width: int, path: Path) -> None:
    """Refuse coordinates more than one image size outside the image (e.g. 1e6 on a 640 x 480 image)."""
    low_x, high_x = -OUTSIDE_MARGIN_IMAGES * width, (1 + OUTSIDE_MARGIN_IMAGES) * width
    low_y, high_y = -OUTSIDE_MARGIN_IMAGES * height, (1 + OUTSIDE_MARGIN_IMAGES) * height
    for index, shape in enumerate(shapes):
        for x, y in shape["points"]:
            if not (low_x <= x <= high_x and low_y <= y <= high_y):
                raise BadSampleError(
                    path,
                    f"shapes[{index}] ({shape['label']!r}) has point [{x:g}, {y:g}], far outside the {width} x {height} "
                    f"image (allowed: up to one image size beyond its edges)",
                )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
