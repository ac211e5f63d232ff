"""Reasoning-token conventions: papers count "reasoning tokens" differently, so every count names its convention.

Each record stores its counts under every convention the adapter knows (prediction.tokens.conventions); a run
reports one of them as its headline `reasoning` figure (the spec's default, or --set token_convention=NAME).

- wisebench: the reasoning tag's content, stripped, model tokenizer, add_special_tokens=False; 0 when there is none.
- wise: WISE's get_tokens.py: group(1) of `<think>([^<]+)</think>` NOT stripped, add_special_tokens=False;
  a sample without a match is left out of the mean (None). The convention of WISE's table, which also gives
  Seg-Zero's 111.9.
Text reasoners add theirs (wisebench/text/): e.g. VeriThinker's len(encode(response)) with BOS.
"""

from __future__ import annotations

from typing import Any

from wisebench.errors import WisebenchError

DEFAULT_CONVENTION = "wisebench"
SEGMENTATION_CONVENTIONS = ("wisebench", "wise")


def count(tokenizer: Any, text: str | None) -> int | None:
    """Tokens of `text` with the model's tokenizer, no special tokens; None for no text (left out of means)."""
    if text is None:
        return None
    return len(tokenizer.encode(text, add_special_tokens=False)) if text else 0


def check_convention(name: str, known: tuple[str, ...] = SEGMENTATION_CONVENTIONS) -> str:
    if name not in known:
        raise WisebenchError(f"token_convention={name!r}: use one of {', '.join(known)}")
    return name


def reasoning_count(tokens: dict[str, Any], convention: str) -> float | None:
    """A record's reasoning tokens under `convention`; records written before conventions existed (or adapters
    that only know the default) fall back to the plain `reasoning` count for the default convention."""
    conventions = tokens.get("conventions") or {}
    if convention in conventions:
        return conventions[convention]
    return tokens.get("reasoning") if convention == DEFAULT_CONVENTION else None
