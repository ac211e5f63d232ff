"""The board store: SQLite index + copies of run folders; reported rows; concurrent submitters."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sqlite3
from pathlib import Path

import pytest

from wisebench.board.reported import default_reported_file, reported_rows
from wisebench.board.rows import MEASURED, REPORTED
from wisebench.board.store import DATABASE_FILE, Board, default_board_dir
from wisebench.board.submission import check_run_folder
from wisebench.board.synthetic import make_synthetic_run
from wisebench.errors import RunStoreError, WisebenchError
from wisebench.runner.store import RECORDS_FILE, RUN_FILE

pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    with pytest.MonkeyPatch.context() as patch:  # module scope: the shared cache conftest uses, set by hand
        patch.setenv("WISEBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "shared-cache"))
        out = tmp_path_factory.mktemp("board-runs")
        folders = {model: make_synthetic_run(out, model) for model in ("seg-zero", "wise", "wise-s")}
        folders["wise-test"] = make_synthetic_run(out, "wise", split="test")
        folders["wise-seed1"] = make_synthetic_run(out, "wise", seed=1)
        return folders


def test_default_board_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WISEBENCH_BOARD", str(tmp_path / "b"))
    assert default_board_dir() == tmp_path / "b"
    assert Board().folder == tmp_path / "b"


def test_reading_an_empty_board_creates_nothing(tmp_path):
    board = Board(tmp_path / "never")
    assert board.measured_rows() == [] and board.run_ids() == []
    assert all(row.kind == REPORTED for row in board.rows())
    assert not (tmp_path / "never").exists()


def test_added_run_is_indexed_and_copied(runs, tmp_path):
    board = Board(tmp_path / "board")
    result = board.add(check_run_folder(runs["wise"]), submitted_from=str(runs["wise"]))
    assert result.status == "added"
    assert result.folder == board.runs_folder / runs["wise"].name
    assert (result.folder / RUN_FILE).read_bytes() == (runs["wise"] / RUN_FILE).read_bytes()
    assert (result.folder / RECORDS_FILE).read_bytes() == (runs["wise"] / RECORDS_FILE).read_bytes()
    [row] = board.measured_rows()
    stored_summary = json.loads((runs["wise"] / RUN_FILE).read_text())["summary"]
    assert row.kind == MEASURED and row.model == "wise" and row.family == "WISE"
    assert (row.suite, row.split, row.protocol) == ("reasonseg-mini", "val", "lisa")
    assert row.ciou == stored_summary["subsets"]["overall"]["ciou"]
    assert [row.giou_low, row.giou_high] == stored_summary["subsets"]["overall"]["giou_ci"]
    assert row.mean_reasoning_tokens == stored_summary["tokens"]["reasoning"]["mean"]
    assert row.latency_p50 == stored_summary["latency"]["total"]["p50"]
    assert row.backend == "scripted + shifted-ground-truth" and row.n_samples == 32
    assert board.summary(row.run_id) == stored_summary
    assert len(board.records(row.run_id)) == 32
    assert board.integrity_problems() == []


def test_the_board_keeps_what_was_checked(runs, tmp_path):
    """Changing the submitter's folder later changes nothing; changing the board's copy is detected."""
    source = tmp_path / "source" / runs["wise"].name
    shutil.copytree(runs["wise"], source)
    board = Board(tmp_path / "board")
    board.add(check_run_folder(source), submitted_from=str(source))
    shutil.rmtree(source)
    assert len(board.records(runs["wise"].name)) == 32
    with open(board.run_folder(runs["wise"].name) / RECORDS_FILE, "a") as stream:
        stream.write("\n")
    assert board.integrity_problems() == [f"{runs['wise'].name}: {board.run_folder(runs['wise'].name) / RECORDS_FILE} changed since it was submitted"]


def test_same_run_twice_is_a_no_op_and_a_different_one_needs_replace(runs, tmp_path):
    board = Board(tmp_path / "board")
    checked = check_run_folder(runs["wise"])
    board.add(checked, "a")
    assert board.add(checked, "a").status == "unchanged"
    altered = check_run_folder(runs["wise"])
    altered.run_bytes = altered.run_bytes.replace(b'"status": "complete"', b'"status": "complete" ', 1)
    with pytest.raises(WisebenchError, match="already holds a different run"):
        board.add(altered, "b")
    assert board.add(altered, "b", replace=True).status == "replaced"
    assert board.integrity_problems() == []
    assert not [path for path in board.runs_folder.iterdir() if path.name.startswith(".")]  # no temporary folders left


def test_unknown_run_and_unsafe_folder_names(tmp_path, runs):
    board = Board(tmp_path / "board")
    board.add(check_run_folder(runs["wise"]), "a")
    with pytest.raises(WisebenchError, match="not on the board"):
        board.summary("nope")
    with sqlite3.connect(board.database_path) as connection:  # a hand-edited index must not lead outside runs/
        connection.execute("UPDATE runs SET folder = '../../etc'")
    with pytest.raises(RunStoreError, match="invalid run id"):
        board.run_folder(runs["wise"].name)


def test_reported_rows_come_from_the_papers():
    rows = reported_rows()
    assert all(row.kind == REPORTED and row.run_id is None and row.source for row in rows)
    wise_s = [row for row in rows if row.model == "WISE-7B-S" and (row.suite, row.split) == ("reasonseg", "test")]
    assert len(wise_s) == 1
    assert (wise_s[0].giou, wise_s[0].ciou, wise_s[0].mean_reasoning_tokens) == pytest.approx((0.603, 0.583, 22.7))
    assert wise_s[0].protocol == "segzero" and "WISE" in wise_s[0].source
    seg_zero = [row for row in rows if row.model == "Seg-Zero-7B (paper)" and row.suite == "refcocog"]
    assert seg_zero[0].ciou == pytest.approx(0.726) and seg_zero[0].giou is None and seg_zero[0].mean_reasoning_tokens == pytest.approx(159.8)
    assert {row.protocol for row in rows if row.family == "LISA"} == {"lisa"}
    assert not [row for row in rows if "DR2Seg" in row.model or "VisionReasoner" in row.model]  # second-hand anchors stay out
    document = json.loads(default_reported_file().read_text())
    assert document["unit"] == "percent" and len(document["rows"]) == len(rows)


def test_reported_file_errors(tmp_path):
    bad = tmp_path / "reported.json"
    bad.write_text(json.dumps({"unit": "percent", "rows": [{"model": "m", "family": "f", "suite": "s", "split": "v", "protocol": "lisa", "source": "x", "kind": "measured"}]}))
    with pytest.raises(WisebenchError, match="kind must be 'reported'"):
        reported_rows(bad)
    bad.write_text(json.dumps({"unit": "points", "rows": []}))
    with pytest.raises(WisebenchError, match="unit"):
        reported_rows(bad)
    bad.write_text(json.dumps({"unit": "percent", "rows": [{"model": "m"}]}))
    with pytest.raises(WisebenchError, match="missing family, suite, split, protocol, source"):
        reported_rows(bad)


def test_board_rows_keep_measured_and_reported_apart(runs, tmp_path):
    board = Board(tmp_path / "board")
    board.add(check_run_folder(runs["seg-zero"]), "a")
    rows = board.rows()
    assert [row.kind for row in rows].count(MEASURED) == 1
    assert rows[0].kind == MEASURED and rows[0].source.startswith("wisebench run ")


def _submit_in_process(args: tuple[str, list[str]]) -> list[str]:
    board_folder, folders = args
    board = Board(board_folder)
    return [board.add(check_run_folder(Path(folder)), folder).status for folder in folders]


def test_concurrent_submitters_do_not_corrupt_the_board(runs, tmp_path):
    board = Board(tmp_path / "board")
    names = ["seg-zero", "wise", "wise-s", "wise-test", "wise-seed1"]
    # Four processes, overlapping: each run is submitted by two of them at once.
    plans = [[str(runs[names[(start + offset) % 5]]) for offset in range(3)] for start in range(4)]
    with multiprocessing.get_context("fork").Pool(4) as pool:
        outcomes = pool.map(_submit_in_process, [(str(board.folder), plan) for plan in plans])
    statuses = [status for outcome in outcomes for status in outcome]
    assert statuses.count("added") == 5 and statuses.count("unchanged") == len(statuses) - 5
    assert sorted(board.run_ids()) == sorted(runs[name].name for name in names)
    assert board.integrity_problems() == []
    assert {path.name for path in board.runs_folder.iterdir()} == {runs[name].name for name in names}
    with sqlite3.connect(board.folder / DATABASE_FILE) as connection:
        assert connection.execute("SELECT count(*) FROM runs").fetchone()[0] == 5
