"""Seg-Zero (dvlab-research/Seg-Zero): Qwen2.5-VL-7B reasons in <think>, answers one bbox and two points in
<answer>, SAM2 draws the mask. Prompt, coordinates and decoding: shared/reference/interfaces.md."""

from __future__ import annotations

from wisebench.reasoner.pipeline import ReasonerSegmenterAdapter
from wisebench.reasoner.spec import SEGZERO_ANSWER, SEGZERO_PIECES, ReasonerSpec

SEG_ZERO = ReasonerSpec(
    name="seg-zero",
    checkpoint="Ricky06662/Seg-Zero-7B",
    prompt_pieces=SEGZERO_PIECES,
    answer_example=SEGZERO_ANSWER,
    upstream_parser="segzero",  # Seg-Zero evaluation.py: also fails a sample without a <think>([^<]+)</think> match
    parse_policy="upstream",
    token_convention="wise",  # WISE's count, which gives Seg-Zero's 111.9 in WISE's table
    protocol="segzero",
    summary="Seg-Zero-7B: reasoning chain + bbox/points, SAM2 (also Ricky06662/Seg-Zero-7B-Best-on-ReasonSegTest)",
)


class SegZeroAdapter(ReasonerSegmenterAdapter):
    name = "seg-zero"
    spec = SEG_ZERO
