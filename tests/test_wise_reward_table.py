"""The upstream reward rules, component by component, on hand-written completions.

Each row's expected values are worked out by hand from mrazhou/WISE verl/utils/reward_score/seg_restrict.py (format
:6-9, schema :11-41, IoU :43-78, box L1 :81-103, points :105-144, placeholder zeroing :264-266, distillation gate
:282) and songw-zju/PixelThink seg_pixelthink.py (two-part format :55-58, IoU > 0.5 :125, no zeroing). Columns:
wise format, pixelthink format, schema, continuous IoU, box L1, points, zeroed by WISE's placeholder check.
"""

from __future__ import annotations

import pytest

from wise.train.config import RewardConfig
from wise.train.reward_functions import accuracy_reward, self_distillation_score
from wise.train.reward_rules import RewardRules

GT_BOX = [100, 100, 299, 399]  # inclusive pixels: 200 x 300
GT_POINTS = [[150, 200], [250, 300]]
JSON = '{"bbox": [100,100,299,399], "points_1": [150,200], "points_2": [250,300]}'


def wise_text(answer: str = JSON, think: str = "red mug left of plate", detailed: str = "the red mug stands left of the plate on the table") -> str:
    return f"<think>{think}</think><answer>{answer}</answer><d_think>{detailed}</d_think>"


NEAR_IOU = 191 * 291 / (2 * 200 * 300 - 191 * 291)  # [109,109,308,408]: overlap 191 x 291 (+1 convention)

# (case, text, wise_format, pixelthink_format, schema, iou, box_l1, points, zeroed)
TABLE = [
    ("perfect", wise_text(), 1, 0, 1, 1.0, 1, 1, False),
    ("leading newline fails the raw format check", "\n" + wise_text(), 0, 0, 1, 1.0, 1, 1, False),
    ("trailing newline fails it too", wise_text() + "\n", 0, 0, 1, 1.0, 1, 1, False),
    ("whitespace between the parts is allowed", wise_text().replace("</think>", "</think>\n ").replace("</answer>", "</answer>\n"), 1, 0, 1, 1.0, 1, 1, False),
    ("two parts: PixelThink's format, not WISE's", f"<think>a</think><answer>{JSON}</answer>", 0, 1, 1, 1.0, 1, 1, False),
    ("single-quoted JSON is no JSON", wise_text(JSON.replace('"', "'")), 1, 0, 0, 0.0, 0, 0, False),
    ("other key names", wise_text(JSON.replace('"bbox"', '"box"')), 1, 0, 0, 0.0, 0, 0, False),
    ("VisionReasoner keys", wise_text('[{"bbox_2d": [100,100,299,399], "point_2d": [150,200]}]'), 1, 0, 0, 0.0, 0, 0, False),
    ("a wrong box in <think> is read first", wise_text(think='maybe {"bbox": [0,0,9,9]} or not'), 1, 0, 0, 0.0, 0, 0, False),
    ("a right box in <think> without points", wise_text(JSON.replace("100,100,299", "0,0,9"), think='it is {"bbox": [100,100,299,399]}'), 1, 0, 0, 1.0, 1, 0, False),
    ("inverted box keeps the schema reward", wise_text(JSON.replace("[100,100,299,399]", "[299,399,100,100]")), 1, 0, 1, 0.0, 0, 0, False),
    ("exact tagged placeholder zeroes all", "<think> streamlined thinking process here </think>" + wise_text()[len("<think>red mug left of plate</think>"):], 1, 0, 1, 1.0, 1, 1, True),
    ("d_think placeholder alone zeroes all", wise_text(detailed=" detailed thinking process here "), 1, 0, 1, 1.0, 1, 1, True),
    ("placeholder phrase without the spaces is not zeroed", wise_text(think="streamlined thinking process here"), 1, 0, 1, 1.0, 1, 1, False),
    ("string coordinates: schema only", wise_text('{"bbox": ["100","100","299","399"], "points_1": ["150","200"], "points_2": ["250","300"]}'), 1, 0, 1, 0.0, 0, 0, False),
    ("float coordinates count as numbers", wise_text('{"bbox": [100.0,100.0,299.0,399.0], "points_1": [150.7,200.2], "points_2": [250.9,300.1]}'), 1, 0, 1, 1.0, 1, 1, False),
    ("half box: IoU 0.5, a point outside", wise_text(JSON.replace("[100,100,299,399]", "[100,100,199,399]")), 1, 0, 1, 0.5, 0, 0, False),
    ("corners 9 px off: L1 passes", wise_text(JSON.replace("[100,100,299,399]", "[109,109,308,408]")), 1, 0, 1, NEAR_IOU, 1, 1, False),
    ("a point 124 px off", wise_text(JSON.replace('"points_1": [150,200]', '"points_1": [299,399]')), 1, 0, 1, 1.0, 1, 0, False),
    ("swapped points: best pairing", wise_text('{"bbox": [100,100,299,399], "points_1": [250,300], "points_2": [150,200]}'), 1, 0, 1, 1.0, 1, 1, False),
    ("missing points_2", wise_text('{"bbox": [100,100,299,399], "points_1": [150,200]}'), 1, 0, 0, 1.0, 1, 0, False),
    ("three box values", wise_text('{"bbox": [100,100,299], "points_1": [150,200], "points_2": [250,300]}'), 1, 0, 0, 0.0, 0, 0, False),
    ("NaN loads and scores 0 (upstream: a NaN IoU)", wise_text(JSON.replace("[100,100,", "[NaN,100,")), 1, 0, 1, 0.0, 0, 0, False),
    ("trailing comma is no JSON", wise_text(JSON.replace("]}", "],}")), 1, 0, 0, 0.0, 0, 0, False),
    ("no answer at all", wise_text("none"), 1, 0, 0, 0.0, 0, 0, False),
    ("unclosed answer still read", f"<think>a</think><answer>{JSON}", 0, 0, 1, 1.0, 1, 1, False),
    ("extra keys and another order", wise_text('{"points_2": [250,300], "label": "mug", "bbox": [100,100,299,399], "points_1": [150,200]}'), 1, 0, 1, 1.0, 1, 1, False),
]


