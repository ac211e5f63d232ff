"""Does the accelerator wait for the harness? A simulated accelerator adapter (it sleeps per batch, releasing the
GIL as a CUDA call does) over 1024 x 1024 JPEG samples, run through the run loop's local executor twice in one
process: serial (decode, predict, score, RLE, fsync, then the next batch: the loop before the pipeline) and
pipelined (decoding ahead and scoring + writing behind the model, in threads). The figure is wall time / model-only
time: 1.00 means the model never waited for the harness.

    python benchmarks/pipeline_overlap.py [--samples 128] [--batch-size 8] [--ms 30 100]

A two-stage variant (reasoner 70 % of the time, segmenter 30 %) also shows the stages overlapping across batches.
Last, continuous batching: 256 pending samples through the WISE-S pipeline on the vLLM backend over a stand-in
engine shaped like vLLM's offline engine loop (tests/vllm_standins.py; the real vLLM is not installed here), and
how many requests the engine held at once.
Prints a table; the README quotes it with the machine it came from.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the vLLM stand-in engine

from harness_cost import synthetic_samples  # noqa: E402

from wisebench.adapters.base import Adapter, ModelOptions  # noqa: E402
from wisebench.adapters.prediction import Prediction  # noqa: E402
from wisebench.runner.config import RunConfig  # noqa: E402
from wisebench.runner.environment import cpu_model  # noqa: E402
from wisebench.runner.executors import LocalExecutor  # noqa: E402
from wisebench.runner.store import RunStore  # noqa: E402
from wisebench.segmenters.base import Segmenter  # noqa: E402


class SimulatedAccelerator(Adapter):
    """Decodes its images as a real adapter does, then "runs the model": a sleep of `ms` per sample (time.sleep
    releases the GIL, like a CUDA kernel launch and synchronize). Its mask is a box: RLE and scoring cost as usual.
    With two stages, 70 % of the sleep is the reasoner's and 30 % the segmenter's."""

    name = "simulated"
    warmup_batches = 0

    def __init__(self, ms_per_sample: float, two_stages: bool):
        super().__init__(ModelOptions())
        self.seconds_per_sample = ms_per_sample / 1000
        self.two_stages = two_stages
        self.model_seconds = 0.0

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)
        self.model_seconds += seconds

    def stages(self):
        return [self.reason, self.segment] if self.two_stages else [self.predict]

    def reason(self, samples: list[Any]) -> list[tuple[np.ndarray, Any]]:
        images = [sample.load_image() for sample in samples]
        self._sleep(self.seconds_per_sample * len(samples) * (0.7 if self.two_stages else 1.0))
        return list(zip(images, samples))

    def segment(self, reasoned: list[tuple[np.ndarray, Any]]) -> list[Prediction]:
        if self.two_stages:
            self._sleep(self.seconds_per_sample * len(reasoned) * 0.3)
        predictions = []
        for image, _ in reasoned:
            mask = np.zeros(image.shape[:2], bool)
            mask[200:700, 300:800] = True
            predictions.append(Prediction(mask=mask, seconds={"total": self.seconds_per_sample}))
        return predictions

    def predict(self, samples: list[Any]) -> list[Prediction]:
        return self.segment(self.reason(samples))

    def describe(self) -> dict[str, Any]:
        return {"adapter": self.name, "random_weights": True}


def measure(samples: list[Any], batch_size: int, ms: float, two_stages: bool, pipelined: bool) -> float:
    """wall seconds / model seconds of one run over `samples`, records written and fsynced per batch."""
    adapter = SimulatedAccelerator(ms, two_stages)
    with tempfile.TemporaryDirectory() as out:
        config = RunConfig(model="oracle", suite="reasonseg-mini", split="val", out=out, batch_size=batch_size)
        executor = LocalExecutor(config, lambda _: adapter, pipelined=pipelined)
        batches = [samples[start : start + batch_size] for start in range(0, len(samples), batch_size)]
        with RunStore(Path(out) / "run") as store:
            start = time.perf_counter()
            for records in executor.results(batches):
                store.append(records)
            wall = time.perf_counter() - start
        assert len(store.records()) == len(samples)
    return wall / adapter.model_seconds


class BoxSegmenter(Segmenter):
    """The answer's box filled: no model, so the concurrency run measures only the engine loop and the harness."""

    name = "box"

    def segment(self, image: np.ndarray, objects: list) -> np.ndarray:
        mask = np.zeros(image.shape[:2], bool)
        for prompt in objects:
            x1, y1, x2, y2 = (int(round(value)) for value in prompt.box)
            mask[max(y1, 0) : max(y2, 0), max(x1, 0) : max(x2, 0)] = True
        return mask

    def describe(self) -> dict[str, Any]:
        return {"name": self.name}


