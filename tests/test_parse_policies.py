"""The `upstream` parse policy against each evaluation script's rules, on hand-made tricky outputs.

Expected outcomes are derived by hand from the scripts (docs/fidelity.md gives file:line):
Seg-Zero / WISE evaluation.py extract_bbox_points_think, VisionReasoner vision_reasoner_model.py
extract_bbox_points_think + generate_masks. The original image is 1680 x 840, so x scales by 2 and y by 1 from 840.
"""

from __future__ import annotations

import json

import pytest

from baselines.pixelthink import PIXELTHINK
from baselines.seg_zero import SEG_ZERO
from baselines.visionreasoner import VISIONREASONER
from wise.adapters import WISE, WISE_S
from wisebench.reasoner.answer_policy import parse_with_policies

SIZE = (1680, 840)
OK = "ok"


def obj(text_box, *points):
    return {"box": [float(v) for v in text_box], "points": [[float(x), float(y)] for x, y in points], "point_labels": [1] * len(points)}


A = '"bbox": [10,100,200,210], "points_1": [30,110], "points_2": [35,180]'
A_OBJECT = obj((20, 100, 400, 210), (60, 110), (70, 180))

# (name, text, Seg-Zero outcome, WISE outcome, robust outcome); an outcome is a failure reason or a list of objects.
SEGZERO_FAMILY = [
    ("canonical", f"<think> the cup </think><answer>{{{A}}}</answer>", [A_OBJECT], [A_OBJECT], [A_OBJECT]),
    ("single quotes from the prompt example", "<think>x</think><answer>{'bbox': [10,100,200,210], 'points_1': [30,110], 'points_2': [35,180]}</answer>", "json_error:JSONDecodeError", "json_error:JSONDecodeError", [A_OBJECT]),
    ("trailing comma", f"<think>x</think><answer>{{{A},}}</answer>", "json_error:JSONDecodeError", "json_error:JSONDecodeError", [A_OBJECT]),
    ("upper-case keys: matched case-insensitively", '<think>x</think><answer>{"BBOX": [10,100,200,210], "Points_1": [30,110], "POINTS_2": [35,180]}</answer>', [A_OBJECT], [A_OBJECT], "missing_bbox"),
    ("numbers as strings: int('10') passes", '<think>x</think><answer>{"bbox": ["10","100","200","210"], "points_1": ["30","110"], "points_2": ["35","180"]}</answer>', [A_OBJECT], [A_OBJECT], "bad_bbox:not_numeric"),
    ("floats truncate through int()", '<think>x</think><answer>{"bbox": [10.7,100.2,200.9,210.5], "points_1": [30.9,110.1], "points_2": [35.5,180.5]}</answer>', [A_OBJECT], [A_OBJECT], [A_OBJECT]),
    ("inverted box goes to SAM2 as it is", '<think>x</think><answer>{"bbox": [200,100,10,210], "points_1": [30,110], "points_2": [35,180]}</answer>', [obj((400, 100, 20, 210), (60, 110), (70, 180))], [obj((400, 100, 20, 210), (60, 110), (70, 180))], "bbox_inverted"),
    ("zero-area box", '<think>x</think><answer>{"bbox": [10,100,10,210], "points_1": [30,110], "points_2": [35,180]}</answer>', [obj((20, 100, 20, 210), (60, 110), (70, 180))], [obj((20, 100, 20, 210), (60, 110), (70, 180))], "bbox_inverted"),
    ("out of range: not clipped", '<think>x</think><answer>{"bbox": [10,100,2000,900], "points_1": [30,110], "points_2": [35,180]}</answer>', [obj((20, 100, 4000, 900), (60, 110), (70, 180))], [obj((20, 100, 4000, 900), (60, 110), (70, 180))], [obj((20, 100, 1680, 840), (60, 110), (70, 180))]),
    ("negative coordinate: not clipped", '<think>x</think><answer>{"bbox": [-10,100,200,210], "points_1": [30,110], "points_2": [35,180]}</answer>', [obj((-20, 100, 400, 210), (60, 110), (70, 180))], [obj((-20, 100, 400, 210), (60, 110), (70, 180))], [obj((0, 100, 400, 210), (60, 110), (70, 180))]),
    ("NaN loads, then int() fails", '<think>x</think><answer>{"bbox": [NaN,100,200,210], "points_1": [30,110], "points_2": [35,180]}</answer>', "upstream_exception:ValueError", "upstream_exception:ValueError", "bad_bbox:non_finite_or_huge"),
    ("Infinity loads, then int() overflows", '<think>x</think><answer>{"bbox": [Infinity,100,200,210], "points_1": [30,110], "points_2": [35,180]}</answer>', "upstream_exception:OverflowError", "upstream_exception:OverflowError", "bad_bbox:non_finite_or_huge"),
    ("huge integers pass", '<think>x</think><answer>{"bbox": [10,100,200,1000000000000], "points_1": [30,110], "points_2": [35,180]}</answer>', [obj((20, 100, 400, 1e12), (60, 110), (70, 180))], [obj((20, 100, 400, 1e12), (60, 110), (70, 180))], "bad_bbox:non_finite_or_huge"),
    ("unclosed think: Seg-Zero fails, WISE scores", f"<think>the cup is left<answer>{{{A}}}</answer>", "no_think_match", [A_OBJECT], "unclosed_think"),
    ("< inside think: no think match", f"<think>a < b so left</think><answer>{{{A}}}</answer>", "no_think_match", [A_OBJECT], [A_OBJECT]),
    ("empty think: [^<]+ needs a character", f"<think></think><answer>{{{A}}}</answer>", "no_think_match", [A_OBJECT], [A_OBJECT]),
    ("JSON inside think is the first object", f'<think>maybe {{"bbox": [1,1,50,50], "points_1": [2,2], "points_2": [3,3]}} no</think><answer>{{{A}}}</answer>', [obj((2, 1, 100, 50), (4, 2), (6, 3))], [obj((2, 1, 100, 50), (4, 2), (6, 3))], [A_OBJECT]),
    ("no answer tag, JSON after think", f"<think>x</think>{{{A}}}", [A_OBJECT], [A_OBJECT], [A_OBJECT]),
    ("one points key", '<think>x</think><answer>{"bbox": [10,100,200,210], "points_1": [30,110]}</answer>', "missing_points", "missing_points", "missing_points"),
    ("three box numbers", '<think>x</think><answer>{"bbox": [10,100,200], "points_1": [30,110], "points_2": [35,180]}</answer>', "missing_bbox", "missing_bbox", "bad_bbox:wrong_arity"),
    ("five box numbers", '<think>x</think><answer>{"bbox": [10,100,200,210,5], "points_1": [30,110], "points_2": [35,180]}</answer>', "missing_bbox", "missing_bbox", "bad_bbox:wrong_arity"),
    ("three point numbers: the first two are used", '<think>x</think><answer>{"bbox": [10,100,200,210], "points_1": [30,110,7], "points_2": [35,180]}</answer>', [A_OBJECT], [A_OBJECT], "bad_points:wrong_arity"),
    ("a point as a string indexes characters", '<think>x</think><answer>{"bbox": [10,100,200,210], "points_1": "30,110", "points_2": [35,180]}</answer>', [obj((20, 100, 400, 210), (6, 0), (70, 180))], [obj((20, 100, 400, 210), (6, 0), (70, 180))], "bad_points:wrong_arity"),
    ("true counts as 1", '<think>x</think><answer>{"bbox": [true,100,200,210], "points_1": [30,110], "points_2": [35,180]}</answer>', [obj((2, 100, 400, 210), (60, 110), (70, 180))], [obj((2, 100, 400, 210), (60, 110), (70, 180))], "bad_bbox:not_numeric"),
    ("nested braces cut the object short", '<think>x</think><answer>{"bbox": [10,100,200,210], "meta": {"a": 1}, "points_1": [30,110], "points_2": [35,180]}</answer>', "json_error:JSONDecodeError", "json_error:JSONDecodeError", "broken_json"),
    ("truncated JSON", '<think>x</think><answer>{"bbox": [10,100', "no_json_object", "no_json_object", "truncated_in_answer"),
    ("VisionReasoner keys in a Seg-Zero answer", '<think>x</think><answer>{"bbox_2d": [10,100,200,210], "point_2d": [30,110]}</answer>', "missing_points", "missing_points", "missing_points"),
    ("first of two objects single-quoted", f"<think>x</think><answer>{{'bbox': [1,1,5,5], 'points_1': [1,1], 'points_2': [2,2]}} or {{{A}}}</answer>", "json_error:JSONDecodeError", "json_error:JSONDecodeError", [obj((2, 1, 10, 5), (2, 1), (4, 2))]),
    ("no JSON at all", "<think>x</think><answer>the left cup</answer>", "no_json_object", "no_json_object", "no_json_object"),
]

