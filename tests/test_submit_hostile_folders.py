"""Hostile run folders (issue 18): `wisebench submit` runs in a child process under a memory cap and a time limit,
and each folder ends in a named error (exit 2, the problem in one line, no traceback), never a hang or a blow-up.

The cap (RLIMIT_AS, 1 GiB of address space) is far below what each attack asks for (/dev/zero read to the end,
a 37 GiB mask, 300 MB of text), and well above what checking a genuine run needs; the first test shows the cap
bites, the second that a genuine run fits under it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from submission_fixtures import load, save

from wisebench.board.synthetic import make_synthetic_run
from wisebench.runner.store import RECORDS_FILE, RUN_FILE

pytest.importorskip("jsonschema")

MEMORY_CAP_BYTES = 1024 * 1024 * 1024
TIME_LIMIT_SECONDS = 120
REPOSITORY = Path(__file__).resolve().parents[1]

CAPPED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
{body}
"""
SUBMIT = """
from wisebench.cli import main
sys.exit(main(sys.argv[1:]))
"""


def capped(body: str, *argv: str) -> subprocess.CompletedProcess:
    script = CAPPED.format(cap=MEMORY_CAP_BYTES, body=body)
    return subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS, cwd=REPOSITORY, env=dict(os.environ))


def submit(folder: Path, board: Path, *extra: str) -> subprocess.CompletedProcess:
    return capped(SUBMIT, "submit", str(folder), "--board", str(board), *extra)


@pytest.fixture(scope="module")
def genuine(tmp_path_factory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WISEBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "shared-cache"))
        return make_synthetic_run(tmp_path_factory.mktemp("hostile-runs"), "wise")


@pytest.fixture
def run_copy(genuine, tmp_path) -> Path:
    folder = tmp_path / "runs" / genuine.name
    shutil.copytree(genuine, folder)
    return folder


def rejected(result: subprocess.CompletedProcess, expected: str) -> None:
    """Exit 2 with the submission's named error and `expected` among its problems; no traceback."""
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert "rejected" in result.stderr and expected in result.stderr, result.stderr[-2000:]


def test_the_cap_stops_an_unbounded_read():
    result = capped("open('/dev/zero', 'rb').read()")
    assert result.returncode != 0 and "MemoryError" in result.stderr


def test_a_genuine_run_is_submitted_under_the_cap(genuine, tmp_path):
    result = submit(genuine, tmp_path / "board")
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"run {genuine.name} added to the board" in result.stdout


def test_run_json_linked_to_dev_zero(run_copy, tmp_path):
    (run_copy / RUN_FILE).unlink()
    (run_copy / RUN_FILE).symlink_to("/dev/zero")
    rejected(submit(run_copy, tmp_path / "board"), "run.json is a symbolic link")


def test_records_linked_to_another_file(run_copy, tmp_path):
    target = tmp_path / "elsewhere.jsonl"
    shutil.move(run_copy / RECORDS_FILE, target)
    (run_copy / RECORDS_FILE).symlink_to(target)
    rejected(submit(run_copy, tmp_path / "board"), "records.jsonl is a symbolic link")


def test_records_as_a_fifo(run_copy, tmp_path):
    (run_copy / RECORDS_FILE).unlink()
    os.mkfifo(run_copy / RECORDS_FILE)  # nobody ever writes: a blocking open would wait forever
    rejected(submit(run_copy, tmp_path / "board"), "records.jsonl is not a regular file (a FIFO)")


def test_records_as_a_folder(run_copy, tmp_path):
    (run_copy / RECORDS_FILE).unlink()
    (run_copy / RECORDS_FILE).mkdir()
    rejected(submit(run_copy, tmp_path / "board"), "records.jsonl is not a regular file (a directory)")


def test_three_hundred_megabytes_of_records(run_copy, tmp_path):
    with open(run_copy / RECORDS_FILE, "r+b") as stream:
        stream.truncate(300 * 1024 * 1024)  # sparse: nothing is written, the size is what counts
    rejected(submit(run_copy, tmp_path / "board"), "records.jsonl is 314572800 bytes, over the board's limit")


def test_an_oversized_run_json(run_copy, tmp_path):
    with open(run_copy / RUN_FILE, "r+b") as stream:
        stream.truncate(64 * 1024 * 1024)
    rejected(submit(run_copy, tmp_path / "board"), "run.json is 67108864 bytes, over the board's limit")


def test_a_record_line_over_the_line_limit(run_copy, tmp_path):
    run, records = load(run_copy)
    records[2]["prediction"]["raw_text"] = "x" * (5 * 1024 * 1024)
    save(run_copy, run, records)
    rejected(submit(run_copy, tmp_path / "board"), "records.jsonl line 3: 524")


def test_a_text_field_over_the_text_limit(run_copy, tmp_path):
    run, records = load(run_copy)
    records[2]["prediction"]["reasoning_text"] = "why " * 300_000  # 1.2 M characters in a 1.2 MB line
    save(run_copy, run, records)
    rejected(submit(run_copy, tmp_path / "board"), "records.jsonl line 3: prediction.reasoning_text: text of 1200000 characters")


