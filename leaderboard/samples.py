"""Per-sample views of runs on the board: the sample list of one run, reasoning lengths, paired differences
between two runs, subset and budget tables from summaries, and the suite's own sample (image + ground truth)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from wisebench.data.sample import Sample
from wisebench.metrics.iou import sample_iou
from wisebench.metrics.summary import CORRECT_THRESHOLD


def record_iou(record: dict[str, Any], protocol: str) -> float | None:
    score = (record.get("scores") or {}).get(protocol) or {}
    if record.get("skipped") or score.get("intersection") is None or score.get("union") is None:
        return None
    return float(sample_iou(score["intersection"], score["union"], protocol))


def _tokens(record: dict[str, Any], kind: str) -> float | None:
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
                "reasoning_tokens": _tokens(record, "reasoning"),
                "generated_tokens": _tokens(record, "generated"),
                "failed": bool(failure) or iou is None or iou < CORRECT_THRESHOLD,
            }
        )
    return pd.DataFrame(lines, columns=["sample_id", "iou", "failure", "reasoning_tokens", "generated_tokens", "failed"])


def reasoning_lengths(records: list[dict[str, Any]], run_label: str) -> pd.DataFrame:
    """Reasoning tokens of every scored sample (None counts as 0, as in the summary's budget metrics)."""
    values = [_tokens(record, "reasoning") or 0.0 for record in records if not record.get("skipped")]
    return pd.DataFrame({"run": run_label, "reasoning_tokens": values})


def paired_differences(records_a: list[dict], records_b: list[dict], protocol: str) -> pd.DataFrame:
    """Samples scored in both runs: IoU in A, in B, and B - A; largest changes first."""
    by_id_a = {str(r["sample_id"]): record_iou(r, protocol) for r in records_a}
    by_id_b = {str(r["sample_id"]): record_iou(r, protocol) for r in records_b}
    shared = sorted(sample_id for sample_id in by_id_a.keys() & by_id_b.keys() if by_id_a[sample_id] is not None and by_id_b[sample_id] is not None)
    frame = pd.DataFrame({"sample_id": shared, "iou_a": [by_id_a[s] for s in shared], "iou_b": [by_id_b[s] for s in shared]})
    frame["difference"] = frame["iou_b"] - frame["iou_a"]
    return frame.reindex(frame["difference"].abs().sort_values(ascending=False, kind="stable").index).reset_index(drop=True)


def subset_table(summaries: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Run label x subset: n, gIoU and cIoU (percent) per subset of each run's summary."""
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
                }
            )
    return pd.DataFrame(lines, columns=["run", "subset", "n", "gIoU", "cIoU"])


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
    from wisebench.scoring.record import decode_mask

    rle = record.get("mask_rle")
    return None if not rle else decode_mask(rle)
