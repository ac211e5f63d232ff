"""The Difficulty view: accuracy and reasoning tokens per ReasonSeg-Diff band, the pure band table
(leaderboard/difficulty.py) on hand-made records, and the Streamlit view (leaderboard/views/difficulty_view.py) driven
by AppTest on a board of synthetic runs of the bundled suite (which carries the bands)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("streamlit")
pytest.importorskip("jsonschema")

from streamlit.testing.v1 import AppTest  # noqa: E402

from leaderboard.difficulty import BAND_COLUMNS, BAND_RULE, band_figures, band_table, has_bands  # noqa: E402
from app_helpers import synthetic_board  # noqa: E402
from wisebench.board.store import Board  # noqa: E402

TIMEOUT = 60  # the first run imports pandas/altair
BENCHMARK = "reasonseg-mini / val"


# ----- the pure band table ------------------------------------------------------------------------------------------


def record(sample_id: str, subsets: list[str], intersection: int, union: int, wise: int | None, wisebench: int, dropped: bool = False, failure: str | None = None) -> dict[str, Any]:
    return {
        "sample_id": sample_id,
        "subsets": subsets,
        "scores": {"lisa": {"intersection": intersection, "union": union}, "segzero": {"intersection": intersection, "union": union, "dropped": dropped}},
        "prediction": {"failure": failure, "tokens": {"reasoning": wisebench, "conventions": {"wise": wise, "wisebench": wisebench}}},
    }


RECORDS = [
    record("a", ["easy", "short"], 50, 100, wise=12, wisebench=10),
    record("b", ["easy"], 0, 0, wise=None, wisebench=4, dropped=True),  # empty union: lisa scores 1.0, segzero drops it
    record("c", ["hard"], 30, 60, wise=20, wisebench=20, failure="no_answer_json"),  # a failure still counts
    {"sample_id": "d", "subsets": ["hard"], "skipped": {"problem": "unreadable image"}, "scores": {}, "prediction": {}},
    record("e", ["long"], 10, 10, wise=1, wisebench=1),  # no band
]


def test_band_figures_follow_the_summary_rules_by_hand():
    lisa = {line["band"]: line for line in band_figures(RECORDS, "lisa", "wise")}
    assert list(lisa) == ["easy", "hard"]  # bands without samples are left out
    assert lisa["easy"]["n"] == 2 and lisa["easy"]["giou"] == pytest.approx((50 / (100 + 1e-5) + 1.0) / 2)
    assert lisa["easy"]["ciou"] == pytest.approx(50 / 100)
    assert (lisa["easy"]["mean_reasoning_tokens"], lisa["easy"]["n_with_tokens"]) == (12.0, 1)  # WISE's uncounted chain left out
    assert (lisa["hard"]["n"], lisa["hard"]["mean_reasoning_tokens"]) == (1, 20.0)  # the skipped sample is not in it
    assert lisa["hard"]["giou"] == pytest.approx(30 / (60 + 1e-5))
    segzero = {line["band"]: line for line in band_figures(RECORDS, "segzero", "wisebench")}
    assert segzero["easy"]["n"] == 1 and segzero["easy"]["giou"] == pytest.approx(0.5)  # the dropped sample is out of every figure
    assert (segzero["easy"]["mean_reasoning_tokens"], segzero["easy"]["n_with_tokens"]) == (10.0, 1)
    assert band_figures(RECORDS, "lm-eval", "wise") == []  # text reasoning has no bands


def test_band_table_names_each_run_and_reads_the_row_protocol():
    row = pd.Series({"model": "wise", "run_id": "run_1", "protocol": "segzero", "token_convention": ""})
    table = band_table([("wise · 1", row, RECORDS)])
    assert list(table.columns) == BAND_COLUMNS and list(table["band"]) == ["easy", "hard"]
    assert set(table["run"]) == {"wise · 1"} and set(table["protocol"]) == {"segzero"}
    assert set(table["token_convention"]) == {"wisebench"}  # a row without a convention counted under the default
    assert table.loc[0, "n"] == 1
    assert band_table([]).empty and list(band_table([]).columns) == BAND_COLUMNS


def test_has_bands_reads_the_summary_subsets():
    assert has_bands({"subsets": {"overall": {}, "hard": {}}})
    assert not has_bands({"subsets": {"overall": {}, "short": {}}}) and not has_bands({})
    assert "3.5" in BAND_RULE and "5.0" in BAND_RULE


# ----- the view -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def board(tmp_path_factory) -> Board:
    """seg-zero (scored under lisa, re-scored under segzero) and wise-s on the bundled suite's val split."""
    return synthetic_board(tmp_path_factory, "difficulty", [("seg-zero", {}), ("seg-zero", {"protocol": "segzero"}), ("wise-s", {"protocol": "lisa"})])


