"""ReasonerSegmenterAdapter: the two-stage pipeline, built once; published systems are specs over it.

Per batch: load images -> resize by the spec (840 x 840) -> prompt -> reasoner backend (cached when greedy) ->
parse -> rescale to the original image -> segmenter (batched) -> Prediction with tokens and per-stage seconds.
Settings (--set key=value): backend=hf|vllm, dtype, attn_implementation, brevity, revision, max_new_tokens,
do_sample, temperature, top_p, cache=true|false, and for vllm max_model_len, gpu_memory_utilization,
tensor_parallel_size.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from wisebench.adapters.base import Adapter, ModelOptions
from wisebench.adapters.prediction import Prediction, TokenCounts
from wisebench.data.sample import Sample
from wisebench.data.suite import cache_root
from wisebench.errors import BadSampleError, WeightsNotFoundError, WisebenchError
from wisebench.reasoner.backend import Generation, GenerationRequest, ReasonerBackend
from wisebench.reasoner.budget_forcing import BUDGET_KEY, DEFAULT_ANSWER_TOKENS, BudgetForcer, ForcedItem, parse_budgets
from wisebench.reasoner.cache import GenerationCache
from wisebench.metrics import token_conventions
from wisebench.reasoner.answer_policy import check_policy, parse_with_policies
from wisebench.reasoner.spec import ReasonerSpec
from wisebench.segmenters.base import Segmenter, build_segmenter


def build_backend(name: str, checkpoint: str, spec: ReasonerSpec, options: ModelOptions) -> ReasonerBackend:
    settings = options.settings
    if name == "hf":
        from wisebench.reasoner.backends.hf_backend import TransformersReasoner

        return TransformersReasoner(checkpoint, spec.revision, options.device, settings.get("dtype"), settings.get("attn_implementation"))
    if name == "vllm":
        from wisebench.reasoner.backends.vllm_backend import VLLM_ENGINE_OPTIONS, VLLMReasoner

        extra = {key: kind(settings[key]) for key, kind in VLLM_ENGINE_OPTIONS.items() if key in settings}
        return VLLMReasoner(checkpoint, revision=spec.revision, seed=options.seed, **extra)
    raise WisebenchError(f"unknown reasoner backend {name!r}: use --set backend=hf or --set backend=vllm")


class ReasonerSegmenterAdapter(Adapter):
    """Subclasses set `spec` (and `name`); that is all a Qwen-style system needs."""

    spec: ReasonerSpec

    @classmethod
    def known_settings(cls) -> tuple[str, ...]:
        from wisebench.reasoner.backends.vllm_backend import VLLM_ENGINE_OPTIONS

        spec_settings = ("brevity", "revision", "parse_policy", "token_convention", "max_new_tokens", "do_sample", "temperature", "top_p", "repetition_penalty")
        quality = ("judge", "judge_backend")  # the reasoning judge (metrics/judge.py), read by the scorer
        forcing = ("think_budget", "answer_max_new_tokens")  # budget forcing (reasoner/budget_forcing.py)
        return ("backend", "attn_implementation", "cache", *spec_settings, *quality, *forcing, *VLLM_ENGINE_OPTIONS)

    @classmethod
    def default_segmenter(cls) -> str:
        return cls.spec.default_segmenter

    def __init__(self, options: ModelOptions, backend: ReasonerBackend | None = None, segmenter: Segmenter | None = None):
        super().__init__(options)
        self.spec = self.spec.with_settings(options.settings)
        check_policy(self.spec.parse_policy, self.spec.upstream_parser, self.name)
        token_conventions.check_convention(self.spec.token_convention)
        checkpoint = options.checkpoint or self.spec.checkpoint
        if checkpoint is None:
            raise WeightsNotFoundError(f"model {self.name!r} has no published default checkpoint: pass --checkpoint PATH_OR_HUB_ID. {self.spec.no_checkpoint_help}")
        self.checkpoint = checkpoint
        self.backend_name = str(options.settings.get("backend", "hf"))
        self.backend = backend or build_backend(self.backend_name, checkpoint, self.spec, options)
        self.segmenter = segmenter or build_segmenter(options.segmenter or self.default_segmenter(), options.segmenter_checkpoint, options.device)
        self.budgets = parse_budgets(options.settings["think_budget"]) if "think_budget" in options.settings else ()
        # Forced generations are pieced together from several calls: they are not cached (the cache holds whole replies).
        use_cache = bool(options.settings.get("cache", True)) and self.spec.generation.deterministic and not self.budgets
        self.cache = GenerationCache(cache_root() / "generations", enabled=use_cache)
        self.settings = self.spec.generation if not self.spec.generation.do_sample else self._seeded()
        answer_tokens = int(options.settings.get("answer_max_new_tokens", DEFAULT_ANSWER_TOKENS))
        self.forcer = BudgetForcer(self.backend, self.settings, self.spec.reasoning_tag, self.spec.answer_tag, answer_tokens) if self.budgets else None
        self._fingerprint: dict[str, Any] | None = None

    def _seeded(self):
        from dataclasses import replace

        return replace(self.spec.generation, seed=self.options.seed)

    def prompt_text(self, sample: Sample) -> str:
        return self.spec.prompt(sample.query)

    def describe(self) -> dict[str, Any]:
        fingerprint = self.backend.fingerprint()
        segmenter = self.segmenter.describe()
        return {
            "adapter": self.name,
            **self.spec.describe(),
            "checkpoint": self.checkpoint,
            "backend": fingerprint,
            "segmenter": segmenter,
            "random_weights": bool(fingerprint.get("random_weights") or segmenter.get("random_weights")),
        }

    def _resize(self, image: np.ndarray):
        from PIL import Image

        picture = Image.fromarray(image)
        if self.spec.resize is None:
            return picture
        return picture.resize(self.spec.resize, Image.BILINEAR)  # aspect ratio ignored, as upstream

    def stages(self) -> list[Callable[[Any], Any]]:
        """Reasoner, then segmenter: in the run loop's pipeline SAM2 draws batch k while the reasoner writes k+1."""
        return [self.reason, self.segment]

    def predict(self, samples: list[Sample]) -> list[Prediction]:
        return self.segment(self.reason(samples))

    def reason(self, samples: list[Sample]) -> "ReasonedBatch":
        """Images loaded and resized, prompts generated (or read from the cache), answers parsed and rescaled."""
        prepared = [self._prepare(sample) for sample in samples]
        if self.forcer is not None:
            return self._forced(prepared)
        missing = [item for item in prepared if item.generation is None]
        if missing:
            fresh = self.backend.generate([item.request for item in missing], self.settings)
            for item, generation in zip(missing, fresh):
                self._keep(item, generation)
        return self._parsed(prepared)

    def _forced(self, prepared: list["PreparedRequest"]) -> "ReasonedBatch":
        """Budget forcing: each sample (one per budget, from budget_samples) answered after at most its budget."""
        items = []
        for item in prepared:
            if BUDGET_KEY not in item.sample.extra:
                raise WisebenchError(f"sample {item.sample.sample_id} has no think budget: budget forcing needs the run loop's per-budget samples")
            items.append(ForcedItem(item.sample.extra["base_sample_id"], int(item.sample.extra[BUDGET_KEY]), item.request))
        largest = max(self.budgets)
        for item, generation in zip(prepared, self.forcer.generate(items, {forced.key: largest for forced in items})):
            item.generation = generation
        return self._parsed(prepared)

    def can_stream(self) -> bool:
        if self.forcer is not None:
            return False  # forced chains grow budget by budget in batched calls
        can_stream = getattr(self.backend, "can_stream", None)
        return bool(can_stream and can_stream())

    def stream(self, samples: Iterable[Sample], group_size: int, window: int) -> Iterator[tuple[list[Sample], Any]]:
        """The reasoner stage over a continuous-batching backend (vLLM): up to `window` prompts in the engine at
        once; answers parsed as they finish and handed on in groups of `group_size` (cached ones too). A sample whose
        image cannot be decoded comes out alone with its BadSampleError."""
        ready: list[PreparedRequest] = []
        bad: list[tuple[list[Sample], Any]] = []

        def requests() -> Iterator[tuple[PreparedRequest, GenerationRequest] | None]:
            for sample in samples:
                try:
                    item = self._prepare(sample)
                except BadSampleError as error:
                    bad.append(([sample], error))
                    yield None  # handed on now, like a full group of cached answers (not held until the engine yields)
                    continue
                if item.generation is None:
                    yield item, item.request
                else:  # cached: handed on without the engine; a full group pauses the top-up so it goes on now
                    ready.append(item)
                    if len(ready) >= group_size:
                        yield None

        def handed_on(final: bool) -> Iterator[tuple[list[Sample], Any]]:
            while bad:
                yield bad.pop(0)
            while len(ready) >= group_size or (final and ready):
                group, ready[:] = ready[:group_size], ready[group_size:]
                yield [item.sample for item in group], self._parsed(group)

        for finished in self.backend.generate_stream(requests(), self.settings, window):
            for item, generation in finished:
                self._keep(item, generation)
                ready.append(item)
            yield from handed_on(final=False)
        yield from handed_on(final=True)

    def _prepare(self, sample: Sample) -> "PreparedRequest":
        image = sample.load_image()
        picture = self._resize(image)
        prompt = self.prompt_text(sample)
        key = self.cache.key(self._weights_fingerprint(), self.backend.chat_text(prompt), self.settings, sample.sample_id, _png_bytes(picture)) if self.cache.enabled else ""
        return PreparedRequest(sample, image, GenerationRequest(picture, prompt), key, self.cache.get(key) if key else None)

    def _weights_fingerprint(self) -> dict[str, Any]:
        """The backend's fingerprint, read once (it stats the weight files): part of every cache key."""
        if self._fingerprint is None:
            self._fingerprint = self.backend.fingerprint()
        return self._fingerprint

    def _keep(self, item: "PreparedRequest", generation: Generation) -> None:
        item.generation = generation
        if item.cache_key:
            self.cache.put(item.cache_key, generation)

    def _parsed(self, prepared: list["PreparedRequest"]) -> "ReasonedBatch":
        images = [item.image for item in prepared]
        generations = [item.generation for item in prepared]
        tokenizer = self.backend.tokenizer()
        predictions: list[Prediction] = []
        to_segment: list[int] = []
        for index, (image, generation) in enumerate(zip(images, generations)):
            parsed, other = parse_with_policies(generation.text, generation.finish_reason, self.spec, self.spec.parse_policy, (image.shape[1], image.shape[0]))
            conventions = {"wisebench": token_conventions.count(tokenizer, parsed.reasoning_text), "wise": token_conventions.count(tokenizer, parsed.think_match)}
            prediction = Prediction(
                mask=None,
                failure=parsed.failure,
                raw_text=generation.text,
                reasoning_text=parsed.reasoning_text,
                answer_text=parsed.answer_text,
                objects=parsed.objects,
                tokens=TokenCounts(prompt=generation.prompt_tokens, reasoning=conventions["wisebench"], generated=generation.generated_tokens, conventions=conventions),
                finish_reason=generation.finish_reason,
                # A cached generation's time was measured in another run: report only what ran now.
                seconds={} if generation.extra.get("cached") else {"reasoner": generation.seconds},
                extra={key: value for key, value in {"notes": parsed.notes, "cached": generation.extra.get("cached"), "think_budget": generation.extra.get("think_budget"), "forced_close": generation.extra.get("forced_close"), "request_timings": None if generation.extra.get("cached") else generation.request_timings()}.items() if value},
                parse_policy=parsed.policy,
                other_policy=other,
            )
            predictions.append(prediction)
            if parsed.failure is None:
                to_segment.append(index)
        return ReasonedBatch(images, predictions, to_segment)

    def segment(self, reasoned: "ReasonedBatch") -> list[Prediction]:
        """The segmenter over the parsed answers, batched; per-stage and total seconds completed."""
        images, predictions, to_segment = reasoned.images, reasoned.predictions, reasoned.to_segment
        if to_segment:
            from wisebench.reasoner.backends.hf_backend import synchronize

            synchronize()
            start = time.perf_counter()
            masks = self._segment([images[i] for i in to_segment], [predictions[i].objects for i in to_segment])
            synchronize()
            share = (time.perf_counter() - start) / len(to_segment)
            for index, mask in zip(to_segment, masks):
                if isinstance(mask, str):
                    predictions[index].failure = mask
                else:
                    predictions[index].mask = mask
                predictions[index].seconds["segmenter"] = share
        for prediction in predictions:
            prediction.seconds["total"] = sum(prediction.seconds.values())
        return predictions

    def _segment(self, images: list[np.ndarray], objects: list[list]) -> list[np.ndarray | str]:
        """Batched masks; where the batch raises (the upstream policy passes any numbers on, as the scripts do), each
        sample is retried alone and one that still raises is a failure, as the scripts' try/except scores it."""
        try:
            return list(self.segmenter.segment_batch(images, objects))
        except Exception:
            pass
        masks: list[np.ndarray | str] = []
        for image, prompts in zip(images, objects):
            try:
                masks.append(self.segmenter.segment(image, prompts))
            except Exception as error:
                masks.append(f"segmenter_error:{type(error).__name__}")
        return masks

    def close(self) -> None:
        self.backend.close()


@dataclass
class PreparedRequest:
    """A sample ready for the reasoner: its original image, the request (resized image, prompt), its cache key
    and, once there, its generation."""

    sample: Sample
    image: np.ndarray
    request: GenerationRequest
    cache_key: str
    generation: Generation | None = None


@dataclass
class ReasonedBatch:
    """Between the two stages: the original images, the predictions without masks, the ones to segment."""

    images: list[np.ndarray]
    predictions: list[Prediction]
    to_segment: list[int]


def _png_bytes(picture) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()
