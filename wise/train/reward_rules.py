"""How a completion's text is read for the rewards: which format pattern, which placeholder copies score 0, which
JSON answer counts. Two parse policies, named as on the evaluation side (wisebench.reasoner.answer_policy):

- `upstream` (default): the training reward's own rules, read from mrazhou/WISE seg_restrict.py and songw-zju/
  PixelThink seg_pixelthink.py. The format check runs on the raw decoded text (a leading newline fails it); the
  answer is the first `{[^}]+}` anywhere, json.loads only (the same loader as the evaluation's upstream policy,
  upstream_parsing.first_json_object), with the exact keys `bbox`, `points_1`, `points_2`; single quotes, other key
  names or a box written inside <think> before the answer get no answer reward; values are used as upstream uses
  them (an inverted box still earns the schema reward; strings, NaN and wrong shapes score 0 where upstream's
  try/except does). WISE zeroes every reward only for the exact tagged placeholder strings of its prompt.
- `robust`: wisebench's lenient parser (the evaluation's robust policy): the JSON inside <answer>, keys containing
  "bbox" / "points", Python-literal JSON accepted, an inverted box is no answer, the text stripped before the
  format check, and any copy of a placeholder phrase (tags or not) zeroes everything. The trainer's old default.

Recipes: `wise` (format <think> <answer> <d_think>, placeholder zeroing) or `pixelthink` (format <think> <answer>,
no zeroing: seg_pixelthink.py:55-58 and its compute_score have none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from wisebench.adapters.prediction import ObjectPrompt
from wisebench.reasoner.answer_policy import PARSE_POLICIES
from wisebench.reasoner.parsing import parse_output
from wisebench.reasoner.upstream_parsing import first_json_object, parse_segzero_family
from wise.train import rewards as wr

RECIPES = ("wise", "pixelthink")
FORMATS = {
    "wise": re.compile(r"<think>.*?</think>\s*<answer>.*?</answer>\s*<d_think>.*?</d_think>", re.DOTALL),  # seg_restrict.py:7
    "pixelthink": re.compile(r"<think>.*?</think>\s*<answer>.*?</answer>", re.DOTALL),  # seg_pixelthink.py:56
}
# seg_restrict.py:264-266: the prompt's example spans, tags and spaces included.
WISE_PLACEHOLDERS = ("<think> streamlined thinking process here </think>", "<d_think> detailed thinking process here </d_think>")
PLACEHOLDER_PHRASES = ("streamlined thinking process here", "detailed thinking process here")  # robust: any copy
ANSWER_KEYS = ("bbox", "points_1", "points_2")  # seg_restrict.py:21


def robust_answer(text: str) -> ObjectPrompt | None:
    """The box and two points the robust parser reads, or None when there is no valid answer."""
    parsed = parse_output(text, finish_reason=None)
    if parsed.failure or not parsed.objects or len(parsed.objects[0].points) != 2:
        return None
    return parsed.objects[0]


def upstream_answer(text: str) -> dict[str, Any] | None:
    data, failure = first_json_object(text)
    return data if failure is None and isinstance(data, dict) else None


def upstream_box(data: dict[str, Any]) -> Any:
    """data["bbox"] when it has 4 items; raises otherwise, as upstream's unbound content_bbox does."""
    box = data["bbox"]
    if len(box) != 4:
        raise ValueError("bbox needs 4 values")
    return box


def upstream_schema(data: dict[str, Any]) -> bool:
    """seg_segmentation_format_reward (seg_restrict.py:11-41): the exact keys, a 4-list and two 2-lists."""
    if any(key not in data for key in ANSWER_KEYS):
        return False
    box, first, second = (data[key] for key in ANSWER_KEYS)
    return all(isinstance(value, list) for value in (box, first, second)) and (len(box), len(first), len(second)) == (4, 2, 2)


@dataclass(frozen=True)
class RewardRules:
    recipe: str = "wise"
    parse_policy: str = "upstream"

    def __post_init__(self):
        if self.recipe not in RECIPES:
            raise ValueError(f"recipe must be one of {', '.join(RECIPES)}, got {self.recipe!r}")
        if self.parse_policy not in PARSE_POLICIES:
            raise ValueError(f"parse_policy must be one of {', '.join(PARSE_POLICIES)}, got {self.parse_policy!r}")

    @property
    def upstream(self) -> bool:
        return self.parse_policy == "upstream"

    def zeroes_all(self, text: str) -> bool:
        """A copy of the prompt's placeholder gets 0 from every reward (WISE only)."""
        if self.recipe != "wise":
            return False
        return any(copy in text for copy in (WISE_PLACEHOLDERS if self.upstream else PLACEHOLDER_PHRASES))

    def format(self, text: str) -> float:
        subject = text if self.upstream else text.strip()
        return 1.0 if FORMATS[self.recipe].fullmatch(subject) else 0.0

    def answer_schema(self, text: str) -> float:
        if not self.upstream:
            return 1.0 if robust_answer(text) is not None else 0.0
        data = upstream_answer(text)
        return 1.0 if data is not None and upstream_schema(data) else 0.0

    def box_iou(self, text: str, gt_box: wr.Box) -> float:
        """The continuous IoU (thresholds are applied by the caller)."""
        if not self.upstream:
            answer = robust_answer(text)
            return wr.box_iou(answer.box, gt_box) if answer is not None else 0.0
        data = upstream_answer(text)
        try:
            return wr.finite_or_zero(wr.box_iou(upstream_box(data), gt_box))
        except Exception:  # upstream's try/except: any failure scores 0
            return 0.0

    def box_l1(self, text: str, gt_box: wr.Box, max_l1: float) -> float:
        if not self.upstream:
            answer = robust_answer(text)
            return 1.0 if answer is not None and wr.mean_corner_distance(answer.box, gt_box) < max_l1 else 0.0
        data = upstream_answer(text)
        try:
            return 1.0 if wr.mean_corner_distance(upstream_box(data), gt_box) < max_l1 else 0.0
        except Exception:
            return 0.0

    def points(self, text: str, gt_points: Sequence[wr.Point], max_distance: float) -> float:
        if not self.upstream:
            answer = robust_answer(text)
            if answer is None:
                return 0.0
            points = [(int(x), int(y)) for x, y in answer.points]  # upstream truncates before the checks
            return wr.points_score(points, answer.box, gt_points, max_distance)
        data = upstream_answer(text)
        try:
            box = upstream_box(data)
            points = [[int(point[0]), int(point[1])] for point in (data["points_1"], data["points_2"])]
            return wr.points_score(points, box, gt_points, max_distance)
        except Exception:
            return 0.0

    def object_prompt(self, text: str, image_size: tuple[int, int]) -> ObjectPrompt | None:
        """The box and points the evaluation would hand the segmenter under this policy (for the mask IoU reward)."""
        if not self.upstream:
            return robust_answer(text)
        parsed = parse_segzero_family(text, None, image_size, require_think=False)
        return parsed.objects[0] if parsed.objects else None
