"""RunConfig: everything that decides a run's predictions, and the run id derived from it.

The run id is a hash of the configuration, so re-running the same command finds the same folder and resumes
it. Knobs that do not change what is predicted (batch size, output folder, headline protocol) stay out of it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wisebench.adapters.base import ModelOptions


@dataclass
class RunConfig:
    model: str
    suite: str
    split: str
    data_dir: str | None = None
    limit: int | None = None
    batch_size: int = 8
    protocol: str = "lisa"
    seed: int = 0
    skip_bad: bool = False
    out: str = "runs"
    checkpoint: str | None = None
    segmenter: str | None = None
    segmenter_checkpoint: str | None = None
    device: str | None = None
    latency_mode: bool = False
    settings: dict[str, Any] = field(default_factory=dict)
    shard: str | None = None  # "K/N": the K-th of N disjoint parts (runner/shards.py)
    executor: str = "local"  # "local" | "ray"
    num_workers: int = 2  # ray only
    gpus_per_worker: float = 0.0  # ray only
    # Continuous-batching backends (vLLM): requests held by the engine at once. How to execute, not what to
    # predict: not part of the run id, like batch_size.
    window: int = 256
    # Text suites: the hash of the resolved lm-eval task configuration and its documents (set by the run loop when
    # it opens the suite), so an edited task YAML or changed data is another run.
    suite_fingerprint: str | None = None

    def model_options(self) -> ModelOptions:
        return ModelOptions(
            checkpoint=self.checkpoint,
            segmenter=self.segmenter,
            segmenter_checkpoint=self.segmenter_checkpoint,
            device=self.device,
            seed=self.seed,
            latency_mode=self.latency_mode,
            settings=dict(self.settings),
        )

    def unsharded(self) -> "RunConfig":
        from dataclasses import replace

        return replace(self, shard=None, settings=dict(self.settings))

    def identity(self) -> dict[str, Any]:
        """The fields that decide predictions; data_dir is made absolute when it is a local path."""
        data_dir = self.data_dir
        if data_dir and Path(data_dir).expanduser().exists():
            data_dir = str(Path(data_dir).expanduser().resolve())
        identity: dict[str, Any] = {
            "model": self.model,
            "suite": self.suite,
            "split": self.split,
            "data_dir": data_dir,
            "limit": self.limit,
            "seed": self.seed,
            "checkpoint": self.checkpoint,
            "segmenter": self.segmenter,
            "segmenter_checkpoint": self.segmenter_checkpoint,
            "latency_mode": self.latency_mode,
            "settings": self.settings,
            "shard": self.shard,
        }
        if self.suite_fingerprint is not None:  # absent for segmentation suites: their run ids stay as they were
            identity["suite_fingerprint"] = self.suite_fingerprint
        return identity

    def run_id(self) -> str:
        digest = hashlib.sha256(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest()[:10]
        shard = f"_shard{self.shard.replace('/', 'of')}" if self.shard else ""
        readable = re.sub(r"[^A-Za-z0-9.+\-]+", "-", f"{self.model}_{self.suite}_{self.split}{shard}")
        return f"{readable}_{digest}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RunConfig":
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})
