"""The Minerva algebra target: lm-eval's minerva_math process_docs as Thinkless' eval_configs/deepseek/minerva/utils.py
runs it (:20-33): the solution's last box, unboxed, normalised as Lewkowycz et al. (2022, appendix D) do (:258-293)."""

from __future__ import annotations

import re

SUBSTITUTIONS = (("an ", ""), ("a ", ""), (".$", "$"), ("\\$", ""), ("\\ ", ""), (" ", ""), ("mbox", "text"), (",\\text{and}", ","), ("\\text{and}", ","), ("\\text{m}", "\\text{}"))  # utils.py:200-211
REMOVED_EXPRESSIONS = (  # utils.py:212-255, removed in this order
    "square", "ways", "integers", "dollars", "mph", "inches", "ft", "hours", "km", "units", "\\ldots", "sue", "points",
    "feet", "minutes", "digits", "cents", "degrees", "cm", "gm", "pounds", "meters", "meals", "edges", "students",
    "childrentickets", "multiples", "\\text{s}", "\\text{.}", "\\text{\ns}", "\\text{}^2", "\\text{}^3", "\\text{\n}",
    "\\text{}", r"\mathrm{th}", r"^\circ", r"^{\circ}", r"\;", r",\!", "{,}", '"', "\\dots",
)
WRAPPERS = (  # utils.py:273-277: math, text, bold, overline, box contents kept
    (r"(.*?)(\$)(.*?)(\$)(.*)", "$\\3$"),
    (r"(\\text\{)(.*?)(\})", "\\2"),
    (r"(\\textbf\{)(.*?)(\})", "\\2"),
    (r"(\\overline\{)(.*?)(\})", "\\2"),
    (r"(\\boxed\{)(.*)(\})", "\\2"),
)


def last_boxed(solution: str) -> str | None:
    """utils.py:83-110: the last "\\boxed " phrase up to a "$", else the last \\boxed (or \\fbox) group by brace balance."""
    if "\\boxed " in solution:
        return "\\boxed " + solution.split("\\boxed ")[-1].split("$")[0]
    start = solution.rfind("\\boxed")
    if start < 0:
        start = solution.rfind("\\fbox")
        if start < 0:
            return None
    depth = 0
    for index in range(start, len(solution)):
        if solution[index] == "{":
            depth += 1
        elif solution[index] == "}":
            depth -= 1
            if depth == 0:
                return solution[start : index + 1]
    return None


def unboxed(group: str) -> str:
    """utils.py:113-124 (which asserts the shape; so does this)."""
    if "\\boxed " in group:
        if not group.startswith("\\boxed "):
            raise ValueError(f"not a boxed phrase: {group!r}")
        return group[len("\\boxed ") :]
    if not (group.startswith("\\boxed{") and group.endswith("}")):
        raise ValueError(f"not a boxed group: {group!r}")
    return group[len("\\boxed{") : -1]


def normalize_final_answer(answer: str) -> str:
    answer = answer.split("=")[-1]
    for old, new in SUBSTITUTIONS:
        answer = answer.replace(old, new)
    for expression in REMOVED_EXPRESSIONS:
        answer = answer.replace(expression, "")
    for pattern, replacement in WRAPPERS:
        answer = re.sub(pattern, replacement, answer)
    answer = re.sub(r"(frac)([^{])(.)", "frac{\\2}{\\3}", answer)  # \fracab -> \frac{a}{b}
    answer = re.sub(r"(sqrt)([^{])", "sqrt{\\2}", answer)  # \sqrta -> \sqrt{a}
    answer = answer.replace("$", "")
    if answer.replace(",", "").isdigit():  # 100,000 -> 100000
        answer = answer.replace(",", "")
    return answer


def minerva_target(solution: str) -> str:
    group = last_boxed(solution)
    if group is None:
        raise ValueError("a Minerva solution without a boxed answer")
    return normalize_final_answer(unboxed(group))
