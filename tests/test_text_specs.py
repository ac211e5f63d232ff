"""The text-reasoner specs: prompts and generation settings as each paper's evaluation code runs them
(VeriThinker eval_*.py at 59204f2, Thinkless eval_configs/ and run_eval.sh at aa225d2), per-benchmark repeats, the
instruction never added twice, and --set overrides."""

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
        # max_gen_toks 32768 in every eval_configs/deepseek YAML (was 16384, the README's quick start)
        assert (generation.do_sample, generation.temperature, generation.top_p, generation.max_new_tokens) == (True, 0.6, 0.95, 32768)
        assert spec.repeats == 5 and spec.stop == () and spec.token_convention == "thinkless"
    assert MODELS.load("thinkless-1.5b").mode_tokens == ("<short>", "<think>")


def test_verithinker_and_its_base_repeat_aime_eight_times_and_stop_at_the_chain():
    for name in ("verithinker-7b", "r1-distill-qwen-7b"):
        spec = MODELS.load(name)
        assert spec.prompt("What is 1+1?") == f"What is 1+1? {BOXED}"
        assert spec.generation.max_new_tokens == 16384 and spec.generation.temperature == 0.6
        # eval_aime24.py:13 / eval_aime25.py:14: test_examples*8 at HEAD (was x10)
        assert spec.for_task("aime25").repeats == spec.for_task("aime24").repeats == 8
        assert spec.for_task("minerva_math500").repeats == 1
        assert spec.stop == ("\n</think>",) and spec.token_convention == "verithinker"  # eval_aime24.py:32, :68


@pytest.mark.parametrize(
    "name, context",
    [
        ("thinkless-1.5b", f"{BOXED}\nWhat is 1+1?"),  # Thinkless' own YAMLs (math_500.yaml:5)
        ("thinkless-1.5b", f"{BOXED[:-1]}\nWhat is 1+1?"),  # Thinkless' Minerva prompt has no final period
        ("verithinker-7b", f"What is 1+1? {BOXED}"),
    ],
)
def test_an_instruction_already_in_the_task_prompt_is_not_added_twice(name, context):
    spec = MODELS.load(name)
    assert spec.instruction_in(context) and spec.prompt(context) == context
    assert spec.prompt("Question: 1+1?\nAnswer:").count("Please reason step by step") == 1
    assert spec.prompt("anything", complete=True) == "anything"  # a recipe's prompt is the whole user message


def test_set_overrides_and_explicit_repeats_win():
    spec = MODELS.load("verithinker-7b").with_options(ModelOptions(seed=3, settings={"repeats": 2, "do_sample": "false", "max_new_tokens": "64", "backend": "vllm", "tensor_parallel_size": "4", "token_convention": "wisebench"}))
    assert spec.for_task("aime25").repeats == 2  # an explicit --set repeats wins over the paper's per-benchmark count
    assert spec.generation.do_sample is False and spec.generation.max_new_tokens == 64 and spec.generation.seed == 3
    assert spec.backend == "vllm" and spec.engine_settings == {"tensor_parallel_size": 4}
    assert spec.token_convention == "wisebench"
    with pytest.raises(WisebenchError, match="unknown settings"):
        MODELS.load("verithinker-7b").with_options(ModelOptions(settings={"temprature": 0.1}))
    with pytest.raises(WisebenchError, match="backend="):
        MODELS.load("verithinker-7b").with_options(ModelOptions(settings={"backend": "tgi"}))
    with pytest.raises(WisebenchError, match="token_convention="):
        MODELS.load("verithinker-7b").with_options(ModelOptions(settings={"token_convention": "words"}))
