"""Difficulty: for ReasonSeg-Diff's bands (easy / medium / hard), accuracy and reasoning tokens per band, per measured
run (leaderboard/difficulty.py), under the page's one protocol."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from leaderboard import charts
from leaderboard.context import BoardView, short_label
from leaderboard.difficulty import BAND_RULE, BANDS, band_table, has_bands
from leaderboard.widgets import one_benchmark, title
from wisebench.board.rows import REPORTED

ACCURACIES = {"cIoU": "ciou", "gIoU": "giou"}


def display_bands(bands: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "run": bands["run"],
            "band": bands["band"],
            "n": bands["n"].astype(int),
            "gIoU (%)": (100 * bands["giou"].astype(float)).round(1),
            "cIoU (%)": (100 * bands["ciou"].astype(float)).round(1),
            "reasoning tokens (mean)": bands["mean_reasoning_tokens"].astype(float).round(1),
            "samples with a token count": bands["n_with_tokens"].astype(int),
            "token convention": bands["token_convention"],
            "protocol": bands["protocol"],
        }
    ).reset_index(drop=True)


def band_chart(bands: pd.DataFrame, column: str, axis_title: str, heading: str, percent: bool) -> alt.Chart:
    """Bars grouped by band, one bar per run; values in the tooltip rather than as text marks."""
    data = bands.assign(value=(100 if percent else 1) * bands[column].astype(float)).dropna(subset=["value"])
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("band:N", title="difficulty band", sort=list(BANDS)),
            xOffset=alt.XOffset("run:N"),
            y=alt.Y("value:Q", title=axis_title),
            color=alt.Color("run:N", legend=charts.bottom_legend("run")),
            tooltip=["run:N", "band:N", "n:Q", alt.Tooltip("value:Q", title=axis_title, format=".1f"), "token_convention:N"],
        )
        .properties(title=charts.wrapped_title(heading))
    )
    return charts.fitted(chart, 280)


def reported_diff_rows(view: BoardView) -> pd.DataFrame:
    """Published ReasonSeg-Diff figures in scope (overall only: the papers give no per-band figures)."""
    frame = view.all_protocols
    if frame.empty:
        return frame
    rows = frame[(frame["kind"] == REPORTED) & (frame["suite"] == "reasonseg-diff")]
    return pd.DataFrame(
        {
            "model": rows["model"],
            "suite / split": rows["benchmark"],
            "gIoU (%)": (100 * rows["giou"].astype(float)).round(2),
            "cIoU (%)": (100 * rows["ciou"].astype(float)).round(2),
            "reasoning tokens (mean)": rows["mean_reasoning_tokens"].astype(float).round(2),
            "token convention": rows["token_convention"],
            "protocol": rows["protocol"],
            "source": rows["source"],
        }
    ).reset_index(drop=True)


def show(view: BoardView) -> None:
    view = one_benchmark(view, "difficulty_benchmark", "suite / split (bands of one split at a time)")
    title(view.title("Accuracy and reasoning tokens per difficulty band"))
    runs = []
    for row in view.runs().values():
        if has_bands(view.summary(str(row["run_id"]))):  # the summary lists the bands: no records read for other runs
            runs.append((short_label(row), row, view.records(str(row["run_id"]))))
    bands = band_table(runs)
    if bands.empty:
        st.info(
            "No measured run here has difficulty bands. They come from ReasonSeg-Diff's difficulty scores "
            "(suite reasonseg-diff, and the bundled reasonseg-mini)."
        )
    else:
        st.caption(
            f"Bands: {BAND_RULE}. Figures recomputed from each run's records under the protocol above; reasoning tokens "
            "are the mean under the run's token convention over the samples that have a count."
        )
        st.dataframe(display_bands(bands), hide_index=True, width="stretch", key="difficulty_bands")
        choices = list(ACCURACIES)
        metric = st.radio("band accuracy", choices, index=choices.index(view.metric) if view.metric in choices else 0, horizontal=True, key="difficulty_metric")
        st.altair_chart(band_chart(bands, ACCURACIES[metric], f"{metric} (%)", view.title(f"{metric} per difficulty band"), percent=True), width="stretch")
        st.altair_chart(band_chart(bands, "mean_reasoning_tokens", "reasoning tokens (mean, tokens)", view.title("Reasoning tokens per difficulty band"), percent=False), width="stretch")
    reported = reported_diff_rows(view)
    if not reported.empty:
        st.markdown("**Reported on ReasonSeg-Diff** (published overall figures: the papers give none per band)")
        st.dataframe(reported, hide_index=True, width="stretch", key="difficulty_reported")
