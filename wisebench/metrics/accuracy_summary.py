"""The summary of a text-reasoning run, recomputed from records like the segmentation one and shaped like it:
`subsets` (accuracy with a bootstrap interval over documents, per Thinkless mode too), tokens, failures, latency,
budget (OAA over reasoning tokens) and AES against a baseline run, plus truncation counts under both policies.
`token_convention` and `parse` (as the segmentation summary names them) say how tokens were counted and who scored:
`tokens.reasoning` is the count under the records' convention, `tokens.reasoning_by_convention` all of them."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from wisebench.metrics.bootstrap import DEFAULT_RESAMPLES, percentile_interval, resampled_cluster_sums
from wisebench.metrics.efficiency import aes, distribution, oaa_area, oaa_at_budgets
from wisebench.metrics.summary_figures import (
    OVERALL,
    failure_summary,
    json_float,
    json_interval,
    latency_summary,
    mean_reasoning_tokens,
    records_by_sample_id,
    token_summary,
)
from wisebench.text import TEXT_PROTOCOL

CORRECT_THRESHOLD = 0.5  # lm-eval metrics such as exact_match are 0 / 1 per sample
# Reasoning chains run to thousands of tokens (AIME: 10k+), so the budgets reach further than for segmentation.
TEXT_BUDGETS = (0, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
TEXT_T_MAX = 32768


def holds_text_scores(records: list[dict]) -> bool:
    scored = [record for record in records if not record.get("skipped")]
    return bool(scored) and all(TEXT_PROTOCOL in (record.get("scores") or {}) for record in scored)


def _accuracy_column(records: list[dict], key: str) -> np.ndarray:
    return np.asarray([float(record["scores"][TEXT_PROTOCOL][key]) for record in records], dtype=np.float64)


def _accuracy_scores(records: list[dict], n_resamples: int, seed: int) -> dict[str, Any]:
    values = _accuracy_column(records, "accuracy")
    interval = None
    if values.size:
        # Clusters are documents (image_id), so sampled repeats of one document are resampled together.
        sums = resampled_cluster_sums(np.column_stack([values, np.ones_like(values)]), [r["image_id"] for r in records], n_resamples, seed)
        interval = percentile_interval(sums[:, 0] / sums[:, 1])
    return {
        "n": int(values.size),
        "accuracy": json_float(values.mean()) if values.size else None,
        "accuracy_ci": json_interval(interval),
        "accuracy_strict": json_float(_accuracy_column(records, "accuracy_strict").mean()) if values.size else None,
        "accuracy_lenient": json_float(_accuracy_column(records, "accuracy_lenient").mean()) if values.size else None,
        "correct_sum": json_float(values.sum()),
    }


def summarize_text(
    records: list[dict],
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    budgets: Sequence[int] = TEXT_BUDGETS,
    t_max: int = TEXT_T_MAX,
    baseline: dict | None = None,
) -> dict[str, Any]:
    from wisebench.text.spec import TEXT_CONVENTIONS

    records = sorted(records, key=lambda record: str(record["sample_id"]))
    scored = [record for record in records if not record.get("skipped")]
    subsets = {OVERALL: _accuracy_scores(scored, n_resamples, seed)}
    for name in sorted({name for record in scored for name in record.get("subsets", [])} - {OVERALL}):
        subsets[name] = _accuracy_scores([r for r in scored if name in r.get("subsets", [])], n_resamples, seed)

    predictions = [record.get("prediction") or {} for record in scored]
    truncated = [p for p, record in zip(predictions, scored) if p.get("truncated")]
    modes = [p.get("mode") for p in predictions if p.get("mode")]
    correct = _accuracy_column(scored, "accuracy") >= CORRECT_THRESHOLD
    reasoning = np.asarray([float((p.get("tokens") or {}).get("reasoning") or 0) for p in predictions], dtype=np.float64)
    latency, samples_per_second = latency_summary(scored)
    metric = predictions[0].get("accuracy_metric") if predictions else None
    convention = _one_of(predictions, "token_convention") or TEXT_CONVENTIONS[0]
    summary: dict[str, Any] = {
        "protocol": TEXT_PROTOCOL,
        "accuracy_metric": metric,
        "token_convention": convention,
        "parse": {"policy": _one_of(predictions, "parse_policy"), "policies": _counts(predictions, "parse_policy")},
        "truncation_policy": "strict" if all(_same(r, "accuracy", "accuracy_strict") for r in scored) else "lenient",
        "n_records": len(records),
        "n_scored": len(scored),
        "n_skipped": len(records) - len(scored),
        "skipped": [],
        "subsets": subsets,
        "tokens": {**token_summary(scored, convention), **_answer_tokens(scored)},
        "failures": failure_summary(scored),
        "truncated": {
            "n": len(truncated),
            "n_correct_strict": int(sum(float(r["scores"][TEXT_PROTOCOL]["accuracy_strict"]) >= CORRECT_THRESHOLD for r in scored if (r.get("prediction") or {}).get("truncated"))),
            "n_correct_lenient": int(sum(float(r["scores"][TEXT_PROTOCOL]["accuracy_lenient"]) >= CORRECT_THRESHOLD for r in scored if (r.get("prediction") or {}).get("truncated"))),
        },
        "modes": {mode: modes.count(mode) / len(scored) for mode in sorted(set(modes))} if modes else None,
        "latency": latency,
        "samples_per_second": json_float(samples_per_second),
        "budget": {
            "correct_threshold": CORRECT_THRESHOLD,
            "oaa": {str(budget): json_float(value) for budget, value in oaa_at_budgets(correct, reasoning, budgets).items()},
            "oaa_area": json_float(oaa_area(correct, reasoning, t_max)),
            "t_max": t_max,
        },
    }
    summary["aes"] = None
    if baseline is not None:
        accuracy, baseline_accuracy = subsets[OVERALL]["accuracy"], baseline["subsets"][OVERALL].get("accuracy")
        summary["aes"] = {
            "baseline": baseline.get("run_id"),
            "accuracy": json_float(aes(accuracy, mean_reasoning_tokens(summary), baseline_accuracy, mean_reasoning_tokens(baseline))),
        }
    return summary


def _counts(predictions: list[dict], key: str) -> dict[str, int]:
    values = [str(p[key]) for p in predictions if p.get(key)]
    return {value: values.count(value) for value in sorted(set(values))}


def _one_of(predictions: list[dict], key: str) -> str | None:
    """The records' common value ("mixed" when they differ, None when none holds one)."""
    counts = _counts(predictions, key)
    return (next(iter(counts)) if len(counts) == 1 else "mixed") if counts else None


