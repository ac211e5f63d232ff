"""Synthetic runs for testing and demonstrating the board without a model: a scripted adapter whose masks are the
ground truth shifted sideways, with made-up reasoning of a chosen typical length, some format failures, and fixed
per-sample timings. The runs go through the real run loop (wisebench.runner.run.execute_run), so their run.json and
records are genuine; only the predictions are scripted. The model description says "synthetic": True.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wisebench.adapters.base import Adapter, ModelOptions
from wisebench.adapters.prediction import ObjectPrompt, Prediction, TokenCounts
from wisebench.data.sample import Sample

WORDS = ("the", "query", "asks", "for", "object", "left", "of", "table", "so", "box", "it", "and", "point", "inside")
# Seeded into one sample's reasoning, so tests can check model output reaches the page as text, never as markup.
MARKUP_REASONING = '<img src=x onerror="alert(1)"><b>bold</b> **not bold** [link](http://example.invalid)'


@dataclass(frozen=True)
class Script:
    max_shift: int  # pixels the mask is moved sideways, at most (accuracy)
    mean_reasoning_words: int  # typical reasoning length (cost)
    failure_every: int = 0  # every n-th sample is an unparsable answer (0: none)
    seconds_per_token: float = 0.002


SCRIPTS = {
    "seg-zero": Script(max_shift=14, mean_reasoning_words=85, failure_every=9, seconds_per_token=0.004),
    "wise": Script(max_shift=10, mean_reasoning_words=28, failure_every=11),
    "wise-s": Script(max_shift=12, mean_reasoning_words=17, failure_every=13),
    "oracle": Script(max_shift=0, mean_reasoning_words=0),
}


def _rng(*parts: Any) -> np.random.Generator:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


class ScriptedAdapter(Adapter):
    warmup_batches = 0

    def __init__(self, options: ModelOptions, model: str, script: Script):
        super().__init__(options)
        self.name = model
        self.script = script
        self._count = 0

    def predict(self, samples: list[Sample]) -> list[Prediction]:
        return [self._predict_one(sample) for sample in samples]

    def _predict_one(self, sample: Sample) -> Prediction:
        self._count += 1
        rng = _rng(self.name, self.options.seed, sample.sample_id)
        words = int(rng.poisson(self.script.mean_reasoning_words)) if self.script.mean_reasoning_words else 0
        reasoning = " ".join(WORDS[(index * 5 + words) % len(WORDS)] for index in range(words))
        if sample.sample_id.endswith("0003") and words:
            reasoning = f"{MARKUP_REASONING} {reasoning}"
        reasoning_tokens = int(round(words * 1.3))
        generated = reasoning_tokens + (0 if not words else 24)
        tokens = TokenCounts(prompt=420 if words else 0, reasoning=reasoning_tokens, generated=generated, conventions={"wisebench": reasoning_tokens, "wise": reasoning_tokens})
        seconds = {"reasoner": round(0.05 + generated * self.script.seconds_per_token, 4), "segmenter": 0.06}
        seconds["total"] = round(seconds["reasoner"] + seconds["segmenter"], 4)
        text = f"<think>{reasoning}</think><answer>...</answer>" if words else ""
        if self.script.failure_every and self._count % self.script.failure_every == 0:
            return Prediction(mask=None, failure="no_answer_json", raw_text=text, reasoning_text=reasoning, tokens=tokens, finish_reason="stop", seconds=seconds, parse_policy=self._policy(words))
        target = sample.load_gt_mask() == 1
        shift = int(rng.integers(0, self.script.max_shift + 1))
        mask = np.roll(target, shift, axis=1)
        rows, columns = np.nonzero(mask)
        objects = []
        if rows.size:
            box = (float(columns.min()), float(rows.min()), float(columns.max()), float(rows.max()))
            centre = (float(np.median(columns)), float(np.median(rows)))
            objects = [ObjectPrompt(box=box, points=(centre,), point_labels=(1,))]
        return Prediction(
            mask=mask,
            raw_text=text,
            reasoning_text=reasoning,
            answer_text="...",
            objects=objects,
            tokens=tokens,
            finish_reason="stop" if words else None,
            seconds=seconds,
            parse_policy=self._policy(words),
        )

    @staticmethod
    def _policy(words: int) -> str | None:
        return "upstream" if words else None  # a scripted reasoner reads its answers as its paper's script would

    def describe(self) -> dict[str, Any]:
        return {
            "adapter": self.name,
            "checkpoint": f"synthetic/{self.name}",
            "backend": {"backend": "scripted"},
            "segmenter": {"name": "shifted-ground-truth"},
            "random_weights": False,
            "synthetic": True,
            "token_convention": "wise" if self.script.mean_reasoning_words else "wisebench",
        }


def make_synthetic_run(
    out: Path,
    model: str,
    suite: str = "reasonseg-mini",
    split: str = "val",
    seed: int = 0,
    protocol: str = "lisa",
    hardware_label: str | None = None,
    data_dir: str | None = None,
) -> Path:
    """A complete run folder under `out` for registered model name `model` (its script from SCRIPTS); `data_dir` is
    the suite's data folder, as --data-dir (None: the suite's default)."""
    from wisebench.runner.config import RunConfig
    from wisebench.runner.run import execute_run
    from wisebench.runner.store import read_run_json, write_json_atomic

    script = SCRIPTS[model]
    # The checkpoint names the script, so a synthetic run never shares a run id (and folder) with a real one.
    config = RunConfig(model=model, suite=suite, split=split, out=str(out), seed=seed, protocol=protocol, checkpoint=f"synthetic/{model}", data_dir=data_dir)
    result = execute_run(config, progress=False, adapter_factory=lambda run_config: ScriptedAdapter(run_config.model_options(), model, script))
    if hardware_label is not None:  # hardware is metadata, outside the summary: tests vary it to exercise filters
        run = read_run_json(result.folder)
        run["environment"].setdefault("hardware", {})["label"] = hardware_label
        write_json_atomic(result.folder / "run.json", run)
    return result.folder
