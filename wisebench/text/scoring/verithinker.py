"""VeriThinker's scorers (czg1225/VeriThinker at HEAD 59204f2), applied to the whole response: the text vLLM
returned, which ends before the stop string "\\n</think>" when the chain closed, so the answer is read from the chain.

- AIME (eval_aime24.py:72-84, eval_aime25.py:72-84): the FIRST `boxed{...}` up to its first "}" (dataset.py:31,44-52:
  ",", "%", "\\", "$" removed), unless that is not a number: then the last whitespace-separated token holding a digit,
  cut down to digits, "." and "-" (dataset.py:54-90). Correct when both it and the gold parse as floats and
  int(round(float)) agree (Python's round: 2.5 -> 2).
- MATH500 (eval_math500.py:76-127): the last balanced `\\boxed{}` (else <answer> tags, else "**Answer:** N");
  math_verify on "$gold$" / "$prediction$" with LatexExtractionConfig, else the first numbers of both as floats;
  with no such answer, math_verify on the last-number token.
"""

from __future__ import annotations

import re

from wisebench.text.scoring.boxed import boxed_groups, first_numbers_equal, tagged_answer, unbox

FIRST_BOX = re.compile(r"boxed\{(.*?)\}")
NUMBER_TOKEN = re.compile(r"\S*\d+\S*")
NO_BOX = "[invalid]"  # dataset.py:33
NO_NUMBER = "INVALID_ANS"  # dataset.py:68
MATH500_TAGS = (r"<answer>(.*?)</answer>", r"</answer>(.*?)</answer>", r"<answer>(.*?)<answer>", r"\*\*Answer:\*\* ([\d\.]+)")


def is_float(value: object) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
        return True
    except ValueError:
        return False


def first_boxed(response: str) -> str:
    match = FIRST_BOX.search(response)
    if match is None:
        return NO_BOX
    value = match.group(1).strip()
    for dropped in (",", "%", "\\", "$"):
        value = value.replace(dropped, "")
    return value


def last_number_token(response: str) -> str:
    tokens = NUMBER_TOKEN.findall(response)
    if not tokens:
        return NO_NUMBER
    kept = "".join(character for character in tokens[-1] if character.isdigit() or character in ".-")
    head, dot, tail = kept.partition(".")  # only the first decimal point survives
    kept = head + dot + tail.replace(".", "")
    negative = kept.startswith("-")  # only a leading minus survives
    kept = kept.replace("-", "")
    return "-" + kept if negative else kept


def aime_answer(response: str) -> str:
    answer = first_boxed(response)
    return answer if is_float(answer) else last_number_token(response)


def aime_correct(response: str, gold: object) -> bool:
    answer = aime_answer(response)
    if not (is_float(gold) and is_float(answer)):
        return False
    try:
        return int(round(float(gold))) == int(round(float(answer)))  # type: ignore[arg-type]
    except (OverflowError, ValueError):  # inf (the script's except) and nan (the script would crash)
        return False


def math_verify_equal(gold: str, prediction: str) -> bool:
    from math_verify import parse, verify
    from math_verify.parser import LatexExtractionConfig

    config = [LatexExtractionConfig()]
    return bool(verify(parse("$" + gold + "$", extraction_config=config), parse("$" + prediction + "$", extraction_config=config)))


def math500_prediction(response: str) -> str | None:
    groups = boxed_groups(response)
    return unbox(groups[-1]) if groups else tagged_answer(response, MATH500_TAGS)


def math500_correct(response: str, gold: object) -> bool:
    expected = str(gold)
    prediction = math500_prediction(response)
    if prediction is None:
        return math_verify_equal(expected, last_number_token(response))
    return math_verify_equal(expected, prediction) or first_numbers_equal(prediction, expected)