TRUNCATED = {"truncated JSON"}


def outcome(answer) -> object:
    return answer.failure if answer.failure is not None else [o.to_json() for o in answer.objects]


@pytest.mark.parametrize("name, text, segzero, wise, robust", SEGZERO_FAMILY, ids=[row[0] for row in SEGZERO_FAMILY])
def test_segzero_family_upstream_and_robust(name, text, segzero, wise, robust):
    finish = "length" if name in TRUNCATED else "stop"
    for spec, expected in ((SEG_ZERO, segzero), (PIXELTHINK, segzero), (WISE, wise), (WISE_S, wise)):
        assert spec.parse_policy == "upstream"
        chosen, other = parse_with_policies(text, finish, spec, "upstream", SIZE)
        assert (spec.name, outcome(chosen)) == (spec.name, expected)
        robust_answer, robust_other = parse_with_policies(text, finish, spec, "robust", SIZE)
        assert outcome(robust_answer) == robust
        # The record keeps what the other policy made of it exactly when the outcomes differ.
        differs = (isinstance(expected, str) != isinstance(robust, str)) or (not isinstance(expected, str) and expected != robust)
        assert (other is not None) == differs and (robust_other is not None) == differs
        if other is not None:
            assert other["policy"] == "robust" and other["failure"] == (robust if isinstance(robust, str) else None)


