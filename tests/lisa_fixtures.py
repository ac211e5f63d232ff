"""Writers for ReasonSeg fixtures in exactly LISA's native format (labelme-style JSON beside a JPEG)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image


def shape(label: str, points: list[list[float]]) -> dict:
    return {"label": label, "labels": [label], "points": points, "shape_type": "polygon", "group_id": None, "flags": {}}


def write_image(path: Path, width: int, height: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, size=(height, width, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, quality=90)


def write_sample(folder: Path, name: str, text: list[str], is_sentence: bool, shapes: list[dict], width: int = 40, height: int = 30, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_image(folder / f"{name}.jpg", width, height, seed=len(name))
    payload = {"text": text, "is_sentence": is_sentence, "shapes": [dict(s, image_name=f"{name}.jpg") for s in shapes]}
    (folder / f"{name}.json").write_bytes(json.dumps(payload, ensure_ascii=False).encode(encoding))
    return folder / f"{name}.json"


def square(x1: float, y1: float, x2: float, y2: float) -> list[list[float]]:
    return [[x1, y1], [x2, y1], [x2, y2], [x1, y2]]


def write_small_reasonseg(root: Path, split: str = "val") -> Path:
    """Three samples: a long query with an ignore region and a flag, a short phrase, a two-polygon target."""
    folder = root / "ReasonSeg" / split
    write_sample(
        folder,
        "img_a",
        ["the thing you would sit on after a long walk"],
        True,
        [shape("target", square(5, 5, 25, 20)), shape("ignore", square(20, 15, 30, 25)), shape("flag", square(0, 0, 39, 29))],
    )
    write_sample(folder, "img_b", ["red cup"], False, [shape("target", square(10.7, 3.2, 18.9, 12.6))])
    write_sample(
        folder,
        "img_c",
        ["the two things you drink from"],
        True,
        [shape("target", square(2, 2, 8, 8)), shape("target", square(30, 20, 36, 27))],
    )
    return root / "ReasonSeg"
