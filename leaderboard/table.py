"""Board rows as DataFrames: the filters, search, the table's sections and display form, the average over suites,
and the downloads. No Streamlit here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from leaderboard.selection import SEGMENTATION_METRIC, TEXT_METRIC, text_rows
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
    "checkpoint": "checkpoint",
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
    benchmark: str | None = None  # None: every suite and split (the metric protocol is chosen apart: selection.py)
    hardware: list[str] | None = None
    families: list[str] | None = None
    kinds: list[str] = field(default_factory=lambda: [MEASURED, REPORTED])


def apply_filters(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    if frame.empty:
        return frame
    keep = frame["kind"].isin(filters.kinds)
    if filters.benchmark is not None:
        keep &= frame["benchmark"] == filters.benchmark
    for column, allowed in (("hardware", filters.hardware), ("family", filters.families)):
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
            "checkpoint": frame["checkpoint"],
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


# The table's sections, in the order shown; every row is in exactly one (section_names).
RANKED = "Ranked"
PUBLISHED = "Published figures (reported)"
CUSTOM_DATA = "Custom data"
UNRANKED = "Smoke and unranked"
SECTIONS = (RANKED, PUBLISHED, CUSTOM_DATA, UNRANKED)
RANK = "#"
BENCHMARK = "suite / split"
WHY_NOT_RANKED = "why not ranked"
SEARCHED_COLUMNS = ("model", "checkpoint", "source", "family", "note")

# The order columns are shown in, whatever order they were picked in: the model and the scores first, so a phone
# shows them without scrolling sideways; the cost next, then what identifies the run.
COLUMN_ORDER = [
    "model", "gIoU", "cIoU", "accuracy", "gIoU 95% CI", "cIoU 95% CI", "accuracy 95% CI",
    "reasoning tokens (mean)", "latency p50 (s)", "n", "protocol", "checkpoint",
]
COLUMN_ORDER += [label for label in DISPLAY_COLUMNS.values() if label not in COLUMN_ORDER]
SCORE_COLUMNS = ("gIoU", "cIoU", "accuracy", "gIoU 95% CI", "cIoU 95% CI", "accuracy 95% CI")

# Pixel widths. With the sidebar open, a 1400 px window leaves about 920 px to the table (a 300 px sidebar, 80 px
# padding a side): a section's default columns on one benchmark fit in TABLE_PIXELS. A 390 px phone (16 px padding a
# side) shows the rank, the model and the scores in PHONE_PIXELS. Longer text is cut; the cell holds all of it.
TABLE_PIXELS = 850  # measured in Chromium: columns summing to 900 px still scrolled (cell borders, the grid's margin)
PHONE_PIXELS = 358
COLUMN_WIDTHS = {
    RANK: 40, "model": 130, "gIoU": 62, "cIoU": 62, "accuracy": 80, "gIoU 95% CI": 110, "cIoU 95% CI": 110,
    "accuracy 95% CI": 110, "reasoning tokens (mean)": 90, "latency p50 (s)": 80, "n": 50, "protocol": 76,
    "checkpoint": 140, BENCHMARK: 140, WHY_NOT_RANKED: 140, "source": 150,
}


def section_names(frame: pd.DataFrame) -> pd.Series:
    """Each row's section. A run on another sample set than the published split is custom data, whatever its
    weights; other smoke runs (random or unknown weights) and unverified ones go with the unranked; reported rows are
    the papers' own, not ranked by the board."""
    measured = frame["kind"] == MEASURED
    smoke = frame["smoke"].eq(True)
    custom = frame["data_scope"] == "custom"
    ranked = frame["ranked"].eq(True)
    names = pd.Series(UNRANKED, index=frame.index)
    names[~measured] = PUBLISHED
    names[measured & custom] = CUSTOM_DATA  # whatever its weights: the reason column also says smoke
    names[measured & ~smoke & ~custom & ranked] = RANKED
    return names


