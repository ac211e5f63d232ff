"""The optional reasoning judge: a text model prompted with the query, a reference reasoning and the candidate
reasoning, replying with a 1-10 grade. Off by default (--set judge=CHECKPOINT turns it on).

The prompt is a file in the package (judge_prompt.txt) and its hash goes into every judged record. The reply is
parsed strictly: the whole reply, stripped, must be one integer from 1 to 10; anything else is recorded as a failure
with the raw reply, never guessed at.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from typing import Any

from wisebench.reasoner.backend import GenerationSettings

PROMPT_FILE = "judge_prompt.txt"
STRICT_GRADE = re.compile(r"(10|[1-9])")
JUDGE_SETTINGS = GenerationSettings(max_new_tokens=8, do_sample=False)  # a grade is one or two tokens; greedy


def judge_prompt_template() -> str:
    return resources.files("wisebench.metrics").joinpath(PROMPT_FILE).read_text(encoding="utf-8")


def judge_prompt_hash() -> str:
    return hashlib.sha256(judge_prompt_template().encode("utf-8")).hexdigest()[:16]


def parse_grade(reply: str) -> int | None:
    """The grade when the stripped reply is exactly one integer in [1, 10], else None."""
    match = STRICT_GRADE.fullmatch(reply.strip())
    return int(match.group(1)) if match else None


class ReasoningJudge:
    """Grades a candidate reasoning against one reference with any text backend (text/backend.py)."""

    def __init__(self, backend: Any, checkpoint: str):
        self.backend = backend
        self.checkpoint = checkpoint
        self.template = judge_prompt_template()

    def prompt(self, query: str, reference: str, candidate: str) -> str:
        # One pass over the template: a placeholder inside the candidate text is never filled in.
        values = {"query": query, "reference": reference, "candidate": candidate}
        return re.sub(r"\{(query|reference|candidate)\}", lambda match: values[match.group(1)], self.template)

    def judge(self, query: str, reference: str, candidate: str) -> dict[str, Any]:
        generation = self.backend.generate([self.prompt(query, reference, candidate)], JUDGE_SETTINGS)[0]
        grade = parse_grade(generation.text)
        return {"score": grade, "reply": generation.text, "failure": None if grade is not None else "unparsable_judge_reply"}

    def describe(self) -> dict[str, Any]:
        return {"checkpoint": self.checkpoint, "backend": self.backend.name, "prompt_sha256": judge_prompt_hash(), "max_new_tokens": JUDGE_SETTINGS.max_new_tokens}


def build_judge(checkpoint: str, backend: str = "hf", device: str | None = None) -> ReasoningJudge:
    """A judge on the transformers or vLLM text backend (the ones the text suites run on)."""
    from wisebench.errors import WisebenchError

    if backend == "hf":
        from wisebench.text.backend import TransformersTextBackend

        return ReasoningJudge(TransformersTextBackend(checkpoint, device=device), checkpoint)
    if backend == "vllm":
        from wisebench.text.backend import VLLMTextBackend

        return ReasoningJudge(VLLMTextBackend(checkpoint), checkpoint)
    raise WisebenchError(f"unknown judge backend {backend!r}: use --set judge_backend=hf or judge_backend=vllm")
