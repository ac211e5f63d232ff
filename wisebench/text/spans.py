"""Splitting a reasoning model's output into its reasoning span and its answer span.

The reasoning is the text before the closing think delimiter; the chat template may already have opened it, so an
opening delimiter in the output is optional. A chain that never closes and ran into the token limit is truncated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wisebench.text.spec import TextModelSpec


@dataclass(frozen=True)
class Spans:
    reasoning: str
    answer: str
    closed: bool  # the closing delimiter was generated
    truncated: bool  # the chain never closed before the token limit
    mode: str | None  # the control token the response starts with (Thinkless: "short" / "think"), if any


def split_reasoning(
    text: str,
    finish_reason: str,
    open_tag: str = "<think>",
    close_tag: str = "</think>",
    mode_tokens: tuple[str, ...] = (),
) -> Spans:
    """Reasoning = text before `close_tag` (minus a leading `open_tag`); answer = text after it.

    Without `close_tag`: a chain cut by the token limit (finish_reason "length") is all reasoning and truncated;
    one that stopped on its own answered without reasoning (Thinkless' <short> mode), so it is all answer."""
    stripped = text.lstrip()
    mode = next((token.strip("<>/") for token in mode_tokens if stripped.startswith(token)), None)
    before, found, after = text.partition(close_tag)
    if found:
        reasoning = before.lstrip()
        if open_tag and reasoning.startswith(open_tag):
            reasoning = reasoning[len(open_tag) :]
        return Spans(reasoning.strip(), after.strip(), closed=True, truncated=False, mode=mode)
    if finish_reason == "length" and (mode is None or mode == open_tag.strip("<>/")):
        reasoning = text.lstrip()
        if open_tag and reasoning.startswith(open_tag):
            reasoning = reasoning[len(open_tag) :]
        return Spans(reasoning.strip(), "", closed=False, truncated=True, mode=mode)
    return Spans("", text.strip(), closed=False, truncated=False, mode=mode)


def cut_at_stop_sequences(answer: str, until: list[str]) -> str:
    """lm-eval's stop sequences apply to the answer only: reasoning legitimately contains "Problem:" and the like."""
    for stop in until:
        if stop:
            answer = answer.split(stop, 1)[0]
    return answer


def entry_spans(spec: TextModelSpec, entry: dict[str, Any]) -> Spans:
    """A generation's spans; a chain stopped by a stop string holding the close tag ("\\n</think>") closed."""
    text, stop = entry["raw_text"], entry.get("stop_string")
    if stop and spec.close_tag and spec.close_tag in stop:
        text += stop
    return split_reasoning(text, entry["finish_reason"], spec.open_tag, spec.close_tag, spec.mode_tokens)
