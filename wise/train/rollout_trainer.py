"""TRL's GRPOTrainer plus one thing: PixelThink's uncertainty recorded during the transformers rollout.

Only the generation call is wrapped (TRL's `_generate_single_turn`, TRL >= 1.16 < 2 as the train extra pins); the
policy's forward hook is active for the generation alone, never for the loss passes."""

from __future__ import annotations

from typing import Any

from trl import GRPOTrainer

from wise.train.uncertainty import RolloutUncertainty


class UncertaintyGRPOTrainer(GRPOTrainer):
    def __init__(self, *args: Any, rollout_uncertainty: RolloutUncertainty, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.use_vllm:
            raise ValueError("PixelThink's rollout uncertainty needs the transformers rollout (TRL's vLLM rollout keeps only the sampled token's logprob)")
        self.rollout_uncertainty = rollout_uncertainty

    def _generate_single_turn(self, prompt_ids, *args: Any, **kwargs: Any):
        with self.rollout_uncertainty.recording(self.model):
            completion_ids, logprobs = super()._generate_single_turn(prompt_ids, *args, **kwargs)
        self.rollout_uncertainty.finish(completion_ids)
        return completion_ids, logprobs
