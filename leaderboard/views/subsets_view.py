"""Subsets and budgets: accuracy per subset (short / long queries, difficulty bands, Thinkless modes), OAA at token
budgets, the RefCOCO family by split, budget-forced curves and reasoning quality, for the measured runs."""

from __future__ import annotations

import streamlit as st

from leaderboard import charts, forced_budgets, reasoning_quality, samples, selection
from leaderboard.context import BoardView, short_label
from leaderboard.widgets import title


def show(view: BoardView) -> None:
    runs = view.runs()
    summaries = {short_label(row): view.summary(row["run_id"]) for row in runs.values()}
    if runs:
        choices = selection.metric_choices(view.rows)
        metric = st.radio("subset accuracy", choices, index=choices.index(view.metric) if view.metric in choices else 0, horizontal=True, key="subset_metric")
        subsets = samples.subset_table(summaries).rename(columns={"accuracy": "task accuracy"})
        title(view.title(f"{metric} per subset (%)"))
        st.dataframe(subsets.pivot_table(index="run", columns="subset", values=metric, sort=False), width="stretch")
        st.markdown("**OAA at token budgets**: share of samples correct (IoU >= 0.5, or lm-eval score >= 0.5) whose reasoning fits in t tokens")
        budgets = samples.budget_table(summaries)
        if not budgets.empty:
            st.altair_chart(charts.oaa_chart(budgets), width="stretch")
        st.dataframe(samples.oaa_areas(summaries), hide_index=True, width="stretch")
    else:
        st.info("No measured run matches the filters.")
    rows = view.any_benchmark
    refcoco = rows[rows["suite"].str.startswith("refcoco")] if not rows.empty else rows
    if not refcoco.empty and refcoco["ciou"].notna().any():
        title(f"RefCOCO family by split · cIoU (%) · protocol {view.protocol}")
        # One line per run (measured) or per paper (reported): two runs of a model are never averaged into one cell.
        pivot = refcoco.assign(ciou_percent=100 * refcoco["ciou"].astype(float)).pivot_table(index=["model", "kind", "protocol", "source"], columns="benchmark", values="ciou_percent")
        st.dataframe(pivot.round(1), width="stretch")
    if runs:  # budget-forced curve, reasoning quality per band (issue 15)
        forced_budgets.show_forced_budgets(summaries)
        reasoning_quality.show_reasoning_quality(summaries)
