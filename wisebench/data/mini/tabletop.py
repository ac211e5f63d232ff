"""Things that sit on a table or a desk. Each builder takes (rng, x, y, s, color): (x, y) is the bottom centre of a
standing thing or the centre of a flat one, s its main size in pixels; color is a COLORS name or None (random)."""

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
_METAL = (186, 189, 196)


def _cup_body(x: float, top: float, bottom: float, half_w: float, rim_ry: float) -> np.ndarray:
    """A cylinder seen slightly from above: the rim's far half, then the near half of the base ellipse."""
    upper = ellipse(x, top, half_w, rim_ry, start=np.pi, stop=2 * np.pi, n=24)
    lower = ellipse(x, bottom - rim_ry * 0.8, half_w * 0.92, rim_ry * 0.8, start=0.0, stop=np.pi, n=24)
    return np.concatenate([upper, lower])


def plate(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["white", "white", "beige", "blue", "green"])
    c = jitter(COLORS[name], rng, 6)
    rx, ry = s / 2, s * 0.2
    parts = [Part(ellipse(x, y, rx, ry), c, strength=0.15),
             Part(ellipse(x, y + ry * 0.06, rx * 0.68, ry * 0.64), scaled(c, 0.92), strength=-0.2),
             Part(ellipse(x - rx * 0.1, y - ry * 0.55, rx * 0.55, ry * 0.2), (255, 255, 255), alpha=0.25, blur=2,
                  solid=False)]
    return Obj("plate", parts, name, flat=True)


def bowl(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["white", "blue", "red", "yellow", "teal"])
    c = jitter(COLORS[name], rng, 8)
    rx, rim_ry, top = s / 2, s * 0.14, y - s * 0.42
    body = np.concatenate([ellipse(x, top, rx, rim_ry, start=np.pi, stop=2 * np.pi, n=24),
                           ellipse(x, top, rx, s * 0.4, start=0.0, stop=np.pi, n=32)])
    soup = jitter(pick_soup(rng), rng, 8)
    parts = [Part(rect(x - s * 0.16, y - s * 0.06, x + s * 0.16, y), scaled(c, 0.8), strength=0.1),
             Part(body, c, "cylinder", 0.45),
             Part(ellipse(x, top, rx * 0.92, rim_ry * 0.78), soup, strength=-0.3, texture=7)]
    return Obj("bowl", parts, name, base=y)


def pick_soup(rng: Rng) -> tuple[float, float, float]:
    return [(214, 120, 46), (236, 228, 205), (150, 92, 48), (118, 150, 62)][int(rng.integers(4))]


def mug(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["red", "blue", "white", "yellow", "green", "black", "orange"])
    c = jitter(COLORS[name], rng, 8)
    w, top, side = s * 0.78, y - s, 1.0 if rng.random() < 0.6 else -1.0
    rim_ry = w * 0.16
    hx, hy = x + side * w * 0.46, top + s * 0.48
    outer = ellipse(hx, hy, s * 0.28, s * 0.3, start=-1.4, stop=1.4, n=20)
    inner = ellipse(hx, hy, s * 0.15, s * 0.17, start=1.3, stop=-1.3, n=20)
    handle = np.concatenate([outer, inner])
    if side < 0:
        handle = np.stack([2 * hx - handle[:, 0], handle[:, 1]], axis=1)
    drink = (92, 56, 34) if rng.random() < 0.6 else (178, 120, 70)
    parts = [Part(handle, scaled(c, 0.9), "cylinder", 0.3),
             Part(_cup_body(x, top, y, w / 2, rim_ry), c, "cylinder", 0.5),
             Part(ellipse(x, top, w * 0.44, rim_ry * 0.8), scaled(c, 0.55), strength=0.2),
             Part(ellipse(x, top + rim_ry * 0.25, w * 0.4, rim_ry * 0.55), drink, strength=-0.2)]
    return Obj("mug", parts, name, base=y)


def spoon(rng: Rng, x: float, y: float, s: float, angle: float = 0.0) -> Obj:
    parts = [Part(bar(x - s / 2, y, x + s * 0.2, y, s * 0.045, s * 0.03), _METAL, strength=0.5),
             Part(ellipse(x + s * 0.34, y, s * 0.16, s * 0.085), _METAL, "sphere", 0.5)]
    for part in parts:
        part.poly = rotate(part.poly, angle, x, y)
    return Obj("spoon", parts, None, flat=True)


