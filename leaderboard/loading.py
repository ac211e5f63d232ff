"""Cached reads of the board for the app's views: rows, a run's summary and records, a suite's own samples. Each
cache key holds the board's modification stamp, so a new submission refreshes what the page shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from leaderboard import samples
from wisebench.board.reported import default_reported_file
from wisebench.board.rows import BoardRow
from wisebench.board.store import Board
from wisebench.errors import WisebenchError


def stamp(path: Path) -> float:
    """Changes whenever the file does, so cached reads refresh after a submission."""
    return path.stat().st_mtime_ns if path.exists() else 0


@st.cache_data(show_spinner=False)
def _rows(board_folder: str, stamps: tuple) -> list[dict]:
    return [row.to_json() for row in Board(board_folder).rows()]


def board_rows(board_folder: str, board_stamp: float) -> list[BoardRow]:
    """Measured rows (every protocol of every run) and the published ones."""
    return [BoardRow.from_json(row) for row in _rows(board_folder, (board_stamp, stamp(default_reported_file())))]


@st.cache_data(show_spinner=False)
def summary(board_folder: str, run_id: str, protocol: str | None, board_stamp: float) -> dict:
    return Board(board_folder).summary(run_id, protocol)


@st.cache_data(show_spinner=False)
def records(board_folder: str, run_id: str, board_stamp: float) -> list[dict]:
    return samples.readable(Board(board_folder).records(run_id))


@st.cache_resource(show_spinner="loading the suite's images and masks...")
def suite_samples(suite: str, split: str) -> dict[str, Any] | str:
    """The split's samples by id, or why they are not available on this machine."""
    try:
        return samples.suite_samples(suite, split, None)
    except WisebenchError as error:
        return str(error)
