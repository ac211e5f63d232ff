"""Beyond one machine: shards and merge, and the Ray executor on a real local cluster (2 cores here)."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from wisebench.adapters.oracle import OracleAdapter
from wisebench.cli import main
from wisebench.errors import RunStoreError
from wisebench.registry import SUITES
from wisebench.runner.config import RunConfig
from wisebench.runner.merge import merge_shards
from wisebench.runner.run import execute_run
from wisebench.runner.shards import parse_shard, select_shard, shard_assignment
from wisebench.runner.store import read_records


def by_id(records: list[dict]) -> dict[str, dict]:
    return {record["sample_id"]: record for record in records}


def same_predictions(a: list[dict], b: list[dict]) -> None:
    """Sample for sample: the same scores, mask and parsed answer (timings and warm-up flags may differ)."""
    left, right = by_id(a), by_id(b)
    assert left.keys() == right.keys()
    for sample_id in left:
        for key in ("scores", "mask_rle", "gt_area", "pred_area", "subsets", "image_id"):
            assert left[sample_id][key] == right[sample_id][key], (sample_id, key)
        for key in ("raw_text", "objects", "failure", "tokens", "finish_reason"):
            assert left[sample_id]["prediction"][key] == right[sample_id]["prediction"][key], (sample_id, key)


def oracle_config(out: Path, **changes) -> RunConfig:
    return replace(RunConfig(model="oracle", suite="reasonseg-mini", split="val", out=str(out), batch_size=4), **changes)


# --- shards -------------------------------------------------------------------------------------------------

def test_shard_assignment_is_disjoint_complete_balanced_and_keeps_images_whole():
    samples = SUITES.load("reasonseg-mini")().load("val", None).samples
    samples = samples + [replace(samples[0], sample_id=f"{samples[0].sample_id}#{k}") for k in range(3)]  # one image, 4 samples
    assignment = shard_assignment(samples, 3)
    assert assignment == shard_assignment(list(reversed(samples)), 3)  # order of the list does not matter
    parts = [select_shard(samples, k, 3) for k in range(3)]
    assert sorted(s.sample_id for part in parts for s in part) == sorted(s.sample_id for s in samples)
    sizes = [len(part) for part in parts]
    assert max(sizes) - min(sizes) <= 4  # at most the largest image group apart
    image_shards = {}
    for sample in samples:
        assert image_shards.setdefault(sample.image_id, assignment[sample.sample_id]) == assignment[sample.sample_id]


@pytest.mark.parametrize("bad", ["3/3", "-1/2", "1", "a/b", "0/0"])
def test_bad_shard_spec(bad):
    with pytest.raises(Exception, match="shard"):
        parse_shard(bad)


def test_shards_merged_equal_the_whole(tmp_path, capsys):
    whole = execute_run(oracle_config(tmp_path / "whole"), progress=False)
    for k in range(3):
        assert main(["run", "--model", "oracle", "--suite", "reasonseg-mini", "--shard", f"{k}/3", "--out", str(tmp_path / "shards"), "--batch-size", "4", "--no-progress"]) == 0
    shard_folders = sorted((tmp_path / "shards").iterdir())
    assert len(shard_folders) == 3 and sum(len(read_records(f)) for f in shard_folders) == 32
    assert main(["merge", *map(str, shard_folders), "--out", str(tmp_path / "merged")]) == 0
    assert "merged 3 shards" in capsys.readouterr().out
    (merged,) = list((tmp_path / "merged").iterdir())
    assert merged.name == whole.folder.name  # the unsharded configuration's run id
    run = json.loads((merged / "run.json").read_text())
    assert run["summary"]["subsets"] == whole.run["summary"]["subsets"]
    assert run["summary"]["budget"] == whole.run["summary"]["budget"]
    assert run["suite"]["samples_fingerprint"] == whole.run["suite"]["samples_fingerprint"]
    same_predictions(read_records(merged), whole.records)


def test_merge_rejects_gaps_overlaps_and_mixed_configurations(tmp_path):
    folders = {}
    for k in (0, 1):
        result = execute_run(oracle_config(tmp_path / "a", shard=f"{k}/3", limit=6), progress=False)
        folders[k] = result.folder
    with pytest.raises(RunStoreError, match="shard\\(s\\) 2/3 missing"):
        merge_shards([folders[0], folders[1]], tmp_path / "m1")
    with pytest.raises(RunStoreError, match="0/3 given more than once"):
        merge_shards([folders[0], folders[0], folders[1]], tmp_path / "m2")
    other = execute_run(oracle_config(tmp_path / "b", shard="2/3", limit=6, seed=7), progress=False).folder
    with pytest.raises(RunStoreError, match="another configuration \\(seed differ\\)"):
        merge_shards([folders[0], folders[1], other], tmp_path / "m3")
    unsharded = execute_run(oracle_config(tmp_path / "c", limit=2), progress=False).folder
    with pytest.raises(RunStoreError, match="not a shard run"):
        merge_shards([unsharded], tmp_path / "m4")
    # A record duplicated into another shard's file is an overlap.
    third = execute_run(oracle_config(tmp_path / "a", shard="2/3", limit=6), progress=False).folder
    stolen = (folders[0] / "records.jsonl").read_text().splitlines()[0]
    with open(third / "records.jsonl", "a") as stream:
        stream.write(stolen + "\n")
    with pytest.raises(RunStoreError, match="is in both"):
        merge_shards([folders[0], folders[1], third], tmp_path / "m5")


# --- Ray ----------------------------------------------------------------------------------------------------

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def ray_cluster():
    import ray.cloudpickle as cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers get this module's adapters by value
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


class SlowOracle(OracleAdapter):
    """The oracle with model-like time per batch, so a worker can be killed while it holds one."""

    def predict(self, samples):
        time.sleep(0.4)
        return super().predict(samples)


def test_ray_oracle_equals_single_process(tmp_path, ray_cluster):
    local = execute_run(oracle_config(tmp_path / "local"), progress=False)
    fanned = execute_run(oracle_config(tmp_path / "ray", executor="ray", num_workers=2), progress=False)
    same_predictions(fanned.records, local.records)
    assert fanned.run["summary"]["subsets"] == local.run["summary"]["subsets"]
    session = fanned.run["sessions"][-1]
    assert session["executor"] == "ray" and len(session["workers"]) == 2 and session["samples_per_second"] > 0
    assert {w["pid"] for w in session["workers"]}.isdisjoint({os.getpid()})


def test_ray_worker_killed_mid_run_is_recovered(tmp_path, ray_cluster):
    config = oracle_config(tmp_path / "ray", executor="ray", num_workers=2, batch_size=2)
    folder = tmp_path / "ray" / config.run_id()
    killed: list[int] = []

    def kill_one_worker_after_first_batch():
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                run = json.loads((folder / "run.json").read_text())
                lines = (folder / "records.jsonl").read_bytes().count(b"\n")
            except (OSError, json.JSONDecodeError):
                time.sleep(0.05)
                continue
            workers = run.get("sessions", [{}])[-1].get("workers")
            if workers and lines >= 2:
                os.kill(workers[0]["pid"], signal.SIGKILL)
                killed.append(workers[0]["pid"])
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one_worker_after_first_batch)
    killer.start()
    result = execute_run(config, progress=False, adapter_factory=lambda cfg: SlowOracle(cfg.model_options()))
    killer.join()
    assert killed, "the test never got to kill a worker"
    ids = [record["sample_id"] for record in result.records]
    assert len(ids) == 32 and len(set(ids)) == 32
    session = result.run["sessions"][-1]
    assert session["worker_restarts"] >= 1 and killed[0] not in {w["pid"] for w in session["workers"]}
    local = execute_run(oracle_config(tmp_path / "local"), progress=False)
    same_predictions(result.records, local.records)


def test_ray_tiny_qwen_equals_single_process(tmp_path, ray_cluster):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tiny_models import build_tiny_qwen25vl

    checkpoint = build_tiny_qwen25vl(tmp_path / "tiny")
    config = replace(
        RunConfig(model="wise-s", suite="reasonseg-mini", split="val", out=str(tmp_path / "local"), batch_size=2, limit=4),
        checkpoint=str(checkpoint), segmenter="grabcut", settings={"max_new_tokens": 6, "cache": False},
    )
    local = execute_run(config, progress=False)
    fanned = execute_run(replace(config, out=str(tmp_path / "ray"), executor="ray", num_workers=2, settings=dict(config.settings)), progress=False)
    same_predictions(fanned.records, local.records)
    assert all(record["prediction"]["raw_text"] for record in fanned.records)
