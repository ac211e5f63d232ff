"""The arithmetic of WISE's and PixelThink's rewards, on numbers: box IoU, box L1, point distance, the
self-distillation score, PixelThink's length budget and score, mask IoU. How a completion's text becomes those
numbers (which JSON, which keys, which format pattern) is reward_rules.py.

Read from mrazhou/WISE verl/utils/reward_score/seg_restrict.py (the reward WISE trains with:
training_scripts/seg_zero_7b.yaml:53 sets compute_score: seg_strict) and songw-zju/PixelThink
verl/utils/reward_score/seg_pixelthink.py and length.py; docs/training.md and docs/fidelity.md give file:line.
- box IoU: integer-pixel boxes with the +1 convention, overlap only when x1 < x2 and y1 < y2 strictly
  (seg_restrict.py:44-56). WISE rewards the continuous IoU, PixelThink 1 when IoU > 0.5.
- box L1: 1 if the mean absolute difference of the four coordinates is under 10 px (seg_restrict.py:82-100).
- points: both points inside the predicted box and their mean distance to the gt points, under the better of the
  two pairings, under 100 px (seg_restrict.py:106-141).
- self-distillation: cosine similarity of the <d_think> and <think> spans (tags included) times
  max(0, 1 - tokens(think) / tokens(d_think)), only when box IoU > 0.5 (seg_restrict.py:168-205, 282).
- PixelThink: accuracy * clip(1 - (L - budget) / 500, 0, 1), the budget from the sample's difficulty
  (>= 5: 256 + 25 * uncertainty; 3.5 to 5: none; < 3.5: 96) (seg_pixelthink.py:245-311). TRL sums rewards, so the
  option is the equivalent penalty accuracy * (score - 1): accuracy + penalty = accuracy * score.
"""

from __future__ import annotations

import math
import re
from typing import Sequence

Box = Sequence[float]  # x1, y1, x2, y2
Point = Sequence[float]  # x, y

CONCISE_SPAN = re.compile(r"<think>(.*?)</think>", re.DOTALL)
DETAILED_SPAN = re.compile(r"<d_think>(.*?)</d_think>", re.DOTALL)

# PixelThink's difficulty bands and length budget (seg_pixelthink.py:25-30).
HARD_FROM, MEDIUM_FROM = 5.0, 3.5
HARD_BUDGET, EASY_BUDGET, UNCERTAINTY_SCALE, LENGTH_SCALE = 256.0, 96.0, 25.0, 500.0


def finite_or_zero(value: float) -> float:
    """Upstream lets NaN through (json.loads reads NaN); TRL would average it away, so it counts as 0 here."""
    return float(value) if math.isfinite(value) else 0.0


def box_iou(box: Box, gt_box: Box) -> float:
    """IoU of integer-pixel boxes whose x2, y2 are inclusive (+1 in widths and heights), as upstream. Raises on
    values that are not numbers, as upstream's arithmetic does (callers turn that into 0)."""
    inter_w = min(box[2], gt_box[2]) - max(box[0], gt_box[0])
    inter_h = min(box[3], gt_box[3]) - max(box[1], gt_box[1])
    intersection = (inter_w + 1) * (inter_h + 1) if inter_w > 0 and inter_h > 0 else 0.0
    area = (box[2] - box[0] + 1) * (box[3] - box[1] + 1)
    gt_area = (gt_box[2] - gt_box[0] + 1) * (gt_box[3] - gt_box[1] + 1)
    union = area + gt_area - intersection
    return float(intersection / union) if union > 0 else 0.0


def mean_corner_distance(box: Box, gt_box: Box) -> float:
    return sum(abs(box[index] - gt_box[index]) for index in range(4)) / 4


def paired_point_distance(points: Sequence[Point], gt_points: Sequence[Point]) -> float:
    """Mean Euclidean distance of two points to two gt points under the better of the two pairings."""
    (a, b), (c, d) = points, gt_points
    straight = math.dist(a, c) + math.dist(b, d)
    crossed = math.dist(a, d) + math.dist(b, c)
    return min(straight, crossed) / 2


def points_score(points: Sequence[Point], box: Box, gt_points: Sequence[Point], max_distance: float) -> float:
    """1 when both points lie in the predicted box and are near the gt points (points already int()'d upstream)."""
    inside = all(box[0] <= x <= box[2] and box[1] <= y <= box[3] for x, y in points)
    return 1.0 if inside and paired_point_distance(points, gt_points) < max_distance else 0.0


def rationale_spans(text: str, tagged_spans: bool = True) -> tuple[str, str]:
    """(concise, detailed) rationale: the first complete <think> and <d_think> spans, with their tags as upstream,
    or their stripped inner text; "" where a span is missing or unclosed."""

    def span(pattern: re.Pattern) -> str:
        match = pattern.search(text)
        if match is None:
            return ""
        return match.group(0) if tagged_spans else match.group(1).strip()

    return span(CONCISE_SPAN), span(DETAILED_SPAN)


def distillation_score(similarity: float, concise_tokens: int, detailed_tokens: int) -> float:
    """similarity * max(0, 1 - concise / detailed): the concise rationale must say the same in fewer tokens."""
    if detailed_tokens <= 0:
        return 0.0
    return similarity * max(0.0, 1.0 - concise_tokens / detailed_tokens)


def pixelthink_reasoning(text: str) -> str:
    """PixelThink's reasoning for its token count: the first <think> span's inner text, stripped (length.py:9-16)."""
    match = CONCISE_SPAN.search(text)
    return match.group(1).strip() if match else ""


def length_budget(difficulty: float, uncertainty: float = 0.0) -> float | None:
    """PixelThink's token budget: hard samples get more (and more when the model is unsure), medium ones none."""
    if difficulty >= HARD_FROM:
        return HARD_BUDGET + UNCERTAINTY_SCALE * uncertainty
    if difficulty >= MEDIUM_FROM:
        return None
    return EASY_BUDGET


def length_score(length: int, budget: float | None) -> float:
    """clip(1 - (length - budget) / 500, 0, 1); 1 without a budget."""
    if budget is None:
        return 1.0
    return min(1.0, max(0.0, 1.0 - (length - budget) / LENGTH_SCALE))


def pixelthink_length_penalty(accuracy: float, length: int, difficulty: float, uncertainty: float = 0.0) -> float:
    """accuracy * (score - 1) <= 0: added to the accuracy rewards it makes their sum PixelThink's product."""
    return accuracy * (length_score(length, length_budget(difficulty, uncertainty)) - 1.0)


def mask_iou(prediction, gt_mask) -> float:
    """IoU of a boolean mask against a 0/1/255 ground truth, ignore pixels left out (the harness's lisa protocol)."""
    from wisebench.metrics.iou import intersection_union

    intersection, union = intersection_union(prediction, gt_mask, "lisa")
    return intersection / union if union else 0.0
