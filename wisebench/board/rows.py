"""A board row: one result (a measured run or a published figure) in the shape the leaderboard table shows.

Accuracy values are fractions (0.583, not 58.3) for both kinds; the app formats them. `kind` keeps measured and
reported rows apart everywhere: they are never merged, averaged or ranked as one. Segmentation rows fill gIoU and cIoU;
text-reasoning rows (lm-eval suites) fill the task accuracy instead, and both kinds fill the cost columns.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from wisebench.board.ranking import Ranking, checkpoint_label

MEASURED = "measured"
REPORTED = "reported"

# Registry model name -> family shown in the filter; unknown names are their own family.
MODEL_FAMILIES = {
    "seg-zero": "Seg-Zero",
    "pixelthink": "PixelThink",
    "wise": "WISE",
    "wise-s": "WISE",
    "lisa": "LISA",
    "visionreasoner": "VisionReasoner",
    "oracle": "oracle",
    "r1-distill-qwen-1.5b": "R1-Distill",
    "r1-distill-qwen-7b": "R1-Distill",
    "verithinker-7b": "VeriThinker",
    "thinkless-1.5b": "Thinkless",
}


@dataclass
class BoardRow:
    kind: str  # MEASURED or REPORTED
    model: str
    family: str
    suite: str
    split: str
    protocol: str
    parse_policy: str = ""  # measured: "upstream" | "robust" | "mixed"; reported: the paper's own script
    token_convention: str = ""  # how mean_reasoning_tokens was counted (metrics/token_conventions.py)
    giou: float | None = None
    giou_low: float | None = None
    giou_high: float | None = None
    ciou: float | None = None
    ciou_low: float | None = None
    ciou_high: float | None = None
    accuracy: float | None = None  # text-reasoning suites: mean per-sample task score (lm-eval's metric)
    accuracy_low: float | None = None
    accuracy_high: float | None = None
    accuracy_metric: str = ""  # lm-eval's "metric,filter" behind `accuracy`, or how the paper scored it
    mean_reasoning_tokens: float | None = None
    mean_generated_tokens: float | None = None
    latency_p50: float | None = None  # seconds per sample, total of all stages
    latency_p90: float | None = None
    samples_per_second: float | None = None
    hardware: str = ""
    backend: str = ""
    checkpoint: str = ""  # measured: hub id @ revision, or the local folder's digest (board/ranking.checkpoint_label)
    n_samples: int | None = None
    n_skipped: int = 0  # bad input skipped (--skip-bad): the row is flagged, not ranked as complete
    source: str = ""  # a run id for measured rows, the paper for reported ones
    run_id: str | None = None
    note: str = ""
    # Measured rows: whether the board ranks this run (board/ranking.py), and why not. Rows stored before the board
    # re-derived scores read as unranked.
    ranked: bool = False
    unranked_reason: str = ""
    smoke: bool = False  # measured: random, unknown or unrecorded weights (board/ranking.py): never ranked
    data_scope: str = ""  # measured: "official" (the split's known size and ids) or "custom" (anything else)
    reproduces: str = ""  # reported: the registry model whose measured runs reproduce this figure ("" if none)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "BoardRow":
        known = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def model_family(model: str) -> str:
    return MODEL_FAMILIES.get(model.lower(), model)


def _interval(scores: dict, key: str) -> tuple[float | None, float | None]:
    interval = scores.get(key) or [None, None]
    return interval[0], interval[1]


def _mean(distribution: dict | None) -> float | None:
    return None if not distribution else distribution.get("mean")


def _backend(model: dict[str, Any]) -> str:
    """'hf + sam2', 'vllm + sam2', just the segmenter for adapters without a reasoner (oracle), or a text model's
    backend ('hf', 'vllm', or 'scripted' for a stand-in: the text runner records the one that ran)."""
    backend = model.get("backend")
    reasoner = backend.get("backend") if isinstance(backend, dict) else backend
    segmenter = model.get("segmenter")
    segmenter_name = segmenter.get("name") if isinstance(segmenter, dict) else segmenter
    return " + ".join(str(part) for part in (reasoner, segmenter_name) if part)


def _text_note(summary: dict[str, Any]) -> str:
    """What a text row's accuracy means beyond the number: truncated chains and Thinkless' mode mix."""
    parts = []
    truncated = summary.get("truncated") or {}
    if truncated.get("n"):
        parts.append(f"{truncated['n']} truncated chain(s), scored {summary.get('truncation_policy', 'strict')}")
    modes = summary.get("modes") or {}
    if modes:
        parts.append("modes " + ", ".join(f"{mode} {100 * share:.0f}%" for mode, share in sorted(modes.items())))
    return "; ".join(parts)


def measured_row(run: dict[str, Any], summary: dict[str, Any], ranking: Ranking | None = None, row_summary: dict[str, Any] | None = None) -> BoardRow:
    """The row of a checked run; `summary` is the one recomputed from its records, `row_summary` the same with
    skipped samples scored IoU 0 (the row's accuracy figures, when given)."""
    config, model = run.get("config") or {}, run.get("model") or {}
    figures = row_summary or summary
    overall = figures["subsets"]["overall"]
    giou_low, giou_high = _interval(overall, "giou_ci")
    ciou_low, ciou_high = _interval(overall, "ciou_ci")
    accuracy_low, accuracy_high = _interval(overall, "accuracy_ci")
    total_latency = (figures.get("latency") or {}).get("total") or {}
    tokens = figures.get("tokens") or {}
    skipped = int(summary.get("n_skipped", 0))  # skipped records and the suite's load-time skips (summarize_run)
    name = str(config.get("model", model.get("adapter", "?")))
    zero_scored = " (scored IoU 0)" if row_summary is not None else ""
    notes = [f"{skipped} sample(s) skipped as bad input{zero_scored}" if skipped else "", _text_note(summary)]
    return BoardRow(
        kind=MEASURED,
        model=name,
        family=model_family(name),
        suite=run["suite"]["name"],
        split=run["suite"]["split"],
        protocol=summary["protocol"],
        parse_policy=str((summary.get("parse") or {}).get("policy") or ""),
        token_convention=str(summary.get("token_convention") or ""),
        giou=overall.get("giou"),
        giou_low=giou_low,
        giou_high=giou_high,
        ciou=overall.get("ciou"),
        ciou_low=ciou_low,
        ciou_high=ciou_high,
        accuracy=overall.get("accuracy"),
        accuracy_low=accuracy_low,
        accuracy_high=accuracy_high,
        accuracy_metric=str(summary.get("accuracy_metric") or ""),
        mean_reasoning_tokens=_mean(tokens.get("reasoning")),
        mean_generated_tokens=_mean(tokens.get("generated")),
        latency_p50=total_latency.get("p50"),
        latency_p90=total_latency.get("p90"),
        samples_per_second=figures.get("samples_per_second"),
        hardware=str(((run.get("environment") or {}).get("hardware") or {}).get("label", "")),
        backend=_backend(model),
        checkpoint=checkpoint_label(model, config),
        n_samples=int(summary.get("n_records", 0)),
        n_skipped=skipped,
        source=f"wisebench run {run['run_id']}",
        run_id=run["run_id"],
        note="; ".join(note for note in notes if note),
        ranked=ranking is not None and ranking.ranked,
        unranked_reason="" if ranking is not None and ranking.ranked else (ranking.reason if ranking else "not checked for ranking"),
        smoke=ranking.smoke if ranking is not None else False,
        data_scope=ranking.data_scope if ranking is not None else "",
    )
