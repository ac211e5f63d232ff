"""The "Leaderboard" tab: the rows of one metric protocol in sections (ranked, published figures, custom data, smoke
and unranked), with a column picker, search, sort, downloads, and the average over suites below.

Board text (model names, checkpoints, notes, reasons) is untrusted: it reaches the page through st.dataframe and
st.text only; headings that name a suite pass through widgets.title, which escapes Markdown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from leaderboard import table
from leaderboard.context import BoardView
from leaderboard.widgets import title

ROW_PIXELS = 35  # st.dataframe's row height: a table is as tall as its rows, up to MAX_TABLE_PIXELS
MAX_TABLE_PIXELS = 760
DECIMALS = {"gIoU": 1, "cIoU": 1, "accuracy": 1, "reasoning tokens (mean)": 1, "generated tokens (mean)": 1, "latency p50 (s)": 3, "latency p90 (s)": 3, "samples/s": 2, "mean (%)": 1}
HELP = {
    "checkpoint": "hub id @ revision, or the local folder's digest; click the cell for all of it",
    "reasoning tokens (mean)": "mean reasoning tokens per sample, counted by the row's token convention",
    "latency p50 (s)": "median seconds per sample, all stages",
    table.RANK: "rank on this suite / split under the chosen sort",
    table.WHY_NOT_RANKED: "click the cell for the whole reason",
}
CAPTION = (
    "Accuracy in %. Ranked: measured runs the board re-derived, on pinned or listed weights, on the published split. "
    "Published figures are the papers' own numbers, not reproduced here. Custom data: runs on another sample set "
    "than the published split, whatever their weights. Smoke and unranked: random or unknown weights, the oracle, "
    "scripted or unverified runs. A rank "
    "only compares runs of one suite / split; every row here shares the protocol in the headings."
)
def _follow_default(key: str, default: object) -> None:
    """A widget keeps the view's default (which changes with the benchmark: text suites have no IoU) until the
    reader changes it; from then on the reader's choice stays."""
    remembered = f"{key}:default"
    if key not in st.session_state or st.session_state[key] == st.session_state.get(remembered):
        st.session_state[key] = default
    st.session_state[remembered] = default


def column_config(columns: list[str]) -> dict:
    config: dict = {}
    for label in columns:
        width = table.COLUMN_WIDTHS.get(label)
        pinned = label in ("model", table.RANK)  # stays in sight when the table scrolls sideways
        if label in DECIMALS:
            config[label] = st.column_config.NumberColumn(label, format=f"%.{DECIMALS[label]}f", width=width, help=HELP.get(label), pinned=pinned or None)
        elif label == table.RANK or label == "n":
            config[label] = st.column_config.NumberColumn(label, format="%d", width=width, help=HELP.get(label), pinned=pinned or None)
        else:
            config[label] = st.column_config.TextColumn(label, width=width, help=HELP.get(label), pinned=pinned or None)
    return config


def _table(frame: pd.DataFrame, key: str) -> None:
    height = min(ROW_PIXELS * (len(frame) + 1) + 3, MAX_TABLE_PIXELS)
    st.dataframe(frame, hide_index=True, width="stretch", height=height, column_config=column_config(list(frame.columns)), key=key)


def show(view: BoardView) -> None:
    search_column, sort_column = st.columns([3, 2], vertical_alignment="bottom")
    query = search_column.text_input("search", key="table_search", placeholder="model, checkpoint, source, family or note")
    _follow_default("sort", table.default_sort(view.metric))
    sort_choice = sort_column.selectbox("sort by", list(table.SORT_CHOICES), key="sort")
    _follow_default("table_columns", table.default_columns(view.rows))
    columns = st.multiselect("columns", table.ordered_columns(table.DISPLAY_COLUMNS.values()), key="table_columns")
    found = table.search_rows(view.rows, query)
    sections = table.split_sections(found)
    if not sections:
        st.info("No row matches the filters and the search.")
    all_benchmarks = view.benchmark is None
    shown_rows = []
    for section, rows in sections.items():
        # Grouped by benchmark always: the ranked section numbers each benchmark's rows apart.
        ordered = table.sort_rows(rows, sort_choice, group_by_benchmark=True)
        shown_rows.append(ordered)
        title(view.title(section))
        _table(table.section_frame(ordered, section, columns, all_benchmarks), key=f"table:{section}")
    st.caption(CAPTION)
    downloads = pd.concat(shown_rows) if shown_rows else view.rows.head(0)
    csv_column, json_column, _ = st.columns([1.4, 1.4, 4])
    csv_column.download_button("Download CSV", table.to_csv(downloads), "wisebench-leaderboard.csv", "text/csv", key="download_csv")
    json_column.download_button("Download JSON", table.to_json(downloads), "wisebench-leaderboard.json", "application/json", key="download_json")
    show_averages(view)


def show_averages(view: BoardView) -> None:
    """Below the table: each model and checkpoint's mean over the suites it ran on, over every suite and split
    (the sidebar's other filters and the protocol still apply)."""
    averages = table.suite_averages(view.any_benchmark)
    with st.expander("Average over suites and splits", expanded=False):
        st.text(f"protocol {view.protocol or '-'}; the mean of cIoU (segmentation) or task accuracy (text suites), each suite / split once; segmentation and text are never averaged together.")
        if averages.empty:
            st.info("No measured run has a score here.")
            return
        ranked = averages[averages["ranked"]].drop(columns="ranked")
        unranked = averages[~averages["ranked"]].drop(columns="ranked")
        st.text("Ranked runs only:")
        if ranked.empty:
            st.info("No ranked run here.")
        else:
            _table(ranked, key="average_ranked")
        if not unranked.empty:
            st.text("Unranked runs (smoke, unverified, custom data), averaged apart and not a ranking:")
            _table(unranked, key="average_unranked")
