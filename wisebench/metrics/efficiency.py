"""Cost metrics: token and latency distributions, accuracy within a reasoning budget (OAA), and AES.

Definitions follow shared/reference/metrics.md (OAA and its area from OptimalThinkingBench, AES from O1-Pruner).
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np

AES_GAIN_WEIGHT = 5.0  # O1-Pruner: accuracy gains weigh 5x ...
AES_LOSS_WEIGHT = 10.0  # ... and accuracy losses 10x the relative length saving


def _known(values: Iterable[float | int | None]) -> np.ndarray:
    """The values that are present: None and NaN dropped."""
    present = [float(value) for value in values if value is not None and not math.isnan(float(value))]
    return np.asarray(present, dtype=np.float64)


def distribution(values: Iterable[float | int | None]) -> dict | None:
    """{"n", "mean", "median", "p90"} over the non-None values; None when there are none."""
    known = _known(values)
    if known.size == 0:
        return None
    median, p90 = np.percentile(known, [50, 90])
    return {"n": int(known.size), "mean": float(known.mean()), "median": float(median), "p90": float(p90)}


def latency_distribution(values: Iterable[float | None]) -> dict | None:
    """{"n", "mean", "p50", "p90", "p99"} of per-sample seconds over the non-None values; None when there are none."""
    known = _known(values)
    if known.size == 0:
        return None
    p50, p90, p99 = np.percentile(known, [50, 90, 99])
    return {"n": int(known.size), "mean": float(known.mean()), "p50": float(p50), "p90": float(p90), "p99": float(p99)}


def _within_budget_inputs(correct: np.ndarray, reasoning_tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    correct_array = np.asarray(correct, dtype=bool)
    tokens = np.asarray(reasoning_tokens, dtype=np.float64)
    if correct_array.shape != tokens.shape:
        raise ValueError(f"correct has shape {correct_array.shape} but reasoning_tokens has shape {tokens.shape}")
    return correct_array, tokens


def oaa_at_budgets(
    correct: np.ndarray, reasoning_tokens: np.ndarray, budgets: Sequence[int]
) -> dict[int, float | None]:
    """OAA_t = mean(correct_i * [reasoning_tokens_i <= t]) for each budget t; None values for no samples.

    Callers pass 0 reasoning tokens for adapters without reasoning (LISA, oracle); NaN (unknown) counts as over
    every budget, since NaN <= t is false.
    """
    correct_array, tokens = _within_budget_inputs(correct, reasoning_tokens)
    if correct_array.size == 0:
        return {int(budget): None for budget in budgets}
    return {int(budget): float(np.mean(correct_array & (tokens <= budget))) for budget in budgets}


def oaa_area(correct: np.ndarray, reasoning_tokens: np.ndarray, t_max: int) -> float | None:
    """Exact area under OAA_t for t in [0, t_max], divided by t_max; None for no samples.

    OAA_t is a mean of step functions: sample i contributes correct_i from t = tokens_i on, so its integral over
    [0, t_max] is correct_i * clip(t_max - tokens_i, 0, t_max) and the area is
    mean(correct_i * clip(t_max - tokens_i, 0, t_max)) / t_max. Unknown (NaN) tokens contribute 0.
    """
    if t_max <= 0:
        raise ValueError(f"t_max must be positive, got {t_max}")
    correct_array, tokens = _within_budget_inputs(correct, reasoning_tokens)
    if correct_array.size == 0:
        return None
    time_within_budget = np.clip(t_max - np.nan_to_num(tokens, nan=float(t_max)), 0.0, float(t_max))
    return float(np.mean(correct_array * time_within_budget) / t_max)


def aes(
    accuracy: float | None,
    reasoning_tokens: float | None,
    baseline_accuracy: float | None,
    baseline_reasoning_tokens: float | None,
) -> float | None:
    """Accuracy-Efficiency Score against a baseline (O1-Pruner).

    dL = (Lb - L) / Lb (relative length saving), dA = (A - Ab) / Ab (relative accuracy change);
    AES = dL + 5 |dA| if dA >= 0 else dL - 10 |dA|.
    Undefined (None) when the baseline has no reasoning (Lb == 0) or zero accuracy (Ab == 0), or a value is missing.
    """
    if accuracy is None or reasoning_tokens is None or baseline_accuracy is None or baseline_reasoning_tokens is None:
        return None
    if baseline_reasoning_tokens == 0 or baseline_accuracy == 0:
        return None
    length_saving = (baseline_reasoning_tokens - reasoning_tokens) / baseline_reasoning_tokens
    accuracy_change = (accuracy - baseline_accuracy) / baseline_accuracy
    if accuracy_change >= 0:
        return float(length_saving + AES_GAIN_WEIGHT * abs(accuracy_change))
    return float(length_saving - AES_LOSS_WEIGHT * abs(accuracy_change))