V1 = '{"bbox_2d": [10,100,200,210], "point_2d": [30,110]}'
V2 = '{"bbox_2d": [225,296,706,786], "point_2d": [302,410]}'
V1_OBJECT = obj((20, 100, 400, 210), (60, 110))
V2_OBJECT = obj((450, 296, 1412, 786), (604, 410))

# (name, text, upstream outcome, robust outcome)
VISIONREASONER_CASES = [
    ("two objects", f"<think>two</think><answer>[{V1}, {V2}]</answer>", [V1_OBJECT, V2_OBJECT], [V1_OBJECT, V2_OBJECT]),
    ("lone dict: iterating it yields keys", f"<think>x</think><answer>{V1}</answer>", "upstream_exception:TypeError", [V1_OBJECT]),
    ("no closing answer tag", f"<think>x</think><answer>[{V1}]", "no_answer_tag", [V1_OBJECT]),
    ("no answer tag", f"<think>x</think>[{V1}]", "no_answer_tag", [V1_OBJECT]),
    ("one bad object empties the mask", f'<think>x</think><answer>[{V1}, {{"bbox_2d": [1,2,3,4]}}]</answer>', "upstream_exception:KeyError", [V1_OBJECT]),
    ("Seg-Zero-style keys", '<think>x</think><answer>[{"bbox": [10,100,200,210], "points": [30,110]}]</answer>', "upstream_exception:KeyError", [V1_OBJECT]),
    ("upper-case keys: exact keys only", '<think>x</think><answer>[{"BBOX_2D": [10,100,200,210], "POINT_2D": [30,110]}]</answer>', "upstream_exception:KeyError", "missing_bbox"),
    ("empty list", "<think>x</think><answer>[]</answer>", "empty_object_list", "broken_json"),
    ("single quotes", "<think>x</think><answer>[{'bbox_2d': [10,100,200,210], 'point_2d': [30,110]}]</answer>", "json_error:JSONDecodeError", [V1_OBJECT]),
    ("floats: int(v * f + 0.5)", '<think>x</think><answer>[{"bbox_2d": [10.3,100.6,200.2,210.5], "point_2d": [30.2,110.7]}]</answer>', [obj((21, 101, 400, 211), (60, 111))], [V1_OBJECT]),
    ("numbers as strings fail", '<think>x</think><answer>[{"bbox_2d": ["10","100","200","210"], "point_2d": [30,110]}]</answer>', "upstream_exception:TypeError", "bad_bbox:not_numeric"),
    ("NaN", '<think>x</think><answer>[{"bbox_2d": [NaN,100,200,210], "point_2d": [30,110]}]</answer>', "upstream_exception:ValueError", "bad_bbox:non_finite_or_huge"),
    ("inverted box passes", '<think>x</think><answer>[{"bbox_2d": [200,100,10,210], "point_2d": [30,110]}]</answer>', [obj((400, 100, 20, 210), (60, 110))], "bbox_inverted"),
    ("zero-area box passes", '<think>x</think><answer>[{"bbox_2d": [10,100,10,100], "point_2d": [10,100]}]</answer>', [obj((20, 100, 20, 100), (20, 100))], "bbox_inverted"),
    ("out of range: not clipped", '<think>x</think><answer>[{"bbox_2d": [10,100,2000,900], "point_2d": [30,110]}]</answer>', [obj((20, 100, 4000, 900), (60, 110))], [obj((20, 100, 1680, 840), (60, 110))]),
    ("negative: int() truncates toward zero", '<think>x</think><answer>[{"bbox_2d": [-10,100,200,210], "point_2d": [30,110]}]</answer>', [obj((-19, 100, 400, 210), (60, 110))], [obj((0, 100, 400, 210), (60, 110))]),
    ("whitespace and newlines around the list", f"<think>x</think><answer>\n  [ {V1} ]\n</answer>", [V1_OBJECT], [V1_OBJECT]),
    ("words before the list", f"<think>x</think><answer>Here: [{V1}]</answer>", "json_error:JSONDecodeError", [V1_OBJECT]),
    ("no think at all", f"<answer>[{V1}]</answer>", [V1_OBJECT], [V1_OBJECT]),
    ("< inside think", f"<think>a<b</think><answer>[{V1}]</answer>", [V1_OBJECT], [V1_OBJECT]),
    ("three point numbers: the first two are used", '<think>x</think><answer>[{"bbox_2d": [10,100,200,210], "point_2d": [30,110,1]}]</answer>', [V1_OBJECT], "bad_points:wrong_arity"),
    ("three box numbers", '<think>x</think><answer>[{"bbox_2d": [10,100,200], "point_2d": [30,110]}]</answer>', "upstream_exception:IndexError", "bad_bbox:wrong_arity"),
    ("nested list", f"<think>x</think><answer>[[{V1}]]</answer>", "upstream_exception:TypeError", "object_not_a_dict"),
    ("true counts as 1", '<think>x</think><answer>[{"bbox_2d": [true,100,200,210], "point_2d": [30,110]}]</answer>', [obj((2, 100, 400, 210), (60, 110))], "bad_bbox:not_numeric"),
    ("JSON inside think is not read", f'<think>[{V2}]</think><answer>[{V1}]</answer>', [V1_OBJECT], [V1_OBJECT]),
]


