"""What an adapter returns for one sample: a mask (or the reason there is none) plus what it cost."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np


@dataclass(frozen=True)
class ObjectPrompt:
    """One object the reasoner pointed at, in original-image pixel coordinates."""

    box: tuple[float, float, float, float] | None  # x1, y1, x2, y2
    points: tuple[tuple[float, float], ...] = ()
    point_labels: tuple[int, ...] = ()  # 1 = positive, 0 = negative; same length as points

    def to_json(self) -> dict:
        return {
            "box": list(self.box) if self.box is not None else None,
            "points": [list(point) for point in self.points],
            "point_labels": list(self.point_labels),
        }

    @classmethod
    def from_json(cls, data: dict) -> "ObjectPrompt":
        box = data.get("box")
        return cls(
            box=tuple(box) if box is not None else None,
            points=tuple(tuple(point) for point in data.get("points", [])),
            point_labels=tuple(data.get("point_labels", [])),
        )


@dataclass
class TokenCounts:
    """Counted with the model's own tokenizer; None where the adapter has no such notion."""

    prompt: int | None = None  # prefill cost, image tokens included
    reasoning: int | None = None  # text inside the reasoning tag, add_special_tokens=False
    generated: int | None = None  # everything decoded
    # Reasoning tokens under each named convention (metrics/token_conventions.py), e.g. {"wisebench": 21, "wise": 22}.
    conventions: dict[str, int | None] = field(default_factory=dict)


@dataclass
class Prediction:
    """`mask` is boolean H x W at the original image size, or None with `failure` saying why
    (unparsable output, truncated generation, ...): such a prediction scores as an empty mask."""

    mask: np.ndarray | None
    failure: str | None = None
    raw_text: str = ""
    reasoning_text: str = ""
    answer_text: str = ""
    objects: list[ObjectPrompt] = field(default_factory=list)
    tokens: TokenCounts = field(default_factory=TokenCounts)
    finish_reason: str | None = None  # "stop" | "length" | None (no generation)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage: "reasoner", "segmenter", "total"
    extra: dict = field(default_factory=dict)
    parse_policy: str | None = None  # "upstream" | "robust": the parser that produced `objects` / `failure`
    # What the other policy made of the same text, only where it differs: {"policy", "failure", "objects"}.
    other_policy: dict | None = None

    def metadata_json(self) -> dict:
        """Everything but the mask pixels, JSON-ready (the record stores the mask separately as RLE)."""
        return {
            "failure": self.failure,
            "raw_text": self.raw_text,
            "reasoning_text": self.reasoning_text,
            "answer_text": self.answer_text,
            "objects": [obj.to_json() for obj in self.objects],
            "tokens": asdict(self.tokens),
            "finish_reason": self.finish_reason,
            "seconds": dict(self.seconds),
            "extra": dict(self.extra),
            "parse_policy": self.parse_policy,
            "other_policy": self.other_policy,
        }