def difficulty_page(board_folder: str, benchmark: str, protocol: str | None) -> None:
    """The view alone, on the board in `board_folder` (AppTest runs this function's source: imports inside)."""
    from leaderboard import context, table
    from leaderboard.views import difficulty_view
    from wisebench.board.store import Board

    frame = table.rows_frame(Board(board_folder).rows())
    difficulty_view.show(context.board_view(board_folder, 0.0, frame, benchmark, protocol))


def page(board: Board, benchmark: str = BENCHMARK, protocol: str | None = None) -> AppTest:
    test = AppTest.from_function(difficulty_page, args=(str(board.folder), benchmark, protocol), default_timeout=TIMEOUT).run()
    assert not test.exception
    return test


def by_hand(records: list[dict[str, Any]], band: str, protocol: str, convention: str) -> dict[str, float]:
    """A band's figures straight from the records (lisa: no sample dropped; these runs skip none)."""
    members = [entry for entry in records if band in entry["subsets"] and not entry.get("skipped")]
    intersections = [entry["scores"][protocol]["intersection"] for entry in members]
    unions = [entry["scores"][protocol]["union"] for entry in members]
    counts = [entry["prediction"]["tokens"]["conventions"][convention] for entry in members]
    counted = [count for count in counts if count is not None]
    return {
        "n": len(members),
        "giou": sum(i / (u + 1e-5) + (u == 0) for i, u in zip(intersections, unions)) / len(members),
        "ciou": sum(intersections) / (sum(unions) + 1e-10),
        "tokens": sum(counted) / len(counted),
    }


def test_the_view_shows_each_band_of_each_run_under_the_page_protocol(board):
    test = page(board)
    assert "protocol lisa" in test.subheader[0].value and BENCHMARK in test.subheader[0].value
    shown = test.dataframe[0].value
    runs = {row.run_id: row for row in board.measured_rows() if row.protocol == "lisa"}
    assert len(shown) == 3 * len(runs) and set(shown["band"]) == {"easy", "medium", "hard"}
    assert set(shown["protocol"]) == {"lisa"} and set(shown["token convention"]) == {"wise"}
    for run_id, row in runs.items():
        summary = board.summary(run_id)
        records = board.records(run_id)
        lines = shown[shown["run"].str.startswith(f"{row.model} · ")].set_index("band")
        for band in ("easy", "medium", "hard"):
            expected = by_hand(records, band, "lisa", "wise")
            assert lines.loc[band, "n"] == expected["n"] == summary["subsets"][band]["n"]
            assert lines.loc[band, "gIoU (%)"] == round(100 * expected["giou"], 1) == round(100 * summary["subsets"][band]["giou"], 1)
            assert lines.loc[band, "cIoU (%)"] == round(100 * expected["ciou"], 1) == round(100 * summary["subsets"][band]["ciou"], 1)
            assert lines.loc[band, "reasoning tokens (mean)"] == round(expected["tokens"], 1)
    assert len(test.get("vega_lite_chart")) == 2
    assert test.radio(key="difficulty_metric").value == "cIoU"
    test.radio(key="difficulty_metric").set_value("gIoU").run()
    assert not test.exception and len(test.get("vega_lite_chart")) == 2


def test_another_protocol_is_recomputed_from_the_records(board):
    """The board keeps a run's headline summary only: segzero band figures match the run's own segzero re-score."""
    shown = page(board, protocol="segzero").dataframe[0].value
    (row,) = [row for row in board.measured_rows() if row.protocol == "segzero"]
    run = json.loads((board.run_folder(row.run_id) / "run.json").read_text())
    lines = shown.set_index("band")
    assert set(shown["protocol"]) == {"segzero"} and len(shown) == 3
    for band in ("easy", "medium", "hard"):
        figures = run["summaries"]["segzero"]["subsets"][band]
        assert lines.loc[band, "n"] == figures["n"] and lines.loc[band, "gIoU (%)"] == round(100 * figures["giou"], 1)
        assert lines.loc[band, "cIoU (%)"] == round(100 * figures["ciou"], 1)


def test_without_bands_the_view_says_so_and_lists_the_reported_overall_figures(board):
    test = page(board, benchmark="reasonseg-diff / test")
    assert len(test.info) == 1 and "No measured run here has difficulty bands" in test.info[0].value
    reported = test.dataframe[0].value.set_index("model")
    assert reported.loc["PixelThink-7B", "gIoU (%)"] == 60.17 and reported.loc["PixelThink-7B", "cIoU (%)"] == 55.77
    assert reported.loc["Seg-Zero-7B (evaluated by PixelThink)", "reasoning tokens (mean)"] == 90.58
    assert any("none per band" in element.value for element in test.markdown)
    assert not test.get("vega_lite_chart")
