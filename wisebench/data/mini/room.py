"""Things in a street or a living room; same builder convention as tabletop.py (rng, x, y, s, color)."""

from __future__ import annotations

import numpy as np

from wisebench.data.mini.draw import (
    COLORS,
    Obj,
    Part,
    bar,
    ellipse,
    jitter,
    pick,
    rect,
    rotate,
    rounded_rect,
    scaled,
)

Rng = np.random.Generator


def sun(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    r = s / 2
    parts = [Part(ellipse(x, y, r * 2.2, r * 2.2), (255, 244, 200), alpha=0.35, blur=r * 0.6, solid=False),
             Part(ellipse(x, y, r, r), (255, 226, 110), "sphere", 0.25, texture=1)]
    return Obj("sun", parts, None, shadow=False)


def cloud(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    parts = [Part(ellipse(x + dx * s, y + dy * s, s * r, s * r * 0.7), (250, 250, 252), alpha=0.7, blur=s * 0.05,
                  solid=False, texture=0)
             for dx, dy, r in ((-0.25, 0.05, 0.22), (0.0, -0.05, 0.3), (0.28, 0.04, 0.2), (0.05, 0.1, 0.3))]
    return Obj("cloud", parts, None, shadow=False, occluder=False)


def tree(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    bark = jitter((96, 66, 40), rng, 10)
    parts = [Part(bar(x, y, x, y - s * 0.6, s * 0.1, s * 0.06), bark, "cylinder", 0.5, texture=8)]
    green = jitter((60, 120, 50), rng, 14)
    for _ in range(int(rng.integers(6, 10))):
        cx, cy = x + s * float(rng.uniform(-0.2, 0.2)), y - s * float(rng.uniform(0.58, 0.82))
        r = s * float(rng.uniform(0.15, 0.24))
        parts.append(Part(ellipse(cx, cy, r, r * 0.92, n=36), jitter(green, rng, 10), "sphere", 0.6, texture=10))
    return Obj("tree", parts, None, base=y)


def house(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    wall = jitter(pick_wall(rng), rng, 10)
    roof = jitter((120, 50, 40) if rng.random() < 0.6 else (80, 84, 92), rng, 10)
    h = s * 0.62
    parts = [Part(rect(x + s * 0.2, y - h - s * 0.32, x + s * 0.3, y - h), scaled(roof, 0.8)),
             Part(rect(x - s / 2, y - h, x + s / 2, y), wall, strength=0.2, texture=5),
             Part(np.array([[x - s * 0.58, y - h + 2], [x, y - h - s * 0.38], [x + s * 0.58, y - h + 2]]), roof,
                  strength=0.3, texture=6)]
    obj = Obj("house", parts, None, base=y)
    side = 1.0 if rng.random() < 0.5 else -1.0
    obj.attach(door(rng, x + side * s * 0.22, y, h * 0.62))
    obj.attach(window(rng, x - side * s * 0.18, y - h * 0.55, s * 0.24))
    return obj


def pick_wall(rng: Rng) -> tuple[float, float, float]:
    return [(226, 214, 186), (196, 120, 90), (210, 222, 230), (238, 232, 220), (180, 196, 150)][int(rng.integers(5))]


def door(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["brown", "red", "blue", "green", "white"])
    c = jitter(scaled(COLORS[name], 0.9), rng, 8)
    w = s * 0.45
    parts = [Part(rect(x - w / 2, y - s, x + w / 2, y), c, strength=0.3, texture=5),
             Part(rect(x - w * 0.35, y - s * 0.9, x + w * 0.35, y - s * 0.55), scaled(c, 0.85)),
             Part(ellipse(x + w * 0.32, y - s * 0.48, s * 0.025, s * 0.025), (210, 180, 80), "sphere", 0.5)]
    return Obj("door", parts, name, shadow=False)


def window(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    frame = jitter((240, 240, 236), rng, 5)
    parts = [Part(rect(x - s / 2, y - s * 0.45, x + s / 2, y + s * 0.45), frame),
             Part(rect(x - s * 0.42, y - s * 0.38, x + s * 0.42, y + s * 0.38), jitter((120, 160, 200), rng, 10),
                  strength=0.8, texture=2),
             Part(rect(x - s * 0.03, y - s * 0.38, x + s * 0.03, y + s * 0.38), frame),
             Part(rect(x - s * 0.42, y - s * 0.03, x + s * 0.42, y + s * 0.03), frame)]
    return Obj("window", parts, None, shadow=False)


def car(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["red", "blue", "white", "black", "yellow", "gray", "green"])
    c = jitter(COLORS[name], rng, 8)
    d = 1.0 if rng.random() < 0.5 else -1.0
    cabin = np.array([[-0.34, -0.3], [-0.2, -0.52], [0.14, -0.52], [0.32, -0.3]]) * [d * s, s] + [x, y]
    glass = jitter((60, 76, 96), rng, 8)
    win1 = np.array([[-0.28, -0.31], [-0.18, -0.48], [-0.04, -0.48], [-0.04, -0.31]]) * [d * s, s] + [x, y]
    win2 = np.array([[0.0, -0.31], [0.0, -0.48], [0.12, -0.48], [0.25, -0.31]]) * [d * s, s] + [x, y]
    parts = [Part(cabin, c, strength=0.3), Part(rounded_rect(x - s / 2, y - s * 0.32, x + s / 2, y - s * 0.1, s * 0.06),
                                                c, strength=0.45),
             Part(win1, glass, strength=-0.6), Part(win2, glass, strength=-0.6),
             Part(rect(x + d * s * 0.44 - s * 0.04, y - s * 0.27, x + d * s * 0.44 + s * 0.04, y - s * 0.22),
                  (250, 236, 170))]
    for wx in (x - s * 0.3, x + s * 0.3):
        parts += [Part(ellipse(wx, y - s * 0.11, s * 0.11, s * 0.11), (28, 28, 30), "sphere", 0.3),
                  Part(ellipse(wx, y - s * 0.11, s * 0.055, s * 0.055), (170, 172, 178), "sphere", 0.5)]
    return Obj("car", parts, name, base=y)


def traffic_light(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    lit = int(rng.integers(3))
    parts = [Part(bar(x, y, x, y - s * 0.7, s * 0.035), (96, 100, 104), "cylinder", 0.5),
             Part(rounded_rect(x - s * 0.075, y - s, x + s * 0.075, y - s * 0.66, s * 0.02), (36, 38, 36))]
    for i, hue in enumerate([(235, 40, 30), (245, 190, 30), (40, 210, 90)]):
        cy = y - s * (0.94 - 0.11 * i)
        parts.append(Part(ellipse(x, cy, s * 0.042, s * 0.042), hue if i == lit else scaled(hue, 0.3), "sphere", 0.4))
        if i == lit:
            parts.append(Part(ellipse(x, cy, s * 0.1, s * 0.1), hue, alpha=0.3, blur=s * 0.03, solid=False))
    return Obj("traffic light", parts, None, base=y)


def lamp_post(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    c = jitter((52, 64, 58), rng, 6)
    parts = [Part(bar(x, y, x, y - s, s * 0.03, s * 0.022), c, "cylinder", 0.5),
             Part(rect(x - s * 0.03, y - s * 0.05, x + s * 0.03, y), c),
             Part(np.array([[x - s * 0.05, y - s], [x + s * 0.05, y - s], [x + s * 0.035, y - s * 1.08],
                            [x - s * 0.035, y - s * 1.08]]), (230, 226, 190))]
    return Obj("lamp post", parts, None, base=y)


def person(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["red", "blue", "green", "yellow", "white", "purple", "orange"])
    shirt, skin = jitter(COLORS[name], rng, 8), jitter(pick_skin(rng), rng, 6)
    pants, hair = jitter((50, 58, 80), rng, 12), jitter((40, 30, 24), rng, 12)
    hx, hy, r = x, y - s * 0.9, s * 0.065
    parts = [Part(bar(x - s * 0.05, y - s * 0.48, x - s * 0.06, y - s * 0.02, s * 0.08), pants, "cylinder"),
             Part(bar(x + s * 0.05, y - s * 0.48, x + s * 0.07, y - s * 0.02, s * 0.08), pants, "cylinder"),
             Part(ellipse(x - s * 0.07, y - s * 0.015, s * 0.05, s * 0.02), (30, 30, 30)),
             Part(ellipse(x + s * 0.08, y - s * 0.015, s * 0.05, s * 0.02), (30, 30, 30)),
             Part(bar(x - s * 0.12, y - s * 0.79, x - s * 0.15, y - s * 0.5, s * 0.055), scaled(shirt, 0.9)),
             Part(bar(x + s * 0.12, y - s * 0.79, x + s * 0.15, y - s * 0.5, s * 0.055), scaled(shirt, 0.9)),
             Part(np.array([[x - s * 0.13, y - s * 0.82], [x + s * 0.13, y - s * 0.82], [x + s * 0.1, y - s * 0.46],
                            [x - s * 0.1, y - s * 0.46]]), shirt, "cylinder", 0.4),
             Part(ellipse(hx, hy + r * 0.1, r, r * 1.15), skin, "sphere", 0.4),
             Part(ellipse(hx, hy - r * 0.35, r * 1.05, r * 0.8, start=np.pi, stop=2 * np.pi), hair)]
    return Obj("person", parts, name, base=y)


def pick_skin(rng: Rng) -> tuple[float, float, float]:
    return [(236, 196, 170), (200, 150, 110), (140, 96, 66), (96, 64, 46)][int(rng.integers(4))]


def umbrella(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    """Held up by a person: (x, y) is the hand, s the person's height."""
    name = color or pick(rng, ["red", "blue", "yellow", "black", "purple", "pink"])
    c = jitter(COLORS[name], rng, 8)
    cy, rx, ry = y - s * 0.56, s * 0.3, s * 0.16
    top = ellipse(x, cy, rx, ry, start=np.pi, stop=2 * np.pi, n=30)
    scallops = [ellipse(x + rx * (1 - 2 * (i + 0.5) / 5), cy, rx / 5, s * 0.03, start=0.0, stop=np.pi, n=8)[::-1]
                for i in range(5)]
    canopy = np.concatenate([top] + scallops)
    parts = [Part(bar(x, y + s * 0.03, x, cy, s * 0.016), (50, 50, 50)), Part(canopy, c, strength=0.5, texture=3)]
    return Obj("umbrella", parts, name, shadow=False)


def bag(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    """A shoulder bag on a person of height s whose hip is at (x, y)."""
    c = jitter(pick_bag(rng), rng, 8)
    parts = [Part(bar(x - s * 0.2, y - s * 0.34, x, y - s * 0.02, s * 0.02), scaled(c, 0.8)),
             Part(rounded_rect(x - s * 0.02, y - s * 0.06, x + s * 0.12, y + s * 0.05, s * 0.015), c, strength=0.3)]
    return Obj("bag", parts, None, shadow=False)


def pick_bag(rng: Rng) -> tuple[float, float, float]:
    return [(110, 70, 40), (40, 40, 44), (170, 60, 50)][int(rng.integers(3))]


def sofa(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["gray", "blue", "green", "brown", "red", "beige", "teal"])
    c = jitter(COLORS[name], rng, 8)
    parts = [Part(rect(x - s * 0.44, y - s * 0.06, x - s * 0.4, y), (50, 36, 26)),
             Part(rect(x + s * 0.4, y - s * 0.06, x + s * 0.44, y), (50, 36, 26)),
             Part(rounded_rect(x - s * 0.42, y - s * 0.6, x + s * 0.42, y - s * 0.25, s * 0.05), scaled(c, 0.85),
                  strength=0.3, texture=6),
             Part(rounded_rect(x - s * 0.44, y - s * 0.32, x + s * 0.44, y - s * 0.05, s * 0.03), c, strength=0.3,
                  texture=6)]
    for sx in (-1, 1):
        parts.append(Part(rounded_rect(x + sx * s * 0.44 - s * 0.07, y - s * 0.44, x + sx * s * 0.44 + s * 0.07,
                                       y - s * 0.05, s * 0.05), scaled(c, 0.95), "cylinder", 0.4, texture=6))
    parts += [Part(rect(x - s * 0.005 + dx * s, y - s * 0.3, x + s * 0.005 + dx * s, y - s * 0.2), scaled(c, 0.7),
                   solid=False) for dx in (-0.12, 0.12)]
    return Obj("sofa", parts, name, base=y)


def cushion(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["yellow", "orange", "pink", "red", "white", "teal", "purple"])
    t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    r = s / 2 / (np.abs(np.cos(t)) ** 4 + np.abs(np.sin(t)) ** 4) ** 0.25  # a puffy rounded square
    poly = rotate(np.stack([x + r * np.cos(t), y + r * np.sin(t) * 0.9], axis=1), float(rng.uniform(-0.25, 0.25)), x, y)
    return Obj("cushion", [Part(poly, jitter(COLORS[name], rng, 8), "sphere", 0.5, texture=6)], name, shadow=False)


def tv(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    frame = jitter((30, 30, 34), rng, 4)
    parts = [Part(np.array([[x - s * 0.15, y], [x + s * 0.15, y], [x + s * 0.1, y - s * 0.03], [x - s * 0.1, y - s * 0.03]]),
                  frame), Part(rect(x - s * 0.03, y - s * 0.1, x + s * 0.03, y - s * 0.02), frame),
             Part(rounded_rect(x - s / 2, y - s * 0.66, x + s / 2, y - s * 0.08, s * 0.01), frame),
             Part(rect(x - s * 0.48, y - s * 0.64, x + s * 0.48, y - s * 0.1), jitter((26, 34, 48), rng, 6),
                  strength=-0.5, texture=2)]
    if rng.random() < 0.5:  # switched on: a picture of a landscape
        parts += [Part(rect(x - s * 0.48, y - s * 0.64, x + s * 0.48, y - s * 0.1), (90, 150, 210), strength=0.6),
                  Part(np.array([[x - s * 0.48, y - s * 0.1], [x - s * 0.48, y - s * 0.3], [x - s * 0.1, y - s * 0.4],
                                 [x + s * 0.48, y - s * 0.25], [x + s * 0.48, y - s * 0.1]]), (70, 140, 70))]
    return Obj("tv", parts, None, base=y)


def cabinet(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    wood = jitter((130, 92, 60), rng, 12)
    parts = [Part(rect(x - s / 2, y - s * 0.25, x + s / 2, y), wood, strength=0.3, texture=7),
             Part(rect(x - s / 2, y - s * 0.27, x + s / 2, y - s * 0.23), scaled(wood, 1.15))]
    parts += [Part(rect(x + dx * s - s * 0.2, y - s * 0.2, x + dx * s + s * 0.2, y - s * 0.04), scaled(wood, 0.9),
                   solid=False) for dx in (-0.24, 0.24)]
    return Obj("cabinet", parts, None, base=y)


def clock(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["black", "red", "blue", "white", "brown"])
    r = s / 2
    parts = [Part(ellipse(x, y, r, r), jitter(COLORS[name], rng, 6), "sphere", 0.4),
             Part(ellipse(x, y, r * 0.85, r * 0.85), (244, 242, 234), "sphere", 0.15, texture=2)]
    for k in range(12):
        a = k * np.pi / 6
        parts.append(Part(bar(x + r * 0.7 * np.cos(a), y + r * 0.7 * np.sin(a), x + r * 0.8 * np.cos(a),
                              y + r * 0.8 * np.sin(a), r * 0.05), (40, 40, 40)))
    for length, width in ((0.45, 0.08), (0.7, 0.05)):
        a = float(rng.uniform(0, 2 * np.pi))
        parts.append(Part(bar(x, y, x + r * length * np.cos(a), y + r * length * np.sin(a), r * width), (30, 30, 30)))
    return Obj("clock", parts, name, wall=True)


def rug(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["red", "blue", "beige", "green", "purple"])
    c, trim = jitter(COLORS[name], rng, 10), jitter((230, 220, 190), rng, 10)
    d = s * 0.3

    def quad(k: float) -> np.ndarray:
        return np.array([[x - s / 2 * k, y + d / 2 * k], [x + s / 2 * k, y + d / 2 * k], [x + s * 0.4 * k, y - d / 2 * k],
                         [x - s * 0.4 * k, y - d / 2 * k]])

    parts = [Part(quad(1.0), c, texture=10), Part(quad(0.84), trim, texture=8), Part(quad(0.74), c, texture=10),
             Part(ellipse(x, y, s * 0.15, d * 0.18), scaled(trim, 0.9), texture=8)]
    return Obj("rug", parts, name, flat=True)


def floor_lamp(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    c = jitter((40, 40, 42) if rng.random() < 0.5 else (190, 170, 120), rng, 6)
    shade = jitter((240, 228, 196), rng, 8)
    parts = [Part(ellipse(x, y - s * 0.06, s * 0.25, s * 0.22), (255, 240, 190), alpha=0.25, blur=s * 0.05, solid=False),
             Part(ellipse(x, y - s * 0.015, s * 0.1, s * 0.025), c, strength=0.4),
             Part(bar(x, y - s * 0.02, x, y - s * 0.84, s * 0.022), c, "cylinder", 0.5),
             Part(np.array([[x - s * 0.09, y - s], [x + s * 0.09, y - s], [x + s * 0.14, y - s * 0.8],
                            [x - s * 0.14, y - s * 0.8]]), shade, "cylinder", 0.3)]
    parts[0].poly = parts[0].poly - [0, s * 0.9]
    return Obj("floor lamp", parts, None, base=y)


def picture(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    frame = jitter([(60, 40, 24), (30, 30, 30), (190, 150, 60)][int(rng.integers(3))], rng, 6)
    h = s * float(rng.uniform(0.65, 0.85))
    sky, hill = jitter((140, 180, 220), rng, 20), jitter((90, 140, 80), rng, 20)
    parts = [Part(rect(x - s / 2, y - h / 2, x + s / 2, y + h / 2), frame, strength=0.3),
             Part(rect(x - s * 0.42, y - h * 0.4, x + s * 0.42, y + h * 0.4), sky, strength=0.5, texture=3),
             Part(ellipse(x, y + h * 0.4, s * 0.5, h * 0.35, start=np.pi, stop=2 * np.pi), hill, texture=4)]
    parts[2].poly = np.clip(parts[2].poly, [x - s * 0.42, y - h], [x + s * 0.42, y + h])
    return Obj("picture", parts, None, wall=True)
