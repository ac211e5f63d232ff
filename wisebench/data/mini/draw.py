"""Polygon geometry and a small shaded-polygon renderer for the reasonseg-mini scenes.

Every visible object is a list of polygon Parts, so the ground-truth outline is the very polygon that was painted.
Painting works on the part's bounding box only, which keeps a whole split to a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Poly = np.ndarray  # (N, 2) float64 pixel coordinates, x then y
Color = tuple[float, float, float]  # RGB, 0..255

_SHIFT = 4  # fillPoly fixed-point bits: sub-pixel placement, so float outlines are honoured


def ellipse(cx: float, cy: float, rx: float, ry: float, angle: float = 0.0, n: int = 48,
            start: float = 0.0, stop: float = 2 * np.pi) -> Poly:
    """Points on an (optionally rotated) ellipse arc; the full turn by default (angles in radians)."""
    t = np.linspace(start, stop, n, endpoint=stop - start < 2 * np.pi - 1e-9)
    x, y = rx * np.cos(t), ry * np.sin(t)
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def rect(x0: float, y0: float, x1: float, y1: float) -> Poly:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)


def rounded_rect(x0: float, y0: float, x1: float, y1: float, r: float, n: int = 6) -> Poly:
    r = max(0.0, min(r, (x1 - x0) / 2, (y1 - y0) / 2))
    corners = [(x1 - r, y0 + r, -np.pi / 2), (x1 - r, y1 - r, 0.0), (x0 + r, y1 - r, np.pi / 2), (x0 + r, y0 + r, np.pi)]
    return np.concatenate([ellipse(cx, cy, r, r, start=a, stop=a + np.pi / 2, n=n) for cx, cy, a in corners])


def rotate(poly: Poly, angle: float, cx: float, cy: float) -> Poly:
    c, s = np.cos(angle), np.sin(angle)
    d = poly - [cx, cy]
    return np.stack([cx + c * d[:, 0] - s * d[:, 1], cy + s * d[:, 0] + c * d[:, 1]], axis=1)


def bar(x0: float, y0: float, x1: float, y1: float, width: float, width_end: float | None = None) -> Poly:
    """A (tapered) strip from (x0, y0) to (x1, y1): arms, poles, handles, pens."""
    d = np.array([x1 - x0, y1 - y0], dtype=np.float64)
    n = np.array([-d[1], d[0]]) / max(float(np.hypot(*d)), 1e-9)
    w0, w1 = width / 2, (width if width_end is None else width_end) / 2
    a, b = np.array([x0, y0]), np.array([x1, y1])
    return np.array([a + n * w0, b + n * w1, b - n * w1, a - n * w0])


@dataclass
class Part:
    """One painted polygon. `solid` parts make up the object's silhouette; glows and glints do not."""

    poly: Poly
    color: Color
    shade: str = "linear"  # flat | linear (top lit) | cylinder (lit from the left) | sphere
    strength: float = 0.25
    texture: float = 4.0  # grain amplitude in grey levels
    alpha: float = 1.0
    blur: float = 0.0  # soft parts (glows, reflections)
    solid: bool = True


def _mask(shape: tuple[int, int], polys: list[Poly], offset: tuple[int, int], antialias: bool) -> np.ndarray:
    mask = np.zeros(shape, dtype=np.uint8)
    for poly in polys:  # one call per polygon: a single fillPoly call would XOR overlapping polygons
        pts = np.round((poly - offset) * (1 << _SHIFT)).astype(np.int32).reshape(-1, 1, 2)
        cv2.fillPoly(mask, [pts], 255, cv2.LINE_AA if antialias else cv2.LINE_8, _SHIFT)
    return mask


def _box(polys: list[Poly], margin: float, width: int, height: int) -> tuple[int, int, int, int] | None:
    allpts = np.concatenate(polys, axis=0)
    x0 = max(int(np.floor(allpts[:, 0].min() - margin)), 0)
    y0 = max(int(np.floor(allpts[:, 1].min() - margin)), 0)
    x1 = min(int(np.ceil(allpts[:, 0].max() + margin)) + 1, width)
    y1 = min(int(np.ceil(allpts[:, 1].max() + margin)) + 1, height)
    return None if x1 <= x0 or y1 <= y0 else (x0, y0, x1, y1)


