"""Plain-text tables for the terminal: a run's summary (accuracy per subset, then cost) and a paired comparison."""

from __future__ import annotations

from typing import Any, Sequence

from wisebench.metrics.summary import load_skips


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _interval(interval: Sequence[float | None] | None) -> str:
    if not interval or interval[0] is None or interval[1] is None:
        return ""
    return f"[{100 * interval[0]:.1f}, {100 * interval[1]:.1f}]"


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def text_accuracy_table(summary: dict[str, Any]) -> str:
    """Text-reasoning runs: lm-eval's metric as accuracy, strict (truncated chains score empty) and lenient."""
    rows = [
        [name, str(s["n"]), _pct(s["accuracy"]), _interval(s.get("accuracy_ci")), _pct(s.get("accuracy_strict")), _pct(s.get("accuracy_lenient"))]
        for name, s in summary["subsets"].items()
    ]
    return table(["subset", "n", f"accuracy ({summary.get('accuracy_metric')})", "95% CI", "strict", "lenient"], rows)


def accuracy_table(summary: dict[str, Any]) -> str:
    if "accuracy" in (summary.get("subsets") or {}).get("overall", {}):
        return text_accuracy_table(summary)
    rows = []
    for name, scores in summary["subsets"].items():
        rows.append(
            [
                name,
                str(scores["n"]),
                _pct(scores["giou"]),
                _interval(scores.get("giou_ci")),
                _pct(scores["ciou"]),
                _interval(scores.get("ciou_ci")),
            ]
        )
    return table(["subset", "n", "gIoU", "95% CI", "cIoU", "95% CI"], rows)


def reasoning_quality_table(summary: dict[str, Any]) -> str:
    """Reasoning quality and efficiency per subset (difficulty bands included): wisebench's figures, docs/metrics.md."""
    quality = summary.get("reasoning_quality")
    if not quality:
        return ""
    rows = [
        [
            name,
            str(s["n"]),
            _number(s.get("similarity_short"), 3),
            _number(s.get("similarity_long"), 3),
            _number(s.get("reasoning_score"), 3),
            _number(s.get("judge_score"), 2) + (f" ({s['judge_failures']} failed)" if s.get("judge_failures") else ""),
            _number(s.get("mean_reasoning_tokens")),
            _number(s.get("reasoning_score_per_100_tokens"), 3),
            _number(s.get("giou_per_100_tokens"), 3),
            _number(s.get("ciou_per_100_tokens"), 3),
            _number(s.get("unified_score"), 3),
        ]
        for name, s in quality["subsets"].items()
    ]
    headers = ["subset", "n", "sim short", "sim long", "RS", "judge", "tokens", "RS/100t", "gIoU/100t", "cIoU/100t", "unified"]
    return f"reasoning quality ({quality.get('scorer')}; wisebench definitions, docs/metrics.md)\n" + table(headers, rows)


def cost_lines(summary: dict[str, Any]) -> list[str]:
    lines = []
    tokens = summary.get("tokens") or {}
    parts = []
    for kind in ("reasoning", "generated", "prompt"):
        stats = tokens.get(kind)
        if stats:
            parts.append(f"{kind} {_number(stats['mean'])} mean / {_number(stats['median'])} median / {_number(stats['p90'])} p90")
    if parts:
        lines.append("tokens:   " + "; ".join(parts))
    failures = summary.get("failures") or {}
    if failures:
        lines.append(
            f"failures: format {_pct(failures.get('format_failure_rate'))}% ({failures.get('n_format_failures', 0)}), "
            f"truncated {_pct(failures.get('truncation_rate'))}% ({failures.get('n_truncated', 0)})"
        )
    latency = summary.get("latency") or {}
    stages = [f"{stage} p50 {_number(stats['p50'], 3)}s p90 {_number(stats['p90'], 3)}s p99 {_number(stats['p99'], 3)}s" for stage, stats in latency.items() if stats]
    if stages:
        lines.append("latency:  " + "; ".join(stages))
    if summary.get("samples_per_second") is not None:
        # Samples over the sum of per-sample seconds (each sample's share of its batch, warm-up excluded): one
        # worker's speed. With several Ray workers the wall-clock figure is the session's (run_report's "wall").
        lines.append(f"speed:    {summary['samples_per_second']:.2f} samples/s (1 / mean per-sample seconds)")
    budget = summary.get("budget") or {}
    if budget.get("oaa_area") is not None:
        lines.append(f"budget:   OAA area (t_max {budget.get('t_max')}) {_pct(budget['oaa_area'])}%")
    truncated = summary.get("truncated")
    if truncated:
        lines.append(f"truncated chains: {truncated['n']} (correct strict {truncated['n_correct_strict']}, lenient {truncated['n_correct_lenient']})")
    if summary.get("modes"):
        lines.append("modes:    " + ", ".join(f"{mode} {_pct(rate)}%" for mode, rate in summary["modes"].items()))
    if summary.get("aes") and "accuracy" in summary["aes"]:
        lines.append(f"AES vs {summary['aes'].get('baseline')}: accuracy {_number(summary['aes'].get('accuracy'), 3)}")
    elif summary.get("aes"):
        aes = summary["aes"]
        lines.append(f"AES vs {aes.get('baseline')}: gIoU {_number(aes.get('giou'), 3)}, cIoU {_number(aes.get('ciou'), 3)}")
    if summary.get("n_skipped"):
        lines.append(f"skipped:  {summary['n_skipped']} bad sample(s) (--skip-bad); see run.json")
    return lines


