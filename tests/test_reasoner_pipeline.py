"""The reasoner + segmenter pipeline: a scripted backend for exact checks, then the real transformers backend with
a tiny random Qwen2.5-VL end to end through `wisebench run` (CPU). Random weights write garbage: it must come out
as recorded failures, never crashes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from tiny_models import build_tiny_qwen25vl, qwen_tokenizer  # noqa: E402
from wisebench.adapters.base import ModelOptions  # noqa: E402
from wisebench.cli import main  # noqa: E402
from wisebench.reasoner.backend import Generation, ReasonerBackend  # noqa: E402
from wisebench.registry import SUITES  # noqa: E402
from wisebench.runner.store import read_records  # noqa: E402
from wisebench.segmenters.grabcut import GrabCutSegmenter  # noqa: E402
from wise.adapters import WiseSAdapter  # noqa: E402


class ScriptedBackend(ReasonerBackend):
    """Returns fixed texts; counts calls so caching is observable."""

    name = "scripted"

    def __init__(self, texts: list[str], finish_reasons: list[str] | None = None, timings: dict | None = None):
        self.texts = texts
        self.finish_reasons = finish_reasons or ["stop"] * len(texts)
        self.timings = timings or {}  # what a vLLM engine reports per request
        self.calls = 0
        self.seen_prompts: list[str] = []
        self._tokenizer = qwen_tokenizer()

    def generate(self, requests, settings):
        self.calls += 1
        self.seen_prompts += [request.prompt for request in requests]
        assert all(request.image.size == (840, 840) for request in requests)
        return [Generation(text, 950, 40, finish, 0.5, extra=dict(self.timings)) for text, finish in zip(self.texts, self.finish_reasons)][: len(requests)]

    def tokenizer(self):
        return self._tokenizer

    def fingerprint(self):
        return {"backend": self.name, "texts": self.texts}

    def chat_text(self, prompt):
        return f"<chat>{prompt}</chat>"


@pytest.fixture(scope="module")
def tiny_qwen(tmp_path_factory) -> Path:
    return build_tiny_qwen25vl(tmp_path_factory.mktemp("tiny-qwen25vl"))


def mini_samples(count: int):
    return SUITES.load("reasonseg-mini")().load("val", None).samples[:count]


def test_scripted_outputs_parse_rescale_segment_and_count_tokens():
    samples = mini_samples(3)
    reasoning = "The spoon is what you eat soup with."
    texts = [
        f'<think>{reasoning}</think><answer>{{"bbox":[100,100,500,600],"points_1":[300,300],"points_2":[320,400]}}</answer>',
        "<think>I will keep thinking and never",
        "<think>ok</think><answer>not json</answer>",
    ]
    backend = ScriptedBackend(texts, ["stop", "length", "stop"])
    adapter = WiseSAdapter(ModelOptions(checkpoint="scripted"), backend=backend, segmenter=GrabCutSegmenter())
    predictions = adapter.predict(samples)
    assert backend.seen_prompts[0] == adapter.spec.prompt(samples[0].query) and "(one sentence)" in backend.seen_prompts[0]

    good, truncated, broken = predictions
    height, width = samples[0].load_image().shape[:2]
    assert good.failure is None and good.mask.shape == (height, width) and good.mask.any()
    box = good.objects[0].box
    assert box == (round(100 * width / 840), round(100 * height / 840), round(500 * width / 840), round(600 * height / 840))
    assert good.tokens.reasoning == len(qwen_tokenizer().encode(reasoning, add_special_tokens=False))
    assert good.tokens.prompt == 950 and good.tokens.generated == 40
    assert set(good.seconds) == {"reasoner", "segmenter", "total"}
    # The default upstream policy reads what WISE's script reads: no JSON object in a cut-off chain.
    assert truncated.failure == "no_json_object" and truncated.mask is None and truncated.finish_reason == "length"
    assert broken.failure == "no_json_object" and broken.tokens.reasoning == 1
    assert all(p.parse_policy == "upstream" and p.other_policy is None for p in predictions)  # both policies agree here
    assert good.tokens.conventions == {"wisebench": good.tokens.reasoning, "wise": good.tokens.reasoning}
    robust = WiseSAdapter(ModelOptions(checkpoint="scripted", settings={"parse_policy": "robust"}), backend=ScriptedBackend(texts, ["stop", "length", "stop"]), segmenter=GrabCutSegmenter())
    assert [p.failure for p in robust.predict(samples)] == [None, "truncated_in_reasoning", "no_json_object"]


class RecordingSegmenter(GrabCutSegmenter):
    """Keeps the prompts it was given and raises on an inverted box: a stand-in for a segmenter that cannot take
    what the upstream policy passes on."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def segment(self, image, objects):
        self.seen.append(objects)
        if any(obj.box[0] > obj.box[2] for obj in objects):
            raise ValueError("inverted box")
        return super().segment(image, objects)


