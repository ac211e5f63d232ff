"""The "Side by side" view: the pure disagreement table (leaderboard/side_by_side.py) on hand-made records, and the
Streamlit view (leaderboard/views/side_by_side_view.py) driven by AppTest on a board of synthetic runs."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

pytest.importorskip("streamlit")
pytest.importorskip("jsonschema")

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from leaderboard import loading, samples, side_by_side  # noqa: E402
from app_helpers import synthetic_board  # noqa: E402
from wisebench.board.store import Board  # noqa: E402
from wisebench.errors import DatasetNotFoundError  # noqa: E402

TIMEOUT = 60  # the first run imports pandas/altair and reads the suite
BENCHMARK = "reasonseg-mini / val"


# ----- the pure table -----------------------------------------------------------------------------------------------


def seg_record(sample_id: str, intersection: int | None, union: int = 100, reasoning: int | None = 10, skipped: bool = False) -> dict[str, Any]:
    scores = {} if intersection is None else {"lisa": {"intersection": intersection, "union": union}}
    return {
        "sample_id": sample_id,
        "scores": scores,
        "skipped": {"problem": "unreadable image"} if skipped else None,
        "prediction": {"tokens": {"reasoning": reasoning}},
    }


def text_record(sample_id: str, accuracy: float | None, reasoning: int = 5) -> dict[str, Any]:
    return {"sample_id": sample_id, "scores": {"lm-eval": {"accuracy": accuracy}}, "skipped": None, "prediction": {"tokens": {"reasoning": reasoning}}}


def test_samples_are_ordered_by_disagreement_with_ties_by_id():
    records = {
        "a": [seg_record("s1", 50), seg_record("s2", 90), seg_record("s3", 10), seg_record("s0", 40)],
        "b": [seg_record("s3", 10), seg_record("s2", 20, reasoning=112), seg_record("s1", 60), seg_record("s0", 30)],
        "c": [seg_record("s1", 50), seg_record("s2", 50), seg_record("s3", 10), seg_record("s0", 40, reasoning=None)],
    }
    shown = side_by_side.disagreement_table(records, "lisa")
    assert list(shown["sample_id"]) == ["s2", "s0", "s1", "s3"]  # s0 and s1 both disagree by 0.1: by id
    assert list(shown["disagreement"].round(6)) == [0.7, 0.1, 0.1, 0.0]
    assert shown.loc[0, side_by_side.score_column("b")] == pytest.approx(0.2)
    assert shown.loc[0, side_by_side.tokens_column("b")] == 112
    assert pd.isna(shown.loc[1, side_by_side.tokens_column("c")])


def test_only_samples_every_run_recorded():
    records = {
        "a": [seg_record("s1", 50), seg_record("s2", 90), seg_record("only-a", 0)],
        "b": [seg_record("s1", 60), seg_record("s2", 20), seg_record("only-b", 100)],
        "c": [seg_record("s2", 50), seg_record("s1", 50)],
    }
    assert sorted(side_by_side.disagreement_table(records, "lisa")["sample_id"]) == ["s1", "s2"]
    assert side_by_side.disagreement_table({"a": records["a"], "x": []}, "lisa").empty


def test_skipped_and_unscored_samples_count_as_zero_in_the_disagreement():
    records = {
        "a": [seg_record("s1", 80), seg_record("s2", 30)],
        "b": [seg_record("s1", None, skipped=True), seg_record("s2", None)],
    }
    shown = side_by_side.disagreement_table(records, "lisa").set_index("sample_id")
    assert shown.loc["s1", "disagreement"] == pytest.approx(0.8) and shown.loc["s2", "disagreement"] == pytest.approx(0.3)
    assert shown[side_by_side.score_column("b")].isna().all()  # the score itself stays unknown, not 0


def test_text_protocol_scores_by_lm_eval_accuracy():
    records = {
        "strict": [text_record("0", 1.0), text_record("1", 0.0), text_record("2", 0.0, reasoning=112)],
        "lenient": [text_record("0", 1.0), text_record("1", 0.0), text_record("2", 1.0, reasoning=23)],
    }
    shown = side_by_side.disagreement_table(records, "lm-eval")
    assert list(shown["sample_id"]) == ["2", "0", "1"] and list(shown["disagreement"]) == [1.0, 0.0, 0.0]
    assert list(shown[side_by_side.tokens_column("strict")]) == [112, 5, 5]
    assert side_by_side.most_disagreeing(shown, 1)["sample_id"].tolist() == ["2"]


def run_row(model: str, benchmark: str, run_id: str, protocol: str = "lisa") -> pd.Series:
    return pd.Series({"model": model, "benchmark": benchmark, "run_id": run_id, "protocol": protocol})


def test_which_runs_may_be_chosen_together():
    runs = {f"r{index}": run_row("m", "mini / val" if index != 1 else "mini / test", f"r{index}") for index in range(6)}
    assert side_by_side.default_choice(runs) == ["r0", "r2", "r3"]  # the benchmark with the most runs
    assert side_by_side.default_choice({"r1": runs["r1"], "r0": runs["r0"]}) == []
    assert "Choose 2 to 4" in side_by_side.choice_problem([runs["r0"]])
    assert "At most 4" in side_by_side.choice_problem([runs[f"r{index}"] for index in (0, 2, 3, 4, 5)])
    assert "different suites" in side_by_side.choice_problem([runs["r0"], runs["r1"]])
    assert "different metric protocols" in side_by_side.choice_problem([runs["r0"], run_row("m", "mini / val", "x", "segzero")])
    assert side_by_side.choice_problem([runs["r0"], runs["r2"], runs["r3"], runs["r4"]]) is None


# ----- the Streamlit view -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def board(tmp_path_factory) -> Board:
    runs = [("seg-zero", 0), ("wise", 0), ("wise-s", 0), ("oracle", 0), ("oracle", 1)]
    return synthetic_board(tmp_path_factory, "sbs", [(model, {"seed": seed}) for model, seed in runs])


def side_by_side_page(board_folder: str) -> None:
    """The view alone, on the board in `board_folder` (AppTest runs this function's source: imports inside)."""
    from leaderboard import context, table
    from leaderboard.views import side_by_side_view
    from wisebench.board.store import Board

    frame = table.rows_frame(Board(board_folder).rows())
    side_by_side_view.show(context.board_view(board_folder, 0.0, frame, "reasonseg-mini / val"))


@pytest.fixture
def app(board) -> AppTest:
    test = AppTest.from_function(side_by_side_page, args=(str(board.folder),), default_timeout=TIMEOUT).run()
    assert not test.exception
    return test


def labels_of(test: AppTest, *models: str) -> list[str]:
    options = test.multiselect(key="sbs_runs").options
    return [next(option for option in options if option.startswith(f"{model} · ")) for model in models]


def sample_picker(test: AppTest) -> Any:
    (picker,) = [box for box in test.selectbox if str(box.key).startswith("sbs_sample:")]
    return picker


def run_columns(test: AppTest) -> list[Any]:
    """The per-run columns (each holds an image; the metric columns nested inside them do not)."""
    return [column for column in test.columns if column.get("image")]


def records_of(board: Board, model: str) -> list[dict]:
    run_id = next(row.run_id for row in board.measured_rows() if row.model == model and row.protocol == "lisa")
    return board.records(run_id)


def test_three_runs_side_by_side(app, board):
    assert len(app.multiselect(key="sbs_runs").value) == 3  # the default: three runs of the benchmark
    app.multiselect(key="sbs_runs").set_value(labels_of(app, "seg-zero", "wise", "wise-s")).run()
    assert not app.exception and "protocol lisa" in app.subheader[0].value
    columns = run_columns(app)
    assert len(columns) == 3
    sample_id = sample_picker(app).value
    for column, model in zip(columns, ("seg-zero", "wise", "wise-s")):
        assert column.text[0].value.startswith(f"{model} · ")
        assert len(column.get("image")) == 1 and len(column.code) == 1
        assert not column.warning  # the suite's image and ground truth were found
        record = next(record for record in records_of(board, model) if record["sample_id"] == sample_id)
        assert column.code[0].value == (record["prediction"]["reasoning_text"] or "(none)")
        metrics = {metric.label: metric.value for metric in column.metric}
        iou = samples.record_iou(record, "lisa")
        assert metrics["IoU (lisa)"] == ("-" if iou is None else f"{iou:.3f}")
        assert metrics["reasoning tokens"] == str(record["prediction"]["tokens"]["reasoning"])
    assert {metric.label for metric in app.metric if metric.label.startswith("IoU")} == {"IoU (lisa)"}
    assert not any("<" in element.value for element in app.markdown)  # model text never reaches Markdown


def test_the_disagreement_filter_orders_samples(app, board):
    app.multiselect(key="sbs_runs").set_value(labels_of(app, "seg-zero", "wise-s")).run()
    expected = side_by_side.disagreement_table({"a": records_of(board, "seg-zero"), "b": records_of(board, "wise-s")}, "lisa")
    options = sample_picker(app).options
    assert len(options) == 20 and len(expected) == 32
    assert [option.split()[0] for option in options] == list(expected["sample_id"][:20])
    shown = [float(option.split("disagreement ")[1].rstrip(")")) for option in options]
    assert shown == sorted(shown, reverse=True) and shown[0] > 0
    sample_picker(app).set_value(options[10].split()[0]).run()
    app.slider(key="sbs_top_count").set_value(5).run()  # the picked sample drops out of the list
    assert len(sample_picker(app).options) == 5 and sample_picker(app).value in [option.split()[0] for option in sample_picker(app).options]
    app.checkbox(key="sbs_top_only").uncheck().run()
    assert len(sample_picker(app).options) == 32 and not app.exception


def test_five_runs_are_refused_and_one_is_explained(app):
    every = app.multiselect(key="sbs_runs").options
    assert len(every) == 5
    app.multiselect(key="sbs_runs").set_value(every).run()
    assert any("At most 4" in warning.value for warning in app.warning)
    assert not run_columns(app) and not app.exception
    app.multiselect(key="sbs_runs").set_value(every[:1]).run()
    assert any("Choose 2 to 4" in info.value for info in app.info) and not run_columns(app)


def test_a_sample_picked_for_one_pair_is_not_carried_into_another(app):
    app.multiselect(key="sbs_runs").set_value(labels_of(app, "seg-zero", "wise")).run()
    first_key = sample_picker(app).key
    picked = sample_picker(app).options[3]
    sample_picker(app).set_value(picked.split()[0]).run()
    assert sample_picker(app).value == picked.split()[0]
    app.multiselect(key="sbs_runs").set_value(labels_of(app, "seg-zero", "wise-s")).run()
    picker = sample_picker(app)
    assert picker.key != first_key
    assert picker.value == picker.options[0].split()[0] != picked.split()[0]
    assert not app.exception


def test_without_the_suite_data_and_with_a_malformed_mask(board, monkeypatch):
    def unavailable(*_):
        raise DatasetNotFoundError("/data", "ReasonSeg/val", "download it")

    real_records = loading.records

    def damaged(board_folder: str, run_id: str, stamp: float) -> list[dict]:
        # A mask claiming a million by a million pixels: the board's bounded decoder refuses it.
        return [{**record, "mask_rle": {"size": [10**6, 10**6], "counts": "0"}} if "seg-zero" in run_id else record for record in real_records(board_folder, run_id, stamp)]

    st.cache_resource.clear()
    monkeypatch.setattr(samples, "suite_samples", unavailable)
    monkeypatch.setattr(loading, "records", damaged)
    try:
        test = AppTest.from_function(side_by_side_page, args=(str(board.folder),), default_timeout=TIMEOUT).run()
        test.multiselect(key="sbs_runs").set_value(labels_of(test, "seg-zero", "wise")).run()
        assert not test.exception
        seg_zero, wise = run_columns(test)
        assert any("predicted mask cannot be shown" in warning.value for warning in seg_zero.warning) and not wise.warning
        assert "predicted mask is shown alone" in test.warning[0].value  # said once, above the columns
        assert len(seg_zero.get("image")) == 1 and len(wise.get("image")) == 1
    finally:
        st.cache_resource.clear()


def text_page() -> None:
    """Two text-reasoning runs (lm-eval protocol) whose records are made here: no image, accuracy and the response."""
    from leaderboard import context, table
    from leaderboard.views import side_by_side_view
    from wisebench.board.rows import MEASURED, BoardRow

    rows = [
        BoardRow(kind=MEASURED, model=model, family="f", suite="lm-eval:task", split="test", protocol="lm-eval", accuracy=0.5, accuracy_metric="exact_match,strict", run_id=f"{model}_0{index}")
        for index, model in enumerate(("long-chain", "short-chain"))
    ]
    answers = {"long-chain": (1.0, 0.0, 112), "short-chain": (1.0, 1.0, 23)}

    class TextView(context.BoardView):
        def records(self, run_id: str) -> list[dict]:
            first, second, tokens = answers[run_id.split("_")[0]]
            return [
                {"sample_id": sample_id, "query": f"Question {sample_id}", "skipped": None, "scores": {"lm-eval": {"accuracy": score}}, "prediction": {"reasoning_text": f"<b>{run_id}</b> thinks", "answer_text": "4", "tokens": {"reasoning": tokens}, "truncated": False}}
                for sample_id, score in (("0", first), ("1", second))
            ]

    view = context.board_view("unused", 0.0, table.rows_frame(rows), "lm-eval:task / test")
    side_by_side_view.show(TextView(**vars(view)))


def test_text_runs_show_accuracy_and_the_response_without_an_image():
    test = AppTest.from_function(text_page, default_timeout=TIMEOUT).run()
    assert not test.exception
    assert sample_picker(test).options[0] == "1  (disagreement 1.000)"
    columns = [column for column in test.columns if column.code]
    assert len(columns) == 2 and not test.get("image")
    for column, tokens in zip(columns, ("112", "23")):
        metrics = {metric.label: metric.value for metric in column.metric}
        assert metrics["reasoning tokens"] == tokens and "accuracy (exact\\_match,strict)" in metrics  # the label's Markdown escaped
        assert column.code[0].value.startswith("<b>") and column.code[1].value == "4"
    assert test.text[0].value == "Question 1"


def one_run_page() -> None:
    from leaderboard import context, table
    from leaderboard.views import side_by_side_view
    from wisebench.board.rows import MEASURED, BoardRow

    rows = [BoardRow(kind=MEASURED, model="wise", family="WISE", suite="reasonseg-mini", split="val", protocol="lisa", ciou=0.5, run_id="wise_01")]
    side_by_side_view.show(context.board_view("unused", 0.0, table.rows_frame(rows), "reasonseg-mini / val"))


def test_fewer_than_two_runs_is_explained():
    test = AppTest.from_function(one_run_page, default_timeout=TIMEOUT).run()
    assert not test.exception and "needs two measured runs" in test.info[0].value
