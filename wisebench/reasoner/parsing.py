"""Parsing a reasoner's output into reasoning text and object prompts. It never raises: every way an output can
be unusable (missing tag, broken JSON, inverted or out-of-image box, NaN or huge numbers, missing points, a
generation cut off by the token limit) becomes a `failure` reason, scored as an empty mask and counted.

As upstream Seg-Zero, the answer JSON is the first {...} of the answer span (regex {[^}]+}); the box is the first
key containing "bbox", the points the first two keys containing "points". Where upstream would crash
(single-quoted JSON copied from the prompt's example), Python literal syntax is accepted through
ast.literal_eval, which evaluates literals only.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from wisebench.adapters.prediction import ObjectPrompt

HUGE = 1e6  # coordinates beyond this are garbage, whatever the image size
FIRST_OBJECT = re.compile(r"\{[^}]+\}")
FIRST_LIST = re.compile(r"\[.*\]", re.DOTALL)


@dataclass
class ParsedOutput:
    reasoning_text: str = ""
    answer_text: str = ""
    objects: list[ObjectPrompt] = field(default_factory=list)  # in the model's (resized) image coordinates
    failure: str | None = None
    notes: list[str] = field(default_factory=list)  # tolerated deviations, e.g. an answer without its tags


def tag_span(text: str, tag: str) -> tuple[str | None, bool]:
    """(content, closed) of the first <tag>...</tag>. Chat templates may already open the tag in the prompt, so a
    closing tag with no opening one takes everything before it. Unclosed: the rest of the text, closed False."""
    opening, closing = f"<{tag}>", f"</{tag}>"
    start = text.find(opening)
    end = text.find(closing, start + len(opening) if start >= 0 else 0)
    if start >= 0 and end >= 0:
        return text[start + len(opening) : end].strip(), True
    if start < 0 and end >= 0:
        return text[:end].strip(), True
    if start >= 0:
        return text[start + len(opening) :].strip(), False
    return None, False


def _load_literal(snippet: str) -> Any:
    try:
        return json.loads(snippet)
    except (ValueError, RecursionError):  # JSONDecodeError, and Python's int digit limit
        pass
    try:
        return ast.literal_eval(snippet)  # literals only: no names, calls or attributes are evaluated
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, OverflowError):
        return None


def _numbers(value: Any, count: int) -> list[float] | str:
    """`count` finite, sane numbers, or the failure reason."""
    if not isinstance(value, (list, tuple)) or len(value) != count:
        return "wrong_arity"
    numbers = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            return "not_numeric"
        if abs(item) > HUGE or not math.isfinite(item):  # huge ints first: isfinite overflows on them
            return "non_finite_or_huge"
        numbers.append(float(item))
    return numbers


def _object_from_bbox_points(answer: dict) -> ObjectPrompt | str:
    bbox_keys = [key for key in answer if "bbox" in str(key)]
    point_keys = [key for key in answer if "points" in str(key)][:2]
    if not bbox_keys:
        return "missing_bbox"
    box = _numbers(answer[bbox_keys[0]], 4)
    if isinstance(box, str):
        return f"bad_bbox:{box}"
    if box[2] <= box[0] or box[3] <= box[1]:
        return "bbox_inverted"
    if len(point_keys) < 2:
        return "missing_points"
    points = []
    for key in point_keys:
        point = _numbers(answer[key], 2)
        if isinstance(point, str):
            return f"bad_points:{point}"
        points.append((point[0], point[1]))
    return ObjectPrompt(box=(box[0], box[1], box[2], box[3]), points=tuple(points), point_labels=(1, 1))


def _object_from_list_item(item: Any) -> ObjectPrompt | str:
    if not isinstance(item, dict):
        return "object_not_a_dict"
    box_key = next((key for key in item if "bbox" in str(key)), None)
    point_key = next((key for key in item if "point" in str(key)), None)
    if box_key is None:
        return "missing_bbox"
    box = _numbers(item[box_key], 4)
    if isinstance(box, str):
        return f"bad_bbox:{box}"
    if box[2] <= box[0] or box[3] <= box[1]:
        return "bbox_inverted"
    if point_key is None:
        return "missing_points"
    point = _numbers(item[point_key], 2)
    if isinstance(point, str):
        return f"bad_points:{point}"
    return ObjectPrompt(box=(box[0], box[1], box[2], box[3]), points=((point[0], point[1]),), point_labels=(1,))


def parse_output(text: str, finish_reason: str | None, reasoning_tag: str = "think", answer_tag: str = "answer", schema: str = "bbox_points") -> ParsedOutput:
    parsed = ParsedOutput()
    reasoning, reasoning_closed = tag_span(text, reasoning_tag)
    parsed.reasoning_text = reasoning or ""
    answer, answer_closed = tag_span(text, answer_tag)
    truncated = finish_reason == "length"
    if reasoning is not None and not reasoning_closed:
        parsed.failure = "truncated_in_reasoning" if truncated else f"unclosed_{reasoning_tag}"
        return parsed
    if answer is None:
        if truncated:
            parsed.failure = "truncated_before_answer"
            return parsed
        # Upstream reads the first JSON object anywhere in the text: do the same after the reasoning, noted.
        closing = f"</{reasoning_tag}>"
        answer = text.split(closing, 1)[1] if closing in text else text
        answer_closed = True
        parsed.notes.append(f"no_{answer_tag}_tag")
    parsed.answer_text = answer
    if not answer_closed and truncated:
        parsed.failure = "truncated_in_answer"
        return parsed
    if schema == "object_list":
        return _parse_object_list(parsed, answer)
    match = FIRST_OBJECT.search(answer)
    if match is None:
        parsed.failure = f"missing_{answer_tag}_tag" if parsed.notes else "no_json_object"
        return parsed
    loaded = _load_literal(match.group(0))
    if not isinstance(loaded, dict):
        parsed.failure = "broken_json"
        return parsed
    result = _object_from_bbox_points(loaded)
    if isinstance(result, str):
        parsed.failure = result
    else:
        parsed.objects = [result]
    return parsed


def _parse_object_list(parsed: ParsedOutput, answer: str) -> ParsedOutput:
    match = FIRST_LIST.search(answer)
    loaded = _load_literal(match.group(0)) if match else None
    if loaded is None:
        single = FIRST_OBJECT.search(answer)  # a lone object without the list brackets
        loaded = [_load_literal(single.group(0))] if single else None
    if not isinstance(loaded, list) or not loaded:
        parsed.failure = "broken_json" if match else "no_json_list"
        return parsed
    objects, reasons = [], []
    for item in loaded:
        result = _object_from_list_item(item)
        (reasons if isinstance(result, str) else objects).append(result)
    if not objects:
        parsed.failure = reasons[0]
    parsed.objects = objects
    return parsed


def rescale_objects(objects: list[ObjectPrompt], model_size: tuple[int, int] | None, original_size: tuple[int, int]) -> list[ObjectPrompt] | str:
    """Model coordinates (in the resized image) -> original pixels, as upstream: round(int(v) * W / 840), then
    clipped to the image. A box with no area left inside the image is a failure (returned as its reason)."""
    width, height = original_size
    scale_x, scale_y = (width / model_size[0], height / model_size[1]) if model_size else (1.0, 1.0)

    def x(value: float) -> float:
        return float(round(int(value) * scale_x))

    def y(value: float) -> float:
        return float(round(int(value) * scale_y))

    rescaled = []
    for obj in objects:
        box = None
        if obj.box is not None:
            x1, y1 = min(max(x(obj.box[0]), 0.0), width), min(max(y(obj.box[1]), 0.0), height)
            x2, y2 = min(max(x(obj.box[2]), 0.0), width), min(max(y(obj.box[3]), 0.0), height)
            if x2 <= x1 or y2 <= y1:
                return "bbox_outside_image"
            box = (x1, y1, x2, y2)
        points = tuple((min(max(x(px), 0.0), width - 1.0), min(max(y(py), 0.0), height - 1.0)) for px, py in obj.points)
        rescaled.append(ObjectPrompt(box=box, points=points, point_labels=obj.point_labels))
    return rescaled
