"""The Reproduction view: which model reproduces each published row (reported.json `reproduces`), the pure pairing of
reported and measured rows (leaderboard/reproduction.py) on hand-made rows, and the Streamlit view
(leaderboard/views/reproduction_view.py) driven by AppTest on a board of synthetic runs and a test reported file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("streamlit")
pytest.importorskip("jsonschema")

from streamlit.testing.v1 import AppTest  # noqa: E402

from leaderboard import table  # noqa: E402
from leaderboard.reproduction import PAIR_COLUMNS, paper_setup, reproduction_pairs  # noqa: E402
from wisebench.board.reported import default_reported_file, reported_rows  # noqa: E402
from wisebench.board.rows import MEASURED, REPORTED, BoardRow  # noqa: E402
from app_helpers import synthetic_board  # noqa: E402
from wisebench.board.store import Board  # noqa: E402
from wisebench.errors import WisebenchError  # noqa: E402
from wisebench.registry import MODELS  # noqa: E402

TIMEOUT = 60  # the first run imports pandas/altair


# ----- reported.json: which model reproduces each row -------------------------------------------------------------


def test_every_reported_row_names_a_registered_model_or_none():
    rows = reported_rows()
    registered = {entry.name for entry in MODELS.entries()}
    assert all(row.reproduces == "" or row.reproduces in registered for row in rows)
    named = {row.model: row.reproduces for row in rows}
    assert named["Seg-Zero-7B (paper)"] == named["Seg-Zero-7B (re-evaluated by WISE)"] == named["Seg-Zero-7B (evaluated by PixelThink)"] == "seg-zero"
    assert (named["WISE-7B"], named["WISE-7B-S"], named["PixelThink-7B"], named["LISA-7B-LLaVA1.5"]) == ("wise", "wise-s", "pixelthink", "lisa")
    assert (named["R1-Distill-Qwen-7B (VeriThinker's baseline)"], named["VeriThinker-7B"]) == ("r1-distill-qwen-7b", "verithinker-7b")
    # 13B runs are named "lisa" like the 7B ones (and load a Llama-2 checkpoint): not paired, and the row says why.
    lisa_13b = [row for row in rows if row.model == "LISA-13B-LLaVA1.5"]
    assert {row.reproduces for row in lisa_13b} == {""} and all("not paired" in row.note for row in lisa_13b)
    assert named["CoT-Valve (QwQ-32B-Preview)"] == named["QwQ-32B-Preview (CoT-Valve's baseline)"] == ""
    document = json.loads(default_reported_file().read_text())
    assert all(isinstance(entry["reproduces"], str) for entry in document["rows"])


def test_reproduces_must_be_a_string(tmp_path):
    entry = {"model": "m", "family": "f", "suite": "s", "split": "v", "protocol": "lisa", "source": "x", "note": "n"}
    bad = tmp_path / "reported.json"
    bad.write_text(json.dumps({"unit": "percent", "rows": [{**entry, "reproduces": 7}]}))
    with pytest.raises(WisebenchError, match="'reproduces' must be a string"):
        reported_rows(bad)
    bad.write_text(json.dumps({"unit": "percent", "rows": [{**entry, "reproduces": " seg-zero ", "reproduces_note": "why"}]}))
    (row,) = reported_rows(bad)
    assert row.reproduces == "seg-zero" and row.note == "n; why"
    bad.write_text(json.dumps({"unit": "percent", "rows": [entry]}))
    assert reported_rows(bad)[0].reproduces == ""  # files written before the field existed still load


# ----- the pure pairing ---------------------------------------------------------------------------------------------


def reported(model: str, reproduces: str, suite: str = "reasonseg", split: str = "val", **figures) -> BoardRow:
    values = {"protocol": "segzero", "giou": 0.626, "ciou": 0.620, "mean_reasoning_tokens": 111.9, "token_convention": "wise", **figures}
    return BoardRow(kind=REPORTED, model=model, family="x", suite=suite, split=split, parse_policy="paper's script", source="a paper", reproduces=reproduces, **values)


def measured(model: str, protocol: str, suite: str = "reasonseg", split: str = "val", run_id: str = "run_1", **fields) -> BoardRow:
    values = {"giou": 0.60, "ciou": 0.55, "mean_reasoning_tokens": 100.0, "token_convention": "wise", "parse_policy": "upstream", "smoke": False, "data_scope": "official", "ranked": True, **fields}
    return BoardRow(kind=MEASURED, model=model, family="x", suite=suite, split=split, protocol=protocol, source=f"wisebench run {run_id}", run_id=run_id, **values)


def test_a_reported_row_pairs_with_every_protocol_of_its_model_on_its_suite_and_split():
    frame = table.rows_frame(
        [
            reported("Seg-Zero-7B (paper)", "seg-zero"),
            reported("LISA-13B", ""),  # names no model: never paired
            measured("seg-zero", "lisa", ciou=0.50),
            measured("seg-zero", "segzero"),  # the same run re-scored: its own pair, listed first (protocols agree)
            measured("Seg-Zero", "segzero", split="test", run_id="run_2"),  # another split
            measured("seg-zero", "segzero", suite="reasonseg-diff", split="val", run_id="run_3"),  # another suite
            measured("wise", "segzero", run_id="run_4"),  # another model
            measured("lisa", "lisa", run_id="run_5"),
        ]
    )
    pairs = reproduction_pairs(frame)
    assert list(pairs.columns) == PAIR_COLUMNS
    assert list(zip(pairs["run_id"], pairs["measured_protocol"])) == [("run_1", "segzero"), ("run_1", "lisa")]
    assert list(pairs["protocols_differ"]) == [False, True]
    agree, differ = pairs.iloc[0], pairs.iloc[1]
    assert agree["benchmark"] == "reasonseg / val" and agree["reported_protocol"] == "segzero"
    assert agree["giou_difference"] == pytest.approx(100 * (0.60 - 0.626)) and agree["ciou_difference"] == pytest.approx(100 * (0.55 - 0.62))
    assert (agree["headline"], agree["headline_difference"]) == ("cIoU", pytest.approx(-7.0))
    assert agree["tokens_difference"] == pytest.approx(100.0 - 111.9) and agree["caveats"] == ""
    assert agree["reported_parse_policy"] == "paper's script" and agree["measured_parse_policy"] == "upstream"
    assert differ["ciou_difference"] == pytest.approx(-12.0) and "protocols differ (segzero reported, lisa measured)" in differ["caveats"]
    assert pd.isna(agree["accuracy_difference"])


def test_model_names_match_whatever_their_case():
    frame = table.rows_frame([reported("Seg-Zero", "Seg-Zero"), measured("seg-zero", "segzero")])
    assert len(reproduction_pairs(frame)) == 1


def test_token_conventions_and_the_paper_setting_are_flagged():
    frame = table.rows_frame(
        [
            reported("WISE-7B", "wise", token_convention="wise"),
            measured("wise", "segzero", run_id="run_a", token_convention="wisebench"),
            measured("wise", "segzero", run_id="run_b", smoke=True, ranked=False, unranked_reason="smoke: random weights"),
            measured("wise", "segzero", run_id="run_c", data_scope="custom"),
            measured("wise", "segzero", run_id="run_d", data_scope=""),
        ]
    )
    pairs = reproduction_pairs(frame).set_index("run_id")
    # Same protocol everywhere: conventions that agree come first.
    assert list(pairs.index) == ["run_b", "run_c", "run_d", "run_a"]
    assert pairs.loc["run_a", "token_conventions_differ"] and "token conventions differ (wise reported, wisebench measured)" in pairs.loc["run_a", "caveats"]
    assert pairs.loc["run_a", "paper_setup"] == "yes"
    assert pairs.loc["run_b", "paper_setup"].startswith("no: smoke weights") and pairs.loc["run_b", "smoke"]
    assert pairs.loc["run_b", "unranked_reason"] == "smoke: random weights" and not pairs.loc["run_b", "ranked"]
    assert pairs.loc["run_c", "paper_setup"] == "no: custom data, not the official split"
    assert pairs.loc["run_d", "paper_setup"].startswith("unknown")
    assert paper_setup(True, "custom") == "no: smoke weights (random, unknown or unrecorded); custom data, not the official split"


def test_text_rows_pair_on_task_accuracy():
    frame = table.rows_frame(
        [
            reported("VeriThinker-7B", "verithinker-7b", suite="lm-eval:aime25", split="test", protocol="paper", giou=None, ciou=None, accuracy=0.408, mean_reasoning_tokens=10287, token_convention="verithinker"),
            measured("verithinker-7b", "lm-eval", suite="lm-eval:aime25", split="test", giou=None, ciou=None, accuracy=0.35, mean_reasoning_tokens=9000.0, token_convention="verithinker"),
        ]
    )
    (pair,) = reproduction_pairs(frame).to_dict("records")
    assert pair["headline"] == "task accuracy" and pair["headline_difference"] == pytest.approx(-5.8)
    assert pair["protocols_differ"] and not pair["token_conventions_differ"]


def test_no_rows_or_no_reported_rows_give_no_pairs():
    assert list(reproduction_pairs(table.rows_frame([])).columns) == PAIR_COLUMNS
    assert reproduction_pairs(table.rows_frame([measured("seg-zero", "lisa")])).empty


# ----- the view -----------------------------------------------------------------------------------------------------

TEST_REPORTED = [
    # Invented figures on the bundled suite, so synthetic runs have something to reproduce.
    {"model": "Seg-Zero (test figure)", "family": "Seg-Zero", "reproduces": "seg-zero", "suite": "reasonseg-mini", "split": "val", "giou": 60.0, "ciou": 55.0, "mean_reasoning_tokens": 100.0, "protocol": "segzero", "token_convention": "wise", "source": "test"},
    {"model": "WISE (test figure)", "family": "WISE", "reproduces": "wise", "suite": "reasonseg-mini", "split": "val", "giou": 70.0, "ciou": 65.0, "mean_reasoning_tokens": 30.0, "protocol": "lisa", "token_convention": "wisebench", "source": "test"},
    {"model": "Seg-Zero (test split figure)", "family": "Seg-Zero", "reproduces": "seg-zero", "suite": "reasonseg-mini", "split": "test", "giou": 50.0, "ciou": 50.0, "protocol": "segzero", "source": "test"},
    {"model": "LISA (test figure)", "family": "LISA", "reproduces": "", "suite": "reasonseg-mini", "split": "val", "giou": 40.0, "ciou": 40.0, "protocol": "lisa", "source": "test"},
]


@pytest.fixture(scope="module")
def board(tmp_path_factory) -> tuple[Board, Path]:
    """seg-zero scored under lisa and re-scored under segzero, and wise, on reasonseg-mini val; a reported file with
    figures for that suite."""
    board = synthetic_board(tmp_path_factory, "reproduction", [("seg-zero", {}), ("seg-zero", {"protocol": "segzero"}), ("wise", {"protocol": "lisa"})])
    reported_file = tmp_path_factory.mktemp("reproduction-reported") / "reported.json"
    reported_file.write_text(json.dumps({"unit": "percent", "rows": [{"kind": REPORTED, **entry} for entry in TEST_REPORTED]}))
    return board, reported_file


def reproduction_page(board_folder: str, reported_file: str, benchmark: str | None) -> None:
    """The view alone, on the board in `board_folder` and the published rows of `reported_file` (AppTest runs this
    function's source: imports inside)."""
    from pathlib import Path

    from leaderboard import context, table
    from leaderboard.views import reproduction_view
    from wisebench.board.store import Board

    frame = table.rows_frame(Board(board_folder).rows(Path(reported_file) if reported_file else None))
    reproduction_view.show(context.board_view(board_folder, 0.0, frame, benchmark))


def page(board: Board, reported_file: Path | None, benchmark: str | None) -> AppTest:
    test = AppTest.from_function(reproduction_page, args=(str(board.folder), str(reported_file or ""), benchmark), default_timeout=TIMEOUT).run()
    assert not test.exception
    return test


def test_the_view_lists_each_pair_with_both_protocols_agreeing_ones_first(board):
    board, reported_file = board
    test = page(board, reported_file, "reasonseg-mini / val")
    shown = test.dataframe[0].value
    assert list(zip(shown["model"], shown["measured protocol"])) == [("seg-zero", "segzero"), ("seg-zero", "lisa"), ("wise", "lisa")]
    assert list(shown["reported protocol"]) == ["segzero", "segzero", "lisa"]
    assert list(shown["protocols differ"]) == [False, True, False]
    measured_rows = {(row.model, row.protocol): row for row in board.measured_rows()}
    seg_zero = measured_rows[("seg-zero", "segzero")]
    assert shown.loc[0, "cIoU measured (%)"] == round(100 * seg_zero.ciou, 1) and shown.loc[0, "cIoU reported (%)"] == 55.0
    assert shown.loc[0, "cIoU measured − reported (points)"] == round(100 * (seg_zero.ciou - 0.55), 1)
    assert shown.loc[0, "tokens measured − reported"] == round(seg_zero.mean_reasoning_tokens - 100.0, 1)
    assert "accuracy reported (%)" not in shown.columns  # no pair has a task accuracy
    # The synthetic runs' scripted weights and the bundled suite: never a reproduction of a paper's setting.
    assert all(setting.startswith("no: ") for setting in shown["paper setting (weights, data)"])
    assert all(ranked.startswith("no: ") for ranked in shown["ranked"])
    wise = shown.iloc[2]
    assert wise["token conventions differ"] and "token conventions differ (wisebench reported, wise measured)" in wise["caveats"]
    assert len(test.get("vega_lite_chart")) == 1
    assert any("measured minus reported" in caption.value for caption in test.caption)


def test_every_suite_pairs_only_within_its_split(board):
    board, reported_file = board
    shown = page(board, reported_file, None).dataframe[0].value
    assert set(shown["suite / split"]) == {"reasonseg-mini / val"}  # the test-split figure has no run to pair with
    assert "LISA (test figure)" not in set(shown["paper's row"])


def test_no_pair_is_said_so(board):
    board, _ = board
    test = page(board, None, "reasonseg / val")  # the shipped figures: no measured run on ReasonSeg here
    assert not test.dataframe and len(test.info) == 1 and "No model here has both" in test.info[0].value
