"""Stand-ins shaped like vLLM's documented offline outputs (RequestOutput with prompt, prompt_token_ids and
outputs[0].text / token_ids / finish_reason), shared by the vLLM backend tests. The real engine is not exercised."""

from __future__ import annotations

from dataclasses import dataclass
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
