"""WISE's hierarchical reward, one named function per component, on a completion's text.

Definitions read from mrazhou/WISE verl/utils/reward_score/seg_restrict.py (seg_strict_compute_score, the
reward WISE trains with; training_scripts/seg_zero_7b.yaml sets compute_score: seg_strict) and compared with
dvlab-research/Seg-Zero verl/utils/reward_score/seg.py:
- format: the whole response is <think>..</think> <answer>..</answer> <d_think>..</d_think> in that order
  (only whitespace between the parts). Seg-Zero's has no <d_think>.
- answer schema: the answer JSON has a box of 4 numbers and two points of 2.
- box IoU: continuous in WISE (Seg-Zero: 1 if IoU > 0.5), integer-pixel boxes with the +1 convention.
- box L1: 1 if the mean absolute difference of the four box coordinates is under 10 px.
- points: 1 if both points lie inside the predicted box and their mean distance to the gt points, under the
  better of the two pairings, is under 100 px.
- self-distillation: only when box IoU > 0.5; cosine similarity of all-MiniLM-L6-v2 embeddings of the <d_think>
  and <think> spans times max(0, 1 - tokens(think) / tokens(d_think)), Qwen2.5-VL tokenizer counts. Upstream
  embeds and counts the spans with their tags (its regex returns the whole match); `tagged_spans` keeps that.
- a response containing the prompt's placeholder ("<think> streamlined thinking process here </think>" or
  "<d_think> detailed thinking process here </d_think>") gets 0 for everything; here any copy of either
  placeholder phrase counts, tags or not.
WISE's total is the unweighted sum of these six.
Unlike upstream, the answer is read with the harness's own parser (wisebench.reasoner.parsing), so a completion
earns its reward on exactly what the evaluation will read: the JSON inside <answer>, keys containing "bbox" /
"points", single-quoted JSON accepted, and an inverted box is no answer. The response is stripped of outer
whitespace before the format check.

PixelThink (songw-zju/PixelThink verl/utils/reward_score/seg_pixelthink.py): its length score is
clip(1 - (L - budget) / 500, 0, 1) with a budget from the sample's difficulty (>= 5: 256 + 25 * uncertainty;
3.5 to 5: none; < 3.5: 96), and it multiplies the accuracy sum. Rewards here are summed (TRL), so the option is
the equivalent penalty accuracy * (score - 1): accuracy + penalty = accuracy * score. L is upstream's default,
whitespace words of the whole response (or Qwen tokens of <think>). PixelThink measures uncertainty online from
the policy's top-2 token probabilities, which a TRL reward function never sees: it comes from a dataset column
(sample.extra["uncertainty"]) or is 0, upstream's default when none is given.
"""

from __future__ import annotations

import math
import re
from typing import Callable, Sequence

from wisebench.adapters.prediction import ObjectPrompt
from wisebench.reasoner.parsing import parse_output

Box = Sequence[float]  # x1, y1, x2, y2
Point = Sequence[float]  # x, y

PLACEHOLDER_PHRASES = ("streamlined thinking process here", "detailed thinking process here")
THREE_PARTS = re.compile(r"<think>.*?</think>\s*<answer>.*?</answer>\s*<d_think>.*?</d_think>", re.DOTALL)
CONCISE_SPAN = re.compile(r"<think>(.*?)</think>", re.DOTALL)
DETAILED_SPAN = re.compile(r"<d_think>(.*?)</d_think>", re.DOTALL)

# PixelThink's difficulty bands and length budget (interfaces.md, "PixelThink").
HARD_FROM, MEDIUM_FROM = 5.0, 3.5
HARD_BUDGET, EASY_BUDGET, UNCERTAINTY_SCALE, LENGTH_SCALE = 256.0, 96.0, 25.0, 500.0


def copies_placeholder(text: str) -> bool:
    return any(phrase in text for phrase in PLACEHOLDER_PHRASES)


def answer_object(text: str) -> ObjectPrompt | None:
    """The box and two points of the answer, in the training image's pixels, or None when there is no valid answer."""
    parsed = parse_output(text, finish_reason=None)
    if parsed.failure or not parsed.objects or len(parsed.objects[0].points) != 2:
        return None
    return parsed.objects[0]


def format_reward(text: str) -> float:
    return 1.0 if THREE_PARTS.fullmatch(text.strip()) else 0.0


def answer_schema_reward(text: str) -> float:
    return 1.0 if answer_object(text) is not None else 0.0


def box_iou(box: Box, gt_box: Box) -> float:
    """IoU of integer-pixel boxes whose x2, y2 are inclusive (+1 in widths and heights), as upstream."""
    inter_w = min(box[2], gt_box[2]) - max(box[0], gt_box[0])
    inter_h = min(box[3], gt_box[3]) - max(box[1], gt_box[1])
    intersection = (inter_w + 1) * (inter_h + 1) if inter_w > 0 and inter_h > 0 else 0.0
    area = (box[2] - box[0] + 1) * (box[3] - box[1] + 1)
    gt_area = (gt_box[2] - gt_box[0] + 1) * (gt_box[3] - gt_box[1] + 1)
    union = area + gt_area - intersection
    return float(intersection / union) if union > 0 else 0.0


def predicted_box_iou(text: str, gt_box: Box) -> float:
    answer = answer_object(text)
    return box_iou(answer.box, gt_box) if answer is not None else 0.0


def box_iou_reward(text: str, gt_box: Box, threshold: float | None = None) -> float:
    """Continuous IoU (WISE), or 1 above `threshold` (Seg-Zero's 0.5)."""
    iou = predicted_box_iou(text, gt_box)
    return iou if threshold is None else float(iou > threshold)


def box_l1_reward(text: str, gt_box: Box, max_l1: float = 10.0) -> float:
    answer = answer_object(text)
    if answer is None:
        return 0.0
    mean_l1 = sum(abs(a - b) for a, b in zip(answer.box, gt_box)) / 4
    return 1.0 if mean_l1 < max_l1 else 0.0


def paired_point_distance(points: Sequence[Point], gt_points: Sequence[Point]) -> float:
    """Mean Euclidean distance of two points to two gt points under the better of the two pairings."""
    (a, b), (c, d) = points, gt_points
    straight = math.dist(a, c) + math.dist(b, d)
    crossed = math.dist(a, d) + math.dist(b, c)
    return min(straight, crossed) / 2


def points_reward(text: str, gt_points: Sequence[Point], max_distance: float = 100.0) -> float:
    answer = answer_object(text)
    if answer is None:
        return 0.0
    # Upstream truncates the points to integers before these checks.
    points = [(int(x), int(y)) for x, y in answer.points]
    x1, y1, x2, y2 = answer.box
    inside = all(x1 <= x <= x2 and y1 <= y <= y2 for x, y in points)
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


def self_distillation_reward(
    text: str,
    gt_box: Box,
    similarity: Callable[[str, str], float],
    count_tokens: Callable[[str], int],
    gate_iou: float = 0.5,
    tagged_spans: bool = True,
) -> float:
    """Applied only to a correct answer (box IoU > gate_iou); `similarity` compares concise with detailed."""
    if predicted_box_iou(text, gt_box) <= gate_iou:
        return 0.0
    concise, detailed = rationale_spans(text, tagged_spans)
    if not concise or not detailed:
        return 0.0
    return distillation_score(similarity(concise, detailed), count_tokens(concise), count_tokens(detailed))


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
