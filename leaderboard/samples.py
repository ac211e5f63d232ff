"""Per-sample views of runs on the board: the sample list of one run, reasoning lengths, paired differences
between two runs, subset and budget tables from summaries, and the suite's own sample (image + ground truth).
A sample's score is its IoU in segmentation runs and its lm-eval accuracy in text-reasoning runs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from wisebench.data.sample import Sample
from wisebench.metrics.iou import sample_iou
from wisebench.metrics.summary import CORRECT_THRESHOLD
from wisebench.metrics.accuracy_summary import CORRECT_THRESHOLD as TEXT_CORRECT_THRESHOLD
from wisebench.metrics.accuracy_summary import TEXT_PROTOCOL


def record_iou(record: dict[str, Any], protocol: str) -> float | None:
    score = (record.get("scores") or {}).get(protocol) or {}
    if record.get("skipped") or score.get("intersection") is None or score.get("union") is None:
        return None
    return float(sample_iou(score["intersection"], score["union"], protocol))


def record_accuracy(record: dict[str, Any]) -> float | None:
    """A text record's accuracy: lm-eval's score under the run's truncation policy (1.0 / 0.0 for exact match)."""
    value = ((record.get("scores") or {}).get(TEXT_PROTOCOL) or {}).get("accuracy")
    return None if record.get("skipped") or value is None else float(value)


def record_score(record: dict[str, Any], protocol: str) -> float | None:
    return record_accuracy(record) if protocol == TEXT_PROTOCOL else record_iou(record, protocol)


def score_name(protocol: str) -> str:
    return "accuracy" if protocol == TEXT_PROTOCOL else "iou"


def token_count(record: dict[str, Any], kind: str) -> float | None:
    """A record's token count of one kind ("reasoning", "generated"), None when it has none."""
    value = ((record.get("prediction") or {}).get("tokens") or {}).get(kind)
    return None if value is None else float(value)


def sample_table(records: list[dict[str, Any]], protocol: str) -> pd.DataFrame:
    """One line per record: IoU under `protocol`, the failure reason, token counts, and whether it failed
    (a format failure, a skipped input, or IoU below the 0.5 used for "correct")."""
    lines = []
    for record in records:
        iou = record_iou(record, protocol)
        failure = (record.get("prediction") or {}).get("failure")
        if record.get("skipped"):
            failure = f"skipped: {record['skipped'].get('problem', '')}"
        lines.append(
            {
                "sample_id": str(record["sample_id"]),
                "iou": iou,
                "failure": failure or "",
                "reasoning_tokens": token_count(record, "reasoning"),
                "generated_tokens": token_count(record, "generated"),
                "failed": bool(failure) or iou is None or iou < CORRECT_THRESHOLD,
            }
        )
    return pd.DataFrame(lines, columns=["sample_id", "iou", "failure", "reasoning_tokens", "generated_tokens", "failed"])


def text_sample_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """One line per record of a text-reasoning run: accuracy, truncation, mode, token counts, and whether it failed
    (scored wrong, or its chain was cut by the token limit)."""
    lines = []
    for record in records:
        prediction = record.get("prediction") or {}
        accuracy = record_accuracy(record)
        truncated = bool(prediction.get("truncated"))
        lines.append(
            {
                "sample_id": str(record["sample_id"]),
                "accuracy": accuracy,
                "truncated": truncated,
                "mode": prediction.get("mode") or "",
                "reasoning_tokens": token_count(record, "reasoning"),
                "generated_tokens": token_count(record, "generated"),
                "failed": truncated or accuracy is None or accuracy < TEXT_CORRECT_THRESHOLD,
            }
        )
    return pd.DataFrame(lines, columns=["sample_id", "accuracy", "truncated", "mode", "reasoning_tokens", "generated_tokens", "failed"])


