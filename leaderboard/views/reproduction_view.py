"""Reproduction: published figures next to wisebench's own runs of the same model (leaderboard/reproduction.py),
measured minus reported, with the protocol of each and a flag where they differ."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from leaderboard import charts
from leaderboard.context import BoardView
from leaderboard.reproduction import reproduction_pairs
from leaderboard.widgets import title

CAPTION = (
    "Each line pairs a published figure with a wisebench run of the model that figure's row names, on the same suite "
    "and split. Differences are measured minus reported: accuracy in percentage points, reasoning tokens in tokens. "
    "Pairs are made across metric protocols on purpose; where the protocols or the token conventions differ the line "
    "is flagged and its difference mixes the reproduction gap with the scoring difference. Pairs whose protocols agree "
    "come first. A run on smoke weights or custom data does not reproduce the paper's data and weights: see "
    "'paper setting'."
)


def _percent(values: pd.Series) -> pd.Series:
    return (100 * values.astype(float)).round(1)


def pair_label(pairs: pd.DataFrame) -> pd.Series:
    """Chart rows: the pair's number in the table ("#1", ...). Full names would not fit beside the plot on a phone;
    the tooltip and the table's "#" column name model, paper row, protocols and run."""
    return pd.Series([f"#{number}" for number in pairs["number"]], index=pairs.index, dtype=str)


def display_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: percentages with one decimal, differences in points, readable headers."""
    # The difference and its flags first, where a 1400 px page shows them; the provenance after.
    shown = {"#": pairs["number"], "model": pairs["model"], "paper's row": pairs["reported_model"]}
    for label, column in (("gIoU", "giou"), ("cIoU", "ciou"), ("accuracy", "accuracy")):
        if pairs[f"{column}_difference"].notna().any():  # a column no pair has on both sides is left out
            shown[f"{label} measured − reported (points)"] = pairs[f"{column}_difference"].astype(float).round(1)
            shown[f"{label} reported (%)"] = _percent(pairs[f"{column}_reported"])
            shown[f"{label} measured (%)"] = _percent(pairs[f"{column}_measured"])
    shown.update(
        {
            "protocols differ": pairs["protocols_differ"],
            "reported protocol": pairs["reported_protocol"],
            "measured protocol": pairs["measured_protocol"],
            "suite / split": pairs["benchmark"],
            "run": pairs["run_id"],
        }
    )
    shown.update(
        {
            "reasoning tokens reported": pairs["reported_tokens"].astype(float).round(1),
            "reasoning tokens measured": pairs["measured_tokens"].astype(float).round(1),
            "tokens measured − reported": pairs["tokens_difference"].astype(float).round(1),
            "reported token convention": pairs["reported_token_convention"],
            "measured token convention": pairs["measured_token_convention"],
            "token conventions differ": pairs["token_conventions_differ"],
            "reported parse policy": pairs["reported_parse_policy"],
            "measured parse policy": pairs["measured_parse_policy"],
            "paper setting (weights, data)": pairs["paper_setup"],
            "ranked": ["yes" if ranked else f"no: {reason or 'not checked for ranking'}" for ranked, reason in zip(pairs["ranked"], pairs["unranked_reason"])],
            "smoke": pairs["smoke"],
            "data scope": pairs["data_scope"],
            "measured checkpoint": pairs["checkpoint"],
            "caveats": pairs["caveats"],
            "reported source": pairs["reported_source"],
        }
    )
    return pd.DataFrame(shown).reset_index(drop=True)


def difference_chart(pairs: pd.DataFrame) -> alt.LayerChart:
    """One point per pair: the headline accuracy's difference in points, coloured by whether the protocols agree.
    No text marks (long labels would overlap): the details are in the tooltip."""
    data = pairs.dropna(subset=["headline_difference"]).assign(
        pair=lambda frame: pair_label(frame),
        protocols=lambda frame: ["protocols differ" if differ else "same protocol" for differ in frame["protocols_differ"]],
        reported_percent=lambda frame: _percent(frame["headline_reported"]),
        measured_percent=lambda frame: _percent(frame["headline_measured"]),
    )
    y = alt.Y("pair:N", title="pair (# in the table)", sort=list(data["pair"]))
    tooltip = [
        "model:N", "benchmark:N", alt.Tooltip("reported_model:N", title="paper's row"), alt.Tooltip("headline:N", title="accuracy"),
        alt.Tooltip("reported_percent:Q", title="reported (%)", format=".1f"), alt.Tooltip("measured_percent:Q", title="measured (%)", format=".1f"),
        alt.Tooltip("headline_difference:Q", title="measured − reported (points)", format="+.1f"),
        "reported_protocol:N", "measured_protocol:N", "reported_token_convention:N", "measured_token_convention:N",
        alt.Tooltip("paper_setup:N", title="paper setting"), "run_id:N",
    ]
    points = alt.Chart(data).mark_point(size=120, filled=True).encode(
        x=alt.X("headline_difference:Q", title="measured − reported (percentage points)"),
        y=y,
        color=alt.Color("protocols:N", legend=charts.bottom_legend("protocols"), scale=alt.Scale(domain=["same protocol", "protocols differ"], range=["#1f77b4", "#d62728"])),
        shape=alt.Shape("headline:N", legend=charts.bottom_legend("accuracy")),
        tooltip=tooltip,
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#888").encode(x="zero:Q")
    heading = charts.wrapped_title("Measured − reported accuracy (points): cIoU, else task accuracy, else gIoU; protocols may differ: see the colour")
    return charts.fitted(alt.layer(zero, points).properties(title=heading), max(120, 28 * len(data)))


def show(view: BoardView) -> None:
    pairs = reproduction_pairs(view.all_protocols)
    pairs = pairs.assign(number=range(1, len(pairs) + 1))  # the chart's rows name the table's lines by number
    scope = view.benchmark or "all suites and splits"
    title(f"Reproduction: measured against reported · {scope} · every protocol (each line names both)")
    st.caption(CAPTION)
    if pairs.empty:
        st.info(
            "No model here has both a reported figure and a measured run on the same suite and split. A reported row "
            "names the registry model that reproduces it (reported.json, `reproduces`); measured runs of that model "
            "on the row's suite and split appear here."
        )
        return
    st.dataframe(display_pairs(pairs), hide_index=True, width="stretch", key="reproduction_pairs")
    if pairs["headline_difference"].notna().any():
        st.altair_chart(difference_chart(pairs), width="stretch")
