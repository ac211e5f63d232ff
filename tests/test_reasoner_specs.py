"""The exact prompt strings of every spec, against shared/reference/interfaces.md, byte for byte."""

from __future__ import annotations

import pytest

from baselines.pixelthink import PIXELTHINK
from baselines.seg_zero import SEG_ZERO
from baselines.visionreasoner import VISIONREASONER
from wise.adapters import WISE, WISE_S
from wisebench.reasoner.spec import WISE_TRAINING_PIECES

SEGZERO_EXPECTED = (
    "Please find 'the utensil you would use to eat soup' with bbox and points."
    "Compare the difference between objects and find the most closely matched one."
    "Output the thinking process in <think> </think> and final answer in <answer> </answer> tags."
    "Output the one bbox and points of two largest inscribed circles inside the interested object in JSON format."
    "i.e., <think> thinking process here </think>"
    "<answer>{'bbox': [10,100,200,210], 'points_1': [30,110], 'points_2': [35,180]}</answer>"
)

WISE_EXPECTED = (
    "Please find 'the utensil you would use to eat soup' with bbox and points."
    "Compare the difference between objects and find the most closely matched one."
    "Output the streamlined thinking process in <think> </think> and final answer in <answer> </answer> tags."
    "Output the one bbox and points of two largest inscribed circles inside the interested object in JSON format."
    "i.e., <think> streamlined thinking process here </think>"
    '<answer>{"bbox": [10,100,200,210], "points_1": [30,110], "points_2": [35,180]}</answer>'
)


def test_seg_zero_prompt_and_question_normalisation():
    assert SEG_ZERO.prompt("The utensil you would use to eat soup.") == SEGZERO_EXPECTED
    assert "points.Compare" in SEGZERO_EXPECTED  # no separator between pieces, as upstream
    assert SEG_ZERO.checkpoint == "Ricky06662/Seg-Zero-7B" and SEG_ZERO.resize == (840, 840)
    assert SEG_ZERO.generation.max_new_tokens == 1024 and not SEG_ZERO.generation.do_sample


def test_pixelthink_uses_seg_zero_prompt():
    assert PIXELTHINK.prompt("the utensil you would use to eat soup") == SEGZERO_EXPECTED
    assert PIXELTHINK.checkpoint is None


def test_wise_and_wise_s_prompts():
    assert WISE.prompt("the utensil you would use to eat soup") == WISE_EXPECTED
    expected_s = WISE_EXPECTED.replace("thinking process here </think>", "thinking process here (one sentence) </think>")
    assert WISE_S.prompt("the utensil you would use to eat soup") == expected_s
    assert "<think> streamlined thinking process here (one sentence) </think>" in expected_s


def test_wise_s_brevity_is_configurable():
    custom = WISE_S.with_settings({"brevity": "(be concise)"})
    assert "<think> streamlined thinking process here (be concise) </think>" in custom.prompt("x")
    assert WISE_S.brevity == "(one sentence)"  # the original spec is untouched


def test_wise_training_prompt():
    text = "".join(WISE_TRAINING_PIECES).replace("{Brevity}", "").replace("{Answer}", WISE.answer_example).replace("{Question}", "q")
    assert text == (
        "Please find 'q' with bbox and points."
        "Compare the difference between objects and find the most closely matched one."
        "Output the detailed thinking process in <d_think> </d_think>, the streamlined thinking process in <think> </think> "
        "and final answer in <answer> </answer> tags."
        "Output the one bbox and points of two largest inscribed circles inside the interested object in JSON format."
        "i.e., <think> streamlined thinking process here </think>"
        '<answer>{"bbox": [10,100,200,210], "points_1": [30,110], "points_2": [35,180]}</answer>'
        "<d_think> detailed thinking process here </d_think>"
    )


@pytest.mark.parametrize("setting, value", [("max_new_tokens", 64), ("do_sample", True), ("temperature", 0.7)])
def test_generation_overrides(setting, value):
    assert getattr(SEG_ZERO.with_settings({setting: value}).generation, setting) == value


VISIONREASONER_EXPECTED = (
    'Please find "the utensils you would use to eat soup" with bboxs and points.'
    "Compare the difference between object(s) and find the most closely matched object(s)."
    "Output the thinking process in <think> </think> and final answer in <answer> </answer> tags."
    "Output the bbox(es) and point(s) inside the interested object(s) in JSON format."
    "i.e., <think> thinking process here </think>"
    '<answer>[{"bbox_2d": [10,100,200,210], "point_2d": [30,110]}, {"bbox_2d": [225,296,706,786], "point_2d": [302,410]}]</answer>'
)


def test_visionreasoner_prompt_and_multi_object_schema():
    # VisionReasoner strips . " ? ! from both ends of the lower-cased query (its evaluation scripts).
    assert VISIONREASONER.prompt('"The utensils you would use to eat soup?"') == VISIONREASONER_EXPECTED
    assert VISIONREASONER.answer_schema == "object_list" and VISIONREASONER.checkpoint == "Ricky06662/VisionReasoner-7B"
    assert VISIONREASONER.resize == (840, 840) and VISIONREASONER.generation.max_new_tokens == 2048  # vision_reasoner_model.py:266
    assert SEG_ZERO.question('"Why?"') == '"why?"'  # Seg-Zero strips dots only


def test_braces_in_query_do_not_break_the_template():
    assert "Please find 'the {odd} one' with" in SEG_ZERO.prompt("the {odd} one")


def test_list_models_shows_checkpoints_and_prompts(capsys):
    from wisebench.cli import main

    assert main(["list", "models"]) == 0
    out = capsys.readouterr().out
    assert "Ricky06662/Seg-Zero-7B" in out and "(--checkpoint required)" in out
    assert "streamlined thinking process here (one sentence) </think>" in out
    assert "Ricky06662/VisionReasoner-7B" in out and '"bbox_2d": [10,100,200,210]' in out
    assert "Zigeng/R1-VeriThinker-7B" in out and "Vinnnf/Thinkless-1.5B-RL-DeepScaleR" in out  # text reasoners too
    assert "'{question} Please reason step by step" in out
