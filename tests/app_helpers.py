"""Helpers for the Streamlit AppTest tests of the leaderboard."""

from __future__ import annotations

from typing import Any


def sample_picker(app: Any) -> Any:
    """The sample browser's sample picker: one per run (its key names the run), so a choice never carries over."""
    (picker,) = [box for box in app.selectbox if str(box.key).startswith("browser_sample:")]
    return picker


def synthetic_board(tmp_path_factory: Any, name: str, runs: list[tuple[str, dict[str, Any]]]) -> Any:
    """A board of scripted runs (wisebench.board.synthetic), each `(model, make_synthetic_run keywords)`, every run
    folder submitted once after all runs are made (a run made twice with another protocol is one run, re-scored)."""
    import pytest

    from wisebench.board.store import Board
    from wisebench.board.submission import check_run_folder
    from wisebench.board.synthetic import make_synthetic_run

    with pytest.MonkeyPatch.context() as patch:  # module scope: the shared cache conftest uses, set by hand
        patch.setenv("WISEBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "shared-cache"))
        out = tmp_path_factory.mktemp(f"{name}-runs")
        board = Board(tmp_path_factory.mktemp(f"{name}-board"))
        folders = list(dict.fromkeys(make_synthetic_run(out, model, **options) for model, options in runs))
        for folder in folders:
            board.add(check_run_folder(folder), str(folder))
    return board


def tab(test: Any, label: str) -> Any:
    """The app's tab of that label."""
    return next(element for element in test.tabs if element.label == label)


def leaderboard_rows(test: Any, section: str | None = None) -> Any:
    """The Leaderboard tab's tables with every column picked: one section, or all of them in order, as one frame."""
    import pandas as pd

    from leaderboard import table

    every = list(table.DISPLAY_COLUMNS.values())
    if test.multiselect(key="table_columns").value != every:
        test.multiselect(key="table_columns").set_value(every).run()
    page = tab(test, "Leaderboard")
    headings = [heading.value for heading in page.subheader]  # one per section, then its table
    frames = [element.value for heading, element in zip(headings, page.dataframe) if section is None or heading.startswith(section)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
