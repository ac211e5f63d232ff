"""A run's summary as lm-eval's results JSON (`wisebench show RUN --format lm-eval`), so runs travel to the tools
people already use: `lm_eval.utils.make_table` reads it, and so does anything that reads lm-eval's output files.

Metrics are keyed "metric,filter" as lm-eval keys them: a text run's accuracy under its task metric and filter; a
segmentation run's gIoU and cIoU under its protocol (the "filter" column); the reasoning tokens under their token
convention. Each "_stderr" is the bootstrap interval's half-width / 1.96 (wisebench's intervals are percentile
intervals, so this is their normal-approximation reading)."""

from __future__ import annotations

from typing import Any

from wisebench import __version__

NORMAL_95 = 1.959963984540054


def _stderr(interval: list[float | None] | None) -> float | str:
    if not interval or interval[0] is None or interval[1] is None:
        return "N/A"
    return (interval[1] - interval[0]) / (2 * NORMAL_95)


def lm_eval_results(run: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    overall = summary["subsets"]["overall"]
    name = f"{run['suite']['name']}/{run['suite']['split']}"
    metrics: dict[str, Any] = {"alias": name}
    better: dict[str, bool] = {}
    if "accuracy" in overall:  # a text run: the task's own metric
        metric, _, filter_name = str(summary.get("accuracy_metric") or "accuracy,none").partition(",")
        metrics[f"{metric},{filter_name or 'none'}"] = overall["accuracy"]
        metrics[f"{metric}_stderr,{filter_name or 'none'}"] = _stderr(overall.get("accuracy_ci"))
        better[metric] = True
    else:
        for metric in ("giou", "ciou"):
            metrics[f"{metric},{summary['protocol']}"] = overall[metric]
            metrics[f"{metric}_stderr,{summary['protocol']}"] = _stderr(overall.get(f"{metric}_ci"))
            better[metric] = True
    reasoning = (summary.get("tokens") or {}).get("reasoning")
    if reasoning:
        metrics[f"reasoning_tokens,{summary.get('token_convention') or 'wisebench'}"] = reasoning.get("mean")
        better["reasoning_tokens"] = False
    model = run.get("model") or {}
    return {
        "results": {name: metrics},
        "versions": {name: f"wisebench {run.get('wisebench_version', __version__)}"},
        "n-shot": {name: 0},
        "higher_is_better": {name: better},
        "n-samples": {name: {"original": run["suite"].get("n_samples"), "effective": overall.get("n")}},
        "config": {
            "model": run["config"].get("model"),
            "model_args": {"checkpoint": model.get("checkpoint") or run["config"].get("checkpoint"), "run_id": run.get("run_id")},
            "protocol": summary["protocol"],
        },
    }
