"""The "Side by side" tab: 2 to 4 runs of one suite and split on one sample, each in its own column with its mask
overlay (segmentation) or response (text reasoning), score, reasoning tokens and reasoning text. The sample picker
can be narrowed to the samples where the runs disagree most.

Everything here but fixed labels is board data or model output: it goes through st.text, st.code, widget options
and metric values, never Markdown or HTML.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from leaderboard import samples, side_by_side
from leaderboard.context import BoardView, short_label
from leaderboard.widgets import forget_stale_choice, plain, prediction_image, suite_picture, title
from wisebench.metrics.accuracy_summary import TEXT_PROTOCOL

DEFAULT_TOP = 20
MAX_TOP = 100  # a fixed range, so the slider's remembered value stays valid whichever runs are chosen
RUNS_KEY = "sbs_runs"


def show(view: BoardView) -> None:
    title(view.title("Side by side"))
    runs = view.runs()
    if len(runs) < side_by_side.MIN_RUNS:
        st.info("Side by side needs two measured runs of one suite and split: the filters leave fewer.")
        return
    labels = list(runs)
    forget_stale_choice(RUNS_KEY, labels)  # the filters took a chosen run away: start again from the default
    chosen = st.multiselect(
        f"runs ({side_by_side.MIN_RUNS} to {side_by_side.MAX_RUNS}, one suite and split)",
        labels,
        default=side_by_side.default_choice(runs),
        key=RUNS_KEY,
    )
    rows = [runs[label] for label in chosen]
    problem = side_by_side.choice_problem(rows)
    if problem is not None:
        (st.info if len(rows) < side_by_side.MIN_RUNS else st.warning)(problem)
        return
    protocol = str(rows[0]["protocol"])
    names = _column_names(rows)
    records_by_run = {name: view.records(str(row["run_id"])) for name, row in zip(names, rows)}
    table = side_by_side.disagreement_table(records_by_run, protocol)
    if table.empty:
        st.info("These runs have no sample in common.")
        return
    sample_id = _pick_sample(table, rows)
    if sample_id is None:
        return
    records = {name: next(r for r in run_records if str(r["sample_id"]) == sample_id) for name, run_records in records_by_run.items()}
    first = next(iter(records.values()))
    st.markdown("**question**" if protocol == TEXT_PROTOCOL else "**query**")
    st.text(str(first.get("query", "")))
    picture = None if protocol == TEXT_PROTOCOL else suite_picture(view, rows[0], sample_id, "each run's predicted mask is shown alone")
    for column, name, row in zip(st.columns(len(rows)), names, rows):
        with column:
            st.text(name)
            if protocol == TEXT_PROTOCOL:
                _text_column(records[name], str(row.get("accuracy_metric") or ""))
            else:
                _segmentation_column(records[name], protocol, picture)


def _column_names(rows: list[pd.Series]) -> list[str]:
    """Short labels (model and run hash) head the columns; the full labels where two short ones would clash."""
    short = [short_label(row) for row in rows]
    return short if len(set(short)) == len(short) else [f"{row['model']} · {row['run_id']}" for row in rows]


def _pick_sample(table: pd.DataFrame, rows: list[pd.Series]) -> str | None:
    shared = len(table)
    if st.checkbox("only the N samples where they disagree most", value=True, key="sbs_top_only"):
        count = st.slider("N", 1, MAX_TOP, DEFAULT_TOP, key="sbs_top_count")
        table = side_by_side.most_disagreeing(table, count)
    score = "accuracy" if str(rows[0]["protocol"]) == TEXT_PROTOCOL else "IoU"
    st.caption(f"Samples ordered by disagreement: the largest minus the smallest {score} across the runs (a skipped or unscored sample counts as 0).")
    names = {str(sample_id): f"{sample_id}  (disagreement {value:.3f})" for sample_id, value in zip(table["sample_id"], table["disagreement"])}
    # The key names the chosen runs, so a sample picked for one set of runs never carries over to another.
    key = "sbs_sample:" + "|".join(str(row["run_id"]) for row in rows) + ":" + str(rows[0]["protocol"])
    return st.selectbox(f"sample ({len(names)} of the {shared} every run recorded)", list(names), format_func=names.get, key=key)


def _tokens(record: dict[str, Any], kind: str) -> str | int:
    value = samples.token_count(record, kind)
    return "-" if value is None else int(value)


def _failure(record: dict[str, Any]) -> None:
    prediction = record.get("prediction") or {}
    if prediction.get("failure") or record.get("skipped"):
        st.markdown("**failure**")
        st.text(str(prediction.get("failure") or record.get("skipped")))


def _segmentation_column(record: dict[str, Any], protocol: str, picture: tuple[Any, Any] | None) -> None:
    prediction = record.get("prediction") or {}
    prediction_image(record, picture)
    score, tokens = st.columns(2)
    iou = samples.record_iou(record, protocol)
    score.metric(f"IoU ({protocol})", "-" if iou is None else f"{iou:.3f}")
    tokens.metric("reasoning tokens", _tokens(record, "reasoning"))
    _failure(record)
    st.markdown("**reasoning**")
    st.code(str(prediction.get("reasoning_text") or "(none)"), language=None, wrap_lines=True)


def _text_column(record: dict[str, Any], metric: str) -> None:
    """A text-reasoning record (lm-eval task): no image; accuracy, tokens, reasoning and answer span."""
    prediction = record.get("prediction") or {}
    score, tokens = st.columns(2)
    value = samples.record_accuracy(record)
    score.metric(f"accuracy ({plain(metric)})" if metric else "accuracy", "-" if value is None else f"{value:g}")
    tokens.metric("reasoning tokens", _tokens(record, "reasoning"))
    st.text(f"truncated: {'yes' if prediction.get('truncated') else 'no'}")
    _failure(record)
    st.markdown("**reasoning**")
    st.code(str(prediction.get("reasoning_text") or "(none)"), language=None, wrap_lines=True)
    st.markdown("**answer span**")
    st.code(str(prediction.get("answer_text") or "(none)"), language=None, wrap_lines=True)