def fork(rng: Rng, x: float, y: float, s: float, angle: float = 0.0) -> Obj:
    parts = [Part(bar(x - s / 2, y, x + s * 0.16, y, s * 0.05, s * 0.035), _METAL, strength=0.5),
             Part(rounded_rect(x + s * 0.14, y - s * 0.055, x + s * 0.27, y + s * 0.055, s * 0.03), _METAL)]
    parts += [Part(bar(x + s * 0.25, y + dy * s, x + s * 0.5, y + dy * s, s * 0.02), _METAL, strength=0.4)
              for dy in (-0.043, -0.014, 0.014, 0.043)]
    for part in parts:
        part.poly = rotate(part.poly, angle, x, y)
    return Obj("fork", parts, None, flat=True)


def knife(rng: Rng, x: float, y: float, s: float, angle: float = 0.0) -> Obj:
    handle = jitter((44, 36, 32) if rng.random() < 0.5 else (120, 76, 40), rng, 6)
    blade = np.array([[x - s * 0.14, y - s * 0.04], [x + s * 0.36, y - s * 0.04], [x + s * 0.5, y - s * 0.005],
                      [x + s * 0.42, y + s * 0.03], [x - s * 0.14, y + s * 0.03]])
    parts = [Part(blade, _METAL, strength=0.6),
             Part(rounded_rect(x - s / 2, y - s * 0.045, x - s * 0.1, y + s * 0.04, s * 0.03), handle, strength=0.4)]
    for part in parts:
        part.poly = rotate(part.poly, angle, x, y)
    return Obj("knife", parts, None, flat=True)


def bottle(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["green", "brown", "blue", "clear"])
    c = jitter({"clear": (186, 206, 212)}.get(name, scaled(COLORS.get(name, (0, 0, 0)), 0.75)), rng, 6)
    w = s * 0.3
    shoulder = np.concatenate([[[x - w / 2, y - s * 0.6]], ellipse(x, y - s * 0.6, w / 2, s * 0.16, start=np.pi,
                                                                   stop=2 * np.pi, n=16)])
    label = jitter((230, 222, 200) if rng.random() < 0.5 else (200, 50, 50), rng, 10)
    parts = [Part(rounded_rect(x - w / 2, y - s * 0.62, x + w / 2, y, w * 0.12), c, "cylinder", 0.5),
             Part(shoulder, c, "cylinder", 0.5),
             Part(rect(x - w * 0.16, y - s * 0.92, x + w * 0.16, y - s * 0.7), c, "cylinder", 0.5),
             Part(rect(x - w * 0.2, y - s, x + w * 0.2, y - s * 0.9), jitter((180, 160, 60), rng, 30), "cylinder"),
             Part(rect(x - w / 2, y - s * 0.45, x + w / 2, y - s * 0.2), label, "cylinder", 0.4),
             Part(bar(x - w * 0.28, y - s * 0.55, x - w * 0.28, y - s * 0.06, w * 0.08), (255, 255, 255), alpha=0.35,
                  blur=1.5, solid=False)]
    return Obj("bottle", parts, name if name != "clear" else None, base=y)


def apple(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["red", "red", "green"])
    c = jitter({"red": (176, 28, 34), "green": (128, 172, 52)}[name], rng, 10)
    r, cy = s / 2, y - s / 2
    t = np.linspace(0, 2 * np.pi, 60, endpoint=False)
    dip = 0.12 * np.exp(-((np.angle(np.exp(1j * (t + np.pi / 2)))) ** 2) / 0.12)  # the dimple at the stem
    radius = r * (1 - dip) * (1 - 0.05 * np.sin(t) ** 8)
    body = np.stack([x + radius * np.cos(t), cy + radius * np.sin(t) * 0.95], axis=1)
    parts = [Part(body, c, "sphere", 0.7, texture=5),
             Part(bar(x, cy - r * 0.8, x + r * 0.15, cy - r * 1.25, r * 0.1), (88, 58, 30)),
             Part(ellipse(x + r * 0.35, cy - r * 1.1, r * 0.25, r * 0.1, angle=-0.5), (70, 130, 40))]
    return Obj("apple", parts, name, base=y)


