"""The `upstream` parse policy: what each system's own evaluation script does with the raw text, rule for rule.

Read from the scripts themselves (docs/fidelity.md gives file:line):
- Seg-Zero / PixelThink / WISE / WISE-S (evaluation_scripts/evaluation.py, extract_bbox_points_think): the first
  `{[^}]+}` anywhere in the text, json.loads only (single quotes and trailing commas fail; NaN and Infinity load and
  then fail in int()); the box is the first key whose lower-cased name contains "bbox" and must have length 4; the
  points are the first two keys containing "points"; every coordinate becomes round(int(v) * W / 840) with Python's
  int() (so "10" and 10.7 pass, "10.5" fails) and nothing is clipped or checked: inverted, zero-area and out-of-range
  boxes go to SAM2 as they are. Seg-Zero also fails the sample when `<think>([^<]+)</think>` does not match; WISE
  does not. Any exception there scores the sample as I = 0, U = |gt|.
- VisionReasoner (vision_reasoner/models/vision_reasoner_model.py): only `<answer>\\s*(.*?)\\s*</answer>`, a json
  list whose every item has `bbox_2d` and `point_2d`; coordinates int(v * W / 840 + 0.5); one bad item (or a lone
  dict, whose iteration yields its keys) empties the whole mask.

Where upstream raised, this module returns a failure reason instead: the outcome (which samples get a mask, with
which prompts) is upstream's, the run never stops.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from wisebench.adapters.prediction import ObjectPrompt

FIRST_BRACES = re.compile(r"{[^}]+}")  # Seg-Zero/WISE json_pattern
THINK_MATCH = re.compile(r"<think>([^<]+)</think>")  # Seg-Zero/WISE/VisionReasoner think_pattern
ANSWER_MATCH = re.compile(r"<answer>\s*(.*?)\s*</answer>", re.DOTALL)  # VisionReasoner

UPSTREAM_PARSERS = ("segzero", "wise", "visionreasoner")


@dataclass
class UpstreamParse:
    """Objects in original-image pixels (already rescaled, as upstream rescales while parsing)."""

    objects: list[ObjectPrompt] = field(default_factory=list)
    failure: str | None = None
    think_match: str | None = None  # group(1) of <think>([^<]+)</think>, unstripped; None without a match


def think_match(text: str) -> str | None:
    """WISE's reasoning text (get_tokens.py counts it): group(1) of the first match, spaces kept."""
    match = THINK_MATCH.search(text)
    return match.group(1) if match else None


def _failure(error: BaseException) -> str:
    return f"upstream_exception:{type(error).__name__}"


def first_json_object(text: str) -> tuple[Any, str | None]:
    """(the first `{[^}]+}` anywhere in the text, json.loads'd, None) or (None, failure): the step every Seg-Zero-family
    script and reward (WISE seg_restrict.py, PixelThink seg_pixelthink.py) starts from."""
    match = FIRST_BRACES.search(text)
    if match is None:
        return None, "no_json_object"  # upstream: content_bbox unbound at the return
    try:
        return json.loads(match.group(0)), None
    except (ValueError, RecursionError) as error:
        return None, f"json_error:{type(error).__name__}"


def _segzero_coordinate(value: Any, factor: float) -> float:
    """round(int(v) * factor), Python semantics (int("10") == 10, int(10.7) == 10, int(True) == 1)."""
    return float(round(int(value) * factor))


def parse_segzero_family(text: str, model_size: tuple[int, int] | None, original_size: tuple[int, int], require_think: bool) -> UpstreamParse:
    result = UpstreamParse(think_match=think_match(text))
    scale_x, scale_y = _factors(model_size, original_size)
    data, result.failure = first_json_object(text)
    if result.failure:
        return result
    try:
        box, points = _segzero_prompts(data, scale_x, scale_y)
    except Exception as error:  # upstream's bare except: any error in there scores the sample 0
        result.failure = _failure(error)
        return result
    if box is None:
        result.failure = "missing_bbox"  # no bbox key, or not of length 4: content_bbox unbound
        return result
    if points is None:
        result.failure = "missing_points"  # fewer than two "points" keys: points unbound
        return result
    if require_think and result.think_match is None:
        result.failure = "no_think_match"  # Seg-Zero: think_text unbound
        return result
    result.objects = [ObjectPrompt(box=box, points=points, point_labels=(1, 1))]
    return result


def _segzero_prompts(data: Any, scale_x: float, scale_y: float) -> tuple[tuple | None, tuple | None]:
    keys = list(data.keys())
    bbox_key = next((key for key in keys if "bbox" in key.lower()), None)
    box = None
    if bbox_key and len(data[bbox_key]) == 4:
        raw = data[bbox_key]
        box = (
            _segzero_coordinate(raw[0], scale_x),
            _segzero_coordinate(raw[1], scale_y),
            _segzero_coordinate(raw[2], scale_x),
            _segzero_coordinate(raw[3], scale_y),
        )
    point_keys = [key for key in keys if "points" in key.lower()][:2]
    points = None
    if len(point_keys) == 2:
        first, second = data[point_keys[0]], data[point_keys[1]]
        points = (
            (_segzero_coordinate(first[0], scale_x), _segzero_coordinate(first[1], scale_y)),
            (_segzero_coordinate(second[0], scale_x), _segzero_coordinate(second[1], scale_y)),
        )
    return box, points


def parse_visionreasoner(text: str, model_size: tuple[int, int] | None, original_size: tuple[int, int]) -> UpstreamParse:
    result = UpstreamParse(think_match=think_match(text))
    scale_x, scale_y = _factors(model_size, original_size)
    match = ANSWER_MATCH.search(text)
    if match is None:
        result.failure = "no_answer_tag"  # upstream: empty lists, empty mask
        return result
    try:
        data = json.loads(match.group(1))
        boxes = [tuple(_vr_coordinate(item["bbox_2d"][i], scale_x if i % 2 == 0 else scale_y) for i in range(4)) for item in data]
        points = [(_vr_coordinate(item["point_2d"][0], scale_x), _vr_coordinate(item["point_2d"][1], scale_y)) for item in data]
    except Exception as error:  # upstream prints the error; the mask stays empty
        result.failure = _failure(error) if not isinstance(error, json.JSONDecodeError) else "json_error:JSONDecodeError"
        return result
    if not boxes:
        result.failure = "empty_object_list"  # generate_masks returns the empty mask
        return result
    result.objects = [ObjectPrompt(box=box, points=(point,), point_labels=(1,)) for box, point in zip(boxes, points)]
    return result


def _vr_coordinate(value: Any, factor: float) -> float:
    """int(v * factor + 0.5), Python semantics (a string fails, True counts as 1)."""
    return float(int(value * factor + 0.5))


def _factors(model_size: tuple[int, int] | None, original_size: tuple[int, int]) -> tuple[float, float]:
    width, height = original_size
    return (width / model_size[0], height / model_size[1]) if model_size else (1.0, 1.0)


def parse_upstream(parser: str, text: str, model_size: tuple[int, int] | None, original_size: tuple[int, int]) -> UpstreamParse:
    if parser == "visionreasoner":
        return parse_visionreasoner(text, model_size, original_size)
    if parser in ("segzero", "wise"):
        return parse_segzero_family(text, model_size, original_size, require_think=parser == "segzero")
    raise ValueError(f"unknown upstream parser {parser!r}: expected one of {', '.join(UPSTREAM_PARSERS)}")
