"""Text runs (`lm-eval:` suites) go through the same loop as segmentation runs, so they shard, merge, resume and fan
out over Ray the same way: shards merged equal the whole run record for record; Ray with two workers equals the local
run; a run killed with SIGKILL under --shard and under --executor ray resumes with nothing lost or duplicated."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("lm_eval")

import text_standin  # noqa: E402
from processes import kill_after_lines  # noqa: E402
from text_standin import write_task  # noqa: E402
from wisebench.cli import main  # noqa: E402
from wisebench.runner.store import read_records  # noqa: E402

TESTS = Path(__file__).parent
# The parts of a record that must agree between two runs of the same greedy generations (timings may differ).
PREDICTION_KEYS = ("raw_text", "reasoning_text", "answer_text", "scored_text", "truncated", "tokens", "finish_reason", "doc_id", "repeat", "target", "accuracy_metric")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    text_standin.register()


def only_run(out: Path) -> Path:
    (folder,) = [path for path in out.iterdir() if path.is_dir()]
    return folder


def same_records(a: list[dict], b: list[dict]) -> None:
    left, right = ({record["sample_id"]: record for record in records} for records in (a, b))
    assert left.keys() == right.keys() and len(a) == len(left) and len(b) == len(right)
    for sample_id in left:
        for key in ("scores", "query", "image_id", "subsets", "prompt_hash"):
            assert left[sample_id][key] == right[sample_id][key], (sample_id, key)
        for key in PREDICTION_KEYS:
            assert left[sample_id]["prediction"][key] == right[sample_id]["prediction"][key], (sample_id, key)


def test_text_shards_merged_equal_the_whole_run(tmp_path, capsys):
    task = write_task(tmp_path / "task")
    base = ["run", "--model", "scripted-reasoner", "--suite", f"lm-eval:{task}", "--no-progress", "--batch-size", "3", "--set", "repeats=2"]
    assert main([*base, "--out", str(tmp_path / "whole")]) == 0
    whole = only_run(tmp_path / "whole")
    for index in range(2):
        assert main([*base, "--shard", f"{index}/2", "--out", str(tmp_path / "shards")]) == 0
    shards = sorted((tmp_path / "shards").iterdir())
    parts = [read_records(folder) for folder in shards]
    assert len(shards) == 2 and all(parts) and sum(len(part) for part in parts) == 16
    shard_of_document = {(record["image_id"], index) for index, part in enumerate(parts) for record in part}
    assert len(shard_of_document) == 8  # a document's repeats stay in one shard: they are one bootstrap cluster
    capsys.readouterr()
    assert main(["merge", *map(str, shards), "--out", str(tmp_path / "merged")]) == 0
    merged = only_run(tmp_path / "merged")
    assert merged.name == whole.name  # the unsharded configuration's run id
    same_records(read_records(merged), read_records(whole))
    merged_run, whole_run = (json.loads((folder / "run.json").read_text()) for folder in (merged, whole))
    assert merged_run["summary"]["subsets"] == whole_run["summary"]["subsets"]
    assert merged_run["summary"]["tokens"] == whole_run["summary"]["tokens"]


def test_an_edited_task_or_changed_documents_is_another_run(tmp_path, capsys):
    task = write_task(tmp_path / "task")
    argv = ["run", "--model", "scripted-reasoner", "--suite", f"lm-eval:{task}", "--no-progress", "--out", str(tmp_path / "runs")]
    assert main(argv) == 0
    first = only_run(tmp_path / "runs").name
    assert main(argv) == 0 and [path.name for path in (tmp_path / "runs").iterdir()] == [first]  # same task: resumed
    task.write_text(task.read_text().replace("max_gen_toks: 64", "max_gen_toks: 65"))
    assert main(argv) == 0
    data = task.parent / "toy.json"
    documents = json.loads(data.read_text())
    documents[0]["answer"] = "100"
    data.write_text(json.dumps(documents))
    assert main(argv) == 0
    assert len({path.name for path in (tmp_path / "runs").iterdir()}) == 3


FINGERPRINT = textwrap.dedent(
    """
    import sys
    from wisebench.text.task import load_task
    print(load_task("lm-eval:" + sys.argv[1], None).fingerprint())
    """
)


def write_function_task(folder: Path, repeats: int) -> Path:
    """The toy task with a `!function` filter and lm-eval repeats, as the packaged recipes are written."""
    task = write_task(folder)
    (folder / "toy_helpers.py").write_text("def keep_all(resps, docs):\n    return resps\n")
    text = task.read_text().replace("      - function: take_first\n", "      - function: custom\n        filter_fn: !function toy_helpers.keep_all\n")
    task.write_text(text + f"repeats: {repeats}\n")
    return task


def test_a_task_with_function_helpers_has_one_fingerprint_in_every_process(tmp_path):
    """The recipes' `!function` helpers are hashed by name and source, never by memory address, so the same command
    resumes the same run in a new process, and shards run in separate jobs merge; lm-eval's repeats count too."""
    task = write_function_task(tmp_path / "task", repeats=8)
    environment = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}

    def fingerprint() -> str:
        finished = subprocess.run([sys.executable, "-c", FINGERPRINT, str(task)], capture_output=True, text=True, env=environment, timeout=300)
        assert finished.returncode == 0, finished.stderr
        return finished.stdout.strip().splitlines()[-1]

    first = fingerprint()
    assert fingerprint() == first
    task.write_text(task.read_text().replace("repeats: 8", "repeats: 5"))
    assert fingerprint() != first
    (task.parent / "toy_helpers.py").write_text("def keep_all(resps, docs):\n    return [r[:1] for r in resps]\n")
    task.write_text(task.read_text().replace("repeats: 5", "repeats: 8"))
    assert fingerprint() != first  # the helper's source changed