def banana(rng: Rng, x: float, y: float, s: float, angle: float = 0.0) -> Obj:
    cx, cy, ro = x, y - s * 0.5, s * 0.62
    t = np.linspace(np.deg2rad(52), np.deg2rad(128), 30)
    thick = s * (0.03 + 0.12 * np.sin(np.pi * (t - t[0]) / (t[-1] - t[0])) ** 0.7)
    outer = np.stack([cx + ro * np.cos(t), cy + ro * np.sin(t)], axis=1)
    inner = np.stack([cx + (ro - thick) * np.cos(t), cy + (ro - thick) * np.sin(t)], axis=1)[::-1]
    tip = outer[0] * 0.5 + inner[-1] * 0.5
    parts = [Part(np.concatenate([outer, inner]), jitter((232, 200, 62), rng, 8), strength=0.5),
             Part(ellipse(tip[0], tip[1], s * 0.03, s * 0.025), (78, 60, 30))]
    for part in parts:
        part.poly = rotate(part.poly, angle, x, y)
    return Obj("banana", parts, None, flat=True)


def laptop(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["gray", "gray", "black", "white"])
    c = jitter(COLORS[name], rng, 5)
    back = y - s * 0.2
    deck = np.array([[x - s / 2, y], [x + s / 2, y], [x + s * 0.43, back], [x - s * 0.43, back]])
    keys = np.array([[x - s * 0.4, back + s * 0.13], [x + s * 0.4, back + s * 0.13], [x + s * 0.37, back + s * 0.02],
                     [x - s * 0.37, back + s * 0.02]])
    lid = np.array([[x - s * 0.43, back], [x + s * 0.43, back], [x + s * 0.41, back - s * 0.6],
                    [x - s * 0.41, back - s * 0.6]])
    screen = rect(x - s * 0.38, back - s * 0.56, x + s * 0.38, back - s * 0.04)
    glow = jitter((70, 120, 190) if rng.random() < 0.6 else (40, 150, 120), rng, 15)
    parts = [Part(deck, c, strength=0.3), Part(keys, scaled(c, 0.55), texture=8),
             Part(rect(x - s * 0.1, y - s * 0.06, x + s * 0.1, y - s * 0.015), scaled(c, 0.85)),
             Part(lid, scaled(c, 0.7), strength=0.2), Part(screen, glow, strength=0.8, texture=3),
             Part(rect(x - s * 0.3, back - s * 0.48, x + s * 0.05, back - s * 0.22), (235, 238, 242), alpha=0.8,
                  solid=False)]
    return Obj("laptop", parts, name, base=y)


def desk_lamp(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["black", "white", "red", "teal", "yellow"])
    c = jitter(COLORS[name], rng, 6)
    d = 1.0 if rng.random() < 0.5 else -1.0
    elbow, head = (x + d * s * 0.16, y - s * 0.62), (x + d * s * 0.42, y - s * 0.78)
    shade = np.array([[-0.08, -0.02], [0.08, -0.02], [0.17, 0.2], [-0.17, 0.2]]) * s + head
    shade = rotate(shade, d * 0.5, head[0], head[1])
    light = ellipse(head[0] + d * s * 0.12, y - s * 0.05, s * 0.3, s * 0.08)
    parts = [Part(light, (255, 236, 170), alpha=0.25, blur=8, solid=False),
             Part(_cup_body(x, y - s * 0.08, y, s * 0.2, s * 0.05), c, "cylinder", 0.4),
             Part(bar(x, y - s * 0.06, *elbow, s * 0.04), scaled(c, 0.9), "cylinder"),
             Part(bar(*elbow, *head, s * 0.035), scaled(c, 0.9), "cylinder"),
             Part(shade, c, "cylinder", 0.5)]
    return Obj("lamp", parts, name, base=y)


