"""The board's view of reasoning quality and efficiency per subset (difficulty bands included), from the summaries of
measured runs: wisebench's own figures (docs/metrics.md), not PixelThink's unpublished ones."""

from __future__ import annotations

from typing import Any

import pandas as pd

QUALITY_COLUMNS = {
    "reasoning_score": "reasoning score",
    "similarity_short": "sim. short ref.",
    "similarity_long": "sim. long ref.",
    "judge_score": "judge (1-10)",
    "mean_reasoning_tokens": "reasoning tokens",
    "reasoning_score_per_100_tokens": "score / 100 tokens",
    "giou_per_100_tokens": "gIoU / 100 tokens",
    "ciou_per_100_tokens": "cIoU / 100 tokens",
    "unified_score": "unified score",
}


def quality_table(summaries: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Run label x subset: n and every reasoning-quality figure; runs without references are left out."""
    lines = []
    for label, summary in summaries.items():
        for subset, figures in ((summary.get("reasoning_quality") or {}).get("subsets") or {}).items():
            lines.append({"run": label, "subset": subset, "n": figures.get("n"), **{name: figures.get(key) for key, name in QUALITY_COLUMNS.items()}})
    return pd.DataFrame(lines, columns=["run", "subset", "n", *QUALITY_COLUMNS.values()])


def show_reasoning_quality(summaries: dict[str, dict[str, Any]]) -> None:
    """One figure at a time, run x subset (overall, easy / medium / hard, short / long)."""
    import streamlit as st

    frame = quality_table(summaries)
    if frame.empty:
        return
    st.markdown("**Reasoning quality and efficiency** against the suite's reference reasoning (wisebench definitions: docs/metrics.md)")
    figure = st.radio("figure", list(QUALITY_COLUMNS.values()), horizontal=True, key="quality_figure")
    st.dataframe(frame.pivot_table(index="run", columns="subset", values=figure, sort=False).round(4), width="stretch")
