"""One picture per sample: the image with the ground truth (green), the predicted mask (red; overlap yellow),
ignore pixels (grey), the parsed boxes (outlines) and points (dots)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

GT_COLOUR = np.array([40, 200, 80], dtype=np.float32)
PREDICTION_COLOUR = np.array([230, 50, 50], dtype=np.float32)
OVERLAP_COLOUR = np.array([250, 210, 40], dtype=np.float32)
IGNORE_COLOUR = np.array([150, 150, 150], dtype=np.float32)
ALPHA = 0.5
MAX_SIDE = 900  # the browser shows a picture, not the full-resolution image


def _blend(canvas: np.ndarray, where: np.ndarray, colour: np.ndarray) -> None:
    canvas[where] = (1 - ALPHA) * canvas[where] + ALPHA * colour


def overlay(image: np.ndarray | None, gt: np.ndarray | None, prediction: np.ndarray | None, objects: list[dict[str, Any]], size: tuple[int, int] | None = None) -> np.ndarray:
    """RGB uint8. Without an image (data not on this machine) the masks are drawn on a dark canvas of `size`
    (height, width) or of the prediction's size."""
    if image is not None:
        canvas = image.astype(np.float32).copy()
    else:
        # The size comes from a submitted record: draw at most MAX_SIDE a side, never a canvas of the full size.
        height, width = size or (prediction.shape if prediction is not None else (256, 256))
        step = max(1, math.ceil(max(height, width) / MAX_SIDE))
        height, width = math.ceil(height / step), math.ceil(width / step)
        if prediction is not None and step > 1:
            prediction = prediction[::step, ::step]
        objects = _scaled(objects, 1 / step) if step > 1 else objects
        canvas = np.full((height, width, 3), 30, dtype=np.float32)
    height, width = canvas.shape[:2]
    predicted = prediction.astype(bool) if prediction is not None and prediction.shape == (height, width) else np.zeros((height, width), bool)
    if gt is not None and gt.shape == (height, width):
        target = gt == 1
        _blend(canvas, gt == 255, IGNORE_COLOUR)
        _blend(canvas, target & ~predicted, GT_COLOUR)
        _blend(canvas, target & predicted, OVERLAP_COLOUR)
        _blend(canvas, predicted & ~target, PREDICTION_COLOUR)
    else:
        _blend(canvas, predicted, PREDICTION_COLOUR)
    picture = Image.fromarray(canvas.clip(0, 255).astype(np.uint8))
    _draw_prompts(picture, objects)
    if max(picture.size) > MAX_SIDE:
        scale = MAX_SIDE / max(picture.size)
        picture = picture.resize((round(picture.width * scale), round(picture.height * scale)), Image.BILINEAR)
    return np.asarray(picture)


def _scaled(objects: list[dict[str, Any]], factor: float) -> list[dict[str, Any]]:
    """Boxes and points scaled with the picture they are drawn on (malformed ones are left to _draw_prompts)."""

    def scale(values: Any) -> Any:
        if isinstance(values, list) and all(isinstance(value, (int, float)) for value in values):
            return [value * factor for value in values]
        return values

    return [{**obj, "box": scale(obj.get("box")), "points": [scale(point) for point in obj.get("points") or []]} for obj in objects if isinstance(obj, dict)]


def _draw_prompts(picture: Image.Image, objects: list[dict[str, Any]]) -> None:
    draw = ImageDraw.Draw(picture)
    line = max(2, round(max(picture.size) / 300))
    for obj in objects:
        box = obj.get("box")
        if box and len(box) == 4 and all(isinstance(v, (int, float)) for v in box):
            x1, y1, x2, y2 = (float(v) for v in box)
            draw.rectangle([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)], outline=(255, 140, 0), width=line)
        for point in obj.get("points") or []:
            if len(point) == 2 and all(isinstance(v, (int, float)) for v in point):
                x, y, radius = float(point[0]), float(point[1]), 2 * line + 2
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=(0, 170, 255), outline=(255, 255, 255), width=1)
