"""The "Accuracy vs cost" view: accuracy against mean reasoning tokens and against latency, with the Pareto front of
each kind, then OAA_t over the token budget t for every measured run; all full width, one metric protocol.

Titles name the protocol and what the rows still mix (view.title); they hold board data, so they are drawn as the
charts' own titles or through st.text, never as Markdown.
"""

from __future__ import annotations

import streamlit as st

from leaderboard import charts, samples, selection
from leaderboard.context import BoardView, short_label
from leaderboard.widgets import one_benchmark

METRIC_KEY = "cost_metric"
FRONT_NOTE = "Lines: the Pareto front of each kind (nothing cheaper is more accurate), solid for measured rows, dashed for reported ones."


def show(view: BoardView) -> None:
    if view.rows.empty:
        st.info("No row matches the filters.")
        return
    view = one_benchmark(view, "cost_benchmark", "suite / split of these charts (one at a time: fronts never span suites)")
    choices = selection.metric_choices(view.rows)
    if st.session_state.get(METRIC_KEY) not in choices:  # another benchmark took the remembered accuracy away
        st.session_state.pop(METRIC_KEY, None)
    metric = st.radio(
        "accuracy", choices, index=choices.index(view.metric) if view.metric in choices else 0, horizontal=True, key=METRIC_KEY,
        help="cIoU / gIoU: segmentation rows; task accuracy: text-reasoning rows",
    )
    column = selection.ACCURACY_COLUMNS[metric]
    drawn = [
        cost_section(view, metric, column, "mean_reasoning_tokens", "mean reasoning tokens", "a reasoning-token count"),
        cost_section(view, metric, column, "latency_p50", "latency p50", "latency figures", " (published rows have none)"),
    ]
    if any(drawn):
        st.caption(FRONT_NOTE)
    oaa_section(view)


def cost_section(view: BoardView, metric: str, column: str, cost: str, cost_name: str, missing: str, why: str = "") -> bool:
    """One accuracy-against-cost chart, if any row has both values; says which rows it cannot draw (`missing`: what
    they lack, `why`) and which labels it left out."""
    rows = view.rows
    with_cost = rows.dropna(subset=[cost])
    with_accuracy = rows.dropna(subset=[column])
    drawn = with_accuracy.dropna(subset=[cost])
    if with_cost.empty:
        st.info(f"Accuracy vs {cost_name}: none of these rows has {missing}{why}.")
        return False
    if drawn.empty:
        st.info(f"Accuracy vs {cost_name}: no row with {missing} has a {metric}.")
        return False
    chart = charts.accuracy_cost_chart(drawn, cost, column, metric, view.title(f"{metric} vs {cost_name}"))
    st.altair_chart(chart, width="stretch")
    if len(drawn) < len(with_accuracy):
        st.caption(f"{len(drawn)} of the {len(with_accuracy)} rows with a {metric} are drawn: the others have no {missing}{why}.")
    unlabelled = charts.cost_points(drawn, cost, column).query("label == ''")
    if not unlabelled.empty:  # st.text: model names come from submissions
        names = ", ".join(f"{model} ({kind})" for model, kind in zip(unlabelled["model"], unlabelled["kind"]))
        st.text(f"No room for these labels (hover their points): {names}")
    return True


def oaa_section(view: BoardView) -> None:
    """OAA_t over t, one line per measured run, from its summary under the view's protocol."""
    runs = view.runs()
    if not runs:
        st.info("OAA_t over the token budget needs measured runs: none matches the filters.")
        return
    summaries = {short_label(row): view.summary(str(row["run_id"])) for row in runs.values()}
    budgets = samples.budget_table(summaries)
    if budgets.empty:
        st.info("None of these runs has OAA_t figures under this protocol.")
    else:
        st.altair_chart(charts.oaa_chart(budgets, view.title("OAA_t over the token budget t")), width="stretch")