class Canvas:
    """A float RGB image that parts, shadows and textures are painted onto."""

    def __init__(self, height: int, width: int, rng: np.random.Generator):
        self.height, self.width, self.rng = height, width, rng
        self.image = np.zeros((height, width, 3), dtype=np.float32)

    def noise(self, height: int, width: int, cell: float, amplitude: float) -> np.ndarray:
        """Smooth value noise (bicubic upsampled), for mottled walls, grass and wood."""
        small = self.rng.normal(0.0, 1.0, (max(2, int(height / cell) + 2), max(2, int(width / cell) + 2)))
        big = cv2.resize(small.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
        return big * amplitude

    def paint(self, part: Part) -> None:
        margin = 2 + 3 * part.blur
        box = _box([part.poly], margin, self.width, self.height)
        if box is None:
            return
        x0, y0, x1, y1 = box
        alpha = _mask((y1 - y0, x1 - x0), [part.poly], (x0, y0), True).astype(np.float32) / 255.0
        if part.blur > 0:
            alpha = np.asarray(cv2.GaussianBlur(alpha, (0, 0), part.blur), dtype=np.float32)
        alpha *= part.alpha
        field = self._shading(part, x0, y0, x1, y1)
        region = self.image[y0:y1, x0:x1]
        region += (field - region) * alpha[..., None]

    def _shading(self, part: Part, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        px0, py0 = part.poly.min(axis=0)
        px1, py1 = part.poly.max(axis=0)
        xs = (np.arange(x0, x1, dtype=np.float32) - px0) / max(px1 - px0, 1.0)
        ys = (np.arange(y0, y1, dtype=np.float32) - py0) / max(py1 - py0, 1.0)
        u, v = np.meshgrid(xs, ys)
        k = part.strength
        if part.shade == "linear":
            gain = 1.0 + k * (0.5 - v)
        elif part.shade == "cylinder":
            # brightest a third of the way across, as if lit from the upper left
            gain = 1.0 - k + 1.6 * k * np.clip(np.cos((u - 0.35) * 2.2), 0, 1) ** 0.8
        elif part.shade == "sphere":
            gain = 1.0 + k * (0.6 - 1.6 * np.hypot(u - 0.35, v - 0.3))
        else:
            gain = np.ones_like(u)
        field = np.asarray(part.color, dtype=np.float32) * gain[..., None]
        if part.texture > 0:
            field += self.rng.normal(0.0, part.texture, field.shape[:2]).astype(np.float32)[..., None]
        return field

    def shadow(self, polys: list[Poly], dx: float, dy: float, blur: float, strength: float) -> None:
        """Darken under a (shifted, blurred) silhouette: soft contact and drop shadows."""
        moved = [p + [dx, dy] for p in polys]
        box = _box(moved, 3 * blur + 2, self.width, self.height)
        if box is None:
            return
        x0, y0, x1, y1 = box
        alpha = _mask((y1 - y0, x1 - x0), moved, (x0, y0), True).astype(np.float32) / 255.0
        alpha = np.asarray(cv2.GaussianBlur(alpha, (0, 0), max(blur, 0.5)), dtype=np.float32)
        self.image[y0:y1, x0:x1] *= (1.0 - strength * alpha)[..., None]

    def finish(self) -> np.ndarray:
        """Global light falloff, sensor grain and a slight lens softness, then 8-bit RGB."""
        h, w = self.height, self.width
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        r = np.hypot((xx - w / 2) / w, (yy - h / 2) / h)
        self.image *= (1.0 - 0.35 * r**2)[..., None]
        self.image *= self.rng.uniform(0.9, 1.08, 3).astype(np.float32)  # exposure and white balance vary by shot
        self.image += self.rng.normal(0.0, 2.5, self.image.shape).astype(np.float32)
        softness = float(self.rng.uniform(0.5, 1.1))
        self.image = np.asarray(cv2.GaussianBlur(self.image, (0, 0), softness), dtype=np.float32)
        return np.clip(np.round(self.image), 0, 255).astype(np.uint8)


def binary_mask(polys: list[Poly], box: tuple[int, int, int, int], scale: int) -> np.ndarray:
    """The polygons' union rasterized at `scale` x resolution inside box (x0, y0, x1, y1), 0/255, no antialiasing."""
    x0, y0, x1, y1 = box
    scaled = [p * scale for p in polys]
    return _mask(((y1 - y0) * scale, (x1 - x0) * scale), scaled, (x0 * scale, y0 * scale), False)


def jitter(color: Color, rng: np.random.Generator, amount: float = 12.0) -> Color:
    c = np.clip(np.asarray(color, dtype=np.float64) + rng.normal(0.0, amount, 3), 0, 255)
    return (float(c[0]), float(c[1]), float(c[2]))


def scaled(color: Color, factor: float) -> Color:
    return (float(min(color[0] * factor, 255)), float(min(color[1] * factor, 255)), float(min(color[2] * factor, 255)))


COLORS: dict[str, Color] = {
    "red": (188, 38, 40), "blue": (44, 86, 172), "green": (58, 140, 68), "yellow": (228, 190, 48),
    "orange": (226, 118, 38), "white": (236, 234, 228), "black": (38, 38, 44), "gray": (128, 130, 136),
    "brown": (118, 78, 44), "purple": (118, 68, 148), "pink": (222, 128, 158), "teal": (38, 138, 140),
    "beige": (214, 194, 158),
}


def pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


@dataclass(eq=False)
class Obj:
    """A drawn thing: its parts (back to front), what a query may call it, and how it sits in the scene."""

    category: str
    parts: list[Part]
    color: str | None = None
    base: float | None = None  # y of the footprint of a standing object (contact shadow, reflection)
    flat: bool = False  # lies on a surface: a drop shadow instead of a contact shadow
    wall: bool = False  # hangs on a wall: a short offset shadow
    shadow: bool = True
    occluder: bool = True  # False for see-through things (reflections): they hide nothing behind them
    z: float = 0.0
    anchor: tuple[float, float] = (0.0, 0.0)  # where it was placed and at what size (for twins and occluders)
    size: float = 0.0
    parent: Obj | None = None
    occludes_parent: bool = False  # an umbrella hides the person; a cushion is (ambiguously) part of the sofa
    children: list[Obj] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.children is None:
            self.children = []

    def attach(self, child: Obj, occludes: bool = False) -> Obj:
        child.parent, child.occludes_parent = self, occludes
        self.children.append(child)
        return child

    @property
    def silhouette(self) -> list[Poly]:
        return [part.poly for part in self.parts if part.solid]

    def bounds(self) -> tuple[float, float, float, float]:
        pts = np.concatenate(self.silhouette, axis=0)
        return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())

    def descends_from(self, other: Obj) -> bool:
        node = self.parent
        while node is not None:
            if node is other:
                return True
            node = node.parent
        return False