@pytest.mark.parametrize("case,text,wise_format,pixelthink_format,schema,iou,box_l1,points,zeroed", TABLE, ids=[row[0] for row in TABLE])
def test_upstream_components(case, text, wise_format, pixelthink_format, schema, iou, box_l1, points, zeroed):
    wise, pixelthink = RewardRules("wise"), RewardRules("pixelthink")
    assert wise.format(text) == wise_format and pixelthink.format(text) == pixelthink_format
    for rules in (wise, pixelthink):  # the answer rules are the same code upstream in both repositories
        assert rules.answer_schema(text) == schema
        assert rules.box_iou(text, GT_BOX) == pytest.approx(iou)
        assert rules.box_l1(text, GT_BOX, 10.0) == box_l1
        assert rules.points(text, GT_POINTS, 100.0) == points
    assert wise.zeroes_all(text) is zeroed and pixelthink.zeroes_all(text) is False
    # PixelThink's accuracy: its format + schema + (IoU > 0.5) + box L1 + points (seg_pixelthink.py:207-226).
    pixelthink_config = RewardConfig(box_iou_threshold=0.5)
    row = {"gt_box": GT_BOX, "gt_points": GT_POINTS}
    assert accuracy_reward(pixelthink, pixelthink_config, text, row) == pixelthink_format + schema + (iou > 0.5) + box_l1 + points
    # WISE's distillation is gated on the continuous IoU, not on the format (seg_restrict.py:282).
    distill = self_distillation_score(wise, RewardConfig(), text, GT_BOX, lambda a, b: 0.5, lambda span: len(span.split()))
    assert (distill > 0) == (iou > 0.5 and "<d_think>" in text and "</d_think>" in text and "<think>" in text)


def test_the_table_covers_the_issue_cases():
    assert len(TABLE) >= 20
    cases = " ".join(row[0] for row in TABLE)
    for needed in ("leading newline", "single-quoted", "other key names", "in <think>", "inverted box", "placeholder"):
        assert needed in cases
