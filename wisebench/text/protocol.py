"""How one lm-eval task is run: a packaged recipe's rules (its YAML's `metadata.wisebench` block) or the generic path.

A recipe is the paper's protocol, whichever model runs it: its generation_kwargs (until as generation stop strings,
sampling, max_gen_toks), its lm-eval `repeats`, its prompt as the whole user message, its scorer over the whole
response. The model spec's settings apply where the task says nothing; an explicit --set wins over both. For any
task YAML (a user's own included) max_gen_toks is the budget unless --set max_new_tokens is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from wisebench.errors import WisebenchError
from wisebench.text.spec import TRUNCATION_POLICIES, TextModelSpec

SCORED_TEXTS = ("answer", "response")  # the span after the chain (wisebench's generic path) | the whole response
GENERIC_PARSE_POLICY = "lm-eval"  # the task's own filters and metrics


@dataclass(frozen=True)
class TaskProtocol:
    recipe: str | None = None  # e.g. "verithinker/aime24"
    upstream: str | None = None  # the upstream script whose rules the recipe follows
    parse_policy: str = GENERIC_PARSE_POLICY
    token_convention: str | None = None  # None: the model spec's
    prompt_is_complete: bool = False  # doc_to_text is the whole user message: no model instruction added
    scored_text: str = "answer"
    truncated: str | None = None  # the recipe's truncation policy; None: the spec's
    prompt_special_tokens: bool = False  # tokenize the chat text with special tokens (vLLM text prompts: a 2nd BOS)
    generation_kwargs: dict[str, Any] = field(default_factory=dict)
    task_repeats: int = 1  # the YAML's lm-eval `repeats`; wisebench runs repeats itself, one record each
    from_yaml: bool = False


def read_protocol(config: Any, from_yaml: bool) -> TaskProtocol:
    """The protocol of an lm-eval TaskConfig (read before wisebench sets its repeats to 1)."""
    metadata = config.metadata if isinstance(getattr(config, "metadata", None), dict) else {}
    block = metadata.get("wisebench") or {}
    generation = dict(config.generation_kwargs or {})
    common = {"generation_kwargs": generation, "task_repeats": int(config.repeats or 1), "from_yaml": from_yaml}
    if not block:
        return TaskProtocol(**common)
    protocol = TaskProtocol(
        recipe=block.get("recipe"),
        upstream=block.get("upstream"),
        parse_policy=str(block.get("parse_policy", GENERIC_PARSE_POLICY)),
        token_convention=block.get("token_convention"),
        prompt_is_complete=bool(block.get("prompt_is_complete", False)),
        scored_text=str(block.get("scored_text", "answer")),
        truncated=block.get("truncated"),
        prompt_special_tokens=bool(block.get("prompt_special_tokens", False)),
        **common,
    )
    if protocol.scored_text not in SCORED_TEXTS or (protocol.truncated is not None and protocol.truncated not in TRUNCATION_POLICIES):
        raise WisebenchError(f"{config.task}: metadata.wisebench has scored_text={protocol.scored_text!r} / truncated={protocol.truncated!r}")
    return protocol


@dataclass(frozen=True)
class Resolved:
    spec: TextModelSpec
    sources: dict[str, str]  # setting -> where its value came from, for run.json and the console


def resolve_spec(spec: TextModelSpec, protocol: TaskProtocol, task_name: str, explicit: set[str]) -> Resolved:
    """The spec as it runs this task; `explicit` are the --set keys."""
    sources: dict[str, str] = {}
    generation = spec.generation
    kwargs = protocol.generation_kwargs
    recipe = protocol.recipe is not None

    def pick(key: str, task_key: str, current: Any, kind: type, task_applies: bool) -> Any:
        if key in explicit:
            sources[key] = f"--set {key}"
            return current
        if task_applies and task_key in kwargs:
            sources[key] = f"the task's {task_key}"
            return kind(kwargs[task_key])
        sources[key] = "the model spec"
        return current

    generation = replace(
        generation,
        max_new_tokens=pick("max_new_tokens", "max_gen_toks", generation.max_new_tokens, int, protocol.from_yaml),
        do_sample=pick("do_sample", "do_sample", generation.do_sample, bool, recipe),
        temperature=pick("temperature", "temperature", generation.temperature, float, recipe),
        top_p=pick("top_p", "top_p", generation.top_p, float, recipe),
    )
    stop = tuple(str(text) for text in kwargs.get("until") or ()) if recipe else spec.stop
    sources["stop"] = "the task's until" if recipe else "the model spec"
    if "repeats" in explicit:
        repeats, sources["repeats"] = spec.repeats, "--set repeats"
    elif recipe or protocol.task_repeats > 1:
        repeats, sources["repeats"] = protocol.task_repeats, "the task's repeats"
    else:
        repeats, sources["repeats"] = spec.for_task(task_name).repeats, "the model spec"
    truncated = spec.truncated if "truncated" in explicit or protocol.truncated is None else protocol.truncated
    convention = spec.token_convention if "token_convention" in explicit or protocol.token_convention is None else protocol.token_convention
    resolved = replace(spec, generation=generation, stop=stop, repeats=repeats, task_repeats={}, truncated=truncated, token_convention=convention)
    return Resolved(resolved, sources)
