"""`!function` helpers of the Thinkless recipes (the YAMLs beside this file). The scorers live in
wisebench.text.scoring.thinkless; each response of a document (lm-eval `repeats`, Thinkless' 5 seeded runs) is
scored against lm-eval's target, their mean is the document's `correct`."""

from __future__ import annotations

from typing import Any

from wisebench.text.recipes.responses import keep_all_responses, mean_correct  # noqa: F401 (keep_all_responses: the YAMLs name it here)
from wisebench.text.scoring.minerva import minerva_target
from wisebench.text.scoring.thinkless import aime_correct, math_correct


def gsm8k_target(doc: dict) -> str:
    """gsm8k_8shot_cot.yaml:3: the text after the last "####"."""
    return doc["answer"].split("####")[-1].strip()


def minerva_docs(dataset: Any) -> Any:
    """minerva/algebra.yaml:5 with utils.py:20-33: the answer is the solution's last box, normalised."""
    return dataset.map(lambda doc: {"problem": doc["problem"], "solution": doc["solution"], "answer": minerva_target(doc["solution"])})


def aime_results(doc: dict, results: list[Any]) -> dict[str, float]:
    return {"correct": mean_correct(results, doc["answer"], aime_correct)}


def math_results(doc: dict, results: list[Any]) -> dict[str, float]:
    return {"correct": mean_correct(results, doc["answer"], math_correct)}


def gsm8k_results(doc: dict, results: list[Any]) -> dict[str, float]:
    return {"correct": mean_correct(results, gsm8k_target(doc), math_correct)}
