"""TextModelSpec: a text reasoner as data (checkpoint, instruction, think delimiters, generation settings, repeats).

A new R1-style model needs one of these, not code. `--set key=value` overrides any generation setting, the number
of repeats, the truncation policy (truncated=strict|lenient), the headline token convention
(token_convention=wisebench|verithinker|thinkless), the backend (backend=hf|vllm) and its engine options
(dtype; for vllm also max_model_len, gpu_memory_utilization, tensor_parallel_size).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from wisebench.adapters.base import ModelOptions
from wisebench.errors import WisebenchError
from wisebench.reasoner.backend import GenerationSettings
from wisebench.reasoner.budget_forcing import parse_budgets
from wisebench.reasoner.backends.vllm_backend import VLLM_ENGINE_OPTIONS

TRUNCATION_POLICIES = ("strict", "lenient")
# How the paper-comparable token figure is counted (wisebench/text/conventions.py); the headline of a run's summary.
TEXT_CONVENTIONS = ("wisebench", "verithinker", "thinkless")
SETTING_FIELDS = ("max_new_tokens", "do_sample", "temperature", "top_p", "repetition_penalty")
# Engine options are VLLM_ENGINE_OPTIONS: dtype for both backends, the rest for vllm only (hf has no such knobs).
DTYPES = {"hf": ("bfloat16", "float16", "float32"), "vllm": ("auto", "bfloat16", "float16", "float32")}


@dataclass(frozen=True)
class TextModelSpec:
    name: str
    checkpoint: str  # hub id; --checkpoint DIR points at a local copy
    instruction: str = "{question}"  # the user message; {question} is lm-eval's context
    open_tag: str = "<think>"
    close_tag: str = "</think>"
    mode_tokens: tuple[str, ...] = ()  # control tokens a response may start with (Thinkless)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    # Generation stops at these strings (VeriThinker: "\n</think>"); the text ends before them. A chain closed by
    # one is scored as the whole response: the model was stopped before it could answer after the chain.
    stop: tuple[str, ...] = ()
    token_convention: str = "wisebench"
    repeats: int = 1  # sampled repeats per document, averaged by clustering records per document
    # Per-benchmark repeats where the paper repeats some benchmarks only (VeriThinker: AIME x8, MATH500 x1); keyed
    # by lm-eval task name. An explicit --set repeats=N wins over both.
    task_repeats: dict[str, int] = field(default_factory=dict)
    truncated: str = "strict"  # a truncated chain's answer is scored as empty; "lenient" keeps lm-eval's scoring
    backend: str = "hf"
    engine_settings: dict[str, Any] = field(default_factory=dict)  # dtype, and the vllm engine's options
    source: str = ""  # where the settings come from (paper, model card)
    backend_factory: Callable[["TextModelSpec", ModelOptions], Any] | None = None  # tests: a scripted stand-in
    # Budget forcing (--set think_budget=64,128,256): the reasoning cut at each budget, the close tag written by the
    # harness, then the model answers in at most `answer_tokens` (--set answer_max_new_tokens=N).
    think_budgets: tuple[int, ...] = ()
    answer_tokens: int = 256

    def __call__(self, options: ModelOptions) -> Any:
        """Registered like an adapter factory; a text model has no segmentation adapter."""
        raise WisebenchError(f"{self.name} is a text reasoner: run it on an lm-eval suite, e.g. --suite lm-eval:gsm8k")

    def with_options(self, options: ModelOptions) -> "TextModelSpec":
        """The spec after --checkpoint, --seed and --set overrides."""
        settings = dict(options.settings)
        generation_overrides = {key: _coerce(getattr(self.generation, key), settings.pop(key)) for key in SETTING_FIELDS if key in settings}
        generation = replace(self.generation, seed=options.seed, **generation_overrides)
        spec = replace(
            self,
            checkpoint=options.checkpoint or self.checkpoint,
            generation=generation,
            repeats=int(settings.pop("repeats", self.repeats)),
            think_budgets=parse_budgets(settings.pop("think_budget")) if "think_budget" in settings else self.think_budgets,
            answer_tokens=int(settings.pop("answer_max_new_tokens", self.answer_tokens)),
            task_repeats={} if "repeats" in options.settings else dict(self.task_repeats),
            truncated=str(settings.pop("truncated", self.truncated)),
            token_convention=str(settings.pop("token_convention", self.token_convention)),
            backend=str(settings.pop("backend", self.backend)),
            engine_settings={**self.engine_settings, **{key: kind(settings.pop(key)) for key, kind in VLLM_ENGINE_OPTIONS.items() if key in settings}},
        )
        settings.pop("metric", None), settings.pop("filter", None)  # read by the text runner
        if settings:
            raise WisebenchError(f"unknown settings for {self.name}: {', '.join(sorted(settings))} (known: {', '.join(SETTING_FIELDS + tuple(VLLM_ENGINE_OPTIONS))}, repeats, truncated, token_convention, backend, metric, filter, think_budget, answer_max_new_tokens)")
        if spec.truncated not in TRUNCATION_POLICIES:
            raise WisebenchError(f"truncated={spec.truncated!r}: use one of {', '.join(TRUNCATION_POLICIES)}")
        if spec.token_convention not in TEXT_CONVENTIONS:
            raise WisebenchError(f"token_convention={spec.token_convention!r}: use one of {', '.join(TEXT_CONVENTIONS)}")
        if spec.backend not in DTYPES and spec.backend_factory is None:
            raise WisebenchError(f"backend={spec.backend!r}: use hf or vllm")
        dtype = spec.engine_settings.get("dtype")
        if dtype is not None and dtype not in DTYPES.get(spec.backend, (dtype,)):
            raise WisebenchError(f"dtype={dtype!r} with backend={spec.backend}: use one of {', '.join(DTYPES[spec.backend])}")
        vllm_only = sorted(set(spec.engine_settings) - {"dtype"})
        if vllm_only and spec.backend == "hf":
            raise WisebenchError(f"{', '.join(vllm_only)}: vLLM engine options; add --set backend=vllm or drop them")
        if spec.repeats < 1:
            raise WisebenchError("repeats must be at least 1")
        return spec

    def for_task(self, task_name: str) -> "TextModelSpec":
        """The spec as it evaluates `task_name`: the paper's repeats for that benchmark, where it names them."""
        return replace(self, repeats=self.task_repeats[task_name]) if task_name in self.task_repeats else self

    def instruction_in(self, context: str) -> bool:
        """Does the task's prompt already carry this spec's instruction (Thinkless' own YAMLs do)? Its fixed text,
        a final "." aside (Thinkless' Minerva prompt has none), found in the context."""
        fixed = self.instruction.replace("{question}", " ").strip().rstrip(".").strip()
        return bool(fixed) and fixed in context

    def prompt(self, context: str, complete: bool = False) -> str:
        """The user message for lm-eval's context: the instruction around it, unless the context is complete (a
        recipe) or already holds the instruction, which is never added twice."""
        if complete or self.instruction_in(context):
            return context
        return self.instruction.replace("{question}", context)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "checkpoint": self.checkpoint,
            "prompt_template": self.instruction,
            "think_tags": [self.open_tag, self.close_tag],
            "mode_tokens": list(self.mode_tokens),
            "generation": self.generation.to_json(),
            "stop": list(self.stop),
            "token_convention": self.token_convention,
            "repeats": self.repeats,
            "task_repeats": dict(self.task_repeats),
            "truncated": self.truncated,
            "backend": self.backend,
            "engine_settings": dict(self.engine_settings),
            "source": self.source,
            **({"think_budgets": list(self.think_budgets), "answer_max_new_tokens": self.answer_tokens} if self.think_budgets else {}),
        }


def _coerce(default: Any, value: Any) -> Any:
    """--set values arrive as parsed by the CLI; bring them to the default's type."""
    if isinstance(default, bool):
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float) or default is None:
        return float(value)
    return value
