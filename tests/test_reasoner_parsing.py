"""Parsing real-looking reasoner outputs: never raises; every unusable output has a named failure."""

from __future__ import annotations

import pytest

from wisebench.adapters.prediction import ObjectPrompt
from wisebench.reasoner.parsing import parse_output, rescale_objects

GOOD = '<think>The spoon is for soup.</think><answer>{"bbox":[100,200,300,400],"points_1":[150,250],"points_2":[200,300]}</answer>'


def test_well_formed():
    parsed = parse_output(GOOD, "stop")
    assert parsed.failure is None and parsed.reasoning_text == "The spoon is for soup."
    assert parsed.objects == [ObjectPrompt((100.0, 200.0, 300.0, 400.0), ((150.0, 250.0), (200.0, 300.0)), (1, 1))]


@pytest.mark.parametrize(
    "text, finish, failure, reasoning",
    [
        # single-quoted JSON copied from Seg-Zero's prompt example: accepted (literals only)
        ("<think>a</think><answer>{'bbox': [1,2,30,40], 'points_1': [5,6], 'points_2': [7,8]}</answer>", "stop", None, "a"),
        # extra text around the JSON and after the answer (WISE's d_think)
        ('<think>b</think> Sure! <answer>Here: {"bbox_2d":[1,2,30,40],"points_1":[5,6],"points_2":[7,8]} done</answer><d_think>long</d_think>', "stop", None, "b"),
        # the answer is complete, the detailed explanation afterwards hit the token limit: still usable
        ('<think>c</think><answer>{"bbox":[1,2,30,40],"points_1":[5,6],"points_2":[7,8]}</answer><d_think>and then', "length", None, "c"),
        # the chat template opened <think> already: reasoning is the text before </think>
        ('pre-opened reasoning</think><answer>{"bbox":[1,2,30,40],"points_1":[5,6],"points_2":[7,8]}</answer>', "stop", None, "pre-opened reasoning"),
        # no answer tags but a JSON object after the reasoning: upstream reads it, so do we (noted)
        ('<think>d</think>{"bbox":[1,2,30,40],"points_1":[5,6],"points_2":[7,8]}', "stop", None, "d"),
        ("<think>never closes because the limit came first", "length", "truncated_in_reasoning", "never closes because the limit came first"),
        ("<think>ends</think><answer>{\"bbox\":[1,2,3", "length", "truncated_in_answer", "ends"),
        ("<think>ends</think>", "length", "truncated_before_answer", "ends"),
        ("<think>x</think>just words", "stop", "missing_answer_tag", "x"),
        ("<think>x</think><answer>no json here</answer>", "stop", "no_json_object", "x"),
        ("<think>x</think><answer>{bbox: [1,2,3,4]}</answer>", "stop", "broken_json", "x"),
        ('<think>x</think><answer>{"points_1":[5,6],"points_2":[7,8]}</answer>', "stop", "missing_bbox", "x"),
        ('<think>x</think><answer>{"bbox":[1,2,30,40]}</answer>', "stop", "missing_points", "x"),
        ('<think>x</think><answer>{"bbox":[1,2,30,40],"points_1":[5,6]}</answer>', "stop", "missing_points", "x"),
        ('<think>x</think><answer>{"bbox":[30,40,1,2],"points_1":[5,6],"points_2":[7,8]}</answer>', "stop", "bbox_inverted", "x"),
        ('<think>x</think><answer>{"bbox":[1,2,30],"points_1":[5,6],"points_2":[7,8]}</answer>', "stop", "bad_bbox:wrong_arity", "x"),
        ('<think>x</think><answer>{"bbox":[1,2,NaN,40],"points_1":[5,6],"points_2":[7,8]}</answer>', "stop", "bad_bbox:non_finite_or_huge", "x"),
        ('<think>x</think><answer>{"bbox":[1,2,1e300,40],"points_1":[5,6],"points_2":[7,8]}</answer>', "stop", "bad_bbox:non_finite_or_huge", "x"),
        ('<think>x</think><answer>{"bbox":[1,2,30,40],"points_1":["a",6],"points_2":[7,8]}</answer>', "stop", "bad_points:not_numeric", "x"),
        ('<think>x</think><answer>{"bbox":[true,2,30,40],"points_1":[5,6],"points_2":[7,8]}</answer>', "stop", "bad_bbox:not_numeric", "x"),
        ("", "stop", "missing_answer_tag", ""),
        ("\x00\uffff<think><answer></answer>", "stop", "unclosed_think", "<answer></answer>"),
        ("<think>x</think><answer>{'bbox': __import__('os').system('true')}</answer>", "stop", "broken_json", "x"),
    ],
)
def test_output_table(text, finish, failure, reasoning):
    parsed = parse_output(text, finish)
    assert parsed.failure == failure
    assert parsed.reasoning_text == reasoning
    assert (parsed.objects != []) == (failure is None)


def test_multi_object_schema():
    text = '<think>two cups</think><answer>[{"bbox_2d":[1,2,30,40],"point_2d":[5,6]},{"bbox_2d":[50,60,70,80],"point_2d":[55,65]}]</answer>'
    parsed = parse_output(text, "stop", schema="object_list")
    assert parsed.failure is None and len(parsed.objects) == 2
    assert parsed.objects[1] == ObjectPrompt((50.0, 60.0, 70.0, 80.0), ((55.0, 65.0),), (1,))
    partly_bad = '<think>t</think><answer>[{"bbox_2d":[1,2,30,40],"point_2d":[5,6]},{"bbox_2d":[9,9,1,1],"point_2d":[5,6]}]</answer>'
    assert len(parse_output(partly_bad, "stop", schema="object_list").objects) == 1
    assert parse_output("<think>t</think><answer>[]</answer>", "stop", schema="object_list").failure == "broken_json"


def test_rescale_to_non_square_original():
    # 840 x 840 model space -> 1680 wide x 420 high: x doubles, y halves; upstream truncates first, then rounds.
    objects = [ObjectPrompt((100.7, 200.2, 420.9, 839.0), ((10.9, 11.5), (839.9, 0.0)), (1, 1))]
    (scaled,) = rescale_objects(objects, (840, 840), (1680, 420))
    assert scaled.box == (200.0, 100.0, 840.0, 420.0)  # 839 * 0.5 = 419.5 -> 420 (round half to even), clipped at 420
    assert scaled.points == ((20.0, 6.0), (1678.0, 0.0))  # 839 * 2 = 1678; 11 * 0.5 = 5.5 -> 6


def test_rescale_clips_and_rejects_boxes_outside():
    (clipped,) = rescale_objects([ObjectPrompt((-50, -10, 900, 100), ((900.0, -5.0),), (1,))], (840, 840), (420, 840))
    assert clipped.box == (0.0, 0.0, 420.0, 100.0) and clipped.points == ((419.0, 0.0),)
    assert rescale_objects([ObjectPrompt((850, 10, 900, 100), (), ())], (840, 840), (840, 840)) == "bbox_outside_image"


@pytest.mark.parametrize("number", ["9" * 400, "9" * 5000, "1" + "0" * 400 + ".5"])
def test_absurd_numbers_are_failures_not_crashes(number):
    text = f'<think>x</think><answer>{{"bbox":[1,2,{number},40],"points_1":[5,6],"points_2":[7,8]}}</answer>'
    parsed = parse_output(text, "stop")
    assert parsed.failure is not None and parsed.objects == []
