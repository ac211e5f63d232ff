"""Runs that end badly end cleanly (issue 17): termination signals, files changed between sessions, a full disk or
a read-only folder, concurrent merges, duplicated records, leftover temporary files, unencodable model text."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from test_robustness_inputs import assert_named_error, run_args, run_cli, run_folder, write_split
from wisebench.runner.store import read_records

SLOW_PLUGIN = textwrap.dedent(
    """
    import time
    from wisebench.adapters.oracle import OracleAdapter

    class SlowOracle(OracleAdapter):
        name = "slow-oracle"
        def predict(self, samples):
            time.sleep(0.15)  # time for the test to signal the run between batches
            return super().predict(samples)
    """
)


def install_slow_plugin(folder: Path) -> dict[str, str]:
    """A `slow-oracle` model registered the way third parties do (a wisebench.models entry point), importable by
    a subprocess and by Ray workers through PYTHONPATH. Returns the environment to run them with."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "slow_oracle_plugin.py").write_text(SLOW_PLUGIN)
    info = folder / "slow_oracle_plugin-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: slow-oracle-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[wisebench.models]\nslow-oracle = slow_oracle_plugin:SlowOracle\n")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}


def signal_after_records(process: subprocess.Popen, out: Path, lines: int, number: int, timeout: float = 90) -> Path:
    """Wait until the run has `lines` records, then send signal `number` to it; returns the run folder."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = list(out.glob("*/records.jsonl"))
        if found and found[0].read_bytes().count(b"\n") >= lines:
            process.send_signal(number)
            return found[0].parent
        if process.poll() is not None:
            break
        time.sleep(0.02)
    raise AssertionError(f"never reached {lines} records: {process.communicate()}")


def wisebench_command(*argv: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from wisebench.cli import main; sys.exit(main(sys.argv[1:]))", *argv]


def check_terminated(tmp_path: Path, number: int, *extra: str) -> str:
    """Run slow-oracle in a subprocess, send `number` mid-run, check the interrupted run and resume it."""
    env = install_slow_plugin(tmp_path / "plugin")
    data, out = tmp_path / "data", tmp_path / "runs"
    write_split(data, 12)
    argv = ["run", "--model", "slow-oracle", "--suite", "reasonseg", "--data-dir", str(data), "--out", str(out), "--batch-size", "1", "--no-progress", *extra]
    process = subprocess.Popen(wisebench_command(*argv), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    folder = signal_after_records(process, out, 2, number)
    _, err = process.communicate(timeout=60)
    name = signal.Signals(number).name
    assert process.returncode == 128 + number, err
    assert f"terminated by {name}: finished samples are kept" in err and "Traceback" not in err
    run = json.loads((folder / "run.json").read_text())
    assert run["status"] == "interrupted" and run["sessions"][-1]["status"] == "interrupted"
    kept = (folder / "records.jsonl").read_bytes()
    assert 2 <= kept.count(b"\n") < 12
    resumed = subprocess.run(wisebench_command(*argv), env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    ids = [record["sample_id"] for record in read_records(folder)]
    assert sorted(ids) == [f"s{index:03d}" for index in range(12)]
    assert (folder / "records.jsonl").read_bytes().startswith(kept)
    return err


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_termination_signals_end_a_run_like_ctrl_c(tmp_path, number):
    check_terminated(tmp_path, number)


def test_sigterm_under_ray_is_clean(tmp_path):
    """ray.init installs a SIGTERM handler that dumps a C++ stack and exits without marking the run."""
    pytest.importorskip("ray")
    err = check_terminated(tmp_path, signal.SIGTERM, "--executor", "ray", "--num-workers", "1")
    assert "SIGTERM received" not in err and "PC: @" not in err


def test_samples_changed_between_sessions_are_refused(tmp_path, capsys):
    data, out = tmp_path / "data", tmp_path / "runs"
    folder_path = write_split(data)
    assert run_cli(capsys, *run_args(data, out))[0] == 0
    folder = run_folder(out)
    finished = (folder / "records.jsonl").read_bytes()
    write_split(data, 7)  # one sample added
    code, _, err = run_cli(capsys, *run_args(data, out))
    assert_named_error(code, err, [str(folder), "samples changed since this run started", "6 samples when it started, 7 now"])
    for suffix in (".json", ".jpg"):
        (folder_path / f"s006{suffix}").unlink()
        (folder_path / f"s001{suffix}").unlink()  # and one removed
    code, _, err = run_cli(capsys, *run_args(data, out))
    assert_named_error(code, err, ["6 samples when it started, 5 now", "finished samples no longer in the data: s001"])
    write_split(data)
    (folder_path / "s002.json").write_text((folder_path / "s002.json").read_text().replace("query 2", "query two"))
    code, _, err = run_cli(capsys, *run_args(data, out))
    assert_named_error(code, err, ["same count, but sample ids or queries differ"])
    assert (folder / "records.jsonl").read_bytes() == finished and "scored" not in err


@pytest.mark.parametrize("damage", [lambda run: run.pop("config"), lambda run: run.update(config=["not", "a", "config"]), lambda run: run["config"].pop("model")])
def test_resume_from_a_damaged_run_json_is_a_named_error(tmp_path, capsys, damage):
    data, out = tmp_path / "data", tmp_path / "runs"
    write_split(data)
    assert run_cli(capsys, *run_args(data, out))[0] == 0
    folder = run_folder(out)
    run = json.loads((folder / "run.json").read_text())
    damage(run)
    (folder / "run.json").write_text(json.dumps(run))
    code, _, err = run_cli(capsys, "run", "--resume", str(folder), "--no-progress")
    assert_named_error(code, err, [str(folder / "run.json"), "no usable configuration to resume"])


def test_disk_full_is_a_named_error_and_keeps_whole_records(tmp_path, capsys, monkeypatch):
    """The disk fills in the middle of the third batch's write: half a line reached the file, then ENOSPC."""
    data, out = tmp_path / "data", tmp_path / "runs"
    write_split(data)
    real_write = os.write
    appends = []

    def write_until_full(descriptor: int, payload: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{descriptor}").endswith("records.jsonl"):
            appends.append(len(payload))
            if len(appends) == 3:
                real_write(descriptor, payload[: len(payload) // 2])
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(descriptor, payload)

    monkeypatch.setattr(os, "write", write_until_full)
    code, _, err = run_cli(capsys, *run_args(data, out))
    monkeypatch.setattr(os, "write", real_write)
    folder = run_folder(out)
    assert_named_error(code, err, [str(folder / "records.jsonl"), "No space left on device"])
    raw = (folder / "records.jsonl").read_bytes()
    assert raw.endswith(b"\n") and raw.count(b"\n") == 4  # the torn half line was cut back
    assert run_cli(capsys, *run_args(data, out))[0] == 0  # space again: the run resumes and completes
    assert len(read_records(folder)) == 6


def test_read_only_out_folder_is_a_named_error(tmp_path, capsys):
    write_split(tmp_path / "data")
    code, _, err = run_cli(capsys, *run_args(tmp_path / "data", Path("/sys/wisebench-runs")))  # sysfs refuses mkdir
    assert_named_error(code, err, ["cannot create the run folder /sys/wisebench-runs/", "Operation not permitted"])


def test_run_json_on_a_read_only_file_system_keeps_records(tmp_path, capsys, monkeypatch):
    """The file system turns read-only (EROFS) after two batches: run.json cannot be replaced any more."""
    import tempfile

    data, out = tmp_path / "data", tmp_path / "runs"
    write_split(data)
    real_mkstemp = tempfile.mkstemp

    def mkstemp_until_read_only(*args, **kwargs):
        records = list(out.glob("*/records.jsonl"))
        if records and records[0].read_bytes().count(b"\n") >= 4:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_until_read_only)
    code, _, err = run_cli(capsys, *run_args(data, out))
    folder = run_folder(out)
    assert_named_error(code, err, [str(folder / "run.json"), "Read-only file system"])
    assert len(read_records(folder)) >= 4


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes whatever the mode; the sysfs case covers the refusal")
def test_folder_without_write_permission(tmp_path, capsys):
    write_split(tmp_path / "data")
    (tmp_path / "locked").mkdir(mode=0o555)
    code, _, err = run_cli(capsys, *run_args(tmp_path / "data", tmp_path / "locked"))
    assert_named_error(code, err, [str(tmp_path / "locked"), "Permission denied"])


def shard_runs(tmp_path: Path, capsys) -> list[Path]:
    data = tmp_path / "data"
    write_split(data)
    folders = []
    for index in range(2):
        out = tmp_path / f"shard{index}"
        assert run_cli(capsys, *run_args(data, out, "--shard", f"{index}/2"))[0] == 0
        folders.append(run_folder(out))
    return folders


def test_concurrent_merges_into_one_out(tmp_path, capsys):
    shards = shard_runs(tmp_path, capsys)
    out = tmp_path / "merged"
    argv = wisebench_command("merge", *map(str, shards), "--out", str(out))
    processes = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(process.wait(timeout=120), *process.communicate()) for process in processes]
    assert sorted(code for code, _, _ in results) == [0, 2, 2], results
    for code, _, err in results:
        if code == 2:
            assert "already exists" in err and "internal error" not in err
    assert len([path for path in out.iterdir() if not path.name.startswith(".")]) == 1
    assert not list(out.glob(".merging-*"))  # the losers removed their builds
    assert len(read_records(run_folder(out))) == 6


def test_killed_merge_and_killed_writer_leftovers_are_cleaned(tmp_path, capsys):
    from wisebench.runner.merge import merge_shards

    shards = shard_runs(tmp_path, capsys)
    out = tmp_path / "merged"
    (out / ".merging-run.abc123").mkdir(parents=True)  # a merge killed halfway
    (out / ".merging-run.abc123" / "records.jsonl").write_text("{}\n")
    merged = merge_shards(shards, out)
    assert not (out / ".merging-run.abc123").exists() and merged.is_dir()

    leftover = shards[0] / ".run.json.k1ll3d"  # write_json_atomic's temporary, from a writer killed mid-write
    leftover.write_text('{"half": ')
    data = tmp_path / "data"
    assert run_cli(capsys, *run_args(data, tmp_path / "shard0", "--shard", "0/2"))[0] == 0
    assert not leftover.exists()


def test_duplicated_records_get_a_repair_path(tmp_path, capsys):
    data, out = tmp_path / "data", tmp_path / "runs"
    write_split(data)
    assert run_cli(capsys, *run_args(data, out))[0] == 0
    folder = run_folder(out)
    lines = (folder / "records.jsonl").read_bytes().splitlines(keepends=True)
    second_writer = json.loads(lines[1])
    second_writer["query"] = "written by a second process"
    with open(folder / "records.jsonl", "ab") as stream:  # what a second writer past a deleted .lock leaves
        stream.write(json.dumps(second_writer).encode() + b"\n" + b"{not json}\n" + lines[3] + b'{"sample_id": "s00')

    code, _, err = run_cli(capsys, "show", str(folder))
    assert_named_error(code, err, [str(folder / "records.jsonl"), "line 7", "'s001' recorded twice", f"wisebench repair {folder}"])
    code, stdout, err = run_cli(capsys, "repair", str(folder))
    assert code == 0, err
    assert "kept 6 records" in stdout and "duplicated records dropped: 2" in stdout and "damaged lines dropped: 1" in stdout
    records = read_records(folder)
    assert [record["sample_id"] for record in records] == [f"s{index:03d}" for index in range(6)]
    assert records[1]["query"] == "query 1"  # the first record of s001 is the one kept
    (backup,) = folder.glob("records.jsonl.before-repair-*")
    assert backup.read_bytes().startswith(b"".join(lines))
    run = json.loads((folder / "run.json").read_text())
    assert run["repairs"][0]["dropped_duplicates"] == 2 and run["summary"]["subsets"]["overall"]["n"] == 6
    assert run_cli(capsys, "show", str(folder))[0] == 0
    code, stdout, _ = run_cli(capsys, "repair", str(folder))
    assert code == 0 and "nothing to repair" in stdout


def test_lone_surrogate_in_model_text_does_not_stop_a_run(tmp_path):
    from wisebench.adapters.oracle import OracleAdapter
    from wisebench.runner.build import build_adapter
    from wisebench.runner.config import RunConfig
    from wisebench.runner.run import execute_run

    class SurrogateOracle(OracleAdapter):
        def predict(self, samples):
            predictions = super().predict(samples)
            for prediction in predictions:  # what a custom backend decoding a cut UTF-16 pair can produce
                prediction.raw_text, prediction.reasoning_text = "think \ud800 done", "\udfff"
            return predictions

    def factory(config: RunConfig) -> OracleAdapter:
        adapter = build_adapter(config)
        adapter.__class__ = SurrogateOracle
        return adapter

    write_split(tmp_path / "data")
    config = RunConfig(model="oracle", suite="reasonseg", split="val", data_dir=str(tmp_path / "data"), out=str(tmp_path / "runs"))
    result = execute_run(config, progress=False, adapter_factory=factory)
    assert result.run["status"] == "complete" and len(result.records) == 6
    raw = (result.folder / "records.jsonl").read_bytes()
    raw.decode("utf-8")  # the file stays valid UTF-8: the surrogate is written as an escape
    assert read_records(result.folder)[0]["prediction"]["raw_text"] == "think \ud800 done"



def test_repair_that_drops_a_finished_sample_marks_the_run_unfinished(tmp_path, capsys):
    """A damaged line dropped by repair is a sample to run again: the run is no longer complete until it is."""
    data, out = tmp_path / "data", tmp_path / "runs"
    write_split(data)
    assert run_cli(capsys, *run_args(data, out))[0] == 0
    folder = run_folder(out)
    lines = (folder / "records.jsonl").read_bytes().splitlines(keepends=True)
    lines[2] = b'{"sample_id": "s002", damaged\n'
    (folder / "records.jsonl").write_bytes(b"".join(lines))
    (folder / ".records.jsonl.repairing").write_bytes(b"left by a killed repair")
    assert run_cli(capsys, "repair", str(folder))[0] == 0
    assert json.loads((folder / "run.json").read_text())["status"] == "interrupted"
    assert run_cli(capsys, *run_args(data, out))[0] == 0  # the dropped sample is run again
    run = json.loads((folder / "run.json").read_text())
    assert run["status"] == "complete" and sorted(r["sample_id"] for r in read_records(folder)) == [f"s{i:03d}" for i in range(6)]
    assert not (folder / ".records.jsonl.repairing").exists()  # cleaned when the run took its lock
