"""Upstream answer scorers ("parse policies") for the text recipes, one module per system; each rule names the
upstream file and line it reproduces. Written from the rules, not copied from the upstream code."""

from __future__ import annotations

from typing import Callable

# parse policy name -> scorer(response, gold) -> bool. Imported lazily: math_verify and sympy are heavy.
PARSE_POLICIES = ("lm-eval", "verithinker-aime", "verithinker-math500", "thinkless-aime", "thinkless-math")


def scorer(policy: str) -> Callable[[str, object], bool]:
    if policy == "verithinker-aime":
        from wisebench.text.scoring.verithinker import aime_correct

        return aime_correct
    if policy == "verithinker-math500":
        from wisebench.text.scoring.verithinker import math500_correct

        return math500_correct
    if policy == "thinkless-aime":
        from wisebench.text.scoring.thinkless import aime_correct as thinkless_aime

        return thinkless_aime
    if policy == "thinkless-math":
        from wisebench.text.scoring.thinkless import math_correct

        return math_correct
    raise ValueError(f"no scorer for parse policy {policy!r} (known: {', '.join(PARSE_POLICIES[1:])})")
