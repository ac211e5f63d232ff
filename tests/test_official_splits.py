"""A run is ranked on a published split only when it holds that split's sample set; anything else is custom data.
A ranked row names its checkpoint; random, unknown or unrecorded weights are smoke and never ranked."""

from __future__ import annotations

import json

import pytest
from submission_fixtures import PINNED_WEIGHTS, load, published_description, save

from wisebench.board import official_splits
from wisebench.board.official_splits import CUSTOM, OFFICIAL, UNCHECKED, data_scope, ids_fingerprint, official_sets
from wisebench.board.ranking import checkpoint_label, ranking
from wisebench.board.store import Board
from wisebench.board.submission import check_run_folder
from wisebench.board.synthetic import make_synthetic_run


def run_claiming(suite: str, split: str) -> dict:
    return {"suite": {"name": suite, "split": split}, "model": {}, "config": {}}


def ids(count: int) -> list[str]:
    return [f"image_{index:04d}" for index in range(count)]


@pytest.mark.parametrize(
    ("suite", "split", "counts"),
    [
        ("reasonseg", "val", {200}),
        ("reasonseg", "test", {779}),
        ("refcoco", "val", {10834, 3811}),
        ("refcoco", "testA", {5657, 1975}),
        ("refcoco", "testB", {5095}),
        ("refcoco+", "val", {10758, 3805}),
        ("refcoco+", "testA", {5726, 1975}),
        ("refcoco+", "testB", {4889}),
        ("refcocog", "val", {4896, 2573}),
        ("refcocog", "test", {9602, 5023}),
    ],
)
def test_the_published_split_sizes_ship_as_data(suite, split, counts):
    assert {entry.n_samples for entry in official_sets(suite, split)} == counts
    assert data_scope(run_claiming(suite, split), True, ids(min(counts))) == (OFFICIAL, "")


def test_reasonseg_val_with_another_count_is_custom_data():
    scope, why = data_scope(run_claiming("reasonseg", "val"), True, ids(6))
    assert scope == CUSTOM and why == "custom data: 6 samples, while reasonseg/val has 200 (LISA folder or HF copy Ricky06662/ReasonSeg_val (one query per image))"
    assert data_scope(run_claiming("reasonseg", "test"), True, ids(778))[0] == CUSTOM
    assert data_scope(run_claiming("reasonseg", "test"), True, ids(780))[0] == CUSTOM


def test_an_unknown_split_or_size_is_custom_data_and_an_unverified_run_unchecked():
    assert data_scope(run_claiming("reasonseg", "val"), False, None) == (UNCHECKED, "")  # its reason: "unverified"
    assert data_scope(run_claiming("reasonseg", "val"), True, None) == (CUSTOM, "custom data: some entries of reasonseg/val here could not be read, so the split's size is unknown")
    assert data_scope(run_claiming("reasonseg-mini", "val"), True, ids(32))[1] == "custom data: reasonseg-mini/val is not a published split this board knows"
    assert data_scope(run_claiming("refcoco", "train"), True, ids(120624))[0] == CUSTOM


def test_a_known_id_list_must_match_not_only_the_count(monkeypatch):
    published = ids(200)
    table = {"reasonseg": {"val": [{"layout": "ids known", "n_samples": 200, "ids_sha256": ids_fingerprint(reversed(published))}]}}
    monkeypatch.setattr(official_splits, "_table", lambda: table)
    assert data_scope(run_claiming("reasonseg", "val"), True, published) == (OFFICIAL, "")
    other = published[:-1] + ["someone_elses_image"]
    assert data_scope(run_claiming("reasonseg", "val"), True, other) == (CUSTOM, "custom data: 200 samples as reasonseg/val has, but not its published sample ids")


def test_text_suites_by_task_name_are_published_and_task_yamls_custom():
    assert data_scope(run_claiming("lm-eval:gsm8k", "test"), True, ids(1319)) == (OFFICIAL, "")
    assert data_scope(run_claiming("lm-eval:tasks/toy.yaml", "test"), True, ids(8))[0] == CUSTOM
    assert data_scope(run_claiming("lm-eval:gsm8k", "test"), False, None)[0] == UNCHECKED


def test_the_official_table_is_package_data():
    from importlib import resources

    document = json.loads(resources.files("wisebench.board").joinpath("official_splits.json").read_text())
    assert document["format"] == "wisebench official splits, version 1"
    for splits in document["splits"].values():
        for entries in splits.values():
            assert all(isinstance(entry["n_samples"], int) and entry["n_samples"] > 0 for entry in entries)


def test_checkpoint_labels_name_the_weights():
    assert checkpoint_label({"backend": PINNED_WEIGHTS}, {}) == "org/published-model @ aaaaaaaaaaaa"
    local = {"backend": "hf", "checkpoint": "/scratch/wise-7b", "revision": None, "snapshot_commit": None, "files_digest": "0123456789abcdef"}
    assert checkpoint_label({"backend": local}, {}) == "/scratch/wise-7b (folder 0123456789abcdef)"
    assert checkpoint_label({"checkpoint": "synthetic/wise"}, {}) == "synthetic/wise (no fingerprint)"
    assert checkpoint_label({}, {}) == "(not recorded)"


