"""The run summary, recomputed from records (the JSON form of SampleRecord) every time, never stored alone.

Records with `skipped` set (bad input skipped with --skip-bad) are counted and listed but excluded from every
figure. Warm-up records count everywhere except latency and throughput. Every value is plain JSON: python ints and
floats, lists, str keys, and None where a figure is undefined (never NaN), so a summary survives a JSON round trip
unchanged and can be checked against its records.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

import numpy as np

from wisebench.metrics.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    cluster_bootstrap,
    percentile_interval,
    resampled_cluster_sums,
)
from wisebench.metrics.efficiency import aes, oaa_area, oaa_at_budgets
from wisebench.metrics.reasoning_efficiency import reasoning_quality_summary
from wisebench.metrics.iou import DEFAULT_PROTOCOL, check_protocol, ciou, ciou_from_sums, dropped, giou, sample_ious
from wisebench.metrics.summary_figures import (
    OVERALL,
    failure_summary,
    json_count,
    json_float,
    json_interval,
    latency_summary,
    mean_reasoning_tokens,
    prediction_of,
    records_by_sample_id,
    token_summary,
)
from wisebench.metrics.token_conventions import DEFAULT_CONVENTION
from wisebench.text import TEXT_PROTOCOL
from wisebench.metrics.accuracy_summary import compare_text_paired, holds_text_scores, summarize_text

DEFAULT_BUDGETS = (0, 16, 32, 64, 128, 256, 512, 1024)
DEFAULT_T_MAX = 1024
CORRECT_THRESHOLD = 0.5  # a sample is "correct" for budget metrics when its IoU reaches this


def counts_of(records: list[dict], protocol: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample (intersections, unions) under `protocol`; a record without them is an error, not a zero."""
    intersections, unions = [], []
    for record in records:
        scores = record.get("scores") or {}
        # Records written before the visionreasoner protocol existed: its pixel rule is segzero's.
        score = scores.get(protocol) or (scores.get("segzero") if protocol == "visionreasoner" else None)
        if not score or score.get("intersection") is None or score.get("union") is None:
            sample_id = record.get("sample_id")
            raise ValueError(f"record {sample_id!r} has no intersection/union under protocol {protocol!r}")
        intersections.append(float(score["intersection"]))
        unions.append(float(score["union"]))
    return np.asarray(intersections, dtype=np.float64), np.asarray(unions, dtype=np.float64)


def counted_records(records: list[dict], protocol: str) -> list[dict]:
    """The records a summary under `protocol` scores: not skipped, and not dropped by the protocol (segzero leaves
    answered samples with an empty union out of everything, as its script does)."""
    return [
        record
        for record in records
        if not record.get("skipped") and not dropped((record.get("scores") or {}).get(protocol) or {}, prediction_of(record).get("failure") is not None, protocol)
    ]


def _subset_scores(
    intersections: np.ndarray,
    unions: np.ndarray,
    image_ids: list[str],
    protocol: str,
    n_resamples: int,
    seed: int,
) -> dict[str, Any]:
    ious = sample_ious(intersections, unions, protocol)
    intervals = cluster_bootstrap(intersections, unions, ious, image_ids, protocol, n_resamples, seed)
    return {
        "n": int(ious.size),
        "giou": json_float(giou(ious)),
        "ciou": json_float(ciou(intersections, unions, protocol)),
        "giou_ci": json_interval(intervals["giou"]) if intervals else None,
        "ciou_ci": json_interval(intervals["ciou"]) if intervals else None,
        "intersection_sum": json_count(intersections.sum()),
        "union_sum": json_count(unions.sum()),
    }


def _parse_summary(records: list[dict]) -> dict[str, Any]:
    """Which parse policy scored the records, and on how many the other policy would have parsed differently."""
    policies = Counter(str(prediction_of(record).get("parse_policy")) for record in records if prediction_of(record).get("parse_policy"))
    others = [(prediction_of(record), prediction_of(record).get("other_policy")) for record in records if prediction_of(record).get("other_policy")]
    return {
        "policy": (next(iter(policies)) if len(policies) == 1 else "mixed") if policies else None,
        "policies": dict(sorted(policies.items())),
        "n_differ": len(others),
        "n_only_other_parses": sum(1 for prediction, other in others if prediction.get("failure") is not None and other.get("failure") is None),
        "n_only_this_parses": sum(1 for prediction, other in others if prediction.get("failure") is None and other.get("failure") is not None),
        "n_other_prompts": sum(1 for prediction, other in others if prediction.get("failure") is None and other.get("failure") is None),
    }


