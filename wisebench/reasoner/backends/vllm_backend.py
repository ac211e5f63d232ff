"""The `vllm` reasoner backend: the whole batch goes to one `LLM.generate` call (continuous batching).

It feeds vLLM the text the `hf` backend feeds transformers: the processor's chat template over `user_message(prompt)`
with add_generation_prompt, so both backends see byte-identical prompts (the Qwen2.5-VL template adds its own default
system line; we pass none). vLLM expands the single image placeholder itself, so `prompt_tokens` counts image tokens.

vLLM is an optional extra that pins its own torch; it is imported only when an engine has to be built, and the
SamplingParams factory is an attribute so tests can run with stand-ins and no vLLM at all.
"""

from __future__ import annotations

import gc
import time
import uuid
from importlib import metadata
from typing import Any, Callable, Iterable, Iterator

from wisebench.errors import WeightsNotFoundError, WisebenchError
from wisebench.reasoner.backend import (
    Generation,
    GenerationRequest,
    GenerationSettings,
    ReasonerBackend,
    TextTokenizer,
    user_message,
)

VLLM_MISSING = (
    "the vllm backend needs the `vllm` extra: pip install 'wisebench[vllm]' (a CUDA machine; it pins its own torch)"
)


# The engine options `--set` passes to vllm.LLM (both families), with the type each --set value is read as.
VLLM_ENGINE_OPTIONS: dict[str, type] = {"dtype": str, "max_model_len": int, "gpu_memory_utilization": float, "tensor_parallel_size": int}


class VLLMOutputMismatchError(RuntimeError):
    """vLLM returned outputs that cannot be matched one-to-one, in order, to the submitted requests."""


def sampling_kwargs(settings: GenerationSettings, checkpoint_repetition_penalty: float | None = None) -> dict[str, Any]:
    """SamplingParams keywords for the settings. Greedy is temperature 0 in vLLM (top_p/seed are then irrelevant).

    Explicit SamplingParams bypass the checkpoint's generation_config, which transformers' generate() applies; so
    the repetition penalty (settings', else the checkpoint's) is passed explicitly to decode as the hf backend does.
    Everything else keeps vLLM's defaults (skip_special_tokens True, n 1)."""
    kwargs: dict[str, Any] = {"temperature": 0.0, "max_tokens": settings.max_new_tokens}
    if not settings.deterministic:
        kwargs.update(temperature=settings.temperature, top_p=settings.top_p, seed=settings.seed)
    penalty = settings.repetition_penalty if settings.repetition_penalty is not None else checkpoint_repetition_penalty
    if penalty is not None and penalty != 1.0:
        kwargs["repetition_penalty"] = penalty
    return kwargs


def checkpoint_generation_config(checkpoint: str, revision: str | None) -> Any:
    """The checkpoint's generation_config.json as transformers reads it; None when it has none (or it is offline)."""
    try:
        from transformers import GenerationConfig

        return GenerationConfig.from_pretrained(checkpoint, revision=revision)
    except Exception:  # no generation_config.json, or offline: vLLM's defaults apply
        return None


def checkpoint_repetition_penalty(checkpoint: str, revision: str | None) -> float | None:
    """The repetition_penalty of the checkpoint's generation_config.json (None when it has none)."""
    config = checkpoint_generation_config(checkpoint, revision)
    return None if config is None else config.repetition_penalty


def normalize_finish_reason(reason: Any) -> str:
    """vLLM reports "stop" (EOS, stop string or stop token), "length" (max_tokens or max_model_len) or "abort".

    Those strings are kept as they are ("abort" included, so an aborted request is visible, not hidden as a stop);
    None, which a finished request should never carry, becomes "unfinished"."""
    if reason is None:
        return "unfinished"
    return str(reason)


def import_vllm() -> Any:
    try:
        import vllm
    except ImportError as error:
        raise WisebenchError(VLLM_MISSING) from error
    return vllm


FINAL_ONLY = "final_only"  # the output kind streamed requests ask for (vLLM's RequestOutputKind.FINAL_ONLY)
_END = object()


def _vllm_sampling_params(**kwargs: Any) -> Any:
    vllm = import_vllm()
    if kwargs.get("output_kind") == FINAL_ONLY:
        from vllm.sampling_params import RequestOutputKind

        kwargs["output_kind"] = RequestOutputKind.FINAL_ONLY
    return vllm.SamplingParams(**kwargs)


