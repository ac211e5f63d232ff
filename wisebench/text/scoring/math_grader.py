"""grade_answer as Thinkless' scripts/eval/math_eval/grader.py applies it (the PRM800K grader): equal after the MATH
normalisation, or after its own normalisation, or element by element (tuples, intervals) equal under sympy, with
guards that keep sympy away from unreduced fractions, integer answers and expressions it might hang on."""

from __future__ import annotations

import re

from wisebench.text.scoring.hendrycks import TEXT_WRAPPER, normalize_answer

UNITS = ("degree", "cm", "centimeter", "meter", "mile", "second", "minute", "hour", "day", "week", "month", "year", "foot", "feet", "inch", "yard")  # grader.py:126-143
SYMBOLS = (("√", "sqrt"), ("π", "pi"), ("∞", "inf"), ("∪", "U"), ("·", "*"), ("×", "*"))  # grader.py:40-45
HANG_SUBSTRINGS = ("^{", "^(")  # grader.py:15
HANG_PATTERNS = (re.compile(r"\^[0-9]+\^"), re.compile(r"\^[0-9][0-9]+"))  # grader.py:16
TUPLE_CHARS = "()[]"
FRACTION = re.compile(r"^-?[0-9]+.?/0*[1-9][0-9]*.?$")  # grader.py:66
THOUSANDS_COMMA = re.compile(r"(\d)(,)(\d\d\d)($|\D)")


def _float_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _near_int(value: float) -> bool:
    try:
        return abs(value - int(round(value))) <= 1e-7
    except (OverflowError, ValueError):
        return False


def _drop_thousands_commas(text: str) -> str:
    while True:
        changed = THOUSANDS_COMMA.sub(r"\1\3\4", text)
        if changed == text:
            return changed
        text = changed


def _is_int_text(text: str) -> bool:
    value = _float_or_none(_drop_thousands_commas(text))
    return value is not None and _near_int(value)


def _latex_to_text(expr: str) -> str:
    """grader.py:32-47: LaTeX read by pylatexenc, its symbols spelled for sympy."""
    from pylatexenc import latex2text

    expr = expr.replace("\\tfrac", "\\frac").replace("\\dfrac", "\\frac").replace("\\frac", " \\frac")
    expr = latex2text.LatexNodes2Text().latex_to_text(expr)
    for symbol, word in SYMBOLS:
        expr = expr.replace(symbol, word)
    return expr.strip()


def normalize(expr: str) -> str:
    """grader.py:105-175, in its order."""
    wrapped = TEXT_WRAPPER.search(expr)
    if wrapped is not None:
        expr = wrapped.group("text")
    for old, new in (("\\%", "%"), ("\\$", "$"), ("$", ""), ("%", ""), (" or ", " , "), (" and ", " , "), ("million", "*10^6"), ("billion", "*10^9"), ("trillion", "*10^12")):
        expr = expr.replace(old, new)
    for unit in UNITS:
        expr = re.sub(f"{unit}(es)?(s)? *(\\^[0-9]+)?", "", expr)
    expr = re.sub(r"\^ *\\circ", "", expr)
    if expr[:1] == "{" and expr[-1:] == "}":
        expr = expr[1:-1]
    expr = re.sub(r",\\! *", "", expr)
    value = _float_or_none(expr)
    if value is not None and _near_int(value):
        expr = str(int(round(value)))
    if "\\" in expr:
        try:
            expr = _latex_to_text(expr)
        except Exception:  # the script's bare except
            pass
    expr = re.sub("- *", "-", expr)
    expr = re.sub("([0-9]) +([0-9])", r"\1+\2", expr)  # mixed numbers: 7 3/4 -> 7+3/4
    expr = expr.replace(" ", "").replace("{", "").replace("}", "").lower()
    if _is_int_text(expr):
        expr = str(int(float(expr.replace(",", ""))))
    return expr


def _sympy_may_evaluate(expr: str) -> bool:
    letters = {character for character in expr.replace("sqrt", "").replace("frac", "") if character.isalpha()}
    if len(letters) > 2:
        return False
    return not any(bad in expr for bad in HANG_SUBSTRINGS) and not any(pattern.search(expr) for pattern in HANG_PATTERNS)


def equal_under_sympy(gold: str, given: str) -> bool:
    """grader.py:201-212. sympy parses (and so evaluates) the strings, as the script does; the letter guard keeps
    that to short algebra."""
    expr = f"({gold})-({given})"
    try:
        if not _sympy_may_evaluate(expr):
            return False
        import sympy
        from sympy.parsing import sympy_parser

        transformations = sympy_parser.standard_transformations + (sympy_parser.implicit_multiplication_application,)
        return bool(sympy.simplify(sympy_parser.parse_expr(expr.replace("^", "**"), transformations=transformations)) == 0)
    except Exception:  # the script's bare except
        return False


def split_tuple(expr: str) -> list[str]:
    """grader.py:215-231: the elements of "(a,b)" / "[a,b)" (no brackets inside), else the expression itself."""
    expr = _drop_thousands_commas(expr)
    if not expr:
        return []
    inner = expr[1:-1]
    if len(expr) > 2 and expr[0] in TUPLE_CHARS and expr[-1] in TUPLE_CHARS and not any(character in inner for character in TUPLE_CHARS):
        return [element.strip() for element in inner.split(",")]
    return [expr]


def grade_answer(given: str | None, gold: str) -> bool:
    """grader.py:234-287."""
    if given is None:
        return False
    if normalize_answer(gold) == normalize_answer(given):
        return True
    gold_normalized, given_normalized = normalize(gold), normalize(given)
    if gold_normalized == given_normalized:
        return True
    if not given_normalized:
        return False
    gold_elements, given_elements = split_tuple(gold_normalized), split_tuple(given_normalized)
    if len(gold_elements) > 1 and (gold_normalized[0] != given_normalized[0] or gold_normalized[-1] != given_normalized[-1]):
        return False  # (a,b) is not [a,b)
    if len(gold_elements) != len(given_elements):
        return False
    for gold_element, given_element in zip(gold_elements, given_elements):
        if FRACTION.search(gold_element) and FRACTION.search(given_element):
            equal = gold_element == given_element  # unreduced fractions are wrong: no sympy
        elif _is_int_text(gold_element) != _is_int_text(given_element):
            equal = False  # an integer answer needs an integer
        else:
            equal = equal_under_sympy(gold_element, given_element)
        if not equal:
            return False
    return True
