"""Scene backgrounds: walls, tables, floors, sky and street, with gradients and texture.

Each painter returns the bands where things can stand (y ranges), so layouts adapt to any image size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wisebench.data.mini.draw import Canvas, Color, jitter, scaled

Band = tuple[float, float]


@dataclass
class Bands:
    """Where things go: `stand` for things on the table or floor, `wall` for things hanging, and so on."""

    regions: dict[str, Band]
    glossy: bool  # the surface mirrors what stands on it (reflections are possible)


def _gradient(canvas: Canvas, y0: int, y1: int, top: Color, bottom: Color) -> None:
    t = np.linspace(0.0, 1.0, max(y1 - y0, 1), dtype=np.float32)[:, None, None]
    canvas.image[y0:y1] = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t


def _mottle(canvas: Canvas, y0: int, y1: int, cell: float, amplitude: float, stretch: float = 1.0) -> None:
    """Low-frequency blotches; `stretch` > 1 drags them sideways into wood-like grain."""
    h, w = y1 - y0, canvas.width
    if h <= 0:
        return
    if stretch == 1.0:
        field = canvas.noise(h, w, cell, amplitude)
    else:
        import cv2

        field = cv2.resize(canvas.noise(h, max(2, int(w / stretch)), cell / stretch, amplitude), (w, h))
    canvas.image[y0:y1] += field[..., None]


def _wood(rng: np.random.Generator) -> Color:
    return jitter([(150, 104, 66), (186, 146, 100), (112, 76, 48), (200, 170, 130)][int(rng.integers(4))], rng, 8)


def kitchen(canvas: Canvas) -> Bands:
    rng, h = canvas.rng, canvas.height
    edge = int(h * rng.uniform(0.3, 0.42))
    wall = jitter([(228, 222, 204), (200, 218, 206), (206, 214, 228), (236, 214, 196)][int(rng.integers(4))], rng, 6)
    _gradient(canvas, 0, edge, scaled(wall, 0.86), wall)
    tile = int(rng.integers(28, 48))
    canvas.image[0:edge, ::tile] *= 0.88  # grout lines of a tiled splashback
    canvas.image[(edge % tile):edge:tile] *= 0.88
    _mottle(canvas, 0, edge, 60, 3)
    if rng.random() < 0.5:
        top = _wood(rng)
        _gradient(canvas, edge, h, scaled(top, 0.85), top)
        _mottle(canvas, edge, h, 12, 9, stretch=8)
    else:
        cloth = jitter([(236, 236, 230), (190, 60, 56), (70, 110, 160), (220, 200, 140)][int(rng.integers(4))], rng, 6)
        _gradient(canvas, edge, h, scaled(cloth, 0.9), cloth)
        if rng.random() < 0.6:  # gingham: busy backgrounds make box-prompted segmentation honest work
            cell = int(rng.integers(16, 34))
            band = ((np.arange(canvas.width) // cell) % 2 == 0).astype(np.float32)
            rows = ((np.arange(edge, h) - edge) // max(cell * 3 // 4, 1) % 2 == 0).astype(np.float32)
            shade = 1.0 - 0.22 * (band[None, :] + rows[:, None])
            canvas.image[edge:h] *= shade[..., None]
        _mottle(canvas, edge, h, 30, 4)
    canvas.image[edge:edge + max(2, h // 120)] *= 0.7  # the table's far edge
    return Bands({"stand": (edge + 0.14 * (h - edge), h - 0.04 * h), "wall": (0.08 * h, edge - 0.05 * h)},
                 glossy=bool(rng.random() < 0.7))


def desk(canvas: Canvas) -> Bands:
    rng, h = canvas.rng, canvas.height
    edge = int(h * rng.uniform(0.34, 0.48))
    wall = jitter([(214, 218, 222), (226, 220, 206), (188, 204, 214), (220, 210, 220)][int(rng.integers(4))], rng, 6)
    _gradient(canvas, 0, edge, scaled(wall, 0.8), wall)
    _mottle(canvas, 0, edge, 80, 4)
    top = _wood(rng) if rng.random() < 0.6 else jitter((232, 232, 228), rng, 6)
    _gradient(canvas, edge, h, scaled(top, 0.82), top)
    _mottle(canvas, edge, h, 10, 7, stretch=10)
    canvas.image[edge:edge + max(2, h // 100)] *= 0.65
    return Bands({"stand": (edge + 0.16 * (h - edge), h - 0.05 * h), "wall": (0.08 * h, edge - 0.06 * h)},
                 glossy=bool(rng.random() < 0.7))


def living(canvas: Canvas) -> Bands:
    rng, h, w = canvas.rng, canvas.height, canvas.width
    edge = int(h * rng.uniform(0.42, 0.55))
    wall = jitter([(222, 206, 180), (180, 198, 186), (200, 190, 214), (236, 230, 216), (170, 190, 210)][
        int(rng.integers(5))], rng, 6)
    _gradient(canvas, 0, edge, scaled(wall, 0.82), wall)
    stripe = int(rng.integers(18, 40))
    if rng.random() < 0.5:  # striped wallpaper
        canvas.image[0:edge, (np.arange(w) // stripe) % 2 == 0] *= 0.95
    _mottle(canvas, 0, edge, 70, 4)
    floor = _wood(rng)
    _gradient(canvas, edge, h, scaled(floor, 0.7), floor)
    plank = int(rng.integers(14, 26))
    ys = edge + np.cumsum(np.arange(plank // 2, plank * 4, 2))  # planks widen towards the viewer
    for y in ys[ys < h]:
        canvas.image[int(y)] *= 0.8
    _mottle(canvas, edge, h, 10, 8, stretch=10)
    canvas.image[max(edge - h // 60, 0):edge] = np.asarray(jitter((236, 234, 226), rng, 4), np.float32)
    return Bands({"stand": (edge + 0.12 * (h - edge), h - 0.04 * h), "wall": (0.1 * h, edge - 0.1 * h),
                  "back": (edge + 0.03 * (h - edge), edge + 0.2 * (h - edge))}, glossy=bool(rng.random() < 0.6))


def street(canvas: Canvas) -> Bands:
    rng, h, w = canvas.rng, canvas.height, canvas.width
    horizon = int(h * rng.uniform(0.38, 0.48))
    walk_top = int(horizon + (h - horizon) * rng.uniform(0.3, 0.4))
    road_top = int(walk_top + (h - horizon) * 0.16)
    _gradient(canvas, 0, horizon, jitter((66, 124, 198), rng, 8), jitter((196, 218, 236), rng, 6))
    hills = horizon - np.abs(canvas.noise(1, w, 90, 1.0)[0]) * h * 0.06 - h * 0.02
    cols = np.arange(w)
    for y in range(int(hills.min()), horizon):
        canvas.image[y, cols[hills <= y]] = (118, 150, 130)
    _gradient(canvas, horizon, walk_top, jitter((96, 150, 70), rng, 10), jitter((80, 136, 56), rng, 10))
    _mottle(canvas, horizon, walk_top, 6, 10)
    _gradient(canvas, walk_top, road_top, (176, 174, 168), (194, 192, 186))
    canvas.image[walk_top:road_top, ::int(rng.integers(50, 80))] *= 0.8
    _gradient(canvas, road_top, h, (84, 86, 90), (70, 72, 76))
    _mottle(canvas, walk_top, h, 4, 6)
    canvas.image[road_top:road_top + max(3, h // 90)] = (120, 118, 114)
    lane = int(road_top + (h - road_top) * 0.55)
    dash = int(rng.integers(40, 70))
    for x in range(int(rng.integers(0, dash)), w, dash * 2):
        canvas.image[lane:lane + max(3, h // 110), x:x + dash] = (230, 228, 214)
    return Bands({"sky": (0.06 * h, horizon - 0.22 * h), "far": (horizon + 0.06 * h, walk_top - 0.01 * h),
                  "walk": (walk_top + 0.02 * h, road_top - 0.005 * h), "road": (road_top + 0.12 * (h - road_top),
                                                                                h - 0.03 * h)}, glossy=False)


PAINTERS = {"kitchen": kitchen, "desk": desk, "living": living, "street": street}
