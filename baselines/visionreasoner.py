"""VisionReasoner (dvlab-research/VisionReasoner, Ricky06662/VisionReasoner-7B): Seg-Zero's multi-object successor.
The answer is a JSON list of objects, each a `bbox_2d` and one `point_2d`; SAM2 is prompted once per object (box +
one positive point) and the masks are OR-ed. Same 840 x 840 resize and greedy decoding, 2048 new tokens as its
vision_reasoner_model.py generates.

The prompt is VisionReasoner's detection template as its evaluation scripts write it (six pieces, no separator,
the query in double quotes, lower-cased with . " ? ! stripped at both ends) and its two-object answer example.
Under the default `upstream` parse policy coordinates come back from 840 x 840 as VisionReasoner's own code does,
int(v * W / 840 + 0.5), and one bad object empties the mask; `robust` uses the Seg-Zero rule and drops bad objects.
"""

from __future__ import annotations

from wisebench.reasoner.pipeline import ReasonerSegmenterAdapter
from wisebench.reasoner.backend import GenerationSettings
from wisebench.reasoner.spec import ANSWER_EXAMPLE, SEGZERO_EXAMPLE, SEGZERO_TAGS, ReasonerSpec

VISIONREASONER_PIECES = (
    'Please find "{Question}" with bboxs and points.',
    "Compare the difference between object(s) and find the most closely matched object(s).",
    SEGZERO_TAGS,
    "Output the bbox(es) and point(s) inside the interested object(s) in JSON format.",
    SEGZERO_EXAMPLE,
    ANSWER_EXAMPLE,
)
VISIONREASONER_ANSWER = '[{"bbox_2d": [10,100,200,210], "point_2d": [30,110]}, {"bbox_2d": [225,296,706,786], "point_2d": [302,410]}]'

VISIONREASONER = ReasonerSpec(
    name="visionreasoner",
    checkpoint="Ricky06662/VisionReasoner-7B",
    prompt_pieces=VISIONREASONER_PIECES,
    answer_example=VISIONREASONER_ANSWER,
    question_strip='."?!',
    answer_schema="object_list",
    generation=GenerationSettings(max_new_tokens=2048),  # vision_reasoner_model.py generate(max_new_tokens=2048)
    upstream_parser="visionreasoner",
    parse_policy="upstream",
    token_convention="wise",
    protocol="visionreasoner",
    summary="VisionReasoner-7B: multi-object answers (bbox_2d + point_2d each), one SAM2 call per object, masks OR-ed",
)


class VisionReasonerAdapter(ReasonerSegmenterAdapter):
    name = "visionreasoner"
    spec = VISIONREASONER
