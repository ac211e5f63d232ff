"""The pieces under the recipes: stop strings in both text backends (vLLM against a stand-in engine; transformers on
a tiny random Qwen2 with greedy decoding), the optional second BOS of VeriThinker's text prompts, and the token
conventions counted as the upstream scripts count (BOS included, spaces kept, chat template over prompt+response)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

pytest.importorskip("transformers")

from tiny_models import R1_STYLE_CHAT_TEMPLATE, build_tiny_qwen2_causal_lm, qwen_tokenizer  # noqa: E402
from vllm_standins import StandInCompletion, StandInRequestOutput  # noqa: E402
from wisebench.reasoner.backend import GenerationSettings  # noqa: E402
from wisebench.text.backend import TransformersTextBackend, VLLMTextBackend, chat_text  # noqa: E402
from wisebench.text.conventions import TokenCounter  # noqa: E402
from wisebench.text.stops import TextRequest, cut_at_stop_strings, tokens_through_stop  # noqa: E402


def bos_tokenizer():
    """The Qwen tokenizer made to add a BOS on encode(), as R1-distill's LlamaTokenizerFast does (add_bos_token)."""
    from tokenizers.processors import TemplateProcessing

    tokenizer = qwen_tokenizer()
    tokenizer.chat_template = R1_STYLE_CHAT_TEMPLATE
    bos = "<|endoftext|>"
    tokenizer.backend_tokenizer.post_processor = TemplateProcessing(single=f"{bos} $A", pair=f"{bos} $A $B", special_tokens=[(bos, tokenizer.convert_tokens_to_ids(bos))])
    return tokenizer


def test_stop_strings_cut_at_the_earliest():
    assert cut_at_stop_strings("a\n</think>b</think>", ("</think>", "\n</think>")) == ("a", "\n</think>")
    assert cut_at_stop_strings("no stop here", ("\n</think>",)) == ("no stop here", None)
    assert cut_at_stop_strings("x", ()) == ("x", None)
    pieces = ["ab", "c\n", "</th", "ink>", "zz"]
    assert tokens_through_stop(list(range(5)), lambda ids: "".join(pieces[i] for i in ids), "\n</think>") == 4


@pytest.mark.parametrize("response", ["The answer is 7", "  The answer is 7", "The answer is 7  ", "\n\nThe answer is 7\n", ""])
def test_verithinker_convention_is_encode_of_the_response_with_bos(response):
    tokenizer = bos_tokenizer()
    counter = TokenCounter(tokenizer, lambda prompt: chat_text(tokenizer, prompt))
    plain = len(tokenizer.encode(response, add_special_tokens=False))
    assert counter.verithinker(response) == plain + 1  # eval_aime24.py:68: len(tokenizer.encode(response))
    if response.strip() != response:  # leading and trailing whitespace is counted as generated, not stripped
        assert counter.verithinker(response) > counter.verithinker(response.strip())


@pytest.mark.parametrize("response", ["<think>\nadd</think>\n\n\\boxed{2}", " \\boxed{2} ", "<short>\\boxed{2}"])
def test_thinkless_convention_is_the_chat_template_over_prompt_and_response(response):
    tokenizer = qwen_tokenizer()
    tokenizer.chat_template = R1_STYLE_CHAT_TEMPLATE
    counter = TokenCounter(tokenizer, lambda prompt: chat_text(tokenizer, prompt))
    prompt = "Please reason step by step, and put your final answer within \\boxed{}.\n1+1?"
    templated = chat_text(tokenizer, prompt)  # lm-eval's arg_0 under --apply_chat_template (eval_aime.py:22)
    conversation = f"<|im_start|>user\n{templated}<|im_end|>\n<|im_start|>assistant\n{response}<|im_end|>\n"
    assert counter.thinkless(prompt, response) == len(tokenizer.encode(conversation, add_special_tokens=False))
    counts = counter.conventions("add", prompt, response)  # the reasoning span arrives stripped
    assert counts == {"wisebench": counter.plain("add"), "verithinker": counter.verithinker(response), "thinkless": counter.thinkless(prompt, response)}


def test_thinkless_convention_without_a_chat_template_is_none():
    tokenizer = qwen_tokenizer()
    tokenizer.chat_template = None
    assert TokenCounter(tokenizer, lambda prompt: prompt).thinkless("p", "r") is None


@dataclass
class Engine:
    script: list[tuple[list[int], str]]
    calls: list[tuple[list[dict], Any]] = field(default_factory=list)

    def generate(self, inputs: list[dict], params: Any, use_tqdm: bool = True) -> list[StandInRequestOutput]:
        self.calls.append((inputs, params))
        return [StandInRequestOutput(None, list(item["prompt_token_ids"]), [StandInCompletion("(not read)", ids, reason)]) for item, (ids, reason) in zip(inputs, self.script)]


def test_vllm_text_backend_stops_at_the_string_and_can_add_the_second_bos():
    tokenizer = bos_tokenizer()
    # vLLM stops once the stop string is complete; its token ids run to the token that completed it.
    chain = tokenizer.encode("2+2 is 4, so \\boxed{4}\n</think>", add_special_tokens=False)
    backend = VLLMTextBackend("org/model", engine=Engine([(chain, "stop")]), tokenizer=tokenizer)
    backend.make_sampling_params = lambda **kw: dict(kw)
    (generation,) = backend.generate(["q"], GenerationSettings(max_new_tokens=16), TextRequest(stop=("\n</think>",), prompt_special_tokens=True))
    inputs, params = backend.engine.calls[0]
    assert params["stop"] == ["\n</think>"]
    assert generation.text == "2+2 is 4, so \\boxed{4}" and generation.extra["stop_string"] == "\n</think>"
    assert generation.finish_reason == "stop" and generation.generated_tokens == len(chain)
    templated = chat_text(tokenizer, "q")
    assert inputs[0]["prompt_token_ids"] == tokenizer.encode(templated)  # vLLM's text-prompt tokenization: BOS added again
    assert inputs[0]["prompt_token_ids"][1:] == tokenizer.encode(templated, add_special_tokens=False)


def test_transformers_text_backend_stops_at_a_string(tmp_path):
    """Greedy decoding is deterministic: a string from the free-running output stops the second run right there."""
    folder = build_tiny_qwen2_causal_lm(tmp_path / "tiny")
    backend = TransformersTextBackend(str(folder), device="cpu")
    settings = GenerationSettings(max_new_tokens=24)
    (free,) = backend.generate(["What is 2+2?"], settings)
    tokenizer = backend.tokenizer()
    ids = tokenizer.encode(free.text, add_special_tokens=False)
    stop = tokenizer.decode(ids[6:8])
    assert stop and stop in free.text
    (stopped,) = backend.generate(["What is 2+2?"], settings, TextRequest(stop=(stop,)))
    before = free.text[: free.text.index(stop)]
    assert stopped.text == before and stopped.extra["stop_string"] == stop and stopped.finish_reason == "stop"
    assert stopped.generated_tokens == tokens_through_stop(ids, lambda part: tokenizer.decode(part), stop) <= 8
    backend.close()