class VLLMEngineBackend:
    """What every vLLM backend shares: the offline engine (built once), SamplingParams, one `LLM.generate` call per
    batch with its wall time and the one-to-one order check, the fingerprint and the teardown. The multimodal
    reasoner below and the text backend (wisebench/text/backend.py) differ only in the inputs they build and how
    they read a completion."""

    name = "vllm"

    def __init__(
        self,
        checkpoint: str,
        revision: str | None = None,
        dtype: str = "bfloat16",
        max_model_len: int | None = 8192,
        gpu_memory_utilization: float = 0.9,
        tensor_parallel_size: int = 1,
        seed: int = 0,
        limit_images: int = 0,
        engine: Any = None,
    ) -> None:
        self.checkpoint = checkpoint
        self.revision = revision
        self.dtype = dtype
        # Replaceable so tests (and stand-in engines) need no vLLM; called with sampling_kwargs(settings).
        self.make_sampling_params: Callable[..., Any] = _vllm_sampling_params
        self.engine: Any = engine
        self._engine_arguments: dict[str, Any] = {
            "model": checkpoint,
            "revision": revision,
            "dtype": dtype,
            "max_model_len": max_model_len,
            "gpu_memory_utilization": gpu_memory_utilization,
            "tensor_parallel_size": tensor_parallel_size,
            "seed": seed,
            # Every prompt of a suite shares its instruction (and a text task its few-shot examples): computed once.
            "enable_prefix_caching": True,
        }
        if limit_images:
            self._engine_arguments["limit_mm_per_prompt"] = {"image": limit_images}

    def _build_engine(self, vllm: Any) -> None:
        if self.engine is None:
            self.engine = vllm.LLM(**self._engine_arguments)

    def _run_engine(self, inputs: list[dict[str, Any]], sampling: dict[str, Any]) -> tuple[list[Any], float]:
        """One generate call for the whole batch: the outputs in request order and the batch's wall time."""
        if self.engine is None:
            raise WisebenchError("the vllm backend was closed; build a new one to generate again")
        params = self.make_sampling_params(**sampling)
        start = time.perf_counter()
        outputs = list(self.engine.generate(inputs, params, use_tqdm=False))
        # generate() returns only when every request is done, so this is the batch's wall time.
        batch_seconds = time.perf_counter() - start
        _check_outputs(outputs, inputs)
        return outputs, batch_seconds

    def can_stream(self) -> bool:
        """Whether the engine has vLLM's step API (LLM.llm_engine); stand-ins with only generate() batch."""
        return self.engine is not None and hasattr(self.engine, "llm_engine")

    def _stream_engine(self, items: Iterable[tuple[Any, dict[str, Any], dict[str, Any]] | None], window: int) -> Iterator[list[tuple[Any, Any, float]]]:
        """Continuous batching over a window: up to `window` requests are held by the engine at once (topped up from
        `items`, (key, input, sampling keywords), as requests finish), and each engine step's finished requests come
        back at once as (key, RequestOutput, seconds). An item None means "nothing to add now" (the caller has
        results of its own to hand on first). A request's seconds are its share of the wall time of the steps it was
        in (each step's time split over the requests it held), so they add up to the wall time.
        vLLM's documented offline engine loop: LLM.llm_engine.add_request / step / has_unfinished_requests /
        abort_request; requests ask for their final output only (as LLM.generate does), and a stream that ends early
        (an error, Ctrl-C) aborts what it left in the engine."""
        if self.engine is None:
            raise WisebenchError("the vllm backend was closed; build a new one to generate again")
        engine = self.engine.llm_engine
        pending = iter(items)
        exhausted = False
        in_flight: dict[str, tuple[Any, dict[str, Any]]] = {}
        shares: dict[str, float] = {}
        params_cache: dict[str, Any] = {}
        stream_id = uuid.uuid4().hex[:8]  # ids unique across streams: a leftover can never pair with a new request
        counter = 0

        def top_up() -> None:
            nonlocal counter, exhausted
            while len(in_flight) < window and not exhausted:
                item = next(pending, _END)
                if item is _END:
                    exhausted = True
                    return
                if item is None:
                    return
                key, request, sampling = item
                signature = repr(sorted(sampling.items()))
                params = params_cache.get(signature)
                if params is None:
                    params = params_cache[signature] = self.make_sampling_params(**sampling, output_kind=FINAL_ONLY)
                request_id = f"wisebench-{stream_id}-{counter}"
                counter += 1
                engine.add_request(request_id, request, params)
                in_flight[request_id], shares[request_id] = (key, request), 0.0

        try:
            top_up()
            while in_flight or not exhausted:
                if not in_flight:  # the caller paused topping up: let it hand on what it holds
                    yield []
                    top_up()
                    continue
                if not engine.has_unfinished_requests():
                    raise WisebenchError(f"the vLLM engine holds none of the {len(in_flight)} requests wisebench is waiting for")
                start = time.perf_counter()
                outputs = engine.step()
                elapsed = time.perf_counter() - start
                for request_id in in_flight:
                    shares[request_id] += elapsed / len(in_flight)
                finished = []
                for output in outputs:
                    request_id = str(getattr(output, "request_id", ""))
                    if not getattr(output, "finished", False) or request_id not in in_flight:
                        continue
                    key, request = in_flight.pop(request_id)
                    _check_outputs([output], [request])
                    finished.append((key, output, shares.pop(request_id)))
                top_up()  # before yielding: the engine keeps a full window while the caller handles these
                if finished:
                    yield finished
        finally:
            if in_flight and self.engine is not None:
                engine.abort_request(list(in_flight))

    def fingerprint(self) -> dict[str, Any]:
        fp: dict[str, Any] = {
            "backend": self.name,
            "checkpoint": self.checkpoint,
            "revision": self.revision,
            "dtype": self.dtype,
        }
        try:  # package metadata, so the fingerprint never imports vLLM (and its torch) just to read a version
            fp["vllm_version"] = metadata.version("vllm")
        except metadata.PackageNotFoundError:
            pass
        return fp

    def close(self) -> None:
        # Dropping the last reference lets vLLM tear down its workers; then hand the cached blocks back to CUDA.
        self.engine = None
        gc.collect()
        try:
            import torch
        except ImportError:
            return
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


