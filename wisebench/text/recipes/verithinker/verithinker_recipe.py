"""`!function` helpers of the VeriThinker recipes (the YAMLs beside this file). The scorers live in
wisebench.text.scoring.verithinker; each response of a document (lm-eval `repeats`) is scored, their mean is the
document's `correct`, so lm-eval's mean over documents is the scripts' accuracy over problems x repeats."""

from __future__ import annotations

from typing import Any

from wisebench.text.recipes.responses import keep_all_responses, mean_correct  # noqa: F401 (keep_all_responses: the YAMLs name it here)
from wisebench.text.scoring.verithinker import aime_correct, math500_correct


def aime24_results(doc: dict, results: list[Any]) -> dict[str, float]:
    return {"correct": mean_correct(results, doc["Answer"], aime_correct)}


def aime25_results(doc: dict, results: list[Any]) -> dict[str, float]:
    return {"correct": mean_correct(results, doc["answer"], aime_correct)}


def math500_results(doc: dict, results: list[Any]) -> dict[str, float]:
    return {"correct": mean_correct(results, doc["answer"], math500_correct)}
