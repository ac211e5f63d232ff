"""Small Streamlit helpers the views share."""

from __future__ import annotations

import dataclasses

import streamlit as st

from leaderboard import selection, table
from leaderboard.context import BoardView


def forget_stale_choice(key: str, options: list[str]) -> None:
    """Drop a multiselect's remembered value once the filters took its options away (another benchmark chosen):
    Streamlit would keep the stale value, empty, instead of the widget's default."""
    remembered = st.session_state.get(key)
    if remembered is not None and not set(remembered) <= set(options):
        del st.session_state[key]


def query_default(name: str, options: list[str], fallback: int) -> int:
    """Index of ?name=value in `options` (links can preselect a benchmark or protocol), else `fallback`."""
    wanted = st.query_params.get(name)
    return options.index(wanted) if wanted in options else fallback


MARKDOWN_SPECIALS = "\\`*_{}[]<>#!|:~$.@"  # what makes a link (www.x.y, a@b.c autolinks too), image, emoji, colour or markup


def plain(text: str) -> str:
    """`text` with every Markdown special character escaped: board data (model and suite names come from
    submissions) shown in a heading stays text, never a link, an image or markup."""
    return "".join(f"\\{character}" if character in MARKDOWN_SPECIALS else character for character in text)


def title(text: str) -> None:
    """A view's heading holding board data (protocol, suite names)."""
    st.subheader(plain(text), anchor=False)


def one_benchmark(view: BoardView, key: str, label: str) -> BoardView:
    """With every suite shown, a chart still takes one suite / split at a time (picked here): a Pareto front or a
    bar group across suites would set a cIoU on RefCOCO against one on ReasonSeg."""
    benchmarks = table.benchmarks(view.rows)
    if len(benchmarks) <= 1:
        return view
    chosen = st.selectbox(label, benchmarks, key=key)
    rows = view.rows[view.rows["benchmark"] == chosen]
    return dataclasses.replace(view, rows=rows, benchmark=chosen, metric=selection.default_metric(rows), caveats=selection.caveats(rows))
