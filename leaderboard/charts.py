"""Altair charts of the board: accuracy against cost with its Pareto front, reasoning-length densities, OAA at
token budgets, paired per-sample differences. Inputs are plain DataFrames; no Streamlit here."""

from __future__ import annotations

import math
import textwrap
from typing import Sequence

import altair as alt
import pandas as pd

from leaderboard import labels
from wisebench.board.rows import MEASURED, REPORTED

PLOT_HEIGHT = 340  # px, fixed: label placement (labels.py) depends on it
# The page sets the width; the plot keeps its height (Streamlit's default, "fit", would shrink it to make room for
# the title, axes and legend).
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
# Streamlit pads only the bottom; the browser's text boxes reach a few px past Vega's estimates (the rotated y title,
# the title's first line), and an svg clips what leaves it.
EDGE_PADDING = {"left": 6, "top": 6, "right": 6}
TICK_SPACING = 45  # px between axis ticks at the narrowest plot, at least: a label such as "14,000" is about 36 px
TITLE_CHARACTERS = 44  # per title line: about 300 px at 13 px bold, within a 360 px phone's chart (316 px)
COST_TITLES = {"mean_reasoning_tokens": "mean reasoning tokens per sample (tokens)", "latency_p50": "latency p50 (seconds per sample)"}
MEASURED_COLOR, REPORTED_COLOR = "#1f6fb4", "#d9541e"
ROW_MEASURED, ROW_UNRANKED, ROW_REPORTED = "measured", "measured, not ranked", "reported (paper)"  # smoke: never ranked
# Legend entry -> (shape, outline, fill, opacity): distinct in shape AND fill ("transparent": hollow, in the legend
# too), runs the board does not rank faint.
ROW_STYLES = {
    ROW_MEASURED: ("circle", MEASURED_COLOR, MEASURED_COLOR, 1.0),
    ROW_UNRANKED: ("circle", MEASURED_COLOR, MEASURED_COLOR, 0.4),
    ROW_REPORTED: ("diamond", REPORTED_COLOR, "transparent", 1.0),
}
KIND_STROKES = alt.Scale(domain=[MEASURED, REPORTED], range=[MEASURED_COLOR, REPORTED_COLOR])
KIND_DASHES = alt.Scale(domain=[MEASURED, REPORTED], range=[[1, 0], [5, 4]])


def fitted(chart: alt.TopLevelMixin, height: int) -> alt.TopLevelMixin:
    """The page's width, a fixed plot height and edge padding: what keeps titles, axes and legends inside the svg."""
    return chart.properties(height=height, width="container", autosize=FIT_WIDTH, padding=EDGE_PADDING)


def bottom_legend(title: str) -> alt.Legend:
    """A legend under the plot, one entry per line: beside it, it would take a phone's width from the plot."""
    return alt.Legend(title=title, orient="bottom", direction="vertical", labelLimit=280)


def pareto_front(frame: pd.DataFrame, cost: str, accuracy: str) -> pd.DataFrame:
    """Rows no other row beats on both axes (cheaper or as cheap, and more accurate), ordered by cost."""
    points = frame.dropna(subset=[cost, accuracy]).sort_values([cost, accuracy], ascending=[True, False], kind="stable")
    front, best = [], float("-inf")
    for index, value in zip(points.index, points[accuracy]):
        if value > best:
            front.append(index)
            best = value
    return points.loc[front]


def padded_domain(values: pd.Series, low_limit: float | None = None, high_limit: float | None = None, share: float = 0.08) -> list[float]:
    """[min, max] widened by `share` of the span on each side (a single value by 10% of itself, at least 1), within
    the limits: explicit domains put every point at a fraction of the plot known here, for labels.place_labels."""
    low, high = float(values.min()), float(values.max())
    pad = share * (high - low) if high > low else max(0.1 * abs(high), 1.0)
    low, high = low - pad, high + pad
    return [low if low_limit is None else max(low, low_limit), high if high_limit is None else min(high, high_limit)]


