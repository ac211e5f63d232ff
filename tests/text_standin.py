"""A scripted stand-in text reasoner for the lm-eval suite tests: outputs with known spans, answers and truncations."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from wisebench.reasoner.backend import Generation, GenerationSettings
from wisebench.registry import MODELS
from wisebench.text.spec import TextModelSpec

QUESTIONS = [f"{index}+1" for index in range(8)]
# question -> (raw output, finish reason); doc 2 and 5 never close their chain before the token limit.
SCRIPT = {
    "0+1": ("<think>\nI add 0 and 1.</think>\n\nThe answer is 1", "stop"),
    "1+1": ("One plus one, hmm, maybe three.</think>the answer is 3", "stop"),
    "2+1": ("<think>Two plus one is 3, so the answer is 3, let me check again and again", "length"),
    "3+1": ("<think>3+1=4</think>the answer is 4", "stop"),
    "4+1": ("<think>four and one</think>the answer is 5 Question: ignored", "stop"),
    "5+1": ("<think>the answer is 6 maybe, but wait", "length"),
    "6+1": ("<think>6+1 = 7</think>the answer is 7", "stop"),
    "7+1": ("<think></think>the answer is 9", "stop"),
}


class ScriptedBackend:
    name = "scripted"

    def __init__(self, delay: float = 0.0):
        from tiny_models import qwen_tokenizer

        self._tokenizer = qwen_tokenizer()
        self.delay = delay

    def generate(self, prompts: list[str], settings: GenerationSettings) -> list[Generation]:
        time.sleep(self.delay)
        outputs = []
        for prompt in prompts:
            question = prompt.rsplit("Question: ", 1)[1].strip()
            text, finish = SCRIPT[question]
            tokens = len(self._tokenizer.encode(text, add_special_tokens=False))
            outputs.append(Generation(text=text, prompt_tokens=len(self._tokenizer.encode(prompt)), generated_tokens=tokens, finish_reason=finish, seconds=0.01))
        return outputs

    def tokenizer(self):
        return self._tokenizer

    def fingerprint(self) -> dict:
        return {"backend": self.name}

    def chat_text(self, prompt: str) -> str:
        return prompt

    def close(self) -> None: ...


def scripted_backend(spec: TextModelSpec, options) -> ScriptedBackend:
    return ScriptedBackend(delay=float(os.environ.get("STANDIN_DELAY", "0")))


STANDIN = TextModelSpec(name="scripted-reasoner", checkpoint="none", backend_factory=scripted_backend)


# A VLLMTextBackend over a stand-in engine (tests set VLLM_STANDIN_ENGINE first): the real vLLM is not exercised.
VLLM_STANDIN_ENGINE = None


def vllm_standin_backend(spec: TextModelSpec, options):
    from wisebench.text.backend import VLLMTextBackend
    from tiny_models import R1_STYLE_CHAT_TEMPLATE, qwen_tokenizer

    tokenizer = qwen_tokenizer()
    tokenizer.chat_template = R1_STYLE_CHAT_TEMPLATE
    backend = VLLMTextBackend("org/vllm-standin", engine=VLLM_STANDIN_ENGINE, tokenizer=tokenizer)
    backend.make_sampling_params = lambda **kw: dict(kw)  # no vLLM here: the params are the plain keywords
    return backend


VLLM_STANDIN = TextModelSpec(name="vllm-standin-reasoner", checkpoint="none", backend="vllm", backend_factory=vllm_standin_backend)


def register() -> None:
    MODELS.register("scripted-reasoner", "text_standin:STANDIN")


# A local lm-eval task over a JSON file: lm-eval's own regex filter and exact_match scorer.
TASK_YAML = """\
task: toy_arith
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: generate_until
doc_to_text: "Question: {{{{question}}}}"
doc_to_target: "{{{{answer}}}}"
generation_kwargs:
  until: ["Question:"]
  max_gen_toks: 64
  do_sample: false
filter_list:
  - name: strict
    filter:
      - function: regex
        regex_pattern: "answer is (\\\\-?[0-9]+)"
      - function: take_first
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
"""


def write_task(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "toy.json"
    data.write_text(json.dumps([{"question": question, "answer": str(index + 1)} for index, question in enumerate(QUESTIONS)]))
    task = folder / "toy.yaml"
    task.write_text(TASK_YAML.format(data=data))
    return task