def _budget_summary(
    ious: np.ndarray, records: list[dict], budgets: Sequence[int], t_max: int
) -> dict[str, Any]:
    """OAA at each budget and its area. Reasoning tokens None count as 0: that is what an adapter without
    reasoning (LISA, oracle) reports, and such a model spends no reasoning on any budget."""
    correct = ious >= CORRECT_THRESHOLD
    reasoning = [(prediction_of(record).get("tokens") or {}).get("reasoning") for record in records]
    tokens = np.asarray([0.0 if count is None else float(count) for count in reasoning], dtype=np.float64)
    oaa = oaa_at_budgets(correct, tokens, budgets)
    return {
        "correct_threshold": CORRECT_THRESHOLD,
        # str keys: JSON object keys are strings, so the summary round-trips unchanged.
        "oaa": {str(budget): json_float(value) for budget, value in oaa.items()},
        "oaa_area": json_float(oaa_area(correct, tokens, t_max)),
        "t_max": t_max,
    }


def _aes_summary(summary: dict, baseline: dict) -> dict[str, Any]:
    if baseline.get("protocol") != summary["protocol"]:
        raise ValueError(
            f"baseline summary uses protocol {baseline.get('protocol')!r}, this run {summary['protocol']!r}"
        )
    overall = summary["subsets"][OVERALL]
    baseline_overall = baseline["subsets"][OVERALL]
    length, baseline_length = mean_reasoning_tokens(summary), mean_reasoning_tokens(baseline)
    return {
        "baseline": baseline.get("run_id"),
        "giou": json_float(aes(overall["giou"], length, baseline_overall["giou"], baseline_length)),
        "ciou": json_float(aes(overall["ciou"], length, baseline_overall["ciou"], baseline_length)),
    }


def summarize(
    records: list[dict],
    protocol: str = DEFAULT_PROTOCOL,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    budgets: Sequence[int] = DEFAULT_BUDGETS,
    t_max: int = DEFAULT_T_MAX,
    baseline: dict | None = None,
    skipped_at_load: Sequence[dict] = (),
    token_convention: str = DEFAULT_CONVENTION,
) -> dict[str, Any]:
    """The run summary under `protocol`: accuracy per subset with cluster-bootstrap intervals, tokens, failures,
    latency, budget metrics, and AES against `baseline` (another summary of the same protocol) when given.
    `skipped_at_load`: bad entries the suite skipped before any record existed (--skip-bad); they are counted with
    the skipped records. Records of a text-reasoning run (lm-eval scores, protocol "lm-eval") get the accuracy form
    of the summary."""
    if protocol == TEXT_PROTOCOL or holds_text_scores(records):
        return summarize_text(records, n_resamples, seed, baseline=baseline)  # token budgets of text reasoning
    check_protocol(protocol)
    # Record order (shards merged, Ray workers finishing out of order) must not change a single bit of the result.
    records = sorted(records, key=lambda record: str(record["sample_id"]))
    skipped = [record for record in records if record.get("skipped")]
    scored = counted_records(records, protocol)
    n_dropped = len(records) - len(skipped) - len(scored)
    intersections, unions = counts_of(scored, protocol)
    image_ids = [str(record["image_id"]) for record in scored]

    subsets = {OVERALL: _subset_scores(intersections, unions, image_ids, protocol, n_resamples, seed)}
    subset_names = sorted({name for record in scored for name in record.get("subsets", [])} - {OVERALL})
    for name in subset_names:
        members = np.asarray([name in record.get("subsets", []) for record in scored], dtype=bool)
        member_ids = [image_id for image_id, member in zip(image_ids, members) if member]
        subsets[name] = _subset_scores(
            intersections[members], unions[members], member_ids, protocol, n_resamples, seed
        )

    latency, samples_per_second = latency_summary(scored)
    summary: dict[str, Any] = {
        "protocol": protocol,
        "n_records": len(records),
        "n_scored": len(scored),
        "n_dropped": n_dropped,
        "n_skipped": len(skipped) + len(skipped_at_load),
        "skipped": [
            {
                "sample_id": record.get("sample_id"),
                "path": record["skipped"].get("path"),
                "problem": record["skipped"].get("problem"),
            }
            for record in skipped
        ]
        + [{"sample_id": entry.get("sample_id"), "path": entry.get("path"), "problem": entry.get("problem")} for entry in skipped_at_load],
        "subsets": subsets,
        "token_convention": token_convention,
        "parse": _parse_summary(scored),
        "tokens": token_summary(scored, token_convention),
        "failures": failure_summary(scored),
        "latency": latency,
        "samples_per_second": json_float(samples_per_second),
        "budget": _budget_summary(sample_ious(intersections, unions, protocol), scored, budgets, t_max),
    }
    summary["aes"] = _aes_summary(summary, baseline) if baseline is not None else None
    quality = reasoning_quality_summary(scored, intersections, unions, protocol)
    if quality is not None:  # suites with reference reasoning only: other summaries stay as they were
        summary["reasoning_quality"] = quality
    return summary