def reasoning_lengths(records: list[dict[str, Any]], run_label: str) -> pd.DataFrame:
    """Reasoning tokens of every scored sample (None counts as 0, as in the summary's budget metrics)."""
    values = [token_count(record, "reasoning") or 0.0 for record in records if not record.get("skipped")]
    return pd.DataFrame({"run": run_label, "reasoning_tokens": values})


def paired_differences(records_a: list[dict], records_b: list[dict], protocol: str) -> pd.DataFrame:
    """Samples scored in both runs: the score (IoU or accuracy) in A, in B, and B - A; largest changes first."""
    by_id_a = {str(r["sample_id"]): record_score(r, protocol) for r in records_a}
    by_id_b = {str(r["sample_id"]): record_score(r, protocol) for r in records_b}
    shared = sorted(sample_id for sample_id in by_id_a.keys() & by_id_b.keys() if by_id_a[sample_id] is not None and by_id_b[sample_id] is not None)
    name = score_name(protocol)
    frame = pd.DataFrame({"sample_id": shared, f"{name}_a": [by_id_a[s] for s in shared], f"{name}_b": [by_id_b[s] for s in shared]})
    frame["difference"] = frame[f"{name}_b"] - frame[f"{name}_a"]
    return frame.reindex(frame["difference"].abs().sort_values(ascending=False, kind="stable").index).reset_index(drop=True)


def subset_table(summaries: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Run label x subset: n, gIoU, cIoU and task accuracy (percent) per subset of each run's summary."""
    lines = []
    for label, summary in summaries.items():
        for subset, scores in summary.get("subsets", {}).items():
            lines.append(
                {
                    "run": label,
                    "subset": subset,
                    "n": scores.get("n"),
                    "gIoU": None if scores.get("giou") is None else round(100 * scores["giou"], 1),
                    "cIoU": None if scores.get("ciou") is None else round(100 * scores["ciou"], 1),
                    "accuracy": None if scores.get("accuracy") is None else round(100 * scores["accuracy"], 1),
                }
            )
    return pd.DataFrame(lines, columns=["run", "subset", "n", "gIoU", "cIoU", "accuracy"])


def budget_table(summaries: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Run label x budget t: OAA_t (fraction)."""
    lines = []
    for label, summary in summaries.items():
        for budget, value in ((summary.get("budget") or {}).get("oaa") or {}).items():
            lines.append({"run": label, "budget": int(budget), "oaa": value})
    return pd.DataFrame(lines, columns=["run", "budget", "oaa"])


def oaa_areas(summaries: dict[str, dict[str, Any]]) -> pd.DataFrame:
    lines = [
        {"run": label, "OAA area (%)": None if (summary.get("budget") or {}).get("oaa_area") is None else round(100 * summary["budget"]["oaa_area"], 1), "t_max": (summary.get("budget") or {}).get("t_max")}
        for label, summary in summaries.items()
    ]
    return pd.DataFrame(lines, columns=["run", "OAA area (%)", "t_max"])


def suite_samples(suite: str, split: str, data_dir: str | None) -> dict[str, Sample]:
    """The split's samples by id, read from this machine's data (never from a path inside a run)."""
    from wisebench.registry import SUITES

    loaded = SUITES.load(suite)().load(split, data_dir, skip_bad=True)
    return {sample.sample_id: sample for sample in loaded.samples}


def predicted_mask(record: dict[str, Any]) -> np.ndarray | None:
    """The record's mask, decoded within the board's bounds (board/mask_rle.py): raises UntrustedInputError for
    a malformed or oversized one rather than allocating what it asks for."""
    from wisebench.board.mask_rle import decode_untrusted_mask

    rle = record.get("mask_rle")
    return None if not rle else decode_untrusted_mask(rle)


def readable(value: Any) -> Any:
    """`value` with every string made valid UTF-8 (a lone surrogate becomes a visible \\udXXX escape), so the page
    can always send it; nested lists and dicts are rebuilt."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {readable(key): readable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [readable(item) for item in value]
    return value