def _same(record: dict, key_a: str, key_b: str) -> bool:
    scores = record["scores"][TEXT_PROTOCOL]
    return scores[key_a] == scores[key_b]


def _answer_tokens(records: list[dict]) -> dict[str, Any]:
    return {"answer": distribution(((r.get("prediction") or {}).get("tokens") or {}).get("answer") for r in records)}


def compare_text_paired(records_a: list[dict], records_b: list[dict], n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0) -> dict[str, Any]:
    """Run b against run a on shared samples: accuracy delta with a paired bootstrap by document."""
    by_a, by_b = records_by_sample_id(records_a), records_by_sample_id(records_b)
    shared = sorted(by_a.keys() & by_b.keys())
    differences = _accuracy_column([by_b[s] for s in shared], "accuracy") - _accuracy_column([by_a[s] for s in shared], "accuracy")
    result: dict[str, Any] = {
        "n_paired": len(shared),
        "only_in_a": len(by_a.keys() - by_b.keys()),
        "only_in_b": len(by_b.keys() - by_a.keys()),
        "accuracy_delta": json_float(differences.mean()) if shared else None,
        "accuracy_delta_ci": None,
        "n_better": int(np.count_nonzero(differences > 0)),
        "n_worse": int(np.count_nonzero(differences < 0)),
        "n_equal": int(np.count_nonzero(differences == 0)),
    }
    if shared:
        sums = resampled_cluster_sums(np.column_stack([differences, np.ones_like(differences)]), [by_a[s]["image_id"] for s in shared], n_resamples, seed)
        result["accuracy_delta_ci"] = json_interval(percentile_interval(sums[:, 0] / sums[:, 1]))
    return result