def book(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    name = color or pick(rng, ["red", "blue", "green", "purple", "orange", "teal", "brown"])
    c = jitter(COLORS[name], rng, 10)
    th, depth, skew = s * 0.08, s * 0.42, s * float(rng.uniform(-0.08, 0.08))
    cover = np.array([[x - s / 2, y - th], [x + s / 2, y - th], [x + s * 0.45 + skew, y - th - depth],
                      [x - s * 0.45 + skew, y - th - depth]])
    parts = [Part(rect(x - s / 2, y - th, x + s / 2, y), (232, 226, 208), texture=9),
             Part(rect(x - s / 2, y - th, x - s * 0.44, y), scaled(c, 0.8)),
             Part(cover, c, strength=0.3, texture=5),
             Part(rect(x - s * 0.1, y - th - depth * 0.7, x + s * 0.2, y - th - depth * 0.55), (240, 230, 200),
                  alpha=0.7)]
    return Obj("book", parts, name, flat=True)


def pen(rng: Rng, x: float, y: float, s: float, angle: float = 0.0) -> Obj:
    name = pick(rng, ["blue", "black", "red", "green"])
    c = jitter(COLORS[name], rng, 8)
    parts = [Part(bar(x - s / 2, y, x + s * 0.38, y, s * 0.05), c, strength=0.6),
             Part(np.array([[x + s * 0.38, y - s * 0.025], [x + s / 2, y], [x + s * 0.38, y + s * 0.025]]),
                  (200, 200, 205)),
             Part(bar(x - s * 0.45, y - s * 0.03, x - s * 0.2, y - s * 0.03, s * 0.015), _METAL)]
    for part in parts:
        part.poly = rotate(part.poly, angle, x, y)
    return Obj("pen", parts, name, flat=True)


def phone(rng: Rng, x: float, y: float, s: float, angle: float = 0.0) -> Obj:
    name = pick(rng, ["black", "black", "white", "blue"])
    body = rounded_rect(x - s * 0.25, y - s / 2, x + s * 0.25, y + s / 2, s * 0.07)
    screen = rounded_rect(x - s * 0.22, y - s * 0.44, x + s * 0.22, y + s * 0.44, s * 0.04)
    parts = [Part(body, jitter(COLORS[name], rng, 5), strength=0.3),
             Part(screen, jitter((30, 40, 70), rng, 10), strength=0.7)]
    for part in parts:
        part.poly = rotate(part.poly, angle, x, y)
    return Obj("phone", parts, name, flat=True)


def ruler(rng: Rng, x: float, y: float, s: float, angle: float = 0.0) -> Obj:
    c = jitter((222, 196, 120) if rng.random() < 0.5 else (210, 220, 225), rng, 8)
    parts = [Part(rect(x - s / 2, y - s * 0.04, x + s / 2, y + s * 0.04), c, strength=0.3)]
    parts += [Part(rect(x - s / 2 + t, y - s * 0.04, x - s / 2 + t + 1.2, y - s * (0.01 if i % 5 else -0.01)),
                   (60, 50, 40), solid=False) for i, t in enumerate(np.arange(s * 0.03, s * 0.98, s * 0.03))]
    for part in parts:
        part.poly = rotate(part.poly, angle, x, y)
    return Obj("ruler", parts, None, flat=True)


def potted_plant(rng: Rng, x: float, y: float, s: float, color: str | None = None) -> Obj:
    pot = jitter(pick_pot(rng), rng, 8)
    top = y - s * 0.35
    pot_poly = np.array([[x - s * 0.16, top], [x + s * 0.16, top], [x + s * 0.12, y], [x - s * 0.12, y]])
    parts = [Part(pot_poly, pot, "cylinder", 0.5), Part(rect(x - s * 0.18, top - s * 0.05, x + s * 0.18, top),
                                                        scaled(pot, 1.08), "cylinder", 0.4)]
    leaves = []
    for _ in range(int(rng.integers(7, 12))):
        a = -np.pi / 2 + float(rng.uniform(-1.1, 1.1))
        length = s * float(rng.uniform(0.32, 0.6))
        cx, cy = x + np.cos(a) * length * 0.5, top - s * 0.03 + np.sin(a) * length * 0.5
        green = jitter((56, 130, 52), rng, 18)
        leaves.append(Part(ellipse(cx, cy, length / 2, length * 0.14, angle=a), green, strength=0.4, texture=6))
    return Obj("plant", leaves + parts, None, base=y)


def pick_pot(rng: Rng) -> tuple[float, float, float]:
    return [(176, 92, 58), (232, 230, 224), (60, 90, 150), (90, 90, 92)][int(rng.integers(4))]


def sticky_note(rng: Rng, x: float, y: float, s: float) -> Obj:
    c = jitter(pick_note(rng), rng, 6)
    poly = rotate(rect(x - s / 2, y - s / 2, x + s / 2, y + s / 2), float(rng.uniform(-0.3, 0.3)), x, y)
    return Obj("sticky note", [Part(poly, c, strength=0.2)], None, flat=True)


def pick_note(rng: Rng) -> tuple[float, float, float]:
    return [(250, 230, 90), (250, 170, 190), (150, 220, 240)][int(rng.integers(3))]
