"""Forged submissions (issue 18): each is rejected, or accepted but never ranked, with a reason.

Every forgery here keeps the run consistent with itself (the stored summary recomputed from the forged records),
so only the checks against the truth can catch it: per-sample I and U re-derived from the masks against the suite's
ground truth, bounds that hold without it, the run id and model re-derived from the configuration, and the ranking
rules (oracle, skips, unverified, unknown weights)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from submission_fixtures import PINNED_WEIGHTS, load, problems_of, published_description, save, treat_mini_as_published

from wisebench.board import ranking, sample_set
from wisebench.board.store import Board
from wisebench.board.submission import check_run_folder
from wisebench.board.synthetic import make_synthetic_run
from wisebench.errors import DatasetNotFoundError
from wisebench.metrics.iou import sample_iou
from wisebench.runner.config import RunConfig
from wisebench.scoring.record import decode_mask, encode_mask

pytest.importorskip("jsonschema")


@pytest.fixture(autouse=True)
def mini_is_a_published_split(monkeypatch):
    """These tests are about forgeries and weights: the mini suite stands in for a published split."""
    treat_mini_as_published(monkeypatch)


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, Path]:
    with pytest.MonkeyPatch.context() as patch:  # module scope: the shared cache conftest uses, set by hand
        patch.setenv("WISEBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "shared-cache"))
        from wisebench.runner.run import execute_run

        out = tmp_path_factory.mktemp("forgery-runs")
        oracle = execute_run(RunConfig(model="oracle", suite="reasonseg-mini", split="val", out=str(out)), progress=False)
        return {"wise": make_synthetic_run(out, "wise"), "oracle": oracle.folder}


@pytest.fixture
def wise(originals, tmp_path) -> Path:
    folder = tmp_path / "runs" / originals["wise"].name
    shutil.copytree(originals["wise"], folder)
    return folder


@pytest.fixture
def oracle(originals, tmp_path) -> Path:
    folder = tmp_path / "runs" / originals["oracle"].name
    shutil.copytree(originals["oracle"], folder)
    return folder


@pytest.fixture
def no_suite_data(monkeypatch):
    """The default for real ReasonSeg: the checker does not have the suite's data."""

    def unavailable(*_):
        raise DatasetNotFoundError("/nowhere", "ReasonSeg/val", "get it")

    monkeypatch.setattr(sample_set, "suite_samples", unavailable)


def board_row(folder: Path, board: Path, data_dir: str | None = None):
    return Board(board).add(check_run_folder(folder, data_dir), "test").row


def masked(records: list[dict]) -> list[dict]:
    return [record for record in records if record["mask_rle"] is not None]


# ----- per-sample scores re-derived from the masks -------------------------------------------------------------------


def test_intersection_set_to_the_union_is_rejected(wise, tmp_path):
    run, records = load(wise)
    for record in records:
        for score in record["scores"].values():
            score["intersection"] = score["union"]
    save(wise, run, records, resummarize=True)  # a stored gIoU of 100, consistent with the records
    problems = problems_of(wise)
    assert any("scores.lisa: intersection" in problem and "is above the predicted area" in problem for problem in problems)


def test_scores_within_every_bound_without_suite_data_are_never_ranked(wise, tmp_path, no_suite_data):
    run, records = load(wise)
    for record in masked(records):  # claim every predicted pixel lies on the target: I = |mask|, U = max(|gt|, |mask|)
        for score in record["scores"].values():
            score.update(intersection=record["pred_area"], union=max(record["gt_area"], record["pred_area"]))
    save(wise, run, records, resummarize=True)
    row = board_row(wise, tmp_path / "board")
    assert row.giou > 0.85 and not row.ranked
    assert "unverified: the suite's data was not available here" in row.unranked_reason