KILLABLE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    import text_standin
    text_standin.register()
    from wisebench.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def test_killed_text_shard_resumes_without_loss_or_duplicates(tmp_path):
    task = write_task(tmp_path / "task")
    script = tmp_path / "runner.py"
    script.write_text(KILLABLE.format(tests=str(TESTS)))
    argv = ["run", "--model", "scripted-reasoner", "--suite", f"lm-eval:{task}", "--no-progress", "--batch-size", "1", "--set", "repeats=3", "--shard", "1/2"]
    environment = {**os.environ, "STANDIN_DELAY": "0.4", "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, str(script), *argv, "--out", str(tmp_path / "killed")], cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    records_path = kill_after_lines(process, tmp_path / "killed", "*/records.jsonl", lines=2, timeout=120)
    kept = read_records(records_path.parent)
    environment["STANDIN_DELAY"] = "0"
    for out in ("killed", "clean"):
        finished = subprocess.run([sys.executable, str(script), *argv, "--out", str(tmp_path / out)], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300)
        assert finished.returncode == 0, finished.stderr
    resumed, clean = read_records(records_path.parent), read_records(only_run(tmp_path / "clean"))
    assert 2 <= len(kept) < len(clean) and resumed[: len(kept)] == kept
    same_records(resumed, clean)


ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def tiny_r1(tmp_path_factory) -> Path:
    pytest.importorskip("torch")
    from tiny_models import build_tiny_qwen2_causal_lm

    return build_tiny_qwen2_causal_lm(tmp_path_factory.mktemp("tiny-r1"))


def tiny_argv(task: Path, checkpoint: Path) -> list[str]:
    return ["run", "--model", "r1-distill-qwen-1.5b", "--suite", f"lm-eval:{task}", "--checkpoint", str(checkpoint), "--no-progress",
            "--set", "max_new_tokens=8", "--set", "do_sample=false", "--set", "repeats=3", "--batch-size", "2"]


def test_ray_text_run_on_the_tiny_causal_lm_equals_the_local_run_and_resumes_after_a_kill(tmp_path, tiny_r1):
    """Two Ray workers (a real local cluster) each load the tiny model; the driver is SIGKILLed mid-run and the
    same command resumes it, under Ray again. The result equals a local run record for record."""
    task = write_task(tmp_path / "task")
    argv = tiny_argv(task, tiny_r1)
    environment = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "RAY_DEDUP_LOGS": "0"}
    local = subprocess.run([sys.executable, "-m", "wisebench", *argv, "--out", str(tmp_path / "local")], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=600)
    assert local.returncode == 0, local.stderr
    fanned = [*argv, "--executor", "ray", "--num-workers", "2", "--out", str(tmp_path / "ray")]
    # Its own process group, so the kill takes the driver and the local cluster it started, as a node failure would.
    process = subprocess.Popen([sys.executable, "-m", "wisebench", *fanned], cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    records_path = kill_after_lines(process, tmp_path / "ray", "*/records.jsonl", lines=4, timeout=600, group=True)
    kept = read_records(records_path.parent)
    resumed = subprocess.run([sys.executable, "-m", "wisebench", *fanned], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    records = read_records(records_path.parent)
    assert 4 <= len(kept) < 24 and records[: len(kept)] == kept
    same_records(records, read_records(only_run(tmp_path / "local")))
    run = json.loads((records_path.parent / "run.json").read_text())
    assert run["status"] == "complete" and run["sessions"][-1]["executor"] == "ray" and len(run["sessions"][-1]["workers"]) == 2
