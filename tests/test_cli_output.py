"""The command line as a pipe sees it: `--json | head` ends quietly, and `show --format lm-eval` writes a results JSON
that lm-eval's own tooling reads."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from wisebench.cli import main


@pytest.fixture(scope="module")
def oracle_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    assert main(["run", "--model", "oracle", "--suite", "reasonseg-mini", "--limit", "4", "--out", str(out), "--no-progress"]) == 0
    (folder,) = [path for path in out.iterdir() if path.is_dir()]
    return folder


def test_json_output_into_a_closed_pipe_ends_quietly(oracle_run):
    command = f"{sys.executable} -m wisebench show {oracle_run} --json | head -c 20"
    finished = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120)
    assert finished.stdout.startswith("{") and finished.stderr == "", finished.stderr


def test_show_format_lm_eval_is_read_by_lm_evals_make_table(oracle_run, capsys):
    pytest.importorskip("lm_eval")
    from lm_eval.utils import make_table

    assert main(["show", str(oracle_run), "--format", "lm-eval"]) == 0
    results = json.loads(capsys.readouterr().out)
    table = make_table(results)
    summary = json.loads((oracle_run / "run.json").read_text())["summary"]
    assert "reasonseg-mini/val" in table and "giou" in table and "ciou" in table and "lisa" in table
    assert f"{summary['subsets']['overall']['giou']:.4f}" in table
    assert results["higher_is_better"]["reasonseg-mini/val"] == {"giou": True, "ciou": True, "reasoning_tokens": False}


def test_a_text_run_exports_its_task_metric(tmp_path, capsys, monkeypatch):
    pytest.importorskip("lm_eval")
    import text_standin
    from lm_eval.utils import make_table
    from text_standin import write_task

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    text_standin.register()
    task = write_task(tmp_path / "task")
    assert main(["run", "--model", "scripted-reasoner", "--suite", f"lm-eval:{task}", "--out", str(tmp_path / "runs"), "--no-progress"]) == 0
    (folder,) = [path for path in (tmp_path / "runs").iterdir() if path.is_dir()]
    capsys.readouterr()
    assert main(["show", str(folder), "--format", "lm-eval"]) == 0
    results = json.loads(capsys.readouterr().out)
    (metrics,) = results["results"].values()
    assert metrics["exact_match,strict"] == pytest.approx(0.5) and isinstance(metrics["exact_match_stderr,strict"], float)
    assert "exact_match" in make_table(results) and "strict" in make_table(results)
