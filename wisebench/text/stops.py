"""Stop strings for text generation (VeriThinker stops at "\\n</think>"), applied the same way by every backend:
the decoded text is cut before the first stop string, as vLLM returns it (include_stop_str_in_output False), and
the generated-token count runs to the token that completed it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence


@dataclass(frozen=True)
class TextRequest:
    """What a text generation call takes beyond GenerationSettings."""

    stop: tuple[str, ...] = ()
    # Tokenize the chat text with the tokenizer's special tokens: what vLLM does to a text prompt (a second BOS
    # for R1-distill tokenizers, whose chat template already starts with one), as VeriThinker's scripts fed it.
    prompt_special_tokens: bool = False
    # Per prompt, the assistant's reply so far, after the chat template's generation prompt: generation continues it
    # (budget forcing grows a chain and then answers after a forced close). Empty: every reply starts fresh.
    continuations: tuple[str, ...] = ()

    def full_text(self, chat_text: str, index: int) -> str:
        return chat_text + self.continuations[index] if self.continuations else chat_text


def cut_at_stop_strings(text: str, stop: Sequence[str]) -> tuple[str, str | None]:
    """The text before the earliest stop string, and that stop string (None when none occurs)."""
    found = [(text.find(string), string) for string in stop if string and string in text]
    if not found:
        return text, None
    position, string = min(found)
    return text[:position], string


def tokens_through_stop(token_ids: list[int], decode: Callable[[list[int]], str], stop: str) -> int:
    """The fewest leading tokens whose text holds `stop` (decoding is monotone in the prefix): binary search."""
    low, high = 1, len(token_ids)
    while low < high:
        middle = (low + high) // 2
        if stop in decode(token_ids[:middle]):
            high = middle
        else:
            low = middle + 1
    return high
