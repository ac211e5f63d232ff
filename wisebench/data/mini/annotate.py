"""Painting a laid-out scene and reading back each thing's visible outline as polygons.

A thing's ground truth is its silhouette minus whatever is painted after it (except its own non-occluding parts,
such as a house's door), traced at 4x resolution so the polygons keep sub-pixel (float) coordinates.
"""

from __future__ import annotations

import cv2
import numpy as np

from wisebench.data.mini.draw import Canvas, Obj, Part, Poly, binary_mask

SCALE = 4  # supersampling of the visibility masks
MIN_AREA = 40.0  # pixels: smaller visible crumbs are not annotated


def render(canvas: Canvas, order: list[Obj]) -> np.ndarray:
    for obj in order:
        if obj.shadow:
            _cast_shadow(canvas, obj)
        for part in obj.parts:
            canvas.paint(part)
    return canvas.finish()


def _cast_shadow(canvas: Canvas, obj: Obj) -> None:
    x0, y0, x1, y1 = obj.bounds()
    w, h = x1 - x0, y1 - y0
    if obj.base is not None:
        # light from the upper left and behind: the shadow falls forward and to the right, softening with distance
        base = obj.base
        cast = [np.stack([p[:, 0] + (base - p[:, 1]) * 0.35, base + (base - p[:, 1]) * 0.18], axis=1)
                for p in obj.silhouette]
        canvas.shadow(cast, w * 0.04, 0.0, max(w, h) * 0.04, 0.38)
        contact = [np.array([[x0 + w * 0.05, base - h * 0.02], [x1 + w * 0.03, base - h * 0.02],
                             [x1, base + h * 0.025], [x0 + w * 0.1, base + h * 0.025]])]
        canvas.shadow(contact, 0.0, 0.0, max(2.0, w * 0.03), 0.55)
    elif obj.flat:
        canvas.shadow(obj.silhouette, 2 + w * 0.015, 2 + h * 0.04, 1.5 + min(w, h) * 0.03, 0.35)
    elif obj.wall:
        canvas.shadow(obj.silhouette, 3.0, 4.0, 3.0, 0.3)


def reflection(target: Obj) -> Obj:
    """The target mirrored in a glossy surface below its footprint: faint, and annotated as an ambiguous region."""
    base = float(target.base if target.base is not None else target.bounds()[3])
    parts = []
    for part in target.parts:
        if part.solid:
            mirrored = np.stack([part.poly[:, 0], base + (base - part.poly[:, 1]) * 0.55], axis=1)
            parts.append(Part(mirrored, part.color, "flat", 0.0, texture=0, alpha=0.22, blur=1.2))
    ghost = Obj("reflection", parts, None, shadow=False, occluder=False)
    ghost.z = target.z - 0.25
    return ghost


def visible_polygons(order: list[Obj], index: int, width: int, height: int) -> tuple[list[Poly], float]:
    """The visible outline of order[index] (largest piece first) and the fraction of it left visible; no outline
    when the visible region has a hole."""
    obj = order[index]
    x0, y0, x1, y1 = obj.bounds()
    box = (max(int(np.floor(x0)) - 1, 0), max(int(np.floor(y0)) - 1, 0),
           min(int(np.ceil(x1)) + 2, width), min(int(np.ceil(y1)) + 2, height))
    if box[2] <= box[0] or box[3] <= box[1]:
        return [], 0.0
    own = binary_mask(obj.silhouette, box, SCALE)
    cover = np.zeros_like(own)
    for later in order[index + 1:]:
        if not later.occluder or (later.descends_from(obj) and not later.occludes_parent):
            continue
        a0, b0, a1, b1 = later.bounds()
        if a1 < box[0] or a0 > box[2] or b1 < box[1] or b0 > box[3]:
            continue
        cover |= binary_mask(later.silhouette, box, SCALE)
    visible = own & ~cover
    own_area = max(int(np.count_nonzero(own)), 1)
    fraction = float(np.count_nonzero(visible)) / own_area
    contours, hierarchy = cv2.findContours(visible, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    outer = [c for c, h in zip(contours, hierarchy[0] if hierarchy is not None else []) if h[3] < 0]
    holes = [c for c, h in zip(contours, hierarchy[0] if hierarchy is not None else []) if h[3] >= 0]
    areas = [cv2.contourArea(c) / SCALE**2 for c in outer]
    if sum(cv2.contourArea(c) for c in holes) / SCALE**2 > max(4.0, 0.005 * sum(areas)):
        # a polygon cannot carry a hole (an occluder lying wholly inside): the caller draws another scene
        return [], fraction
    keep = max(MIN_AREA, 0.03 * sum(areas))
    polys = []
    for contour, area in sorted(zip(outer, areas), key=lambda pair: -pair[1]):
        if area < keep:
            continue
        approx = cv2.approxPolyDP(contour, 0.5 * SCALE, True).reshape(-1, 2)
        if len(approx) >= 3:
            # contour points are supersampled pixel indices: their centres are at +0.5
            polys.append((approx.astype(np.float64) + 0.5) / SCALE + [box[0], box[1]])
    return polys, fraction
