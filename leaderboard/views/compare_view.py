"""Compare runs: two measured runs of one suite and split under one protocol, paired by sample: the difference in
gIoU / cIoU (or task accuracy) with a paired-bootstrap interval, and the per-sample differences."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from leaderboard import charts, samples
from leaderboard.context import BoardView
from wisebench.metrics.accuracy_summary import TEXT_PROTOCOL
from wisebench.metrics.summary import compare_paired


def show(view: BoardView) -> None:
    runs = view.runs()
    if len(runs) < 2:
        st.info("Comparing needs two measured runs on the same suite and split.")
        return
    labels = list(runs)
    label_a = st.selectbox("run A", labels, key="compare_a")
    row_a = runs[label_a]
    partners = [label for label in labels if label != label_a and runs[label]["benchmark"] == row_a["benchmark"]]
    if not partners:
        st.info("No other run on this suite and split.")
        return
    label_b = st.selectbox("run B", partners, key="compare_b")
    records_a = view.records(row_a["run_id"])
    records_b = view.records(runs[label_b]["run_id"])
    protocol = row_a["protocol"]
    # Text runs compare on accuracy (paired bootstrap by document), segmentation runs on gIoU and cIoU.
    result = compare_paired(records_a, records_b, protocol=protocol, seed=0)
    metrics = ["accuracy"] if protocol == TEXT_PROTOCOL else ["giou", "ciou"]
    labels = {"accuracy": "accuracy", "giou": "gIoU", "ciou": "cIoU"}

    def percent(value: Any) -> str:
        return "-" if value is None else f"{100 * value:+.1f}"

    def interval(values: Any) -> str:
        return "" if not values or values[0] is None else f"[{100 * values[0]:+.1f}, {100 * values[1]:+.1f}]"

    line: dict[str, Any] = {"protocol": protocol, "paired samples": result["n_paired"]}
    for metric in metrics:
        line[f"{labels[metric]} B - A"] = percent(result[f"{metric}_delta"])
        line[f"{labels[metric]} 95% CI"] = interval(result[f"{metric}_delta_ci"])
    line.update(better=result["n_better"], worse=result["n_worse"], equal=result["n_equal"])
    st.dataframe(pd.DataFrame([line]), hide_index=True, width="stretch", key="compare_summary")
    differences = samples.paired_differences(records_a, records_b, protocol)
    if not differences.empty:
        score = "accuracy" if protocol == TEXT_PROTOCOL else "IoU"
        st.altair_chart(charts.difference_chart(differences, score), width="stretch")
        st.dataframe(differences.round(4), hide_index=True, width="stretch", key="compare_samples")