class CharacterTokenizer:
    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return [ord(character) for character in text]


class ChatProcessor:
    """The stand-in engine needs a prompt text and a tokenizer only."""

    tokenizer = CharacterTokenizer()

    def apply_chat_template(self, messages: list, **kwargs: Any) -> str:
        return messages[0]["content"][1]["text"]


def engine_concurrency(pending: int = 256, window: int = 256, batch_size: int = 8) -> tuple[int, int]:
    """(requests the stand-in engine held at once, records written) for `pending` samples through the run loop."""
    from vllm_standins import StandInLLM, StandInStepEngine

    from wise.adapters import WiseSAdapter
    from wisebench.reasoner.backends.vllm_backend import VLLMReasoner
    from wisebench.registry import SUITES

    mini = SUITES.load("reasonseg-mini")().load("val", None).samples
    samples = [replace(mini[index % len(mini)], sample_id=f"{mini[index % len(mini)].sample_id}#{index}") for index in range(pending)]

    def answer(prompt: str) -> tuple[str, int]:
        return '<think>the one on the left</think><answer>{"bbox": [100, 100, 500, 400], "points_1": [200, 200], "points_2": [300, 300]}</answer>', 24

    engine = StandInStepEngine(answer)
    backend = VLLMReasoner("org/wise-s", engine=StandInLLM(engine), processor=ChatProcessor())
    backend.make_sampling_params = lambda **kw: dict(kw)  # no vLLM here: the params are the plain keywords
    adapter = WiseSAdapter(ModelOptions(checkpoint="org/wise-s", settings={"cache": False}), backend=backend, segmenter=BoxSegmenter())
    with tempfile.TemporaryDirectory() as out:
        config = RunConfig(model="wise-s", suite="reasonseg-mini", split="val", out=out, batch_size=batch_size, window=window)
        executor = LocalExecutor(config, lambda _: adapter)
        with RunStore(Path(out) / "run") as store:
            for records in executor.results([samples[start : start + batch_size] for start in range(0, pending, batch_size)]):
                store.append(records)
            written = len(store.records())
    return engine.max_held, written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--ms", type=float, nargs="+", default=[30.0, 100.0], help="simulated model milliseconds per sample")
    args = parser.parse_args()
    samples = synthetic_samples(args.samples)
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    print(f"{args.samples} samples of 1024 x 1024 (JPEG + polygon ground truth), batch {args.batch_size}; wall / model-only time\n")
    print(f"{'model ms/sample':>16}{'stages':>8}{'serial (before)':>17}{'pipelined (after)':>19}")
    for ms in args.ms:
        for two_stages in (False, True):
            serial = measure(samples, args.batch_size, ms, two_stages, pipelined=False)
            overlapped = measure(samples, args.batch_size, ms, two_stages, pipelined=True)
            print(f"{ms:>16.0f}{2 if two_stages else 1:>8}{serial:>17.2f}{overlapped:>19.2f}")
    held, written = engine_concurrency()
    print(f"\ncontinuous batching (stand-in vLLM engine, window 256, batch 8): 256 pending samples, {held} held at once, {written} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
