"""The Streamlit app, driven by Streamlit's own testing API (AppTest) against a board built here: synthetic
measured runs (real run loop, scripted predictions) next to the shipped reported rows."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("streamlit")
pytest.importorskip("jsonschema")

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from leaderboard import charts, samples, table  # noqa: E402
from app_helpers import leaderboard_rows, sample_picker, synthetic_board, tab  # noqa: E402
from wisebench.board.rows import MEASURED, REPORTED, BoardRow  # noqa: E402
from wisebench.board.store import Board  # noqa: E402
from wisebench.board.synthetic import MARKUP_REASONING  # noqa: E402
from wisebench.errors import DatasetNotFoundError  # noqa: E402
from wisebench.metrics.summary import compare_paired  # noqa: E402

APP = Path(__file__).resolve().parents[1] / "leaderboard" / "app.py"
TIMEOUT = 60  # the first run imports pandas/altair and reads the suite


@pytest.fixture(scope="module")
def board(tmp_path_factory) -> Board:
    runs = [("seg-zero", "val", "NVIDIA H100"), ("wise", "val", "NVIDIA H100"), ("wise-s", "val", "CPU (2 cores)"), ("wise", "test", "NVIDIA H100")]
    return synthetic_board(tmp_path_factory, "app", [(model, {"split": split, "hardware_label": hardware}) for model, split, hardware in runs])


@pytest.fixture
def app(board, monkeypatch) -> AppTest:
    monkeypatch.setenv("WISEBENCH_BOARD", str(board.folder))
    test = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not test.exception
    return test


def main_table(test: AppTest, section: str | None = None) -> pd.DataFrame:
    return leaderboard_rows(test, section)


def rows_of(board: Board, **where) -> list[BoardRow]:
    return [row for row in board.rows() if all(getattr(row, key) == value for key, value in where.items())]


def run_option(test: AppTest, key: str, model: str) -> str:
    return next(option for option in test.selectbox(key=key).options if option.startswith(f"{model} · "))


def test_default_view_is_the_measured_benchmark_sorted_by_ciou(app, board):
    assert app.sidebar.selectbox(key="benchmark").value == "reasonseg-mini / val"
    assert app.sidebar.selectbox(key="protocol:reasonseg-mini / val").value == "lisa"
    headings = [heading.value for heading in tab(app, "Leaderboard").subheader]
    assert headings == [table.CUSTOM_DATA + " · reasonseg-mini / val · protocol lisa"]  # the bundled suite: no paper's split
    shown = main_table(app)
    expected = sorted(rows_of(board, suite="reasonseg-mini", split="val"), key=lambda row: -row.ciou)
    assert list(shown["model"]) == [row.model for row in expected] and len(expected) == 3
    assert set(shown["measured / reported"]) == {MEASURED}
    first = expected[0]
    assert shown.loc[0, "cIoU"] == round(100 * first.ciou, 1)
    assert shown.loc[0, "cIoU 95% CI"] == f"[{100 * first.ciou_low:.1f}, {100 * first.ciou_high:.1f}]"
    assert shown.loc[0, "reasoning tokens (mean)"] == round(first.mean_reasoning_tokens, 1)
    assert shown.loc[0, "latency p50 (s)"] == round(first.latency_p50, 3)
    assert shown.loc[0, "samples/s"] == round(first.samples_per_second, 2)
    assert set(shown["hardware"]) == {"NVIDIA H100", "CPU (2 cores)"}
    assert set(shown["backend"]) == {"scripted + shifted-ground-truth"}
    assert set(shown["protocol"]) == {"lisa"}


def test_a_paper_benchmark_shows_reported_rows_one_protocol_at_a_time(app):
    app.sidebar.selectbox(key="benchmark").set_value("reasonseg / test").run()
    protocol = app.sidebar.selectbox(key="protocol:reasonseg / test")
    assert protocol.value == "segzero" and protocol.options == ["segzero (4 rows)", "lisa (2 rows)"]  # most rows first
    shown = main_table(app).set_index("model")
    assert set(shown["protocol"]) == {"segzero"} and "LISA-7B-LLaVA1.5" not in shown.index
    assert set(shown["measured / reported"]) == {REPORTED}
    assert shown.loc["WISE-7B-S", "cIoU"] == 58.3 and shown.loc["WISE-7B-S", "gIoU"] == 60.3
    assert shown.loc["WISE-7B-S", "reasoning tokens (mean)"] == 22.7
    assert shown.loc["WISE-7B-S", "protocol"] == "segzero" and shown.loc["WISE-7B-S", "hardware"] == table.NOT_STATED
    assert "WISE" in shown.loc["WISE-7B-S", "source"]
    assert "latency p50 (s)" not in shown.columns  # no paper states one: the empty column is left out
    assert list(shown.index)[0] == "WISE-7B"  # highest cIoU on ReasonSeg test (58.5)
    assert list(shown["cIoU"]) == sorted(shown["cIoU"], reverse=True)
    protocol.set_value("lisa").run()
    lisa = main_table(app).set_index("model")
    assert set(lisa.index) == {"LISA-7B-LLaVA1.5", "LISA-13B-LLaVA1.5"} and set(lisa["protocol"]) == {"lisa"}


def test_filters_by_family_hardware_kind_and_protocol(app):
    app.sidebar.multiselect(key="families").set_value(["WISE"]).run()
    assert set(main_table(app)["model"]) == {"wise", "wise-s"}
    app.sidebar.multiselect(key="hardware").set_value(["CPU (2 cores)"]).run()
    assert list(main_table(app)["model"]) == ["wise-s"]
    app.sidebar.multiselect(key="families").set_value(["Seg-Zero"]).run()
    assert main_table(app).empty
    app.sidebar.multiselect(key="hardware").set_value(["NVIDIA H100", table.NOT_STATED]).run()
    app.sidebar.multiselect(key="families").set_value(["Seg-Zero", "LISA", "WISE"]).run()
    app.sidebar.selectbox(key="benchmark").set_value("reasonseg / val").run()
    assert set(main_table(app)["family"]) == {"Seg-Zero", "WISE"}  # the most rows' protocol: segzero
    app.sidebar.selectbox(key="protocol:reasonseg / val").set_value("lisa").run()
    assert set(main_table(app)["family"]) == {"LISA"}
    app.sidebar.multiselect(key="kinds").set_value([MEASURED]).run()
    assert main_table(app).empty
    assert not app.exception


def test_sorting_and_the_all_benchmarks_view(app):
    app.selectbox(key="sort").set_value("reasoning tokens (few first)").run()
    assert list(main_table(app)["model"]) == ["wise-s", "wise", "seg-zero"]
    app.sidebar.selectbox(key="benchmark").set_value("all suites and splits").run()
    app.sidebar.selectbox(key="protocol:all suites and splits").set_value("lisa").run()
    measured = main_table(app, table.CUSTOM_DATA)
    assert list(measured["suite / split"]) == ["reasonseg-mini / val"] * 3 + ["reasonseg-mini / test"]
    assert set(main_table(app)["measured / reported"]) == {MEASURED, REPORTED}
    assert set(main_table(app)["protocol"]) == {"lisa"}


def test_downloads_hold_the_raw_rows(board):
    frame = table.rows_frame(board.rows())
    chosen = table.apply_filters(frame, table.Filters(benchmark="reasonseg-mini / val"))
    records = json.loads(table.to_json(chosen))
    assert {record["model"] for record in records} == {"seg-zero", "wise", "wise-s"}
    assert all(0 < record["ciou"] < 1 and record["kind"] == MEASURED for record in records)
    # Every measured row says how it was parsed and how its tokens were counted, beside its protocol.
    assert all(record["parse_policy"] == "upstream" and record["token_convention"] == "wise" for record in records)
    csv = table.to_csv(chosen)
    assert csv.splitlines()[0].startswith("kind,model,family,suite,split,protocol,parse_policy,token_convention,giou")
    risky = frame.head(1).assign(model="=HYPERLINK(\"http://x\")")
    assert "'=HYPERLINK" in table.to_csv(risky)


def test_every_tab_renders(app):
    assert [element.label for element in app.tabs] == ["Leaderboard", "Accuracy vs cost", "Side by side", "Reproduction", "Difficulty", "Reasoning length", "Subsets & budgets", "Sample browser", "Compare runs"]
    assert not app.error and not app.exception
    assert len(tab(app, "Accuracy vs cost").get("vega_lite_chart")) == 3  # tokens, latency, OAA_t
    assert len(tab(app, "Reasoning length").get("vega_lite_chart")) == 1
    assert len(tab(app, "Difficulty").get("vega_lite_chart")) == 2
    subsets = tab(app, "Subsets & budgets").dataframe[0].value
    assert {"overall", "long", "short"} <= set(subsets.columns)
    refcoco = tab(app, "Subsets & budgets").dataframe[2].value  # the RefCOCO splits pivot, from reported rows
    (lisa,) = [values for key, values in refcoco.iterrows() if key[:3] == ("LISA-7B-LLaVA1.5", REPORTED, "lisa")]  # one line per source
    assert lisa["refcoco / testA"] == 76.5
    assert {key[2] for key in refcoco.index} == {"lisa"}  # the page's protocol only


def test_cost_charts_take_one_suite_at_a_time(app):
    app.sidebar.selectbox(key="benchmark").set_value("all suites and splits").run()
    app.sidebar.selectbox(key="protocol:all suites and splits").set_value("lisa").run()
    picker = app.selectbox(key="cost_benchmark")
    assert picker.options[:2] == ["reasonseg-mini / val", "reasonseg-mini / test"] and "reasonseg / val" in picker.options
    picker.set_value("reasonseg / val").run()
    (tokens_chart, *_) = tab(app, "Accuracy vs cost").get("vega_lite_chart")
    import pyarrow

    assert "reasonseg / val · protocol lisa" in " ".join(json.loads(tokens_chart.proto.spec)["title"]["text"])
    drawn = pd.concat([pyarrow.ipc.open_stream(dataset.data.data).read_pandas() for dataset in tokens_chart.proto.datasets])
    assert set(drawn["benchmark"]) == {"reasonseg / val"} and set(drawn["protocol"]) == {"lisa"}


def test_pareto_front():
    frame = pd.DataFrame({"cost": [10, 20, 30, 15, 40, 10], "accuracy": [0.5, 0.7, 0.6, 0.4, 0.8, 0.45]})
    assert list(charts.pareto_front(frame, "cost", "accuracy").index) == [0, 1, 4]


def test_sample_browser_shows_the_sample_and_keeps_model_text_as_text(app, board):
    app.selectbox(key="browser_run").set_value(run_option(app, "browser_run", "seg-zero")).run()
    sample_picker(app).set_value("mini_val_0003").run()
    browser = tab(app, "Sample browser")
    assert len(browser.get("image")) == 1
    assert not browser.warning  # the suite's image and ground truth were found
    reasoning = browser.code[0].value
    assert reasoning.startswith(MARKUP_REASONING)
    texts = [element.value for element in app.markdown] + [element.value for element in app.caption]
    assert not any("<img" in text or "onerror" in text for text in texts)
    run_id = next(row.run_id for row in board.measured_rows() if row.model == "seg-zero")
    record = next(record for record in board.records(run_id) if record["sample_id"] == "mini_val_0003")
    metrics = {metric.label: metric.value for metric in browser.metric}
    assert metrics["IoU (lisa)"] == f"{samples.record_iou(record, 'lisa'):.3f}"
    assert metrics["reasoning tokens"] == str(record["prediction"]["tokens"]["reasoning"])
    assert [json.loads(line) for line in browser.code[1].value.splitlines()] == record["prediction"]["objects"]
    assert browser.text[0].value == record["query"]
    assert any("parsed under the upstream policy" in caption.value for caption in browser.caption)


def test_sample_browser_filters_to_failures(app, board):
    app.selectbox(key="browser_run").set_value(run_option(app, "browser_run", "seg-zero")).run()
    everything = sample_picker(app).options
    app.checkbox(key="failures_only").check().run()
    failures = sample_picker(app).options
    run_id = next(row.run_id for row in board.measured_rows() if row.model == "seg-zero")
    listing = samples.sample_table(board.records(run_id), "lisa")
    assert len(everything) == 32 and len(failures) == int(listing["failed"].sum()) > 0
    assert all("no_answer_json" in option or float(option.split("IoU ")[1].split(")")[0].split(",")[0]) < 0.5 for option in failures)


def test_sample_browser_without_the_suite_data(app, monkeypatch):
    def unavailable(*_):
        raise DatasetNotFoundError("/data", "ReasonSeg/val", "download it")

    st.cache_resource.clear()
    monkeypatch.setattr(samples, "suite_samples", unavailable)
    try:
        app.run()
        browser = tab(app, "Sample browser")
        assert "predicted mask is shown alone" in browser.warning[0].value
        assert len(browser.get("image")) == 1
        assert not app.exception
    finally:
        st.cache_resource.clear()


def test_compare_two_runs(app, board):
    app.selectbox(key="compare_a").set_value(run_option(app, "compare_a", "seg-zero")).run()
    app.selectbox(key="compare_b").set_value(run_option(app, "compare_b", "wise")).run()
    summary = tab(app, "Compare runs").dataframe[0].value.iloc[0]
    ids = {row.model: row.run_id for row in board.measured_rows() if row.split == "val"}
    expected = compare_paired(board.records(ids["seg-zero"]), board.records(ids["wise"]), protocol="lisa", seed=0)
    assert summary["paired samples"] == 32
    assert summary["cIoU B - A"] == f"{100 * expected['ciou_delta']:+.1f}"
    assert (summary["better"], summary["worse"], summary["equal"]) == (expected["n_better"], expected["n_worse"], expected["n_equal"])
    differences = tab(app, "Compare runs").dataframe[1].value
    assert len(differences) == 32 and differences["difference"].abs().is_monotonic_decreasing
    assert "wise-reasonseg-mini-test" not in "".join(app.selectbox(key="compare_b").options)  # same split only


def test_leaderboard_command_serves_the_app_on_loopback(tmp_path, monkeypatch):
    import argparse

    from wisebench.commands import leaderboard as command

    assert command.app_path() == APP
    started = {}

    class FinishedServer:  # stands in for the Streamlit process: records how it was started, then has ended
        def __init__(self, argv, env):
            started.update(argv=argv, env=env)

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(command.subprocess, "Popen", FinishedServer)
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    assert command.run(parser.parse_args(["--board", str(tmp_path / "b"), "--port", "8765"])) == 0
    argv = started["argv"]
    assert argv[1:4] == ["-m", "streamlit", "run"] and argv[4] == str(APP)
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1" and argv[argv.index("--server.port") + 1] == "8765"
    assert started["env"]["WISEBENCH_BOARD"] == str((tmp_path / "b").resolve())


def test_an_empty_board_shows_the_published_rows(tmp_path, monkeypatch):
    monkeypatch.setenv("WISEBENCH_BOARD", str(tmp_path / "empty"))
    test = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not test.exception
    assert test.sidebar.selectbox(key="benchmark").value == "reasonseg / val"
    assert set(main_table(test)["measured / reported"]) == {REPORTED}
    assert "No measured run matches the filters." in [info.value for info in tab(test, "Sample browser").info]
    assert not (tmp_path / "empty").exists()  # the app never writes to the board


def test_switching_runs_gives_a_fresh_sample_picker(app):
    """A sample chosen in one run does not carry over, label and all, to the next run's picker."""
    app.selectbox(key="browser_run").set_value(run_option(app, "browser_run", "seg-zero")).run()
    sample_picker(app).set_value("mini_val_0005").run()
    app.selectbox(key="browser_run").set_value(run_option(app, "browser_run", "wise")).run()
    picker = sample_picker(app)
    assert "wise" in str(picker.key) and picker.value == picker.options[0].split()[0]


def test_constant_token_counts_are_named_not_drawn_as_a_bell():
    lengths = pd.DataFrame({"run": ["reasons"] * 4 + ["silent"] * 4, "reasoning_tokens": [10, 20, 25, 40, 0, 0, 0, 0]})
    assert charts.constant_runs(lengths) == ["silent"]
    spec = charts.reasoning_length_chart(lengths).to_dict()
    drawn = spec["datasets"][next(iter(spec["datasets"]))] if "datasets" in spec else spec["data"]["values"]
    assert {row["run"] for row in drawn} == {"reasons"}


def test_the_difference_histogram_has_fixed_bins_over_the_whole_range():
    differences = pd.DataFrame({"difference": [0.0] * 30 + [0.02, -0.5]})
    encoding = charts.difference_chart(differences).to_dict()["encoding"]["x"]
    assert encoding["bin"] == {"extent": [-1, 1], "step": 0.05} and encoding["scale"]["domain"] == [-1, 1]
