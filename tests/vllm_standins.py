"""Stand-ins shaped like vLLM's documented offline outputs (RequestOutput with prompt, prompt_token_ids and
outputs[0].text / token_ids / finish_reason), shared by the vLLM backend tests. The real engine is not exercised."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class StandInCompletion:
    text: str
    token_ids: list[int]
    finish_reason: str | None


@dataclass
class StandInRequestOutput:
    prompt: str | None
    prompt_token_ids: list[int]
    outputs: list[StandInCompletion]
    metrics: Any = None  # vLLM's RequestMetrics where the engine fills it (arrival_time, first_token_time, ...)


@dataclass
class StandInRequestMetrics:
    """vLLM V0's RequestMetrics fields wisebench reads: wall-clock timestamps in seconds."""

    arrival_time: float
    first_token_time: float | None
    finished_time: float | None


@dataclass
class StandInRequestStateStats:
    """vLLM V1's RequestStateStats fields wisebench reads (filled with stats logging on): a latency in seconds and
    monotonic timestamps."""

    arrival_time: float
    first_token_latency: float
    first_token_ts: float
    last_token_ts: float


@dataclass
class StreamedOutput(StandInRequestOutput):
    request_id: str = ""
    finished: bool = True


@dataclass
class StandInStepEngine:
    """vLLM's engine loop in miniature: each step finishes `per_step` requests, the newest first (so completion
    order differs from submission order), answering with `answer(prompt)`. Counts requests held at once."""

    answer: Any
    per_step: int = 24
    interrupt_after_steps: int | None = None
    held: dict[str, dict] = field(default_factory=dict)
    max_held: int = 0
    steps: int = 0
    added: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)

    def add_request(self, request_id: str, prompt: dict, params: Any) -> None:
        self.held[request_id] = prompt
        self.added.append(request_id)
        self.max_held = max(self.max_held, len(self.held))

    def has_unfinished_requests(self) -> bool:
        return bool(self.held)

    def abort_request(self, request_ids: list[str]) -> None:
        self.aborted.extend(request_ids)
        for request_id in request_ids:
            self.held.pop(request_id, None)

    def step(self) -> list[StreamedOutput]:
        self.steps += 1
        if self.interrupt_after_steps is not None and self.steps > self.interrupt_after_steps:
            raise KeyboardInterrupt  # as Ctrl-C mid-generation
        finishing = list(self.held)[-self.per_step :]
        outputs = []
        for request_id in finishing:
            prompt = self.held.pop(request_id)
            text, tokens = self.answer(prompt["prompt"])
            token_ids = prompt.get("prompt_token_ids") or list(range(len(prompt["prompt"])))
            outputs.append(StreamedOutput(prompt["prompt"], token_ids, [StandInCompletion(text, list(range(tokens)), "stop")], request_id=request_id))
        return outputs


@dataclass
class StandInLLM:
    llm_engine: StandInStepEngine