@pytest.mark.parametrize("name, text, upstream, robust", VISIONREASONER_CASES, ids=[row[0] for row in VISIONREASONER_CASES])
def test_visionreasoner_upstream_and_robust(name, text, upstream, robust):
    chosen, other = parse_with_policies(text, "stop", VISIONREASONER, "upstream", SIZE)
    assert outcome(chosen) == upstream
    assert outcome(parse_with_policies(text, "stop", VISIONREASONER, "robust", SIZE)[0]) == robust
    differs = (isinstance(upstream, str) != isinstance(robust, str)) or (not isinstance(upstream, str) and upstream != robust)
    assert (other is not None) == differs


def test_visionreasoner_rounding_differs_from_segzero_rule_at_halves():
    # W = 1260: factor 1.5. v = 3: int(4.5 + 0.5) = 5 upstream; round(int(3) * 1.5) = round(4.5) = 4 (banker's).
    text = '<answer>[{"bbox_2d": [3,10,100,100], "point_2d": [3,10]}]</answer>'
    upstream, other = parse_with_policies(text, "stop", VISIONREASONER, "upstream", (1260, 840))
    robust, _ = parse_with_policies(text, "stop", VISIONREASONER, "robust", (1260, 840))
    assert upstream.objects[0].box[0] == 5.0 and robust.objects[0].box[0] == 4.0 and other is not None


