"""`\\boxed{...}` extraction by brace balance, as VeriThinker's dataset.py:92-125 and Thinkless'
scripts/eval/eval_math500.py:10-43 do (the same routine in both)."""

from __future__ import annotations

import re

BOX = "\\boxed{"
# The "first number" both math scripts fall back on (VeriThinker eval_math500.py:111, Thinkless eval_math500.py:122).
# Its sign only binds to decimals: "-5" yields "5".
NUMBER = re.compile(r"[-+]?\d*\.\d+|\d+")


def boxed_groups(text: str) -> list[str]:
    """Every top-level `\\boxed{...}`, braces included, left to right. A box whose braces never balance runs to
    the end of the text (and ends the search); boxes nested inside a box are part of it, not listed again."""
    groups: list[str] = []
    start = text.find(BOX)
    while start != -1:
        depth, end = 0, len(text)
        for index in range(start + len(BOX) - 1, len(text)):
            if text[index] == "{":
                depth += 1
            elif text[index] == "}":
                depth -= 1
                if depth == 0:
                    end = index + 1
                    break
        groups.append(text[start:end])
        start = text.find(BOX, end)
    return groups


def unbox(group: str) -> str:
    """What the scripts keep of a group: every `\\boxed{` removed, then the last character dropped (the closing
    brace of a balanced box; any last character of an unbalanced one)."""
    return group.replace(BOX, "")[:-1]


def tagged_answer(text: str, patterns: tuple[str, ...]) -> str | None:
    """The last match of the first pattern that matches at all (re.findall semantics), else None."""
    for pattern in patterns:
        matches = re.findall(pattern, text)
        if matches:
            return matches[-1]
    return None


def first_numbers_equal(prediction: str, gold: str) -> bool:
    """The scripts' second chance: the first number of each, compared as floats."""
    predicted, expected = NUMBER.findall(prediction), NUMBER.findall(gold)
    return bool(predicted and expected) and float(predicted[0]) == float(expected[0])
