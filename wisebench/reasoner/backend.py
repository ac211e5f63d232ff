"""The reasoner backend interface: a batch of (image, prompt) requests becomes generated text with its cost.

Backends: `hf` (transformers, default) and `vllm` (optional extra). Both build the same chat (one user message:
image then text, the processor's chat template, add_generation_prompt, no system message) and report the same
fields, so parsing, token accounting and caching do not depend on the backend.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class GenerationSettings:
    max_new_tokens: int = 1024
    do_sample: bool = False  # greedy, as the published evaluations
    temperature: float = 1.0  # only used when do_sample
    top_p: float = 1.0
    seed: int = 0
    # None: the checkpoint's generation_config decides (transformers' generate() applies it, as the published
    # evaluations ran; Qwen2.5-VL-Instruct ships 1.05). The vllm backend reads the same value from the checkpoint.
    repetition_penalty: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def deterministic(self) -> bool:
        return not self.do_sample


@dataclass
class GenerationRequest:
    image: Any  # PIL.Image.Image, already resized by the spec's rule
    prompt: str  # the user text; the backend wraps it in the chat template with the image
    # Text the reply is continued from (budget forcing: the reasoning so far), appended after the chat template's
    # generation prompt; the generation holds only what follows it.
    assistant_prefix: str = ""


@dataclass
class Generation:
    text: str
    prompt_tokens: int  # prefill, image tokens included
    generated_tokens: int
    finish_reason: str  # "stop" | "length"
    seconds: float  # this request's share of the batch's wall time (device synchronized)
    extra: dict = field(default_factory=dict)

    def request_timings(self) -> dict[str, float]:
        """The backend's own per-request latencies (vLLM: seconds to the first token and to the finish), where it
        reports them."""
        return {key: self.extra[key] for key in ("first_token_seconds", "request_seconds") if key in self.extra}


class TextTokenizer(Protocol):
    def encode(self, text: str, add_special_tokens: bool = ...) -> list[int]: ...


class ReasonerBackend(ABC):
    name: str = ""

    @abstractmethod
    def generate(self, requests: list[GenerationRequest], settings: GenerationSettings) -> list[Generation]:
        """One Generation per request, in order."""

    @abstractmethod
    def tokenizer(self) -> TextTokenizer:
        """The model's own tokenizer, for counting reasoning tokens."""

    @abstractmethod
    def fingerprint(self) -> dict[str, Any]:
        """What identifies the weights: checkpoint id or path, revision / commit, dtype, backend name."""

    def chat_text(self, prompt: str) -> str:
        """The full prompt text after the chat template (for hashing and debugging)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the device."""


def user_message(prompt: str) -> list[dict[str, Any]]:
    """The chat every Seg-Zero-family model was trained with: one user turn, image first, then the text."""
    return [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": prompt}]}]