class VLLMReasoner(VLLMEngineBackend, ReasonerBackend):
    """Qwen2.5-VL on vLLM: one image per prompt, the processor's chat template, vLLM's default detokenization.
    `engine_options`: VLLMEngineBackend's (dtype, max_model_len, gpu_memory_utilization, tensor_parallel_size, seed)."""

    def __init__(self, checkpoint: str, revision: str | None = None, limit_images: int = 1, engine: Any = None, processor: Any = None, **engine_options: Any) -> None:
        super().__init__(checkpoint, revision, limit_images=limit_images, engine=engine, **engine_options)
        # Import first: a missing extra is the likeliest failure and has the most useful message.
        vllm = import_vllm() if engine is None else None
        self.processor = processor if processor is not None else _load_processor(checkpoint, revision)
        self.repetition_penalty = checkpoint_repetition_penalty(checkpoint, revision) if engine is None else None
        if vllm is not None:
            self._build_engine(vllm)

    def chat_text(self, prompt: str) -> str:
        return self.processor.apply_chat_template(user_message(prompt), tokenize=False, add_generation_prompt=True)

    def generate(self, requests: list[GenerationRequest], settings: GenerationSettings) -> list[Generation]:
        if not requests:
            return []
        texts = [self.chat_text(r.prompt) + r.assistant_prefix for r in requests]
        # The image object goes through untouched: the adapter already resized it by the spec's rule.
        inputs = [{"prompt": t, "multi_modal_data": {"image": r.image}} for t, r in zip(texts, requests)]
        outputs, batch_seconds = self._run_engine(inputs, sampling_kwargs(settings, self.repetition_penalty))
        share = batch_seconds / len(requests)
        return [_to_generation(out, share, batch_seconds, len(requests)) for out in outputs]

    def generate_stream(self, requests: Iterable[tuple[Any, GenerationRequest] | None], settings: GenerationSettings, window: int) -> Iterator[list[tuple[Any, Generation]]]:
        """Continuous batching: up to `window` requests in the engine at once; finished ones come back as they
        finish, with their keys (an empty list where the caller paused the top-up with a None)."""
        sampling = sampling_kwargs(settings, self.repetition_penalty)
        # None passes through: the caller pausing the top-up to hand on results of its own (cached answers).
        items = (None if pair is None else (pair[0], {"prompt": self.chat_text(pair[1].prompt) + pair[1].assistant_prefix, "multi_modal_data": {"image": pair[1].image}}, sampling) for pair in requests)
        for finished in self._stream_engine(items, window):
            yield [(key, _to_generation(output, seconds, None, None)) for key, output, seconds in finished]

    def tokenizer(self) -> TextTokenizer:
        return getattr(self.processor, "tokenizer", self.processor)


