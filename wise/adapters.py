"""WISE and WISE-S (mrazhou/WISE): the Seg-Zero pipeline with WISE's inference prompt (streamlined thinking in
<think>, answer in <answer>; the detailed <d_think> explanation is a training-time part only). WISE-S adds a
brevity instruction inside the <think> example, "(one sentence)" by default (--set brevity="..." changes it).
No weights are published: pass --checkpoint (a local folder or hub id of a trained checkpoint)."""

from __future__ import annotations

from dataclasses import replace

from wisebench.reasoner.pipeline import ReasonerSegmenterAdapter
from wisebench.reasoner.spec import WISE_ANSWER, WISE_PIECES, WISE_S_BREVITY, ReasonerSpec

NO_WEIGHTS = (
    "WISE publishes no weights (mrazhou/WISE trains from Qwen2.5-VL-3B/7B-Instruct on refCOCOg with GRPO): "
    "train one with `wisebench train --config wise/configs/wise.yaml` (the reference trainer) and pass its output folder."
)

WISE = ReasonerSpec(
    name="wise",
    checkpoint=None,
    prompt_pieces=WISE_PIECES,
    answer_example=WISE_ANSWER,
    upstream_parser="wise",  # WISE evaluation.py: Seg-Zero's parser without the <think> requirement
    parse_policy="upstream",
    token_convention="wise",  # WISE's get_tokens.py
    protocol="segzero",
    summary="WISE: concise rationale distilled from a detailed one (GRPO self-distillation)",
    no_checkpoint_help=NO_WEIGHTS,
)
WISE_S = replace(WISE, name="wise-s", brevity=WISE_S_BREVITY, summary="WISE-S: WISE + brevity instruction '(one sentence)'")


class WiseAdapter(ReasonerSegmenterAdapter):
    name = "wise"
    spec = WISE


class WiseSAdapter(ReasonerSegmenterAdapter):
    name = "wise-s"
    spec = WISE_S
