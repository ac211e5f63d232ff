"""Continuous batching: a vLLM backend gets a window of pending requests at once through vLLM's offline engine loop
(LLM.llm_engine.add_request / step), and records land as requests finish, in any order, with resume intact.

Against STAND-IN engines only: vLLM cannot be installed beside this project's torch, so the real engine is NOT
exercised here. The stand-in has the documented shapes (add_request(request_id, prompt, params), step() -> the
RequestOutputs of that step with request_id and finished) and records how many requests it holds at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from test_run import write_many
from test_vllm_backend import StandInProcessor
from vllm_standins import StandInLLM, StandInStepEngine
from wisebench.adapters.base import ModelOptions
from wisebench.reasoner.backends.vllm_backend import VLLMReasoner
from wisebench.runner.config import RunConfig
from wisebench.runner.run import execute_run
from wisebench.runner.store import read_records
from wisebench.segmenters.grabcut import GrabCutSegmenter
from wise.adapters import WiseSAdapter


def wise_answer(prompt: str) -> tuple[str, int]:
    query = prompt.split("Please find '", 1)[1].split("'", 1)[0]
    return f'<think>looking for {query}</think><answer>{{"bbox": [100, 100, 700, 600], "points_1": [300, 300], "points_2": [400, 350]}}</answer>', 30


def standin_adapter(engine: StandInStepEngine):
    def factory(config: RunConfig) -> WiseSAdapter:
        backend = VLLMReasoner("org/wise-s", engine=StandInLLM(engine), processor=StandInProcessor())
        backend.make_sampling_params = lambda **kw: dict(kw)  # no vLLM here: the params are the plain keywords
        options = ModelOptions(checkpoint="org/wise-s", settings={"cache": False})
        return WiseSAdapter(options, backend=backend, segmenter=GrabCutSegmenter())

    return factory


def config_for(data: Path, out: Path) -> RunConfig:
    return RunConfig(model="wise-s", suite="reasonseg", split="val", data_dir=str(data), out=str(out), batch_size=8, checkpoint="org/wise-s", segmenter="grabcut", settings={"cache": False})


def test_vllm_standin_window_holds_most_pending_requests_and_records_land_as_they_finish(tmp_path):
    write_many(tmp_path / "data", 256)
    engine = StandInStepEngine(wise_answer)
    result = execute_run(config_for(tmp_path / "data", tmp_path / "runs"), progress=False, adapter_factory=standin_adapter(engine))
    assert engine.max_held >= 128, engine.max_held  # continuous batching: the window, not a batch of 8
    records = read_records(result.folder)
    ids = [record["sample_id"] for record in records]
    assert len(ids) == len(set(ids)) == 256
    assert ids != sorted(ids)  # in order of completion, not of submission
    for record in records:  # each answer is paired with its own sample
        assert record["prediction"]["reasoning_text"] == f"looking for {record['query'].lower().strip('.')}"
        assert record["prediction"]["failure"] is None and record["prediction"]["seconds"]["reasoner"] >= 0
    assert result.run["summary"]["n_scored"] == 256 and result.run["status"] == "complete"


def test_vllm_standin_streamed_run_interrupted_mid_generation_resumes_without_duplicates(tmp_path):
    write_many(tmp_path / "data", 64)
    config = config_for(tmp_path / "data", tmp_path / "runs")
    interrupted = StandInStepEngine(wise_answer, per_step=8, interrupt_after_steps=3)
    with pytest.raises(KeyboardInterrupt):
        execute_run(config, progress=False, adapter_factory=standin_adapter(interrupted))
    assert interrupted.aborted and not interrupted.held  # what the stream left in the engine was aborted
    folder = tmp_path / "runs" / config.run_id()
    kept = read_records(folder)
    assert 0 < len(kept) < 64 and json.loads((folder / "run.json").read_text())["status"] == "interrupted"
    engine = StandInStepEngine(wise_answer)
    execute_run(config_for(tmp_path / "data", tmp_path / "runs"), progress=False, adapter_factory=standin_adapter(engine))
    records = read_records(folder)
    ids = [record["sample_id"] for record in records]
    assert len(ids) == len(set(ids)) == 64 and records[: len(kept)] == kept
    assert len(engine.added) == 64 - len(kept)  # only the pending samples were sent again


def test_vllm_standin_streamed_requests_ask_for_final_output_only_with_unique_ids(tmp_path):
    write_many(tmp_path / "data", 16)
    engine = StandInStepEngine(wise_answer)
    params = []
    add_request = engine.add_request
    engine.add_request = lambda request_id, prompt, sampling: params.append((request_id, sampling)) or add_request(request_id, prompt, sampling)
    execute_run(config_for(tmp_path / "data", tmp_path / "runs"), progress=False, adapter_factory=standin_adapter(engine))
    assert len(params) == 16 and all(sampling["output_kind"] == "final_only" for _, sampling in params)
    assert len({request_id for request_id, _ in params}) == 16 and all(request_id.startswith("wisebench-") for request_id, _ in params)


def test_vllm_standin_warm_cache_hands_answers_on_without_the_engine(tmp_path):
    """Cached generations go straight to the segmenter in groups; the engine gets only what is not cached."""
    write_many(tmp_path / "data", 40)

    def cached_config(out: Path) -> RunConfig:
        return RunConfig(model="wise-s", suite="reasonseg", split="val", data_dir=str(tmp_path / "data"), out=str(out), batch_size=8, checkpoint="org/wise-s", segmenter="grabcut")

    def cached_adapter(engine: StandInStepEngine):
        def factory(config: RunConfig) -> WiseSAdapter:
            backend = VLLMReasoner("org/wise-s", engine=StandInLLM(engine), processor=StandInProcessor())
            backend.make_sampling_params = lambda **kw: dict(kw)
            return WiseSAdapter(ModelOptions(checkpoint="org/wise-s"), backend=backend, segmenter=GrabCutSegmenter())

        return factory

    first = StandInStepEngine(wise_answer)
    execute_run(cached_config(tmp_path / "a"), progress=False, adapter_factory=cached_adapter(first))
    assert len(first.added) == 40
    again = StandInStepEngine(wise_answer)
    result = execute_run(cached_config(tmp_path / "b"), progress=False, adapter_factory=cached_adapter(again))
    assert again.added == [] and len({record["sample_id"] for record in result.records}) == 40
    assert all(record["prediction"]["extra"].get("cached") for record in result.records)


def test_vllm_standin_text_backend_streams_with_per_request_seeds():
    pytest.importorskip("transformers")
    from test_text_backends import r1_tokenizer
    from wisebench.reasoner.backend import GenerationSettings
    from wisebench.text.backend import VLLMTextBackend
    from wisebench.text.stops import TextRequest

    tokenizer = r1_tokenizer()
    submitted: list[tuple[list[int], Any]] = []

    class TokenStepEngine(StandInStepEngine):
        def add_request(self, request_id, prompt, params):
            submitted.append((prompt["prompt_token_ids"], params))
            super().add_request(request_id, {"prompt": None, **prompt}, params)

    def answer(prompt: str) -> tuple[str, int]:
        return "", 0

    engine = TokenStepEngine(answer, per_step=5)
    backend = VLLMTextBackend("org/text-model", engine=StandInLLM(engine), tokenizer=tokenizer)
    backend.make_sampling_params = lambda **kw: dict(kw)
    settings = [GenerationSettings(max_new_tokens=16, do_sample=True, temperature=0.6, top_p=0.95, seed=seed) for seed in (0, 1)]
    items = [((index, repeat), f"question {index}", settings[repeat]) for repeat in range(2) for index in range(20)]
    finished = [key for group in backend.generate_stream(iter(items), TextRequest(stop=("\n</think>",)), window=16) for key, _ in group]
    assert sorted(finished) == sorted(key for key, _, _ in items) and engine.max_held == 16
    assert {params["seed"] for _, params in submitted} == {0, 1} and all(params["stop"] == ["\n</think>"] for _, params in submitted)


def test_vllm_standin_reasoner_continues_a_forced_chain_after_the_chat_template():
    """Budget forcing on the vLLM reasoner (STAND-IN engine): the chain so far follows the chat template, batched
    and streamed alike."""
    from test_vllm_backend import make_backend
    from wisebench.reasoner.backend import GenerationRequest, GenerationSettings

    backend = make_backend([("and then", 2, "length")])
    backend.generate([GenerationRequest(image=None, prompt="p", assistant_prefix="<think>so far")], GenerationSettings(max_new_tokens=2))
    assert backend.engine.calls[0][0][0]["prompt"] == "<|user|><|image|>p<|end|><|assistant|><think>so far"


def test_vllm_standin_text_run_streams_through_the_adapter(tmp_path, monkeypatch):
    """A text run on the vLLM backend (STAND-IN step engine) streams every pending document to the engine through
    the TextAdapter: more requests held at once than a batch, one record per document and repeat."""
    pytest.importorskip("lm_eval")
    import text_standin
    from text_standin import write_task
    from wisebench.cli import main
    from wisebench.registry import MODELS as registry

    class TokenStepEngine(StandInStepEngine):
        def add_request(self, request_id, prompt, params):
            super().add_request(request_id, {"prompt": None, **prompt}, params)

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    engine = TokenStepEngine(lambda prompt: ("", 3), per_step=3)
    text_standin.VLLM_STANDIN_ENGINE = StandInLLM(engine)
    registry.register("vllm-standin-reasoner", "text_standin:VLLM_STANDIN")
    task = write_task(tmp_path / "task")
    code = main(["run", "--model", "vllm-standin-reasoner", "--suite", f"lm-eval:{task}", "--out", str(tmp_path / "runs"), "--no-progress", "--batch-size", "2", "--set", "repeats=2"])
    assert code == 0
    (folder,) = [path for path in (tmp_path / "runs").iterdir() if path.is_dir()]
    ids = [record["sample_id"] for record in read_records(folder)]
    assert len(ids) == len(set(ids)) == 16 and engine.max_held == 16 > 2
    assert all(record["prompt_hash"] and record["query"] for record in read_records(folder))


def test_vllm_standin_streamed_run_skips_a_corrupt_image_under_skip_bad(tmp_path):
    from dataclasses import replace

    from wisebench.errors import BadSampleError

    write_many(tmp_path / "data", 16)
    (tmp_path / "data" / "ReasonSeg" / "val" / "s005.jpg").write_bytes(b"not a jpeg")
    config = config_for(tmp_path / "data", tmp_path / "runs")
    with pytest.raises(BadSampleError, match="s005.jpg"):
        execute_run(config, progress=False, adapter_factory=standin_adapter(StandInStepEngine(wise_answer)))
    engine = StandInStepEngine(wise_answer)
    result = execute_run(replace(config, skip_bad=True, out=str(tmp_path / "skipping"), settings=dict(config.settings)), progress=False, adapter_factory=standin_adapter(engine))
    skipped = [record for record in result.records if record["skipped"]]
    assert [record["sample_id"] for record in skipped] == ["s005"] and len(result.records) == 16 and len(engine.added) == 15