def test_think_match_is_kept_unstripped_and_missing_matches_are_none():
    spaced, _ = parse_with_policies(f"<think>  the cup  </think><answer>{{{A}}}</answer>", "stop", WISE_S, "upstream", SIZE)
    assert spaced.think_match == "  the cup  " and spaced.reasoning_text == "the cup"
    unclosed, _ = parse_with_policies(f"<think>the cup<answer>{{{A}}}</answer>", "stop", WISE_S, "upstream", SIZE)
    assert unclosed.think_match is None and unclosed.failure is None


def test_parse_command_prints_one_line_per_input_and_names_bad_lines(tmp_path):
    import subprocess
    import sys

    lines = [json.dumps({"id": "a", "text": f"<think>x</think><answer>{{{A}}}</answer>"}), "", json.dumps({"id": 7, "text": "{'bbox': [1,2,3,4], 'points_1': [1,1], 'points_2': [2,2]}"})]
    command = [sys.executable, "-m", "wisebench.cli", "parse", "--model", "wise-s", "--size", "1680x840"]
    done = subprocess.run(command, input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first, second = [json.loads(line) for line in done.stdout.splitlines()]
    assert first == {"id": "a", "policy": "upstream", "ok": True, "failure": None, "objects": [A_OBJECT], "reasoning_text": "x", "think_match": "x", "other_policy": None}
    assert second["id"] == 7 and second["failure"] == "json_error:JSONDecodeError" and second["other_policy"]["failure"] is None
    robust = subprocess.run(command + ["--policy", "robust"], input=lines[2] + "\n", capture_output=True, text=True, timeout=120)
    assert json.loads(robust.stdout)["ok"] is True

    bad = subprocess.run(command, input=lines[0] + "\n[1, 2]\n", capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "stdin line 2" in bad.stderr and '"text"' in bad.stderr
    assert len(bad.stdout.splitlines()) == 1  # the finished line stands
    not_json = subprocess.run(command, input="{oops\n", capture_output=True, text=True, timeout=120)
    assert not_json.returncode == 2 and "stdin line 1: not JSON" in not_json.stderr
    unknown = subprocess.run([sys.executable, "-m", "wisebench.cli", "parse", "--model", "nosuch", "--size", "10x10"], input="", capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 2 and "unknown model 'nosuch'" in unknown.stderr
    no_parser = subprocess.run([sys.executable, "-m", "wisebench.cli", "parse", "--model", "lisa", "--size", "10x10"], input="", capture_output=True, text=True, timeout=120)
    assert no_parser.returncode == 2 and "no answer parser" in no_parser.stderr
    bad_size = subprocess.run([sys.executable, "-m", "wisebench.cli", "parse", "--model", "wise", "--size", "10by10"], input="", capture_output=True, text=True, timeout=120)
    assert bad_size.returncode == 2 and "WIDTHxHEIGHT" in bad_size.stderr
    binary = subprocess.run(command, input=b"\xff\xfe\n", capture_output=True, timeout=120)
    assert binary.returncode == 2 and b"not UTF-8" in binary.stderr