def _load_processor(checkpoint: str, revision: str | None) -> Any:
    from transformers import AutoProcessor

    try:
        return AutoProcessor.from_pretrained(checkpoint, revision=revision)
    except OSError as error:  # not in the local cache and not reachable (or not a model folder)
        raise WeightsNotFoundError(f"could not load the processor of {checkpoint!r} (revision {revision}): {error}")


def _check_outputs(outputs: list[Any], inputs: list[dict[str, Any]]) -> None:
    """vLLM returns outputs in input order; anything else would silently pair answers with the wrong samples."""
    if len(outputs) != len(inputs):
        raise VLLMOutputMismatchError(
            f"vLLM returned {len(outputs)} outputs for {len(inputs)} requests; cannot match them to samples"
        )
    for i, (out, request) in enumerate(zip(outputs, inputs)):
        if not getattr(out, "outputs", None):
            raise VLLMOutputMismatchError(f"vLLM output {i} has no completion")
        # Cheap order check where vLLM echoes the prompt text or ids (equal prompts with different images cannot
        # be told apart, and need not be).
        prompt = getattr(out, "prompt", None)
        if "prompt" in request and isinstance(prompt, str) and prompt != request["prompt"]:
            raise VLLMOutputMismatchError(f"vLLM output {i} echoes a different prompt than request {i}")
        token_ids = getattr(out, "prompt_token_ids", None)
        if "prompt_token_ids" in request and token_ids is not None and list(token_ids) != list(request["prompt_token_ids"]):
            raise VLLMOutputMismatchError(f"vLLM output {i} echoes different prompt tokens than request {i}")


def request_timings(out: Any) -> dict[str, float]:
    """vLLM's own per-request latencies, where the engine reports them on RequestOutput.metrics: seconds to the first
    token and to the last. Two shapes exist: the V0 engine's RequestMetrics (wall-clock arrival_time,
    first_token_time, finished_time) and the V1 engine's RequestStateStats (first_token_latency, and monotonic
    first_token_ts / last_token_ts), which V1 fills only with stats logging on (`disable_log_stats=False`); the
    offline LLM keeps it off by default, and then nothing is recorded. Requests overlap under continuous batching,
    so these are each request's latency; its cost (`seconds`) stays its share of the batch's wall time."""
    metrics = getattr(out, "metrics", None)
    if metrics is None:
        return {}

    def number(name: str) -> float | None:
        value = getattr(metrics, name, None)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    timings: dict[str, float] = {}
    first_token_latency = number("first_token_latency")  # V1
    if first_token_latency is not None and first_token_latency > 0:
        timings["first_token_seconds"] = round(first_token_latency, 6)
        first, last = number("first_token_ts"), number("last_token_ts")
        if first is not None and last is not None and last >= first:
            timings["request_seconds"] = round(first_token_latency + last - first, 6)
        return timings
    arrival = number("arrival_time")  # V0
    for name, attribute in (("first_token_seconds", "first_token_time"), ("request_seconds", "finished_time")):
        moment = number(attribute)
        if arrival is not None and moment is not None and moment >= arrival:
            timings[name] = round(moment - arrival, 6)
    return timings


def batch_extra(out: Any, batch_seconds: float | None, batch_size: int | None) -> dict[str, Any]:
    """What a vLLM Generation carries beyond its share of the batch: the batch (none when streamed: requests come
    and go), and vLLM's request timings."""
    batch = {"batch_seconds": batch_seconds, "batch_size": batch_size} if batch_size is not None else {"streamed": True}
    return {**batch, **request_timings(out)}


def _to_generation(out: Any, share: float, batch_seconds: float | None, batch_size: int | None) -> Generation:
    completion = out.outputs[0]
    return Generation(
        text=completion.text,
        prompt_tokens=len(out.prompt_token_ids or []),
        generated_tokens=len(completion.token_ids),
        finish_reason=normalize_finish_reason(completion.finish_reason),
        seconds=share,
        extra=batch_extra(out, batch_seconds, batch_size),
    )
