"""`!function` helpers of the VeriThinker recipes (the YAMLs beside this file). The scorers live in
wisebench.text.scoring.verithinker; each response of a document (lm-eval `repeats`) is scored, their mean is the
document's `correct`, so lm-eval's mean over documents is the scripts' accuracy over problems x repeats."""

from __future__ import annotations

from typing import Any

from wisebench.text.scoring.verithinker import aime_correct, math500_correct


def keep_all_responses(resps: list[list[str]], docs: list[dict]) -> list[list[str]]:
    """The filter: every repeat's response, unchanged (lm-eval's default keeps only the first)."""
    return resps


def _responses(results: list[Any]) -> list[str]:
    responses = results[0]
    return [responses] if isinstance(responses, str) else list(responses)


def _mean(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


def aime24_results(doc: dict, results: list[Any]) -> dict[str, float]:
    return {"correct": _mean([aime_correct(response, doc["Answer"]) for response in _responses(results)])}


def aime25_results(doc: dict, results: list[Any]) -> dict[str, float]:
    return {"correct": _mean([aime_correct(response, doc["answer"]) for response in _responses(results)])}


def math500_results(doc: dict, results: list[Any]) -> dict[str, float]:
    return {"correct": _mean([math500_correct(response, doc["answer"]) for response in _responses(results)])}
