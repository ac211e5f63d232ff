"""The adapter interface: a model turns a batch of Samples into Predictions and says what it is."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from wisebench.adapters.prediction import Prediction
from wisebench.data.sample import Sample


@dataclass
class ModelOptions:
    """What the CLI passes to every adapter; adapter-specific knobs go in `settings` (--set key=value)."""

    checkpoint: str | None = None  # hub id or local folder, overriding the adapter's default
    segmenter: str | None = None  # segmenter name; None = the adapter's default
    segmenter_checkpoint: str | None = None
    device: str | None = None  # None = best available
    seed: int = 0
    latency_mode: bool = False  # batch size 1, per-sample latency
    settings: dict[str, Any] = field(default_factory=dict)


class Adapter(ABC):
    """Subclass, set `name`, implement `predict` and `describe`; register it under a name (README:
    "Submitting a new adapter")."""

    name: str = ""
    # Batches at the start of each process whose timings are excluded from latency figures (kernel compilation,
    # caches, allocator growth). Adapters with nothing to warm up set 0.
    warmup_batches: int = 1

    def __init__(self, options: ModelOptions):
        self.options = options

    @abstractmethod
    def predict(self, samples: list[Sample]) -> list[Prediction]:
        """One Prediction per sample, in order. Must not raise for a bad model output: return a Prediction
        with mask None and `failure` set. May raise BadSampleError for a corrupt input image."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """What identifies this configuration in run.json: checkpoint id and revision, prompt template,
        generation settings, segmenter, and "random_weights": True for smoke runs."""

    @classmethod
    def known_settings(cls) -> tuple[str, ...] | None:
        """The --set keys this adapter reads; the run loop refuses any other before loading anything. None: the
        adapter does not declare them (a plugin written before this existed) and checks its own."""
        return None

    @classmethod
    def default_segmenter(cls) -> str | None:
        """The segmenter used when --segmenter is not given (so naming it gives the same run id); None: the
        adapter has no choice of segmenter."""
        return None

    def stages(self) -> list[Callable[[Any], Any]]:
        """`predict` cut into steps that can overlap across batches: the run loop runs each step in its own thread,
        so step 2 of batch k (e.g. SAM2) runs while step 1 of batch k+1 (the reasoner) does. The first step takes the
        batch's samples, each next one the previous one's output, the last returns the predictions. One step
        (`predict`) unless an adapter has more."""
        return [self.predict]

    def can_stream(self) -> bool:
        """Whether the first stage can take samples as a stream (a continuous-batching engine such as vLLM): then
        the run loop hands it the whole pending list through `stream` instead of one batch at a time."""
        return False

    def stream(self, samples: Iterable[Any], group_size: int, window: int) -> Iterator[tuple[list[Any], Any]]:
        """The first stage over a stream: at most `window` samples in the engine at once, results handed on in
        groups of about `group_size` as they finish, as (samples, what the next stage takes: the predictions for a
        one-stage adapter). A sample whose input is bad comes out alone with its BadSampleError as the second item."""
        raise NotImplementedError(f"adapter {self.name!r} does not stream")

    def prompt_text(self, sample: Sample) -> str | None:
        """The exact text prompt the model gets for `sample` (None for adapters without one)."""
        return None

    def prompt_hash(self, sample: Sample) -> str | None:
        text = self.prompt_text(sample)
        # surrogatepass: a custom adapter's text may hold a lone surrogate; it must not stop the run
        return None if text is None else hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]

    def close(self) -> None:
        """Free devices and files; called once at the end of a run."""
