"""The reference WISE GRPO trainer end to end on CPU: a tiny random Qwen2.5-VL trains two GRPO steps on
reasonseg-mini samples with the full WISE reward (packaged all-MiniLM-L6-v2, real Qwen tokenizer), every reward
component is logged per step, and the checkpoint evaluates through `wisebench run`.
Random weights never answer in the format, so every WISE reward is 0 and would give no gradient: a stand-in reward
with variance (the share of odd token ids) is added, the entropy bonus is off (and the KL term has no gradient at
the first step), so the gradient measured before the first optimizer step is the rewards' alone; it must reach the
language model and the vision tower."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("trl")
pytest.importorskip("sentence_transformers")
pytest.importorskip("yaml")

from tiny_models import build_tiny_qwen25vl, qwen_tokenizer_folder  # noqa: E402
from wisebench.cli import main as wisebench_main  # noqa: E402
from wisebench.runner.store import read_records  # noqa: E402
from wise.train.__main__ import main as train_main  # noqa: E402
from wise.train.trainer import TRAINING_LOG, TRAINING_RECORD  # noqa: E402

TINY_CONFIG = Path(__file__).parent.parent / "wise" / "configs" / "tiny-cpu.yaml"
REWARDS = ["format", "answer_schema", "box_iou", "box_l1", "points", "self_distillation"]


def weights(folder: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(folder / "model.safetensors")


def odd_token_share(prompts, completions, completion_ids, **columns):
    """A reward stand-in with variance within a group: the share of odd token ids in each completion."""
    return [sum(token % 2 for token in ids) / max(len(ids), 1) for ids in completion_ids]


class GradientProbe:
    """Squared gradient norms of the vision tower and of the rest, just before each optimizer step."""

    def __init__(self):
        from transformers import TrainerCallback

        probe = self
        self.vision: list[float] = []
        self.language: list[float] = []

        class Callback(TrainerCallback):
            def on_pre_optimizer_step(self, args, state, control, model=None, **kwargs):
                grads = [(name, parameter.grad) for name, parameter in model.named_parameters() if parameter.grad is not None]
                probe.vision.append(sum(float(grad.float().pow(2).sum()) for name, grad in grads if "visual" in name))
                probe.language.append(sum(float(grad.float().pow(2).sum()) for name, grad in grads if "visual" not in name))

        self.callback = Callback()


def test_two_grpo_steps_with_a_reward_driven_gradient_then_the_checkpoint_evaluates(tmp_path, capsys):
    from wise.train.config import load_config
    from wise.train.trainer import train

    tiny = build_tiny_qwen25vl(tmp_path / "tiny")
    before = weights(tiny)
    output = tmp_path / "checkpoint"
    config = load_config(TINY_CONFIG, [
        f"model={tiny}", f"rewards.token_counter={qwen_tokenizer_folder()}", f"output_dir={output}", "grpo.entropy_coef=0",
    ])
    gradients = GradientProbe()
    train(config, extra_rewards=[odd_token_share], callbacks=[gradients.callback])

    assert len(gradients.vision) == 2
    assert gradients.language[0] > 0, "no gradient on the policy from the rewards"
    assert gradients.vision[0] > 0, "the vision tower got no gradient"
    after = weights(output)
    assert before.keys() == after.keys()
    assert any(not (before[name] == after[name]).all() for name in before if "visual" in name), "no vision parameter changed"

    steps = [json.loads(line) for line in (output / TRAINING_LOG).read_text().splitlines()]
    per_step = [entry for entry in steps if "loss" in entry]
    assert [entry["step"] for entry in per_step] == [1, 2]
    for entry in per_step:
        assert all(f"rewards/{name}/mean" in entry for name in REWARDS + ["odd_token_share"]) and "kl" in entry
    assert per_step[0]["grad_norm"] > 0 and per_step[0]["reward_std"] > 0
    record = json.loads((output / TRAINING_RECORD).read_text())
    assert record["rewards"] == {name: 1.0 for name in REWARDS} and record["steps"] == 2 and record["training_samples"] == 2
    assert record["extra_rewards"] == ["odd_token_share"]
    assert (output / "preprocessor_config.json").exists() or (output / "processor_config.json").exists()
    assert not list(output.glob("checkpoint-*")), "grpo.save_steps 0 writes no checkpoint-N folder (no optimizer state)"

    code = wisebench_main([
        "run", "--model", "wise", "--checkpoint", str(output), "--suite", "reasonseg-mini", "--limit", "1",
        "--segmenter", "grabcut", "--set", "max_new_tokens=8", "--out", str(tmp_path / "runs"), "--no-progress",
    ])
    assert code == 0, capsys.readouterr().err
    (run_folder,) = [path for path in (tmp_path / "runs").iterdir() if path.is_dir()]
    (evaluated,) = read_records(run_folder)
    assert evaluated["prediction"]["raw_text"] and 1 <= evaluated["prediction"]["tokens"]["generated"] <= 8


def test_print_config_shows_wise_defaults(capsys):
    assert train_main(["--print-config"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert config["grpo"]["group_size"] == 8 and config["grpo"]["kl_coef"] == 5e-3
    assert config["model"] == "Qwen/Qwen2.5-VL-7B-Instruct"


def test_train_is_a_wisebench_subcommand():
    from wisebench.commands import MODULES

    assert "wisebench.commands.train" in MODULES
