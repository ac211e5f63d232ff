"""A run re-scored under another protocol (`wisebench run --protocol P` on the finished run) keeps its identity and
sits on the board as two rows of the same run, one per protocol; the extra summary is checked like the first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wisebench.board.store import Board
from wisebench.board.submission import SubmissionRejected, check_run_folder
from wisebench.cli import main
from wisebench.errors import WisebenchError


@pytest.fixture(scope="module")
def rescored_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    base = ["run", "--model", "oracle", "--suite", "reasonseg-mini", "--out", str(out), "--no-progress"]
    assert main(base) == 0
    assert main([*base, "--protocol", "segzero"]) == 0
    (folder,) = [path for path in out.iterdir() if path.is_dir()]
    return folder


def test_two_protocols_of_one_run_are_two_rows_of_that_run(rescored_run, tmp_path):
    run = json.loads((rescored_run / "run.json").read_text())
    assert run["protocol"] == "lisa" and set(run["summaries"]) == {"segzero"}
    board = Board(tmp_path / "board")
    board.add(check_run_folder(rescored_run), str(rescored_run))
    rows = board.measured_rows()
    assert [(row.run_id, row.protocol) for row in rows] == [(run["run_id"], "lisa"), (run["run_id"], "segzero")]
    assert rows[1].giou == pytest.approx(run["summaries"]["segzero"]["subsets"]["overall"]["giou"])
    assert rows[0].ranked == rows[1].ranked  # one run, one verdict
    # Each row's views read the summary under that row's protocol (OAA_t, subsets, bands).
    assert board.summary(run["run_id"])["protocol"] == "lisa" == board.summary(run["run_id"], "lisa")["protocol"]
    segzero = board.summary(run["run_id"], "segzero")
    assert segzero["protocol"] == "segzero" and segzero["subsets"]["overall"]["giou"] == rows[1].giou
    with pytest.raises(WisebenchError, match="no summary under protocol 'visionreasoner'"):
        board.summary(run["run_id"], "visionreasoner")


def test_an_edited_second_protocol_summary_is_rejected(rescored_run, tmp_path):
    import shutil

    copy = tmp_path / rescored_run.name
    shutil.copytree(rescored_run, copy)
    run = json.loads((copy / "run.json").read_text())
    run["summaries"]["segzero"]["subsets"]["overall"]["giou"] = 0.99
    (copy / "run.json").write_text(json.dumps(run))
    with pytest.raises(SubmissionRejected) as caught:
        check_run_folder(copy)
    assert any("stored segzero summary does not match its records" in problem for problem in caught.value.problems)
    run["summaries"] = {"lisa": run["summary"]}  # the run's own protocol again: not another one
    (copy / "run.json").write_text(json.dumps(run))
    with pytest.raises(SubmissionRejected) as caught:
        check_run_folder(copy)
    assert any("summaries names 'lisa'" in problem for problem in caught.value.problems)


def test_a_re_score_made_before_the_run_finished_follows_the_records(tmp_path):
    """A --protocol re-score stored while the run was partial is redone when a later session finishes the run."""
    from wisebench.metrics.summary import summarize_run
    from wisebench.runner.store import read_records

    base = ["run", "--model", "oracle", "--suite", "reasonseg-mini", "--out", str(tmp_path), "--no-progress", "--batch-size", "4", "--shard", "0/2"]
    assert main(base) == 0
    (folder,) = [path for path in tmp_path.iterdir() if path.is_dir()]
    lines = (folder / "records.jsonl").read_text().splitlines()
    (folder / "records.jsonl").write_text("".join(line + "\n" for line in lines[:5]))  # as if the run had stopped there
    run = json.loads((folder / "run.json").read_text())
    run["summaries"] = {"segzero": summarize_run(run, read_records(folder), protocol="segzero")}
    (folder / "run.json").write_text(json.dumps(run))
    assert main(base) == 0  # resumed under its own protocol: finishes the shard
    run, records = json.loads((folder / "run.json").read_text()), read_records(folder)
    assert run["protocol"] == "lisa" and len(records) == len(lines)
    assert run["summaries"]["segzero"] == json.loads(json.dumps(summarize_run(run, records, protocol="segzero")))


def test_merged_shards_re_score_their_other_protocols_over_the_whole_run(tmp_path):
    from wisebench.metrics.summary import summarize_run
    from wisebench.runner.store import read_records

    for index in range(2):
        base = ["run", "--model", "oracle", "--suite", "reasonseg-mini", "--out", str(tmp_path / "shards"), "--no-progress", "--shard", f"{index}/2"]
        assert main(base) == 0 and main([*base, "--protocol", "segzero"]) == 0
    assert main(["merge", *map(str, sorted((tmp_path / "shards").iterdir())), "--out", str(tmp_path / "merged")]) == 0
    (merged,) = [path for path in (tmp_path / "merged").iterdir() if path.is_dir()]
    run, records = json.loads((merged / "run.json").read_text()), read_records(merged)
    assert len(records) == 32 and run["summaries"]["segzero"] == json.loads(json.dumps(summarize_run(run, records, protocol="segzero")))
    check_run_folder(merged)  # accepted: both summaries match the records