@pytest.mark.parametrize("with_suite_data", [True, False])
def test_a_mask_of_200000_by_200000(run_copy, tmp_path, with_suite_data):
    run, records = load(run_copy)
    record = next(record for record in records if record["mask_rle"])
    record["mask_rle"] = {"size": [200000, 200000], "counts": record["mask_rle"]["counts"]}
    save(run_copy, run, records)
    extra = () if with_suite_data else ("--data-dir", str(tmp_path / "no-data"))
    rejected(submit(run_copy, tmp_path / "board", *extra), "mask_rle.size 200000 x 200000 is over the board's limit")


def test_mask_counts_that_overrun_the_mask(run_copy, tmp_path):
    run, records = load(run_copy)
    record = next(record for record in records if record["mask_rle"])
    record["mask_rle"]["counts"] = "?" * 5000  # runs far beyond H x W: pycocotools would write past its buffer
    save(run_copy, run, records)
    rejected(submit(run_copy, tmp_path / "board"), "mask_rle.counts covers more than the mask's")


def test_a_lone_surrogate_in_a_record(run_copy, tmp_path):
    lines = (run_copy / RECORDS_FILE).read_text().splitlines(keepends=True)
    assert '"reasoning_text":"' in lines[4]  # the run store writes compact JSON
    lines[4] = lines[4].replace('"reasoning_text":"', '"reasoning_text":"\\ud800', 1)
    (run_copy / RECORDS_FILE).write_text("".join(lines))
    rejected(submit(run_copy, tmp_path / "board"), "records.jsonl line 5: prediction.reasoning_text: text holds a lone surrogate")


def test_nesting_a_million_levels_deep(run_copy, tmp_path):
    lines = (run_copy / RECORDS_FILE).read_text().splitlines(keepends=True)
    lines[1] = "[" * 1_000_000 + "]" * 1_000_000 + "\n"
    (run_copy / RECORDS_FILE).write_text("".join(lines))
    rejected(submit(run_copy, tmp_path / "board"), "records.jsonl line 2: nested too deeply")


def test_nan_in_run_json(run_copy, tmp_path):
    text = (run_copy / RUN_FILE).read_text()
    (run_copy / RUN_FILE).write_text(text.replace('"seed": 0', '"seed": NaN', 1))
    rejected(submit(run_copy, tmp_path / "board"), "run.json: NaN is not a JSON number")


def test_the_app_refuses_a_huge_mask_without_allocating_it():
    body = """
from leaderboard import samples
from leaderboard.overlay import overlay
from wisebench.board.untrusted import UntrustedInputError
try:
    samples.predicted_mask({"mask_rle": {"size": [200000, 200000], "counts": "0"}})
except UntrustedInputError as error:
    print("refused:", error)
picture = overlay(None, None, None, [], size=(16384, 16384))  # the largest size a record may hold
print("drawn", max(picture.shape[:2]) <= 900)
"""
    result = capped(body)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "refused: mask_rle.size 200000 x 200000 is over the board's limit" in result.stdout
    assert "drawn True" in result.stdout


def test_too_many_records_is_a_named_problem(monkeypatch):
    from wisebench.board import submission

    monkeypatch.setattr(submission, "MAX_RECORDS", 3)
    records, problems = submission.parse_records(b"".join(json.dumps({"sample_id": str(index)}).encode() + b"\n" for index in range(5)))
    assert len(records) == 3 and problems == ["records.jsonl holds more than the board's limit of 3 records"]


def test_numbers_json_allows_and_the_board_does_not(run_copy, tmp_path):
    """A 5000-digit integer (Python's parser would spend its 4300-digit limit on it) and an overflowing float."""
    text = (run_copy / RUN_FILE).read_text()
    (run_copy / RUN_FILE).write_text(text.replace('"schema_version": 1', '"schema_version": ' + "1" * 5000, 1))
    rejected(submit(run_copy, tmp_path / "board"), "an integer of 5000 digits")
    (run_copy / RUN_FILE).write_text(text)
    lines = (run_copy / RECORDS_FILE).read_text().splitlines()
    assert '"gt_area":' in lines[0]
    lines[0] = lines[0].replace('"gt_area":', '"gt_area":1e999,"was":', 1)
    (run_copy / RECORDS_FILE).write_text("\n".join(lines) + "\n")
    rejected(submit(run_copy, tmp_path / "board"), "1e999 is out of range")


def test_millions_of_damaged_record_lines_cost_nothing(run_copy, tmp_path):
    (run_copy / RECORDS_FILE).write_bytes(b"1\n" * 20_000_000)  # 40 MB of lines that are not records
    started = __import__("time").perf_counter()
    result = submit(run_copy, tmp_path / "board")
    rejected(result, "not a record (no sample_id)")
    assert __import__("time").perf_counter() - started < 60


def test_forged_mask_sizes_are_counted_without_decoding(run_copy, tmp_path):
    """8192 x 8192 empty masks declared by a few bytes each: counting their pixels allocates nothing."""
    from wisebench.scoring.record import encode_mask

    import numpy as np

    empty = encode_mask(np.zeros((8192, 8192), bool))
    run, records = load(run_copy)
    for record in records:
        record["mask_rle"], record["pred_area"] = empty, 0
    save(run_copy, records=records * 40)  # many records, each a 64-megapixel mask if decoded
    result = submit(run_copy, tmp_path / "board")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-2000:]
