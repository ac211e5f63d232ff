"""Parse policies: which parser turns a reasoner's raw text into object prompts, chosen per run and recorded.

- `upstream`: exactly what the system's own evaluation script does (upstream_parsing.py); the default of every
  published spec, so a real checkpoint scores as its paper scored it.
- `robust`: wisebench's lenient, validating parser (parsing.py): Python-literal JSON accepted, answers read from
  the answer tag, boxes validated and clipped to the image, truncated generations named.

Every prediction is parsed under both; the record keeps the policy that scored it and, when the other policy
would have parsed it differently (a failure on one side only, or other prompts), what the other one gave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wisebench.adapters.prediction import ObjectPrompt
from wisebench.errors import WisebenchError
from wisebench.reasoner.parsing import ParsedOutput, parse_output, rescale_objects
from wisebench.reasoner.upstream_parsing import parse_upstream

PARSE_POLICIES = ("upstream", "robust")


@dataclass
class ParsedAnswer:
    """A raw output under one policy; objects are in original-image pixels."""

    policy: str
    reasoning_text: str = ""
    answer_text: str = ""
    objects: list[ObjectPrompt] = field(default_factory=list)
    failure: str | None = None
    notes: list[str] = field(default_factory=list)
    think_match: str | None = None  # <think>([^<]+)</think> group(1), unstripped: WISE's token count reads it


def check_policy(policy: str, upstream_parser: str | None, model: str) -> str:
    if policy not in PARSE_POLICIES:
        raise WisebenchError(f"parse_policy={policy!r}: use one of {', '.join(PARSE_POLICIES)}")
    if policy == "upstream" and upstream_parser is None:
        raise WisebenchError(f"{model} has no upstream evaluation parser: use --set parse_policy=robust")
    return policy


def _robust(text: str, finish_reason: str | None, spec: Any, original_size: tuple[int, int]) -> ParsedAnswer:
    try:
        parsed = parse_output(text, finish_reason, spec.reasoning_tag, spec.answer_tag, spec.answer_schema)
    except Exception as error:  # a parser bug must cost one sample, not the run
        parsed = ParsedOutput(failure=f"parse_error:{type(error).__name__}")
    answer = ParsedAnswer("robust", parsed.reasoning_text, parsed.answer_text, failure=parsed.failure, notes=list(parsed.notes))
    if answer.failure is None:
        rescaled = rescale_objects(parsed.objects, spec.resize, original_size)
        if isinstance(rescaled, str):
            answer.failure = rescaled
        else:
            answer.objects = rescaled
    return answer


def _upstream(text: str, spec: Any, original_size: tuple[int, int], display: ParsedAnswer) -> ParsedAnswer:
    parsed = parse_upstream(spec.upstream_parser, text, spec.resize, original_size)
    # The reasoning and answer spans shown to people are wisebench's (tag contents); only the prompts differ.
    return ParsedAnswer("upstream", display.reasoning_text, display.answer_text, parsed.objects, parsed.failure, think_match=parsed.think_match)


def parse_with_policies(text: str, finish_reason: str | None, spec: Any, policy: str, original_size: tuple[int, int]) -> tuple[ParsedAnswer, dict[str, Any] | None]:
    """(the answer under `policy`, the other policy's outcome where it differs, else None)."""
    robust = _robust(text, finish_reason, spec, original_size)
    if spec.upstream_parser is None:
        return robust, None
    upstream = _upstream(text, spec, original_size, robust)
    robust.think_match = upstream.think_match
    chosen, other = (upstream, robust) if policy == "upstream" else (robust, upstream)
    if _same_outcome(chosen, other):
        return chosen, None
    return chosen, {"policy": other.policy, "failure": other.failure, "objects": [obj.to_json() for obj in other.objects]}


def _same_outcome(a: ParsedAnswer, b: ParsedAnswer) -> bool:
    if (a.failure is None) != (b.failure is None):
        return False
    return a.failure is not None or [obj.to_json() for obj in a.objects] == [obj.to_json() for obj in b.objects]