def test_smoke_weights_and_custom_data_are_never_ranked():
    published = run_claiming("reasonseg", "val") | {"model": {"backend": PINNED_WEIGHTS}}
    assert ranking(published, None, 0, 200, set(), True, frozenset(ids(200))).ranked
    unverified = ranking(published, "the suite's data was not available here", 0, 200, set(), False, None)
    assert not unverified.ranked and unverified.data_scope == UNCHECKED and len(unverified.reasons) == 1
    custom = ranking(published, None, 0, 6, set(), True, frozenset(ids(6)))
    assert not custom.ranked and custom.data_scope == CUSTOM and not custom.smoke
    random = ranking(published | {"model": {"backend": PINNED_WEIGHTS, "random_weights": True}}, None, 0, 200, set(), True, frozenset(ids(200)))
    assert not random.ranked and random.smoke and random.reasons == ["smoke: random weights"]
    unknown = {"backend": "hf", "checkpoint": "/scratch/x", "revision": None, "snapshot_commit": None, "files_digest": "ffff"}
    local = ranking(published | {"model": {"backend": unknown}}, None, 0, 200, set(), True, frozenset(ids(200)))
    assert not local.ranked and local.smoke
    assert ranking(published | {"model": {"backend": unknown}}, None, 0, 200, {"ffff"}, True, frozenset(ids(200))).ranked


def test_a_board_row_carries_checkpoint_smoke_and_scope(tmp_path):
    folder = make_synthetic_run(tmp_path / "runs", "wise")
    row = Board(tmp_path / "board").add(check_run_folder(folder), "test").row
    assert row.checkpoint == "synthetic/wise (no fingerprint)" and row.smoke and row.data_scope == CUSTOM
    assert not row.ranked and "custom data: reasonseg-mini/val is not a published split" in row.unranked_reason
    run, records = load(folder)
    published_description(run, PINNED_WEIGHTS)
    save(folder, run)
    row = Board(tmp_path / "board-2").add(check_run_folder(folder), "test").row
    assert row.checkpoint == "org/published-model @ aaaaaaaaaaaa" and not row.smoke
    assert row.unranked_reason == "custom data: reasonseg-mini/val is not a published split this board knows"


def test_a_row_stored_before_the_split_check_is_not_ranked(tmp_path, monkeypatch):
    import sqlite3

    from submission_fixtures import treat_mini_as_published

    treat_mini_as_published(monkeypatch)
    folder = make_synthetic_run(tmp_path / "runs", "wise")
    run, _ = load(folder)
    published_description(run, PINNED_WEIGHTS)
    save(folder, run)
    board = Board(tmp_path / "board")
    assert board.add(check_run_folder(folder), "test").row.ranked
    connection = sqlite3.connect(board.database_path)
    stored = json.loads(connection.execute("SELECT row_json FROM runs").fetchone()[0])
    del stored["data_scope"], stored["smoke"]  # what a board written before this check holds
    connection.execute("UPDATE runs SET row_json = ?", (json.dumps(stored),))
    connection.commit()
    connection.close()
    (row,) = board.measured_rows()
    assert not row.ranked and row.unranked_reason.startswith("stored before the board checked published splits")


def test_the_split_size_counts_skipped_samples_and_not_orphan_images():
    from wisebench.board.sample_set import split_ids

    loaded = {sample_id: object() for sample_id in ids(198)}
    skipped = [{"sample_id": "bad_1", "problem": "cannot decode"}, {"sample_id": "bad_2", "problem": "cannot decode"}]
    orphan = {"sample_id": "stray", "problem": "image without its annotation stray.json", "not_a_sample": True}
    found = split_ids(loaded, [*skipped, orphan])
    assert len(found) == 200 and "stray" not in found
    assert data_scope(run_claiming("reasonseg", "val"), True, found) == (OFFICIAL, "")
    assert split_ids(loaded, [{"path": "refs(unc).p", "problem": "ref 7 unreadable"}]) is None  # its size unknown


def test_a_skipped_refcoco_ref_names_each_of_its_sentences():
    from wisebench.data.refcoco import _skipped_sentences

    entry = {"path": "refs(unc).p", "problem": "ref 7: no annotation"}
    ref = {"ref_id": 7, "sentences": [{"sent_id": 70, "sent": "left cup"}, {"sent_id": 71, "sent": "the cup"}]}
    assert [skip["sample_id"] for skip in _skipped_sentences(ref, entry)] == ["7-70", "7-71"]
    assert _skipped_sentences({"ref_id": 7, "sentences": "garbled"}, entry) == [entry]
    assert _skipped_sentences(None, entry) == [entry]
