"""Text backends: a batch of user messages becomes generated text with its cost.

Both backends build the same prompt (the tokenizer's chat template over one user turn, add_generation_prompt,
tokenized without adding special tokens again: the template already holds BOS where the model uses one) and decode
alike: special tokens are kept in the text because some carry meaning here (<think>, Thinkless' <short>), the stop
token itself is dropped but counted as generated. Stop strings (TextRequest.stop) end a reply too: its text ends
before the stop string (vLLM's default), `extra["stop_string"]` names it.
- `TransformersTextBackend`: the text sibling of the reasoner pipeline's transformers backend (same device, dtype,
  attention, weight resolution and batched generate-and-split helpers): AutoModelForCausalLM, left-padded batches.
- `VLLMTextBackend`: the segmentation adapters' vLLM engine backend (engine, SamplingParams, one call per batch,
  order check, teardown), fed token-id prompts; only the inputs and the reading of a completion are its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol

from wisebench.errors import WisebenchError
from wisebench.reasoner.backend import Generation, GenerationSettings, TextTokenizer
from wisebench.reasoner.backends.hf_backend import cut_at_stop_token, generate_rows, pick_attention, pick_device
from wisebench.reasoner.backends.vllm_backend import VLLMEngineBackend, batch_extra, checkpoint_generation_config, import_vllm, normalize_finish_reason, sampling_kwargs
from wisebench.reasoner.weights import checkpoint_fingerprint, loading_checkpoint, resolve_checkpoint
from wisebench.text.stops import TextRequest, cut_at_stop_strings, tokens_through_stop

NO_OPTIONS = TextRequest()


def chat_text(tokenizer: Any, prompt: str) -> str:
    """The prompt both backends feed the model: the chat template over one user turn, ready for the reply."""
    return tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True)


def stop_token_ids(tokenizer: Any, generation_eos: Any) -> set[int]:
    """The ids that end a reply: the checkpoint's generation_config eos id(s), else the tokenizer's."""
    ids = generation_eos if generation_eos is not None else tokenizer.eos_token_id
    return set(ids if isinstance(ids, list) else [ids]) - {None}


class TextBackend(Protocol):
    name: str

    def generate(self, prompts: list[str], settings: GenerationSettings, request: TextRequest = NO_OPTIONS) -> list[Generation]: ...

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
        with loading_checkpoint(self.folder, "text model"):
            self.model = AutoModelForCausalLM.from_pretrained(self.folder, dtype=self.dtype, attn_implementation=self.attention)
            self._tokenizer = AutoTokenizer.from_pretrained(self.folder)
        self.model.to(self.device).eval()
        self._tokenizer.padding_side = "left"  # decoder-only batching
        if self._tokenizer.pad_token is None:
            self._tokenizer.pad_token = self._tokenizer.eos_token
        self._stop_ids = stop_token_ids(self._tokenizer, self.model.generation_config.eos_token_id)
        self._pad_id = self._tokenizer.pad_token_id

    def chat_text(self, prompt: str) -> str:
        return chat_text(self._tokenizer, prompt)

    def tokenizer(self) -> TextTokenizer:
        return self._tokenizer

    def fingerprint(self) -> dict[str, Any]:
        return {"backend": self.name, **checkpoint_fingerprint(self.folder, self.checkpoint, self.revision), "dtype": str(self.dtype).replace("torch.", ""), "attention": self.attention}

    def generate(self, prompts: list[str], settings: GenerationSettings, request: TextRequest = NO_OPTIONS) -> list[Generation]:
        texts = [request.full_text(self.chat_text(prompt), index) for index, prompt in enumerate(prompts)]
        # The chat template already holds the special tokens (BOS included where the model uses one).
        inputs = self._tokenizer(texts, padding=True, return_tensors="pt", add_special_tokens=request.prompt_special_tokens).to(self.device)
        extra: dict[str, Any] = {"pad_token_id": self._pad_id}
        if request.stop:
            extra.update(stop_strings=list(request.stop), tokenizer=self._tokenizer)
        rows, seconds = generate_rows(self.model, inputs, settings, self._stop_ids, extra)
        generations = []
        for row in rows:
            generation = Generation(
                text=self._tokenizer.decode(row.token_ids, skip_special_tokens=False),
                prompt_tokens=row.prompt_tokens,
                generated_tokens=row.generated_tokens,
                finish_reason=row.finish_reason,
                seconds=seconds,
            )
            generations.append(apply_stop_strings(generation, request.stop, row.token_ids, self._decode))
        return generations

    def _decode(self, token_ids: list[int]) -> str:
        return self._tokenizer.decode(token_ids, skip_special_tokens=False)

    def close(self) -> None:
        import torch

        del self.model
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


class VLLMTextBackend(VLLMEngineBackend):
    name = "vllm"

    def __init__(self, checkpoint: str, revision: str | None = None, seed: int = 0, engine: Any = None, tokenizer: Any = None, **engine_options: Any):
        # Import first: a missing extra is the likeliest failure and has the most useful message.
        vllm = import_vllm() if engine is None else None
        self.folder = resolve_checkpoint(checkpoint, revision, what="text model") if engine is None else None
        model = str(self.folder) if self.folder is not None else checkpoint
        super().__init__(model, revision, seed=seed, engine=engine, **{"max_model_len": None, **engine_options})
        self.checkpoint = checkpoint  # the id the user named; the engine loads the resolved folder
        generation_config = None
        if tokenizer is None:
            from transformers import AutoTokenizer

            with loading_checkpoint(Path(model), "text model"):
                tokenizer = AutoTokenizer.from_pretrained(model)
            generation_config = checkpoint_generation_config(model, revision)
        self._tokenizer = tokenizer
        self._stop_ids = stop_token_ids(tokenizer, None if generation_config is None else generation_config.eos_token_id)
        self.repetition_penalty = None if generation_config is None else generation_config.repetition_penalty
        if vllm is not None:
            self._build_engine(vllm)

    def chat_text(self, prompt: str) -> str:
        return chat_text(self._tokenizer, prompt)

    def tokenizer(self) -> TextTokenizer:
        return self._tokenizer

    def fingerprint(self) -> dict[str, Any]:
        fingerprint = super().fingerprint()
        if self.folder is not None:
            fingerprint.update(checkpoint_fingerprint(self.folder, self.checkpoint, self.revision))
        return fingerprint

    def generate(self, prompts: list[str], settings: GenerationSettings, request: TextRequest = NO_OPTIONS) -> list[Generation]:
        if not prompts:
            return []
        # Token-id prompts: a text prompt would get a second BOS from vLLM's tokenizer call (unless asked for).
        inputs = [{"prompt_token_ids": self._tokenizer.encode(request.full_text(self.chat_text(prompt), index), add_special_tokens=request.prompt_special_tokens)} for index, prompt in enumerate(prompts)]
        sampling = sampling_kwargs(settings, self.repetition_penalty)
        if request.stop:
            sampling["stop"] = list(request.stop)
        outputs, batch_seconds = self._run_engine(inputs, sampling)
        share = batch_seconds / len(prompts)
        return [self._to_generation(output, share, batch_seconds, len(prompts), request.stop) for output in outputs]

    def generate_stream(self, items: Iterable[tuple[Any, str, GenerationSettings]], request: TextRequest, window: int) -> Iterator[list[tuple[Any, Generation]]]:
        """Continuous batching: (key, prompt, settings) items, up to `window` in the engine at once; finished ones
        come back as they finish, with their keys. Per-item settings: sampled repeats carry their own seeds."""

        def inputs():
            for key, prompt, settings in items:
                sampling = sampling_kwargs(settings, self.repetition_penalty)
                if request.stop:
                    sampling["stop"] = list(request.stop)
                yield key, {"prompt_token_ids": self._tokenizer.encode(self.chat_text(prompt), add_special_tokens=request.prompt_special_tokens)}, sampling

        for finished in self._stream_engine(inputs(), window):
            yield [(key, self._to_generation(output, seconds, None, None, request.stop)) for key, output, seconds in finished]

    def _to_generation(self, output: Any, share: float, batch_seconds: float | None, batch_size: int | None, stop: tuple[str, ...] = ()) -> Generation:
        """Decoded as the transformers backend decodes: up to the first stop token, special tokens kept."""
        completion = output.outputs[0]
        token_ids = list(completion.token_ids)
        kept, stopped = cut_at_stop_token(token_ids, self._stop_ids)
        finish_reason = "stop" if stopped else normalize_finish_reason(completion.finish_reason)
        generation = Generation(
            text=self._tokenizer.decode(kept, skip_special_tokens=False),
            prompt_tokens=len(output.prompt_token_ids or []),
            generated_tokens=len(token_ids),
            finish_reason=finish_reason,
            seconds=share,
            extra=batch_extra(output, batch_seconds, batch_size),
        )
        # vLLM already stopped at the string (its token ids run to it): only the text is cut here.
        return apply_stop_strings(generation, stop, None, None)


def apply_stop_strings(generation: Generation, stop: tuple[str, ...], token_ids: list[int] | None, decode: Any) -> Generation:
    """The generation cut before its first stop string; with `token_ids` (transformers, which pads a row that
    stopped early) the generated count is recounted to the token that completed the stop string."""
    text, matched = cut_at_stop_strings(generation.text, stop)
    if matched is None:
        return generation
    generation.text, generation.finish_reason = text, "stop"
    generation.extra["stop_string"] = matched
    if token_ids is not None:
        generation.generated_tokens = tokens_through_stop(token_ids, decode, matched)
    return generation


def build_backend(spec: Any, options: Any) -> TextBackend:
    """The spec's backend: a scripted stand-in (tests), transformers, or vLLM."""
    if spec.backend_factory is not None:
        return spec.backend_factory(spec, options)
    engine = dict(spec.engine_settings)
    if spec.backend == "hf":
        return TransformersTextBackend(spec.checkpoint, device=options.device, dtype=engine.get("dtype"))
    if spec.backend == "vllm":
        return VLLMTextBackend(spec.checkpoint, seed=options.seed, **engine)
    raise WisebenchError(f"unknown text backend {spec.backend!r}: use --set backend=hf or --set backend=vllm")
