"""Where the text label of each point of a scatter goes, decided in Python once, so that no two labels overlap at any
plot width from MIN_PLOT_WIDTH up (a phone) to the widest page.

The chart fixes its height and its x / y domains (padded, nice=False), so a point sits at a known fraction of the plot
on both axes. Its label is a box of constant pixel size (estimated from the text: FONT_SIZE, a conservative width per
character, capped at LABEL_LIMIT where the text mark truncates) at a constant pixel offset from the point: to its right,
left, above or below, or diagonally. Each label takes the first candidate that stays inside the plot and is apart from
every label placed before it and from every point marker (markers are boxes of constant size around their points);
a label that fits nowhere is dropped (its point keeps its tooltip, and the view lists it).

Why deciding at MIN_PLOT_WIDTH holds at every wider plot: the height is fixed, so vertical positions, and whether two
boxes are apart vertically, do not depend on the width. Horizontally, a box spans [f * W + a, f * W + b], f the point's
fraction, a and b constant offsets. For two boxes with f1 <= f2 the gap from the first box's right end to the second
box's left end is (f2 - f1) * W + (a2 - b1): it never shrinks as W grows. The gap the other way round, the box of
the point further right lying left of the other box (a label aligned left of its point against one aligned right of a
point left of it, "crossed"), is (f1 - f2) * W + (a1 - b2): it shrinks as W grows and turns into an overlap at some
width. So two boxes count as apart only when they are apart vertically, or horizontally in the order of their points
(either order when both points have the same fraction: then the gap is constant). Staying inside the plot holds too:
the room left of a box, f * W + a, and right of it, (1 - f) * W - b, only grow with W.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

MIN_PLOT_WIDTH = 250  # px: the plot on a 360 px phone is 258 (the page less Streamlit's margins, the y axis, padding)
FONT_SIZE = 11
LINE_HEIGHT = 16  # px: one line at FONT_SIZE (about 14 px from ascender to descender) and a pixel either side
LABEL_LIMIT = 140  # px: the text mark truncates longer labels with an ellipsis (Vega's `limit`)
MARKER_RADIUS = 7  # px: half the side of the box kept clear around every point marker (size 110 and its stroke)
GAP = 3  # px between a marker and its label
# Upper bounds of glyph widths as a fraction of the font size (sans-serif): wide letters, other capitals and digits,
# everything else. Overestimating only drops a label that would have fit.
WIDE = set("MWmw@%&")
WIDE_EM, CAPITAL_EM, OTHER_EM = 0.95, 0.75, 0.62


@dataclass(frozen=True)
class Placement:
    """A label's Vega text offsets from its point (baseline middle) and which end of the text sits at dx."""

    dx: float
    dy: float
    align: str  # "left": the text starts at dx; "right": it ends there; "center": it is centred on it


@dataclass(frozen=True)
class Box:
    """A box `left`..`right` px from the point at fraction `anchor` of the plot's width, `top`..`bottom` px from the
    top of the plot (fixed: the height does not change)."""

    anchor: float
    left: float
    right: float
    top: float
    bottom: float

    def span(self, width: float) -> tuple[float, float]:
        """The box's pixels from the plot's left edge at plot width `width`."""
        x = self.anchor * width
        return x + self.left, x + self.right


def text_width(text: str) -> float:
    estimate = sum(FONT_SIZE * (WIDE_EM if char in WIDE else CAPITAL_EM if char.isupper() or char.isdigit() else OTHER_EM) for char in text)
    return min(estimate, LABEL_LIMIT)


def candidates(on_front: bool = False) -> list[Placement]:
    """Right, left, above, below, then the four diagonals. A point on a Pareto front (drawn as steps up and to the
    right) tries left and above-left first: its line leaves it to the right, and no point of its kind lies above-left
    of it."""
    side = MARKER_RADIUS + GAP
    vertical = MARKER_RADIUS + GAP + LINE_HEIGHT / 2
    right, left, above, below = Placement(side, 0, "left"), Placement(-side, 0, "right"), Placement(0, -vertical, "center"), Placement(0, vertical, "center")
    above_right, below_right = Placement(side, -vertical, "left"), Placement(side, vertical, "left")
    above_left, below_left = Placement(-side, -vertical, "right"), Placement(-side, vertical, "right")
    if on_front:
        return [left, above_left, above, right, above_right, below, below_left, below_right]
    return [right, left, above, below, above_right, below_right, above_left, below_left]


def label_box(x: float, y: float, text: str, placement: Placement, height: float) -> Box:
    """The box of `text` placed at `placement` from the point at fractions (x, y) of the plot (y from the bottom)."""
    width = text_width(text)
    start = {"left": 0.0, "right": -width, "center": -width / 2}[placement.align] + placement.dx
    middle = (1 - y) * height + placement.dy
    return Box(x, start, start + width, middle - LINE_HEIGHT / 2, middle + LINE_HEIGHT / 2)


def marker_box(x: float, y: float, height: float) -> Box:
    middle = (1 - y) * height
    return Box(x, -MARKER_RADIUS, MARKER_RADIUS, middle - MARKER_RADIUS, middle + MARKER_RADIUS)


def apart(first: Box, second: Box, width: float = MIN_PLOT_WIDTH) -> bool:
    """Whether the boxes are apart at `width` and at every wider plot (the module's docstring says why)."""
    if first.bottom <= second.top or second.bottom <= first.top:
        return True
    if first.anchor == second.anchor:
        return first.right <= second.left or second.right <= first.left
    left_box, right_box = (first, second) if first.anchor < second.anchor else (second, first)
    return left_box.span(width)[1] <= right_box.span(width)[0]


def inside(box: Box, height: float, width: float = MIN_PLOT_WIDTH) -> bool:
    start, end = box.span(width)
    return start >= 0 and end <= width and box.top >= 0 and box.bottom <= height


def place_labels(
    points: Sequence[tuple[float, float]], texts: Sequence[str], height: float, width: float = MIN_PLOT_WIDTH, on_front: Sequence[bool] = ()
) -> list[Placement | None]:
    """A placement per point (fractions (x, y) of the plot, y from the bottom), or None where its label fits
    nowhere; earlier points are placed first. Empty texts are not drawn; `on_front`: which points are on a Pareto
    front (candidates() tries other sides first)."""
    markers = [marker_box(x, y, height) for x, y in points]
    placed: list[Box] = []
    chosen: list[Placement | None] = []
    fronts = list(on_front) + [False] * (len(points) - len(on_front))
    for (x, y), text, front in zip(points, texts, fronts):
        choice = None
        for placement in candidates(front) if text else []:
            box = label_box(x, y, text, placement, height)
            if inside(box, height, width) and all(apart(box, other, width) for other in placed + markers):
                choice = placement
                placed.append(box)
                break
        chosen.append(choice)
    return chosen
