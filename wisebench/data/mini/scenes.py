"""Scene layouts: which things each scene type holds, where they may stand, and rejection-sampled placement."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from wisebench.data.mini import room, tabletop
from wisebench.data.mini.backdrops import PAINTERS, Bands
from wisebench.data.mini.draw import Canvas, Obj

Builder = Callable[..., Obj]
KINDS = ("kitchen", "street", "desk", "living")


@dataclass(frozen=True)
class Spec:
    """How to place one category: its builder, band, size range (fraction of min(W, H)) and how it lies."""

    make: Builder
    region: str
    size: tuple[float, float]
    flat: bool = False  # lies on the surface at some angle (cutlery, pens): the builder takes an angle
    extra: bool = True  # may be added as a distractor


SPECS: dict[str, dict[str, Spec]] = {
    "kitchen": {
        "plate": Spec(tabletop.plate, "stand", (0.3, 0.38)), "bowl": Spec(tabletop.bowl, "stand", (0.22, 0.3)),
        "mug": Spec(tabletop.mug, "stand", (0.14, 0.19)), "spoon": Spec(tabletop.spoon, "stand", (0.22, 0.28), True),
        "fork": Spec(tabletop.fork, "stand", (0.22, 0.28), True), "knife": Spec(tabletop.knife, "stand", (0.26, 0.32), True),
        "bottle": Spec(tabletop.bottle, "stand", (0.36, 0.48)), "apple": Spec(tabletop.apple, "stand", (0.1, 0.13)),
        "banana": Spec(tabletop.banana, "stand", (0.24, 0.3), True)},
    "desk": {
        "laptop": Spec(tabletop.laptop, "stand", (0.42, 0.52)), "mug": Spec(tabletop.mug, "stand", (0.14, 0.18)),
        "lamp": Spec(tabletop.desk_lamp, "stand", (0.42, 0.52)), "book": Spec(tabletop.book, "stand", (0.26, 0.34)),
        "pen": Spec(tabletop.pen, "stand", (0.18, 0.24), True), "phone": Spec(tabletop.phone, "stand", (0.16, 0.2), True),
        "plant": Spec(tabletop.potted_plant, "stand", (0.24, 0.32)),
        "ruler": Spec(tabletop.ruler, "stand", (0.4, 0.48), True, extra=False)},
    "living": {
        "sofa": Spec(room.sofa, "stand", (0.55, 0.68)), "tv": Spec(room.tv, "back", (0.34, 0.42)),
        "plant": Spec(tabletop.potted_plant, "stand", (0.36, 0.48)), "clock": Spec(room.clock, "wall", (0.1, 0.14)),
        "picture": Spec(room.picture, "wall", (0.2, 0.28)), "window": Spec(room.window, "wall", (0.24, 0.3)),
        "rug": Spec(room.rug, "stand", (0.5, 0.7)), "floor lamp": Spec(room.floor_lamp, "stand", (0.6, 0.75))},
    "street": {
        "sun": Spec(room.sun, "sky", (0.09, 0.13)), "tree": Spec(room.tree, "far", (0.42, 0.6)),
        "house": Spec(room.house, "far", (0.38, 0.5)), "car": Spec(room.car, "road", (0.38, 0.46)),
        "traffic light": Spec(room.traffic_light, "walk", (0.42, 0.52)), "person": Spec(room.person, "walk", (0.3, 0.38)),
        "lamp post": Spec(room.lamp_post, "walk", (0.6, 0.7), extra=False)},
}
# categories that exist only as part of another thing: the carrier and, if the carrier does not always bring it,
# the companion to add to the carrier
CARRIER: dict[str, dict[str, tuple[str, str | None]]] = {
    "street": {"door": ("house", None), "window": ("house", None), "umbrella": ("person", "umbrella")},
    "living": {"cushion": ("sofa", "cushion")}, "kitchen": {}, "desk": {}}
# an ambiguous thing lying on (or carried by) the target: annotated "ignore" in attachment samples
ATTACHMENT = {"kitchen": ("bowl", "spoon"), "street": ("person", "bag"), "desk": ("laptop", "sticky note"),
              "living": ("sofa", "cushion")}


@dataclass
class Scene:
    kind: str
    canvas: Canvas
    bands: Bands
    unit: float
    objects: list[Obj] = field(default_factory=list)  # top level; children hang off their parents

    def flat_list(self) -> list[Obj]:
        """Every thing, parents before children, in paint order (z, then insertion order: stable)."""
        out: list[Obj] = []

        def walk(obj: Obj) -> None:
            out.append(obj)
            for child in obj.children:
                walk(child)

        for obj in sorted(self.objects, key=lambda o: o.z):
            walk(obj)
        return out

    def instances(self, category: str) -> list[Obj]:
        return [obj for obj in self.flat_list() if obj.category == category]


def spawn(scene: Scene, category: str, x: float, y: float, size: float, color: str | None = None,
          angle: float | None = None) -> Obj:
    """Build one thing of `category` at (x, y) with main size `size` (pixels)."""
    obj = _spawn(scene, category, x, y, size, color, angle)
    obj.anchor, obj.size = (x, y), size
    return obj


def _spawn(scene: Scene, category: str, x: float, y: float, size: float, color: str | None,
           angle: float | None) -> Obj:
    rng, spec = scene.canvas.rng, SPECS[scene.kind][category]
    obj = spec.make(rng, x, y, size, float(rng.uniform(-0.5, 0.5)) if angle is None else angle) if spec.flat \
        else spec.make(rng, x, y, size, color)
    if category == "tv":  # a television stands on a low cabinet
        stand = room.cabinet(rng, x, y, size * 1.3)
        obj = _reseat(obj, 0.0, -size * 1.3 * 0.27)
        stand.attach(obj, occludes=True)
        stand.category, obj.base = "tv cabinet", y - size * 1.3 * 0.27
        return stand
    return obj


def _reseat(obj: Obj, dx: float, dy: float) -> Obj:
    for part in obj.parts:
        part.poly = part.poly + [dx, dy]
    for child in obj.children:
        _reseat(child, dx, dy)
    return obj


def place(scene: Scene, category: str, companion: tuple[str, int] | None = None, tries: int = 40,
          max_overlap: float = 0.3) -> Obj | None:
    """Rejection-sample a position for a new thing: inside the image, overlapping others only a little."""
    rng, spec = scene.canvas.rng, SPECS[scene.kind][category]
    w = scene.canvas.width
    lo, hi = scene.bands.regions[spec.region]
    for _ in range(tries):
        y = float(rng.uniform(lo, hi))
        depth = (y - lo) / max(hi - lo, 1.0) if spec.region in ("stand", "road", "far", "walk") else 0.5
        size = scene.unit * float(rng.uniform(*spec.size)) * (0.8 + 0.4 * depth)  # nearer things look bigger
        x = float(rng.uniform(0.05 * w + size * 0.3, 0.95 * w - size * 0.3))
        obj = spawn(scene, category, x, y, size)
        if companion is not None:
            _add_companion(scene, obj, *companion)
        if _fits(scene, obj, max_overlap):
            # flat things lie at table level: anything standing on or in front of their far edge covers them
            obj.z = obj.bounds()[1] if obj.flat else y
            obj.z += {"sky": -1e5, "wall": -1e4}.get(spec.region, 0.0)
            scene.objects.append(obj)
            return obj
    return None


def _fits(scene: Scene, obj: Obj, max_overlap: float) -> bool:
    x0, y0, x1, y1 = _extent(obj)
    if x0 < 2 or y0 < 2 or x1 > scene.canvas.width - 2 or y1 > scene.canvas.height - 2:
        return False
    if obj.category == "rug":  # things stand on rugs
        return True
    for other in scene.objects:
        if other.category in ("rug", "cloud"):
            continue
        a0, b0, a1, b1 = _extent(other)
        inter = max(0.0, min(x1, a1) - max(x0, a0)) * max(0.0, min(y1, b1) - max(y0, b0))
        smaller = min((x1 - x0) * (y1 - y0), (a1 - a0) * (b1 - b0))
        if inter > max_overlap * smaller:
            return False
    return True


def _extent(obj: Obj) -> tuple[float, float, float, float]:
    boxes = [obj.bounds()] + [_extent(child) for child in obj.children]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def layout(kind: str, rng: np.random.Generator, width: int, height: int, required: dict[str, int],
           companions: dict[str, tuple[str, int]]) -> Scene | None:
    """A scene with `required` categories (count each), random distractors up to 4-8 things, and companions:
    `companions` maps a category to what its first instance carries, and how many (e.g. "sofa": ("cushion", 2)).
    None when the required things do not fit (the caller retries with another seed)."""
    canvas = Canvas(height, width, rng)
    scene = Scene(kind, canvas, PAINTERS[kind](canvas), float(min(width, height)))
    specs = SPECS[kind]
    if kind == "street":
        for _ in range(int(rng.integers(1, 4))):
            c = room.cloud(rng, float(rng.uniform(0, width)), float(rng.uniform(*scene.bands.regions["sky"])),
                           scene.unit * float(rng.uniform(0.25, 0.4)))
            c.z = -2e5
            scene.objects.append(c)
    wanted = [c for c, n in required.items() for _ in range(n)]
    seen: set[str] = set()
    for category in sorted(wanted, key=lambda c: -specs[c].size[1]):  # large things are hardest to fit
        companion = companions.get(category) if category not in seen else None
        seen.add(category)
        if place(scene, category, companion, max_overlap=0.25) is None:
            return None
    pool = [c for c, s in specs.items() if s.extra and c not in required]
    total = int(rng.integers(4, 9))
    for category in rng.permutation(pool)[: max(0, total - len(wanted))]:
        extra = str(category)
        companion = None
        if extra == "sofa" and rng.random() < 0.5:
            companion = ("cushion", int(rng.integers(1, 3)))
        elif extra == "person" and rng.random() < 0.3:
            companion = ("umbrella", 1)
        place(scene, extra, companion, max_overlap=0.45)
    if sum(1 for o in scene.objects if o.category != "cloud") < 4:
        return None  # too sparse to be a scene worth reasoning about
    return scene


def _add_companion(scene: Scene, host: Obj, companion: str, count: int) -> None:
    rng = scene.canvas.rng
    x0, y0, x1, y1 = host.bounds()
    w, h = x1 - x0, y1 - y0
    if companion == "cushion":
        spots = [(0.28 + 0.44 * k / max(count - 1, 1)) if count > 1 else float(rng.uniform(0.3, 0.7))
                 for k in range(count)]
        for fx in spots:
            host.attach(room.cushion(rng, x0 + w * fx, y0 + h * 0.42, w * 0.2))
    elif companion == "umbrella":  # held in the right hand, canopy above the head
        s = h / 0.975
        host.attach(room.umbrella(rng, (x0 + x1) / 2 + s * 0.15, y1 - s * 0.5, s), occludes=True)
    elif companion == "bag":
        host.attach(room.bag(rng, (x0 + x1) / 2 + w * 0.1, y1 - h * 0.47, h))
    elif companion == "spoon":
        host.attach(tabletop.spoon(rng, (x0 + x1) / 2 + w * 0.15, y0 + h * 0.02, w * 0.85, angle=-0.45))
    elif companion == "sticky note":
        host.attach(tabletop.sticky_note(rng, x0 + w * float(rng.uniform(0.2, 0.8)), y0 + h * 0.12, w * 0.11))