def test_the_same_scores_with_suite_data_are_rejected(wise):
    run, records = load(wise)
    for record in masked(records):
        for score in record["scores"].values():
            score.update(intersection=record["pred_area"], union=max(record["gt_area"], record["pred_area"]))
    save(wise, run, records, resummarize=True)
    assert any("but the mask and ground truth give" in problem for problem in problems_of(wise))


@pytest.mark.parametrize("use_suite_data", [True, False])
def test_intersection_above_the_union_is_rejected(wise, request, use_suite_data):
    if not use_suite_data:
        request.getfixturevalue("no_suite_data")
    run, records = load(wise)
    for record in records:
        for score in record["scores"].values():
            score["intersection"] = 10 * score["union"]
    save(wise, run, records, resummarize=True)  # gIoU 119 / cIoU 111.7 on the old board
    problems = problems_of(wise)
    assert any("scores.lisa: intersection" in problem and "is not within 0..union" in problem for problem in problems)


def test_union_below_the_ground_truth_area_is_rejected_without_suite_data(wise, no_suite_data):
    run, records = load(wise)
    record = masked(records)[0]
    record["scores"]["lisa"].update(intersection=0, union=record["gt_area"] - 1)
    save(wise, run, records, resummarize=True)
    assert any(f"union {record['gt_area'] - 1} is below the ground-truth area {record['gt_area']}" in problem for problem in problems_of(wise))


def test_swapped_masks_with_the_scores_kept_are_rejected(wise):
    run, records = load(wise)
    first, second = masked(records)[:2]
    first["mask_rle"], second["mask_rle"] = second["mask_rle"], first["mask_rle"]
    first["pred_area"], second["pred_area"] = second["pred_area"], first["pred_area"]  # even the areas follow
    save(wise, run, records)
    problems = problems_of(wise)
    assert any(repr(first["sample_id"]) in problem for problem in problems)
    assert any(repr(second["sample_id"]) in problem for problem in problems)


