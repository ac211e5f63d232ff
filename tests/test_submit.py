"""`wisebench submit`: a genuine run is accepted; each kind of tampering is rejected with one message per problem."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from wisebench.board import sample_set
from wisebench.board.store import Board
from wisebench.board.submission import SubmissionRejected, check_run_folder
from wisebench.board.summary_check import recompute_summary
from wisebench.board.synthetic import make_synthetic_run
from wisebench.commands import submit
from wisebench.errors import DatasetNotFoundError
from wisebench.metrics.summary import summarize, summarize_run
from wisebench.runner.store import RECORDS_FILE, RUN_FILE

pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def genuine(tmp_path_factory) -> Path:
    with pytest.MonkeyPatch.context() as patch:  # module scope: the shared cache conftest uses, set by hand
        patch.setenv("WISEBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "shared-cache"))
        return make_synthetic_run(tmp_path_factory.mktemp("submit-runs"), "wise")


@pytest.fixture
def run_copy(genuine, tmp_path) -> Path:
    """A private copy of the genuine run to tamper with."""
    folder = tmp_path / "runs" / genuine.name
    shutil.copytree(genuine, folder)
    return folder


def load(folder: Path) -> tuple[dict, list[str]]:
    return json.loads((folder / RUN_FILE).read_text()), (folder / RECORDS_FILE).read_text().splitlines(keepends=True)


def save(folder: Path, run: dict | None = None, lines: list[str] | None = None) -> None:
    if run is not None:
        (folder / RUN_FILE).write_text(json.dumps(run, indent=2))
    if lines is not None:
        (folder / RECORDS_FILE).write_text("".join(lines))


def problems_of(folder: Path, data_dir: str | None = None) -> list[str]:
    with pytest.raises(SubmissionRejected) as caught:
        check_run_folder(folder, data_dir)
    return caught.value.problems


def submit_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    submit.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_a_genuine_run_is_accepted(genuine):
    checked = check_run_folder(genuine)
    assert len(checked.records) == 32
    assert checked.summary == json.loads((genuine / RUN_FILE).read_text())["summary"]
    assert checked.notes == ["sample set checked against the suite reasonseg-mini/val (32 samples)"]


def test_submit_command_adds_the_run_once(genuine, tmp_path, capsys):
    board = tmp_path / "board"
    assert submit.run(submit_args(str(genuine), "--board", str(board))) == 0
    out = capsys.readouterr().out
    assert f"run {genuine.name} added to the board" in out
    assert "  not ranked: scripted predictions (synthetic), not a model; smoke: " in out
    assert submit.run(submit_args(str(genuine), "--board", str(board))) == 0
    assert "already on the board" in capsys.readouterr().out
    assert submit.run(submit_args(genuine.name, "--out", str(genuine.parent), "--board", str(board), "--json")) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["status"] == "unchanged" and outcome["row"]["ranked"] is False
    assert Board(board).run_ids() == [genuine.name]


def test_edited_aggregate_is_rejected(run_copy):
    run, _ = load(run_copy)
    run["summary"]["subsets"]["overall"]["ciou"] += 0.02
    save(run_copy, run)
    problems = problems_of(run_copy)
    assert len(problems) == 1
    assert "stored summary does not match its records in 1 value(s)" in problems[0]
    assert "summary.subsets.overall.ciou" in problems[0]


def test_edited_interval_is_rejected_even_by_a_hair(run_copy):
    run, _ = load(run_copy)
    run["summary"]["subsets"]["long"]["giou_ci"][0] += 1e-12  # intervals are seeded: equal or wrong
    save(run_copy, run)
    assert "summary.subsets.long.giou_ci[0]" in problems_of(run_copy)[0]


def test_edited_token_mean_is_rejected(run_copy):
    run, _ = load(run_copy)
    run["summary"]["tokens"]["reasoning"]["mean"] = 12.0
    save(run_copy, run)
    assert "summary.tokens.reasoning.mean" in problems_of(run_copy)[0]


def test_duplicated_record_is_rejected(run_copy):
    _, lines = load(run_copy)
    save(run_copy, lines=lines + [lines[5]])
    assert problems_of(run_copy) == ["sample(s) recorded more than once: 'mini_val_0005'"]


def test_missing_sample_is_rejected_even_with_a_consistent_summary(run_copy):
    run, lines = load(run_copy)
    kept = [line for line in lines if '"mini_val_0007"' not in line]
    run["summary"] = summarize_run(run, [json.loads(line) for line in kept])
    save(run_copy, run, kept)
    assert problems_of(run_copy) == ["1 sample(s) of reasonseg-mini/val have no record: 'mini_val_0007'"]


def test_missing_sample_and_stale_summary_are_two_problems(run_copy):
    _, lines = load(run_copy)
    save(run_copy, lines=lines[:-1])
    problems = problems_of(run_copy)
    assert len(problems) == 2
    assert "have no record: 'mini_val_0031'" in problems[0]
    assert problems[1].startswith("the stored summary does not match its records")


def test_foreign_sample_and_edited_query_are_rejected(run_copy):
    run, lines = load(run_copy)
    records = [json.loads(line) for line in lines]
    records[0]["sample_id"] = "not_a_sample"
    records[1]["query"] = "an easier question"
    run["summary"] = recompute_summary(run, records)
    save(run_copy, run, [json.dumps(record) + "\n" for record in records])
    problems = problems_of(run_copy)
    assert "have no record: 'mini_val_0000'" in problems[0]
    assert "1 record(s) are not samples of reasonseg-mini/val: 'not_a_sample'" in problems[1]
    assert "carry another query than the suite's: 'mini_val_0001'" in problems[2]


def test_wrong_schema_version_is_rejected(run_copy):
    run, lines = load(run_copy)
    save(run_copy, dict(run, schema_version=2))
    assert problems_of(run_copy) == ["run.json: schema_version 2 is not supported (this wisebench reads run schema version [1])"]
    record = json.loads(lines[3])
    record["schema_version"] = 7
    save(run_copy, run, lines[:3] + [json.dumps(record) + "\n"] + lines[4:])
    assert problems_of(run_copy) == ["records.jsonl sample 'mini_val_0003': schema_version 7 is not supported (this wisebench reads record schema version [1])"]


@pytest.mark.parametrize("run_id", ["../../escaped", "runs/../../x", "/tmp/abs"])
def test_path_in_run_name_is_rejected_and_nothing_is_written(run_copy, tmp_path, run_id):
    run, _ = load(run_copy)
    save(run_copy, dict(run, run_id=run_id))
    board = tmp_path / "board"
    with pytest.raises(SubmissionRejected) as caught:
        submit.run(submit_args(str(run_copy), "--board", str(board)))
    assert all(problem.startswith("run.json: run_id: ") for problem in caught.value.problems)
    assert not board.exists() and not (tmp_path / "escaped").exists()


def test_smoke_shard_and_unfinished_runs_are_rejected(run_copy):
    run, _ = load(run_copy)
    run["smoke"] = {"is_smoke": True, "reasons": ["random_weights"]}
    run["shard"] = {"index": 0, "count": 2, "whole_n_samples": 32, "whole_samples_fingerprint": run["suite"]["samples_fingerprint"]}
    run["status"] = "interrupted"
    save(run_copy, run)
    problems = problems_of(run_copy)
    assert len(problems) == 3
    assert "not complete" in problems[0]
    assert "a smoke run (random_weights) is never ranked" in problems[1]
    assert "a shard of a run" in problems[2]


def test_a_limited_run_is_rejected(genuine, tmp_path):
    folder = tmp_path / "runs"
    from wisebench.board.synthetic import SCRIPTS, ScriptedAdapter
    from wisebench.runner.config import RunConfig
    from wisebench.runner.run import execute_run

    config = RunConfig(model="wise", suite="reasonseg-mini", split="val", out=str(folder), limit=4)
    result = execute_run(config, progress=False, adapter_factory=lambda c: ScriptedAdapter(c.model_options(), "wise", SCRIPTS["wise"]))
    problems = problems_of(result.folder)
    assert problems[0] == "a smoke run (limit=4) is never ranked"
    assert "28 sample(s) of reasonseg-mini/val have no record" in problems[1]


def test_a_torn_last_line_is_rejected(run_copy):
    _, lines = load(run_copy)
    save(run_copy, lines=lines + ['{"sample_id": "mini_val_00'])
    problems = problems_of(run_copy)
    assert problems[0].startswith("records.jsonl ends in a partial line")
    assert "records.jsonl line 33: not valid JSON" in problems


def test_missing_files_are_rejected(run_copy):
    (run_copy / RECORDS_FILE).unlink()
    assert problems_of(run_copy) == [f"records.jsonl is missing from {run_copy}"]


def test_without_suite_data_the_fingerprint_is_the_reference(run_copy, monkeypatch):
    def unavailable(*_):
        raise DatasetNotFoundError("/nowhere", "ReasonSeg/val", "get it")

    monkeypatch.setattr(sample_set, "suite_samples", unavailable)
    checked = check_run_folder(run_copy)
    assert "not available here" in checked.notes[0] and "sample count and fingerprint" in checked.notes[0]

    run, lines = load(run_copy)
    records = [json.loads(line) for line in lines]
    records[2]["query"] = "edited"
    run["summary"] = recompute_summary(run, records)
    save(run_copy, run, [json.dumps(record) + "\n" for record in records])
    assert problems_of(run_copy) == ["the records' sample ids and queries do not match run.json's samples_fingerprint"]
    save(run_copy, run, [json.dumps(record) + "\n" for record in records[1:]])
    assert problems_of(run_copy)[0] == "the records hold 31 distinct samples, run.json says the split has 32"


def test_skipped_samples_are_accepted_and_flagged(run_copy, tmp_path):
    run, lines = load(run_copy)
    records = [json.loads(line) for line in lines]
    records[4].update(scores={}, mask_rle=None, gt_area=None, pred_area=None, prediction={}, skipped={"path": "/data/x.jpg", "problem": "cannot decode image"})
    run["summary"] = recompute_summary(run, records)
    save(run_copy, run, [json.dumps(record) + "\n" for record in records])
    checked = check_run_folder(run_copy)
    assert "1 sample(s) were skipped as bad input" in checked.notes[-1]
    row = Board(tmp_path / "board").add(checked, "test").row
    assert row.n_skipped == 1 and "skipped" in row.note


def test_load_time_skips_are_in_the_summary_and_counted_once(run_copy, tmp_path):
    run, lines = load(run_copy)
    records = [json.loads(line) for line in lines]
    run["suite"]["skipped_at_load"] = [{"path": "/data/broken.json", "problem": "not valid JSON"}]
    run["summary"] = summarize_run(run, records)
    save(run_copy, run)
    checked = check_run_folder(run_copy)
    assert checked.summary["n_skipped"] == 1 and "1 sample(s) were skipped as bad input" in checked.notes[-1]
    assert Board(tmp_path / "board").add(checked, "test").row.n_skipped == 1
    run["summary"] = summarize(records, protocol=run["protocol"], seed=run["seeds"]["bootstrap_seed"])  # skips left out
    save(run_copy, run)
    assert "summary.n_skipped: stored 0, the records give 1" in problems_of(run_copy)[0]


def test_the_runs_own_data_dir_is_never_used(run_copy, tmp_path):
    run, _ = load(run_copy)
    elsewhere = tmp_path / "planted"
    run["config"]["data_dir"] = str(elsewhere)
    save(run_copy, run)
    check_run_folder(run_copy)  # the suite comes from this machine's default location
    assert not elsewhere.exists()
