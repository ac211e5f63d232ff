"""PixelThink's rollout uncertainty, measured while the policy generates.

songw-zju/PixelThink verl/workers/rollout/vllm_rollout/vllm_rollout_spmd.py asks vLLM for the top-5 logprobs of every
generated token (:86) and averages, over the completion's tokens, 1 - (p1 - p2) of the two most probable next
tokens, clamped to [0, 1]; a completion without tokens gets 0 (:207-228). The reward then widens a hard sample's
budget by 25 * uncertainty.

Here the same number is read from the policy's own next-token distributions during TRL's transformers rollout: a
forward hook on the policy records, at every generation step, 1 - (p1 - p2) of softmax(logits / temperature) for
every row; each completion averages its own steps (up to and including its EOS token, as vLLM's per-token list).
At PixelThink's and WISE's rollout settings (temperature 1.0, top_p 1.0) this is the distribution vLLM's logprobs
describe. The reward function looks the values up by completion ids, so a mismatch fails loudly instead of
pairing a completion with another's uncertainty. TRL's vLLM rollout keeps only the sampled token's logprob, so it
cannot give these values: the config refuses pixelthink_length with grpo.use_vllm.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Sequence


def token_uncertainty(logits: Any, temperature: float = 1.0) -> Any:
    """1 - (p1 - p2) per row of a [rows, vocab] logits tensor, clamped to [0, 1]."""
    import torch

    probabilities = torch.softmax(logits.float() / temperature, dim=-1)
    top = probabilities.topk(2, dim=-1).values
    return (1.0 - (top[..., 0] - top[..., 1])).clamp(0.0, 1.0)


class RolloutUncertainty:
    """Records per-step uncertainties while `recording(model)` is active; `finish` turns them into one value per
    completion; the reward reads them with `for_completions`."""

    def __init__(self, temperature: float = 1.0):
        self.temperature = temperature
        self._steps: list[Any] = []
        self._latest: list[tuple[tuple[int, ...], float]] = []

    @contextmanager
    def recording(self, model: Any) -> Iterator[None]:
        self._steps = []
        handle = model.register_forward_hook(self._record_step)
        try:
            yield
        finally:
            handle.remove()

    def _record_step(self, module: Any, inputs: Any, output: Any) -> None:
        logits = output.logits if hasattr(output, "logits") else output[0]
        self._steps.append(token_uncertainty(logits[:, -1, :].detach(), self.temperature).cpu())

    def finish(self, completion_ids: Sequence[Sequence[int]]) -> list[float]:
        """Average each completion's own steps; returns the values (also kept for the reward functions)."""
        import torch

        if not self._steps:
            raise RuntimeError("no generation step was recorded: the rollout did not run the hooked policy")
        per_step = torch.stack(self._steps)  # [steps, rows]
        if per_step.shape[1] != len(completion_ids) or per_step.shape[0] < max((len(ids) for ids in completion_ids), default=0):
            raise RuntimeError(
                f"recorded {per_step.shape[0]} steps x {per_step.shape[1]} rows, which cannot cover "
                f"{len(completion_ids)} completions of up to {max((len(ids) for ids in completion_ids), default=0)} tokens"
            )
        values = [float(per_step[: len(ids), row].mean()) if len(ids) else 0.0 for row, ids in enumerate(completion_ids)]
        self.record(completion_ids, values)
        self._steps = []
        return values

    def record(self, completion_ids: Sequence[Sequence[int]], values: Sequence[float]) -> None:
        self._latest = [(tuple(ids), float(value)) for ids, value in zip(completion_ids, values, strict=True)]

    def for_completions(self, completion_ids: Sequence[Sequence[int]]) -> list[float]:
        recorded = [ids for ids, _ in self._latest]
        if recorded != [tuple(ids) for ids in completion_ids]:
            raise RuntimeError(
                f"the reward got {len(completion_ids)} completions that are not the {len(recorded)} of the last recorded "
                "rollout; PixelThink's uncertainty is measured during the transformers rollout only"
            )
        return [value for _, value in self._latest]
