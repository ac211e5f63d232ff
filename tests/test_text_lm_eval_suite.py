"""`wisebench run --suite lm-eval:TASK.yaml` offline over a local JSON task, with a scripted stand-in reasoner:
accuracy equals lm-eval's own, reasoning tokens equal the Qwen tokenizer's, truncated chains are flagged and scored
as configured, and a killed run resumes with no duplicate."""

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
from text_standin import QUESTIONS, SCRIPT, write_task  # noqa: E402
from tiny_models import qwen_tokenizer  # noqa: E402
from wisebench.cli import main  # noqa: E402
from wisebench.runner.store import read_records  # noqa: E402
from wisebench.text.spans import split_reasoning  # noqa: E402


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    text_standin.register()


def lm_eval_own_accuracy(task: Path, responses: dict[str, str]) -> float:
    """lm-eval scoring the same texts on its own, through a plain LM object."""
    import lm_eval
    from lm_eval.api.model import LM
    from lm_eval.tasks import TaskManager

    class Replay(LM):
        def loglikelihood(self, requests): raise NotImplementedError

        def loglikelihood_rolling(self, requests): raise NotImplementedError

        def generate_until(self, requests):
            return [responses[request.args[0].rsplit("Question: ", 1)[1]] for request in requests]

    results = lm_eval.simple_evaluate(model=Replay(), tasks=["toy_arith"], task_manager=TaskManager(include_path=str(task.parent), include_defaults=False), bootstrap_iters=0)
    return results["results"]["toy_arith"]["exact_match,strict"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def only_run(out: Path) -> Path:
    (folder,) = [path for path in out.iterdir() if path.is_dir()]
    return folder


@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_accuracy_tokens_and_truncation(tmp_path, capsys, policy):
    task = write_task(tmp_path / "task")
    code, out, err = run(capsys, "run", "--model", "scripted-reasoner", "--suite", f"lm-eval:{task}", "--out", str(tmp_path / "runs"), "--no-progress", "--batch-size", "3", "--set", f"truncated={policy}")
    assert code == 0, err
    assert "accuracy (exact_match,strict)" in out and "truncated chains: 2" in out
    folder = only_run(tmp_path / "runs")
    run_document = json.loads((folder / "run.json").read_text())
    records = {record["sample_id"]: record for record in read_records(folder)}
    assert sorted(records, key=int) == [str(i) for i in range(8)] and run_document["status"] == "complete"
    assert run_document["protocol"] == "lm-eval" and run_document["suite"]["n_samples"] == 8

    tokenizer = qwen_tokenizer()
    for index, question in enumerate(QUESTIONS):
        text, finish = SCRIPT[question]
        prediction = records[str(index)]["prediction"]
        spans = split_reasoning(text, finish)
        assert prediction["tokens"]["reasoning"] == len(tokenizer.encode(spans.reasoning, add_special_tokens=False))
        assert prediction["tokens"]["generated"] == len(tokenizer.encode(text, add_special_tokens=False))
        assert prediction["truncated"] == (index in (2, 5)) and prediction["raw_text"] == text
    assert records["0"]["prediction"]["reasoning_text"] == "I add 0 and 1." and records["0"]["prediction"]["answer_text"] == "The answer is 1"
    assert records["1"]["prediction"]["reasoning_text"].startswith("One plus one")  # the template opened <think>
    assert records["4"]["prediction"]["scored_text"] == "the answer is 5 "  # lm-eval's stop sequence cuts the answer

    # lm-eval's own aggregate over the texts wisebench handed it, and both policies' accuracies.
    responses = {question: records[str(i)]["prediction"]["scored_text"] for i, question in enumerate(QUESTIONS)}
    summary = run_document["summary"]["subsets"]["overall"]
    assert summary["accuracy"] == pytest.approx(lm_eval_own_accuracy(task, responses))
    assert summary["accuracy_strict"] == pytest.approx(4 / 8)  # docs 0, 3, 4, 6
    assert summary["accuracy_lenient"] == pytest.approx(6 / 8)  # + the truncated 2 and 5, scored on their chains
    assert summary["accuracy"] == summary[f"accuracy_{policy}"]
    truncated = run_document["summary"]["truncated"]
    assert truncated == {"n": 2, "n_correct_strict": 0, "n_correct_lenient": 2}
    assert run_document["summary"]["failures"]["n_truncated"] == 2
    assert summary["accuracy_ci"][0] <= summary["accuracy"] <= summary["accuracy_ci"][1]
    assert run_document["summary"]["budget"]["oaa_area"] is not None

    # Re-running the same command resumes and writes nothing new; show and compare take the run unchanged.
    before = (folder / "records.jsonl").read_bytes()
    assert run(capsys, "run", "--model", "scripted-reasoner", "--suite", f"lm-eval:{task}", "--out", str(tmp_path / "runs"), "--no-progress", "--batch-size", "3", "--set", f"truncated={policy}")[0] == 0
    assert (folder / "records.jsonl").read_bytes() == before
    code, out, _ = run(capsys, "show", str(folder))
    assert code == 0 and "accuracy" in out
    code, out, _ = run(capsys, "compare", str(folder), str(folder))
    assert code == 0 and "accuracy" in out and "+0.0" in out


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


def test_killed_run_resumes_without_duplicates(tmp_path, capsys):
    task = write_task(tmp_path / "task")
    script = tmp_path / "runner.py"
    script.write_text(KILLABLE.format(tests=str(Path(__file__).parent)))
    argv = ["run", "--model", "scripted-reasoner", "--suite", f"lm-eval:{task}", "--out", str(tmp_path / "runs"), "--no-progress", "--batch-size", "2"]
    environment = {**os.environ, "STANDIN_DELAY": "0.5", "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, str(script), *argv], cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    records_path = kill_after_lines(process, tmp_path / "runs", "*/records.jsonl", lines=4, timeout=120)
    scored_before_kill = records_path.read_bytes().count(b"\n")
    assert 4 <= scored_before_kill < 8
    kept = read_records(records_path.parent)
    with open(records_path, "ab") as stream:  # a torn write at the moment of the kill
        stream.write(b'{"sample_id":"7","doc')

    environment["STANDIN_DELAY"] = "0"
    finished = subprocess.run([sys.executable, str(script), *argv], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    records = read_records(records_path.parent)
    ids = [record["sample_id"] for record in records]
    assert sorted(ids, key=int) == [str(i) for i in range(8)] and len(set(ids)) == 8
    assert records[: len(kept)] == kept  # finished documents were kept as they were, not redone
    run_document = json.loads((records_path.parent / "run.json").read_text())
    assert run_document["status"] == "complete" and len(run_document["sessions"]) == 2
    assert run_document["sessions"][1]["resumed_from"] == len(kept)
    assert run_document["summary"]["subsets"]["overall"]["accuracy"] == pytest.approx(4 / 8)


def test_missing_task_data_is_one_message_exit_2(tmp_path, capsys):
    task = write_task(tmp_path / "task")
    (tmp_path / "task" / "toy.json").unlink()
    code, _, err = run(capsys, "run", "--model", "scripted-reasoner", "--suite", f"lm-eval:{task}", "--out", str(tmp_path / "runs"), "--no-progress")
    assert code == 2 and "toy_arith" in err and "lm-eval:PATH.yaml" in err


def test_aes_against_a_baseline_run(tmp_path, capsys):
    """AES (O1-Pruner) of the lenient run against the strict one: same reasoning length, accuracy 6/8 vs 4/8."""
    task = write_task(tmp_path / "task")
    folders = {}
    for policy in ("strict", "lenient"):
        out = tmp_path / policy
        assert run(capsys, "run", "--model", "scripted-reasoner", "--suite", f"lm-eval:{task}", "--out", str(out), "--no-progress", "--set", f"truncated={policy}")[0] == 0
        folders[policy] = only_run(out)
    code, out, _ = run(capsys, "show", str(folders["lenient"]), "--baseline", str(folders["strict"]), "--json")
    assert code == 0
    aes = json.loads(out)["summary"]["aes"]
    assert aes["baseline"] == folders["strict"].name
    assert aes["accuracy"] == pytest.approx(0.0 + 5 * ((6 / 8 - 4 / 8) / (4 / 8)))
    code, out, _ = run(capsys, "show", str(folders["lenient"]), "--baseline", str(folders["strict"]))
    assert code == 0 and "AES vs" in out and "2.500" in out


@pytest.mark.parametrize("settings, budget, source", [((), 64, "the task's max_gen_toks"), (("--set", "max_new_tokens=100"), 100, "--set max_new_tokens")])
def test_a_task_yamls_max_gen_toks_is_the_budget_unless_set(tmp_path, capsys, settings, budget, source):
    task = write_task(tmp_path / "task")  # max_gen_toks: 64
    code, out, err = run(capsys, "run", "--model", "scripted-reasoner", "--suite", f"lm-eval:{task}", "--out", str(tmp_path / "runs"), "--no-progress", *settings)
    assert code == 0, err
    assert f"generation budget: {budget} new tokens ({source})" in err
    model = json.loads((only_run(tmp_path / "runs") / "run.json").read_text())["model"]
    assert model["generation"]["max_new_tokens"] == budget and model["generation_budget"] == {"max_new_tokens": budget, "source": source}
    assert model["parse_policy"] == "lm-eval" and model["recipe"] is None


def test_a_task_named_from_lm_evals_registry_keeps_the_spec_budget():
    """lm-eval's own tasks carry small budgets (gsm8k: 256) meant for non-reasoning models: the spec's stays."""
    from wisebench.registry import MODELS
    from wisebench.text.protocol import TaskProtocol, resolve_spec

    spec = MODELS.load("verithinker-7b")
    protocol = TaskProtocol(generation_kwargs={"max_gen_toks": 256, "until": ["Question:"], "temperature": 0.0}, from_yaml=False)
    resolved = resolve_spec(spec, protocol, "aime24", set())
    assert resolved.spec.generation.max_new_tokens == 16384 and resolved.sources["max_new_tokens"] == "the model spec"
    assert resolved.spec.stop == ("\n</think>",) and resolved.spec.repeats == 8 and resolved.spec.generation.temperature == 0.6


def test_a_metric_not_aggregated_by_the_mean_is_refused_by_name(tmp_path, capsys):
    """A run reports the mean of its records' accuracy: a task that aggregates its metric otherwise is refused."""
    task = write_task(tmp_path / "task")
    task.write_text(task.read_text().replace("aggregation: mean", "aggregation: median"))
    code, _, err = run(capsys, "run", "--model", "scripted-reasoner", "--suite", f"lm-eval:{task}", "--out", str(tmp_path / "runs"), "--no-progress")
    assert code == 2 and "exact_match" in err and "median" in err and "--set metric=" in err
