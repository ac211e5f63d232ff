"""Reasoning length: how many reasoning tokens each measured run spent per sample (a density per run)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from leaderboard import charts, samples
from leaderboard.context import BoardView, short_label
from leaderboard.widgets import forget_stale_choice, title

MAX_DEFAULT_RUNS = 6  # runs preselected


def show(view: BoardView) -> None:
    runs = view.runs()
    if not runs:
        st.info("No measured run matches the filters.")
        return
    title(view.title("Reasoning tokens per sample"))
    forget_stale_choice("length_runs", list(runs))
    chosen = st.multiselect("runs", list(runs), default=list(runs)[:MAX_DEFAULT_RUNS], key="length_runs")
    if not chosen:
        return
    lengths = pd.concat([samples.reasoning_lengths(view.records(runs[label]["run_id"]), short_label(runs[label])) for label in chosen])
    constant = charts.constant_runs(lengths)
    if len(constant) < lengths["run"].nunique():
        st.altair_chart(charts.reasoning_length_chart(lengths), width="stretch")
    for run in constant:
        value = lengths.loc[lengths["run"] == run, "reasoning_tokens"].iloc[0]
        st.text(f"{run}: every sample spent {value:g} reasoning tokens (no distribution to draw)")
    stats = lengths.groupby("run")["reasoning_tokens"].describe(percentiles=[0.5, 0.9])[["count", "mean", "50%", "90%", "max"]]
    st.dataframe(stats.rename(columns={"50%": "median", "90%": "p90"}).round(1), width="stretch")
