"""The optional reasoning judge: its prompt is a package file whose hash goes into each judged record, its reply is
parsed strictly (a malformed reply is a recorded failure, never a guess), and it runs end to end in a run on the
tiny random causal LM (whose replies are garbage, so every one is a recorded failure)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("sentence_transformers")
pytest.importorskip("transformers")

from test_reasoning_quality import BoxSegmenter, PerSampleBackend  # noqa: E402
from tiny_models import build_tiny_qwen2_causal_lm  # noqa: E402
from wisebench.adapters.base import ModelOptions  # noqa: E402
from wisebench.metrics.judge import ReasoningJudge, judge_prompt_hash, judge_prompt_template, parse_grade  # noqa: E402
from wisebench.metrics.reasoning_quality import ReasoningQualityScorer  # noqa: E402
from wisebench.reasoner.backend import Generation  # noqa: E402
from wisebench.registry import SUITES  # noqa: E402
from wisebench.runner.config import RunConfig  # noqa: E402
from wisebench.runner.run import execute_run  # noqa: E402
from wise.adapters import WiseSAdapter  # noqa: E402


class RepliesWith:
    """A text backend stand-in that answers every prompt with one fixed reply and keeps the prompts."""

    name = "stand-in"

    def __init__(self, reply: str):
        self.reply = reply
        self.prompts: list[str] = []

    def generate(self, prompts, settings):
        self.prompts += prompts
        return [Generation(self.reply, 10, 2, "stop", 0.0) for _ in prompts]


@pytest.mark.parametrize("reply, grade", [("7", 7), (" 10\n", 10), ("1", 1), ("Score: 7", None), ("11", None), ("0", None), ("7/10", None), ("seven", None), ("7.", None), ("", None)])
def test_grades_are_parsed_strictly(reply, grade):
    assert parse_grade(reply) == grade


def test_judge_prompt_fills_each_field_once_and_records_the_prompt_hash():
    backend = RepliesWith("8")
    judge = ReasoningJudge(backend, "stand-in")
    verdict = judge.judge("the mug", "The mug at the left.", "I see {reference} and a mug.")
    assert verdict == {"score": 8, "reply": "8", "failure": None}
    (prompt,) = backend.prompts
    assert "The mug at the left." in prompt and "I see {reference} and a mug." in prompt  # the candidate's braces stay
    assert judge.describe()["prompt_sha256"] == judge_prompt_hash() and "{candidate}" in judge_prompt_template()
    entry = ReasoningQualityScorer(judge=judge).score("the mug", "a mug on the left", {"short_reasoning": "The mug.", "long_reasoning": "A long one."})
    assert entry["judge"]["short"]["score"] == 8 and entry["judge"]["long"]["score"] == 8
    assert entry["judge"]["judge"]["prompt_sha256"] == judge_prompt_hash()
    malformed = ReasoningQualityScorer(judge=ReasoningJudge(RepliesWith("I would say 8 out of 10"), "stand-in")).score("q", "r", {"short_reasoning": "s"})
    assert malformed["judge"]["short"] == {"score": None, "reply": "I would say 8 out of 10", "failure": "unparsable_judge_reply"}


def test_judge_end_to_end_on_the_tiny_causal_lm(tmp_path):
    judge_folder = build_tiny_qwen2_causal_lm(tmp_path / "judge")
    samples = SUITES.load("reasonseg-mini")().load("val", None).samples[:2]
    plan = {WiseSAdapter.spec.prompt(sample.query): sample.extra["short_reasoning"] for sample in samples}

    def factory(config):
        return WiseSAdapter(ModelOptions(checkpoint="scripted", settings={"cache": False}), backend=PerSampleBackend(plan), segmenter=BoxSegmenter())

    config = RunConfig(model="wise-s", suite="reasonseg-mini", split="val", limit=2, out=str(tmp_path / "runs"), checkpoint="scripted", settings={"judge": str(judge_folder)})
    result = execute_run(config, progress=False, adapter_factory=factory)
    assert len(result.records) == 2
    for record in result.records:
        judged = record["reasoning_quality"]["judge"]
        assert judged["judge"]["checkpoint"] == str(judge_folder) and judged["judge"]["prompt_sha256"] == judge_prompt_hash()
        for kind in ("short", "long"):
            assert judged[kind]["score"] is None and judged[kind]["failure"] == "unparsable_judge_reply"
            assert isinstance(judged[kind]["reply"], str)  # the random model's reply, kept as written
        assert record["reasoning_quality"]["embedding"]["similarity"]["short"] == 1.0  # the embedding score is unaffected
    overall = json.loads((result.folder / "run.json").read_text())["summary"]["reasoning_quality"]["subsets"]["overall"]
    assert overall["judge_failures"] == 4 and overall["judge_score"] is None
