"""The run loop, run store and CLI: end to end with the oracle adapter, resume after a real SIGKILL, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from processes import kill_after_lines
from lisa_fixtures import shape, square, write_sample, write_small_reasonseg
from wisebench.cli import main
from wisebench.errors import RunStoreError
from wisebench.runner.store import check_run_id, read_records

REPO = Path(__file__).resolve().parents[1]


def write_many(root: Path, count: int) -> None:
    """`count` images with a bright square on a dark textured background: GrabCut gets most of it."""
    from PIL import Image

    folder = root / "ReasonSeg" / "val"
    rng = np.random.default_rng(1)
    for index in range(count):
        x1, y1 = int(rng.integers(4, 20)), int(rng.integers(4, 14))
        x2, y2 = x1 + int(rng.integers(12, 24)), y1 + int(rng.integers(10, 16))
        write_sample(folder, f"s{index:03d}", [f"query {index}"], index % 2 == 0, [shape("target", square(x1, y1, x2, y2))], width=56, height=40)
        pixels = rng.integers(0, 60, size=(40, 56, 3), dtype=np.uint8)
        pixels[y1 : y2 + 1, x1 : x2 + 1] = rng.integers(190, 255, size=(y2 - y1 + 1, x2 - x1 + 1, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"s{index:03d}.jpg", quality=95)


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def only_run(out: Path) -> Path:
    (folder,) = [path for path in out.iterdir() if path.is_dir()]
    return folder


def test_oracle_run_writes_run_json_and_records(tmp_path, capsys):
    write_many(tmp_path / "data", 6)
    code, out, err = run_cli(capsys, "run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "runs"), "--no-progress", "--batch-size", "4")
    assert code == 0, err
    assert "gIoU" in out and "overall" in out and "long" in out and "short" in out
    folder = only_run(tmp_path / "runs")
    run = json.loads((folder / "run.json").read_text())
    assert run["status"] == "complete" and run["suite"]["n_samples"] == 6
    assert run["smoke"] == {"is_smoke": False, "reasons": []}
    assert run["environment"]["packages"]["numpy"] and run["environment"]["hardware"]["cpu_count"]
    assert run["model"]["segmenter"]["name"] == "grabcut" and run["protocol"] == "lisa"
    records = read_records(folder)
    assert sorted(r["sample_id"] for r in records) == [f"s{i:03d}" for i in range(6)]
    assert run["summary"]["subsets"]["overall"]["giou"] > 0.6  # bright squares on a dark background
    assert all(r["mask_rle"]["size"] == [40, 56] for r in records)


def test_rerun_same_command_skips_finished(tmp_path, capsys):
    write_many(tmp_path / "data", 4)
    argv = ["run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "runs"), "--no-progress"]
    assert run_cli(capsys, *argv)[0] == 0
    folder = only_run(tmp_path / "runs")
    before = (folder / "records.jsonl").read_bytes()
    assert run_cli(capsys, *argv)[0] == 0
    assert (folder / "records.jsonl").read_bytes() == before
    run = json.loads((folder / "run.json").read_text())
    assert len(run["sessions"]) == 2 and run["sessions"][1]["resumed_from"] == 4


def test_limit_marks_smoke_run(tmp_path, capsys):
    write_many(tmp_path / "data", 4)
    code, out, _ = run_cli(capsys, "run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "runs"), "--limit", "2", "--no-progress")
    assert code == 0 and "smoke run (limit=2)" in out
    assert len(read_records(only_run(tmp_path / "runs"))) == 2


SLOW_RUNNER = textwrap.dedent(
    """
    import sys, time
    from wisebench.adapters.oracle import OracleAdapter
    from wisebench.registry import MODELS
    from wisebench.cli import main

    class SlowOracle(OracleAdapter):
        name = "slow-oracle"
        def predict(self, samples):
            time.sleep(0.15)  # long enough that the test can kill the process between batches
            return super().predict(samples)

    sys.modules["slow_oracle_module"] = sys.modules[__name__]
    MODELS.register("slow-oracle", "slow_oracle_module:SlowOracle")
    sys.exit(main(sys.argv[1:]))
    """
)


def test_sigkill_mid_run_then_resume_loses_nothing_and_duplicates_nothing(tmp_path, capsys):
    write_many(tmp_path / "data", 20)
    script = tmp_path / "slow_runner.py"
    script.write_text(SLOW_RUNNER)
    argv = ["run", "--model", "slow-oracle", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "runs"), "--batch-size", "2", "--no-progress"]
    process = subprocess.Popen([sys.executable, str(script), *argv], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    records_path = kill_after_lines(process, tmp_path / "runs", "*/records.jsonl", lines=4, timeout=60)
    killed_at = records_path.read_bytes().count(b"\n")
    assert 4 <= killed_at < 20  # killed for real, mid-run
    run = json.loads((records_path.parent / "run.json").read_text())
    assert run["status"] == "running"  # it never got to say otherwise
    # A torn write at the moment of the kill: half a record at the end of the file.
    with open(records_path, "ab") as stream:
        stream.write(b'{"schema_version":1,"sample_id":"s0')

    finished = subprocess.run([sys.executable, str(script), *argv], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    records = read_records(records_path.parent)
    ids = [record["sample_id"] for record in records]
    assert sorted(ids) == [f"s{i:03d}" for i in range(20)] and len(ids) == len(set(ids))
    run = json.loads((records_path.parent / "run.json").read_text())
    assert run["status"] == "complete" and len(run["sessions"]) == 2

    # Same predictions as an uninterrupted run (GrabCut is seeded): same aggregates.
    uninterrupted = tmp_path / "runs-whole"
    whole_argv = [("oracle" if arg == "slow-oracle" else arg) for arg in argv[:-5]]
    assert main(whole_argv + ["--out", str(uninterrupted), "--batch-size", "5", "--no-progress"]) == 0
    capsys.readouterr()
    whole = json.loads((only_run(uninterrupted) / "run.json").read_text())["summary"]["subsets"]
    assert whole == run["summary"]["subsets"]


def test_second_writer_is_refused(tmp_path):
    from wisebench.runner.store import RunStore

    with RunStore(tmp_path / "run"):
        with pytest.raises(RunStoreError, match="another process"):
            RunStore(tmp_path / "run").acquire()


def test_damaged_line_in_the_middle_is_an_error(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "records.jsonl").write_text('{"sample_id": "a"}\nnot json\n{"sample_id": "b"}\n')
    with pytest.raises(RunStoreError, match="line 2"):
        read_records(folder)
    (folder / "records.jsonl").write_text('{"sample_id": "a"}\n{"sample_id": "a"}\n')
    with pytest.raises(RunStoreError, match="twice"):
        read_records(folder)


@pytest.mark.parametrize("bad", ["../escape", "a/b", ".hidden", "", "x" * 300])
def test_run_ids_are_never_paths(bad):
    with pytest.raises(RunStoreError):
        check_run_id(bad)


def test_missing_data_is_one_message_exit_2(tmp_path, capsys):
    code, out, err = run_cli(capsys, "run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(tmp_path / "none"), "--out", str(tmp_path / "runs"), "--no-progress")
    assert code == 2 and "Traceback" not in err
    assert str(tmp_path / "none") in err and "ReasonSeg" in err


def test_unknown_model_and_suite(tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", "--model", "nope", "--suite", "reasonseg", "--out", str(tmp_path))
    assert code == 2 and "unknown model 'nope'" in err and "oracle" in err
    code, _, err = run_cli(capsys, "run", "--model", "oracle", "--suite", "nope", "--out", str(tmp_path))
    assert code == 2 and "unknown suite 'nope'" in err


def test_corrupt_image_stops_with_its_name_and_keeps_finished_work(tmp_path, capsys):
    write_many(tmp_path / "data", 6)
    (tmp_path / "data" / "ReasonSeg" / "val" / "s004.jpg").write_bytes(b"garbage")
    argv = ["run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "runs"), "--batch-size", "2", "--no-progress"]
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and "s004.jpg" in err and "--skip-bad" in err and "Traceback" not in err
    folder = only_run(tmp_path / "runs")
    assert len(read_records(folder)) == 4  # the two batches before the bad one are kept
    assert json.loads((folder / "run.json").read_text())["status"] == "failed"


def test_skip_bad_skips_and_counts_corrupt_image(tmp_path, capsys):
    write_many(tmp_path / "data", 6)
    (tmp_path / "data" / "ReasonSeg" / "val" / "s004.jpg").write_bytes(b"garbage")
    code, out, _ = run_cli(capsys, "run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "runs"), "--batch-size", "2", "--skip-bad", "--no-progress")
    assert code == 0 and "skipped:  1 bad sample" in out
    summary = json.loads((only_run(tmp_path / "runs") / "run.json").read_text())["summary"]
    assert summary["n_skipped"] == 1 and summary["subsets"]["overall"]["n"] == 5
    assert summary["skipped"][0]["sample_id"] == "s004" and "s004.jpg" in summary["skipped"][0]["path"]


def test_bad_annotation_and_corrupt_image_are_both_counted(tmp_path, capsys):
    """One entry skipped while loading (malformed JSON) and one while running (corrupt image): the summary counts
    both, and the header counts the whole split."""
    write_many(tmp_path / "data", 6)
    (tmp_path / "data" / "ReasonSeg" / "val" / "s001.json").write_text("{not json")
    (tmp_path / "data" / "ReasonSeg" / "val" / "s004.jpg").write_bytes(b"garbage")
    code, out, _ = run_cli(capsys, "run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "runs"), "--skip-bad", "--no-progress")
    assert code == 0 and "skipped:  2 bad sample" in out and "scored 4/6" in out
    summary = json.loads((only_run(tmp_path / "runs") / "run.json").read_text())["summary"]
    assert summary["n_skipped"] == 2 and summary["subsets"]["overall"]["n"] == 4
    assert sorted(entry["sample_id"] for entry in summary["skipped"]) == ["s001", "s004"]
    assert any("s001.json" in entry["path"] for entry in summary["skipped"])


def test_load_time_skips_count_once_in_the_merged_run_not_in_each_shard(tmp_path, capsys):
    write_many(tmp_path / "data", 6)
    (tmp_path / "data" / "ReasonSeg" / "val" / "s001.json").write_text("{not json")
    base = ["run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--skip-bad", "--no-progress"]
    shards = []
    for index in range(2):
        code, out, _ = run_cli(capsys, *base, "--shard", f"{index}/2", "--out", str(tmp_path / f"shard{index}"))
        assert code == 0 and "skipped:" not in out  # a shard holds part of the split: the split's skips are not its own
        shards.append(str(only_run(tmp_path / f"shard{index}")))
    assert run_cli(capsys, "merge", *shards, "--out", str(tmp_path / "merged"))[0] == 0
    summary = json.loads((only_run(tmp_path / "merged") / "run.json").read_text())["summary"]
    assert summary["n_skipped"] == 1 and summary["subsets"]["overall"]["n"] == 5


def test_rerun_with_another_protocol_rescores_without_changing_the_run(tmp_path, capsys):
    from wisebench.metrics.summary import summarize_run

    write_many(tmp_path / "data", 4)
    base = ["run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "runs"), "--no-progress"]
    assert run_cli(capsys, *base)[0] == 0
    folder = only_run(tmp_path / "runs")
    records_before = (folder / "records.jsonl").read_bytes()
    code, out, _ = run_cli(capsys, *base, "--protocol", "segzero")
    assert code == 0 and "protocol segzero" in out
    run = json.loads((folder / "run.json").read_text())
    assert (folder / "records.jsonl").read_bytes() == records_before  # re-scored, not re-run
    # The run is what it was (same id, protocol, summary); the other protocol's summary sits beside it.
    assert folder.name == run["run_id"] and run["protocol"] == run["summary"]["protocol"] == run["config"]["protocol"] == "lisa"
    assert run["summary"] == json.loads(json.dumps(summarize_run(run, read_records(folder))))
    assert run["summaries"]["segzero"] == json.loads(json.dumps(summarize_run(run, read_records(folder), protocol="segzero")))
    code, out, _ = run_cli(capsys, "run", "--resume", str(folder), "--no-progress")  # the run's own protocol
    assert code == 0 and "protocol lisa" in out
    assert json.loads((folder / "run.json").read_text())["protocol"] == "lisa"


def test_show_and_compare(tmp_path, capsys):
    write_many(tmp_path / "data", 4)
    base = ["run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--no-progress"]
    assert run_cli(capsys, *base, "--out", str(tmp_path / "a"))[0] == 0
    assert run_cli(capsys, *base, "--out", str(tmp_path / "b"), "--set", "per_component=false")[0] == 0
    run_a, run_b = only_run(tmp_path / "a"), only_run(tmp_path / "b")
    code, out, _ = run_cli(capsys, "show", str(run_a), "--protocol", "segzero")
    assert code == 0 and "protocol segzero" in out and "overall" in out
    code, out, _ = run_cli(capsys, "show", str(run_a), "--json")
    shown = json.loads(out)["summary"]
    assert shown["subsets"] == json.loads((run_a / "run.json").read_text())["summary"]["subsets"]
    code, out, _ = run_cli(capsys, "compare", str(run_a), str(run_b), "--json")
    comparison = json.loads(out)
    assert code == 0 and comparison["n_paired"] == 4 and comparison["only_in_a"] == 0
    code, out, _ = run_cli(capsys, "compare", str(run_a), str(run_b))
    assert "paired samples 4" in out


def test_score_external_predictions(tmp_path, capsys):
    from PIL import Image

    write_small_reasonseg(tmp_path / "data")
    predictions = tmp_path / "predictions"
    predictions.mkdir()
    perfect = np.zeros((30, 40), np.uint8)
    perfect[3:13, 10:19] = 255
    Image.fromarray(perfect).save(predictions / "img_b.png")
    half = np.zeros((30, 40), np.uint8)
    half[2:9, 2:9] = 1  # one of img_c's two squares
    Image.fromarray(half).save(predictions / "img_c.png")
    # img_a has no prediction: scored as empty and counted as missing.
    code, out, _ = run_cli(capsys, "score", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data" / "ReasonSeg"), "--split", "val", "--predictions", str(predictions), "--json")
    result = json.loads(out)
    assert code == 0 and result["n"] == 3 and result["n_missing"] == 1
    img_b = 90 / (90 + 1e-5)
    img_c = 49 / (105 + 1e-5)
    assert result["giou"] == pytest.approx((0 + img_b + img_c) / 3)
    assert result["ciou"] == pytest.approx((90 + 49) / (300 + 90 + 105 + 1e-10))  # img_a: 336 target px, 36 ignored
    assert result["subsets"]["short"] == {"giou": pytest.approx(img_b), "ciou": pytest.approx(90 / (90 + 1e-10)), "n": 1}
    assert set(result) >= {"giou", "ciou", "n", "subsets"}

    Image.fromarray(np.zeros((5, 5), np.uint8)).save(predictions / "img_a.png")
    code, _, err = run_cli(capsys, "score", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--predictions", str(predictions))
    assert code == 2 and "img_a.png" in err and "5x5" in err


def test_resume_with_skip_bad_gets_past_the_file_that_stopped_the_run(tmp_path, capsys):
    write_many(tmp_path / "data", 6)
    (tmp_path / "data" / "ReasonSeg" / "val" / "s004.jpg").write_bytes(b"garbage")
    argv = ["run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "runs"), "--batch-size", "2", "--no-progress"]
    assert run_cli(capsys, *argv)[0] == 2
    folder = only_run(tmp_path / "runs")
    code, out, _ = run_cli(capsys, "run", "--resume", str(folder), "--skip-bad", "--no-progress")
    assert code == 0 and "skipped:  1 bad sample" in out
    assert len(read_records(folder)) == 6
