"""The MATH dataset's answer normalisation (Hendrycks et al.), as Thinkless' scripts/eval/math_eval/math_normalize.py
applies it: normalize_answer() is compared as strings before any sympy check. Each step names the line it follows."""

from __future__ import annotations

import re

TEXT_WRAPPER = re.compile(r"^\\text\{(?P<text>.+?)\}$")


def normalize_answer(answer: str | None) -> str | None:
    """math_normalize.py:8-19: a lone \\text{...} unwrapped, then the string cleanup; on any error the answer as it
    stood (unwrapped, stripped)."""
    if answer is None:
        return None
    answer = answer.strip()
    try:
        wrapped = TEXT_WRAPPER.search(answer)
        if wrapped is not None:
            answer = wrapped.group("text").strip()
        return _cleanup(answer)
    except Exception:  # the script's bare except
        return answer


def _cleanup(text: str) -> str:
    """math_normalize.py:94-161, in its order."""
    for old, new in (("\n", ""), ("\\!", ""), ("\\\\", "\\"), ("tfrac", "frac"), ("dfrac", "frac"), ("\\left", ""), ("\\right", ""), ("^{\\circ}", ""), ("^\\circ", ""), ("\\$", "")):
        text = text.replace(old, new)
    text = _drop_units(text)
    text = text.replace("\\%", "")
    text = text.replace(" .", " 0.").replace("{.", "{0.")
    if not text:
        return text
    if text[0] == ".":
        text = "0" + text
    sides = text.split("=")
    if len(sides) == 2 and len(sides[0]) <= 2:  # "k = 5" -> "5"
        text = sides[1]
    text = _brace_sqrt(text)
    text = text.replace(" ", "")
    text = _brace_fracs(text)
    if text == "0.5":
        text = "\\frac{1}{2}"
    return _slash_to_frac(text)


def _drop_units(text: str) -> str:
    """math_normalize.py:69-76: text after "\\text{ " is a unit; more than one such marker is an error."""
    if "\\text{ " not in text:
        return text
    parts = text.split("\\text{ ")
    if len(parts) != 2:
        raise AssertionError("more than one unit marker")
    return parts[0]


def _brace_sqrt(text: str) -> str:
    """math_normalize.py:79-91: \\sqrt3 -> \\sqrt{3}; a trailing bare \\sqrt is an error."""
    if "\\sqrt" not in text:
        return text
    head, *rest = text.split("\\sqrt")
    pieces = [head]
    for piece in rest:
        pieces.append("\\sqrt" + piece if piece[0] == "{" else "\\sqrt{" + piece[0] + "}" + piece[1:])
    return "".join(pieces)


def _brace_fracs(text: str) -> str:
    """math_normalize.py:22-51: \\frac12 -> \\frac{1}{2}, \\frac1{7} -> \\frac{1}{7}; a \\frac with fewer than two
    characters after it leaves the whole string as it was; an empty one is an error."""
    head, *rest = text.split("\\frac")
    out = head
    for piece in rest:
        out += "\\frac"
        if piece[0] == "{":
            out += piece
            continue
        if len(piece) < 2:
            return text
        numerator, second = piece[0], piece[1]
        out += "{" + numerator + "}" + (second if second == "{" else "{" + second + "}") + piece[2:]
    return out


def _slash_to_frac(text: str) -> str:
    """math_normalize.py:54-66: "a/b" of two plain integers written canonically -> \\frac{a}{b}."""
    parts = text.split("/")
    if len(parts) != 2:
        return text
    try:
        numerator, denominator = int(parts[0]), int(parts[1])
    except ValueError:
        return text
    if text != f"{numerator}/{denominator}":
        return text
    return "\\frac{" + str(numerator) + "}{" + str(denominator) + "}"
