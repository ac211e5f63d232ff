"""The checked-in JSON Schemas: valid schemas, real run folders pass, broken documents get readable messages."""

from __future__ import annotations

import copy
import json

import pytest

from wisebench.board.synthetic import make_synthetic_run
from wisebench.runner.store import read_records, read_run_json
from wisebench.schemas.validate import load_schema, schema_problems
from wisebench.scoring.record import SampleRecord
from wisebench.errors import WisebenchError

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    # Module scope runs before conftest's per-test cache isolation: point at the same shared cache by hand.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WISEBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "shared-cache"))
        return make_synthetic_run(tmp_path_factory.mktemp("schema-runs"), "seg-zero")


@pytest.mark.parametrize("kind", ["run", "record"])
def test_schema_files_are_valid_draft_2020_12(kind):
    schema = load_schema(kind, 1)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"] == {"const": 1}


def test_unknown_schema_version_is_an_error():
    with pytest.raises(WisebenchError, match="no run schema version 2"):
        load_schema("run", 2)


def test_a_real_run_and_its_records_match_the_schemas(run_folder):
    assert schema_problems(read_run_json(run_folder), "run", "run.json") == []
    records = read_records(run_folder)
    assert len(records) == 32
    assert any(record["prediction"]["failure"] for record in records)  # failure records are valid too
    assert all(schema_problems(record, "record", "r") == [] for record in records)


def test_a_skipped_record_matches_the_schema():
    record = SampleRecord(sample_id="s1", image_id="i1", subsets=[], query="q", prompt_hash=None, scores={}, skipped={"path": "/x.jpg", "problem": "cannot decode"})
    assert schema_problems(record.to_json(), "record", "r") == []


def test_wrong_or_missing_schema_version_gives_one_message(run_folder):
    run = read_run_json(run_folder)
    newer = dict(run, schema_version=2)
    assert schema_problems(newer, "run", "run.json") == ["run.json: schema_version 2 is not supported (this wisebench reads run schema version [1])"]
    missing = {key: value for key, value in run.items() if key != "schema_version"}
    assert len(schema_problems(missing, "run", "run.json")) == 1
    assert "no schema_version" in schema_problems(missing, "run", "run.json")[0]
    assert "not supported" in schema_problems(dict(run, schema_version="1"), "run", "run.json")[0]


def test_violations_name_the_field(run_folder):
    run = read_run_json(run_folder)
    broken = copy.deepcopy(run)
    del broken["suite"]["samples_fingerprint"]
    broken["summary"]["subsets"]["overall"]["n"] = -1
    problems = schema_problems(broken, "run", "run.json")
    assert any(problem.startswith("run.json: suite: ") and "samples_fingerprint" in problem for problem in problems)
    assert any(problem.startswith("run.json: summary.subsets.overall.n: ") for problem in problems)


@pytest.mark.parametrize("run_id", ["../../etc/passwd", "a/b", ".hidden", "x..y", "/abs", ""])
def test_run_ids_that_are_paths_are_rejected(run_folder, run_id):
    run = dict(read_run_json(run_folder), run_id=run_id)
    problems = schema_problems(run, "run", "run.json")
    assert problems and all(problem.startswith("run.json: run_id: ") for problem in problems)


def test_record_violations(run_folder):
    record = read_records(run_folder)[0]
    negative = copy.deepcopy(record)
    negative["scores"]["lisa"]["union"] = -5
    assert any("scores.lisa.union" in problem for problem in schema_problems(negative, "record", "r"))
    bad_mask = copy.deepcopy(record)
    bad_mask["mask_rle"] = {"size": [10], "counts": 3}
    assert schema_problems(bad_mask, "record", "r")
    long_value = copy.deepcopy(record)
    long_value["subsets"] = "x" * 5000  # messages quote values: they are cut short
    assert all(len(problem) < 400 for problem in schema_problems(long_value, "record", "r"))
    assert schema_problems([record], "record", "r") == ["r: expected a JSON object, got list"]
    assert json.loads(json.dumps(record)) == record
