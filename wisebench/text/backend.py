"""Text backends: a batch of user messages becomes generated text with its cost.

`TransformersTextBackend` is the text sibling of the reasoner pipeline's transformers backend (same device, dtype,
attention and weight resolution helpers, same Generation record): AutoModelForCausalLM + the tokenizer's chat
template (one user turn, add_generation_prompt), left-padded batches. Special tokens are kept in the decoded text
because some of them carry meaning here (<think>, Thinkless' <short>); the stop token itself is dropped.
"""

from __future__ import annotations

from typing import Any, Protocol

from wisebench.errors import WisebenchError
from wisebench.reasoner.backend import Generation, GenerationSettings, TextTokenizer
from wisebench.reasoner.backends.hf_backend import generate_rows, pick_attention, pick_device
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
        texts = [self.chat_text(prompt) for prompt in prompts]
        # The chat template already holds the special tokens (BOS included where the model uses one).
        inputs = self._tokenizer(texts, padding=True, return_tensors="pt", add_special_tokens=False).to(self.device)
        rows, seconds = generate_rows(self.model, inputs, settings, self._stop_ids, {"pad_token_id": self._pad_id})
        return [
            Generation(
                text=self._tokenizer.decode(row.token_ids, skip_special_tokens=False),
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


def build_backend(spec: Any, options: Any) -> TextBackend:
    """The spec's backend: a scripted stand-in (tests), transformers, or vLLM (not wired for text yet)."""
    if spec.backend_factory is not None:
        return spec.backend_factory(spec, options)
    if spec.backend == "hf":
        return TransformersTextBackend(spec.checkpoint, device=options.device)
    raise WisebenchError(f"backend {spec.backend!r} is not available for text models yet; use backend=hf")
