"""Building the reasonseg-mini samples: a fixed plan per index, seeded scenes, annotation, and the files on disk."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from wisebench.data.mini import room, tabletop
from wisebench.data.mini.annotate import reflection, render, visible_polygons
from wisebench.data.mini.draw import Obj, Poly
from wisebench.data.mini.queries import TEMPLATES, make_query, plural_capable
from wisebench.data.mini.references import scene_facts, side_entry
from wisebench.data.mini.scenes import ATTACHMENT, CARRIER, KINDS, SPECS, Scene, layout, spawn

SPLITS = ("val", "test")
SAMPLES_PER_SPLIT = 32
JPEG_QUALITY = 90
MAX_ATTEMPTS = 60

SPLIT_BY = {"kitchen": ("plate", "knife"), "street": ("car", "lamp post"), "desk": ("book", "ruler"),
            "living": ("sofa", "floor lamp")}  # a target and the long thin thing laid across it
SECOND = {"kitchen": ("mug", "bottle", "apple", "bowl"), "street": ("car", "person", "tree"),
          "desk": ("mug", "book", "plant", "lamp"), "living": ("plant",)}
MIRRORED = {"kitchen": ("mug", "bottle", "bowl", "apple"), "desk": ("mug", "lamp", "plant", "laptop"),
            "living": ("plant", "sofa", "floor lamp"), "street": ()}


@dataclass(frozen=True)
class Plan:
    """What sample `index` of a split must show; fixed by the index so every split has the same mix."""

    kind: str
    sentence: bool
    mode: str  # "single", "plural" (two instances) or "split" (one thing cut in two by an occluder)
    ignore: str | None  # "second" (a half-hidden second instance), "reflection" or "attachment"
    flag: bool


# which samples carry ignore regions, and of what kind (indices 8-15 and a few more: 12 per split)
IGNORE_AT = {8: "attachment", 9: "second", 10: "reflection", 11: "attachment", 12: "reflection", 13: "attachment",
             14: "second", 15: "reflection", 25: "second", 26: "attachment", 27: "second", 31: "reflection"}


def plan_for(index: int) -> Plan:
    """Scene types cycle; sentences and phrases alternate in fours; indices 16-23 have two target polygons."""
    kind, block = KINDS[index % len(KINDS)], index // 8
    mode = "single"
    if block == 2:
        mode = "plural" if (index + index // 4) % 2 == 0 else "split"
    ignore = IGNORE_AT.get(index % 32)
    if ignore == "reflection" and not MIRRORED[kind]:
        ignore = "second"
    return Plan(kind, (index // 4) % 2 == 0, mode, ignore, index % 5 == 2)


def seed_for(split: str, index: int, attempt: int) -> int:
    """A stable seed (Python's hash() is salted per process, so it is not used)."""
    digest = hashlib.sha256(f"reasonseg-mini/{split}/{index}/{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def sample_name(split: str, index: int) -> str:
    return f"mini_{split}_{index:04d}"


@dataclass
class Drawn:
    image: np.ndarray
    record: dict[str, Any]
    reference: dict[str, Any]  # the ReasonSeg-Diff side-file entry: difficulty and reference reasoning


def _queryable(kind: str) -> list[str]:
    own = [c for c, s in SPECS[kind].items() if s.extra and c in TEMPLATES]
    return own + [c for c in CARRIER[kind] if c not in own]


def _choose_target(plan: Plan, rng: np.random.Generator) -> tuple[str, dict[str, int], dict[str, tuple[str, int]]]:
    """The target category, the categories the layout must hold, and the companions their first instance carries."""
    kind = plan.kind
    if plan.ignore == "attachment":
        host, thing = ATTACHMENT[kind]
        return host, {host: 1}, {host: (thing, int(rng.integers(1, 3)) if thing == "cushion" else 1)}
    if plan.mode == "split":
        category = SPLIT_BY[kind][0]
    else:
        options = {"second": SECOND[kind], "reflection": MIRRORED[kind]}.get(plan.ignore or "", _queryable(kind))
        if plan.mode == "plural":
            options = [c for c in _queryable(kind) if plural_capable(c) and c not in ("window", "door")]
        category = options[int(rng.integers(len(options)))]
    count = 2 if plan.mode == "plural" else 1
    if category in CARRIER[kind]:
        carrier, companion = CARRIER[kind][category]
        return category, {carrier: 1}, ({carrier: (companion, count)} if companion else {})
    return category, {category: count}, {}


def _add_twin(scene: Scene, target: Obj) -> Obj:
    """A second instance of the target's category, partly hidden behind it."""
    rng = scene.canvas.rng
    x0, _, x1, _ = target.bounds()
    side = 1.0 if rng.random() < 0.5 else -1.0
    x = target.anchor[0] + side * (x1 - x0) * float(rng.uniform(0.4, 0.65))
    y = target.anchor[1] - scene.unit * float(rng.uniform(0.01, 0.05))
    for _ in range(6):  # a different colour, so the phrase query still names one of them
        twin = spawn(scene, target.category, x, y, target.size * 0.92, angle=0.0)
        if twin.color is None or twin.color != target.color:
            break
    twin.z = target.z - 0.5
    scene.objects.append(twin)
    return twin


def _add_cross(scene: Scene, target: Obj) -> None:
    """A long thin thing laid across (or standing in front of) the target, cutting it in two."""
    rng, kind = scene.canvas.rng, scene.kind
    x0, y0, x1, y1 = target.bounds()
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    if kind == "kitchen":
        cross = tabletop.knife(rng, cx + w * float(rng.uniform(-0.1, 0.1)), cy, w * 1.3, float(rng.uniform(-0.3, 0.3)))
    elif kind == "desk":
        cross = tabletop.ruler(rng, cx + w * float(rng.uniform(-0.1, 0.1)), cy, w * 1.5, float(rng.uniform(-0.4, 0.4)))
    elif kind == "street":
        cross = room.lamp_post(rng, cx + w * float(rng.uniform(-0.2, 0.2)), y1 + scene.unit * 0.02, h * 1.8)
    else:
        cross = room.floor_lamp(rng, cx + w * float(rng.uniform(-0.2, 0.2)), y1 + scene.unit * 0.03, h * 1.5)
    cross.z = target.z + 0.5
    scene.objects.append(cross)


def draw_sample(split: str, index: int) -> Drawn:
    """The first seeded attempt whose annotation satisfies the plan (a fixed sequence of seeds: deterministic)."""
    plan = plan_for(index)
    for attempt in range(MAX_ATTEMPTS):
        drawn = _attempt(plan, np.random.default_rng(seed_for(split, index, attempt)), sample_name(split, index))
        if drawn is not None:
            return drawn
    raise RuntimeError(f"reasonseg-mini: no valid scene for {split} #{index} after {MAX_ATTEMPTS} attempts")


def _attempt(plan: Plan, rng: np.random.Generator, name: str) -> Drawn | None:
    width = int(rng.integers(480, 801))
    aspect = (4 / 3, 3 / 2, 16 / 9, 1.0, 5 / 4, 3 / 4)[int(rng.integers(6))]
    height = int(np.clip(round(width / aspect), 360, 800))
    category, required, companions = _choose_target(plan, rng)
    scene = layout(plan.kind, rng, width, height, required, companions)
    if scene is None:
        return None
    targets = scene.instances(category)
    if len(targets) != (2 if plan.mode == "plural" else 1):
        return None
    ignored: list[Obj] = []
    if plan.ignore == "second":
        ignored.append(_add_twin(scene, targets[0]))
    elif plan.ignore == "reflection":
        if not scene.bands.glossy:
            return None
        ignored.append(reflection(targets[0]))
        scene.objects.append(ignored[-1])
    elif plan.ignore == "attachment":
        ignored.extend(targets[0].children)
    if plan.mode == "split":
        _add_cross(scene, targets[0])
    order = scene.flat_list()
    target_polys: list[Poly] = []
    for target in targets:
        polys, fraction = visible_polygons(order, order.index(target), width, height)
        if fraction < 0.45 or not polys:
            return None
        target_polys += polys
    if len(target_polys) != (1 if plan.mode == "single" else 2) or sum(map(_area, target_polys)) < 300:
        return None
    ignore_polys: list[Poly] = []
    for thing in ignored:
        polys, fraction = visible_polygons(order, order.index(thing), width, height)
        if plan.ignore == "second" and not 0.12 <= fraction <= 0.85:
            return None
        if not polys and fraction > 0.05:
            return None  # visible, but only with a hole
        ignore_polys += polys
    if plan.ignore and not ignore_polys:
        return None
    color = targets[0].color if plan.mode != "plural" else None
    query = make_query(rng, category, plan.sentence, plan.mode == "plural", color)
    flag = [_flag_box(target_polys, width, height)] if plan.flag else []
    shapes = [_shape(label, poly, name) for label, polys in (("target", target_polys), ("ignore", ignore_polys),
                                                             ("flag", flag)) for poly in polys]
    image = render(scene.canvas, order)
    facts = scene_facts(plan.kind, query, category, color, targets, order, width, height, plan.mode, plan.ignore, plan.sentence)
    return Drawn(image, {"text": [query], "is_sentence": plan.sentence, "shapes": shapes}, side_entry(facts))


def _area(poly: Poly) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def _flag_box(polys: list[Poly], width: int, height: int) -> Poly:
    """A stray labelme box over a corner of the target: loaders must skip it, and a mask shows if they did not."""
    pts = np.concatenate(polys)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    w, h = x1 - x0, y1 - y0
    box = np.array([[x0 - 0.1 * w, y0 - 0.1 * h], [x0 + 0.35 * w, y0 - 0.1 * h], [x0 + 0.35 * w, y0 + 0.35 * h],
                    [x0 - 0.1 * w, y0 + 0.35 * h]])
    return np.clip(np.floor(box) + 0.4, 0.5, [width - 1.5, height - 1.5])  # float clicks, never whole numbers


def _shape(label: str, poly: Poly, name: str) -> dict[str, Any]:
    points = [[round(float(x), 2), round(float(y), 2)] for x, y in poly]
    return {"label": label, "labels": [label], "shape_type": "polygon", "image_name": f"{name}.jpg",
            "group_id": None, "flags": {}, "points": points}


def write_split(root: Path, split: str, count: int = SAMPLES_PER_SPLIT) -> None:
    """root/split/<name>.jpg + .json, and the split's ReasonSeg-Diff side file beside root (root/../ReasonSeg-Diff)."""
    folder = root / split
    folder.mkdir(parents=True, exist_ok=True)
    side: dict[str, Any] = {}
    for index in range(count):
        drawn, name = draw_sample(split, index), sample_name(split, index)
        # fixed quality and chroma subsampling, no optimizer passes: the same bytes on every run
        Image.fromarray(drawn.image).save(folder / f"{name}.jpg", "JPEG", quality=JPEG_QUALITY, subsampling=2,
                                          optimize=False, progressive=False)
        text = json.dumps(drawn.record, indent=2, ensure_ascii=False) + "\n"
        (folder / f"{name}.json").write_text(text, encoding="utf-8")
        side[name] = drawn.reference
    side_folder = root.parent / "ReasonSeg-Diff"
    side_folder.mkdir(parents=True, exist_ok=True)
    (side_folder / f"{split}.json").write_text(json.dumps(side, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


__all__ = ["SAMPLES_PER_SPLIT", "SPLITS", "Plan", "draw_sample", "plan_for", "sample_name", "write_split"]