def fidelity_line(summary: dict[str, Any]) -> str:
    """How this run was scored: parse policy (and how many samples the other policy reads differently), the
    reasoning-token convention, and the samples the protocol leaves out."""
    parts = []
    parse = summary.get("parse") or {}
    if parse.get("policy"):
        part = f"parse {parse['policy']}"
        if parse.get("n_differ"):
            part += f" ({parse['n_differ']} sample(s) parse differently under the other policy: {parse.get('n_only_other_parses', 0)} only there, {parse.get('n_only_this_parses', 0)} only here, {parse.get('n_other_prompts', 0)} other prompts)"
        parts.append(part)
    if summary.get("token_convention"):
        parts.append(f"reasoning tokens: {summary['token_convention']} convention")
    if summary.get("n_dropped"):
        parts.append(f"{summary['n_dropped']} answered sample(s) with empty union left out, as the {summary.get('protocol')} script does")
    return "  ".join(parts)


def run_report(run: dict[str, Any], summary: dict[str, Any]) -> str:
    suite = run.get("suite", {})
    config = run.get("config", {})
    segmenter = (run.get("model") or {}).get("segmenter") or {}
    header = (
        f"run {run.get('run_id')}  [{run.get('status')}]\n"
        f"model {config.get('model')}"
        + (f" + {segmenter.get('name')}" if segmenter.get("name") else "")
        + f"  suite {suite.get('name')}/{suite.get('split')}  protocol {summary.get('protocol')}"
        + f"  scored {summary.get('n_scored')}/{(suite.get('n_samples') or 0) + len(load_skips(run))}"
    )
    fidelity = fidelity_line(summary)
    if fidelity:
        header += "\n" + fidelity
    smoke = run.get("smoke") or {}
    if smoke.get("is_smoke"):
        header += f"\nsmoke run ({', '.join(smoke.get('reasons', []))}): not ranked on the leaderboard"
    lines = cost_lines(summary)
    timed = [session for session in run.get("sessions") or [] if session.get("samples_per_second")]
    if timed:
        workers = len(timed[-1].get("workers") or []) or 1
        lines.append(f"wall:     {timed[-1]['samples_per_second']:.2f} samples/s (last session that ran samples: {workers} worker(s), loading and warm-up included)")
    quality = reasoning_quality_table(summary)
    return "\n".join([header, "", accuracy_table(summary), "", *lines, *(["", quality] if quality else [])])


def comparison_report(name_a: str, name_b: str, comparison: dict[str, Any], protocol: str) -> str:
    if "accuracy_delta" in comparison:  # text-reasoning runs
        rows = [["accuracy", _signed(comparison.get("accuracy_delta")), _interval(comparison.get("accuracy_delta_ci"))]]
        protocol = "lm-eval"
    else:
        rows = _iou_rows(comparison)
    return _comparison_lines(name_a, name_b, comparison, protocol, rows)


def _iou_rows(comparison: dict[str, Any]) -> list[list[str]]:
    return [
        ["gIoU", _signed(comparison.get("giou_delta")), _interval(comparison.get("giou_delta_ci"))],
        ["cIoU", _signed(comparison.get("ciou_delta")), _interval(comparison.get("ciou_delta_ci"))],
    ]


def _comparison_lines(name_a: str, name_b: str, comparison: dict[str, Any], protocol: str, rows: list[list[str]]) -> str:
    lines = [
        f"B - A, protocol {protocol}:  A = {name_a}  B = {name_b}",
        f"paired samples {comparison['n_paired']}  (only in A {comparison['only_in_a']}, only in B {comparison['only_in_b']})",
        "",
        table(["metric", "delta", "95% CI (paired, by image)"], rows),
        "",
        f"per sample: B better {comparison['n_better']}, worse {comparison['n_worse']}, equal {comparison['n_equal']}",
    ]
    return "\n".join(lines)


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:+.1f}"
