"""The text-reasoner specs: prompts and generation settings as each paper evaluates (shared/reference/
text-reasoning.md; VeriThinker's eval scripts), per-benchmark repeats, and --set overrides."""

from __future__ import annotations

import pytest

from wisebench.adapters.base import ModelOptions
from wisebench.errors import WisebenchError
from wisebench.registry import MODELS

BOXED = "Please reason step by step, and put your final answer within \\boxed{}."


def test_thinkless_and_its_base_use_thinkless_instruction_and_sampling():
    for name in ("thinkless-1.5b", "r1-distill-qwen-1.5b"):
        spec = MODELS.load(name)
        assert spec.prompt("What is 1+1?") == f"{BOXED}\nWhat is 1+1?"
        generation = spec.generation
        assert (generation.do_sample, generation.temperature, generation.top_p, generation.max_new_tokens) == (True, 0.6, 0.95, 16384)
        assert spec.repeats == 5
    assert MODELS.load("thinkless-1.5b").mode_tokens == ("<short>", "<think>")


def test_verithinker_and_its_base_repeat_aime_ten_times():
    for name in ("verithinker-7b", "r1-distill-qwen-7b"):
        spec = MODELS.load(name)
        assert spec.prompt("What is 1+1?") == f"What is 1+1? {BOXED}"
        assert spec.generation.max_new_tokens == 16384 and spec.generation.temperature == 0.6
        assert spec.for_task("aime25").repeats == spec.for_task("aime24").repeats == 10
        assert spec.for_task("minerva_math500").repeats == 1


def test_set_overrides_and_explicit_repeats_win():
    spec = MODELS.load("verithinker-7b").with_options(ModelOptions(seed=3, settings={"repeats": 2, "do_sample": "false", "max_new_tokens": "64", "backend": "vllm", "tensor_parallel_size": "4"}))
    assert spec.for_task("aime25").repeats == 2  # an explicit --set repeats wins over the paper's per-benchmark count
    assert spec.generation.do_sample is False and spec.generation.max_new_tokens == 64 and spec.generation.seed == 3
    assert spec.backend == "vllm" and spec.engine_settings == {"tensor_parallel_size": 4}
    with pytest.raises(WisebenchError, match="unknown settings"):
        MODELS.load("verithinker-7b").with_options(ModelOptions(settings={"temprature": 0.1}))
    with pytest.raises(WisebenchError, match="backend="):
        MODELS.load("verithinker-7b").with_options(ModelOptions(settings={"backend": "tgi"}))
