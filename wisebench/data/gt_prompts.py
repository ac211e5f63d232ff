"""Box and points derived from a ground-truth mask, in the form the Seg-Zero family answers with:
a bounding box and the centres of the two largest inscribed circles (distance-transform maxima).

Used by the oracle adapter (segmenter upper bound) and by training data (gt box / gt points)."""

from __future__ import annotations

import numpy as np

from wisebench.adapters.prediction import ObjectPrompt


def inscribed_circle_centres(region: np.ndarray, count: int = 2) -> list[tuple[float, float]]:
    """Centres of up to `count` largest inscribed circles of a boolean region: take the distance-transform
    maximum, blank a disk of that radius around it, repeat."""
    import cv2

    distance = cv2.distanceTransform(region.astype(np.uint8), cv2.DIST_L2, 5)
    centres: list[tuple[float, float]] = []
    for _ in range(count):
        index = int(np.argmax(distance))
        y, x = divmod(index, distance.shape[1])
        radius = float(distance[y, x])
        if radius <= 0:
            break
        centres.append((float(x), float(y)))
        cv2.circle(distance, (x, y), max(1, int(np.ceil(radius))), 0.0, thickness=-1)
    return centres


def box_of(region: np.ndarray) -> tuple[float, float, float, float] | None:
    ys, xs = np.nonzero(region)
    if len(xs) == 0:
        return None
    return float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)


def prompts_from_mask(target: np.ndarray, per_component: bool = True, max_objects: int = 5, min_area_fraction: float = 0.02) -> list[ObjectPrompt]:
    """One ObjectPrompt (box + two points) for the whole target, or one per connected component
    (largest first, components under `min_area_fraction` of the largest dropped)."""
    import cv2

    target = target.astype(bool)
    if not target.any():
        return []
    if not per_component:
        regions = [target]
    else:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(target.astype(np.uint8), connectivity=8)
        areas = stats[1:, cv2.CC_STAT_AREA]
        order = np.argsort(-areas, kind="stable")
        largest = areas[order[0]]
        regions = [labels == (i + 1) for i in order[:max_objects] if areas[i] >= min_area_fraction * largest]
    prompts = []
    for region in regions:
        points = inscribed_circle_centres(region, 2)
        prompts.append(ObjectPrompt(box=box_of(region), points=tuple(points), point_labels=(1,) * len(points)))
    return prompts