def test_a_moved_mask_of_the_same_size_and_area_is_rejected(wise):
    run, records = load(wise)
    record = masked(records)[0]
    mask = decode_mask(record["mask_rle"])
    record["mask_rle"] = encode_mask(np.roll(mask, mask.shape[0] // 2, axis=0))  # same pixels count, elsewhere
    save(wise, run, records)
    problems = problems_of(wise)
    assert any(f"sample {record['sample_id']!r}: scores.lisa.intersection is {record['scores']['lisa']['intersection']}" in problem for problem in problems)


@pytest.mark.parametrize("use_suite_data", [True, False])
def test_nulled_masks_with_the_scores_kept_are_rejected(wise, request, use_suite_data):
    if not use_suite_data:
        request.getfixturevalue("no_suite_data")
    run, records = load(wise)
    victim = masked(records)[3]
    victim["mask_rle"] = None
    save(wise, run, records)
    assert any(f"sample {victim['sample_id']!r}: pred_area {victim['pred_area']} but there is no mask" in problem for problem in problems_of(wise))


def test_a_mask_that_is_not_the_image_size_is_rejected(wise):
    run, records = load(wise)
    record = masked(records)[0]
    mask = decode_mask(record["mask_rle"])
    record["mask_rle"] = encode_mask(np.vstack([mask, np.zeros((1, mask.shape[1]), bool)]))  # one row taller
    save(wise, run, records)
    height, width = mask.shape
    assert any(f"mask_rle.size is {height + 1} x {width} but the image is {height} x {width}" in problem for problem in problems_of(wise))


def test_edited_image_id_and_subsets_are_rejected(wise):
    run, records = load(wise)
    records[0]["image_id"] = "another-image"  # would merge bootstrap clusters
    records[1]["subsets"] = ["long"] if "short" in records[1]["subsets"] else ["short"]
    save(wise, run, records, resummarize=True)
    problems = problems_of(wise)
    assert any("image_id 'another-image' is not the suite's" in problem for problem in problems)
    assert any("are not the suite's" in problem and records[1]["sample_id"] in problem for problem in problems)


# ----- identity re-derived from the configuration --------------------------------------------------------------------


def test_the_oracle_renamed_to_seg_zero_is_rejected(oracle):
    run, records = load(oracle)
    run["config"]["model"] = run["identity"]["model"] = "seg-zero"
    save(oracle, run)
    problems = problems_of(oracle)
    assert any("run_id" in problem and "is not the one its configuration gives" in problem for problem in problems)
    assert "run.json: the configuration says model 'seg-zero' but the adapter described itself as 'oracle'" in problems

    run["run_id"] = RunConfig.from_json(run["config"]).run_id()  # the forger re-derives the id too
    oracle = oracle.rename(oracle.parent / run["run_id"])
    save(oracle, run)
    assert problems_of(oracle) == ["run.json: the configuration says model 'seg-zero' but the adapter described itself as 'oracle'"]

    run["model"]["adapter"] = "seg-zero"  # and renames the adapter: the description is still not Seg-Zero's
    save(oracle, run)
    [problem] = problems_of(oracle)
    assert problem.startswith("run.json: the model description is not the registered seg-zero spec's in ")
    assert "prompt_template" in problem


def test_the_oracle_is_accepted_but_never_ranked(oracle, tmp_path):
    row = board_row(oracle, tmp_path / "board")
    assert row.model == "oracle" and not row.ranked
    assert "the oracle reads the ground truth" in row.unranked_reason


def test_an_edited_configuration_no_longer_matches_its_run_id(wise):
    run, _ = load(wise)
    run["config"]["seed"] = run["identity"]["seed"] = 7
    save(wise, run)
    [problem] = problems_of(wise)
    assert problem.startswith(f"run.json: run_id {run['run_id']!r} is not the one its configuration gives")
    run["config"]["seed"] = 0  # identity edited alone
    save(wise, run)
    assert problems_of(wise) == ["run.json: identity disagrees with config in seed"]


# ----- skipped samples -------------------------------------------------------------------------------------------


def skip(record: dict) -> None:
    record.update(scores={}, mask_rle=None, gt_area=None, pred_area=None, prediction={}, skipped={"path": "/data/x.jpg", "problem": "cannot decode image"})


def test_skipping_the_hardest_samples_is_not_ranked_and_scores_them_zero(wise, tmp_path):
    run, records = load(wise)
    hardest = sorted(records, key=lambda record: sample_iou(record["scores"]["lisa"]["intersection"], record["scores"]["lisa"]["union"], "lisa"))
    for record in hardest[:31]:
        skip(record)
    save(wise, run, records, resummarize=True)
    checked = check_run_folder(wise)
    assert checked.summary["subsets"]["overall"]["giou"] > 0.9  # what the run claims: 31 of 32 skipped
    row = Board(tmp_path / "board").add(checked, "test").row
    assert not row.ranked and "31 of 32 samples left out" in row.unranked_reason
    kept = hardest[31]["scores"]["lisa"]
    assert row.giou == pytest.approx(sample_iou(kept["intersection"], kept["union"], "lisa") / 32)
    assert row.n_skipped == 31 and "(scored IoU 0)" in row.note


def test_a_skip_within_the_stated_share_scores_zero_in_a_ranked_row(wise, tmp_path, monkeypatch):
    monkeypatch.setattr(ranking, "MAX_LEFT_OUT_SHARE", 0.05)  # the mini suite has 32 samples: 1 skip is 3%
    run, records = load(wise)
    published_description(run, PINNED_WEIGHTS)
    ious = [sample_iou(record["scores"]["lisa"]["intersection"], record["scores"]["lisa"]["union"], "lisa") for record in records]
    skip(records[0])
    save(wise, run, records, resummarize=True)
    row = board_row(wise, tmp_path / "board")
    assert row.ranked and row.unranked_reason == ""
    assert row.giou == pytest.approx((sum(ious) - ious[0]) / 32)  # the skipped sample counts, at IoU 0
    monkeypatch.setattr(ranking, "MAX_LEFT_OUT_SHARE", 0.01)
    assert not board_row(wise, tmp_path / "board-strict").ranked


def test_claimed_wrong_size_masks_count_as_left_out(wise, tmp_path):
    run, records = load(wise)
    run["protocol"] = run["config"]["protocol"] = "segzero"  # the protocol that drops such samples
    for record in masked(records)[:2]:
        record.update(mask_rle=None, pred_area=0, prediction=dict(record["prediction"], failure="mask_shape_mismatch: predicted (1, 1)"))
        union = record["gt_area"]
        record["scores"] = {protocol: {"intersection": 0, "union": union} for protocol in ("lisa", "segzero", "visionreasoner")}
        record["scores"]["segzero"]["dropped"] = True
    save(wise, run, records, resummarize=True)
    row = board_row(wise, tmp_path / "board")
    assert "2 of 32 samples left out" in row.unranked_reason


# ----- unverified and unknown weights ----------------------------------------------------------------------------


def test_dropped_samples_with_a_fixed_fingerprint_are_unverified_and_never_ranked(wise, tmp_path, no_suite_data):
    from wisebench.runner.fingerprint import records_fingerprint

    run, records = load(wise)
    published_description(run, PINNED_WEIGHTS)
    kept = records[:-3]
    run["suite"]["n_samples"] = len(kept)
    run["suite"]["samples_fingerprint"] = records_fingerprint(kept)
    save(wise, run, kept, resummarize=True)
    checked = check_run_folder(wise)
    assert "not available here" in checked.notes[0]
    row = Board(tmp_path / "board").add(checked, "test").row
    assert not row.ranked and row.unranked_reason.startswith("unverified: ")


def test_unknown_weights_are_smoke_until_pinned_or_listed(wise, tmp_path):
    run, records = load(wise)
    local = {"backend": "hf", "checkpoint": "/scratch/tiny-random-qwen", "revision": None, "snapshot_commit": None, "files_digest": "feedfacecafebeef"}
    published_description(run, local)
    save(wise, run)
    board = tmp_path / "board"
    row = board_row(wise, board)
    assert not row.ranked and "smoke: unknown weights '/scratch/tiny-random-qwen'" in row.unranked_reason
    (board / ranking.KNOWN_WEIGHTS_FILE).write_text(json.dumps({"weights": [{"files_digest": "feedfacecafebeef", "name": "WISE-7B"}]}))
    assert board_row(wise, tmp_path / "board").ranked  # the same run, now that the board vouches for the folder

    published_description(run, dict(local, checkpoint="org/model"))  # a hub id, but no revision
    save(wise, run)
    assert "smoke: unknown weights 'org/model'" in board_row(wise, tmp_path / "board-2").unranked_reason
    published_description(run, PINNED_WEIGHTS)
    save(wise, run)
    assert board_row(wise, tmp_path / "board-3").ranked


def test_random_weights_in_the_description_alone_are_rejected(wise):
    run, _ = load(wise)
    run["model"]["random_weights"] = True  # smoke not declared in run["smoke"]
    save(wise, run)
    assert "a smoke run (random weights) is never ranked" in problems_of(wise)


def test_a_synthetic_run_is_accepted_but_not_ranked(wise, tmp_path):
    row = board_row(wise, tmp_path / "board")
    assert not row.ranked and "scripted predictions (synthetic)" in row.unranked_reason
    assert "smoke: the run records no weight fingerprint" in row.unranked_reason


def test_a_broken_known_weights_file_is_a_named_error(wise, tmp_path):
    from wisebench.errors import WisebenchError

    board = tmp_path / "board"
    board.mkdir()
    (board / ranking.KNOWN_WEIGHTS_FILE).write_text('{"weights": "all of them"}')
    with pytest.raises(WisebenchError, match="known_weights.json: expected"):
        board_row(wise, board)
