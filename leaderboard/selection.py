"""Which rows a chart or ranking may put side by side: one metric protocol at a time, the accuracy a suite is read
by, and what the chosen rows still mix. Plain DataFrames in, no Streamlit here."""

from __future__ import annotations

import pandas as pd

from wisebench.metrics.accuracy_summary import TEXT_PROTOCOL

SEGMENTATION_METRIC = "cIoU"
TEXT_METRIC = "task accuracy"
# Accuracy label -> row column, in the order the views offer them.
ACCURACY_COLUMNS = {"cIoU": "ciou", "gIoU": "giou", "task accuracy": "accuracy"}


def protocol_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Protocol -> number of rows, most rows first (ties by name)."""
    if frame.empty:
        return {}
    counts = frame["protocol"].value_counts()
    return dict(sorted(((str(name), int(count)) for name, count in counts.items()), key=lambda item: (-item[1], item[0])))


def default_protocol(frame: pd.DataFrame) -> str | None:
    """The protocol of the most rows (None for no rows)."""
    counts = protocol_counts(frame)
    return next(iter(counts), None)


def one_protocol(frame: pd.DataFrame, protocol: str | None) -> pd.DataFrame:
    return frame if frame.empty or protocol is None else frame[frame["protocol"] == protocol]


def text_rows(frame: pd.DataFrame) -> pd.Series:
    """Which rows are of text-reasoning suites (lm-eval protocol, or a task accuracy and no IoU)."""
    no_iou = frame["giou"].isna() & frame["ciou"].isna()
    return (frame["protocol"] == TEXT_PROTOCOL) | (no_iou & frame["accuracy"].notna())


def is_text(frame: pd.DataFrame) -> bool:
    """Rows of text-reasoning suites only."""
    return not frame.empty and bool(text_rows(frame).all())


def default_metric(frame: pd.DataFrame) -> str:
    """Text suites open on task accuracy, segmentation suites on cIoU."""
    return TEXT_METRIC if is_text(frame) else SEGMENTATION_METRIC


def metric_choices(frame: pd.DataFrame) -> list[str]:
    """The accuracies some row of `frame` has, the suite's default first."""
    present = [label for label, column in ACCURACY_COLUMNS.items() if not frame.empty and frame[column].notna().any()]
    first = default_metric(frame)
    return sorted(present or [first], key=lambda label: label != first)


def caveats(frame: pd.DataFrame) -> tuple[str, ...]:
    """What rows of one protocol still differ in and a reader must be told: parse policies, token conventions."""
    said = []
    for column, name in (("parse_policy", "parse policies"), ("token_convention", "token conventions")):
        values = sorted({str(value) for value in frame[column] if isinstance(value, str) and value}) if not frame.empty else []
        if len(values) > 1:
            said.append(f"{name}: {', '.join(values)}")
    return tuple(said)
