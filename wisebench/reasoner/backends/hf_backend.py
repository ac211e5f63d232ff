"""The transformers backend: Qwen2_5_VLForConditionalGeneration + its processor and chat template, batched with
left padding, greedy by default. bf16 and flash-attention 2 on CUDA where available, float32 + SDPA on CPU."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wisebench.errors import WisebenchError
from wisebench.reasoner.backend import Generation, GenerationRequest, GenerationSettings, ReasonerBackend, user_message
from wisebench.reasoner.weights import checkpoint_fingerprint, loading_checkpoint, resolve_checkpoint


def synchronize() -> None:
    """Wait for queued GPU work so the clock measures it (no-op without CUDA)."""
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.synchronize()


def pick_device(device: str | None) -> str:
    import torch

    return device or ("cuda" if torch.cuda.is_available() else "cpu")


def pick_attention(device: str) -> str:
    if device.startswith("cuda"):
        try:
            import flash_attn  # noqa: F401

            return "flash_attention_2"
        except ImportError:
            pass
    return "sdpa"


@dataclass
class DecodedRow:
    token_ids: list[int]  # generated ids before the first stop token
    generated_tokens: int  # decode cost: the stop token counts, it was generated
    finish_reason: str  # "stop" | "length"
    prompt_tokens: int  # non-padding prompt tokens


def cut_at_stop_token(token_ids: list[int], stop_ids: set[int]) -> tuple[list[int], bool]:
    """The generated ids before the first stop token, and whether there was one (what follows it is padding).
    Shared by every backend that decodes its own ids, so they all cut a reply at the same place."""
    for index, token in enumerate(token_ids):
        if token in stop_ids:
            return token_ids[:index], True
    return token_ids, False


def generate_rows(model: Any, inputs: Any, settings: GenerationSettings, stop_ids: set[int], extra: dict[str, Any] | None = None) -> tuple[list[DecodedRow], float]:
    """One batched `generate` call with device-synchronized timing, split into rows at their first stop token.
    Shared by the multimodal reasoner and the text backend. Returns the rows and each row's share of the seconds."""
    import torch

    options: dict[str, Any] = {"max_new_tokens": settings.max_new_tokens, "do_sample": settings.do_sample, **(extra or {})}
    if settings.repetition_penalty is not None:
        options["repetition_penalty"] = settings.repetition_penalty
    if settings.do_sample:
        options.update(temperature=settings.temperature, top_p=settings.top_p)
        torch.manual_seed(settings.seed)
    else:  # the checkpoint's generation_config may carry sampling knobs that greedy decoding would warn about
        options.update(temperature=None, top_p=None, top_k=None)
    synchronize()
    start = time.perf_counter()
    with torch.inference_mode():
        output = model.generate(**inputs, **options)
    synchronize()
    count = output.shape[0]
    seconds = (time.perf_counter() - start) / count
    prompt_length = inputs["input_ids"].shape[1]
    prompt_tokens = inputs["attention_mask"].sum(dim=1).tolist()
    rows = []
    for row, new_tokens in enumerate(output[:, prompt_length:].tolist()):
        kept, stopped = cut_at_stop_token(new_tokens, stop_ids)
        finish_reason = "stop" if stopped else "length"
        generated = len(kept) + (1 if stopped else 0)
        if finish_reason == "length" and generated < settings.max_new_tokens:
            finish_reason = "stop"  # ended on another stop condition
        rows.append(DecodedRow(kept, generated, finish_reason, int(prompt_tokens[row])))
    return rows, seconds


class TransformersReasoner(ReasonerBackend):
    name = "hf"

    def __init__(self, checkpoint: str, revision: str | None = None, device: str | None = None, dtype: str | None = None, attn_implementation: str | None = None):
        try:
            import torch
            from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration
        except ImportError as error:
            raise WisebenchError(
                f"the transformers reasoner backend needs torch and transformers ({error.name or error} is missing): "
                "pip install 'wisebench[reasoner,sam2]'"
            ) from error

        self.checkpoint = checkpoint
        self.revision = revision
        self.folder: Path = resolve_checkpoint(checkpoint, revision, what="reasoner")
        self.device = pick_device(device)
        self.dtype = getattr(torch, dtype) if dtype else (torch.bfloat16 if self.device.startswith("cuda") else torch.float32)
        self.attention = attn_implementation or pick_attention(self.device)
        with loading_checkpoint(self.folder, "reasoner"):
            self.model = Qwen2_5_VLForConditionalGeneration.from_pretrained(self.folder, torch_dtype=self.dtype, attn_implementation=self.attention)
            self.processor = AutoProcessor.from_pretrained(self.folder)
        self.model.to(self.device).eval()
        self.processor.tokenizer.padding_side = "left"  # decoder-only batching: pad on the left
        self._stop_ids = self._stop_token_ids()

    def _stop_token_ids(self) -> set[int]:
        config = self.model.generation_config
        ids = config.eos_token_id if config.eos_token_id is not None else self.processor.tokenizer.eos_token_id
        stops = set(ids if isinstance(ids, list) else [ids])
        stops.add(self.processor.tokenizer.pad_token_id)  # rows that stopped early are padded: never count padding
        return stops - {None}

    def chat_text(self, prompt: str) -> str:
        return self.processor.apply_chat_template(user_message(prompt), tokenize=False, add_generation_prompt=True)

    def tokenizer(self):
        return self.processor.tokenizer

    def fingerprint(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            **checkpoint_fingerprint(self.folder, self.checkpoint, self.revision),
            "dtype": str(self.dtype).replace("torch.", ""),
            "attention": self.attention,
        }

    def generate(self, requests: list[GenerationRequest], settings: GenerationSettings) -> list[Generation]:
        texts = [self.chat_text(request.prompt) + request.assistant_prefix for request in requests]
        inputs = self.processor(text=texts, images=[request.image for request in requests], padding=True, return_tensors="pt").to(self.device)
        rows, seconds = generate_rows(self.model, inputs, settings, self._stop_ids)
        return [
            Generation(
                # As the evaluation scripts decode (Seg-Zero evaluation.py:149-151): no space clean-up.
                text=self.processor.tokenizer.decode(row.token_ids, skip_special_tokens=True, clean_up_tokenization_spaces=False),
                prompt_tokens=row.prompt_tokens,
                generated_tokens=row.generated_tokens,
                finish_reason=row.finish_reason,
                seconds=seconds,
            )
            for row in rows
        ]

    def close(self) -> None:
        import torch

        del self.model
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
