"""What both families' `!function` helpers share: keep every repeat's response, and score a document as the mean of
its responses' correctness (so lm-eval's mean over documents is the scripts' accuracy over problems x repeats)."""

from __future__ import annotations

from typing import Any, Callable


def keep_all_responses(resps: list[list[str]], docs: list[dict]) -> list[list[str]]:
    """The filter: every repeat's response, unchanged (lm-eval's default keeps only the first)."""
    return resps


def mean_correct(results: list[Any], target: str, correct: Callable[[str, str], bool]) -> float:
    """The share of the document's responses (lm-eval passes them as results[0]) that `correct` accepts."""
    responses = results[0]
    responses = [responses] if isinstance(responses, str) else list(responses)
    return sum(correct(response, target) for response in responses) / len(responses)
