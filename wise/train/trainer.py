"""Train a WISE checkpoint: TRL's GRPOTrainer with WISE's data, prompt and rewards (nothing else is ours).

Scale comes from TRL: `accelerate launch -m wise.train --config FILE` runs data-parallel, a DeepSpeed config in
grpo.deepspeed (wise/configs/ds_zero3.json) shards a 7B model, grpo.use_vllm generates with vLLM (grpo.vllm_* keys).
With the pixelthink_length reward the rollout also records PixelThink's uncertainty (rollout_trainer.py).
The output folder holds the model and its
processor (loadable by `wisebench run --model wise --checkpoint DIR`), wise_train.json (the resolved config,
reward names and weights, versions) and train_log.jsonl (one line per logged step: loss, KL, each reward's mean).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from wisebench.errors import WisebenchError
from wise.train.config import TrainConfig, config_file

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
        save_strategy="steps" if grpo.save_steps > 0 else "no",
        save_steps=max(grpo.save_steps, 1),
        save_total_limit=grpo.save_total_limit,
        save_only_model=not grpo.save_optimizer_state,
        logging_steps=grpo.logging_steps,
        **checkpointing,
        bf16=grpo.bf16,
        use_cpu=grpo.use_cpu,
        use_vllm=grpo.use_vllm,
        vllm_mode=grpo.vllm_mode,
        vllm_tensor_parallel_size=grpo.vllm_tensor_parallel_size,
        vllm_gpu_memory_utilization=grpo.vllm_gpu_memory_utilization,
        vllm_enable_sleep_mode=grpo.vllm_enable_sleep_mode,
        vllm_server_host=grpo.vllm_server_host,
        vllm_server_port=grpo.vllm_server_port,
        deepspeed=str(config_file(grpo.deepspeed, "DeepSpeed config", "--set grpo.deepspeed=FILE")) if grpo.deepspeed else None,
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


def train(config: TrainConfig, extra_rewards: Sequence[Any] = (), callbacks: Sequence[Any] = ()) -> Path:
    """Run GRPO as configured; returns the output folder with the final checkpoint. `extra_rewards` (reward
    functions in TRL's form, weight 1) are added to the configured ones; `callbacks` are TRL/transformers callbacks."""
    try:
        import torch
        from accelerate import PartialState
        from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration
        from trl import GRPOTrainer
    except ImportError as error:
        raise WisebenchError(f"training needs the train extra ({error.name or error} is missing): pip install 'wisebench[train]'") from error
    from wisebench.data.suite import cache_root
    from wisebench.reasoner.weights import loading_checkpoint, resolve_checkpoint
    from wise.train.dataset import build_training_dataset, recipe_spec
    from wise.train.reward_functions import build_rewards
    from wise.train.uncertainty import RolloutUncertainty

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
        dataset = build_training_dataset(config.data, cache_dir, recipe_spec(config.recipe))
    uncertainty = RolloutUncertainty(config.grpo.temperature) if config.rewards.weights.get("pixelthink_length") else None
    rewards = build_rewards(config.rewards, processor.tokenizer, config.recipe, uncertainty)
    reward_functions = rewards.functions + list(extra_rewards)
    args = grpo_arguments(config, rewards.weights + [1.0] * len(extra_rewards), state.num_processes)

    trainer_class, extra = GRPOTrainer, {}
    if uncertainty is not None:
        from wise.train.rollout_trainer import UncertaintyGRPOTrainer

        trainer_class, extra = UncertaintyGRPOTrainer, {"rollout_uncertainty": uncertainty}
    trainer = trainer_class(
        model=model, reward_funcs=reward_functions, args=args, train_dataset=dataset, processing_class=processor,
        callbacks=[_log_callback(output), *callbacks], **extra,
    )
    trainer.train()
    trainer.save_model(str(output))  # weights + processor (the processing_class) in one folder
    if trainer.is_world_process_zero():
        processor.save_pretrained(output)
        record: dict[str, Any] = {
            "config": config.to_json(),
            "rewards": dict(zip(rewards.names(), rewards.weights)),
            "extra_rewards": [getattr(function, "__name__", repr(function)) for function in extra_rewards],
            "training_samples": len(dataset),
            "steps": trainer.state.global_step,
            "versions": _versions(),
        }
        (output / TRAINING_RECORD).write_text(json.dumps(record, indent=2))
    return output
