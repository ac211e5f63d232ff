"""The recipes' scorers on hand-made responses, each expectation read off the upstream rule it pins (file:line in
wisebench/text/scoring/*). VeriThinker reads the response that ends before "\\n</think>"; Thinkless reads str() of
lm-eval's resps ([[response]]), so backslashes are doubled and newlines are the two characters "\\n"."""

from __future__ import annotations

import pytest

from wisebench.text.scoring import scorer
from wisebench.text.scoring.minerva import minerva_target
from wisebench.text.scoring.verithinker import aime_answer, last_number_token

pytest.importorskip("math_verify")
pytest.importorskip("pylatexenc")

B = "\\boxed"

VERITHINKER_AIME = [  # (response, gold, correct, why)
    (f"so {B}{{70}}", 70, True, "boxed integer"),
    (f"first {B}{{12}}, wait, redo: {B}{{34}}", 34, False, "the FIRST box is read (re.search)"),
    (f"first {B}{{12}}, wait, redo: {B}{{34}}", 12, True, "the first box"),
    (f"x = {B}{{\\frac{{1}}{{2}}}}", 12, True, "nested braces: box reads 'frac{1' (no float), the last token's digits '12' are used"),
    (f"x = {B}{{\\frac{{1}}{{2}}}}", "0.5", False, "same: 12 is not round(0.5)"),
    (f"The answer is {B} 5", 5, True, "\\boxed without braces: no box, the last number token"),
    (f"{B}{{1,000}}", 1000, True, "commas removed from the box"),
    (f"{B}{{-7}}", -7, True, "negative"),
    (f"{B}{{\u22127}}", -7, False, "unicode minus: not a float, the last token keeps only the digits: 7"),
    (f"{B}{{2.5}}", 2, True, "int(round(2.5)) == 2 (round half to even)"),
    (f"{B}{{2.5}}", 3, False, "round half to even"),
    (f"{B}{{3.5}}", 4, True, "round half to even"),
    ("so the answer is 42.", 42, True, "no box: last token '42.' is a float"),
    ("I do not know", 5, False, "no number at all"),
    (f"{B}{{\\$50}}", 50, True, "backslash and $ removed"),
    (f"{B}{{25\\%}}", 25, True, "percent removed"),
    ("boxed{8}", 8, True, "no backslash needed"),
    (f"{B}{{ 9 }}", 9, True, "stripped"),
    (f"chain {B}{{10}}</think>\n\nso {B}{{11}}", 10, True, "one response: the box in the chain comes first"),
    ("Let me compute 3+4 = 7 and then", 7, True, "a truncated chain is scored (last number token)"),
    (f"{B}{{x=5}}", 5, True, "box not a float: the last token's digits"),
    (f"{B}{{1e3}}", 1000, True, "float('1e3')"),
    (f"{B}{{inf}}", 5, False, "OverflowError is a wrong answer"),
    (f"{B}{{nan}}", 5, False, "nan: wrong (the script would crash)"),
    ("the range is 3-4", 34, True, "last token '3-4': non-leading minus dropped -> 34"),
    (f"{B}{{33}}", "033", True, "gold as text"),
    (f"{B}{{\uff11\uff12}}", 12, True, "float() reads fullwidth digits"),
]

