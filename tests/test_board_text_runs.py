"""Text-reasoning runs (lm-eval suites) on the board: `wisebench submit` checks them like segmentation runs (tamper
checks included), their rows carry a task accuracy, the papers' text figures ship as reported rows, and the app shows
them beside a segmentation run: table, accuracy-against-cost, sample browser, paired comparison.

The text runs are real runs of the scripted stand-in reasoner (tests/text_standin.py) over a local lm-eval task."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("lm_eval")
pytest.importorskip("jsonschema")
pytest.importorskip("streamlit")

import text_standin  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from text_standin import write_task  # noqa: E402

from app_helpers import leaderboard_rows, sample_picker, tab  # noqa: E402
from wisebench.board.reported import reported_rows  # noqa: E402
from wisebench.board.rows import MEASURED, REPORTED, model_family  # noqa: E402
from wisebench.board.store import Board  # noqa: E402
from submission_fixtures import problems_of, save  # noqa: E402
from wisebench.board.submission import check_run_folder  # noqa: E402
from wisebench.board.synthetic import make_synthetic_run  # noqa: E402
from wisebench.cli import main  # noqa: E402
from wisebench.metrics.summary import compare_paired, summarize  # noqa: E402
from wisebench.runner.store import RECORDS_FILE, RUN_FILE  # noqa: E402

APP = Path(__file__).resolve().parents[1] / "leaderboard" / "app.py"
TIMEOUT = 60


def text_run(out: Path, task: Path, *settings: str) -> Path:
    before = set(out.iterdir()) if out.exists() else set()
    assert main(["run", "--model", "scripted-reasoner", "--suite", f"lm-eval:{task}", "--out", str(out), "--no-progress", *settings]) == 0
    (folder,) = set(out.iterdir()) - before
    return folder


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    """Two text runs (truncated chains scored strict, then lenient) and one segmentation run, all on one board."""
    with pytest.MonkeyPatch.context() as patch:  # module scope: set by hand what conftest and the text tests set
        patch.setenv("WISEBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "shared-cache"))
        patch.setenv("HF_DATASETS_OFFLINE", "1")
        patch.setenv("HF_HUB_OFFLINE", "1")
        text_standin.register()
        task = write_task(tmp_path_factory.mktemp("text-task"))
        out = tmp_path_factory.mktemp("text-runs")
        strict = text_run(out, task)
        lenient = text_run(out, task, "--set", "truncated=lenient")
        segmentation = make_synthetic_run(tmp_path_factory.mktemp("seg-runs"), "wise")
        board = Board(tmp_path_factory.mktemp("text-board"))
        for folder in (strict, lenient):
            board.add(check_run_folder(folder, str(task.parent)), str(folder))
        board.add(check_run_folder(segmentation), str(segmentation))
    return {"task": task, "strict": strict, "lenient": lenient, "segmentation": segmentation, "board": board}


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def text_copy(world, tmp_path) -> Path:
    folder = tmp_path / "runs" / world["strict"].name
    shutil.copytree(world["strict"], folder)
    return folder


def load(folder: Path) -> tuple[dict, list[dict]]:
    return json.loads((folder / RUN_FILE).read_text()), [json.loads(line) for line in (folder / RECORDS_FILE).read_text().splitlines()]


def row_of(board: Board, run_id: str):
    return next(row for row in board.measured_rows() if row.run_id == run_id)


# ----- submission ---------------------------------------------------------------------------------------------------


def test_a_text_run_is_checked_against_its_task(world, offline):
    task = world["task"]
    checked = check_run_folder(world["strict"], str(task.parent))
    assert checked.notes == [f"sample set checked against the suite lm-eval:{task}/test (8 samples)", "every response re-scored by the task's own filters and metrics here"]
    assert checked.summary == json.loads((world["strict"] / RUN_FILE).read_text())["summary"]
    assert checked.unverified is None  # sample set and every score re-derived here


def test_a_forged_text_score_with_a_consistent_summary_is_rejected_when_the_task_is_here(world, text_copy, offline):
    from wisebench.metrics.summary import summarize_run

    run, records = load(text_copy)
    wrong = next(record for record in records if record["scores"]["lm-eval"]["accuracy"] == 0.0)
    wrong["scores"]["lm-eval"].update({"accuracy": 1.0, "accuracy_strict": 1.0, "exact_match,strict": 1.0})
    run["summary"] = summarize_run(run, records)
    save(text_copy, run, records)
    problems = problems_of(text_copy, str(world["task"].parent))
    assert any(f"sample {wrong['sample_id']!r}: scores.lm-eval.accuracy is 1.0 but its response scores 0.0" in problem for problem in problems)
    wrong["prediction"]["raw_text"] = "<think>x</think>the answer is 999"  # a response edited to match: caught by its spans
    save(text_copy, run, records)
    assert any("prediction.answer_text is not what its response gives" in problem for problem in problems_of(text_copy, str(world["task"].parent)))
    # Without the task here nothing can re-score it: accepted, but unverified, so never ranked.
    wrong["prediction"]["raw_text"] = load(world["strict"])[1][records.index(wrong)]["prediction"]["raw_text"]
    save(text_copy, run, records)
    elsewhere = text_copy.parent / "elsewhere"
    elsewhere.mkdir()
    assert check_run_folder(text_copy, str(elsewhere)).unverified.startswith("the suite's data was not available here")


def test_without_the_task_here_the_fingerprint_is_the_reference(world, tmp_path, offline):
    # The task YAML is named by a path on the submitter's machine: it is read only inside the checker's data folder.
    checked = check_run_folder(world["strict"], str(tmp_path))
    assert "not inside this machine's data folder" in checked.notes[0] and "sample count and fingerprint" in checked.notes[0]


def test_edited_text_aggregates_are_rejected(text_copy, offline):
    run, records = load(text_copy)
    run["summary"]["subsets"]["overall"]["accuracy"] = 0.75
    run["summary"]["truncated"]["n_correct_strict"] = 2
    save(text_copy, run)
    [problem] = problems_of(text_copy)
    assert "in 2 value(s)" in problem and "summary.subsets.overall.accuracy: stored 0.75, the records give 0.5" in problem
    assert "summary.truncated.n_correct_strict" in problem


def test_an_edited_record_score_is_rejected(text_copy, offline):
    run, records = load(text_copy)
    wrong = next(record for record in records if record["scores"]["lm-eval"]["accuracy"] == 0.0)
    wrong["scores"]["lm-eval"].update(accuracy=1.0, accuracy_strict=1.0)
    save(text_copy, records=records)
    [problem] = problems_of(text_copy)
    assert problem.startswith("the stored summary does not match its records in 13 value(s)")  # accuracy, its CI, OAA...


def test_duplicated_and_missing_text_records_are_rejected(world, text_copy, offline):
    run, records = load(text_copy)
    save(text_copy, records=records + [records[3]])
    assert problems_of(text_copy) == ["sample(s) recorded more than once: '3'"]
    kept = [record for record in records if record["sample_id"] != "7"]
    run["summary"] = summarize(kept, protocol=run["protocol"], seed=run["seeds"]["bootstrap_seed"])
    save(text_copy, run, kept)
    task = world["task"]
    assert problems_of(text_copy, str(task.parent)) == [f"1 sample(s) of lm-eval:{task}/test have no record: '7'"]
    assert problems_of(text_copy) == ["the records hold 7 distinct samples, run.json says the split has 8"]


def test_an_edited_question_is_rejected(world, text_copy, offline):
    run, records = load(text_copy)
    records[1]["query"] = "Question: 1+0"
    save(text_copy, records=records)
    assert problems_of(text_copy, str(world["task"].parent)) == ["1 record(s) carry another query than the suite's: '1'"]
    assert problems_of(text_copy) == ["the records' sample ids and queries do not match run.json's samples_fingerprint"]


def test_schema_version_shape_and_run_name_are_checked(text_copy, tmp_path, offline):
    run, records = load(text_copy)
    save(text_copy, dict(run, schema_version=2))
    assert problems_of(text_copy) == ["run.json: schema_version 2 is not supported (this wisebench reads run schema version [1])"]
    save(text_copy, dict(run, run_id="../../escaped"))
    assert all(problem.startswith("run.json: run_id: ") for problem in problems_of(text_copy))
    assert not (tmp_path / "escaped").exists()
    broken = json.loads(json.dumps(run))
    del broken["summary"]["subsets"]["overall"]["accuracy_ci"]
    save(text_copy, broken)
    assert "run.json: summary.subsets.overall: 'accuracy_ci' is a required property" in problems_of(text_copy)
    records[0]["scores"]["lm-eval"]["accuracy"] = "1"
    save(text_copy, run, records)
    assert any(problem.startswith("records.jsonl sample '0': scores.lm-eval.accuracy: ") for problem in problems_of(text_copy))


# ----- board rows ---------------------------------------------------------------------------------------------------


def test_text_rows_carry_the_task_accuracy(world):
    board = world["board"]
    summary = json.loads((world["strict"] / RUN_FILE).read_text())["summary"]
    overall = summary["subsets"]["overall"]
    row = row_of(board, world["strict"].name)
    assert (row.kind, row.model, row.family, row.protocol, row.split) == (MEASURED, "scripted-reasoner", "scripted-reasoner", "lm-eval", "test")
    assert row.accuracy == overall["accuracy"] == 0.5 and [row.accuracy_low, row.accuracy_high] == overall["accuracy_ci"]
    assert row.accuracy_metric == "exact_match,strict" and row.giou is None and row.ciou is None
    assert row.mean_reasoning_tokens == summary["tokens"]["reasoning"]["mean"] and row.n_samples == 8
    assert row.backend == "scripted" and "2 truncated chain(s), scored strict" in row.note
    assert row_of(board, world["lenient"].name).accuracy == 0.75
    segmentation = row_of(board, world["segmentation"].name)
    assert segmentation.accuracy is None and segmentation.ciou is not None


def test_text_model_families():
    assert [model_family(name) for name in ("r1-distill-qwen-1.5b", "r1-distill-qwen-7b", "verithinker-7b", "thinkless-1.5b")] == ["R1-Distill", "R1-Distill", "VeriThinker", "Thinkless"]


def test_a_board_written_before_text_rows_still_opens(world, tmp_path):
    board = Board(tmp_path / "old")
    board.add(check_run_folder(world["segmentation"]), "old")
    with sqlite3.connect(board.database_path) as connection:  # the row as the previous BoardRow wrote it
        (row_json,) = connection.execute("SELECT row_json FROM runs").fetchone()
        old = {key: value for key, value in json.loads(row_json).items() if not key.startswith("accuracy")}
        connection.execute("UPDATE runs SET row_json = ?", (json.dumps(old),))
    [row] = board.measured_rows()
    assert row.accuracy is None and row.accuracy_metric == "" and row.ciou == old["ciou"]


def test_reported_text_rows_are_the_papers_figures():
    rows = [row for row in reported_rows() if row.accuracy is not None or row.protocol == "paper"]
    assert all(row.kind == REPORTED and row.run_id is None and row.giou is None and row.ciou is None for row in rows)
    figures = {(row.model, row.suite, row.split): (row.accuracy, row.mean_reasoning_tokens) for row in rows}
    assert figures[("VeriThinker-7B", "lm-eval:minerva_math500", "test")] == pytest.approx((0.948, 2125))
    assert figures[("R1-Distill-Qwen-7B (VeriThinker's baseline)", "lm-eval:aime25", "test")] == pytest.approx((0.387, 14321))
    assert figures[("VeriThinker-7B", "lm-eval:aime25", "test")] == pytest.approx((0.408, 10287))
    assert figures[("CoT-Valve (QwQ-32B-Preview)", "lm-eval:gsm8k", "test")] == pytest.approx((0.9492, 225))
    assert figures[("QwQ-32B-Preview (CoT-Valve's baseline)", "lm-eval:gsm8k", "test")] == pytest.approx((0.9507, 741))
    token_only = [row for row in rows if row.accuracy is None]
    assert sorted(row.mean_reasoning_tokens for row in token_only) == [4629, 6827]
    assert not [row for row in rows if row.family == "Thinkless"]  # the reference gives Thinkless no figure
    assert {row.family for row in rows} == {"R1-Distill", "VeriThinker", "QwQ", "CoT-Valve"}


# ----- the app ------------------------------------------------------------------------------------------------------


@pytest.fixture
def app(world, monkeypatch) -> AppTest:
    monkeypatch.setenv("WISEBENCH_BOARD", str(world["board"].folder))
    test = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not test.exception
    return test


def chart_data(chart) -> pd.DataFrame:
    """The rows an Altair chart was drawn from (Streamlit sends them as Arrow streams beside the spec)."""
    import pyarrow

    return pd.concat([pyarrow.ipc.open_stream(dataset.data.data).read_pandas() for dataset in chart.proto.datasets])


def show_text_benchmark(test: AppTest, task: Path) -> None:
    test.sidebar.selectbox(key="benchmark").set_value(f"lm-eval:{task} / test").run()


def run_option(test: AppTest, key: str, run_id: str) -> str:
    return next(option for option in test.selectbox(key=key).options if option.endswith(f" · {run_id}"))


def test_a_text_run_sits_beside_a_segmentation_run(app, world):
    assert app.sidebar.selectbox(key="benchmark").value == "reasonseg-mini / val"  # segmentation stays the default view
    app.sidebar.selectbox(key="benchmark").set_value("all suites and splits").run()
    def protocol():  # fetched again after each run: an element read before a run holds the old page's widgets
        return app.sidebar.selectbox(key="protocol:all suites and splits")

    assert {"lm-eval", "lisa", "paper", "segzero"} <= {option.split(" (")[0] for option in protocol().options}
    protocol().set_value("lm-eval").run()  # one protocol at a time: the measured text runs
    shown = leaderboard_rows(app)
    assert set(shown["protocol"]) == {"lm-eval"} and set(shown["suite / split"]) == {f"lm-eval:{world['task']} / test"}
    assert list(shown["model"]) == ["scripted-reasoner"] * 2 and list(shown["accuracy"]) == [75.0, 50.0]
    assert set(shown["accuracy metric"]) == {"exact_match,strict"} and "cIoU" not in shown.columns
    assert shown["accuracy 95% CI"].iloc[1] == "[12.5, 87.5]"
    protocol().set_value("lisa").run()
    segmentation = leaderboard_rows(app)
    segmentation = segmentation[segmentation["suite / split"] == "reasonseg-mini / val"].iloc[0]
    row = row_of(world["board"], world["segmentation"].name)
    assert segmentation["model"] == "wise" and segmentation["cIoU"] == round(100 * row.ciou, 1)
    protocol().set_value("paper").run()  # the papers' own evaluations: published rows only
    reported = leaderboard_rows(app)
    assert set(reported["measured / reported"]) == {REPORTED}
    reported = reported[reported["suite / split"] == "lm-eval:minerva_math500 / test"].set_index("model")
    assert reported.loc["VeriThinker-7B", "accuracy"] == 94.8 and reported.loc["VeriThinker-7B", "protocol"] == "paper"
    assert list(reported.index)[0] == "VeriThinker-7B"  # sorted by task accuracy where there is no cIoU


def test_filters_and_accuracy_against_cost_take_text_rows(app, world):
    show_text_benchmark(app, world["task"])
    app.sidebar.multiselect(key="families").set_value(["scripted-reasoner"]).run()
    assert set(leaderboard_rows(app)["protocol"]) == {"lm-eval"}
    assert app.radio(key="cost_metric").value == "task accuracy"  # a text suite opens on its task accuracy
    against_tokens, against_latency, _ = tab(app, "Accuracy vs cost").get("vega_lite_chart")
    points = chart_data(against_tokens).drop_duplicates(["run_id"])
    assert sorted(points["accuracy_percent"]) == [50.0, 75.0] and set(points["mean_reasoning_tokens"]) == {7.5}
    assert set(chart_data(against_latency)["model"]) == {"scripted-reasoner"}
    app.sidebar.selectbox(key="benchmark").set_value("lm-eval:minerva_math500 / test").run()
    app.sidebar.multiselect(key="families").set_value(["VeriThinker", "R1-Distill"]).run()
    page = tab(app, "Accuracy vs cost")
    front = chart_data(page.get("vega_lite_chart")[0])  # reported rows: VeriThinker is cheaper and better
    assert set(front["model"]) == {"VeriThinker-7B", "R1-Distill-Qwen-7B (VeriThinker's baseline)"}
    assert "none of these rows has latency figures" in " ".join(info.value for info in page.info)  # papers give none
    app.sidebar.multiselect(key="families").set_value(["WISE"]).run()
    assert leaderboard_rows(app).empty
    assert not app.exception


def test_the_sample_browser_shows_a_text_record_as_text(app, world):
    show_text_benchmark(app, world["task"])
    app.selectbox(key="browser_run").set_value(run_option(app, "browser_run", world["strict"].name)).run()
    assert sample_picker(app).options[:3] == ["0  (accuracy 1)", "1  (accuracy 0)", "2  (accuracy 0, truncated)"]
    sample_picker(app).set_value("2").run()
    browser = tab(app, "Sample browser")
    assert not browser.get("image") and not browser.warning
    _, records = load(world["strict"])
    prediction = next(record for record in records if record["sample_id"] == "2")["prediction"]
    assert browser.text[0].value == "Question: 2+1"
    assert "truncated: yes" in browser.text[1].value
    codes = [element.value for element in browser.code]
    assert codes[:4] == [prediction["reasoning_text"], "(none)", "(empty)", "3"]  # reasoning, answer span, scored text, target
    assert codes[4] == prediction["raw_text"]
    metrics = {metric.label: metric.value for metric in browser.metric}
    assert metrics["accuracy (exact\\_match,strict)"] == "0" and metrics["reasoning tokens"] == str(prediction["tokens"]["reasoning"])
    app.checkbox(key="failures_only").check().run()
    assert [option.split()[0] for option in sample_picker(app).options] == ["1", "2", "5", "7"]
    assert len(tab(app, "Reasoning length").get("vega_lite_chart")) == 1  # reasoning lengths of the text runs


def test_compare_two_text_runs_on_accuracy(app, world):
    show_text_benchmark(app, world["task"])
    app.selectbox(key="compare_a").set_value(run_option(app, "compare_a", world["strict"].name)).run()
    assert app.selectbox(key="compare_b").options == [run_option(app, "compare_b", world["lenient"].name)]
    summary = tab(app, "Compare runs").dataframe[0].value.iloc[0]
    _, records_a = load(world["strict"])
    _, records_b = load(world["lenient"])
    expected = compare_paired(records_a, records_b, protocol="lm-eval", seed=0)
    assert summary["paired samples"] == 8 and summary["accuracy B - A"] == "+25.0" == f"{100 * expected['accuracy_delta']:+.1f}"
    assert (summary["better"], summary["worse"], summary["equal"]) == (2, 0, 6)
    differences = tab(app, "Compare runs").dataframe[1].value
    assert list(differences["sample_id"][:2]) == ["2", "5"] and list(differences["difference"][:2]) == [1.0, 1.0]


def test_subsets_and_budgets_show_the_text_accuracy(app, world):
    show_text_benchmark(app, world["task"])
    assert app.radio(key="subset_metric").value == "task accuracy"
    subsets = tab(app, "Subsets & budgets").dataframe[0].value
    assert sorted(subsets["overall"]) == [50.0, 75.0]
    assert len(tab(app, "Subsets & budgets").get("vega_lite_chart")) == 1  # OAA at token budgets
