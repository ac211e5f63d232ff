"""Reasoning quality against reference reasoning: reasonseg-mini's side file (a short and a long reference per scene,
a difficulty band), the embedding scorer (all-MiniLM-L6-v2, offline), scores stored per record, summarized per band
and recomputed from the records alone."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("sentence_transformers")
pytest.importorskip("transformers")

from tiny_models import qwen_tokenizer  # noqa: E402
from wisebench.adapters.base import ModelOptions  # noqa: E402
from wisebench.data.mini.generate import draw_sample  # noqa: E402
from wisebench.data.reasonseg_diff import difficulty_band  # noqa: E402
from wisebench.metrics.reasoning_quality import EmbeddingScorer, reasoning_score, rescore_records  # noqa: E402
from wisebench.metrics.summary import summarize_run  # noqa: E402
from wisebench.reasoner.backend import Generation, ReasonerBackend  # noqa: E402
from wisebench.registry import SUITES  # noqa: E402
from wisebench.report import run_report  # noqa: E402
from leaderboard.reasoning_quality import quality_table  # noqa: E402
from wisebench.runner.config import RunConfig  # noqa: E402
from wisebench.runner.run import execute_run  # noqa: E402
from wisebench.segmenters.base import Segmenter  # noqa: E402
from wise.adapters import WiseSAdapter  # noqa: E402

UNRELATED = "Stock markets fell on Tuesday after the central bank raised interest rates by half a point."
ANSWER = '<answer>{"bbox":[100,100,500,600],"points_1":[300,300],"points_2":[320,400]}</answer>'


@pytest.fixture(scope="module")
def embedding() -> EmbeddingScorer:
    return EmbeddingScorer()


@pytest.fixture(scope="module")
def val_samples():
    return SUITES.load("reasonseg-mini")().load("val", None).samples


class BoxSegmenter(Segmenter):
    """The box filled in: enough to make masks without SAM2."""

    def segment(self, image, objects):
        mask = np.zeros(image.shape[:2], dtype=bool)
        for obj in objects:
            x0, y0, x1, y1 = (int(round(value)) for value in obj.box)
            mask[y0:y1, x0:x1] = True
        return mask

    def describe(self):
        return {"name": "box"}


class PerSampleBackend(ReasonerBackend):
    """Writes, for each prompt, the reasoning the test planned for its query."""

    name = "scripted"

    def __init__(self, reasoning_by_query: dict[str, str]):
        self.reasoning_by_query = reasoning_by_query
        self._tokenizer = qwen_tokenizer()

    def generate(self, requests, settings):
        texts = [f"<think>{self.reasoning_by_query[request.prompt]}</think>{ANSWER}" for request in requests]
        return [Generation(text, 950, 40, "stop", 0.1) for text in texts]

    def tokenizer(self):
        return self._tokenizer

    def fingerprint(self):
        return {"backend": self.name}

    def chat_text(self, prompt):
        return prompt


def test_reference_against_itself_is_one_and_unrelated_text_lower(embedding, val_samples):
    references = {"short": val_samples[0].extra["short_reasoning"], "long": val_samples[0].extra["long_reasoning"]}
    assert embedding.similarities(references["short"], {"short": references["short"]}) == {"short": 1.0}
    assert embedding.similarities(references["long"], {"long": references["long"]}) == {"long": 1.0}
    unrelated = embedding.similarities(UNRELATED, references)
    own = embedding.similarities(references["short"], references)
    assert unrelated["short"] < own["short"] and unrelated["long"] < own["long"]
    assert max(unrelated.values()) < 0.3  # nothing in common with a scene description
    assert embedding.similarities(UNRELATED, references) == unrelated  # deterministic


def test_mini_side_file_gives_every_scene_references_and_a_band(val_samples):
    test_samples = SUITES.load("reasonseg-mini")().load("test", None).samples
    for samples in (val_samples, test_samples):
        bands = {sample.subsets[-1] for sample in samples}
        assert bands == {"easy", "medium", "hard"}
        for sample in samples:
            assert sample.extra["short_reasoning"] and len(sample.extra["long_reasoning"]) > len(sample.extra["short_reasoning"])
            assert sample.subsets[-1] == difficulty_band(sample.extra["difficulty"])
    # written from the scene's own objects and query
    assert all(sample.query in sample.extra["long_reasoning"] for sample in val_samples)
    drawn = draw_sample("val", 3)
    assert drawn.reference == draw_sample("val", 3).reference  # deterministic
    assert val_samples[3].extra["short_reasoning"] == drawn.reference["short_reasoning"]


def test_run_stores_scores_per_record_and_summarizes_per_band(tmp_path, embedding, val_samples):
    samples = val_samples[:8]
    # Even samples reason with their own short reference, odd ones with unrelated text.
    spec = WiseSAdapter.spec
    plan = {spec.prompt(sample.query): (sample.extra["short_reasoning"] if index % 2 == 0 else UNRELATED) for index, sample in enumerate(samples)}

    def factory(config):
        return WiseSAdapter(ModelOptions(checkpoint="scripted", settings={"cache": False}), backend=PerSampleBackend(plan), segmenter=BoxSegmenter())

    config = RunConfig(model="wise-s", suite="reasonseg-mini", split="val", limit=8, batch_size=4, out=str(tmp_path), checkpoint="scripted")
    result = execute_run(config, progress=False, adapter_factory=factory)
    by_id = {record["sample_id"]: record for record in result.records}
    for index, sample in enumerate(samples):
        quality = by_id[sample.sample_id]["reasoning_quality"]
        assert quality["references"] == {"short": sample.extra["short_reasoning"], "long": sample.extra["long_reasoning"]}
        similarity = quality["embedding"]["similarity"]
        if index % 2 == 0:
            assert similarity["short"] == 1.0 and similarity["long"] > 0.5
        else:
            assert similarity["short"] < 0.3 and similarity["long"] < 0.3
    summary = json.loads((result.folder / "run.json").read_text())["summary"]
    quality = summary["reasoning_quality"]["subsets"]
    bands = {sample.subsets[-1] for sample in samples}
    assert set(quality) >= {"overall", *bands}
    overall = quality["overall"]
    scores = [reasoning_score(record["reasoning_quality"]) for record in result.records]
    assert overall["n"] == 8 and overall["reasoning_score"] == pytest.approx(np.mean(scores))
    tokens = np.mean([record["prediction"]["tokens"]["reasoning"] for record in result.records])
    assert overall["mean_reasoning_tokens"] == pytest.approx(tokens)
    assert overall["reasoning_score_per_100_tokens"] == pytest.approx(100 * np.mean(scores) / tokens)
    assert overall["giou_per_100_tokens"] == pytest.approx(100 * summary["subsets"]["overall"]["giou"] / tokens)
    assert overall["unified_score"] == pytest.approx((summary["subsets"]["overall"]["giou"] + np.mean(scores)) / 2 * 100 / (100 + tokens))
    for band in bands:
        members = [record for record in result.records if band in record["subsets"]]
        assert quality[band]["n"] == len(members)
        assert quality[band]["reasoning_score"] == pytest.approx(np.mean([reasoning_score(record["reasoning_quality"]) for record in members]))
    # Recomputed from the records alone: the same scores, the same summary.
    assert rescore_records(result.records, embedding) == result.records
    assert summarize_run(json.loads((result.folder / "run.json").read_text()), result.records)["reasoning_quality"] == summary["reasoning_quality"]
    # `show` and the board show the figures per band.
    shown = run_report(json.loads((result.folder / "run.json").read_text()), summary)
    assert "reasoning quality" in shown and all(any(line.startswith(band) for line in shown.splitlines()[-len(quality):]) for band in bands)
    board = quality_table({"wise-s": summary})
    assert set(board["subset"]) == set(quality) and board.loc[board["subset"] == "overall", "unified score"].item() == pytest.approx(overall["unified_score"])


def test_a_model_without_reasoning_gets_no_similarity_and_no_reasoning_quality(tmp_path):
    config = RunConfig(model="oracle", suite="reasonseg-mini", split="val", limit=2, out=str(tmp_path))
    result = execute_run(config, progress=False)
    # The oracle writes no reasoning: the references are kept, no similarity, and no reasoning-quality section (a
    # model without a reasoning step has nothing to grade; a reasoning model's empty chain scores 0).
    assert all(record["reasoning_quality"]["embedding"]["similarity"] is None for record in result.records)
    assert result.summary.get("reasoning_quality") is None
