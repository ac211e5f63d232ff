"""Budget forcing on a text spec, end to end on the tiny random Qwen2 causal LM with the transformers backend: one
record per document and budget, each chain's reasoning within its budget, the close tag written before the answer,
and the prefix up to the smallest budget generated once (larger budgets only continue it)."""

from __future__ import annotations

import pytest

pytest.importorskip("lm_eval")
pytest.importorskip("torch")
pytest.importorskip("transformers")

from text_standin import write_task  # noqa: E402
from tiny_models import build_tiny_qwen2_causal_lm, qwen_tokenizer  # noqa: E402
from wisebench.runner.config import RunConfig  # noqa: E402
from wisebench.runner.run import execute_run  # noqa: E402
from wisebench.text.adapter import TextAdapter  # noqa: E402
from wisebench.text.backend import TransformersTextBackend  # noqa: E402
from wisebench.text.suite import open_text_suite  # noqa: E402

BUDGETS = (4, 8)
ANSWER_TOKENS = 5


class CountingTextBackend(TransformersTextBackend):
    """The real transformers text backend, keeping every call's budget, continuations and generated tokens."""

    def generate(self, prompts, settings, request=None):
        generations = super().generate(prompts, settings, request) if request is not None else super().generate(prompts, settings)
        self.calls.append({"max_new_tokens": settings.max_new_tokens, "continuations": list(request.continuations) if request else [], "generated": [g.generated_tokens for g in generations]})
        return generations


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_forced_budgets_on_the_tiny_causal_lm_share_the_prefix(tmp_path):
    checkpoint = build_tiny_qwen2_causal_lm(tmp_path / "tiny-r1")
    task = write_task(tmp_path / "task")
    settings = {"think_budget": ",".join(map(str, BUDGETS)), "answer_max_new_tokens": ANSWER_TOKENS, "max_new_tokens": 64, "do_sample": False, "repeats": 1}
    config = RunConfig(model="r1-distill-qwen-1.5b", suite=f"lm-eval:{task}", split="test", limit=3, batch_size=8, out=str(tmp_path / "runs"), checkpoint=str(checkpoint), settings=settings)
    backend = CountingTextBackend(str(checkpoint))
    backend.calls = []

    def factory(run_config):
        suite = open_text_suite(run_config)
        return TextAdapter(run_config.model_options(), suite.task, suite.resolved, backend=backend)

    result = execute_run(config, progress=False, adapter_factory=factory)
    records = {record["sample_id"]: record for record in result.records}
    assert set(records) == {f"{doc}@think{budget}" for doc in range(3) for budget in BUDGETS}
    tokenizer = qwen_tokenizer()
    for sample_id, record in records.items():
        budget = int(sample_id.rsplit("@think", 1)[1])
        prediction = record["prediction"]
        assert prediction["think_budget"] == budget and f"think_budget={budget}" in record["subsets"]
        assert prediction["tokens"]["reasoning"] <= budget
        assert len(tokenizer.encode(prediction["reasoning_text"], add_special_tokens=False)) <= budget
        assert "</think>\n\n" in prediction["raw_text"] and not prediction["truncated"]  # the harness closed the chain
        assert prediction["reasoning_text"] == prediction["raw_text"].split("</think>", 1)[0].strip()
    # The shared prefix: the first growth asks for 4 tokens per chain, the second only for the 4 beyond it, continuing
    # the first's text; chains are never regenerated from the start.
    growth = [call for call in backend.calls if call["max_new_tokens"] != ANSWER_TOKENS]
    answers = [call for call in backend.calls if call["max_new_tokens"] == ANSWER_TOKENS]
    assert growth[0]["max_new_tokens"] == BUDGETS[0] and all(continuation == "" for continuation in growth[0]["continuations"])
    assert len(growth) >= 2, backend.calls  # some chain was still open at 4 tokens and grew on
    assert all(call["max_new_tokens"] <= BUDGETS[1] - BUDGETS[0] for call in growth[1:])
    assert all(continuation for call in growth[1:] for continuation in call["continuations"])  # continued, not restarted
    assert sum(sum(call["generated"]) for call in growth) <= 3 * BUDGETS[-1]  # never 3 x (4 + 8)
    assert len(answers) == len(BUDGETS) and all(len(call["generated"]) == 3 for call in answers)
    summary = result.run["summary"]
    assert {f"think_budget={budget}" for budget in BUDGETS} <= set(summary["subsets"])
    assert result.run["model"]["think_budgets"] == list(BUDGETS)


def test_vllm_standin_text_backend_continues_the_reply_it_is_given():
    """The vLLM text backend (against a STAND-IN engine: the real vLLM is not installed here) feeds the chain so far
    after the chat template, as token ids, so a forced budget continues the chain there too."""
    from test_text_backends import r1_tokenizer, standin_backend
    from wisebench.reasoner.backend import GenerationSettings
    from wisebench.text.backend import chat_text
    from wisebench.text.stops import TextRequest

    tokenizer = r1_tokenizer()
    backend = standin_backend([([1], "stop"), ([2], "stop")])
    backend.generate(["What is 2+2?", "And 3+3?"], GenerationSettings(max_new_tokens=4), TextRequest(continuations=("Two and two", "")))
    (inputs, _, _), = backend.engine.calls
    expected = [tokenizer.encode(chat_text(tokenizer, "What is 2+2?") + "Two and two", add_special_tokens=False), tokenizer.encode(chat_text(tokenizer, "And 3+3?"), add_special_tokens=False)]
    assert [item["prompt_token_ids"] for item in inputs] == expected