VERITHINKER_MATH500 = [
    (f"{B}{{\\frac{{1}}{{2}}}}", "\\frac{1}{2}", True, "nested braces balanced"),
    (f"{B}{{0.5}}", "\\frac{1}{2}", True, "math_verify: equal values"),
    (f"{B}{{3}} then {B}{{4}}", "4", True, "the last box"),
    (f"{B}{{3}} then {B}{{4}}", "3", False, "the last box"),
    (f"{B}{{{B}{{5}}}}", "5", True, "nested boxes: '5}' fails math_verify, first numbers 5 == 5"),
    (f"so {B} 5", "5", True, "no braces: no box, no tag; math_verify on the last-number token"),
    (f"{B}{{-5}}", "5", True, "math_verify says no; the first-number regex drops an integer's sign: 5 == 5"),
    (f"{B}{{-0.5}}", "0.5", False, "a decimal keeps its sign"),
    (f"{B}{{1,000}}", "1000", True, "math_verify reads 1,000"),
    (f"{B}{{\u22125}}", "-5", True, "math_verify reads the unicode minus"),
    ("<answer>7</answer>", "7", True, "answer tags without a box"),
    ("**Answer:** 12", "12", True, "bold answer without a box"),
    ("the answer is 9", "9", True, "no box: math_verify on the last-number token"),
    ("no idea", "3", False, "INVALID_ANS"),
    (f"{B}{{\\frac{{3}}{{4", "\\frac{3}{4}", True, "an unbalanced box runs to the end, minus its last char: '\\frac{3}{' -> first numbers 3 == 3"),
    (f"{B}{{}}", "3", False, "empty box"),
    (f"{B}{{3\\sqrt{{2}}}}", "3\\sqrt{2}", True, "math_verify"),
    (f"{B}{{\\dfrac{{2}}{{3}}}}", "\\frac{2}{3}", True, "math_verify"),
    (f"{B}{{x^2+1}}", "1+x^2", True, "math_verify: symbolic"),
    (f"{B}{{(1,2)}}", "(1,2)", True, "math_verify: interval"),
    (f"{B}{{2}} and {B}{{3", "2", False, "a trailing unbalanced box is the last: '3'[:-1] is empty"),
    (f"{B}{{7}}", "8", False, "plainly wrong"),
]

THINKLESS_AIME = [
    (f"{B}{{70}}", "70", True, "boxed integer"),
    (f"{B}{{12}} ... {B}{{34}}", "34", True, "the LAST box"),
    (f"{B}{{12}} ... {B}{{34}}", "12", False, "the last box"),
    (f"{B}{{{B}{{7}}}}", "7", False, "nested: the box reads up to the first '}' -> '\\\\boxed{7' is no float"),
    (f"The answer is {B} 5", "5", True, "no braces: the last number"),
    (f"{B}{{1,000}}", "1000", False, "float('1,000') fails"),
    (f"{B}{{-7}}", "-7", True, "negative"),
    (f"{B}{{\u22127}}", "-7", False, "unicode minus is no float"),
    (f"{B}{{7.0}}", "7", True, "float compare"),
    ("Final Answer: 12", "12", True, "final-answer pattern"),
    ("so we get 5 and then 6", "6", True, "the last number"),
    ("no idea", "5", False, "nothing to read"),
    (f"{B}{{\\frac{{1}}{{2}}}}", "0.5", False, "'\\\\frac{1' is no float"),
    (f"<think>about 3</think>\n{B}{{4}}", "4", True, "answer after the chain"),
    (f"<think>{B}{{4}}</think> so maybe 5", "4", True, "a box inside the chain counts: the whole response is read"),
    ("<think>1, 2, 3", "3", True, "a truncated chain is scored: the last number"),
    (f"{B}{{33}}", "033", True, "float('033')"),
    (f"{B}{{\n5\n}}", "5", False, "a newline in the box is '\\\\n' in the repr: no float"),
    (f"{B}{{5}}'s", "5", True, "a quote changes the repr's delimiters only"),
    (f"<short>{B}{{9}}", "9", True, "short mode"),
    (f"{B}{{ 12 }}", "12", True, "float() strips spaces"),
    ("Final Answer: 3.5", "3.5", True, "decimal"),
]

