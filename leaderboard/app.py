"""The wisebench leaderboard: `wisebench leaderboard [--board DIR]`, or `streamlit run leaderboard/app.py`.

It reads the board named by $WISEBENCH_BOARD (default ~/.cache/wisebench/board) and never writes to it. The page is
the sidebar's choice — one suite / split (or all), ONE metric protocol, which rows — handed to every tab as a
BoardView (leaderboard/context.py); each tab is one module under leaderboard/views/. Text from runs (model names,
queries, reasoning) is model or submitter output: it is shown through st.text, st.code, tables, chart labels and
escaped headings, never as Markdown or HTML.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Callable, Iterator

import pandas as pd
import streamlit as st

from leaderboard import loading, selection, table
from leaderboard.context import BoardView, board_view
from leaderboard.views import (
    browser_view,
    compare_view,
    cost_view,
    difficulty_view,
    lengths_view,
    reproduction_view,
    side_by_side_view,
    subsets_view,
    table_view,
)
from leaderboard.widgets import query_default
from wisebench.board.rows import MEASURED, REPORTED
from wisebench.board.store import Board

LOG = logging.getLogger("wisebench.leaderboard")
ALL_BENCHMARKS = "all suites and splits"

# Tab label -> view, in the order a reader goes: the ranking, what it costs, models side by side, the papers'
# figures, difficulty, then the deeper per-run views.
TABS: dict[str, Callable[[BoardView], None]] = {
    "Leaderboard": table_view.show,
    "Accuracy vs cost": cost_view.show,
    "Side by side": side_by_side_view.show,
    "Reproduction": reproduction_view.show,
    "Difficulty": difficulty_view.show,
    "Reasoning length": lengths_view.show,
    "Subsets & budgets": subsets_view.show,
    "Sample browser": browser_view.show,
    "Compare runs": compare_view.show,
}


@contextmanager
def shown_safely(view: str) -> Iterator[None]:
    """A view that fails (a damaged run on the board, a bug) says so in one line; the traceback, with this server's
    paths, goes to the server log only, and the other views still render."""
    try:
        yield
    except Exception as error:  # Streamlit's own rerun / stop signals are BaseExceptions and pass through
        LOG.exception("the %s view failed", view)
        st.error(f"The {view} view cannot be shown ({type(error).__name__}); the server log has the details.")


def protocol_label(counts: dict[str, int]) -> Callable[[str], str]:
    return lambda protocol: f"{protocol} ({counts[protocol]} row{'s' if counts[protocol] != 1 else ''})"


def sidebar(frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None, str | None]:
    """The rows the filters keep, the suite / split (None: all) and the protocol chosen (None: no rows)."""
    st.sidebar.header("Filters")
    options = [ALL_BENCHMARKS] + table.benchmarks(frame)
    chosen = st.sidebar.selectbox("suite / split", options, index=query_default("benchmark", options, 1 if len(options) > 1 else 0), key="benchmark")
    benchmark = None if chosen == ALL_BENCHMARKS else chosen
    kinds = st.sidebar.multiselect("rows", [MEASURED, REPORTED], default=[MEASURED, REPORTED], key="kinds", help="measured: runs submitted to this board; reported: figures from papers")

    def choice(label: str, column: str, key: str) -> list[str]:
        values = sorted(set(frame[column])) if not frame.empty else []
        return st.sidebar.multiselect(label, values, default=values, key=key)

    hardware = choice("hardware", "hardware", "hardware")
    families = choice("model family", "family", "families")
    kept = table.apply_filters(frame, table.Filters(None, hardware, families, kinds))
    scoped = kept if benchmark is None or kept.empty else kept[kept["benchmark"] == benchmark]
    counts = selection.protocol_counts(scoped)
    protocols = list(counts)
    protocol = None
    if protocols:
        # One protocol at a time: scores under two protocols are never ranked or drawn together. The key names the
        # suite, so another suite opens on its own most common protocol.
        protocol = st.sidebar.selectbox(
            "metric protocol",
            protocols,
            index=query_default("protocol", protocols, 0),
            format_func=protocol_label(counts),
            key=f"protocol:{chosen}",
            help="how the scores were computed (lisa, segzero or visionreasoner IoU; lm-eval; a paper's own script). Default: the protocol of the most rows.",
        )
    return kept, benchmark, protocol


def main() -> None:
    st.set_page_config(page_title="wisebench leaderboard", layout="wide")
    st.set_option("client.showErrorDetails", "none")  # never a traceback with server paths in the page
    board = Board()
    board_folder = str(board.folder)
    stamp = loading.stamp(board.database_path)
    st.title("wisebench leaderboard")
    st.text(f"Reasoning segmentation and text reasoning: accuracy and what the reasoning costs. Board: {board_folder}")
    frame = table.rows_frame(loading.board_rows(board_folder, stamp))
    kept, benchmark, protocol = sidebar(frame)
    view = board_view(board_folder, stamp, kept, benchmark, protocol)
    for tab, (label, show) in zip(st.tabs(list(TABS)), TABS.items()):
        with tab, shown_safely(label.lower()):
            show(view)


with shown_safely("leaderboard"):
    main()
