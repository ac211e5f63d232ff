"""Reasoning quality and efficiency figures per subset (overall and each difficulty band), from records.

wisebench's own definitions (docs/metrics.md), not PixelThink's unpublished RScore / RST / SAT / URSS:
  reasoning score S_i        mean cosine similarity of the reasoning span to the sample's references, clipped at 0;
                             0 when the sample wrote no reasoning
  mean reasoning tokens T    mean of the records' reasoning tokens (wisebench convention; none counts as 0)
  score per 100 tokens       100 * mean(S) / T          (RS/100t)
  gIoU / cIoU per 100 tokens 100 * gIoU / T, 100 * cIoU / T
  unified score              (gIoU + mean(S)) / 2 * T0 / (T0 + T), T0 = 100 reasoning tokens
Ratios of means, so a sample with no reasoning divides nothing by zero; None where T is 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wisebench.metrics.iou import ciou, giou, sample_ious
from wisebench.metrics.reasoning_quality import REFERENCE_FIELDS, judge_scores, reasoning_score
from wisebench.metrics.summary_figures import OVERALL, json_float, prediction_of

UNIFIED_TOKEN_SCALE = 100.0  # T0: at a mean of T0 reasoning tokens the unified score is halved


def reasoning_tokens(record: dict) -> float:
    count = (prediction_of(record).get("tokens") or {}).get("reasoning")
    return 0.0 if count is None else float(count)


def _similarities(entry: dict) -> dict[str, float]:
    return {kind: float(value) for kind, value in (((entry.get("embedding") or {}).get("similarity")) or {}).items()}


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _per_100_tokens(value: float | None, mean_tokens: float) -> float | None:
    return None if value is None or mean_tokens <= 0 else 100.0 * value / mean_tokens


def group_figures(records: list[dict], intersections: np.ndarray, unions: np.ndarray, protocol: str) -> dict[str, Any]:
    """The figures of one group of records (those with reasoning quality) and their I and U."""
    entries = [record.get("reasoning_quality") for record in records]
    scores = [reasoning_score(entry) or 0.0 for entry in entries]
    similarities = [_similarities(entry) for entry in entries]
    similarity = {kind: _mean([values[kind] for values in similarities if kind in values]) for kind in REFERENCE_FIELDS}
    judged = [judge_scores(entry) for entry in entries]
    grades = [grade for parsed, _ in judged for grade in parsed]
    mean_tokens = float(np.mean([reasoning_tokens(record) for record in records])) if records else 0.0
    group_giou = giou(sample_ious(intersections, unions, protocol)) if records else None
    group_ciou = ciou(intersections, unions, protocol) if records else None
    mean_score = _mean(scores)
    unified = None
    if mean_score is not None and group_giou is not None:
        unified = (group_giou + mean_score) / 2 * UNIFIED_TOKEN_SCALE / (UNIFIED_TOKEN_SCALE + mean_tokens)
    return {
        "n": len(records),
        "n_without_reasoning": sum(1 for values in similarities if not values),
        "similarity_short": json_float(similarity["short"]),
        "similarity_long": json_float(similarity["long"]),
        "reasoning_score": json_float(mean_score),
        "judge_score": json_float(_mean([float(grade) for grade in grades])),
        "judge_failures": sum(failures for _, failures in judged),
        "mean_reasoning_tokens": json_float(mean_tokens) if records else None,
        "reasoning_score_per_100_tokens": json_float(_per_100_tokens(mean_score, mean_tokens)),
        "giou_per_100_tokens": json_float(_per_100_tokens(group_giou, mean_tokens)),
        "ciou_per_100_tokens": json_float(_per_100_tokens(group_ciou, mean_tokens)),
        "unified_score": json_float(unified),
    }


def reasoning_quality_summary(records: list[dict], intersections: np.ndarray, unions: np.ndarray, protocol: str) -> dict[str, Any] | None:
    """Per subset (overall, then every subset name: bands, short/long, budgets) over the scored records that carry
    reasoning quality; None when none does (suites without references) or no sample wrote any reasoning (models
    without a reasoning step)."""
    held = np.asarray([bool(record.get("reasoning_quality")) for record in records], dtype=bool)
    if not held.any():
        return None
    kept = [record for record, keep in zip(records, held) if keep]
    if not any(_similarities(record["reasoning_quality"]) for record in kept):
        return None  # a model that reasons in no sample (the oracle, LISA): it has no reasoning to grade
    kept_intersections, kept_unions = intersections[held], unions[held]
    subsets = {OVERALL: group_figures(kept, kept_intersections, kept_unions, protocol)}
    for name in sorted({name for record in kept for name in record.get("subsets", [])} - {OVERALL}):
        members = np.asarray([name in record.get("subsets", []) for record in kept], dtype=bool)
        subsets[name] = group_figures([record for record, member in zip(kept, members) if member], kept_intersections[members], kept_unions[members], protocol)
    return {"scorer": "embedding cosine, all-MiniLM-L6-v2", "unified_token_scale": UNIFIED_TOKEN_SCALE, "subsets": subsets}


__all__ = ["UNIFIED_TOKEN_SCALE", "group_figures", "reasoning_quality_summary", "reasoning_tokens"]
