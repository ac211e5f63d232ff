"""Altair charts of the board: accuracy against cost with its Pareto front, reasoning-length densities, OAA at
token budgets, paired per-sample differences. Inputs are plain DataFrames; no Streamlit here."""

from __future__ import annotations

import altair as alt
import pandas as pd

from wisebench.board.rows import MEASURED, REPORTED

KIND_SHAPES = alt.Scale(domain=[MEASURED, REPORTED], range=["circle", "diamond"])
KIND_DASHES = alt.Scale(domain=[MEASURED, REPORTED], range=[[1, 0], [5, 4]])


def pareto_front(frame: pd.DataFrame, cost: str, accuracy: str) -> pd.DataFrame:
    """Rows no other row beats on both axes (cheaper or as cheap, and more accurate), ordered by cost."""
    points = frame.dropna(subset=[cost, accuracy]).sort_values([cost, accuracy], ascending=[True, False], kind="stable")
    front, best = [], float("-inf")
    for index, value in zip(points.index, points[accuracy]):
        if value > best:
            front.append(index)
            best = value
    return points.loc[front]


def accuracy_cost_chart(frame: pd.DataFrame, cost: str, cost_title: str, accuracy: str, accuracy_title: str) -> alt.LayerChart:
    """Scatter of accuracy (percent) against a cost, one Pareto front per row kind (measured rows are never
    ranked together with published ones)."""
    data = frame.dropna(subset=[cost, accuracy]).assign(accuracy_percent=lambda f: 100 * f[accuracy])
    fronts = pd.concat([pareto_front(group, cost, "accuracy_percent") for _, group in data.groupby("kind")]) if not data.empty else data
    x = alt.X(f"{cost}:Q", title=cost_title, scale=alt.Scale(zero=False))
    y = alt.Y("accuracy_percent:Q", title=f"{accuracy_title} (%)", scale=alt.Scale(zero=False))
    tooltip = ["model:N", "kind:N", "protocol:N", alt.Tooltip("accuracy_percent:Q", title=accuracy_title, format=".1f"), alt.Tooltip(f"{cost}:Q", title=cost_title, format=".3~f")]
    points = alt.Chart(data).mark_point(size=110, filled=True, opacity=0.85).encode(
        x=x, y=y, color=alt.Color("family:N", title="family"), shape=alt.Shape("kind:N", scale=KIND_SHAPES, title="row"), tooltip=tooltip
    )
    labels = alt.Chart(data).mark_text(align="left", dx=8, dy=-6, fontSize=11).encode(x=x, y=y, text="model:N")
    front = alt.Chart(fronts).mark_line(color="#555", strokeWidth=1.5, interpolate="step-after").encode(
        x=x, y=y, detail="kind:N", strokeDash=alt.StrokeDash("kind:N", scale=KIND_DASHES, title="Pareto front")
    )
    return alt.layer(front, points, labels).properties(height=340)


def constant_runs(lengths: pd.DataFrame) -> list[str]:
    """Runs whose samples all spent the same number of reasoning tokens (a model without reasoning: all 0). A
    density estimate would draw a bell around that one value; such runs are named instead of drawn."""
    spread = lengths.groupby("run")["reasoning_tokens"].nunique()
    return sorted(str(run) for run, distinct in spread.items() if distinct <= 1)


def reasoning_length_chart(lengths: pd.DataFrame) -> alt.Chart:
    """Density of per-sample reasoning tokens, one curve per run (columns: run, reasoning_tokens); runs with one
    value only (constant_runs) are left out."""
    lengths = lengths[~lengths["run"].isin(constant_runs(lengths))]
    top = max(float(lengths["reasoning_tokens"].max()), 1.0) if not lengths.empty else 1.0
    return (
        alt.Chart(lengths)
        .transform_density("reasoning_tokens", groupby=["run"], as_=["reasoning_tokens", "density"], extent=[0, top], steps=120)
        .mark_area(opacity=0.35, line=True)
        .encode(
            x=alt.X("reasoning_tokens:Q", title="reasoning tokens per sample"),
            y=alt.Y("density:Q", title="density", stack=None),
            color=alt.Color("run:N", title="run"),
        )
        .properties(height=300)
    )


def oaa_chart(budgets: pd.DataFrame) -> alt.Chart:
    """OAA (percent of samples correct within t reasoning tokens) against t (columns: run, budget, oaa)."""
    return (
        alt.Chart(budgets.assign(oaa_percent=lambda f: 100 * f["oaa"]))
        .mark_line(point=True)
        .encode(
            x=alt.X("budget:Q", title="token budget t", scale=alt.Scale(type="symlog")),
            y=alt.Y("oaa_percent:Q", title="OAA_t (%)"),
            color=alt.Color("run:N", title="run"),
            tooltip=["run:N", "budget:Q", alt.Tooltip("oaa_percent:Q", format=".1f")],
        )
        .properties(height=300)
    )


def difference_chart(differences: pd.DataFrame, score: str = "IoU") -> alt.Chart:
    """Histogram of per-sample score differences (IoU or accuracy), B - A (column: difference)."""
    return (
        alt.Chart(differences)
        .mark_bar()
        .encode(
            # Fixed bins over the whole range a difference of two scores in [0, 1] can take: automatic bins collapse
            # to one bar when most differences are 0.
            x=alt.X("difference:Q", bin=alt.Bin(extent=[-1, 1], step=0.05), scale=alt.Scale(domain=[-1, 1]), title=f"{score}(B) - {score}(A) per sample"),
            y=alt.Y("count():Q", title="samples"),
        )
        .properties(height=260)
    )