def summarize_run(run: dict[str, Any], records: list[dict], protocol: str | None = None, baseline: dict | None = None) -> dict[str, Any]:
    """The summary of a run's records as the run loop stores it: the run's headline protocol (or `protocol`), its
    bootstrap seed, and the bad entries its suite skipped at load. `run`, `show`, `merge` and `submit` all use it,
    so a stored summary can always be recomputed exactly."""
    return summarize(
        records,
        protocol=protocol or run.get("protocol", DEFAULT_PROTOCOL),
        seed=(run.get("seeds") or {}).get("bootstrap_seed", 0),
        baseline=baseline,
        skipped_at_load=load_skips(run),
        token_convention=(run.get("model") or {}).get("token_convention") or DEFAULT_CONVENTION,
    )


def store_summaries(run: dict[str, Any], records: list[dict], also: Sequence[str] = ()) -> None:
    """Recompute the run's stored summaries from `records`: its headline one (`summary`) and the re-scores under
    its other protocols (`summaries`, those it holds plus `also`), so every stored figure follows the records."""
    run["summary"] = summarize_run(run, records)
    others = sorted((set(run.get("summaries") or {}) | set(also)) - {run["protocol"]})
    if others:
        run["summaries"] = {protocol: summarize_run(run, records, protocol=protocol) for protocol in others}


def load_skips(run: dict[str, Any]) -> list[dict]:
    """The bad entries a run's suite skipped at load, as they count for this run: a shard holds only its part of the
    split, so the whole split's skips count once, in the merged run."""
    return [] if run.get("shard") else list((run.get("suite") or {}).get("skipped_at_load") or [])


def compare_paired(
    records_a: list[dict],
    records_b: list[dict],
    protocol: str = DEFAULT_PROTOCOL,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, Any]:
    """Run b against run a on the samples both scored (matched by sample_id, skipped records ignored).

    Deltas are b - a. The intervals come from one cluster bootstrap by image (run a's image_id) over the pairs,
    so both runs are resampled together and the correlation between them is kept. Text-reasoning runs
    (lm-eval scores) are compared on accuracy instead.
    """
    if protocol == TEXT_PROTOCOL or (holds_text_scores(records_a) and holds_text_scores(records_b)):
        return compare_text_paired(records_a, records_b, n_resamples, seed)
    check_protocol(protocol)
    by_id_a, by_id_b = records_by_sample_id(records_a, protocol), records_by_sample_id(records_b, protocol)
    shared = sorted(by_id_a.keys() & by_id_b.keys())
    paired_a = [by_id_a[sample_id] for sample_id in shared]
    paired_b = [by_id_b[sample_id] for sample_id in shared]
    intersections_a, unions_a = counts_of(paired_a, protocol)
    intersections_b, unions_b = counts_of(paired_b, protocol)
    differences = sample_ious(intersections_b, unions_b, protocol) - sample_ious(intersections_a, unions_a, protocol)

    result: dict[str, Any] = {
        "n_paired": len(shared),
        "only_in_a": len(by_id_a.keys() - by_id_b.keys()),
        "only_in_b": len(by_id_b.keys() - by_id_a.keys()),
        "giou_delta": None,
        "giou_delta_ci": None,
        "ciou_delta": None,
        "ciou_delta_ci": None,
        "n_better": int(np.count_nonzero(differences > 0)),
        "n_worse": int(np.count_nonzero(differences < 0)),
        "n_equal": int(np.count_nonzero(differences == 0)),
    }
    if not shared:
        return result

    columns = np.column_stack(
        [differences, intersections_a, unions_a, intersections_b, unions_b, np.ones_like(differences)]
    )
    image_ids = [str(record["image_id"]) for record in paired_a]
    sums = resampled_cluster_sums(columns, image_ids, n_resamples, seed)
    difference_sums, resampled_ia, resampled_ua, resampled_ib, resampled_ub, sample_counts = sums.T
    ciou_delta_replicates = np.asarray(ciou_from_sums(resampled_ib, resampled_ub, protocol)) - np.asarray(
        ciou_from_sums(resampled_ia, resampled_ua, protocol)
    )
    result.update(
        giou_delta=json_float(differences.mean()),
        giou_delta_ci=json_interval(percentile_interval(difference_sums / sample_counts, confidence)),
        ciou_delta=json_float(
            ciou_from_sums(intersections_b.sum(), unions_b.sum(), protocol)
            - ciou_from_sums(intersections_a.sum(), unions_a.sum(), protocol)
        ),
        ciou_delta_ci=json_interval(percentile_interval(ciou_delta_replicates, confidence)),
    )
    return result
