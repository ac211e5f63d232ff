"""Batched against unbatched, on the tiny random models (CPU here; the same script runs on a GPU machine):
reasoner generation (tiny Qwen2.5-VL, transformers backend, fixed number of new tokens) and segmentation (tiny
random SAM2, set_image_batch + predict_batch against one image at a time). Prints seconds and the ratios.

    python benchmarks/pipeline_batching.py [--images 8] [--new-tokens 16] [--repeats 2]

Tiny models measure the harness's batching mechanics, not a 7B model's speed-up.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def median_seconds(function, repeats: int) -> float:
    function()  # warm-up: allocator, kernels, caches
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def generation(images: list, new_tokens: int, repeats: int) -> tuple[float, float]:
    from tiny_models import build_tiny_qwen25vl

    from wisebench.reasoner.backend import GenerationRequest, GenerationSettings
    from wisebench.reasoner.backends.hf_backend import TransformersReasoner

    with tempfile.TemporaryDirectory() as folder:
        backend = TransformersReasoner(str(build_tiny_qwen25vl(Path(folder))))
        # min_new_tokens = max: every request decodes the same length, batched or not
        settings = GenerationSettings(max_new_tokens=new_tokens)
        requests = [GenerationRequest(image, f"Please find 'object {i}' with bbox and points.") for i, image in enumerate(images)]
        original = backend.model.generate

        def fixed_length(**kwargs):
            return original(**kwargs, min_new_tokens=new_tokens)

        backend.model.generate = fixed_length
        one_by_one = median_seconds(lambda: [backend.generate([request], settings) for request in requests], repeats)
        batched = median_seconds(lambda: backend.generate(requests, settings), repeats)
    return one_by_one, batched


def segmentation(arrays: list[np.ndarray], repeats: int) -> tuple[float, float] | None:
    try:
        from wisebench.segmenters.sam2 import SAM2Segmenter

        segmenter = SAM2Segmenter("random:configs/sam2.1/sam2.1_hiera_t.yaml", max_batch=len(arrays))
    except Exception as error:  # sam2 not installed: report, do not fail
        print(f"segmentation skipped: {error}")
        return None
    from wisebench.adapters.prediction import ObjectPrompt

    prompts = [[ObjectPrompt((20.0, 20.0, 200.0, 180.0), ((100.0, 100.0), (120.0, 90.0)), (1, 1))] for _ in arrays]
    one_by_one = median_seconds(lambda: [segmenter.segment(array, objects) for array, objects in zip(arrays, prompts)], repeats)
    batched = median_seconds(lambda: segmenter.segment_batch(arrays, prompts), repeats)
    single_masks = [segmenter.segment(array, objects) for array, objects in zip(arrays, prompts)]
    differing = sum(int((a != b).sum()) for a, b in zip(single_masks, segmenter.segment_batch(arrays, prompts)))
    print(f"segmentation: batched and one-by-one masks differ in {differing} pixels")
    return one_by_one, batched


def main() -> None:
    from PIL import Image

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--new-tokens", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 255, size=(240, 320, 3), dtype=np.uint8) for _ in range(args.images)]
    images = [Image.fromarray(array).resize((840, 840)) for array in arrays]

    import torch

    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"CPU, {os.cpu_count()} cores"
    print(f"machine: {device}, torch {torch.__version__}, Python {platform.python_version()}")
    print(f"{args.images} images, median of {args.repeats} repeats after a warm-up\n")
    print(f"{'stage':<34}{'one by one (s)':>16}{'batched (s)':>14}{'speed-up':>10}")
    single, batched = generation(images, args.new_tokens, args.repeats)
    print(f"{'generation, tiny Qwen2.5-VL':<34}{single:>16.2f}{batched:>14.2f}{single / batched:>9.2f}x")
    result = segmentation(arrays, args.repeats)
    if result:
        single, batched = result
        print(f"{'segmentation, tiny random SAM2':<34}{single:>16.2f}{batched:>14.2f}{single / batched:>9.2f}x")


if __name__ == "__main__":
    main()
