"""The board's accuracy-against-budget curve of budget-forced runs (--set think_budget=...), read from the summary's
`think_budget=<t>` subsets, shown beside the post-hoc OAA curve of unconstrained runs."""

from __future__ import annotations

from typing import Any

import pandas as pd

PREFIX = "think_budget="


def forced_budget_table(summaries: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Run label x forced budget t: n, gIoU and cIoU (fractions) of the samples answered after at most t tokens."""
    lines = [
        {"run": label, "budget": int(subset[len(PREFIX):]), "n": scores.get("n"), "gIoU": scores.get("giou"), "cIoU": scores.get("ciou")}
        for label, summary in summaries.items()
        for subset, scores in (summary.get("subsets") or {}).items()
        if subset.startswith(PREFIX) and subset[len(PREFIX):].isdigit()
    ]
    return pd.DataFrame(lines, columns=["run", "budget", "n", "gIoU", "cIoU"]).sort_values(["run", "budget"], ignore_index=True)


def show_forced_budgets(summaries: dict[str, dict[str, Any]]) -> None:
    import altair as alt
    import streamlit as st

    frame = forced_budget_table(summaries)
    if frame.empty:
        return
    st.markdown("**Budget-forced accuracy** (gIoU when reasoning is cut at t tokens and the model must answer; compare with OAA_t above)")
    chart = alt.Chart(frame).mark_line(point=True).encode(x=alt.X("budget:Q", title="forced thinking budget t (tokens)"), y=alt.Y("gIoU:Q", title="gIoU"), color="run:N")
    st.altair_chart(chart, width="stretch")
    st.dataframe(frame, hide_index=True, width="stretch")
