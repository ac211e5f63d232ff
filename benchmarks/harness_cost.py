"""What the harness itself costs per sample, apart from any model: load (image decode), rasterize (ground
truth), score (I and U under both protocols), record (RLE + JSON + append), and the whole run loop with a
model-free adapter. On reasonseg-mini and on synthetic 1024 x 1024 samples.

    python benchmarks/harness_cost.py [--repeats 3]

Prints a table; the README quotes the figures with the machine they came from.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wisebench.adapters.base import Adapter, ModelOptions
from wisebench.adapters.prediction import Prediction
from wisebench.data.gt_prompts import box_of
from wisebench.data.masks import rasterize_lisa_shapes
from wisebench.data.sample import ImageSource, Sample
from wisebench.metrics.iou import PROTOCOLS, intersection_union
from wisebench.registry import SUITES
from wisebench.runner.config import RunConfig
from wisebench.runner.environment import cpu_model
from wisebench.runner.run import execute_run
from wisebench.scoring.score import score_prediction


class BoxAdapter(Adapter):
    """Predicts the filled ground-truth box: no model, so a run measures only the harness around it."""

    name = "box"
    warmup_batches = 0

    def predict(self, samples):
        predictions = []
        for sample in samples:
            sample.load_image()  # a real adapter decodes the image too
            gt = sample.load_gt_mask()
            mask = np.zeros(gt.shape, bool)
            box = box_of(gt == 1)
            if box is not None:
                x1, y1, x2, y2 = (int(v) for v in box)
                mask[y1:y2, x1:x2] = True
            predictions.append(Prediction(mask=mask))
        return predictions

    def describe(self):
        return {"adapter": self.name, "random_weights": False}


@dataclass(frozen=True)
class ShapesMask:
    """Polygons rasterized on every load, as a ReasonSeg annotation is."""

    shapes: tuple
    size: int

    def load(self) -> np.ndarray:
        return rasterize_lisa_shapes(list(self.shapes), self.size, self.size)

    def origin(self) -> str:
        return "synthetic polygons"


def synthetic_samples(count: int, size: int = 1024) -> list[Sample]:
    """Photographic-size samples: a noisy JPEG and a mask from a few random polygons (one ignore)."""
    from PIL import Image

    rng = np.random.default_rng(0)
    samples = []
    for index in range(count):
        pixels = rng.integers(0, 255, size=(size, size, 3), dtype=np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
        shapes = []
        for label in ("target", "target", "ignore"):
            centre = rng.uniform(200, size - 200, 2)
            angles = np.sort(rng.uniform(0, 2 * np.pi, 24))
            radii = rng.uniform(60, 180, 24)
            points = centre + np.stack([np.cos(angles) * radii, np.sin(angles) * radii], axis=1)
            shapes.append({"label": label, "points": points.tolist()})
        samples.append(
            Sample(f"synthetic{index}", f"synthetic{index}", "q", ImageSource(data=buffer.getvalue(), label="synthetic"), ShapesMask(tuple(shapes), size), ("long",))
        )
    return samples


def time_stages(samples: list[Sample], shapes_by_id: dict | None = None) -> dict[str, float]:
    """Mean milliseconds per sample for each stage."""
    totals = {"load": 0.0, "rasterize": 0.0, "score": 0.0, "record": 0.0}
    with tempfile.TemporaryDirectory() as folder:
        records_path = Path(folder) / "records.jsonl"
        for sample in samples:
            start = time.perf_counter()
            sample.load_image()
            totals["load"] += time.perf_counter() - start

            start = time.perf_counter()
            gt = sample.load_gt_mask()
            totals["rasterize"] += time.perf_counter() - start

            prediction = np.roll(gt == 1, 7, axis=1)
            start = time.perf_counter()
            for protocol in PROTOCOLS:
                intersection_union(prediction, gt, protocol)
            totals["score"] += time.perf_counter() - start

            start = time.perf_counter()
            record = score_prediction(sample, Prediction(mask=prediction), gt)
            with open(records_path, "a", encoding="utf-8") as stream:
                stream.write(json.dumps(record.to_json(), separators=(",", ":")) + "\n")
                stream.flush()
                os.fsync(stream.fileno())
            totals["record"] += time.perf_counter() - start
    # score_prediction re-scores inside "record": subtract it so the stages do not double count.
    totals["record"] = max(0.0, totals["record"] - totals["score"])
    return {stage: 1000 * value / len(samples) for stage, value in totals.items()}


def time_run_loop(samples_source: str, data_dir: str | None, limit: int | None) -> float:
    """Milliseconds per sample of execute_run with the model-free BoxAdapter (fresh run folder)."""
    with tempfile.TemporaryDirectory() as out:
        config = RunConfig(model="oracle", suite=samples_source, split="val", data_dir=data_dir, limit=limit, out=out, batch_size=8)
        start = time.perf_counter()
        result = execute_run(config, progress=False, adapter_factory=lambda cfg: BoxAdapter(ModelOptions()))
        elapsed = time.perf_counter() - start
        return 1000 * elapsed / len(result.records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--synthetic", type=int, default=16, help="number of 1024 x 1024 samples")
    args = parser.parse_args()

    mini = SUITES.load("reasonseg-mini")().load("val", None).samples
    synthetic = synthetic_samples(args.synthetic)
    rows = []
    for label, samples in (("reasonseg-mini val", mini), ("synthetic 1024x1024", synthetic)):
        runs = [time_stages(samples) for _ in range(args.repeats)]
        median = {stage: statistics.median(run[stage] for run in runs) for stage in runs[0]}
        rows.append((label, len(samples), median))
    loop = statistics.median(time_run_loop("reasonseg-mini", None, None) for _ in range(args.repeats))

    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    print(f"median of {args.repeats} repeats, milliseconds per sample\n")
    print(f"{'samples':<22}{'n':>4}{'load':>9}{'raster':>9}{'score':>9}{'record':>9}{'total':>9}{'samples/s':>11}")
    for label, count, stages in rows:
        total = sum(stages.values())
        print(
            f"{label:<22}{count:>4}{stages['load']:>9.2f}{stages['rasterize']:>9.2f}{stages['score']:>9.2f}"
            f"{stages['record']:>9.2f}{total:>9.2f}{1000 / total:>11.1f}"
        )
    print(f"\nwhole run loop, model-free adapter, reasonseg-mini val: {loop:.2f} ms/sample ({1000 / loop:.1f} samples/s)")


if __name__ == "__main__":
    sys.exit(main())