def test_upstream_policy_passes_boxes_unclipped_and_a_segmenter_error_is_one_failure():
    samples = mini_samples(2)
    height, width = samples[0].load_image().shape[:2]
    inside = '<think>x</think><answer>{"bbox": [10,10,2000,900], "points_1": [30,30], "points_2": [40,40]}</answer>'
    inverted = '<think>x</think><answer>{"bbox": [500,10,100,300], "points_1": [30,30], "points_2": [40,40]}</answer>'
    segmenter = RecordingSegmenter()
    adapter = WiseSAdapter(ModelOptions(checkpoint="scripted"), backend=ScriptedBackend([inside, inverted]), segmenter=segmenter)
    out_of_range, failed = adapter.predict(samples)
    # Out of range: passed on as round(int(v) * W / 840), not clipped (WISE evaluation.py); robust would clip.
    assert out_of_range.failure is None and out_of_range.objects[0].box[2] == round(2000 * width / 840) > width
    assert out_of_range.other_policy["policy"] == "robust" and out_of_range.other_policy["objects"][0]["box"][2] == width
    # The batch raised, each sample was retried alone, and the one the segmenter cannot take is a failure.
    assert failed.failure == "segmenter_error:ValueError" and failed.mask is None
    assert failed.other_policy["failure"] == "bbox_inverted"


def test_visionreasoner_objects_each_segmented_and_or_ed():
    from baselines.visionreasoner import VisionReasonerAdapter

    sample = mini_samples(1)[0]
    left = '{"bbox_2d": [40,40,300,400], "point_2d": [150,200]}'
    right = '{"bbox_2d": [500,300,800,800], "point_2d": [650,550]}'
    texts = [f"<think>two objects</think><answer>[{left}]</answer>", f"<think>two objects</think><answer>[{right}]</answer>",
             f"<think>two objects</think><answer>[{left}, {right}]</answer>"]
    adapter = VisionReasonerAdapter(ModelOptions(checkpoint="scripted"), backend=ScriptedBackend(texts), segmenter=GrabCutSegmenter())
    only_left, only_right, both = adapter.predict([sample, sample, sample])
    assert adapter.spec.answer_schema == "object_list" and len(both.objects) == 2
    assert all(len(obj.points) == 1 and obj.point_labels == (1,) for obj in both.objects)
    # One segmenter call per object, masks OR-ed: the two-object mask is the union of the one-object masks.
    assert np.array_equal(both.mask, only_left.mask | only_right.mask)


def test_greedy_generations_are_cached_across_adapters(tmp_path, monkeypatch):
    monkeypatch.setenv("WISEBENCH_CACHE", str(tmp_path))
    samples = mini_samples(2)
    text = '<think>x</think><answer>{"bbox":[1,1,400,400],"points_1":[100,100],"points_2":[200,200]}</answer>'
    timings = {"first_token_seconds": 0.1, "request_seconds": 0.3}
    first = ScriptedBackend([text, text], timings=timings)
    generated = WiseSAdapter(ModelOptions(checkpoint="scripted"), backend=first, segmenter=GrabCutSegmenter()).predict(samples)
    assert all(p.extra.get("request_timings") == timings for p in generated)
    second = ScriptedBackend([text, text])
    predictions = WiseSAdapter(ModelOptions(checkpoint="scripted"), backend=second, segmenter=GrabCutSegmenter()).predict(samples)
    assert first.calls == 1 and second.calls == 0
    assert all(p.extra.get("cached") for p in predictions)
    # A cached generation's timings were measured in another run: none are reported for it, like its seconds.
    assert all("request_timings" not in p.extra and "reasoner" not in p.seconds for p in predictions)
    sampled = ScriptedBackend([text, text])
    WiseSAdapter(ModelOptions(checkpoint="scripted", settings={"do_sample": True}), backend=sampled, segmenter=GrabCutSegmenter()).predict(samples)
    assert sampled.calls == 1  # sampled decoding is never served from the cache


def run_cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


TINY_SAM2 = "random:configs/sam2.1/sam2.1_hiera_t.yaml"


