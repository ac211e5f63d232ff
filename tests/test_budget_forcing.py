"""Budget forcing on the segmentation specs with the transformers backend and a tiny random Qwen2.5-VL: one record
per sample and budget, the reasoning of each within its budget, the answer tag after the forced close, and the prefix
up to the smallest budget generated once (larger budgets only ask for the tokens beyond the previous budget)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from leaderboard.forced_budgets import forced_budget_table  # noqa: E402
from test_reasoning_quality import BoxSegmenter  # noqa: E402
from tiny_models import build_tiny_qwen25vl  # noqa: E402
from wisebench.adapters.base import ModelOptions  # noqa: E402
from wisebench.errors import WisebenchError  # noqa: E402
from wisebench.reasoner.backends.hf_backend import TransformersReasoner  # noqa: E402
from wisebench.reasoner.budget_forcing import parse_budgets  # noqa: E402
from wisebench.runner.config import RunConfig  # noqa: E402
from wisebench.runner.run import execute_run  # noqa: E402
from wise.adapters import WiseSAdapter  # noqa: E402

BUDGETS = "4,8"


class CountingReasoner(TransformersReasoner):
    """The real transformers backend, keeping every call's prefixes, max_new_tokens and generated tokens."""

    calls: list[dict]

    def generate(self, requests, settings):
        generations = super().generate(requests, settings)
        self.calls.append({"prefixes": [request.assistant_prefix for request in requests], "max_new_tokens": settings.max_new_tokens, "generated": [g.generated_tokens for g in generations]})
        return generations


def test_budgets_parse_and_bad_ones_are_refused():
    assert parse_budgets("256, 64,128") == (64, 128, 256) and parse_budgets(32) == (32,)
    for bad in ("", "0,64", "a lot", "-5"):
        with pytest.raises(WisebenchError, match="think_budget"):
            parse_budgets(bad)


def test_forced_run_on_tiny_qwen_shares_the_prefix(tmp_path):
    folder = build_tiny_qwen25vl(tmp_path / "tiny")
    settings = {"think_budget": BUDGETS, "answer_max_new_tokens": 6, "cache": False}
    backend = CountingReasoner(str(folder))
    backend.calls = []

    def factory(config):
        return WiseSAdapter(ModelOptions(checkpoint=str(folder), settings=settings), backend=backend, segmenter=BoxSegmenter())

    config = RunConfig(model="wise-s", suite="reasonseg-mini", split="val", limit=2, batch_size=4, out=str(tmp_path / "runs"), checkpoint=str(folder), settings=settings)
    result = execute_run(config, progress=False, adapter_factory=factory)
    records = {record["sample_id"]: record for record in result.records}
    base_ids = sorted({sample_id.split("@")[0] for sample_id in records})
    assert len(base_ids) == 2 and set(records) == {f"{base}@think{budget}" for base in base_ids for budget in (4, 8)}
    for sample_id, record in records.items():
        budget = int(sample_id.rsplit("@think", 1)[1])
        prediction = record["prediction"]
        assert f"think_budget={budget}" in record["subsets"] and prediction["extra"]["think_budget"] == budget
        assert prediction["tokens"]["reasoning"] <= budget
        assert prediction["raw_text"].startswith("<think>") and "</think>\n<answer>" in prediction["raw_text"]  # the answer tag follows
    reasoning_calls = [call for call in backend.calls if not call["prefixes"][0].endswith("<answer>")]
    answer_calls = [call for call in backend.calls if call["prefixes"][0].endswith("<answer>")]
    assert len(answer_calls) == 2 and all(call["max_new_tokens"] == 6 for call in answer_calls)  # one per budget
    # The prefix up to 4 tokens is generated once for both budgets: the first call asks for 4 tokens, and growing to 8
    # asks only for the 4 beyond it, continuing from the text generated before.
    first, *rest = reasoning_calls
    assert first["max_new_tokens"] == 4 and first["prefixes"] == ["<think>", "<think>"]
    assert all(call["max_new_tokens"] <= 4 and all(prefix != "<think>" for prefix in call["prefixes"]) for call in rest)
    generated_reasoning = sum(sum(call["generated"]) for call in reasoning_calls)
    assert generated_reasoning <= 2 * 8 < 2 * (4 + 8)  # at most the largest budget per sample, never the sum of budgets
    summary = result.summary["subsets"]
    assert summary["think_budget=4"]["n"] == summary["think_budget=8"]["n"] == 2
    curve = forced_budget_table({"wise-s": result.summary})  # the board's accuracy-against-budget curve
    assert curve["budget"].tolist() == [4, 8] and curve["gIoU"].tolist() == [summary["think_budget=4"]["giou"], summary["think_budget=8"]["giou"]]