def tick_values(low: float, high: float, max_count: int) -> list[float]:
    """At most `max_count` + 1 round values (1, 2 or 5 times a power of ten apart) in [low, high]. Explicit ticks:
    Vega hides the axis labels it finds overlapping but leaves them in the drawing, so none may be crowded."""
    span = max(high - low, 1e-9)
    power = 10 ** math.floor(math.log10(span / max_count))
    step = next(power * factor for factor in (1, 2, 5, 10) if power * factor >= span / max_count)
    first = math.ceil(low / step)
    return [round(index * step, 10) for index in range(first, math.floor(high / step) + 1)]


def cost_domains(points: pd.DataFrame) -> tuple[list[float], list[float]]:
    """The x (cost, from 0 up) and y (accuracy %, within 0..100) domains of an accuracy-against-cost chart."""
    if points.empty:
        return [0.0, 1.0], [0.0, 100.0]
    return padded_domain(points["cost"], low_limit=0.0), padded_domain(points["accuracy_percent"], 0.0, 100.0)


def _row_style(frame: pd.DataFrame) -> list[str]:
    """Legend entry per row: smoke and unranked measured runs apart from ranked ones, published figures apart."""
    return [
        ROW_REPORTED if kind != MEASURED else ROW_UNRANKED if bool(smoke) or not bool(ranked) else ROW_MEASURED
        for kind, smoke, ranked in zip(frame["kind"], frame["smoke"], frame["ranked"])
    ]


def _row_scale(rows: list[str], part: int, scale_type: str | None = None) -> alt.Scale:
    """One part of ROW_STYLES as a scale over the legend entries `rows`."""
    extra = {"type": scale_type} if scale_type else {}
    return alt.Scale(domain=rows, range=[ROW_STYLES[row][part] for row in rows], **extra)


def _one_protocol(frame: pd.DataFrame) -> str:
    protocols = sorted({str(value) for value in frame["protocol"]}) if not frame.empty else []
    if len(protocols) > 1:
        raise ValueError(f"one chart, one metric protocol: these rows mix {', '.join(protocols)}")
    return protocols[0] if protocols else "-"


def cost_points(frame: pd.DataFrame, cost: str, accuracy: str) -> pd.DataFrame:
    """The rows drawn on an accuracy-against-cost chart (both values present), accuracy in percent, their legend
    entry, whether they are on their kind's Pareto front, and where their label goes (labels.place_labels at the
    narrowest plot; `label` is "" where it fits nowhere). Front points are labelled first, then by accuracy."""
    data = frame.dropna(subset=[cost, accuracy]).assign(accuracy_percent=lambda f: 100 * f[accuracy].astype(float), cost=lambda f: f[cost].astype(float))
    if data.empty:
        return data.assign(row=[], on_front=[], label=[], dx=[], dy=[], align=[])
    # The measured front holds ranked runs only: a smoke, oracle or custom-data run is drawn, faint, but never ranks.
    candidates = data[(data["kind"] != MEASURED) | data["ranked"].eq(True)]
    fronts = pd.concat([pareto_front(group, "cost", "accuracy_percent") for _, group in candidates.groupby("kind")]) if not candidates.empty else candidates
    data = data.assign(row=_row_style(data), on_front=data.index.isin(fronts.index))
    data = data.sort_values(["on_front", "accuracy_percent"], ascending=[False, False], kind="stable")
    (x_low, x_high), (y_low, y_high) = cost_domains(data)
    fractions = [((x - x_low) / (x_high - x_low), (y - y_low) / (y_high - y_low)) for x, y in zip(data["cost"], data["accuracy_percent"])]
    placements = labels.place_labels(fractions, [str(model) for model in data["model"]], PLOT_HEIGHT, on_front=list(data["on_front"]))
    return data.assign(
        label=[str(model) if placement else "" for model, placement in zip(data["model"], placements)],
        dx=[placement.dx if placement else 0.0 for placement in placements],
        dy=[placement.dy if placement else 0.0 for placement in placements],
        align=[placement.align if placement else "left" for placement in placements],
    )


