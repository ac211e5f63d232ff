"""The checks only an accelerator can give, run as one script (scripts/gpu_check.sh installs, then calls this):

1. segmentation: a tiny random Qwen2.5-VL (+ GrabCut, or a random SAM2 when sam2 imports) on reasonseg-mini through
   the run loop's local executor, serial and pipelined: wall / model-only time of each (model-only = the records'
   reasoner + segmenter seconds, device-synchronized);
2. text: a tiny random Qwen2 causal LM on a local lm-eval task through `wisebench run` (the same loop);
3. vLLM, when it imports: the same text task through the vLLM backend, and 256 prompts streamed to the engine with a
   window of 256, reporting how many requests the engine held at once (continuous batching);
4. the WISE trainer's two GRPO steps (scripts/gpu_train_check.py), when that script is there.

It also runs on a CPU (every figure is then a CPU figure); it says which device it used. Exit 0 when every check
that could run passed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the tiny-model builders the test suite uses

from wisebench.runner.build import build_adapter  # noqa: E402
from wisebench.runner.config import RunConfig  # noqa: E402
from wisebench.runner.executors import LocalExecutor  # noqa: E402
from wisebench.runner.store import RunStore  # noqa: E402


def device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def segmentation_check(work: Path, limit: int, batch_size: int) -> dict[str, Any]:
    from tiny_models import build_tiny_qwen25vl

    from wisebench.registry import SUITES

    checkpoint = build_tiny_qwen25vl(work / "tiny-qwen25vl")
    try:
        import sam2  # noqa: F401

        segmenter = "sam2"
    except ImportError:
        segmenter = "grabcut"
    samples = SUITES.load("reasonseg-mini")().load("val", None).samples[:limit]
    warm_up = samples[:batch_size]
    config = RunConfig(model="wise-s", suite="reasonseg-mini", split="val", out=str(work / "runs"), batch_size=batch_size,
                       checkpoint=str(checkpoint), segmenter=segmenter, device=device(), settings={"max_new_tokens": 64, "cache": False})
    if segmenter == "sam2":
        config.segmenter_checkpoint = "random:sam2.1_hiera_t.yaml"
    results = {}
    # A warm-up pass first (kernels compiled, caches filled), excluded: then serial and pipelined on equal terms.
    for label, pipelined in (("warm-up", False), ("serial", False), ("pipelined", True)):
        executor = LocalExecutor(config, build_adapter, pipelined=pipelined)
        chosen = warm_up if label == "warm-up" else samples
        batches = [chosen[start : start + batch_size] for start in range(0, len(chosen), batch_size)]
        with RunStore(work / f"seg-{label}") as store:
            start = time.perf_counter()
            for records in executor.results(batches):
                store.append(records)
            wall = time.perf_counter() - start
            records = store.records()
        executor.close()
        model = sum((record["prediction"].get("seconds") or {}).get(stage, 0.0) for record in records for stage in ("reasoner", "segmenter"))
        if label == "warm-up":
            continue
        results[label] = {"samples": len(records), "wall_s": round(wall, 3), "model_s": round(model, 3), "wall_over_model": round(wall / model, 3) if model else None}
    results["segmenter"] = segmenter
    return results


def text_check(work: Path, backend: str) -> dict[str, Any]:
    from text_standin import write_task
    from tiny_models import build_tiny_qwen2_causal_lm

    checkpoint = build_tiny_qwen2_causal_lm(work / f"tiny-r1-{backend}")
    task = write_task(work / f"task-{backend}")
    out = work / f"text-{backend}"
    argv = [sys.executable, "-m", "wisebench", "run", "--model", "r1-distill-qwen-1.5b", "--suite", f"lm-eval:{task}", "--checkpoint", str(checkpoint),
            "--device", device(), "--set", "max_new_tokens=32", "--set", "do_sample=false", "--set", "repeats=4", "--set", f"backend={backend}",
            "--out", str(out), "--no-progress", "--json"]
    environment = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    start = time.perf_counter()
    finished = subprocess.run(argv, capture_output=True, text=True, env=environment, timeout=900)
    wall = time.perf_counter() - start
    if finished.returncode != 0:
        return {"ok": False, "stderr": finished.stderr[-2000:]}
    summary = json.loads(finished.stdout)["summary"]
    return {"ok": True, "records": summary["n_records"], "accuracy": summary["subsets"]["overall"]["accuracy"], "wall_s": round(wall, 1)}


def vllm_concurrency_check(work: Path, prompts: int = 256, window: int = 256) -> dict[str, Any]:
    """`prompts` requests streamed to a real vLLM engine with a window of `window`: how many it held at once."""
    from tiny_models import build_tiny_qwen2_causal_lm

    from wisebench.reasoner.backend import GenerationSettings
    from wisebench.text.backend import VLLMTextBackend
    from wisebench.text.stops import TextRequest

    backend = VLLMTextBackend(str(build_tiny_qwen2_causal_lm(work / "tiny-r1-concurrency")), dtype="float32", gpu_memory_utilization=0.3)
    engine = backend.engine.llm_engine
    held = {"max": 0}
    step = engine.step

    def counting_step():
        held["max"] = max(held["max"], engine.get_num_unfinished_requests())
        return step()

    engine.step = counting_step
    settings = GenerationSettings(max_new_tokens=64)
    start = time.perf_counter()
    finished = sum(len(group) for group in backend.generate_stream(((index, f"question {index}", settings) for index in range(prompts)), TextRequest(), window))
    wall = time.perf_counter() - start
    backend.close()
    return {"prompts": prompts, "finished": finished, "window": window, "engine_max_requests_at_once": held["max"], "wall_s": round(wall, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=32, help="reasonseg-mini samples for the segmentation check")
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()
    import torch

    print(f"device: {device()} ({torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no CUDA'}), torch {torch.__version__}")
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        segmentation = segmentation_check(work, args.limit, args.batch_size)
        print("segmentation (tiny Qwen2.5-VL + " + segmentation["segmenter"] + "): " + json.dumps({key: segmentation[key] for key in ("serial", "pipelined")}))
        text = text_check(work, "hf")
        print("text, transformers (tiny Qwen2): " + json.dumps(text))
        failures += not text["ok"]
        try:
            import vllm  # noqa: F401

            vllm_text = text_check(work, "vllm")
            print("text, vLLM (tiny Qwen2): " + json.dumps(vllm_text))
            failures += not vllm_text["ok"]
            concurrency = vllm_concurrency_check(work)
            print("vLLM continuous batching: " + json.dumps(concurrency))
            failures += concurrency["finished"] != concurrency["prompts"]
        except ImportError:
            print("text, vLLM: vllm does not import here; not run")
    trainer = ROOT / "scripts" / "gpu_train_check.py"
    if trainer.exists():
        finished = subprocess.run([sys.executable, str(trainer)], capture_output=True, text=True, timeout=900)
        print(f"trainer (scripts/gpu_train_check.py): exit {finished.returncode}\n{finished.stdout[-1500:]}{finished.stderr[-1500:] if finished.returncode else ''}")
        failures += finished.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
