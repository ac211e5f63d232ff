"""Peak memory and wall time of one ReasonSeg sample on a large image, end to end through `wisebench run`
(oracle adapter + GrabCut, CPU): decode, ground-truth rasterization, prompts, segmentation, scoring, record.

    python benchmarks/large_image_memory.py [--side 12000] [--target 1500]

Writes a one-sample ReasonSeg folder with a side x side JPEG (a smooth gradient, so the file stays small) and a
target square of `target` pixels, runs it in a child process and prints the child's peak resident memory
(ru_maxrss) next to a 1000 x 1000 baseline. The numbers are the harness's own cost; a model adds its own (the
reasoner sees a resized copy, SAM2 embeds a 1024 x 1024 resize) plus the full-size mask it returns.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image


def write_sample(root: Path, side: int, target: int) -> Path:
    folder = root / "ReasonSeg" / "val"
    folder.mkdir(parents=True)
    ramp = np.linspace(0, 255, side, dtype=np.float32)
    pixels = np.empty((side, side, 3), np.uint8)
    pixels[..., 0] = ramp[None, :]
    pixels[..., 1] = ramp[:, None]
    pixels[..., 2] = 128
    start = side // 3
    pixels[start : start + target, start : start + target] = (250, 20, 20)
    Image.fromarray(pixels).save(folder / "large.jpg", quality=90)
    del pixels
    corner = [[start, start], [start + target, start], [start + target, start + target], [start, start + target]]
    annotation = {"text": ["the red square"], "is_sentence": False, "shapes": [{"label": "target", "points": corner}]}
    (folder / "large.json").write_text(json.dumps(annotation))
    return root


def measure(side: int, target: int) -> tuple[float, float]:
    """(peak resident MiB of the child, seconds) for one run on a side x side image."""
    with tempfile.TemporaryDirectory() as scratch:
        data = write_sample(Path(scratch) / "data", side, target)
        argv = [sys.executable, "-c", "import sys; from wisebench.cli import main; sys.exit(main(sys.argv[1:]))",
                "run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(data),
                "--out", str(Path(scratch) / "runs"), "--no-progress"]
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        finished = subprocess.run(argv, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if finished.returncode != 0:
            raise SystemExit(f"run failed on {side} x {side}: {finished.stderr}")
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if peak_kib <= before:  # ru_maxrss of children is a maximum over all of them: measure the large one last
            raise SystemExit("measure smaller images first")
        return peak_kib / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=12_000)
    parser.add_argument("--target", type=int, default=1_500)
    args = parser.parse_args()
    for side in (1_000, args.side):
        peak, seconds = measure(side, min(args.target, side // 3))
        print(f"{side:>6} x {side:<6} ({side * side / 1e6:6.1f} M pixels): peak RSS {peak:8.0f} MiB, {seconds:6.1f} s")


if __name__ == "__main__":
    main()
