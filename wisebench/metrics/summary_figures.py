"""Figures both run summaries (segmentation and text) compute the same way, from records: JSON-safe numbers,
token, failure and latency distributions, and records indexed by sample for paired comparisons."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from wisebench.metrics.efficiency import distribution, latency_distribution
from wisebench.metrics.iou import DEFAULT_PROTOCOL, dropped
from wisebench.metrics.token_conventions import DEFAULT_CONVENTION, reasoning_count

OVERALL = "overall"
TOKEN_KINDS = ("prompt", "reasoning", "generated")


def json_float(value: float | None) -> float | None:
    """A python float; None for missing, NaN or infinite values (JSON has no NaN)."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def json_count(value: float) -> int | float:
    """A pixel or token sum: an int when integral (records may store counts as floats)."""
    number = float(value)
    return int(number) if number.is_integer() else number


def json_interval(interval: tuple[float, float] | None) -> list[float | None] | None:
    return None if interval is None else [json_float(interval[0]), json_float(interval[1])]


def prediction_of(record: dict) -> dict:
    return record.get("prediction") or {}


def token_summary(records: list[dict], convention: str = DEFAULT_CONVENTION) -> dict[str, Any]:
    """Prompt, reasoning and generated token distributions; `reasoning` under the run's convention (samples the
    convention leaves out, e.g. WISE's chains without a <think> match, are not in its mean), every convention the
    records hold under `reasoning_by_convention`."""
    token_rows = [prediction_of(record).get("tokens") or {} for record in records]
    summary: dict[str, Any] = {kind: distribution(row.get(kind) for row in token_rows) for kind in TOKEN_KINDS}
    summary["reasoning"] = distribution(reasoning_count(row, convention) for row in token_rows)
    names = sorted({name for row in token_rows for name in (row.get("conventions") or {})} | {convention})
    summary["reasoning_by_convention"] = {name: distribution(reasoning_count(row, name) for row in token_rows) for name in names}
    return summary


def failure_summary(records: list[dict]) -> dict[str, Any]:
    reasons = Counter(
        str(prediction_of(record)["failure"]) for record in records if prediction_of(record).get("failure") is not None
    )
    n_format_failures = sum(reasons.values())
    n_truncated = sum(1 for record in records if prediction_of(record).get("finish_reason") == "length")
    n = len(records)
    return {
        "format_failure_rate": n_format_failures / n if n else None,
        "truncation_rate": n_truncated / n if n else None,
        "n_format_failures": n_format_failures,
        "n_truncated": n_truncated,
        "reasons": dict(sorted(reasons.items())),
    }


def latency_summary(records: list[dict]) -> tuple[dict[str, dict | None], float | None]:
    """Per-stage latency distributions and samples/s, over records that are not warm-up."""
    timed = [prediction_of(record).get("seconds") or {} for record in records if not record.get("warmup")]
    stages = sorted({stage for seconds in timed for stage in seconds})
    latency = {stage: latency_distribution(seconds.get(stage) for seconds in timed) for stage in stages}
    totals = [float(seconds["total"]) for seconds in timed if seconds.get("total") is not None]
    total_seconds = sum(totals)
    samples_per_second = len(totals) / total_seconds if totals and total_seconds > 0 else None
    return latency, samples_per_second


def mean_reasoning_tokens(summary: dict) -> float:
    """Mean reasoning tokens of a summary; 0 when no record reported any (an adapter without reasoning)."""
    reasoning = (summary.get("tokens") or {}).get("reasoning")
    return float(reasoning["mean"]) if reasoning else 0.0


def records_by_sample_id(records: list[dict], protocol: str = DEFAULT_PROTOCOL) -> dict[str, dict]:
    indexed: dict[str, dict] = {}
    for record in records:
        if record.get("skipped") or dropped((record.get("scores") or {}).get(protocol) or {}, prediction_of(record).get("failure") is not None, protocol):
            continue
        sample_id = str(record["sample_id"])
        if sample_id in indexed:
            raise ValueError(f"sample {sample_id!r} appears twice: pairing would be ambiguous")
        indexed[sample_id] = record
    return indexed
