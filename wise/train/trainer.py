"""Train a WISE checkpoint: TRL's GRPOTrainer with WISE's data, prompt and rewards (nothing else is ours).

Scale comes from TRL: `accelerate launch -m wise.train --config FILE` runs data-parallel, a DeepSpeed config in
grpo.deepspeed shards a 7B model, grpo.use_vllm generates with vLLM. The output folder holds the model and its
processor (loadable by `wisebench run --model wise --checkpoint DIR`), wise_train.json (the resolved config,
reward names and weights, versions) and train_log.jsonl (one line per logged step: loss, KL, each reward's mean).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wisebench.errors import WisebenchError
from wise.train.config import TrainConfig

TRAINING_RECORD = "wise_train.json"
TRAINING_LOG = "train_log.jsonl"


def gradient_accumulation_steps(config: TrainConfig, world_size: int) -> int:
    """prompts_per_step * group_size completions per optimizer step, spread over devices and micro-batches."""
    grpo = config.grpo
    completions = grpo.prompts_per_step * grpo.group_size
    per_pass = grpo.per_device_batch_size * world_size
    if completions % per_pass:
        raise WisebenchError(
            f"grpo: {grpo.prompts_per_step} prompts x {grpo.group_size} completions = {completions} per step is not a "
            f"multiple of per_device_batch_size {grpo.per_device_batch_size} x {world_size} device(s)"
        )
    return completions // per_pass


def grpo_arguments(config: TrainConfig, reward_weights: list[float], world_size: int):
    from trl import GRPOConfig

    grpo = config.grpo
    # transformers 5 renamed gradient_checkpointing (still TRL's default True) to activation_checkpointing.
    renamed = "activation_checkpointing" in GRPOConfig.__dataclass_fields__
    checkpointing = {"activation_checkpointing" if renamed else "gradient_checkpointing": grpo.gradient_checkpointing}
    return GRPOConfig(
        output_dir=config.output_dir,
        seed=config.seed,
        num_generations=grpo.group_size,
        per_device_train_batch_size=grpo.per_device_batch_size,
        gradient_accumulation_steps=gradient_accumulation_steps(config, world_size),
        temperature=grpo.temperature,
        top_p=grpo.top_p,
        learning_rate=grpo.learning_rate,
        lr_scheduler_type="constant",  # verl's default: no warmup, no decay
        beta=grpo.kl_coef,
        max_completion_length=grpo.max_completion_length,
        epsilon=grpo.clip_epsilon,
        entropy_coef=grpo.entropy_coef,
        weight_decay=grpo.weight_decay,
        max_grad_norm=grpo.max_grad_norm,
        loss_type=grpo.loss_type,
        scale_rewards=grpo.scale_rewards,
        reward_weights=reward_weights,
        num_train_epochs=grpo.epochs,
        max_steps=grpo.max_steps,
        save_steps=grpo.save_steps,
        logging_steps=grpo.logging_steps,
        **checkpointing,
        bf16=grpo.bf16,
        use_cpu=grpo.use_cpu,
        use_vllm=grpo.use_vllm,
        deepspeed=grpo.deepspeed,
        log_completions=grpo.log_completions,
        report_to=list(grpo.report_to),
    )


def _log_callback(folder: Path):
    from transformers import TrainerCallback

    class JsonlLog(TrainerCallback):
        """Appends every logged step (loss, kl, rewards/<name>/mean ...) to train_log.jsonl on the main process."""

        def on_log(self, args, state, control, logs=None, **kwargs):
            if state.is_world_process_zero and logs:
                with (folder / TRAINING_LOG).open("a") as handle:
                    handle.write(json.dumps({"step": state.global_step, **logs}) + "\n")

    return JsonlLog()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("wisebench", "trl", "transformers", "torch", "accelerate", "sentence-transformers"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            pass
    return found


def train(config: TrainConfig) -> Path:
    """Run GRPO as configured; returns the output folder with the final checkpoint."""
    try:
        import torch
        from accelerate import PartialState
        from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration
        from trl import GRPOTrainer
    except ImportError as error:
        raise WisebenchError(f"training needs the train extra ({error.name or error} is missing): pip install 'wisebench[train]'") from error
    from wisebench.data.suite import cache_root
    from wisebench.reasoner.weights import loading_checkpoint, resolve_checkpoint
    from wise.train.dataset import build_training_dataset
    from wise.train.reward_functions import build_rewards

    output = Path(config.output_dir).expanduser()
    output.mkdir(parents=True, exist_ok=True)
    model_folder = resolve_checkpoint(config.model, what="policy model", flag="--set model=")
    with loading_checkpoint(model_folder, "policy model"):
        processor = AutoProcessor.from_pretrained(model_folder)
        model = Qwen2_5_VLForConditionalGeneration.from_pretrained(model_folder, dtype=getattr(torch, config.grpo.dtype))

    state = PartialState()
    if state.is_main_process:
        (output / TRAINING_LOG).unlink(missing_ok=True)  # a new run into an old folder starts a new log
    cache_dir = config.data.cache_dir or cache_root() / "training-sets"  # not inside the checkpoint folder
    with state.main_process_first():  # one process writes the Arrow copy, the others then read it
        dataset = build_training_dataset(config.data, cache_dir)
    rewards = build_rewards(config.rewards, processor.tokenizer)
    args = grpo_arguments(config, rewards.weights, state.num_processes)

    trainer = GRPOTrainer(
        model=model, reward_funcs=rewards.functions, args=args, train_dataset=dataset, processing_class=processor,
        callbacks=[_log_callback(output)],
    )
    trainer.train()
    trainer.save_model(str(output))  # weights + processor (the processing_class) in one folder
    if trainer.is_world_process_zero():
        processor.save_pretrained(output)
        record: dict[str, Any] = {
            "config": config.to_json(),
            "rewards": dict(zip(rewards.names(), rewards.weights)),
            "training_samples": len(dataset),
            "steps": trainer.state.global_step,
            "versions": _versions(),
        }
        (output / TRAINING_RECORD).write_text(json.dumps(record, indent=2))
    return output
