"""Text backends: a batch of user messages becomes generated text with its cost.

`TransformersTextBackend` is the text sibling of the reasoner pipeline's transformers backend (same device, dtype,
attention and weight resolution helpers, same Generation record): AutoModelForCausalLM + the tokenizer's chat
template (one user turn, add_generation_prompt), left-padded batches. Special tokens are kept in the decoded text
because some of them carry meaning here (<think>, Thinkless' <short>); the stop token itself is dropped.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from wisebench.errors import WisebenchError
from wisebench.reasoner.backend import Generation, GenerationSettings, TextTokenizer
from wisebench.reasoner.backends.hf_backend import pick_attention, pick_device, synchronize
from wisebench.reasoner.weights import checkpoint_fingerprint, resolve_checkpoint


class TextBackend(Protocol):
    name: str

    def generate(self, prompts: list[str], settings: GenerationSettings) -> list[Generation]: ...

    def tokenizer(self) -> TextTokenizer: ...

    def fingerprint(self) -> dict[str, Any]: ...

    def chat_text(self, prompt: str) -> str: ...

    def close(self) -> None: ...


class TransformersTextBackend:
    name = "hf"

    def __init__(self, checkpoint: str, revision: str | None = None, device: str | None = None, dtype: str | None = None):
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as error:
            raise WisebenchError(f"text models need torch and transformers ({error.name or error} is missing): pip install 'wisebench[reasoner,lmeval]'") from error
        self.checkpoint = checkpoint
        self.revision = revision
        self.folder = resolve_checkpoint(checkpoint, revision, what="text model")
        self.device = pick_device(device)
        self.dtype = getattr(torch, dtype) if dtype else (torch.bfloat16 if self.device.startswith("cuda") else torch.float32)
        self.attention = pick_attention(self.device)
        self.model = AutoModelForCausalLM.from_pretrained(self.folder, dtype=self.dtype, attn_implementation=self.attention)
        self.model.to(self.device).eval()
        self._tokenizer = AutoTokenizer.from_pretrained(self.folder)
        self._tokenizer.padding_side = "left"  # decoder-only batching
        if self._tokenizer.pad_token is None:
            self._tokenizer.pad_token = self._tokenizer.eos_token
        config = self.model.generation_config
        ids = config.eos_token_id if config.eos_token_id is not None else self._tokenizer.eos_token_id
        self._stop_ids = set(ids if isinstance(ids, list) else [ids]) - {None}
        self._pad_id = self._tokenizer.pad_token_id

    def chat_text(self, prompt: str) -> str:
        return self._tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True)

    def tokenizer(self) -> TextTokenizer:
        return self._tokenizer

    def fingerprint(self) -> dict[str, Any]:
        return {"backend": self.name, **checkpoint_fingerprint(self.folder, self.checkpoint, self.revision), "dtype": str(self.dtype).replace("torch.", ""), "attention": self.attention}

    def generate(self, prompts: list[str], settings: GenerationSettings) -> list[Generation]:
        import torch

        texts = [self.chat_text(prompt) for prompt in prompts]
        # The chat template already holds the special tokens (BOS included where the model uses one).
        inputs = self._tokenizer(texts, padding=True, return_tensors="pt", add_special_tokens=False).to(self.device)
        options: dict[str, Any] = {"max_new_tokens": settings.max_new_tokens, "do_sample": settings.do_sample, "pad_token_id": self._pad_id}
        if settings.repetition_penalty is not None:
            options["repetition_penalty"] = settings.repetition_penalty
        if settings.do_sample:
            options.update(temperature=settings.temperature, top_p=settings.top_p)
            torch.manual_seed(settings.seed)
        else:
            options.update(temperature=None, top_p=None, top_k=None)
        synchronize()
        start = time.perf_counter()
        with torch.inference_mode():
            output = self.model.generate(**inputs, **options)
        synchronize()
        seconds = (time.perf_counter() - start) / len(prompts)
        prompt_length = inputs["input_ids"].shape[1]
        prompt_tokens = inputs["attention_mask"].sum(dim=1).tolist()
        generations = []
        for row, new_tokens in enumerate(output[:, prompt_length:].tolist()):
            kept, finish_reason = [], "length"
            for token in new_tokens:
                if token in self._stop_ids:
                    finish_reason = "stop"
                    break
                kept.append(token)
            generated = len(kept) + (1 if finish_reason == "stop" else 0)  # the stop token was decoded too
            if finish_reason == "length" and generated < settings.max_new_tokens:
                finish_reason = "stop"
            text = self._tokenizer.decode(kept, skip_special_tokens=False)
            generations.append(Generation(text=text, prompt_tokens=int(prompt_tokens[row]), generated_tokens=generated, finish_reason=finish_reason, seconds=seconds))
        return generations

    def close(self) -> None:
        import torch

        del self.model
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def build_backend(spec: Any, options: Any) -> TextBackend:
    """The spec's backend: a scripted stand-in (tests), transformers, or vLLM (not wired for text yet)."""
    if spec.backend_factory is not None:
        return spec.backend_factory(spec, options)
    if spec.backend == "hf":
        return TransformersTextBackend(spec.checkpoint, device=options.device)
    raise WisebenchError(f"backend {spec.backend!r} is not available for text models yet; use backend=hf")