def test_scripted_answers_through_random_tiny_sam2():
    pytest.importorskip("sam2")
    from wisebench.segmenters.sam2 import SAM2Segmenter

    samples = mini_samples(2)
    text = '<think>x</think><answer>{"bbox":[100,100,500,600],"points_1":[300,300],"points_2":[320,400]}</answer>'
    adapter = WiseSAdapter(ModelOptions(checkpoint="scripted", settings={"cache": False}), backend=ScriptedBackend([text, text]), segmenter=SAM2Segmenter(TINY_SAM2))
    predictions = adapter.predict(samples)
    for sample, prediction in zip(samples, predictions):
        assert prediction.failure is None and prediction.mask.shape == sample.load_image().shape[:2] and prediction.mask.dtype == bool
        assert prediction.seconds["segmenter"] > 0
    assert adapter.describe()["random_weights"] is True


@pytest.mark.parametrize("model", ["wise-s", "seg-zero"])
def test_tiny_random_qwen_end_to_end_cli(tmp_path, capsys, tiny_qwen, model):
    pytest.importorskip("sam2")
    code, out, err = run_cli(
        capsys, "run", "--model", model, "--suite", "reasonseg-mini", "--checkpoint", str(tiny_qwen), "--segmenter", "sam2",
        "--segmenter-checkpoint", TINY_SAM2, "--limit", "2", "--batch-size", "2", "--set", "max_new_tokens=12",
        "--out", str(tmp_path), "--no-progress",
    )
    assert code == 0, err
    (folder,) = [path for path in tmp_path.iterdir() if path.is_dir()]
    records = read_records(folder)
    assert len(records) == 2
    for record in records:
        prediction = record["prediction"]
        assert prediction["raw_text"]  # garbage, but recorded
        assert prediction["failure"]  # random weights cannot answer in the format
        assert prediction["tokens"]["prompt"] > 900  # 840 x 840 image = 900 image tokens, plus the text
        assert 1 <= prediction["tokens"]["generated"] <= 12
        assert prediction["finish_reason"] in ("stop", "length")
        assert prediction["seconds"]["reasoner"] > 0 and prediction["seconds"]["total"] >= prediction["seconds"]["reasoner"]
        assert record["scores"]["lisa"]["intersection"] == 0
    run = json.loads((folder / "run.json").read_text())
    assert run["model"]["backend"]["backend"] == "hf" and run["model"]["backend"]["dtype"] == "float32"
    assert run["prompt_hash"] and run["smoke"]["reasons"] == ["limit=2", "random_weights"]
    assert run["model"]["segmenter"]["name"] == "sam2" and run["model"]["segmenter"]["random_weights"] is True
    assert run["summary"]["failures"]["format_failure_rate"] == 1.0
    # Scored as the paper's script scores it, and the run says so: protocol, parse policy, token convention.
    assert run["protocol"] == run["summary"]["protocol"] == "segzero"
    assert run["summary"]["parse"]["policy"] == "upstream" and run["model"]["parse_policy"] == "upstream"
    assert run["summary"]["token_convention"] == run["model"]["token_convention"] == "wise"
    assert all(record["prediction"]["parse_policy"] == "upstream" for record in records)
    assert "protocol segzero" in out and "parse upstream" in out and "reasoning tokens: wise convention" in out


def test_missing_weights_offline_is_one_message(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    code, _, err = run_cli(capsys, "run", "--model", "seg-zero", "--suite", "reasonseg-mini", "--limit", "1", "--out", str(tmp_path), "--segmenter", "grabcut", "--no-progress")
    assert code == 2 and "Traceback" not in err
    assert "Ricky06662/Seg-Zero-7B" in err and str(tmp_path / "hf" / "hub") in err and "--checkpoint" in err


def test_wise_without_checkpoint_says_so(tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", "--model", "wise", "--suite", "reasonseg-mini", "--limit", "1", "--out", str(tmp_path), "--no-progress")
    assert code == 2 and "--checkpoint" in err and "WISE publishes no weights" in err


@pytest.mark.parametrize("damage", ["truncated_config", "no_weights"])
def test_broken_local_checkpoint_is_one_message_naming_the_folder(tmp_path, capsys, tiny_qwen, damage):
    import shutil

    broken = tmp_path / "broken-checkpoint"
    shutil.copytree(tiny_qwen, broken)
    if damage == "truncated_config":
        (broken / "config.json").write_text((broken / "config.json").read_text()[:40])
    else:
        for weights in broken.glob("*.safetensors"):
            weights.unlink()
    code, _, err = run_cli(capsys, "run", "--model", "wise-s", "--suite", "reasonseg-mini", "--limit", "1", "--checkpoint", str(broken),
                           "--segmenter", "grabcut", "--out", str(tmp_path / "runs"), "--no-progress")
    assert code == 2 and "Traceback" not in err and "internal error" not in err
    assert str(broken) in err and "cannot be loaded" in err
