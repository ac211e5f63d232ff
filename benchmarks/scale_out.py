"""Scale-out, measured side by side in one process on this machine, plus a GPU-hours estimate.

1. Measured (reasonseg-mini val, oracle + GrabCut, fresh run folders): the single-process run, the Ray executor with
   2 workers (local cluster), and the harness-only overhead per sample (the oracle with a model-free segmenter).
2. Estimated, NOT measured: GPU-hours of a full ReasonSeg / RefCOCO-family pass for Seg-Zero-7B vs WISE-S-7B,
   from prefill tokens (counted here with the Qwen tokenizer: the 840 x 840 image = 900 tokens plus the exact
   prompt of each spec inside the Qwen2.5-VL chat template) and decode tokens (the papers' mean reasoning tokens,
   shared/reference/reported.md, plus the answer JSON and tags counted here), at assumed 7B throughputs.

    python benchmarks/scale_out.py [--prefill-tokens-per-s 12000] [--decode-tokens-per-s 1500]
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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from wisebench.adapters.oracle import OracleAdapter  # noqa: E402
from wisebench.runner.config import RunConfig  # noqa: E402
from wisebench.runner.environment import cpu_model  # noqa: E402
from wisebench.runner.run import execute_run  # noqa: E402

# Published split sizes (queries) and mean reasoning tokens (reported.md: WISE's counts of Qwen tokens in <think>).
PASSES = {
    "ReasonSeg test": (779, {"seg-zero": 111.9, "wise-s": 22.7}),
    "RefCOCO testA": (5657, {"seg-zero": 165.0, "wise-s": 24.0}),
    "RefCOCO+ testA": (5726, {"seg-zero": 159.9, "wise-s": 23.4}),
    "RefCOCOg test": (9602, {"seg-zero": 159.8, "wise-s": 22.9}),
}
IMAGE_TOKENS = 900  # 840 x 840 / (14 * 14) patches, merged 2 x 2
ANSWER = '<answer>{"bbox":[231,118,612,540],"points_1":[402,301],"points_2":[455,420]}</answer>'


class BoxFillSegmenter:
    """Model-free 'segmenter' (fills the box): leaves only the harness's own work in the oracle run."""

    name = "box-fill"

    def segment_batch(self, images, objects):
        masks = []
        for image, prompts in zip(images, objects):
            mask = np.zeros(image.shape[:2], bool)
            for prompt in prompts:
                x1, y1, x2, y2 = (int(v) for v in prompt.box)
                mask[y1:y2, x1:x2] = True
            masks.append(mask)
        return masks

    def segment(self, image, objects):
        return self.segment_batch([image], [objects])[0]

    def describe(self):
        return {"name": self.name}


def harness_only(config: RunConfig) -> OracleAdapter:
    adapter = OracleAdapter(config.model_options())
    adapter.segmenter = BoxFillSegmenter()
    return adapter


def timed_run(config: RunConfig, factory=None) -> tuple[float, int]:
    start = time.perf_counter()
    result = execute_run(config, progress=False, adapter_factory=factory)
    return time.perf_counter() - start, len(result.records)


def measured() -> None:
    with tempfile.TemporaryDirectory() as out:
        base = RunConfig(model="oracle", suite="reasonseg-mini", split="val", batch_size=4, out=out)
        execute_run(replace(base, out=f"{out}/warm", limit=2), progress=False)  # generate the suite, warm caches
        import ray

        start = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        cluster_start = time.perf_counter() - start
        rows = [
            ("single process (oracle + GrabCut)", *timed_run(replace(base, out=f"{out}/single"))),
            ("Ray, 2 workers (oracle + GrabCut)", *timed_run(replace(base, out=f"{out}/ray", executor="ray", num_workers=2))),
            ("harness only (oracle, box fill)", *timed_run(replace(base, out=f"{out}/harness"), harness_only)),
        ]
        ray.shutdown()
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"measured, reasonseg-mini val, wall time of the whole run call (Ray: actors started inside it; the local "
          f"cluster itself took {cluster_start:.1f} s to start, before)\n")
    print(f"{'configuration':<36}{'samples':>8}{'seconds':>9}{'samples/s':>11}{'ms/sample':>11}")
    single = rows[0][1]
    for label, seconds, count in rows:
        print(f"{label:<36}{count:>8}{seconds:>9.2f}{count / seconds:>11.2f}{1000 * seconds / count:>11.1f}")
    print(f"\nRay 2 workers / single process: {single / rows[1][1]:.2f}x speed; harness share of the single run: {rows[2][1] / single:.1%}")


def estimate(prefill_rate: float, decode_rate: float) -> None:
    from tiny_models import QWEN25VL_CHAT_TEMPLATE, qwen_tokenizer

    from baselines.seg_zero import SEG_ZERO
    from wise.adapters import WISE_S

    tokenizer = qwen_tokenizer()
    query = "the utensil you would use to eat soup"

    def prompt_tokens(spec) -> int:
        from jinja2 import Template

        chat = Template(QWEN25VL_CHAT_TEMPLATE).render(
            messages=[{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": spec.prompt(query)}]}], add_generation_prompt=True
        )
        return len(tokenizer.encode(chat, add_special_tokens=False)) - 1 + IMAGE_TOKENS  # <|image_pad|> -> 900 tokens

    answer_tokens = len(tokenizer.encode("<think></think>" + ANSWER, add_special_tokens=False)) + 1  # + end of turn
    print("\nESTIMATE, not a measurement: 7B reasoner on one GPU at the assumed rates below (SAM2 time not included)")
    print(f"assumed prefill {prefill_rate:.0f} tokens/s, decode {decode_rate:.0f} tokens/s (batched, aggregate); "
          f"answer + tags {answer_tokens} tokens, counted with the Qwen tokenizer\n")
    print(f"{'pass':<16}{'queries':>8}{'model':>10}{'prefill tok':>12}{'decode tok':>11}{'GPU-hours':>11}")
    for name, (queries, reasoning) in PASSES.items():
        for model, spec in (("seg-zero", SEG_ZERO), ("wise-s", WISE_S)):
            prefill = prompt_tokens(spec)
            decode = reasoning[model] + answer_tokens
            hours = queries * (prefill / prefill_rate + decode / decode_rate) / 3600
            print(f"{name:<16}{queries:>8}{model:>10}{prefill:>12}{decode:>11.0f}{hours:>11.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefill-tokens-per-s", type=float, default=12000.0)
    parser.add_argument("--decode-tokens-per-s", type=float, default=1500.0)
    parser.add_argument("--skip-measured", action="store_true")
    args = parser.parse_args()
    if not args.skip_measured:
        measured()
    estimate(args.prefill_tokens_per_s, args.decode_tokens_per_s)


if __name__ == "__main__":
    main()