THINKLESS_MATH = [
    (f"{B}{{\\frac{{1}}{{2}}}}", "\\frac{1}{2}", True, "the repr's doubled backslashes are undone by the MATH normalisation"),
    (f"{B}{{0.5}}", "\\frac{1}{2}", True, "0.5 -> \\frac{1}{2}"),
    (f"{B}{{3}} then {B}{{4}}", "4", True, "the last box"),
    (f"{B}{{3}} then {B}{{4}}", "3", False, "the last box"),
    (f"{B}{{{B}{{5}}}}", "5", True, "nested boxes: first numbers 5 == 5"),
    (f"so {B} 5", "5", True, "no braces: the last number"),
    (f"{B}{{-5}}", "5", True, "grade_answer says no; first numbers drop an integer's sign"),
    (f"{B}{{1,000}}", "1000", True, "thousands commas"),
    (f"{B}{{\u22125}}", "-5", True, "unicode minus: no grade, first numbers 5 == 5"),
    (f"{B}{{\\dfrac{{3}}{{4}}}}", "\\frac{3}{4}", True, "dfrac"),
    (f"{B}{{\\frac34}}", "\\frac{3}{4}", True, "\\frac34"),
    (f"{B}{{3/4}}", "\\frac{3}{4}", True, "a/b"),
    (f"{B}{{6/8}}", "\\frac{3}{4}", False, "unreduced fraction: no sympy"),
    (f"{B}{{x = 5}}", "5", True, "'x =' dropped"),
    (f"{B}{{5 \\text{{ cm}}}}", "5", True, "unit dropped"),
    (f"{B}{{(1, 2)}}", "(1,2)", True, "spaces"),
    (f"{B}{{[1,2)}}", "(1,2)", True, "brackets differ, but the first numbers agree"),
    ("<answer>7</answer>", "7", True, "answer tags"),
    ("the answer is 12", "12", True, "the last number"),
    ("no idea", "3", False, "nothing to read"),
    (f"<think>{B}{{3}}</think>{B}{{4}}", "4", True, "the last box of the whole response"),
    (f"<think>{B}{{3}}</think>{B}{{4}}", "3", False, "the last box of the whole response"),
    (f"{B}{{\\frac{{3}}{{4", "\\frac{3}{4}", True, "an unbalanced box: first numbers 3 == 3"),
    (f"{B}{{10\\%}}", "10", True, "percent"),
    (f"{B}{{\\sqrt2}}", "\\sqrt{2}", True, "\\sqrt2"),
    (f"{B}{{x^2+1}}", "1+x^2", True, "sympy"),
    (f"{B}{{7}}", "8", False, "plainly wrong"),
]


def _ids(cases):
    return [why for *_, why in cases]


@pytest.mark.parametrize("policy, cases", [("verithinker-aime", VERITHINKER_AIME), ("verithinker-math500", VERITHINKER_MATH500), ("thinkless-aime", THINKLESS_AIME), ("thinkless-math", THINKLESS_MATH)])
def test_each_family_has_twenty_tricky_cases(policy, cases):
    assert len(cases) >= 20


@pytest.mark.parametrize("response, gold, correct, why", VERITHINKER_AIME, ids=_ids(VERITHINKER_AIME))
def test_verithinker_aime(response, gold, correct, why):
    assert scorer("verithinker-aime")(response, gold) is correct


@pytest.mark.parametrize("response, gold, correct, why", VERITHINKER_MATH500, ids=_ids(VERITHINKER_MATH500))
def test_verithinker_math500(response, gold, correct, why):
    assert scorer("verithinker-math500")(response, gold) is correct


@pytest.mark.parametrize("response, gold, correct, why", THINKLESS_AIME, ids=_ids(THINKLESS_AIME))
def test_thinkless_aime(response, gold, correct, why):
    assert scorer("thinkless-aime")(response, gold) is correct


@pytest.mark.parametrize("response, gold, correct, why", THINKLESS_MATH, ids=_ids(THINKLESS_MATH))
def test_thinkless_math(response, gold, correct, why):
    assert scorer("thinkless-math")(response, gold) is correct


def test_verithinker_answer_extraction_steps():
    assert aime_answer(f"{B}{{\\frac{{1}}{{2}}}}") == "12"  # dataset.py:54-90 on the last token
    assert last_number_token("v1.2.3") == "1.23"  # first decimal point only
    assert last_number_token("-3-4") == "-34"  # leading minus only
    assert last_number_token("words") == "INVALID_ANS"


@pytest.mark.parametrize(
    "solution, target",
    [
        ("so $\\boxed{\\frac12}$", "\\frac{1}{2}"),  # \fracab -> \frac{a}{b}
        ("\\boxed 5$ dollars", "5"),  # "\boxed " phrase up to the next $
        ("\\boxed{100,000}", "100000"),
        ("\\boxed{x=3}", "3"),  # the text after the last "="
        ("a \\boxed{2} b \\boxed{\\sqrt3}", "\\sqrt{3}"),  # the last box
        ("\\boxed{\\text{(A)}}", "(A)"),
        ("\\boxed{5\\text{ cm}}", "5"),  # spaces, then "cm", then the empty \text{} removed
    ],
)
def test_minerva_target(solution, target):
    assert minerva_target(solution) == target
