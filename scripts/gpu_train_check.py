"""Two WISE GRPO steps on a tiny random Qwen2.5-VL, on CUDA when a GPU is there (else CPU); exit 0 on success.

Run from the repository root: `python scripts/gpu_train_check.py` (scripts/gpu_check.sh calls it). It builds the
tiny model the tests use (tests/tiny_models.py: real Qwen tokenizer, random weights), trains with
wise/configs/tiny-cpu.yaml plus a stand-in reward with variance (random weights never earn WISE's rewards), and
checks that the rewards' gradient reached the language model and the vision tower, then prints what it did.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # tiny_models.py


def odd_token_share(prompts, completions, completion_ids, **columns):
    """Stand-in reward with variance within a group: the share of odd token ids."""
    return [sum(token % 2 for token in ids) / max(len(ids), 1) for ids in completion_ids]


def gradient_callback(norms: dict[str, list[float]]):
    from transformers import TrainerCallback

    class Gradients(TrainerCallback):
        def on_pre_optimizer_step(self, args, state, control, model=None, **kwargs):
            for part in ("vision", "language"):
                norms[part].append(sum(
                    float(parameter.grad.float().pow(2).sum()) for name, parameter in model.named_parameters()
                    if parameter.grad is not None and ("visual" in name) == (part == "vision")
                ) ** 0.5)

    return Gradients()


def main() -> int:
    import torch

    from tiny_models import build_tiny_qwen25vl, qwen_tokenizer_folder
    from wise.train.config import load_config
    from wise.train.trainer import TRAINING_LOG, train

    cuda = torch.cuda.is_available()
    device = torch.cuda.get_device_name(0) if cuda else "CPU"
    with tempfile.TemporaryDirectory(prefix="wise-gpu-train-check-") as folder:
        work = Path(folder)
        overrides = [
            f"model={build_tiny_qwen25vl(work / 'tiny')}", f"rewards.token_counter={qwen_tokenizer_folder()}",
            f"output_dir={work / 'checkpoint'}", "grpo.entropy_coef=0", "grpo.max_steps=2",
        ]
        if cuda:  # the 7B recipe's numerics: fp32 weights, bf16 autocast
            overrides += ["grpo.use_cpu=false", "grpo.bf16=true"]
        config = load_config(ROOT / "wise" / "configs" / "tiny-cpu.yaml", overrides)
        norms: dict[str, list[float]] = {"vision": [], "language": []}
        started = time.perf_counter()
        train(config, extra_rewards=[odd_token_share], callbacks=[gradient_callback(norms)])
        seconds = time.perf_counter() - started
        log = [json.loads(line) for line in (work / "checkpoint" / TRAINING_LOG).read_text().splitlines()]
    steps = [entry for entry in log if "loss" in entry]
    print(f"gpu_train_check: device {device}; {len(steps)} GRPO steps in {seconds:.1f} s (bf16 autocast: {config.grpo.bf16})")
    for entry in steps:
        rewards = {key.split("/")[1]: round(value, 4) for key, value in entry.items() if key.startswith("rewards/") and key.endswith("/mean")}
        print(f"  step {entry['step']}: loss {entry['loss']:.4g}, grad_norm {entry.get('grad_norm', 0):.3g}, rewards {rewards}")
    print(f"  gradient norms before each optimizer step: language {norms['language']}, vision {norms['vision']}")
    problems = []
    if [entry["step"] for entry in steps] != [1, 2]:
        problems.append(f"expected steps [1, 2], logged {[entry['step'] for entry in steps]}")
    if not norms["language"] or norms["language"][0] <= 0:
        problems.append("no reward-driven gradient on the language model")
    if not norms["vision"] or norms["vision"][0] <= 0:
        problems.append("no gradient on the vision tower")
    for problem in problems:
        print(f"gpu_train_check: FAILED: {problem}", file=sys.stderr)
    if not problems:
        print("gpu_train_check: OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
