"""The app never shows a traceback (issue 18): a damaged run on the board (a board written before submissions were
bounded, or a copy edited by hand) costs one view a one-line error, and hostile text or masks are shown bounded.
It also shows which measured rows the board ranks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
pytest.importorskip("jsonschema")

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from app_helpers import sample_picker, tab  # noqa: E402
from wisebench.board.store import Board  # noqa: E402
from wisebench.board.submission import check_run_folder  # noqa: E402
from wisebench.board.synthetic import make_synthetic_run  # noqa: E402
from wisebench.runner.store import RECORDS_FILE  # noqa: E402

APP = Path(__file__).resolve().parents[1] / "leaderboard" / "app.py"
TIMEOUT = 60
HOSTILE_SAMPLE = "mini_val_0004"


@pytest.fixture
def board(tmp_path, monkeypatch) -> Board:
    board = Board(tmp_path / "board")
    for model in ("wise", "seg-zero"):
        folder = make_synthetic_run(tmp_path / "runs", model)
        board.add(check_run_folder(folder), str(folder))
    monkeypatch.setenv("WISEBENCH_BOARD", str(board.folder))
    st.cache_data.clear()
    return board


def run_id_of(board: Board, model: str) -> str:
    return next(row.run_id for row in board.measured_rows() if row.model == model)


def rewrite_board_copy(board: Board, run_id: str, change) -> None:
    """Edit the board's own copy of a run's records, line by line (text), as a damaged board would hold them."""
    path = board.run_folder(run_id) / RECORDS_FILE
    path.write_text("".join(change(line) + "\n" for line in path.read_text().splitlines()))


def run_option(test: AppTest, model: str) -> str:
    return next(option for option in test.selectbox(key="browser_run").options if option.startswith(f"{model} · "))


def test_hostile_text_and_mask_on_the_board_show_without_a_traceback(board):
    def hostile(line: str) -> str:
        record = json.loads(line)
        if record["sample_id"] != HOSTILE_SAMPLE:
            return line
        record["mask_rle"] = {"size": [200000, 200000], "counts": record["mask_rle"]["counts"]}
        return json.dumps(record).replace('"reasoning_text": "', '"reasoning_text": "\\ud800', 1)

    rewrite_board_copy(board, run_id_of(board, "wise"), hostile)
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    app.selectbox(key="browser_run").set_value(run_option(app, "wise")).run()
    sample_picker(app).set_value(HOSTILE_SAMPLE).run()
    browser = tab(app, "Sample browser")
    assert not app.exception and not browser.error
    assert any("The predicted mask cannot be shown: mask_rle.size 200000 x 200000" in warning.value for warning in browser.warning)
    assert browser.code[0].value.startswith("\\ud800")  # the surrogate shown as an escape, not sent raw


def test_a_damaged_run_costs_its_views_an_error_line_not_a_traceback(board):
    rewrite_board_copy(board, run_id_of(board, "wise"), lambda line: line[: len(line) // 2])  # every line torn
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not app.exception
    errors = [element.value for element in app.error]
    assert any(error.startswith("The reasoning length view cannot be shown (RunStoreError)") for error in errors)
    assert not any("Traceback" in error or str(board.folder) in error for error in errors)
    leaderboard = tab(app, "Leaderboard")
    assert leaderboard.dataframe and not leaderboard.error  # the table still renders


def test_the_table_says_which_rows_are_ranked(board):
    from leaderboard import table

    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    leaderboard = tab(app, "Leaderboard")
    assert [heading.value.split(" · ")[0] for heading in leaderboard.subheader] == [table.CUSTOM_DATA]
    shown = leaderboard.dataframe[0].value
    assert set(shown[table.WHY_NOT_RANKED]) == {"scripted predictions (synthetic), not a model; smoke: the run records no weight fingerprint (hub id and revision, or folder digest); custom data: reasonseg-mini/val is not a published split this board knows"}
    app.sidebar.selectbox(key="benchmark").set_value("reasonseg / test").run()
    leaderboard = tab(app, "Leaderboard")
    assert [heading.value.split(" · ")[0] for heading in leaderboard.subheader] == [table.PUBLISHED]  # not the board's to rank
    assert table.WHY_NOT_RANKED not in leaderboard.dataframe[0].value.columns


def test_board_text_in_headings_and_labels_stays_text():
    from leaderboard.widgets import plain

    escaped = plain("![x](http://e.invalid/a.png) [link](http://e.invalid) www.e.invalid me@e.invalid :red[alarm] <b>")
    import re

    # Every bracket, bang, colon, angle, dot and at sign is escaped: no image, link, autolink, colour or markup.
    assert re.search(r"(?<!\\)[\[\]!<>:@.]", escaped) is None, escaped
    assert plain("seg-zero (7B) · reasonseg / val") == "seg-zero (7B) · reasonseg / val"  # plain words unchanged
