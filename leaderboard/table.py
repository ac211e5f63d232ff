"""Board rows as DataFrames: the filters, the main table's display form, and the downloads. No Streamlit here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from wisebench.board.rows import MEASURED, REPORTED, BoardRow

NOT_STATED = "not stated"  # hardware / backend of a published figure

# Sort choices: label -> (columns of the raw frame, ascending). Segmentation rows have cIoU and text-reasoning rows a
# task accuracy, never both: the default sorts each kind by its own headline accuracy.
SORT_CHOICES = {
    "cIoU, or task accuracy (high first)": (("ciou", "accuracy"), False),
    "gIoU (high first)": (("giou",), False),
    "task accuracy (high first)": (("accuracy",), False),
    "reasoning tokens (few first)": (("mean_reasoning_tokens",), True),
    "latency p50 (fast first)": (("latency_p50",), True),
    "samples/s (high first)": (("samples_per_second",), False),
    "model (A-Z)": (("model",), True),
}

DISPLAY_COLUMNS = {
    "model": "model",
    "kind": "measured / reported",
    "giou": "gIoU",
    "giou_ci": "gIoU 95% CI",
    "ciou": "cIoU",
    "ciou_ci": "cIoU 95% CI",
    "accuracy": "accuracy",
    "accuracy_ci": "accuracy 95% CI",
    "mean_reasoning_tokens": "reasoning tokens (mean)",
    "mean_generated_tokens": "generated tokens (mean)",
    "latency_p50": "latency p50 (s)",
    "latency_p90": "latency p90 (s)",
    "samples_per_second": "samples/s",
    "hardware": "hardware",
    "backend": "backend",
    "protocol": "protocol",
    "parse_policy": "parse policy",
    "token_convention": "token convention",
    "family": "family",
    "accuracy_metric": "accuracy metric",
    "n_samples": "n",
    "source": "source",
    "note": "note",
    "ranking": "ranked",
}


def benchmark_of(suite: str, split: str) -> str:
    return f"{suite} / {split}"


def rows_frame(rows: Iterable[BoardRow]) -> pd.DataFrame:
    """One line per row with the raw values (fractions, seconds); hardware and backend filled in for papers."""
    frame = pd.DataFrame([row.to_json() for row in rows], columns=list(BoardRow.__dataclass_fields__))
    if frame.empty:
        frame["benchmark"] = pd.Series(dtype=str)
        return frame
    reported = frame["kind"] == REPORTED
    for column in ("hardware", "backend"):
        frame.loc[reported & (frame[column] == ""), column] = NOT_STATED
    frame["benchmark"] = [benchmark_of(suite, split) for suite, split in zip(frame["suite"], frame["split"])]
    return frame


SPLIT_ORDER = ("val", "test", "testA", "testB", "train")


def benchmarks(frame: pd.DataFrame) -> list[str]:
    """Suite / split pairs: those with measured runs first, segmentation (rows with an IoU) before text reasoning,
    then by suite, then val before test."""
    if frame.empty:
        return []
    measured = set(frame.loc[frame["kind"] == MEASURED, "benchmark"])
    segmentation = set(frame.loc[frame["giou"].notna() | frame["ciou"].notna(), "benchmark"])
    pairs = frame[["benchmark", "suite", "split"]].drop_duplicates("benchmark")

    def order(item: tuple[str, str, str]) -> tuple:
        name, suite, split = item
        return (name not in measured, name not in segmentation, suite, SPLIT_ORDER.index(split) if split in SPLIT_ORDER else len(SPLIT_ORDER), split)

    return [name for name, _, _ in sorted(pairs.itertuples(index=False, name=None), key=order)]


@dataclass
class Filters:
    benchmark: str | None = None  # None: every suite and split
    protocols: list[str] | None = None  # None: no restriction
    hardware: list[str] | None = None
    families: list[str] | None = None
    kinds: list[str] = field(default_factory=lambda: [MEASURED, REPORTED])


def apply_filters(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    if frame.empty:
        return frame
    keep = frame["kind"].isin(filters.kinds)
    if filters.benchmark is not None:
        keep &= frame["benchmark"] == filters.benchmark
    for column, allowed in (("protocol", filters.protocols), ("hardware", filters.hardware), ("family", filters.families)):
        if allowed is not None:
            keep &= frame[column].isin(allowed)
    return frame[keep]


def sort_rows(frame: pd.DataFrame, choice: str, group_by_benchmark: bool = False) -> pd.DataFrame:
    """Sorted by the chosen columns (the later ones break ties and order rows the first leaves empty); when several
    benchmarks are shown, grouped by benchmark first (a cIoU on RefCOCO and one on ReasonSeg do not rank against
    each other)."""
    columns, ascending = SORT_CHOICES[choice]
    ordered = frame.sort_values(list(columns), ascending=ascending, na_position="last", kind="stable")
    if group_by_benchmark:
        position = {name: index for index, name in enumerate(benchmarks(frame))}
        ordered = ordered.sort_values("benchmark", key=lambda names: names.map(position), kind="stable")
    return ordered


def _percent(value: object) -> float | None:
    return None if value is None or pd.isna(value) else round(100 * float(value), 1)


def _interval(low: object, high: object) -> str:
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    return f"[{100 * float(low):.1f}, {100 * float(high):.1f}]"


def _ranking(kind: str, ranked: object, reason: object) -> str:
    """Measured rows: "yes", or "no: why" (board/ranking.py); published figures are not ranked by the board."""
    if kind != MEASURED:
        return ""
    return "yes" if ranked is True else f"no: {reason or 'not checked for ranking'}"


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The main table as shown: percentages with one decimal, intervals as text, readable headers."""
    shown = pd.DataFrame(
        {
            "model": frame["model"],
            "kind": frame["kind"],
            "giou": [_percent(value) for value in frame["giou"]],
            "giou_ci": [_interval(low, high) for low, high in zip(frame["giou_low"], frame["giou_high"])],
            "ciou": [_percent(value) for value in frame["ciou"]],
            "ciou_ci": [_interval(low, high) for low, high in zip(frame["ciou_low"], frame["ciou_high"])],
            "accuracy": [_percent(value) for value in frame["accuracy"]],
            "accuracy_ci": [_interval(low, high) for low, high in zip(frame["accuracy_low"], frame["accuracy_high"])],
            "mean_reasoning_tokens": frame["mean_reasoning_tokens"].astype(float).round(1),
            "mean_generated_tokens": frame["mean_generated_tokens"].astype(float).round(1),
            "latency_p50": frame["latency_p50"].astype(float).round(3),
            "latency_p90": frame["latency_p90"].astype(float).round(3),
            "samples_per_second": frame["samples_per_second"].astype(float).round(2),
            "hardware": frame["hardware"],
            "backend": frame["backend"],
            "protocol": frame["protocol"],
            "parse_policy": frame["parse_policy"],
            "token_convention": frame["token_convention"],
            "family": frame["family"],
            "accuracy_metric": frame["accuracy_metric"],
            "n_samples": frame["n_samples"].astype("Int64"),
            "source": frame["source"],
            "note": frame["note"],
            "ranking": [_ranking(kind, ranked, reason) for kind, ranked, reason in zip(frame["kind"], frame["ranked"], frame["unranked_reason"])],
        }
    )
    return shown.rename(columns=DISPLAY_COLUMNS).reset_index(drop=True)


def download_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """What the CSV / JSON downloads hold: the raw row fields (fractions, seconds), no display formatting."""
    return frame[list(BoardRow.__dataclass_fields__)].reset_index(drop=True)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading quote (model names come from submissions)."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def to_csv(frame: pd.DataFrame) -> str:
    return download_frame(frame).map(_inert).to_csv(index=False)


def to_json(frame: pd.DataFrame) -> str:
    return download_frame(frame).to_json(orient="records", indent=1)