def wrapped_title(text: str) -> alt.TitleParams:
    # Wrapped to the narrowest chart: a title wider than the page would be cut off, not wrapped, by Vega.
    return alt.TitleParams(textwrap.wrap(text, TITLE_CHARACTERS, break_on_hyphens=False), fontSize=13)


def accuracy_cost_chart(frame: pd.DataFrame, cost: str, accuracy: str, accuracy_title: str, title: str | None = None) -> alt.LayerChart:
    """Accuracy (percent) against a cost for rows of ONE metric protocol (ValueError otherwise): measured rows filled
    circles (smoke / unranked ones faint), reported rows hollow diamonds, one Pareto front per kind (measured rows
    are never ranked together with published ones), labels placed so they never overlap (labels.py), full width.
    The cost axis is titled with its unit (COST_TITLES); `title` None: one naming the protocol."""
    protocol = _one_protocol(frame)
    cost_title = COST_TITLES.get(cost, cost)
    title = title or f"{accuracy_title} vs {cost_title} · protocol {protocol}"
    data = cost_points(frame, cost, accuracy)
    fronts = data[data["on_front"]].sort_values("cost", kind="stable") if not data.empty else data
    x_domain, y_domain = cost_domains(data)
    x_axis = alt.Axis(values=tick_values(*x_domain, labels.MIN_PLOT_WIDTH // TICK_SPACING))
    y_axis = alt.Axis(values=tick_values(*y_domain, PLOT_HEIGHT // TICK_SPACING))
    x = alt.X("cost:Q", title=cost_title, scale=alt.Scale(domain=x_domain, nice=False, zero=False), axis=x_axis)
    y = alt.Y("accuracy_percent:Q", title=f"{accuracy_title} (%)", scale=alt.Scale(domain=y_domain, nice=False, zero=False), axis=y_axis)
    row = alt.Legend(title="row", orient="bottom", direction="vertical")
    present = [name for name in ROW_STYLES if name in set(data["row"])] or list(ROW_STYLES)  # legend: drawn kinds only
    tooltip = [
        alt.Tooltip("model:N"),
        alt.Tooltip("row:N", title="kind"),
        alt.Tooltip("protocol:N"),
        alt.Tooltip("parse_policy:N", title="parse policy"),
        alt.Tooltip("token_convention:N", title="token convention"),
        alt.Tooltip("checkpoint:N"),
        alt.Tooltip("accuracy_percent:Q", title=f"{accuracy_title} (%)", format=".1f"),
        alt.Tooltip("cost:Q", title=cost_title, format=".3~f"),
    ]
    points = alt.Chart(data).mark_point(size=110, strokeWidth=2, fillOpacity=0.85, filled=False).encode(
        x=x,
        y=y,
        shape=alt.Shape("row:N", scale=_row_scale(present, 0), legend=row),
        color=alt.Color("row:N", scale=_row_scale(present, 1), legend=row),  # the outline: the mark is not `filled`
        fill=alt.Fill("row:N", scale=_row_scale(present, 2), legend=row),
        # "ordinal": a nominal field on the opacity channel would get a point scale, its range read as an interval
        opacity=alt.Opacity("row:N", scale=_row_scale(present, 3, "ordinal"), legend=row),
        tooltip=tooltip,
    )
    # Per-label offsets and alignment come from the data (labels.place_labels), evaluated per datum by Vega.
    labelled = data[data["label"] != ""] if not data.empty else data
    text = alt.Chart(labelled).mark_text(
        fontSize=labels.FONT_SIZE, baseline="middle", limit=labels.LABEL_LIMIT, dx=alt.ExprRef("datum.dx"), dy=alt.ExprRef("datum.dy"), align=alt.ExprRef("datum.align")
    ).encode(x=x, y=y, text="label:N")
    front = alt.Chart(fronts).mark_line(strokeWidth=1.5, interpolate="step-after").encode(
        x=x, y=y, detail="kind:N", stroke=alt.Stroke("kind:N", scale=KIND_STROKES, legend=None), strokeDash=alt.StrokeDash("kind:N", scale=KIND_DASHES, legend=None)
    )
    return alt.layer(front, points, text).properties(title=wrapped_title(title), height=PLOT_HEIGHT, width="container", autosize=FIT_WIDTH, padding=EDGE_PADDING)


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
    chart = (
        alt.Chart(lengths)
        .transform_density("reasoning_tokens", groupby=["run"], as_=["reasoning_tokens", "density"], extent=[0, top], steps=120)
        .mark_area(opacity=0.35, line=True)
        .encode(
            x=alt.X("reasoning_tokens:Q", title="reasoning tokens per sample (tokens)"),
            y=alt.Y("density:Q", title="density", stack=None),
            color=alt.Color("run:N", legend=bottom_legend("run")),
        )
    )
    return fitted(chart, 300)


def budget_ticks(budgets: Sequence[float], min_gap: float = 45.0) -> list[float]:
    """The budgets to label on a symlog axis from 0 to the largest, largest first kept, none closer than `min_gap`
    px to a kept one at the narrowest plot (labels.MIN_PLOT_WIDTH; gaps only grow on wider plots)."""
    values = sorted({float(budget) for budget in budgets}, reverse=True)
    top = math.log1p(values[0]) if values and values[0] > 0 else 1.0
    kept: list[float] = []
    for value in values:
        position = math.log1p(value) / top * labels.MIN_PLOT_WIDTH
        if not kept or math.log1p(kept[-1]) / top * labels.MIN_PLOT_WIDTH - position >= min_gap:
            kept.append(value)
    return sorted(kept)


def oaa_chart(budgets: pd.DataFrame, title: str | None = None) -> alt.Chart:
    """OAA_t (percent of samples correct within t reasoning tokens) against t, one line per run named in the legend
    (columns: run, budget, oaa); `title` should name the protocol."""
    top = max(float(budgets["budget"].max()), 1.0) if not budgets.empty else 1.0
    # symlog: a log scale that also takes t = 0
    x_scale = alt.Scale(type="symlog", domain=[0, top], nice=False)
    chart = (
        alt.Chart(budgets.assign(oaa_percent=lambda f: 100 * f["oaa"]))
        .mark_line(point=True)
        .encode(
            x=alt.X("budget:Q", title="token budget t (tokens, log scale)", scale=x_scale, axis=alt.Axis(values=budget_ticks(budgets["budget"]), format="d")),
            y=alt.Y("oaa_percent:Q", title="OAA_t (%)", scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(values=list(range(0, 101, 20)))),
            color=alt.Color("run:N", title="run", legend=alt.Legend(orient="bottom", direction="vertical")),
            tooltip=["run:N", alt.Tooltip("budget:Q", title="t (tokens)"), alt.Tooltip("oaa_percent:Q", title="OAA_t (%)", format=".1f")],
        )
        .properties(height=300, width="container", autosize=FIT_WIDTH, padding=EDGE_PADDING)
    )
    return chart.properties(title=wrapped_title(title)) if title else chart


def difference_chart(differences: pd.DataFrame, score: str = "IoU") -> alt.Chart:
    """Histogram of per-sample score differences (IoU or accuracy), B - A (column: difference)."""
    chart = (
        alt.Chart(differences)
        .mark_bar()
        .encode(
            # Fixed bins over the whole range a difference of two scores in [0, 1] can take: automatic bins collapse
            # to one bar when most differences are 0.
            x=alt.X("difference:Q", bin=alt.Bin(extent=[-1, 1], step=0.05), scale=alt.Scale(domain=[-1, 1]), title=f"{score}(B) - {score}(A) per sample"),
            y=alt.Y("count():Q", title="samples"),
        )
    )
    return fitted(chart, 260)
