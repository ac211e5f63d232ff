"""Thinkless' scorers (VainF/Thinkless at HEAD aa225d2, scripts/eval/), which read lm-eval's logged samples:
the text searched is `str(entry["resps"])`, the Python repr of [[response]] (backslashes doubled, newlines written
as "\\n"), the whole response (control token, chain and answer).

- AIME (eval_aime.py:45-93): the last `\\boxed{(.+?)}` (up to the first "}"), else the "Final Answer" patterns, else the
  last number; correct when it and the gold parse as floats within 1e-6 (a ValueError scores it wrong).
- MATH-500, Minerva algebra, GSM8K (eval_math500.py / eval_minerva.py / eval_gsm8k.py:85-129, one rule): the last
  balanced `\\boxed{}`, else <answer> tags, "**Answer:** N" or the last number; grade_answer (math_grader.py),
  else the first numbers of both as floats.
"""

from __future__ import annotations

import re

from wisebench.text.scoring.boxed import NUMBER, boxed_groups, first_numbers_equal, tagged_answer, unbox
from wisebench.text.scoring.math_grader import grade_answer

LAST_BOX = re.compile(r"\\boxed\{(.+?)\}")
FINAL_ANSWER_PATTERNS = (  # eval_aime.py:51-57, tried in order with re.search
    r"\*+Final\s+Answer\*+\s*\n*\s*\\\[\s*\\boxed\s*{\s*([0-9.-]+)\s*}\s*\\\]",
    r"\*+Final\s+Answer\*+\s*\n*\s*\\\[\s*([0-9.-]+)\s*\\\]",
    r"\*?Final\s+Answer\*?\s*[:=]\s*([0-9.-]+)",
    r"[Tt]he\s+[Ff]inal\s+[Aa]nswer\s+[Ii]s\s*[:=]?\s*([0-9.-]+)",
    r"[Ff]inal\s+[Aa]nswer\s*[:=]\s*([0-9.-]+)",
)
MATH_TAGS = (r"<answer>(.*?)</answer>", r"</answer>(.*?)</answer>", r"<answer>(.*?)<answer>", r"\*\*Answer:\*\* ([\d\.]+)", NUMBER.pattern)


def logged_text(response: str) -> str:
    """What the scripts search: str() of lm-eval's `resps` field for one request, one response."""
    return str([[response]])


def aime_prediction(response: str) -> str | None:
    text = logged_text(response)
    boxes = LAST_BOX.findall(text)
    if boxes:
        return boxes[-1]
    for pattern in FINAL_ANSWER_PATTERNS:
        match = re.search(pattern, text)
        if match:
            return match.group(1)
    numbers = NUMBER.findall(text)
    return numbers[-1] if numbers else None


def aime_correct(response: str, gold: object) -> bool:
    prediction = aime_prediction(response)
    if prediction is None:
        return False
    try:
        return abs(float(prediction) - float(str(gold))) < 1e-6
    except ValueError:
        return False


def math_prediction(response: str) -> str | None:
    text = logged_text(response)
    groups = boxed_groups(text)
    return unbox(groups[-1]) if groups else tagged_answer(text, MATH_TAGS)


def math_correct(response: str, gold: object) -> bool:
    prediction = math_prediction(response)
    if prediction is None:
        return False
    expected = str(gold)
    return grade_answer(prediction, expected) or first_numbers_equal(prediction, expected)