def split_sections(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Section -> its rows, in SECTIONS order; empty sections are left out."""
    if frame.empty:
        return {}
    names = section_names(frame)
    return {name: frame[names == name] for name in SECTIONS if (names == name).any()}


def rank_numbers(ordered: pd.DataFrame) -> pd.Series:
    """1..n down the sorted rows, counted afresh in each benchmark: a rank never compares two benchmarks."""
    return ordered.groupby("benchmark", sort=False).cumcount() + 1


def search_rows(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows whose model, checkpoint, source, family or note holds `text`, in any case."""
    needle = text.strip().casefold()
    if not needle or frame.empty:
        return frame
    hit = pd.Series(False, index=frame.index)
    for column in SEARCHED_COLUMNS:
        hit |= frame[column].fillna("").astype(str).str.casefold().str.contains(needle, regex=False)
    return frame[hit]


def ordered_columns(columns: Iterable[str]) -> list[str]:
    chosen = set(columns)
    return [label for label in COLUMN_ORDER if label in chosen]


def default_columns(frame: pd.DataFrame) -> list[str]:
    """Model, scores (those some row has: gIoU and cIoU for segmentation, accuracy for text), reasoning tokens,
    latency, n, protocol and checkpoint."""
    scores = [DISPLAY_COLUMNS[column] for column in ("giou", "ciou", "accuracy") if not frame.empty and frame[column].notna().any()]
    return ordered_columns(["model", *scores, "reasoning tokens (mean)", "latency p50 (s)", "n", "protocol", "checkpoint"])


def default_sort(metric: str) -> str:
    """The sort a view opens on: its headline accuracy (selection.default_metric)."""
    return "task accuracy (high first)" if metric == TEXT_METRIC else "cIoU, or task accuracy (high first)"


def _empty(values: pd.Series) -> bool:
    return bool(values.isna().all() or (values.astype(str).str.strip() == "").all())


def section_frame(ordered: pd.DataFrame, section: str, columns: Iterable[str], all_benchmarks: bool) -> pd.DataFrame:
    """One section as shown: the chosen columns in COLUMN_ORDER, less those empty in every row here; the rank first
    in the ranked section, why a row is not ranked in the custom and unranked ones, the paper in the published one;
    the suite / split after the scores when several benchmarks are shown."""
    shown = display_frame(ordered)
    wanted = [label for label in ordered_columns(columns) if label == "model" or not _empty(shown[label])]
    if section == PUBLISHED and "source" not in wanted:
        wanted.append("source")
    result = shown[wanted].copy()
    if section in (CUSTOM_DATA, UNRANKED):
        reasons = ordered["unranked_reason"].fillna("").astype(str)
        result[WHY_NOT_RANKED] = reasons.where(reasons != "", "not checked for ranking").to_list()
    if all_benchmarks:
        after_scores = next((index for index, label in enumerate(result.columns) if label not in ("model", *SCORE_COLUMNS)), len(result.columns))
        result.insert(after_scores, BENCHMARK, ordered["benchmark"].to_list())
    if section == RANKED:
        result.insert(0, RANK, rank_numbers(ordered).to_list())
    return result


AVERAGE_COLUMNS = ["model", "checkpoint", "metric", "mean (%)", "benchmarks", "suites / splits", "ranked"]


def suite_averages(frame: pd.DataFrame) -> pd.DataFrame:
    """Per measured model and checkpoint: the mean headline accuracy (cIoU; task accuracy for text suites) over the
    suites and splits it was run on, each benchmark weighing once (its runs averaged first). Ranked rows and the
    others are averaged apart (`ranked`), and segmentation never with text (`metric`)."""
    measured = frame[frame["kind"] == MEASURED] if not frame.empty else frame
    if measured.empty:
        return pd.DataFrame(columns=AVERAGE_COLUMNS)
    text = text_rows(measured)
    data = pd.DataFrame(
        {
            "metric": text.map({True: TEXT_METRIC, False: SEGMENTATION_METRIC}),
            "ranked": section_names(measured) == RANKED,
            "model": measured["model"],
            "checkpoint": measured["checkpoint"].fillna(""),
            "benchmark": measured["benchmark"],
            "value": measured["accuracy"].where(text, measured["ciou"]).astype(float),
        }
    ).dropna(subset=["value"])
    keys = ["metric", "ranked", "model", "checkpoint"]
    per_benchmark = data.groupby([*keys, "benchmark"], sort=False)["value"].mean().reset_index()
    position = {name: index for index, name in enumerate(benchmarks(frame))}
    averages = per_benchmark.groupby(keys, sort=False).agg(
        mean=("value", "mean"),
        benchmarks=("benchmark", "size"),
        names=("benchmark", lambda names: "; ".join(sorted(names, key=lambda name: position.get(name, len(position))))),
    ).reset_index()
    averages = averages.assign(segmentation_first=averages["metric"] != SEGMENTATION_METRIC, unranked=~averages["ranked"])
    # Means over different sets of suites do not rank against each other: models that ran the same suites are
    # listed together, the set most models share first, and only within a set by mean.
    averages = averages.assign(shared=averages.groupby(["metric", "ranked", "names"])["model"].transform("size"))
    averages = averages.sort_values(["segmentation_first", "unranked", "shared", "names", "mean", "model"], ascending=[True, True, False, True, False, True], kind="stable")
    return pd.DataFrame(
        {
            "model": averages["model"],
            "checkpoint": averages["checkpoint"],
            "metric": averages["metric"],
            "mean (%)": (100 * averages["mean"]).round(1),
            "benchmarks": averages["benchmarks"].astype(int),
            "suites / splits": averages["names"],
            "ranked": averages["ranked"].astype(bool),
        }
    ).reset_index(drop=True)


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
